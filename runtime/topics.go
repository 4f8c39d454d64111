package runtime

import "sync/atomic"

// topicTracker records the topics a task uses (KIP-558's active topics).
// It is used by one task goroutine, so it needs no lock; the common case,
// the same topic as the previous record, costs one string comparison and
// one atomic load. A reset of the connector's topics bumps epoch, so the
// tracker forgets what it has seen and records topics again as they are
// used, as Kafka Connect does.
type topicTracker struct {
	epoch  *atomic.Int64
	seenAt int64
	last   string
	seen   map[string]struct{}
	record func(topic string) // nil when topic tracking is disabled
}

func newTopicTracker(epoch *atomic.Int64, record func(string)) *topicTracker {
	return &topicTracker{epoch: epoch, seenAt: epoch.Load(), seen: map[string]struct{}{}, record: record}
}

// use notes that the task produced or consumed a record of topic.
func (t *topicTracker) use(topic string) {
	if t == nil || t.record == nil {
		return
	}
	if e := t.epoch.Load(); e != t.seenAt {
		t.seenAt, t.last = e, ""
		clear(t.seen)
	}
	if topic == t.last {
		return
	}
	t.last = topic
	if _, ok := t.seen[topic]; ok {
		return
	}
	t.seen[topic] = struct{}{}
	t.record(topic)
}
