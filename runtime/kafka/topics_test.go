package kafka

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
)

// uniqueTopic returns a fresh topic name that is deleted when t ends.
func uniqueTopic(t *testing.T, admin sarama.ClusterAdmin) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "sluice-ensure-" + hex.EncodeToString(b[:])
	t.Cleanup(func() { _ = admin.DeleteTopic(name) })
	return name
}

func topicConfig(t *testing.T, admin sarama.ClusterAdmin, topic string) map[string]string {
	t.Helper()
	entries, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic})
	if err != nil {
		t.Fatalf("describe config of %s: %v", topic, err)
	}
	out := map[string]string{}
	for _, e := range entries {
		out[e.Name] = e.Value
	}
	return out
}

func TestEnsureTopicCreatesCompactedTopicIdempotently(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	admin := newAdmin(t, bootstrap, testkit.KafkaVersion)
	ctx := testCtx(t)
	name := uniqueTopic(t, admin)
	spec := TopicSpec{Name: name, Partitions: 2, ReplicationFactor: 1, ConfigKey: "offset.storage.topic",
		Configs: map[string]string{"cleanup.policy": "delete", "min.compaction.lag.ms": "1234"}}
	if err := EnsureTopic(ctx, admin, spec); err != nil {
		t.Fatalf("EnsureTopic: %v", err)
	}
	cfg := topicConfig(t, admin, name)
	if cfg["cleanup.policy"] != "compact" {
		t.Errorf("cleanup.policy = %q, want compact (user value overridden)", cfg["cleanup.policy"])
	}
	if cfg["min.compaction.lag.ms"] != "1234" {
		t.Errorf("min.compaction.lag.ms = %q, want 1234", cfg["min.compaction.lag.ms"])
	}
	md, err := admin.DescribeTopics([]string{name})
	if err != nil || len(md) != 1 || len(md[0].Partitions) != 2 {
		t.Fatalf("describe %s: %v %+v", name, err, md)
	}
	// A second call (the topic exists and is compacted) is fine.
	if err := EnsureTopic(ctx, admin, spec); err != nil {
		t.Fatalf("second EnsureTopic: %v", err)
	}
}

func TestEnsureTopicConcurrentCreation(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	admin := newAdmin(t, bootstrap, testkit.KafkaVersion)
	admin2 := newAdmin(t, bootstrap, testkit.KafkaVersion)
	ctx := testCtx(t)
	name := uniqueTopic(t, admin)
	spec := TopicSpec{Name: name, Partitions: 1, ReplicationFactor: 1, ConfigKey: "config.storage.topic", SinglePartition: true}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, a := range []sarama.ClusterAdmin{admin, admin2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = EnsureTopic(ctx, a, spec)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: EnsureTopic: %v", i, err)
		}
	}
}

func TestEnsureTopicBrokerDefaults(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	admin := newAdmin(t, bootstrap, testkit.KafkaVersion)
	ctx := testCtx(t)
	name := uniqueTopic(t, admin)
	if err := EnsureTopic(ctx, admin, TopicSpec{Name: name, Partitions: -1, ReplicationFactor: -1,
		ConfigKey: "status.storage.topic"}); err != nil {
		t.Fatalf("EnsureTopic with broker defaults: %v", err)
	}
	if got := topicConfig(t, admin, name)["cleanup.policy"]; got != "compact" {
		t.Errorf("cleanup.policy = %q, want compact", got)
	}
}

func TestEnsureTopicRejectsNonCompactTopic(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	admin := newAdmin(t, bootstrap, testkit.KafkaVersion)
	ctx := testCtx(t)
	for _, c := range []struct{ policy, key, purpose string }{
		{"delete", "status.storage.topic", "connector and task statuses"},
		{"compact,delete", "offset.storage.topic", "source connector offsets"},
	} {
		name := uniqueTopic(t, admin)
		p := c.policy
		if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
			ConfigEntries: map[string]*string{"cleanup.policy": &p}}, false); err != nil {
			t.Fatal(err)
		}
		err := EnsureTopic(ctx, admin, TopicSpec{Name: name, Partitions: 1, ReplicationFactor: 1, ConfigKey: c.key})
		// TopicAdmin.verifyTopicCleanupPolicyOnlyCompact.
		want := fmt.Sprintf("Topic '%s' supplied via the '%s' property is required to have 'cleanup.policy=compact' "+
			"to guarantee consistency and durability of %s, but found the topic currently has 'cleanup.policy=%s'. "+
			"Continuing would likely result in eventually losing %s and problems restarting this Connect cluster "+
			"in the future. Change the '%s' property in the Connect worker configurations to use a topic with "+
			"'cleanup.policy=compact'.", name, c.key, c.purpose, c.policy, c.purpose, c.key)
		if err == nil || err.Error() != want {
			t.Errorf("cleanup.policy=%s: error\n got %v\nwant %s", c.policy, err, want)
		}
	}
}

func TestEnsureTopicRejectsMultiPartitionConfigTopic(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	admin := newAdmin(t, bootstrap, testkit.KafkaVersion)
	ctx := testCtx(t)
	name := uniqueTopic(t, admin)
	compact := "compact"
	if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"cleanup.policy": &compact}}, false); err != nil {
		t.Fatal(err)
	}
	err := EnsureTopic(ctx, admin, TopicSpec{Name: name, Partitions: 1, ReplicationFactor: 1,
		ConfigKey: "config.storage.topic", SinglePartition: true})
	// KafkaConfigBackingStore.start.
	want := fmt.Sprintf("Topic '%s' supplied via the 'config.storage.topic' property is required to have a single "+
		"partition in order to guarantee consistency of connector configurations, but found 3 partitions.", name)
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}
