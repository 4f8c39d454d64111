package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// limitsWorker is a standalone worker process with a known REST address.
type limitsWorker struct {
	dir, listener string
	props         map[string]string
	c             *client.Client
}

func newLimitsWorker(t *testing.T, bootstrap string) *limitsWorker {
	t.Helper()
	dir := t.TempDir()
	lw := &limitsWorker{dir: dir, listener: testkit.FreeListener(t)}
	lw.props = workerProps(bootstrap, filepath.Join(dir, "offsets.json"))
	lw.props["listeners"] = lw.listener
	lw.c = newClient(t, lw.listener)
	return lw
}

// configsFile is where the worker keeps connectors created through REST.
func (lw *limitsWorker) configsFile() string {
	return filepath.Join(lw.dir, "offsets.json.connectors.json")
}

// store writes the connectors file by hand, as an older version, or an
// operator, could have written it: each connector STARTED, no tasks yet.
func (lw *limitsWorker) store(t *testing.T, configs map[string]map[string]string) {
	t.Helper()
	type record struct {
		Config      map[string]string   `json:"config"`
		TargetState string              `json:"target_state"`
		Tasks       []map[string]string `json:"tasks"`
	}
	doc := struct {
		Version    int               `json:"version"`
		Connectors map[string]record `json:"connectors"`
	}{Version: 1, Connectors: map[string]record{}}
	for name, cfg := range configs {
		cfg["name"] = name
		doc.Connectors[name] = record{Config: cfg, TargetState: "STARTED", Tasks: []map[string]string{}}
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lw.configsFile(), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (lw *limitsWorker) start(t *testing.T, name string) *testkit.Worker {
	t.Helper()
	w := testkit.StartWorker(t, binary, lw.dir, name, lw.props, nil)
	awaitHealthy(t, lw.c, w)
	return w
}

// awaitFailed waits until a connector or its task (task >= 0) is FAILED
// and returns its trace.
func awaitFailed(t *testing.T, c *client.Client, name string, task int, w *testkit.Worker) string {
	t.Helper()
	var trace string
	eventually(t, time.Minute, fmt.Sprintf("%s (task %d) FAILED", name, task), func() (bool, string) {
		st, err := c.ConnectorStatus(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		if task < 0 {
			trace = st.Connector.Trace
			return st.Connector.State == herder.Failed, string(st.Connector.State)
		}
		for _, ts := range st.Tasks {
			if ts.ID == task {
				trace = ts.Trace
				return ts.State == herder.Failed, string(ts.State)
			}
		}
		return false, fmt.Sprintf("no task %d in %+v", task, st.Tasks)
	}, w)
	return trace
}

// node is the worker as the REST helpers of the distributed tests take it.
func (lw *limitsWorker) node() *node {
	return &node{id: strings.TrimPrefix(lw.listener, "http://"), c: lw.c}
}

// awaitLines waits until the file holds n lines.
func awaitLines(t *testing.T, path string, n int, w *testkit.Worker) {
	t.Helper()
	eventually(t, time.Minute, fmt.Sprintf("%d lines in %s", n, filepath.Base(path)), func() (bool, string) {
		got := countLines(path)
		return got == n, fmt.Sprintf("%d lines", got)
	}, w)
}

// TestAbsurdTasksMax: tasks.max=2147483647 on a file sink and on datagen is
// refused by validation and on create; stored by hand (as before the limit
// existed), it makes those connectors FAILED with a clear trace at every
// start while the others run, and the worker neither dies nor allocates
// per requested task, and restarts cleanly.
func TestAbsurdTasksMax(t *testing.T) {
	ctx := context.Background()
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	// The sink's name, and so its group connect-<name>, is this run's own:
	// other tests (and earlier runs on the same broker) run sinks too.
	snk := topic + "-snk"
	lw := newLimitsWorker(t, bootstrap)
	in, out := filepath.Join(lw.dir, "in.txt"), filepath.Join(lw.dir, "out.txt")
	const absurd = "2147483647"
	lw.store(t, map[string]map[string]string{
		"boom-sink": {"connector.class": "FileStreamSink", "topics": topic, "file": filepath.Join(lw.dir, "boom.txt"), "tasks.max": absurd},
		"boom-gen":  {"connector.class": "Datagen", "kafka.topic": topic, "quickstart": "users", "tasks.max": absurd},
		"src":       {"connector.class": "FileStreamSource", "file": in, "topic": topic},
		snk:         {"connector.class": "FileStreamSink", "file": out, "topics": topic},
	})
	appendLines(t, in, 0, 100)

	for round, name := range []string{"first", "second"} {
		w := lw.start(t, name)
		for _, boom := range []string{"boom-sink", "boom-gen"} {
			trace := awaitFailed(t, lw.c, boom, -1, w)
			want := "Connector " + boom + " has tasks.max=2147483647, more than this worker's tasks.max.limit of 1000: lower tasks.max in the connector configuration, or raise tasks.max.limit in the worker configuration"
			if trace != want {
				t.Fatalf("%s: trace %q, want %q", boom, trace, want)
			}
		}
		awaitState(t, lw.c, "src", herder.Running, w)
		awaitState(t, lw.c, snk, herder.Running, w)
		awaitLines(t, out, 100*(round+1), w)

		if round == 0 {
			for plugin, cfg := range map[string]map[string]string{
				"FileStreamSink":   {"connector.class": "FileStreamSink", "topics": topic, "tasks.max": absurd},
				"DatagenConnector": {"connector.class": "Datagen", "kafka.topic": topic, "quickstart": "users", "tasks.max": absurd},
			} {
				cfg["name"] = "new"
				infos, err := lw.c.Validate(ctx, plugin, cfg)
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(infos.Configs, func(c herder.ConfigInfo) bool { return c.Value != nil && c.Value.Name == "tasks.max" })
				if infos.ErrorCount != 1 || i < 0 || len(infos.Configs[i].Value.Errors) != 1 ||
					!strings.Contains(infos.Configs[i].Value.Errors[0], "Value must be no more than 1000, this worker's tasks.max.limit") {
					t.Fatalf("validate %s: %d errors, %+v", plugin, infos.ErrorCount, infos.Configs[max(i, 0)].Value)
				}
				_, err = lw.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "new", Config: cfg})
				var he *herder.Error
				if !errors.As(err, &he) || he.Code != 400 || !strings.Contains(he.Message, "error(s):\nInvalid value 2147483647 for configuration tasks.max") {
					t.Fatalf("create %s: %v", plugin, err)
				}
			}
			appendLines(t, in, 100, 200)
		}
		if rss, err := w.PeakRSS(); err != nil || rss > 256<<20 {
			t.Fatalf("peak RSS %d MiB (%v): the worker allocated for the tasks it was asked for", rss>>20, err)
		}
		w.Term()
	}
	if names, err := lw.c.Connectors(ctx); err == nil {
		t.Fatalf("worker still answering after SIGTERM: %v", names)
	}
}

// TestHugeConfig: a 20 MB connector configuration is refused with 413 in
// Kafka Connect's error shape, naming the limit and the key that raises it,
// without the worker reading it whole; the worker keeps running, and the
// configurations it stored survive a restart.
func TestHugeConfig(t *testing.T) {
	ctx := context.Background()
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	lw := newLimitsWorker(t, bootstrap)
	in := filepath.Join(lw.dir, "in.txt")
	appendLines(t, in, 0, 10)

	w := lw.start(t, "first")
	if _, err := lw.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "src",
		Config: map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": topic}}); err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("x", 20<<20)
	create, err := json.Marshal(herder.CreateConnectorRequest{Name: "huge",
		Config: map[string]string{"connector.class": "FileStreamSink", "topics": topic, "huge": huge}})
	if err != nil {
		t.Fatal(err)
	}
	put, err := json.Marshal(map[string]string{"connector.class": "FileStreamSink", "topics": topic, "huge": huge})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Request body is larger than %d bytes, the most this worker accepts for a connector configuration of at most 524288 bytes of keys and values; raise connector.config.max.bytes in the worker configuration to accept larger ones",
		api.ConfigBodyLimit(524288))
	for _, req := range []struct {
		method, path string
		body         []byte
	}{
		{"POST", "/connectors", create},
		{"PUT", "/connectors/huge/config", put},
		{"PATCH", "/connectors/src/config", put},
		{"PUT", "/connector-plugins/FileStreamSink/config/validate", put},
	} {
		send(t, lw.node(), req.method, req.path, string(req.body), nil).wantError(t, http.StatusRequestEntityTooLarge, want)
		if err := w.Alive(); err != nil {
			t.Fatal(err)
		}
	}
	if rss, err := w.PeakRSS(); err != nil || rss > 128<<20 {
		t.Fatalf("peak RSS %d MiB (%v) after refusing 20 MB bodies", rss>>20, err)
	}
	awaitState(t, lw.c, "src", herder.Running, w)
	w.Term()

	w = lw.start(t, "second")
	names, err := lw.c.Connectors(ctx)
	if err != nil || len(names) != 1 || names[0] != "src" {
		t.Fatalf("connectors after restart: %v, %v", names, err)
	}
	awaitState(t, lw.c, "src", herder.Running, w)
	if cfg, err := lw.c.ConnectorConfig(ctx, "src"); err != nil || cfg["file"] != in {
		t.Fatalf("src's config after restart: %v, %v", cfg, err)
	}
	w.Term()
}

// TestInvalidTopicNames: a sink naming topics Kafka refuses is refused on
// create (400 naming topics and the name); stored by hand from before that
// rule, its task goes FAILED with a trace naming them (the framework's
// keys are checked when a task starts) instead of running and retrying,
// while the other connectors run.
func TestInvalidTopicNames(t *testing.T) {
	ctx := context.Background()
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	// The sink's name, and so its group connect-<name>, is this run's own:
	// other tests (and earlier runs on the same broker) run sinks too.
	snk := topic + "-snk"
	lw := newLimitsWorker(t, bootstrap)
	in, out := filepath.Join(lw.dir, "in.txt"), filepath.Join(lw.dir, "out.txt")
	long := strings.Repeat("t", 300)
	lw.store(t, map[string]map[string]string{
		"bad":  {"connector.class": "FileStreamSink", "topics": "bad topic,also/bad", "file": filepath.Join(lw.dir, "bad.txt")},
		"long": {"connector.class": "FileStreamSink", "topics": topic + "," + long, "file": filepath.Join(lw.dir, "long.txt")},
		"src":  {"connector.class": "FileStreamSource", "file": in, "topic": topic},
		snk:    {"connector.class": "FileStreamSink", "file": out, "topics": topic},
	})
	appendLines(t, in, 0, 50)
	w := lw.start(t, "worker")

	for name, want := range map[string]string{
		"bad":  "task bad-0: Invalid value bad topic for configuration topics: Topic name is invalid: 'bad topic' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
		"long": "task long-0: Invalid value " + long + " for configuration topics: Topic name is invalid: the length of '" + long + "' is longer than the max allowed length 249",
	} {
		if trace := awaitFailed(t, lw.c, name, 0, w); trace != want {
			t.Fatalf("%s: trace %q, want %q", name, trace, want)
		}
	}
	awaitLines(t, out, 50, w)
	if n := strings.Count(w.Log(), "consumer group session failed"); n != 0 {
		t.Fatalf("%d failed group sessions logged", n)
	}

	for _, topics := range []string{"bad topic,also/bad", "a\nb", long} {
		_, err := lw.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "new",
			Config: map[string]string{"connector.class": "FileStreamSink", "topics": topics}})
		var he *herder.Error
		first := strings.Split(topics, ",")[0]
		if !errors.As(err, &he) || he.Code != 400 || !strings.Contains(he.Message, "error(s):\nInvalid value "+first+" for configuration topics: Topic name is invalid: ") {
			t.Fatalf("create with topics %q: %v", topics, err)
		}
	}
	w.Term()
}
