package storage

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// Key prefixes of the status topic (KafkaStatusBackingStore).
const (
	taskStatusPrefix      = "status-task-"
	connectorStatusPrefix = "status-connector-"
	topicStatusPrefix     = "status-topic-"
	topicStatusSeparator  = ":connector-"
)

// KafkaStatus is Kafka Connect's KafkaStatusBackingStore: connector, task
// and active-topic statuses in a compacted topic (status.storage.topic),
// shared by every worker of the cluster.
//
// Writes never block the caller: the local view is updated at once and the
// record is sent in the background, in call order, retried on retriable
// errors as Kafka Connect's status producer does (a retry is dropped when
// the status became stale: the entry was deleted, the generation changed
// or, for a safe write, a newer write superseded it; unlike Kafka Connect,
// a status that is still this worker's latest for its entry is written
// again with the new generation instead of being dropped). Every record read
// back from the topic, this worker's and the others', is applied, so all
// workers converge on the topic's last record for each key.
//
// FAILED and UNASSIGNED are written as Kafka Connect's putSafe: only if
// there is no status yet, the status is this worker's, or its generation is
// not newer than the current one. Reading ignores an UNASSIGNED task status
// over a RUNNING one of a newer generation (KAFKA-12525), or of the same
// generation from another worker; the worker the RUNNING is from may
// replace it with UNASSIGNED in the same generation (it stopped the task).
// Reading also ignores an UNASSIGNED, of a connector or a task, over
// another worker's status of a newer generation, whatever its state (see
// supersedes).
type KafkaStatus struct {
	log      TopicLog
	lg       *slog.Logger
	workerID string
	now      func() time.Time

	mu         sync.Mutex
	generation int32
	epoch      int64 // bumped by Fence
	fenced     bool  // since Fence, until the next SetGeneration
	connectors map[string]*statusEntry
	tasks      map[string]map[int]*statusEntry
	topics     map[string]map[string]topicStatus // connector → topic

	queue    []statusWrite
	inflight int
	idle     chan struct{} // closed and replaced whenever the sender finishes a batch
	wake     chan struct{}
	closed   bool
	stop     chan struct{}
	stopCtx  context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	// sendRetry logs the sender's failures once per change of state: a
	// broker outage would otherwise log a warning per attempt.
	sendRetry *kafka.RetryLog
}

// statusEntry is the last known status of a connector or a task.
type statusEntry struct {
	state      herder.State
	trace      string
	workerID   string
	generation int32
	// version is the plugin's version (KIP-891); empty for none, and in
	// records of workers older than Kafka Connect 4.1, which have none.
	version string
	// autoRestart is sluice's addition to a FAILED task status; it is not
	// part of Kafka Connect's record, so only the worker that wrote it
	// knows it.
	autoRestart *herder.AutoRestart
	present     bool
	deleted     bool
	seq         int
}

// topicStatus is one active-topic record (KIP-558).
type topicStatus struct {
	task      int
	discovery int64
}

// statusWrite is a record waiting to be sent; stale, if set, says under
// s.mu whether a retry should be dropped; restamp, if set, is called under
// s.mu before a retry once the generation changed (see put).
type statusWrite struct {
	rec     kafka.LogRecord
	stale   func() bool
	restamp func() (kafka.LogRecord, bool)
	safe    bool // UNASSIGNED or FAILED, written only over what is not newer
	// regenerated, if set, says under s.mu whether the worker's generation
	// changed since the write was put (a safe write is then restamped only
	// after the topic has been read to its end).
	regenerated func() bool
}

// statusRetryBackoff bounds the wait between two attempts of a write.
var statusRetryBackoff = [2]time.Duration{100 * time.Millisecond, 2 * time.Second}

// statusCloseTimeout bounds how long Close waits for queued writes, as
// Kafka Connect's stop waits for its retry executor.
const statusCloseTimeout = 10 * time.Second

// NewKafkaStatus returns a status store on the topic log that open returns,
// writing statuses as the worker workerID; open receives the callback the
// log must hand every record to.
func NewKafkaStatus(open func(apply func(kafka.LogRecord)) (TopicLog, error), workerID string, log *slog.Logger) (*KafkaStatus, error) {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &KafkaStatus{lg: log, workerID: workerID, now: time.Now,
		connectors: map[string]*statusEntry{}, tasks: map[string]map[int]*statusEntry{},
		topics: map[string]map[string]topicStatus{},
		idle:   make(chan struct{}), wake: make(chan struct{}, 1), stop: make(chan struct{}),
		stopCtx: ctx, cancel: cancel, done: make(chan struct{}),
		sendRetry: &kafka.RetryLog{Log: log, What: "writing status updates"}}
	l, err := open(s.apply)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("open status topic: %w", err)
	}
	s.log = l
	go s.sendLoop()
	return s, nil
}

// Start reads the status topic to its end and keeps following it.
func (s *KafkaStatus) Start(ctx context.Context) error {
	if err := s.log.Start(ctx); err != nil {
		return fmt.Errorf("start status store: %w", err)
	}
	return nil
}

// SetGeneration sets the worker's current group generation, written with
// every status from now on.
func (s *KafkaStatus) SetGeneration(g int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.generation = g
	s.fenced = false
}

// Fence is called when the worker has lost its group membership (its work
// may run elsewhere already): the statuses it has not written yet, and
// those it puts until it joins again, are dropped, except the safe ones
// (UNASSIGNED, FAILED) that say it stopped. A worker that lost the group
// while Kafka was away would otherwise write its RUNNING statuses once
// Kafka is back, after the worker its work moved to wrote its own.
func (s *KafkaStatus) Fence() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	s.fenced = true
}

// encodeStatus writes a connector or task status as Kafka Connect 4.1+
// does (KafkaStatusBackingStore.serialize: fields state, trace, worker_id,
// generation, version in that order; a missing trace or version is null),
// e.g. {"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:8083","generation":12,"version":"4.4.0"}.
// Older workers read such a record and ignore the version.
func encodeStatus(state herder.State, trace, workerID string, generation int32, version string) []byte {
	b := append([]byte(nil), `{"state":`...)
	b = javafmt.AppendString(b, string(state))
	b = append(b, `,"trace":`...)
	if trace == "" {
		b = append(b, "null"...)
	} else {
		b = javafmt.AppendString(b, trace)
	}
	b = append(b, `,"worker_id":`...)
	b = javafmt.AppendString(b, workerID)
	b = append(b, `,"generation":`...)
	b = strconv.AppendInt(b, int64(generation), 10)
	b = append(b, `,"version":`...)
	if version == "" {
		b = append(b, "null"...)
	} else {
		b = javafmt.AppendString(b, version)
	}
	return append(b, '}')
}

// encodeTopicStatus writes an active-topic record as Kafka Connect does
// (serializeTopicStatus: a map with one key "topic" whose value has the
// fields name, connector, task, discoverTimestamp in that order).
func encodeTopicStatus(topic, connector string, task int, discovery int64) []byte {
	b := append([]byte(nil), `{"topic":{"name":`...)
	b = javafmt.AppendString(b, topic)
	b = append(b, `,"connector":`...)
	b = javafmt.AppendString(b, connector)
	b = append(b, `,"task":`...)
	b = strconv.AppendInt(b, int64(task), 10)
	b = append(b, `,"discoverTimestamp":`...)
	b = strconv.AppendInt(b, discovery, 10)
	return append(b, "}}"...)
}

func taskStatusKey(id herder.TaskID) string {
	return taskStatusPrefix + id.Connector + "-" + strconv.Itoa(id.Task)
}

func topicStatusKey(topic, connector string) string {
	return topicStatusPrefix + topic + topicStatusSeparator + connector
}

// isSafeWrite says which states Kafka Connect writes with putSafe
// (AbstractHerder.onFailure and onShutdown).
func isSafeWrite(st herder.State) bool {
	return st == herder.Failed || st == herder.Unassigned
}

// canWriteSafely is CacheEntry.canWriteSafely.
func (e *statusEntry) canWriteSafely(workerID string, generation int32) bool {
	return !e.present || e.workerID == workerID || e.generation <= generation
}

// put writes a status through the local view and queues its record;
// s.mu is held.
func (s *KafkaStatus) put(e *statusEntry, key string, state herder.State, trace, workerID, version string, auto *herder.AutoRestart) {
	gen := s.generation
	safe := isSafeWrite(state)
	if safe && !e.canWriteSafely(workerID, gen) {
		s.lg.Debug("not overwriting a status of a newer generation", "key", key, "state", state,
			"generation", gen, "current_worker", e.workerID, "current_generation", e.generation)
		return
	}
	e.seq++
	seq := e.seq
	e.state, e.trace, e.workerID, e.generation, e.version, e.autoRestart, e.present = state, trace, workerID, gen, version, auto, true
	if s.fenced && !safe {
		return // see Fence
	}
	epoch := s.epoch
	s.enqueue(statusWrite{rec: kafka.LogRecord{Key: []byte(key), Value: encodeStatus(state, trace, workerID, gen, version)}, safe: safe,
		regenerated: func() bool { return gen != s.generation },
		stale: func() bool {
			return e.deleted || gen != s.generation || (!safe && epoch != s.epoch) ||
				(safe && (!e.canWriteSafely(workerID, gen) || e.seq != seq))
		},
		// A status that could not be written before the worker rejoined
		// the group (Kafka away, in a rebalance) is stale for its
		// generation, as in Kafka Connect. When it is still this
		// worker's latest for the entry (a task that keeps RUNNING here),
		// it is written again with the new generation rather than
		// dropped: else the topic would keep whatever came before, such as
		// another worker's UNASSIGNED, for as long as the task runs.
		//
		// The same holds for a safe write (a task that FAILED here just
		// before a rebalance: dropped, its RUNNING would stay the last word
		// while nothing runs), once the topic has been read to its end
		// (sendBatch's catchUp): if another worker has reported the entry
		// since, e.workerID is no longer this worker's and it is dropped.
		restamp: func() (kafka.LogRecord, bool) {
			if e.deleted || e.seq != seq || e.workerID != workerID || (!safe && epoch != s.epoch) {
				return kafka.LogRecord{}, false
			}
			gen = s.generation
			e.generation = gen
			return kafka.LogRecord{Key: []byte(key), Value: encodeStatus(state, trace, workerID, gen, version)}, true
		}})
}

func (s *KafkaStatus) worker(id string) string {
	if id != "" {
		return id
	}
	return s.workerID
}

// PutConnector implements StatusStore.
func (s *KafkaStatus) PutConnector(name string, st herder.ConnectorState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.connectorEntry(name)
	s.put(e, connectorStatusPrefix+name, st.State, st.Trace, s.worker(st.WorkerID), keptVersion(e, st.State, st.Version), nil)
}

// PutTask implements StatusStore.
func (s *KafkaStatus) PutTask(id herder.TaskID, st herder.TaskState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.taskEntry(id)
	s.put(e, taskStatusKey(id), st.State, st.Trace, s.worker(st.WorkerID), keptVersion(e, st.State, st.Version), st.AutoRestart)
}

// keptVersion is KeptVersion against the entry's present status.
func keptVersion(e *statusEntry, state herder.State, version herder.PluginVersion) string {
	var prev herder.PluginVersion
	if e.present {
		prev = herder.PluginVersion(e.version)
	}
	return string(KeptVersion(state, version, prev))
}

func (s *KafkaStatus) connectorEntry(name string) *statusEntry {
	e := s.connectors[name]
	if e == nil {
		e = &statusEntry{}
		s.connectors[name] = e
	}
	return e
}

func (s *KafkaStatus) taskEntry(id herder.TaskID) *statusEntry {
	t := s.tasks[id.Connector]
	if t == nil {
		t = map[int]*statusEntry{}
		s.tasks[id.Connector] = t
	}
	e := t[id.Task]
	if e == nil {
		e = &statusEntry{}
		t[id.Task] = e
	}
	return e
}

// Connector implements StatusStore.
func (s *KafkaStatus) Connector(name string) (herder.ConnectorState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.connectors[name]
	if e == nil || !e.present {
		return herder.ConnectorState{}, false
	}
	return herder.ConnectorState{State: e.state, WorkerID: e.workerID, Version: herder.PluginVersion(e.version), Trace: e.trace}, true
}

// Tasks implements StatusStore.
func (s *KafkaStatus) Tasks(connector string) []herder.TaskState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]herder.TaskState, 0, len(s.tasks[connector]))
	for n, e := range s.tasks[connector] {
		if e.present {
			out = append(out, herder.TaskState{ID: n, State: e.state, WorkerID: e.workerID, Version: herder.PluginVersion(e.version), Trace: e.trace,
				AutoRestart: e.autoRestart})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Delete implements StatusStore: it writes tombstones for the connector
// and each task known (AbstractHerder.onDeletion writes DESTROYED, which
// KafkaStatusBackingStore writes as a tombstone).
func (s *KafkaStatus) Delete(connector string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enqueue(statusWrite{rec: kafka.LogRecord{Key: []byte(connectorStatusPrefix + connector)}})
	tasks := make([]int, 0, len(s.tasks[connector]))
	for n := range s.tasks[connector] {
		tasks = append(tasks, n)
	}
	sort.Ints(tasks)
	for _, n := range tasks {
		s.enqueue(statusWrite{rec: kafka.LogRecord{Key: []byte(taskStatusKey(herder.TaskID{Connector: connector, Task: n}))}})
	}
	s.removeConnector(connector)
}

// DeleteTask implements StatusStore.
func (s *KafkaStatus) DeleteTask(id herder.TaskID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enqueue(statusWrite{rec: kafka.LogRecord{Key: []byte(taskStatusKey(id))}})
	s.removeTask(id)
}

// removeConnector forgets a connector and its tasks, as
// KafkaStatusBackingStore.remove(connector); s.mu is held.
func (s *KafkaStatus) removeConnector(connector string) {
	if e := s.connectors[connector]; e != nil {
		e.deleted = true
		delete(s.connectors, connector)
	}
	for _, e := range s.tasks[connector] {
		e.deleted = true
	}
	delete(s.tasks, connector)
}

func (s *KafkaStatus) removeTask(id herder.TaskID) {
	if e := s.tasks[id.Connector][id.Task]; e != nil {
		e.deleted = true
		delete(s.tasks[id.Connector], id.Task)
		if len(s.tasks[id.Connector]) == 0 {
			delete(s.tasks, id.Connector)
		}
	}
}

// PutTopic implements StatusStore. A topic already recorded for the
// connector is not written again (WorkerTask.recordActiveTopic).
func (s *KafkaStatus) PutTopic(connector, topic string, task int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.topics[connector][topic]; ok {
		return
	}
	ts := topicStatus{task: task, discovery: s.now().UnixMilli()}
	s.setTopic(connector, topic, ts)
	s.enqueue(statusWrite{rec: kafka.LogRecord{Key: []byte(topicStatusKey(topic, connector)),
		Value: encodeTopicStatus(topic, connector, task, ts.discovery)}})
}

func (s *KafkaStatus) setTopic(connector, topic string, ts topicStatus) {
	t := s.topics[connector]
	if t == nil {
		t = map[string]topicStatus{}
		s.topics[connector] = t
	}
	t[topic] = ts
}

// Topics implements StatusStore.
func (s *KafkaStatus) Topics(connector string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.topics[connector]))
	for t := range s.topics[connector] {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// DeleteTopics implements StatusStore: a tombstone for each active-topic
// record of the connector (KafkaStatusBackingStore.deleteTopic).
func (s *KafkaStatus) DeleteTopics(connector string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	topics := make([]string, 0, len(s.topics[connector]))
	for t := range s.topics[connector] {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	for _, t := range topics {
		s.enqueue(statusWrite{rec: kafka.LogRecord{Key: []byte(topicStatusKey(t, connector))}})
	}
	delete(s.topics, connector)
}

// enqueue queues a write for the sender; s.mu is held.
func (s *KafkaStatus) enqueue(w statusWrite) {
	if s.closed {
		s.lg.Warn("status store closed: dropping status update", "key", string(w.rec.Key))
		return
	}
	s.queue = append(s.queue, w)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// sendLoop sends queued writes in order, one batch at a time.
func (s *KafkaStatus) sendLoop() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.wake:
		}
		for {
			s.mu.Lock()
			batch := s.queue
			s.queue = nil
			s.inflight = len(batch)
			s.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			s.sendBatch(batch)
			s.mu.Lock()
			s.inflight = 0
			close(s.idle)
			s.idle = make(chan struct{})
			s.mu.Unlock()
		}
	}
}

// sendBatch writes a batch, retrying retriable errors with backoff and
// dropping writes that became stale meanwhile. Before it sends again a
// batch that holds a safe write (UNASSIGNED, FAILED), it reads the topic to
// its end: while the brokers were away another worker may have been given
// the work and written its status, which the safe write must not follow.
func (s *KafkaStatus) sendBatch(batch []statusWrite) {
	backoff := statusRetryBackoff[0]
	for attempt := 0; ; attempt++ {
		err := s.catchUp(batch, attempt > 0)
		// Also before the first attempt: a batch may have waited behind
		// one that Kafka refused for a while.
		if batch = s.fresh(batch); len(batch) == 0 {
			return
		}
		if err == nil {
			recs := make([]kafka.LogRecord, len(batch))
			for i, w := range batch {
				recs[i] = w.rec
			}
			if err = s.log.Send(s.stopCtx, recs...); err == nil {
				s.sendRetry.Succeeded()
				return
			}
			if !kafka.Retriable(err) {
				s.lg.Error("Failed to write status update", "records", len(recs), "error", err)
				return
			}
		}
		s.sendRetry.Failed(err, backoff)
		select {
		case <-s.stop:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, statusRetryBackoff[1])
	}
}

// catchUp reads the topic to its end before a retry of a batch with a
// safe write, or before the first attempt when the generation changed
// since a safe write was put (fresh then drops what became stale, or
// restamps it).
func (s *KafkaStatus) catchUp(batch []statusWrite, retry bool) error {
	s.mu.Lock()
	need := slices.ContainsFunc(batch, func(w statusWrite) bool {
		return w.safe && (retry || w.regenerated != nil && w.regenerated())
	})
	s.mu.Unlock()
	if !need {
		return nil
	}
	ctx, cancel := context.WithTimeout(s.stopCtx, statusCatchUpTimeout)
	defer cancel()
	if err := s.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("read the status topic to its end before writing again: %w", err)
	}
	return nil
}

// fresh returns the writes of batch that are not stale.
func (s *KafkaStatus) fresh(batch []statusWrite) []statusWrite {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := batch[:0]
	for _, w := range batch {
		if w.stale == nil || !w.stale() {
			kept = append(kept, w)
			continue
		}
		if w.restamp != nil {
			if rec, ok := w.restamp(); ok {
				w.rec = rec
				kept = append(kept, w)
			}
		}
	}
	return kept
}

// statusCatchUpTimeout bounds the read to the end before a retried safe
// write.
const statusCatchUpTimeout = 5 * time.Second

// ReadToEnd returns once every status record written to the topic before
// the call has been read.
func (s *KafkaStatus) ReadToEnd(ctx context.Context) error { return s.log.ReadToEnd(ctx) }

// Flush waits until every status written so far has been sent (or
// dropped as failed or stale), or ctx ends.
func (s *KafkaStatus) Flush(ctx context.Context) error {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 && s.inflight == 0 {
			s.mu.Unlock()
			return nil
		}
		idle := s.idle
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return fmt.Errorf("flush status updates: %w", ctx.Err())
		case <-idle:
		}
	}
}

// Close waits a while for queued writes, then stops the sender and the
// log.
func (s *KafkaStatus) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), statusCloseTimeout)
	if err := s.Flush(ctx); err != nil {
		s.lg.Warn("closing status store with unsent status updates", "error", err)
	}
	cancel()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	s.cancel()
	<-s.done
	if err := s.log.Close(); err != nil {
		return fmt.Errorf("close status store: %w", err)
	}
	return nil
}

// apply applies one record of the status topic, as
// KafkaStatusBackingStore.read; malformed records are logged and skipped.
func (s *KafkaStatus) apply(r kafka.LogRecord) {
	key := string(r.Key)
	switch {
	case strings.HasPrefix(key, connectorStatusPrefix):
		s.readConnectorStatus(key, r.Value)
	case strings.HasPrefix(key, taskStatusPrefix):
		s.readTaskStatus(key, r.Value)
	case strings.HasPrefix(key, topicStatusPrefix):
		s.readTopicStatus(key, r.Value)
	default:
		s.lg.Warn("Discarding record with invalid key", "key", key)
	}
}

// parsedStatus is a decoded connector or task status value.
type parsedStatus struct {
	state      herder.State
	trace      string
	workerID   string
	generation int32
	version    string
}

// parseStatus decodes a status value as parseConnectorStatus and
// parseTaskStatus do: state must be a known state, generation an integer.
func parseStatus(value []byte) (parsedStatus, error) {
	v, err := decodeJSON(value)
	if err != nil {
		return parsedStatus{}, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return parsedStatus{}, fmt.Errorf("invalid status type %T", v)
	}
	var p parsedStatus
	st, _ := m["state"].(string)
	switch herder.State(st) {
	case herder.Unassigned, herder.Running, herder.Paused, herder.Failed, herder.Restarting, herder.Stopped:
		p.state = herder.State(st)
	default:
		return parsedStatus{}, fmt.Errorf("invalid state %v", m["state"])
	}
	switch t := m["trace"].(type) {
	case nil:
	case string:
		p.trace = t
	default:
		return parsedStatus{}, fmt.Errorf("trace is a %T, not a string", t)
	}
	switch w := m["worker_id"].(type) {
	case nil:
	case string:
		p.workerID = w
	default:
		return parsedStatus{}, fmt.Errorf("worker_id is a %T, not a string", w)
	}
	g, ok := m["generation"].(int64)
	if !ok {
		return parsedStatus{}, fmt.Errorf("generation %v is not an integer", m["generation"])
	}
	p.generation = int32(g) // Java: ((Long) generation).intValue()
	// A record of a worker older than Kafka Connect 4.1 has no version; one
	// that is not a string is ignored rather than losing the status.
	p.version, _ = m["version"].(string)
	return p, nil
}

func (s *KafkaStatus) readConnectorStatus(key string, value []byte) {
	connector := key[len(connectorStatusPrefix):]
	if connector == "" {
		s.lg.Warn("Discarding record with invalid connector status key", "key", key)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		s.removeConnector(connector)
		return
	}
	p, err := parseStatus(value)
	if err != nil {
		s.lg.Error("Failed to deserialize connector status", "key", key, "error", err)
		return
	}
	e := s.connectorEntry(connector)
	if e.supersedes(p) {
		s.lg.Debug("Ignoring stale connector status", "key", key, "worker", p.workerID, "generation", p.generation,
			"current_worker", e.workerID, "current_generation", e.generation)
		return
	}
	e.state, e.trace, e.workerID, e.generation, e.version, e.present = p.state, p.trace, p.workerID, p.generation, p.version, true
}

// supersedes reports whether the entry holds a status newer than the
// UNASSIGNED p: one another worker wrote in a later generation. A worker
// that lost the group while the brokers were away writes UNASSIGNED for
// the work it stopped once they are back, maybe after the worker the work
// moved to has reported it RUNNING; read in order, it would say the work
// runs nowhere. Kafka Connect guards task statuses only, and only against
// RUNNING (KAFKA-12525, below); sluice guards connector statuses too.
func (e *statusEntry) supersedes(p parsedStatus) bool {
	return p.state == herder.Unassigned && e.present && e.workerID != p.workerID && e.generation > p.generation
}

// parseTaskStatusKey is parseConnectorTaskId: split on '-' (Java's split
// drops trailing empty strings), at least four parts, the last one the
// task number, the ones between the prefix and it the connector name.
func parseTaskStatusKey(key string) (herder.TaskID, bool) {
	parts := strings.Split(key, "-")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) < 4 {
		return herder.TaskID{}, false
	}
	n, err := strconv.ParseInt(parts[len(parts)-1], 10, 32)
	if err != nil {
		return herder.TaskID{}, false
	}
	return herder.TaskID{Connector: strings.Join(parts[2:len(parts)-1], "-"), Task: int(n)}, true
}

func (s *KafkaStatus) readTaskStatus(key string, value []byte) {
	id, ok := parseTaskStatusKey(key)
	if !ok {
		s.lg.Warn("Discarding record with invalid task status key", "key", key)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		s.removeTask(id)
		return
	}
	p, err := parseStatus(value)
	if err != nil {
		s.lg.Warn("Failed to parse task status", "key", key, "error", err)
		return
	}
	e := s.taskEntry(id)
	// KAFKA-12525: an UNASSIGNED status of an older generation does not
	// replace a RUNNING one (readTaskStatus), nor, in sluice, one of the
	// same generation from another worker. The worker the task RUNNING is
	// from may write UNASSIGNED in the same generation: it stopped the task
	// (a clean shutdown), and the leader must see that to hand the task out
	// at once.
	if p.state == herder.Unassigned && e.present && e.state == herder.Running &&
		(e.generation > p.generation || e.generation == p.generation && e.workerID != p.workerID) || e.supersedes(p) {
		s.lg.Debug("Ignoring stale task status", "key", key, "generation", p.generation, "current_generation", e.generation)
		return
	}
	auto := e.autoRestart
	if p.state != herder.Failed || p.workerID != s.workerID || e.state != herder.Failed {
		auto = nil
	}
	e.state, e.trace, e.workerID, e.generation, e.version, e.autoRestart, e.present = p.state, p.trace, p.workerID, p.generation, p.version, auto, true
}

// parseTopicStatusKey is readTopicStatus's key parsing: the topic runs
// from the prefix to the first ':', the connector from after the separator
// to the end.
func parseTopicStatusKey(key string) (topic, connector string, ok bool) {
	delim := strings.IndexByte(key, ':')
	begin := len(topicStatusPrefix)
	if begin > delim {
		return "", "", false
	}
	topic = key[begin:delim]
	begin = delim + len(topicStatusSeparator)
	if topic == "" || begin > len(key) {
		return "", "", false
	}
	connector = key[begin:]
	return topic, connector, connector != ""
}

func (s *KafkaStatus) readTopicStatus(key string, value []byte) {
	topic, connector, ok := parseTopicStatusKey(key)
	if !ok {
		s.lg.Warn("Discarding record with invalid topic status key", "key", key)
		return
	}
	if value == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if t := s.topics[connector]; t != nil {
			delete(t, topic)
			if len(t) == 0 {
				delete(s.topics, connector)
			}
		}
		return
	}
	ts, err := parseTopicStatus(value)
	if err != nil {
		s.lg.Warn("Failed to parse topic status", "key", key, "error", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setTopic(connector, topic, ts)
}

// parseTopicStatus decodes {"topic":{"name":…,"connector":…,"task":…,
// "discoverTimestamp":…}} as parseTopicStatus does.
func parseTopicStatus(value []byte) (topicStatus, error) {
	v, err := decodeJSON(value)
	if err != nil {
		return topicStatus{}, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return topicStatus{}, fmt.Errorf("invalid topic status value %s", value)
	}
	inner, ok := m["topic"].(map[string]any)
	if !ok {
		return topicStatus{}, fmt.Errorf("invalid topic status value %v for field topic", m["topic"])
	}
	task, ok1 := inner["task"].(int64)
	ts, ok2 := inner["discoverTimestamp"].(int64)
	if !ok1 || !ok2 {
		return topicStatus{}, fmt.Errorf("invalid topic status value %s: task and discoverTimestamp must be integers", value)
	}
	return topicStatus{task: int(int32(task)), discovery: ts}, nil
}

var _ StatusStore = (*KafkaStatus)(nil)
