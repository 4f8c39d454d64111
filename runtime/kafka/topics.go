package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// TopicSpec describes one of the worker's internal topics, as Kafka
// Connect's DistributedConfig.*TopicSettings and TopicAdmin.defineTopic do.
type TopicSpec struct {
	// Name is the topic's name.
	Name string
	// Partitions is the number of partitions; -1 means the broker default.
	Partitions int32
	// ReplicationFactor is the replication factor; -1 means the broker
	// default.
	ReplicationFactor int16
	// Configs are extra topic configs (config.storage.* etc.);
	// cleanup.policy is always forced to compact.
	Configs map[string]string
	// ConfigKey is the worker key that named the topic, e.g.
	// "config.storage.topic", used in messages.
	ConfigKey string
	// SinglePartition marks the config topic: more than one partition is an
	// error.
	SinglePartition bool
}

// topicPurpose is what Kafka Connect's stores say a topic holds
// (getTopicPurpose of KafkaConfigBackingStore, KafkaOffsetBackingStore and
// KafkaStatusBackingStore), used in the cleanup policy message.
func topicPurpose(configKey string) string {
	switch configKey {
	case "config.storage.topic":
		return "connector configurations"
	case "offset.storage.topic":
		return "source connector offsets"
	case "status.storage.topic":
		return "connector and task statuses"
	}
	return "Connect internal state"
}

// EnsureTopic creates an internal topic if it is missing (a concurrent
// creation by another worker is fine) and checks an existing one as Kafka
// Connect does: its cleanup.policy must be exactly compact
// (TopicAdmin.verifyTopicCleanupPolicyOnlyCompact) and, with
// SinglePartition, it must have one partition (KafkaConfigBackingStore.start).
// It returns once the topic's partitions all have a leader.
func EnsureTopic(ctx context.Context, admin sarama.ClusterAdmin, spec TopicSpec) error {
	if spec.Name == "" {
		return fmt.Errorf("internal topic named by %s: empty name", spec.ConfigKey)
	}
	configs := make(map[string]*string, len(spec.Configs)+1)
	for k, v := range spec.Configs {
		configs[k] = &v
	}
	// TopicAdmin.NewTopicBuilder: config(topicSettings) first, then
	// compacted(), so a user-supplied cleanup.policy is overridden.
	compact := "compact"
	configs["cleanup.policy"] = &compact
	partitions := spec.Partitions
	if spec.SinglePartition {
		partitions = 1 // KafkaConfigBackingStore: .partitions(1)
	}
	if partitions == 0 {
		partitions = -1
	}
	rf := spec.ReplicationFactor
	if rf == 0 {
		rf = -1
	}
	err := admin.CreateTopic(spec.Name, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: rf,
		ConfigEntries: configs}, false)
	created := err == nil
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("create topic %s (%s) with %d partitions, replication factor %d: %w",
			spec.Name, spec.ConfigKey, partitions, rf, err)
	}
	if !created {
		if err := verifyCompactOnly(admin, spec); err != nil {
			return err
		}
	}
	n, err := waitForLeaders(ctx, admin, spec.Name)
	if err != nil {
		return err
	}
	if spec.SinglePartition && n > 1 {
		return fmt.Errorf("Topic '%s' supplied via the '%s' property is required "+
			"to have a single partition in order to guarantee consistency of "+
			"connector configurations, but found %d partitions.", spec.Name, spec.ConfigKey, n)
	}
	return nil
}

// verifyCompactOnly is TopicAdmin.verifyTopicCleanupPolicyOnlyCompact, with
// its message. A policy that cannot be read (no DescribeConfigs permission)
// is not an error, as in Kafka Connect.
func verifyCompactOnly(admin sarama.ClusterAdmin, spec TopicSpec) error {
	entries, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: spec.Name,
		ConfigNames: []string{"cleanup.policy"}})
	if err != nil {
		if errors.Is(err, sarama.ErrTopicAuthorizationFailed) || errors.Is(err, sarama.ErrClusterAuthorizationFailed) {
			return nil
		}
		return fmt.Errorf("describe cleanup.policy of topic %s (%s): %w", spec.Name, spec.ConfigKey, err)
	}
	policies := map[string]bool{}
	for _, e := range entries {
		if e.Name != "cleanup.policy" {
			continue
		}
		for _, p := range strings.Split(e.Value, ",") {
			if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
				policies[p] = true
			}
		}
	}
	if len(policies) == 0 {
		return nil
	}
	if len(policies) == 1 && policies["compact"] {
		return nil
	}
	// Java joins a HashSet; for the two policies Kafka knows, its iteration
	// order ("compact" before "delete") is the sorted order.
	found := strings.Join(slices.Sorted(maps.Keys(policies)), ",")
	purpose := topicPurpose(spec.ConfigKey)
	return fmt.Errorf("Topic '%s' supplied via the '%s' property is required "+
		"to have '%s=%s' to guarantee consistency and durability of "+
		"%s, but found the topic currently has '%s=%s'. Continuing would likely "+
		"result in eventually losing %s and problems restarting this Connect "+
		"cluster in the future. Change the '%s' property in the "+
		"Connect worker configurations to use a topic with '%s=%s'.",
		spec.Name, spec.ConfigKey, "cleanup.policy", "compact", purpose, "cleanup.policy", found, purpose,
		spec.ConfigKey, "cleanup.policy", "compact")
}

// waitForLeaders waits until the topic's metadata lists partitions that
// all have a leader, and returns their number.
func waitForLeaders(ctx context.Context, admin sarama.ClusterAdmin, topic string) (int, error) {
	var last error
	for {
		md, err := admin.DescribeTopics([]string{topic})
		switch {
		case err != nil:
			last = err
		case len(md) != 1:
			last = fmt.Errorf("metadata for %d topics", len(md))
		case !errors.Is(md[0].Err, sarama.ErrNoError):
			last = md[0].Err
		case len(md[0].Partitions) == 0:
			last = errors.New("no partitions yet")
		default:
			last = nil
			for _, p := range md[0].Partitions {
				if p.Leader < 0 || !errors.Is(p.Err, sarama.ErrNoError) {
					last = fmt.Errorf("partition %d has no leader", p.ID)
					break
				}
			}
			if last == nil {
				return len(md[0].Partitions), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for topic %s to be ready: %w (last: %v)", topic, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
