package standalone_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/internal/testkit/inproc"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/standalone"
)

// newHerder starts a standalone herder on a worker against bootstrap.
func newHerder(t *testing.T, bootstrap string, extra map[string]string) *standalone.Herder {
	t.Helper()
	return newHerderWith(t, bootstrap, extra, builtin.Registry())
}

// newHerderWith is newHerder with the plugins of reg.
func newHerderWith(t *testing.T, bootstrap string, extra map[string]string, reg *plugins.Registry) *standalone.Herder {
	t.Helper()
	return fileHerder(t, bootstrap, t.TempDir(), extra, reg, io.Discard)
}

// fileHerder is a standalone herder whose connector configurations and
// offsets are files in dir, as a worker's are: a second one on the same
// dir starts what the first stored. It is not started. extra adds or
// replaces worker settings.
func fileHerder(t *testing.T, bootstrap, dir string, extra map[string]string, reg *plugins.Registry, logTo io.Writer) *standalone.Herder {
	t.Helper()
	h, _ := fileHerderWorker(t, bootstrap, dir, extra, reg, logTo)
	return h
}

// fileHerderWorker is fileHerder, also returning the herder's worker.
func fileHerderWorker(t *testing.T, bootstrap, dir string, extra map[string]string, reg *plugins.Registry, logTo io.Writer) (*standalone.Herder, *runtime.Worker) {
	t.Helper()
	s := inproc.NewStandalone(t, inproc.WorkerProps(bootstrap, dir, extra), reg, inproc.Logger(logTo))
	t.Cleanup(func() { s.Herder.Stop(context.Background()) })
	return s.Herder, s.Worker
}

// awaitTask waits until task 0 of a connector is in state, polling the
// status the REST API would serve.
func awaitTask(t *testing.T, h herder.Herder, name string, state herder.State) herder.TaskState {
	t.Helper()
	return inproc.AwaitTask(t, h, name, state)
}

// TestSinkFailsOnRecordTheConverterCannotRead: a record that is not JSON,
// read with JsonConverter, fails the sink task; its status trace names the
// stage and where the record is, and nothing is committed past it.
func TestSinkFailsOnRecordTheConverterCannotRead(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	produce(t, bootstrap, topic, `{"schema":{"type":"string","optional":false},"payload":"good"}`, "not json at all")
	dir := t.TempDir()
	h := newHerder(t, bootstrap, nil)
	name := "bad-sink-" + topic
	_, created, err := h.PutConnectorConfig(context.Background(), name, map[string]string{
		"connector.class": "FileStreamSink", "topics": topic, "file": filepath.Join(dir, "out.txt"),
		"value.converter": "org.apache.kafka.connect.json.JsonConverter",
	}, false, "")
	if err != nil || !created {
		t.Fatalf("create: created=%v err=%v", created, err)
	}
	ts := awaitTask(t, h, name, herder.Failed)
	for _, want := range []string{"VALUE_CONVERTER", "{topic='" + topic + "', partition=0, offset=1"} {
		if !strings.Contains(ts.Trace, want) {
			t.Errorf("trace does not name %q:\n%s", want, ts.Trace)
		}
	}
	cs, err := h.ConnectorStatus(context.Background(), name)
	if err != nil || cs.Connector.State != herder.Running || cs.Type != herder.SinkType {
		t.Fatalf("connector status %+v, %v", cs, err)
	}
}

// TestSourceFailsOnRecordTheConverterCannotWrite: ByteArrayConverter takes
// only bytes, so the file source's string records fail the task with a
// clear error, and no offset is committed.
func TestSourceFailsOnRecordTheConverterCannotWrite(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("a line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHerder(t, bootstrap, nil)
	name := "bad-source-" + topic
	if _, _, err := h.PutConnectorConfig(context.Background(), name, map[string]string{
		"connector.class": "FileStreamSource", "topic": topic, "file": in,
		"value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
	}, false, ""); err != nil {
		t.Fatal(err)
	}
	ts := awaitTask(t, h, name, herder.Failed)
	if !strings.Contains(ts.Trace, "VALUE_CONVERTER") || !strings.Contains(ts.Trace, "topic='"+topic+"'") {
		t.Errorf("trace does not name the stage and topic:\n%s", ts.Trace)
	}
	offs, err := h.ConnectorOffsets(context.Background(), name)
	if err != nil || len(offs.Offsets) != 0 {
		t.Fatalf("offsets after a failed record: %+v, %v", offs, err)
	}
}

// TestPauseResumeStop drives a source connector through the target states
// and checks the statuses and that a stopped connector has no tasks.
func TestPauseResumeStop(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	in := filepath.Join(t.TempDir(), "in.txt")
	os.WriteFile(in, []byte("x\n"), 0o644)
	h := newHerder(t, bootstrap, nil)
	ctx := context.Background()
	name := "states-" + topic
	if _, _, err := h.PutConnectorConfig(ctx, name, map[string]string{"connector.class": "FileStreamSource", "topic": topic, "file": in}, false, ""); err != nil {
		t.Fatal(err)
	}
	awaitTask(t, h, name, herder.Running)
	if err := h.SetTargetState(ctx, name, herder.TargetPaused); err != nil {
		t.Fatal(err)
	}
	awaitTask(t, h, name, herder.Paused)
	if err := h.SetTargetState(ctx, name, herder.TargetStarted); err != nil {
		t.Fatal(err)
	}
	awaitTask(t, h, name, herder.Running)
	if err := h.SetTargetState(ctx, name, herder.TargetStopped); err != nil {
		t.Fatal(err)
	}
	cs, _ := h.ConnectorStatus(ctx, name)
	if cs.Connector.State != herder.Stopped || len(cs.Tasks) != 0 {
		t.Fatalf("stopped connector status %+v", cs)
	}
	if _, _, err := h.PutConnectorConfig(ctx, name, map[string]string{"connector.class": "FileStreamSource", "topic": topic}, false, ""); herder.StatusCode(err) != 409 {
		t.Fatalf("duplicate create: %v", err)
	}
	if err := h.DeleteConnector(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ConnectorStatus(ctx, name); herder.StatusCode(err) != 404 {
		t.Fatalf("status after delete: %v", err)
	}
}

func produce(t *testing.T, bootstrap, topic string, values ...string) {
	t.Helper()
	c := testkit.SaramaConfig()
	c.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), c)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, v := range values {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(v)}); err != nil {
			t.Fatal(fmt.Errorf("produce to %s: %w", topic, err))
		}
	}
}

// TestRestartDoesNotRewriteTheConnectorsFile: a worker that starts its
// stored connectors, with task configurations unchanged, running or
// stopped, does not append to the connectors file.
func TestRestartDoesNotRewriteTheConnectorsFile(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	ctx := context.Background()
	dir := t.TempDir()
	topic := testkit.NewTopic(t, bootstrap, 1)
	h := fileHerder(t, bootstrap, dir, nil, builtin.Registry(), io.Discard)
	if err := h.Start(ctx); err != nil {
		t.Fatal(err)
	}
	h.MarkReady()
	for _, name := range []string{"running", "stopped"} {
		cfg := map[string]string{"connector.class": "Datagen", "kafka.topic": topic, "quickstart": "users",
			"iterations": "1", "max.interval": "0"}
		if _, _, err := h.PutConnectorConfig(ctx, name, cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		awaitTask(t, h, name, herder.Running)
	}
	if err := h.SetTargetState(ctx, "stopped", herder.TargetStopped); err != nil {
		t.Fatal(err)
	}
	h.Stop(ctx)
	file := filepath.Join(dir, "offsets.json.connectors.json")
	// A start compacts the changes appended since the last one; from then
	// on the file stays as it is.
	restart := func() string {
		t.Helper()
		h := fileHerder(t, bootstrap, dir, nil, builtin.Registry(), io.Discard)
		if err := h.Start(ctx); err != nil {
			t.Fatal(err)
		}
		h.MarkReady()
		awaitTask(t, h, "running", herder.Running)
		h.Stop(ctx)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	before := restart()
	if strings.Count(before, "\n{") > 0 {
		t.Fatalf("the first restart did not compact the connectors file:\n%s", before)
	}
	if after := restart(); after != before {
		t.Fatalf("a restart with nothing changed wrote to the connectors file:\nbefore\n%s\nafter\n%s", before, after)
	}
}
