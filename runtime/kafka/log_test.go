package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
)

// recorder collects the records a Log applies.
type recorder struct {
	mu   sync.Mutex
	recs []LogRecord
}

func (r *recorder) apply(rec LogRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
}

func (r *recorder) all() []LogRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]LogRecord(nil), r.recs...)
}

func openTestLog(t *testing.T, bootstrap, topic string) (*Log, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg := testkit.SaramaConfig()
	l, err := OpenLog(LogConfig{Topic: topic, Brokers: testkit.Addrs(bootstrap), Sarama: cfg,
		ClientID: "sluice-log-test", Apply: rec.apply})
	if err != nil {
		t.Fatalf("OpenLog: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l, rec
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestLogSendReadToEndAndTail(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	topic := testkit.NewTopic(t, bootstrap, 3)
	ctx := testCtx(t)

	a, recA := openTestLog(t, bootstrap, topic)
	if err := a.Start(ctx); err != nil {
		t.Fatalf("Start on an empty topic: %v", err)
	}
	if a.Partitions() != 3 {
		t.Fatalf("Partitions() = %d, want 3", a.Partitions())
	}
	if n := len(recA.all()); n != 0 {
		t.Fatalf("applied %d records from an empty topic", n)
	}

	var sent []LogRecord
	for i := range 20 {
		sent = append(sent, LogRecord{Key: []byte(fmt.Sprintf("key-%d", i%7)), Value: []byte(fmt.Sprintf("v%d", i))})
	}
	sent = append(sent, LogRecord{Key: []byte("key-3")}) // tombstone
	if err := a.Send(ctx, sent...); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if err := a.ReadToEnd(ctx); err != nil {
		t.Fatalf("ReadToEnd: %v", err)
	}
	got := recA.all()
	if len(got) != len(sent) {
		t.Fatalf("applied %d records, want %d", len(got), len(sent))
	}
	// Partition = Java's murmur2 of the key; order per key is the send order.
	part := sarama.NewMurmur2Partitioner(topic)
	perKey := map[string][]string{}
	for _, r := range got {
		want, err := part.Partition(&sarama.ProducerMessage{Key: sarama.ByteEncoder(r.Key)}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if r.Partition != want {
			t.Errorf("key %s in partition %d, murmur2 says %d", r.Key, r.Partition, want)
		}
		v := "<nil>"
		if r.Value != nil {
			v = string(r.Value)
		}
		perKey[string(r.Key)] = append(perKey[string(r.Key)], v)
	}
	wantPerKey := map[string][]string{}
	for _, r := range sent {
		v := "<nil>"
		if r.Value != nil {
			v = string(r.Value)
		}
		wantPerKey[string(r.Key)] = append(wantPerKey[string(r.Key)], v)
	}
	if fmt.Sprint(perKey) != fmt.Sprint(wantPerKey) {
		t.Errorf("per-key order:\n got %v\nwant %v", perKey, wantPerKey)
	}

	// A second log reads everything at start and sees later writes of the
	// first while tailing.
	b, recB := openTestLog(t, bootstrap, topic)
	if err := b.Start(ctx); err != nil {
		t.Fatalf("Start of the second log: %v", err)
	}
	if n := len(recB.all()); n != len(sent) {
		t.Fatalf("second log applied %d records at start, want %d", n, len(sent))
	}
	if err := a.Send(ctx, LogRecord{Key: []byte("late"), Value: []byte("x")}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if err := b.ReadToEnd(ctx); err != nil {
		t.Fatalf("ReadToEnd of the second log: %v", err)
	}
	last := recB.all()[len(recB.all())-1]
	if string(last.Key) != "late" || string(last.Value) != "x" {
		t.Errorf("last record read by the second log = %q=%q, want late=x", last.Key, last.Value)
	}
}

// produceTransactional writes records in one committed transaction with a
// sarama transactional producer, so that the partition's tail is a commit
// marker sarama never delivers.
func produceTransactional(t *testing.T, bootstrap, topic string, commit bool, kvs ...string) {
	t.Helper()
	cfg := testkit.SaramaConfig()
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Transaction.ID = topic + "-txn"
	cfg.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), cfg)
	if err != nil {
		t.Fatalf("transactional producer: %v", err)
	}
	defer func() { _ = p.Close() }()
	if err := p.BeginTxn(); err != nil {
		t.Fatalf("BeginTxn: %v", err)
	}
	for i := 0; i < len(kvs); i += 2 {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(kvs[i]),
			Value: sarama.StringEncoder(kvs[i+1])}); err != nil {
			t.Fatalf("transactional send: %v", err)
		}
	}
	if commit {
		err = p.CommitTxn()
	} else {
		err = p.AbortTxn()
	}
	if err != nil {
		t.Fatalf("end transaction: %v", err)
	}
}

func TestLogReadToEndWithTransactionMarkerAtTail(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	ctx := testCtx(t)

	produceTransactional(t, bootstrap, topic, true, "a", "1", "b", "2")
	l, rec := openTestLog(t, bootstrap, topic)
	start := time.Now()
	if err := l.Start(ctx); err != nil {
		t.Fatalf("Start with a commit marker at the tail: %v", err)
	}
	if n := len(rec.all()); n != 2 {
		t.Fatalf("applied %d records, want 2", n)
	}
	t.Logf("Start took %v", time.Since(start))

	// While tailing: a plain write, then an aborted transaction whose
	// records read_uncommitted still delivers, then the abort marker last.
	if err := l.Send(ctx, LogRecord{Key: []byte("c"), Value: []byte("3")}); err != nil {
		t.Fatal(err)
	}
	produceTransactional(t, bootstrap, topic, false, "d", "4")
	if err := l.ReadToEnd(ctx); err != nil {
		t.Fatalf("ReadToEnd with an abort marker at the tail: %v", err)
	}
	var keys []string
	for _, r := range rec.all() {
		keys = append(keys, string(r.Key))
	}
	if fmt.Sprint(keys) != "[a b c d]" {
		t.Errorf("keys applied = %v, want [a b c d]", keys)
	}
}

// TestLogStartWaitsForTopic: a log whose topic does not exist yet (another
// worker is about to create it, or the broker has not learnt of it) waits
// for it instead of failing, never creates it, and reads it once it
// appears.
func TestLogStartWaitsForTopic(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	admin := newAdmin(t, bootstrap, testkit.KafkaVersion)
	missing := "sluice-missing-" + fmt.Sprint(time.Now().UnixNano())
	t.Cleanup(func() { _ = admin.DeleteTopic(missing) })

	// Bounded by its context, Start gives up with the error it waited on.
	short, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	l, _ := openTestLog(t, bootstrap, missing)
	err := l.Start(short)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), sarama.ErrUnknownTopicOrPartition.Error()) {
		t.Fatalf("Start on a missing topic = %v, want the context's deadline and the unknown topic", err)
	}
	topics, err := admin.ListTopics()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := topics[missing]; ok {
		t.Fatalf("Start created topic %s", missing)
	}

	// A Start waiting when the topic is created reads it.
	rec := &recorder{}
	retried := make(chan error, 100)
	l2, err := OpenLog(LogConfig{Topic: missing, Brokers: testkit.Addrs(bootstrap), Sarama: testkit.SaramaConfig(),
		Apply: rec.apply, OnRetry: func(err error) {
			select {
			case retried <- err:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l2.Close() })
	done := make(chan error, 1)
	go func() { done <- l2.Start(testCtx(t)) }()
	select {
	case err := <-retried:
		if !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			t.Fatalf("Start waited on %v, want the unknown topic", err)
		}
	case err := <-done:
		t.Fatalf("Start returned %v before the topic existed", err)
	}
	if err := admin.CreateTopic(missing, &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, false); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Start once the topic exists: %v", err)
	}
	if n := l2.Partitions(); n != 2 {
		t.Fatalf("Partitions() = %d, want 2", n)
	}
	ctx := testCtx(t)
	if err := l2.Send(ctx, LogRecord{Key: []byte("k"), Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	if err := l2.ReadToEnd(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.all(); len(got) != 1 || string(got[0].Key) != "k" {
		t.Fatalf("applied %v, want the one record written", got)
	}
}

// TestLogCloseEndsStart: Close ends a Start that waits for its topic.
func TestLogCloseEndsStart(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	waiting := make(chan struct{})
	var once sync.Once
	l, err := OpenLog(LogConfig{Topic: "sluice-never-" + fmt.Sprint(time.Now().UnixNano()), Brokers: testkit.Addrs(bootstrap),
		Sarama: testkit.SaramaConfig(), Apply: func(LogRecord) {}, OnRetry: func(error) { once.Do(func() { close(waiting) }) }})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Start(context.Background()) }()
	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("Start of a missing topic returned %v instead of waiting", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Start succeeded on a closed log of a missing topic")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Start still waits 5 s after Close")
	}
}

func TestRetriable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("x: %w", sarama.ErrNotLeaderForPartition), true},
		{fmt.Errorf("x: %w", sarama.ErrNotEnoughReplicas), true},
		{sarama.ErrOutOfBrokers, true},
		{fmt.Errorf("x: %w", sarama.ErrMessageSizeTooLarge), false},
		{fmt.Errorf("x: %w", sarama.ErrTopicAuthorizationFailed), false},
		{context.Canceled, false},
		{sarama.ErrClosedClient, false},
		{fmt.Errorf("x: %w", sarama.ErrInvalidReplicationFactor), false},
		// EnsureTopic's own wait gave up: a starting worker goes on trying.
		{fmt.Errorf("create topic t: still failing after 1m0s: %w", retriableTopicError{sarama.ErrInvalidReplicationFactor}), true},
	} {
		if got := Retriable(c.err); got != c.want {
			t.Errorf("Retriable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
