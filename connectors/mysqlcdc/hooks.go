package mysqlcdc

import (
	"context"
	"database/sql"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

// incrementalHooks is how the incremental snapshot engine
// (internal/incremental) sees the binlog stream: the task calls it on its
// reader goroutine, in binlog order. Task.incr is nil when
// no engine is set; everything works without one.
type incrementalHooks interface {
	// Start is called once before the stream starts, with the offset the
	// task resumes from (nil when there is none) and the means to read
	// chunks.
	Start(ctx context.Context, offset map[string]any, env incrementalEnv) error
	// Change is called for each row change of a captured table or of the
	// signal table (signal.data.collection), in binlog order. recs are the
	// records the change produced (none for a signal table that is not
	// captured); after is the row after the change (nil for a delete),
	// key the row's key struct (nil without a primary key). It returns the
	// records to queue in their place, which may add records (a chunk's
	// rows at the close watermark).
	Change(ctx context.Context, id tables.ID, op events.Op, key, after *schemas.Struct, recs []connectors.SourceRecord) ([]connectors.SourceRecord, error)
	// Offset adds the engine's state (incremental_snapshot_* keys) to the
	// offset map of a record being built; it must not keep m.
	Offset(m map[string]any)
	// Idle is called when no binlog event came for a while; it returns
	// records ready to queue, if any.
	Idle(ctx context.Context) ([]connectors.SourceRecord, error)
}

// incrementalEnv is what the task offers the engine.
type incrementalEnv interface {
	// Table returns the event builder of a captured table as of the
	// current binlog position, or nil when it is not captured.
	Table(id tables.ID) *events.Table
	// Partition is the offsets' partition, {"server": topic.prefix}.
	Partition() map[string]any
	// Offset returns the current position's offset, for records the
	// engine makes.
	Offset() map[string]any
	// DB is a connection pool to the server (chunk queries, watermarks).
	DB() *sql.DB
}
