package sink

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
)

// TestRetriesAfterKilledConnection kills the task's connection from another session: the Put
// fails as retriable, asks for retry.backoff.ms, and the retried Put writes the batch.
func TestRetriesAfterKilledConnection(t *testing.T) {
	d := testkit.NewDatabase(t)
	tc := &fakeContext{}
	tk, _ := startTask(t, props(d, AutoCreateKey, "true", InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id", RetryBackoffKey, "1234"), tc)
	// The connection dies in use, not while idle: a loaded machine taking more than idlePing
	// between the Puts must not make the task ping (and reconnect) first.
	tk.idleAfter = time.Hour
	ctx := context.Background()
	mustNotErr(t, tk.Put(ctx, []connectors.SinkRecord{rec("k", 0, nil, nil, personSchema, person(1, "a", 1))}))
	var id int64
	mustNotErr(t, tk.conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id))
	d.Exec(t, "KILL CONNECTION "+itoa(id))
	batch := []connectors.SinkRecord{rec("k", 1, nil, nil, personSchema, person(2, "b", 2))}
	err := tk.Put(ctx, batch)
	if err == nil || !connectors.IsRetriable(err) {
		t.Fatalf("Put after KILL: %v, want a retriable error", err)
	}
	if tc.timeout != 1234*time.Millisecond {
		t.Fatalf("timeout = %v, want retry.backoff.ms", tc.timeout)
	}
	mustNotErr(t, tk.Put(ctx, batch))
	equalRows(t, rows(t, d.DB, "SELECT id,name FROM k ORDER BY id"), []string{"1|a", "2|b"})
	if tk.retries != 10 {
		t.Fatalf("retries left after a success = %d, want max.retries again", tk.retries)
	}
}

// TestRetriesExhausted blocks the task's upsert on a row lock held by another session: each Put
// times out (socketTimeout) as retriable until max.retries, then fails the task; nothing of the
// batch is committed.
func TestRetriesExhausted(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE l (id BIGINT PRIMARY KEY, name TEXT NOT NULL, age INT)")
	ctx := context.Background()
	blocker, err := d.DB.BeginTx(ctx, nil)
	mustNotErr(t, err)
	defer blocker.Rollback()
	_, err = blocker.ExecContext(ctx, "INSERT INTO l VALUES (1, 'blocker', 0)")
	mustNotErr(t, err)

	tc := &fakeContext{}
	p := props(d, InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id", MaxRetriesKey, "2",
		ConnectionURLKey, d.JDBCURL+"?socketTimeout=500")
	tk, _ := startTask(t, p, tc)
	batch := []connectors.SinkRecord{rec("l", 0, nil, nil, personSchema, person(2, "two", 2)), rec("l", 1, nil, nil, personSchema, person(1, "one", 1))}
	for i := range 2 {
		if err := tk.Put(ctx, batch); err == nil || !connectors.IsRetriable(err) {
			t.Fatalf("Put %d: %v, want a retriable error", i, err)
		}
	}
	err = tk.Put(ctx, batch)
	if err == nil || connectors.IsRetriable(err) || !strings.Contains(err.Error(), "giving up after 2 retries (max.retries)") {
		t.Fatalf("Put after max.retries: %v", err)
	}
	mustNotErr(t, blocker.Rollback())
	awaitAbandonedTransactions(t, d)
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*) FROM l"), []string{"0"})
	// The lock gone, the next Put succeeds.
	mustNotErr(t, tk.Put(ctx, batch))
	equalRows(t, rows(t, d.DB, "SELECT id,name FROM l ORDER BY id"), []string{"1|one", "2|two"})
}

// awaitAbandonedTransactions waits until no transaction is open in d's database. A Put that
// gave up on its socketTimeout leaves its statement on the server, waiting for the blocker's
// lock; once the blocker is gone it runs, and is rolled back only when the server notices its
// client left. A Put in that window may deadlock with it (error 1213, retriable): a real
// worker retries, but these tests expect the next Put to succeed at once.
func awaitAbandonedTransactions(t *testing.T, d testkit.Database) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		err := d.DB.QueryRow(`SELECT COUNT(*) FROM information_schema.INNODB_TRX x
			JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id WHERE p.DB = ?`, d.Name).Scan(&n)
		mustNotErr(t, err)
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d transactions still open in %s after 30 s", n, d.Name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRetryDoesNotReportTwice: a record reported in a Put that then fails with a retriable error
// is not reported again when the runtime puts the same batch again.
func TestRetryDoesNotReportTwice(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE a (id BIGINT PRIMARY KEY, name VARCHAR(3) NOT NULL, age INT)",
		"CREATE TABLE b (id BIGINT PRIMARY KEY, name TEXT NOT NULL, age INT)")
	ctx := context.Background()
	blocker, err := d.DB.BeginTx(ctx, nil)
	mustNotErr(t, err)
	defer blocker.Rollback()
	_, err = blocker.ExecContext(ctx, "INSERT INTO b VALUES (1, 'blocker', 0)")
	mustNotErr(t, err)
	tc := &fakeContext{tolerate: true}
	tk, _ := startTask(t, props(d, InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id",
		ConnectionURLKey, d.JDBCURL+"?socketTimeout=500"), tc)
	batch := []connectors.SinkRecord{
		rec("a", 0, nil, nil, personSchema, person(1, "too long", 1)),
		rec("a", 1, nil, nil, personSchema, person(2, "ok", 1)),
		rec("b", 2, nil, nil, personSchema, person(1, "one", 1)),
	}
	if err := tk.Put(ctx, batch); err == nil || !connectors.IsRetriable(err) {
		t.Fatalf("Put: %v, want a retriable error", err)
	}
	mustNotErr(t, blocker.Rollback())
	awaitAbandonedTransactions(t, d)
	mustNotErr(t, tk.Put(ctx, batch))
	if got := tc.reportedOffsets(); len(got) != 1 || got[0] != 0 {
		t.Fatalf("reported %v, want offset 0 once", got)
	}
	equalRows(t, rows(t, d.DB, "SELECT id FROM a"), []string{"2"})
	equalRows(t, rows(t, d.DB, "SELECT name FROM b"), []string{"one"})
}

// TestIdleConnectionClosed: the server closes the task's connection while it is idle (KILL, as
// wait_timeout or a proxy would): the next Put reconnects without spending a retry, so it
// succeeds even with max.retries=0.
func TestIdleConnectionClosed(t *testing.T) {
	d := testkit.NewDatabase(t)
	tc := &fakeContext{}
	tk, lc := startTask(t, props(d, AutoCreateKey, "true", MaxRetriesKey, "0"), tc)
	ctx := context.Background()
	mustNotErr(t, tk.Put(ctx, []connectors.SinkRecord{rec("idle", 0, nil, nil, personSchema, person(1, "a", 1))}))
	var id int64
	mustNotErr(t, tk.conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id))
	d.Exec(t, "KILL CONNECTION "+itoa(id))
	// Idle for longer than idlePing, and gone from the server.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		mustNotErr(t, d.DB.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&n))
		if n == 0 && time.Since(tk.lastUsed) > idlePing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection %d still listed after 10 s", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mustNotErr(t, tk.Put(ctx, []connectors.SinkRecord{rec("idle", 1, nil, nil, personSchema, person(2, "b", 2))}))
	equalRows(t, rows(t, d.DB, "SELECT id, name FROM idle ORDER BY id"), []string{"1|a", "2|b"})
	if n := lc.count("the database closed the idle connection; reconnecting"); n != 1 {
		t.Fatalf("reconnect logged %d times, want 1", n)
	}
}
