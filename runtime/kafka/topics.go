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

// topicTimeout bounds how long EnsureTopic waits out retriable errors, as
// Kafka Connect's TopicAdmin.createTopicsWithRetry does with the admin
// client's default.api.timeout.ms.
const topicTimeout = 60 * time.Second

// EnsureTopic creates an internal topic if it is missing (a concurrent
// creation by another worker is fine) and checks an existing one as Kafka
// Connect does: its cleanup.policy must be exactly compact
// (TopicAdmin.verifyTopicCleanupPolicyOnlyCompact) and, with
// SinglePartition, it must have one partition (KafkaConfigBackingStore.start).
// It returns once the topic's partitions all have a leader.
//
// Kafka's metadata lags behind a creation: a topic another worker has just
// created (CreateTopics answers TOPIC_ALREADY_EXISTS) may still be unknown
// to the broker that answers DescribeConfigs or Metadata. EnsureTopic waits
// such errors out, and any other retriable one (no broker reachable, not
// the controller, replication factor larger than the brokers up, as
// createTopicsWithRetry does), with a backoff, for up to a minute or until
// ctx ends; it then fails naming the topic and the worker key, wrapping
// the last error (still retriable for Retriable, so that a starting worker
// can go on trying).
func EnsureTopic(ctx context.Context, admin sarama.ClusterAdmin, spec TopicSpec) error {
	if spec.Name == "" {
		return fmt.Errorf("internal topic named by %s: empty name", spec.ConfigKey)
	}
	ctx, cancel := context.WithTimeout(ctx, topicTimeout)
	defer cancel()
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
	var created bool
	err := waitTopic(ctx, func() error {
		err := admin.CreateTopic(spec.Name, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: rf,
			ConfigEntries: configs}, false)
		switch {
		case err == nil:
			created = true
			return nil
		case errors.Is(err, sarama.ErrTopicAlreadyExists):
			return nil
		case errors.Is(err, sarama.ErrInvalidReplicationFactor):
			// Brokers may still be starting (createTopicsWithRetry).
			return retriableTopicError{err}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create topic %s (%s) with %d partitions, replication factor %d: %w",
			spec.Name, spec.ConfigKey, partitions, rf, err)
	}
	if !created {
		if err := verifyCompactOnly(ctx, admin, spec); err != nil {
			return err
		}
	}
	n, err := waitForLeaders(ctx, admin, spec)
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

// retriableTopicError marks an error EnsureTopic waits out, and Retriable
// counts retriable, though its Kafka error code is not retriable in
// general.
type retriableTopicError struct{ err error }

func (e retriableTopicError) Error() string { return e.err.Error() }
func (e retriableTopicError) Unwrap() error { return e.err }

// waitTopic calls f until it succeeds, fails with an error that is not
// retriable, or ctx ends, with a backoff between attempts. On ctx's end
// it returns the last error.
func waitTopic(ctx context.Context, f func() error) error {
	began := time.Now()
	var backoff time.Duration
	for {
		err := f()
		if err == nil || !Retriable(err) {
			return err
		}
		backoff = nextBackoff(backoff, retryBackoffMin, retryBackoffMax)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			// Not wrapping ctx's error keeps err's retriability.
			return fmt.Errorf("still failing after %v (%v): %w", time.Since(began).Round(time.Millisecond), ctx.Err(), err)
		case <-t.C:
		}
	}
}

// DescribeTopicConfig returns the configuration entries of topic, only
// those named when names are given. It is sarama's deprecated
// ClusterAdmin.DescribeConfig written over DescribeConfigs, with the same
// results and errors: a topic the broker fails to describe is a
// *sarama.DescribeConfigError wrapping the broker's error code.
func DescribeTopicConfig(admin sarama.ClusterAdmin, topic string, names ...string) ([]sarama.ConfigEntry, error) {
	results, err := admin.DescribeConfigs([]*sarama.ConfigResource{{Type: sarama.TopicResource, Name: topic, ConfigNames: names}},
		sarama.DescribeConfigsOptions{})
	if err != nil {
		return nil, err
	}
	var entries []sarama.ConfigEntry
	for _, r := range results {
		if r.Name != topic {
			continue
		}
		if r.ErrorCode != sarama.ErrNoError {
			return nil, &sarama.DescribeConfigError{Err: r.ErrorCode, ErrMsg: r.ErrorMsg}
		}
		entries = append(entries, r.Configs...)
	}
	return entries, nil
}

// verifyCompactOnly is TopicAdmin.verifyTopicCleanupPolicyOnlyCompact, with
// its message. A policy that cannot be read (no DescribeConfigs permission)
// is not an error, as in Kafka Connect; a topic the broker does not know
// yet is waited for (Kafka Connect skips the check then).
func verifyCompactOnly(ctx context.Context, admin sarama.ClusterAdmin, spec TopicSpec) error {
	var entries []sarama.ConfigEntry
	err := waitTopic(ctx, func() error {
		var err error
		entries, err = DescribeTopicConfig(admin, spec.Name, "cleanup.policy")
		return err
	})
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
func waitForLeaders(ctx context.Context, admin sarama.ClusterAdmin, spec TopicSpec) (int, error) {
	var n int
	err := waitTopic(ctx, func() error {
		md, err := admin.DescribeTopics([]string{spec.Name})
		switch {
		case err != nil:
			return err
		case len(md) != 1:
			return fmt.Errorf("metadata for %d topics: %w", len(md), sarama.ErrUnknownTopicOrPartition)
		case !errors.Is(md[0].Err, sarama.ErrNoError):
			return md[0].Err
		case len(md[0].Partitions) == 0:
			return fmt.Errorf("no partitions yet: %w", sarama.ErrUnknownTopicOrPartition)
		}
		for _, p := range md[0].Partitions {
			if p.Leader < 0 || !errors.Is(p.Err, sarama.ErrNoError) {
				cause := p.Err
				if errors.Is(cause, sarama.ErrNoError) {
					cause = sarama.ErrLeaderNotAvailable
				}
				return fmt.Errorf("partition %d: %w", p.ID, cause)
			}
		}
		n = len(md[0].Partitions)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("wait for the partitions of topic %s (%s) to have a leader: %w", spec.Name, spec.ConfigKey, err)
	}
	return n, nil
}
