package e2e

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// examplePipeline is the counter source → topic → jsonlines sink pipeline
// of the example tests. The counter has no limit: it counts until the test
// stops it (stopCounter), so it is still counting whenever a test restarts
// a worker, however long the steps before took.
type examplePipeline struct {
	topic, out string
}

func (p examplePipeline) source() map[string]string {
	return map[string]string{"connector.class": "Counter", "topic": p.topic, "interval.ms": "5", "tasks.max": "1"}
}

// sinkName is the sink connector's name: its group connect-<name> is this
// run's own (other tests, and earlier runs on the same broker, run sinks).
func (p examplePipeline) sinkName() string { return p.topic + "-snk" }

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
// its committed position. The counter has no limit, so it still counts when
// the workers restart; stopped at the end, it counts no more.
func TestExampleCustomBinary(t *testing.T) {
	bins := examples(t)
	bootstrap := testkit.RealKafka(t)
	dir := t.TempDir()
	p := examplePipeline{topic: testkit.NewTopic(t, bootstrap, 1), out: filepath.Join(dir, "out.jsonl")}
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
	create(t, snk, p.sinkName(), p.sink())
	awaitCounted(t, bootstrap, p.topic, 100, ws, wk)
	ws.Term()
	wk.Term()
	committed := committedCount(t, filepath.Join(dir, "source.offsets"), "src")
	first := len(counterRecords(t, bootstrap, p.topic))

	ws, wk = start("second")
	awaitState(t, src, "src", herder.Running, ws)
	awaitState(t, snk, p.sinkName(), herder.Running, wk)
	awaitCounted(t, bootstrap, p.topic, first+50, ws, wk)
	awaitState(t, src, "src", herder.Running, ws) // an offset of another type would have failed it
	checkResumedAt(t, counterRecords(t, bootstrap, p.topic)[first].value, committed)
	ends := stopCounter(t, src, bootstrap, p.topic, "src", 1, ws, wk)
	awaitSinkValues(t, p.out, ends, ws, wk)
	recs := checkCounted(t, bootstrap, p.topic, ends)
	checkCounterAt(t, src, "src", ends)
	checkSinkFile(t, p.out, p.topic, recs)
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
// after a worker restart mid-stream the counter resumes from its committed
// offset (an int64 again, or the example fails its task); once stopped
// (PUT /connectors/src/stop), every number it counted is in the topic and
// the file, and its committed offset follows the last.
func TestExamplePluginPathStandalone(t *testing.T) {
	bins := examples(t)
	bootstrap := testkit.RealKafka(t)
	dir := t.TempDir()
	p := examplePipeline{topic: testkit.NewTopic(t, bootstrap, 1), out: filepath.Join(dir, "out.jsonl")}
	listener := testkit.FreeListener(t)
	offsets := filepath.Join(dir, "worker.offsets")
	props := exampleProps(bootstrap, offsets, listener)
	props["plugin.path"] = bins.pluginDir
	c := newClient(t, listener)

	w := testkit.StartWorker(t, binary, dir, "first", props, nil)
	awaitHealthy(t, c, w)
	checkListed(t, c, map[string]string{counterClass: "source", jsonlinesClass: "sink"})
	checkValidates(t, c, "Counter", map[string]string{"connector.class": "Counter", "name": "src", "topic": p.topic}, "interval.ms", "-1")
	checkValidates(t, c, "JsonLines", map[string]string{"connector.class": "JsonLines", "name": "snk", "topics": p.topic, "file": p.out}, "file", "")

	create(t, c, "src", p.source())
	create(t, c, p.sinkName(), p.sink())
	awaitState(t, c, "src", herder.Running, w)
	awaitState(t, c, p.sinkName(), herder.Running, w)
	srcPid := runningPluginPid(t, w, "src-0", bins.counterPlugin, 0)
	snkPid := runningPluginPid(t, w, p.sinkName()+"-0", bins.jsonlinesPlugin, 0)
	awaitCounted(t, bootstrap, p.topic, 100, w)

	// The source task's process dies; while it is down, the sink's dies
	// too. The source restarts first, so the sink has records to catch up
	// with once it runs again.
	kill9Plugin(t, srcPid)
	awaitTaskFailed(t, c, "src", 0, counterClass, bins.counterPlugin, w)
	kill9Plugin(t, snkPid)
	awaitTaskFailed(t, c, p.sinkName(), 0, jsonlinesClass, bins.jsonlinesPlugin, w)
	for _, name := range []string{"src", p.sinkName()} {
		if st, err := c.ConnectorStatus(context.Background(), name); err != nil || st.Connector.State != herder.Running {
			t.Fatalf("connector %s with its task's process killed: %+v, %v; want the connector RUNNING", name, st.Connector, err)
		}
	}
	before := len(counterRecords(t, bootstrap, p.topic))
	srcPid = restartTask(t, c, w, "src", 0, bins.counterPlugin, srcPid)
	awaitCounted(t, bootstrap, p.topic, before+50, w)
	snkPid = restartTask(t, c, w, p.sinkName(), 0, bins.jsonlinesPlugin, snkPid)
	awaitSinkValues(t, p.out, []int{before + 50}, w)

	// The worker restarts mid-stream; its plugin processes end with it.
	w.Term()
	awaitGone(t, srcPid, snkPid)
	committed := committedCount(t, offsets, "src")
	first := len(counterRecords(t, bootstrap, p.topic))
	w = testkit.StartWorker(t, binary, dir, "second", props, nil)
	awaitHealthy(t, c, w)
	awaitCounted(t, bootstrap, p.topic, first+50, w)
	awaitState(t, c, "src", herder.Running, w) // an offset of another type would have failed it
	checkResumedAt(t, counterRecords(t, bootstrap, p.topic)[first].value, committed)

	// Stopped, the counter counts no more: the topic holds every number
	// up to the last it wrote, the file every one of them, and the offset
	// committed at the stop follows the last.
	ends := stopCounter(t, c, bootstrap, p.topic, "src", 1, w)
	awaitSinkValues(t, p.out, ends, w)
	recs := checkCounted(t, bootstrap, p.topic, ends)
	checkCounterAt(t, c, "src", ends)
	checkSinkFile(t, p.out, p.topic, recs)
}

// checkResumedAt checks where a restarted counter began: at or before its
// committed offset (at least once).
func checkResumedAt(t *testing.T, began, committed int) {
	t.Helper()
	if began > committed {
		t.Fatalf("the restarted counter began at %d, after its committed offset %d", began, committed)
	}
	t.Logf("the restarted counter began at %d with %d committed", began, committed)
}

// checkCounterAt waits until GET /connectors/{name}/offsets shows each of
// the counter's partitions k at ends[k] (the last commit follows the last
// record by up to offset.flush.interval.ms).
func checkCounterAt(t *testing.T, c *client.Client, name string, ends []int) {
	t.Helper()
	want := map[int]int64{}
	for p, n := range ends {
		want[p] = int64(n)
	}
	eventually(t, 10*time.Second, fmt.Sprintf("GET /connectors/%s/offsets to show %v", name, want), func() (bool, string) {
		got := counterOffsets(t, c, name)
		return maps.Equal(got, want), fmt.Sprint(got)
	})
}

// TestExamplePluginPathDistributed runs the example plugins in a cluster of
// two stock workers, both with plugin.path: connectors created through
// REST, their tasks on both workers, records through to the file; a kill -9
// of a task's plugin process fails that task, a restart runs it in a new
// process with nothing lost; a worker stopped moves its work to the other,
// which goes on from the committed offsets. A third worker without the
// plugins then joins: what it is given is FAILED there with a trace naming
// the class it lacks, while the rest runs on.
func TestExamplePluginPathDistributed(t *testing.T) {
	bins := examples(t)
	bootstrap := testkit.RealKafka(t)
	cl := newClusterOn(t, bootstrap)
	for k, v := range exampleProps(bootstrap, "", "") {
		if strings.HasSuffix(k, "converter") || strings.HasSuffix(k, "schemas.enable") {
			cl.props[k] = v
		}
	}
	cl.props["offset.flush.interval.ms"] = "200"
	cl.props["plugin.path"] = bins.pluginDir
	const parts = 2
	p := examplePipeline{topic: testkit.NewTopic(t, bootstrap, 1), out: filepath.Join(cl.dir, "out.jsonl")}
	ns := cl.startAll("w1", "w2")
	for _, n := range ns {
		checkListed(t, n.c, map[string]string{counterClass: "source", jsonlinesClass: "sink"})
	}
	checkValidates(t, ns[1].c, counterClass, map[string]string{"connector.class": counterClass, "name": "src", "topic": p.topic}, "partitions", "0")

	src := p.source()
	src["connector.class"], src["partitions"], src["tasks.max"], src["interval.ms"] = counterClass, strconv.Itoa(parts), strconv.Itoa(parts), "10"
	snk := p.sink()
	snk["connector.class"] = jsonlinesClass
	create(t, ns[0].c, "src", src)
	create(t, ns[1].c, p.sinkName(), snk)
	placement := cl.awaitRunning(time.Minute, []string{"src"}, parts)
	maps.Copy(placement, cl.awaitRunning(time.Minute, []string{p.sinkName()}, 1))
	if hosts := map[string]bool{placement["src-0"]: true, placement["src-1"]: true, placement[p.sinkName()+"-0"]: true}; len(hosts) != 2 {
		t.Fatalf("the tasks are not spread over both workers: %v", placement)
	}
	awaitCounted(t, bootstrap, p.topic, 100, cl.live()...)

	// A task's plugin process dies, on whichever worker runs it; then the
	// sink task's.
	for _, k := range []struct {
		name, class, binary string
	}{{"src", counterClass, bins.counterPlugin}, {p.sinkName(), jsonlinesClass, bins.jsonlinesPlugin}} {
		n := cl.nodes[placement[k.name+"-0"]]
		pid := runningPluginPid(t, n.w, k.name+"-0", k.binary, 0)
		kill9Plugin(t, pid)
		awaitTaskFailed(t, cl.any(n).c, k.name, 0, k.class, k.binary, cl.live()...)
		restartTask(t, cl.any(n).c, n.w, k.name, 0, k.binary, pid)
	}

	// The worker running src-1 stops while the counters count; the other
	// takes over its work from the committed offsets.
	victim := cl.nodes[placement["src-1"]]
	victim.w.Term()
	stoppedAt := counterEnds(counterRecords(t, bootstrap, p.topic), parts)
	delete(cl.nodes, victim.id)
	survivor := cl.any()
	placement = cl.awaitRunning(time.Minute, []string{"src"}, parts)
	maps.Copy(placement, cl.awaitRunning(time.Minute, []string{p.sinkName()}, 1))
	eventually(t, time.Minute, fmt.Sprintf("both counters past %v, where they were when the worker stopped", stoppedAt), func() (bool, string) {
		ends := counterEnds(counterRecords(t, bootstrap, p.topic), parts)
		for k, n := range ends {
			if n < stoppedAt[k]+20 {
				return false, fmt.Sprint(ends)
			}
		}
		return true, ""
	}, cl.live()...)
	// Stopped, the counters count no more: every number up to the last
	// each wrote is in the topic and the file, and the offsets committed at
	// the stop follow the last.
	ends := stopCounter(t, survivor.c, bootstrap, p.topic, "src", parts, cl.live()...)
	awaitSinkValues(t, p.out, ends, cl.live()...)
	recs := checkCounted(t, bootstrap, p.topic, ends)
	checkCounterAt(t, survivor.c, "src", ends)
	checkSinkFile(t, p.out, p.topic, recs)
	if err := survivor.c.Resume(context.Background(), "src"); err != nil {
		t.Fatalf("PUT /connectors/src/resume: %v", err)
	}
	cl.awaitRunning(time.Minute, []string{"src"}, parts)

	// A worker without the plugins joins: what it is given fails there,
	// naming the class it lacks.
	cl.props["plugin.path"] = filepath.Join(cl.dir, "no-plugins")
	if err := os.Mkdir(cl.props["plugin.path"], 0o755); err != nil {
		t.Fatal(err)
	}
	w3 := cl.start("w3")
	var statuses string
	eventually(t, time.Minute, "the work given to w3 FAILED, the rest RUNNING", func() (bool, string) {
		onW3, failed := 0, 0
		var b strings.Builder
		for _, name := range []string{"src", p.sinkName()} {
			st, err := survivor.c.ConnectorStatus(context.Background(), name)
			if err != nil {
				return false, err.Error()
			}
			class := map[string]string{"src": counterClass, p.sinkName(): jsonlinesClass}[name]
			units := []herder.TaskState{{State: st.Connector.State, WorkerID: st.Connector.WorkerID, Trace: st.Connector.Trace, ID: -1}}
			units = append(units, st.Tasks...)
			for _, u := range units {
				fmt.Fprintf(&b, "%s/%d %s on %s; ", name, u.ID, u.State, u.WorkerID)
				switch {
				case u.WorkerID == w3.id:
					onW3++
					if u.State == herder.Failed {
						if !strings.Contains(u.Trace, class) || !strings.Contains(strings.ToLower(u.Trace), "failed to find any class") {
							t.Fatalf("%s/%d FAILED on the worker without the plugin with the trace %q, want one naming %s", name, u.ID, u.Trace, class)
						}
						failed++
						fmt.Fprintf(&b, "trace %q; ", strings.SplitN(u.Trace, "\n", 2)[0])
					}
				case u.State != herder.Running:
					return false, b.String()
				}
			}
		}
		statuses = b.String()
		return onW3 > 0 && failed == onW3, statuses
	}, cl.live()...)
	t.Logf("after w3 joined: %s", statuses)
}
