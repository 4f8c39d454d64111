package connectortest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
)

// logger returns a logger that writes through t.Log, so a connector's log
// lines appear with the sub-test that made them (and only when it fails or
// runs with -v).
func logger(t *testing.T, name string) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})).With("logger", name)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// ConnectorContext is the connectors.ConnectorContext the suite gives a
// connector: it records the connector's requests.
type ConnectorContext struct {
	log *slog.Logger

	mu        sync.Mutex
	reconfigs int
	raised    []error
}

// NewConnectorContext returns a context whose logger writes to t.Log.
func NewConnectorContext(t *testing.T) *ConnectorContext {
	return &ConnectorContext{log: logger(t, "connector")}
}

// RequestTaskReconfiguration implements connectors.ConnectorContext.
func (c *ConnectorContext) RequestTaskReconfiguration() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reconfigs++
}

// RaiseError implements connectors.ConnectorContext.
func (c *ConnectorContext) RaiseError(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.raised = append(c.raised, err)
}

// Logger implements connectors.ConnectorContext.
func (c *ConnectorContext) Logger() *slog.Logger { return c.log }

// Reconfigurations returns how many times the connector asked for new
// task configurations.
func (c *ConnectorContext) Reconfigurations() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reconfigs
}

// Raised returns the errors the connector raised.
func (c *ConnectorContext) Raised() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.raised)
}

// Offsets is an in-memory source offset store: what the suite commits for a
// source task, read back by the next task through SourceTaskContext. It
// stores offsets as a worker's offset store gives them back after a
// restart (see Normalize), compares partitions by content, and is safe for
// concurrent use.
type Offsets struct {
	mu   sync.Mutex
	data map[string]map[string]any // partition JSON → offset
}

// NewOffsets returns an empty store.
func NewOffsets() *Offsets { return &Offsets{data: map[string]map[string]any{}} }

// Commit stores offset as partition's committed offset, normalised. It
// fails when either is not JSON-safe.
func (o *Offsets) Commit(partition, offset map[string]any) error {
	key, err := partitionKey(partition)
	if err != nil {
		return err
	}
	n, err := Normalize(offset)
	if err != nil {
		return fmt.Errorf("source offset %v: %w", offset, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.data[key] = n
	return nil
}

// Offset implements connectors.OffsetReader.
func (o *Offsets) Offset(_ context.Context, partition map[string]any) (map[string]any, error) {
	key, err := partitionKey(partition)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	off, ok := o.data[key]
	if !ok {
		return nil, nil
	}
	// A copy: a task may change the map it is given.
	n, err := Normalize(off)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Len returns how many partitions have an offset.
func (o *Offsets) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.data)
}

func partitionKey(partition map[string]any) (string, error) {
	if err := checkJSONSafe(partition); err != nil {
		return "", fmt.Errorf("source partition %v: %w", partition, err)
	}
	b, err := json.Marshal(partition)
	if err != nil {
		return "", fmt.Errorf("source partition %v is not JSON: %w", partition, err)
	}
	return string(b), nil
}

// SourceTaskContext is the connectors.SourceTaskContext the suite gives a
// source task.
type SourceTaskContext struct {
	offsets *Offsets
	log     *slog.Logger
}

// NewSourceTaskContext returns a context reading offsets from offsets, with
// a logger writing to t.Log.
func NewSourceTaskContext(t *testing.T, offsets *Offsets) *SourceTaskContext {
	return &SourceTaskContext{offsets: offsets, log: logger(t, "task")}
}

// Offsets implements connectors.SourceTaskContext.
func (c *SourceTaskContext) Offsets() connectors.OffsetReader { return c.offsets }

// Logger implements connectors.SourceTaskContext.
func (c *SourceTaskContext) Logger() *slog.Logger { return c.log }

// SinkTaskContext is the connectors.SinkTaskContext the suite gives a sink
// task: it records what the task asks for. Assignment is what the suite
// opened and did not close.
type SinkTaskContext struct {
	log      *slog.Logger
	reporter *ErrantRecordReporter

	mu         sync.Mutex
	assigned   []connectors.TopicPartition
	paused     map[connectors.TopicPartition]bool
	offsets    map[connectors.TopicPartition]int64
	timeout    time.Duration
	commitReqs int
}

// NewSinkTaskContext returns a context with a logger writing to t.Log and
// an ErrantRecordReporter that records reports and fails them, as
// errors.tolerance=none does.
func NewSinkTaskContext(t *testing.T) *SinkTaskContext {
	return &SinkTaskContext{
		log:      logger(t, "task"),
		reporter: &ErrantRecordReporter{},
		paused:   map[connectors.TopicPartition]bool{},
		offsets:  map[connectors.TopicPartition]int64{},
	}
}

// Offset implements connectors.SinkTaskContext.
func (c *SinkTaskContext) Offset(tp connectors.TopicPartition, offset int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offsets[tp] = offset
}

// Timeout implements connectors.SinkTaskContext.
func (c *SinkTaskContext) Timeout(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timeout = d
}

// Assignment implements connectors.SinkTaskContext.
func (c *SinkTaskContext) Assignment() []connectors.TopicPartition {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.assigned)
}

// Pause implements connectors.SinkTaskContext.
func (c *SinkTaskContext) Pause(tps ...connectors.TopicPartition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tp := range tps {
		c.paused[tp] = true
	}
}

// Resume implements connectors.SinkTaskContext.
func (c *SinkTaskContext) Resume(tps ...connectors.TopicPartition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tp := range tps {
		delete(c.paused, tp)
	}
}

// RequestCommit implements connectors.SinkTaskContext.
func (c *SinkTaskContext) RequestCommit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commitReqs++
}

// ErrantRecordReporter implements connectors.SinkTaskContext.
func (c *SinkTaskContext) ErrantRecordReporter() connectors.ErrantRecordReporter {
	return c.reporter
}

// Logger implements connectors.SinkTaskContext.
func (c *SinkTaskContext) Logger() *slog.Logger { return c.log }

// Paused returns the partitions the task paused and did not resume.
func (c *SinkTaskContext) Paused() []connectors.TopicPartition {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []connectors.TopicPartition
	for tp := range c.paused {
		out = append(out, tp)
	}
	return out
}

// Rewinds returns the offsets the task asked to rewind or skip to.
func (c *SinkTaskContext) Rewinds() map[connectors.TopicPartition]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[connectors.TopicPartition]int64, len(c.offsets))
	for tp, o := range c.offsets {
		out[tp] = o
	}
	return out
}

// RetryTimeout returns what the task last passed to Timeout, 0 if nothing.
func (c *SinkTaskContext) RetryTimeout() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.timeout
}

// CommitRequests returns how many times the task called RequestCommit.
func (c *SinkTaskContext) CommitRequests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commitReqs
}

// Reported returns the records the task reported as errant.
func (c *SinkTaskContext) Reported() []Report { return c.reporter.Reports() }

func (c *SinkTaskContext) open(tps []connectors.TopicPartition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tp := range tps {
		if !slices.Contains(c.assigned, tp) {
			c.assigned = append(c.assigned, tp)
		}
	}
}

func (c *SinkTaskContext) close(tps []connectors.TopicPartition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.assigned = slices.DeleteFunc(c.assigned, func(tp connectors.TopicPartition) bool { return slices.Contains(tps, tp) })
}

// Report is one record a sink task reported as errant.
type Report struct {
	Record connectors.SinkRecord
	Err    error
}

// ErrantRecordReporter records what a sink task reports and answers as
// errors.tolerance=none does: with an error the task should return.
type ErrantRecordReporter struct {
	mu      sync.Mutex
	reports []Report
}

// Report implements connectors.ErrantRecordReporter.
func (r *ErrantRecordReporter) Report(rec *connectors.SinkRecord, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, Report{Record: *rec, Err: err})
	return fmt.Errorf("tolerance exceeded in the sink task: %w", err)
}

// Reports returns what was reported.
func (r *ErrantRecordReporter) Reports() []Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reports)
}
