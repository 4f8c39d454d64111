package runtime

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/schemas/simple"
)

// fakeClock hands out timers the test fires by hand and tells it each
// wait asked for.
type fakeClock struct {
	waits chan time.Duration
	fire  chan chan time.Time // the timer of each wait, in order
}

func newFakeClock() *fakeClock {
	return &fakeClock{waits: make(chan time.Duration, 16), fire: make(chan chan time.Time, 16)}
}

func (c *fakeClock) after(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.fire <- ch
	c.waits <- d
	return ch
}

// next returns the next wait asked for and a function that ends it.
func (c *fakeClock) next(t *testing.T) (time.Duration, func()) {
	t.Helper()
	select {
	case d := <-c.waits:
		ch := <-c.fire
		return d, func() { ch <- time.Now() }
	case <-time.After(10 * time.Second):
		t.Fatal("no retry wait was asked for")
		return 0, nil
	}
}

// stateLog records the states a task reports.
type stateLog struct {
	ch chan herder.State
}

func newStateLog() *stateLog { return &stateLog{ch: make(chan herder.State, 64)} }

func (s *stateLog) report(st herder.State, _ string) { s.ch <- st }

// await waits for the task to report want.
func (s *stateLog) await(t *testing.T, want herder.State) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case st := <-s.ch:
			if st == want {
				return
			}
		case <-deadline:
			t.Fatalf("the task never reported %s", want)
		}
	}
}

// failingPoll fails Poll with a retriable error while fails says so, and
// says when each Poll is called.
type failingPoll struct {
	fails  chan bool // one per Poll: true to fail it
	polled chan struct{}
}

func (f *failingPoll) Start(context.Context, connectors.SourceTaskContext, map[string]string) error {
	return nil
}
func (f *failingPoll) Stop(context.Context) error { return nil }
func (f *failingPoll) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	f.polled <- struct{}{}
	select {
	case fail := <-f.fails:
		if fail {
			return nil, connectors.Retriable(errors.New("database down"))
		}
		return nil, nil
	case <-ctx.Done():
		return nil, nil
	}
}

// runFailingPoll runs a failingPoll task whose backoff waits on a fake
// clock; cancel stops it, and errc receives what run returned.
func runFailingPoll(t *testing.T) (*failingPoll, *sourceTask, *stateLog, *fakeClock, context.CancelFunc, <-chan error) {
	t.Helper()
	task := &failingPoll{fails: make(chan bool), polled: make(chan struct{})}
	p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
	st, _ := newTestSourceTask(t, task, p, false)
	st.flushEach = time.Hour
	states := newStateLog()
	st.state = newTaskState(herder.TargetStarted, states.report)
	clock := newFakeClock()
	st.pollRetry = newTaskRetry(st.log, "poll")
	st.pollRetry.after = clock.after
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- st.run(ctx) }()
	return task, st, states, clock, cancel, errc
}

// TestSourcePollBackoff: retriable Poll errors are retried after 100 ms,
// doubling up to 10 s, reset by a successful Poll; a pause during the wait
// takes effect at once, and so does a stop.
func TestSourcePollBackoff(t *testing.T) {
	task, st, states, clock, cancel, errc := runFailingPoll(t)

	poll := func(fail bool) {
		t.Helper()
		select {
		case <-task.polled:
		case <-time.After(10 * time.Second):
			t.Fatal("Poll was not called")
		}
		task.fails <- fail
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 6400 * time.Millisecond, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		poll(true)
		d, fire := clock.next(t)
		if d != w {
			t.Fatalf("wait %d = %v, want %v", i, d, w)
		}
		fire()
	}
	poll(false) // a success resets the backoff
	poll(true)
	if d, fire := clock.next(t); d != 100*time.Millisecond {
		t.Fatalf("wait after a success = %v, want 100ms", d)
	} else {
		fire()
	}

	// A pause while waiting: PAUSED at once, no Poll until the resume.
	poll(true)
	_, fire := clock.next(t)
	st.state.setTarget(herder.TargetPaused)
	states.await(t, herder.Paused)
	select {
	case <-task.polled:
		t.Fatal("Poll called while paused")
	default:
	}
	fire() // the timer fires while paused: still no Poll
	st.state.setTarget(herder.TargetStarted)
	states.await(t, herder.Running)
	poll(true)
	// A stop while waiting ends the task without the wait.
	clock.next(t)
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stop waited for the backoff")
	}
}

// flakyPut fails Put with a retriable error while told to, and hands each
// Put's records to the test.
type flakyPut struct {
	nopSinkTask
	timeout time.Duration
	puts    chan []connectors.SinkRecord
	results chan error
}

func (f *flakyPut) Start(_ context.Context, tc connectors.SinkTaskContext, _ map[string]string) error {
	if f.timeout > 0 {
		tc.Timeout(f.timeout)
	}
	return nil
}

func (f *flakyPut) Put(ctx context.Context, recs []connectors.SinkRecord) error {
	f.puts <- recs
	return <-f.results
}

// next waits for the next Put, makes it return result and returns its
// records.
func (f *flakyPut) next(t *testing.T, result error) []connectors.SinkRecord {
	t.Helper()
	select {
	case recs := <-f.puts:
		f.results <- result
		return recs
	case <-time.After(10 * time.Second):
		t.Fatal("Put was not called")
		return nil
	}
}

// newRetrySinkTask returns a sink task running task, ready for its loop,
// with string converters and a backoff that waits on a fake clock.
func newRetrySinkTask(t *testing.T, task connectors.SinkTask) (*sinkTask, *stateLog, *fakeClock) {
	t.Helper()
	conv := simple.NewStringConverter()
	if err := conv.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	states := newStateLog()
	st := &sinkTask{id: herder.TaskID{Connector: "s"}, task: task, group: &scriptedGroup{errs: make(chan error)}, log: log, batchMax: 500,
		conv:  converters{key: conv, value: conv, header: simple.HeaderConverter{}},
		state: newTaskState(herder.TargetStarted, states.report), flushEach: time.Hour, errs: &errorHandler{log: log}}
	clock := newFakeClock()
	st.putRetry = newTaskRetry(log, "put")
	st.putRetry.after = clock.after
	st.msgs = make(chan []*sarama.ConsumerMessage, 16)
	st.events = make(chan sessionEvent)
	st.current = map[connectors.TopicPartition]int64{}
	st.committed = map[connectors.TopicPartition]int64{}
	return st, states, clock
}

// TestSinkPutBackoff: a batch whose Put fails with a retriable error is put
// again, the same records, after a backoff (100 ms doubling, or the
// task's SinkTaskContext.Timeout), reset by a successful Put; no later
// record is put before it; a pause while it waits takes effect at once.
func TestSinkPutBackoff(t *testing.T) {
	for _, timeout := range []time.Duration{0, 3 * time.Second} {
		task := &flakyPut{timeout: timeout, puts: make(chan []connectors.SinkRecord), results: make(chan error)}
		st, states, clock := newRetrySinkTask(t, task)
		if err := task.Start(context.Background(), sinkContext{st}, nil); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- st.loop(ctx, make(chan error)) }()
		msg := func(off int64, v string) *sarama.ConsumerMessage {
			return &sarama.ConsumerMessage{Topic: "t", Partition: 0, Offset: off, Value: []byte(v)}
		}
		put := func(result error) []connectors.SinkRecord { t.Helper(); return task.next(t, result) }
		down := connectors.Retriable(errors.New("service unavailable"))
		st.msgs <- []*sarama.ConsumerMessage{msg(0, "a"), msg(1, "b")}
		for i, w := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
			recs := put(down)
			if len(recs) != 2 || recs[0].Value != "a" || recs[1].Value != "b" {
				t.Fatalf("Put %d got %v, want the batch a, b", i, recs)
			}
			if i == 0 {
				st.msgs <- []*sarama.ConsumerMessage{msg(2, "c")} // must wait for a, b
			}
			d, fire := clock.next(t)
			if timeout > 0 {
				w = timeout
			}
			if d != w {
				t.Fatalf("timeout %v: wait %d = %v, want %v", timeout, i, d, w)
			}
			fire()
		}
		if recs := put(nil); len(recs) != 2 || recs[0].Value != "a" {
			t.Fatalf("retry put %v, want a, b", recs)
		}
		if recs := put(down); len(recs) != 1 || recs[0].Value != "c" {
			t.Fatalf("after the retried batch, Put got %v, want c", recs)
		}
		if d, fire := clock.next(t); timeout == 0 && d != 100*time.Millisecond {
			t.Fatalf("wait after a success = %v, want 100ms", d)
		} else {
			// A pause while c waits: PAUSED at once; c is put after the resume.
			st.state.setTarget(herder.TargetPaused)
			states.await(t, herder.Paused)
			fire()
			select {
			case recs := <-task.puts:
				t.Fatalf("Put %v while paused", recs)
			default:
			}
			st.state.setTarget(herder.TargetStarted)
			states.await(t, herder.Running)
		}
		if recs := put(down); len(recs) != 1 || recs[0].Value != "c" {
			t.Fatalf("after the resume, Put got %v, want c", recs)
		}
		clock.next(t)
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Fatalf("loop = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the stop waited for the backoff")
		}
		if got := st.current[connectors.TopicPartition{Topic: "t"}]; got != 2 {
			t.Fatalf("next offset %d, want 2 (c never put)", got)
		}
	}
}

// overlapTask polls batches of a small and a too-large record and checks,
// in CommitRecord, that no two calls overlap and none comes after Stop.
type overlapTask struct {
	big     string
	polls   atomic.Int32
	active  atomic.Int32
	overlap atomic.Bool
	late    atomic.Bool
	stopped atomic.Bool
	calls   atomic.Int32
}

func (o *overlapTask) Start(context.Context, connectors.SourceTaskContext, map[string]string) error {
	return nil
}
func (o *overlapTask) Stop(context.Context) error { o.stopped.Store(true); return nil }
func (o *overlapTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if o.polls.Add(1) > 200 {
		<-ctx.Done()
		return nil, nil
	}
	p := map[string]any{"p": "0"}
	return []connectors.SourceRecord{
		{Record: connectors.Record{Topic: "t", Value: "small"}, SourcePartition: p, SourceOffset: map[string]any{"n": 1}},
		{Record: connectors.Record{Topic: "t", Value: o.big}, SourcePartition: p, SourceOffset: map[string]any{"n": 2}},
	}, nil
}
func (o *overlapTask) CommitRecord(*connectors.SourceRecord, *connectors.RecordMetadata) error {
	if o.stopped.Load() {
		o.late.Store(true)
	}
	if o.active.Add(1) > 1 {
		o.overlap.Store(true)
	}
	runtime.Gosched()
	o.active.Add(-1)
	o.calls.Add(1)
	return nil
}

// TestSourceCommitRecordCalls: CommitRecord is called from the ack
// goroutine (acknowledged records) and the poll goroutine (records skipped
// with errors.tolerance=all), but never two calls at once, and never after
// Stop.
func TestSourceCommitRecordCalls(t *testing.T) {
	task := &overlapTask{big: strings.Repeat("x", 2000)}
	p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
	st, _ := newTestSourceTask(t, task, p, true)
	st.maxMessageBytes = 1000
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- st.run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for task.calls.Load() < 400 {
		if time.Now().After(deadline) {
			t.Fatalf("%d CommitRecord calls, want 400", task.calls.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run = %v", err)
	}
	if task.overlap.Load() {
		t.Fatal("two CommitRecord calls overlapped")
	}
	if task.late.Load() {
		t.Fatal("CommitRecord called after Stop")
	}
}

// TestSourcePollBackoffPausedDuringPoll: a pause asked for while Poll runs,
// which then fails with a retriable error, takes effect at once: the task
// does not wait out the backoff before it reports PAUSED.
func TestSourcePollBackoffPausedDuringPoll(t *testing.T) {
	task, st, states, clock, cancel, errc := runFailingPoll(t)
	states.await(t, herder.Running)
	select {
	case <-task.polled:
	case <-time.After(10 * time.Second):
		t.Fatal("Poll was not called")
	}
	st.state.setTarget(herder.TargetPaused) // while Poll runs
	task.fails <- true
	_, fire := clock.next(t)
	states.await(t, herder.Paused) // without the backoff's timer
	fire()
	select {
	case <-task.polled:
		t.Fatal("Poll called while paused")
	default:
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run = %v", err)
	}
}

// fakeSession is a consumer group session that records the offsets marked.
type fakeSession struct {
	sarama.ConsumerGroupSession // unused methods panic
	claims                      map[string][]int32
	mu                          sync.Mutex
	marked                      map[int32]int64
}

func (s *fakeSession) Claims() map[string][]int32 { return s.claims }
func (s *fakeSession) GenerationID() int32        { return 1 }
func (s *fakeSession) Commit()                    {}
func (s *fakeSession) MarkOffset(_ string, p int32, off int64, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marked[p] = off
}

// TestSinkPutRetryRevoked: a batch waiting to be put again when its
// partitions are revoked is dropped: its offsets are not committed, and it
// is not put again once partitions are assigned again (their next owner
// consumes it from the committed offset).
func TestSinkPutRetryRevoked(t *testing.T) {
	task := &flakyPut{puts: make(chan []connectors.SinkRecord), results: make(chan error)}
	st, _, clock := newRetrySinkTask(t, task)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- st.loop(ctx, make(chan error)) }()
	event := func(sess *fakeSession, assigned bool) {
		t.Helper()
		ev := sessionEvent{sess: sess, assigned: assigned, done: make(chan error, 1)}
		st.events <- ev
		if err := <-ev.done; err != nil {
			t.Fatal(err)
		}
	}
	put := func(result error) []connectors.SinkRecord { t.Helper(); return task.next(t, result) }
	msg := func(off int64, v string) *sarama.ConsumerMessage {
		return &sarama.ConsumerMessage{Topic: "t", Partition: 0, Offset: off, Value: []byte(v)}
	}
	sess := &fakeSession{claims: map[string][]int32{"t": {0}}, marked: map[int32]int64{}}
	event(sess, true)
	st.msgs <- []*sarama.ConsumerMessage{msg(0, "a")}
	put(nil)
	st.msgs <- []*sarama.ConsumerMessage{msg(1, "b"), msg(2, "c")}
	put(connectors.Retriable(errors.New("service unavailable")))
	_, fire := clock.next(t)
	event(sess, false) // revoked while b, c wait
	sess.mu.Lock()
	if got := sess.marked[0]; got != 1 {
		t.Fatalf("offset committed at revocation %d, want 1 (b and c not put)", got)
	}
	sess.mu.Unlock()
	sess2 := &fakeSession{claims: map[string][]int32{"t": {0}}, marked: map[int32]int64{}}
	event(sess2, true)
	fire()
	st.msgs <- []*sarama.ConsumerMessage{msg(1, "b2")} // consumed again from the committed offset
	if recs := put(nil); len(recs) != 1 || recs[0].Value != "b2" {
		t.Fatalf("after the new assignment, Put got %v, want only the records consumed again", recs)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("loop = %v", err)
	}
}

// TestPausedSourceTaskFailsOnItsOwn: a paused source task that fails
// between calls (a plugin.path task whose process died: failer) fails at
// once, with that error, instead of staying PAUSED until a resume.
func TestPausedSourceTaskFailsOnItsOwn(t *testing.T) {
	task := &failingPoll{fails: make(chan bool), polled: make(chan struct{})}
	p := newFakeProducer(func(*sarama.ProducerMessage) (bool, error) { return true, nil })
	st, _ := newTestSourceTask(t, task, p, false)
	died := make(chan error, 1)
	st.task = guardedSourceTask{t: task, class: "c", failed: died}
	states := newStateLog()
	st.state = newTaskState(herder.TargetPaused, states.report)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- st.run(ctx) }()
	states.await(t, herder.Paused)
	died <- errors.New("the plugin process exited (signal: killed)")
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "signal: killed") {
			t.Fatalf("run = %v, want the task's own failure", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the paused task did not fail")
	}
	select {
	case <-task.polled:
		t.Fatal("Poll was called")
	default:
	}
}
