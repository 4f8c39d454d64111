package standalone_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// flushGate stands for an external system a sink writes to: Put buffers,
// and only the records up to the gate are durable there. PreCommit answers
// with the durable part of what it is offered, as a sink that writes
// asynchronously does.
type flushGate struct {
	mu       sync.Mutex
	put      int64 // records put
	durable  int64 // next offset not yet durable
	offered  int64 // the offset last offered to PreCommit
	calls    int   // PreCommit calls
	returned int64 // the offset PreCommit last returned
}

func (g *flushGate) snapshot() (put, offered, returned int64, calls int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.put, g.offered, g.returned, g.calls
}

func (g *flushGate) setDurable(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.durable = n
}

type gatedSink struct{ gate *flushGate }

func (s *gatedSink) Config() *config.Def { return config.NewDef() }
func (s *gatedSink) Start(context.Context, connectors.ConnectorContext, map[string]string) error {
	return nil
}
func (s *gatedSink) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{{}}, nil
}
func (s *gatedSink) Stop(context.Context) error   { return nil }
func (s *gatedSink) NewTask() connectors.SinkTask { return &gatedTask{gate: s.gate} }

type gatedTask struct{ gate *flushGate }

func (t *gatedTask) Start(context.Context, connectors.SinkTaskContext, map[string]string) error {
	return nil
}
func (t *gatedTask) Open(context.Context, []connectors.TopicPartition) error { return nil }
func (t *gatedTask) Put(_ context.Context, recs []connectors.SinkRecord) error {
	t.gate.mu.Lock()
	defer t.gate.mu.Unlock()
	t.gate.put += int64(len(recs))
	return nil
}
func (t *gatedTask) Flush(context.Context, map[connectors.TopicPartition]int64) error { return nil }
func (t *gatedTask) PreCommit(_ context.Context, offsets map[connectors.TopicPartition]int64) (map[connectors.TopicPartition]int64, error) {
	t.gate.mu.Lock()
	defer t.gate.mu.Unlock()
	t.gate.calls++
	out := map[connectors.TopicPartition]int64{}
	for tp, off := range offsets {
		t.gate.offered = off
		out[tp] = min(off, t.gate.durable)
		t.gate.returned = out[tp]
	}
	return out, nil
}
func (t *gatedTask) Close(context.Context, []connectors.TopicPartition) error { return nil }
func (t *gatedTask) Stop(context.Context) error                               { return nil }

// TestSinkCommitsOnlyWhatPreCommitReturns checks data-integrity rule 2: the
// runtime commits a sink's consumer offset only as far as the task says its
// records are flushed (PreCommit's answer), never as far as it has put them,
// however many commit rounds pass.
func TestSinkCommitsOnlyWhatPreCommitReturns(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	gate := &flushGate{durable: 2}
	reg := builtin.Registry()
	reg.Register(plugins.Plugin{Class: "com.example.GatedSinkConnector", Kind: plugins.Sink, New: func() any { return &gatedSink{gate: gate} }})
	h := newHerderWith(t, bootstrap, nil, reg)

	topic := testkit.NewTopic(t, bootstrap, 1)
	produce(t, bootstrap, topic, "r0", "r1", "r2", "r3", "r4")
	name := "precommit-" + topic
	if _, _, err := h.PutConnectorConfig(context.Background(), name, map[string]string{
		"connector.class": "com.example.GatedSinkConnector", "topics": topic,
	}, false, ""); err != nil {
		t.Fatal(err)
	}

	committed := func() int64 {
		off, err := testkit.GroupOffset(bootstrap, "connect-"+name, topic, 0)
		if err != nil {
			t.Fatal(err)
		}
		return off
	}
	await := func(what string, cond func() (bool, string)) {
		t.Helper()
		testkit.Eventually(t, time.Minute, what, cond)
	}

	// All five records are put and offered, but only two are durable.
	await("five records put and offered to PreCommit, two committed", func() (bool, string) {
		put, offered, _, _ := gate.snapshot()
		c := committed()
		return put == 5 && offered == 5 && c == 2, fmt.Sprintf("put %d, offered %d, committed %d", put, offered, c)
	})
	// Commit rounds go on (offset.flush.interval.ms=100): the offset stays
	// where PreCommit put it.
	_, _, _, calls := gate.snapshot()
	await("three more commit rounds", func() (bool, string) {
		_, _, _, n := gate.snapshot()
		return n >= calls+3, fmt.Sprintf("%d PreCommit calls, want %d", n, calls+3)
	})
	if c := committed(); c != 2 {
		t.Fatalf("committed offset %d after more rounds, want 2: the runtime committed records the task had not flushed", c)
	}

	// The external system catches up: the rest is committed.
	gate.setDurable(5)
	await("all five committed once durable", func() (bool, string) {
		_, _, returned, _ := gate.snapshot()
		c := committed()
		return c == 5, fmt.Sprintf("PreCommit returned %d, committed %d", returned, c)
	})
}

// TestSinkOffsetsResetIsIdempotent: resetting a stopped sink connector's
// offsets succeeds when its consumer group has no committed offset (it
// never consumed, or an earlier reset deleted the group), as Kafka
// Connect's reset does, and removes them when it has.
func TestSinkOffsetsResetIsIdempotent(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	h := newHerder(t, bootstrap, nil)
	ctx := context.Background()
	topic := testkit.NewTopic(t, bootstrap, 1)
	name := "reset-sink-" + topic
	cfg := map[string]string{"connector.class": "FileStreamSink", "topics": topic, "file": t.TempDir() + "/out.txt"}
	if _, _, err := h.PutConnectorConfig(ctx, name, cfg, false, herder.TargetStopped); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		msg, err := h.ResetConnectorOffsets(ctx, name)
		if err != nil || msg != "The offsets for this connector have been reset successfully" {
			t.Fatalf("reset %d of a sink that never consumed: %q, %v", i+1, msg, err)
		}
	}

	produce(t, bootstrap, topic, "a", "b")
	if err := h.SetTargetState(ctx, name, herder.TargetStarted); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, time.Minute, "the sink's committed offset 2", func() (bool, string) {
		off, err := testkit.GroupOffset(bootstrap, "connect-"+name, topic, 0)
		return err == nil && off == 2, fmt.Sprintf("offset %d, %v", off, err)
	})
	if err := h.SetTargetState(ctx, name, herder.TargetStopped); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if msg, err := h.ResetConnectorOffsets(ctx, name); err != nil {
			t.Fatalf("reset %d of a sink that consumed: %q, %v", i+1, msg, err)
		}
	}
	if off, err := testkit.GroupOffset(bootstrap, "connect-"+name, topic, 0); err != nil || off != -1 {
		t.Fatalf("after the reset the group's offset is %d (%v), want none", off, err)
	}
}
