package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// examplePipeline is the counter source → topic → jsonlines sink pipeline
// of the example tests.
type examplePipeline struct {
	topic, out string
	limit      int
}

func (p examplePipeline) source() map[string]string {
	return map[string]string{"connector.class": "Counter", "topic": p.topic, "interval.ms": "5",
		"limit": strconv.Itoa(p.limit), "tasks.max": "1"}
}

func (p examplePipeline) sink() map[string]string {
	return map[string]string{"connector.class": "JsonLines", "file": p.out, "topics": p.topic}
}

// create creates a connector through REST.
func create(t *testing.T, c *client.Client, name string, cfg map[string]string) {
	t.Helper()
	if _, err := c.CreateConnector(context.Background(), herder.CreateConnectorRequest{Name: name, Config: cfg}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

// TestExampleCustomBinary runs the examples' custom worker binaries (each
// links its connector through sluicecmd.WithPlugins) as standalone workers
// on the real broker: their connector is listed and validated like a
// built-in, the counter's numbers reach the file exactly, and after both
// workers restart mid-stream the counter goes on from its committed offset
// (read back as int64, or the example fails its task) and the sink from
// its committed position.
func TestExampleCustomBinary(t *testing.T) {
	bins := examples(t)
	bootstrap := testkit.RealKafka(t)
	dir := t.TempDir()
	p := examplePipeline{topic: testkit.NewTopic(t, bootstrap, 1), out: filepath.Join(dir, "out.jsonl"), limit: 400}
	srcL, snkL := testkit.FreeListener(t), testkit.FreeListener(t)
	srcProps := exampleProps(bootstrap, filepath.Join(dir, "source.offsets"), srcL)
	snkProps := exampleProps(bootstrap, filepath.Join(dir, "sink.offsets"), snkL)
	src, snk := newClient(t, srcL), newClient(t, snkL)

	start := func(round string) (*testkit.Worker, *testkit.Worker) {
		ws := testkit.StartWorker(t, bins.counterWorker, dir, "counter-"+round, srcProps, nil)
		wk := testkit.StartWorker(t, bins.jsonlinesWorker, dir, "jsonlines-"+round, snkProps, nil)
		awaitHealthy(t, src, ws)
		awaitHealthy(t, snk, wk)
		return ws, wk
	}
	ws, wk := start("first")

	checkListed(t, src, map[string]string{counterClass: "source", "org.apache.kafka.connect.file.FileStreamSourceConnector": "source"})
	checkListed(t, snk, map[string]string{jsonlinesClass: "sink"})
	checkValidates(t, src, counterClass, map[string]string{"connector.class": counterClass, "name": "src", "topic": p.topic}, "interval.ms", "-1")
	checkValidates(t, snk, jsonlinesClass, map[string]string{"connector.class": jsonlinesClass, "name": "snk", "topics": p.topic, "file": p.out}, "file", "")

	create(t, src, "src", p.source())
	create(t, snk, "snk", p.sink())
	awaitCounted(t, bootstrap, p.topic, p.limit/4, ws, wk)
	ws.Term()
	wk.Term()
	committed := committedCount(t, filepath.Join(dir, "source.offsets"), "src")
	first := len(counterNumbers(t, bootstrap, p.topic))

	ws, wk = start("second")
	awaitState(t, src, "src", herder.Running, ws)
	awaitState(t, snk, "snk", herder.Running, wk)
	awaitSinkValues(t, p.out, p.limit, ws, wk)
	awaitState(t, src, "src", herder.Running, ws) // an offset of another type would have failed it
	values := checkCounted(t, bootstrap, p.topic, p.limit)
	if values[first] > int(committed) {
		t.Fatalf("the restarted counter began at %d, after its committed offset %d", values[first], committed)
	}
	checkCounterOffset(t, src, "src", int64(p.limit))
	checkSinkFile(t, p.out, p.topic, values)
}

// committedCount is the counter's committed next number in a standalone
// offsets file.
func committedCount(t *testing.T, offsetsFile, name string) int {
	t.Helper()
	off := sourceOffset(t, offsetsFile, name, map[string]any{"partition": 0})
	n, ok := off["n"].(float64)
	if !ok || n != float64(int(n)) {
		t.Fatalf("%s: the committed offset of %s is %v, want {\"n\": an integer}", offsetsFile, name, off)
	}
	return int(n)
}

// TestExamplePluginPathStandalone runs the examples as plugin.path plugins
// of the stock sluice binary in one standalone worker: listed, validated,
// records through to the file; a kill -9 of the source task's plugin
// process, then of the sink task's, fails that task with a trace naming the
// plugin, a REST restart runs it in a new process and no record is lost;
// after a worker restart the counter resumes from its committed offset
// (an int64 again, or the example fails its task).
func TestExamplePluginPathStandalone(t *testing.T) {
	bins := examples(t)
	bootstrap := testkit.RealKafka(t)
	dir := t.TempDir()
	p := examplePipeline{topic: testkit.NewTopic(t, bootstrap, 1), out: filepath.Join(dir, "out.jsonl"), limit: 600}
	listener := testkit.FreeListener(t)
	offsets := filepath.Join(dir, "worker.offsets")
	props := exampleProps(bootstrap, offsets, listener)
	props["plugin.path"] = bins.pluginDir
	c := newClient(t, listener)

	w := testkit.StartWorker(t, binary, dir, "first", props, nil)
	awaitHealthy(t, c, w)
	checkListed(t, c, map[string]string{counterClass: "source", jsonlinesClass: "sink"})
	checkValidates(t, c, counterClass, map[string]string{"connector.class": "Counter", "name": "src", "topic": p.topic}, "interval.ms", "-1")
	checkValidates(t, c, jsonlinesClass, map[string]string{"connector.class": "JsonLines", "name": "snk", "topics": p.topic, "file": p.out}, "file", "")

	create(t, c, "src", p.source())
	create(t, c, "snk", p.sink())
	awaitState(t, c, "src", herder.Running, w)
	awaitState(t, c, "snk", herder.Running, w)
	srcPid := runningPluginPid(t, w, "src-0", bins.counterPlugin, 0)
	snkPid := runningPluginPid(t, w, "snk-0", bins.jsonlinesPlugin, 0)
	awaitCounted(t, bootstrap, p.topic, 100, w)

	// The source task's process dies; while it is down, the sink's dies
	// too. The source restarts first, so the sink has records to catch up
	// with once it runs again.
	kill9Plugin(t, srcPid)
	awaitTaskFailed(t, c, "src", counterClass, bins.counterPlugin, w)
	kill9Plugin(t, snkPid)
	awaitTaskFailed(t, c, "snk", jsonlinesClass, bins.jsonlinesPlugin, w)
	for _, name := range []string{"src", "snk"} {
		if st, err := c.ConnectorStatus(context.Background(), name); err != nil || st.Connector.State != herder.Running {
			t.Fatalf("connector %s with its task's process killed: %+v, %v; want the connector RUNNING", name, st.Connector, err)
		}
	}
	before := len(counterNumbers(t, bootstrap, p.topic))
	srcPid = restartTask(t, c, w, "src", bins.counterPlugin, srcPid)
	awaitCounted(t, bootstrap, p.topic, before+50, w)
	snkPid = restartTask(t, c, w, "snk", bins.jsonlinesPlugin, snkPid)
	awaitSinkValues(t, p.out, before+50, w)

	// The worker restarts mid-stream; its plugin processes end with it.
	w.Term()
	awaitGone(t, srcPid, snkPid)
	committed := committedCount(t, offsets, "src")
	first := len(counterNumbers(t, bootstrap, p.topic))
	if committed >= p.limit {
		t.Fatalf("the counter reached its limit %d before the worker restart: raise the limit", p.limit)
	}
	w = testkit.StartWorker(t, binary, dir, "second", props, nil)
	awaitHealthy(t, c, w)
	awaitSinkValues(t, p.out, p.limit, w)
	awaitState(t, c, "src", herder.Running, w) // an offset of another type would have failed it
	values := checkCounted(t, bootstrap, p.topic, p.limit)
	if values[first] > committed {
		t.Fatalf("the restarted counter began at %d, after its committed offset %d", values[first], committed)
	}
	checkCounterOffset(t, c, "src", int64(p.limit))
	checkSinkFile(t, p.out, p.topic, values)
}
