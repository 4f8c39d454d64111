package standalone_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// reportingSink is a sink connector whose task keeps the values it is
// given and reports those equal to "bad" through the errant record
// reporter, returning what Report returns; those equal to "late" it reports
// in the next Flush (as a task that learns of a failure when it flushes).
type reportingSink struct{ written *written }

type written struct {
	mu     sync.Mutex
	values []string
}

func (w *written) add(v string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.values = append(w.values, v)
}

func (w *written) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.values)
}

func (s *reportingSink) Config() *config.Def { return config.NewDef() }
func (s *reportingSink) Start(context.Context, connectors.ConnectorContext, map[string]string) error {
	return nil
}
func (s *reportingSink) TaskConfigs(n int) ([]map[string]string, error) {
	return []map[string]string{{}}, nil
}
func (s *reportingSink) Stop(context.Context) error   { return nil }
func (s *reportingSink) NewTask() connectors.SinkTask { return &reportingTask{written: s.written} }

type reportingTask struct {
	written  *written
	reporter connectors.ErrantRecordReporter
	late     []connectors.SinkRecord
}

func (t *reportingTask) Start(_ context.Context, tc connectors.SinkTaskContext, _ map[string]string) error {
	t.reporter = tc.ErrantRecordReporter()
	return nil
}
func (t *reportingTask) Open(context.Context, []connectors.TopicPartition) error { return nil }
func (t *reportingTask) Put(_ context.Context, recs []connectors.SinkRecord) error {
	for i := range recs {
		v, _ := recs[i].Value.(string)
		if v == "late" {
			t.late = append(t.late, recs[i])
			continue
		}
		if v == "bad" {
			if err := t.reporter.Report(&recs[i], errors.New("the external system refused it")); err != nil {
				return err
			}
			continue
		}
		t.written.add(v)
	}
	return nil
}
func (t *reportingTask) Flush(context.Context, map[connectors.TopicPartition]int64) error {
	for i := range t.late {
		if err := t.reporter.Report(&t.late[i], errors.New("found out at flush")); err != nil {
			return err
		}
	}
	t.late = nil
	return nil
}
func (t *reportingTask) Close(context.Context, []connectors.TopicPartition) error { return nil }
func (t *reportingTask) Stop(context.Context) error                               { return nil }

// TestErrantRecordReporter: records a sink task reports reach the dead
// letter queue as consumed, with stage TASK_PUT and the task's class, and
// the task goes on with errors.tolerance=all; with none, Report fails the
// task.
func TestErrantRecordReporter(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	out := &written{}
	reg := builtin.Registry()
	reg.Register(plugins.Plugin{Class: "com.example.ReportingSinkConnector", Kind: plugins.Sink, New: func() any { return &reportingSink{written: out} }})
	h := newHerderWith(t, bootstrap, nil, reg)

	topic := testkit.NewTopic(t, bootstrap, 1)
	produce(t, bootstrap, topic, "one", "bad", "two")
	dlq := topic + "-dlq"
	name := "errant-" + topic
	if _, _, err := h.PutConnectorConfig(context.Background(), name, map[string]string{
		"connector.class": "ReportingSink", "topics": topic, "errors.tolerance": "all",
		"errors.deadletterqueue.topic.name": dlq, "errors.deadletterqueue.topic.replication.factor": "1",
		"errors.deadletterqueue.context.headers.enable": "true",
	}, false, ""); err != nil {
		t.Fatal(err)
	}
	msgs := awaitMessages(t, bootstrap, dlq, 1)
	hs := map[string]string{}
	for _, h := range msgs[0].Headers {
		hs[string(h.Key)] = string(h.Value)
	}
	if string(msgs[0].Value) != "bad" || hs["__connect.errors.stage"] != "TASK_PUT" || hs["__connect.errors.offset"] != "1" ||
		hs["__connect.errors.class.name"] != "com.example.ReportingSinkTask" || hs["__connect.errors.exception.message"] != "the external system refused it" {
		t.Fatalf("dlq record %q with headers %v", msgs[0].Value, hs)
	}
	if got := out.get(); !slices.Equal(got, []string{"one", "two"}) {
		// The DLQ write comes after Put returns, so both good records were written.
		t.Fatalf("task wrote %q", got)
	}

	topic2 := testkit.NewTopic(t, bootstrap, 1)
	produce(t, bootstrap, topic2, "bad")
	name2 := "errant-none-" + topic2
	if _, _, err := h.PutConnectorConfig(context.Background(), name2, map[string]string{
		"connector.class": "com.example.ReportingSinkConnector", "topics": topic2,
		"errors.deadletterqueue.topic.name": dlq, "errors.deadletterqueue.topic.replication.factor": "1",
	}, false, ""); err != nil {
		t.Fatal(err)
	}
	ts := awaitTask(t, h, name2, herder.Failed)
	for _, want := range []string{"Tolerance exceeded in error handler", "Executing stage 'TASK_PUT' with class 'com.example.ReportingSinkTask'", "{topic='" + topic2 + "', partition=0, offset=0", "the external system refused it"} {
		if !strings.Contains(ts.Trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, ts.Trace)
		}
	}
	// Reported with tolerance none, the record still reaches the queue.
	if msgs := awaitMessages(t, bootstrap, dlq, 2); string(msgs[1].Value) != "bad" {
		t.Errorf("second dlq record %q", msgs[1].Value)
	}
}

// TestErrantRecordReportedInFlush: a record reported during Flush reaches
// the dead letter queue with that commit, before its offset is committed,
// even when no later batch comes.
func TestErrantRecordReportedInFlush(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	reg := builtin.Registry()
	reg.Register(plugins.Plugin{Class: "com.example.ReportingSinkConnector", Kind: plugins.Sink, New: func() any { return &reportingSink{written: &written{}} }})
	h := newHerderWith(t, bootstrap, nil, reg)
	topic := testkit.NewTopic(t, bootstrap, 1)
	produce(t, bootstrap, topic, "one", "late")
	dlq := topic + "-dlq"
	if _, _, err := h.PutConnectorConfig(context.Background(), "errant-late-"+topic, map[string]string{
		"connector.class": "ReportingSink", "topics": topic, "errors.tolerance": "all",
		"errors.deadletterqueue.topic.name": dlq, "errors.deadletterqueue.topic.replication.factor": "1",
	}, false, ""); err != nil {
		t.Fatal(err)
	}
	if msgs := awaitMessages(t, bootstrap, dlq, 1); string(msgs[0].Value) != "late" {
		t.Fatalf("dlq record %q, want the one reported in Flush", msgs[0].Value)
	}
}
