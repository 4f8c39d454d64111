package mysqlcdc

import (
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
)

// tracker follows the binlog position as Debezium's BinlogOffsetContext
// does, so that every record carries an offset to resume from: the start
// of the current transaction (file, pos, the GTID set completed before
// it), the events of that transaction already handled and the rows of the
// current rows event already emitted.
type tracker struct {
	file string
	// restartPos is where a restart reads from: the current transaction's
	// first event, or the next event outside a transaction.
	restartPos int64
	// restartGTIDs is the GTID set completed before the current
	// transaction; gtids the set including it.
	restartGTIDs string
	gtids        mysql.GTIDSet
	events       int64 // events of the transaction handled (restart skips them)
	rows         int64 // rows of the current rows event emitted
	inTxn        bool
	// standalone is set for a MariaDB transaction of one statement (a DDL):
	// it ends with that statement.
	standalone bool

	// What the source block says of the current event.
	eventPos  int64
	eventSize int64
	serverID  uint32
	ts        time.Time
	gtid      string
	thread    int64
	query     string

	// skipEvents and skipRows are what a restart skips of the first
	// transaction: the offset's event and row.
	skipEvents int64
	skipRows   int64
	skipping   bool
	// stored is the offset the tracker started at: the skip applies to
	// the transaction starting at its file and pos only. staleSkip is set
	// when another transaction started first (the skip is dropped).
	stored    offset
	staleSkip *offset
}

// newTracker starts at a stored offset.
func newTracker(o offset, gtids mysql.GTIDSet) *tracker {
	return &tracker{
		file: o.File, restartPos: o.Pos, restartGTIDs: o.GTIDs, gtids: gtids,
		skipEvents: o.Event, skipRows: o.Row, thread: -1, stored: o,
	}
}

// rotate is a ROTATE event: reading goes on in file at pos.
func (t *tracker) rotate(file string, pos int64) {
	t.file, t.restartPos = file, pos
	t.events, t.rows = 0, 0
}

// event records the position of an event about to be handled.
func (t *tracker) event(start, size int64, serverID uint32, ts time.Time) {
	t.eventPos, t.eventSize, t.serverID, t.ts = start, size, serverID, ts
	if !t.inTxn {
		t.restartPos = start + size
		t.events, t.rows = 0, 0
	}
}

// begin starts a transaction at the current event (a BEGIN query, or
// MariaDB's GTID event).
func (t *tracker) begin(standalone bool) {
	t.restartPos = t.eventPos
	t.events, t.rows = 0, 0
	t.inTxn, t.standalone = true, standalone
	t.query = ""
	t.thread = -1 // MySQL's BEGIN names it; MariaDB's GTID event does not
	// Resumed by GTIDs, the server starts at the stored transaction
	// (wherever it is on this server); by file and position, it must
	// start at the stored position.
	if (t.skipEvents > 0 || t.skipRows > 0) && t.stored.GTIDs == "" && (t.eventPos != t.stored.Pos || t.file != t.stored.File) {
		s := t.stored
		t.staleSkip = &s
		t.skipEvents, t.skipRows = 0, 0
	}
	if t.skipEvents > 0 {
		t.skipping = true
	}
}

// startGTID notes the GTID of the transaction starting (MySQL's GTID
// event comes before its BEGIN, MariaDB's is its start).
func (t *tracker) startGTID(g string, set mysql.GTIDSet) {
	t.gtid = g
	t.gtids = set
}

// commit ends the transaction at the current event (XID, COMMIT, or the
// statement of a standalone transaction).
func (t *tracker) commit() {
	if t.gtids != nil {
		t.restartGTIDs = t.gtids.String()
	}
	t.restartPos = t.eventPos + t.eventSize
	t.events, t.rows = 0, 0
	t.inTxn, t.standalone = false, false
	t.query = ""
	t.skipping, t.skipEvents, t.skipRows = false, 0, 0
}

// completeEvent counts the event as handled; a restart skipping events
// counts down.
func (t *tracker) completeEvent() {
	t.rows = 0
	if !t.inTxn {
		return
	}
	t.events++
	if t.skipping {
		t.skipEvents--
		t.skipping = t.skipEvents > 0
	}
}

// skipEvent says whether the current rows event was already emitted
// before the restart.
func (t *tracker) skipEvent() bool { return t.skipping }

// firstRow is the row of the current rows event to start at (the rows a
// restart skips), reset once used.
func (t *tracker) firstRow() int64 {
	r := t.skipRows
	t.skipRows = 0
	return r
}

// offsetAt is the offset with rows rows of the current event emitted.
func (t *tracker) offsetAt(rows int64) offset {
	var ts int64
	if !t.ts.IsZero() {
		ts = t.ts.Unix()
	}
	o := offset{
		File: t.file, Pos: t.restartPos, GTIDs: t.restartGTIDs,
		Event: t.events, Row: rows, TsSec: ts, ServerID: int64(t.serverID),
	}
	if t.skipEvents > 0 || t.skipRows > 0 {
		// A restart still skipping what was sent before it: the offset
		// may not go back before the stored one (a heartbeat or a
		// reconnect would send those changes again).
		if !t.inTxn {
			return t.stored // the stored transaction has not begun yet
		}
		o.Event = t.events + t.skipEvents
		o.Row = max(rows, t.skipRows)
	}
	return o
}

// offset is the offset to resume from now.
func (t *tracker) offset() offset { return t.offsetAt(t.rows) }

// resume is where a reconnect starts reading and what it skips: the
// current offset.
func (t *tracker) resume() offset { return t.offset() }
