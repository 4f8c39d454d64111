package storage

import (
	"context"

	"github.com/sluicehq/sluice/runtime/kafka"
)

// TopicLog is a compacted Kafka topic read from its beginning, as Kafka
// Connect's KafkaBasedLog: every record read is handed, in partition order,
// to the callback the log was opened with. runtime/kafka.Log implements it
// against a broker; tests may use an in-memory one.
type TopicLog interface {
	// Start reads the topic to its end and then keeps tailing it.
	Start(ctx context.Context) error
	// ReadToEnd returns once every record written before the call has
	// been handed to the callback.
	ReadToEnd(ctx context.Context) error
	// Send writes records in order and returns once Kafka has acknowledged
	// all of them.
	Send(ctx context.Context, records ...kafka.LogRecord) error
	// Close stops tailing and releases the clients.
	Close() error
}
