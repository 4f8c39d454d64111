package mysqlcdc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/history"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/mysqlconn"
	"github.com/sluicehq/sluice/schemas"
)

// read runs the start plan: the snapshot or the history's recovery, then
// the binlog.
func (t *Task) read(ctx context.Context, p *startPlan) error {
	t.resetSchema()
	t.parser = parser.New()
	var from offset
	switch {
	case p.snapshot || p.schemaOnly:
		o, err := t.snapshot(ctx, p)
		if err != nil {
			return err
		}
		from = o
	case p.fromOldest:
		files, err := t.binlogFiles(ctx)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return errors.New("the server has no binlog files (SHOW BINARY LOGS is empty): is log_bin on?")
		}
		from = offset{File: files[0], Pos: 4}
	default:
		from = *p.from
		if p.recoverHistory {
			n := 0
			err := t.hist.Recover(ctx, from.toMap(), func(r history.Record) error {
				n++
				return r.ApplyTo(t.schema, t.parser)
			})
			if err != nil {
				return fmt.Errorf("recovering the schema from the history topic %s: %w", t.st.historyTopic, err)
			}
			t.log.Info("recovered the schema from the history", "records", n, "tables", len(t.schema.Tables()))
		}
	}
	if p.stopAfterSnapshot {
		t.log.Info("snapshot.mode=initial_only: the snapshot is done, the task reads no further")
		return errDone
	}
	if t.incr != nil {
		if err := t.incr.Start(ctx, p.stored, incrEnv{t}); err != nil {
			return err
		}
	}
	err := t.stream(ctx, from)
	var pe purgedError
	if errors.As(err, &pe) && t.st.snapshotMode == SnapshotWhenNeeded && !p.snapshot {
		t.log.Warn("the binlog at the stored offset is no longer on the server; taking a new snapshot (snapshot.mode=when_needed)", "file", from.File, "pos", from.Pos, "gtids", from.GTIDs)
		t.resetSchema()
		if from, err = t.snapshot(ctx, &startPlan{snapshot: true}); err != nil {
			return err
		}
		return t.stream(ctx, from)
	}
	return err
}

// purgedError is the server's answer when the binlog at the position
// asked for is gone.
type purgedError struct{ error }

func (e purgedError) Unwrap() error { return e.error }

// resetSchema starts an empty schema (before a snapshot or a recovery).
func (t *Task) resetSchema() {
	t.schema = tables.NewSchema(tables.Options{Filter: t.filter, Logger: t.log,
		SkipUnparseableDDL: t.st.skipBadDDL})
	t.evTable = map[tables.ID]*events.Table{}
}

// incrEnv is the task as the incremental snapshot engine sees it.
type incrEnv struct{ t *Task }

func (e incrEnv) Table(id tables.ID) *events.Table {
	if !e.t.filter.TableIncluded(id) {
		return nil
	}
	et, _ := e.t.eventTable(id)
	return et
}
func (e incrEnv) Partition() map[string]any { return e.t.partition }
func (e incrEnv) Offset() map[string]any    { return e.t.offsetMap(e.t.pos.offset()) }
func (e incrEnv) DB() *sql.DB               { return e.t.db }

// fatalError is an error that reconnecting cannot cure.
type fatalError struct{ err error }

func (e fatalError) Error() string { return e.err.Error() }
func (e fatalError) Unwrap() error { return e.err }

// stream reads the binlog from o, reconnecting with backoff (100 ms
// doubling up to connect.backoff.max.ms) when the connection is lost;
// each reconnect resumes at the position of the last event handled.
func (t *Task) stream(ctx context.Context, o offset) error {
	backoff := 100 * time.Millisecond
	for {
		progressed, err := t.streamOnce(ctx, o)
		if ctx.Err() != nil {
			return nil
		}
		var fe fatalError
		if errors.As(err, &fe) {
			return fe.err
		}
		if progressed {
			backoff = 100 * time.Millisecond
		}
		if t.pos != nil { // nil until the first connection succeeded
			o = t.pos.resume()
		}
		t.log.Warn("the binlog connection was lost; reconnecting", "file", o.File, "pos", o.Pos, "event", o.Event, "backoff", backoff, "error", firstLine(err))
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return nil
		}
		backoff = min(2*backoff, t.st.backoffMax)
	}
}

// connectionError says whether err is about the connection (lost, reset,
// timed out, refused), which reconnecting may cure.
func connectionError(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var me *mysql.MyError
	if errors.As(err, &me) {
		return true // the server's answers worth a retry (classify took the others)
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"connection", "eof", "broken pipe", "timeout", "reset by peer", "closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// undecodable is the error of an event go-mysql cannot decode after r.
func undecodable(r offset, err error) error {
	return fmt.Errorf("reading the binlog after file %s position %d: an event cannot be decoded: %s (a rows event without its table map means the position is inside a transaction: an offset Debezium's MySqlConnector wrote while reading MariaDB? start from a MariaDbConnector offset or a new snapshot)", r.File, r.Pos, decodeError(err))
}

// decodeError is go-mysql's message for an event it cannot decode without
// the event's bytes (row data has no place in logs and traces).
func decodeError(err error) string {
	m := firstLine(err)
	if i := strings.LastIndex(m, "Err: "); i >= 0 {
		return m[i+len("Err: "):]
	}
	if strings.Contains(m, "Data ") {
		return "the binlog event is malformed"
	}
	return m
}

// firstLine is an error's message without the stack trace go-mysql's
// errors carry after it.
func firstLine(err error) string {
	if err == nil {
		return ""
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// syncerConfig is the binlog client's configuration.
func (t *Task) syncerConfig() replication.BinlogSyncerConfig {
	st := t.st
	// No ReadTimeout: go-mysql would reset the connection's read deadline
	// for every packet, about 5 % of the worker's CPU when streaming.
	// streamOnce takes a connection silent (no event, no heartbeat) for
	// silenceLimit as dead instead, and its dialer bounds the handshake.
	cfg := replication.BinlogSyncerConfig{
		ServerID:         st.serverID,
		Flavor:           string(t.flavor),
		Host:             st.host,
		Port:             uint16(st.port),
		User:             st.user,
		Password:         st.password,
		HeartbeatPeriod:  st.keepAlive,
		DisableRetrySync: true, // stream() reconnects, from the last event handled
		EventCacheCount:  256,
		Logger:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if t.binlogTLS {
		cfg.TLSConfig = st.tls.Clone()
	}
	if st.includeQuery && t.flavor == MariaDB {
		// MariaDB sends ANNOTATE_ROWS events only when asked, and Debezium
		// asks only with include.query: the events count in the offsets'
		// "event", so sluice asks exactly when Debezium does.
		cfg.DumpCommandFlag |= replication.BINLOG_SEND_ANNOTATE_ROWS_EVENT
	}
	events.SyncerOptions(&cfg)
	return cfg
}

// streamOnce reads from o until an error. progressed says whether an
// event was handled.
func (t *Task) streamOnce(ctx context.Context, o offset) (progressed bool, err error) {
	var gset mysql.GTIDSet
	if o.GTIDs != "" {
		if gset, err = parseGTIDSet(t.flavor, o.GTIDs); err != nil {
			return false, fatalError{err}
		}
	} else if gset, err = parseGTIDSet(t.flavor, ""); err != nil {
		return false, fatalError{err}
	}
	limit := t.silenceLimit()
	cfg := t.syncerConfig()
	var (
		dialMu sync.Mutex
		conns  []net.Conn
	)
	cfg.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		// Bounds the handshake and the dump command (and the KILL of the
		// dump connection on close); cleared once the stream is open.
		if err := c.SetDeadline(time.Now().Add(limit)); err != nil {
			c.Close()
			return nil, err
		}
		dialMu.Lock()
		conns = append(conns, c)
		dialMu.Unlock()
		return c, nil
	}
	syncer := replication.NewBinlogSyncer(cfg)
	defer syncer.Close()
	// With a GTID set the server is asked for the transactions after it,
	// as Debezium does: the same transaction as file/pos on this server,
	// and the right one on a new primary after a failover, where the same
	// file name may hold other transactions.
	var streamer *replication.BinlogStreamer
	if o.GTIDs != "" {
		streamer, err = syncer.StartSyncGTID(gset.Clone())
	} else {
		streamer, err = syncer.StartSync(mysql.Position{Name: o.File, Pos: uint32(o.Pos)})
	}
	if err != nil {
		return false, t.classify(err, o)
	}
	dialMu.Lock()
	for _, c := range conns {
		// The silence check below takes over; an error means the
		// connection is closed, which the reader reports.
		_ = c.SetDeadline(time.Time{})
	}
	dialMu.Unlock()
	t.pos = newTracker(o, gset)
	t.dumpConn.Store(syncer.LastConnectionID())
	t.streamingOnce.Do(func() { close(t.streaming) })
	t.log.Info("reading the binlog", "file", o.File, "pos", o.Pos, "event", o.Event, "row", o.Row, "gtids", o.GTIDs)
	idle := t.idleInterval()
	// One deadline per idle interval, not per event (a timer per event
	// costs more than the event): when it passes, heartbeats and the
	// incremental snapshot get their turn, whether events flow or not.
	cancel := context.CancelFunc(func() {})
	defer func() { cancel() }()
	deadline := func() context.Context {
		cancel()
		var c context.Context
		c, cancel = context.WithTimeout(ctx, idle)
		return c
	}
	gctx := deadline()
	// silent is how long no event came, counted in whole idle intervals;
	// seen says whether one came in the current interval.
	var silent time.Duration
	seen := false
	for {
		ev, err := streamer.GetEvent(gctx)
		if err != nil {
			if ctx.Err() != nil {
				return progressed, ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				if seen {
					silent = 0
				} else if silent += idle; silent >= limit {
					return progressed, fmt.Errorf("no binlog event or heartbeat from the server for %s (%s=%d: twice that and 5 s): the connection is taken as dead", silent, KeepAliveIntervalKey, t.st.keepAlive.Milliseconds())
				}
				seen = false
				gctx = deadline()
				if err := t.idle(ctx); err != nil {
					return progressed, fatalError{err}
				}
				continue
			}
			err = t.classify(err, t.pos.resume())
			var fe fatalError
			if !errors.As(err, &fe) && !connectionError(err) {
				// Not the connection: an event go-mysql cannot decode, which
				// reading it again would not cure.
				return progressed, fatalError{undecodable(t.pos.resume(), err)}
			}
			return progressed, err
		}
		seen = true
		if err := t.handle(ctx, ev); err != nil {
			if ctx.Err() != nil {
				return progressed, ctx.Err()
			}
			return progressed, fatalError{err}
		}
		switch ev.Event.(type) {
		case *replication.RotateEvent, *replication.FormatDescriptionEvent, *replication.HeartbeatEvent:
			// sent at every connect: no progress, the backoff goes on
		default:
			progressed = true
		}
		if err := t.heartbeatIfDue(ctx); err != nil {
			return progressed, fatalError{err}
		}
	}
}

// silenceLimit is how long a binlog connection may send nothing, not even
// a heartbeat (the server sends one every connect.keep.alive.interval.ms
// when it has no event), before it is taken as dead: twice the interval
// and 5 s.
func (t *Task) silenceLimit() time.Duration { return 2*t.st.keepAlive + 5*time.Second }

// idleInterval is how long the reader waits for an event before it sends
// a heartbeat if one is due, lets the incremental snapshot go on and
// counts the silence: heartbeat.interval.ms when shorter than a second,
// else a second (a longer interval would notice a dead connection only
// at the next heartbeat, not after silenceLimit).
func (t *Task) idleInterval() time.Duration {
	if t.st.heartbeat > 0 && t.st.heartbeat < time.Second {
		return t.st.heartbeat
	}
	return time.Second
}

// idle runs when no event came for idleInterval.
func (t *Task) idle(ctx context.Context) error {
	if t.incr != nil {
		recs, err := t.incr.Idle(ctx)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := t.emit(ctx, r); err != nil {
				return err
			}
		}
	}
	return t.heartbeatIfDue(ctx)
}

// classify tells the errors a reconnect cannot cure (the binlog purged,
// another replica with the same server id, no privilege) from the others.
// Only a lost or refused connection is retried: go-mysql reports an event
// it cannot decode as the stream's error too, and reading it again would
// fail again, forever.
func (t *Task) classify(err error, o offset) error {
	var me *mysql.MyError
	if !errors.As(err, &me) {
		if connectionError(err) || errors.Is(err, mysql.ErrBadConn) || errors.Is(err, replication.ErrSyncClosed) ||
			errors.Is(err, replication.ErrNeedSyncAgain) || mysqlconn.Retriable(err) {
			return err
		}
		return fatalError{undecodable(o, err)}
	}
	msg := strings.ToLower(me.Message)
	switch {
	case strings.Contains(msg, "same server_uuid/server_id") || strings.Contains(msg, "same server_id") || strings.Contains(msg, "same server id"):
		return fatalError{fmt.Errorf("another replica connected to the server with database.server.id %d, and the server dropped this connector's connection: give each connector and replica its own database.server.id (%w)", t.st.serverID, me)}
	case me.Code == 1236 && (strings.Contains(msg, "could not find first log file") || strings.Contains(msg, "purged") || strings.Contains(msg, "could not find gtid") || strings.Contains(msg, "binlog truncated")):
		return fatalError{purgedError{fmt.Errorf("the binlog at the connector's position (file %s, position %d, GTIDs %q) is no longer on the server (purged): changes after it are lost to the connector; set snapshot.mode=when_needed to take a new snapshot, or delete the connector's offsets (%w)", o.File, o.Pos, o.GTIDs, me)}}
	case me.Code == 1236:
		return fatalError{fmt.Errorf("the server refused to send the binlog from file %s, position %d: %w", o.File, o.Pos, me)}
	case me.Code == 1045:
		return fatalError{fmt.Errorf("the server refused the binlog connection: database.user %s or database.password is wrong (changed since the task started?): %w", t.st.user, me)}
	case me.Code == 1227 || me.Code == 1044:
		return fatalError{fmt.Errorf("the server refused the binlog connection for user %s (it needs REPLICATION SLAVE and REPLICATION CLIENT/BINLOG MONITOR): %w", t.st.user, me)}
	}
	return err
}

// handle handles one binlog event.
func (t *Task) handle(ctx context.Context, ev *replication.BinlogEvent) error {
	h := ev.Header
	switch e := ev.Event.(type) {
	case *replication.RotateEvent:
		t.pos.rotate(string(e.NextLogName), int64(e.Position))
		return nil
	case *replication.FormatDescriptionEvent, *replication.HeartbeatEvent:
		return nil // no position of their own (heartbeats, fake events)
	case *replication.GtidTaggedLogEvent:
		return t.handle(ctx, &replication.BinlogEvent{Header: h, Event: &e.GTIDEvent, RawData: ev.RawData})
	case *replication.TransactionPayloadEvent:
		return t.payload(ctx, h, e)
	case *replication.GenericEvent:
		if h.EventType != replication.XA_PREPARE_LOG_EVENT || h.LogPos == 0 {
			return nil
		}
	}
	if h.LogPos > 0 {
		var ts time.Time
		if h.Timestamp > 0 {
			ts = time.Unix(int64(h.Timestamp), 0)
		}
		t.pos.event(int64(h.LogPos)-int64(h.EventSize), int64(h.EventSize), h.ServerID, ts)
	}
	switch e := ev.Event.(type) {
	case *replication.MariadbGTIDEvent:
		set, ok := t.pos.gtids.(*mysql.MariadbGTIDSet)
		if !ok {
			return fmt.Errorf("a MariaDB GTID event from a %s server", t.flavor)
		}
		g := e.GTID
		g.ServerID = h.ServerID
		if err := set.AddSet(&g); err != nil {
			return fmt.Errorf("GTID %s: %w", g.String(), err)
		}
		t.pos.startGTID(g.String(), set)
		t.pos.begin(e.IsStandalone())
		t.warnStaleSkip()
	case *replication.GTIDEvent:
		if len(e.SID) != 16 {
			return fmt.Errorf("binlog file %s position %d: a GTID event with a %d-byte server UUID", t.pos.file, t.pos.eventPos, len(e.SID))
		}
		b := e.SID
		if strings.Trim(string(b), "\x00") == "" {
			// MySQL's ANONYMOUS_GTID event (gtid_mode=OFF): no GTID.
			t.pos.gtid = ""
			break
		}
		g := fmt.Sprintf("%x-%x-%x-%x-%x:%d", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16], e.GNO)
		if tag := e.Tag.String(); tag != "" { // MySQL 8.4's tagged GTID: uuid:tag:gno
			g = fmt.Sprintf("%x-%x-%x-%x-%x:%s:%d", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16], tag, e.GNO)
		}
		if err := t.pos.gtids.Update(g); err != nil {
			return fmt.Errorf("GTID %s: %w", g, err)
		}
		t.pos.startGTID(g, t.pos.gtids)
	case *replication.QueryEvent:
		if err := t.query(ctx, e); err != nil {
			return err
		}
	case *replication.XIDEvent:
		t.pos.commit()
	case *replication.GenericEvent: // XA_PREPARE_LOG_EVENT
		// XA PREPARE ends the event group of an XA transaction; its XA
		// COMMIT or XA ROLLBACK comes later in a group of its own.
		t.pos.commit()
	case *replication.MariadbAnnotateRowsEvent:
		if t.st.includeQuery {
			t.pos.query = string(e.Query)
		}
	case *replication.RowsQueryEvent:
		if t.st.includeQuery {
			t.pos.query = string(e.Query)
		}
	case *replication.RowsEvent:
		if err := t.rows(ctx, h, e); err != nil {
			return err
		}
	}
	t.pos.completeEvent()
	return nil
}

// payload handles a compressed transaction (MySQL's
// binlog_transaction_compression=ON: one TRANSACTION_PAYLOAD event holding
// the transaction's events, which go-mysql decompresses): its events in
// order, each at the payload's position and counted as an event of the
// transaction, so that a restart inside it skips what was sent.
func (t *Task) payload(ctx context.Context, h *replication.EventHeader, e *replication.TransactionPayloadEvent) error {
	for i, in := range e.Events {
		if in == nil || in.Header == nil {
			return fmt.Errorf("binlog file %s position %d: compressed transaction event %d is empty", t.pos.file, int64(h.LogPos)-int64(h.EventSize), i)
		}
		if _, nested := in.Event.(*replication.TransactionPayloadEvent); nested {
			return fmt.Errorf("binlog file %s position %d: a compressed transaction inside a compressed transaction", t.pos.file, int64(h.LogPos)-int64(h.EventSize))
		}
		ih := *in.Header
		ih.LogPos, ih.EventSize = h.LogPos, h.EventSize
		if ih.Timestamp == 0 {
			ih.Timestamp = h.Timestamp
		}
		if ih.ServerID == 0 {
			ih.ServerID = h.ServerID
		}
		if err := t.handle(ctx, &replication.BinlogEvent{Header: &ih, Event: in.Event, RawData: in.RawData}); err != nil {
			return err
		}
	}
	return nil
}

// warnStaleSkip logs when a restart's offset said to skip events of a
// transaction at a position where none starts: the skip is dropped, not
// carried into another transaction (whose changes it would lose).
func (t *Task) warnStaleSkip() {
	if s := t.pos.staleSkip; s != nil {
		t.pos.staleSkip = nil
		t.log.Warn("the stored offset's transaction does not start at its position: reading on without skipping", "file", s.File, "pos", s.Pos, "event", s.Event, "row", s.Row, "transaction_pos", t.pos.eventPos)
	}
}

// query handles a QUERY event: a transaction's BEGIN or COMMIT, or a
// statement (DDL) to apply to the schema.
func (t *Task) query(ctx context.Context, e *replication.QueryEvent) error {
	sql := strings.TrimSpace(string(e.Query))
	switch {
	case strings.EqualFold(sql, "BEGIN"):
		if !t.pos.inTxn {
			t.pos.begin(false)
			t.warnStaleSkip()
		}
		t.pos.thread = int64(e.SlaveProxyID)
		return nil
	case strings.EqualFold(sql, "COMMIT"), strings.EqualFold(sql, "ROLLBACK"):
		t.pos.commit()
		return nil
	case len(sql) >= 3 && strings.EqualFold(sql[:3], "XA "):
		// XA START and XA END belong to the transaction; XA COMMIT and XA
		// ROLLBACK of a prepared transaction are a group of their own,
		// and XA COMMIT ... ONE PHASE ends its transaction.
		w := strings.Fields(strings.ToUpper(sql))
		switch {
		case len(w) > 1 && (w[1] == "COMMIT" || w[1] == "ROLLBACK"):
			t.pos.commit()
		case len(w) > 1 && (w[1] == "START" || w[1] == "BEGIN") && !t.pos.inTxn:
			// MySQL's XA transaction starts here (MariaDB's at its GTID
			// event): its table maps and rows are one group, so that no
			// offset falls between a table map and its rows.
			t.pos.begin(false)
			t.warnStaleSkip()
		}
		return nil
	}
	t.pos.thread = int64(e.SlaveProxyID)
	inTxn := t.pos.inTxn && !t.pos.standalone // a DDL inside a transaction: CREATE TABLE ... SELECT
	if inTxn && t.pos.skipEvent() {
		// Applied, recorded in the history (replayed at start) and sent
		// before the restart.
		return nil
	}
	if err := t.statementChange(string(e.Schema), sql); err != nil {
		return err
	}
	changes, err := t.schema.Apply(t.parser, string(e.Schema), sql)
	if err != nil {
		return fmt.Errorf("binlog file %s position %d: %w", t.pos.file, t.pos.eventPos, err)
	}
	if !inTxn {
		t.pos.commit()
	}
	if len(changes) == 0 {
		return nil
	}
	o := t.pos.offset()
	if inTxn {
		// The statement counts as handled: a restart from this offset
		// skips it (its history record is replayed instead).
		o.Event, o.Row = o.Event+1, 0
	}
	src := t.source(tables.ID{DB: string(e.Schema)}, 0)
	return t.schemaChanges(ctx, changes, o, src, t.emit)
}

// schemaChanges stores the history records of changes, synchronously,
// then queues their schema change events (include.schema.changes).
func (t *Task) schemaChanges(ctx context.Context, changes []tables.Change, o offset, src *events.Source, emit func(context.Context, connectors.SourceRecord) error) error {
	pos := o.toMap()
	now := time.Now()
	for _, c := range changes {
		delete(t.evTable, c.ID)
		if c.PreviousID != nil {
			delete(t.evTable, *c.PreviousID)
		}
		if err := t.hist.Store(ctx, history.NewRecord(t.st.prefix, pos, now.UnixMilli(), c)); err != nil {
			return fmt.Errorf("storing the schema history record of %q: %w", truncate(c.DDL), err)
		}
	}
	if !t.st.schemaChanges {
		return nil
	}
	for _, c := range changes {
		if c.Type == tables.ChangeTruncate {
			continue
		}
		if captured, _ := t.captured(c.ID); c.Type != tables.ChangeDatabase && !captured {
			continue
		}
		sc := &events.SchemaChange{Source: t.ev.Source(src), Timestamp: now, DB: c.DB, DDL: c.DDL}
		if c.Type != tables.ChangeDatabase {
			tbl := c.Table
			if tbl == nil {
				tbl = &tables.Table{ID: c.ID}
			}
			sc.Changes = []events.TableChange{{Type: events.TableChangeType(c.Type), Table: tbl}}
		}
		key, value, err := t.ev.SchemaChange(sc)
		if err != nil {
			return fmt.Errorf("schema change event of %q: %w", truncate(c.DDL), err)
		}
		rec := connectors.SourceRecord{
			Record: connectors.Record{Topic: t.ev.SchemaChangeTopic(), KeySchema: t.ev.SchemaChangeKeySchema(), Key: key,
				ValueSchema: t.ev.SchemaChangeValueSchema(), Value: value},
			SourcePartition: t.partition, SourceOffset: t.offsetMap(o),
		}
		if err := emit(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

// truncate shortens a statement for an error message.
func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// source is the source block of the current event.
func (t *Task) source(id tables.ID, row int) *events.Source {
	p := t.pos
	return &events.Source{Timestamp: p.ts, DB: id.DB, Table: id.Table, ServerID: int64(p.serverID), GTID: p.gtid,
		File: p.file, Pos: p.eventPos, Row: int32(row), Thread: p.thread, Query: p.query}
}

// offsetMap is an offset as records carry it, with the incremental
// snapshot's state.
func (t *Task) offsetMap(o offset) map[string]any {
	m := o.toMap()
	if t.incr != nil {
		t.incr.Offset(m)
	}
	return m
}

// eventTable returns the event builder of a table, made from the schema
// when first needed after a change; nil when the schema does not know the
// table.
func (t *Task) eventTable(id tables.ID) (*events.Table, error) {
	if et, ok := t.evTable[id]; ok {
		return et, nil
	}
	tbl := t.schema.Table(id)
	if tbl == nil {
		return nil, nil
	}
	et, err := t.ev.Table(tbl, func(col string) bool { return t.filter.ColumnIncluded(id, col) })
	if err != nil {
		return nil, err
	}
	t.evTable[id] = et
	return et, nil
}

// captured says whether a table is captured (its changes and schema
// changes emitted): selected by the filters, or the signal table, which
// Debezium adds to the filters (RelationalTableFilters), so that its rows,
// watermarks included, go to <prefix>.<db>.<table>. signal says it is the
// signal table, whose rows the snapshot does not read.
func (t *Task) captured(id tables.ID) (captured, signal bool) {
	if c, ok := t.capturedCache[id]; ok {
		return c[0], c[1]
	}
	signal = t.st.signalTable != "" && strings.EqualFold(id.String(), t.st.signalTable)
	captured = signal || t.filter.TableIncluded(id)
	if t.capturedCache == nil {
		t.capturedCache = map[tables.ID][2]bool{}
	}
	if len(t.capturedCache) < 100_000 { // bounded: a server may have any number of tables
		t.capturedCache[id] = [2]bool{captured, signal}
	}
	return captured, signal
}

// rows turns a rows event into records: one per inserted, updated or
// deleted row (a delete followed by a tombstone; an update that changes
// the primary key as a delete, a tombstone and a create, as Debezium).
func (t *Task) rows(ctx context.Context, h *replication.EventHeader, e *replication.RowsEvent) error {
	if t.pos.skipEvent() {
		return nil // emitted before the restart
	}
	start := int(t.pos.firstRow())
	if e.Table == nil {
		return fmt.Errorf("binlog file %s position %d: a rows event without its table map", t.pos.file, t.pos.eventPos)
	}
	id := tables.ID{DB: string(e.Table.Schema), Table: string(e.Table.Table)}
	if captured, _ := t.captured(id); !captured {
		return nil
	}
	for _, skipped := range e.SkippedColumns {
		if len(skipped) > 0 {
			// A session's binlog_row_image=MINIMAL or NOBLOB: the change
			// cannot be told complete (an update would erase columns).
			return fmt.Errorf("binlog file %s position %d: the change of table %s lacks %d of its columns: it was logged with binlog_row_image other than FULL (set for the session that made it?); change data capture needs binlog_row_image=FULL for every change of a captured table", t.pos.file, t.pos.eventPos, id, len(skipped))
		}
	}
	et, err := t.eventTable(id)
	if err != nil {
		return err
	}
	if et == nil {
		return fmt.Errorf("binlog file %s position %d: a change of table %s, whose structure the schema history does not know (was it created before the snapshot's position without being captured?)", t.pos.file, t.pos.eventPos, id)
	}
	if n := len(et.Table().Columns); int(e.ColumnCount) != n {
		return fmt.Errorf("binlog file %s position %d: the change of table %s has %d columns, the table's structure in the schema history %d: the history and the binlog disagree (inconsistent schema)", t.pos.file, t.pos.eventPos, id, e.ColumnCount, n)
	}
	var op events.Op
	step := 1
	switch e.Type() {
	case replication.EnumRowsEventTypeInsert:
		op = events.OpCreate
	case replication.EnumRowsEventTypeUpdate:
		op, step = events.OpUpdate, 2
	case replication.EnumRowsEventTypeDelete:
		op = events.OpDelete
	default:
		return fmt.Errorf("binlog file %s position %d: rows event of unknown type %v", t.pos.file, t.pos.eventPos, h.EventType)
	}
	n := len(e.Rows) / step
	now := time.Now()
	for r := start; r < n; r++ {
		src := t.ev.Source(t.source(id, r))
		after := t.offsetMap(t.pos.offsetAt(int64(r + 1)))
		var recs []connectors.SourceRecord
		var key, value *schemas.Struct
		add := func(op events.Op, key, before, after *schemas.Struct, hdr connectors.Headers, off map[string]any) error {
			env, err := et.Envelope(op, before, after, src, now)
			if err != nil {
				return fmt.Errorf("table %s: %w", id, err)
			}
			rec := connectors.SourceRecord{
				Record:          connectors.Record{Topic: et.Topic, KeySchema: et.KeySchema, ValueSchema: et.EnvelopeSchema, Value: env, Headers: hdr},
				SourcePartition: t.partition, SourceOffset: off,
			}
			if key != nil {
				rec.Key = key
			}
			recs = append(recs, rec)
			if op == events.OpDelete && t.st.tombstones {
				recs = append(recs, events.Tombstone(rec))
			}
			return nil
		}
		switch op {
		case events.OpCreate, events.OpDelete:
			k, v, err := et.FromBinlog(e.Rows[r])
			if err != nil {
				return fmt.Errorf("binlog file %s position %d row %d: %w", t.pos.file, t.pos.eventPos, r, err)
			}
			key, value = k, v
			if op == events.OpCreate {
				err = add(op, k, nil, v, nil, after)
			} else {
				err = add(op, k, v, nil, nil, after)
				value = nil
			}
			if err != nil {
				return err
			}
		case events.OpUpdate:
			bk, bv, err := et.FromBinlog(e.Rows[2*r])
			if err == nil {
				key, value, err = et.FromBinlog(e.Rows[2*r+1])
			}
			if err != nil {
				return fmt.Errorf("binlog file %s position %d row %d: %w", t.pos.file, t.pos.eventPos, r, err)
			}
			if bk != nil && !bk.Equal(key) {
				// The primary key changed: the old key is deleted, the
				// new one created. Only the last record may say the row
				// is done: a restart after the delete redoes the row.
				// As Debezium, the delete and its tombstone carry the
				// new key (__debezium.newkey), the create the old.
				if err := add(events.OpDelete, bk, bv, nil, keyHeader(headerNewKey, et.KeySchema, key), after); err != nil {
					return err
				}
				err = add(events.OpCreate, key, nil, value, keyHeader(headerOldKey, et.KeySchema, bk), after)
			} else {
				err = add(events.OpUpdate, key, bv, value, nil, after)
			}
			if err != nil {
				return err
			}
		}
		// Every record but the row's last resumes at the row itself.
		if len(recs) > 1 {
			before := t.offsetMap(t.pos.offsetAt(int64(r)))
			for i := 0; i < len(recs)-1; i++ {
				recs[i].SourceOffset = before
			}
		}
		if t.incr != nil {
			if recs, err = t.incr.Change(ctx, id, op, key, value, recs); err != nil {
				return err
			}
		}
		for _, rec := range recs {
			if err := t.emit(ctx, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// heartbeatIfDue queues a heartbeat, with the current offset, when
// heartbeat.interval.ms has passed since the last.
func (t *Task) heartbeatIfDue(ctx context.Context) error {
	if t.st.heartbeat <= 0 || t.pos == nil {
		return nil
	}
	now := time.Now()
	if now.Sub(t.lastHB) < t.st.heartbeat {
		return nil
	}
	t.lastHB = now
	return t.sendHeartbeat(ctx, t.offsetMap(t.pos.offset()))
}

// sendHeartbeat queues a heartbeat record with the offset off.
func (t *Task) sendHeartbeat(ctx context.Context, off map[string]any) error {
	key, value := t.ev.Heartbeat(time.Now())
	topic := t.st.heartbeatPfx + "." + t.st.prefix
	return t.enqueue(ctx, connectors.SourceRecord{
		Record: connectors.Record{Topic: topic, KeySchema: t.ev.HeartbeatKeySchema(), Key: key,
			ValueSchema: t.ev.HeartbeatValueSchema(), Value: value},
		SourcePartition: t.partition, SourceOffset: off,
	})
}
