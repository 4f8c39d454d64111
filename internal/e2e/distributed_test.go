package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// cluster is a group of `sluice distributed` processes sharing a group id
// and internal topics.
type cluster struct {
	t         *testing.T
	dir       string
	bootstrap string
	props     map[string]string
	nodes     map[string]*node // by worker id (host:port)
}

// node is one worker of a cluster.
type node struct {
	w  *testkit.Worker
	id string // worker id, 127.0.0.1:port
	c  *client.Client
}

// maxDelay is scheduled.rebalance.max.delay.ms in the cluster tests: how
// long the leader keeps a departed worker's work for its return.
const maxDelay = 3 * time.Second

func newCluster(t *testing.T) *cluster {
	return newClusterOn(t, testkit.Kafka(t))
}

// newClusterOn is newCluster on the broker at bootstrap (a test's own
// testkit.Broker), with a fresh group id and fresh internal topics.
func newClusterOn(t *testing.T, bootstrap string) *cluster {
	suffix := testkit.NewTopic(t, bootstrap, 1) // a unique name; the topic itself stays unused
	props := testkit.GroupProps(suffix)
	maps.Copy(props, map[string]string{
		"bootstrap.servers":                bootstrap,
		"offset.storage.partitions":        "5",
		"status.storage.partitions":        "3",
		"key.converter":                    "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":                  "org.apache.kafka.connect.storage.StringConverter",
		"offset.flush.interval.ms":         "300",
		"session.timeout.ms":               "6000",
		"heartbeat.interval.ms":            "1000",
		"scheduled.rebalance.max.delay.ms": fmt.Sprint(maxDelay.Milliseconds()),
		"consumer.session.timeout.ms":      "6000",
		"consumer.heartbeat.interval.ms":   "1000",
	})
	return &cluster{t: t, dir: t.TempDir(), bootstrap: bootstrap, nodes: map[string]*node{}, props: props}
}

// start runs one more worker and waits until it has joined the group.
func (cl *cluster) start(name string) *node {
	cl.t.Helper()
	return cl.startAll(name)[0]
}

// startAll starts one worker per name at the same instant and waits until
// every one has joined the group.
func (cl *cluster) startAll(names ...string) []*node {
	cl.t.Helper()
	nodes := make([]*node, len(names))
	props := make([]map[string]string, len(names))
	for i := range names {
		listener := testkit.FreeListener(cl.t)
		nodes[i] = &node{id: strings.TrimPrefix(listener, "http://"), c: newClient(cl.t, listener)}
		props[i] = map[string]string{"listeners": listener}
		for k, v := range cl.props {
			props[i][k] = v
		}
	}
	procs := make([]*testkit.Worker, len(names))
	for i, name := range names {
		nodes[i].w = testkit.StartDistributed(cl.t, binary, cl.dir, name, props[i])
		procs[i] = nodes[i].w
	}
	eventually(cl.t, 60*time.Second, strings.Join(names, ", ")+" joined the cluster", func() (bool, string) {
		for i, n := range nodes {
			st, err := n.c.Health(context.Background())
			if err != nil || st.Status != "healthy" {
				return false, fmt.Sprintf("%s: %v %v", names[i], st, err)
			}
		}
		return true, ""
	}, procs...)
	for _, n := range nodes {
		cl.nodes[n.id] = n
	}
	return nodes
}

// any returns a live worker other than those excluded.
func (cl *cluster) any(not ...*node) *node {
	ids := mapsKeys(cl.nodes)
	slices.Sort(ids)
	for _, id := range ids {
		if n := cl.nodes[id]; !slices.Contains(not, n) {
			return n
		}
	}
	cl.t.Fatal("no live worker")
	return nil
}

func mapsKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (cl *cluster) live() []*testkit.Worker {
	var out []*testkit.Worker
	for _, n := range cl.nodes {
		out = append(out, n.w)
	}
	return out
}

// kill9 kills a worker and forgets it.
func (cl *cluster) kill9(n *node) time.Time {
	n.w.Kill9()
	delete(cl.nodes, n.id)
	return time.Now()
}

// placement maps every connector and task to the worker id that runs it,
// as one worker's REST API reports it, once every connector and task
// named is RUNNING; it fails after timeout.
func (cl *cluster) awaitRunning(timeout time.Duration, names []string, tasksPer int) map[string]string {
	cl.t.Helper()
	var placement map[string]string
	eventually(cl.t, timeout, "every connector and task RUNNING", func() (bool, string) {
		placement = map[string]string{}
		n := cl.any()
		for _, name := range names {
			st, err := n.c.ConnectorStatus(context.Background(), name)
			if err != nil {
				return false, fmt.Sprintf("%s: %v", name, err)
			}
			if st.Connector.State != herder.Running || len(st.Tasks) != tasksPer {
				return false, fmt.Sprintf("%s: connector %s on %s, %d tasks", name, st.Connector.State, st.Connector.WorkerID, len(st.Tasks))
			}
			if cl.nodes[st.Connector.WorkerID] == nil {
				return false, fmt.Sprintf("%s runs on %s, which is not a live worker", name, st.Connector.WorkerID)
			}
			placement[name] = st.Connector.WorkerID
			for _, ts := range st.Tasks {
				id := herder.TaskID{Connector: name, Task: ts.ID}.String()
				if ts.State != herder.Running || cl.nodes[ts.WorkerID] == nil {
					msg := fmt.Sprintf("task %s %s on %s", id, ts.State, ts.WorkerID)
					if ts.Trace != "" {
						msg += ", trace: " + ts.Trace
					}
					return false, msg
				}
				placement[id] = ts.WorkerID
			}
		}
		return true, ""
	}, cl.live()...)
	return placement
}

// statusRecord is one record of the status topic.
type statusRecord struct {
	key      string
	state    string
	workerID string
	gen      int64
	at       time.Time
}

// readStatusTopic reads every record of the cluster's status topic.
func (cl *cluster) readStatusTopic() []statusRecord {
	cl.t.Helper()
	recs := readAllPartitions(cl.t, cl.bootstrap, cl.props["status.storage.topic"])
	var out []statusRecord
	for _, m := range recs {
		r := statusRecord{key: string(m.Key), at: m.Timestamp}
		if m.Value != nil {
			var v struct {
				State      string `json:"state"`
				WorkerID   string `json:"worker_id"`
				Generation int64  `json:"generation"`
			}
			if err := json.Unmarshal(m.Value, &v); err != nil {
				cl.t.Fatalf("status record %s is not JSON: %v: %s", m.Key, err, m.Value)
			}
			r.state, r.workerID, r.gen = v.State, v.WorkerID, v.Generation
		}
		out = append(out, r)
	}
	return out
}

// readAllPartitions reads every record of every partition of a topic, up to the
// end offsets of the moment it is called, in the order of their timestamps.
func readAllPartitions(t *testing.T, bootstrap, topic string) []*sarama.ConsumerMessage {
	t.Helper()
	out := testkit.ReadAllPartitions(t, bootstrap, topic)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out
}

// stoppedAfter returns the connectors and tasks among ids whose status
// records show them stopping or restarting (UNASSIGNED, RESTARTING) after
// since: work that a rebalance interrupted.
func stoppedAfter(recs []statusRecord, ids []string, since time.Time) []string {
	var out []string
	for _, r := range recs {
		if r.at.Before(since) || (r.state != "UNASSIGNED" && r.state != "RESTARTING" && r.state != "") {
			continue
		}
		for _, id := range ids {
			if r.key == "status-task-"+id || r.key == "status-connector-"+id {
				out = append(out, fmt.Sprintf("%s %s by %s at %s", id, r.state, r.workerID, r.at.Format("15:04:05.000")))
			}
		}
	}
	return out
}

// pipeline is a file → topic → file pipeline of two connectors.
type pipeline struct {
	src, sink string
	in, out   string
	topic     string
	written   int
}

func (cl *cluster) newPipeline(i int, via *node) *pipeline {
	cl.t.Helper()
	p := &pipeline{src: fmt.Sprintf("src-%d", i), sink: fmt.Sprintf("sink-%d", i),
		in: filepath.Join(cl.dir, fmt.Sprintf("in-%d.txt", i)), out: filepath.Join(cl.dir, fmt.Sprintf("out-%d.txt", i)),
		topic: testkit.NewTopic(cl.t, cl.bootstrap, 1)}
	appendLines(cl.t, p.in, 0, 500)
	p.written = 500
	ctx := context.Background()
	if _, err := via.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: p.src, Config: map[string]string{
		"connector.class": "FileStreamSource", "file": p.in, "topic": p.topic, "batch.size": "100"}}); err != nil {
		cl.t.Fatalf("create %s through %s: %v", p.src, via.id, err)
	}
	if _, err := via.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: p.sink, Config: map[string]string{
		"connector.class": "FileStreamSink", "file": p.out, "topics": p.topic,
		"consumer.override.group.id": "connect-" + p.sink + "-" + p.topic}}); err != nil { // this run's own group
		cl.t.Fatalf("create %s through %s: %v", p.sink, via.id, err)
	}
	return p
}

func (p *pipeline) grow(t *testing.T, n int) {
	appendLines(t, p.in, p.written, p.written+n)
	p.written += n
}

// awaitComplete waits until the output holds every line written.
func (cl *cluster) awaitComplete(ps []*pipeline) {
	cl.t.Helper()
	eventually(cl.t, 90*time.Second, "every line in the outputs", func() (bool, string) {
		for _, p := range ps {
			if got := distinctLines(p.out); got < p.written {
				return false, fmt.Sprintf("%s: %d of %d distinct lines", p.out, got, p.written)
			}
		}
		return true, ""
	}, cl.live()...)
}

func distinctLines(path string) int {
	b, _ := os.ReadFile(path)
	seen := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" {
			seen[l] = true
		}
	}
	return len(seen)
}

// checkAtLeastOnce checks that the output holds lines 0..n-1 at least
// once, as a sequence of in-order runs where each new run starts at or
// before the line the previous one ended with: a restart may deliver again
// what came after its committed offset, but never skips a line. It returns
// the number of duplicates.
func checkAtLeastOnce(t *testing.T, path string, n int) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for i := 0; i < n; i++ {
		index[line(i)] = i
	}
	furthest, prev, dups := -1, -1, 0
	for k, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		i, ok := index[l]
		if !ok {
			t.Fatalf("%s line %d is not an input line: %q", path, k, l)
		}
		switch {
		case i == prev+1: // in order
		case i <= prev: // a restart delivers again from an earlier line
		default:
			t.Fatalf("%s line %d: line %d follows line %d: lines %d..%d were skipped", path, k, i, prev, prev+1, i-1)
		}
		if i <= furthest {
			dups++
		}
		furthest, prev = max(furthest, i), i
	}
	if furthest != n-1 {
		t.Fatalf("%s ends at line %d, want %d", path, furthest, n-1)
	}
	return dups
}

// leader returns the node that led the last rebalance its peers saw.
func (cl *cluster) leader() *node {
	cl.t.Helper()
	var n *node
	eventually(cl.t, 30*time.Second, "a known leader", func() (bool, string) {
		logs := map[string]string{}
		for _, x := range cl.nodes {
			logs[x.id] = x.w.Log()
		}
		url, why := testkit.AgreedLeader(logs)
		if url == "" {
			return false, why
		}
		n = cl.nodes[strings.TrimPrefix(url, "http://")]
		return n != nil, "leader " + url + " is not live"
	}, cl.live()...)
	return n
}

// TestDistributedCluster runs three workers on loopback ports and shows:
// connectors created through any worker run, status reads the same from
// every worker, tasks spread; a kill -9 of a worker moves its work to the
// others within scheduled.rebalance.max.delay.ms with no line lost and no
// other task stopped; a joining worker gets work without unrelated tasks
// stopping; and after the leader is killed, config writes through any
// worker succeed again.
func TestDistributedCluster(t *testing.T) {
	cl := newCluster(t)
	ctx := context.Background()
	w1, w2, w3 := cl.start("w1"), cl.start("w2"), cl.start("w3")

	// Connectors created through every worker (the two followers forward
	// to the leader).
	var ps []*pipeline
	var names []string
	for i, via := range []*node{w1, w2, w3} {
		p := cl.newPipeline(i, via)
		ps = append(ps, p)
		names = append(names, p.src, p.sink)
	}
	placement := cl.awaitRunning(60*time.Second, names, 1)
	perWorker := map[string]int{}
	for id, w := range placement {
		if strings.Count(id, "-") == 2 { // tasks: src-0-0
			perWorker[w]++
		}
	}
	if len(perWorker) != 3 {
		t.Fatalf("tasks run on %d workers, want all 3: %v", len(perWorker), placement)
	}
	t.Logf("tasks per worker: %v", perWorker)

	// Status reads the same from every worker.
	eventually(t, 10*time.Second, "the same status on every worker", func() (bool, string) {
		var first string
		for _, n := range []*node{w1, w2, w3} {
			st, err := n.c.ConnectorsExpanded(ctx, true, false)
			if err != nil {
				return false, err.Error()
			}
			b, _ := json.Marshal(st)
			if first == "" {
				first = string(b)
			} else if string(b) != first {
				return false, fmt.Sprintf("%s differs:\n%s\n%s", n.id, b, first)
			}
		}
		return true, ""
	}, cl.live()...)
	cl.awaitComplete(ps)

	// kill -9 of the follower with the most tasks.
	lead := cl.leader()
	var victim *node
	for _, n := range []*node{w1, w2, w3} {
		if n != lead && (victim == nil || perWorker[n.id] > perWorker[victim.id]) {
			victim = n
		}
	}
	var moved, stayed []string
	for id, w := range placement {
		if w == victim.id {
			moved = append(moved, id)
		} else {
			stayed = append(stayed, id)
		}
	}
	for _, p := range ps {
		p.grow(t, 1000)
	}
	killedAt := cl.kill9(victim)
	placement = cl.awaitRunning(60*time.Second, names, 1)
	failover := time.Since(killedAt)
	for _, id := range moved {
		if placement[id] == victim.id {
			t.Fatalf("%s still placed on the killed worker", id)
		}
	}
	t.Logf("kill -9 of %s: its %d connectors and tasks %v RUNNING elsewhere %s after the kill (session.timeout.ms 6000, scheduled.rebalance.max.delay.ms %d)",
		victim.id, len(moved), moved, failover.Round(time.Millisecond), maxDelay.Milliseconds())
	if limit := 6*time.Second + maxDelay + 15*time.Second; failover > limit {
		t.Errorf("failover took %s, more than session timeout + max delay + 15 s", failover)
	}
	for _, p := range ps {
		p.grow(t, 500)
	}
	cl.awaitComplete(ps)
	if s := stoppedAfter(cl.readStatusTopic(), stayed, killedAt); len(s) > 0 {
		t.Errorf("work on the surviving workers was interrupted by the failover: %v", s)
	}
	for _, p := range ps {
		d := checkAtLeastOnce(t, p.out, p.written)
		t.Logf("%s: %d lines, %d duplicates", p.out, p.written, d)
	}

	// A joining worker gets work; the work it does not take keeps running.
	before := cl.awaitRunning(30*time.Second, names, 1)
	joinAt := time.Now()
	w4 := cl.start("w4")
	var joined time.Duration
	eventually(t, 60*time.Second, "the new worker running tasks", func() (bool, string) {
		n := 0
		for _, name := range names {
			st, err := w4.c.ConnectorStatus(ctx, name)
			if err != nil {
				return false, err.Error()
			}
			for _, ts := range st.Tasks {
				if ts.WorkerID == w4.id && ts.State == herder.Running {
					n++
				}
			}
		}
		joined = time.Since(joinAt)
		return n > 0, fmt.Sprintf("%d tasks on %s", n, w4.id)
	}, cl.live()...)
	after := cl.awaitRunning(30*time.Second, names, 1)
	var unmoved []string
	for id, w := range after {
		if before[id] == w {
			unmoved = append(unmoved, id)
		}
	}
	if s := stoppedAfter(cl.readStatusTopic(), unmoved, joinAt); len(s) > 0 {
		t.Errorf("work that did not move to the new worker was interrupted: %v", s)
	}
	t.Logf("a joining worker ran its first task %s after it started (including its start-up)", joined.Round(time.Millisecond))

	// A worker stopped cleanly (SIGTERM) stops its work and reports it
	// UNASSIGNED before it leaves: the leader hands that work out at once
	// instead of waiting scheduled.rebalance.max.delay.ms as for a crash.
	lead = cl.leader()
	var quitter *node
	for _, n := range cl.nodes {
		if n != lead {
			for _, w := range after {
				if w == n.id {
					quitter = n
				}
			}
		}
	}
	if quitter == nil {
		t.Fatal("no follower runs any work")
	}
	stopAt := time.Now()
	quitter.w.Term()
	delete(cl.nodes, quitter.id)
	cl.awaitRunning(60*time.Second, names, 1)
	if moved := time.Since(stopAt); moved >= maxDelay {
		t.Errorf("the work of a cleanly stopped worker took %s to run elsewhere, not less than scheduled.rebalance.max.delay.ms (%s)", moved, maxDelay)
	} else {
		t.Logf("SIGTERM of %s: its work ran elsewhere %s later (shutdown included)", quitter.id, moved.Round(time.Millisecond))
	}

	// Kill the leader: a new one takes over and config writes through any
	// worker succeed again.
	lead = cl.leader()
	leaderKilledAt := cl.kill9(lead)
	for i, n := range mapsKeys(cl.nodes) {
		via := cl.nodes[n]
		name := fmt.Sprintf("after-leader-%d", i)
		eventually(t, 60*time.Second, "a config write through "+via.id, func() (bool, string) {
			_, err := via.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: name, Config: map[string]string{
				"connector.class": "FileStreamSink", "file": filepath.Join(cl.dir, name+".txt"), "topics": ps[0].topic,
				"consumer.override.group.id": "connect-" + name + "-" + ps[0].topic}}) // this run's own group
			return err == nil, fmt.Sprint(err)
		}, cl.live()...)
		names = append(names, name)
	}
	t.Logf("config writes through every surviving worker succeeded %s after the leader was killed", time.Since(leaderKilledAt).Round(time.Millisecond))
	cl.awaitRunning(60*time.Second, names, 1)
	for _, n := range cl.nodes {
		if rss, err := n.w.PeakRSS(); err == nil {
			t.Logf("peak RSS of %s: %.1f MiB", n.w.Name(), float64(rss)/(1<<20))
		}
	}
}

// TestDistributedResumesForeignOffsets writes a source offset into the
// offsets topic the way a Kafka Connect worker does (its exact key and
// value bytes, murmur2-partitioned), then creates the file source: it
// resumes from that offset, so the output starts at the line the offset
// points to.
func TestDistributedResumesForeignOffsets(t *testing.T) {
	cl := newCluster(t)
	ctx := context.Background()
	w := cl.start("w1") // creates the internal topics
	const from, total = 120, 300
	in, out := filepath.Join(cl.dir, "in.txt"), filepath.Join(cl.dir, "out.txt")
	appendLines(t, in, 0, total)
	topic := testkit.NewTopic(t, cl.bootstrap, 1)

	// What Java's KafkaOffsetBackingStore writes for FileStreamSourceTask:
	// JsonConverter (schemas.enable=false) of ["<connector>",{"filename":…}]
	// and {"position":<bytes>}, the Long offset of the next line.
	fname, _ := json.Marshal(in)
	key := `["java-src",{"filename":` + string(fname) + `}]`
	value := fmt.Sprintf(`{"position":%d}`, from*100)
	cfg := testkit.SaramaConfig()
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewMurmur2Partitioner
	p, err := sarama.NewSyncProducer(testkit.Addrs(cl.bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: cl.props["offset.storage.topic"],
		Key: sarama.StringEncoder(key), Value: sarama.StringEncoder(value)}); err != nil {
		t.Fatal(err)
	}
	p.Close()

	for _, req := range []herder.CreateConnectorRequest{
		{Name: "java-src", Config: map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": topic}},
		{Name: "java-sink", Config: map[string]string{"connector.class": "FileStreamSink", "file": out, "topics": topic,
			"consumer.override.group.id": "connect-java-sink-" + topic}}, // this run's own group
	} {
		if _, err := w.c.CreateConnector(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, time.Minute, "the lines after the stored offset in the output", func() (bool, string) {
		n := countLines(out)
		return n >= total-from, fmt.Sprintf("%d of %d lines", n, total-from)
	}, w.w)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for i := from; i < total; i++ {
		want.WriteString(line(i) + "\n")
	}
	if string(b) != want.String() {
		t.Fatalf("the output does not start at line %d of the input and hold the rest exactly once:\n%.300s", from, b)
	}
	eventually(t, 30*time.Second, "the final offset committed", func() (bool, string) {
		offs, err := w.c.Offsets(ctx, "java-src")
		if err != nil {
			return false, err.Error()
		}
		return len(offs.Offsets) == 1 && fmt.Sprint(offs.Offsets[0].Offset["position"]) == fmt.Sprint(total*100), fmt.Sprintf("%+v", offs)
	}, w.w)
}

// TestDistributedEagerMixed runs a worker with connect.protocol=sessioned
// beside one with connect.protocol=eager: the group falls back to the
// protocol both speak (default, eager rebalancing), work spreads over
// both, and when one stops the other takes all of it with every line
// delivered.
func TestDistributedEagerMixed(t *testing.T) {
	cl := newCluster(t)
	w1 := cl.start("w1")
	cl.props["connect.protocol"] = "eager"
	w2 := cl.start("w2")
	ps := []*pipeline{cl.newPipeline(0, w1), cl.newPipeline(1, w2)}
	names := []string{ps[0].src, ps[0].sink, ps[1].src, ps[1].sink}
	placement := cl.awaitRunning(60*time.Second, names, 1)
	used := map[string]bool{}
	for _, w := range placement {
		used[w] = true
	}
	if len(used) != 2 {
		t.Fatalf("work runs on %d workers, want 2: %v", len(used), placement)
	}
	if !strings.Contains(w2.w.Log(), "protocol=default") {
		t.Fatal("the group did not fall back to the default (eager) protocol")
	}
	cl.awaitComplete(ps)
	for _, p := range ps {
		p.grow(t, 500)
	}
	w1.w.Term()
	delete(cl.nodes, w1.id)
	cl.awaitRunning(60*time.Second, names, 1)
	cl.awaitComplete(ps)
	for _, p := range ps {
		checkAtLeastOnce(t, p.out, p.written)
	}
}
