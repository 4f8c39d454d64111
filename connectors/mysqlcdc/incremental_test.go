package mysqlcdc

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/incremental"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// TestIncrementalSnapshotRestartUnderWrites runs an incremental snapshot of a table through
// the task, against the real MariaDB, while writers change the table; the
// task is restarted from its committed offsets in the middle of the
// snapshot. The table rebuilt from the records equals the table, and no
// snapshot read carries an older version of a row than a change record
// before it.
func TestIncrementalSnapshotRestartUnderWrites(t *testing.T) {
	const rowsN = 5000
	d := testkit.NewDatabase(t)
	d.Exec(t,
		"CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
		"CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(64) NOT NULL)",
		"INSERT INTO t (id, v) SELECT seq, CONCAT('v0-', seq) FROM seq_1_to_"+strconv.Itoa(rowsN))
	h := newHarness(t, d, map[string]string{
		SnapshotModeKey: SnapshotNoData, SignalCollectionKey: d.Name + ".sig", incremental.ChunkSizeKey: "200", "schema.history.internal.skip.unparseable.ddl": "true",
	})
	h.start()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	const writers = 2
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var changes atomic.Int64
	var next atomic.Int64
	next.Store(rowsN)
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(3, uint64(w)))
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				top := int(next.Load())
				var err error
				switch r := rng.IntN(10); {
				case r < 2:
					_, err = d.DB.ExecContext(ctx, "INSERT INTO t VALUES (?, ?)", next.Add(1), fmt.Sprintf("ins-%d-%d", w, n))
				case r < 4:
					_, err = d.DB.ExecContext(ctx, "DELETE FROM t WHERE id = ?", rng.IntN(top)+1)
				case r < 5:
					_, err = d.DB.ExecContext(ctx, "INSERT INTO t VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)", rng.IntN(top)+1, fmt.Sprintf("re-%d-%d", w, n))
				default:
					_, err = d.DB.ExecContext(ctx, "UPDATE t SET v = ? WHERE id = ?", fmt.Sprintf("upd-%d-%d", w, n), rng.IntN(top)+1)
				}
				if err != nil {
					errs <- err
					return
				}
				changes.Add(1)
			}
		}()
	}
	stopWriters := func() {
		close(stop)
		wg.Wait()
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
	}
	defer func() {
		select {
		case <-stop:
		default:
			stopWriters()
		}
	}()
	// the signal goes in once the task streams (a change record came): a
	// row inserted before the snapshot's binlog position is never read
	signalled := false

	topic := "core." + d.Name + ".t"
	sigTopic := "core." + d.Name + ".sig"
	replica, streamed := map[int64]string{}, map[int64]bool{}
	reads, restarted, done := 0, false, false
	var sawRunning bool
	polled := 0
	var lastOff map[string]any
	deadline := time.Now().Add(3 * time.Minute) // the binlog is shared with other tests: reading it may lag
	for !done {
		if time.Now().After(deadline) {
			t.Fatalf("no end after %d snapshot reads (restarted %v); %d records polled, the last offset %v", reads, restarted, polled, lastOff)
		}
		recs, err := h.task.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			polled++
			lastOff = r.SourceOffset
			h.offsets.commit(r.SourceOffset)
			_, running := r.SourceOffset[incremental.OffsetCollections]
			if r.Topic == sigTopic && r.Value != nil {
				after := r.Value.(*schemas.Struct).Get("after").(*schemas.Struct)
				if after.Get("id") == "end" {
					done = true
				}
				continue
			}
			if r.Topic != topic || r.Value == nil {
				continue
			}
			env := r.Value.(*schemas.Struct)
			op := env.Get("op").(string)
			if !signalled && op != "r" {
				signalled = true
				d.Exec(t, fmt.Sprintf(`INSERT INTO sig VALUES ('go', 'execute-snapshot', '{"data-collections": ["%s.t"]}')`, d.Name))
			}
			src := env.Get("source").(*schemas.Struct)
			switch op {
			case "c", "u":
				row := env.Get("after").(*schemas.Struct)
				id := row.Get("id").(int64)
				replica[id], streamed[id] = row.Get("v").(string), true
			case "d":
				id := env.Get("before").(*schemas.Struct).Get("id").(int64)
				delete(replica, id)
				streamed[id] = true
			case "r":
				if src.Get("snapshot") != "incremental" {
					t.Fatalf("snapshot read with source.snapshot %v", src.Get("snapshot"))
				}
				if _, ok := r.SourceOffset[incremental.OffsetPrimaryKey]; !ok {
					t.Fatalf("snapshot read without %s in its offset: %v", incremental.OffsetPrimaryKey, r.SourceOffset)
				}
				row := env.Get("after").(*schemas.Struct)
				id := row.Get("id").(int64)
				v := row.Get("v").(string)
				if streamed[id] {
					cur, ok := replica[id]
					if !ok {
						t.Fatalf("snapshot read of key %d resurrects a deleted row", id)
					}
					if cur != v {
						t.Fatalf("snapshot read of key %d has %q, a change record before it %q", id, v, cur)
					}
				}
				replica[id] = v
				reads++
			}
			if running {
				sawRunning = true
			}
			if sawRunning && !running && r.Topic == topic {
				select {
				case <-stop:
				default:
					stopWriters()
					d.Exec(t, `INSERT INTO sig VALUES ('end', 'log', '{"message": "end"}')`)
				}
			}
		}
		if !restarted && reads >= rowsN/2 {
			restarted = true
			h.stop()
			h.start()
		}
	}
	final := map[int64]string{}
	rows, err := d.DB.QueryContext(ctx, "SELECT id, v FROM t")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		final[id] = v
	}
	rows.Close()
	missing, wrong := 0, 0
	for k, v := range final {
		if rv, ok := replica[k]; !ok {
			missing++
		} else if rv != v {
			wrong++
		}
	}
	if missing+wrong > 0 || len(replica) != len(final) {
		t.Fatalf("replica %d rows, table %d: %d missing, %d differ", len(replica), len(final), missing, wrong)
	}
	t.Logf("%d rows, %d snapshot reads, %d changes by the writers", len(final), reads, changes.Load())
}
