package connectortest_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/connectortest"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/schemas"
)

// seqSource is a small source for testing the suite: each task counts up
// on its partitions {"p": i}, with offsets {"n": next}. bug breaks one
// part of the contract.
type seqSource struct {
	bug   string
	props map[string]string
}

func (c *seqSource) Config() *config.Def {
	d := config.NewDef().
		Define(config.Key{Name: "topic", Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "The topic."}).
		Define(config.Key{Name: "partitions", Type: config.Int, Default: int32(2), Validator: config.AtLeast(1), Importance: config.Low, Doc: "Partitions."})
	if c.bug == "undocumented" {
		d.Define(config.Key{Name: "secret.knob", Type: config.Int, Default: int32(1), Importance: config.Low})
	}
	return d
}

func (c *seqSource) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	if _, err := c.Config().Parse(props); err != nil {
		return err
	}
	c.props = props
	return nil
}

func (c *seqSource) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	v, _ := c.Config().Parse(c.props)
	n := int(v.Int("partitions"))
	if c.bug == "too-many-tasks" {
		maxTasks = n // the bug: one task per partition, whatever maxTasks says
	} else {
		maxTasks = min(maxTasks, n)
	}
	out := make([]map[string]string, maxTasks)
	for i := range out {
		out[i] = map[string]string{"topic": c.props["topic"], "task": strconv.Itoa(i), "tasks": strconv.Itoa(maxTasks), "partitions": strconv.Itoa(n)}
	}
	return out, nil
}

func (c *seqSource) Stop(context.Context) error     { return nil }
func (c *seqSource) NewTask() connectors.SourceTask { return &seqTask{bug: c.bug} }

type seqTask struct {
	bug   string
	topic string
	parts []map[string]any
	next  []int64

	mu        sync.Mutex
	committed int
}

func (t *seqTask) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	t.topic = props["topic"]
	id, _ := strconv.Atoi(props["task"])
	tasks, _ := strconv.Atoi(props["tasks"])
	n, _ := strconv.Atoi(props["partitions"])
	for p := id; p < n; p += tasks {
		part := map[string]any{"p": p}
		if t.bug == "shared-partition" {
			part = map[string]any{"p": 0}
		}
		off, err := tc.Offsets().Offset(ctx, part)
		if err != nil {
			return err
		}
		var next int64
		if off != nil {
			if t.bug == "offset-type" {
				i, _ := off["n"].(int) // the bug: a restart gives int64
				next = int64(i)
			} else {
				next = off["n"].(int64)
			}
		}
		t.parts, t.next = append(t.parts, part), append(t.next, next)
	}
	return nil
}

func (t *seqTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if t.bug == "ignores-ctx" {
		time.Sleep(3 * time.Second)
	}
	if t.bug == "mutates-partition" {
		for _, part := range t.parts {
			part["p"] = part["p"].(int) + 100 // the bug: the last batch's records hold this map
		}
	}
	var out []connectors.SourceRecord
	for i, part := range t.parts {
		for range 3 {
			v := any(t.next[i])
			if t.bug == "schema" {
				v = int32(t.next[i])
			}
			t.next[i]++
			off := map[string]any{"n": int(t.next[i])}
			if t.bug == "lossy" {
				off["n"] = int(t.next[i]) + 1 // the bug: one past the next record
			}
			out = append(out, connectors.SourceRecord{
				Record:          connectors.Record{Topic: t.topic, ValueSchema: schemas.Int64Schema, Value: v},
				SourcePartition: part,
				SourceOffset:    off,
			})
		}
	}
	return out, nil
}

func (t *seqTask) CommitRecord(*connectors.SourceRecord, *connectors.RecordMetadata) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.committed++
	return nil
}

func (t *seqTask) Stop(context.Context) error { return nil }

func seqConfig(bug string) connectortest.SourceConfig {
	return connectortest.SourceConfig{
		Plugin:  plugins.Plugin{Class: "test.SeqSource", Kind: plugins.Source, Version: "1.0", New: func() any { return &seqSource{bug: bug} }},
		Props:   func(*testing.T) map[string]string { return map[string]string{"topic": "seq", "partitions": "3"} },
		Records: 12,
		Timeout: 5 * time.Second,
	}
}

// memSink writes into a shared in-memory "external system", keyed by the
// name in its "table" key. bug breaks one part of the contract.
type memSink struct {
	bug   string
	props map[string]string
}

var tables sync.Map // table name → *table

type table struct {
	mu   sync.Mutex
	rows []connectors.Record
}

func tableOf(name string) *table {
	v, _ := tables.LoadOrStore(name, &table{})
	return v.(*table)
}

func (c *memSink) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "table", Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "The table."})
}
func (c *memSink) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	if _, err := c.Config().Parse(props); err != nil {
		return err
	}
	c.props = props
	return nil
}
func (c *memSink) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{{"table": c.props["table"]}}, nil
}
func (c *memSink) Stop(context.Context) error   { return nil }
func (c *memSink) NewTask() connectors.SinkTask { return &memTask{bug: c.bug} }

type memTask struct {
	bug     string
	table   *table
	pending []connectors.Record
	owned   map[connectors.TopicPartition]bool
	opened  bool
}

func (t *memTask) Start(_ context.Context, _ connectors.SinkTaskContext, props map[string]string) error {
	t.table = tableOf(props["table"])
	return nil
}
func (t *memTask) Open(_ context.Context, tps []connectors.TopicPartition) error {
	if t.bug == "reopen-drops" && t.opened {
		return nil // the bug: partitions opened again are not owned again
	}
	t.opened = true
	if t.owned == nil {
		t.owned = map[connectors.TopicPartition]bool{}
	}
	for _, tp := range tps {
		t.owned[tp] = true
	}
	return nil
}

func (t *memTask) Put(_ context.Context, recs []connectors.SinkRecord) error {
	for _, r := range recs {
		if !t.owned[connectors.TopicPartition{Topic: r.OriginalTopic, Partition: r.OriginalPartition}] {
			continue
		}
		t.pending = append(t.pending, r.Record)
		if t.bug == "doubles" {
			t.pending = append(t.pending, r.Record)
		}
	}
	return nil
}
func (t *memTask) Flush(context.Context, map[connectors.TopicPartition]int64) error {
	t.table.mu.Lock()
	defer t.table.mu.Unlock()
	if t.bug == "flush-drops" && len(t.pending) > 0 {
		t.pending = t.pending[1:]
	}
	t.table.rows = append(t.table.rows, t.pending...)
	t.pending = nil
	return nil
}
func (t *memTask) Close(_ context.Context, tps []connectors.TopicPartition) error {
	for _, tp := range tps {
		delete(t.owned, tp)
	}
	return nil
}
func (t *memTask) Stop(context.Context) error { return nil }

func memConfig(bug string) connectortest.SinkConfig {
	return connectortest.SinkConfig{
		Plugin: plugins.Plugin{Class: "test.MemSink", Kind: plugins.Sink, Version: "1.0", New: func() any { return &memSink{bug: bug} }},
		Props: func(t *testing.T) map[string]string {
			return map[string]string{"table": t.Name()}
		},
		Read: func(t *testing.T, props map[string]string) []connectors.Record {
			tb := tableOf(props["table"])
			tb.mu.Lock()
			defer tb.mu.Unlock()
			return slices.Clone(tb.rows)
		},
		Timeout: 5 * time.Second,
	}
}

func TestGoodConnectorsPass(t *testing.T) {
	connectortest.Source(t, seqConfig(""))
	connectortest.Sink(t, memConfig(""))
}

// TestBrokenConnectorsFail runs the suite against connectors that each
// break one rule, in a child test process, and checks that the suite fails
// with a message naming what was broken.
func TestBrokenConnectorsFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child test processes")
	}
	for _, tc := range []struct {
		kind, bug, subtest, want string
	}{
		{"source", "offset-type", "OffsetsRoundTrip", "read {\"p\":0} key=<nil> value=0 again"},
		{"source", "lossy", "OffsetsRoundTrip", "records lost, repeated or reordered"},
		{"source", "ignores-ctx", "PollCancel", "did not return within"},
		// With -race the detector sees the change first.
		{"source", "mutates-partition", "Records", "changed after Poll returned it|DATA RACE"},
		{"source", "schema", "Records", "does not match its schema"},
		{"source", "too-many-tasks", "Lifecycle", "more than maxTasks"},
		{"source", "shared-partition", "Tasks", "both read source partition"},
		{"source", "undocumented", "ConfigDef", `key "secret.knob" has no Doc`},
		{"sink", "doubles", "PutFlush", "was written 2 times"},
		{"sink", "flush-drops", "PutFlush", "is missing from the external system"},
		{"sink", "reopen-drops", "Partitions", "is missing from the external system"},
	} {
		t.Run(tc.bug, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenChild$/^"+tc.subtest+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), "CONNECTORTEST_CHILD="+tc.kind+":"+tc.bug)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a %s with bug %q:\n%s", tc.kind, tc.bug, out)
			}
			if !slices.ContainsFunc(strings.Split(tc.want, "|"), func(w string) bool { return strings.Contains(string(out), w) }) {
				t.Fatalf("the suite failed a %s with bug %q without saying %q:\n%s", tc.kind, tc.bug, tc.want, out)
			}
			if !strings.Contains(string(out), "contract:") && !strings.Contains(string(out), "DATA RACE") {
				t.Errorf("the failure does not say which contract was broken:\n%s", out)
			}
		})
	}
}

// TestBrokenChild is run by TestBrokenConnectorsFail in a child process.
func TestBrokenChild(t *testing.T) {
	kind, bug, ok := strings.Cut(os.Getenv("CONNECTORTEST_CHILD"), ":")
	if !ok {
		t.Skip("run by TestBrokenConnectorsFail")
	}
	switch kind {
	case "source":
		connectortest.Source(t, seqConfig(bug))
	case "sink":
		connectortest.Sink(t, memConfig(bug))
	default:
		panic(fmt.Sprintf("unknown kind %q", kind))
	}
}
