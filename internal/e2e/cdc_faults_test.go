package e2e

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestCDCBinlogNotUsable starts the CDC source against servers of the test's own whose binary
// log cannot serve it: off, and in STATEMENT format. The connector or its task is FAILED with a
// trace naming the server setting at fault (log_bin, binlog_format) and what it must be.
func TestCDCBinlogNotUsable(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	for _, c := range []struct {
		binlog string
		words  [][]string // each group: one of its words must be in the trace
	}{
		{"OFF", [][]string{{"log_bin", "log-bin"}}},
		{"STATEMENT", [][]string{{"binlog_format"}, {"ROW"}}},
	} {
		t.Run(c.binlog, func(t *testing.T) {
			m := testkit.StartMariaDBWith(t, testkit.MariaDBOptions{Binlog: c.binlog})
			execAll(t, openDB(t, m.DSN), "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))", "INSERT INTO t VALUES (1, 'a')")
			cw := newCDCWorker(t, bootstrap, t.TempDir(), m.Password)
			name := "binlog-" + strings.ToLower(c.binlog)
			w := cw.start(cdcSource(m.MySQLServer, bootstrap, name, unique("e2ecdc_bl"), "sluice", nil))
			trace := awaitConnectorOrTaskFailed(t, cw.c, name, w)
			t.Logf("trace: %.400s", trace)
			for _, g := range c.words {
				if !containsAny(trace, g) {
					t.Errorf("binlog %s: the trace does not name %q:\n%s", c.binlog, g, trace)
				}
			}
			noSecretIn(t, "the trace", trace, m.Password)
		})
	}
}

// TestCDCMissingReplicationGrant runs the CDC source as a user of the shared server who may read
// the tables but lacks REPLICATION SLAVE: the connector or its task is FAILED with a trace that
// names the grant.
func TestCDCMissingReplicationGrant(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))", "INSERT INTO t VALUES (1, 'a')")
	user, password := unique("e2ecdc_nogrant"), secret(t, "cdcpw")
	d.Exec(t, fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, password),
		fmt.Sprintf("GRANT SELECT, RELOAD, SHOW DATABASES, LOCK TABLES, BINLOG MONITOR ON *.* TO '%s'@'%%'", user))
	t.Cleanup(func() { _, _ = d.DB.Exec(fmt.Sprintf("DROP USER '%s'@'%%'", user)) })

	s := d.MySQLServer
	s.User, s.Password = user, password
	cw := newCDCWorker(t, bootstrap, t.TempDir(), password)
	w := cw.start(cdcSource(s, bootstrap, "nogrant", unique("e2ecdc_ng"), d.Name, nil))
	trace := awaitConnectorOrTaskFailed(t, cw.c, "nogrant", w)
	t.Logf("trace: %.400s", trace)
	if !containsAny(trace, []string{"REPLICATION SLAVE", "REPLICATION REPLICA"}) {
		t.Errorf("the trace does not name the grant REPLICATION SLAVE:\n%s", trace)
	}
	noSecretIn(t, "the trace", trace, password)
}

// TestCDCBinlogPurged stops a CDC source, writes, and purges the binary logs past its stored
// offset on a server of the test's own. Started again, the connector or its task is FAILED with a
// trace saying the position is gone; with snapshot.mode=when_needed it takes a new snapshot
// instead, and its topic, replayed, is the table.
func TestCDCBinlogPurged(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	m := testkit.StartMariaDB(t)
	db, root := openDB(t, m.DSN), openDB(t, m.RootDSN)
	execAll(t, db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)")
	insertRows(t, db, 1, 100)

	prefix := unique("e2ecdc_purge")
	topic := prefix + ".sluice.t"
	cw := newCDCWorker(t, bootstrap, t.TempDir(), m.Password)
	conn := cdcSource(m.MySQLServer, bootstrap, "purge", prefix, "sluice", nil)
	w := cw.start(conn)
	insertRows(t, db, 101, 200)
	eventually(t, time.Minute, "the snapshot and the streamed rows in the topic and a committed offset", func() (bool, string) {
		n := partitionEnd(bootstrap, topic)
		off := cw.offset("purge", prefix)
		return n >= 200 && off != nil && off["snapshot"] == nil && off["file"] != nil, fmt.Sprintf("%d records, offset %v", n, off)
	}, w)
	w.Term()
	stored := cw.offset("purge", prefix)

	insertRows(t, db, 201, 300)
	execAll(t, db, "UPDATE t SET v = CONCAT(v, ' u') WHERE id % 7 = 0", "DELETE FROM t WHERE id % 11 = 0")
	// The server keeps a binary log a replication client still reads: wait until the stopped
	// connector's dump thread is gone, then purge every log before a fresh one.
	eventually(t, 30*time.Second, "no binlog dump thread on the server", func() (bool, string) {
		var n int
		err := root.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'").Scan(&n)
		return err == nil && n == 0, fmt.Sprintf("%d dump threads (%v)", n, err)
	})
	execAll(t, root, "FLUSH BINARY LOGS", "FLUSH BINARY LOGS")
	logs := binaryLogs(t, root)
	current := logs[len(logs)-1]
	// MariaDB keeps a log until InnoDB's binlog checkpoint has passed it, and PURGE skips it
	// silently until then: purge again until only the current one is left.
	eventually(t, 30*time.Second, "PURGE BINARY LOGS TO "+current, func() (bool, string) {
		execAll(t, root, fmt.Sprintf("PURGE BINARY LOGS TO '%s'", current))
		logs = binaryLogs(t, root)
		return len(logs) == 1, fmt.Sprintf("the server keeps %v", logs)
	})
	if f, _ := stored["file"].(string); f == current || f == "" {
		t.Fatalf("the stored offset %v is not before the binary log %s kept", stored, current)
	}

	w = cw.start(conn)
	trace := awaitConnectorOrTaskFailed(t, cw.c, "purge", w)
	t.Logf("trace: %.400s", trace)
	if !containsAny(trace, []string{"purged", "no longer available"}) {
		t.Errorf("the trace does not say the stored position (%v) is purged:\n%s", stored, trace)
	}
	w.Term()

	when := cdcSource(m.MySQLServer, bootstrap, "purge", prefix, "sluice", map[string]string{"snapshot.mode": "when_needed"})
	when["database.server.id"] = conn["database.server.id"]
	// The new snapshot cannot tell which rows went while the connector was down (nor can
	// Debezium's): its records, and the changes after them, are the table by themselves.
	from := partitionEnd(bootstrap, topic)
	w = cw.start(when)
	execAll(t, db, "INSERT INTO t (id, v) VALUES (100000, 'marker')")
	events := awaitReplayEquals(t, bootstrap, topic, from, db, "SELECT id, v FROM t", w)
	reads := 0
	for _, ev := range events[from:] {
		if ev.op == "r" {
			reads++
		}
	}
	if want := 300 - 300/11; reads < want {
		t.Errorf("%d snapshot reads after the purge, want at least %d: no new snapshot", reads, want)
	}
	if got := connectorStatus(t, cw.listener, "purge"); got != "RUNNING/RUNNING" {
		t.Errorf("with when_needed: %s", got)
	}
	w.Term()
}

// TestCDCDatabaseRestart kills the database (a server of the test's own) with SIGKILL under a
// streaming CDC source while a writer goes on, and starts it again: the task is RUNNING again,
// and its topic, replayed, is the table row for row.
func TestCDCDatabaseRestart(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	m := testkit.StartMariaDB(t)
	db := openDB(t, m.DSN)
	execAll(t, db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)")
	insertRows(t, db, 1, 500)

	prefix := unique("e2ecdc_dbre")
	topic := prefix + ".sluice.t"
	cw := newCDCWorker(t, bootstrap, t.TempDir(), m.Password)
	w := cw.start(cdcSource(m.MySQLServer, bootstrap, "dbrestart", prefix, "sluice",
		map[string]string{"heartbeat.interval.ms": "500"}))
	insertRows(t, db, 501, 1000)
	eventually(t, time.Minute, "streamed rows in the topic", func() (bool, string) {
		n := partitionEnd(bootstrap, topic)
		return n >= 1000, fmt.Sprintf("%d records", n)
	}, w)

	m.Kill9()
	m.Restart()
	insertRows(t, db, 1001, 1500)
	execAll(t, db, "UPDATE t SET v = CONCAT(v, ' u') WHERE id % 5 = 0", "DELETE FROM t WHERE id % 13 = 0")
	execAll(t, db, "INSERT INTO t (id, v) VALUES (100000, 'marker')")
	awaitReplayEquals(t, bootstrap, topic, 0, db, "SELECT id, v FROM t", w)
	if got := connectorStatus(t, cw.listener, "dbrestart"); got != "RUNNING/RUNNING" {
		t.Errorf("after the database's restart: %s", got)
	}
	w.Term()
}

// binaryLogs returns the server's binary log files (SHOW BINARY LOGS), oldest first.
func binaryLogs(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SHOW BINARY LOGS")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		names = append(names, string(vals[0]))
	}
	if err := rows.Err(); err != nil || len(names) == 0 {
		t.Fatalf("SHOW BINARY LOGS: %v, %d files", err, len(names))
	}
	return names
}

// insertRows inserts rows [from, to] (id, 'row <id>') in one statement.
func insertRows(t *testing.T, db *sql.DB, from, to int) {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("INSERT INTO t (id, v) VALUES ")
	for id := from; id <= to; id++ {
		if id > from {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "(%d,'row %d')", id, id)
	}
	execAll(t, db, sb.String())
}

// awaitReplayEquals waits until the topic's last event is the insert of the marker row (id
// 100000) and then compares the topic's records from offset from on, replayed, with the table's
// rows (query: the key column first, then the others by name as the events carry them), failing
// t with the differences. It returns all the topic's records.
func awaitReplayEquals(t *testing.T, bootstrap, topic string, from int64, db *sql.DB, query string, w *testkit.Worker) []cdcEvent {
	t.Helper()
	events := awaitMarker(t, bootstrap, topic, "100000", 2*time.Minute, w)
	want, cols, err := tableText(db, query, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := replay(t, topic, events[from:])
	var diffs []string
	for k, row := range want {
		ev, ok := got[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: in the table, not in the topic", k))
			continue
		}
		for i, c := range cols {
			if row[i] == nil && ev[c] == nil {
				continue
			}
			if row[i] == nil || ev[c] == nil || *row[i] != fmt.Sprint(ev[c]) {
				diffs = append(diffs, fmt.Sprintf("%s: column %s: the table has %s, the topic %v", k, c, textRow(row[i:i+1]), ev[c]))
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: in the topic, not in the table", k))
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("%d differences between %s replayed from offset %d and the table; the first ones:\n%s", len(diffs), topic, from, strings.Join(diffs[:min(len(diffs), 20)], "\n"))
	}
	return events
}
