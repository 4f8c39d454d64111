package runtime

import (
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/connectors"
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
	// OffsetCommitSuccess counts offset commits that succeeded, an empty
	// one included, as Kafka Connect counts them (for a sink task,
	// offset-commit-completion-total).
	OffsetCommitSuccess
	// OffsetCommitFailure counts offset commits that failed (a sink task's
	// Flush or PreCommit failing, a source task's offset write).
	OffsetCommitFailure
	// SourceRecordDone counts records a source task polled that will not
	// be written: dropped by a transformation, or failed and skipped.
	// With SourceRecordPoll and SourceRecordWrite it gives
	// source-record-active-count.
	SourceRecordDone
	// Retries counts the operations retried after a retriable error under
	// errors.retry.timeout (total-retries).
	Retries

	// The task's Kafka client (a source task's producer, a sink task's
	// consumer), as sarama reports it (see clientRegistry).

	// ClientRequests counts the requests the client sent.
	ClientRequests
	// ClientOutgoingBytes and ClientIncomingBytes count the bytes it sent
	// and received.
	ClientOutgoingBytes
	ClientIncomingBytes
	// ProducerRecordSend counts the records the producer sent in produce
	// requests, retries included (record-send-total).
	ProducerRecordSend
	// ProducerRecordError counts the records the producer gave up on
	// (record-error-total).
	ProducerRecordError
	// ConsumerFetches counts the consumer's fetch requests (fetch-total).
	ConsumerFetches
	// ConsumerRecords counts the records the consumer fetched
	// (records-consumed-total).
	ConsumerRecords
	numCounters
)

// Stat names one of a task's per-batch figures.
type Stat int

// A task's per-batch figures, of which the average and maximum over Kafka
// Connect's metric window are exported.
const (
	// BatchSize is the size of the batches Poll returned or Put took
	// (connector-task-metrics batch-size).
	BatchSize Stat = iota
	// BatchTime is the time Poll (poll-batch-*-time-ms) or Put
	// (put-batch-*-time-ms) took, ms.
	BatchTime
	// OffsetCommitTime is the time an offset commit took, ms
	// (offset-commit-*-time-ms).
	OffsetCommitTime
	// ActiveCount is Active, sampled after each batch
	// (source-record-active-count-*, sink-record-active-count-*).
	ActiveCount
	// RequestLatency is the time the client's requests took, ms
	// (request-latency-*).
	RequestLatency
	// ProducerBatchSize is the size in bytes of the producer's partition
	// batches (batch-size-*).
	ProducerBatchSize
	// ProducerRecordsPerRequest is the records of a produce request
	// (records-per-request-avg).
	ProducerRecordsPerRequest
	// ConsumerFetchSize is the size in bytes of the consumer's fetch
	// responses (fetch-size-*).
	ConsumerFetchSize
	numStats
)

// sampleWindow is Kafka's metrics.sample.window.ms default; with its
// metrics.num.samples default, 2, windowed figures cover the current 30 s
// sample and the one before.
const sampleWindow = 30 * time.Second

// stat gathers a per-batch figure over Kafka's two samples: each sample
// holds the count, sum and maximum of the values recorded during one
// 30 s window of the wall clock. Most stats have one writer (a task's
// poll, put or commit loop); the client's are written by sarama's broker
// goroutines. The reset of a sample that starts a new window is not atomic
// with the adds: a value recorded by another goroutine at that instant
// may be lost, and a reader may see the reset half done.
type stat struct {
	samples [2]struct {
		window, count, sum, max atomic.Int64
	}
}

func (s *stat) record(v int64, nowMillis int64) {
	w := nowMillis / sampleWindow.Milliseconds()
	smp := &s.samples[w%2]
	if old := smp.window.Load(); old != w && smp.window.CompareAndSwap(old, w) {
		smp.count.Store(0)
		smp.sum.Store(0)
		smp.max.Store(v)
	}
	smp.count.Add(1)
	smp.sum.Add(v)
	for {
		cur := smp.max.Load()
		if v <= cur || smp.max.CompareAndSwap(cur, v) {
			return
		}
	}
}

// read returns the average and the maximum of the values recorded in the
// current and the previous window; NaN for both when there are none, as
// Kafka's Avg and Max with no sample.
func (s *stat) read(nowMillis int64) (avg, most float64) {
	w := nowMillis / sampleWindow.Milliseconds()
	var count, sum int64
	most = math.Inf(-1)
	for i := range s.samples {
		smp := &s.samples[i]
		if sw := smp.window.Load(); sw != w && sw != w-1 {
			continue
		}
		n := smp.count.Load()
		if n == 0 {
			continue
		}
		count += n
		sum += smp.sum.Load()
		most = max(most, float64(smp.max.Load()))
	}
	if count == 0 {
		return math.NaN(), math.NaN()
	}
	return float64(sum) / float64(count), most
}

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
	stats  [numStats]stat
	client atomic.Pointer[string] // the client id of the task's producer or consumer

	// times: how long the task was running and paused (running-ratio,
	// pause-ratio), accounted at each state change; and the samples
	// Window compares the counters with, taken when read.
	timeMu    sync.Mutex
	created   int64 // Unix ms; 0 for a TaskMetrics built by a test
	current   herder.State
	since     int64 // Unix ms of the last state change
	runningMs int64
	pausedMs  int64
	base, mid snapshot

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
	committed atomic.Int64 // the offset committed last (< 0: not known yet)
}

// active is how many records of the partition the task read whose offsets
// are not committed yet; 0 while either offset is unknown.
func (p *PartitionPosition) active() int64 {
	next, committed := p.next.Load(), p.committed.Load()
	if next < 0 || committed < 0 {
		return 0
	}
	return max(next-committed, 0)
}

// read records that the claim's records up to next (exclusive), from
// first, were read: the first read of a claim whose committed offset was
// not known (sarama's OffsetOldest or OffsetNewest) starts its count at
// first.
func (p *PartitionPosition) read(first, next int64) {
	if c := p.committed.Load(); c < 0 {
		p.committed.CompareAndSwap(c, first)
	}
	p.next.Store(next)
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
	p.committed.Store(next)
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

// committedAt records the offsets a sink task committed, by partition.
func (m *TaskMetrics) committedAt(offsets map[connectors.TopicPartition]int64) {
	if m == nil {
		return
	}
	m.claimMu.Lock()
	defer m.claimMu.Unlock()
	for _, p := range m.claims {
		if off, ok := offsets[connectors.TopicPartition{Topic: p.Topic, Partition: p.Partition}]; ok {
			p.committed.Store(off)
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

// Add adds n to a counter, as the record paths do (for exporters' tests).
func (m *TaskMetrics) Add(c Counter, n int) {
	if c >= 0 && c < numCounters {
		m.add(c, n)
	}
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

// newTaskMetrics returns the counters of a task started at now.
func newTaskMetrics(now time.Time) *TaskMetrics {
	m := &TaskMetrics{created: now.UnixMilli(), since: now.UnixMilli()}
	m.base.at = m.created
	return m
}

// reported records the state last reported for the task.
func (m *TaskMetrics) reported(st herder.State) {
	if m == nil {
		return
	}
	m.status.Store(&st)
	now := time.Now().UnixMilli()
	m.timeMu.Lock()
	m.account(now)
	m.current, m.since = st, now
	m.timeMu.Unlock()
}

// account adds the time since the last state change to the state's total;
// under timeMu.
func (m *TaskMetrics) account(now int64) {
	d := max(now-m.since, 0)
	switch m.current {
	case herder.Running:
		m.runningMs += d
	case herder.Paused:
		m.pausedMs += d
	}
	m.since = now
}

// record adds a per-batch figure (a few atomic operations, no allocation).
func (m *TaskMetrics) record(s Stat, v int64, now time.Time) {
	if m != nil {
		m.stats[s].record(v, now.UnixMilli())
	}
}

// recordActive samples the task's records in flight (Active).
func (m *TaskMetrics) recordActive(now time.Time) {
	if m != nil {
		m.stats[ActiveCount].record(m.Active(), now.UnixMilli())
	}
}

// Active is a source task's records polled but not yet written or dropped
// (source-record-active-count), or a sink task's records read whose
// offsets are not committed yet (sink-record-active-count).
func (m *TaskMetrics) Active() int64 {
	if m == nil {
		return 0
	}
	if m.sink.Load() {
		m.claimMu.Lock()
		defer m.claimMu.Unlock()
		var n int64
		for _, p := range m.claims {
			n += p.active()
		}
		return n
	}
	return max(m.c[SourceRecordPoll].Load()-m.c[SourceRecordWrite].Load()-m.c[SourceRecordDone].Load(), 0)
}

// committed counts an offset commit begun at began, and its outcome.
func (m *TaskMetrics) committed(began time.Time, err error) {
	if m == nil {
		return
	}
	now := time.Now()
	if err != nil {
		m.c[OffsetCommitFailure].Add(1)
	} else {
		m.c[OffsetCommitSuccess].Add(1)
	}
	m.stats[OffsetCommitTime].record(now.Sub(began).Milliseconds(), now.UnixMilli())
}

// Stat returns the average and maximum of a per-batch figure over the last
// 30 to 60 s (Kafka's two samples); NaN for both when nothing was recorded.
func (m *TaskMetrics) Stat(s Stat, now time.Time) (avg, most float64) {
	if m == nil || s < 0 || s >= numStats {
		return math.NaN(), math.NaN()
	}
	return m.stats[s].read(now.UnixMilli())
}

// snapshot is a task's counters and state times at one instant.
type snapshot struct {
	at                 int64 // Unix ms; 0: not taken
	c                  [numCounters]int64
	running, pausedFor int64
}

// Window is a task's figures over Kafka Connect's metric window (from 30
// to 60 s back when /metrics is scraped at least every 30 s; since the
// task started when it is younger).
type Window struct {
	seconds float64
	delta   [numCounters]int64
	// RunningRatio and PauseRatio are the fractions of the window the task
	// spent running and paused.
	RunningRatio, PauseRatio float64
}

// Rate is a counter's increase per second over the window; as Kafka's
// Rate, a window shorter than 30 s counts as 30 s.
func (w Window) Rate(c Counter) float64 {
	if c < 0 || c >= numCounters {
		return 0
	}
	return float64(w.delta[c]) / max(w.seconds, sampleWindow.Seconds())
}

// Fraction is a/(a+b) over the window, 0 when both are 0 (Kafka's
// Frequencies with no sample).
func (w Window) Fraction(a, b Counter) float64 {
	x, y := w.delta[a], w.delta[b]
	if x+y == 0 {
		return 0
	}
	return float64(x) / float64(x+y)
}

// Window returns the task's figures over the metric window ending at now.
// Reading it keeps two snapshots of the counters, which is all the
// windowing costs: the record paths do not take part.
func (m *TaskMetrics) Window(now time.Time) Window {
	if m == nil {
		return Window{}
	}
	ms := now.UnixMilli()
	m.timeMu.Lock()
	defer m.timeMu.Unlock()
	m.account(ms)
	cur := snapshot{at: ms, running: m.runningMs, pausedFor: m.pausedMs}
	for i := range cur.c {
		cur.c[i] = m.c[i].Load()
	}
	switch {
	case m.base.at == 0:
		m.base = cur // built without newTaskMetrics: the window starts now
	case m.mid.at == 0 && ms-m.base.at >= sampleWindow.Milliseconds():
		m.mid = cur
	case m.mid.at != 0 && ms-m.mid.at >= sampleWindow.Milliseconds():
		m.base, m.mid = m.mid, cur
	}
	w := Window{seconds: float64(ms-m.base.at) / 1000}
	for i := range w.delta {
		w.delta[i] = cur.c[i] - m.base.c[i]
	}
	if elapsed := ms - m.base.at; elapsed > 0 {
		w.RunningRatio = min(float64(cur.running-m.base.running)/float64(elapsed), 1)
		w.PauseRatio = min(float64(cur.pausedFor-m.base.pausedFor)/float64(elapsed), 1)
	}
	return w
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
