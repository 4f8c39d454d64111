package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// TestHistoryRing feeds the sampler readings of a source and a sink task
// and checks the samples it keeps: rates from the counters' differences
// over the time between readings, errors per interval, the sink's lag sum
// and max, only the last size samples (oldest first), a new run of a task
// measured afresh, and a task that is gone forgotten.
func TestHistoryRing(t *testing.T) {
	h := &historySampler{every: time.Second, size: 3, rings: map[herder.TaskID]*taskRing{}}
	src, sink := &TaskMetrics{}, &TaskMetrics{}
	sink.sink.Store(true)
	srcID, sinkID := herder.TaskID{Connector: "a", Task: 0}, herder.TaskID{Connector: "b", Task: 1}
	hwm0, hwm1 := int64(100), int64(50)
	p0 := sink.claim("c", "t", 0, 90, func() int64 { return hwm0 })
	sink.claim("c", "t", 1, 20, func() int64 { return hwm1 })
	snap := func() []TaskSnapshot {
		return []TaskSnapshot{{ID: srcID, Metrics: src}, {ID: sinkID, Sink: true, Metrics: sink}}
	}
	w := &Worker{cfg: &WorkerConfig{WorkerID: "w1"}, hist: h}
	t0 := time.UnixMilli(1_700_000_000_000)

	src.add(SourceRecordPoll, 7) // before the first reading: counted over one interval
	h.sample(snap(), t0)
	if got := w.MetricsHistory("", 0); len(got.Tasks) != 2 || len(got.Tasks[0].Samples) != 1 || got.Tasks[0].Samples[0].InPerSec != 7 {
		t.Fatalf("after the first reading: %+v, want two tasks, the source's 7 records polled in its first second", got)
	}
	for i := 1; i <= 5; i++ {
		src.add(SourceRecordPoll, 10*i)
		src.add(SourceRecordWrite, 4*i)
		sink.add(SinkRecordRead, 2*i)
		sink.add(SinkRecordSend, i)
		if i == 5 {
			sink.failed(true, false)
			sink.failed(true, false)
		}
		p0.next.Store(95)
		h.sample(snap(), t0.Add(time.Duration(i)*2*time.Second))
	}
	got := w.MetricsHistory("", 0)
	if got.WorkerID != "w1" || got.IntervalMs != 1000 || got.MaxSamples != 3 {
		t.Errorf("header %+v", got)
	}
	if len(got.Tasks) != 2 || got.Tasks[0].Type != herder.SourceType || got.Tasks[1].Type != herder.SinkType {
		t.Fatalf("tasks %+v", got.Tasks)
	}
	for n, want := range [][]HistorySample{
		{ // source: 10*i polled and 4*i written over 2 s
			{Time: t0.Add(6 * time.Second).UnixMilli(), InPerSec: 15, OutPerSec: 6},
			{Time: t0.Add(8 * time.Second).UnixMilli(), InPerSec: 20, OutPerSec: 8},
			{Time: t0.Add(10 * time.Second).UnixMilli(), InPerSec: 25, OutPerSec: 10},
		},
		{ // sink: lag 5 and 30
			{Time: t0.Add(6 * time.Second).UnixMilli(), InPerSec: 3, OutPerSec: 1.5, LagSum: 35, LagMax: 30},
			{Time: t0.Add(8 * time.Second).UnixMilli(), InPerSec: 4, OutPerSec: 2, LagSum: 35, LagMax: 30},
			{Time: t0.Add(10 * time.Second).UnixMilli(), InPerSec: 5, OutPerSec: 2.5, Errors: 2, LagSum: 35, LagMax: 30},
		},
	} {
		s := got.Tasks[n].Samples
		if len(s) != len(want) {
			t.Fatalf("task %d: %d samples, want %d: %+v", n, len(s), len(want), s)
		}
		for i := range want {
			if s[i] != want[i] {
				t.Errorf("task %d sample %d: %+v, want %+v", n, i, s[i], want[i])
			}
		}
	}

	// A new run of the source task: its new counters count from zero, an
	// interval before.
	src = &TaskMetrics{}
	src.add(SourceRecordPoll, 1000)
	h.sample(snap(), t0.Add(12*time.Second))
	if s := w.MetricsHistory("a", 0).Tasks[0].Samples; s[len(s)-1].InPerSec != 1000 {
		t.Errorf("new run's first sample: %+v, want 1000/s", s[len(s)-1])
	}
	src.add(SourceRecordPoll, 10)
	h.sample(snap(), t0.Add(14*time.Second))
	if s := w.MetricsHistory("a", 0).Tasks[0].Samples; s[len(s)-1].InPerSec != 5 {
		t.Errorf("new run: %+v, want 5/s", s[len(s)-1])
	}

	// The sink task goes: its ring goes.
	h.sample(snap()[:1], t0.Add(16*time.Second))
	if got := w.MetricsHistory("", 0); len(got.Tasks) != 1 || got.Tasks[0].Connector != "a" {
		t.Errorf("after the sink task went: %+v", got.Tasks)
	}
	if got := w.MetricsHistory("b", 0); len(got.Tasks) != 0 {
		t.Errorf("connector b: %+v, want none", got.Tasks)
	}
}

// TestHistorySamplerStops: the sampler's goroutine ends when the worker
// stops, and a second start does nothing.
func TestHistorySamplerStops(t *testing.T) {
	w, _ := testWorker(t, nil)
	w.StartMetricsHistory(context.Background(), 10*time.Millisecond, 4)
	h := w.hist
	w.StartMetricsHistory(context.Background(), time.Hour, 1)
	if w.hist != h || h.every != 10*time.Millisecond {
		t.Fatal("a second start replaced the sampler")
	}
	w.Stop(context.Background())
	select {
	case <-h.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sampler goroutine did not end with the worker")
	}
	if got := w.MetricsHistory("", 0); got.IntervalMs != 10 || len(got.Tasks) != 0 {
		t.Errorf("%+v", got)
	}
}

// TestHistoryWithoutSampler: a worker whose sampler was never started
// answers an empty history.
func TestHistoryWithoutSampler(t *testing.T) {
	w, _ := testWorker(t, nil)
	if got := w.MetricsHistory("", 0); got.Tasks == nil || len(got.Tasks) != 0 {
		t.Errorf("%+v", got)
	}
}

// TestHistorySinceAndCap: since leaves out the samples not later than it
// (every task still listed, with none when it has none newer), and an
// answer that would exceed MaxHistoryAnswerSamples keeps each task's
// newest samples, as many for each, and says it was truncated.
func TestHistorySinceAndCap(t *testing.T) {
	const size = 10
	h := &historySampler{every: time.Second, size: size, rings: map[herder.TaskID]*taskRing{}}
	w := &Worker{cfg: &WorkerConfig{WorkerID: "w1"}, hist: h}
	tasks := MaxHistoryAnswerSamples/size + 500 // more than the cap at full rings
	snap := make([]TaskSnapshot, tasks)
	for i := range snap {
		snap[i] = TaskSnapshot{ID: herder.TaskID{Connector: fmt.Sprintf("c%05d", i), Task: 0}, Metrics: &TaskMetrics{}}
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	at := func(i int) int64 { return t0.Add(time.Duration(i) * time.Second).UnixMilli() }
	for i := range size + 3 { // the rings wrap
		h.sample(snap, t0.Add(time.Duration(i)*time.Second))
	}
	newest := at(size + 2)

	full := w.MetricsHistory("", 0)
	per := MaxHistoryAnswerSamples / tasks
	if !full.Truncated || len(full.Tasks) != tasks {
		t.Fatalf("whole history: truncated %v, %d tasks, want truncated and %d", full.Truncated, len(full.Tasks), tasks)
	}
	total := 0
	for _, th := range full.Tasks {
		total += len(th.Samples)
		if len(th.Samples) != per || th.Samples[len(th.Samples)-1].Time != newest || th.Samples[0].Time != at(size+3-per) {
			t.Fatalf("task %s: %d samples from %d to %d, want the newest %d", th.Connector, len(th.Samples), th.Samples[0].Time, th.Samples[len(th.Samples)-1].Time, per)
		}
	}
	if total > MaxHistoryAnswerSamples {
		t.Errorf("%d samples, more than %d", total, MaxHistoryAnswerSamples)
	}

	tests := []struct {
		name      string
		connector string
		since     int64
		want      []int64 // the sample times of each task listed
		tasks     int
	}{
		{name: "one connector, whole", connector: "c00007", since: 0, tasks: 1, want: []int64{at(3), at(4), at(5), at(6), at(7), at(8), at(9), at(10), at(11), at(12)}},
		{name: "newer than the third newest", since: at(size), tasks: tasks, want: []int64{at(11), at(12)}},
		{name: "between samples", connector: "c00001", since: at(11) - 1, tasks: 1, want: []int64{at(11), at(12)}},
		{name: "nothing newer", since: newest, tasks: tasks, want: []int64{}},
		{name: "future", since: math.MaxInt64, tasks: tasks, want: []int64{}},
		{name: "unknown connector", connector: "nope", since: 0, tasks: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := w.MetricsHistory(tt.connector, tt.since)
			if got.Truncated || len(got.Tasks) != tt.tasks {
				t.Fatalf("truncated %v, %d tasks, want not truncated, %d", got.Truncated, len(got.Tasks), tt.tasks)
			}
			for _, th := range got.Tasks {
				times := make([]int64, len(th.Samples))
				for i, s := range th.Samples {
					times[i] = s.Time
				}
				if !slices.Equal(times, tt.want) || th.Samples == nil {
					t.Fatalf("task %s: times %v, want %v", th.Connector, times, tt.want)
				}
			}
		})
	}
}

// TestPerSec: rates are rounded to a thousandth (short in JSON), and a
// counter that went back counts as nothing.
func TestPerSec(t *testing.T) {
	tests := []struct {
		n    int64
		secs float64
		want float64
	}{
		{n: 10, secs: 3, want: 3.333},
		{n: 2, secs: 3, want: 0.667},
		{n: 7, secs: 1, want: 7},
		{n: 1, secs: 5000, want: 0},
		{n: -4, secs: 1, want: 0},
		{n: 1 << 50, secs: 0.5, want: 1 << 51},
	}
	for _, tt := range tests {
		if got := perSec(tt.n, tt.secs); got != tt.want {
			t.Errorf("perSec(%d, %v) = %v, want %v", tt.n, tt.secs, got, tt.want)
		}
	}
}

// BenchmarkMetricsHistory2000 answers the history of 2,000 tasks with full
// rings: whole (cut to the cap) and since the last sample but one (what
// the console asks for), encoded as the REST API does.
func BenchmarkMetricsHistory2000(b *testing.B) {
	h := &historySampler{every: 5 * time.Second, size: DefaultHistorySamples, rings: map[herder.TaskID]*taskRing{}}
	w := &Worker{cfg: &WorkerConfig{WorkerID: "w1"}, hist: h}
	snap := make([]TaskSnapshot, 2000)
	for i := range snap {
		m := &TaskMetrics{}
		snap[i] = TaskSnapshot{ID: herder.TaskID{Connector: fmt.Sprintf("c%05d", i), Task: 0}, Metrics: m}
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	var last time.Time
	for i := range DefaultHistorySamples {
		for _, s := range snap {
			s.Metrics.add(SourceRecordPoll, 1000+i*7)
			s.Metrics.add(SourceRecordWrite, 990+i*7)
		}
		last = t0.Add(time.Duration(i) * 5 * time.Second)
		h.sample(snap, last)
	}
	for _, bc := range []struct {
		name  string
		since int64
	}{{"whole", 0}, {"since", last.Add(-5 * time.Second).UnixMilli()}} {
		b.Run(bc.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				data, err := json.Marshal(w.MetricsHistory("", bc.since))
				if err != nil {
					b.Fatal(err)
				}
				size = len(data)
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
