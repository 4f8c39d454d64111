package mysqlcdc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// pollUntilErr polls until a data record of the topic comes (returned) or
// Poll fails (its error returned).
func (h *harness) pollUntilErr(topic func(string) bool) (*schemas.Struct, error) {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		recs, err := h.task.Poll(context.Background())
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			h.offsets.commit(r.SourceOffset)
			if topic(r.Topic) {
				v, _ := r.Value.(*schemas.Struct)
				return v, nil
			}
		}
	}
	h.t.Fatal("neither a record nor an error before the deadline")
	return nil, nil
}

// TestSessionRowImageMinimal: binlog_row_image is checked globally
// at start, but a client may set it for its session. A MINIMAL image
// update has only the key before and the changed columns after; the task
// must not send an update whose after image has NULL for the columns the
// row still has (a sink applying it would erase them): either the full
// row or an error naming binlog_row_image.
func TestSessionRowImageMinimal(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50), qty INT)", "INSERT INTO t VALUES (1,'a',5)")
	h := newHarness(t, d, nil)
	h.start()
	h.poll(1, dataTopic(d, "t"))
	conn, err := d.DB.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"SET SESSION binlog_row_image = 'MINIMAL'", "UPDATE t SET name = 'b' WHERE id = 1"} {
		if _, err := conn.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	v, err := h.pollUntilErr(dataTopic(d, "t"))
	if err != nil {
		if !strings.Contains(err.Error(), "binlog_row_image") {
			t.Fatalf("error %q does not name binlog_row_image", err)
		}
		return
	}
	if v == nil || v.Get("op") != "u" {
		t.Fatalf("the update of id 1 (name changed) came as %v, not op=u", v)
	}
	after := v.Get("after").(*schemas.Struct)
	if after.Get("qty") != int32(5) {
		t.Fatalf("the update's after image has qty = %#v (the row has 5): %v", after.Get("qty"), after)
	}
}

// TestSessionStatementFormat: a client may log its session's
// changes as statements (SET SESSION binlog_format=STATEMENT, with
// BINLOG ADMIN); the task then sees a query event "INSERT ..." instead of
// rows. It must not drop the change silently: an error naming
// binlog_format (Debezium at least logs a warning).
func TestSessionStatementFormat(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, nil)
	h.startStreaming()
	conn, err := d.DB.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"SET SESSION binlog_format = 'STATEMENT'", "INSERT INTO t VALUES (1,'a')"} {
		if _, err := conn.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	d.Exec(t, "INSERT INTO t VALUES (2,'b')") // row format: comes after the lost one
	v, err := h.pollUntilErr(dataTopic(d, "t"))
	if err != nil {
		if !strings.Contains(err.Error(), "binlog_format") {
			t.Fatalf("error %q does not name binlog_format", err)
		}
		return
	}
	if id := v.Get("after").(*schemas.Struct).Get("id"); id != int64(1) {
		t.Fatalf("the first record is of id %v: the statement-logged insert of id 1 was dropped without an error", id)
	}
}
