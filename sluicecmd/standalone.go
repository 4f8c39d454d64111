package sluicecmd

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/promexport"
	"github.com/sluicehq/sluice/internal/redact"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/runtime/standalone"
	"github.com/sluicehq/sluice/runtime/storage"
)

// runStandalone runs a standalone worker until ctx ends, then drains it.
func runStandalone(ctx context.Context, o *options, workerFile string, connectorFiles []string, log *slog.Logger) error {
	props, err := loadProperties(workerFile, "a worker configuration (.properties)")
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
	return runWorker(ctx, o, props, cfgs, log, nil)
}

// runWorker starts a standalone worker: its REST API, the connectors stored
// in its config file, then the given connectors (which replace stored ones
// of the same name). It runs until ctx ends. A connector that cannot start,
// or whose configuration is invalid, is FAILED with the reason (naming the
// key) in its status: it does not stop the worker. ready, if not nil, is
// called with the REST addresses once the worker is ready. o adds plugins
// to the built-ins (nil: none).
func runWorker(ctx context.Context, o *options, props map[string]string, connectorCfgs []map[string]string, log *slog.Logger, ready func(addrs []string)) error {
	wc, err := runtime.ParseWorkerConfig(props, log)
	if err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	log = redactLog(log, wc.Secrets)
	kafka.SetLogger(logging.Named(log, "sarama")) // sarama's lines scrubbed too
	// Libraries that log through slog's default logger or the log package (a database driver
	// before a task gives it its own logger) are scrubbed too.
	slog.SetDefault(logging.Named(log, "sluice"))
	if err := resolvePortZero(wc); err != nil {
		return err
	}
	rs, err := newRESTSecurity(wc, os.Getenv("KAFKA_OPTS"), logging.Named(log, "sluice.api"))
	if err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	for _, c := range connectorCfgs {
		if strings.TrimSpace(c[runtime.ConnectorName]) == "" {
			return fmt.Errorf("invalid connector configuration: %w", &config.Error{Problems: []config.Problem{{Key: runtime.ConnectorName,
				Message: `Missing required configuration "name" which has no default value.`}}})
		}
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
	configs, err := storage.OpenFileConfigs(wc.ConfigFile)
	if err != nil {
		return err
	}
	if n := configs.DroppedBytes(); n > 0 {
		log.Warn("the connector configs file ended with a change cut short by a crash before it was acknowledged; it was dropped",
			"file", wc.ConfigFile, "bytes", n)
	}
	reg, closePlugins, err := o.registry(ctx, wc.PluginPath, log)
	if err != nil {
		return err
	}
	defer closePlugins()
	status := storage.NewMemoryStatus()
	w := runtime.NewWorker(wc, reg, offsets, status, logging.Named(log, "sluice.runtime"))
	if err := w.CheckConverters(); err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	// Sampled until the worker stops, or this returns early.
	histCtx, stopHistory := context.WithCancel(ctx)
	defer stopHistory()
	w.StartMetricsHistory(histCtx, o.historyInterval(), 0)
	h := standalone.New(ctx, w, configs, status, offsets, logging.Named(log, "sluice.herder"))
	defer h.Stop(context.WithoutCancel(ctx))
	levels := loggerLevels(log)
	if levels != nil {
		h.Loggers = levels
	}

	servers, err := startREST(wc, rs, h, w, levels, log)
	if err != nil {
		return err
	}
	defer shutdownREST(ctx, servers)
	log.Info("standalone worker starting", "worker_id", wc.WorkerID, "rest", servers[0].URLs(), "bootstrap.servers", wc.BootstrapServers,
		"offsets", wc.OffsetFile, "connector configs", wc.ConfigFile)

	if err := h.Start(ctx, connectorCfgs...); err != nil {
		return err
	}
	h.MarkReady()
	log.Info("standalone worker ready", "connectors", len(configs.Connectors()))
	if ready != nil {
		ready(servers[0].Addrs())
	}
	<-ctx.Done()
	log.Info("shutting down: draining tasks")
	return nil
}

// redactLog returns log with the worker's secrets scrubbed from every
// record.
func redactLog(log *slog.Logger, secrets *redact.Set) *slog.Logger {
	return logging.Wrap(log, func(h slog.Handler) slog.Handler { return redact.NewHandler(h, secrets) })
}

// loggerLevels returns the run-time adjustable levels of the log's named
// loggers, or nil when the log does not have them.
func loggerLevels(log *slog.Logger) *logging.Levels {
	if lh, ok := log.Handler().(*logging.Handler); ok {
		return lh.Levels()
	}
	return nil
}

// shutdownREST stops the REST servers, letting requests in flight finish
// for up to 10 s.
func shutdownREST(ctx context.Context, servers []*api.Server) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		s.Shutdown(sctx)
	}
}

// metricsHandler serves the worker's metrics at /metrics, with the
// rebalance figures when h is a distributed herder.
func metricsHandler(w *runtime.Worker, h herder.Herder) http.Handler {
	rebalance, _ := h.(promexport.Rebalance)
	return promexport.Handler(w, rebalance)
}

// startREST serves the REST API on listeners, and the admin endpoints on
// admin.listeners when that is set (none when it is empty), secured by rs.
func startREST(wc *runtime.WorkerConfig, rs *restSecurity, h herder.Herder, w *runtime.Worker, levels *logging.Levels, log *slog.Logger) ([]*api.Server, error) {
	restLog := logging.Named(log, "sluice.api")
	opts := api.Options{Herder: h, Log: restLog, TopicTracking: wc.TopicTracking, TopicTrackingReset: wc.TopicTrackingReset,
		AllowOrigin: wc.Values.String(runtime.AllowOrigin), AllowMethods: wc.Values.String(runtime.AllowMethods),
		MaxConfigBytes: wc.ConfigMaxBytes, Auth: rs.auth, ForwardClient: rs.client, Metrics: metricsHandler(w, h),
		Console: wc.Console, History: func(connector string, since int64) any { return w.MetricsHistory(connector, since) }}
	if levels != nil {
		opts.Loggers = levels
	}
	opts.Redact = wc.Secrets.String
	opts.NoAdmin = wc.AdminListenersSet
	main, err := api.Listen(rs.listeners, api.NewHandler(opts), restLog)
	if err != nil {
		return nil, err
	}
	servers := []*api.Server{main}
	if wc.AdminListenersSet && len(wc.AdminListeners) > 0 {
		adminOpts := opts
		adminOpts.NoAdmin, adminOpts.AdminOnly = false, true
		admin, err := api.Listen(rs.admin, api.NewHandler(adminOpts), restLog)
		if err != nil {
			main.Shutdown(context.Background())
			return nil, err
		}
		servers = append(servers, admin)
	}
	for _, s := range servers {
		s.Serve()
	}
	return servers, nil
}
