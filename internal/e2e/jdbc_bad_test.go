package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/schemas"
)

// awaitConnectorOrTaskFailed waits until the connector or one of its tasks
// is FAILED and returns that trace.
func awaitConnectorOrTaskFailed(t *testing.T, c *client.Client, name string, w *testkit.Worker) string {
	t.Helper()
	return awaitTrace(t, c, name, w, true)
}

// awaitProblemReported waits until the connector or one of its tasks is
// FAILED or shows a trace while it runs (a connector that retries a
// database it cannot use says why) and returns that trace.
func awaitProblemReported(t *testing.T, c *client.Client, name string, w *testkit.Worker) string {
	t.Helper()
	return awaitTrace(t, c, name, w, false)
}

func awaitTrace(t *testing.T, c *client.Client, name string, w *testkit.Worker, failedOnly bool) string {
	t.Helper()
	var trace string
	what := name + " or a task of it FAILED"
	if !failedOnly {
		what = name + " or a task of it FAILED or with a trace"
	}
	eventually(t, 45*time.Second, what, func() (bool, string) {
		st, err := c.ConnectorStatus(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		states := []herder.TaskState{{State: st.Connector.State, Trace: st.Connector.Trace}}
		states = append(states, st.Tasks...)
		for _, s := range states {
			if s.State == herder.Failed || (!failedOnly && s.Trace != "") {
				trace = s.Trace
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", st)
	}, w)
	return trace
}

// TestJDBCBadConnection: a wrong password, an unreachable host and (for
// the source) a missing table. config/validate answers with an error on
// the key at fault, in words; stored as it is (as a configuration saved
// before the problem arose would be), the connector or its task is FAILED,
// or keeps running and retrying, with a trace that says what is wrong. The
// password (the real one and the wrong one) appears in no validation
// answer, trace or log line.
func TestJDBCBadConnection(t *testing.T) {
	e := newJDBCEnv(t)
	e.exec("CREATE TABLE present (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))")
	wrongPassword := secret(t, "wrongpw")
	cases := []struct {
		name      string
		class     string
		override  map[string]string
		keys      []string // a key of these must carry the error
		words     []string // one of these must be in it (case-insensitive)
		noStarted bool     // the started connector need not fail
	}{
		{name: "source wrong password", class: jdbcSourceClass, override: map[string]string{"connection.password": wrongPassword},
			keys: []string{"connection.password", "connection.user", "connection.url"}, words: []string{"access denied"}},
		{name: "sink wrong password", class: jdbcSinkClass, override: map[string]string{"connection.password": wrongPassword},
			keys: []string{"connection.password", "connection.user", "connection.url"}, words: []string{"access denied"}},
		{name: "source unreachable host", class: jdbcSourceClass,
			override: map[string]string{"connection.url": "jdbc:mysql://127.0.0.1:1/" + e.db.Name, "connection.attempts": "1"},
			keys:     []string{"connection.url"}, words: []string{"unreachable", "connection refused", "127.0.0.1:1"}},
		{name: "sink unreachable host", class: jdbcSinkClass,
			override: map[string]string{"connection.url": "jdbc:mysql://127.0.0.1:1/" + e.db.Name, "connection.attempts": "1"},
			keys:     []string{"connection.url"}, words: []string{"unreachable", "connection refused", "127.0.0.1:1"}},
		{name: "source missing table", class: jdbcSourceClass, override: map[string]string{"table.whitelist": "no_such_table"},
			keys: []string{"table.whitelist"}, words: []string{"no_such_table"}, noStarted: true},
	}
	lw := newLimitsWorker(t, e.bootstrap)
	stored := map[string]map[string]string{}
	names := map[string]string{}
	for _, c := range cases {
		cfg := e.connection(map[string]string{
			"connector.class": c.class, "tasks.max": "1", "mode": "incrementing", "incrementing.column.name": "id",
			"table.whitelist": "present", "topic.prefix": unique("bad") + "_", "topics": unique("bad"),
		})
		if c.class == jdbcSinkClass {
			for _, k := range []string{"mode", "incrementing.column.name", "table.whitelist", "topic.prefix"} {
				delete(cfg, k)
			}
			// Like Confluent's, the sink connects when it has records to
			// write: give it one, and few quick retries.
			e.avroConverters(cfg)
			cfg["max.retries"], cfg["retry.backoff.ms"] = "1", "100"
			e.newAvroProducer(cfg["topics"]).send(badRecords()[0])
		} else {
			delete(cfg, "topics")
		}
		for k, v := range c.override {
			cfg[k] = v
		}
		names[c.name] = unique("bad")
		stored[names[c.name]] = cfg
	}
	lw.store(t, stored)
	w := lw.start(t, "bad")
	t.Cleanup(func() {
		noSecretIn(t, "the worker's log", w.Log(), e.db.Password)
		noSecretIn(t, "the worker's log", w.Log(), wrongPassword)
	})
	ctx := context.Background()
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			cfg := stored[names[c.name]]
			class := "JdbcSourceConnector"
			if c.class == jdbcSinkClass {
				class = "JdbcSinkConnector"
			}
			// config/validate: an error on the key at fault.
			infos, err := lw.c.Validate(ctx, class, cfg)
			if err != nil {
				t.Fatalf("%s: validate: %v", c.name, err)
			}
			answer, _ := json.Marshal(infos)
			noSecretIn(t, c.name+": the validate answer", string(answer), e.db.Password)
			noSecretIn(t, c.name+": the validate answer", string(answer), wrongPassword)
			var errs []string
			ok := false
			for _, ci := range infos.Configs {
				if ci.Value == nil || len(ci.Value.Errors) == 0 {
					continue
				}
				msg := strings.Join(ci.Value.Errors, "; ")
				errs = append(errs, ci.Value.Name+": "+msg)
				ok = ok || (containsAny(ci.Value.Name, c.keys) && containsAny(msg, c.words))
			}
			if !ok || infos.ErrorCount == 0 {
				t.Errorf("%s: validate finds no error on %v saying %q; errors: %v", c.name, c.keys, c.words, errs)
			}

			if c.noStarted {
				return
			}
			// Stored and started: FAILED, or RUNNING and retrying, with a
			// trace in words.
			trace := awaitProblemReported(t, lw.c, names[c.name], w)
			t.Logf("trace: %.400s", trace)
			if !containsAny(trace, c.words) {
				t.Errorf("%s: the trace does not say %q:\n%s", c.name, c.words, trace)
			}
			noSecretIn(t, c.name+": the trace", trace, wrongPassword)
			noSecretIn(t, c.name+": the trace", trace, e.db.Password)
		})
	}
}

func containsAny(s string, words []string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(s, strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// badRecords are the records of the sink's data-error tests: ten rows of
// which the one at offset 5 repeats the primary key 3 and the one at
// offset 8 has a name too long for its column.
var badValue = schemas.NewBuilder(schemas.TypeStruct).Name("sluice.e2e.Row").
	Field("id", schemas.Int32Schema).Field("name", schemas.StringSchema).MustBuild()

func badRecords() []record {
	ids := []int32{1, 2, 3, 4, 5, 3, 6, 7, 8, 9}
	recs := make([]record, len(ids))
	for i, id := range ids {
		name := fmt.Sprintf("r%d", i)
		if i == 8 {
			name = strings.Repeat("long", 10)
		}
		recs[i] = record{valueSchema: badValue, value: schemas.NewStruct(badValue).MustPut("id", id).MustPut("name", name)}
	}
	return recs
}

// TestJDBCSinkDataErrorsToleranceNone: a record the database rejects (a
// duplicate primary key with insert.mode=insert) under
// errors.tolerance=none fails the task; its trace names the table and the
// server's error, and the connector's consumer group has not committed an
// offset past the bad record.
func TestJDBCSinkDataErrorsToleranceNone(t *testing.T) {
	e := newJDBCEnv(t)
	e.exec("CREATE TABLE strict_rows (id INT PRIMARY KEY, name VARCHAR(10) NOT NULL)")
	topic := testkit.NewTopic(t, e.bootstrap, 1)
	e.newAvroProducer(topic).send(badRecords()...)
	name := unique("none_sink")
	jw := e.newWorker("sink")
	w := jw.start("sink", e.avroConverters(e.connection(map[string]string{
		"name": name, "connector.class": jdbcSinkClass, "tasks.max": "1", "topics": topic,
		"table.name.format": "strict_rows", "insert.mode": "insert", "pk.mode": "record_value", "pk.fields": "id",
	})))
	trace := awaitConnectorOrTaskFailed(t, jw.c, name, w)
	for _, want := range []string{"strict_rows", "Duplicate entry"} {
		if !strings.Contains(trace, want) {
			t.Errorf("the trace does not name %q:\n%s", want, trace)
		}
	}
	noSecretIn(t, "the trace", trace, e.db.Password)
	// The task commits again as it closes: read the group's offset once the
	// worker has stopped.
	w.Term()
	if c := e.groupCommitted(name, topic); c > 5 {
		t.Errorf("the group committed offset %d, past the bad record at offset 5", c)
	}
}

// TestJDBCSinkIncompatibleType: a record whose field does not fit the
// existing column's type (a string for an INT) under errors.tolerance=none
// fails the task with a trace naming the table and the column.
func TestJDBCSinkIncompatibleType(t *testing.T) {
	e := newJDBCEnv(t)
	e.exec("CREATE TABLE typed (id INT PRIMARY KEY, amount INT NOT NULL)")
	topic := testkit.NewTopic(t, e.bootstrap, 1)
	s := schemas.NewBuilder(schemas.TypeStruct).Name("sluice.e2e.Typed").
		Field("id", schemas.Int32Schema).Field("amount", schemas.StringSchema).MustBuild()
	e.newAvroProducer(topic).send(record{valueSchema: s, value: schemas.NewStruct(s).MustPut("id", int32(1)).MustPut("amount", "not a number")})
	name := unique("type_sink")
	jw := e.newWorker("sink")
	w := jw.start("sink", e.avroConverters(e.connection(map[string]string{
		"name": name, "connector.class": jdbcSinkClass, "tasks.max": "1", "topics": topic,
		"table.name.format": "typed", "insert.mode": "insert", "pk.mode": "record_value", "pk.fields": "id",
	})))
	trace := awaitConnectorOrTaskFailed(t, jw.c, name, w)
	for _, want := range []string{"typed", "amount"} {
		if !strings.Contains(trace, want) {
			t.Errorf("the trace does not name %q:\n%s", want, trace)
		}
	}
	// The task commits again as it closes: read the group's offset once the
	// worker has stopped.
	w.Term()
	if c := e.groupCommitted(name, topic); c > 0 {
		t.Errorf("the group committed offset %d, past the bad record at offset 0", c)
	}
	if n := e.count("SELECT COUNT(*) FROM typed"); n != 0 {
		t.Errorf("%d rows written from a record that does not fit", n)
	}
}

// TestJDBCSinkDataErrorsToleranceAll: under errors.tolerance=all with a
// dead letter queue, the records the database rejects (a duplicate key,
// a value too long for its column) go to the DLQ with Kafka Connect's
// error headers, and every other record of the batch is written.
func TestJDBCSinkDataErrorsToleranceAll(t *testing.T) {
	e := newJDBCEnv(t)
	e.exec("CREATE TABLE tolerant_rows (id INT PRIMARY KEY, name VARCHAR(10) NOT NULL)")
	topic := testkit.NewTopic(t, e.bootstrap, 1)
	dlq := unique("dlq")
	e.newAvroProducer(topic).send(badRecords()...)
	name := unique("all_sink")
	jw := e.newWorker("sink")
	w := jw.start("sink", e.avroConverters(e.connection(map[string]string{
		"name": name, "connector.class": jdbcSinkClass, "tasks.max": "1", "topics": topic,
		"table.name.format": "tolerant_rows", "insert.mode": "insert", "pk.mode": "record_value", "pk.fields": "id",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
		"errors.deadletterqueue.topic.replication.factor": "1", "errors.deadletterqueue.context.headers.enable": "true",
	})))
	eventually(t, 30*time.Second, "every record committed", func() (bool, string) {
		c := e.groupCommitted(name, topic)
		return c == 10, fmt.Sprintf("committed %d of 10", c)
	}, w)
	rows := e.queryText("SELECT id, name FROM tolerant_rows ORDER BY id")
	var got []string
	for _, r := range rows {
		got = append(got, textRow(r))
	}
	want := []string{`("1", "r0")`, `("2", "r1")`, `("3", "r2")`, `("4", "r3")`, `("5", "r4")`, `("6", "r6")`, `("7", "r7")`, `("9", "r9")`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("table holds %v, want %v", got, want)
	}
	msgs := readTopicMessages(t, e.bootstrap, dlq)
	if len(msgs) != 2 {
		t.Fatalf("%d records in the DLQ, want 2 (offsets 5 and 8)", len(msgs))
	}
	for i, m := range msgs {
		h := map[string]string{}
		for _, rh := range m.Headers {
			h[string(rh.Key)] = string(rh.Value)
		}
		wantOffset, wantMsg := []string{"5", "8"}[i], []string{"Duplicate entry", "too long"}[i]
		for k, v := range map[string]string{"topic": topic, "partition": "0", "offset": wantOffset, "connector.name": name, "task.id": "0"} {
			if h["__connect.errors."+k] != v {
				t.Errorf("DLQ record %d: header __connect.errors.%s = %q, want %q", i, k, h["__connect.errors."+k], v)
			}
		}
		if !strings.Contains(h["__connect.errors.exception.message"], wantMsg) {
			t.Errorf("DLQ record %d: exception message %q does not say %q", i, h["__connect.errors.exception.message"], wantMsg)
		}
		for k, v := range h {
			noSecretIn(t, "DLQ header "+k, v, e.db.Password)
		}
	}
}
