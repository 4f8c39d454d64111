package mysqlcdc

import (
	"context"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
)

// beginTxn feeds the tracker the start of a MariaDB transaction (its GTID
// event) at pos.
func beginTxn(tr *tracker, pos int64) {
	tr.event(pos, 50, 1, time.Unix(1, 0))
	tr.begin(false)
	tr.completeEvent()
}

// TestResumeWhileSkipping: a reconnect (stream → tracker.resume)
// while the tracker still skips what a restart found already sent must
// resume skipping as much: the stored offset said event 4, row 2; after two
// of those events are read again the connection drops, and the reconnect's
// offset must still say event 4, row 2, or events 3 and 4's rows are sent
// twice.
func TestResumeWhileSkipping(t *testing.T) {
	set, err := mysql.ParseGTIDSet(mysql.MariaDBFlavor, "0-1-10")
	if err != nil {
		t.Fatal(err)
	}
	tr := newTracker(offset{File: "bin.000001", Pos: 100, GTIDs: "0-1-10", Event: 4, Row: 2}, set)
	beginTxn(tr, 100)                     // event 1 (GTID)
	tr.event(150, 50, 1, time.Unix(1, 0)) // event 2 (TABLE_MAP)
	tr.completeEvent()
	got := tr.resume()
	if got.Pos != 100 || got.Event != 4 || got.Row != 2 {
		t.Fatalf("resume while skipping: pos %d event %d row %d; want pos 100 event 4 row 2 (what was already sent)", got.Pos, got.Event, got.Row)
	}
	if o := tr.offset(); o.Event != 4 || o.Row != 2 {
		t.Fatalf("offset (heartbeats) while skipping: event %d row %d; want event 4 row 2", o.Event, o.Row)
	}
}

// TestHeartbeatOffsetBackwardsAfterRestart: a task restarted inside
// a half-sent transaction sends a heartbeat before it has skipped what was
// sent; the heartbeat's offset is before the stored one. Once that
// heartbeat is acked (the runtime commits offsets in order) and the worker
// dies before the transaction's next record is acked, the third task
// sends the already acknowledged changes again.
func TestHeartbeatOffsetBackwardsAfterRestart(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a')")
	h := newHarness(t, d, map[string]string{HeartbeatIntervalKey: "600000"})
	h.start()
	h.poll(1, dataTopic(d, "t")) // the snapshot
	tx, err := d.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"INSERT INTO t VALUES (2,'b'),(3,'c')", "UPDATE t SET name='A' WHERE id=1", "DELETE FROM t WHERE id=2"} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got := h.pollAcking(5, 3, dataTopic(d, "t")) // c2 c3 u1 acked
	if s := ids(t, got); s != "c2 c3 u1 d2 tombstone2" {
		t.Fatalf("first run: %s", s)
	}
	stored := h.offsets.m
	h.stop()

	// Second run: ack only what comes before the first data record (the
	// heartbeat), then the worker dies.
	h.start()
	hb := func(s string) bool { return s == "__debezium-heartbeat.core" }
	deadline := time.Now().Add(30 * time.Second)
	var data []connectors.SourceRecord
	for len(data) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no data record in the second run")
		}
		recs, err := h.task.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if len(data) == 0 && hb(r.Topic) {
				if ok, _ := offsetAtOrAfter(r.SourceOffset, stored); !ok {
					t.Errorf("heartbeat offset %v is before the stored offset %v", r.SourceOffset, stored)
				}
				h.offsets.commit(r.SourceOffset)
				continue
			}
			if dataTopic(d, "t")(r.Topic) {
				data = append(data, r)
			}
		}
	}
	if s := ids(t, data[:1]); s != "d2" {
		t.Fatalf("second run starts with %s, want d2", s)
	}
	h.stop()

	// Third run: only d2 and its tombstone were never acked.
	h.start()
	got = h.poll(2, dataTopic(d, "t"))
	got = append(got, h.pollFor(500*time.Millisecond, dataTopic(d, "t"))...)
	if s := ids(t, got); s != "d2 tombstone2" {
		t.Fatalf("third run: %s; want d2 tombstone2 (c2 c3 u1 were acknowledged in the first run)", s)
	}
}

// offsetAtOrAfter compares two offsets of the same file: pos, event, row.
func offsetAtOrAfter(a, b map[string]any) (bool, error) {
	oa, err := parseOffset(a)
	if err != nil {
		return false, err
	}
	ob, err := parseOffset(b)
	if err != nil {
		return false, err
	}
	if oa.File != ob.File {
		return oa.File > ob.File, nil
	}
	if oa.Pos != ob.Pos {
		return oa.Pos > ob.Pos, nil
	}
	if oa.Event != ob.Event {
		return oa.Event > ob.Event, nil
	}
	return oa.Row >= ob.Row, nil
}
