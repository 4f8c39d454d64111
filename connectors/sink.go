package connectors

import (
	"context"
	"log/slog"
	"time"
)

// SinkTask writes records consumed from Kafka to an external system. The
// runtime calls Start, Open when partitions are assigned, Put with batches of
// records, Flush (or PreCommit) before committing offsets, Close when
// partitions are revoked, and Stop at the end.
//
// Concurrency: all these methods are called from one goroutine (the
// task's), one at a time; Stop only after the last of the others returned.
// The SinkTaskContext and its ErrantRecordReporter may be used from any
// goroutine the task starts.
type SinkTask interface {
	// Start starts the task with its task configuration. tc stays valid
	// until Stop returns.
	Start(ctx context.Context, tc SinkTaskContext, props map[string]string) error
	// Open tells the task it now owns these partitions.
	Open(ctx context.Context, partitions []TopicPartition) error
	// Put delivers a batch of records. It may buffer them; Flush must then
	// make them durable. The records are the task's to keep, and to change
	// unless Put returns a retriable error: the same records, as the task
	// left them, are then put again.
	//
	// An error wrapped with Retriable makes the runtime put the same batch
	// again, before any later record, after a wait: the one set with
	// SinkTaskContext.Timeout, else a backoff of 100 ms doubling up to
	// 10 s, reset by a successful Put. A pause or a stop does not wait for
	// it (after a resume the batch is put again; a stopped task has not
	// put it, and its offsets are not committed; when its partitions are
	// revoked meanwhile, it is dropped uncommitted, for their next owner to
	// consume again). Any other error fails the task.
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
// the commit. It is called on the task's goroutine, as Flush is.
type PreCommitter interface {
	PreCommit(ctx context.Context, offsets map[TopicPartition]int64) (map[TopicPartition]int64, error)
}

// SinkTaskContext is how a sink task talks to the runtime. Its methods may
// be called from any goroutine, from Start until Stop returns.
type SinkTaskContext interface {
	// Offset asks the runtime to rewind or skip a partition to offset
	// after the current Put returns, before the next batch.
	Offset(tp TopicPartition, offset int64)
	// Timeout sets how long the runtime waits before putting again a batch
	// whose Put returned a retriable error, for this and every later one
	// (Kafka Connect's SinkTaskContext.timeout). Zero or less returns to
	// the runtime's backoff (100 ms doubling up to 10 s).
	Timeout(d time.Duration)
	// Assignment returns the partitions the task owns now.
	Assignment() []TopicPartition
	// Pause stops delivery from these partitions until Resume.
	Pause(tps ...TopicPartition)
	// Resume resumes delivery from paused partitions.
	Resume(tps ...TopicPartition)
	// RequestCommit asks for an offset commit (Flush or PreCommit, then
	// the commit) as soon as the current call returns.
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
	// offsets that cover them are committed: report a record before the
	// Put that received it returns, or before the Flush (PreCommit) that
	// covers it returns. Report may be called from any goroutine; calls
	// are made one at a time (a second waits for the first).
	Report(rec *SinkRecord, err error) error
}
