package mysqlcdc

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestReviewXARollback: MariaDB writes an XA transaction's rows to the
// binlog at XA PREPARE; an XA ROLLBACK after it undoes them. No change
// event may come for rows that were never committed, and the next
// committed change comes once.
func TestReviewXARollback(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, nil)
	h.startStreaming()
	conn, err := d.DB.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"XA START 'rev1'", "INSERT INTO t VALUES (1,'never')", "XA END 'rev1'", "XA PREPARE 'rev1'", "XA ROLLBACK 'rev1'"} {
		if _, err := conn.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	d.Exec(t, "INSERT INTO t VALUES (2,'b')")
	got := h.poll(1, dataTopic(d, "t"))
	got = append(got, h.pollFor(500*time.Millisecond, dataTopic(d, "t"))...)
	if s := ids(t, got); s != "c2" {
		t.Fatalf("records %s; want c2 only (row 1 was rolled back)", s)
	}
}
