package mysqlcdc

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// pollAcking polls like poll but commits only the offsets of the first
// ack records, as when the worker dies before Kafka acknowledged the rest.
func (h *harness) pollAcking(want, ack int, topic func(string) bool) []connectors.SourceRecord {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var got []connectors.SourceRecord
	acked := 0
	for len(got) < want {
		if time.Now().After(deadline) {
			h.t.Fatalf("got %d records of %d before the deadline", len(got), want)
		}
		recs, err := h.task.Poll(context.Background())
		if err != nil {
			h.t.Fatalf("Poll: %v", err)
		}
		for _, r := range recs {
			if acked < ack {
				h.offsets.commit(r.SourceOffset)
			}
			if topic == nil || topic(r.Topic) {
				got = append(got, r)
				acked++
			}
		}
	}
	return got
}

func ids(t *testing.T, recs []connectors.SourceRecord) string {
	t.Helper()
	var b strings.Builder
	for _, r := range recs {
		c := describeRec(t, r)
		fmt.Fprintf(&b, "%s%d ", c.op, c.id)
	}
	return strings.TrimSpace(b.String())
}

// TestRestartInsideMultiRowEvent stops the task after 4 of the 10 rows of
// one INSERT were acknowledged: the next task sends rows 5 to 10, once.
func TestRestartInsideMultiRowEvent(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, nil)
	h.startStreaming()
	var vals []string
	for i := 1; i <= 10; i++ {
		vals = append(vals, fmt.Sprintf("(%d,'n%d')", i, i))
	}
	d.Exec(t, "INSERT INTO t VALUES "+strings.Join(vals, ","))
	got := h.pollAcking(10, 4, dataTopic(d, "t"))
	if s := ids(t, got); s != "c1 c2 c3 c4 c5 c6 c7 c8 c9 c10" {
		t.Fatalf("first run: %s", s)
	}
	fifth := got[4].SourceOffset
	h.stop()
	d.Exec(t, "INSERT INTO t VALUES (11,'n11')")
	got = only(h.startStreaming(), dataTopic(d, "t"))
	got = append(got, h.poll(7-len(got), dataTopic(d, "t"))...)
	if s := ids(t, got); s != "c5 c6 c7 c8 c9 c10 c11" {
		t.Fatalf("after the restart: %s", s)
	}
	// The resumed records carry the offsets of the first run (the restart
	// asks for the GTIDs after the set: the position must still be known).
	if !maps.Equal(got[0].SourceOffset, fifth) {
		t.Fatalf("row 5's offset: %v after the restart, %v before", got[0].SourceOffset, fifth)
	}
	// Nothing more comes.
	if recs := h.pollFor(300*time.Millisecond, dataTopic(d, "t")); len(recs) > 0 {
		t.Fatalf("more records after the restart: %s", ids(t, recs))
	}
}

// pollFor polls for a while and returns what came.
func (h *harness) pollFor(d time.Duration, topic func(string) bool) []connectors.SourceRecord {
	h.t.Helper()
	var got []connectors.SourceRecord
	for end := time.Now().Add(d); time.Now().Before(end); {
		got = append(got, h.pollOnce(topic)...)
	}
	return got
}

// TestRestartInsideTransaction stops the task after the first statement
// of a three-statement transaction was acknowledged.
func TestRestartInsideTransaction(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a')")
	h := newHarness(t, d, nil)
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
	got := h.pollAcking(5, 3, dataTopic(d, "t")) // c2 c3 u1 acked; d2 and its tombstone not
	if s := ids(t, got); s != "c2 c3 u1 d2 tombstone2" {
		t.Fatalf("first run: %s", s)
	}
	h.stop()
	h.start()
	got = h.poll(2, dataTopic(d, "t"))
	if s := ids(t, got); s != "d2 tombstone2" {
		t.Fatalf("after the restart: %s", s)
	}
}

// TestDDLMidStream: events after ALTER TABLE carry the new column, a
// schema change event comes between, and a restart recovers the schema
// from the history.
func TestDDLMidStream(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, nil)
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (1,'a')", "ALTER TABLE t ADD COLUMN qty INT NOT NULL DEFAULT 7", "INSERT INTO t VALUES (2,'b',9)")
	got := h.poll(3, func(s string) bool { return s == "core" || s == "core."+d.Name+".t" })
	if got[0].Topic != "core."+d.Name+".t" || got[1].Topic != "core" || got[2].Topic != "core."+d.Name+".t" {
		t.Fatalf("topics %s, %s, %s", got[0].Topic, got[1].Topic, got[2].Topic)
	}
	if ddl := got[1].Value.(*schemas.Struct).Get("ddl"); !strings.Contains(fmt.Sprint(ddl), "ADD COLUMN qty") {
		t.Errorf("schema change ddl %v", ddl)
	}
	after := got[2].Value.(*schemas.Struct).Get("after").(*schemas.Struct)
	if after.Get("qty") != int32(9) {
		t.Errorf("after the ALTER: qty = %#v", after.Get("qty"))
	}
	if a0 := got[0].Value.(*schemas.Struct).Get("after").(*schemas.Struct); hasQty(a0) {
		t.Errorf("the insert before the ALTER has qty")
	}
	h.stop()
	d.Exec(t, "INSERT INTO t VALUES (3,'c',11)")
	h.start()
	got = h.poll(1, dataTopic(d, "t"))
	if after := got[0].Value.(*schemas.Struct).Get("after").(*schemas.Struct); after.Get("qty") != int32(11) || after.Get("id") != int64(3) {
		t.Errorf("after the restart: %v", after)
	}
}

// TestRotation: FLUSH BINARY LOGS mid-stream moves the reader to the next
// file; a restart from an offset in the new file works.
func TestRotation(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, nil)
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (1,'a')")
	first := h.poll(1, dataTopic(d, "t"))
	d.Exec(t, "FLUSH BINARY LOGS", "INSERT INTO t VALUES (2,'b')")
	got := h.poll(1, dataTopic(d, "t"))
	if ids(t, got) != "c2" {
		t.Fatalf("after the rotation: %s", ids(t, got))
	}
	f1, f2 := first[0].SourceOffset[offsetFile], got[0].SourceOffset[offsetFile]
	if f1 == f2 {
		t.Fatalf("the file did not change: %v", f1)
	}
	src := got[0].Value.(*schemas.Struct).Get("source").(*schemas.Struct)
	if src.Get("file") != f2 {
		t.Errorf("source.file %v, offset file %v", src.Get("file"), f2)
	}
	h.stop()
	d.Exec(t, "INSERT INTO t VALUES (3,'c')")
	h.start()
	if got := h.poll(1, dataTopic(d, "t")); ids(t, got) != "c3" {
		t.Fatalf("after the restart: %s", ids(t, got))
	}
}

// TestReconnectAfterKill kills the reader's connection on the server: the
// task reconnects and nothing is lost or doubled.
func TestReconnectAfterKill(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, nil)
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (1,'a')")
	h.poll(1, dataTopic(d, "t"))
	id := h.task.dumpConn.Load()
	var cmd string
	if err := d.DB.QueryRow("SELECT COMMAND FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&cmd); err != nil || cmd != "Binlog Dump" {
		t.Fatalf("connection %d is %q (%v), not the Binlog Dump thread", id, cmd, err)
	}
	d.Exec(t, fmt.Sprintf("KILL CONNECTION %d", id))
	d.Exec(t, "INSERT INTO t VALUES (2,'b'),(3,'c')", "UPDATE t SET name='x' WHERE id=1")
	got := h.poll(3, dataTopic(d, "t"))
	if s := ids(t, got); s != "c2 c3 u1" {
		t.Fatalf("after the kill: %s", s)
	}
	if recs := h.pollFor(300*time.Millisecond, dataTopic(d, "t")); len(recs) > 0 {
		t.Fatalf("doubled: %s", ids(t, recs))
	}
}

// TestPurgedBinlog: an offset in a binlog file the server no longer has
// fails the start with an error naming the offset; when_needed snapshots
// instead.
func TestPurgedBinlog(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a')")
	h := newHarness(t, d, nil)
	h.offsets.commit(map[string]any{"file": "mysql-bin.000000", "pos": int64(4)})
	h.task = &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
	err := h.task.Start(t.Context(), taskContext{t: t, offsets: h.offsets}, h.props)
	if err == nil {
		h.stop()
		t.Fatal("Start took an offset in a purged binlog file")
	}
	for _, want := range []string{"mysql-bin.000000", "no longer on the server", "snapshot.mode=when_needed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	h.task = nil
	h.props[SnapshotModeKey] = SnapshotWhenNeeded
	h.start()
	if got := h.poll(1, dataTopic(d, "t")); ids(t, got) != "r1" {
		t.Fatalf("when_needed: %s", ids(t, got))
	}
}

// TestServerIDCollision: a second reader with the same database.server.id
// makes the server drop the first; the task fails naming the key.
func TestServerIDCollision(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY)")
	h := newHarness(t, d, nil)
	h.start()
	h2 := newHarness(t, d, nil)
	h2.props[ServerIDKey] = h.props[ServerIDKey]
	h2.start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d.Exec(t, fmt.Sprintf("INSERT INTO t VALUES (%d)", time.Now().UnixNano()))
		_, err1 := h.task.Poll(context.Background())
		_, err2 := h2.task.Poll(context.Background())
		err := err1
		if err == nil {
			err = err2
		}
		if err != nil {
			if !strings.Contains(err.Error(), "database.server.id") {
				t.Fatalf("error %q does not name database.server.id", err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no task failed with the same server id")
		}
	}
}

func hasQty(s *schemas.Struct) bool {
	_, ok := s.Schema().Field("qty")
	return ok
}

// only keeps the records of a topic.
func only(recs []connectors.SourceRecord, topic func(string) bool) []connectors.SourceRecord {
	var out []connectors.SourceRecord
	for _, r := range recs {
		if topic(r.Topic) {
			out = append(out, r)
		}
	}
	return out
}

// TestKafkaHistory runs the task with the schema history in a real Kafka
// topic: a restart after an ALTER recovers the new structure from it.
func TestKafkaHistory(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY)")
	h := newHarness(t, d, map[string]string{HistoryTopicKey: "core-history-" + d.Name, HistoryServersKey: bootstrap})
	start := func() {
		h.task = &Task{classFlavor: MariaDB} // the Kafka store
		if err := h.task.Start(t.Context(), taskContext{t: t, offsets: h.offsets}, h.props); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.stop)
	}
	start()
	select { // the ALTER comes from the binlog, not the snapshot
	case <-h.task.streaming:
	case <-time.After(time.Minute):
		t.Fatal("the task did not start streaming")
	}
	d.Exec(t, "ALTER TABLE t ADD COLUMN name VARCHAR(20)", "INSERT INTO t VALUES (1,'a')")
	h.poll(1, dataTopic(d, "t"))
	h.stop()
	d.Exec(t, "INSERT INTO t VALUES (2,'b')")
	start()
	got := h.poll(1, dataTopic(d, "t"))
	if after := got[0].Value.(*schemas.Struct).Get("after").(*schemas.Struct); after.Get("name") != "b" {
		t.Fatalf("after the restart: %v", after)
	}
}

// TestIncludeQueryAndKeyChange: include.query fills source.query from
// MariaDB's ANNOTATE_ROWS event; an update of the primary key is a delete,
// a tombstone and a create, and only the create says the row is done.
func TestIncludeQueryAndKeyChange(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, map[string]string{IncludeQueryKey: "true"})
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (1,'a')", "UPDATE t SET id = 2 WHERE id = 1")
	got := h.poll(4, dataTopic(d, "t"))
	if s := ids(t, got); s != "c1 d1 tombstone1 c2" {
		t.Fatalf("records: %s", s)
	}
	src := got[0].Value.(*schemas.Struct).Get("source").(*schemas.Struct)
	if q := src.Get("query"); q != "INSERT INTO t VALUES (1,'a')" {
		t.Errorf("source.query %#v", q)
	}
	if q := got[1].Value.(*schemas.Struct).Get("source").(*schemas.Struct).Get("query"); q != "UPDATE t SET id = 2 WHERE id = 1" {
		t.Errorf("the update's source.query %#v", q)
	}
	for i, want := range []any{nil, nil, int64(1)} {
		if r := got[i+1].SourceOffset[offsetRow]; r != want {
			t.Errorf("record %d: offset row %v, want %v (%v)", i+1, r, want, got[i+1].SourceOffset)
		}
	}
}

// TestServerKilledMidStream kills the server (SIGKILL) while the task
// streams and starts it again: the task reconnects on its own and every
// change comes once.
func TestServerKilledMidStream(t *testing.T) {
	m := testkit.StartMariaDB(t)
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := testkit.Database{MySQLServer: m.MySQLServer, Name: "sluice", DB: db}
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, map[string]string{BackoffMaxKey: "500"})
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (1,'a'),(2,'b')")
	if got := h.poll(2, dataTopic(d, "t")); ids(t, got) != "c1 c2" {
		t.Fatalf("before: %s", ids(t, got))
	}
	m.Kill9()
	// Poll while the server is down: no error, the reader retries.
	if got := h.pollFor(time.Second, dataTopic(d, "t")); len(got) > 0 {
		t.Fatalf("records while the server is down: %s", ids(t, got))
	}
	m.Restart()
	d.Exec(t, "INSERT INTO t VALUES (3,'c')", "UPDATE t SET name='x' WHERE id=1")
	if got := h.poll(2, dataTopic(d, "t")); ids(t, got) != "c3 u1" {
		t.Fatalf("after the restart: %s", ids(t, got))
	}
}

// TestFiltersAndKeylessTable: column.exclude.list leaves a column out of
// the snapshot's and the stream's values, table.include.list leaves other
// tables out, a table without a primary key has null keys, and
// tombstones.on.delete=false sends no tombstone.
func TestFiltersAndKeylessTable(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50), secret VARCHAR(50))",
		"CREATE TABLE nokey (a INT, b VARCHAR(10))", "CREATE TABLE skipped (id INT PRIMARY KEY)",
		"INSERT INTO t VALUES (1,'a','s1')", "INSERT INTO nokey VALUES (1,'x')", "INSERT INTO skipped VALUES (1)")
	h := newHarness(t, d, map[string]string{
		TableIncludeKey:  d.Name + "\\.(t|nokey)",
		ColumnExcludeKey: d.Name + "\\.t\\.secret", TombstonesOnDeleteKey: "false",
	})
	delete(h.props, DatabaseIncludeKey)
	pre := h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (2,'b','s2')", "INSERT INTO skipped VALUES (2)", "DELETE FROM nokey WHERE a = 1")
	recs := append(pre, h.pollFor(500*time.Millisecond, nil)...)
	var tRows, nokey []connectors.SourceRecord
	for _, r := range recs {
		switch r.Topic {
		case "core." + d.Name + ".t":
			tRows = append(tRows, r)
		case "core." + d.Name + ".nokey":
			nokey = append(nokey, r)
		case "core." + d.Name + ".skipped":
			t.Fatalf("a record of an excluded table: %v", r.Value)
		}
	}
	if len(tRows) != 2 {
		t.Fatalf("%d records of t", len(tRows))
	}
	for _, r := range tRows {
		after := r.Value.(*schemas.Struct).Get("after").(*schemas.Struct)
		if _, ok := after.Schema().Field("secret"); ok {
			t.Errorf("the excluded column is in %v", after)
		}
	}
	if len(nokey) != 2 { // the snapshot's read and the delete, no tombstone
		t.Fatalf("%d records of nokey", len(nokey))
	}
	for _, r := range nokey {
		if r.Key != nil || r.KeySchema != nil || r.Value == nil {
			t.Errorf("a keyless table's record: key %v, value %v", r.Key, r.Value)
		}
	}
}

// TestInconsistentSchemaFails: when the history lacks an ALTER (a history
// topic that lost records), the next rows event has more columns than the
// table's structure: the task fails naming the table instead of sending
// wrong values.
func TestInconsistentSchemaFails(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY)")
	h := newHarness(t, d, nil)
	h.startStreaming()
	n := len(h.hist.records)
	d.Exec(t, "ALTER TABLE t ADD COLUMN x INT", "INSERT INTO t VALUES (1, 2)")
	h.poll(1, dataTopic(d, "t"))
	h.stop()
	h.hist.records = h.hist.records[:n] // the ALTER's record is lost
	d.Exec(t, "INSERT INTO t VALUES (2, 3)")
	h.start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		recs, err := h.task.Poll(context.Background())
		if err != nil {
			if !strings.Contains(err.Error(), "table "+d.Name+".t has 2 columns") || !strings.Contains(err.Error(), "inconsistent schema") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if got := only(recs, dataTopic(d, "t")); len(got) > 0 {
			t.Fatalf("records with the wrong structure: %v", got[0].Value)
		}
		if time.Now().After(deadline) {
			t.Fatal("the task did not fail")
		}
	}
}

// TestOffsetInsideTransactionWithoutGTIDs: an offset at a rows event's own
// position (as Debezium's MySqlConnector writes reading MariaDB) cannot be
// read (no table map before it): the task fails saying so instead of
// reconnecting forever.
func TestOffsetInsideTransactionWithoutGTIDs(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY)")
	h := newHarness(t, d, nil)
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)")
	got := h.poll(2, dataTopic(d, "t"))
	h.stop()
	src := got[0].Value.(*schemas.Struct).Get("source").(*schemas.Struct)
	h.offsets.commit(map[string]any{"file": src.Get("file"), "pos": src.Get("pos"), "row": int64(1), "server_id": int64(1)})
	h.start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := h.task.Poll(context.Background())
		if err != nil {
			if !strings.Contains(err.Error(), "table map") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the task did not fail")
		}
	}
}
