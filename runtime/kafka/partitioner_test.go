package kafka

import (
	"strings"
	"testing"

	"github.com/IBM/sarama"
)

type choice int32

func (c choice) ChosenPartition() (int32, bool) { return int32(c), c >= 0 }

// TestPartitioner: a chosen partition wins over the key's hash and makes
// sarama hand over every partition; without one, the key's murmur2 hash
// decides, as in Kafka's Java client; a partition the topic does not have
// is an error naming it.
func TestPartitioner(t *testing.T) {
	p := NewPartitioner("t").(sarama.DynamicConsistencyPartitioner)
	murmur := sarama.NewMurmur2Partitioner("t")
	key := sarama.StringEncoder("some key")
	for _, c := range []struct {
		name        string
		msg         *sarama.ProducerMessage
		want        int32
		consistency bool
		err         string
	}{
		{"chosen, with a key", &sarama.ProducerMessage{Topic: "t", Key: key, Metadata: choice(4)}, 4, true, ""},
		{"chosen, no key", &sarama.ProducerMessage{Topic: "t", Metadata: choice(0)}, 0, true, ""},
		{"chosen partition missing", &sarama.ProducerMessage{Topic: "t", Metadata: choice(6)}, -1, true,
			"the record is for partition 6 of topic t, which has 6 partitions (0 to 5)"},
		{"not chosen: the key's hash", &sarama.ProducerMessage{Topic: "t", Key: key, Metadata: choice(-1)}, -2, true, ""},
		{"no metadata: the key's hash", &sarama.ProducerMessage{Topic: "t", Key: key}, -2, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			if want == -2 {
				var err error
				if want, err = murmur.Partition(c.msg, 6); err != nil {
					t.Fatal(err)
				}
			}
			got, err := p.Partition(c.msg, 6)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("Partition = %d, %v; want the error %q", got, err, c.err)
				}
			} else if err != nil || got != want {
				t.Fatalf("Partition = %d, %v; want %d", got, err, want)
			}
			if got := p.MessageRequiresConsistency(c.msg); got != c.consistency {
				t.Fatalf("MessageRequiresConsistency = %v, want %v", got, c.consistency)
			}
		})
	}
	if p.MessageRequiresConsistency(&sarama.ProducerMessage{Topic: "t"}) {
		t.Fatal("a message with neither a chosen partition nor a key needs every partition; any writable one does")
	}
}
