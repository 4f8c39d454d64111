package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"golang.org/x/sync/semaphore"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/runtime/storage"
	"github.com/sluicehq/sluice/schemas/simple"
)

// stuckProducer never takes a message; asking for its input channel makes
// the task fail, as if an earlier record had just been rejected by Kafka.
type stuckProducer struct {
	sarama.AsyncProducer
	onInput func()
	input   chan *sarama.ProducerMessage
}

func (p *stuckProducer) Abort()   {}
func (p *stuckProducer) Release() {}

func (p *stuckProducer) Input() chan<- *sarama.ProducerMessage {
	p.onInput()
	return p.input
}

// TestSendAfterProducerFailure checks that a record that could not be handed
// to the producer because the producer failed is not left counted as in
// flight (shutdown would wait offset.flush.timeout.ms for it) and that no
// offset of its partition becomes committable.
func TestSendAfterProducerFailure(t *testing.T) {
	conv := simple.NewStringConverter()
	if err := conv.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	task := &sourceTask{conv: converters{key: conv, value: conv}, tracker: newSubmitted(), budget: semaphore.NewWeighted(budgetBytes), maxMessageBytes: 1 << 20}
	task.failed, task.fail = context.WithCancelCause(context.Background())
	task.gone, task.halt = context.WithCancelCause(task.failed)
	rejected := errors.New("broker says no")
	task.producer = &stuckProducer{onInput: func() { task.fail(rejected) }, input: make(chan *sarama.ProducerMessage)}

	part := map[string]any{"filename": "f"}
	err := task.send(context.Background(), []connectors.SourceRecord{{Record: connectors.Record{Topic: "t", Value: "v"}, SourcePartition: part, SourceOffset: map[string]any{"position": int64(2)}}})
	if !errors.Is(err, rejected) {
		t.Fatalf("send = %v, want the producer's failure", err)
	}
	if n := task.tracker.inFlight(); n != 0 {
		t.Fatalf("%d records counted in flight after a failed send", n)
	}
	if offs := task.tracker.committable(); len(offs) != 0 {
		t.Fatalf("offsets committable after a failed send: %v", offs)
	}
	if !task.budget.TryAcquire(budgetBytes) {
		t.Fatal("the failed record's bytes were not released from the budget")
	}
	if !strings.Contains(context.Cause(task.failed).Error(), "broker says no") {
		t.Fatal("cause lost")
	}
}

// fakeProducer takes messages into a list; ack decides, per message,
// whether Kafka acknowledges it (true), refuses it (an error), or never
// answers (nil, as while Kafka is away).
type fakeProducer struct {
	input   chan *sarama.ProducerMessage
	succ    chan *sarama.ProducerMessage
	errs    chan *sarama.ProducerError
	ack     func(m *sarama.ProducerMessage) (bool, error)
	mu      sync.Mutex
	taken   []string
	held    []*sarama.ProducerMessage
	aborted bool
	done    chan struct{}
}

func newFakeProducer(ack func(*sarama.ProducerMessage) (bool, error)) *fakeProducer {
	p := &fakeProducer{input: make(chan *sarama.ProducerMessage), succ: make(chan *sarama.ProducerMessage, 1024),
		errs: make(chan *sarama.ProducerError, 1024), ack: ack, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for m := range p.input {
			p.mu.Lock()
			p.taken = append(p.taken, string(m.Value.(sarama.ByteEncoder)))
			ok, err := p.ack(m)
			switch {
			case p.aborted:
				p.errs <- &sarama.ProducerError{Msg: m, Err: sarama.ErrClosedClient}
			case ok:
				p.succ <- m
			case err != nil:
				p.errs <- &sarama.ProducerError{Msg: m, Err: err}
			default:
				p.held = append(p.held, m)
			}
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *fakeProducer) Input() chan<- *sarama.ProducerMessage     { return p.input }
func (p *fakeProducer) Successes() <-chan *sarama.ProducerMessage { return p.succ }
func (p *fakeProducer) Errors() <-chan *sarama.ProducerError      { return p.errs }
func (p *fakeProducer) Release()                                  {}
func (p *fakeProducer) Abort() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.aborted = true
	for _, m := range p.held {
		p.errs <- &sarama.ProducerError{Msg: m, Err: sarama.ErrClosedClient}
	}
	p.held = nil
}
func (p *fakeProducer) AsyncClose() {
	close(p.input)
	go func() {
		<-p.done
		p.Abort()
		close(p.succ)
		close(p.errs)
	}()
}

func (p *fakeProducer) wasAborted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.aborted
}

func (p *fakeProducer) values() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.taken)
}

// listTask returns the records of values, one per poll, then waits.
type listTask struct {
	values []string
	next   int
}

func (t *listTask) Start(context.Context, connectors.SourceTaskContext, map[string]string) error {
	return nil
}
func (t *listTask) Stop(context.Context) error { return nil }
func (t *listTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if t.next == len(t.values) {
		<-ctx.Done()
		return nil, nil
	}
	v := t.values[t.next]
	t.next++
	return []connectors.SourceRecord{{Record: connectors.Record{Topic: "t", Value: v},
		SourcePartition: map[string]any{"p": "0"}, SourceOffset: map[string]any{"n": int64(t.next)}}}, nil
}

// newTestSourceTask builds a source task around a fake producer.
func newTestSourceTask(t *testing.T, task connectors.SourceTask, p *fakeProducer, tolerateAll bool) (*sourceTask, *storage.MemoryOffsets) {
	t.Helper()
	conv := simple.NewStringConverter()
	if err := conv.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	offsets := storage.NewMemoryOffsets()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	id := herder.TaskID{Connector: "c", Task: 0}
	st := &sourceTask{id: id, task: task, conv: converters{key: conv, value: conv, header: simple.HeaderConverter{}},
		connect: func(context.Context, *kafka.Watch) (sourceProducer, error) { return p, nil },
		offsets: offsets, flushEach: 20 * time.Millisecond, drainFor: 200 * time.Millisecond, log: log,
		state:  newTaskState(herder.TargetStarted, func(herder.State, string) {}),
		errs:   &errorHandler{policy: errorPolicy{tolerateAll: tolerateAll}, id: id, log: log},
		active: newTopicTracker(new(atomic.Int64), nil), deliveryTimeout: time.Hour, maxMessageBytes: 1 << 20}
	return st, offsets
}

// TestSourceDeliveryTimeout: a record Kafka never acknowledges fails the
// task after delivery.timeout.ms, and its offset is not committed.
func TestSourceDeliveryTimeout(t *testing.T) {
	p := newFakeProducer(func(m *sarama.ProducerMessage) (bool, error) {
		return string(m.Value.(sarama.ByteEncoder)) != "b", nil // "b" waits for ever
	})
	st, offsets := newTestSourceTask(t, &listTask{values: []string{"a", "b", "c"}}, p, false)
	st.deliveryTimeout = 300 * time.Millisecond
	err := st.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "delivery.timeout.ms=300") {
		t.Fatalf("run = %v, want a delivery timeout", err)
	}
	off, err := offsets.Get(context.Background(), "c", map[string]any{"p": "0"})
	if err != nil || off["n"] != int64(1) {
		t.Fatalf("committed offset %v (%v), want the one of the acknowledged record a", off, err)
	}
}

// TestSourceRefusedRecordStopsThePartition: after Kafka refuses a record
// for good, the task fails, the producer is aborted, and nothing polled
// after the refused record is handed over; the committed offset stays
// before it.
func TestSourceRefusedRecordStopsThePartition(t *testing.T) {
	refused := errors.New("INVALID_RECORD")
	p := newFakeProducer(func(m *sarama.ProducerMessage) (bool, error) {
		if string(m.Value.(sarama.ByteEncoder)) == "b" {
			return false, refused
		}
		return true, nil
	})
	values := []string{"a", "b", "c", "d", "e"}
	st, offsets := newTestSourceTask(t, &listTask{values: values}, p, false)
	err := st.run(context.Background())
	if !errors.Is(err, refused) {
		t.Fatalf("run = %v, want the refusal", err)
	}
	if !p.wasAborted() {
		t.Fatal("the producer was not aborted")
	}
	if got := p.values(); len(got) < 2 || !slices.Equal(got[:2], values[:2]) {
		t.Fatalf("producer got %v", got)
	}
	off, _ := offsets.Get(context.Background(), "c", map[string]any{"p": "0"})
	if off["n"] != int64(1) {
		t.Fatalf("committed offset %v, want the one of a", off)
	}
}

// TestSourceRecordTooLarge: a record larger than max.request.size fails in
// order, before anything after it is handed over; with
// errors.tolerance=all it is skipped and the rest goes on.
func TestSourceRecordTooLarge(t *testing.T) {
	big := strings.Repeat("x", 2000)
	for _, tolerate := range []bool{false, true} {
		p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
		st, _ := newTestSourceTask(t, &listTask{values: []string{"a", big, "c"}}, p, tolerate)
		st.maxMessageBytes = 1000
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- st.run(ctx) }()
		if !tolerate {
			err := <-errc
			cancel()
			if err == nil || !strings.Contains(err.Error(), "more than max.request.size=1000") {
				t.Fatalf("run = %v, want the record too large", err)
			}
			if got := p.values(); !slices.Equal(got, []string{"a"}) {
				t.Fatalf("producer got %v, want only the record before the large one", got)
			}
			continue
		}
		deadline := time.Now().Add(10 * time.Second)
		for !slices.Equal(p.values(), []string{"a", "c"}) {
			if time.Now().After(deadline) {
				t.Fatalf("producer got %v, want a and c", p.values())
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-errc; err != nil {
			t.Fatalf("run = %v", err)
		}
	}
}

// TestSourceStopWhileKafkaIsAway: a task stopped while Kafka does not
// acknowledge its records stops after drainFor, aborting the producer; the
// unacknowledged records' offsets are not committed.
func TestSourceStopWhileKafkaIsAway(t *testing.T) {
	var n atomic.Int32
	p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return n.Add(1) == 1, nil }) // only the first is acked
	st, offsets := newTestSourceTask(t, &listTask{values: []string{"a", "b", "c"}}, p, false)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- st.run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(p.values()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("producer got %v", p.values())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the task did not stop while Kafka was away")
	}
	if !p.wasAborted() {
		t.Fatal("the producer was not aborted")
	}
	off, _ := offsets.Get(context.Background(), "c", map[string]any{"p": "0"})
	if off["n"] != int64(1) {
		t.Fatalf("committed offset %v, want the one of a", off)
	}
}

// flakyOffsets is an offset store whose writes fail while down is set, as
// the offsets topic's do while Kafka is away.
type flakyOffsets struct {
	*storage.MemoryOffsets
	down  atomic.Bool
	fails atomic.Int32
}

func (f *flakyOffsets) Put(ctx context.Context, connector string, offs []storage.Offset) error {
	if f.down.Load() {
		f.fails.Add(1)
		return errors.New("offsets topic: connection refused")
	}
	return f.MemoryOffsets.Put(ctx, connector, offs)
}

// TestSourceOffsetWriteFailures: an offset write that fails does not fail
// the task (Kafka Connect logs a failed flush and flushes again later): the
// offsets are written at a later flush, merged with newer ones.
func TestSourceOffsetWriteFailures(t *testing.T) {
	p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
	task := &listTask{values: []string{"a", "b", "c"}}
	st, mem := newTestSourceTask(t, task, p, false)
	store := &flakyOffsets{MemoryOffsets: mem}
	store.down.Store(true)
	st.offsets = store
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- st.run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for store.fails.Load() < 3 || len(p.values()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d failed writes, %d records sent", store.fails.Load(), len(p.values()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-errc:
		t.Fatalf("the task ended on failed offset writes: %v", err)
	default:
	}
	store.down.Store(false)
	for {
		off, _ := mem.Get(context.Background(), "c", map[string]any{"p": "0"})
		if off["n"] == int64(3) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("offset %v, want the last record's once writes work again", off)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run = %v", err)
	}
}

func TestMergeOffsets(t *testing.T) {
	a := map[string]any{"f": "a"}
	b := map[string]any{"f": "b"}
	got := mergeOffsets(
		[]storage.Offset{{Partition: a, Offset: map[string]any{"n": 1}}, {Partition: b, Offset: map[string]any{"n": 7}}},
		[]storage.Offset{{Partition: map[string]any{"f": "a"}, Offset: map[string]any{"n": 2}}})
	if len(got) != 2 || got[0].Offset["n"] != 2 || got[1].Offset["n"] != 7 {
		t.Fatalf("merged %v", got)
	}
}

// TestSourceRecordLargerThanBudget: a record larger than the in-flight
// budget (allowed by a raised max.request.size) is sent, not held forever.
func TestSourceRecordLargerThanBudget(t *testing.T) {
	huge := strings.Repeat("x", budgetBytes+1)
	p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
	st, offsets := newTestSourceTask(t, &listTask{values: []string{"a", huge, "c"}}, p, false)
	st.maxMessageBytes = 2 * budgetBytes
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- st.run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(p.values()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("producer got %d records, want 3", len(p.values()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run = %v", err)
	}
	if off, _ := offsets.Get(context.Background(), "c", map[string]any{"p": "0"}); off["n"] != int64(3) {
		t.Fatalf("committed offset %v, want the last record's", off)
	}
}

// catchingUpOffsets is an offset store whose reads wait, as the offsets
// topic's do after a broker outage until its consumer has caught up
// (ReadToEnd), until caughtUp is closed or ctx ends.
type catchingUpOffsets struct {
	*storage.MemoryOffsets
	caughtUp chan struct{}
	timedOut atomic.Int32
}

func (o *catchingUpOffsets) Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error) {
	select {
	case <-o.caughtUp:
		return o.MemoryOffsets.Get(ctx, connector, partition)
	case <-ctx.Done():
		o.timedOut.Add(1)
		return nil, fmt.Errorf("read offset of connector %s: read topic offsets to its end: %w", connector, ctx.Err())
	}
}

// TestSourcePollDeadlineIsNotAFailure: Poll's context ends at the next
// offset flush. The file source reads its committed position in its first
// Poll; while the offsets topic is still catching up (a restarted task
// after a broker outage, TestDistributedBrokerOutage) that read runs into
// the flush deadline. That is the runtime's deadline, not a failure of the
// task: it is polled again after the flush and sends its lines once the
// read succeeds (the task failed on the first such read before).
func TestSourcePollDeadlineIsNotAFailure(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("a\nb\nc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	task := file.NewSource().NewTask()
	p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
	st, mem := newTestSourceTask(t, task, p, false)
	st.props = map[string]string{file.FileKey: in, file.TopicKey: "t"}
	store := &catchingUpOffsets{MemoryOffsets: mem, caughtUp: make(chan struct{})}
	st.offsets = store
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- st.run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for store.timedOut.Load() < 3 {
		select {
		case err := <-errc:
			t.Fatalf("the task ended while its offset read waited for the offsets topic: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d offset reads ran into the poll deadline, want 3", store.timedOut.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(store.caughtUp)
	for !slices.Equal(p.values(), []string{"a", "b", "c"}) {
		select {
		case err := <-errc:
			t.Fatalf("the task ended: %v; sent %q", err, p.values())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sent %q, want a, b, c once the offsets topic caught up", p.values())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run = %v", err)
	}
}
