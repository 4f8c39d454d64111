package mysqlcdc

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
)

// TestCreateSelectRestart: CREATE TABLE ... SELECT is one binlog
// transaction holding the DDL and the new table's rows. Its rows come as
// creates; a restart from the schema change record's offset (acked, the
// rows not) sends the rows once and the schema change not again.
func TestCreateSelectRestart(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a'),(2,'b')")
	h := newHarness(t, d, map[string]string{SnapshotModeKey: SnapshotNoData})
	h.startStreaming()
	d.Exec(t, "CREATE TABLE t2 (PRIMARY KEY (id)) SELECT * FROM t")
	t2 := dataTopic(d, "t2")
	sc := func(s string) bool { return s == "core" }
	var got []connectors.SourceRecord
	deadline := time.Now().Add(30 * time.Second)
	acked := false
	for n := 0; n < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("got %d of t2's 2 rows", n)
		}
		recs, err := h.task.Poll(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if sc(r.Topic) && strings.Contains(fmt.Sprint(r.Value), "t2") {
				h.offsets.commit(r.SourceOffset) // only the schema change is acked
				acked = true
			}
			if t2(r.Topic) {
				got = append(got, r)
				n++
			}
		}
	}
	if !acked {
		t.Fatal("no schema change record of t2")
	}
	if s := ids(t, got); s != "c1 c2" {
		t.Fatalf("first run: %s", s)
	}
	h.stop()
	h.start()
	var again []connectors.SourceRecord
	var scs int
	for _, r := range h.pollFor(3*time.Second, nil) {
		if t2(r.Topic) {
			again = append(again, r)
		}
		if sc(r.Topic) && strings.Contains(fmt.Sprint(r.Value), "t2") {
			scs++
		}
	}
	if s := ids(t, again); s != "c1 c2" || scs != 0 {
		t.Fatalf("after the restart: rows %q, %d schema change records of t2 (want c1 c2, none)", s, scs)
	}
}
