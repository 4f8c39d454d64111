package mysqlcdc

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestHandOverRestart: a restart when the snapshot's last record
// was not acknowledged takes the snapshot again; once it was, the next
// task streams from the snapshot's position: a change made after the
// snapshot comes once, and no row is read again.
func TestHandOverRestart(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c')")
	h := newHarness(t, d, map[string]string{IncludeSchemaChangesKey: "false"})
	h.start()
	got := h.pollAcking(3, 2, dataTopic(d, "t"))
	if s := ids(t, got); s != "r1 r2 r3" {
		t.Fatalf("first snapshot: %s", s)
	}
	h.stop()
	d.Exec(t, "UPDATE t SET name='A' WHERE id=1")
	h.start()
	got = h.poll(3, dataTopic(d, "t")) // the snapshot again (r3 was not acked)
	if s := ids(t, got); s != "r1 r2 r3" {
		t.Fatalf("second snapshot: %s", s)
	}
	if n := describeRec(t, got[0]).name; n != "A" {
		t.Errorf("the second snapshot reads id 1 as %v", n)
	}
	h.stop()
	d.Exec(t, "INSERT INTO t VALUES (4,'d')")
	h.start()
	got = h.poll(1, dataTopic(d, "t"))
	got = append(got, h.pollFor(500*time.Millisecond, dataTopic(d, "t"))...)
	if s := ids(t, got); s != "c4" {
		t.Fatalf("after the snapshot was acknowledged: %s; want c4 only", s)
	}
}
