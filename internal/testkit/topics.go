package testkit

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// ReadAllPartitions returns every record of every partition of a topic on
// the broker at bootstrap, up to the end offsets of the moment it is
// called: partition after partition, each in offset order. It fails the
// test when a partition is not read to its end within 30 s.
func ReadAllPartitions(t testing.TB, bootstrap, topic string) []*sarama.ConsumerMessage {
	t.Helper()
	c, err := sarama.NewClient(Addrs(bootstrap), SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	consumer, err := sarama.NewConsumerFromClient(c)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatalf("partitions of %s: %v", topic, err)
	}
	var out []*sarama.ConsumerMessage
	for _, p := range parts {
		end, err := c.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		start, err := c.GetOffset(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		if end <= start {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		timeout := time.After(30 * time.Second)
	read:
		for {
			select {
			case m := <-pc.Messages():
				out = append(out, m)
				if m.Offset >= end-1 {
					break read
				}
			case <-timeout:
				t.Fatalf("reading %s partition %d timed out", topic, p)
			}
		}
		pc.Close()
	}
	return out
}

// EndOffset returns the end offset (high watermark) of a partition of a
// topic on the broker at bootstrap.
func EndOffset(bootstrap, topic string, partition int32) (int64, error) {
	c, err := sarama.NewClient(Addrs(bootstrap), SaramaConfig())
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.GetOffset(topic, partition, sarama.OffsetNewest)
}

// GroupOffset returns the offset consumer group group has committed for a
// partition of topic on the broker at bootstrap, or -1 when it has
// committed none.
func GroupOffset(bootstrap, group, topic string, partition int32) (int64, error) {
	admin, err := sarama.NewClusterAdmin(Addrs(bootstrap), SaramaConfig())
	if err != nil {
		return 0, err
	}
	defer admin.Close()
	res, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {partition}})
	if err != nil {
		return 0, err
	}
	b := res.GetBlock(topic, partition)
	if b == nil {
		return -1, nil
	}
	if b.Err != sarama.ErrNoError {
		return 0, fmt.Errorf("offset of %s-%d for group %s: %w", topic, partition, group, b.Err)
	}
	return b.Offset, nil
}
