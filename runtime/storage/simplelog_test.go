package storage

import (
	"context"
	"sync"

	"github.com/sluicehq/sluice/runtime/kafka"
)

// Compile-time check: the broker-backed log is a TopicLog. It lives here,
// not in package kafka, because storage imports kafka.
var _ TopicLog = (*kafka.Log)(nil)

// simpleTopic is an in-memory single-partition topic shared by simpleLogs.
type simpleTopic struct {
	mu      sync.Mutex
	records []kafka.LogRecord
	// fail, if set, is asked before each Send; a non-nil error fails it.
	fail func(recs []kafka.LogRecord) error
}

func (t *simpleTopic) all() []kafka.LogRecord {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]kafka.LogRecord(nil), t.records...)
}

// append writes records as another writer (e.g. a Java worker) would.
func (t *simpleTopic) append(recs ...kafka.LogRecord) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range recs {
		r.Offset = int64(len(t.records))
		t.records = append(t.records, r)
	}
}

// open returns the opener the stores take.
func (t *simpleTopic) open(apply func(kafka.LogRecord)) (TopicLog, error) {
	return &simpleLog{topic: t, apply: apply}, nil
}

// simpleLog is a TopicLog on a simpleTopic: it does not tail by itself; Start and
// ReadToEnd apply what was written since the last call.
type simpleLog struct {
	topic *simpleTopic
	apply func(kafka.LogRecord)
	mu    sync.Mutex // one applier at a time
	pos   int
}

func (l *simpleLog) Start(ctx context.Context) error { return l.ReadToEnd(ctx) }

func (l *simpleLog) ReadToEnd(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	recs := l.topic.all()
	for ; l.pos < len(recs); l.pos++ {
		l.apply(recs[l.pos])
	}
	return nil
}

func (l *simpleLog) Send(_ context.Context, recs ...kafka.LogRecord) error {
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

func (l *simpleLog) Close() error { return nil }
