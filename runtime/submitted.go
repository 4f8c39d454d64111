package runtime

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/runtime/storage"
)

// submitted tracks the source records a task has handed to the producer, per
// source partition and in order, so that an offset becomes committable only
// once every earlier record of its partition was acknowledged by Kafka
// (data-integrity rule 1), as Kafka Connect's SubmittedRecords does. Unlike
// Kafka Connect it folds the acknowledged prefix of a partition into one
// committable offset as acks arrive, so memory holds only records in flight,
// not every record since the last offset flush.
type submitted struct {
	mu    sync.Mutex
	parts map[string]*partitionQueue
	// lastPtr/lastKey cache the key of the most recent partition map: tasks
	// usually reuse one map for a partition, which spares a JSON encoding
	// per record. The map is kept alive by the newest record of its queue,
	// and the cache is dropped when that queue is removed.
	lastPtr uintptr
	lastKey string
	// nopart queues the records without a source partition: they have no
	// offset to commit, but delivery.timeout.ms applies to them too.
	nopart partitionQueue
	// pending counts records submitted and not yet acked or failed.
	pending int
	drained *sync.Cond
}

type partitionQueue struct {
	partition map[string]any
	recs      []*submittedRecord // records in flight, oldest first, from head
	head      int
	// next is the offset of the newest record of the acked prefix, not yet
	// taken by committable; nil when there is none.
	next map[string]any
}

// submittedRecord is one record in flight; it rides along as the sarama
// message's Metadata.
type submittedRecord struct {
	offset map[string]any
	rec    *connectors.SourceRecord // kept only for a RecordCommitter
	queue  *partitionQueue
	acked  bool
	topic  string    // for delivery timeout messages
	at     time.Time // when it was handed to the producer
}

func newSubmitted() *submitted {
	s := &submitted{parts: map[string]*partitionQueue{}}
	s.drained = sync.NewCond(&s.mu)
	return s
}

// add registers a record about to be sent to topic; keep says whether the
// record itself is needed after the ack (for CommitRecord).
func (s *submitted) add(rec *connectors.SourceRecord, topic string, keep bool) (*submittedRecord, error) {
	if err := storage.CheckSourceOffset(rec.SourceOffset); err != nil {
		return nil, fmt.Errorf("source offset: %w", err)
	}
	sr := &submittedRecord{offset: rec.SourceOffset, topic: topic, at: time.Now()}
	if keep {
		sr.rec = rec
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec.SourcePartition == nil {
		// Not an offset (next stays nil), only a place in the queue.
		sr.offset = nil
		s.nopart.recs = append(s.nopart.recs, sr)
		sr.queue = &s.nopart
		s.pending++
		return sr, nil
	}
	ptr := reflect.ValueOf(rec.SourcePartition).Pointer()
	key := s.lastKey
	if ptr != s.lastPtr {
		k, err := storage.PartitionKey(rec.SourcePartition)
		if err != nil {
			return nil, err
		}
		key, s.lastPtr, s.lastKey = k, ptr, k
	}
	q := s.parts[key]
	if q == nil {
		q = &partitionQueue{partition: rec.SourcePartition}
		s.parts[key] = q
	}
	q.recs = append(q.recs, sr)
	sr.queue = q
	s.pending++
	return sr, nil
}

// ack marks a record acknowledged by Kafka and folds the acknowledged
// prefix of its partition into the committable offset.
func (s *submitted) ack(sr *submittedRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sr.acked = true
	if q := sr.queue; q != nil {
		for q.head < len(q.recs) && q.recs[q.head].acked {
			if q != &s.nopart {
				q.next = q.recs[q.head].offset
			}
			q.recs[q.head] = nil
			q.head++
		}
		if q.head == len(q.recs) {
			q.recs, q.head = q.recs[:0], 0
		} else if q.head >= 1024 && q.head > len(q.recs)/2 {
			q.recs = append(q.recs[:0], q.recs[q.head:]...)
			q.head = 0
		}
	}
	s.done()
}

// fail marks a record that will never be acknowledged: it stays at the
// head of its queue, so no later offset of its partition becomes
// committable.
func (s *submitted) fail(sr *submittedRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sr.at.IsZero() {
		return // failed twice
	}
	sr.at = time.Time{} // no longer waiting for Kafka
	s.done()
}

func (s *submitted) done() {
	s.pending--
	if s.pending == 0 {
		s.drained.Broadcast()
	}
}

// committable returns, per partition, the offset of the newest record whose
// predecessors are all acknowledged, each once.
func (s *submitted) committable() []storage.Offset {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.Offset
	for key, q := range s.parts {
		if q.next != nil {
			out = append(out, storage.Offset{Partition: q.partition, Offset: q.next})
			q.next = nil
		}
		if len(q.recs) == 0 {
			delete(s.parts, key)
			if key == s.lastKey {
				s.lastPtr, s.lastKey = 0, ""
			}
		}
	}
	return out
}

// oldest returns the topic of the record that has waited longest for its
// acknowledgement, and since when; ok is false when none waits.
func (s *submitted) oldest() (topic string, at time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	consider := func(q *partitionQueue) {
		// Records are queued in submission order, so the first one still
		// waiting is the oldest of its queue.
		for _, r := range q.recs[q.head:] {
			if !r.acked && !r.at.IsZero() {
				if !ok || r.at.Before(at) {
					topic, at, ok = r.topic, r.at, true
				}
				return
			}
		}
	}
	consider(&s.nopart)
	for _, q := range s.parts {
		consider(q)
	}
	return topic, at, ok
}

// awaitDrained blocks until no record is in flight.
func (s *submitted) awaitDrained() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.pending > 0 {
		s.drained.Wait()
	}
}

// inFlight returns how many records await their acknowledgement.
func (s *submitted) inFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}
