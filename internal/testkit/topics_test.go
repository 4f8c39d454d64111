package testkit

import (
	"fmt"
	"testing"

	"github.com/IBM/sarama"
)

// TestReadAllPartitions: every record of every partition, partition by
// partition in offset order, up to the end offsets EndOffset reports; an
// empty partition is skipped.
func TestReadAllPartitions(t *testing.T) {
	bootstrap := Kafka(t)
	topic := NewTopic(t, bootstrap, 3)
	cfg := SaramaConfig()
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	producer, err := sarama.NewSyncProducer(Addrs(bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	sent := map[int32]int{0: 3, 2: 2} // partition 1 stays empty
	for p, n := range sent {
		for i := range n {
			msg := &sarama.ProducerMessage{Topic: topic, Partition: p, Value: sarama.StringEncoder(fmt.Sprintf("p%d-%d", p, i))}
			if _, _, err := producer.SendMessage(msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	for p := range int32(3) {
		end, err := EndOffset(bootstrap, topic, p)
		if err != nil || end != int64(sent[p]) {
			t.Fatalf("EndOffset of partition %d = %d, %v; want %d", p, end, err, sent[p])
		}
	}
	var got []string
	for _, m := range ReadAllPartitions(t, bootstrap, topic) {
		got = append(got, fmt.Sprintf("%d/%d=%s", m.Partition, m.Offset, m.Value))
	}
	want := []string{"0/0=p0-0", "0/1=p0-1", "0/2=p0-2", "2/0=p2-0", "2/1=p2-1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ReadAllPartitions = %v, want %v", got, want)
	}
}
