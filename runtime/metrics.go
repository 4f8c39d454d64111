package runtime

import (
	"sort"
	"sync/atomic"
	"time"

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
		out = append(out, TaskSnapshot{ID: id, Sink: m.sink.Load(), State: t.state.state(), Metrics: m})
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
