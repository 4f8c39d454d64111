package mysqlcdc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/mysqlconn"
	"github.com/sluicehq/sluice/schemas"
)

// systemDatabases are never captured.
var systemDatabases = map[string]bool{"mysql": true, "sys": true, "performance_schema": true, "information_schema": true}

// snapshotter holds back the last record of the snapshot so that it can
// carry the offset that says the snapshot is done.
type snapshotter struct {
	t       *Task
	pending *connectors.SourceRecord
}

func (s *snapshotter) push(ctx context.Context, r connectors.SourceRecord) error {
	if s.pending != nil {
		if err := s.t.emit(ctx, *s.pending); err != nil {
			return err
		}
	}
	s.pending = &r
	return nil
}

// finish queues the last record with the offset done. A snapshot that
// sent nothing (no rows, include.schema.changes=false) sends a heartbeat
// with it, even with heartbeats off: without a stored offset the next
// start would snapshot again.
func (s *snapshotter) finish(ctx context.Context, done map[string]any) error {
	if s.pending == nil {
		return s.t.sendHeartbeat(ctx, done)
	}
	r := *s.pending
	r.SourceOffset = done
	s.pending = nil
	return s.t.emit(ctx, r)
}

// snapshot takes the initial snapshot as Debezium does: a global read lock
// (snapshot.locking.mode minimal or extended) while it starts a consistent
// snapshot transaction, reads the binlog position and the tables'
// structures, then (minimal) the lock is released and every captured
// table's rows are read in that transaction, as op=r records. It returns
// the position streaming starts from: changes committed after the
// snapshot's view, none lost or doubled.
func (t *Task) snapshot(ctx context.Context, p *startPlan) (offset, error) {
	conn, err := t.db.Conn(ctx)
	if err != nil {
		return offset{}, describe(err, t.st)
	}
	defer conn.Close()
	locked := false
	// lockConn holds the table read locks taken instead of the global
	// one; nil with the global lock (on conn).
	var lockConn *sql.Conn
	var lockedIDs []tables.ID
	unlock := func() {
		if locked {
			c := conn
			if lockConn != nil {
				c = lockConn
			}
			if _, err := c.ExecContext(context.WithoutCancel(ctx), "UNLOCK TABLES"); err != nil {
				t.log.Warn("releasing the snapshot's read lock", "error", err)
			}
			locked = false
		}
		if lockConn != nil {
			_ = lockConn.Close()
			lockConn = nil
		}
	}
	defer unlock()
	start := time.Now()
	if t.st.lockingMode != LockingNone {
		err := t.globalReadLock(ctx, conn)
		var refused *reloadRefused
		if errors.As(err, &refused) {
			// As Debezium: without RELOAD, the captured tables are
			// locked instead, on a connection of their own (LOCK
			// TABLES would end the snapshot's transaction).
			lockConn, lockedIDs, err = t.tableReadLocks(ctx, refused)
		}
		if err != nil {
			return offset{}, err
		}
		locked = true
		if lockConn != nil {
			t.log.Info("snapshot: no RELOAD privilege for the global read lock; the captured tables are read-locked instead (LOCK TABLES ... READ)", "tables", len(lockedIDs))
		} else {
			t.log.Info("snapshot: global read lock taken")
		}
	}
	for _, q := range []string{"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", "START TRANSACTION WITH CONSISTENT SNAPSHOT"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return offset{}, fmt.Errorf("snapshot: %s: %w", q, err)
		}
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // read-only transaction
	pos, err := t.snapshotPosition(ctx, conn)
	if err != nil {
		return offset{}, err
	}
	pos.TsSec = start.Unix()
	histPos := pos
	if p.from != nil { // recovery: the history is rebuilt at the offset
		histPos = *p.from
	} else {
		histPos.Snapshot = snapshotInitial
	}
	ids, err := t.snapshotTables(ctx, conn)
	if err != nil {
		return offset{}, err
	}
	if lockConn != nil {
		for _, id := range ids {
			if !slices.Contains(lockedIDs, id) {
				t.log.Warn("snapshot: a table created while the snapshot took its table locks is not locked: a DDL of it before its structure is read would not be seen", "table", id.String())
			}
		}
	}
	sn := &snapshotter{t: t}
	if err := t.snapshotSchemas(ctx, conn, ids, histPos, sn); err != nil {
		return offset{}, err
	}
	if t.st.lockingMode == LockingMinimal {
		unlock()
		t.log.Info("snapshot: global read lock released", "held", time.Since(start).Round(time.Millisecond))
	}
	if !p.schemaOnly {
		var captured []tables.ID
		for _, id := range ids {
			// As Debezium, the snapshot reads no rows of the signal table.
			if _, signal := t.captured(id); !signal {
				captured = append(captured, id)
			}
		}
		for i, id := range captured {
			if err := t.snapshotRows(ctx, conn, id, pos, i == 0, i == len(captured)-1, sn); err != nil {
				return offset{}, err
			}
		}
	}
	if p.from != nil {
		pos = *p.from
	}
	if err := sn.finish(ctx, t.offsetMap(pos)); err != nil {
		return offset{}, err
	}
	unlock()
	t.log.Info("snapshot done", "tables", len(ids), "took", time.Since(start).Round(time.Millisecond), "file", pos.File, "pos", pos.Pos)
	return pos, nil
}

// globalReadLock takes FLUSH TABLES WITH READ LOCK, waiting at most
// snapshot.lock.timeout.ms each time (lock_wait_timeout), three times.
func (t *Task) globalReadLock(ctx context.Context, conn *sql.Conn) error {
	secs := max(1, int(t.st.lockTimeout/time.Second))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET SESSION lock_wait_timeout = %d", secs)); err != nil {
		return fmt.Errorf("snapshot: setting lock_wait_timeout: %w", err)
	}
	const attempts = 3
	for i := 1; ; i++ {
		_, err := conn.ExecContext(ctx, "FLUSH TABLES WITH READ LOCK")
		if err == nil {
			return nil
		}
		switch c := mysqlconn.Code(err); {
		case c == 1227 || c == mysqlconn.ErAccessDenied:
			return &reloadRefused{user: t.st.user, err: err}
		case c == mysqlconn.ErLockWaitTimeout && i < attempts:
			t.log.Warn("snapshot: the global read lock waited too long (a long-running statement holds a table); trying again", "waited", t.st.lockTimeout, "attempt", i)
			select {
			case <-time.After(time.Duration(i) * time.Second):
			case <-ctx.Done():
				return ctx.Err()
			}
		case c == mysqlconn.ErLockWaitTimeout:
			return fmt.Errorf("snapshot: FLUSH TABLES WITH READ LOCK waited %v %d times: long-running statements keep tables open; retry later, raise snapshot.lock.timeout.ms, or set snapshot.locking.mode=none: %w", t.st.lockTimeout, attempts, err)
		default:
			return fmt.Errorf("taking the snapshot's global read lock (FLUSH TABLES WITH READ LOCK): %w", err)
		}
	}
}

// reloadRefused is FLUSH TABLES WITH READ LOCK refused for want of the
// RELOAD privilege.
type reloadRefused struct {
	user string
	err  error
}

func (e *reloadRefused) Error() string {
	return fmt.Sprintf("the snapshot's global read lock needs the RELOAD privilege (GRANT RELOAD ON *.* TO the user %s), or set snapshot.locking.mode=none: %v", e.user, e.err)
}

func (e *reloadRefused) Unwrap() error { return e.err }

// tableReadLocks read-locks the captured tables (LOCK TABLES ... READ,
// which needs the LOCK TABLES privilege) on a connection of its own, which
// it returns with the tables locked. Writes to these tables and DDL of
// them wait until it is released, so the snapshot transaction started
// meanwhile on another connection sees the tables as they are at the
// binlog position it reads; changes of other tables are not captured.
func (t *Task) tableReadLocks(ctx context.Context, refused *reloadRefused) (*sql.Conn, []tables.ID, error) {
	lc, err := t.db.Conn(ctx)
	if err != nil {
		return nil, nil, describe(err, t.st)
	}
	ids, err := t.snapshotTables(ctx, lc)
	if err == nil {
		_, err = lc.ExecContext(ctx, fmt.Sprintf("SET SESSION lock_wait_timeout = %d", max(1, int(t.st.lockTimeout/time.Second))))
	}
	if err != nil {
		_ = lc.Close()
		return nil, nil, fmt.Errorf("snapshot: preparing the table locks: %w", err)
	}
	if len(ids) == 0 {
		return lc, nil, nil
	}
	var b strings.Builder
	b.WriteString("LOCK TABLES ")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteID(id) + " READ")
	}
	if _, err := lc.ExecContext(ctx, b.String()); err != nil {
		_ = lc.Close()
		switch c := mysqlconn.Code(err); {
		case c == 1044 || c == 1142 || c == 1227 || c == mysqlconn.ErAccessDenied:
			return nil, nil, fmt.Errorf("the snapshot needs a read lock: FLUSH TABLES WITH READ LOCK was refused (%v) and LOCK TABLES ... READ of the captured tables too: GRANT RELOAD ON *.*, or LOCK TABLES on the captured databases, to the user %s, or set snapshot.locking.mode=none: %w", refused.err, t.st.user, err)
		case c == mysqlconn.ErLockWaitTimeout:
			return nil, nil, fmt.Errorf("snapshot: LOCK TABLES ... READ of the captured tables waited %v: a long-running statement or transaction holds one; retry later, raise snapshot.lock.timeout.ms, or set snapshot.locking.mode=none: %w", t.st.lockTimeout, err)
		default:
			return nil, nil, fmt.Errorf("snapshot: LOCK TABLES ... READ of the captured tables: %w", err)
		}
	}
	return lc, ids, nil
}

// snapshotPosition reads the binlog position the snapshot's transaction
// sees: MariaDB gives it exactly (binlog_snapshot_file/position, the
// position of the consistent snapshot, and BINLOG_GTID_POS for the GTIDs);
// MySQL's SHOW MASTER STATUS is exact while the global read lock holds.
func (t *Task) snapshotPosition(ctx context.Context, conn *sql.Conn) (offset, error) {
	var o offset
	if t.flavor == MariaDB {
		rows, err := conn.QueryContext(ctx, "SHOW STATUS LIKE 'binlog_snapshot_%'")
		if err != nil {
			return o, fmt.Errorf("snapshot: reading the binlog position: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return o, fmt.Errorf("snapshot: reading the binlog position: %w", err)
			}
			switch strings.ToLower(k) {
			case "binlog_snapshot_file":
				o.File = v
			case "binlog_snapshot_position":
				if _, err := fmt.Sscan(v, &o.Pos); err != nil {
					return o, fmt.Errorf("snapshot: binlog_snapshot_position %q: %w", v, err)
				}
			}
		}
		if err := rows.Err(); err != nil {
			return o, err
		}
		if o.File == "" {
			return o, errors.New("snapshot: the server gives no binlog position (binlog_snapshot_file is empty): is log_bin on?")
		}
		var g sql.NullString
		if err := conn.QueryRowContext(ctx, "SELECT BINLOG_GTID_POS(?, ?)", o.File, o.Pos).Scan(&g); err != nil {
			return o, fmt.Errorf("snapshot: reading the GTID position: %w", err)
		}
		o.GTIDs = g.String
		return o, nil
	}
	rows, err := conn.QueryContext(ctx, "SHOW MASTER STATUS")
	if err != nil {
		rows, err = conn.QueryContext(ctx, "SHOW BINARY LOG STATUS") // MySQL 8.4
	}
	if err != nil {
		return o, fmt.Errorf("snapshot: reading the binlog position (SHOW MASTER STATUS): %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		return o, errors.New("snapshot: SHOW MASTER STATUS is empty: is log_bin on?")
	}
	dest := make([]any, len(cols))
	vals := make([]sql.NullString, len(cols))
	for i := range dest {
		dest[i] = &vals[i]
	}
	if err := rows.Scan(dest...); err != nil {
		return o, fmt.Errorf("snapshot: reading the binlog position: %w", err)
	}
	for i, c := range cols {
		switch strings.ToLower(c) {
		case "file":
			o.File = vals[i].String
		case "position":
			if _, err := fmt.Sscan(vals[i].String, &o.Pos); err != nil {
				return o, fmt.Errorf("snapshot: binlog position %q: %w", vals[i].String, err)
			}
		case "executed_gtid_set":
			o.GTIDs = strings.NewReplacer("\n", "", "\r", "").Replace(vals[i].String)
		}
	}
	return o, rows.Err()
}

// snapshotTables lists the tables whose structure the snapshot records:
// the captured ones and the signal table.
func (t *Task) snapshotTables(ctx context.Context, conn *sql.Conn) ([]tables.ID, error) {
	rows, err := conn.QueryContext(ctx, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME")
	if err != nil {
		return nil, fmt.Errorf("snapshot: listing the tables: %w", err)
	}
	defer rows.Close()
	var ids []tables.ID
	for rows.Next() {
		var id tables.ID
		if err := rows.Scan(&id.DB, &id.Table); err != nil {
			return nil, fmt.Errorf("snapshot: listing the tables: %w", err)
		}
		if systemDatabases[strings.ToLower(id.DB)] {
			continue
		}
		if captured, _ := t.captured(id); captured {
			ids = append(ids, id)
		}
	}
	return ids, rows.Err()
}

// snapshotSchemas reads the databases' character sets and the tables'
// CREATE TABLE statements into the schema, storing their history records
// and queuing their schema change events.
func (t *Task) snapshotSchemas(ctx context.Context, conn *sql.Conn, ids []tables.ID, pos offset, sn *snapshotter) error {
	src := &events.Source{Timestamp: time.Now(), Snapshot: events.SnapshotTrue, File: pos.File, Pos: pos.Pos, Thread: -1}
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id.DB] {
			seen[id.DB] = true
			var cs string
			if err := conn.QueryRowContext(ctx, "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", id.DB).Scan(&cs); err != nil {
				return fmt.Errorf("snapshot: the character set of database %s: %w", id.DB, err)
			}
			t.schema.SetDatabaseCharset(id.DB, cs)
		}
		var name, ddl string
		if err := conn.QueryRowContext(ctx, "SHOW CREATE TABLE "+quoteID(id)).Scan(&name, &ddl); err != nil {
			return fmt.Errorf("snapshot: SHOW CREATE TABLE %s: %w", id, err)
		}
		changes, err := t.schema.Apply(t.parser, id.DB, ddl)
		if err != nil {
			return fmt.Errorf("snapshot: the structure of table %s: %w", id, err)
		}
		s := *src
		s.DB, s.Table = id.DB, id.Table
		if err := t.schemaChanges(ctx, changes, pos, &s, sn.push); err != nil {
			return err
		}
	}
	return nil
}

// quoteID quotes a table name for SQL.
func quoteID(id tables.ID) string {
	return "`" + strings.ReplaceAll(id.DB, "`", "``") + "`.`" + strings.ReplaceAll(id.Table, "`", "``") + "`"
}

// snapshotRows reads one table's rows in the snapshot's transaction and
// queues them as op=r records, streaming (no table is held in memory).
func (t *Task) snapshotRows(ctx context.Context, conn *sql.Conn, id tables.ID, pos offset, firstTable, lastTable bool, sn *snapshotter) error {
	et, err := t.eventTable(id)
	if err != nil {
		return err
	}
	if et == nil {
		return fmt.Errorf("snapshot: no structure for table %s", id)
	}
	began := time.Now()
	rows, err := conn.QueryContext(ctx, "SELECT "+et.SelectList()+" FROM "+quoteID(id))
	if err != nil {
		return fmt.Errorf("snapshot: reading table %s: %w", id, err)
	}
	defer rows.Close()
	off := pos
	off.Snapshot = snapshotInitial
	offMap := t.offsetMap(off)
	dest, raw := et.ScanDest()
	type row struct{ key, value *schemas.Struct }
	var prev *row
	n := 0
	flush := func(last bool) error {
		if prev == nil {
			return nil
		}
		first := n == 1
		mark := events.SnapshotTrue
		switch {
		case firstTable && first:
			mark = events.SnapshotFirst
		case lastTable && last:
			mark = events.SnapshotLast
		case first:
			mark = events.SnapshotFirstInDataCollection
		case last:
			mark = events.SnapshotLastInDataCollection
		}
		now := time.Now()
		src := t.ev.Source(&events.Source{Timestamp: now, Snapshot: mark, DB: id.DB, Table: id.Table, File: pos.File, Pos: pos.Pos, Thread: -1})
		env, err := et.Envelope(events.OpRead, nil, prev.value, src, now)
		if err != nil {
			return fmt.Errorf("snapshot: table %s: %w", id, err)
		}
		rec := connectors.SourceRecord{
			Record:          connectors.Record{Topic: et.Topic, KeySchema: et.KeySchema, ValueSchema: et.EnvelopeSchema, Value: env},
			SourcePartition: t.partition, SourceOffset: offMap,
		}
		if prev.key != nil {
			rec.Key = prev.key
		}
		return sn.push(ctx, rec)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("snapshot: reading table %s: %w", id, err)
		}
		key, value, err := et.RowFromSQL(raw)
		if err != nil {
			return fmt.Errorf("snapshot: table %s: %w", id, err)
		}
		if err := flush(false); err != nil {
			return err
		}
		n++
		prev = &row{key, value}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("snapshot: reading table %s: %w", id, err)
	}
	if err := flush(true); err != nil {
		return err
	}
	t.log.Info("snapshot: table read", "table", id.String(), "rows", n, "took", time.Since(began).Round(time.Millisecond))
	return nil
}
