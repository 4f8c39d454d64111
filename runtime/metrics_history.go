package runtime

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// The metrics history's defaults: a sample every 5 seconds, 120 kept (the
// last 10 minutes).
const (
	DefaultHistoryInterval = 5 * time.Second
	DefaultHistorySamples  = 120
)

// MaxHistoryAnswerSamples bounds one answer of the metrics history: 2 to
// 3 MB of JSON (a sample is 100 to 130 bytes). When more samples match (a worker running thousands of
// tasks asked for their whole history), each task keeps its newest ones,
// as many for every task, at least one, and the answer says it was
// truncated; asking again with since the newest time received continues
// from there.
const MaxHistoryAnswerSamples = 20000

// HistorySample is one task's figures over one sampling interval, ending at
// Time.
type HistorySample struct {
	// Time is the end of the interval, in Unix milliseconds.
	Time int64 `json:"time"`
	// InPerSec is the records per second a source task polled, or a sink
	// task read from Kafka; OutPerSec those a source task wrote to Kafka, or
	// a sink task sent to the connector.
	InPerSec  float64 `json:"in_per_sec"`
	OutPerSec float64 `json:"out_per_sec"`
	// Errors is how many records failed in the interval.
	Errors int64 `json:"errors"`
	// LagSum and LagMax are a sink task's consumer lag at Time: summed over
	// the partitions it consumes, and the largest (0 for a source task).
	LagSum int64 `json:"lag_sum"`
	LagMax int64 `json:"lag_max"`
}

// TaskHistory is the recent history of one task running on this worker,
// oldest sample first.
type TaskHistory struct {
	Connector string               `json:"connector"`
	Task      int                  `json:"task"`
	Type      herder.ConnectorType `json:"type"`
	Samples   []HistorySample      `json:"samples"`
}

// MetricsHistory is what GET /sluice/metrics/history answers: the recent
// throughput, errors and lag of the tasks running on this worker (a worker
// knows only its own tasks).
type MetricsHistory struct {
	WorkerID   string `json:"worker_id"`
	IntervalMs int64  `json:"interval_ms"`
	MaxSamples int    `json:"max_samples"`
	// Truncated says that some older samples matching were left out to
	// keep the answer within MaxHistoryAnswerSamples.
	Truncated bool          `json:"truncated"`
	Tasks     []TaskHistory `json:"tasks"`
}

// historySampler reads every task's counters at a fixed interval and keeps
// the last samples of each in a fixed ring: memory is bounded by the number
// of tasks running here times the ring's size, and a task's ring goes when
// the task does.
type historySampler struct {
	every time.Duration
	size  int
	stop  context.CancelFunc
	done  chan struct{}

	mu    sync.Mutex
	rings map[herder.TaskID]*taskRing
}

// taskRing is one task's samples and the counters last read.
type taskRing struct {
	sink    bool
	metrics *TaskMetrics // the counters last read; a new task run has new ones
	in, out int64
	errs    int64
	at      time.Time
	samples []HistorySample // len size once full; next is the oldest then
	next    int
}

func (r *taskRing) add(s HistorySample, size int) {
	if len(r.samples) < size {
		r.samples = append(r.samples, s)
		return
	}
	r.samples[r.next] = s
	r.next = (r.next + 1) % size
}

// newer returns the samples later than since (Unix milliseconds), oldest
// first, as a copy: at most limit of them, the newest, and whether some
// were left out for that.
func (r *taskRing) newer(since int64, limit int) ([]HistorySample, bool) {
	n, k := len(r.samples), 0
	for k < n && r.sample(n-1-k).Time > since {
		k++
	}
	cut := k > limit
	k = min(k, limit)
	out := make([]HistorySample, k)
	for i := range k {
		out[i] = r.sample(n - k + i)
	}
	return out, cut
}

// sample returns the i-th sample kept, oldest first.
func (r *taskRing) sample(i int) HistorySample {
	return r.samples[(r.next+i)%len(r.samples)]
}

// StartMetricsHistory starts sampling the counters of the tasks running on
// this worker every interval, keeping the last samples of each
// (DefaultHistoryInterval and DefaultHistorySamples when not positive). It
// runs until ctx ends or the worker stops; a second call does nothing.
func (w *Worker) StartMetricsHistory(ctx context.Context, interval time.Duration, samples int) {
	if interval <= 0 {
		interval = DefaultHistoryInterval
	}
	if samples <= 0 {
		samples = DefaultHistorySamples
	}
	w.histMu.Lock()
	defer w.histMu.Unlock()
	if w.hist != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &historySampler{every: interval, size: samples, stop: cancel, done: make(chan struct{}),
		rings: map[herder.TaskID]*taskRing{}}
	w.hist = h
	go func() {
		defer close(h.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				h.sample(w.TaskMetrics(), now)
			}
		}
	}()
}

// stopMetricsHistory ends the sampler, if started, and waits for it.
func (w *Worker) stopMetricsHistory() {
	w.histMu.Lock()
	h := w.hist
	w.histMu.Unlock()
	if h != nil {
		h.stop()
		<-h.done
	}
}

// sample records one sample of every task in tasks, and forgets the tasks
// that are gone. A task first seen (or a new run of it, with new counters)
// is measured from zero an interval before: it started since the last
// reading, and its first records are counted.
func (h *historySampler) sample(tasks []TaskSnapshot, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := make(map[herder.TaskID]bool, len(tasks))
	for _, t := range tasks {
		seen[t.ID] = true
		m := t.Metrics
		in, out := m.Get(SourceRecordPoll), m.Get(SourceRecordWrite)
		if t.Sink {
			in, out = m.Get(SinkRecordRead), m.Get(SinkRecordSend)
		}
		errs := m.Get(RecordErrors)
		r := h.rings[t.ID]
		if r == nil {
			r = &taskRing{}
			h.rings[t.ID] = r
		}
		if r.metrics != m {
			// A task (or a run of it) not seen at the last reading started
			// since: its counters were 0 an interval ago.
			r.in, r.out, r.errs, r.at = 0, 0, 0, now.Add(-h.every)
		}
		secs := now.Sub(r.at).Seconds()
		s := HistorySample{Time: now.UnixMilli(), Errors: max(errs-r.errs, 0)}
		if secs > 0 {
			s.InPerSec = perSec(in-r.in, secs)
			s.OutPerSec = perSec(out-r.out, secs)
		}
		if t.Sink {
			for _, p := range m.Positions() {
				lag := p.Lag()
				s.LagSum += lag
				s.LagMax = max(s.LagMax, lag)
			}
		}
		r.add(s, h.size)
		r.sink, r.metrics, r.in, r.out, r.errs, r.at = t.Sink, m, in, out, errs, now
	}
	for id := range h.rings {
		if !seen[id] {
			delete(h.rings, id)
		}
	}
}

// perSec is n (0 if negative) over secs, to a thousandth: what a chart
// needs, and short in JSON (the answers' size is bounded by their count).
func perSec(n int64, secs float64) float64 {
	return math.Round(float64(max(n, 0))/secs*1000) / 1000
}

// MetricsHistory returns the recent samples of the tasks running on this
// worker, of one connector's tasks if connector is not empty, ordered by
// connector and task: the samples later than since (Unix milliseconds; 0
// for all), within MaxHistoryAnswerSamples. Every task running here is
// listed, with no samples when none is newer. Without a started sampler it
// has no tasks.
func (w *Worker) MetricsHistory(connector string, since int64) MetricsHistory {
	out := MetricsHistory{WorkerID: w.ID(), Tasks: []TaskHistory{}}
	w.histMu.Lock()
	h := w.hist
	w.histMu.Unlock()
	if h == nil {
		return out
	}
	out.IntervalMs, out.MaxSamples = h.every.Milliseconds(), h.size
	h.mu.Lock()
	defer h.mu.Unlock()
	matching := 0
	for id := range h.rings {
		if connector == "" || id.Connector == connector {
			matching++
		}
	}
	limit := h.size
	if matching > 0 && matching*h.size > MaxHistoryAnswerSamples {
		limit = max(MaxHistoryAnswerSamples/matching, 1)
	}
	for id, r := range h.rings {
		if connector != "" && id.Connector != connector {
			continue
		}
		typ := herder.SourceType
		if r.sink {
			typ = herder.SinkType
		}
		samples, cut := r.newer(since, limit)
		out.Truncated = out.Truncated || cut
		out.Tasks = append(out.Tasks, TaskHistory{Connector: id.Connector, Task: id.Task, Type: typ, Samples: samples})
	}
	sortTaskHistory(out.Tasks)
	return out
}

func sortTaskHistory(ts []TaskHistory) {
	slices.SortFunc(ts, func(a, b TaskHistory) int {
		if c := strings.Compare(a.Connector, b.Connector); c != 0 {
			return c
		}
		return a.Task - b.Task
	})
}
