package runtime

import (
	"sort"
	"sync"
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
