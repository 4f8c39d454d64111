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

// TestBrokerOutages kills the only Kafka broker with kill -9 three times
// while a worker runs a file source, a file sink reading what it writes,
// and a datagen source with three tasks, and starts it again on the same
// log directory each time. The worker must wait the outages out: no task
// ever FAILED, every line delivered, and within each source partition
// (each Kafka partition here) the records are the committed prefix
// followed by replays, never a gap and never a later record before an
// earlier one (data-integrity rules 3 and 4).
func TestBrokerOutages(t *testing.T) {
	ctx := context.Background()
	broker := testkit.StartBroker(t)
	bootstrap := broker.Addr()
	fileTopic := testkit.NewTopic(t, bootstrap, 1)
	genTopic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	listener := testkit.FreeListener(t)
	props := workerProps(bootstrap, filepath.Join(dir, "offsets.json"))
	props["listeners"] = listener
	w := startWorker(t, dir, "worker", props, nil)
	c, err := client.New(listener)
	if err != nil {
		t.Fatal(err)
	}
	awaitHealthy(t, c, w)

	// The input grows all along, so that the source always has lines to
	// send when the broker dies.
	var (
		mu      sync.Mutex
		written int
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
			appendLines(t, in, written, written+100)
			written += 100
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
	appendLines(t, in, 0, 0) // the file exists before the source starts

	for _, req := range []herder.CreateConnectorRequest{
		{Name: "src", Config: map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": fileTopic}},
		{Name: "snk", Config: map[string]string{"connector.class": "FileStreamSink", "file": out, "topics": fileTopic}},
		{Name: "gen", Config: map[string]string{"connector.class": "Datagen", "kafka.topic": genTopic, "quickstart": "users",
			"max.interval": "2", "tasks.max": "3", "random.seed": "7",
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"}},
	} {
		if _, err := c.CreateConnector(ctx, req); err != nil {
			t.Fatalf("create %s: %v", req.Name, err)
		}
	}
	for _, name := range []string{"src", "snk", "gen"} {
		awaitState(t, c, name, herder.Running, w)
	}

	// Each round: let the pipeline make progress, kill the broker, hold it
	// down, start it again, and see the output grow again.
	for round, hold := range []time.Duration{0, 0, 12 * time.Second} {
		before := countLines(out)
		eventually(t, time.Minute, fmt.Sprintf("round %d: the sink to make progress", round+1), func() (bool, string) {
			n := countLines(out)
			return n >= before+2000, fmt.Sprintf("%d lines out", n)
		}, w)
		broker.Kill9()
		killed := time.Now()
		if round == 0 {
			// The tasks say they wait, and stay RUNNING.
			for _, name := range []string{"src", "gen"} {
				eventually(t, 30*time.Second, name+"'s tasks to say they wait for Kafka", func() (bool, string) {
					st, err := c.ConnectorStatus(ctx, name)
					if err != nil {
						return false, err.Error()
					}
					ok := len(st.Tasks) > 0
					for _, ts := range st.Tasks {
						ok = ok && ts.State == herder.Running && strings.Contains(ts.Trace, "Waiting for Kafka")
					}
					return ok, fmt.Sprintf("%+v", st.Tasks)
				}, w)
			}
		}
		if d := hold - time.Since(killed); d > 0 {
			time.Sleep(d) // the outage's length is the scenario, not a synchronisation
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
	}

	close(stopWriting)
	<-writerDone
	mu.Lock()
	total := written
	mu.Unlock()
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

// TestWorkerStartsWithoutKafka starts a worker while its only broker is
// down: it starts, its REST API works, its tasks are RUNNING and say they
// wait for Kafka, /health says so too; once the broker is back, the
// pipeline runs and the notes are gone.
func TestWorkerStartsWithoutKafka(t *testing.T) {
	ctx := context.Background()
	broker := testkit.StartBroker(t)
	topic := testkit.NewTopic(t, broker.Addr(), 1)
	broker.Kill9()

	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	appendLines(t, in, 0, 1000)
	listener := testkit.FreeListener(t)
	props := workerProps(broker.Addr(), filepath.Join(dir, "offsets.json"))
	props["listeners"] = listener
	w := startWorker(t, dir, "worker", props, map[string]string{
		"name": "src", "connector.class": "FileStreamSource", "file": in, "topic": topic,
	})
	c, err := client.New(listener)
	if err != nil {
		t.Fatal(err)
	}
	awaitHealthy(t, c, w)
	if _, err := c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "snk",
		Config: map[string]string{"connector.class": "FileStreamSink", "file": out, "topics": topic}}); err != nil {
		t.Fatalf("create a sink while Kafka is down: %v", err)
	}
	for _, name := range []string{"src", "snk"} {
		eventually(t, 30*time.Second, name+" to say it waits for Kafka", func() (bool, string) {
			st, err := c.ConnectorStatus(ctx, name)
			if err != nil {
				return false, err.Error()
			}
			ok := st.Connector.State == herder.Running && len(st.Tasks) == 1 && st.Tasks[0].State == herder.Running &&
				strings.Contains(st.Tasks[0].Trace, "Waiting for Kafka")
			return ok, fmt.Sprintf("%+v", st)
		}, w)
	}
	health, err := c.Health(ctx)
	if err != nil || health.Status != "healthy" || !strings.Contains(health.Message, "2 task(s) wait for Kafka") {
		t.Fatalf("/health while Kafka is down: %+v, %v", health, err)
	}

	broker.Restart()
	eventually(t, time.Minute, "every line in the output", func() (bool, string) {
		n := countLines(out)
		return n == 1000, fmt.Sprintf("%d lines", n)
	}, w)
	for _, name := range []string{"src", "snk"} {
		eventually(t, 30*time.Second, name+"'s note to be gone", func() (bool, string) {
			st, err := c.ConnectorStatus(ctx, name)
			if err != nil {
				return false, err.Error()
			}
			return st.Tasks[0].State == herder.Running && st.Tasks[0].Trace == "", fmt.Sprintf("%+v", st.Tasks)
		}, w)
	}
	if health, err := c.Health(ctx); err != nil || strings.Contains(health.Message, "wait for Kafka") {
		t.Fatalf("/health once Kafka is back: %+v, %v", health, err)
	}
	got := readLines(t, out)
	for i, l := range got {
		if l != line(i) {
			t.Fatalf("output line %d is %q, want %q", i, l, line(i))
		}
	}
}
