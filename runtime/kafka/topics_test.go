package kafka

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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
	entries, err := DescribeTopicConfig(admin, topic)
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
	admin3 := newAdmin(t, bootstrap, testkit.KafkaVersion)
	ctx := testCtx(t)
	name := uniqueTopic(t, admin)
	spec := TopicSpec{Name: name, Partitions: 1, ReplicationFactor: 1, ConfigKey: "config.storage.topic", SinglePartition: true}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, a := range []sarama.ClusterAdmin{admin, admin2, admin3} {
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

// TestDescribeTopicConfig: the broker's configuration of a topic, all of
// it or the keys asked for, and the broker's error for a topic it does not
// know, as sarama's DescribeConfig gave them.
func TestDescribeTopicConfig(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	admin := newAdmin(t, bootstrap, testkit.KafkaVersion)
	name := uniqueTopic(t, admin)
	if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"cleanup.policy": new("compact")}}, false); err != nil {
		t.Fatal(err)
	}
	all, err := DescribeTopicConfig(admin, name)
	if err != nil || len(all) < 2 {
		t.Fatalf("DescribeTopicConfig(%s) = %+v, %v; want every key", name, all, err)
	}
	some, err := DescribeTopicConfig(admin, name, "cleanup.policy")
	if err != nil || len(some) != 1 || some[0].Name != "cleanup.policy" || some[0].Value != "compact" {
		t.Fatalf("DescribeTopicConfig(%s, cleanup.policy) = %+v, %v", name, some, err)
	}
	var de *sarama.DescribeConfigError
	_, err = DescribeTopicConfig(admin, name+"-missing")
	if !errors.As(err, &de) || !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		t.Fatalf("DescribeTopicConfig of a missing topic = %v, want a DescribeConfigError of UNKNOWN_TOPIC_OR_PARTITION", err)
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

// laggingAdmin is a ClusterAdmin whose metadata lags behind a creation by
// another worker: CreateTopic says the topic exists, and DescribeConfigs and
// DescribeTopics say it is unknown for the first lag calls each.
type laggingAdmin struct {
	sarama.ClusterAdmin
	mu                  sync.Mutex
	lag                 int
	describes, metadata int
	policy              string
	partitions          int
}

func (a *laggingAdmin) CreateTopic(string, *sarama.TopicDetail, bool) error {
	return &sarama.TopicError{Err: sarama.ErrTopicAlreadyExists}
}

func (a *laggingAdmin) DescribeConfigs(rs []*sarama.ConfigResource, _ sarama.DescribeConfigsOptions) ([]*sarama.ConfigResourceResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.describes++
	r := &sarama.ConfigResourceResult{Type: rs[0].Type, Name: rs[0].Name}
	if a.describes <= a.lag {
		r.ErrorCode = sarama.ErrUnknownTopicOrPartition
		return []*sarama.ConfigResourceResult{r}, nil
	}
	r.Configs = []sarama.ConfigEntry{{Name: "cleanup.policy", Value: a.policy}}
	return []*sarama.ConfigResourceResult{r}, nil
}

func (a *laggingAdmin) DescribeTopics(topics []string) ([]*sarama.TopicMetadata, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.metadata++
	if a.metadata <= a.lag {
		return []*sarama.TopicMetadata{{Name: topics[0], Err: sarama.ErrUnknownTopicOrPartition}}, nil
	}
	md := &sarama.TopicMetadata{Name: topics[0], Err: sarama.ErrNoError}
	for i := range a.partitions {
		md.Partitions = append(md.Partitions, &sarama.PartitionMetadata{ID: int32(i), Leader: 1, Err: sarama.ErrNoError})
	}
	return []*sarama.TopicMetadata{md}, nil
}

// TestEnsureTopicWaitsForMetadata: a topic another worker created that the
// broker asked does not know yet is waited for, then checked; one that
// never shows up fails naming the topic and the worker key, with an error
// a starting worker may retry.
func TestEnsureTopicWaitsForMetadata(t *testing.T) {
	spec := TopicSpec{Name: "connect-status", Partitions: 5, ReplicationFactor: 1, ConfigKey: "status.storage.topic"}
	t.Run("visible after a lag", func(t *testing.T) {
		a := &laggingAdmin{lag: 3, policy: "compact", partitions: 5}
		if err := EnsureTopic(testCtx(t), a, spec); err != nil {
			t.Fatalf("EnsureTopic: %v", err)
		}
		if a.describes != 4 || a.metadata != 4 {
			t.Errorf("DescribeConfigs called %d times, DescribeTopics %d, want 4 each (3 unknown, then found)", a.describes, a.metadata)
		}
	})
	t.Run("checked once visible", func(t *testing.T) {
		a := &laggingAdmin{lag: 2, policy: "delete", partitions: 5}
		err := EnsureTopic(testCtx(t), a, spec)
		if err == nil || !strings.Contains(err.Error(), "'cleanup.policy=delete'") {
			t.Fatalf("EnsureTopic of a delete topic after a lag = %v, want the cleanup policy error", err)
		}
	})
	t.Run("never visible", func(t *testing.T) {
		a := &laggingAdmin{lag: 1 << 30, policy: "compact", partitions: 5}
		ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
		defer cancel()
		err := EnsureTopic(ctx, a, spec)
		if err == nil || !strings.Contains(err.Error(), "connect-status (status.storage.topic)") ||
			!errors.Is(err, sarama.ErrUnknownTopicOrPartition) || !Retriable(err) {
			t.Fatalf("EnsureTopic of a topic never visible = %v, want a retriable error naming the topic and key", err)
		}
		if a.describes < 3 {
			t.Errorf("DescribeConfigs tried %d times in 700 ms, want a few (backoff from 100 ms)", a.describes)
		}
	})
}
