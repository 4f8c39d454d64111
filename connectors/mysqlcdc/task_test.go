package mysqlcdc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/history"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// memHistory is a schema history kept in memory, shared by the tasks of
// one test as the Kafka topic would be.
type memHistory struct {
	mu      sync.Mutex
	records []history.Record
}

func (m *memHistory) Init(context.Context) error { return nil }
func (m *memHistory) Store(_ context.Context, r history.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, r)
	return nil
}
func (m *memHistory) Recover(_ context.Context, o map[string]any, apply func(history.Record) error) error {
	m.mu.Lock()
	recs := append([]history.Record(nil), m.records...)
	m.mu.Unlock()
	for _, r := range recs {
		ok, err := history.AtOrBefore("mariadb", r.Position, o)
		if err != nil {
			return err
		}
		if ok {
			if err := apply(r); err != nil {
				return err
			}
		}
	}
	return nil
}
func (m *memHistory) Exists(context.Context) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records) > 0, nil
}
func (m *memHistory) Close() error { return nil }

// memOffsets is the one partition's committed offset, as the runtime
// reads it back (connectortest's Offsets would be an import cycle: it
// imports the plugins, which import this package).
type memOffsets struct {
	mu sync.Mutex
	m  map[string]any
}

func (o *memOffsets) commit(m map[string]any) {
	n, err := connectors.NormalizeOffset(m)
	if err != nil {
		panic(err)
	}
	o.mu.Lock()
	o.m = n
	o.mu.Unlock()
}

func (o *memOffsets) Offset(context.Context, map[string]any) (map[string]any, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.m), nil
}

// taskContext is the task's context in tests: the offsets given, and logs
// (debug level) to logs or, when nil, to the test's log.
type taskContext struct {
	t       testing.TB
	offsets *memOffsets
	logs    io.Writer
}

func (c taskContext) Offsets() connectors.OffsetReader { return c.offsets }
func (c taskContext) Logger() *slog.Logger {
	var w io.Writer = testWriter{c.t}
	if c.logs != nil {
		w = c.logs
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// harness runs tasks of one connector against the real MariaDB, with the
// offsets committed as the runtime commits them once records are acked.
type harness struct {
	t       testing.TB
	props   map[string]string
	offsets *memOffsets
	hist    *memHistory
	task    *Task
}

func newHarness(t testing.TB, d testkit.Database, extra map[string]string) *harness {
	t.Helper()
	host, port, _ := net.SplitHostPort(d.Addr)
	props := map[string]string{
		HostnameKey: host, PortKey: port, UserKey: d.User, PasswordKey: d.Password,
		ServerIDKey:        strconv.Itoa(100000 + rand.IntN(1<<30)),
		TopicPrefixKey:     "core",
		DatabaseIncludeKey: d.Name,
		HistoryTopicKey:    "core-history", HistoryServersKey: "unused:9092",
		PollIntervalKey: "50",
	}
	for k, v := range extra {
		props[k] = v
	}
	return &harness{t: t, props: props, offsets: &memOffsets{}, hist: &memHistory{}}
}

// start starts a task (the previous one must be stopped).
func (h *harness) start() {
	h.t.Helper()
	h.task = &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.task.Start(ctx, taskContext{t: h.t, offsets: h.offsets}, h.props); err != nil {
		h.t.Fatalf("Start: %v", err)
	}
	h.t.Cleanup(func() { h.stop() })
}

// historyFactory gives tasks the harness's history.
func (h *harness) historyFactory() func(map[string]string, Flavor, *slog.Logger) (historyStore, error) {
	return func(map[string]string, Flavor, *slog.Logger) (historyStore, error) { return h.hist, nil }
}

// startStreaming starts a task and waits until it reads the binlog (the
// snapshot is done), returning the records it sent before.
func (h *harness) startStreaming() []connectors.SourceRecord {
	h.t.Helper()
	h.start()
	var got []connectors.SourceRecord
	deadline := time.After(60 * time.Second)
	for {
		select {
		case <-h.task.streaming:
			return append(got, h.pollFor(100*time.Millisecond, nil)...)
		case <-deadline:
			h.t.Fatal("the task did not start streaming")
		default:
		}
		got = append(got, h.pollFor(20*time.Millisecond, nil)...)
	}
}

func (h *harness) stop() {
	if h.task != nil {
		_ = h.task.Stop(context.Background())
		h.task = nil
	}
}

// poll polls until want data records (of the tables, not heartbeats or
// schema changes) came, committing each record's offset as an ack would.
func (h *harness) poll(want int, topicFilter func(string) bool) []connectors.SourceRecord {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var got []connectors.SourceRecord
	for len(got) < want {
		if time.Now().After(deadline) {
			h.t.Fatalf("got %d records of %d before the deadline", len(got), want)
		}
		got = append(got, h.pollOnce(topicFilter)...)
	}
	return got
}

// pollOnce polls once, acking every record, and returns those of the
// topic (all for nil).
func (h *harness) pollOnce(topic func(string) bool) []connectors.SourceRecord {
	h.t.Helper()
	recs, err := h.task.Poll(context.Background())
	if err != nil {
		h.t.Fatalf("Poll: %v", err)
	}
	var got []connectors.SourceRecord
	for _, r := range recs {
		h.offsets.commit(r.SourceOffset)
		if topic == nil || topic(r.Topic) {
			got = append(got, r)
		}
	}
	return got
}

// change describes a data record: op, key id and the after (or before)
// name column.
type change struct {
	op   string
	id   int64
	name any
}

func describeRec(t *testing.T, r connectors.SourceRecord) change {
	t.Helper()
	if r.Value == nil {
		return change{op: "tombstone", id: r.Key.(*schemas.Struct).Get("id").(int64)}
	}
	env := r.Value.(*schemas.Struct)
	op := env.Get("op").(string)
	row, _ := env.Get("after").(*schemas.Struct)
	if op == "d" {
		row = env.Get("before").(*schemas.Struct)
	}
	return change{op: op, id: row.Get("id").(int64), name: row.Get("name")}
}

func dataTopic(d testkit.Database, table string) func(string) bool {
	want := "core." + d.Name + "." + table
	return func(s string) bool { return s == want }
}

func TestSnapshotThenStreaming(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))",
		"INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c')")
	h := newHarness(t, d, nil)
	h.start()
	recs := h.poll(3, dataTopic(d, "t"))
	var snaps []string
	for i, r := range recs {
		c := describeRec(t, r)
		if c.op != "r" || c.id != int64(i+1) {
			t.Fatalf("snapshot record %d: %+v", i, c)
		}
		snaps = append(snaps, r.Value.(*schemas.Struct).Get("source").(*schemas.Struct).Get("snapshot").(string))
		if i < 2 && r.SourceOffset[offsetSnapshot] != snapshotInitial {
			t.Errorf("snapshot record %d offset %v: no snapshot key", i, r.SourceOffset)
		}
	}
	if fmt.Sprint(snaps) != "[first true last]" {
		t.Errorf("source.snapshot markers %v", snaps)
	}
	if _, ok := recs[2].SourceOffset[offsetSnapshot]; ok {
		t.Errorf("the last snapshot record's offset %v still says snapshot", recs[2].SourceOffset)
	}
	d.Exec(t, "INSERT INTO t VALUES (4,'d'),(5,'e')", "UPDATE t SET name='B' WHERE id=2", "DELETE FROM t WHERE id=1")
	recs = h.poll(5, dataTopic(d, "t"))
	want := []change{{"c", 4, "d"}, {"c", 5, "e"}, {"u", 2, "B"}, {"d", 1, "a"}, {"tombstone", 1, nil}}
	for i, r := range recs {
		if got := describeRec(t, r); got != want[i] {
			t.Errorf("record %d: %+v, want %+v", i, got, want[i])
		}
	}
	// Offsets: the two-row insert's records say which row is done.
	if recs[0].SourceOffset[offsetRow] != int64(1) || recs[1].SourceOffset[offsetRow] != int64(2) {
		t.Errorf("offsets of the 2-row insert: %v, %v", recs[0].SourceOffset, recs[1].SourceOffset)
	}
}
