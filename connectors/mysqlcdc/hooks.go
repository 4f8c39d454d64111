package mysqlcdc

import (
	"context"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/incremental"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

// incrementalHooks is how the incremental snapshot engine
// (internal/incremental) sees the binlog stream: the task calls it on its
// reader goroutine, in binlog order. incremental.Hooks implements it;
// Task.incr is nil without signal.data.collection (or with the source
// signal channel off).
type incrementalHooks interface {
	// Start is called once before the stream starts, with the stored offset
	// the task resumes from as the runtime gave it back (nil after a
	// snapshot or without one) and the means to read chunks.
	Start(ctx context.Context, offset map[string]any, env incremental.Env) error
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
