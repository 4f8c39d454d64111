package sluicecmd

import (
	"context"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
)

// fakeConsoleWorker is the REST API of a worker with as many connectors as
// a test wants and no tasks behind them: the real API handler (the
// console's assets, /connectors?expand=…) over a herder that answers from
// a map, and a metrics history made up on the fly (one sample a second
// per task, from when the worker started), so that the console can be
// measured with thousands of connectors.
type fakeConsoleWorker struct {
	workerID string
	start    time.Time
	interval time.Duration
	samples  int

	mu     sync.Mutex
	status map[string]herder.ConnectorStateInfo
	info   map[string]herder.ConnectorInfo

	historyBytes, historyCalls atomic.Int64
	sinceCalls                 atomic.Int64 // history requests with since
	listBytes, listCalls       atomic.Int64 // GET /connectors
	// clockShift moves the made-up history's clock (a worker whose clock
	// was set back), in nanoseconds.
	clockShift atomic.Int64
}

// fakeHerder answers the console's reads from a fakeConsoleWorker; any
// other call panics (the embedded nil Herder), which the API turns into
// a 500.
type fakeHerder struct {
	herder.Herder
	w *fakeConsoleWorker
}

func (h fakeHerder) ServerInfo(context.Context) (herder.ServerInfo, error) {
	return herder.ServerInfo{Version: "fake", Commit: "0123456789abcdef", KafkaClusterID: "fake-cluster"}, nil
}

func (h fakeHerder) Connectors(context.Context) ([]string, error) {
	h.w.mu.Lock()
	defer h.w.mu.Unlock()
	names := make([]string, 0, len(h.w.info))
	for n := range h.w.info {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

func (h fakeHerder) ConnectorInfo(_ context.Context, name string) (herder.ConnectorInfo, error) {
	h.w.mu.Lock()
	defer h.w.mu.Unlock()
	in, ok := h.w.info[name]
	if !ok {
		return in, herder.NotFound("Connector %s not found", name)
	}
	return in, nil
}

func (h fakeHerder) ConnectorStatus(_ context.Context, name string) (herder.ConnectorStateInfo, error) {
	h.w.mu.Lock()
	defer h.w.mu.Unlock()
	st, ok := h.w.status[name]
	if !ok {
		return st, herder.NotFound("No status found for connector %s", name)
	}
	return st, nil
}

func (h fakeHerder) ConnectorOffsets(context.Context, string) (herder.ConnectorOffsets, error) {
	return herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{}}, nil
}

// add records a source connector with one task in state, running on
// taskWorker, its task failed with trace if trace is not empty.
func (w *fakeConsoleWorker) add(name string, state herder.State, taskWorker, trace string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.info[name] = herder.ConnectorInfo{Name: name, Type: herder.SourceType,
		Config: map[string]string{"name": name, "connector.class": "FileStreamSource", "tasks.max": "1", "topic": "t", "file": "/dev/null"},
		Tasks:  []herder.TaskID{{Connector: name, Task: 0}}}
	ts := herder.TaskState{ID: 0, State: state, WorkerID: taskWorker, Trace: trace}
	if trace != "" {
		ts.State = herder.Failed
	}
	w.status[name] = herder.ConnectorStateInfo{Name: name, Type: herder.SourceType,
		Connector: herder.ConnectorState{State: state, WorkerID: w.workerID}, Tasks: []herder.TaskState{ts}}
}

// history answers GET /sluice/metrics/history as a worker would whose
// tasks (those of the connectors running here) each polled and wrote
// about 100 records a second since start (a wave of a minute or so),
// within the cap a worker applies.
func (w *fakeConsoleWorker) history(connector string, since int64) any {
	w.mu.Lock()
	var mine []string
	for n, st := range w.status {
		if (connector == "" || connector == n) && st.Tasks[0].WorkerID == w.workerID {
			mine = append(mine, n)
		}
	}
	w.mu.Unlock()
	slices.Sort(mine)
	out := runtime.MetricsHistory{WorkerID: w.workerID, IntervalMs: w.interval.Milliseconds(), MaxSamples: w.samples, Tasks: []runtime.TaskHistory{}}
	var times []int64
	shift := time.Duration(w.clockShift.Load())
	now := time.Now().Add(shift)
	for at := w.start.Add(shift).Add(w.interval); !at.After(now); at = at.Add(w.interval) {
		if t := at.UnixMilli(); t > since {
			times = append(times, t)
		}
	}
	times = times[max(len(times)-w.samples, 0):]
	if len(mine) > 0 && len(mine)*len(times) > runtime.MaxHistoryAnswerSamples {
		times, out.Truncated = times[len(times)-max(runtime.MaxHistoryAnswerSamples/len(mine), 1):], true
	}
	for i, n := range mine {
		s := make([]runtime.HistorySample, len(times))
		for j, t := range times {
			rate := math.Round((float64(100+i%50)+20*math.Sin(float64(t)/10_000))*1000) / 1000 // as perSec rounds
			s[j] = runtime.HistorySample{Time: t, InPerSec: rate, OutPerSec: rate}
		}
		out.Tasks = append(out.Tasks, runtime.TaskHistory{Connector: n, Task: 0, Type: herder.SourceType, Samples: s})
	}
	return out
}

// startFakeConsoleWorker serves a fakeConsoleWorker on a free loopback
// port and returns it with its URL; restart stops and starts its
// listener on the same address (the console's offline banner). The
// worker's id is its address, as a real one's is.
func startFakeConsoleWorker(t *testing.T) (w *fakeConsoleWorker, url string, stop, restart func()) {
	t.Helper()
	w = &fakeConsoleWorker{start: time.Now(), interval: time.Second, samples: runtime.DefaultHistorySamples,
		status: map[string]herder.ConnectorStateInfo{}, info: map[string]herder.ConnectorInfo{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	w.workerID = addr
	h := api.NewHandler(api.Options{Herder: fakeHerder{w: w}, Console: true, History: w.history})
	counted := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: rw}
		h.ServeHTTP(cw, r)
		switch r.URL.Path {
		case "/sluice/metrics/history":
			w.historyCalls.Add(1)
			if r.URL.Query().Has("since") {
				w.sinceCalls.Add(1)
			}
			w.historyBytes.Add(cw.n)
		case "/connectors":
			w.listCalls.Add(1)
			w.listBytes.Add(cw.n)
		}
	})
	var srv *http.Server
	serve := func(l net.Listener) {
		srv = &http.Server{Handler: counted, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(l) //nolint:errcheck // ends with Close
	}
	serve(l)
	stop = func() { srv.Close() }
	restart = func() {
		deadline := time.Now().Add(10 * time.Second)
		for {
			l, err := net.Listen("tcp", addr)
			if err == nil {
				serve(l)
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("listen again on %s: %v", addr, err)
			}
			time.Sleep(50 * time.Millisecond) // the port is being released
		}
	}
	t.Cleanup(func() { srv.Close() })
	return w, "http://" + addr, stop, restart
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

// connectorName is the i-th of many connectors' names, sortable.
func connectorName(prefix string, i int) string {
	return prefix + "-" + strconv.Itoa(100000 + i)[1:]
}
