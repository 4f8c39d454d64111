package sink

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/mysqlconn"
	"github.com/sluicehq/sluice/schemas"
)

// maxPlaceholders is the most parameters a MySQL prepared statement takes.
const maxPlaceholders = 65535

// shapeKey names the shape of records of one topic with one key and value schema.
type shapeKey struct {
	topic      string
	key, value *schemas.Schema
	tombstone  bool
}

// shapeEntry is a resolved shapeKey: the table and its columns, or why records of that shape
// cannot be written (err, for this Put only).
type shapeEntry struct {
	id    mysqlconn.TableID
	shape *shape
	err   error
}

// runKind is what a run of records does to its table.
type runKind uint8

const (
	runWrite  runKind = iota + 1 // insert, upsert or update
	runDelete                    // tombstones with delete.enabled
)

// run is consecutive records of one table, shape and kind, in the order they were put.
type run struct {
	id    mysqlconn.TableID
	shape *shape
	kind  runKind
	recs  []int // indexes into the Put's records
}

// task is the JDBC sink task. Each Put is one database transaction, committed before Put
// returns, so the offsets the runtime commits after Put never run ahead of the database.
type task struct {
	name     string
	cfg      *settings
	log      *slog.Logger
	tc       connectors.SinkTaskContext
	reporter connectors.ErrantRecordReporter

	db        *sql.DB
	conn      *sql.Conn
	stmts     *stmtCache
	maxPacket int // bytes of rows per statement
	maxRow    int // bytes of one row: a bigger row would make the server drop the connection
	tables    tables
	shapes    map[shapeKey]*shapeEntry
	lastShape map[string]*shapeKey // by topic: the last shape resolved, to match equal schemas
	retries   int                  // retries left before a retriable error fails the task
	lastUsed  time.Time            // when the connection last did work (see pingIfIdle)
	idleAfter time.Duration        // idlePing; tests that kill a connection in use raise it
	skipped   int64                // tombstones skipped (delete.enabled=false)

	args []any // reused between statements
	// reported are the records reported during a Put that then failed with a retriable error:
	// the runtime puts the same batch again, and they are not reported twice.
	reported map[coord]bool
	errant   map[string]int // records reported during this Put, by table
}

// coord is a record's Kafka coordinates as consumed.
type coord struct {
	topic     string
	partition int32
	offset    int64
}

// SetLogger implements connectors.Logging.
func (t *task) SetLogger(log *slog.Logger) { t.log = log }

func (t *task) Start(ctx context.Context, tc connectors.SinkTaskContext, props map[string]string) error {
	cfg, err := parse(props)
	if err != nil {
		return err
	}
	if t.log == nil { // SetLogger's, else the context's
		t.log = slog.New(slog.DiscardHandler)
		if tc != nil {
			t.log = tc.Logger()
		}
	}
	t.cfg, t.tc, t.name = cfg, tc, props["name"]
	if tc != nil {
		t.reporter = tc.ErrantRecordReporter()
	}
	t.tables = tables{cfg: cfg, log: t.log, byID: map[mysqlconn.TableID]*tableInfo{}}
	t.shapes = map[shapeKey]*shapeEntry{}
	t.lastShape = map[string]*shapeKey{}
	t.retries = cfg.maxRetries
	t.idleAfter = idlePing
	cfg.url.SetLogger(t.log) // the driver's own messages name the task
	if len(cfg.url.Ignored) > 0 {
		t.log.Info("connection.url properties with no effect in sluice", "properties", cfg.url.Ignored)
	}
	if len(cfg.url.Unknown) > 0 {
		t.log.Warn("unknown connection.url properties, ignored", "properties", cfg.url.Unknown)
	}
	if err := t.connect(ctx); err != nil {
		// Connecting again at the first Put, as Confluent's task does.
		t.log.Warn("cannot connect to the database yet; trying again at the first put", "err", err)
	}
	return nil
}

// connect opens the connection the task writes on, with connection.attempts.
func (t *task) connect(ctx context.Context) error {
	if t.conn != nil {
		return nil
	}
	if t.db == nil {
		db, err := mysqlconn.Connect(ctx, t.cfg.url, t.cfg.attempts, t.cfg.backoff, t.log)
		if err != nil {
			return err
		}
		db.SetMaxIdleConns(1)
		t.db = db
	}
	conn, err := t.db.Conn(ctx)
	if err != nil {
		return mysqlconn.Describe(err, t.cfg.url)
	}
	var packet int64
	if err := conn.QueryRowContext(ctx, "SELECT @@max_allowed_packet").Scan(&packet); err != nil {
		_ = conn.Close()
		return fmt.Errorf("read max_allowed_packet: %w", err)
	}
	limit := int64(t.cfg.url.Config.MaxAllowedPacket)
	if limit <= 0 || packet < limit {
		limit = packet
	}
	t.maxPacket = int(limit - limit/8 - 1024) // room for the packet's own bytes
	t.maxRow = int(limit - 1024)
	t.conn = conn
	t.stmts = newStmtCache(conn, 64)
	t.lastUsed = time.Now()
	return nil
}

// idlePing is how long the connection may sit unused before a Put checks it with a ping: the
// server (wait_timeout, KILL) or a proxy may have closed it meanwhile. A Put right after another
// pays nothing; one after a pause pays a round trip.
const idlePing = time.Second

// pingIfIdle drops the connection when it was idle for idlePing and does not answer a ping, so
// that the Put reconnects at once instead of failing on it and spending a retry
// (max.retries=0 would fail the task).
func (t *task) pingIfIdle(ctx context.Context) {
	if t.conn == nil || time.Since(t.lastUsed) < t.idleAfter {
		return
	}
	if err := t.conn.PingContext(ctx); err != nil {
		t.log.Info("the database closed the idle connection; reconnecting", "idle", time.Since(t.lastUsed).Round(time.Second), "err", err)
		t.dropConn()
	}
}

// dropConn closes the connection after an error: the next Put opens a new one, with new
// prepared statements.
func (t *task) dropConn() {
	if t.stmts != nil {
		t.stmts.closeAll()
		t.stmts = nil
	}
	if t.conn != nil {
		_ = t.conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = t.conn.Close()
		t.conn = nil
	}
}

func (t *task) Open(context.Context, []connectors.TopicPartition) error { return nil }

func (t *task) Put(ctx context.Context, records []connectors.SinkRecord) error {
	if len(records) == 0 {
		return nil
	}
	t.pingIfIdle(ctx)
	err := t.write(ctx, records)
	t.lastUsed = time.Now()
	t.logErrant()
	if err == nil {
		t.retries = t.cfg.maxRetries
		clear(t.reported)
		return nil
	}
	if ctx.Err() != nil {
		// Stopping: the runtime drops the batch (not committed) rather than failing the task.
		t.dropConn()
		return connectors.Retriable(err)
	}
	if !mysqlconn.Retriable(err) {
		clear(t.reported)
		return err
	}
	t.dropConn()
	if t.retries <= 0 {
		return fmt.Errorf("giving up after %d retries (%s): %w", t.cfg.maxRetries, MaxRetriesKey, err)
	}
	t.retries--
	t.log.Warn("write failed; retrying", "records", len(records), "retries_left", t.retries, "err", err)
	if t.tc != nil {
		t.tc.Timeout(t.cfg.retryBackoff)
	}
	return connectors.Retriable(err)
}

// write writes records in one transaction: schema changes first (DDL commits implicitly in
// MySQL), then every run of records, then COMMIT.
func (t *task) write(ctx context.Context, records []connectors.SinkRecord) error {
	if err := t.connect(ctx); err != nil {
		return err
	}
	runs, err := t.plan(ctx, records)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		return nil
	}
	if _, err := t.conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
		return fmt.Errorf("start a transaction: %w", err)
	}
	for i := range runs {
		if err := t.execRun(ctx, records, &runs[i]); err != nil {
			t.rollback(ctx)
			return err
		}
	}
	if _, err := t.conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.rollback(ctx)
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (t *task) rollback(ctx context.Context) {
	if t.conn == nil {
		return
	}
	if _, err := t.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
		t.dropConn()
	}
}

// plan checks each record, resolves its table and shape (creating or altering the table when
// allowed) and groups the records into runs; a record that cannot be written is reported.
func (t *task) plan(ctx context.Context, records []connectors.SinkRecord) ([]run, error) {
	var runs []run
	last := map[mysqlconn.TableID]int{}
	var failed map[shapeKey]*shapeEntry // shapes that cannot be written, for this Put
	for i := range records {
		rec := &records[i]
		tomb := rec.Value == nil
		if tomb && !t.cfg.deleteEnabled {
			if t.skipped == 0 {
				t.log.Info("skipping records with a null value (tombstones): delete.enabled is false; this is logged once",
					"topic", rec.Topic, "partition", rec.OriginalPartition, "offset", rec.OriginalOffset)
			}
			t.skipped++
			continue
		}
		if err := t.checkRecord(rec, tomb); err != nil {
			if err := t.report(rec, err); err != nil {
				return nil, err
			}
			continue
		}
		k := shapeKey{topic: rec.Topic, key: rec.KeySchema, value: rec.ValueSchema, tombstone: tomb}
		if tomb {
			k.value = nil
		}
		e := failed[k]
		if e == nil {
			if failed == nil {
				failed = map[shapeKey]*shapeEntry{}
			}
			var err error
			if e, err = t.resolve(ctx, k, rec, tomb); err != nil {
				return nil, err
			}
		}
		if e.err != nil {
			failed[k] = e // the next records of this shape fail alike, without asking the database again
			if err := t.report(rec, e.err); err != nil {
				return nil, err
			}
			continue
		}
		if e.shape == nil {
			continue // a delete from a table that does not exist
		}
		kind := runWrite
		if tomb {
			kind = runDelete
		}
		// The same shape (not only the same column names: a key field's index may differ).
		if j, ok := last[e.id]; ok && runs[j].kind == kind && runs[j].shape == e.shape {
			runs[j].recs = append(runs[j].recs, i)
			continue
		}
		last[e.id] = len(runs)
		runs = append(runs, run{id: e.id, shape: e.shape, kind: kind, recs: []int{i}})
	}
	return runs, nil
}

// checkRecord applies Confluent's RecordValidator: a value must be a Struct (or a string) with a
// schema, and record_key needs a key with a schema.
func (t *task) checkRecord(rec *connectors.SinkRecord, tomb bool) error {
	if !tomb {
		_, isStruct := rec.Value.(*schemas.Struct)
		_, isString := rec.Value.(string)
		if rec.ValueSchema == nil || (!isStruct && !(isString && rec.ValueSchema.Type == schemas.TypeString)) ||
			(isStruct && rec.ValueSchema.Type != schemas.TypeStruct) {
			return fmt.Errorf("Sink connector '%s' is configured with '%s=%t' and '%s=%s' and therefore requires records with a non-null Struct or String value and non-null Struct or String schema, but found record at (topic='%s',partition=%d,offset=%d,timestamp=%d) with a %s value and %s value schema.",
				t.name, DeleteEnabledKey, t.cfg.deleteEnabled, PKModeKey, t.cfg.pkMode, rec.Topic, rec.OriginalPartition, rec.OriginalOffset,
				rec.Timestamp.UnixMilli(), goKind(rec.Value), schemaKind(rec.ValueSchema))
		}
	}
	if t.cfg.pkMode == pkRecordKey {
		_, isStruct := rec.Key.(*schemas.Struct)
		if rec.Key == nil || rec.KeySchema == nil || (rec.KeySchema.Type == schemas.TypeStruct) != isStruct ||
			(!isStruct && !rec.KeySchema.Type.IsPrimitive()) {
			return fmt.Errorf("Sink connector '%s' is configured with '%s=%t' and '%s=%s' and therefore requires records with a non-null key and non-null Struct or primitive key schema, but found record at (topic='%s',partition=%d,offset=%d,timestamp=%d) with a %s key and %s key schema.",
				t.name, DeleteEnabledKey, t.cfg.deleteEnabled, PKModeKey, t.cfg.pkMode, rec.Topic, rec.OriginalPartition, rec.OriginalOffset,
				rec.Timestamp.UnixMilli(), goKind(rec.Key), schemaKind(rec.KeySchema))
		}
	}
	return nil
}

func goKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case *schemas.Struct:
		return "Struct"
	case map[string]any, map[any]any:
		return "Map"
	}
	return fmt.Sprintf("%T", v)
}

func schemaKind(s *schemas.Schema) string {
	if s == nil {
		return "null"
	}
	return s.Type.String()
}

// resolve returns the table and shape of rec, from the cache or worked out (and the table made
// to fit).
func (t *task) resolve(ctx context.Context, k shapeKey, rec *connectors.SinkRecord, tomb bool) (*shapeEntry, error) {
	if e, ok := t.shapes[k]; ok {
		return e, nil
	}
	// Converters that make a new schema per record: an equal schema reuses the last shape.
	if lk := t.lastShape[rec.Topic]; lk != nil && lk.tombstone == tomb && lk.key.Equal(k.key) && lk.value.Equal(k.value) {
		if e, ok := t.shapes[*lk]; ok && e.err == nil {
			t.remember(k, e)
			return e, nil
		}
	}
	name := strings.ReplaceAll(t.cfg.tableFormat, "${topic}", rec.Topic)
	e := &shapeEntry{}
	id, err := mysqlconn.ParseTableID(name, t.cfg.url.Config.DBName)
	if err != nil {
		e.err = fmt.Errorf("%s gives %w", TableNameFormatKey, err)
		return e, nil
	}
	if id.Database == "" {
		e.err = fmt.Errorf("table %s: no database: name one in connection.url or in %s (database.table)", name, TableNameFormatKey)
		return e, nil
	}
	e.id = id
	var valueSchema *schemas.Schema
	if !tomb {
		valueSchema = rec.ValueSchema
	}
	sh, err := extractShape(t.cfg, id.String(), rec.KeySchema, valueSchema)
	if err == nil && !tomb && t.cfg.insertMode == modeUpdate && len(sh.values) == 0 {
		// Nothing to SET: Confluent's UPDATE fails too.
		err = fmt.Errorf("table %s: %s=%s needs a column to set besides the primary key (%s), and records of topic %s have none",
			id, InsertModeKey, modeUpdate, keyNames(sh.keys), rec.Topic)
	}
	if err != nil {
		e.err = err
		return e, nil // not cached: reported record by record
	}
	if tomb {
		// Deletes need the table's key columns only; a missing table has nothing to delete.
		info, err := t.tableFor(ctx, id)
		if err != nil {
			return nil, err
		}
		if info != nil {
			for _, c := range sh.keys {
				if !info.has(c.name) {
					e.err = errSchema{fmt.Errorf("table %s has no column %q to delete by", id, c.name)}
					return e, nil
				}
			}
			e.shape = sh
		}
		if info != nil {
			t.remember(k, e)
		}
		return e, nil
	}
	if err := t.tables.ensure(ctx, t.conn, id, sh); err != nil {
		var se errSchema
		if errors.As(err, &se) {
			e.err = err
			return e, nil
		}
		return nil, err
	}
	e.shape = sh
	t.remember(k, e)
	return e, nil
}

func keyNames(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func (t *task) tableFor(ctx context.Context, id mysqlconn.TableID) (*tableInfo, error) {
	if info, ok := t.tables.byID[id]; ok {
		return info, nil
	}
	info, err := readTable(ctx, t.conn, id)
	if err != nil || info == nil {
		return nil, err
	}
	t.tables.add(info)
	return info, nil
}

// maxShapes bounds the shape cache (schemas are cached by pointer).
const maxShapes = 4096

func (t *task) remember(k shapeKey, e *shapeEntry) {
	if len(t.shapes) >= maxShapes {
		clear(t.shapes)
		clear(t.lastShape)
	}
	t.shapes[k] = e
	kk := k
	t.lastShape[k.topic] = &kk
}

// report hands a record the database or the sink cannot take to the errant record reporter; the
// error it returns (errors.tolerance=none) fails the task.
func (t *task) report(rec *connectors.SinkRecord, err error) error {
	if t.reporter == nil {
		return err
	}
	c := coord{rec.OriginalTopic, rec.OriginalPartition, rec.OriginalOffset}
	if t.reported[c] {
		return nil // reported by an earlier try of this batch
	}
	if rerr := t.reporter.Report(rec, err); rerr != nil {
		return fmt.Errorf("%w (record topic %s partition %d offset %d)", err, rec.OriginalTopic, rec.OriginalPartition, rec.OriginalOffset)
	}
	if t.reported == nil {
		t.reported = map[coord]bool{}
	}
	t.reported[c] = true
	// Not logged one by one: the runtime logs errant records when errors.log.enable says so (with
	// their contents only under errors.log.include.messages), and the error may quote a value.
	// Put logs one WARN with the counts.
	if t.errant == nil {
		t.errant = map[string]int{}
	}
	t.errant[strings.ReplaceAll(t.cfg.tableFormat, "${topic}", rec.Topic)]++
	return nil
}

// logErrant logs one WARN for the records reported during a Put: how many, by table.
func (t *task) logErrant() {
	if len(t.errant) == 0 {
		return
	}
	n := 0
	tables := make([]string, 0, len(t.errant))
	for table, c := range t.errant {
		n += c
		tables = append(tables, fmt.Sprintf("%s (%d)", table, c))
	}
	slices.Sort(tables)
	t.log.Warn("records the database or the sink cannot take were reported as errant (errors.tolerance=all)",
		"records", n, "tables", strings.Join(tables, ", "))
	clear(t.errant)
}

// execRun writes one run in statements of at most batch.size rows, the packet size and the
// placeholder limit.
func (t *task) execRun(ctx context.Context, records []connectors.SinkRecord, r *run) error {
	cols := r.shape.cols()
	if r.kind == runDelete {
		cols = r.shape.keys
	}
	width := len(cols)
	if r.kind == runWrite && t.cfg.insertMode == modeUpdate {
		return t.execUpdates(ctx, records, r) // resolve refused shapes without values
	}
	perStmt := min(t.cfg.batchSize, maxPlaceholders/width)
	args := t.args[:0]
	var rows []int
	bytes := 0
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		err := t.execRows(ctx, records, r, rows, args, width)
		rows, args, bytes = rows[:0], args[:0], 0
		return err
	}
	for _, i := range r.recs {
		rec := &records[i]
		start := len(args)
		rowBytes := 0
		var bindErr error
		for ci := range cols {
			v, err := bind(t.cfg, &cols[ci], valueOf(t.cfg, &cols[ci], rec))
			if err != nil {
				bindErr = err
				break
			}
			args = append(args, v)
			rowBytes += argBytes(v)
		}
		if bindErr != nil {
			args = args[:start]
			if err := t.report(rec, fmt.Errorf("table %s: %w", r.id, bindErr)); err != nil {
				return err
			}
			continue
		}
		if rowBytes > t.maxRow {
			// The server would refuse the packet and close the connection: the row is reported,
			// as a value the database refuses.
			args = args[:start]
			if err := t.report(rec, fmt.Errorf("table %s: the row takes about %d bytes, more than the server's max_allowed_packet (%d)", r.id, rowBytes, t.maxRow+1024)); err != nil {
				return err
			}
			continue
		}
		if len(rows) > 0 && bytes+rowBytes > t.maxPacket {
			row := append([]any(nil), args[start:]...)
			args = args[:start]
			if err := flush(); err != nil {
				return err
			}
			args = append(args, row...)
		}
		rows = append(rows, i)
		bytes += rowBytes
		if len(rows) >= perStmt {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	err := flush()
	clear(args[:cap(args)])
	t.args = args[:0]
	return err
}

// execRows runs one statement for rows; when the database rejects a value (a data error), it
// bisects to find the rows it rejects, reports them and writes the others. InnoDB undoes only the
// failed statement, so the rest of the transaction stands.
//
// Statements have few row counts, so that few are prepared whatever the sizes of the Puts: the
// most a statement takes (batch.size, less for wide rows), or a power of two below it; rows
// of another count are written in several statements of those sizes.
func (t *task) execRows(ctx context.Context, records []connectors.SinkRecord, r *run, rows []int, args []any, width int) error {
	if n := stmtRows(len(rows), min(t.cfg.batchSize, maxPlaceholders/width)); n < len(rows) {
		for len(rows) > 0 {
			n := stmtRows(len(rows), min(t.cfg.batchSize, maxPlaceholders/width))
			if err := t.execRows(ctx, records, r, rows[:n], args[:n*width], width); err != nil {
				return err
			}
			rows, args = rows[n:], args[n*width:]
		}
		return nil
	}
	stmt, err := t.stmts.get(ctx, stmtKey{id: r.id, sig: r.shape.sig, kind: r.kind, rows: len(rows)}, func() string {
		return t.buildSQL(r, len(rows))
	})
	if err != nil {
		return fmt.Errorf("table %s: prepare: %w", r.id, err)
	}
	_, err = stmt.ExecContext(ctx, args...)
	if err == nil {
		return nil
	}
	if !mysqlconn.IsDataError(err) {
		return fmt.Errorf("table %s: %w", r.id, err)
	}
	if len(rows) == 1 {
		return t.report(&records[rows[0]], fmt.Errorf("table %s: %w", r.id, err))
	}
	h := len(rows) / 2
	if err := t.execRows(ctx, records, r, rows[:h], args[:h*width], width); err != nil {
		return err
	}
	return t.execRows(ctx, records, r, rows[h:], args[h*width:], width)
}

// stmtRows is how many of n rows one statement takes: perStmt, or the largest power of two up
// to n when n is smaller.
func stmtRows(n, perStmt int) int {
	if n >= perStmt {
		return perStmt
	}
	return 1 << (bits.Len(uint(n)) - 1)
}

// execUpdates runs UPDATE … WHERE key for each record (one statement per row: the rows differ).
func (t *task) execUpdates(ctx context.Context, records []connectors.SinkRecord, r *run) error {
	stmt, err := t.stmts.get(ctx, stmtKey{id: r.id, sig: r.shape.sig, kind: r.kind, rows: 1}, func() string { return t.buildSQL(r, 1) })
	if err != nil {
		return fmt.Errorf("table %s: prepare: %w", r.id, err)
	}
	cols := append(append([]column(nil), r.shape.values...), r.shape.keys...)
	args := make([]any, len(cols))
	for _, i := range r.recs {
		rec := &records[i]
		var bindErr error
		for ci := range cols {
			if args[ci], bindErr = bind(t.cfg, &cols[ci], valueOf(t.cfg, &cols[ci], rec)); bindErr != nil {
				break
			}
		}
		if bindErr == nil {
			_, err = stmt.ExecContext(ctx, args...)
			if err != nil && !mysqlconn.IsDataError(err) {
				return fmt.Errorf("table %s: %w", r.id, err)
			}
			bindErr = err
		}
		if bindErr != nil {
			if err := t.report(rec, fmt.Errorf("table %s: %w", r.id, bindErr)); err != nil {
				return err
			}
		}
	}
	return nil
}

// argBytes estimates an argument's size in an execute packet.
func argBytes(v any) int {
	switch x := v.(type) {
	case string:
		return len(x) + 11
	case []byte:
		return len(x) + 11
	}
	return 14
}

// buildSQL is the statement for n rows of run r.
func (t *task) buildSQL(r *run, n int) string {
	q := t.cfg.quote
	var b strings.Builder
	keys, values := r.shape.keys, r.shape.values
	switch {
	case r.kind == runDelete:
		b.WriteString("DELETE FROM ")
		b.WriteString(r.id.Quoted(q))
		b.WriteString(" WHERE ")
		if len(keys) == 1 {
			b.WriteString(mysqlconn.Quote(keys[0].name, q))
			b.WriteString(" IN (")
			writePlaceholders(&b, n, ",", "?")
			b.WriteString(")")
			return b.String()
		}
		b.WriteByte('(')
		writeNames(&b, keys, q, "")
		b.WriteString(") IN (")
		writePlaceholders(&b, n, ",", rowPlaceholders(len(keys)))
		b.WriteString(")")
	case t.cfg.insertMode == modeUpdate:
		b.WriteString("UPDATE ")
		b.WriteString(r.id.Quoted(q))
		b.WriteString(" SET ")
		writeNames(&b, values, q, "=?")
		b.WriteString(" WHERE ")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(mysqlconn.Quote(k.name, q))
			b.WriteString("=?")
		}
	default:
		b.WriteString("INSERT INTO ")
		b.WriteString(r.id.Quoted(q))
		b.WriteByte('(')
		all := r.shape.cols()
		writeNames(&b, all, q, "")
		b.WriteString(") VALUES ")
		writePlaceholders(&b, n, ",", rowPlaceholders(len(all)))
		if t.cfg.insertMode == modeUpsert {
			b.WriteString(" ON DUPLICATE KEY UPDATE ")
			upd := values
			if len(upd) == 0 {
				upd = keys
			}
			for i, c := range upd {
				if i > 0 {
					b.WriteByte(',')
				}
				name := mysqlconn.Quote(c.name, q)
				b.WriteString(name + "=VALUES(" + name + ")")
			}
		}
	}
	return b.String()
}

func writeNames(b *strings.Builder, cols []column, quote bool, suffix string) {
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(mysqlconn.Quote(c.name, quote))
		b.WriteString(suffix)
	}
}

func rowPlaceholders(n int) string {
	return "(" + strings.Repeat("?,", n-1) + "?)"
}

func writePlaceholders(b *strings.Builder, n int, sep, one string) {
	b.Grow(n * (len(one) + len(sep)))
	for i := range n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(one)
	}
}

func (t *task) Flush(context.Context, map[connectors.TopicPartition]int64) error { return nil }

func (t *task) Close(context.Context, []connectors.TopicPartition) error { return nil }

func (t *task) Stop(context.Context) error {
	if t.skipped > 0 {
		t.log.Info("tombstones skipped", "count", t.skipped)
	}
	t.dropConn()
	if t.db != nil {
		err := t.db.Close()
		t.db = nil
		return err
	}
	return nil
}

// stmtKey names a prepared statement: the table, the column set, the kind and the row count.
type stmtKey struct {
	id   mysqlconn.TableID
	sig  string
	kind runKind
	rows int
}

// stmtCache holds prepared statements on the task's connection, evicting the least recently
// used past its size.
type stmtCache struct {
	conn     *sql.Conn
	size     int
	tick     uint64
	stmts    map[stmtKey]*cachedStmt
	prepared int // statements prepared so far (for benchmarks)
}

type cachedStmt struct {
	stmt *sql.Stmt
	used uint64
}

func newStmtCache(conn *sql.Conn, size int) *stmtCache {
	return &stmtCache{conn: conn, size: size, stmts: map[stmtKey]*cachedStmt{}}
}

func (c *stmtCache) get(ctx context.Context, k stmtKey, build func() string) (*sql.Stmt, error) {
	c.tick++
	if s, ok := c.stmts[k]; ok {
		s.used = c.tick
		return s.stmt, nil
	}
	if len(c.stmts) >= c.size {
		var oldest stmtKey
		var min uint64 = ^uint64(0)
		for k, s := range c.stmts {
			if s.used < min {
				oldest, min = k, s.used
			}
		}
		_ = c.stmts[oldest].stmt.Close()
		delete(c.stmts, oldest)
	}
	stmt, err := c.conn.PrepareContext(ctx, build())
	if err != nil {
		return nil, err
	}
	c.stmts[k] = &cachedStmt{stmt: stmt, used: c.tick}
	c.prepared++
	return stmt, nil
}

func (c *stmtCache) closeAll() {
	for k, s := range c.stmts {
		_ = s.stmt.Close()
		delete(c.stmts, k)
	}
}
