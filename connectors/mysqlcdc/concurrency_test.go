package mysqlcdc

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// stopWithin stops the harness's task and fails when Stop takes longer
// than d.
func stopWithin(t *testing.T, h *harness, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	task := h.task
	go func() { done <- task.Stop(context.Background()) }()
	select {
	case <-done:
		h.task = nil
	case <-time.After(d):
		buf := make([]byte, 1<<20)
		t.Fatalf("Stop did not return within %v:\n%s", d, buf[:runtime.Stack(buf, true)])
	}
}

// waitGoroutines waits until the goroutines are back to at most n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after Stop, %d before Start:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitQueueFull waits until the reader filled the queue (it then blocks).
func waitQueueFull(t *testing.T, h *harness) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(h.task.queue) < cap(h.task.queue) {
		if time.Now().After(deadline) {
			t.Fatalf("the queue holds %d of %d", len(h.task.queue), cap(h.task.queue))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStopBlockedReaderNoLeak: Stop while the reader blocks on a
// full queue, during the snapshot and during streaming, returns and leaves
// no goroutine behind.
func TestStopBlockedReaderNoLeak(t *testing.T) {
	d := testkit.NewDatabase(t)
	var vals []string
	for i := 1; i <= 50; i++ {
		vals = append(vals, fmt.Sprintf("(%d,'n%d')", i, i))
	}
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES "+strings.Join(vals, ","))
	if err := d.DB.Ping(); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	small := map[string]string{MaxBatchSizeKey: "2", MaxQueueSizeKey: "3", HeartbeatIntervalKey: "100"}

	// During the snapshot.
	h := newHarness(t, d, small)
	h.start()
	waitQueueFull(t, h)
	stopWithin(t, h, 10*time.Second)
	waitGoroutines(t, before)

	// During streaming.
	h = newHarness(t, d, small)
	h.props[SnapshotModeKey] = SnapshotNoData
	h.startStreaming()
	d.Exec(t, "UPDATE t SET name = CONCAT(name, 'x')")
	waitQueueFull(t, h)
	stopWithin(t, h, 10*time.Second)
	waitGoroutines(t, before)
}

// TestStoredOffsetHostile: stored offsets with wrong types or a
// malformed GTID set fail with an error naming the key, never a panic or a
// task that runs on from a wrong position.
func TestStoredOffsetHostile(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a')")
	h := newHarness(t, d, nil)
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (2,'b')")
	h.poll(1, dataTopic(d, "t"))
	h.stop()
	good := maps.Clone(h.offsets.m)
	for _, tc := range []struct {
		name string
		set  map[string]any
		want string
	}{
		{"pos string", map[string]any{"pos": "abc"}, `"pos"`},
		{"pos negative", map[string]any{"pos": int64(-5)}, "out of range"},
		{"gtids malformed", map[string]any{"gtids": "garbage"}, "GTID"},
		{"gtids number", map[string]any{"gtids": int64(5)}, `"gtids"`},
		{"event string", map[string]any{"event": "x"}, `"event"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := maps.Clone(good)
			maps.Copy(o, tc.set)
			h.offsets.mu.Lock()
			h.offsets.m = o
			h.offsets.mu.Unlock()
			h.task = &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
			err := h.task.Start(context.Background(), taskContext{t: t, offsets: h.offsets}, h.props)
			if err == nil {
				// The reader may find it: Poll must return the error.
				deadline := time.Now().Add(20 * time.Second)
				for err == nil && time.Now().Before(deadline) {
					var recs []any
					rs, perr := h.task.Poll(context.Background())
					for range rs {
						recs = append(recs, nil)
					}
					if len(recs) > 0 {
						t.Fatalf("the task sent %d records from the hostile offset %v", len(recs), o)
					}
					err = perr
				}
				h.stop()
			} else {
				h.task = nil
			}
			if err == nil {
				t.Fatalf("no error for the offset %v", o)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %s", err, tc.want)
			}
		})
	}
}
