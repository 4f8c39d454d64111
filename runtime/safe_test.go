package runtime

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/internal/testkit/panicky"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/transforms"
)

// TestChainRecoversPanics: a transformation or predicate that panics on a
// record fails that record, naming the transformation's class (the stage's,
// as Kafka Connect's) and the method that panicked; the chain goes on with
// the next record.
func TestChainRecoversPanics(t *testing.T) {
	reg := builtin.Registry()
	panicky.Register(reg, &panicky.Sunk{})
	tests := []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"transformation", map[string]string{"transforms": "a,p", "transforms.a.type": "InsertHeader", "transforms.a.header": "h",
			"transforms.a.value.literal": "v", "transforms.p.type": panicky.TransformClass, "transforms.p." + panicky.PanicOnValue: "bad"},
			panicky.TransformClass + ".Apply panicked: boom in Apply"},
		{"predicate", map[string]string{"transforms": "p", "transforms.p.type": panicky.TransformClass, "transforms.p.predicate": "q",
			"predicates": "q", "predicates.q.type": panicky.PredicateClass, "predicates.q." + panicky.PanicOnValue: "bad"},
			panicky.PredicateClass + ".Test panicked: boom in Test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := buildChain(reg, tc.props)
			if err != nil {
				t.Fatal(err)
			}
			defer c.close()
			keep, class, err := c.apply(&transforms.Record{Record: connectors.Record{Topic: "t", Value: "bad"}})
			if keep || class != panicky.TransformClass || safe.As(err) == nil || safe.As(err).Headline() != tc.want {
				t.Fatalf("apply = %v, %q, %v; want a failure of %s: %s", keep, class, err, panicky.TransformClass, tc.want)
			}
			if !strings.Contains(err.Error(), "\n\tat github.com/sluicehq/sluice/internal/testkit/panicky.") {
				t.Errorf("no frame of the plugin in\n%s", err)
			}
			keep, _, err = c.apply(&transforms.Record{Record: connectors.Record{Topic: "t", Value: "good"}})
			if !keep || err != nil {
				t.Fatalf("the next record: %v, %v", keep, err)
			}
		})
	}
}

// explodingHeaders is a header converter that panics.
type explodingHeaders struct{ schemas.HeaderConverter }

func (explodingHeaders) FromConnectHeader(string, string, *schemas.Schema, any) ([]byte, error) {
	panic("boom in FromConnectHeader")
}
func (explodingHeaders) ToConnectHeader(string, string, []byte) (*schemas.Schema, any, error) {
	panic("boom in ToConnectHeader")
}

// TestGuardedConverters: a converter's panic is its conversion's error,
// naming the class and method; other records convert as usual.
func TestGuardedConverters(t *testing.T) {
	reg := builtin.Registry()
	panicky.Register(reg, &panicky.Sunk{})
	conv, err := reg.NewConverter(panicky.ConverterClass)
	if err != nil {
		t.Fatal(err)
	}
	if err := conv.Configure(map[string]string{panicky.PanicOnValue: "bad"}, false); err != nil {
		t.Fatal(err)
	}
	c := converters{key: conv, value: conv, header: explodingHeaders{}, keyClass: "K", valueClass: "V", headerClass: "H"}.guarded()
	check := func(what string, err error, want string) {
		t.Helper()
		if pe := safe.As(err); pe == nil || pe.Headline() != want {
			t.Errorf("%s: %v; want %q", what, err, want)
		}
	}
	_, err = c.key.FromConnectData("t", schemas.StringSchema, "bad")
	check("key FromConnectData", err, "K.FromConnectData panicked: boom in FromConnectData")
	_, _, err = c.value.ToConnectData("t", []byte("bad"))
	check("value ToConnectData", err, "V.ToConnectData panicked: boom in ToConnectData")
	_, err = c.header.FromConnectHeader("t", "h", schemas.StringSchema, "x")
	check("FromConnectHeader", err, "H.FromConnectHeader panicked: boom in FromConnectHeader")
	_, _, err = c.header.ToConnectHeader("t", "h", []byte("x"))
	check("ToConnectHeader", err, "H.ToConnectHeader panicked: boom in ToConnectHeader")
	if b, err := c.value.FromConnectData("t", schemas.StringSchema, "good"); err != nil || string(b) != "good" {
		t.Fatalf("a good value: %q, %v", b, err)
	}
	if _, v, err := c.value.ToConnectData("t", []byte("good")); err != nil || v != "good" {
		t.Fatalf("good bytes: %v, %v", v, err)
	}
}

// TestGuardedTasksKeepOptionalInterfaces: a guarded task is a
// RecordCommitter or a PreCommitter exactly when the task is, since the
// runtime behaves differently for them.
func TestGuardedTasksKeepOptionalInterfaces(t *testing.T) {
	reg := builtin.Registry()
	panicky.Register(reg, &panicky.Sunk{})
	conn, _, err := reg.NewConnector(panicky.SinkClass)
	if err != nil {
		t.Fatal(err)
	}
	task, err := newSinkTask(conn.(connectors.SinkConnector), "C", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := task.(connectors.PreCommitter); ok {
		t.Error("a sink task without PreCommit became a PreCommitter")
	}
	src, _, err := reg.NewConnector(panicky.SourceClass)
	if err != nil {
		t.Fatal(err)
	}
	stask, err := newSourceTask(src.(connectors.SourceConnector), "C", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := stask.(connectors.RecordCommitter); ok {
		t.Error("a source task without CommitRecord became a RecordCommitter")
	}
	if task, _ := newSinkTask(preCommitSink{}, "C", nil); task == nil {
		t.Error("no task")
	} else if _, ok := task.(connectors.PreCommitter); !ok {
		t.Error("a sink task with PreCommit lost it")
	}
	if task, _ := newSourceTask(recordCommitSource{}, "C", nil); task == nil {
		t.Error("no task")
	} else if _, ok := task.(connectors.RecordCommitter); !ok {
		t.Error("a source task with CommitRecord lost it")
	}
	if _, err := newSourceTask(explodingSource{}, "C", nil); safe.As(err) == nil || safe.As(err).Headline() != "C (creating the task) panicked: boom in NewTask" {
		t.Errorf("NewTask's panic: %v", err)
	}
}

type explodingSource struct{ connectors.SourceConnector }

func (explodingSource) NewTask() connectors.SourceTask { panic("boom in NewTask") }

type preCommitSink struct{ connectors.SinkConnector }

func (preCommitSink) NewTask() connectors.SinkTask { return preCommitTask{} }

type preCommitTask struct{ connectors.SinkTask }

func (preCommitTask) PreCommit(context.Context, map[connectors.TopicPartition]int64) (map[connectors.TopicPartition]int64, error) {
	return nil, nil
}

type recordCommitSource struct{ connectors.SourceConnector }

func (recordCommitSource) NewTask() connectors.SourceTask { return recordCommitTask{} }

type recordCommitTask struct{ connectors.SourceTask }

func (recordCommitTask) CommitRecord(*connectors.SourceRecord, *connectors.RecordMetadata) error {
	return nil
}

// TestTasksThatLogGetTheirLogger: a task that implements
// connectors.Logging is given, before anything else, the task's logger
// named after the task's class, so that /admin/loggers sets its level; a
// panic in SetLogger fails the task's creation.
func TestTasksThatLogGetTheirLogger(t *testing.T) {
	var out bytes.Buffer
	levels := logging.NewLevels(slog.LevelInfo)
	log := slog.New(logging.NewHandler(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}), levels)).With("task", "c-0")
	const class = "org.example.LoggingTask"

	sink, src := &loggingSinkTask{}, &loggingSourceTask{}
	if _, err := newSinkTask(loggingSink{task: sink}, class, log); err != nil {
		t.Fatal(err)
	}
	if _, err := newSourceTask(loggingSource{task: src}, class, log); err != nil {
		t.Fatal(err)
	}
	for name, lg := range map[string]*logged{"sink": &sink.logged, "source": &src.logged} {
		out.Reset()
		if lg.log == nil {
			t.Fatalf("the %s task was given no logger", name)
		}
		lg.log.Warn("hello")
		if line := out.String(); !strings.Contains(line, "logger="+class) || !strings.Contains(line, "task=c-0") || !strings.Contains(line, "msg=hello") {
			t.Errorf("the %s task logs %q, want its class as the logger and the task named", name, line)
		}
	}
	levels.Set("org.example", slog.LevelError)
	out.Reset()
	sink.log.Warn("quiet")
	if out.Len() != 0 {
		t.Errorf("logged %q with org.example at ERROR", out.String())
	}

	if _, err := newSinkTask(loggingSink{task: &loggingSinkTask{logged: logged{explode: true}}}, class, log); safe.As(err) == nil ||
		safe.As(err).Headline() != class+".SetLogger panicked: boom in SetLogger" {
		t.Errorf("SetLogger's panic: %v", err)
	}
}

type logged struct {
	log     *slog.Logger
	explode bool
}

func (l *logged) SetLogger(log *slog.Logger) {
	if l.explode {
		panic("boom in SetLogger")
	}
	l.log = log
}

type loggingSink struct {
	connectors.SinkConnector
	task *loggingSinkTask
}

func (c loggingSink) NewTask() connectors.SinkTask { return c.task }

type loggingSinkTask struct {
	connectors.SinkTask
	logged
}

type loggingSource struct {
	connectors.SourceConnector
	task *loggingSourceTask
}

func (c loggingSource) NewTask() connectors.SourceTask { return c.task }

type loggingSourceTask struct {
	connectors.SourceTask
	logged
}

// TestGuardsCostNoAllocation: the guards around per-record calls allocate
// nothing when nothing panics.
func TestGuardsCostNoAllocation(t *testing.T) {
	conv, err := builtin.Registry().NewConverter("StringConverter")
	if err != nil {
		t.Fatal(err)
	}
	if err := conv.Configure(map[string]string{}, false); err != nil {
		t.Fatal(err)
	}
	guarded := converters{key: conv, value: conv, header: conv.(schemas.HeaderConverter), valueClass: "V"}.guarded()
	data := []byte("value")
	raw := testing.AllocsPerRun(200, func() { _, _, _ = conv.ToConnectData("t", data) })
	got := testing.AllocsPerRun(200, func() { _, _, _ = guarded.value.ToConnectData("t", data) })
	if got != raw {
		t.Errorf("a guarded ToConnectData allocates %v times, the converter alone %v", got, raw)
	}
	raw = testing.AllocsPerRun(200, func() { _, _ = conv.FromConnectData("t", schemas.StringSchema, "value") })
	got = testing.AllocsPerRun(200, func() { _, _ = guarded.value.FromConnectData("t", schemas.StringSchema, "value") })
	if got != raw {
		t.Errorf("a guarded FromConnectData allocates %v times, the converter alone %v", got, raw)
	}
}
