package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// srcEvent is one write to the source table the connector must deliver:
// the row's state after it (its v is unique to the event).
type srcEvent struct {
	id int
	ts time.Time
	v  string
}

// sourceRun is a JDBC source over one table, written to while it runs, for
// the kill -9 tests.
type sourceRun struct {
	e        *jdbcEnv
	mode     string
	table    string
	base     time.Time
	events   []srcEvent
	nextID   int
	updated  map[int]bool // seed rows already updated (each at most once)
	seeds    int
	hasTS    bool
	topic    string
	name     string
	jw       *jdbcWorker
	conn     map[string]string
	writeIdx int // the index of the next write, for timestamps and values
}

func newSourceRun(t *testing.T, mode string) *sourceRun {
	e := newJDBCEnv(t)
	r := &sourceRun{e: e, mode: mode, table: "ev", updated: map[int]bool{}, nextID: 1,
		hasTS: strings.HasPrefix(mode, "timestamp"), base: time.Now().UTC().Truncate(time.Second).Add(-time.Hour)}
	e.exec("CREATE TABLE ev (id INT AUTO_INCREMENT PRIMARY KEY, ts TIMESTAMP(3) NOT NULL DEFAULT '2000-01-01 00:00:00', " +
		"v VARCHAR(32) NOT NULL, note VARCHAR(32) NULL)")
	prefix := unique("src") + "_"
	r.topic, r.name = prefix+"ev", unique("src_"+strings.ReplaceAll(mode, "+", "_"))
	r.conn = e.connection(map[string]string{
		"name": r.name, "connector.class": jdbcSourceClass, "tasks.max": "1", "mode": mode,
		"table.whitelist": "ev", "topic.prefix": prefix, "poll.interval.ms": "100", "batch.max.rows": "50",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
	})
	if mode != "timestamp" {
		r.conn["incrementing.column.name"] = "id"
	}
	if r.hasTS {
		r.conn["timestamp.column.name"] = "ts"
	}
	r.jw = e.newWorker("source")
	return r
}

// tsOf is the timestamp of the i-th write: strictly increasing, an hour in
// the past (so the source's upper bound, the database's now, never holds a
// row back), in whole milliseconds.
func (r *sourceRun) tsOf(i int) time.Time { return r.base.Add(time.Duration(i) * time.Millisecond) }

// insert adds a row: an event in every mode.
func (r *sourceRun) insert() {
	i := r.writeIdx
	r.writeIdx++
	ev := srcEvent{id: r.nextID, ts: r.tsOf(i), v: fmt.Sprintf("e%07d", i)}
	r.nextID++
	r.e.execArgs("INSERT INTO ev (id, ts, v) VALUES (?, ?, ?)", ev.id, ev.ts.Format("2006-01-02 15:04:05.000"), ev.v)
	r.events = append(r.events, ev)
}

// update changes a seed row that was never updated: in the timestamp
// modes its ts and v (an event, which the source must deliver), in
// incrementing mode a column the source does not track (no event). Each
// row is updated once at most and only after the seeds were delivered, so
// no event can be overwritten before the source reads it.
func (r *sourceRun) update() {
	id := 0
	for c := 1; c <= r.seeds; c++ {
		if !r.updated[c] {
			id = c
			break
		}
	}
	if id == 0 {
		r.insert()
		return
	}
	r.updated[id] = true
	i := r.writeIdx
	r.writeIdx++
	if !r.hasTS {
		r.e.execArgs("UPDATE ev SET note = ? WHERE id = ?", fmt.Sprintf("n%d", i), id)
		return
	}
	ev := srcEvent{id: id, ts: r.tsOf(i), v: fmt.Sprintf("e%07d", i)}
	r.e.execArgs("UPDATE ev SET ts = ?, v = ? WHERE id = ?", ev.ts.Format("2006-01-02 15:04:05.000"), ev.v, id)
	r.events = append(r.events, ev)
}

// writeChunk makes n writes, one in four an update.
func (r *sourceRun) writeChunk(n int) {
	for k := range n {
		if k%4 == 3 {
			r.update()
		} else {
			r.insert()
		}
	}
}

// partition is the connector's source partition of the table, as
// Confluent's connector writes it (protocol 1, db.table).
func (r *sourceRun) partition() map[string]any {
	return map[string]any{"protocol": "1", "table": r.e.db.Name + ".ev"}
}

// committedEvents reads the committed offset of the table and returns how
// many events it covers, checking that its fields are the mode's.
func (r *sourceRun) committedEvents() (int, map[string]any) {
	t := r.e.t
	t.Helper()
	off := sourceOffset(t, r.jw.offsets, r.name, r.partition())
	if off == nil {
		return 0, nil
	}
	var wantKeys []string
	switch r.mode {
	case "incrementing":
		wantKeys = []string{"incrementing"}
	case "timestamp":
		wantKeys = []string{"timestamp", "timestamp_nanos"}
	default:
		wantKeys = []string{"incrementing", "timestamp", "timestamp_nanos"}
	}
	keys := make([]string, 0, len(off))
	for k := range off {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("offset %v has the fields %v, want %v as Confluent's connector writes in mode %s", off, keys, wantKeys, r.mode)
	}
	num := func(k string) int64 {
		f, ok := off[k].(float64)
		if !ok || f != math.Trunc(f) {
			t.Fatalf("offset field %s = %v is not an integer", k, off[k])
		}
		return int64(f)
	}
	var inc int64
	var ts time.Time
	if r.mode != "timestamp" {
		inc = num("incrementing")
	}
	if r.hasTS {
		// java.sql.Timestamp: epoch milliseconds, with the sub-second part
		// replaced by the nanoseconds.
		ms, nanos := num("timestamp"), num("timestamp_nanos")
		if nanos < 0 || nanos > 999_999_999 {
			t.Fatalf("timestamp_nanos %d is not the nanoseconds of a second", nanos)
		}
		ts = time.UnixMilli(ms - ((ms%1000)+1000)%1000).Add(time.Duration(nanos))
	}
	n := 0
	for _, ev := range r.events {
		var covered bool
		switch r.mode {
		case "incrementing":
			covered = int64(ev.id) <= inc
		case "timestamp":
			covered = !ev.ts.After(ts)
		default:
			covered = ev.ts.Before(ts) || (ev.ts.Equal(ts) && int64(ev.id) <= inc)
		}
		if !covered {
			break
		}
		n++
	}
	return n, off
}

// testSourceKill9 runs the JDBC source in one mode while the table is
// written to, kills the worker with SIGKILL mid-stream, writes more and
// restarts it: every event reaches the topic, in order; the first run's
// records are a prefix of the events and the restart resumes exactly at
// the committed offset, so duplicates come only from after it.
func testSourceKill9(t *testing.T, mode string) {
	const total = 1500
	r := newSourceRun(t, mode)
	r.seeds = 200
	for range r.seeds {
		r.insert()
	}
	w := r.jw.start("source", r.conn)
	eventually(t, 30*time.Second, "the seed rows in the topic", func() (bool, string) {
		n := r.topicLen()
		return n >= int64(r.seeds), fmt.Sprintf("%d records", n)
	}, w)
	eventually(t, 30*time.Second, "a committed offset past the seeds while the table is written to", func() (bool, string) {
		if r.writeIdx < total/2 {
			r.writeChunk(20)
		}
		c, off := r.committedEvents()
		return c > r.seeds && r.writeIdx >= total/2, fmt.Sprintf("offset %v covers %d events, %d writes", off, c, r.writeIdx)
	}, w)
	w.Kill9()
	committed, off := r.committedEvents()
	for r.writeIdx < total {
		r.writeChunk(20)
	}

	w = r.jw.start("source-restarted", r.conn)
	n := len(r.events)
	eventually(t, 30*time.Second, "the last event committed after the restart", func() (bool, string) {
		c, off := r.committedEvents()
		return c == n, fmt.Sprintf("offset %v covers %d of %d events", off, c, n)
	}, w)
	w.Term()

	index := map[string]int{}
	for i, ev := range r.events {
		index[ev.v] = i
	}
	msgs := readTopicMessages(t, r.e.bootstrap, r.topic)
	got := make([]int, len(msgs))
	for i, m := range msgs {
		var v struct {
			ID int    `json:"id"`
			V  string `json:"v"`
		}
		if err := json.Unmarshal(m.Value, &v); err != nil {
			t.Fatalf("record %d: %v: %s", m.Offset, err, m.Value)
		}
		j, ok := index[v.V]
		if !ok || r.events[j].id != v.ID {
			t.Fatalf("record %d %s is no event written to the table", m.Offset, m.Value)
		}
		got[i] = j
	}
	first := len(got) - (n - committed)
	if first < committed {
		t.Fatalf("%d records for %d events with %d committed at the kill: events were lost", len(got), n, committed)
	}
	for i := range first {
		if got[i] != i {
			t.Fatalf("record %d of the first run is event %d, want %d (events lost or out of order)", i, got[i], i)
		}
	}
	for i, g := range got[first:] {
		if g != committed+i {
			t.Fatalf("record %d after the restart is event %d, want %d: the restart did not resume at the committed offset %v", first+i, g, committed+i, off)
		}
	}
	t.Logf("%s: %d events (%d writes); the first run delivered %d, %d committed at the kill (%v): %d duplicates",
		mode, n, r.writeIdx, first, committed, off, first-committed)
}

// topicLen is the number of records in the connector's topic (0 before it
// exists).
func (r *sourceRun) topicLen() int64 {
	return partitionEnd(r.e.bootstrap, r.topic)
}

func TestJDBCSourceKill9Incrementing(t *testing.T) { testSourceKill9(t, "incrementing") }

func TestJDBCSourceKill9Timestamp(t *testing.T) { testSourceKill9(t, "timestamp") }

func TestJDBCSourceKill9TimestampIncrementing(t *testing.T) {
	testSourceKill9(t, "timestamp+incrementing")
}

// TestJDBCSourceResumesConfluentOffsets writes source offsets into a
// distributed worker's offsets topic as Kafka Connect stores them for
// Confluent's JDBC source (JsonConverter without schemas: the key
// ["<connector>",<partition>], the value the offset), for the protocol-1
// partition {"protocol":"1","table":"<db>.<table>"} in incrementing and
// timestamp+incrementing mode and for the legacy partition
// {"table":"<table>"}; each connector, created afterwards, resumes from its
// offset: its topic holds exactly the rows after it, in order.
func TestJDBCSourceResumesConfluentOffsets(t *testing.T) {
	e := newJDBCEnv(t)
	const rows = 300
	base := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	e.exec("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, ts TIMESTAMP(3) NOT NULL DEFAULT '2000-01-01 00:00:00', v VARCHAR(16) NOT NULL)")
	var vals []string
	for i := 1; i <= rows; i++ {
		vals = append(vals, fmt.Sprintf("(%d, '%s', 'r%d')", i, base.Add(time.Duration(i)*time.Millisecond).Format("2006-01-02 15:04:05.000"), i))
	}
	e.exec("INSERT INTO t (id, ts, v) VALUES " + strings.Join(vals, ", "))

	cl := newCluster(t)
	n := cl.start("w1") // creates the internal topics
	ts150 := base.Add(150 * time.Millisecond)
	cases := []struct {
		name, mode string
		partition  string
		offset     string
		from       int // the last row the offset covers
	}{
		{"v1-incrementing", "incrementing", fmt.Sprintf(`{"protocol":"1","table":"%s.t"}`, e.db.Name), `{"incrementing":120}`, 120},
		{"legacy-incrementing", "incrementing", `{"table":"t"}`, `{"incrementing":200}`, 200},
		{"v1-timestamp-incrementing", "timestamp+incrementing", fmt.Sprintf(`{"protocol":"1","table":"%s.t"}`, e.db.Name),
			fmt.Sprintf(`{"timestamp_nanos":%d,"incrementing":150,"timestamp":%d}`, ts150.Nanosecond(), ts150.UnixMilli()), 150},
	}
	cfg := producerConfig()
	cfg.Producer.Partitioner = sarama.NewMurmur2Partitioner
	p, err := sarama.NewSyncProducer(testkit.Addrs(cl.bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	topics := map[string]string{}
	for _, c := range cases {
		name := unique("confluent_" + strings.ReplaceAll(c.name, "-", "_"))
		key := fmt.Sprintf(`[%q,%s]`, name, c.partition)
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: cl.props["offset.storage.topic"],
			Key: sarama.StringEncoder(key), Value: sarama.StringEncoder(c.offset)}); err != nil {
			t.Fatal(err)
		}
		prefix := unique("cf") + "_"
		topics[c.name] = prefix + "t"
		conn := e.connection(map[string]string{
			"connector.class": jdbcSourceClass, "tasks.max": "1", "mode": c.mode, "table.whitelist": "t",
			"incrementing.column.name": "id", "topic.prefix": prefix, "poll.interval.ms": "200",
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
		})
		if c.mode == "timestamp+incrementing" {
			conn["timestamp.column.name"] = "ts"
		}
		if _, err := n.c.CreateConnector(context.Background(), herder.CreateConnectorRequest{Name: name, Config: conn}); err != nil {
			t.Fatalf("%s: create: %v", c.name, err)
		}
		t.Cleanup(func() { noSecretIn(t, "the log of worker w1", n.w.Log(), e.db.Password) })
	}
	for _, c := range cases {
		topic := topics[c.name]
		eventually(t, 30*time.Second, c.name+": the rows after the stored offset", func() (bool, string) {
			got := partitionEnd(cl.bootstrap, topic)
			return got >= int64(rows-c.from), fmt.Sprintf("%d of %d records", got, rows-c.from)
		}, n.w)
	}
	for _, c := range cases {
		msgs := readTopicMessages(t, cl.bootstrap, topics[c.name])
		var ids []int
		for _, m := range msgs {
			var v struct {
				ID int `json:"id"`
			}
			if err := json.Unmarshal(m.Value, &v); err != nil {
				t.Fatalf("%s: record %d: %v", c.name, m.Offset, err)
			}
			ids = append(ids, v.ID)
		}
		if len(ids) != rows-c.from || ids[0] != c.from+1 || !slices.IsSorted(ids) || ids[len(ids)-1] != rows {
			t.Errorf("%s: the connector did not resume after row %d of the stored offset %s: got rows %v", c.name, c.from, c.offset, ids)
		}
	}
}
