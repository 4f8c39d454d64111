package sluicecmd

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/distributed"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// runDistributed runs a worker of a cluster until ctx ends, then drains its
// tasks and leaves the group. ready, if not nil, is called with the REST
// addresses once the REST server listens. o adds plugins to the built-ins
// (nil: none).
func runDistributed(ctx context.Context, o *options, workerFile string, log *slog.Logger, ready func(addrs []string)) error {
	props, err := loadProperties(workerFile, "a worker configuration (.properties)")
	if err != nil {
		return err
	}
	cfg, err := distributed.ParseConfig(props, log)
	if err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	log = redactLog(log, cfg.Secrets)
	kafka.SetLogger(logging.Named(log, "sarama")) // sarama's lines scrubbed too
	// Libraries that log through slog's default logger or the log package (a database driver
	// before a task gives it its own logger) are scrubbed too.
	slog.SetDefault(logging.Named(log, "sluice"))
	if err := resolvePortZero(cfg.WorkerConfig); err != nil {
		return err
	}
	cfg.URL = cfg.AdvertisedURL()
	rs, err := newRESTSecurity(cfg.WorkerConfig, os.Getenv("KAFKA_OPTS"), logging.Named(log, "sluice.api"))
	if err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	// Nothing below needs Kafka until h.Run: the REST server answers
	// (/health says what the worker waits for) while Run waits for the
	// brokers and the internal topics.
	stores, err := distributed.NewStores(cfg, log)
	if err != nil {
		return err
	}
	defer stores.Close()
	reg, closePlugins, err := o.registry(ctx, cfg.PluginPath, log)
	if err != nil {
		return err
	}
	defer closePlugins()
	w := runtime.NewWorker(cfg.WorkerConfig, reg, stores.Offsets, stores.Status, logging.Named(log, "sluice.runtime"))
	if err := w.CheckConverters(); err != nil {
		return fmt.Errorf("invalid worker configuration: %w", err)
	}
	// Sampled until the worker stops, or this returns early.
	histCtx, stopHistory := context.WithCancel(ctx)
	defer stopHistory()
	w.StartMetricsHistory(histCtx, o.historyInterval(), 0)
	h, err := distributed.New(cfg, w, stores, forwarder{http: rs.client}, logging.Named(log, "sluice.herder"))
	if err != nil {
		return err
	}
	levels := loggerLevels(log)
	if levels != nil {
		h.Loggers = levels
	}
	servers, err := startREST(cfg.WorkerConfig, rs, h, w, levels, log)
	if err != nil {
		return err
	}
	defer shutdownREST(ctx, servers)
	log.Info("distributed worker starting", "worker_id", cfg.WorkerID, "url", cfg.URL, "group.id", cfg.GroupID, "rest", servers[0].URLs(),
		"bootstrap.servers", cfg.BootstrapServers, "config.storage.topic", cfg.ConfigTopic, "offset.storage.topic", cfg.OffsetTopic,
		"status.storage.topic", cfg.StatusTopic, "connect.protocol", cfg.Protocol)
	if ready != nil {
		ready(servers[0].Addrs())
	}
	err = h.Run(ctx)
	log.Info("distributed worker stopped")
	return err
}

// resolvePortZero gives a worker whose advertised listener asks for port 0 (and
// with no rest.advertised.port) the port the system chooses, in its worker
// id and advertised URL: Kafka Connect advertises the bound port too
// (RestServer.advertisedUrl), and without it every such worker of a
// cluster would advertise the same unusable http://host:0. The port is
// reserved by binding it and released just before the REST server binds
// it again, a window in which another process could take it; the REST
// server then fails to start with an error naming the address. Standalone
// and distributed workers both use it.
func resolvePortZero(cfg *runtime.WorkerConfig) error {
	i := cfg.AdvertisedListener
	host, port, err := net.SplitHostPort(cfg.Listeners[i])
	if err != nil || port != "0" {
		return nil
	}
	if _, set := cfg.Values.Get(runtime.RestAdvertisedPort).(int32); set {
		return nil
	}
	l, err := net.Listen("tcp", cfg.Listeners[i])
	if err != nil {
		return fmt.Errorf("REST API: listen on %s: %w", cfg.Listeners[i], err)
	}
	_, bound, _ := net.SplitHostPort(l.Addr().String())
	if err := l.Close(); err != nil {
		return fmt.Errorf("REST API: release %s: %w", l.Addr(), err)
	}
	cfg.Listeners[i] = net.JoinHostPort(host, bound)
	cfg.ListenAddress = cfg.Listeners[i]
	advHost, _, _ := net.SplitHostPort(cfg.WorkerID)
	cfg.WorkerID = net.JoinHostPort(advHost, bound)
	return nil
}

// forwarder sends a follower's task configurations to the leader through
// the REST client, over https with the worker's TLS settings (ssl.*).
type forwarder struct{ http *http.Client }

func (f forwarder) PutTaskConfigs(ctx context.Context, leaderURL, name string, configs []map[string]string, key []byte, algorithm string) error {
	c, err := client.New(leaderURL, client.WithHTTPClient(f.http))
	if err != nil {
		return err
	}
	return c.PutTaskConfigs(ctx, name, configs, key, algorithm)
}
