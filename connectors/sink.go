package connectors

import (
	"context"
	"log/slog"
	"time"
)

// SinkTask writes records consumed from Kafka to an external system. The
// runtime calls Start, Open when partitions are assigned, Put with batches of
// records, Flush before committing offsets, Close when partitions are
// revoked, and Stop at the end, all from one goroutine.
type SinkTask interface {
	// Start starts the task with its task configuration.
	Start(ctx context.Context, tc SinkTaskContext, props map[string]string) error
	// Open tells the task it now owns these partitions.
	Open(ctx context.Context, partitions []TopicPartition) error
	// Put delivers a batch of records. It may buffer them; Flush must then
	// make them durable.
	Put(ctx context.Context, records []SinkRecord) error
	// Flush makes durable every record put so far for the partitions in
	// offsets (offset = next offset to consume, as committed to Kafka).
	Flush(ctx context.Context, offsets map[TopicPartition]int64) error
	// Close tells the task it no longer owns these partitions.
	Close(ctx context.Context, partitions []TopicPartition) error
	// Stop releases the task's resources.
	Stop(ctx context.Context) error
}

// PreCommitter is implemented by a sink task that manages which offsets may
// be committed. Without it the runtime calls Flush and commits the current
// offsets. PreCommit returns the offsets safe to commit; an empty map skips
// the commit.
type PreCommitter interface {
	PreCommit(ctx context.Context, offsets map[TopicPartition]int64) (map[TopicPartition]int64, error)
}

// SinkTaskContext is how a sink task talks to the runtime.
type SinkTaskContext interface {
	// Offset asks the runtime to rewind or skip a partition to offset before
	// the next batch.
	Offset(tp TopicPartition, offset int64)
	// Timeout sets how long the runtime waits before retrying a Put that
	// returned a retriable error.
	Timeout(d time.Duration)
	// Assignment returns the partitions the task owns now.
	Assignment() []TopicPartition
	// Pause stops delivery from these partitions until Resume.
	Pause(tps ...TopicPartition)
	// Resume resumes delivery from paused partitions.
	Resume(tps ...TopicPartition)
	// RequestCommit asks for an offset commit as soon as possible.
	RequestCommit()
	// ErrantRecordReporter returns the reporter for records the task
	// cannot write (Kafka Connect's errantRecordReporter, KIP-610).
	ErrantRecordReporter() ErrantRecordReporter
	// Logger returns the task's logger: named after the task's class (the
	// connector's class followed by "Task"), naming the task in every line.
	// Never nil.
	Logger() *slog.Logger
}

// ErrantRecordReporter takes records a sink task could not write, so that
// the runtime handles them as the connector's errors.* settings say: logs
// them and writes the record, as consumed, to the dead letter queue.
type ErrantRecordReporter interface {
	// Report reports rec and why it failed. With errors.tolerance=all it
	// returns nil and the task goes on with the next record; otherwise it
	// returns an error that the task should return from Put, which fails
	// the task. Reported records reach the dead letter queue before the
	// offsets that cover them are committed. Report may be called from any
	// goroutine, until Put or Flush return.
	Report(rec *SinkRecord, err error) error
}
