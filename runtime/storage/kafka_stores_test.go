package storage

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// These tests run the stores on kafka.Log against the real broker.

func kafkaOpener(bootstrap, topic string) func(func(kafka.LogRecord)) (TopicLog, error) {
	return func(apply func(kafka.LogRecord)) (TopicLog, error) {
		return kafka.OpenLog(kafka.LogConfig{Topic: topic, Brokers: testkit.Addrs(bootstrap),
			Sarama: testkit.SaramaConfig(), ClientID: "sluice-storage-test", Apply: apply})
	}
}

func brokerCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// produceRaw writes records as a Java worker would: a plain producer with
// the Java murmur2 partitioner and the given key and value bytes.
func produceRaw(t *testing.T, bootstrap, topic string, recs ...kafka.LogRecord) {
	t.Helper()
	cfg := testkit.SaramaConfig()
	cfg.Producer.Partitioner = sarama.NewMurmur2Partitioner
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.Close() }()
	for _, r := range recs {
		m := &sarama.ProducerMessage{Topic: topic, Key: sarama.ByteEncoder(r.Key)}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		if _, _, err := p.SendMessage(m); err != nil {
			t.Fatalf("produce %s: %v", r.Key, err)
		}
	}
}

// readRaw returns every record of the topic, read independently of the
// code under test.
func readRaw(t *testing.T, ctx context.Context, bootstrap, topic string) []kafka.LogRecord {
	t.Helper()
	var out []kafka.LogRecord
	l, err := kafka.OpenLog(kafka.LogConfig{Topic: topic, Brokers: testkit.Addrs(bootstrap), Sarama: testkit.SaramaConfig(),
		Apply: func(r kafka.LogRecord) { out = append(out, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(ctx); err != nil {
		_ = l.Close()
		t.Fatal(err)
	}
	// Close waits for the apply goroutine, so out is complete and ours.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestKafkaOffsetsOnBroker(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	topic := testkit.NewTopic(t, bootstrap, 5)
	ctx := brokerCtx(t)

	// Written by a Java worker: keys with spaces and another field order
	// for the same partition; a malformed record; a removed partition.
	javaKey := `["jdbc-source", {"table": "orders", "db": "shop"}]`
	produceRaw(t, bootstrap, topic,
		kafka.LogRecord{Key: []byte(javaKey), Value: []byte(`{"id": 41}`)},
		kafka.LogRecord{Key: []byte(`not json`), Value: []byte(`{"id":1}`)},
		kafka.LogRecord{Key: []byte(`["jdbc-source",{"db":"shop","table":"gone"}]`), Value: []byte(`{"id":3}`)},
		kafka.LogRecord{Key: []byte(`["jdbc-source",{"db":"shop","table":"gone"}]`)},
		kafka.LogRecord{Key: []byte(`["jdbc-source",{"table":"orders","db":"shop"}]`), Value: []byte(`{"id":42}`)},
	)

	a, err := NewKafkaOffsets(kafkaOpener(bootstrap, topic), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Close() }()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	orders := map[string]any{"db": "shop", "table": "orders"}
	// The two variants hash to different partitions; either may have
	// been applied last, so both are accepted here.
	got, err := a.Get(ctx, "jdbc-source", orders)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string]any{"id": int64(42)}) && !reflect.DeepEqual(got, map[string]any{"id": int64(41)}) {
		t.Fatalf("Get of Java-written offset = %#v", got)
	}
	if offs, err := a.Offsets(ctx, "jdbc-source"); err != nil || len(offs) != 1 {
		t.Fatalf("Offsets = %#v, %v; want only orders (gone was tombstoned, junk skipped)", offs, err)
	}

	// A second store on the same topic sees the first's writes, which go
	// to both variants and so agree whatever the partition order.
	b, err := NewKafkaOffsets(kafkaOpener(bootstrap, topic), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	file := map[string]any{"filename": "/tmp/in.txt"}
	if err := a.Put(ctx, "jdbc-source", []Offset{{Partition: orders, Offset: map[string]any{"id": 100}}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, "file-source", []Offset{{Partition: file, Offset: map[string]any{"position": 30}}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		conn string
		part map[string]any
		want map[string]any
	}{
		{"jdbc-source", orders, map[string]any{"id": int64(100)}},
		{"file-source", file, map[string]any{"position": int64(30)}},
	} {
		got, err := b.Get(ctx, c.conn, c.part)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("second store Get(%s, %v) = %#v, %v; want %v", c.conn, c.part, got, err, c.want)
		}
	}
	raw := readRaw(t, ctx, bootstrap, topic)
	found := false
	for _, r := range raw {
		if string(r.Key) == `["file-source",{"filename":"/tmp/in.txt"}]` && string(r.Value) == `{"position":30}` {
			found = true
		}
	}
	if !found {
		t.Errorf("no record with Kafka Connect's bytes for the file-source offset")
	}

	// A reset tombstones every raw variant; both stores see it.
	if err := b.Put(ctx, "jdbc-source", []Offset{{Partition: orders}}); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*KafkaOffsets{"a": a, "b": b} {
		if got, err := s.Get(ctx, "jdbc-source", orders); err != nil || got != nil {
			t.Errorf("store %s after reset: %#v, %v", name, got, err)
		}
	}
	tombstoned := map[string]bool{}
	for _, r := range readRaw(t, ctx, bootstrap, topic) {
		if r.Value == nil {
			tombstoned[string(r.Key)] = true
		}
	}
	for _, k := range []string{javaKey, `["jdbc-source",{"table":"orders","db":"shop"}]`} {
		if !tombstoned[k] {
			t.Errorf("no tombstone for key variant %s", k)
		}
	}
}

func TestKafkaStatusOnBroker(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	topic := testkit.NewTopic(t, bootstrap, 3)
	ctx := brokerCtx(t)
	open := func(worker string) *KafkaStatus {
		s, err := NewKafkaStatus(kafkaOpener(bootstrap, topic), worker, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	w1, w2 := open("w1:8083"), open("w2:8083")
	w1.SetGeneration(3)
	w2.SetGeneration(4)
	eventually := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// The plugin's version goes through the topic (KIP-891).
	w1.PutConnector("conn-a", herder.ConnectorState{State: herder.Running, Version: "1.10.0"})
	w1.PutTopic("conn-a", "orders", 0)
	eventually("w2 to see w1's connector status", func() bool {
		st, ok := w2.Connector("conn-a")
		return ok && st.State == herder.Running && st.WorkerID == "w1:8083" && st.Version == "1.10.0"
	})
	eventually("w2 to see w1's topic", func() bool { return reflect.DeepEqual(w2.Topics("conn-a"), []string{"orders"}) })

	// w2 runs the task at generation 4; w1, still at generation 3, fails
	// to overwrite it with FAILED (putSafe).
	id := herder.TaskID{Connector: "conn-a", Task: 0}
	w2.PutTask(id, herder.TaskState{State: herder.Running, Version: "1.10.0"})
	eventually("w1 to see w2's task status", func() bool {
		ts := w1.Tasks("conn-a")
		return len(ts) == 1 && ts[0].WorkerID == "w2:8083" && ts[0].Version == "1.10.0"
	})
	w1.PutTask(id, herder.TaskState{State: herder.Failed, Trace: "stale"})
	flush(t, w1)
	if ts := w1.Tasks("conn-a"); ts[0].State != herder.Running {
		t.Errorf("w1's stale FAILED replaced w2's RUNNING locally: %+v", ts[0])
	}
	for _, r := range readRaw(t, ctx, bootstrap, topic) {
		if string(r.Key) == "status-task-conn-a-0" && string(r.Value) != `{"state":"RUNNING","trace":null,"worker_id":"w2:8083","generation":4,"version":"1.10.0"}` {
			t.Errorf("task record %s", r.Value)
		}
	}

	// Deletion reaches the other worker.
	w2.Delete("conn-a")
	w2.DeleteTopics("conn-a")
	eventually("w1 to see the deletion", func() bool {
		_, ok := w1.Connector("conn-a")
		return !ok && len(w1.Tasks("conn-a")) == 0 && len(w1.Topics("conn-a")) == 0
	})
}
