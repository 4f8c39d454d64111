package storage

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

func newMemStatus(t *testing.T, topic *simpleTopic, worker string) *KafkaStatus {
	t.Helper()
	s, err := NewKafkaStatus(topic.open, worker, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func flush(t *testing.T, s *KafkaStatus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func recordStrings(recs []kafka.LogRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		v := "<tombstone>"
		if r.Value != nil {
			v = string(r.Value)
		}
		out[i] = string(r.Key) + " = " + v
	}
	return out
}

func TestKafkaStatusGoldenBytes(t *testing.T) {
	topic := &simpleTopic{}
	s := newMemStatus(t, topic, "127.0.0.1:8083")
	s.now = func() time.Time { return time.UnixMilli(1700000000123) }
	s.SetGeneration(12)
	s.PutConnector("my-conn", herder.ConnectorState{State: herder.Running, WorkerID: "127.0.0.1:8083"})
	s.PutTask(herder.TaskID{Connector: "my-conn", Task: 3}, herder.TaskState{State: herder.Failed,
		Trace: "org.Foo: \"bad\"\n\tat x"})
	s.PutTopic("my-conn", "orders", 3)
	s.PutTopic("my-conn", "orders", 1) // already recorded: not written again
	flush(t, s)
	// KafkaStatusBackingStore.serialize (line 483, STATUS_SCHEMA_V0 at line
	// 111: state, trace (optional: null), worker_id, generation) and
	// serializeTopicStatus (line 494, TOPIC_STATUS_VALUE_SCHEMA_V0 at line
	// 118), through the schemaless JsonConverter.
	want := []string{
		`status-connector-my-conn = {"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:8083","generation":12,"version":null}`,
		`status-task-my-conn-3 = {"state":"FAILED","trace":"org.Foo: \"bad\"\n\tat x","worker_id":"127.0.0.1:8083","generation":12,"version":null}`,
		`status-topic-orders:connector-my-conn = {"topic":{"name":"orders","connector":"my-conn","task":3,"discoverTimestamp":1700000000123}}`,
	}
	if got := recordStrings(topic.all()); !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n got %q\nwant %q", got, want)
	}

	// A second worker reads the same statuses back.
	other := newMemStatus(t, topic, "w2")
	if c, ok := other.Connector("my-conn"); !ok || c != (herder.ConnectorState{State: herder.Running, WorkerID: "127.0.0.1:8083"}) {
		t.Errorf("Connector = %+v, %v", c, ok)
	}
	tasks := other.Tasks("my-conn")
	if len(tasks) != 1 || tasks[0].ID != 3 || tasks[0].State != herder.Failed || tasks[0].Trace != "org.Foo: \"bad\"\n\tat x" {
		t.Errorf("Tasks = %+v", tasks)
	}
	if got := other.Topics("my-conn"); !reflect.DeepEqual(got, []string{"orders"}) {
		t.Errorf("Topics = %v", got)
	}

	// Deletion: tombstones for the connector, each task, each topic.
	before := len(topic.all())
	s.Delete("my-conn")
	s.DeleteTopics("my-conn")
	flush(t, s)
	want = []string{
		"status-connector-my-conn = <tombstone>",
		"status-task-my-conn-3 = <tombstone>",
		"status-topic-orders:connector-my-conn = <tombstone>",
	}
	if got := recordStrings(topic.all()[before:]); !reflect.DeepEqual(got, want) {
		t.Errorf("deletion records:\n got %q\nwant %q", got, want)
	}
	if _, ok := s.Connector("my-conn"); ok || len(s.Tasks("my-conn")) != 0 || len(s.Topics("my-conn")) != 0 {
		t.Error("deleted statuses still visible locally")
	}
	if err := other.log.ReadToEnd(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := other.Connector("my-conn"); ok || len(other.Tasks("my-conn")) != 0 || len(other.Topics("my-conn")) != 0 {
		t.Error("deleted statuses still visible to the other worker")
	}
}

func statusRecord(key, state, worker string, gen int) kafka.LogRecord {
	return kafka.LogRecord{Key: []byte(key),
		Value: []byte(fmt.Sprintf(`{"state":%q,"trace":null,"worker_id":%q,"generation":%d}`, state, worker, gen))}
}

func TestKafkaStatusPutSafe(t *testing.T) {
	topic := &simpleTopic{}
	topic.append(statusRecord("status-task-c-0", "RUNNING", "w2", 5), statusRecord("status-connector-c", "RUNNING", "w2", 5))
	s := newMemStatus(t, topic, "w1")
	id := herder.TaskID{Connector: "c", Task: 0}

	// CacheEntry.canWriteSafely (line 690): an older generation of another
	// worker does not overwrite with FAILED or UNASSIGNED.
	s.SetGeneration(4)
	s.PutTask(id, herder.TaskState{State: herder.Failed, Trace: "boom"})
	s.PutConnector("c", herder.ConnectorState{State: herder.Unassigned})
	flush(t, s)
	if n := len(topic.all()); n != 2 {
		t.Fatalf("safe writes of an older generation were sent: %q", recordStrings(topic.all()[2:]))
	}
	if ts := s.Tasks("c"); ts[0].State != herder.Running || ts[0].WorkerID != "w2" {
		t.Errorf("task status = %+v, want w2's RUNNING", ts[0])
	}
	// Other states are written regardless.
	s.PutTask(id, herder.TaskState{State: herder.Paused})
	flush(t, s)
	if n := len(topic.all()); n != 3 {
		t.Fatalf("PAUSED not written")
	}
	// Now the entry is this worker's: FAILED is written even at generation 4.
	s.PutTask(id, herder.TaskState{State: herder.Failed, Trace: "boom"})
	flush(t, s)
	if n := len(topic.all()); n != 4 {
		t.Fatalf("FAILED over this worker's own status not written")
	}
	// Equal or newer generation than another worker's status: written.
	s.SetGeneration(5)
	s.PutConnector("c", herder.ConnectorState{State: herder.Unassigned})
	flush(t, s)
	if got := recordStrings(topic.all()[4:]); !reflect.DeepEqual(got,
		[]string{`status-connector-c = {"state":"UNASSIGNED","trace":null,"worker_id":"w1","generation":5,"version":null}`}) {
		t.Errorf("records = %q", got)
	}
}

func TestKafkaStatusReadIgnoresStaleUnassigned(t *testing.T) {
	topic := &simpleTopic{}
	s := newMemStatus(t, topic, "w3")
	// KafkaStatusBackingStore.readTaskStatus (line 585, KAFKA-12525).
	for _, c := range []struct {
		rec  kafka.LogRecord
		want herder.State
	}{
		{statusRecord("status-task-c-0", "RUNNING", "w2", 5), herder.Running},
		{statusRecord("status-task-c-0", "UNASSIGNED", "w1", 4), herder.Running},
		{statusRecord("status-task-c-0", "UNASSIGNED", "w1", 5), herder.Running},
		{statusRecord("status-task-c-0", "UNASSIGNED", "w1", 6), herder.Unassigned},
		// The worker the task runs on stops it in the same generation (a
		// clean shutdown): that UNASSIGNED is the news.
		{statusRecord("status-task-c-0", "RUNNING", "w2", 7), herder.Running},
		{statusRecord("status-task-c-0", "UNASSIGNED", "w2", 7), herder.Unassigned},
		{statusRecord("status-task-c-0", "RUNNING", "w1", 3), herder.Running},
		{statusRecord("status-task-c-0", "FAILED", "w2", 2), herder.Failed},
	} {
		topic.append(c.rec)
		if err := s.log.ReadToEnd(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := s.Tasks("c")[0].State; got != c.want {
			t.Errorf("after %s: state %s, want %s", c.rec.Value, got, c.want)
		}
	}
}

func TestKafkaStatusKeyParsingAndMalformedRecords(t *testing.T) {
	topic := &simpleTopic{}
	topic.append(
		statusRecord("status-task-my-dashed-conn-12", "RUNNING", "w", 1),
		statusRecord("status-task-x-", "RUNNING", "w", 1),
		statusRecord("status-task-conn-abc", "RUNNING", "w", 1),
		statusRecord("status-connector-", "RUNNING", "w", 1),
		statusRecord("unknown-key", "RUNNING", "w", 1),
		kafka.LogRecord{Key: []byte("status-connector-bad1"), Value: []byte(`not json`)},
		kafka.LogRecord{Key: []byte("status-connector-bad2"), Value: []byte(`{"state":"NOPE","worker_id":"w","generation":1}`)},
		kafka.LogRecord{Key: []byte("status-connector-bad3"), Value: []byte(`{"state":"RUNNING","worker_id":"w","generation":1.5}`)},
		kafka.LogRecord{Key: []byte("status-connector-bad4"), Value: []byte(`[1]`)},
		kafka.LogRecord{Key: []byte("status-topic-t"), Value: []byte(`{"topic":{"name":"t","connector":"c","task":0,"discoverTimestamp":1}}`)},
		kafka.LogRecord{Key: []byte("status-topic-t:connector-"), Value: []byte(`{"topic":{"name":"t","connector":"c","task":0,"discoverTimestamp":1}}`)},
		kafka.LogRecord{Key: []byte("status-topic-t2:connector-c"), Value: []byte(`{"topic":"x"}`)},
		kafka.LogRecord{Key: []byte("status-topic-t3:connector-c"), Value: []byte(`{"topic":{"name":"t3","connector":"c","task":1,"discoverTimestamp":5}}`)},
		statusRecord("status-connector-good", "STOPPED", "w", 2),
	)
	s := newMemStatus(t, topic, "w")
	if ts := s.Tasks("my-dashed-conn"); len(ts) != 1 || ts[0].ID != 12 {
		t.Errorf("dashed connector tasks = %+v", ts)
	}
	for _, c := range []string{"x", "conn", "", "bad1", "bad2", "bad3", "bad4"} {
		if _, ok := s.Connector(c); ok || len(s.Tasks(c)) != 0 {
			t.Errorf("malformed record for %q applied", c)
		}
	}
	if got := s.Topics("c"); !reflect.DeepEqual(got, []string{"t3"}) {
		t.Errorf("Topics(c) = %v, want [t3]", got)
	}
	if st, ok := s.Connector("good"); !ok || st.State != herder.Stopped {
		t.Errorf("good connector = %+v, %v", st, ok)
	}
}

func TestKafkaStatusRetriesAndDropsStaleRetries(t *testing.T) {
	topic := &simpleTopic{}
	s := newMemStatus(t, topic, "w1")
	var failures atomic.Int32
	failures.Store(2)
	topic.mu.Lock()
	topic.fail = func([]kafka.LogRecord) error {
		if failures.Add(-1) >= 0 {
			return fmt.Errorf("produce: %w", sarama.ErrNotLeaderForPartition)
		}
		return nil
	}
	topic.mu.Unlock()
	s.PutConnector("c", herder.ConnectorState{State: herder.Running})
	flush(t, s)
	if got := recordStrings(topic.all()); len(got) != 1 {
		t.Fatalf("after two retriable failures: records %q", got)
	}

	// A retry of a status whose generation has changed is written with the
	// new generation when it is still the worker's latest for the entry
	// (Kafka Connect drops it), and dropped when a newer one followed.
	attempted, release := holdSends(topic)
	s.PutTask(herder.TaskID{Connector: "c", Task: 0}, herder.TaskState{State: herder.Running})
	<-attempted
	s.SetGeneration(7)
	release()
	flush(t, s)
	if got := recordStrings(topic.all()[1:]); !reflect.DeepEqual(got,
		[]string{`status-task-c-0 = {"state":"RUNNING","trace":null,"worker_id":"w1","generation":7,"version":null}`}) {
		t.Errorf("records = %q, want the retry with generation 7", got)
	}
	attempted, release = holdSends(topic)
	s.PutTask(herder.TaskID{Connector: "c", Task: 1}, herder.TaskState{State: herder.Running})
	<-attempted
	s.SetGeneration(8)
	s.PutTask(herder.TaskID{Connector: "c", Task: 1}, herder.TaskState{State: herder.Paused})
	release()
	flush(t, s)
	if got := recordStrings(topic.all()[2:]); !reflect.DeepEqual(got,
		[]string{`status-task-c-1 = {"state":"PAUSED","trace":null,"worker_id":"w1","generation":8,"version":null}`}) {
		t.Errorf("records = %q, want only the newer status", got)
	}
	topic.mu.Lock()
	topic.fail = nil
	topic.mu.Unlock()

	// A non-retriable error is logged and dropped.
	topic.mu.Lock()
	topic.fail = func([]kafka.LogRecord) error { return fmt.Errorf("produce: %w", sarama.ErrMessageSizeTooLarge) }
	topic.mu.Unlock()
	s.PutConnector("c", herder.ConnectorState{State: herder.Paused})
	flush(t, s)
	if got := recordStrings(topic.all()); len(got) != 3 {
		t.Errorf("records = %q", got)
	}
	// The local view is written through regardless.
	if st, _ := s.Connector("c"); st.State != herder.Paused {
		t.Errorf("local state = %s, want PAUSED", st.State)
	}
}

// TestKafkaStatusReadIgnoresSupersededUnassigned: an UNASSIGNED that a
// worker of an older generation wrote late (it lost the group while the
// brokers were away) does not replace another worker's newer status, of a
// connector or a task, whatever that status is.
func TestKafkaStatusReadIgnoresSupersededUnassigned(t *testing.T) {
	for _, kind := range []string{"connector", "task"} {
		topic := &simpleTopic{}
		s := newMemStatus(t, topic, "w3")
		key := "status-connector-c"
		state := func() herder.State {
			if st, ok := s.Connector("c"); ok {
				return st.State
			}
			return ""
		}
		if kind == "task" {
			key = "status-task-c-0"
			state = func() herder.State { return s.Tasks("c")[0].State }
		}
		for _, c := range []struct {
			rec  kafka.LogRecord
			want herder.State
		}{
			{statusRecord(key, "RUNNING", "w1", 9), herder.Running},
			{statusRecord(key, "PAUSED", "w2", 11), herder.Paused},
			{statusRecord(key, "UNASSIGNED", "w1", 9), herder.Paused},      // w1's, late: superseded
			{statusRecord(key, "UNASSIGNED", "w2", 11), herder.Unassigned}, // the current owner's own
			{statusRecord(key, "RUNNING", "w1", 12), herder.Running},
			{statusRecord(key, "UNASSIGNED", "w2", 13), herder.Unassigned}, // a newer generation's
		} {
			topic.append(c.rec)
			if err := s.log.ReadToEnd(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := state(); got != c.want {
				t.Errorf("%s: after %s: state %s, want %s", kind, c.rec.Value, got, c.want)
			}
		}
	}
}

// TestKafkaStatusSafeRetryCatchesUp: a safe write (UNASSIGNED) that fails
// is sent again only after the topic has been read to its end: when
// another worker of a newer generation has meanwhile reported the work,
// the write is dropped rather than written after it.
func TestKafkaStatusSafeRetryCatchesUp(t *testing.T) {
	topic := &simpleTopic{}
	topic.append(statusRecord("status-connector-c", "RUNNING", "w1", 9))
	s := newMemStatus(t, topic, "w1")
	s.SetGeneration(9)
	attempted, release := holdSends(topic)
	s.PutConnector("c", herder.ConnectorState{State: herder.Unassigned})
	<-attempted
	// The brokers are back; the work has moved to w2 meanwhile.
	topic.append(statusRecord("status-connector-c", "RUNNING", "w2", 11))
	release()
	flush(t, s)
	want := []string{
		`status-connector-c = {"state":"RUNNING","trace":null,"worker_id":"w1","generation":9}`,
		`status-connector-c = {"state":"RUNNING","trace":null,"worker_id":"w2","generation":11}`,
	}
	if got := recordStrings(topic.all()); !reflect.DeepEqual(got, want) {
		t.Errorf("records = %q, want w1's late UNASSIGNED dropped", got)
	}
	if st, _ := s.Connector("c"); st.State != herder.Running || st.WorkerID != "w2" {
		t.Errorf("status = %+v, want w2's RUNNING", st)
	}
}

// TestKafkaStatusRestampsRunningAfterRejoin: a RUNNING status that could
// not be written before the worker rejoined (Kafka away) is written with
// the new generation, rather than dropped, when it is still the worker's
// latest for the task; another worker's older UNASSIGNED in the topic
// must not stay the last word while the task runs here.
func TestKafkaStatusRestampsRunningAfterRejoin(t *testing.T) {
	topic := &simpleTopic{}
	topic.append(statusRecord("status-task-c-0", "UNASSIGNED", "w2", 5))
	s := newMemStatus(t, topic, "w1")
	s.SetGeneration(7)
	attempted, release := holdSends(topic)
	id := herder.TaskID{Connector: "c", Task: 0}
	s.PutTask(id, herder.TaskState{ID: 0, State: herder.Running})
	<-attempted
	s.SetGeneration(9) // rejoined while the write waited
	release()
	flush(t, s)
	want := []string{
		`status-task-c-0 = {"state":"UNASSIGNED","trace":null,"worker_id":"w2","generation":5}`,
		`status-task-c-0 = {"state":"RUNNING","trace":null,"worker_id":"w1","generation":9,"version":null}`,
	}
	if got := recordStrings(topic.all()); !reflect.DeepEqual(got, want) {
		t.Errorf("records = %q, want the RUNNING written with the new generation", got)
	}
}

// holdSends fails every Send on topic with a retriable error until
// release is called, and from the second attempt after that on lets them
// succeed: an attempt under way when release is called may have checked
// its writes for staleness before the caller changed them, the next one
// sees the changes. attempted receives a value (if there is room) at each
// attempt.
func holdSends(topic *simpleTopic) (attempted <-chan struct{}, release func()) {
	ch := make(chan struct{}, 1)
	var mu sync.Mutex
	attempts, okFrom := 0, math.MaxInt
	topic.mu.Lock()
	topic.fail = func([]kafka.LogRecord) error {
		mu.Lock()
		attempts++
		ok := attempts >= okFrom
		mu.Unlock()
		select {
		case ch <- struct{}{}:
		default:
		}
		if ok {
			return nil
		}
		return fmt.Errorf("produce: %w", sarama.ErrOutOfBrokers)
	}
	topic.mu.Unlock()
	return ch, func() {
		mu.Lock()
		okFrom = attempts + 2
		mu.Unlock()
	}
}

// TestKafkaStatusFence: once the worker has lost its group membership
// (Fence), its RUNNING and PAUSED statuses not written yet, and those it
// puts until it joins again, never reach the topic, even when it rejoined
// before they could be written; UNASSIGNED and FAILED, which say the work
// stopped here, do. The next generation (SetGeneration) lifts the fence.
func TestKafkaStatusFence(t *testing.T) {
	t0 := herder.TaskID{Connector: "c", Task: 0}
	t1 := herder.TaskID{Connector: "c", Task: 1}
	running := herder.TaskState{State: herder.Running}
	tests := []struct {
		name string
		run  func(s *KafkaStatus, topic *simpleTopic)
		want []string
	}{{
		name: "queued RUNNING and PAUSED dropped after Fence",
		run: func(s *KafkaStatus, topic *simpleTopic) {
			attempted, release := holdSends(topic)
			s.PutTask(t0, running)
			s.PutConnector("c", herder.ConnectorState{State: herder.Paused})
			<-attempted
			s.Fence()
			release()
		},
	}, {
		name: "queued RUNNING dropped after Fence though the worker rejoined before it was written",
		run: func(s *KafkaStatus, topic *simpleTopic) {
			attempted, release := holdSends(topic)
			s.PutTask(t0, running)
			<-attempted
			s.Fence()
			s.SetGeneration(8)
			release()
		},
	}, {
		name: "RUNNING and PAUSED put while fenced dropped",
		run: func(s *KafkaStatus, _ *simpleTopic) {
			s.Fence()
			s.PutTask(t0, running)
			s.PutConnector("c", herder.ConnectorState{State: herder.Paused})
		},
	}, {
		name: "queued UNASSIGNED and FAILED kept after Fence",
		run: func(s *KafkaStatus, topic *simpleTopic) {
			attempted, release := holdSends(topic)
			s.PutTask(t0, herder.TaskState{State: herder.Failed, Trace: "boom"})
			s.PutConnector("c", herder.ConnectorState{State: herder.Unassigned})
			<-attempted
			s.Fence()
			release()
		},
		want: []string{
			`status-task-c-0 = {"state":"FAILED","trace":"boom","worker_id":"w1","generation":7,"version":null}`,
			`status-connector-c = {"state":"UNASSIGNED","trace":null,"worker_id":"w1","generation":7,"version":null}`,
		},
	}, {
		name: "UNASSIGNED and FAILED put while fenced kept",
		run: func(s *KafkaStatus, _ *simpleTopic) {
			s.Fence()
			s.PutTask(t0, herder.TaskState{State: herder.Failed, Trace: "boom"})
			s.PutTask(t1, herder.TaskState{State: herder.Unassigned})
		},
		want: []string{
			`status-task-c-0 = {"state":"FAILED","trace":"boom","worker_id":"w1","generation":7,"version":null}`,
			`status-task-c-1 = {"state":"UNASSIGNED","trace":null,"worker_id":"w1","generation":7,"version":null}`,
		},
	}, {
		name: "fence lifted at the next generation",
		run: func(s *KafkaStatus, _ *simpleTopic) {
			s.Fence()
			s.PutTask(t0, running)
			s.SetGeneration(8)
			s.PutTask(t1, running)
		},
		want: []string{`status-task-c-1 = {"state":"RUNNING","trace":null,"worker_id":"w1","generation":8,"version":null}`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topic := &simpleTopic{}
			s := newMemStatus(t, topic, "w1")
			s.SetGeneration(7)
			tt.run(s, topic)
			flush(t, s)
			if got := recordStrings(topic.all()); !slices.Equal(got, tt.want) {
				t.Errorf("records:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestKafkaStatusRestampsFailedAfterRebalance: a task that FAILED just
// before a rebalance (its write put in one generation, sent in the next)
// is written with the new generation, after the topic was read to its end,
// when no other worker has reported the task since; else its RUNNING
// would stay the last word while nothing runs. When another worker has
// reported it meanwhile, the FAILED is dropped.
func TestKafkaStatusRestampsFailedAfterRebalance(t *testing.T) {
	for _, moved := range []bool{false, true} {
		topic := &simpleTopic{}
		s := newMemStatus(t, topic, "w1")
		s.SetGeneration(7)
		id := herder.TaskID{Connector: "c", Task: 0}
		s.PutTask(id, herder.TaskState{ID: 0, State: herder.Running})
		flush(t, s)
		attempted, release := holdSends(topic)
		s.PutTask(id, herder.TaskState{ID: 0, State: herder.Failed, Trace: "boom"})
		<-attempted
		s.SetGeneration(8) // a rebalance while the write waited
		if moved {
			topic.append(statusRecord("status-task-c-0", "RUNNING", "w2", 8))
		}
		release()
		flush(t, s)
		want := []string{
			`status-task-c-0 = {"state":"RUNNING","trace":null,"worker_id":"w1","generation":7,"version":null}`,
			`status-task-c-0 = {"state":"FAILED","trace":"boom","worker_id":"w1","generation":8,"version":null}`,
		}
		if moved {
			want[1] = `status-task-c-0 = {"state":"RUNNING","trace":null,"worker_id":"w2","generation":8}`
		}
		if got := recordStrings(topic.all()); !reflect.DeepEqual(got, want) {
			t.Errorf("moved=%v: records = %q, want %q", moved, got, want)
		}
	}
}

// TestKafkaStatusRestampsQueuedFailed: the same for a FAILED still queued
// behind another write when the generation changes (its first attempt).
func TestKafkaStatusRestampsQueuedFailed(t *testing.T) {
	topic := &simpleTopic{}
	s := newMemStatus(t, topic, "w1")
	s.SetGeneration(7)
	attempted, release := holdSends(topic)
	s.PutConnector("c", herder.ConnectorState{State: herder.Running})
	<-attempted // the sender holds the connector's write
	s.PutTask(herder.TaskID{Connector: "c", Task: 0}, herder.TaskState{ID: 0, State: herder.Failed, Trace: "boom"})
	s.SetGeneration(8)
	release()
	flush(t, s)
	want := []string{
		`status-connector-c = {"state":"RUNNING","trace":null,"worker_id":"w1","generation":8,"version":null}`,
		`status-task-c-0 = {"state":"FAILED","trace":"boom","worker_id":"w1","generation":8,"version":null}`,
	}
	if got := recordStrings(topic.all()); !reflect.DeepEqual(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

// TestKafkaStatusVersion: statuses carry the plugin's version as Kafka
// Connect 4.4 writes it (its status-topic-final.json capture:
// {"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:18444","generation":2,"version":"4.4.0"}),
// and records without one (older workers) or with a null one read fine.
func TestKafkaStatusVersion(t *testing.T) {
	topic := &simpleTopic{}
	s := newMemStatus(t, topic, "127.0.0.1:18444")
	s.SetGeneration(2)
	s.PutConnector("c", herder.ConnectorState{State: herder.Running, Version: "4.4.0"})
	s.PutTask(herder.TaskID{Connector: "c", Task: 0}, herder.TaskState{State: herder.Running, Version: "1.10.0-SNAPSHOT"})
	flush(t, s)
	want := []string{
		`status-connector-c = {"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:18444","generation":2,"version":"4.4.0"}`,
		`status-task-c-0 = {"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:18444","generation":2,"version":"1.10.0-SNAPSHOT"}`,
	}
	if got := recordStrings(topic.all()); !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n got %q\nwant %q", got, want)
	}
	// Kafka Connect 4.4's UNASSIGNED task status (version null) and a 3.x
	// worker's status (no version).
	topic.append(kafka.LogRecord{Key: []byte("status-task-c-1"),
		Value: []byte(`{"state":"UNASSIGNED","trace":null,"worker_id":"127.0.0.1:18444","generation":5,"version":null}`)})
	topic.append(statusRecord("status-connector-old", "RUNNING", "w3", 3))
	other := newMemStatus(t, topic, "w2")
	if c, ok := other.Connector("c"); !ok || c.Version != "4.4.0" {
		t.Errorf("Connector = %+v, %v; want version 4.4.0", c, ok)
	}
	tasks := other.Tasks("c")
	if len(tasks) != 2 || tasks[0].Version != "1.10.0-SNAPSHOT" || tasks[1].State != herder.Unassigned || tasks[1].Version != "" {
		t.Errorf("Tasks = %+v", tasks)
	}
	if c, ok := other.Connector("old"); !ok || c.State != herder.Running || c.Version != "" {
		t.Errorf("a status without a version: %+v, %v", c, ok)
	}
}

// TestStatusKeepsVersion: a status put without a version keeps the one it
// replaces (the herders' RESTARTING, STOPPED, UNASSIGNED), except FAILED,
// in both stores.
func TestStatusKeepsVersion(t *testing.T) {
	kafkaStore := newMemStatus(t, &simpleTopic{}, "w1")
	for name, store := range map[string]StatusStore{"memory": NewMemoryStatus(), "kafka": kafkaStore} {
		t.Run(name, func(t *testing.T) {
			steps := []struct {
				state   herder.State
				version herder.PluginVersion
				want    herder.PluginVersion
			}{
				{herder.Running, "1.2.0", "1.2.0"},
				{herder.Restarting, "", "1.2.0"},
				{herder.Running, "2.0.0", "2.0.0"},
				{herder.Stopped, "", "2.0.0"},
				{herder.Unassigned, "", "2.0.0"},
				{herder.Failed, "", ""},
				{herder.Restarting, "", ""},
			}
			for i, st := range steps {
				store.PutConnector("c", herder.ConnectorState{State: st.state, WorkerID: "w1", Version: st.version})
				store.PutTask(herder.TaskID{Connector: "c", Task: 0}, herder.TaskState{State: st.state, WorkerID: "w1", Version: st.version})
				c, _ := store.Connector("c")
				tasks := store.Tasks("c")
				if c.Version != st.want || len(tasks) != 1 || tasks[0].Version != st.want {
					t.Errorf("step %d (%s %q): connector version %q, tasks %+v; want %q", i, st.state, st.version, c.Version, tasks, st.want)
				}
			}
		})
	}
}

// TestKafkaStatusHostileVersion: a status record whose version is not a
// string (a number, an object, an array nested deeply, a huge string)
// written by anything on the status topic is read without failing or
// losing the status: a non-string version is ignored, a string one kept
// whole; a record nested past what the decoder takes is discarded alone.
func TestKafkaStatusHostileVersion(t *testing.T) {
	huge := strings.Repeat("9", 1<<20)
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	tooDeep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	for _, tc := range []struct {
		name, version string
		want          string
		present       bool
	}{
		{"number", `4.4`, "", true},
		{"object", `{"major":4}`, "", true},
		{"deep array", deep, "", true},
		{"boolean", `true`, "", true},
		{"huge string", `"` + huge + `"`, huge, true},
		{"unicode digits", `"４.４.０"`, "４.４.０", true},
		{"nested past the decoder's limit", tooDeep, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topic := &simpleTopic{}
			value := `{"state":"RUNNING","trace":null,"worker_id":"w","generation":1,"version":` + tc.version + `}`
			topic.append(kafka.LogRecord{Key: []byte("status-connector-c"), Value: []byte(value)},
				kafka.LogRecord{Key: []byte("status-task-c-0"), Value: []byte(value)},
				statusRecord("status-connector-other", "RUNNING", "w", 1))
			s := newMemStatus(t, topic, "w2")
			c, ok := s.Connector("c")
			if ok != tc.present || c.Version != herder.PluginVersion(tc.want) {
				t.Errorf("connector: %v, version %.20q; want present %v, version %.20q", ok, c.Version, tc.present, tc.want)
			}
			tasks := s.Tasks("c")
			if tc.present && (len(tasks) != 1 || tasks[0].State != herder.Running || tasks[0].Version != herder.PluginVersion(tc.want)) {
				t.Errorf("tasks: %d", len(tasks))
			}
			if o, ok := s.Connector("other"); !ok || o.State != herder.Running {
				t.Errorf("the next record was not read: %+v, %v", o, ok)
			}
		})
	}
}
