package e2e

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestBrokerOutages starts a worker while its only Kafka broker is down,
// then kills the broker with kill -9 three times while the worker runs a
// file source, a file sink reading what it writes, and a datagen source
// with three tasks, and starts it again on the same log directory each
// time. The worker must wait the outages out: it starts and serves REST
// without Kafka, its tasks stay RUNNING and say they wait, none ever
// FAILED, every line is delivered, and within each source partition (each
// Kafka partition here) the records are the committed prefix followed by
// replays, never a gap and never a later record before an earlier one
// (data-integrity rules 3 and 4).
func TestBrokerOutages(t *testing.T) {
	ctx := context.Background()
	broker := testkit.StartBroker(t)
	bootstrap := broker.Addr()
	fileTopic := testkit.NewTopic(t, bootstrap, 1)
	genTopic := testkit.NewTopic(t, bootstrap, 1)
	broker.Kill9()
	killed := time.Now()

	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	appendLines(t, in, 0, 100)
	listener := testkit.FreeListener(t)
	props := workerProps(bootstrap, filepath.Join(dir, "offsets.json"))
	props["listeners"] = listener
	w := startWorker(t, dir, "worker", props, nil)
	c := newClient(t, listener)
	awaitHealthy(t, c, w)

	// The input grows all along, so that the source always has lines to
	// send when the broker dies.
	var (
		mu       sync.Mutex
		written  = 100
		writeErr error
	)
	stopWriting := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopWriting:
				return
			case <-tick.C:
			}
			mu.Lock()
			err := writeLines(in, written, written+50)
			if err == nil {
				written += 50
			} else if writeErr == nil {
				writeErr = err
			}
			mu.Unlock()
		}
	}()
	defer func() {
		select {
		case <-stopWriting:
		default:
			close(stopWriting)
		}
		<-writerDone
	}()

	// Created while Kafka is down: the connectors start, their tasks run
	// and say they wait, and /health says so too.
	tasks := map[string]int{"src": 1, "snk": 1, "gen": 3}
	for _, req := range []herder.CreateConnectorRequest{
		{Name: "src", Config: map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": fileTopic}},
		{Name: "snk", Config: map[string]string{"connector.class": "FileStreamSink", "file": out, "topics": fileTopic}},
		{Name: "gen", Config: map[string]string{"connector.class": "Datagen", "kafka.topic": genTopic, "quickstart": "users",
			"max.interval": "2", "tasks.max": "3", "random.seed": "7",
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"}},
	} {
		if _, err := c.CreateConnector(ctx, req); err != nil {
			t.Fatalf("create %s while Kafka is down: %v", req.Name, err)
		}
	}
	for name, n := range tasks {
		awaitWaiting(t, c, w, name, n)
	}
	health, err := c.Health(ctx)
	if err != nil || health.Status != "healthy" || !strings.Contains(health.Message, "5 task(s) wait for Kafka") {
		t.Fatalf("/health while Kafka is down: %+v, %v", health, err)
	}
	broker.Restart()
	back := time.Now()
	eventually(t, 2*time.Minute, "the first lines in the output", func() (bool, string) {
		n := countLines(out)
		return n > 0, fmt.Sprintf("%d lines out", n)
	}, w)
	t.Logf("start: broker down %v; the sink wrote %v after the broker was back",
		back.Sub(killed).Round(100*time.Millisecond), time.Since(back).Round(10*time.Millisecond))

	// Each round: let the pipeline make progress, kill the broker, start it
	// again, and see the output grow again. Each outage lasts what the
	// broker takes to start again after a kill -9 (13-20 s on two cores,
	// recovering its logs included).
	type resume struct {
		committed int64 // the sink's committed offset when the broker died
		at        int   // the first output line written after the restart
	}
	var resumes []resume
	for round := range 3 {
		// The sink makes progress and commits it.
		before := countLines(out)
		var committed int64
		eventually(t, time.Minute, fmt.Sprintf("round %d: the sink to make progress and commit it", round+1), func() (bool, string) {
			n := countLines(out)
			committed = groupOffset(t, bootstrap, "connect-snk", fileTopic)
			return n >= before+1000 && committed >= int64(before+1000), fmt.Sprintf("%d lines out, %d committed", n, committed)
		}, w)
		broker.Kill9()
		killed := time.Now()
		if round == 0 {
			// Running tasks say they wait, and stay RUNNING.
			awaitWaiting(t, c, w, "src", 1)
			awaitWaiting(t, c, w, "gen", 3)
		}
		broker.Restart()
		back := time.Now()
		atRestart := countLines(out)
		eventually(t, 2*time.Minute, fmt.Sprintf("round %d: the sink to make progress after the broker came back", round+1), func() (bool, string) {
			n := countLines(out)
			return n > atRestart, fmt.Sprintf("%d lines out", n)
		}, w)
		t.Logf("round %d: broker down %v; the sink wrote again %v after the broker was back",
			round+1, back.Sub(killed).Round(100*time.Millisecond), time.Since(back).Round(10*time.Millisecond))
		resumes = append(resumes, resume{committed: committed, at: atRestart})
	}

	close(stopWriting)
	<-writerDone
	mu.Lock()
	total := written
	mu.Unlock()
	if writeErr != nil {
		t.Fatalf("appending to the input: %v", writeErr)
	}
	eventually(t, 2*time.Minute, "every line in the output", func() (bool, string) {
		n := distinctLines(out)
		return n >= total, fmt.Sprintf("%d of %d distinct lines", n, total)
	}, w)

	// No task failed, and none still says it waits.
	for _, name := range []string{"src", "snk", "gen"} {
		st, err := c.ConnectorStatus(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if st.Connector.State != herder.Running {
			t.Errorf("%s is %s", name, st.Connector.State)
		}
		for _, ts := range st.Tasks {
			if ts.State != herder.Running || ts.Trace != "" {
				t.Errorf("%s task %d: %s %q", name, ts.ID, ts.State, ts.Trace)
			}
		}
	}
	if health, err := c.Health(ctx); err != nil || strings.Contains(health.Message, "wait for Kafka") {
		t.Errorf("/health once Kafka is back: %+v, %v", health, err)
	}
	if strings.Contains(w.Log(), "level=ERROR") {
		t.Errorf("the worker logged errors:\n%s", grepLines(w.Log(), "level=ERROR"))
	}
	w.Term()

	// The file source's topic, and the sink's output, in order.
	topicLines := lineNumbers(t, readTopic(t, bootstrap, fileTopic))
	dups, replays, err := replayOrder(topicLines)
	if err != nil {
		t.Fatalf("topic %s: %v", fileTopic, err)
	}
	if max := topicLines[len(topicLines)-1]; len(topicLines)-dups != total {
		t.Fatalf("topic %s holds %d distinct lines (last %d), want %d", fileTopic, len(topicLines)-dups, max, total)
	}
	t.Logf("file source: %d lines, %d records in the topic (%d duplicates; replays: %v)", total, len(topicLines), dups, replays)
	outLines := lineNumbers(t, readLines(t, out))
	outDups, replays, err := replayOrder(outLines)
	if err != nil {
		t.Fatalf("sink output: %v", err)
	}
	t.Logf("file sink: %d lines written (%d duplicates; replays: %v)", len(outLines), outDups, replays)
	// After each outage the sink went on where it was, or started again
	// from the offset it had committed, never from further back.
	for i, r := range resumes {
		if r.at == 0 || r.at >= len(outLines) {
			continue
		}
		if prev, next := outLines[r.at-1], outLines[r.at]; next <= prev && next < topicLines[r.committed] {
			t.Errorf("round %d: the sink went back to line %d after the restart, before line %d at its committed offset %d",
				i+1, next, topicLines[r.committed], r.committed)
		}
	}

	// Datagen: per task, the iterations in the topic.
	perTask := map[int][]int{}
	for _, m := range readTopicMessages(t, bootstrap, genTopic) {
		var task, iter = -1, -1
		for _, h := range m.Headers {
			switch string(h.Key) {
			case "task.id":
				task, _ = strconv.Atoi(string(h.Value))
			case "current.iteration":
				iter, _ = strconv.Atoi(string(h.Value))
			}
		}
		if task < 0 || iter < 0 {
			t.Fatalf("datagen record at offset %d lacks its task.id or current.iteration header", m.Offset)
		}
		perTask[task] = append(perTask[task], iter)
	}
	if len(perTask) != 3 {
		t.Fatalf("datagen records from tasks %v, want 3 tasks", slices.Sorted(maps.Keys(perTask)))
	}
	for task, iters := range perTask {
		d, replays, err := replayOrder(iters)
		if err != nil {
			t.Fatalf("datagen task %d: %v", task, err)
		}
		t.Logf("datagen task %d: %d records, %d duplicates; replays: %v", task, len(iters), d, replays)
	}
}

// replayOrder checks that seq, a source partition's records in a Kafka
// partition, starts at 0 and that each record is the one after the
// previous (no gap) or an earlier one (a replay from the committed offset
// after a restart); it returns how many are duplicates, and each replay as
// "back N at M" (it went back N records when it had reached M).
func replayOrder(seq []int) (dups int, replays []string, err error) {
	if len(seq) == 0 {
		return 0, nil, fmt.Errorf("no records")
	}
	if seq[0] != 0 {
		return 0, nil, fmt.Errorf("starts at %d, not 0", seq[0])
	}
	seen := map[int]bool{}
	for i, x := range seq {
		if i > 0 && x > seq[i-1]+1 {
			return 0, nil, fmt.Errorf("record %d is %d right after %d: %d records missing there, or written out of order", i, x, seq[i-1], x-seq[i-1]-1)
		}
		if i > 0 && x <= seq[i-1] {
			replays = append(replays, fmt.Sprintf("back %d at %d", seq[i-1]-x+1, seq[i-1]))
		}
		if seen[x] {
			dups++
		}
		seen[x] = true
	}
	return dups, replays, nil
}

// lineNumbers parses the numbers of test lines (see line).
func lineNumbers(t *testing.T, lines []string) []int {
	t.Helper()
	out := make([]int, len(lines))
	for i, l := range lines {
		var n int
		if _, err := fmt.Sscanf(l, "line %d ", &n); err != nil || l != line(n) {
			t.Fatalf("line %d is not a test line: %q", i, l)
		}
		out[i] = n
	}
	return out
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// awaitWaiting waits until the n tasks of a connector are RUNNING with a
// trace saying they wait for Kafka.
func awaitWaiting(t *testing.T, c *client.Client, w *testkit.Worker, name string, n int) {
	t.Helper()
	eventually(t, 30*time.Second, name+"'s tasks to say they wait for Kafka", func() (bool, string) {
		st, err := c.ConnectorStatus(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		ok := st.Connector.State == herder.Running && len(st.Tasks) == n
		for _, ts := range st.Tasks {
			ok = ok && ts.State == herder.Running && strings.Contains(ts.Trace, "Waiting for Kafka")
		}
		return ok, fmt.Sprintf("%+v", st)
	}, w)
}

// groupOffset returns the offset a consumer group committed for partition
// 0 of topic (-1 when none), or -1 when Kafka cannot be asked.
func groupOffset(t *testing.T, bootstrap, group, topic string) int64 {
	t.Helper()
	off, err := testkit.GroupOffset(bootstrap, group, topic, 0)
	if err != nil {
		return -1 // the broker may be away: the caller polls
	}
	return off
}
