package incremental

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
)

// DefaultChunkSize is incremental.snapshot.chunk.size's default, Debezium's.
const DefaultChunkSize = 1024

// MaxChunkSize caps incremental.snapshot.chunk.size: a chunk's rows are
// held in memory until its window closes.
const MaxChunkSize = 100000

// Schema is what the engine needs of the task's table model.
type Schema interface {
	// Table returns the current model of a captured table, or nil when the
	// table is unknown or not captured (table.include.list and friends).
	Table(id tables.ID) *tables.Table
	// Tables lists the captured tables: the data-collections of a signal are
	// regular expressions matched against their "db.table" names.
	Tables(ctx context.Context) []tables.ID
}

// Query names what a chunk query reads.
type Query struct {
	Table *tables.Table
	// KeyColumns are the chunking key's columns: the primary key's, or the
	// surrogate key.
	KeyColumns []string
	// Condition is the additional condition in parentheses, or "".
	Condition string
}

// Row is one row of a chunk.
type Row[R any] struct {
	// Key is the row's key in the task's canonical encoding: the same string
	// the task passes to [Engine.Change] for a change event of this row.
	Key string
	// KeyValues is the chunking key's value, as MySQL prints it.
	KeyValues Key
	// Value is the task's ready value for the row (converted with the table's
	// model at the time the chunk was read).
	Value R
}

// ErrStaleSchema is returned (wrapped) by a Database whose chunk query does
// not fit the table any more (a column of the model is gone): the table
// changed, and the engine waits for the DDL to reach it through the binary
// log ([Engine.SchemaChanged]) before reading the chunk again.
var ErrStaleSchema = errors.New("the table's model does not match the table")

// ErrTransient marks (wrapped) a Database error that may pass: a lost
// connection, a deadlock, a timeout. The engine tries such a call again
// (three times in all, after 0.5 s and 1 s) before it gives up.
var ErrTransient = errors.New("transient database error")

// Database is the engine's access to the captured server. [SQL] implements it.
type Database[R any] interface {
	// WriteSignal inserts a row into the signal table and commits it.
	WriteSignal(ctx context.Context, s Signal) error
	// MaxKey returns the largest key of the table (where q.Condition
	// holds), or nil when there is no row.
	MaxKey(ctx context.Context, q Query) (Key, error)
	// ReadChunk returns up to limit rows ordered by key, with keys above
	// after (from the first row when after is nil) and not above max.
	ReadChunk(ctx context.Context, q Query, after, max Key, limit int) ([]Row[R], error)
}

// Emit is a row of a closed window, to be emitted as a snapshot read (op=r,
// source.snapshot=incremental) at the current position of the stream.
type Emit[R any] struct {
	// Table is the model the row was read and converted with.
	Table *tables.Table
	Value R
	// Offset holds the incremental snapshot's offset keys after this row;
	// the task adds them to the row's source offset. Never changed once
	// returned.
	Offset map[string]any
}

// Config configures an Engine.
type Config struct {
	// SignalTable is signal.data.collection's table.
	SignalTable tables.ID
	// ChunkSize is incremental.snapshot.chunk.size (DefaultChunkSize when 0).
	ChunkSize int
	// Logger receives the engine's log lines (none when nil).
	Logger *slog.Logger
	// Now and NewChunkID default to time.Now and random UUIDs; tests set them.
	Now        func() time.Time
	NewChunkID func() string
	// RetryPause is the first pause before a Database call that failed
	// with ErrTransient is tried again (500 ms when 0); it doubles.
	RetryPause time.Duration
}

// Engine runs incremental snapshots for one task. Its methods are called
// from the task's event goroutine, in binary log order.
type Engine[R any] struct {
	cfg    Config
	log    *slog.Logger
	schema Schema
	db     Database[R]

	queue         []collection // queue[0] is the table being read
	correlationID string
	paused        bool
	stops         []string // stop-snapshot requests not yet applied

	current  *tables.Table // queue[0]'s model while it is read
	keyCols  []string
	maxKey   Key
	chunkEnd Key // the last key of the chunk read last
	lastSent Key // the key of the row emitted last
	// held is set while a chunk waits for a schema change (ErrStaleSchema).
	held bool

	chunkID    string
	windowOpen bool
	window     []Row[R]
	// windowTable is the model the window's rows were read with.
	windowTable *tables.Table
	inWindow    map[string]int // key -> index in window, while not superseded
	openMeta    watermarkMeta

	offset map[string]any // the offset keys of the current state; nil when stale
	valid  bool
}

type watermarkMeta struct {
	open          time.Time
	correlationID string
	collection    string
}

// New returns an engine with no snapshot running.
func New[R any](cfg Config, schema Schema, db Database[R]) *Engine[R] {
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = DefaultChunkSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewChunkID == nil {
		cfg.NewChunkID = newUUID
	}
	if cfg.RetryPause <= 0 {
		cfg.RetryPause = 500 * time.Millisecond
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine[R]{cfg: cfg, log: log, schema: schema, db: db, inWindow: map[string]int{}}
}

// IsSignalTable reports whether id is the signal table.
func (e *Engine[R]) IsSignalTable(id tables.ID) bool {
	return e.cfg.SignalTable != (tables.ID{}) && id == e.cfg.SignalTable
}

// Running reports whether an incremental snapshot is in progress.
func (e *Engine[R]) Running() bool { return len(e.queue) > 0 }

// Restore takes the state of a running snapshot from a stored source offset
// (the keys of Offset). Call it before Start; an offset without them leaves
// no snapshot running.
func (e *Engine[R]) Restore(offset map[string]any) error {
	raw, ok := offset[OffsetCollections]
	if !ok || raw == nil {
		return nil
	}
	queue, err := decodeCollections(raw)
	if err != nil {
		return err
	}
	pk, err := decodeKey(OffsetPrimaryKey, offset[OffsetPrimaryKey])
	if err != nil {
		return err
	}
	max, err := decodeKey(OffsetMaximumKey, offset[OffsetMaximumKey])
	if err != nil {
		return err
	}
	corr := ""
	if v, ok := offset[OffsetCorrelationID]; ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("offset key %s is a %T, want a string", OffsetCorrelationID, v)
		}
		corr = s
	}
	e.queue, e.chunkEnd, e.lastSent, e.maxKey, e.correlationID = queue, pk, pk, max, corr
	e.touch()
	if len(queue) > 0 {
		e.log.Info("incremental snapshot in progress: it resumes after the last key sent",
			"table", queue[0].ID.String(), "tables", len(queue))
	}
	return nil
}

// Start resumes a snapshot restored from the offset by reading its next
// chunk. It returns an error only when ctx ends.
func (e *Engine[R]) Start(ctx context.Context) error {
	if !e.Running() {
		return nil
	}
	return e.readChunk(ctx)
}

// Held reports whether a chunk waits for its table's DDL (ErrStaleSchema).
func (e *Engine[R]) Held() bool { return e.held }

// Reading returns the model of the table whose chunk is buffered or waits
// for its DDL, or nil: the task compares it with its current model of the
// table to notice a DDL it has applied (then it calls SchemaChanged).
func (e *Engine[R]) Reading() *tables.Table {
	switch {
	case e.held:
		return e.current
	case len(e.window) > 0:
		return e.windowTable
	}
	return nil
}

// Offset returns the incremental snapshot's offset keys to add to every
// source offset the task emits now (nil when no snapshot runs). The map is
// never changed once returned.
func (e *Engine[R]) Offset() map[string]any {
	if !e.valid {
		e.offset = e.buildOffset(e.lastSent)
		e.valid = true
	}
	return e.offset
}

func (e *Engine[R]) touch() { e.valid = false }

func (e *Engine[R]) buildOffset(lastSent Key) map[string]any {
	if len(e.queue) == 0 {
		return nil
	}
	m := map[string]any{OffsetCollections: encodeCollections(e.queue)}
	if lastSent != nil {
		m[OffsetPrimaryKey] = encodeKey(lastSent)
	}
	if e.maxKey != nil {
		m[OffsetMaximumKey] = encodeKey(e.maxKey)
	}
	if e.correlationID != "" {
		m[OffsetCorrelationID] = e.correlationID
	}
	return m
}

// Change tells the engine of a change event (insert, update or delete) of a
// captured table, with its key in the task's canonical encoding; for an
// update that changes the key, call it with both keys. While a window is
// open, the key's buffered row is dropped: the stream carries a newer
// version. It is cheap when no window is open.
func (e *Engine[R]) Change(id tables.ID, key string) {
	if e.Watching(id) {
		delete(e.inWindow, key)
	}
}

// Watching reports whether changes of table id matter now (a window of its
// rows is open), so that the task encodes keys only then.
func (e *Engine[R]) Watching(id tables.ID) bool {
	return e.windowOpen && len(e.inWindow) > 0 && e.windowTable != nil && e.windowTable.ID == id
}

// SchemaChanged tells the engine that a DDL statement of the stream changed
// (or dropped) table id. When id is the table being read and a chunk is
// buffered or waiting, the chunk is read again with the new model (new
// watermarks), as Debezium's processSchemaChange does. It returns an error
// only when ctx ends.
func (e *Engine[R]) SchemaChanged(ctx context.Context, id tables.ID) error {
	if !e.Running() || e.queue[0].ID != id {
		return nil
	}
	if !e.held && len(e.window) == 0 {
		return nil
	}
	e.log.Info("the table of the incremental snapshot changed: its chunk is read again", "table", id.String())
	e.clearWindow()
	e.held = false
	e.chunkEnd = e.lastSent
	return e.readChunk(ctx)
}

// Signal handles a row inserted into the signal table, given its column
// values (see SignalFromRow). It returns the rows of a window the signal
// closed: emit them, in order, before the signal row's own change event.
// Bad signals are logged (naming the signal id) and ignored; the error is
// only ever ctx's.
func (e *Engine[R]) Signal(ctx context.Context, vals []any) ([]Emit[R], error) {
	s, err := SignalFromRow(vals)
	if err != nil {
		e.log.Warn("a row of the signal table is not a signal; ignored", "table", e.cfg.SignalTable.String(), "error", err)
		return nil, nil
	}
	return e.Handle(ctx, s)
}

// Handle acts on one signal (from the signal table or another channel).
func (e *Engine[R]) Handle(ctx context.Context, s Signal) ([]Emit[R], error) {
	switch s.Type {
	case TypeWindowOpen:
		if !e.expected(s.ID) {
			e.log.Debug("window open signal of another chunk ignored", "signal", s.ID, "chunk", e.chunkID)
			return nil, nil
		}
		e.windowOpen = true
		return nil, nil
	case TypeWindowClose:
		if !e.expected(s.ID) {
			e.log.Debug("window close signal of another chunk ignored", "signal", s.ID, "chunk", e.chunkID)
			return nil, nil
		}
		e.windowOpen = false
		out := e.sendWindow()
		return out, e.readChunk(ctx)
	case TypeExecuteSnapshot:
		return nil, e.execute(ctx, s)
	case TypeStopSnapshot:
		req, err := ParseSnapshotRequest(s.Data, true)
		if err != nil {
			e.log.Warn("stop-snapshot signal ignored", "signal", s.ID, "error", err)
			return nil, nil
		}
		if req.Type != "incremental" {
			e.log.Warn("stop-snapshot signal ignored: sluice runs no blocking snapshots", "signal", s.ID)
			return nil, nil
		}
		if !e.Running() {
			e.log.Warn("stop-snapshot signal ignored: no incremental snapshot is running", "signal", s.ID)
			return nil, nil
		}
		if len(req.Collections) == 0 {
			e.stops = append(e.stops, ".*")
		} else {
			e.stops = append(e.stops, req.Collections...)
		}
		e.log.Info("stop of the incremental snapshot requested", "signal", s.ID, "data-collections", req.Collections)
		if e.idle() {
			// Nothing in flight would apply it (Debezium waits for the next
			// chunk, which a paused snapshot never reads): apply it now.
			e.applyStops()
		}
		return nil, nil
	case TypePauseSnapshot:
		if e.Running() && !e.paused {
			e.paused = true
			e.log.Info("incremental snapshot paused", "signal", s.ID)
		}
		return nil, nil
	case TypeResumeSnapshot:
		if e.Running() && e.paused {
			e.paused = false
			e.log.Info("incremental snapshot resumed", "signal", s.ID)
			if e.chunkID == "" {
				return nil, e.readChunk(ctx)
			}
		}
		return nil, nil
	case TypeLog:
		msg, err := logMessage(s.Data)
		if err != nil {
			e.log.Warn("log signal ignored", "signal", s.ID, "error", err)
			return nil, nil
		}
		e.log.Info(msg, "signal", s.ID)
		return nil, nil
	case TypeSchemaChanges:
		e.log.Warn("schema-changes signal ignored: sluice does not implement it", "signal", s.ID)
		return nil, nil
	default:
		e.log.Warn("signal of an unknown type ignored", "signal", s.ID, "type", s.Type)
		return nil, nil
	}
}

// expected reports whether a window signal's id belongs to the chunk in
// flight: after a restart the stream replays watermarks of older chunks.
func (e *Engine[R]) expected(id string) bool {
	return e.chunkID != "" && strings.HasPrefix(id, e.chunkID)
}

// idle reports whether no chunk is in flight (no watermark to wait for).
func (e *Engine[R]) idle() bool { return e.chunkID == "" }

func (e *Engine[R]) execute(ctx context.Context, s Signal) error {
	req, err := ParseSnapshotRequest(s.Data, false)
	if err != nil {
		e.log.Warn("execute-snapshot signal ignored", "signal", s.ID, "error", err)
		return nil
	}
	if req.Type != "incremental" {
		e.log.Warn("execute-snapshot signal ignored: sluice runs only incremental snapshots (type blocking is not supported)", "signal", s.ID)
		return nil
	}
	ids := e.expand(ctx, req.Collections)
	var added []collection
	for _, name := range ids {
		id, err := ParseTableID(name)
		if err != nil {
			e.log.Warn("execute-snapshot: data collection skipped", "signal", s.ID, "error", err)
			continue
		}
		c := collection{ID: id, SurrogateKey: req.SurrogateKey, CorrelationID: s.ID}
		for _, cond := range req.Conditions {
			if cond.Collection.MatchString(name) {
				c.Condition = "(" + cond.Filter + ")"
				break
			}
		}
		added = append(added, c)
	}
	if len(added) == 0 {
		e.log.Warn("execute-snapshot signal ignored: no table to read", "signal", s.ID, "data-collections", req.Collections)
		return nil
	}
	wasRunning := e.Running()
	e.queue = append(e.queue, added...)
	e.correlationID = s.ID
	e.touch()
	names := make([]string, len(added))
	for i, c := range added {
		names[i] = c.ID.String()
	}
	e.log.Info("incremental snapshot requested", "signal", s.ID, "tables", names)
	if wasRunning {
		return nil
	}
	return e.readChunk(ctx)
}

// expand replaces each data collection that is a regular expression matching
// captured tables by their names (Debezium's expandAndDedupeDataCollectionIds:
// a pattern that matches nothing is kept as a name).
func (e *Engine[R]) expand(ctx context.Context, patterns []string) []string {
	var names []string
	for _, t := range e.schema.Tables(ctx) {
		names = append(names, t.String())
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, p := range patterns {
		re, err := fullMatchCase(p)
		matched := false
		if err == nil {
			for _, n := range names {
				if re.MatchString(n) {
					add(n)
					matched = true
				}
			}
		}
		if !matched {
			add(p)
		}
	}
	return out
}

// applyStops applies the pending stop-snapshot requests (Debezium's
// checkAndProcessStopFlag).
func (e *Engine[R]) applyStops() {
	if len(e.stops) == 0 {
		return
	}
	stops := e.stops
	e.stops = nil
	res := make([]matcher, len(stops))
	for i, s := range stops {
		res[i] = newMatcher(s)
	}
	stopped := []string{}
	keep := e.queue[:0:0]
	for i, c := range e.queue {
		name := c.ID.String()
		hit := false
		for _, m := range res {
			if m.match(name) {
				hit = true
				break
			}
		}
		if !hit {
			keep = append(keep, c)
			continue
		}
		stopped = append(stopped, name)
		if i == 0 {
			e.resetTable()
		}
	}
	e.queue = keep
	e.touch()
	e.log.Info("tables removed from the incremental snapshot", "tables", stopped)
	if !e.Running() {
		e.finish()
	}
}

// readChunk opens a window, reads the next chunk into it and closes it
// (Debezium's readChunk). Database failures skip the table, as Debezium
// does; the returned error is only ctx's.
func (e *Engine[R]) readChunk(ctx context.Context) error {
	e.applyStops()
	if !e.Running() {
		e.finish()
		return nil
	}
	if e.paused {
		e.log.Info("incremental snapshot paused: no chunk read")
		return nil
	}
	e.clearWindow()
	e.chunkID = e.cfg.NewChunkID()
	c := e.queue[0]
	e.openMeta = watermarkMeta{open: e.cfg.Now(), correlationID: c.CorrelationID, collection: c.ID.String()}
	open := Signal{ID: e.chunkID + "-open", Type: TypeWindowOpen, Data: e.openMeta.json(time.Time{})}
	if err := e.try(ctx, func() error { return e.db.WriteSignal(ctx, open) }); err != nil {
		return e.abort(ctx, "cannot write the open-window signal", err)
	}
	for e.Running() {
		if !e.prepareTable() {
			continue
		}
		q := Query{Table: e.current, KeyColumns: e.keyCols, Condition: e.queue[0].Condition}
		id := e.current.ID.String()
		if e.maxKey == nil {
			var max Key
			err := e.try(ctx, func() (err error) {
				max, err = e.db.MaxKey(ctx, q)
				return err
			})
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				e.skip("cannot read the table's largest key", err)
				continue
			}
			if max == nil {
				e.log.Info("incremental snapshot of an empty table finished", "table", id)
				e.nextTable()
				continue
			}
			e.maxKey = max
			e.touch()
			e.log.Info("incremental snapshot of a table begins", "table", id, "maximum_key", encodeKey(max))
		}
		var rows []Row[R]
		err := e.try(ctx, func() (err error) {
			rows, err = e.db.ReadChunk(ctx, q, e.chunkEnd, e.maxKey, e.cfg.ChunkSize)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, ErrStaleSchema) {
				// The DDL has not reached us through the stream yet: read the
				// chunk again when it does (SchemaChanged).
				e.log.Warn("the chunk query does not fit the table: waiting for its DDL in the binary log", "table", id, "error", err)
				e.held = true
				e.chunkID = ""
				return nil
			}
			e.skip("cannot read a chunk", err)
			continue
		}
		e.windowTable = e.current
		for _, r := range rows {
			if i, ok := e.inWindow[r.Key]; ok {
				e.window[i] = r
				continue
			}
			e.inWindow[r.Key] = len(e.window)
			e.window = append(e.window, r)
		}
		if len(rows) > 0 {
			e.chunkEnd = rows[len(rows)-1].KeyValues
		}
		if len(e.window) > 0 {
			break
		}
		e.log.Info("incremental snapshot of a table finished", "table", id)
		e.nextTable()
	}
	if len(e.window) == 0 {
		// All tables finished in this call: nothing to close.
		e.chunkID = ""
		e.finish()
		return nil
	}
	closeSig := Signal{ID: e.chunkID + "-close", Type: TypeWindowClose, Data: e.openMeta.json(e.cfg.Now())}
	if err := e.try(ctx, func() error { return e.db.WriteSignal(ctx, closeSig) }); err != nil {
		return e.abort(ctx, "cannot write the close-window signal", err)
	}
	return nil
}

// try runs a Database call, again after a pause when it fails with
// ErrTransient (three attempts in all).
func (e *Engine[R]) try(ctx context.Context, call func() error) error {
	pause := e.cfg.RetryPause
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil || attempt == 3 || !errors.Is(err, ErrTransient) || ctx.Err() != nil {
			return err
		}
		e.log.Info("incremental snapshot: a database call failed, trying again", "attempt", attempt, "error", err)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		pause *= 2
	}
}

// prepareTable loads queue[0]'s model and key; false when the table was
// skipped.
func (e *Engine[R]) prepareTable() bool {
	c := e.queue[0]
	t := e.schema.Table(c.ID)
	if t == nil {
		e.skip("the table is not captured or not known", nil)
		return false
	}
	if len(t.PrimaryKey) == 0 {
		// The window is keyed by the primary key, as the stream's events
		// are: without one a change could not be matched with its row.
		e.skip("the table has no primary key (a surrogate-key only chunks a table that has one)", nil)
		return false
	}
	cols := t.PrimaryKey
	if c.SurrogateKey != "" {
		col := t.Column(c.SurrogateKey)
		if col == nil {
			e.skip(fmt.Sprintf("the surrogate key %q is not a column of the table", c.SurrogateKey), nil)
			return false
		}
		if col.Optional {
			e.skip(fmt.Sprintf("the surrogate key %q may be NULL: sluice chunks only by NOT NULL columns", c.SurrogateKey), nil)
			return false
		}
		cols = []string{col.Name}
	}
	e.current, e.keyCols = t, cols
	return true
}

// skip drops the current table from the snapshot with a WARN.
func (e *Engine[R]) skip(reason string, err error) {
	args := []any{"table", e.queue[0].ID.String()}
	if err != nil {
		args = append(args, "error", err)
	}
	e.log.Warn("incremental snapshot of a table skipped: "+reason, args...)
	e.nextTable()
}

// abort ends the whole snapshot: the signal table cannot be written, so no
// chunk of any table can be read.
func (e *Engine[R]) abort(ctx context.Context, reason string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e.log.Warn("incremental snapshot stopped: "+reason+" (the connector's user needs INSERT on the signal table)",
		"signal_table", e.cfg.SignalTable.String(), "error", err)
	e.queue = nil
	e.resetTable()
	e.clearWindow()
	e.chunkID = ""
	e.finish()
	return nil
}

func (e *Engine[R]) nextTable() {
	e.queue = e.queue[1:]
	e.resetTable()
	e.touch()
}

func (e *Engine[R]) resetTable() {
	e.current, e.keyCols = nil, nil
	e.maxKey, e.chunkEnd, e.lastSent = nil, nil, nil
	e.held = false
	e.touch()
}

// finish clears what outlives a snapshot once none runs.
func (e *Engine[R]) finish() {
	if e.Running() {
		return
	}
	if e.correlationID != "" || e.paused {
		e.log.Info("incremental snapshot completed")
	}
	e.queue = nil
	e.correlationID = ""
	e.paused = false
	e.stops = nil
	e.touch()
}

func (e *Engine[R]) clearWindow() {
	clear(e.window)
	e.window = e.window[:0]
	clear(e.inWindow)
	e.windowOpen = false
}

// sendWindow returns the rows left in the window, in key order, each with
// the offset after it.
func (e *Engine[R]) sendWindow() []Emit[R] {
	var out []Emit[R]
	for i, r := range e.window {
		if j, ok := e.inWindow[r.Key]; !ok || j != i {
			continue
		}
		e.lastSent = r.KeyValues
		out = append(out, Emit[R]{Table: e.windowTable, Value: r.Value, Offset: e.buildOffset(e.lastSent)})
	}
	e.touch()
	e.clearWindow()
	e.chunkID = ""
	return out
}

// json is the data of a watermark row, as Debezium's SignalMetadata writes
// it (a space after ':' and ',').
func (m watermarkMeta) json(closed time.Time) string {
	var b strings.Builder
	b.WriteString(`{"openWindowTimestamp": `)
	writeJSONString(&b, javaInstant(m.open))
	if !closed.IsZero() {
		b.WriteString(`, "closeWindowTimestamp": `)
		writeJSONString(&b, javaInstant(closed))
	}
	if m.correlationID != "" {
		b.WriteString(`, "correlationId": `)
		writeJSONString(&b, m.correlationID)
	}
	if m.collection != "" {
		b.WriteString(`, "dataCollectionId": `)
		writeJSONString(&b, m.collection)
	}
	b.WriteByte('}')
	return b.String()
}

// javaInstant formats t as Java's Instant.toString: UTC, and the fraction
// in groups of three digits, none when zero.
func javaInstant(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	ns := t.Nanosecond()
	switch {
	case ns == 0:
	case ns%1_000_000 == 0:
		s += "." + pad(ns/1_000_000, 3)
	case ns%1000 == 0:
		s += "." + pad(ns/1000, 6)
	default:
		s += "." + pad(ns, 9)
	}
	return s + "Z"
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
