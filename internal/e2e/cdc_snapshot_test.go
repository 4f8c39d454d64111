package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestCDCSnapshotHandover runs the initial snapshot of a 200,000-row table while another session
// inserts, updates and deletes rows of it, and goes on after the snapshot: every update adds one
// to the row's version. The topic, replayed, is the table's final state row for row (every final
// row present with its final value, no deleted row left); per key the events after the first one
// carry versions v+1, v+2, … without a gap (no change lost at the hand-over from the snapshot to
// the binary log), without a repeat (no change applied twice) and never backwards (none out of
// order), and a deleted key's last event is its delete of its last version.
func TestCDCSnapshotHandover(t *testing.T) {
	const rows = 200_000
	bootstrap := testkit.Kafka(t)
	d := testkit.NewDatabase(t)
	db := openDB(t, d.DSN)
	execAll(t, db, "CREATE TABLE t (id INT PRIMARY KEY, version INT NOT NULL, payload VARCHAR(64) NOT NULL)")
	for from := 1; from <= rows; from += 10_000 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO t (id, version, payload) VALUES ")
		for id := from; id < from+10_000; id++ {
			if id > from {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "(%d,1,'row %d v1')", id, id)
		}
		execAll(t, db, sb.String())
	}

	prefix := unique("e2ecdc_snap")
	topic := prefix + "." + d.Name + ".t"
	cw := newCDCWorker(t, bootstrap, t.TempDir(), d.Password)
	conn := cdcSource(d.MySQLServer, bootstrap, "snap", prefix, d.Name, map[string]string{"snapshot.mode": "initial"})

	// The writer: transactions of 10 changes (updates and deletes of existing rows, inserts of
	// new ones), from before the connector starts until told to stop.
	var stop atomic.Bool
	var writes, duringSnapshot atomic.Int64
	var snapshotting atomic.Bool
	done := make(chan error, 1)
	go func() { done <- handoverWriter(db, rows, &stop, &writes, &duringSnapshot, &snapshotting) }()
	writerAlive := func() error {
		select {
		case err := <-done:
			if err == nil {
				err = fmt.Errorf("the writer ended early")
			}
			done <- err
			return err
		default:
			return nil
		}
	}

	start := time.Now()
	w := cw.start(conn)
	eventually(t, 2*time.Minute, "the snapshot's records in the topic while the table is written to", func() (bool, string) {
		if err := writerAlive(); err != nil {
			t.Fatalf("writer: %v", err)
		}
		n := partitionEnd(bootstrap, topic)
		snapshotting.Store(n > 0 && n < rows)
		return n >= rows, fmt.Sprintf("%d records, %d writes", n, writes.Load())
	}, w)
	snapshotting.Store(false)
	// Streaming is on; a few more transactions after the snapshot, then the marker.
	afterSnapshot := writes.Load()
	eventually(t, time.Minute, "writes after the snapshot", func() (bool, string) {
		if err := writerAlive(); err != nil {
			t.Fatalf("writer: %v", err)
		}
		return writes.Load() >= afterSnapshot+200, fmt.Sprintf("%d writes", writes.Load())
	}, w)
	stop.Store(true)
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	const marker = -1
	execAll(t, db, fmt.Sprintf("INSERT INTO t (id, version, payload) VALUES (%d, 1, 'marker')", marker))
	events := awaitMarker(t, bootstrap, topic, strconv.Itoa(marker), 2*time.Minute, w)
	elapsed := time.Since(start)
	if got := connectorStatus(t, cw.listener, "snap"); got != "RUNNING/RUNNING" {
		t.Errorf("after the snapshot: %s", got)
	}
	w.Term()
	if duringSnapshot.Load() == 0 {
		t.Fatalf("no write committed while the snapshot's records were being produced: the hand-over was not exercised (%d writes)", writes.Load())
	}

	// Per key: the versions never go backwards; an update is the one after the key's last
	// event, a delete is of its last version, nothing follows a delete, and the snapshot reads a
	// key at most once (at or after the version of the key's earlier events, should a design
	// stream changes before it reads their rows).
	type keyState struct {
		version    int64
		read, gone bool
		first      string
	}
	keys := map[string]*keyState{}
	reads, unread := 0, 0
	for _, ev := range events {
		if ev.op == "" { // the tombstone after a delete
			continue
		}
		k := keyString(ev.key)
		img := ev.after
		if ev.op == "d" {
			img = ev.before
		}
		if img == nil {
			t.Fatalf("record %d: op %s of %s without its row image", ev.offset, ev.op, k)
		}
		v, err := strconv.ParseInt(fmt.Sprint(img["version"]), 10, 64)
		if err != nil {
			t.Fatalf("record %d: version %v: %v", ev.offset, img["version"], err)
		}
		ks, seen := keys[k]
		if !seen {
			ks = &keyState{version: v, first: ev.op}
			keys[k] = ks
		}
		was := fmt.Sprintf("(first event %s, last version %d)", ks.first, ks.version)
		switch {
		case seen && ks.gone:
			t.Fatalf("record %d: %s of %s after its delete %s", ev.offset, ev.op, k, was)
		case v < ks.version:
			t.Fatalf("record %d: %s of %s at version %d, backwards %s: a change applied out of order", ev.offset, ev.op, k, v, was)
		case ev.op == "r":
			reads++
			if ks.read {
				t.Fatalf("record %d: %s read twice by the snapshot %s", ev.offset, k, was)
			}
			ks.read = true
		case ev.op == "c":
			if seen || v != 1 {
				t.Fatalf("record %d: insert of %s at version %d %s", ev.offset, k, v, was)
			}
		case ev.op == "u":
			if !seen {
				unread++
			} else if v != ks.version+1 {
				t.Fatalf("record %d: update of %s to version %d %s, want %d: a change lost or doubled", ev.offset, k, v, was, ks.version+1)
			}
		case ev.op == "d":
			if seen && v != ks.version {
				t.Fatalf("record %d: delete of %s at version %d %s", ev.offset, k, v, was)
			}
			ks.gone = true
		default:
			t.Fatalf("record %d: unexpected op %q", ev.offset, ev.op)
		}
		ks.version = v
	}

	final, _, err := tableText(db, "SELECT id, version, payload FROM t", 1)
	if err != nil {
		t.Fatal(err)
	}
	got := replay(t, topic, events)
	var diffs []string
	for k, row := range final {
		ev, ok := got[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: in the table (version %s), missing from the topic", k, *row[1]))
		case fmt.Sprint(ev["version"]) != *row[1] || fmt.Sprint(ev["payload"]) != *row[2]:
			diffs = append(diffs, fmt.Sprintf("%s: the table has version %s %q, the topic %v %q", k, *row[1], *row[2], ev["version"], ev["payload"]))
		}
	}
	for k := range got {
		if _, ok := final[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: in the topic, not in the table (a delete lost)", k))
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("%d rows differ between the table and the replayed topic; the first ones:\n%s", len(diffs), strings.Join(diffs[:min(len(diffs), 20)], "\n"))
	}
	if reads < rows/2 {
		t.Errorf("only %d snapshot reads for %d rows", reads, rows)
	}
	t.Logf("%d rows snapshot (%d reads; %d keys changed before any read) with %d writes (%d while the snapshot's records were produced); %d records, %d final rows, in %s",
		rows, reads, unread, writes.Load(), duringSnapshot.Load(), len(events), len(final), elapsed.Round(time.Millisecond))
}

// handoverWriter changes the table in transactions of 10 statements until stop: updates of
// random rows (version+1; MariaDB assigns from left to right, so the payload names the new
// version), deletes of random rows, inserts of new ids above rows. It counts the
// committed statements, and those committed while snapshotting is set.
func handoverWriter(db *sql.DB, rows int, stop *atomic.Bool, writes, during *atomic.Int64, snapshotting *atomic.Bool) error {
	rng := rand.New(rand.NewPCG(17, 2026))
	next := rows + 1
	ctx := context.Background()
	for !stop.Load() {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for range 10 {
			var err error
			switch r := rng.IntN(10); {
			case r < 6:
				id := 1 + rng.IntN(next-1)
				_, err = tx.Exec("UPDATE t SET version = version + 1, payload = CONCAT('row ', id, ' v', version) WHERE id = ?", id)
			case r < 8:
				_, err = tx.Exec("DELETE FROM t WHERE id = ?", 1+rng.IntN(next-1))
			default:
				_, err = tx.Exec("INSERT INTO t (id, version, payload) VALUES (?, 1, ?)", next, fmt.Sprintf("row %d v1", next))
				next++
			}
			if err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		before := snapshotting.Load()
		if err := tx.Commit(); err != nil {
			return err
		}
		writes.Add(10)
		if before && snapshotting.Load() {
			during.Add(10)
		}
	}
	return nil
}
