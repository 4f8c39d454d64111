package runtime

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"golang.org/x/sync/semaphore"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas/simple"
)

// stuckProducer never takes a message; asking for its input channel makes
// the task fail, as if an earlier record had just been rejected by Kafka.
type stuckProducer struct {
	sarama.AsyncProducer
	onInput func()
	input   chan *sarama.ProducerMessage
}

func (p *stuckProducer) Input() chan<- *sarama.ProducerMessage {
	p.onInput()
	return p.input
}

// TestSendAfterProducerFailure checks that a record that could not be handed
// to the producer because the producer failed is not left counted as in
// flight (shutdown would wait offset.flush.timeout.ms for it) and that no
// offset of its partition becomes committable.
func TestSendAfterProducerFailure(t *testing.T) {
	conv := simple.NewStringConverter()
	if err := conv.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	task := &sourceTask{conv: converters{key: conv, value: conv}, tracker: newSubmitted(), budget: semaphore.NewWeighted(budgetBytes)}
	task.failed, task.fail = context.WithCancelCause(context.Background())
	rejected := errors.New("broker says no")
	task.producer = &stuckProducer{onInput: func() { task.fail(rejected) }, input: make(chan *sarama.ProducerMessage)}

	part := map[string]any{"filename": "f"}
	err := task.send(context.Background(), []connectors.SourceRecord{{Record: connectors.Record{Topic: "t", Value: "v"}, SourcePartition: part, SourceOffset: map[string]any{"position": int64(2)}}})
	if !errors.Is(err, rejected) {
		t.Fatalf("send = %v, want the producer's failure", err)
	}
	if n := task.tracker.inFlight(); n != 0 {
		t.Fatalf("%d records counted in flight after a failed send", n)
	}
	if offs := task.tracker.committable(); len(offs) != 0 {
		t.Fatalf("offsets committable after a failed send: %v", offs)
	}
	if !task.budget.TryAcquire(budgetBytes) {
		t.Fatal("the failed record's bytes were not released from the budget")
	}
	if !strings.Contains(context.Cause(task.failed).Error(), "broker says no") {
		t.Fatal("cause lost")
	}
}
