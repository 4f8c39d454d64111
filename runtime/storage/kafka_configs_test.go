package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// rec is a config topic record as any writer (Java or sluice) puts it.
func rec(key, value string) kafka.LogRecord {
	return kafka.LogRecord{Key: []byte(key), Value: []byte(value)}
}

// tomb is a tombstone.
func tomb(key string) kafka.LogRecord { return kafka.LogRecord{Key: []byte(key)} }

// logRecorder keeps the messages logged at warn level and above.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }
func (r *logRecorder) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

func newConfigs(t *testing.T, topic *memTopic, l ConfigListener, logs *logRecorder) *KafkaConfigs {
	t.Helper()
	h := slog.Handler(slog.DiscardHandler)
	if logs != nil {
		h = logs
	}
	c, err := NewKafkaConfigs(topic.open, l, slog.New(h))
	if err != nil {
		t.Fatalf("NewKafkaConfigs: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

func startConfigs(t *testing.T, topic *memTopic, l ConfigListener, logs *logRecorder) *KafkaConfigs {
	t.Helper()
	c := newConfigs(t, topic, l, logs)
	if err := c.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return c
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestKafkaConfigsGoldenRecords checks the bytes of every record type the
// store writes against what Kafka Connect's JsonConverter
// (schemas.enable=false) writes for the schemas in
// connect/runtime/src/main/java/org/apache/kafka/connect/storage/KafkaConfigBackingStore.java.
func TestKafkaConfigsGoldenRecords(t *testing.T) {
	ctx := t.Context()
	topic := newMemTopic()
	c := startConfigs(t, topic, ConfigListener{}, nil)

	type golden struct{ key, value string } // value "<nil>" = tombstone
	steps := []struct {
		name  string
		write func() error
		want  []golden
	}{{
		// CONNECTOR_CONFIGURATION_V0: struct{properties: map<string, optional string>}.
		name:  "connector config",
		write: func() error { return c.PutConnectorConfig(ctx, "my-conn", map[string]string{"b": "2", "a": "1"}, "") },
		want:  []golden{{"connector-my-conn", `{"properties":{"a":"1","b":"2"}}`}},
	}, {
		// putConnectorConfig with a target state: TARGET_STATE_V1 first in
		// the same batch (KIP-980); serializeTargetState writes STOPPED as
		// state PAUSED for older workers.
		name: "connector config with initial state",
		write: func() error {
			return c.PutConnectorConfig(ctx, "s", map[string]string{"k": "v"}, herder.TargetStopped)
		},
		want: []golden{
			{"target-state-s", `{"state":"PAUSED","state.v2":"STOPPED"}`},
			{"connector-s", `{"properties":{"k":"v"}}`},
		},
	}, {
		name:  "target state PAUSED",
		write: func() error { return c.PutTargetState(ctx, "my-conn", herder.TargetPaused) },
		want:  []golden{{"target-state-my-conn", `{"state":"PAUSED","state.v2":"PAUSED"}`}},
	}, {
		name:  "target state STARTED",
		write: func() error { return c.PutTargetState(ctx, "my-conn", herder.TargetStarted) },
		want:  []golden{{"target-state-my-conn", `{"state":"STARTED","state.v2":"STARTED"}`}},
	}, {
		// TASK_CONFIGURATION_V0 (= CONNECTOR_CONFIGURATION_V0) per task, key
		// TASK_KEY "task-<connector>-<n>", then CONNECTOR_TASKS_COMMIT_V0
		// struct{tasks: int32}.
		name: "task configs",
		write: func() error {
			return c.PutTaskConfigs(ctx, "my-conn", []map[string]string{{"task.id": "0"}, {"task.id": "1"}})
		},
		want: []golden{
			{"task-my-conn-0", `{"properties":{"task.id":"0"}}`},
			{"task-my-conn-1", `{"properties":{"task.id":"1"}}`},
			{"commit-my-conn", `{"tasks":2}`},
		},
	}, {
		// SESSION_KEY_V0: key (base64, Base64.getEncoder), algorithm,
		// creation-timestamp (int64 ms).
		name: "session key",
		write: func() error {
			return c.PutSessionKey(ctx, SessionKey{Key: []byte{0, 1, 2, 3, 250}, Algorithm: "HmacSHA256", Created: time.UnixMilli(1700000000000)})
		},
		want: []golden{{"session-key", `{"key":"AAECA/o=","algorithm":"HmacSHA256","creation-timestamp":1700000000000}`}},
	}, {
		// RESTART_REQUEST_V0: include-tasks, then only-failed.
		name: "restart request",
		write: func() error {
			return c.PutRestartRequest(ctx, RestartRequest{Connector: "my-conn", IncludeTasks: true})
		},
		want: []golden{{"restart-connector-my-conn", `{"include-tasks":true,"only-failed":false}`}},
	}, {
		name:  "restart request only failed",
		write: func() error { return c.PutRestartRequest(ctx, RestartRequest{Connector: "my-conn", OnlyFailed: true}) },
		want:  []golden{{"restart-connector-my-conn", `{"include-tasks":false,"only-failed":true}`}},
	}, {
		// TASK_COUNT_RECORD_V0: struct{task-count: int32}, key prefix tasks-fencing-.
		name:  "task count record",
		write: func() error { return c.PutTaskCountRecord(ctx, "my-conn", 2) },
		want:  []golden{{"tasks-fencing-my-conn", `{"task-count":2}`}},
	}, {
		// LOGGER_LEVEL_V0: struct{level: string}, key LOGGER_CLUSTER_KEY.
		name:  "logger level",
		write: func() error { return c.PutLoggerLevel(ctx, "org.apache.kafka.connect", "DEBUG") },
		want:  []golden{{"logger-cluster-org.apache.kafka.connect", `{"level":"DEBUG"}`}},
	}, {
		// Jackson's default escaping: short escapes for \b \t \n \f \r,
		// \u00XX upper-case for other control characters, '/' and non-ASCII
		// written as is.
		name: "escaping",
		write: func() error {
			return c.PutConnectorConfig(ctx, "esc", map[string]string{"q\"": "a\\b\n\t\r\b\f\x01\x1f/<>&é\u2028"}, "")
		},
		want: []golden{{"connector-esc", `{"properties":{"q\"":"a\\b\n\t\r\b\f\u0001\u001F/<>&é` + "\u2028" + `"}}`}},
	}, {
		name:  "empty task configs",
		write: func() error { return c.PutTaskConfigs(ctx, "s", nil) },
		want:  []golden{{"commit-s", `{"tasks":0}`}},
	}, {
		// removeConnectorConfig: tombstones for CONNECTOR_KEY and TARGET_STATE_KEY.
		name:  "remove",
		write: func() error { return c.RemoveConnectorConfig(ctx, "my-conn") },
		want:  []golden{{"connector-my-conn", "<nil>"}, {"target-state-my-conn", "<nil>"}},
	}}
	for _, s := range steps {
		before := len(topic.snapshot())
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		var got []golden
		for _, r := range topic.snapshot()[before:] {
			v := string(r.Value)
			if r.Value == nil {
				v = "<nil>"
			}
			got = append(got, golden{string(r.Key), v})
		}
		if !reflect.DeepEqual(got, s.want) {
			t.Errorf("%s: wrote\n%q\nwant\n%q", s.name, got, s.want)
		}
	}
}

// TestKafkaConfigsReadsJavaRecords reads a topic written by a Kafka Connect
// worker: HashMap key order, null property values, numbers and booleans
// where strings belong, records of old workers, junk.
func TestKafkaConfigsReadsJavaRecords(t *testing.T) {
	topic := newMemTopic()
	topic.append(
		rec("connector-jdbc-sink", `{"properties":{"tasks.max":"2","name":"jdbc-sink","connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","topics":"orders","x.null":null,"x.long":42,"x.double":1.5,"x.big":1E7,"x.small":0.0001,"x.bool":true,"x.list":[1,"a"],"x.map":{"b":false,"a":1}}}`),
		rec("task-jdbc-sink-1", `{"properties":{"task.class":"T","n":"1"}}`),
		rec("task-jdbc-sink-0", `{"properties":{"task.class":"T","n":"0"}}`),
		rec("commit-jdbc-sink", `{"tasks":2}`),
		// Written by a worker older than KIP-875: no state.v2.
		rec("target-state-jdbc-sink", `{"state":"PAUSED"}`),
		rec("connector-stopped", `{"properties":{"name":"stopped"}}`),
		rec("target-state-stopped", `{"state":"PAUSED","state.v2":"STOPPED"}`),
		rec("session-key", `{"key":"c2VjcmV0","algorithm":"HmacSHA256","creation-timestamp":1700000000123}`),
		rec("tasks-fencing-jdbc-sink", `{"task-count":2}`),
		rec("restart-connector-jdbc-sink", `{"include-tasks":true,"only-failed":true}`),
		rec("logger-cluster-org.apache", `{"level":"TRACE"}`),
		rec("something-else", `{}`),
		rec("connector-bad", `{"properties":`), // not JSON: skipped, offset not moved (as Java)
	)
	logs := &logRecorder{}
	var calls []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); calls = append(calls, s); mu.Unlock() }
	c := startConfigs(t, topic, ConfigListener{
		ConnectorUpdated:  func(n string) { note("updated " + n) },
		TasksUpdated:      func([]herder.TaskID) { note("tasks") },
		TargetChanged:     func(n string) { note("target " + n) },
		SessionKeyUpdated: func(SessionKey) { note("session key") },
		RestartRequested:  func(RestartRequest) { note("restart") },
		LoggerLevel:       func(string, string) { note("logger") },
	}, logs)
	s := c.Snapshot()

	if s.Offset != 12 {
		t.Errorf("Offset = %d, want 12 (the unparsable record at 12 does not move it)", s.Offset)
	}
	wantCfg := map[string]string{
		"tasks.max": "2", "name": "jdbc-sink", "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "topics": "orders",
		"x.long": "42", "x.double": "1.5", "x.big": "1.0E7", "x.small": "1.0E-4", "x.bool": "true", "x.list": "[1, a]", "x.map": "{a=1, b=false}",
	}
	if got := s.Configs["jdbc-sink"]; !reflect.DeepEqual(got, wantCfg) {
		t.Errorf("config = %v\nwant %v", got, wantCfg)
	}
	if got := s.Connectors(); !reflect.DeepEqual(got, []string{"jdbc-sink", "stopped"}) {
		t.Errorf("Connectors() = %v", got)
	}
	if s.Targets["jdbc-sink"] != herder.TargetPaused || s.Targets["stopped"] != herder.TargetStopped {
		t.Errorf("Targets = %v, want jdbc-sink PAUSED, stopped STOPPED", s.Targets)
	}
	wantTasks := []map[string]string{{"task.class": "T", "n": "0"}, {"task.class": "T", "n": "1"}}
	if got := s.TaskConfigs["jdbc-sink"]; !reflect.DeepEqual(got, wantTasks) || s.TaskCount("jdbc-sink") != 2 {
		t.Errorf("TaskConfigs = %v (count %d), want %v", got, s.TaskCount("jdbc-sink"), wantTasks)
	}
	if s.TaskCount("stopped") != 0 || s.TaskGenerations["jdbc-sink"] != 0 || s.TaskCountRecords["jdbc-sink"] != 2 || s.PendingFencing["jdbc-sink"] {
		t.Errorf("task state: stopped count %d, generations %v, count records %v, pending %v",
			s.TaskCount("stopped"), s.TaskGenerations, s.TaskCountRecords, s.PendingFencing)
	}
	wantKey := &SessionKey{Key: []byte("secret"), Algorithm: "HmacSHA256", Created: time.UnixMilli(1700000000123)}
	if !reflect.DeepEqual(s.SessionKey, wantKey) {
		t.Errorf("SessionKey = %+v, want %+v", s.SessionKey, wantKey)
	}
	if len(s.Inconsistent) != 0 {
		t.Errorf("Inconsistent = %v", s.Inconsistent)
	}
	if len(calls) != 0 {
		t.Errorf("listener called for records read before Start returned: %v", calls)
	}
	msgs := strings.Join(logs.messages(), "\n")
	for _, want := range []string{"unknown key", "not JSON"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("logged %q, want a message containing %q", msgs, want)
		}
	}
}

// TestKafkaConfigsConsistency covers KafkaConfigBackingStore's rules for
// task commits over compacted history.
func TestKafkaConfigsConsistency(t *testing.T) {
	props := func(v string) string { return `{"properties":{"v":"` + v + `"}}` }
	type check func(t *testing.T, s ConfigSnapshot)
	cases := []struct {
		name    string
		records []kafka.LogRecord
		check   check
	}{{
		name: "incomplete commit marks inconsistent, a complete one fixes it",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("task-foo-1", props("t1")), // task 0 compacted away
			rec("commit-foo", `{"tasks":2}`),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if !s.Inconsistent["foo"] || s.TaskConfigs["foo"] != nil || s.TaskCount("foo") != 0 {
				t.Errorf("Inconsistent %v, TaskConfigs %v", s.Inconsistent, s.TaskConfigs)
			}
			if _, ok := s.TaskGenerations["foo"]; ok {
				t.Errorf("TaskGenerations = %v, want none applied", s.TaskGenerations)
			}
			if !s.PendingFencing["foo"] {
				t.Errorf("PendingFencing = %v, want foo (Java marks every processed commit)", s.PendingFencing)
			}
		},
	}, {
		name: "buffers are cleared after an inconsistent commit",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("task-foo-1", props("old1")),
			rec("commit-foo", `{"tasks":2}`),
			rec("task-foo-0", props("new0")),
			rec("commit-foo", `{"tasks":2}`), // old1 is gone with the buffer
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if !s.Inconsistent["foo"] {
				t.Errorf("Inconsistent = %v, want foo", s.Inconsistent)
			}
		},
	}, {
		name: "complete commit after an inconsistent one",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("task-foo-1", props("old1")),
			rec("commit-foo", `{"tasks":2}`),
			rec("task-foo-0", props("0")),
			rec("task-foo-1", props("1")),
			rec("commit-foo", `{"tasks":2}`),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			want := []map[string]string{{"v": "0"}, {"v": "1"}}
			if s.Inconsistent["foo"] || !reflect.DeepEqual(s.TaskConfigs["foo"], want) || s.TaskGenerations["foo"] != 0 {
				t.Errorf("Inconsistent %v, TaskConfigs %v, generations %v", s.Inconsistent, s.TaskConfigs, s.TaskGenerations)
			}
		},
	}, {
		// completeTaskIdSet's own example: 2 tasks shrunk to 1, the old
		// task 1 survives compaction next to the new task 0.
		name: "extra buffered tasks are tolerated",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("task-foo-1", props("old1")),
			rec("task-foo-0", props("new0")),
			rec("commit-foo", `{"tasks":1}`),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if s.Inconsistent["foo"] || !reflect.DeepEqual(s.TaskConfigs["foo"], []map[string]string{{"v": "new0"}}) {
				t.Errorf("Inconsistent %v, TaskConfigs %v", s.Inconsistent, s.TaskConfigs)
			}
		},
	}, {
		name: "commit before the connector config is ignored",
		records: []kafka.LogRecord{
			rec("task-bar-0", props("0")),
			rec("commit-bar", `{"tasks":1}`),
			rec("connector-bar", props("c")),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if !s.Contains("bar") || s.TaskCount("bar") != 0 || s.Inconsistent["bar"] || s.PendingFencing["bar"] {
				t.Errorf("Configs %v, TaskConfigs %v, Inconsistent %v, Pending %v", s.Configs, s.TaskConfigs, s.Inconsistent, s.PendingFencing)
			}
			if s.Targets["bar"] != herder.TargetStarted {
				t.Errorf("Targets = %v, want bar STARTED by default", s.Targets)
			}
		},
	}, {
		name: "the ignored commit drops the buffer",
		records: []kafka.LogRecord{
			rec("task-bar-0", props("0")),
			rec("commit-bar", `{"tasks":1}`),
			rec("connector-bar", props("c")),
			rec("commit-bar", `{"tasks":1}`),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if !s.Inconsistent["bar"] {
				t.Errorf("Inconsistent = %v, want bar", s.Inconsistent)
			}
		},
	}, {
		// A connector deleted long ago: compaction removed its config and
		// tombstone; its task records (never tombstoned) remain.
		name: "task records of a compacted-away connector",
		records: []kafka.LogRecord{
			rec("task-gone-0", props("0")),
			rec("task-gone-1", props("1")),
			rec("commit-gone", `{"tasks":2}`),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if s.Contains("gone") || s.TaskConfigs["gone"] != nil || len(s.Inconsistent) != 0 || len(s.PendingFencing) != 0 {
				t.Errorf("snapshot %+v", s)
			}
		},
	}, {
		name: "names with dashes",
		records: []kafka.LogRecord{
			rec("connector-a-b", props("ab")),
			rec("connector-a-b-1", props("ab1")),
			rec("task-a-b-1-0", props("ab1-t0")),
			rec("task-a-b-1-1", props("ab1-t1")),
			rec("task-a-b-0", props("ab-t0")),
			rec("commit-a-b-1", `{"tasks":2}`),
			rec("commit-a-b", `{"tasks":1}`),
			rec("target-state-a-b-1", `{"state":"PAUSED","state.v2":"PAUSED"}`),
			rec("task-a-b-", props("junk")),  // Java's split drops the trailing empty part: 2 parts, ignored
			rec("task-a-b-x", props("junk")), // not a number: ignored
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if got := s.TaskConfigs["a-b-1"]; !reflect.DeepEqual(got, []map[string]string{{"v": "ab1-t0"}, {"v": "ab1-t1"}}) {
				t.Errorf("a-b-1 tasks = %v", got)
			}
			if got := s.TaskConfigs["a-b"]; !reflect.DeepEqual(got, []map[string]string{{"v": "ab-t0"}}) {
				t.Errorf("a-b tasks = %v", got)
			}
			if s.Targets["a-b"] != herder.TargetStarted || s.Targets["a-b-1"] != herder.TargetPaused {
				t.Errorf("Targets = %v", s.Targets)
			}
		},
	}, {
		// Java's appliedConnectorConfig: the connector config a consistent
		// commit applied, kept until the connector's next commit.
		name: "a commit applies the connector config read before it",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c1")),
			rec("task-foo-0", props("0")),
			rec("commit-foo", `{"tasks":1}`),
			rec("connector-bar", props("b1")),
			rec("commit-bar", `{"tasks":0}`),
			rec("connector-bar", props("b2")), // changed after its commit
			rec("connector-baz", props("z")),  // never committed
			rec("connector-inc", props("i")),
			rec("task-inc-1", props("1")),
			rec("commit-inc", `{"tasks":2}`), // inconsistent: applies nothing
			rec("connector-gone", props("g")),
			rec("commit-gone", `{"tasks":0}`),
			tomb("connector-gone"),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			want := map[string]map[string]string{"foo": {"v": "c1"}, "bar": {"v": "b1"}}
			if !reflect.DeepEqual(s.AppliedConfigs, want) {
				t.Errorf("AppliedConfigs = %v, want %v", s.AppliedConfigs, want)
			}
			if !reflect.DeepEqual(s.Configs["bar"], map[string]string{"v": "b2"}) {
				t.Errorf("Configs[bar] = %v", s.Configs["bar"])
			}
		},
	}, {
		name: "target state tombstone with the config present falls back to STARTED",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("target-state-foo", `{"state":"PAUSED","state.v2":"STOPPED"}`),
			tomb("target-state-foo"),
			rec("target-state-gone", `{"state":"PAUSED"}`),
			tomb("target-state-gone"),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			want := map[string]herder.TargetState{"foo": herder.TargetStarted}
			if !reflect.DeepEqual(s.Targets, want) {
				t.Errorf("Targets = %v, want %v", s.Targets, want)
			}
		},
	}, {
		// KIP-980: the initial state is written before the config.
		name: "target state before the connector config is kept",
		records: []kafka.LogRecord{
			rec("target-state-foo", `{"state":"PAUSED","state.v2":"STOPPED"}`),
			rec("connector-foo", props("c")),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if s.Targets["foo"] != herder.TargetStopped {
				t.Errorf("Targets = %v, want foo STOPPED", s.Targets)
			}
		},
	}, {
		name: "state.v2 of the wrong type falls back to state; unknown states are ignored",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("target-state-foo", `{"state":"PAUSED","state.v2":7}`),
			rec("connector-bar", props("c")),
			rec("target-state-bar", `{"state":"RUNNING"}`),
			rec("target-state-bar", `{"state.v2":"STOPPED"}`),
			rec("target-state-bar", `["PAUSED"]`),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			want := map[string]herder.TargetState{"foo": herder.TargetPaused, "bar": herder.TargetStopped}
			if !reflect.DeepEqual(s.Targets, want) {
				t.Errorf("Targets = %v, want %v", s.Targets, want)
			}
		},
	}, {
		name: "removal drops configs and tasks; generations count applied commits",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("task-foo-0", props("0")),
			rec("commit-foo", `{"tasks":1}`),
			rec("tasks-fencing-foo", `{"task-count":1}`),
			rec("task-foo-0", props("0b")),
			rec("commit-foo", `{"tasks":1}`),
			rec("commit-foo", `{"tasks":0}`), // nothing buffered: applied, no generation bump
			tomb("connector-foo"),
			tomb("target-state-foo"),
			rec("connector-foo", props("again")),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if s.Configs["foo"]["v"] != "again" || s.TaskCount("foo") != 0 || s.Targets["foo"] != herder.TargetStarted {
				t.Errorf("Configs %v, TaskConfigs %v, Targets %v", s.Configs, s.TaskConfigs, s.Targets)
			}
			if s.TaskGenerations["foo"] != 1 || !s.PendingFencing["foo"] || s.TaskCountRecords["foo"] != 1 {
				t.Errorf("generations %v, pending %v, count records %v", s.TaskGenerations, s.PendingFencing, s.TaskCountRecords)
			}
		},
	}, {
		name: "task count record clears pending fencing; int conversions",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("commit-foo", `{"tasks":0}`),
			rec("tasks-fencing-foo", `{"task-count":4294967299}`), // Java's (int) cast of a long: 3
			rec("connector-bar", props("c")),
			rec("commit-bar", `{"tasks":0}`),
			rec("tasks-fencing-bar", `{"task-count":1.0}`), // a Double: ignored
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if s.PendingFencing["foo"] || s.TaskCountRecords["foo"] != 3 {
				t.Errorf("foo pending %v count %v", s.PendingFencing, s.TaskCountRecords)
			}
			if !s.PendingFencing["bar"] {
				t.Errorf("bar pending = %v, want true", s.PendingFencing)
			}
			if _, ok := s.TaskCountRecords["bar"]; ok {
				t.Errorf("TaskCountRecords = %v, want no bar", s.TaskCountRecords)
			}
		},
	}, {
		name: "malformed records are skipped",
		records: []kafka.LogRecord{
			rec("connector-foo", props("c")),
			rec("task-foo-0", props("0")),
			rec("commit-foo", `{"tasks":1}`),
			rec("connector-foo", `{"props":{}}`),
			rec("connector-foo", `"text"`),
			rec("task-foo-0", `{"properties":[1]}`),
			tomb("task-foo-0"),
			rec("commit-foo", `{"tasks":"1"}`),
			rec("commit-foo", `{"tasks":1.5}`),
			rec("commit-foo", `{"tasks":-1}`),
			tomb("commit-foo"),
			rec("session-key", `{"key":"!!","algorithm":"HmacSHA256","creation-timestamp":1}`),
			rec("session-key", `{"key":"AA==","algorithm":"HmacSHA256","creation-timestamp":1.0}`),
			tomb("session-key"),
			rec("tasks-fencing-foo", `{}`),
			rec("logger-cluster-x", `{"level":3}`),
			rec("restart-connector-foo", `[]`),
			rec("", `{}`),
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			if s.Configs["foo"]["v"] != "c" || !reflect.DeepEqual(s.TaskConfigs["foo"], []map[string]string{{"v": "0"}}) {
				t.Errorf("Configs %v TaskConfigs %v", s.Configs, s.TaskConfigs)
			}
			if s.SessionKey != nil || len(s.TaskCountRecords) != 0 || len(s.Inconsistent) != 0 {
				t.Errorf("SessionKey %v, TaskCountRecords %v, Inconsistent %v", s.SessionKey, s.TaskCountRecords, s.Inconsistent)
			}
			if s.Offset != 18 {
				t.Errorf("Offset = %d, want 18", s.Offset)
			}
		},
	}, {
		name: "unpadded session key, empty value is a tombstone",
		records: []kafka.LogRecord{
			rec("session-key", `{"key":"AAE","algorithm":"HmacSHA512","creation-timestamp":5}`),
			rec("connector-foo", props("c")),
			{Key: []byte("connector-foo"), Value: []byte{}},
		},
		check: func(t *testing.T, s ConfigSnapshot) {
			want := &SessionKey{Key: []byte{0, 1}, Algorithm: "HmacSHA512", Created: time.UnixMilli(5)}
			if !reflect.DeepEqual(s.SessionKey, want) || s.Contains("foo") {
				t.Errorf("SessionKey %+v, Configs %v", s.SessionKey, s.Configs)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			topic := newMemTopic()
			topic.append(tc.records...)
			c := startConfigs(t, topic, ConfigListener{}, nil)
			tc.check(t, c.Snapshot())
		})
	}
}

func TestKafkaConfigsOffset(t *testing.T) {
	topic := newMemTopic()
	c := startConfigs(t, topic, ConfigListener{}, nil)
	if off := c.Snapshot().Offset; off != -1 {
		t.Errorf("Offset of an empty topic = %d, want -1", off)
	}
	mustNil(t, c.PutConnectorConfig(t.Context(), "a", nil, herder.TargetPaused))
	if off := c.Snapshot().Offset; off != 2 {
		t.Errorf("Offset after two records = %d, want 2", off)
	}
}

// event is one listener call.
type event struct {
	kind string
	arg  string
}

// TestKafkaConfigsListener runs a writer and a reader on one topic, as a
// leader and a follower, and checks the follower's listener calls mirror
// Java's UpdateListener calls.
func TestKafkaConfigsListener(t *testing.T) {
	ctx := t.Context()
	topic := newMemTopic()
	// History from before the follower started: no calls for it.
	topic.append(
		rec("connector-old", `{"properties":{}}`),
		rec("restart-connector-old", `{"include-tasks":true,"only-failed":false}`),
		rec("logger-cluster-old", `{"level":"INFO"}`),
		rec("session-key", `{"key":"AA==","algorithm":"HmacSHA256","creation-timestamp":1}`),
	)
	leader := startConfigs(t, topic, ConfigListener{}, nil)

	var mu sync.Mutex
	var events []event
	var follower *KafkaConfigs
	add := func(kind, arg string) {
		mu.Lock()
		events = append(events, event{kind, arg})
		mu.Unlock()
	}
	follower = startConfigs(t, topic, ConfigListener{
		ConnectorUpdated: func(n string) {
			// Called without the store's lock held: the snapshot shows the change.
			add("updated", fmt.Sprintf("%s contains=%v", n, follower.Snapshot().Contains(n)))
		},
		ConnectorRemoved: func(n string) { add("removed", n) },
		TasksUpdated: func(ids []herder.TaskID) {
			s := make([]string, len(ids))
			for i, id := range ids {
				s[i] = id.String()
			}
			add("tasks", strings.Join(s, ","))
		},
		TargetChanged:     func(n string) { add("target", n) },
		SessionKeyUpdated: func(k SessionKey) { add("session", fmt.Sprintf("%x %s %d", k.Key, k.Algorithm, k.Created.UnixMilli())) },
		RestartRequested: func(r RestartRequest) {
			add("restart", fmt.Sprintf("%s tasks=%v failed=%v", r.Connector, r.IncludeTasks, r.OnlyFailed))
		},
		LoggerLevel: func(ns, level string) { add("logger", ns+"="+level) },
	}, nil)

	steps := []struct {
		name  string
		write func() error
		want  []event
	}{
		{"create", func() error { return leader.PutConnectorConfig(ctx, "c-1", map[string]string{"a": "1"}, "") },
			[]event{{"updated", "c-1 contains=true"}}},
		{"create with initial state", func() error {
			return leader.PutConnectorConfig(ctx, "c-2", map[string]string{"a": "1"}, herder.TargetPaused)
		}, []event{{"updated", "c-2 contains=true"}}}, // no target call: the connector did not exist yet
		{"update", func() error { return leader.PutConnectorConfig(ctx, "c-1", map[string]string{"a": "2"}, "") },
			[]event{{"updated", "c-1 contains=true"}}},
		{"same target state", func() error { return leader.PutTargetState(ctx, "c-1", herder.TargetStarted) }, nil},
		{"pause", func() error { return leader.PutTargetState(ctx, "c-1", herder.TargetPaused) }, []event{{"target", "c-1"}}},
		{"stop", func() error { return leader.PutTargetState(ctx, "c-1", herder.TargetStopped) }, []event{{"target", "c-1"}}},
		{"target of an unknown connector", func() error { return leader.PutTargetState(ctx, "nobody", herder.TargetPaused) }, nil},
		{"tasks", func() error {
			return leader.PutTaskConfigs(ctx, "c-1", []map[string]string{{"t": "0"}, {"t": "1"}, {"t": "2"}})
		}, []event{{"tasks", "c-1-0,c-1-1,c-1-2"}}},
		{"no tasks", func() error { return leader.PutTaskConfigs(ctx, "c-2", nil) }, []event{{"tasks", ""}}},
		{"tasks of an unknown connector", func() error { return leader.PutTaskConfigs(ctx, "nobody", []map[string]string{{}}) }, nil},
		{"task count record", func() error { return leader.PutTaskCountRecord(ctx, "c-1", 3) }, nil},
		{"session key", func() error {
			return leader.PutSessionKey(ctx, SessionKey{Key: []byte{1, 2}, Algorithm: "HmacSHA256", Created: time.UnixMilli(99)})
		}, []event{{"session", "0102 HmacSHA256 99"}}},
		{"restart", func() error {
			return leader.PutRestartRequest(ctx, RestartRequest{Connector: "c-1", IncludeTasks: true, OnlyFailed: true})
		}, []event{{"restart", "c-1 tasks=true failed=true"}}},
		{"logger", func() error { return leader.PutLoggerLevel(ctx, "org.apache.kafka", "WARN") }, []event{{"logger", "org.apache.kafka=WARN"}}},
		{"remove", func() error { return leader.RemoveConnectorConfig(ctx, "c-1") }, []event{{"removed", "c-1"}}},
	}
	for _, s := range steps {
		mu.Lock()
		events = nil
		mu.Unlock()
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if err := follower.ReadToEnd(ctx); err != nil {
			t.Fatalf("%s: follower ReadToEnd: %v", s.name, err)
		}
		mu.Lock()
		got := events
		mu.Unlock()
		if !reflect.DeepEqual(got, s.want) {
			t.Errorf("%s: listener calls %v, want %v", s.name, got, s.want)
		}
	}

	fs, ls := follower.Snapshot(), leader.Snapshot()
	if !reflect.DeepEqual(fs, ls) {
		t.Errorf("follower and leader disagree:\n%+v\n%+v", fs, ls)
	}
	if fs.Contains("c-1") || fs.Targets["c-2"] != herder.TargetPaused || fs.TaskCountRecords["c-1"] != 3 {
		t.Errorf("final snapshot %+v", fs)
	}
}

// TestKafkaConfigsNilListenerFuncs checks that a listener without funcs is fine.
func TestKafkaConfigsNilListenerFuncs(t *testing.T) {
	ctx := t.Context()
	topic := newMemTopic()
	c := startConfigs(t, topic, ConfigListener{}, nil)
	mustNil(t, c.PutConnectorConfig(ctx, "a", nil, herder.TargetPaused))
	mustNil(t, c.PutTargetState(ctx, "a", herder.TargetStarted))
	mustNil(t, c.PutTaskConfigs(ctx, "a", []map[string]string{{}}))
	mustNil(t, c.PutSessionKey(ctx, SessionKey{Key: []byte{1}, Algorithm: "HmacSHA256", Created: time.Now()}))
	mustNil(t, c.PutRestartRequest(ctx, RestartRequest{Connector: "a"}))
	mustNil(t, c.PutLoggerLevel(ctx, "x", "INFO"))
	mustNil(t, c.RemoveConnectorConfig(ctx, "a"))
	mustNil(t, c.ReadToEnd(ctx))
	if c.Snapshot().Contains("a") {
		t.Error("a still configured after removal")
	}
}

func TestKafkaConfigsSnapshotIsDeepCopy(t *testing.T) {
	ctx := t.Context()
	topic := newMemTopic()
	c := startConfigs(t, topic, ConfigListener{}, nil)
	mustNil(t, c.PutConnectorConfig(ctx, "a", map[string]string{"k": "v"}, ""))
	mustNil(t, c.PutTaskConfigs(ctx, "a", []map[string]string{{"t": "0"}}))
	mustNil(t, c.PutSessionKey(ctx, SessionKey{Key: []byte{1, 2, 3}, Algorithm: "HmacSHA256", Created: time.UnixMilli(1)}))
	mustNil(t, c.PutTaskCountRecord(ctx, "a", 1))
	before := c.Snapshot()

	s := c.Snapshot()
	s.Configs["a"]["k"] = "changed"
	s.Configs["b"] = map[string]string{}
	s.Targets["a"] = herder.TargetStopped
	s.TaskConfigs["a"][0]["t"] = "changed"
	s.TaskConfigs["a"] = append(s.TaskConfigs["a"], map[string]string{})
	s.SessionKey.Key[0] = 9
	s.SessionKey.Algorithm = "x"
	s.Inconsistent["a"] = true
	s.TaskGenerations["a"] = 7
	s.TaskCountRecords["a"] = 7
	s.PendingFencing["a"] = true

	if after := c.Snapshot(); !reflect.DeepEqual(after, before) {
		t.Errorf("changing a snapshot changed the store:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestKafkaConfigsPutTaskConfigsOrdering(t *testing.T) {
	ctx := t.Context()
	topic := newMemTopic()
	c := startConfigs(t, topic, ConfigListener{}, nil)
	mustNil(t, c.PutConnectorConfig(ctx, "a-b", nil, ""))

	from := len(topic.ops())
	mustNil(t, c.PutTaskConfigs(ctx, "a-b", []map[string]string{{}, {}}))
	want := []string{"read", "send:task-a-b-0,task-a-b-1", "read", "send:commit-a-b", "read"}
	if got := topic.ops()[from:]; !reflect.DeepEqual(got, want) {
		t.Errorf("PutTaskConfigs calls %v, want %v", got, want)
	}

	// Java skips the read between the (empty) task batch and the commit.
	from = len(topic.ops())
	mustNil(t, c.PutTaskConfigs(ctx, "a-b", nil))
	want = []string{"read", "send:commit-a-b", "read"}
	if got := topic.ops()[from:]; !reflect.DeepEqual(got, want) {
		t.Errorf("PutTaskConfigs(nil) calls %v, want %v", got, want)
	}

	// Target states and logger levels are not read back (Java's
	// putTargetState / putLoggerLevel); the others are.
	for _, w := range []struct {
		name  string
		write func() error
		want  []string
	}{
		{"target", func() error { return c.PutTargetState(ctx, "a-b", herder.TargetPaused) }, []string{"send:target-state-a-b"}},
		{"logger", func() error { return c.PutLoggerLevel(ctx, "ns", "INFO") }, []string{"send:logger-cluster-ns"}},
		{"connector", func() error { return c.PutConnectorConfig(ctx, "a-b", nil, herder.TargetStarted) },
			[]string{"send:target-state-a-b,connector-a-b", "read"}},
		{"remove", func() error { return c.RemoveConnectorConfig(ctx, "a-b") }, []string{"send:connector-a-b,target-state-a-b", "read"}},
		{"count", func() error { return c.PutTaskCountRecord(ctx, "a-b", 1) }, []string{"send:tasks-fencing-a-b", "read"}},
		{"restart", func() error { return c.PutRestartRequest(ctx, RestartRequest{Connector: "a-b"}) }, []string{"send:restart-connector-a-b", "read"}},
		{"session", func() error { return c.PutSessionKey(ctx, SessionKey{Key: []byte{1}, Algorithm: "HmacSHA256"}) }, []string{"send:session-key", "read"}},
	} {
		from := len(topic.ops())
		mustNil(t, w.write())
		if got := topic.ops()[from:]; !reflect.DeepEqual(got, w.want) {
			t.Errorf("%s: calls %v, want %v", w.name, got, w.want)
		}
	}
}

func TestKafkaConfigsErrors(t *testing.T) {
	ctx := t.Context()

	openErr := errors.New("no broker")
	_, err := NewKafkaConfigs(func(func(kafka.LogRecord)) (TopicLog, error) { return nil, openErr }, ConfigListener{}, nil)
	if !errors.Is(err, openErr) || !strings.Contains(err.Error(), "config topic") {
		t.Errorf("NewKafkaConfigs error = %v, want it to wrap %v", err, openErr)
	}

	topic := newMemTopic()
	c := startConfigs(t, topic, ConfigListener{}, nil)
	sendErr := errors.New("not enough replicas")
	topic.mu.Lock()
	topic.sendErr = sendErr
	topic.mu.Unlock()
	for _, w := range []struct {
		name  string
		write func() error
		want  string
	}{
		{"connector", func() error { return c.PutConnectorConfig(ctx, "my-conn", nil, "") }, `connector "my-conn"`},
		{"remove", func() error { return c.RemoveConnectorConfig(ctx, "my-conn") }, `connector "my-conn"`},
		{"tasks", func() error { return c.PutTaskConfigs(ctx, "my-conn", []map[string]string{{}}) }, `task configs of connector "my-conn"`},
		{"commit", func() error { return c.PutTaskConfigs(ctx, "my-conn", nil) }, `task commit of connector "my-conn"`},
		{"target", func() error { return c.PutTargetState(ctx, "my-conn", herder.TargetPaused) }, `connector "my-conn"`},
		{"session", func() error { return c.PutSessionKey(ctx, SessionKey{Key: []byte{1}, Algorithm: "HmacSHA256"}) }, "session key"},
		{"restart", func() error { return c.PutRestartRequest(ctx, RestartRequest{Connector: "my-conn"}) }, `connector "my-conn"`},
		{"count", func() error { return c.PutTaskCountRecord(ctx, "my-conn", 1) }, `connector "my-conn"`},
		{"logger", func() error { return c.PutLoggerLevel(ctx, "ns", "INFO") }, `logger "ns"`},
	} {
		err := w.write()
		if !errors.Is(err, sendErr) || !strings.Contains(err.Error(), w.want) || !strings.Contains(err.Error(), "config topic") {
			t.Errorf("%s: error %v, want it to wrap %v and name %s and the config topic", w.name, err, sendErr, w.want)
		}
	}
	if n := len(topic.snapshot()); n != 0 {
		t.Errorf("%d records written despite send errors", n)
	}

	for _, w := range []struct {
		name  string
		write func() error
		want  string
	}{
		{"bad target", func() error { return c.PutTargetState(ctx, "x", "RUNNING") }, `target state "RUNNING" of connector "x": want STARTED, PAUSED or STOPPED`},
		{"bad initial", func() error { return c.PutConnectorConfig(ctx, "x", nil, "paused") }, `target state "paused" of connector "x"`},
		{"bad count", func() error { return c.PutTaskCountRecord(ctx, "x", -1) }, `connector "x": want a count between 0 and 2147483647, got -1`},
		{"bad session key", func() error { return c.PutSessionKey(ctx, SessionKey{}) }, "want a non-empty key and algorithm"},
	} {
		if err := w.write(); err == nil || !strings.Contains(err.Error(), w.want) {
			t.Errorf("%s: error %v, want it to contain %q", w.name, err, w.want)
		}
	}

	// A read that cannot finish reports the context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.ReadToEnd(cctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("ReadToEnd with a cancelled context: %v", err)
	}
}

func TestParseTaskKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want herder.TaskID
		ok   bool
	}{
		{"task-foo-0", herder.TaskID{Connector: "foo", Task: 0}, true},
		{"task-foo-bar-12", herder.TaskID{Connector: "foo-bar", Task: 12}, true},
		{"task-foo--3", herder.TaskID{Connector: "foo-", Task: 3}, true},
		{"task--1", herder.TaskID{Connector: "", Task: 1}, true},
		{"task-foo-+2", herder.TaskID{Connector: "foo", Task: 2}, true}, // Integer.parseInt accepts '+'
		{"task-foo", herder.TaskID{}, false},
		{"task-foo-", herder.TaskID{}, false},
		{"task-foo-x", herder.TaskID{}, false},
		{"task-foo-2147483648", herder.TaskID{}, false},
	} {
		got, ok := parseTaskKey(tc.key)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseTaskKey(%q) = %v, %v; want %v, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	for in, want := range map[float64]string{
		1.5: "1.5", 100: "100.0", 0.001: "0.001", 0.0001: "1.0E-4", 1e7: "1.0E7", 9999999: "9999999.0",
		1.25e-10: "1.25E-10", -2.5e21: "-2.5E21", 0.1: "0.1", 123456.789: "123456.789",
	} {
		if got := javafmt.Double(in); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", in, got, want)
		}
	}
	if got := javaString(map[string]any{"b": []any{true, nil}, "a": "x"}); got != "{a=x, b=[true, null]}" {
		t.Errorf("javaString = %q", got)
	}
	if got := maps.Collect(maps.All(propertiesOf(map[string]any{"n": nil, "s": "v"}))); !reflect.DeepEqual(got, map[string]string{"s": "v"}) {
		t.Errorf("propertiesOf dropped nothing: %v", got)
	}
}
