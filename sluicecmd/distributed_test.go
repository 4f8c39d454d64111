package sluicecmd

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// inProcWorker is one `runDistributed` of the test, in this process.
type inProcWorker struct {
	name   string
	id     string // worker id: the advertised host:port
	c      *client.Client
	cancel context.CancelFunc
	done   chan error
	log    *testkit.LogBuffer
	result error
	exited bool
}

// inProcCluster is a group of in-process workers sharing a group id and
// internal topics, as the e2e harness's cluster does with processes.
type inProcCluster struct {
	t         *testing.T
	dir       string
	bootstrap string
	props     map[string]string
	workers   []*inProcWorker
	// scheme ("http://" unless set) and clientOpts are how the test's
	// clients reach the workers.
	scheme     string
	clientOpts []client.Option
}

func newInProcCluster(t *testing.T) *inProcCluster {
	return newInProcClusterOn(t, testkit.RealKafka(t))
}

// newInProcClusterOn is newInProcCluster on the broker at bootstrap (a
// test's own testkit.Broker).
func newInProcClusterOn(t *testing.T, bootstrap string) *inProcCluster {
	suffix := testkit.NewTopic(t, bootstrap, 1) // a unique name; the topic itself stays unused
	props := testkit.GroupProps(suffix)
	maps.Copy(props, map[string]string{
		"bootstrap.servers":                bootstrap,
		"offset.storage.partitions":        "3",
		"status.storage.partitions":        "2",
		"key.converter":                    "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":                  "org.apache.kafka.connect.storage.StringConverter",
		"offset.flush.interval.ms":         "200",
		"session.timeout.ms":               "6000",
		"heartbeat.interval.ms":            "500",
		"scheduled.rebalance.max.delay.ms": "1000",
		"consumer.session.timeout.ms":      "6000",
		"consumer.heartbeat.interval.ms":   "500",
		"listeners":                        "http://127.0.0.1:0",
	})
	cl := &inProcCluster{t: t, dir: t.TempDir(), bootstrap: bootstrap, props: props}
	t.Cleanup(func() {
		// Whatever happened, no worker outlives the test.
		for _, w := range cl.workers {
			w.cancel()
		}
		for _, w := range cl.workers {
			cl.wait(w, 90*time.Second)
		}
		if t.Failed() {
			for _, w := range cl.workers {
				t.Logf("log of %s (%s):\n%s", w.name, w.id, w.log.String())
			}
		}
	})
	return cl
}

// start runs one more worker in this process and waits until it has
// joined the group.
func (cl *inProcCluster) start(name string) *inProcWorker {
	cl.t.Helper()
	w := cl.launch(name)
	cl.eventually(60*time.Second, name+" joined the cluster", func() (bool, string) {
		st, err := w.c.Health(context.Background())
		return err == nil && st.Status == "healthy", fmt.Sprint(st, err)
	})
	return w
}

// launch runs one more worker in this process and returns once its REST
// server listens.
func (cl *inProcCluster) launch(name string) *inProcWorker {
	cl.t.Helper()
	file := filepath.Join(cl.dir, name+".properties")
	testkit.WriteProps(cl.t, file, cl.props)
	ctx, cancel := context.WithCancel(context.Background())
	w := &inProcWorker{name: name, cancel: cancel, done: make(chan error, 1), log: &testkit.LogBuffer{}}
	log := slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	addrs := make(chan []string, 1)
	go func() { w.done <- runDistributed(ctx, nil, file, log, func(a []string) { addrs <- a }) }()
	cl.workers = append(cl.workers, w)
	select {
	case a := <-addrs:
		w.id = a[0]
	case err := <-w.done:
		w.exited, w.result = true, err
		cl.t.Fatalf("worker %s did not start: %v", name, err)
	case <-time.After(60 * time.Second):
		cl.t.Fatalf("worker %s did not start its REST server within 60 s", name)
	}
	scheme := cl.scheme
	if scheme == "" {
		scheme = "http://"
	}
	c, err := client.New(scheme+w.id, cl.clientOpts...)
	if err != nil {
		cl.t.Fatal(err)
	}
	w.c = c
	return w
}

// wait waits for a worker's runDistributed to return, at most timeout, and
// returns its result.
func (cl *inProcCluster) wait(w *inProcWorker, timeout time.Duration) error {
	if w.exited {
		return w.result
	}
	select {
	case err := <-w.done:
		w.exited, w.result = true, err
		return err
	case <-time.After(timeout):
		cl.t.Errorf("runDistributed of %s did not return within %s of its context's end", w.name, timeout)
		w.exited, w.result = true, fmt.Errorf("did not return")
		return w.result
	}
}

// live returns the workers still running.
func (cl *inProcCluster) live() []*inProcWorker {
	var out []*inProcWorker
	for _, w := range cl.workers {
		if !w.exited {
			out = append(out, w)
		}
	}
	return out
}

func (cl *inProcCluster) byID(id string) *inProcWorker {
	for _, w := range cl.live() {
		if w.id == id {
			return w
		}
	}
	return nil
}

// eventually polls cond until it holds, failing the test after timeout or
// as soon as a live worker's runDistributed returns.
func (cl *inProcCluster) eventually(timeout time.Duration, what string, cond func() (bool, string)) {
	cl.t.Helper()
	testkit.Eventually(cl.t, timeout, what, cond, func() error {
		for _, w := range cl.live() {
			select {
			case err := <-w.done:
				w.exited, w.result = true, err
				return fmt.Errorf("worker %s stopped: %v", w.name, err)
			default:
			}
		}
		return nil
	})
}

// leader returns the worker that led the last rebalance every live worker
// saw.
func (cl *inProcCluster) leader() *inProcWorker {
	cl.t.Helper()
	var lead *inProcWorker
	cl.eventually(30*time.Second, "a leader every worker agrees on", func() (bool, string) {
		logs := map[string]string{}
		for _, w := range cl.live() {
			logs[w.name] = w.log.String()
		}
		url, why := testkit.AgreedLeader(logs)
		if url == "" {
			return false, why
		}
		_, id, _ := strings.Cut(url, "://")
		lead = cl.byID(id)
		return lead != nil, "leader " + url + " is not a live worker"
	})
	return lead
}

// awaitState waits until a connector is in state with tasks tasks, all of
// them in state too, on live workers; it returns where each runs (the
// connector by its name, tasks by their id).
func (cl *inProcCluster) awaitState(via *inProcWorker, name string, state herder.State, tasks int) map[string]string {
	cl.t.Helper()
	var placement map[string]string
	cl.eventually(60*time.Second, fmt.Sprintf("%s %s with %d tasks %s", name, state, tasks, state), func() (bool, string) {
		st, err := via.c.ConnectorStatus(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		b, _ := json.Marshal(st)
		if st.Connector.State != state || len(st.Tasks) != tasks || cl.byID(st.Connector.WorkerID) == nil {
			return false, string(b)
		}
		placement = map[string]string{name: st.Connector.WorkerID}
		for _, ts := range st.Tasks {
			if ts.State != state || cl.byID(ts.WorkerID) == nil {
				return false, string(b)
			}
			placement[herder.TaskID{Connector: name, Task: ts.ID}.String()] = ts.WorkerID
		}
		return true, ""
	})
	return placement
}

// testLine returns the i-th line of the test input, unique per i.
func testLine(i int) string { return fmt.Sprintf("in-process line %06d", i) }

// appendTestLines appends lines [from, to) to path.
func appendTestLines(t *testing.T, path string, from, to int) {
	t.Helper()
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString(testLine(i) + "\n")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// missingLines returns how many of lines [0, n) none of the files holds.
func missingLines(t *testing.T, n int, files ...string) int {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			seen[l] = true
		}
	}
	missing := 0
	for i := 0; i < n; i++ {
		if !seen[testLine(i)] {
			missing++
		}
	}
	return missing
}

// statusRecords returns the records of the status topic in offset order
// per partition: key, state and worker id.
func statusRecords(t *testing.T, bootstrap, topic string) []struct{ key, state, worker string } {
	t.Helper()
	var out []struct{ key, state, worker string }
	for _, m := range testkit.ReadAllPartitions(t, bootstrap, topic) {
		var v struct {
			State    string `json:"state"`
			WorkerID string `json:"worker_id"`
		}
		if m.Value != nil {
			if err := json.Unmarshal(m.Value, &v); err != nil {
				t.Fatalf("status record %s is not JSON: %v: %s", m.Key, err, m.Value)
			}
		}
		out = append(out, struct{ key, state, worker string }{string(m.Key), v.State, v.WorkerID})
	}
	return out
}

// TestDistributedInProcess runs three distributed workers in this process
// (so that the herder runs under the race detector) on the real broker and
// drives a file → topic → file pipeline through a follower: create, pause
// and resume, a config update, a restart with tasks, stop and resume,
// delete; then one worker shuts down cleanly (its tasks drain and are
// reported UNASSIGNED, the others take its work and no line is lost), and
// finally every worker shuts down and runDistributed returns nil.
func TestDistributedInProcess(t *testing.T) {
	cl := newInProcCluster(t)
	ctx := context.Background()
	cl.start("w1")
	cl.start("w2")
	cl.start("w3")
	ids := map[string]bool{}
	for _, w := range cl.workers {
		if ids[w.id] {
			t.Fatalf("two workers share the worker id %s", w.id)
		}
		ids[w.id] = true
	}

	lead := cl.leader()
	var via *inProcWorker
	for _, w := range cl.workers {
		if w != lead {
			via = w
			break
		}
	}
	t.Logf("leader %s (%s); requests go through the follower %s (%s)", lead.name, lead.id, via.name, via.id)

	topic := testkit.NewTopic(t, cl.bootstrap, 1)
	in := filepath.Join(cl.dir, "in.txt")
	out1, out2 := filepath.Join(cl.dir, "out-1.txt"), filepath.Join(cl.dir, "out-2.txt")
	written := 200
	appendTestLines(t, in, 0, written)
	grow := func(n int) {
		appendTestLines(t, in, written, written+n)
		written += n
	}
	awaitLines := func(what string, files ...string) {
		t.Helper()
		cl.eventually(60*time.Second, what, func() (bool, string) {
			m := missingLines(t, written, files...)
			return m == 0, fmt.Sprintf("%d of %d lines missing from %v", m, written, files)
		})
	}

	// Create through the follower (it forwards to the leader).
	if _, err := via.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "src", Config: map[string]string{
		"connector.class": "FileStreamSource", "file": in, "topic": topic, "batch.size": "50"}}); err != nil {
		t.Fatalf("create src through %s: %v", via.name, err)
	}
	// The sinks' consumer groups are this run's own: other packages' tests
	// run a sink called sink at the same time on the same broker.
	sinkCfg := map[string]string{"connector.class": "FileStreamSink", "file": out1, "topics": topic, "consumer.override.group.id": "connect-sink-" + topic}
	if _, err := via.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "sink", Config: sinkCfg}); err != nil {
		t.Fatalf("create sink through %s: %v", via.name, err)
	}
	cl.awaitState(via, "src", herder.Running, 1)
	cl.awaitState(via, "sink", herder.Running, 1)
	awaitLines("the first lines in "+out1, out1)

	// Pause and resume the source.
	if err := via.c.Pause(ctx, "src"); err != nil {
		t.Fatalf("pause src: %v", err)
	}
	cl.awaitState(via, "src", herder.Paused, 1)
	if err := via.c.Resume(ctx, "src"); err != nil {
		t.Fatalf("resume src: %v", err)
	}
	cl.awaitState(via, "src", herder.Running, 1)
	grow(100)
	awaitLines("the lines written after the resume", out1)

	// Update the sink's config: new lines go to the new file.
	sinkCfg["file"] = out2
	if _, created, err := via.c.PutConnectorConfig(ctx, "sink", sinkCfg); err != nil || created {
		t.Fatalf("update sink: created %v, %v", created, err)
	}
	cl.eventually(60*time.Second, "the sink's task with the new file", func() (bool, string) {
		tasks, err := via.c.Tasks(ctx, "sink")
		if err != nil || len(tasks) != 1 {
			return false, fmt.Sprint(tasks, err)
		}
		return tasks[0].Config["file"] == out2, fmt.Sprint(tasks[0].Config)
	})
	// The old task drains (and takes the lines written meanwhile) before
	// the rebalance starts it again with the new file: keep writing until
	// lines reach the new file.
	cl.eventually(60*time.Second, "lines in the new file "+out2, func() (bool, string) {
		b, _ := os.ReadFile(out2)
		if strings.Contains(string(b), "in-process line") {
			return true, ""
		}
		grow(5)
		b1, _ := os.ReadFile(out1)
		return false, fmt.Sprintf("%s: %d bytes; %s: %d bytes", out2, len(b), out1, len(b1))
	})
	awaitLines("every line in the two outputs", out1, out2)

	// Restart the source with its tasks (the leader writes the request).
	st, err := via.c.RestartConnector(ctx, "src", true, false)
	if err != nil {
		t.Fatalf("restart src with tasks: %v", err)
	}
	if st == nil || st.Connector.State != herder.Restarting || len(st.Tasks) != 1 || st.Tasks[0].State != herder.Restarting {
		t.Fatalf("restart src with tasks answered %+v, want the connector and its task RESTARTING", st)
	}
	cl.awaitState(via, "src", herder.Running, 1)
	grow(100)
	awaitLines("the lines written after the restart", out1, out2)

	// Stop (no tasks left) and resume.
	if err := via.c.Stop(ctx, "src"); err != nil {
		t.Fatalf("stop src: %v", err)
	}
	cl.awaitState(via, "src", herder.Stopped, 0)
	if err := via.c.Resume(ctx, "src"); err != nil {
		t.Fatalf("resume src after stop: %v", err)
	}
	cl.awaitState(via, "src", herder.Running, 1)
	grow(100)
	awaitLines("the lines written after stop and resume", out1, out2)

	// Create and delete a third connector.
	extra := filepath.Join(cl.dir, "extra.txt")
	if _, err := via.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "extra", Config: map[string]string{
		"connector.class": "FileStreamSink", "file": extra, "topics": topic, "consumer.override.group.id": "connect-extra-" + topic}}); err != nil {
		t.Fatalf("create extra: %v", err)
	}
	cl.awaitState(via, "extra", herder.Running, 1)
	if err := via.c.DeleteConnector(ctx, "extra"); err != nil {
		t.Fatalf("delete extra: %v", err)
	}
	cl.eventually(60*time.Second, "extra gone from every worker", func() (bool, string) {
		for _, w := range cl.live() {
			names, err := w.c.Connectors(ctx)
			if err != nil || slices.Contains(names, "extra") {
				return false, fmt.Sprintf("%s: %v %v", w.name, names, err)
			}
			if _, err := w.c.ConnectorStatus(ctx, "extra"); err == nil {
				return false, w.name + " still has a status for extra"
			}
		}
		return true, ""
	})

	// Shut down the worker that runs the most of the pipeline's tasks.
	placement := cl.awaitState(via, "src", herder.Running, 1)
	for k, v := range cl.awaitState(via, "sink", herder.Running, 1) {
		placement[k] = v
	}
	load := map[string]int{}
	for id, w := range placement {
		if id != "src" && id != "sink" {
			load[w]++
		}
	}
	var victim *inProcWorker
	for _, w := range cl.workers {
		if victim == nil || load[w.id] > load[victim.id] {
			victim = w
		}
	}
	var moved []string
	for id, w := range placement {
		if w == victim.id {
			moved = append(moved, id)
		}
	}
	t.Logf("placement %v; shutting down %s (%s), which runs %v", placement, victim.name, victim.id, moved)
	grow(300)
	victim.cancel()
	stoppedAt := time.Now()
	if err := cl.wait(victim, 60*time.Second); err != nil {
		t.Fatalf("runDistributed of %s returned %v after a clean shutdown, want nil", victim.name, err)
	}
	t.Logf("%s shut down in %s", victim.name, time.Since(stoppedAt).Round(time.Millisecond))
	if via == victim {
		via = cl.live()[0]
	}
	after := cl.awaitState(via, "src", herder.Running, 1)
	for k, v := range cl.awaitState(via, "sink", herder.Running, 1) {
		after[k] = v
	}
	t.Logf("%s's work RUNNING elsewhere %s after its shutdown: %v", victim.name, time.Since(stoppedAt).Round(time.Millisecond), after)
	for _, id := range moved {
		if after[id] == victim.id {
			t.Errorf("%s still placed on the stopped worker", id)
		}
	}
	// The stopping worker drained its tasks and reported them UNASSIGNED.
	unassigned := map[string]bool{}
	for _, r := range statusRecords(t, cl.bootstrap, cl.props["status.storage.topic"]) {
		if r.state == string(herder.Unassigned) && r.worker == victim.id {
			unassigned[strings.TrimPrefix(strings.TrimPrefix(r.key, "status-task-"), "status-connector-")] = true
		}
	}
	for _, id := range moved {
		if !unassigned[id] {
			t.Errorf("%s ran on %s, which shut down without reporting it UNASSIGNED (UNASSIGNED by it: %v)", id, victim.name, unassigned)
		}
	}
	grow(200)
	awaitLines("every line after the shutdown of "+victim.name, out1, out2)

	// Shut everything down: every runDistributed returns nil.
	for _, w := range cl.live() {
		w.cancel()
	}
	for _, w := range cl.live() {
		if err := cl.wait(w, 60*time.Second); err != nil {
			t.Errorf("runDistributed of %s returned %v, want nil", w.name, err)
		}
	}
}
