package connectors

import (
	"context"
	"log/slog"
)

// SourceTask reads records from an external system.
//
// Concurrency: the runtime calls Start, then Poll in a loop, then Stop, all
// from one goroutine (the task's), never two of them at once; Stop only
// once the last Poll has returned. Committer.Commit runs on that goroutine
// too, between two Polls. RecordCommitter.CommitRecord is the exception: it
// runs on another goroutine (the one that receives Kafka's
// acknowledgements), concurrently with Poll and Commit, so what it shares
// with them needs a lock. The SourceTaskContext may be used from any
// goroutine the task starts.
type SourceTask interface {
	// Start starts the task with its task configuration. tc stays valid
	// until Stop returns.
	Start(ctx context.Context, tc SourceTaskContext, props map[string]string) error
	// Poll returns the next records, or none. It should return within a
	// second or so when there is no data, and at once when ctx is done, so
	// that pause and shutdown take effect; records returned along with the
	// shutdown are still sent. ctx also has a deadline, the next offset
	// flush (offset.flush.interval.ms): an error that is only that deadline
	// passing (context.DeadlineExceeded), such as an offset read that ran
	// into it while the offsets topic catches up, does not fail the task;
	// Poll is called again after the flush, and what it returned is sent.
	//
	// The runtime owns the records, their SourcePartition and SourceOffset
	// maps once Poll returns them: the task must not change them (it may
	// reuse one partition map for many records, unchanged). An error
	// wrapped with Retriable makes the runtime drop what Poll returned and
	// call Poll again after a backoff (100 ms, doubling up to 10 s, reset
	// by a successful Poll; a pause or stop does not wait for it); any other
	// error fails the task.
	Poll(ctx context.Context) ([]SourceRecord, error)
	// Stop releases the task's resources. It is called once, after the
	// last Poll returned and the last CommitRecord call ended; none of the
	// task's methods is called after it.
	Stop(ctx context.Context) error
}

// Committer is implemented by a source task that wants to know when the
// runtime has durably stored the offsets of the records it produced.
type Committer interface {
	// Commit is called after each successful offset flush, on the task's
	// goroutine between two Polls (and once after the last Poll). An error
	// is logged; it does not fail the task.
	Commit(ctx context.Context) error
}

// RecordCommitter is implemented by a source task that wants to know when
// each of its records was acknowledged by Kafka.
type RecordCommitter interface {
	// CommitRecord is called once per record after Kafka acknowledged it;
	// md is nil when a transformation dropped the record or it was skipped
	// with errors.tolerance=all. rec is the record Poll returned.
	//
	// It runs concurrently with Poll and Commit: mostly on the goroutine
	// that receives Kafka's acknowledgements, for a dropped record on the
	// task's goroutine while it hands over the records of a Poll. Calls
	// never overlap each other, and none is made once Stop is called. It
	// must return quickly (acknowledgements wait for it); an error is
	// logged and does not fail the task.
	CommitRecord(rec *SourceRecord, md *RecordMetadata) error
}

// SourceTaskContext is how a source task talks to the runtime. Its methods
// may be called from any goroutine, from Start until Stop returns.
type SourceTaskContext interface {
	// Offsets reads the offsets that were committed for this connector.
	Offsets() OffsetReader
	// Logger returns the task's logger: named after the task's class (the
	// connector's class followed by "Task"), naming the task in every line.
	// Never nil.
	Logger() *slog.Logger
}

// OffsetReader reads committed source offsets. It is safe for concurrent
// use.
//
// Offsets come back with the types they have after a round trip through
// JSON, the same before and after a worker restart: every integer type a
// task stored (int, int32, uint16...) as int64, float32 and float64 as
// float64, strings, booleans and nil as they are. A task that stored
// {"n": 5} (an int) reads {"n": int64(5)}; assert int64, never int.
// Partitions are compared by content with the same rule, so a partition
// looked up with int32(1) finds the one stored with int64(1).
type OffsetReader interface {
	// Offset returns the last committed offset of a source partition, or
	// nil when there is none. The map returned is the caller's own.
	Offset(ctx context.Context, partition map[string]any) (map[string]any, error)
}
