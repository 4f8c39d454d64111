package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// The example connectors under examples/, as their plugins declare them.
const (
	counterClass   = "com.example.counter.CounterSourceConnector"
	jsonlinesClass = "com.example.jsonlines.JsonLinesSinkConnector"
	exampleVersion = "0.1.0"
)

// exampleBins are the examples' executables, built once per test binary run.
type exampleBins struct {
	counterWorker, jsonlinesWorker string // custom workers, each linking one example
	pluginDir                      string // holds counter-plugin and jsonlines-plugin only
	counterPlugin, jsonlinesPlugin string
}

var (
	examplesOnce  sync.Once
	examplesBuilt exampleBins
	examplesErr   error
	examplesDir   string // removed by TestMain
)

// examples builds the example modules' commands (GOWORK=off, -mod=readonly:
// their own go.mod and go.sum, as an outside author builds them) the first
// time a test asks; a build failure fails every test that needs them.
func examples(t *testing.T) exampleBins {
	t.Helper()
	examplesOnce.Do(func() {
		examplesBuilt, examplesErr = buildExamples()
	})
	if examplesErr != nil {
		t.Fatal(examplesErr)
	}
	return examplesBuilt
}

func buildExamples() (exampleBins, error) {
	dir, err := os.MkdirTemp("", "sluice-examples")
	if err != nil {
		return exampleBins{}, err
	}
	examplesDir = dir
	root, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		return exampleBins{}, err
	}
	b := exampleBins{pluginDir: filepath.Join(dir, "plugins")}
	for _, mod := range []string{"counter", "jsonlines"} {
		out := filepath.Join(dir, mod) + string(filepath.Separator)
		cmd := exec.Command("go", "build", "-mod=readonly", "-o", out, "./cmd/...")
		cmd.Dir = filepath.Join(root, mod)
		cmd.Env = append(os.Environ(), "GOWORK=off")
		if o, err := cmd.CombinedOutput(); err != nil {
			return exampleBins{}, fmt.Errorf("build examples/%s: %v\n%s", mod, err, o)
		}
		if err := os.MkdirAll(b.pluginDir, 0o755); err != nil {
			return exampleBins{}, err
		}
		if err := os.Rename(filepath.Join(out, mod+"-plugin"), filepath.Join(b.pluginDir, mod+"-plugin")); err != nil {
			return exampleBins{}, fmt.Errorf("examples/%s has no cmd/%s-plugin: %w", mod, mod, err)
		}
	}
	b.counterWorker, b.jsonlinesWorker = filepath.Join(dir, "counter", "counter-worker"), filepath.Join(dir, "jsonlines", "jsonlines-worker")
	b.counterPlugin, b.jsonlinesPlugin = filepath.Join(b.pluginDir, "counter-plugin"), filepath.Join(b.pluginDir, "jsonlines-plugin")
	for _, p := range []string{b.counterWorker, b.jsonlinesWorker} {
		if _, err := os.Stat(p); err != nil {
			return exampleBins{}, fmt.Errorf("the examples' build made no %s: %w", filepath.Base(p), err)
		}
	}
	return b, nil
}

// exampleProps are worker settings for the example pipelines: schemaless
// JSON, so the counter's int64 numbers reach the sink as JSON numbers.
func exampleProps(bootstrap, offsetsFile, listener string) map[string]string {
	p := workerProps(bootstrap, offsetsFile)
	p["listeners"] = listener
	p["key.converter"] = "org.apache.kafka.connect.json.JsonConverter"
	p["value.converter"] = "org.apache.kafka.connect.json.JsonConverter"
	p["key.converter.schemas.enable"] = "false"
	p["value.converter.schemas.enable"] = "false"
	return p
}

// checkListed checks that GET /connector-plugins lists each class with its
// type and the examples' version.
func checkListed(t *testing.T, c *client.Client, want map[string]string) {
	t.Helper()
	ps, err := c.Plugins(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for class, typ := range want {
		i := slices.IndexFunc(ps, func(p herder.PluginInfo) bool { return p.Class == class })
		if i < 0 {
			t.Fatalf("GET /connector-plugins does not list %s: %+v", class, ps)
		}
		if ps[i].Type != typ || ps[i].Version != exampleVersion {
			t.Fatalf("GET /connector-plugins lists %+v, want type %s, version %s", ps[i], typ, exampleVersion)
		}
	}
}

// checkValidates checks PUT /connector-plugins/{connector.class}/config/validate:
// the answer names connector.class as sent, good has no errors, bad has errors on badKey
// only.
func checkValidates(t *testing.T, c *client.Client, want string, good map[string]string, badKey, badValue string) {
	t.Helper()
	ctx := context.Background()
	class := good["connector.class"]
	infos, err := c.Validate(ctx, class, good)
	if err != nil {
		t.Fatalf("validate %s: %v", class, err)
	}
	if infos.ErrorCount != 0 || infos.Name != want {
		t.Fatalf("validate a good %s configuration: %d errors, name %s, want 0 errors, name %s", class, infos.ErrorCount, infos.Name, want)
	}
	bad := map[string]string{badKey: badValue}
	for k, v := range good {
		if k != badKey {
			bad[k] = v
		}
	}
	infos, err = c.Validate(ctx, class, bad)
	if err != nil {
		t.Fatalf("validate %s: %v", class, err)
	}
	var withErrors []string
	for _, ci := range infos.Configs {
		if ci.Value != nil && len(ci.Value.Errors) > 0 {
			withErrors = append(withErrors, fmt.Sprintf("%s: %s", ci.Value.Name, strings.Join(ci.Value.Errors, "; ")))
		}
	}
	if infos.ErrorCount != 1 || len(withErrors) != 1 || !strings.HasPrefix(withErrors[0], badKey+": ") {
		t.Fatalf("validate %s with %s=%q: %d errors %q, want one on %s", class, badKey, badValue, infos.ErrorCount, withErrors, badKey)
	}
}

// counted is one record of the counter: its key is the counter's
// partition, its value the number.
type counted struct{ key, value int }

// counterRecords reads the counter's records in partition 0 of a topic:
// every key and value must be a number.
func counterRecords(t *testing.T, bootstrap, topic string) []counted {
	t.Helper()
	var out []counted
	for _, m := range readTopicMessages(t, bootstrap, topic) {
		k, kerr := strconv.Atoi(string(m.Key))
		v, verr := strconv.Atoi(string(m.Value))
		if kerr != nil || verr != nil {
			t.Fatalf("%s@%d: key %q, value %q: want numbers", topic, m.Offset, m.Key, m.Value)
		}
		out = append(out, counted{k, v})
	}
	return out
}

// jsonLine is a line of the jsonlines sink's file, numbers kept exact.
type jsonLine struct {
	Topic     string      `json:"topic"`
	Partition int32       `json:"partition"`
	Offset    int64       `json:"offset"`
	Key       json.Number `json:"key"`
	Value     json.Number `json:"value"`
}

// checkSinkFile checks the jsonlines sink's file against the topic's
// records: every line is the record at its offset (topic, partition 0, the
// key and value the topic holds there), the offsets run from 0 to the
// topic's end with no gap (a restart may write again what followed the
// committed offset), and it returns how many lines are duplicates.
func checkSinkFile(t *testing.T, path, topic string, recs []counted) int {
	t.Helper()
	var offsets []int
	for i, l := range readLines(t, path) {
		var jl jsonLine
		d := json.NewDecoder(strings.NewReader(l))
		d.UseNumber()
		d.DisallowUnknownFields()
		if err := d.Decode(&jl); err != nil {
			t.Fatalf("%s line %d is not a JSON line of the sink: %v: %q", path, i, err, l)
		}
		if jl.Topic != topic || jl.Partition != 0 || jl.Offset < 0 || jl.Offset >= int64(len(recs)) {
			t.Fatalf("%s line %d: %q is not a record of %s/0 (which holds %d)", path, i, l, topic, len(recs))
		}
		r := recs[jl.Offset]
		if string(jl.Key) != strconv.Itoa(r.key) || string(jl.Value) != strconv.Itoa(r.value) {
			t.Fatalf("%s line %d: key %s, value %s at offset %d; the topic holds %d, %d", path, i, jl.Key, jl.Value, jl.Offset, r.key, r.value)
		}
		offsets = append(offsets, int(jl.Offset))
	}
	dups, replays, err := replayOrder(offsets)
	if err != nil {
		t.Fatalf("%s: offsets: %v", path, err)
	}
	if m := slices.Max(offsets); m != len(recs)-1 {
		t.Fatalf("%s: the last offset written is %d, the topic ends at %d", path, m, len(recs)-1)
	}
	t.Logf("%s: %d lines, %d duplicates %v", filepath.Base(path), len(offsets), dups, replays)
	return dups
}

// checkCounted checks that, for each of the counter's partitions k (below
// len(ends)), its numbers in the topic run from 0 to ends[k]-1 with no gap
// (a restart may count again from the committed offset), and returns the
// topic's records.
func checkCounted(t *testing.T, bootstrap, topic string, ends []int) []counted {
	t.Helper()
	parts := len(ends)
	recs := counterRecords(t, bootstrap, topic)
	for k, n := range ends {
		seq := numbersOf(recs, k)
		dups, replays, err := replayOrder(seq)
		if err != nil {
			t.Fatalf("%s, counter partition %d: %v", topic, k, err)
		}
		if m := slices.Max(seq); m != n-1 {
			t.Fatalf("%s, counter partition %d: counted up to %d, want %d", topic, k, m, n-1)
		}
		t.Logf("%s, counter partition %d: %d records, %d duplicates %v", topic, k, len(seq), dups, replays)
	}
	if len(recs) > 0 && slices.MaxFunc(recs, func(a, b counted) int { return a.key - b.key }).key >= parts {
		t.Fatalf("%s holds records of counter partitions beyond %d", topic, parts-1)
	}
	return recs
}

// numbersOf returns the numbers of one counter partition, in topic order.
func numbersOf(recs []counted, key int) []int {
	var out []int
	for _, r := range recs {
		if r.key == key {
			out = append(out, r.value)
		}
	}
	return out
}

// awaitCounted waits until the topic holds at least n records.
func awaitCounted(t *testing.T, bootstrap, topic string, n int, watch ...*testkit.Worker) {
	t.Helper()
	eventually(t, time.Minute, fmt.Sprintf("%d records in %s", n, topic), func() (bool, string) {
		msgs := readTopicMessages(t, bootstrap, topic)
		return len(msgs) >= n, fmt.Sprintf("%d records", len(msgs))
	}, watch...)
}

// counterEnds returns, for each counter partition below parts, the number
// after the highest the records hold (0 for none).
func counterEnds(recs []counted, parts int) []int {
	ends := make([]int, parts)
	for _, r := range recs {
		if r.key >= 0 && r.key < parts {
			ends[r.key] = max(ends[r.key], r.value+1)
		}
	}
	return ends
}

// stopCounter stops a counter connector (PUT /connectors/{name}/stop), waits
// until it is STOPPED without tasks, so that it counts no more, and returns
// counterEnds of its topic.
func stopCounter(t *testing.T, c *client.Client, bootstrap, topic, name string, parts int, watch ...*testkit.Worker) []int {
	t.Helper()
	if err := c.Stop(context.Background(), name); err != nil {
		t.Fatalf("PUT /connectors/%s/stop: %v", name, err)
	}
	eventually(t, time.Minute, name+" STOPPED without tasks", func() (bool, string) {
		st, err := c.ConnectorStatus(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		return st.Connector.State == herder.Stopped && len(st.Tasks) == 0, fmt.Sprintf("%s, %d tasks", st.Connector.State, len(st.Tasks))
	}, watch...)
	return counterEnds(counterRecords(t, bootstrap, topic), parts)
}

// awaitSinkValues waits until the sink's file holds, of each counter
// partition k (below len(ends)), every number below ends[k].
func awaitSinkValues(t *testing.T, path string, ends []int, watch ...*testkit.Worker) {
	t.Helper()
	eventually(t, time.Minute, fmt.Sprintf("numbers below %v of the counters in %s", ends, filepath.Base(path)), func() (bool, string) {
		b, _ := os.ReadFile(path)
		seen := map[[2]string]bool{}
		for _, l := range strings.Split(string(b), "\n") {
			var jl jsonLine
			if json.Unmarshal([]byte(l), &jl) == nil {
				seen[[2]string{string(jl.Key), string(jl.Value)}] = true
			}
		}
		for k, n := range ends {
			for i := range n {
				if !seen[[2]string{strconv.Itoa(k), strconv.Itoa(i)}] {
					return false, fmt.Sprintf("%d distinct records, %d of counter %d missing", len(seen), i, k)
				}
			}
		}
		return true, ""
	}, watch...)
}

// counterOffsets reads GET /connectors/{name}/offsets for the counter:
// each partition {"partition": p} at {"n": an integer}; it returns n by p.
func counterOffsets(t *testing.T, c *client.Client, name string) map[int]int64 {
	t.Helper()
	var body struct {
		Offsets []struct {
			Partition map[string]json.RawMessage `json:"partition"`
			Offset    map[string]json.RawMessage `json:"offset"`
		} `json:"offsets"`
	}
	if _, err := c.Do(context.Background(), "GET", "/connectors/"+name+"/offsets", nil, nil, &body); err != nil {
		t.Fatalf("GET /connectors/%s/offsets: %v", name, err)
	}
	out := map[int]int64{}
	for _, o := range body.Offsets {
		p, perr := strconv.Atoi(string(o.Partition["partition"]))
		n, nerr := strconv.ParseInt(string(o.Offset["n"]), 10, 64)
		if len(o.Partition) != 1 || len(o.Offset) != 1 || perr != nil || nerr != nil {
			t.Fatalf("GET /connectors/%s/offsets: %s → %s, want {\"partition\": <integer>} → {\"n\": <integer>}", name, o.Partition, o.Offset)
		}
		out[p] = n
	}
	return out
}

// pluginStarted finds the log line the worker writes when it starts a
// plugin process for a task or connector.
var pluginStarted = regexp.MustCompile(`msg="plugin process started".*`)

var pidAttr = regexp.MustCompile(` pid=(\d+)`)

// taskPids returns the pids of the plugin processes a worker's log says it
// started for a task ("name-0"), oldest first.
func taskPids(log, task string) []int {
	var out []int
	for _, l := range pluginStarted.FindAllString(log, -1) {
		if !strings.Contains(l+" ", " task="+task+" ") {
			continue
		}
		if m := pidAttr.FindStringSubmatch(l); m != nil {
			pid, _ := strconv.Atoi(m[1])
			out = append(out, pid)
		}
	}
	return out
}

// runningPluginPid returns the process the worker runs a task in: the last
// one its log names (other than old), checked to run binary.
func runningPluginPid(t *testing.T, w *testkit.Worker, task, binary string, old int) int {
	t.Helper()
	var pid int
	eventually(t, 30*time.Second, "the plugin process of "+task, func() (bool, string) {
		pids := taskPids(w.Log(), task)
		if len(pids) == 0 || pids[len(pids)-1] == old {
			return false, fmt.Sprintf("processes %v in the log", pids)
		}
		pid = pids[len(pids)-1]
		return true, ""
	}, w)
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil || exe != binary {
		t.Fatalf("process %d of task %s runs %q (%v), want %s", pid, task, exe, err, binary)
	}
	return pid
}

// kill9Plugin kills a plugin process.
func kill9Plugin(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
}

// awaitTaskFailed waits until a task of a connector is FAILED and checks
// that its trace names the plugin's class and binary and the signal.
func awaitTaskFailed(t *testing.T, c *client.Client, name string, task int, class, binary string, w ...*testkit.Worker) {
	t.Helper()
	var trace string
	eventually(t, 30*time.Second, fmt.Sprintf("%s's task %d FAILED", name, task), func() (bool, string) {
		st, err := c.TaskStatus(context.Background(), name, task)
		if err != nil {
			return false, err.Error()
		}
		trace = st.Trace
		return st.State == herder.Failed, string(st.State)
	}, w...)
	for _, want := range []string{class, binary, "signal: killed"} {
		if !strings.Contains(trace, want) {
			t.Fatalf("the trace of %s's failed task %d does not name %q:\n%s", name, task, want, trace)
		}
	}
}

// restartTask restarts a task through REST and waits until it runs again
// in a new plugin process of the worker w, which it returns.
func restartTask(t *testing.T, c *client.Client, w *testkit.Worker, name string, task int, binary string, old int) int {
	t.Helper()
	if err := c.RestartTask(context.Background(), name, task); err != nil {
		t.Fatalf("POST /connectors/%s/tasks/%d/restart: %v", name, task, err)
	}
	eventually(t, 30*time.Second, fmt.Sprintf("%s's task %d RUNNING", name, task), func() (bool, string) {
		st, err := c.TaskStatus(context.Background(), name, task)
		if err != nil {
			return false, err.Error()
		}
		return st.State == herder.Running, string(st.State)
	}, w)
	return runningPluginPid(t, w, fmt.Sprintf("%s-%d", name, task), binary, old)
}

// awaitGone waits until the processes have exited (and been reaped).
func awaitGone(t *testing.T, pids ...int) {
	t.Helper()
	eventually(t, 10*time.Second, fmt.Sprintf("processes %v to exit", pids), func() (bool, string) {
		for _, pid := range pids {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
				return false, fmt.Sprintf("%d runs", pid)
			}
		}
		return true, ""
	})
}
