package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
)

// A sink connector's offsets are the committed offsets of its consumer
// group (KIP-875): connect-<name>, or consumer.override.group.id. The
// functions below read and change them with the admin API, as Kafka
// Connect's Worker does. sarama's admin calls take no context: ctx is
// checked before each call, and each call is bounded by the admin client's
// own timeouts.

// ErrGroupActive is matched (errors.Is) by the error returned when a sink
// connector's consumer group still has members, so that its offsets cannot
// be changed: its tasks have not stopped yet, or zombie tasks linger.
var ErrGroupActive = errors.New("consumer group has active members")

// GroupOffsets returns every committed offset of a consumer group in the
// offsets REST API's form for sink connectors,
// {"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":5}},
// sorted by topic, then partition. A group that does not exist, or has no
// committed offsets, gives an empty list.
func GroupOffsets(ctx context.Context, admin sarama.ClusterAdmin, group string) ([]SinkOffset, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := []SinkOffset{}
	resp, err := admin.ListConsumerGroupOffsets(group, nil) // nil: every partition with a committed offset
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list committed offsets of consumer group %s: %w", group, err)
	}
	blocks := resp.Blocks
	if resp.Version >= 8 { // answers per group from version 8 on
		blocks = nil
		if g := resp.GetGroup(group); g != nil {
			if g.Err != sarama.ErrNoError && g.Err != sarama.ErrGroupIDNotFound {
				return nil, fmt.Errorf("list committed offsets of consumer group %s: %w", group, g.Err)
			}
			blocks = g.Blocks
		}
	}
	for topic, parts := range blocks {
		for partition, b := range parts {
			if b == nil {
				continue
			}
			if b.Err != sarama.ErrNoError {
				return nil, fmt.Errorf("list committed offsets of consumer group %s: topic %s partition %d: %w", group, topic, partition, b.Err)
			}
			if b.Offset < 0 { // -1: nothing committed
				continue
			}
			out = append(out, SinkOffset{
				Partition: map[string]any{KafkaTopicKey: topic, KafkaPartitionKey: partition},
				Offset:    map[string]any{KafkaOffsetKey: b.Offset},
			})
		}
	}
	slices.SortFunc(out, func(a, b SinkOffset) int {
		return cmp.Or(
			cmp.Compare(a.Partition[KafkaTopicKey].(string), b.Partition[KafkaTopicKey].(string)),
			cmp.Compare(a.Partition[KafkaPartitionKey].(int32), b.Partition[KafkaPartitionKey].(int32)))
	})
	return out, nil
}

// AlterGroupOffsets writes a sink connector's offsets, given in the offsets
// REST API's form (see ParseSinkOffsets, whose errors it returns), to its
// consumer group: offsets are committed, a null offset deletes that
// partition's committed offset. connector names the connector in messages.
//
// The group must have no members. If it has, the error carries Kafka
// Connect's message about tasks not stopped or zombie sink tasks and
// matches ErrGroupActive; the broker's refusal (a member joined after the
// check) gives the same error. Deleting the offset of a group that does not
// exist succeeds (Kafka Connect fails).
func AlterGroupOffsets(ctx context.Context, admin sarama.ClusterAdmin, connector, group string, offsets []SinkOffset) error {
	parsed, err := ParseSinkOffsets(offsets)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkPartitions(admin, connector, slices.Collect(maps.Keys(parsed))); err != nil {
		return err
	}
	if err := checkGroupIdle(admin, connector, group, "alter"); err != nil {
		return err
	}
	commit := map[string]map[int32]sarama.OffsetAndMetadata{}
	var deletes []connectors.TopicPartition
	for tp, off := range parsed {
		if off == nil {
			deletes = append(deletes, tp)
			continue
		}
		if commit[tp.Topic] == nil {
			commit[tp.Topic] = map[int32]sarama.OffsetAndMetadata{}
		}
		// LeaderEpoch -1: none, as Kafka's OffsetAndMetadata(offset).
		commit[tp.Topic][tp.Partition] = sarama.OffsetAndMetadata{Offset: *off, LeaderEpoch: -1}
	}
	if len(commit) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		resp, err := admin.AlterConsumerGroupOffsets(group, commit, nil)
		if err := commitError(connector, resp, err); err != nil {
			return err
		}
	}
	slices.SortFunc(deletes, compareTopicPartitions)
	for _, tp := range deletes {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := admin.DeleteConsumerGroupOffset(group, tp.Topic, tp.Partition)
		if err := deleteOffsetError(connector, tp, err); err != nil {
			return err
		}
	}
	return nil
}

// ResetGroupOffsets deletes a sink connector's consumer group and with it
// every committed offset. A group that does not exist is not an error; a
// group with members is, with Kafka Connect's message (matching
// ErrGroupActive).
func ResetGroupOffsets(ctx context.Context, admin sarama.ClusterAdmin, connector, group string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := admin.DeleteConsumerGroup(group)
	switch {
	case err == nil, errors.Is(err, sarama.ErrGroupIDNotFound):
		// Reset is idempotent: an earlier reset may have deleted the group.
		return nil
	case errors.Is(err, sarama.ErrNonEmptyGroup):
		return groupActive("reset", connector, err)
	}
	return fmt.Errorf("Failed to reset consumer group offsets for sink connector %s: %w", connector, err)
}

// checkPartitions refuses, with a RequestError (a 400) naming it, an
// offset for a topic or a partition that does not exist (or a topic name
// Kafka would refuse): Kafka Connect passes them to the broker and answers
// its refusal with a 500.
func checkPartitions(admin sarama.ClusterAdmin, connector string, tps []connectors.TopicPartition) error {
	slices.SortFunc(tps, compareTopicPartitions)
	var topics []string
	for _, tp := range tps {
		if len(topics) > 0 && topics[len(topics)-1] == tp.Topic {
			continue
		}
		if err := config.CheckTopicName(tp.Topic); err != nil {
			return badRequest("Failed to alter consumer group offsets for connector %s: %v", connector, err)
		}
		topics = append(topics, tp.Topic)
	}
	metas, err := admin.DescribeTopics(topics)
	if err != nil {
		return fmt.Errorf("Failed to alter consumer group offsets for connector %s: describe topics %v: %w", connector, topics, err)
	}
	partitions := map[string][]int32{}
	for _, m := range metas {
		if m == nil {
			continue
		}
		switch m.Err {
		case sarama.ErrNoError:
		case sarama.ErrUnknownTopicOrPartition:
			continue
		default:
			return fmt.Errorf("Failed to alter consumer group offsets for connector %s: describe topic %s: %w", connector, m.Name, m.Err)
		}
		ids := make([]int32, 0, len(m.Partitions))
		for _, p := range m.Partitions {
			ids = append(ids, p.ID)
		}
		partitions[m.Name] = ids
	}
	for _, tp := range tps {
		ids, ok := partitions[tp.Topic]
		switch {
		case !ok:
			return badRequest("Failed to alter consumer group offsets for connector %s: topic '%s' does not exist", connector, tp.Topic)
		case !slices.Contains(ids, tp.Partition):
			return badRequest("Failed to alter consumer group offsets for connector %s: topic '%s' has no partition %d (it has %d partitions, numbered from 0)",
				connector, tp.Topic, tp.Partition, len(ids))
		}
	}
	return nil
}

// checkGroupIdle fails if the group has members: a commit by the admin
// client is refused then anyway, but a deletion of offsets of topics the
// members are not subscribed to would go through, and a partial change is
// worse than none.
func checkGroupIdle(admin sarama.ClusterAdmin, connector, group, op string) error {
	descs, err := admin.DescribeConsumerGroups([]string{group})
	if err != nil {
		return fmt.Errorf("Failed to %s consumer group offsets for connector %s: describe consumer group %s: %w", op, connector, group, err)
	}
	for _, d := range descs {
		if d == nil || d.GroupId != group {
			continue
		}
		switch {
		case d.Err == sarama.ErrGroupIDNotFound:
			continue
		case d.Err != sarama.ErrNoError:
			return fmt.Errorf("Failed to %s consumer group offsets for connector %s: describe consumer group %s: %w", op, connector, group, d.Err)
		case len(d.Members) > 0 || (d.State != "Empty" && d.State != "Dead"):
			return groupActive(op, connector, nil)
		}
	}
	return nil
}

// commitError turns the outcome of an admin offset commit into an error;
// sarama returns per-partition errors inside the response, not as err.
func commitError(connector string, resp *sarama.OffsetCommitResponse, err error) error {
	if err != nil {
		if isMembershipError(err) {
			return groupActive("alter", connector, err)
		}
		return fmt.Errorf("Failed to alter consumer group offsets for connector %s: %w", connector, err)
	}
	if resp == nil {
		return fmt.Errorf("Failed to alter consumer group offsets for connector %s: no response", connector)
	}
	var failed []connectors.TopicPartition
	for topic, parts := range resp.Errors {
		for partition, kerr := range parts {
			if kerr != sarama.ErrNoError {
				failed = append(failed, connectors.TopicPartition{Topic: topic, Partition: partition})
			}
		}
	}
	if len(failed) == 0 {
		return nil
	}
	slices.SortFunc(failed, compareTopicPartitions)
	for _, tp := range failed {
		if kerr := resp.Errors[tp.Topic][tp.Partition]; isMembershipError(kerr) {
			return groupActive("alter", connector, kerr)
		}
	}
	tp := failed[0]
	kerr := resp.Errors[tp.Topic][tp.Partition]
	if kerr == sarama.ErrUnknownTopicOrPartition {
		// Deleted since checkPartitions looked.
		return badRequest("Failed to alter consumer group offsets for connector %s: topic '%s' partition %d does not exist", connector, tp.Topic, tp.Partition)
	}
	return fmt.Errorf("Failed to alter consumer group offsets for connector %s: topic %s partition %d: %w",
		connector, tp.Topic, tp.Partition, kerr)
}

// deleteOffsetError turns the outcome of deleting one committed offset
// into an error.
func deleteOffsetError(connector string, tp connectors.TopicPartition, err error) error {
	switch {
	case err == nil, errors.Is(err, sarama.ErrGroupIDNotFound):
		return nil
	case errors.Is(err, sarama.ErrGroupSubscribedToTopic), isMembershipError(err):
		return groupActive("alter", connector, err)
	case errors.Is(err, sarama.ErrUnknownTopicOrPartition):
		// Deleted since checkPartitions looked.
		return badRequest("Failed to alter consumer group offsets for connector %s: topic '%s' partition %d does not exist", connector, tp.Topic, tp.Partition)
	}
	return fmt.Errorf("Failed to alter consumer group offsets for connector %s: delete offset of topic %s partition %d: %w",
		connector, tp.Topic, tp.Partition, err)
}

// isMembershipError reports the broker's refusal of a commit from outside
// the group: Kafka answers UNKNOWN_MEMBER_ID to a commit without a member
// id while the group has members.
func isMembershipError(err error) bool {
	return errors.Is(err, sarama.ErrUnknownMemberId) || errors.Is(err, sarama.ErrIllegalGeneration)
}

// groupActiveError carries Kafka Connect's message alone, as its REST
// answer does, and unwraps to ErrGroupActive and the broker's error.
type groupActiveError struct {
	msg  string
	errs []error
}

func (e *groupActiveError) Error() string   { return e.msg }
func (e *groupActiveError) Unwrap() []error { return e.errs }

// groupActive returns the error of Kafka Connect's Worker for an alter or
// reset of a sink connector's offsets refused because of group members.
func groupActive(op, connector string, cause error) error {
	errs := []error{ErrGroupActive}
	if cause != nil {
		errs = append(errs, cause)
	}
	return &groupActiveError{
		msg: "Failed to " + op + " consumer group offsets for connector " + connector + " either because its tasks " +
			"haven't stopped completely yet or the connector was resumed before the request to " + op + " its offsets could be successfully " +
			"completed. If the connector is in a stopped state, this operation can be safely retried. If it doesn't eventually succeed, the " +
			"Connect cluster may need to be restarted to get rid of the zombie sink tasks.",
		errs: errs,
	}
}

func compareTopicPartitions(a, b connectors.TopicPartition) int {
	return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
}
