package incremental

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

// Env is what the task offers the hooks.
type Env interface {
	// Table returns the event builder of a captured table as of the
	// current binlog position, or nil when it is not captured.
	Table(id tables.ID) *events.Table
	// Partition is the offsets' partition, {"server": topic.prefix}.
	Partition() map[string]any
	// Offset returns the current position's offset (with the snapshot's
	// keys, which the records made here replace).
	Offset() map[string]any
	// DB is a connection pool to the server (session time_zone '+00:00', as
	// events.Table.RowFromSQL wants).
	DB() *sql.DB
}

// Hooks runs incremental snapshots on the task's stream: the task calls
// Start once, then Change for every row change of a captured table or of
// the signal table, in binlog order, and Offset for every offset it makes.
type Hooks struct {
	cfg Config
	log *slog.Logger
	ev  *events.Events
	env Env
	eng *Engine[incrRow]
	// readWith is the event builder the last chunk was converted with: the
	// task makes a new one after any DDL of the table, TRUNCATE included.
	readWith *events.Table
	// kafka is the kafka signal channel, nil when not enabled.
	kafka *kafkaChannel
}

// incrRow is a chunk row converted with the table's event builder when the
// chunk was read.
type incrRow struct {
	et         *events.Table
	key, value *schemas.Struct
}

// NewHooks returns the hooks for signal.data.collection's table (a
// "db.table" name) and the connector's properties (the keys of Keys), or
// nil when the source signal channel is not enabled: then, as in Debezium,
// rows of the signal table are not acted on. ev builds the snapshot
// reads' source blocks.
func NewHooks(signalTable string, props map[string]string, ev *events.Events, log *slog.Logger) (*Hooks, error) {
	id, err := ParseTableID(signalTable)
	if err != nil {
		return nil, fmt.Errorf("signal.data.collection: %w", err)
	}
	s, err := ParseSettings(props)
	if err != nil {
		return nil, err
	}
	if len(s.Ignored) > 0 {
		log.Warn("signal channels sluice does not implement are ignored", "key", EnabledChannelsKey, "channels", s.Ignored)
	}
	if !s.SourceChannel {
		log.Warn("the source signal channel is not enabled: rows of the signal table are not acted on, and no incremental snapshot runs",
			"key", EnabledChannelsKey, "signal_table", id.String())
		return nil, nil
	}
	h := &Hooks{cfg: Config{SignalTable: id, ChunkSize: s.ChunkSize, Logger: log}, log: log, ev: ev}
	if s.Kafka != nil {
		h.kafka = newKafkaChannel(s.Kafka, log)
	}
	return h, nil
}

// Start restores a running snapshot from the stored offset (the raw map
// the runtime gave back, with its incremental_snapshot_* keys) and reads
// its next chunk.
func (a *Hooks) Start(ctx context.Context, offset map[string]any, env Env) error {
	a.env = env
	db := &SQL[incrRow]{DB: env.DB(), SignalTable: a.cfg.SignalTable, Convert: a.convert}
	a.eng = New[incrRow](a.cfg, incrSchema{a}, db)
	if a.kafka != nil {
		// ctx is the reader's: it ends when the task stops
		go a.kafka.run(ctx)
	}
	if err := a.eng.Restore(offset); err != nil {
		// The stream's position is still good: go on without the
		// snapshot rather than fail the task.
		a.log.Warn("the incremental snapshot in the stored offset cannot be resumed and is dropped: send execute-snapshot again", "error", err)
		a.eng = New[incrRow](a.cfg, incrSchema{a}, db)
	}
	return a.eng.Start(ctx)
}

func (a *Hooks) convert(t *tables.Table, row []sql.RawBytes) (incrRow, string, error) {
	et := a.env.Table(t.ID)
	if et == nil {
		return incrRow{}, "", fmt.Errorf("table %s is not captured", t.ID)
	}
	a.readWith = et
	key, value, err := et.RowFromSQL(row)
	if err != nil {
		return incrRow{}, "", err
	}
	return incrRow{et: et, key: key, value: value}, keyString(key), nil
}

// Change feeds the engine: a change of a captured table drops its keys from
// the window; an insert into the signal table is a signal, and the rows of
// a window it closes come before its own records.
func (a *Hooks) Change(ctx context.Context, id tables.ID, op events.Op, key, after *schemas.Struct, recs []connectors.SourceRecord) ([]connectors.SourceRecord, error) {
	if a.eng == nil {
		return recs, nil
	}
	if a.kafka != nil && len(a.kafka.signals) > 0 {
		// signals of the kafka channel act at this point of the stream
		ext, err := a.external(ctx)
		if err != nil {
			return nil, err
		}
		out, err := a.change(ctx, id, op, key, after, recs)
		return append(ext, out...), err
	}
	return a.change(ctx, id, op, key, after, recs)
}

func (a *Hooks) change(ctx context.Context, id tables.ID, op events.Op, key, after *schemas.Struct, recs []connectors.SourceRecord) ([]connectors.SourceRecord, error) {
	if err := a.checkSchema(ctx, id); err != nil {
		return nil, err
	}
	if !a.eng.IsSignalTable(id) {
		if !a.eng.Watching(id) {
			return recs, nil
		}
		if key != nil {
			a.eng.Change(id, keyString(key))
		}
		for _, r := range recs {
			// an update of the primary key: its delete names the old key
			if k, ok := r.Key.(*schemas.Struct); ok && k != nil && k != key {
				a.eng.Change(id, keyString(k))
			}
		}
		return recs, nil
	}
	if op != events.OpCreate || after == nil {
		return recs, nil // Debezium acts on inserted signal rows only
	}
	vals := make([]any, len(after.Schema().Fields))
	for i := range vals {
		vals[i] = after.At(i)
	}
	emits, err := a.eng.Signal(ctx, vals)
	if err != nil {
		return nil, err
	}
	out := make([]connectors.SourceRecord, 0, len(emits)+len(recs))
	if len(emits) > 0 {
		pos := a.env.Offset()
		now := time.Now()
		for _, em := range emits {
			rec, err := a.record(em, pos, now)
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
	}
	// The signal row's own records carry the state the signal made (a
	// snapshot started), so that a restart after them does not lose it,
	// as Debezium stores its offset after the signal.
	state := a.eng.Offset()
	for _, r := range recs {
		r.SourceOffset = withState(r.SourceOffset, state)
		out = append(out, r)
	}
	return out, nil
}

// checkSchema notices a DDL (or TRUNCATE) the task applied to the table
// whose chunk is buffered or waits: the task then has a new event builder
// for it (none once dropped), and the chunk is read again. It looks at
// changes of that table and signals, and at every change while a chunk
// waits for its DDL.
func (a *Hooks) checkSchema(ctx context.Context, id tables.ID) error {
	reading := a.eng.Reading()
	if reading == nil {
		return nil
	}
	if !a.eng.IsSignalTable(id) && reading.ID != id && !a.eng.Held() {
		return nil
	}
	now := a.env.Table(reading.ID)
	var changed bool
	if a.readWith != nil && a.readWith.ID == reading.ID {
		changed = now != a.readWith
	} else {
		changed = now == nil || now.Table() != reading
	}
	if !changed {
		return nil
	}
	return a.eng.SchemaChanged(ctx, reading.ID)
}

// record makes the snapshot read record of a window row.
func (a *Hooks) record(em Emit[incrRow], pos map[string]any, now time.Time) (connectors.SourceRecord, error) {
	et := em.Value.et
	src := a.source(et.ID, pos, now)
	env, err := et.Envelope(events.OpRead, nil, em.Value.value, src, now)
	if err != nil {
		return connectors.SourceRecord{}, fmt.Errorf("table %s: %w", et.ID, err)
	}
	rec := connectors.SourceRecord{
		Record:          connectors.Record{Topic: et.Topic, KeySchema: et.KeySchema, ValueSchema: et.EnvelopeSchema, Value: env},
		SourcePartition: a.env.Partition(), SourceOffset: withState(pos, em.Offset),
	}
	if em.Value.key != nil {
		rec.Key = em.Value.key
	}
	return rec, nil
}

// source is the source block of a snapshot read: the stream's current
// position, source.snapshot=incremental, the time of reading.
func (a *Hooks) source(id tables.ID, pos map[string]any, now time.Time) *schemas.Struct {
	s := &events.Source{Timestamp: now, Snapshot: events.SnapshotIncremental, DB: id.DB, Table: id.Table, Thread: -1}
	if f, ok := pos["file"].(string); ok {
		s.File = f
	}
	if p, ok := pos["pos"].(int64); ok {
		s.Pos = p
	}
	if n, ok := pos["server_id"].(int64); ok {
		s.ServerID = n
	}
	return a.ev.Source(s)
}

// Offset adds the snapshot's offset keys.
func (a *Hooks) Offset(m map[string]any) {
	if a.eng == nil {
		return
	}
	maps.Copy(m, a.eng.Offset())
}

// Idle handles the signals the kafka channel has read, and resumes a chunk
// that waited for a DDL the stream has since applied; the watermarks come
// through the stream, so nothing else waits for time alone.
func (a *Hooks) Idle(ctx context.Context) ([]connectors.SourceRecord, error) {
	if a.eng == nil {
		return nil, nil
	}
	if a.eng.Held() {
		// the DDL a held chunk waits for may be the stream's last event
		if err := a.checkSchema(ctx, a.cfg.SignalTable); err != nil {
			return nil, err
		}
	}
	if a.kafka == nil {
		return nil, nil
	}
	return a.external(ctx)
}

// external handles the signals the kafka channel has read so far.
func (a *Hooks) external(ctx context.Context) ([]connectors.SourceRecord, error) {
	var out []connectors.SourceRecord
	for {
		select {
		case ks := <-a.kafka.signals:
			emits, err := a.eng.Handle(ctx, ks.Signal)
			if err != nil {
				return nil, err
			}
			if len(emits) > 0 {
				pos, now := a.env.Offset(), time.Now()
				for _, em := range emits {
					rec, err := a.record(em, pos, now)
					if err != nil {
						return nil, err
					}
					out = append(out, rec)
				}
			}
			a.kafka.done(ks.offset)
		default:
			return out, nil
		}
	}
}

// withState returns a copy of offset with the snapshot's keys replaced by
// state's.
func withState(offset, state map[string]any) map[string]any {
	m := make(map[string]any, len(offset)+len(state))
	for k, v := range offset {
		if !strings.HasPrefix(k, "incremental_snapshot_") {
			m[k] = v
		}
	}
	maps.Copy(m, state)
	return m
}

// keyString is a key's canonical form: each field's value as Kafka Connect
// prints it, quoted. The stream's keys and the chunks' keys come from the
// same event builder, so equal rows give equal strings.
func keyString(k *schemas.Struct) string {
	var b strings.Builder
	for i, f := range k.Schema().Fields {
		s, err := schemas.FormatValue(f.Schema, k.At(i))
		if err != nil {
			s = fmt.Sprintf("%T:%v", k.At(i), k.At(i))
		}
		b.WriteString(strconv.Quote(s))
		b.WriteByte(',')
	}
	return b.String()
}

// incrSchema is the task's schema as the engine sees it.
type incrSchema struct{ a *Hooks }

func (s incrSchema) Table(id tables.ID) *tables.Table {
	et := s.a.env.Table(id)
	if et == nil {
		return nil
	}
	return et.Table()
}

// Tables lists the server's tables that the task captures, for the
// data-collections given as regular expressions.
func (s incrSchema) Tables(ctx context.Context) []tables.ID {
	rows, err := s.a.env.DB().QueryContext(ctx,
		"SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'")
	if err != nil {
		s.a.log.Warn("cannot list the tables for the data-collections of a signal", "error", err)
		return nil
	}
	defer rows.Close()
	var out []tables.ID
	for rows.Next() {
		var id tables.ID
		if err := rows.Scan(&id.DB, &id.Table); err != nil {
			s.a.log.Warn("cannot list the tables for the data-collections of a signal", "error", err)
			return nil
		}
		if s.a.env.Table(id) != nil {
			out = append(out, id)
		}
	}
	return out
}
