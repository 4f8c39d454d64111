package storage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// readWriteTimeout bounds every write to the config topic together with
// the reads to its end that go with it (Java's READ_WRITE_TOTAL_TIMEOUT_MS).
const readWriteTimeout = 30 * time.Second

// SessionKey is the KIP-507 key the leader distributes in the config topic.
type SessionKey struct {
	Key       []byte
	Algorithm string
	Created   time.Time
}

// RestartRequest is a KIP-745 restart request record.
type RestartRequest struct {
	Connector                string
	OnlyFailed, IncludeTasks bool
}

// ConfigSnapshot is a copy of what the config topic says (Java's ClusterConfigState).
type ConfigSnapshot struct {
	// Offset is the offset of the next record after the last one read
	// (Java: record.offset()+1), -1 if none was read.
	Offset     int64
	SessionKey *SessionKey
	// Configs maps connector name to its raw config (provider variables
	// unresolved).
	Configs map[string]map[string]string
	// Targets holds a target state for every connector in Configs (default
	// STARTED); like Java it may also hold states written ahead of a
	// connector's config (KIP-980) or not yet tombstoned.
	Targets map[string]herder.TargetState
	// TaskConfigs holds the committed task configs, index = task number.
	// Connectors marked Inconsistent have none (Java's tasks() is empty).
	TaskConfigs map[string][]map[string]string
	// Inconsistent marks connectors whose last commit was inconsistent:
	// their connector must regenerate its task configs.
	Inconsistent map[string]bool
	// AppliedConfigs holds, per connector, its raw config as it was when
	// its last consistent task commit was read (Java's
	// appliedConnectorConfig): a connector whose config changed since
	// needs new task configs even when it generates equal ones, so that
	// its tasks restart with the new config.
	AppliedConfigs map[string]map[string]string
	// TaskGenerations is bumped on every applied commit of a connector
	// (0 for the first).
	TaskGenerations map[string]int
	// TaskCountRecords holds the tasks-fencing-<name> records (KIP-618).
	TaskCountRecords map[string]int
	// PendingFencing marks connectors whose task configs were committed
	// after their latest task count record.
	PendingFencing map[string]bool
}

// Connectors returns the connector names, sorted.
func (s ConfigSnapshot) Connectors() []string {
	return slices.Sorted(maps.Keys(s.Configs))
}

// Contains reports whether the connector has a config.
func (s ConfigSnapshot) Contains(name string) bool {
	_, ok := s.Configs[name]
	return ok
}

// TaskCount returns the number of committed tasks of a connector (0 for an
// inconsistent or unknown one).
func (s ConfigSnapshot) TaskCount(name string) int {
	return len(s.TaskConfigs[name])
}

// ConfigListener receives changes read from the topic after Start returned; nil funcs are skipped. Called from the log's goroutine: must not block.
type ConfigListener struct {
	// ConnectorUpdated is called when a connector is created or changed.
	ConnectorUpdated func(name string)
	// ConnectorRemoved is called when a connector's config is tombstoned.
	ConnectorRemoved func(name string)
	// TasksUpdated is called for every commit record of an existing
	// connector, with the tasks it applied (none when inconsistent).
	TasksUpdated func(tasks []herder.TaskID)
	// TargetChanged is called when an existing connector's target state
	// changes (not on its removal).
	TargetChanged func(name string)
	// SessionKeyUpdated is called for every valid session key record.
	SessionKeyUpdated func(SessionKey)
	// RestartRequested is called only for records read after Start.
	RestartRequested func(RestartRequest)
	// LoggerLevel is called for logger-cluster-<ns> records read after Start.
	LoggerLevel func(namespace, level string)
}

// KafkaConfigs is the config store of distributed mode: Kafka Connect's
// KafkaConfigBackingStore over a single-partition compacted topic. It is
// safe for concurrent use; as in Kafka Connect, one worker (the leader)
// writes at a time, except target states and logger levels.
type KafkaConfigs struct {
	log      TopicLog
	listener ConfigListener
	logger   *slog.Logger
	started  atomic.Bool

	mu           sync.Mutex
	offset       int64
	sessionKey   *SessionKey
	configs      map[string]map[string]string
	targets      map[string]herder.TargetState
	taskConfigs  map[herder.TaskID]map[string]string
	taskCounts   map[string]int
	deferred     map[string]map[int]map[string]string
	inconsistent map[string]bool
	applied      map[string]map[string]string
	generations  map[string]int
	countRecords map[string]int
	pending      map[string]bool
}

// NewKafkaConfigs opens the config topic's log through open, which must
// hand every record read to the apply func it is given.
func NewKafkaConfigs(open func(apply func(kafka.LogRecord)) (TopicLog, error), listener ConfigListener, log *slog.Logger) (*KafkaConfigs, error) {
	if log == nil {
		log = slog.Default()
	}
	c := &KafkaConfigs{
		listener:     listener,
		logger:       log,
		offset:       -1,
		configs:      map[string]map[string]string{},
		targets:      map[string]herder.TargetState{},
		taskConfigs:  map[herder.TaskID]map[string]string{},
		taskCounts:   map[string]int{},
		deferred:     map[string]map[int]map[string]string{},
		inconsistent: map[string]bool{},
		applied:      map[string]map[string]string{},
		generations:  map[string]int{},
		countRecords: map[string]int{},
		pending:      map[string]bool{},
	}
	l, err := open(c.apply)
	if err != nil {
		return nil, fmt.Errorf("open the config topic: %w", err)
	}
	c.log = l
	return c, nil
}

// Start reads the config topic to its end; the listener is called only for
// records read after that.
func (c *KafkaConfigs) Start(ctx context.Context) error {
	c.logger.Info("starting the config store")
	if err := c.log.Start(ctx); err != nil {
		return fmt.Errorf("read the config topic to its end: %w", err)
	}
	c.started.Store(true)
	c.logger.Info("started the config store")
	return nil
}

// ReadToEnd returns once every record written before the call has been
// applied.
func (c *KafkaConfigs) ReadToEnd(ctx context.Context) error {
	if err := c.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("read the config topic to its end: %w", err)
	}
	return nil
}

// Close stops reading the config topic.
func (c *KafkaConfigs) Close() error {
	if err := c.log.Close(); err != nil {
		return fmt.Errorf("close the config topic: %w", err)
	}
	return nil
}

// Snapshot returns a deep copy of the current state.
func (c *KafkaConfigs) Snapshot() ConfigSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := ConfigSnapshot{
		Offset:           c.offset,
		Configs:          make(map[string]map[string]string, len(c.configs)),
		Targets:          maps.Clone(c.targets),
		TaskConfigs:      make(map[string][]map[string]string, len(c.taskCounts)),
		Inconsistent:     maps.Clone(c.inconsistent),
		AppliedConfigs:   make(map[string]map[string]string, len(c.applied)),
		TaskGenerations:  maps.Clone(c.generations),
		TaskCountRecords: maps.Clone(c.countRecords),
		PendingFencing:   maps.Clone(c.pending),
	}
	if c.sessionKey != nil {
		k := *c.sessionKey
		k.Key = slices.Clone(k.Key)
		s.SessionKey = &k
	}
	for name, cfg := range c.configs {
		s.Configs[name] = maps.Clone(cfg)
	}
	for name, cfg := range c.applied {
		s.AppliedConfigs[name] = maps.Clone(cfg)
	}
	for name, n := range c.taskCounts {
		if c.inconsistent[name] {
			continue
		}
		tasks := make([]map[string]string, n)
		for i := range tasks {
			tasks[i] = maps.Clone(c.taskConfigs[herder.TaskID{Connector: name, Task: i}])
			if tasks[i] == nil {
				tasks[i] = map[string]string{}
			}
		}
		s.TaskConfigs[name] = tasks
	}
	return s
}

// PutConnectorConfig writes a connector's config and waits until it has been
// read back. initial "" writes no target state; otherwise a target-state
// record goes first in the same send (KIP-980).
func (c *KafkaConfigs) PutConnectorConfig(ctx context.Context, name string, cfg map[string]string, initial herder.TargetState) error {
	ctx, cancel := context.WithTimeout(ctx, readWriteTimeout)
	defer cancel()
	var recs []kafka.LogRecord
	if initial != "" {
		if err := checkTarget(name, initial); err != nil {
			return err
		}
		recs = append(recs, kafka.LogRecord{Key: []byte(targetStatePrefix + name), Value: encodeTargetState(initial)})
	}
	recs = append(recs, kafka.LogRecord{Key: []byte(connectorPrefix + name), Value: encodeProperties(cfg)})
	if err := c.send(ctx, recs...); err != nil {
		return fmt.Errorf("write the config of connector %q to the config topic: %w", name, err)
	}
	if err := c.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("read back the config of connector %q from the config topic: %w", name, err)
	}
	return nil
}

// RemoveConnectorConfig tombstones a connector's config and target state and
// waits until they have been read back. Task records are never tombstoned.
func (c *KafkaConfigs) RemoveConnectorConfig(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, readWriteTimeout)
	defer cancel()
	err := c.send(ctx,
		kafka.LogRecord{Key: []byte(connectorPrefix + name)},
		kafka.LogRecord{Key: []byte(targetStatePrefix + name)})
	if err != nil {
		return fmt.Errorf("remove connector %q from the config topic: %w", name, err)
	}
	if err := c.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("read back the removal of connector %q from the config topic: %w", name, err)
	}
	return nil
}

// PutTaskConfigs writes a connector's task configs and their commit record
// in Java's order: read to end; the task- records; read to end; commit-;
// read to end, all within 30 s.
func (c *KafkaConfigs) PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string) error {
	ctx, cancel := context.WithTimeout(ctx, readWriteTimeout)
	defer cancel()
	if err := c.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("read the config topic to its end before writing the task configs of connector %q: %w", name, err)
	}
	if len(tasks) > 0 {
		recs := make([]kafka.LogRecord, len(tasks))
		for i, t := range tasks {
			recs[i] = kafka.LogRecord{Key: []byte(taskKey(herder.TaskID{Connector: name, Task: i})), Value: encodeProperties(t)}
		}
		if err := c.send(ctx, recs...); err != nil {
			return fmt.Errorf("write the task configs of connector %q to the config topic: %w", name, err)
		}
		if err := c.log.ReadToEnd(ctx); err != nil {
			return fmt.Errorf("read back the task configs of connector %q from the config topic: %w", name, err)
		}
	}
	if err := c.send(ctx, kafka.LogRecord{Key: []byte(commitTasksPrefix + name), Value: encodeCommit(len(tasks))}); err != nil {
		return fmt.Errorf("write the task commit of connector %q to the config topic: %w", name, err)
	}
	if err := c.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("read back the task commit of connector %q from the config topic: %w", name, err)
	}
	return nil
}

// PutTargetState writes a connector's target state (STOPPED as state PAUSED
// plus state.v2 STOPPED) and returns once Kafka acknowledged it, without
// reading it back, as Java does.
func (c *KafkaConfigs) PutTargetState(ctx context.Context, name string, target herder.TargetState) error {
	if err := checkTarget(name, target); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, readWriteTimeout)
	defer cancel()
	if err := c.send(ctx, kafka.LogRecord{Key: []byte(targetStatePrefix + name), Value: encodeTargetState(target)}); err != nil {
		return fmt.Errorf("write target state %s of connector %q to the config topic: %w", target, name, err)
	}
	return nil
}

// PutSessionKey writes the session key and waits until it has been read back.
func (c *KafkaConfigs) PutSessionKey(ctx context.Context, key SessionKey) error {
	if len(key.Key) == 0 || key.Algorithm == "" {
		return fmt.Errorf("write session key: want a non-empty key and algorithm, got %d bytes and algorithm %q", len(key.Key), key.Algorithm)
	}
	return c.sendAndRead(ctx, "the session key", kafka.LogRecord{Key: []byte(sessionKeyKey), Value: encodeSessionKey(key)})
}

// PutRestartRequest writes a restart request and waits until it has been
// read back.
func (c *KafkaConfigs) PutRestartRequest(ctx context.Context, req RestartRequest) error {
	return c.sendAndRead(ctx, fmt.Sprintf("a restart request for connector %q", req.Connector),
		kafka.LogRecord{Key: []byte(restartPrefix + req.Connector), Value: encodeRestart(req)})
}

// PutTaskCountRecord writes a connector's task count record (KIP-618) and
// waits until it has been read back.
func (c *KafkaConfigs) PutTaskCountRecord(ctx context.Context, name string, count int) error {
	if count < 0 || count > 1<<31-1 {
		return fmt.Errorf("write the task count record of connector %q: want a count between 0 and 2147483647, got %d", name, count)
	}
	return c.sendAndRead(ctx, fmt.Sprintf("the task count record of connector %q", name),
		kafka.LogRecord{Key: []byte(taskCountPrefix + name), Value: encodeTaskCount(count)})
}

// PutLoggerLevel writes a cluster-wide logger level (KIP-976) and returns
// once Kafka acknowledged it.
func (c *KafkaConfigs) PutLoggerLevel(ctx context.Context, namespace, level string) error {
	ctx, cancel := context.WithTimeout(ctx, readWriteTimeout)
	defer cancel()
	if err := c.send(ctx, kafka.LogRecord{Key: []byte(loggerClusterPrefix + namespace), Value: encodeLoggerLevel(level)}); err != nil {
		return fmt.Errorf("write level %s of logger %q to the config topic: %w", level, namespace, err)
	}
	return nil
}

// send writes records, retrying what fails with a retriable error (the
// brokers unreachable, a leader moving) until ctx ends: Kafka Connect's
// config producer retries for as long as its send may take
// (READ_WRITE_TOTAL_TIMEOUT_MS, readWriteTimeout here).
func (c *KafkaConfigs) send(ctx context.Context, recs ...kafka.LogRecord) error {
	rl := &kafka.RetryLog{Log: c.logger, What: "writing to the config topic", Quiet: 2 * time.Second}
	return kafka.Retry(ctx, nil, rl, nil, func() error { return c.log.Send(ctx, recs...) })
}

func (c *KafkaConfigs) sendAndRead(ctx context.Context, what string, rec kafka.LogRecord) error {
	ctx, cancel := context.WithTimeout(ctx, readWriteTimeout)
	defer cancel()
	if err := c.send(ctx, rec); err != nil {
		return fmt.Errorf("write %s to the config topic: %w", what, err)
	}
	if err := c.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("read back %s from the config topic: %w", what, err)
	}
	return nil
}

func checkTarget(name string, t herder.TargetState) error {
	switch t {
	case herder.TargetStarted, herder.TargetPaused, herder.TargetStopped:
		return nil
	}
	return fmt.Errorf("target state %q of connector %q: want STARTED, PAUSED or STOPPED", t, name)
}

// apply processes one record read from the topic (Java's ConsumeCallback).
// State changes happen under the lock; the listener is called after it is
// released.
func (c *KafkaConfigs) apply(rec kafka.LogRecord) {
	key := string(rec.Key)
	value, err := decodeValue(rec.Value)
	if err != nil {
		// Java logs and returns before moving its offset.
		c.logger.Error("ignoring a config topic record that is not JSON", "key", key, "offset", rec.Offset, "error", err)
		return
	}
	c.mu.Lock()
	c.offset = rec.Offset + 1
	notify := c.process(key, value)
	c.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// process dispatches on the key prefix in Java's order and returns the
// listener call to make, if any. c.mu is held.
func (c *KafkaConfigs) process(key string, value any) func() {
	switch {
	case strings.HasPrefix(key, targetStatePrefix):
		return c.processTargetState(key[len(targetStatePrefix):], value)
	case strings.HasPrefix(key, connectorPrefix):
		return c.processConnectorConfig(key[len(connectorPrefix):], value)
	case strings.HasPrefix(key, taskPrefix):
		id, ok := parseTaskKey(key)
		if !ok {
			c.logger.Error("ignoring task configuration: key is not task-<connector>-<number>", "key", key)
			return nil
		}
		c.processTaskConfig(id, value)
		return nil
	case strings.HasPrefix(key, commitTasksPrefix):
		return c.processCommit(key[len(commitTasksPrefix):], value)
	case strings.HasPrefix(key, restartPrefix):
		return c.processRestart(key[len(restartPrefix):], value)
	case strings.HasPrefix(key, taskCountPrefix):
		c.processTaskCount(key[len(taskCountPrefix):], value)
		return nil
	case key == sessionKeyKey:
		return c.processSessionKey(value)
	case strings.HasPrefix(key, loggerClusterPrefix):
		return c.processLoggerLevel(key[len(loggerClusterPrefix):], value)
	}
	c.logger.Error("discarding config topic record with an unknown key", "key", key)
	return nil
}

func (c *KafkaConfigs) processTargetState(name string, value any) func() {
	if value == nil {
		// Written with the connector's tombstone; no listener call: the
		// connector's removal notifies. A connector still configured keeps
		// a valid state.
		delete(c.targets, name)
		if _, ok := c.configs[name]; ok {
			c.targets[name] = herder.TargetStarted
		}
		return nil
	}
	m, ok := value.(map[string]any)
	if !ok {
		c.logger.Error("ignoring target state: value is not an object", "connector", name, "type", jsonType(value))
		return nil
	}
	raw := m["state.v2"]
	if _, isString := raw.(string); raw != nil && !isString {
		c.logger.Error("invalid target state: field state.v2 should be a string", "connector", name, "type", jsonType(raw))
		raw = nil
	}
	if raw == nil {
		// Written by a worker older than KIP-875.
		raw = m["state"]
		if _, isString := raw.(string); !isString {
			c.logger.Error("ignoring target state: field state should be a string", "connector", name, "type", jsonType(raw))
			return nil
		}
	}
	state := herder.TargetState(raw.(string))
	if checkTarget(name, state) != nil {
		c.logger.Error("ignoring target state: want STARTED, PAUSED or STOPPED", "connector", name, "state", string(state))
		return nil
	}
	prev, had := c.targets[name]
	c.targets[name] = state
	_, exists := c.configs[name]
	if c.started.Load() && (!had || prev != state) && exists && c.listener.TargetChanged != nil {
		f := c.listener.TargetChanged
		return func() { f(name) }
	}
	return nil
}

func (c *KafkaConfigs) processConnectorConfig(name string, value any) func() {
	if value == nil {
		c.removeConnector(name)
		c.logger.Info("processed the removal of a connector", "connector", name)
		if c.started.Load() && c.listener.ConnectorRemoved != nil {
			f := c.listener.ConnectorRemoved
			return func() { f(name) }
		}
		return nil
	}
	props, ok := c.properties(value, "connector", name)
	if !ok {
		return nil
	}
	c.configs[name] = props
	// Connectors created by Kafka Connect 0.9 have no target state record.
	if _, ok := c.targets[name]; !ok {
		c.targets[name] = herder.TargetStarted
	}
	if c.started.Load() && c.listener.ConnectorUpdated != nil {
		f := c.listener.ConnectorUpdated
		return func() { f(name) }
	}
	return nil
}

// properties extracts {"properties":{...}} from a connector or task record.
func (c *KafkaConfigs) properties(value any, kind, name string) (map[string]string, bool) {
	m, ok := value.(map[string]any)
	if !ok {
		c.logger.Error("ignoring "+kind+" configuration: value is not an object", kind, name, "type", jsonType(value))
		return nil, false
	}
	props, ok := m["properties"].(map[string]any)
	if !ok {
		c.logger.Error("ignoring "+kind+" configuration: field properties should be an object", kind, name, "type", jsonType(m["properties"]))
		return nil, false
	}
	return propertiesOf(props), true
}

// removeConnector is Java's processConnectorRemoval.
func (c *KafkaConfigs) removeConnector(name string) {
	delete(c.configs, name)
	delete(c.taskCounts, name)
	for id := range c.taskConfigs {
		if id.Connector == name {
			delete(c.taskConfigs, id)
		}
	}
	delete(c.deferred, name)
	delete(c.applied, name)
}

func (c *KafkaConfigs) processTaskConfig(id herder.TaskID, value any) {
	if value == nil {
		c.logger.Error("ignoring task configuration: value is unexpectedly null", "task", id.String())
		return
	}
	props, ok := c.properties(value, "task", id.String())
	if !ok {
		return
	}
	d := c.deferred[id.Connector]
	if d == nil {
		d = map[int]map[string]string{}
		c.deferred[id.Connector] = d
	}
	// Buffered until a commit record applies it.
	d[id.Task] = props
}

func (c *KafkaConfigs) processCommit(name string, value any) func() {
	if _, ok := c.configs[name]; !ok {
		// The connector was deleted and compaction removed both its config
		// and its tombstone: these task configs are orphans.
		c.removeConnector(name)
		c.logger.Debug("ignoring task commit of a connector that has no config", "connector", name)
		return nil
	}
	m, ok := value.(map[string]any)
	if !ok {
		c.logger.Error("ignoring task commit: value is not an object", "connector", name, "type", jsonType(value))
		return nil
	}
	count, err := intValue(m["tasks"])
	if err != nil || count < 0 {
		c.logger.Error("ignoring task commit: field tasks should be a non-negative integer", "connector", name, "tasks", fmt.Sprint(m["tasks"]), "error", err)
		return nil
	}
	deferred := c.deferred[name]
	var updated []herder.TaskID
	if !complete(deferred, count) {
		// Only compacted history gets here: the set cannot be used until
		// the connector regenerates its task configs.
		c.logger.Debug("incomplete set of task configs, probably due to compaction", "connector", name, "tasks", count)
		c.inconsistent[name] = true
	} else {
		if deferred != nil {
			for n, props := range deferred {
				id := herder.TaskID{Connector: name, Task: n}
				c.taskConfigs[id] = props
				updated = append(updated, id)
			}
			sort.Slice(updated, func(i, j int) bool { return updated[i].Task < updated[j].Task })
			if g, ok := c.generations[name]; ok {
				c.generations[name] = g + 1
			} else {
				c.generations[name] = 0
			}
		}
		delete(c.inconsistent, name)
		c.applied[name] = maps.Clone(c.configs[name])
	}
	// Always cleared: after an inconsistent commit only a fresh set helps.
	delete(c.deferred, name)
	c.taskCounts[name] = count
	// Task configs newer than the latest task count record need a round of
	// zombie fencing (KIP-618).
	c.pending[name] = true
	if c.started.Load() && c.listener.TasksUpdated != nil {
		f := c.listener.TasksUpdated
		if updated == nil {
			updated = []herder.TaskID{}
		}
		return func() { f(updated) }
	}
	return nil
}

// complete reports whether the buffered task ids include 0..count-1
// (extras are tolerated: compaction can leave them behind).
func complete(deferred map[int]map[string]string, count int) bool {
	if len(deferred) < count {
		return false
	}
	for i := range count {
		if _, ok := deferred[i]; !ok {
			return false
		}
	}
	return true
}

func (c *KafkaConfigs) processRestart(name string, value any) func() {
	m, ok := value.(map[string]any)
	if !ok {
		c.logger.Error("ignoring restart request: value is not an object", "connector", name, "type", jsonType(value))
		return nil
	}
	req := RestartRequest{Connector: name}
	if v, ok := m["only-failed"].(bool); ok {
		req.OnlyFailed = v
	} else {
		c.logger.Warn("invalid restart request: field only-failed should be a boolean, defaulting to false", "connector", name, "type", jsonType(m["only-failed"]))
	}
	if v, ok := m["include-tasks"].(bool); ok {
		req.IncludeTasks = v
	} else {
		c.logger.Warn("invalid restart request: field include-tasks should be a boolean, defaulting to false", "connector", name, "type", jsonType(m["include-tasks"]))
	}
	// Requests read while starting up are history, not requests.
	if c.started.Load() && c.listener.RestartRequested != nil {
		f := c.listener.RestartRequested
		return func() { f(req) }
	}
	return nil
}

func (c *KafkaConfigs) processTaskCount(name string, value any) {
	m, ok := value.(map[string]any)
	if !ok {
		c.logger.Error("ignoring task count record: value is not an object", "connector", name, "type", jsonType(value))
		return
	}
	count, err := intValue(m["task-count"])
	if err != nil {
		c.logger.Error("ignoring task count record: field task-count should be an integer", "connector", name, "error", err)
		return
	}
	c.countRecords[name] = count
	// The latest task configs need no more fencing.
	delete(c.pending, name)
}

func (c *KafkaConfigs) processSessionKey(value any) func() {
	if value == nil {
		c.logger.Error("ignoring session key: value is unexpectedly null")
		return nil
	}
	m, ok := value.(map[string]any)
	if !ok {
		c.logger.Error("ignoring session key: value is not an object", "type", jsonType(value))
		return nil
	}
	encoded, ok := m["key"].(string)
	if !ok {
		c.logger.Error("ignoring session key: field key should be a string", "type", jsonType(m["key"]))
		return nil
	}
	// Java's basic decoder: padding optional.
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		if key, err = base64.RawStdEncoding.DecodeString(encoded); err != nil {
			c.logger.Error("ignoring session key: field key is not base64", "error", err)
			return nil
		}
	}
	algorithm, ok := m["algorithm"].(string)
	if !ok {
		c.logger.Error("ignoring session key: field algorithm should be a string", "type", jsonType(m["algorithm"]))
		return nil
	}
	ts, ok := m["creation-timestamp"].(json.Number)
	var ms int64
	if ok && isIntegral(ts) {
		ms, err = javaLong(ts)
		ok = err == nil
	} else {
		ok = false
	}
	if !ok {
		c.logger.Error("ignoring session key: field creation-timestamp should be an integer", "type", jsonType(m["creation-timestamp"]))
		return nil
	}
	k := SessionKey{Key: key, Algorithm: algorithm, Created: time.UnixMilli(ms)}
	c.sessionKey = &k
	if c.started.Load() && c.listener.SessionKeyUpdated != nil {
		f := c.listener.SessionKeyUpdated
		cp := k
		cp.Key = slices.Clone(k.Key)
		return func() { f(cp) }
	}
	return nil
}

func (c *KafkaConfigs) processLoggerLevel(namespace string, value any) func() {
	if value == nil {
		c.logger.Error("ignoring logger level: value is unexpectedly null", "namespace", namespace)
		return nil
	}
	m, ok := value.(map[string]any)
	if !ok {
		c.logger.Error("ignoring logger level: value is not an object", "namespace", namespace, "type", jsonType(value))
		return nil
	}
	level, ok := m["level"].(string)
	if !ok {
		c.logger.Error("ignoring logger level: field level should be a string", "namespace", namespace, "type", jsonType(m["level"]))
		return nil
	}
	if !c.started.Load() {
		// Levels from before this worker started were applied by the
		// workers running then.
		return nil
	}
	if f := c.listener.LoggerLevel; f != nil {
		return func() { f(namespace, level) }
	}
	return nil
}
