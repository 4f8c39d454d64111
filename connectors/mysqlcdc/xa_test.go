package mysqlcdc

import (
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// feed hands the task events at consecutive positions from pos, each
// size 50; it returns the next position.
func feed(t *testing.T, task *Task, pos uint32, evs ...replication.Event) uint32 {
	t.Helper()
	for _, e := range evs {
		h := &replication.EventHeader{LogPos: pos + 50, EventSize: 50, ServerID: 1, Timestamp: 1}
		if err := task.handle(t.Context(), &replication.BinlogEvent{Header: h, Event: e}); err != nil {
			t.Fatalf("handle %T: %v", e, err)
		}
		pos += 50
	}
	return pos
}

func mariaGTID(seq uint64) *replication.MariadbGTIDEvent {
	return &replication.MariadbGTIDEvent{GTID: mysql.MariadbGTID{DomainID: 0, ServerID: 1, SequenceNumber: seq}}
}

// TestXACommitSkipLoss: MariaDB's XA transaction ends with an
// XA_PREPARE event (go-mysql: GenericEvent, which handle() returns on
// before counting) and its XA COMMIT group with the query "XA COMMIT",
// which query() ignores: the tracker stays inside a transaction until the
// next GTID event, and counts every event that comes meanwhile (the
// server's heartbeats while the server is idle). A heartbeat record then
// carries event = 2 + heartbeats; a restart from it skips that many
// events, more than the XA COMMIT group has, and the leftover skip
// carries into the next transaction, whose rows are then not sent (lost).
func TestXACommitSkipLoss(t *testing.T) {
	set, err := parseGTIDSet(MariaDB, "0-1-10")
	if err != nil {
		t.Fatal(err)
	}
	task := &Task{flavor: MariaDB, st: &settings{}, pos: newTracker(offset{File: "bin.000001", Pos: 100, GTIDs: "0-1-10"}, set)}
	xid := []byte("X'7265763132',X'',1")
	pos := feed(t, task, 100, mariaGTID(11), &replication.QueryEvent{Query: append([]byte("XA START "), xid...)},
		&replication.TableMapEvent{}, &replication.QueryEvent{Query: append([]byte("XA END "), xid...)}, &replication.GenericEvent{})
	commitGroup := pos
	pos = feed(t, task, pos, mariaGTID(12), &replication.QueryEvent{Query: append([]byte("XA COMMIT "), xid...)})
	afterCommit := pos
	feed(t, task, pos, &replication.HeartbeatEvent{}, &replication.HeartbeatEvent{}, &replication.HeartbeatEvent{})
	o := task.pos.offset()
	if task.pos.inTxn {
		t.Errorf("after XA COMMIT the tracker is still inside a transaction (offset pos %d event %d; the XA COMMIT group starts at %d, ends at %d)", o.Pos, o.Event, commitGroup, afterCommit)
	}
	// A restart from that offset, then the next transaction (GTID 13,
	// a table map, its rows event).
	set2, err := parseGTIDSet(MariaDB, o.GTIDs)
	if err != nil {
		t.Fatal(err)
	}
	task2 := &Task{flavor: MariaDB, st: &settings{}, pos: newTracker(o, set2)}
	p := uint32(o.Pos)
	if p == commitGroup {
		p = feed(t, task2, p, mariaGTID(12), &replication.QueryEvent{Query: append([]byte("XA COMMIT "), xid...)})
	}
	feed(t, task2, p, mariaGTID(13), &replication.TableMapEvent{})
	if task2.pos.skipEvent() {
		t.Fatalf("after a restart from offset %+v the rows of the next transaction (GTID 0-1-13) are skipped: lost", o)
	}
}
