package runtime

import (
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
)

// Counter names one of a task's counters.
type Counter int

// A task's counters: the figures of Kafka Connect's source-task-metrics,
// sink-task-metrics and task-error-metrics groups.
const (
	// SinkRecordRead counts records a sink task read from Kafka
	// (sink-record-read-total).
	SinkRecordRead Counter = iota
	// SinkRecordSend counts records handed to Put after the
	// transformations (sink-record-send-total).
	SinkRecordSend
	// SourceRecordPoll counts records Poll returned
	// (source-record-poll-total).
	SourceRecordPoll
	// SourceRecordWrite counts records Kafka acknowledged
	// (source-record-write-total).
	SourceRecordWrite
	// RecordFailures counts failed operations (total-record-failures).
	RecordFailures
	// RecordErrors counts records that failed (total-record-errors).
	RecordErrors
	// RecordsSkipped counts failed records errors.tolerance=all let the
	// task skip (total-records-skipped).
	RecordsSkipped
	// ErrorsLogged counts failures logged (total-errors-logged).
	ErrorsLogged
	// DLQProduceRequests counts records sent to the dead letter queue
	// (deadletterqueue-produce-requests).
	DLQProduceRequests
	// DLQProduceFailures counts records the dead letter queue refused
	// (deadletterqueue-produce-failures).
	DLQProduceFailures
	// LastErrorMillis is the time of the last failure in Unix
	// milliseconds, 0 for none (last-error-timestamp).
	LastErrorMillis
	numCounters
)

// TaskMetrics are one task's counters. A task holds them from its start to
// its stop, across automatic restarts; the record paths add to them with
// atomic operations only (no lock, no map, no allocation), and an exporter
// reads them when it is scraped. Every method accepts a nil receiver (tasks
// built by tests have none).
type TaskMetrics struct {
	c    [numCounters]atomic.Int64
	sink atomic.Bool // set when a sink task is built
	// status is the state last reported for the task (nil: none yet),
	// FAILED included, which the task's taskState does not hold.
	status atomic.Pointer[herder.State]

	// claims are the partitions a sink task consumes now, each added
	// when its claim begins and removed when it ends (never per record).
	claimMu sync.Mutex
	claims  []*PartitionPosition
}

// PartitionPosition is a sink task's consumer position in a partition it
// consumes, and the partition's high watermark, read when scraped: their
// difference is the consumer's lag (Kafka's records-lag).
type PartitionPosition struct {
	ClientID  string // the consumer's client id
	Topic     string
	Partition int32
	hwm       func() int64 // the claim's HighWaterMarkOffset (an atomic read)
	next      atomic.Int64 // the offset of the next record to read
}

// Lag is how many records of the partition the task has not read yet; 0
// until the position is known (a claim starting at sarama's OffsetOldest or
// OffsetNewest, before its first record).
func (p *PartitionPosition) Lag() int64 {
	next := p.next.Load()
	if next < 0 {
		return 0
	}
	return max(p.hwm()-next, 0)
}

// claim registers a partition a sink task begins to consume from offset
// next; release removes it.
func (m *TaskMetrics) claim(clientID, topic string, partition int32, next int64, hwm func() int64) *PartitionPosition {
	p := &PartitionPosition{ClientID: clientID, Topic: topic, Partition: partition, hwm: hwm}
	p.next.Store(next)
	if m != nil {
		m.claimMu.Lock()
		m.claims = append(m.claims, p)
		m.claimMu.Unlock()
	}
	return p
}

func (m *TaskMetrics) release(p *PartitionPosition) {
	if m == nil {
		return
	}
	m.claimMu.Lock()
	defer m.claimMu.Unlock()
	for i, c := range m.claims {
		if c == p {
			m.claims = append(m.claims[:i], m.claims[i+1:]...)
			return
		}
	}
}

// Positions lists the partitions a sink task consumes now.
func (m *TaskMetrics) Positions() []*PartitionPosition {
	if m == nil {
		return nil
	}
	m.claimMu.Lock()
	defer m.claimMu.Unlock()
	return append([]*PartitionPosition(nil), m.claims...)
}

// Get returns a counter's value.
func (m *TaskMetrics) Get(c Counter) int64 {
	if m == nil || c < 0 || c >= numCounters {
		return 0
	}
	return m.c[c].Load()
}

func (m *TaskMetrics) add(c Counter, n int) {
	if m != nil && n != 0 {
		m.c[c].Add(int64(n))
	}
}

// failed counts one failed record: skipped says errors.tolerance let the
// task go on, logged that it was logged.
func (m *TaskMetrics) failed(skipped, logged bool) {
	if m == nil {
		return
	}
	m.c[RecordFailures].Add(1)
	m.c[RecordErrors].Add(1)
	if skipped {
		m.c[RecordsSkipped].Add(1)
	}
	if logged {
		m.c[ErrorsLogged].Add(1)
	}
	m.c[LastErrorMillis].Store(time.Now().UnixMilli())
}

// reported records the state last reported for the task.
func (m *TaskMetrics) reported(st herder.State) {
	if m != nil {
		m.status.Store(&st)
	}
}

// TaskSnapshot is one task of this worker as an exporter sees it.
type TaskSnapshot struct {
	ID herder.TaskID
	// Sink is true for a sink task, false for a source task.
	Sink    bool
	State   herder.State
	Metrics *TaskMetrics
}

// TaskMetrics lists the tasks running on this worker with their counters,
// ordered by connector and task number.
func (w *Worker) TaskMetrics() []TaskSnapshot {
	w.mu.Lock()
	out := make([]TaskSnapshot, 0, len(w.tasks))
	for id, t := range w.tasks {
		m := t.state.metrics
		if m == nil {
			continue
		}
		st := t.state.state()
		if reported := m.status.Load(); reported != nil {
			st = *reported
		}
		out = append(out, TaskSnapshot{ID: id, Sink: m.sink.Load(), State: st, Metrics: m})
	}
	w.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID.Connector != out[j].ID.Connector {
			return out[i].ID.Connector < out[j].ID.Connector
		}
		return out[i].ID.Task < out[j].ID.Task
	})
	return out
}

// startupCounts are the worker's startup counters (connect-worker-metrics).
type startupCounts struct {
	connectorAttempts, connectorSuccesses, connectorFailures atomic.Int64
	taskAttempts, taskSuccesses, taskFailures                atomic.Int64
}

// StartupCounts are the startup figures of Kafka Connect's
// connect-worker-metrics group: connectors and tasks this worker tried to
// start since it began, and how many of them started or failed to.
type StartupCounts struct {
	ConnectorAttempts, ConnectorSuccesses, ConnectorFailures int64
	TaskAttempts, TaskSuccesses, TaskFailures                int64
}

// StartupCounts returns the worker's startup counters.
func (w *Worker) StartupCounts() StartupCounts {
	s := &w.startups
	return StartupCounts{
		ConnectorAttempts: s.connectorAttempts.Load(), ConnectorSuccesses: s.connectorSuccesses.Load(), ConnectorFailures: s.connectorFailures.Load(),
		TaskAttempts: s.taskAttempts.Load(), TaskSuccesses: s.taskSuccesses.Load(), TaskFailures: s.taskFailures.Load(),
	}
}

// countStartup counts a connector's (task false) or task's startup
// attempt and its outcome.
func (s *startupCounts) countStartup(task bool, err error) {
	attempts, successes, failures := &s.connectorAttempts, &s.connectorSuccesses, &s.connectorFailures
	if task {
		attempts, successes, failures = &s.taskAttempts, &s.taskSuccesses, &s.taskFailures
	}
	attempts.Add(1)
	if err != nil {
		failures.Add(1)
	} else {
		successes.Add(1)
	}
}

// ConnectorSnapshot is a connector this worker runs, or failed to start, as
// Kafka Connect's connector-metrics group shows it.
type ConnectorSnapshot struct {
	Name    string
	Class   string
	Type    herder.ConnectorType
	Version string
	State   herder.State
}

// ConnectorMetrics lists the connectors of this worker (those it runs and
// those that failed here and were not stopped since), ordered by name.
func (w *Worker) ConnectorMetrics() []ConnectorSnapshot {
	w.mu.Lock()
	out := make([]ConnectorSnapshot, 0, len(w.connStatus))
	for _, c := range w.connStatus {
		out = append(out, c)
	}
	w.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// connectorStatus records a connector's state for ConnectorMetrics; its
// class, type and version come from the running instance, else from raw
// (a connector that failed to start).
func (w *Worker) connectorStatus(name string, st herder.State, raw map[string]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.connStatus[name]
	if run := w.connectors[name]; run != nil {
		typ := herder.SourceType
		if run.plugin.Kind == plugins.Sink {
			typ = herder.SinkType
		}
		c = ConnectorSnapshot{Name: name, Class: run.plugin.Class, Type: typ, Version: run.plugin.Version}
	} else if !ok {
		if raw == nil {
			return // stopped meanwhile
		}
		c = ConnectorSnapshot{Name: name, Class: strings.TrimSpace(raw[ConnectorClass]), Type: herder.UnknownType}
	}
	c.State = st
	w.connStatus[name] = c
}

// RebalanceSnapshot is a distributed worker's connect-worker-rebalance-metrics.
type RebalanceSnapshot struct {
	// Protocol is the group protocol in use, as Kafka Connect names it
	// (EAGER, COMPATIBLE, SESSIONED); "" before the first rebalance.
	Protocol string
	// LeaderURL is the REST URL of the group's leader; "" before the
	// first rebalance.
	LeaderURL string
	// Epoch is the group's generation.
	Epoch int32
	// Completed counts the rebalances this worker completed.
	Completed int64
	// Rebalancing is true from an assignment's arrival to the start of its
	// work.
	Rebalancing bool
	// AvgMillis and MaxMillis are the average and longest of those times;
	// NaN before the first rebalance completes.
	AvgMillis, MaxMillis float64
	// SinceLastMillis is the time since the last rebalance completed, +Inf
	// before the first.
	SinceLastMillis float64
}

// RebalanceStats gathers a distributed worker's rebalance figures. The
// zero value is ready; its methods are safe for concurrent use.
type RebalanceStats struct {
	mu          sync.Mutex
	protocol    string
	leaderURL   string
	epoch       int32
	completed   int64
	rebalancing bool
	startedAt   time.Time
	lastAt      time.Time
	sumMillis   float64
	maxMillis   float64
}

// Started records an assignment's arrival: its generation, leader and
// protocol.
func (r *RebalanceStats) Started(now time.Time, epoch int32, leaderURL, protocol string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.epoch, r.leaderURL, r.protocol = epoch, leaderURL, protocol
	r.rebalancing, r.startedAt = true, now
}

// Succeeded records that the work of the last assignment started.
func (r *RebalanceStats) Succeeded(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.rebalancing {
		return
	}
	d := float64(max(now.Sub(r.startedAt), 0)) / float64(time.Millisecond)
	r.rebalancing = false
	r.completed++
	r.sumMillis += d
	r.maxMillis = max(r.maxMillis, d)
	r.lastAt = now
}

// Snapshot returns the figures at now.
func (r *RebalanceStats) Snapshot(now time.Time) RebalanceSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := RebalanceSnapshot{Protocol: r.protocol, LeaderURL: r.leaderURL, Epoch: r.epoch, Completed: r.completed, Rebalancing: r.rebalancing,
		AvgMillis: math.NaN(), MaxMillis: math.NaN(), SinceLastMillis: math.Inf(1)}
	if r.completed > 0 {
		s.AvgMillis, s.MaxMillis = r.sumMillis/float64(r.completed), r.maxMillis
		s.SinceLastMillis = float64(now.Sub(r.lastAt).Milliseconds())
	}
	return s
}
