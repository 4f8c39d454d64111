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
type OffsetReader interface {
	// Offset returns the last committed offset of a source partition, or nil.
	Offset(ctx context.Context, partition map[string]any) (map[string]any, error)
}
