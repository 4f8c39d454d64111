package runtime

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors"
)

// typedOffsetTask stores offsets with the Go types a connector author
// naturally uses (int, int32, float32) and, at Start, reads back the offset
// of its partition through its context.
type typedOffsetTask struct {
	n       int
	last    int
	offset  func(n int) map[string]any
	mu      sync.Mutex
	started map[string]any // what Offsets() returned at Start
}

var typedPartition = map[string]any{"shard": int32(1), "name": "a"}

func (t *typedOffsetTask) Start(ctx context.Context, tc connectors.SourceTaskContext, _ map[string]string) error {
	off, err := tc.Offsets().Offset(ctx, map[string]any{"shard": int32(1), "name": "a"})
	t.mu.Lock()
	t.started = off
	t.mu.Unlock()
	return err
}
func (t *typedOffsetTask) Stop(context.Context) error { return nil }
func (t *typedOffsetTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if t.n == t.last {
		<-ctx.Done()
		return nil, nil
	}
	t.n++
	return []connectors.SourceRecord{{Record: connectors.Record{Topic: "t", Value: "v"},
		SourcePartition: typedPartition, SourceOffset: t.offset(t.n)}}, nil
}

// TestSourceTaskOffsetTypes: a task that stored an int, an int32 and a
// float32 reads them back through SourceTaskContext.Offsets as int64 and
// float64, the types it gets after a worker restart.
func TestSourceTaskOffsetTypes(t *testing.T) {
	p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
	task := &typedOffsetTask{last: 3, offset: func(n int) map[string]any {
		return map[string]any{"n": n, "n32": int32(n), "f": float32(n) / 10}
	}}
	st, offsets := newTestSourceTask(t, task, p, false)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- st.run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		off, err := offsets.Get(context.Background(), "c", typedPartition)
		if err != nil {
			t.Fatal(err)
		}
		if off["n"] == int64(3) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("committed offset %#v, want n=int64(3)", off)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run = %v", err)
	}
	// The task again, on the same store: what it reads at Start.
	again := &typedOffsetTask{offset: task.offset}
	st2, _ := newTestSourceTask(t, again, newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil }), false)
	st2.offsets = offsets
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2() // Start runs; the poll loop ends at once
	if err := st2.run(ctx2); err != nil {
		t.Fatalf("second run = %v", err)
	}
	again.mu.Lock()
	got := again.started
	again.mu.Unlock()
	if got["n"] != int64(3) || got["n32"] != int64(3) || got["f"] != 0.3 {
		t.Fatalf("offset read at Start = %#v (types %T %T %T), want n=int64(3) n32=int64(3) f=float64(0.3)",
			got, got["n"], got["n32"], got["f"])
	}
}

// TestSourceTaskOffsetJSONCannotCarry: a record whose offset holds a value
// JSON cannot carry fails the task at once, naming the field, instead of
// failing every offset flush.
func TestSourceTaskOffsetJSONCannotCarry(t *testing.T) {
	type cursor struct{ Pos int }
	for _, tc := range []struct {
		name   string
		offset map[string]any
		field  string
	}{
		{"struct", map[string]any{"cursor": cursor{1}}, "field cursor contains runtime.cursor"},
		{"nested map", map[string]any{"m": map[string]any{"a": 1}}, "field m contains MAP"},
		{"NaN", map[string]any{"x": float32(0) / zero32()}, "field x contains NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
			task := &typedOffsetTask{last: 1, offset: func(int) map[string]any { return tc.offset }}
			st, _ := newTestSourceTask(t, task, p, false)
			err := st.run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), "source offset") {
				t.Fatalf("run = %v, want an error naming %q", err, tc.field)
			}
			if got := p.values(); len(got) != 0 {
				t.Fatalf("the record was sent: %v", got)
			}
		})
	}
}

func zero32() float32 { return 0 }
