package standalone_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/internal/testkit/panicky"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// TestSourceTopicCreation runs source connectors on a broker of the test's
// own that does not create topics automatically, as most production
// clusters: with topic creation groups (KIP-158) the task creates each
// topic as its group says before its first record to it; when it may not
// create a missing topic it fails clearly after max.block.ms, and a topic
// created by hand meanwhile is taken.
func TestSourceTopicCreation(t *testing.T) {
	b := testkit.StartBroker(t, testkit.NoAutoCreateTopics())
	bootstrap := b.Addr()
	reg := builtin.Registry()
	panicky.Register(reg, &panicky.Sunk{})
	admin := newAdmin(t, bootstrap)
	unique := func(prefix string) string { return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()) }

	t.Run("two groups", func(t *testing.T) {
		h := newHerderWith(t, bootstrap, nil, reg)
		compacted, plain := unique("compacted"), unique("plain")
		cfg := map[string]string{
			"name": "creator", "connector.class": panicky.SourceClass,
			panicky.Topic: compacted + "," + plain, panicky.Values: "a,b,c,d,e,f", panicky.Keyed: "true",
			"topic.creation.groups":                     "compacting",
			"topic.creation.compacting.include":         `compacted-\d+`,
			"topic.creation.compacting.partitions":      "3",
			"topic.creation.compacting.cleanup.policy":  "compact",
			"topic.creation.default.replication.factor": "1",
			"topic.creation.default.partitions":         "1",
		}
		infos, err := h.ValidateConnectorConfig(context.Background(), cfg)
		if err != nil || infos.ErrorCount != 0 {
			t.Fatalf("validate: %v, %s", err, validationErrors(infos))
		}
		if _, _, err := h.PutConnectorConfig(context.Background(), "creator", cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		awaitRecords(t, bootstrap, compacted, 3)
		awaitRecords(t, bootstrap, plain, 3)
		for topic, want := range map[string]struct {
			partitions int
			policy     string
		}{compacted: {3, "compact"}, plain: {1, "delete"}} {
			md, err := admin.DescribeTopics([]string{topic})
			if err != nil || len(md) != 1 || md[0].Err != sarama.ErrNoError {
				t.Fatalf("describe %s: %v %+v", topic, err, md)
			}
			if n := len(md[0].Partitions); n != want.partitions {
				t.Errorf("%s has %d partitions, want %d", topic, n, want.partitions)
			}
			entries, err := kafka.DescribeTopicConfig(admin, topic, "cleanup.policy")
			if err != nil || len(entries) != 1 || entries[0].Value != want.policy {
				t.Errorf("%s cleanup.policy: %+v, %v; want %s", topic, entries, err, want.policy)
			}
		}
		if ts := awaitTask(t, h, "creator", herder.Running); ts.Trace != "" {
			t.Errorf("task trace %q", ts.Trace)
		}
	})

	t.Run("creation not allowed", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			worker map[string]string
			conn   map[string]string
			hint   string
		}{
			{"connector has no topic.creation keys", nil, nil, "the connector configuration has no topic.creation.* keys"},
			{"worker disables topic creation", map[string]string{"topic.creation.enable": "false"},
				map[string]string{"topic.creation.default.replication.factor": "1", "topic.creation.default.partitions": "1"},
				"topic.creation.enable=true in the worker configuration"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h := newHerderWith(t, bootstrap, tc.worker, reg)
				topic := unique("missing")
				cfg := map[string]string{"name": "nocreate", "connector.class": panicky.SourceClass,
					panicky.Topic: topic, panicky.Values: "a", "producer.override.max.block.ms": "1500"}
				for k, v := range tc.conn {
					cfg[k] = v
				}
				if _, _, err := h.PutConnectorConfig(context.Background(), "nocreate", cfg, false, ""); err != nil {
					t.Fatal(err)
				}
				ts := awaitTask(t, h, "nocreate", herder.Failed)
				for _, want := range []string{"Topic '" + topic + "' does not exist", "1.5s (max.block.ms)",
					"set topic.creation.default.replication.factor and topic.creation.default.partitions", tc.hint} {
					if !strings.Contains(ts.Trace, want) {
						t.Errorf("trace does not say %q:\n%s", want, ts.Trace)
					}
				}
				if md, err := admin.DescribeTopics([]string{topic}); err != nil || len(md) != 1 || md[0].Err != sarama.ErrUnknownTopicOrPartition {
					t.Errorf("topic %s: %v %+v; want it still missing", topic, err, md)
				}
			})
		}
	})

	t.Run("created by hand while the task waits", func(t *testing.T) {
		h := newHerderWith(t, bootstrap, nil, reg)
		topic := unique("later")
		cfg := map[string]string{"name": "waiter", "connector.class": panicky.SourceClass,
			panicky.Topic: topic, panicky.Values: "a,b"}
		if _, _, err := h.PutConnectorConfig(context.Background(), "waiter", cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			ts, err := h.TaskStatus(context.Background(), herder.TaskID{Connector: "waiter"})
			if err == nil && ts.State == herder.Running && strings.Contains(ts.Trace, topic+", which does not exist") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("task %+v (%v): not waiting for %s", ts, err, topic)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1}, false); err != nil {
			t.Fatal(err)
		}
		awaitRecords(t, bootstrap, topic, 2)
		awaitTask(t, h, "waiter", herder.Running)
	})

	// A topic config the broker refuses fails the task with the broker's
	// error, naming the topic and the group; the worker goes on.
	t.Run("topic config the broker refuses", func(t *testing.T) {
		h := newHerderWith(t, bootstrap, nil, reg)
		topic := unique("refused")
		cfg := map[string]string{"name": "refused", "connector.class": panicky.SourceClass,
			panicky.Topic: topic, panicky.Values: "a",
			"topic.creation.default.replication.factor": "1", "topic.creation.default.partitions": "1",
			"topic.creation.default.no.such.topic.config": "x"}
		if _, _, err := h.PutConnectorConfig(context.Background(), "refused", cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		ts := awaitTask(t, h, "refused", herder.Failed)
		for _, want := range []string{"Task failed to create new topic " + topic + " with topic creation group default", "no.such.topic.config"} {
			if !strings.Contains(ts.Trace, want) {
				t.Errorf("trace does not say %q:\n%s", want, ts.Trace)
			}
		}
		if err := h.DeleteConnector(context.Background(), "refused"); err != nil {
			t.Fatal(err)
		}
	})

	// A task waiting for a missing topic it may not create (max.block.ms
	// is a minute here) is not failed by its wait when paused, and stops
	// promptly when its connector is stopped or deleted or the worker
	// stops.
	t.Run("paused, stopped or deleted while waiting", func(t *testing.T) {
		awaitWaiting := func(t *testing.T, h herder.Herder, name, topic string) {
			t.Helper()
			deadline := time.Now().Add(30 * time.Second)
			for {
				ts, err := h.TaskStatus(context.Background(), herder.TaskID{Connector: name})
				if err == nil && ts.State == herder.Running && strings.Contains(ts.Trace, topic+", which does not exist") {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("task %+v (%v): not waiting for %s", ts, err, topic)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		start := func(t *testing.T, h herder.Herder, name string, maxBlock string) string {
			t.Helper()
			topic := unique(name)
			cfg := map[string]string{"name": name, "connector.class": panicky.SourceClass,
				panicky.Topic: topic, panicky.Values: "a,b", "producer.override.max.block.ms": maxBlock}
			if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
				t.Fatal(err)
			}
			awaitWaiting(t, h, name, topic)
			return topic
		}
		const prompt = 15 * time.Second // well below max.block.ms

		t.Run("deleted", func(t *testing.T) {
			h := newHerderWith(t, bootstrap, nil, reg)
			start(t, h, "deleted", "60000")
			began := time.Now()
			if err := h.DeleteConnector(context.Background(), "deleted"); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(began); d > prompt {
				t.Errorf("delete took %v", d)
			}
		})
		t.Run("stopped", func(t *testing.T) {
			h := newHerderWith(t, bootstrap, nil, reg)
			start(t, h, "stopped", "60000")
			began := time.Now()
			if err := h.SetTargetState(context.Background(), "stopped", herder.TargetStopped); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(prompt)
			for {
				st, err := h.ConnectorStatus(context.Background(), "stopped")
				if err == nil && st.Connector.State == herder.Stopped && len(st.Tasks) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not stopped after %v: %+v %v", time.Since(began), st, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
		t.Run("worker stops", func(t *testing.T) {
			h := newHerderWith(t, bootstrap, map[string]string{"task.shutdown.graceful.timeout.ms": "2000"}, reg)
			start(t, h, "shutdown", "60000")
			began := time.Now()
			h.Stop(context.Background())
			if d := time.Since(began); d > prompt {
				t.Errorf("worker stop took %v", d)
			}
		})
		t.Run("paused, then resumed", func(t *testing.T) {
			h := newHerderWith(t, bootstrap, nil, reg)
			topic := start(t, h, "paused", "1000")
			if err := h.SetTargetState(context.Background(), "paused", herder.TargetPaused); err != nil {
				t.Fatal(err)
			}
			awaitTask(t, h, "paused", herder.Paused)
			// Paused for three times max.block.ms: the wait does not run
			// out and fail the task.
			for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
				if ts, err := h.TaskStatus(context.Background(), herder.TaskID{Connector: "paused"}); err != nil || ts.State != herder.Paused {
					t.Fatalf("paused task is %+v (%v)", ts, err)
				}
			}
			if err := h.SetTargetState(context.Background(), "paused", herder.TargetStarted); err != nil {
				t.Fatal(err)
			}
			awaitTask(t, h, "paused", herder.Running)
			if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1}, false); err != nil {
				t.Fatal(err)
			}
			awaitRecords(t, bootstrap, topic, 2)
		})
	})
}

// newAdmin returns an admin client for bootstrap, closed when t ends.
func newAdmin(t *testing.T, bootstrap string) sarama.ClusterAdmin {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	return admin
}

// awaitRecords waits until topic holds n records, over all its partitions.
func awaitRecords(t *testing.T, bootstrap, topic string, n int64) {
	t.Helper()
	client, err := sarama.NewClient(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	deadline := time.Now().Add(time.Minute)
	var got int64
	for {
		got = 0
		_ = client.RefreshMetadata(topic)
		parts, err := client.Partitions(topic)
		for _, p := range parts {
			newest, err1 := client.GetOffset(topic, p, sarama.OffsetNewest)
			oldest, err2 := client.GetOffset(topic, p, sarama.OffsetOldest)
			if err1 == nil && err2 == nil {
				got += newest - oldest
			}
		}
		if err == nil && got >= n {
			if got > n {
				t.Fatalf("%s holds %d records, want %d", topic, got, n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %d records (%v), want %d", topic, got, err, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
