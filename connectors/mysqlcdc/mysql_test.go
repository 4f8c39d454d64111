package mysqlcdc

import (
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/google/uuid"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/history"
)

// TestMySQLCompressedTransaction: MySQL 8.0.20+ with
// binlog_transaction_compression=ON writes each transaction (BEGIN, table
// maps, rows, XID) inside one TRANSACTION_PAYLOAD event, which go-mysql
// decodes into TransactionPayloadEvent.Events. The task must handle the
// events inside (or refuse the server setting at start); today handle()
// ignores the payload, so every change of such a server is lost without
// an error. No MySQL server here: the events are built as go-mysql
// decodes them.
func TestMySQLCompressedTransaction(t *testing.T) {
	set, err := parseGTIDSet(MySQL, "")
	if err != nil {
		t.Fatal(err)
	}
	task := &Task{flavor: MySQL, st: &settings{}, pos: newTracker(offset{File: "binlog.000001", Pos: 4}, set)}
	sid := uuid.MustParse("3e11fa47-71ca-11e1-9e33-c80aa9429562")
	hdr := func(pos, size uint32) *replication.EventHeader {
		return &replication.EventHeader{LogPos: pos + size, EventSize: size, ServerID: 1, Timestamp: 1}
	}
	gtid := &replication.BinlogEvent{Header: hdr(4, 79), Event: &replication.GTIDEvent{SID: sid[:], GNO: 7}}
	payload := &replication.BinlogEvent{Header: hdr(83, 300), Event: &replication.TransactionPayloadEvent{Events: []*replication.BinlogEvent{
		{Header: &replication.EventHeader{EventSize: 60}, Event: &replication.QueryEvent{Query: []byte("BEGIN")}},
		{Header: &replication.EventHeader{EventSize: 31}, Event: &replication.XIDEvent{XID: 9}},
	}}}
	for _, ev := range []*replication.BinlogEvent{gtid, payload} {
		if err := task.handle(t.Context(), ev); err != nil {
			if strings.Contains(err.Error(), "compress") {
				return // refused with a clear error: fine
			}
			t.Fatalf("handle: %v", err)
		}
	}
	if o := task.pos.offset(); !strings.Contains(o.GTIDs, sid.String()+":7") {
		t.Fatalf("after the compressed transaction the offset's gtids are %q: the payload's BEGIN..XID were not seen (its rows would be lost)", o.GTIDs)
	}
}

// TestMySQLAnonymousGTID: a MySQL server with gtid_mode=OFF (MySQL
// 8's default) starts every transaction with an ANONYMOUS_GTID event,
// which go-mysql decodes as a GTIDEvent with a zero SID and GNO 0. It is
// no GTID: the offsets must not gain a "gtids" entry made of it (a
// Debezium reading the offset would resume by GTID from a set that does
// not exist), and handling it must not fail.
func TestMySQLAnonymousGTID(t *testing.T) {
	set, err := parseGTIDSet(MySQL, "")
	if err != nil {
		t.Fatal(err)
	}
	task := &Task{flavor: MySQL, st: &settings{}, pos: newTracker(offset{File: "binlog.000001", Pos: 4}, set)}
	hdr := func(pos, size uint32) *replication.EventHeader {
		return &replication.EventHeader{LogPos: pos + size, EventSize: size, ServerID: 1, Timestamp: 1}
	}
	for _, ev := range []*replication.BinlogEvent{
		{Header: hdr(4, 79), Event: &replication.GTIDEvent{SID: make([]byte, 16), GNO: 0}},
		{Header: hdr(83, 60), Event: &replication.QueryEvent{Query: []byte("BEGIN")}},
		{Header: hdr(143, 31), Event: &replication.XIDEvent{XID: 9}},
	} {
		if err := task.handle(t.Context(), ev); err != nil {
			t.Fatalf("handle %T: %v", ev.Event, err)
		}
	}
	o := task.pos.offset()
	if o.GTIDs != "" || task.pos.gtid != "" {
		t.Fatalf("after an anonymous transaction: offset gtids %q, source gtid %q; want none", o.GTIDs, task.pos.gtid)
	}
	if o.Pos != 174 {
		t.Errorf("offset pos %d, want 174 (after the XID)", o.Pos)
	}
}

// TestMySQLAnonymousGTIDHistory: what the anonymous "GTID set"
// does to the schema history: every offset and history record carries
// the same set, so the comparator sees equal sets and decides by "event"
// alone; a DDL recorded at pos 9000 is replayed for a restart at pos 500,
// and the binlog then applies it a second time (ALTER ... ADD COLUMN
// twice fails; rows before it decode with the wrong structure).
func TestMySQLAnonymousGTIDHistory(t *testing.T) {
	anon := "00000000-0000-0000-0000-000000000000:0"
	recorded := map[string]any{"file": "binlog.000001", "pos": int64(9000), "gtids": anon, "server_id": int64(1)}
	desired := map[string]any{"file": "binlog.000001", "pos": int64(500), "gtids": anon, "server_id": int64(1)}
	ok, err := history.AtOrBefore("mysql", recorded, desired)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Fatalf("the DDL at pos 9000 is replayed for a restart at pos 500 (offsets carry the anonymous GTID %q)", anon)
	}
}
