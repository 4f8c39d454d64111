package mysqlcdc

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// TestSnapshotHandOverUnderWrites snapshots a 200k-row table while a
// writer updates, inserts and deletes rows: the state rebuilt from the
// records equals the table at the end, and no row's version ever goes
// back (no snapshot row overrides a newer change, no change is lost).
func TestSnapshotHandOverUnderWrites(t *testing.T) {
	rows := 200_000
	if testing.Short() {
		rows = 20_000
	}
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, v INT NOT NULL)",
		fmt.Sprintf("INSERT INTO t SELECT seq, 0 FROM seq_1_to_%d", rows))
	h := newHarness(t, d, nil)

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var writes int
	wg.Add(1)
	go func() { // the writer: until stopped, versions only go up
		defer wg.Done()
		next := rows + 1
		for ctx.Err() == nil {
			var q string
			switch n := rand.IntN(10); {
			case n < 6:
				q = fmt.Sprintf("UPDATE t SET v = v + 1 WHERE id = %d", 1+rand.IntN(rows))
			case n < 8:
				q = fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", next)
				next++
			default:
				q = fmt.Sprintf("DELETE FROM t WHERE id = %d", 1+rand.IntN(rows))
			}
			if _, err := d.DB.Exec(q); err != nil {
				t.Errorf("writer: %s: %v", q, err)
				return
			}
			writes++
		}
	}()
	h.start()
	state := map[int64]int32{}
	deadline := time.Now().Add(5 * time.Minute)
	topic := dataTopic(d, "t")
	apply := func() {
		for _, r := range h.pollOnce(topic) {
			if r.Value == nil {
				continue // tombstone
			}
			env := r.Value.(*schemas.Struct)
			switch op := env.Get("op").(string); op {
			case "d":
				delete(state, env.Get("before").(*schemas.Struct).Get("id").(int64))
			default:
				after := env.Get("after").(*schemas.Struct)
				id, v := after.Get("id").(int64), after.Get("v").(int32)
				if old, ok := state[id]; ok && v < old {
					t.Fatalf("row %d went back from version %d to %d (op %s)", id, old, v, op)
				}
				state[id] = v
			}
		}
	}
	streaming := false
	for !streaming {
		select {
		case <-h.task.streaming:
			streaming = true
		default:
		}
		apply()
		if time.Now().After(deadline) {
			t.Fatal("the snapshot did not finish")
		}
	}
	time.Sleep(200 * time.Millisecond) // writes go on into the streaming phase
	stop()
	wg.Wait()
	want := map[int64]int32{}
	res, err := d.DB.Query("SELECT id, v FROM t")
	if err != nil {
		t.Fatal(err)
	}
	for res.Next() {
		var id int64
		var v int32
		if err := res.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		want[id] = v
	}
	res.Close()
	for !equalState(state, want) {
		if time.Now().After(deadline) {
			t.Fatalf("state from the records: %d rows, the table %d", len(state), len(want))
		}
		apply()
	}
	t.Logf("%d rows snapshotted with %d concurrent writes", rows, writes)
}

func equalState(a, b map[int64]int32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestIncrementalSnapshotSignal: an execute-snapshot row in the signal
// table makes the task read the table again in chunks, interleaved with
// the stream; the state rebuilt from the records equals the table.
func TestIncrementalSnapshotSignal(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, v INT NOT NULL)",
		"INSERT INTO t SELECT seq, 0 FROM seq_1_to_2500",
		"CREATE TABLE debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	h := newHarness(t, d, map[string]string{
		SnapshotModeKey: "no_data", SignalCollectionKey: d.Name + ".debezium_signal",
		TableIncludeKey: d.Name + "\\.t", "incremental.snapshot.chunk.size": "1000",
	})
	delete(h.props, DatabaseIncludeKey)
	h.startStreaming()
	d.Exec(t, fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('s1', 'execute-snapshot', '{"data-collections": ["%s.t"]}')`, d.Name))
	for i := 1; i <= 50; i++ {
		d.Exec(t, fmt.Sprintf("UPDATE t SET v = v + 1 WHERE id = %d", i*37))
	}
	state := map[int64]int32{}
	reads := 0
	deadline := time.Now().Add(2 * time.Minute)
	for len(state) < 2500 || reads < 2400 {
		if time.Now().After(deadline) {
			t.Fatalf("%d rows known, %d snapshot reads", len(state), reads)
		}
		for _, r := range h.pollOnce(dataTopic(d, "t")) {
			env := r.Value.(*schemas.Struct)
			after := env.Get("after").(*schemas.Struct)
			id, v := after.Get("id").(int64), after.Get("v").(int32)
			if env.Get("op") == "r" {
				reads++
				if snap := env.Get("source").(*schemas.Struct).Get("snapshot"); snap != "incremental" {
					t.Fatalf("a read with source.snapshot %v", snap)
				}
				if _, ok := r.SourceOffset["incremental_snapshot_collections"]; !ok && reads < 2400 {
					t.Fatalf("a snapshot read's offset has no incremental state: %v", r.SourceOffset)
				}
			}
			if old, ok := state[id]; ok && v < old {
				t.Fatalf("row %d went back from %d to %d", id, old, v)
			}
			state[id] = v
		}
	}
	for i := 1; i <= 50; i++ {
		if state[int64(i*37)] != 1 {
			t.Fatalf("row %d: v = %d, want 1", i*37, state[int64(i*37)])
		}
	}
}

// TestSnapshotMarkersAcrossTables: source.snapshot is first, then
// last_in_data_collection at the end of the first table,
// first_in_data_collection at the start of the next, last at the end.
func TestSnapshotMarkersAcrossTables(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE a (id INT PRIMARY KEY)", "CREATE TABLE b (id INT PRIMARY KEY)",
		"INSERT INTO a VALUES (1),(2),(3)", "INSERT INTO b VALUES (1),(2)")
	h := newHarness(t, d, nil)
	h.start()
	recs := h.poll(5, func(s string) bool { return strings.HasPrefix(s, "core."+d.Name+".") })
	var got []string
	for _, r := range recs {
		src := r.Value.(*schemas.Struct).Get("source").(*schemas.Struct)
		got = append(got, fmt.Sprintf("%s:%v", src.Get("table"), src.Get("snapshot")))
	}
	want := "[a:first a:true a:last_in_data_collection b:first_in_data_collection b:last]"
	if fmt.Sprint(got) != want {
		t.Fatalf("markers %v, want %s", got, want)
	}
}
