package connectors

import (
	"context"
	"log/slog"
)

// SourceTask reads records from an external system. The runtime calls Start,
// then Poll in a loop from one goroutine, then Stop once the last Poll has
// returned.
type SourceTask interface {
	// Start starts the task with its task configuration.
	Start(ctx context.Context, tc SourceTaskContext, props map[string]string) error
	// Poll returns the next records, or none. It should return within a
	// second or so when there is no data, and at once when ctx is done, so
	// that pause and shutdown take effect.
	Poll(ctx context.Context) ([]SourceRecord, error)
	// Stop releases the task's resources.
	Stop(ctx context.Context) error
}

// Committer is implemented by a source task that wants to know when the
// runtime has durably stored the offsets of the records it produced.
type Committer interface {
	// Commit is called after each successful offset flush.
	Commit(ctx context.Context) error
}

// RecordCommitter is implemented by a source task that wants to know when
// each of its records was acknowledged by Kafka.
type RecordCommitter interface {
	// CommitRecord is called once per record after Kafka acknowledged it;
	// md is nil when a transformation dropped the record or it was skipped
	// with errors.tolerance=all.
	CommitRecord(rec *SourceRecord, md *RecordMetadata) error
}

// SourceTaskContext is how a source task talks to the runtime.
type SourceTaskContext interface {
	// Offsets reads the offsets that were committed for this connector.
	Offsets() OffsetReader
	// Logger returns the task's logger: named after the task's class (the
	// connector's class followed by "Task"), naming the task in every line.
	// Never nil.
	Logger() *slog.Logger
}

// OffsetReader reads committed source offsets.
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
