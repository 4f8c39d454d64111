package testkit

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestBrokerKillRestart proves the private broker helper: records acknowledged before a kill -9
// are there after the restart on the same log directory and address, and the broker takes new
// ones.
func TestBrokerKillRestart(t *testing.T) {
	b := StartBroker(t)
	topic := NewTopic(t, b.Addr(), 1)
	send := func(from, to int) {
		t.Helper()
		p, err := sarama.NewSyncProducer(Addrs(b.Addr()), SaramaConfig())
		if err != nil {
			t.Fatalf("producer: %v", err)
		}
		defer p.Close()
		for i := from; i < to; i++ {
			if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(fmt.Sprint(i))}); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
	}
	send(0, 5)
	b.Kill9()
	if b.Running() {
		t.Fatal("broker still running after Kill9")
	}
	b.Restart()
	send(5, 10)

	c, err := sarama.NewConsumer(Addrs(b.Addr()), SaramaConfig())
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatalf("consume: %v", err)
	}
	defer pc.Close()
	timeout := time.After(30 * time.Second)
	for i := 0; i < 10; i++ {
		select {
		case m := <-pc.Messages():
			if string(m.Value) != fmt.Sprint(i) {
				t.Fatalf("record at offset %d is %q, want %d", m.Offset, m.Value, i)
			}
		case err := <-pc.Errors():
			t.Fatalf("consume: %v", err)
		case <-timeout:
			t.Fatalf("read %d of 10 records after 30s", i)
		}
	}
}
