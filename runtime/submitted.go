package runtime

import (
	"reflect"
	"sync"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/runtime/storage"
)

// submitted tracks the source records a task has handed to the producer, per
// source partition and in order, so that an offset becomes committable only
// once every earlier record of its partition was acknowledged by Kafka
// (data-integrity rule 1), as Kafka Connect's SubmittedRecords does.
type submitted struct {
	mu    sync.Mutex
	parts map[string]*partitionQueue
	// last caches the key of the most recent partition map: tasks usually
	// reuse one map for a partition, and this spares a JSON encoding per
	// record.
	lastPtr uintptr
	lastKey string
	// pending counts records submitted and not yet acked or failed.
	pending int
	drained *sync.Cond
}

type partitionQueue struct {
	partition map[string]any
	recs      []*submittedRecord
	head      int
}

// submittedRecord is one record in flight; it rides along as the sarama
// message's Metadata.
type submittedRecord struct {
	rec   *connectors.SourceRecord
	queue *partitionQueue // nil when the record has no source partition
	acked bool
}

func newSubmitted() *submitted {
	s := &submitted{parts: map[string]*partitionQueue{}}
	s.drained = sync.NewCond(&s.mu)
	return s
}

// add registers a record about to be sent.
func (s *submitted) add(rec *connectors.SourceRecord) (*submittedRecord, error) {
	sr := &submittedRecord{rec: rec}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending++
	if rec.SourcePartition == nil {
		return sr, nil
	}
	ptr := reflect.ValueOf(rec.SourcePartition).Pointer()
	key := s.lastKey
	if ptr != s.lastPtr {
		k, err := storage.PartitionKey(rec.SourcePartition)
		if err != nil {
			s.pending--
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
	return sr, nil
}

// ack marks a record acknowledged by Kafka.
func (s *submitted) ack(sr *submittedRecord) {
	s.mu.Lock()
	sr.acked = true
	s.pending--
	if s.pending == 0 {
		s.drained.Broadcast()
	}
	s.mu.Unlock()
}

// fail marks a record that will never be acknowledged: it stays in its
// queue, so no later offset of its partition becomes committable.
func (s *submitted) fail(*submittedRecord) {
	s.mu.Lock()
	s.pending--
	if s.pending == 0 {
		s.drained.Broadcast()
	}
	s.mu.Unlock()
}

// committable removes the acknowledged prefix of every partition's queue and
// returns, per partition, the offset of the last record in it.
func (s *submitted) committable() []storage.Offset {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.Offset
	for key, q := range s.parts {
		var last *submittedRecord
		for q.head < len(q.recs) && q.recs[q.head].acked {
			last = q.recs[q.head]
			q.recs[q.head] = nil
			q.head++
		}
		if q.head == len(q.recs) {
			delete(s.parts, key)
			if key == s.lastKey {
				s.lastPtr, s.lastKey = 0, ""
			}
		} else if q.head > len(q.recs)/2 {
			q.recs = append(q.recs[:0], q.recs[q.head:]...)
			q.head = 0
		}
		if last != nil {
			out = append(out, storage.Offset{Partition: q.partition, Offset: last.rec.SourceOffset})
		}
	}
	return out
}

// inFlight returns how many records await their acknowledgement.
func (s *submitted) inFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}
