package storage

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/runtime/kafka"
)

// memTopic is an in-memory single-partition topic shared by any number of
// memLogs, as a Kafka topic is shared by the workers reading it.
type memTopic struct {
	mu      sync.Mutex
	records []kafka.LogRecord
	changed chan struct{} // closed and replaced on every append
	sendErr error         // when set, Send fails without writing
	trace   []string      // "read" and "send:<key>,<key>" in call order
}

func newMemTopic() *memTopic { return &memTopic{changed: make(chan struct{})} }

// append writes records as another writer would; it returns their offsets.
func (t *memTopic) append(recs ...kafka.LogRecord) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range recs {
		r.Partition = 0
		r.Offset = int64(len(t.records))
		t.records = append(t.records, r)
	}
	close(t.changed)
	t.changed = make(chan struct{})
}

func (t *memTopic) snapshot() []kafka.LogRecord {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]kafka.LogRecord(nil), t.records...)
}

func (t *memTopic) ops() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.trace...)
}

func (t *memTopic) note(op string) {
	t.mu.Lock()
	t.trace = append(t.trace, op)
	t.mu.Unlock()
}

// open returns an open func for NewKafkaConfigs reading this topic.
func (t *memTopic) open(apply func(kafka.LogRecord)) (TopicLog, error) {
	return &memLog{topic: t, apply: apply, progress: make(chan struct{}), done: make(chan struct{})}, nil
}

// memLog is a TopicLog over a memTopic: like runtime/kafka's log, a
// goroutine hands every record to apply, and Send returns once the record
// is written, before the tail has delivered it.
type memLog struct {
	topic *memTopic
	apply func(kafka.LogRecord)

	mu        sync.Mutex
	started   bool
	delivered int
	progress  chan struct{} // closed and replaced when delivered grows
	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

func (l *memLog) Start(ctx context.Context) error {
	l.mu.Lock()
	if l.started {
		l.mu.Unlock()
		return errors.New("memlog: already started")
	}
	l.started = true
	l.mu.Unlock()
	l.wg.Add(1)
	go l.tail()
	return l.ReadToEnd(ctx)
}

func (l *memLog) tail() {
	defer l.wg.Done()
	pos := 0
	for {
		l.topic.mu.Lock()
		batch := l.topic.records[pos:]
		changed := l.topic.changed
		l.topic.mu.Unlock()
		if len(batch) == 0 {
			select {
			case <-changed:
				continue
			case <-l.done:
				return
			}
		}
		for _, r := range batch {
			l.apply(r)
			pos++
			l.mu.Lock()
			l.delivered = pos
			close(l.progress)
			l.progress = make(chan struct{})
			l.mu.Unlock()
		}
	}
}

func (l *memLog) ReadToEnd(ctx context.Context) error {
	l.topic.note("read")
	l.topic.mu.Lock()
	end := len(l.topic.records)
	l.topic.mu.Unlock()
	for {
		l.mu.Lock()
		if !l.started {
			l.mu.Unlock()
			return errors.New("memlog: not started")
		}
		if l.delivered >= end {
			l.mu.Unlock()
			return nil
		}
		progress := l.progress
		l.mu.Unlock()
		select {
		case <-progress:
		case <-ctx.Done():
			return ctx.Err()
		case <-l.done:
			return errors.New("memlog: closed")
		}
	}
}

func (l *memLog) Send(ctx context.Context, records ...kafka.LogRecord) error {
	keys := make([]string, len(records))
	for i, r := range records {
		keys[i] = string(r.Key)
	}
	l.topic.note("send:" + strings.Join(keys, ","))
	if err := ctx.Err(); err != nil {
		return err
	}
	l.topic.mu.Lock()
	err := l.topic.sendErr
	l.topic.mu.Unlock()
	if err != nil {
		return err
	}
	l.topic.append(records...)
	return nil
}

func (l *memLog) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	l.wg.Wait()
	return nil
}
