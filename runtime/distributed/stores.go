package distributed

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/runtime/storage"
)

// listenerProxy forwards config store changes to the herder once it
// exists; the store reports changes only after it has started, which the
// herder does.
type listenerProxy struct{ h atomic.Pointer[Herder] }

func (p *listenerProxy) listener() storage.ConfigListener {
	get := func() storage.ConfigListener {
		if h := p.h.Load(); h != nil {
			return h.configListener()
		}
		return storage.ConfigListener{}
	}
	return storage.ConfigListener{
		ConnectorUpdated: func(n string) { call1(get().ConnectorUpdated, n) },
		ConnectorRemoved: func(n string) { call1(get().ConnectorRemoved, n) },
		TasksUpdated: func(t []herder.TaskID) {
			if f := get().TasksUpdated; f != nil {
				f(t)
			}
		},
		TargetChanged: func(n string) { call1(get().TargetChanged, n) },
		SessionKeyUpdated: func(k storage.SessionKey) {
			if f := get().SessionKeyUpdated; f != nil {
				f(k)
			}
		},
		RestartRequested: func(r storage.RestartRequest) {
			if f := get().RestartRequested; f != nil {
				f(r)
			}
		},
		LoggerLevel: func(ns, level string) {
			if f := get().LoggerLevel; f != nil {
				f(ns, level)
			}
		},
	}
}

func call1(f func(string), s string) {
	if f != nil {
		f(s)
	}
}

// saramaBase returns the client settings of the worker's internal clients
// (the internal topics' producers, consumers and admin, the group member):
// the worker's top-level client keys, as Kafka Connect gives them its
// top-level configuration (KafkaBasedLog's clients, SharedTopicAdmin,
// WorkerGroupMember). ParseWorkerConfig checked them at start-up.
func saramaBase(cfg *Config, clientID string) (*sarama.Config, error) {
	c, _, err := kafka.AdminConfig(clientID, cfg.ClientProps)
	return c, err
}

// clientIDBase is Kafka Connect's ConnectUtils.clientIdBase:
// "<group.id or connect>[-<client.id>]-".
func clientIDBase(cfg *Config) string {
	base := cfg.GroupID
	if base == "" {
		base = "connect"
	}
	if cfg.ClientID != "" {
		base += "-" + cfg.ClientID
	}
	return base + "-"
}

// topicSettings are the extra topic configurations given with a prefix
// (config.storage.*, offset.storage.*, status.storage.*), without the
// keys the worker itself defines (DistributedConfig.topicSettings).
func topicSettings(cfg *Config, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range cfg.Values.OriginalsWithPrefix(prefix) {
		switch k {
		case "topic", "replication.factor", "partitions", "file.filename":
			continue
		}
		out[k] = v
	}
	return out
}

// NewStores returns the config, offset and status stores of the cluster
// cfg describes. It does not connect to Kafka: the herder's Run creates
// the internal topics when they are missing (checking the ones that exist)
// and starts the stores, waiting for the brokers as long as it takes.
func NewStores(cfg *Config, log *slog.Logger) (_ *Stores, err error) {
	base := clientIDBase(cfg)
	st := &Stores{listener: &listenerProxy{}, cfg: cfg, log: log, startup: &startup{}}
	opener := func(topic, suffix string) func(func(kafka.LogRecord)) (storage.TopicLog, error) {
		return func(apply func(kafka.LogRecord)) (storage.TopicLog, error) {
			sc, err := saramaBase(cfg, base+suffix)
			if err != nil {
				return nil, err
			}
			return kafka.OpenLog(kafka.LogConfig{Topic: topic, Brokers: cfg.BootstrapServers, Sarama: sc,
				ClientID: base + suffix, Apply: apply, Log: logging.Named(log, "sluice.kafkalog"), OnRetry: st.startup.failed})
		}
	}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	if st.Offsets, err = storage.NewKafkaOffsets(opener(cfg.OffsetTopic, "offsets"), logging.Named(log, "sluice.offsets")); err != nil {
		return nil, err
	}
	if st.Status, err = storage.NewKafkaStatus(opener(cfg.StatusTopic, "statuses"), cfg.WorkerID, logging.Named(log, "sluice.status")); err != nil {
		return nil, err
	}
	if st.Configs, err = storage.NewKafkaConfigs(opener(cfg.ConfigTopic, "configs"), st.listener.listener(), logging.Named(log, "sluice.configs")); err != nil {
		return nil, err
	}
	return st, nil
}

// topicSpecs are the internal topics, as Kafka Connect's stores define
// them.
func (s *Stores) topicSpecs() []kafka.TopicSpec {
	cfg := s.cfg
	return []kafka.TopicSpec{
		{Name: cfg.ConfigTopic, Partitions: 1, ReplicationFactor: cfg.ConfigRF, Configs: topicSettings(cfg, "config.storage."), ConfigKey: ConfigTopic, SinglePartition: true},
		{Name: cfg.OffsetTopic, Partitions: cfg.OffsetPartitions, ReplicationFactor: cfg.OffsetRF, Configs: topicSettings(cfg, "offset.storage."), ConfigKey: OffsetTopic},
		{Name: cfg.StatusTopic, Partitions: cfg.StatusPartitions, ReplicationFactor: cfg.StatusRF, Configs: topicSettings(cfg, "status.storage."), ConfigKey: StatusTopic},
	}
}

// ensureTopics creates the internal topics that are missing and checks
// the others; one attempt. Its connections close when ctx ends, so that a
// worker stopped during start-up does not wait for a broker that does not
// answer.
func (s *Stores) ensureTopics(ctx context.Context) error {
	id := clientIDBase(s.cfg) + "shared-admin"
	base, err := saramaBase(s.cfg, id)
	if err != nil {
		return err
	}
	cfg, stop := kafka.AbortOnDone(ctx, base)
	defer stop()
	admin, err := sarama.NewClusterAdmin(s.cfg.BootstrapServers, cfg)
	if err != nil {
		return fmt.Errorf("connect to Kafka at %s: %w", strings.Join(s.cfg.BootstrapServers, ","), kafka.WithDiagnosis(err, s.cfg.BootstrapServers, cfg, ctx.Done()))
	}
	defer admin.Close()
	for _, spec := range s.topicSpecs() {
		if err := kafka.EnsureTopic(ctx, admin, spec); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the stores.
func (s *Stores) Close() {
	if s.Configs != nil {
		s.Configs.Close()
	}
	if s.Status != nil {
		s.Status.Close()
	}
	if s.Offsets != nil {
		s.Offsets.Close()
	}
}
