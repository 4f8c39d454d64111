package mysqlcdc

import (
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/testkit"
)

// TestStaleSkipDropped: a stored offset that says to skip events of the
// transaction at its position skips nothing of a transaction that starts
// elsewhere (it would lose that transaction's changes), and says so;
// resumed by GTIDs, the server starts at the stored transaction wherever
// it is.
func TestStaleSkipDropped(t *testing.T) {
	for _, tc := range []struct {
		name      string
		file      string
		pos       int64
		wantSkip  bool
		wantStale bool
		gtids     string
	}{
		{"at the stored position", "bin.000001", 100, true, false, ""},
		{"elsewhere in the file", "bin.000001", 300, false, true, ""},
		{"in another file", "bin.000002", 100, false, true, ""},
		{"resumed by GTIDs", "bin.000002", 300, true, false, "0-1-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := mysql.ParseGTIDSet(mysql.MariaDBFlavor, tc.gtids)
			if err != nil {
				t.Fatal(err)
			}
			tr := newTracker(offset{File: "bin.000001", Pos: 100, GTIDs: tc.gtids, Event: 3, Row: 1}, set)
			tr.file = tc.file
			tr.event(tc.pos, 50, 1, time.Unix(1, 0))
			tr.begin(false)
			if got := tr.skipEvent(); got != tc.wantSkip {
				t.Errorf("skipEvent() = %v, want %v", got, tc.wantSkip)
			}
			if got := tr.staleSkip != nil; got != tc.wantStale {
				t.Errorf("stale skip noted = %v, want %v", got, tc.wantStale)
			}
			if o := tr.offset(); !tc.wantSkip && (o.Event != 0 || o.Row != 0) {
				t.Errorf("offset after a dropped skip: event %d row %d, want 0 0", o.Event, o.Row)
			}
		})
	}
}

// TestStatementChangeOfCapturedTable: a data-changing statement in a
// query event (logged with binlog_format STATEMENT) fails the task when it
// writes a captured table, naming binlog_format, and is ignored otherwise.
func TestStatementChangeOfCapturedTable(t *testing.T) {
	filter, err := tables.NewFilter(map[string]string{"table.include.list": `shop\.orders`})
	if err != nil {
		t.Fatal(err)
	}
	task := &Task{st: &settings{}, filter: filter, parser: parser.New(), pos: &tracker{file: "bin.000001"}}
	for _, tc := range []struct {
		db, sql string
		fail    bool
	}{
		{"shop", "INSERT INTO orders VALUES (1)", true},
		{"other", "INSERT INTO shop.orders SELECT * FROM other.x", true},
		{"shop", "/* c */ REPLACE INTO `orders` (id) VALUES (2)", true},
		{"shop", "UPDATE orders o JOIN items i ON o.id = i.id SET o.n = 1", true},
		{"shop", "DELETE o FROM items i, orders o WHERE o.id = i.id", true},
		{"shop", "LOAD DATA INFILE 'x' INTO TABLE orders", true},
		{"shop", "INSERT INTO items SELECT * FROM orders", false},
		{"shop", "DELETE FROM items WHERE id IN (SELECT id FROM orders)", false},
		{"shop", "UPDATE items SET n = 2", false},
		{"shop", "INSERT INTO orders VALUES (", true}, // unreadable: assume the worst
		{"shop", "SELECT 1", false},
		{"shop", "CREATE TABLE z (id INT)", false},
	} {
		err := task.statementChange(tc.db, tc.sql)
		if (err != nil) != tc.fail {
			t.Errorf("%s: error %v, want failure %v", tc.sql, err, tc.fail)
		}
		if err != nil && !strings.Contains(err.Error(), "binlog_format") {
			t.Errorf("%s: error %q does not name binlog_format", tc.sql, err)
		}
	}
}

// TestCompressedTransactionRestart: the events of a compressed
// transaction count one by one at the payload's position, so a restart
// from an offset inside it skips exactly the events already handled.
func TestCompressedTransactionRestart(t *testing.T) {
	payload := func() *replication.BinlogEvent {
		return &replication.BinlogEvent{
			Header: &replication.EventHeader{LogPos: 400, EventSize: 300, ServerID: 1, Timestamp: 1},
			Event: &replication.TransactionPayloadEvent{Events: []*replication.BinlogEvent{
				{Header: &replication.EventHeader{EventSize: 60}, Event: &replication.QueryEvent{Query: []byte("BEGIN")}},
				{Header: &replication.EventHeader{EventSize: 40}, Event: &replication.TableMapEvent{}},
				{Header: &replication.EventHeader{EventSize: 40}, Event: &replication.RowsEvent{}}, // no table map: fails if handled
				{Header: &replication.EventHeader{EventSize: 31}, Event: &replication.XIDEvent{XID: 9}},
			}},
		}
	}
	for _, tc := range []struct {
		skip    int64
		handled bool
	}{{2, true}, {3, false}} {
		set, err := parseGTIDSet(MySQL, "")
		if err != nil {
			t.Fatal(err)
		}
		task := &Task{flavor: MySQL, st: &settings{}, pos: newTracker(offset{File: "binlog.000001", Pos: 100, Event: tc.skip}, set)}
		err = task.handle(t.Context(), payload())
		if handled := err != nil && strings.Contains(err.Error(), "table map"); handled != tc.handled {
			t.Errorf("restart skipping %d events: rows event handled %v (error %v), want %v", tc.skip, handled, err, tc.handled)
		}
		if err == nil {
			if o := task.pos.offset(); o.Pos != 400 || o.Event != 0 || task.pos.inTxn {
				t.Errorf("after the compressed transaction: offset pos %d event %d, in a transaction %v; want pos 400 event 0, not in one", o.Pos, o.Event, task.pos.inTxn)
			}
		}
	}
}

// TestXAOffsets: XA transactions keep the offsets right: a restart
// between XA PREPARE and XA COMMIT resends nothing, and a restart after
// them neither. A transaction rolled back after XA PREPARE still produces
// its change events (MariaDB logs its rows at PREPARE): the documented
// limitation, as in Debezium.
func TestXAOffsets(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, nil)
	h.startStreaming()
	conn, err := d.DB.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := conn.ExecContext(t.Context(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	xa := func(name string) string { return "'" + d.Name + name + "'" }
	topic := dataTopic(d, "t")
	exec("XA START "+xa("a"), "INSERT INTO t VALUES (1,'a')", "XA END "+xa("a"), "XA PREPARE "+xa("a"))
	if s := ids(t, h.poll(1, topic)); s != "c1" {
		t.Fatalf("first run: %s", s)
	}
	h.stop()
	h.start() // inside the prepared XA transaction's event group
	exec("XA COMMIT "+xa("a"),
		"XA START "+xa("b"), "INSERT INTO t VALUES (2,'b')", "XA END "+xa("b"), "XA PREPARE "+xa("b"), "XA ROLLBACK "+xa("b"))
	d.Exec(t, "INSERT INTO t VALUES (3,'c')")
	got := h.poll(2, topic)
	got = append(got, h.pollFor(500*time.Millisecond, topic)...)
	if s := ids(t, got); s != "c2 c3" {
		t.Fatalf("second run: %s; want c2 c3 (c1 was acked; c2 is the rolled-back XA transaction's row)", s)
	}
	h.stop()
	h.start()
	d.Exec(t, "INSERT INTO t VALUES (4,'d')")
	got = h.poll(1, topic)
	got = append(got, h.pollFor(500*time.Millisecond, topic)...)
	if s := ids(t, got); s != "c4" {
		t.Fatalf("third run: %s; want c4", s)
	}
}

// TestEmptySnapshotStoresOffset: a snapshot that sends nothing (no rows,
// include.schema.changes=false) still stores its offset, so the next
// start streams from it instead of snapshotting again: a row inserted
// while the task was stopped comes as a create, not as a snapshot read.
func TestEmptySnapshotStoresOffset(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, map[string]string{IncludeSchemaChangesKey: "false"})
	h.startStreaming()
	h.stop()
	d.Exec(t, "INSERT INTO t VALUES (1,'a')")
	h.start()
	got := h.poll(1, dataTopic(d, "t"))
	if s := ids(t, got); s != "c1" {
		t.Fatalf("after a restart following an empty snapshot: %s; want c1 (streamed, not snapshotted again)", s)
	}
}

// TestOffsetBeforeStoredTransaction: until the stored transaction begins
// again after a restart inside it, the offset is the stored one (events
// before it, such as MariaDB's GTID list, move nothing back).
func TestOffsetBeforeStoredTransaction(t *testing.T) {
	set, err := mysql.ParseGTIDSet(mysql.MariaDBFlavor, "0-1-10")
	if err != nil {
		t.Fatal(err)
	}
	stored := offset{File: "bin.000001", Pos: 500, GTIDs: "0-1-10", Event: 3, Row: 1, TsSec: 7, ServerID: 1}
	tr := newTracker(stored, set)
	tr.rotate("bin.000001", 4)
	tr.event(256, 40, 1, time.Unix(1, 0)) // GTID list
	tr.completeEvent()
	if o := tr.offset(); o != stored {
		t.Fatalf("offset before the stored transaction: %+v, want the stored %+v", o, stored)
	}
}

// TestMySQLTaggedGTID: MySQL 8.4's tagged GTIDs (GTID_TAGGED_LOG_EVENT)
// are added to the offsets' GTID set and source.gtid as uuid:tag:gno.
func TestMySQLTaggedGTID(t *testing.T) {
	set, err := parseGTIDSet(MySQL, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3")
	if err != nil {
		t.Fatal(err)
	}
	task := &Task{flavor: MySQL, st: &settings{}, pos: newTracker(offset{File: "binlog.000001", Pos: 4, GTIDs: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3"}, set)}
	sid := []byte{0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62}
	hdr := func(pos, size uint32) *replication.EventHeader {
		return &replication.EventHeader{LogPos: pos + size, EventSize: size, ServerID: 1, Timestamp: 1}
	}
	for _, ev := range []*replication.BinlogEvent{
		{Header: hdr(4, 90), Event: &replication.GtidTaggedLogEvent{GTIDEvent: replication.GTIDEvent{SID: sid, Tag: mysql.NewTag("app"), GNO: 7}}},
		{Header: hdr(94, 60), Event: &replication.QueryEvent{Query: []byte("BEGIN")}},
		{Header: hdr(154, 31), Event: &replication.XIDEvent{XID: 9}},
	} {
		if err := task.handle(t.Context(), ev); err != nil {
			t.Fatalf("handle %T: %v", ev.Event, err)
		}
	}
	if g := task.pos.gtid; g != "3e11fa47-71ca-11e1-9e33-c80aa9429562:app:7" {
		t.Errorf("source gtid %q", g)
	}
	if o := task.pos.offset(); !strings.Contains(o.GTIDs, "app:7") || !strings.Contains(o.GTIDs, "1-3") || o.Pos != 185 {
		t.Errorf("offset after the tagged transaction: gtids %q pos %d", o.GTIDs, o.Pos)
	}
}
