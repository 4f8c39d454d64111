package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/standalone"
	"github.com/sluicehq/sluice/runtime/storage"
)

// runStandalone runs a standalone worker until ctx ends, then drains it.
func runStandalone(ctx context.Context, workerFile string, connectorFiles []string, log *slog.Logger) error {
	props, err := loadProperties(workerFile)
	if err != nil {
		return err
	}
	var cfgs []map[string]string
	for _, f := range connectorFiles {
		c, err := loadConnectorConfig(f)
		if err != nil {
			return err
		}
		cfgs = append(cfgs, c)
	}
	return runWorker(ctx, props, cfgs, log)
}

// runWorker starts a standalone worker with the given connectors and runs
// it until ctx ends. Any connector whose configuration is invalid stops
// start-up with an error that names the key.
func runWorker(ctx context.Context, props map[string]string, connectorCfgs []map[string]string, log *slog.Logger) error {
	wc, err := runtime.ParseWorkerConfig(props, log)
	if err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	if wc.OffsetFile == "" {
		return fmt.Errorf("invalid worker configuration: %w", &config.Error{Problems: []config.Problem{{Key: runtime.OffsetFileName,
			Message: `Missing required configuration "offset.storage.file.filename" which has no default value.`}}})
	}
	offsets, err := storage.OpenFileOffsets(wc.OffsetFile)
	if err != nil {
		return err
	}
	defer offsets.Close()
	reg := plugins.Builtin()
	status := storage.NewMemoryStatus()
	w := runtime.NewWorker(wc, reg, offsets, status, log)
	if err := w.CheckConverters(); err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	h := standalone.New(ctx, w, storage.NewMemoryConfigs(), status, offsets, log)
	defer h.Stop(context.WithoutCancel(ctx))
	log.Info("standalone worker started", "worker_id", wc.WorkerID, "bootstrap.servers", wc.BootstrapServers, "offsets", wc.OffsetFile)

	for _, c := range connectorCfgs {
		name := c[runtime.ConnectorName]
		if name == "" {
			return fmt.Errorf("invalid connector configuration: %w", &config.Error{Problems: []config.Problem{{Key: runtime.ConnectorName,
				Message: `Missing required configuration "name" which has no default value.`}}})
		}
		if _, _, err := h.PutConnectorConfig(ctx, name, c, false, ""); err != nil {
			return fmt.Errorf("connector %s: %w", name, err)
		}
	}
	<-ctx.Done()
	log.Info("shutting down: draining tasks")
	return nil
}
