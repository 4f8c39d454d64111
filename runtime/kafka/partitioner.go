package kafka

import (
	"fmt"

	"github.com/IBM/sarama"
)

// PartitionChooser is implemented by a ProducerMessage's Metadata that
// names the partition the message must go to: a source record whose
// connector set its Kafka partition (SourceRecord.kafkaPartition in Kafka
// Connect). sarama's partitioners ignore ProducerMessage.Partition and
// overwrite it with their own choice.
type PartitionChooser interface {
	// ChosenPartition returns the partition, and false when there is none
	// (the key's hash decides).
	ChosenPartition() (int32, bool)
}

// NewPartitioner returns the producers' partitioner: the partition a
// message's Metadata chooses (PartitionChooser), else the Java client's
// murmur2 hash of the key, or any writable partition for a null key.
func NewPartitioner(topic string) sarama.Partitioner {
	return &partitioner{hash: sarama.NewMurmur2Partitioner(topic).(sarama.DynamicConsistencyPartitioner)}
}

type partitioner struct {
	hash sarama.DynamicConsistencyPartitioner
}

func chosen(m *sarama.ProducerMessage) (int32, bool) {
	if c, ok := m.Metadata.(PartitionChooser); ok {
		return c.ChosenPartition()
	}
	return 0, false
}

// Partition returns the chosen partition, which must exist: Kafka's Java
// producer would wait (max.block.ms, unbounded in Kafka Connect) for the
// topic to grow that partition; here the record fails, in order.
func (p *partitioner) Partition(m *sarama.ProducerMessage, numPartitions int32) (int32, error) {
	if n, ok := chosen(m); ok {
		if n < 0 || n >= numPartitions {
			return -1, fmt.Errorf("the record is for partition %d of topic %s, which has %d partitions (0 to %d)",
				n, m.Topic, numPartitions, numPartitions-1)
		}
		return n, nil
	}
	return p.hash.Partition(m, numPartitions)
}

// RequiresConsistency: see MessageRequiresConsistency.
func (p *partitioner) RequiresConsistency() bool { return true }

// MessageRequiresConsistency makes sarama hand Partition every partition of
// the topic, in order of their ids, so that a partition's index is its id,
// unless the message has neither a chosen partition nor a key.
func (p *partitioner) MessageRequiresConsistency(m *sarama.ProducerMessage) bool {
	if _, ok := chosen(m); ok {
		return true
	}
	return p.hash.MessageRequiresConsistency(m)
}
