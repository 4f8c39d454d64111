package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/distributed"
)

// runDistributed runs a worker of a cluster until ctx ends, then drains its
// tasks and leaves the group. ready, if not nil, is called with the REST
// addresses once the REST server listens.
func runDistributed(ctx context.Context, workerFile string, log *slog.Logger, ready func(addrs []string)) error {
	props, err := loadProperties(workerFile)
	if err != nil {
		return err
	}
	cfg, err := distributed.ParseConfig(props, log)
	if err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	stores, err := distributed.OpenStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stores.Close()
	w := runtime.NewWorker(cfg.WorkerConfig, plugins.Builtin(), stores.Offsets, stores.Status, logging.Named(log, "sluice.runtime"))
	if err := w.CheckConverters(); err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	h, err := distributed.New(cfg, w, stores, forwarder{}, logging.Named(log, "sluice.herder"))
	if err != nil {
		return err
	}
	var levels *logging.Levels
	if lh, ok := log.Handler().(*logging.Handler); ok {
		levels = lh.Levels()
		h.Loggers = levels
	}
	servers, err := startREST(cfg.WorkerConfig, h, levels, log)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		for _, s := range servers {
			s.Shutdown(sctx)
		}
	}()
	log.Info("distributed worker starting", "worker_id", cfg.WorkerID, "url", cfg.URL, "group.id", cfg.GroupID, "rest", servers[0].Addrs(),
		"bootstrap.servers", cfg.BootstrapServers, "config.storage.topic", cfg.ConfigTopic, "offset.storage.topic", cfg.OffsetTopic,
		"status.storage.topic", cfg.StatusTopic, "connect.protocol", cfg.Protocol)
	if ready != nil {
		ready(servers[0].Addrs())
	}
	err = h.Run(ctx)
	log.Info("distributed worker stopped")
	return err
}

// forwarder sends a follower's task configurations to the leader through
// the REST client.
type forwarder struct{}

func (forwarder) PutTaskConfigs(ctx context.Context, leaderURL, name string, configs []map[string]string, key []byte, algorithm string) error {
	c, err := client.New(leaderURL)
	if err != nil {
		return err
	}
	return c.PutTaskConfigs(ctx, name, configs, key, algorithm)
}
