package storage

import (
	"context"
	"sync"

	"github.com/sluicehq/sluice/runtime/kafka"
)

// Compile-time check: the broker-backed log is a TopicLog. It lives here,
// not in package kafka, because storage imports kafka.
var _ TopicLog = (*kafka.Log)(nil)

// memTopic is an in-memory single-partition topic shared by memLogs.
type memTopic struct {
	mu      sync.Mutex
	records []kafka.LogRecord
	// fail, if set, is asked before each Send; a non-nil error fails it.
	fail func(recs []kafka.LogRecord) error
}

func (t *memTopic) all() []kafka.LogRecord {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]kafka.LogRecord(nil), t.records...)
}

// append writes records as another writer (e.g. a Java worker) would.
func (t *memTopic) append(recs ...kafka.LogRecord) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range recs {
		r.Offset = int64(len(t.records))
		t.records = append(t.records, r)
	}
}

// open returns the opener the stores take.
func (t *memTopic) open(apply func(kafka.LogRecord)) (TopicLog, error) {
	return &memLog{topic: t, apply: apply}, nil
}

// memLog is a TopicLog on a memTopic: it does not tail by itself; Start and
// ReadToEnd apply what was written since the last call.
type memLog struct {
	topic *memTopic
	apply func(kafka.LogRecord)
	mu    sync.Mutex // one applier at a time
	pos   int
}

func (l *memLog) Start(ctx context.Context) error { return l.ReadToEnd(ctx) }

func (l *memLog) ReadToEnd(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	recs := l.topic.all()
	for ; l.pos < len(recs); l.pos++ {
		l.apply(recs[l.pos])
	}
	return nil
}

func (l *memLog) Send(_ context.Context, recs ...kafka.LogRecord) error {
	l.topic.mu.Lock()
	fail := l.topic.fail
	l.topic.mu.Unlock()
	if fail != nil {
		if err := fail(recs); err != nil {
			return err
		}
	}
	l.topic.append(recs...)
	return nil
}

func (l *memLog) Close() error { return nil }
