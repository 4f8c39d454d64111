package runtime

import (
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/rcrowley/go-metrics"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// TestTaskMetricsAllocationFree: counting a record on the hot path
// allocates nothing, and a nil TaskMetrics (a task built by a test) counts
// nothing without failing.
func TestTaskMetricsAllocationFree(t *testing.T) {
	m := &TaskMetrics{}
	now := time.Now()
	if n := testing.AllocsPerRun(1000, func() {
		m.add(SinkRecordRead, 3)
		m.add(SinkRecordSend, 1)
		m.failed(true, false)
		m.record(BatchSize, 3, now)
		m.record(BatchTime, 1, now)
		m.recordActive(now)
	}); n != 0 {
		t.Errorf("counting allocates %g times per record", n)
	}
	if got := m.Get(SinkRecordRead); got != 3*1001 {
		t.Errorf("sink-record-read %d, want %d", got, 3*1001)
	}
	if m.Get(RecordsSkipped) != m.Get(RecordErrors) || m.Get(ErrorsLogged) != 0 {
		t.Errorf("skipped %d errors %d logged %d", m.Get(RecordsSkipped), m.Get(RecordErrors), m.Get(ErrorsLogged))
	}
	var none *TaskMetrics
	none.add(SourceRecordPoll, 1)
	none.failed(false, true)
	if none.Get(SourceRecordPoll) != 0 || m.Get(Counter(-1)) != 0 || m.Get(numCounters) != 0 {
		t.Error("a nil or out-of-range counter reads non-zero")
	}
}

// TestPartitionLag: the lag is the high watermark less the position, never
// negative, and 0 while the position is not known yet; a released claim is
// no longer listed.
func TestPartitionLag(t *testing.T) {
	m := &TaskMetrics{}
	hwm := int64(100)
	tests := []struct {
		name      string
		next, hwm int64
		want      int64
	}{
		{"behind", 40, 100, 60},
		{"caught up", 100, 100, 0},
		{"watermark not fetched yet", 100, 90, 0},
		{"position unknown (OffsetOldest)", -2, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hwm = tt.hwm
			p := m.claim("c", "t", 3, tt.next, func() int64 { return hwm })
			if got := p.Lag(); got != tt.want {
				t.Errorf("lag %d, want %d", got, tt.want)
			}
			if ps := m.Positions(); len(ps) != 1 || ps[0] != p || ps[0].Partition != 3 || ps[0].ClientID != "c" {
				t.Errorf("positions %v, want the claim", ps)
			}
			m.release(p)
			if ps := m.Positions(); len(ps) != 0 {
				t.Errorf("positions %v after release, want none", ps)
			}
		})
	}
}

// TestRebalanceStats: a rebalance counts once it completes; its time runs
// from the assignment's arrival to the start of its work; before the first
// the times are NaN and the time since the last +Inf, as Kafka's.
func TestRebalanceStats(t *testing.T) {
	var r RebalanceStats
	t0 := time.Unix(1000, 0)
	s := r.Snapshot(t0)
	if s.Completed != 0 || !math.IsNaN(s.AvgMillis) || !math.IsNaN(s.MaxMillis) || !math.IsInf(s.SinceLastMillis, 1) || s.Rebalancing {
		t.Errorf("before any rebalance: %+v", s)
	}
	r.Started(t0, 3, "http://a:8083", "SESSIONED")
	if s := r.Snapshot(t0.Add(time.Second)); !s.Rebalancing || s.Epoch != 3 || s.LeaderURL != "http://a:8083" || s.Completed != 0 {
		t.Errorf("while rebalancing: %+v", s)
	}
	r.Succeeded(t0.Add(100 * time.Millisecond))
	r.Succeeded(t0.Add(time.Second)) // not rebalancing: nothing to count
	r.Started(t0.Add(2*time.Second), 4, "http://b:8083", "SESSIONED")
	r.Succeeded(t0.Add(2*time.Second + 300*time.Millisecond))
	s = r.Snapshot(t0.Add(5 * time.Second))
	want := RebalanceSnapshot{Protocol: "SESSIONED", LeaderURL: "http://b:8083", Epoch: 4, Completed: 2, AvgMillis: 200, MaxMillis: 300, SinceLastMillis: 2700}
	if s != want {
		t.Errorf("after two rebalances: %+v, want %+v", s, want)
	}
}

// TestStartupCounts: every attempt counts, and its outcome.
func TestStartupCounts(t *testing.T) {
	w := &Worker{}
	w.startups.countStartup(false, nil)
	w.startups.countStartup(false, errors.New("bad"))
	w.startups.countStartup(true, nil)
	want := StartupCounts{ConnectorAttempts: 2, ConnectorSuccesses: 1, ConnectorFailures: 1, TaskAttempts: 1, TaskSuccesses: 1}
	if got := w.StartupCounts(); got != want {
		t.Errorf("%+v, want %+v", got, want)
	}
}

// TestStatWindow: a per-batch figure's average and maximum cover the
// current 30 s sample and the one before, as Kafka's two samples; older
// values drop out, and with none both are NaN.
func TestStatWindow(t *testing.T) {
	var m TaskMetrics
	t0 := time.UnixMilli(30_000 * 1000) // the start of a sample
	at := func(ms int64) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	if a, x := m.Stat(BatchSize, t0); !math.IsNaN(a) || !math.IsNaN(x) {
		t.Errorf("nothing recorded: avg %g max %g, want NaN", a, x)
	}
	m.record(BatchSize, 10, at(0))
	m.record(BatchSize, 30, at(1000))
	m.record(BatchSize, 5, at(31_000)) // the next sample
	tests := []struct {
		at        int64
		avg, most float64
	}{
		{2000, 20, 30},
		{31_000, 15, 30},
		{61_000, 5, 5}, // the first sample is out of the window
	}
	for _, tt := range tests {
		if a, x := m.Stat(BatchSize, at(tt.at)); a != tt.avg || x != tt.most {
			t.Errorf("at +%d ms: avg %g max %g, want %g %g", tt.at, a, x, tt.avg, tt.most)
		}
	}
	if a, x := m.Stat(BatchSize, at(95_000)); !math.IsNaN(a) || !math.IsNaN(x) {
		t.Errorf("everything out of the window: avg %g max %g, want NaN", a, x)
	}
	// A sample slot reused for a new window starts afresh.
	m.record(BatchSize, 7, at(60_500))
	if a, x := m.Stat(BatchSize, at(61_000)); a != 6 || x != 7 {
		t.Errorf("after reuse: avg %g max %g, want 6 7", a, x)
	}
}

// TestWindowRatesAndRatios: rates are counter increases over the window
// (at least 30 s, as Kafka's Rate), running and pause ratios the share of
// the window spent in each state, and commit fractions the share of
// commits; the window moves on once a snapshot is 30 s old.
func TestWindowRatesAndRatios(t *testing.T) {
	t0 := time.Now()
	m := newTaskMetrics(t0)
	m.reported(herder.Running)
	m.since = t0.UnixMilli() // as if RUNNING was reported at t0
	m.add(SourceRecordPoll, 600)
	m.c[OffsetCommitSuccess].Add(3)
	m.c[OffsetCommitFailure].Add(1)
	w := m.Window(t0.Add(10 * time.Second))
	if got := w.Rate(SourceRecordPoll); got != 20 {
		t.Errorf("rate over a young task: %g/s, want 600/30 s = 20", got)
	}
	if w.RunningRatio != 1 || w.PauseRatio != 0 {
		t.Errorf("running %g paused %g, want 1 0", w.RunningRatio, w.PauseRatio)
	}
	if got := w.Fraction(OffsetCommitSuccess, OffsetCommitFailure); got != 0.75 {
		t.Errorf("commit success fraction %g, want 0.75", got)
	}
	// Paused from +20 s; at +40 s the window (since t0) is half paused.
	m.timeMu.Lock()
	m.account(t0.Add(20 * time.Second).UnixMilli())
	m.current = herder.Paused
	m.timeMu.Unlock()
	w = m.Window(t0.Add(40 * time.Second))
	if w.RunningRatio != 0.5 || w.PauseRatio != 0.5 {
		t.Errorf("at +40 s: running %g paused %g, want 0.5 0.5", w.RunningRatio, w.PauseRatio)
	}
	// 60 s later with nothing polled: the window starts at the +40 s
	// snapshot, so the rate is 0.
	m.Window(t0.Add(75 * time.Second))
	w = m.Window(t0.Add(100 * time.Second))
	if got := w.Rate(SourceRecordPoll); got != 0 {
		t.Errorf("rate once the polls left the window: %g, want 0", got)
	}
	if w.PauseRatio != 1 {
		t.Errorf("pause ratio %g, want 1", w.PauseRatio)
	}
}

// TestActiveCount: records polled less those written and those dropped.
func TestActiveCount(t *testing.T) {
	m := &TaskMetrics{}
	m.add(SourceRecordPoll, 10)
	m.add(SourceRecordWrite, 6)
	m.add(SourceRecordDone, 1)
	if got := m.Active(); got != 3 {
		t.Errorf("active %d, want 3", got)
	}
}

// TestClientRegistry: sarama's meters and histograms that sluice reads
// count into the task's metrics, without allocating; the others are
// go-metrics' nil metrics of the kind asked for, as sarama's type
// assertions expect.
func TestClientRegistry(t *testing.T) {
	m := &TaskMetrics{}
	r := newClientRegistry(m, "connector-producer-c-0")
	if m.ClientID() != "connector-producer-c-0" {
		t.Errorf("client id %q", m.ClientID())
	}
	histogram := func(name string) metrics.Histogram {
		return r.GetOrRegister(name, func() metrics.Histogram { return metrics.NilHistogram{} }).(metrics.Histogram)
	}
	if n := testing.AllocsPerRun(100, func() {
		metrics.GetOrRegisterMeter("request-rate", r).Mark(1)
		metrics.GetOrRegisterMeter("record-send-rate", r).Mark(10)
		histogram("request-latency-in-ms").Update(4)
		histogram("consumer-batch-size").Update(3)
	}); n != 0 {
		t.Errorf("%g allocations per request", n)
	}
	if got := m.Get(ClientRequests); got != 101 {
		t.Errorf("requests %d, want 101", got)
	}
	if got := m.Get(ProducerRecordSend); got != 1010 {
		t.Errorf("records sent %d, want 1010", got)
	}
	if got := m.Get(ConsumerRecords); got != 303 {
		t.Errorf("records consumed %d, want 303", got)
	}
	if avg, most := m.Stat(RequestLatency, time.Now()); avg != 4 || most != 4 {
		t.Errorf("latency avg %g max %g, want 4 4", avg, most)
	}
	// Others: nil metrics, of the right kind.
	metrics.GetOrRegisterMeter("request-rate-for-broker-1", r).Mark(1)
	metrics.GetOrRegisterCounter("requests-in-flight", r).Inc(1)
	histogram("response-size").Update(1)
	if m.Get(ClientRequests) != 101 {
		t.Error("a per-broker meter counted")
	}
	// A registry without metrics (a task built by a test) counts nothing.
	none := newClientRegistry(nil, "x")
	metrics.GetOrRegisterMeter("request-rate", none).Mark(1)
}

// TestSinkActive: a sink task's records in flight are those read past the
// last committed offset, per partition; a claim starting at no committed
// offset counts from its first record read.
func TestSinkActive(t *testing.T) {
	m := &TaskMetrics{}
	m.sink.Store(true)
	hwm := func() int64 { return 1000 }
	a := m.claim("c", "t", 0, 100, hwm)                 // committed offset 100
	b := m.claim("c", "t", 1, sarama.OffsetOldest, hwm) // none committed
	if got := m.Active(); got != 0 {
		t.Errorf("before any read: %d, want 0", got)
	}
	a.read(100, 150)
	b.read(7, 17)
	if got := m.Active(); got != 60 {
		t.Errorf("after reading 50 and 10: %d, want 60", got)
	}
	m.committedAt(map[connectors.TopicPartition]int64{{Topic: "t", Partition: 0}: 140, {Topic: "other", Partition: 1}: 3})
	if got := m.Active(); got != 20 {
		t.Errorf("after committing 40 of partition 0: %d, want 20", got)
	}
	m.release(b)
	if got := m.Active(); got != 10 {
		t.Errorf("after partition 1 is released: %d, want 10", got)
	}
}

// TestTaskStartupFailureCounted: a task that is built but whose Start
// fails counts as a failed startup, not a successful one, as Kafka
// Connect's task-startup-failure-total counts a task that fails before it
// reports RUNNING; a task that starts counts as a success, once.
func TestTaskStartupFailureCounted(t *testing.T) {
	dir := t.TempDir()
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	status := storage.NewMemoryStatus()
	w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), status, slog.New(slog.DiscardHandler))
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	start := func(name, file string) herder.TaskID {
		t.Helper()
		raw := map[string]string{"name": name, "connector.class": "FileStreamSink", "topics": "t", "file": file}
		id := herder.TaskID{Connector: name, Task: 0}
		if err := w.StartTask(id, raw, map[string]string{"file": file, "topics": "t", "task.class": "FileStreamSinkTask"}, 1, herder.TargetStarted); err != nil {
			t.Fatalf("StartTask: %v", err)
		}
		t.Cleanup(func() { w.StopTasks([]herder.TaskID{id}) })
		return id
	}
	await := func(name string, want herder.State) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if ts := status.Tasks(name); len(ts) == 1 && ts[0].State == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("task of %s never %s: %+v", name, want, status.Tasks(name))
			}
		}
	}
	start("bad", filepath.Join(notDir, "out.txt")) // its Start cannot create the file
	await("bad", herder.Failed)
	if got, want := w.StartupCounts(), (StartupCounts{TaskAttempts: 1, TaskFailures: 1}); got != want {
		t.Errorf("after a task whose Start failed: %+v, want %+v", got, want)
	}
	start("good", filepath.Join(dir, "out.txt"))
	await("good", herder.Running)
	if got, want := w.StartupCounts(), (StartupCounts{TaskAttempts: 2, TaskSuccesses: 1, TaskFailures: 1}); got != want {
		t.Errorf("after a task that started: %+v, want %+v", got, want)
	}
}
