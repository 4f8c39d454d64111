package kafka

import (
	"context"
	"fmt"

	"github.com/IBM/sarama"
)

// Producer is sarama's AsyncProducer on a WaitingClient: a broker outage,
// a leader election or a topic not yet visible hold its messages, in
// order, until Kafka takes them, instead of failing them.
type Producer struct {
	sarama.AsyncProducer
	client *WaitingClient
}

// NewProducer creates a producer for addrs with cfg. Creating an
// idempotent producer asks Kafka for a producer id; while Kafka cannot be
// reached NewProducer waits (telling watch, which may be nil) until it
// can, or until ctx ends.
func NewProducer(ctx context.Context, addrs []string, cfg *sarama.Config, watch *Watch) (*Producer, error) {
	client, err := NewWaitingClient(addrs, cfg, watch)
	if err != nil {
		return nil, fmt.Errorf("create producer for %v: %w", addrs, err)
	}
	var p sarama.AsyncProducer
	err = RetryWatched(ctx, watch, fmt.Sprintf("create producer for %v", addrs), func() (err error) {
		p, err = sarama.NewAsyncProducerFromClient(client)
		return client.SecurityFailure(err)
	})
	if err != nil {
		client.Abort()
		return nil, fmt.Errorf("create producer for %v: %w", addrs, err)
	}
	return &Producer{AsyncProducer: p, client: client}, nil
}

// Abort makes every message the producer still holds fail at once, and
// every request in flight fail rather than complete later: after Abort
// the producer writes nothing more. Messages already acknowledged are not
// affected. Close must still be called.
func (p *Producer) Abort() { p.client.Abort() }

// Broker returns a broker of the producer's client, connected (or
// connecting) with the producer's own settings, security included, for
// requests the producer itself would make, such as a topic's metadata.
func (p *Producer) Broker() (*sarama.Broker, error) {
	b := p.client.LeastLoadedBroker()
	if b == nil {
		return nil, sarama.ErrOutOfBrokers
	}
	return b, nil
}

// Release closes the producer's client. Call it after AsyncClose, once
// the Successes and Errors channels have closed (the producer is done).
func (p *Producer) Release() { _ = p.client.Close() }
