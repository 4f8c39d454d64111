package external

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/internal/testkit/inproc"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/standalone"
)

// pluginRegistry is the built-in registry with its connectors replaced by
// the loaded plugins, so that the file connectors run out of process.
func pluginRegistry(loaded *Loaded) *plugins.Registry {
	reg := plugins.NewRegistry()
	for _, p := range builtin.Registry().Plugins() {
		if p.Kind != plugins.Source && p.Kind != plugins.Sink {
			reg.Register(p)
		}
	}
	for _, p := range loaded.Plugins() {
		if err := reg.Add(p); err != nil {
			panic(err) // Load returns each class once, and no connector is built in here
		}
	}
	return reg
}

// worker starts a standalone herder whose configurations and offsets are
// files in dir, so that a second one on dir resumes the first.
func worker(t *testing.T, bootstrap, dir string, reg *plugins.Registry, logTo io.Writer) *standalone.Herder {
	t.Helper()
	h := inproc.NewStandalone(t, inproc.WorkerProps(bootstrap, dir, nil), reg, inproc.Logger(logTo)).Herder
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return h
}

// awaitCount waits until the file holds every number below n, and
// returns how often each occurs.
func awaitCount(t *testing.T, path string, n int) map[int]int {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		seen := map[int]int{}
		for _, l := range strings.Split(string(b), "\n") {
			if i, err := strconv.Atoi(l); err == nil {
				seen[i]++
			}
		}
		missing := -1
		for i := range n {
			if seen[i] == 0 {
				missing = i
				break
			}
		}
		if missing < 0 {
			return seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s lacks %d (of 0..%d) after 90s", path, missing, n-1)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func put(t *testing.T, h herder.Herder, name string, cfg map[string]string) {
	t.Helper()
	cfg = maps.Clone(cfg)
	cfg["name"] = name
	if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, true, herder.TargetStarted); err != nil {
		t.Fatalf("creating %s: %v", name, err)
	}
}

// TestPluginConnectorsInAStandaloneWorker runs the counter source and the
// file sink as plugin.path plugins through a standalone worker on the real
// broker: records reach the file, kill -9 of the source task's process
// fails the task with the plugin named, a restart runs a new process and
// loses nothing, and after a worker restart the source resumes from its
// offset, of the same Go type.
func TestPluginConnectorsInAStandaloneWorker(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	pluginDir := t.TempDir()
	bin := filepath.Join(pluginDir, "test-plugin", "test-plugin")
	copyFile(t, bins.plugin, bin, 0o755)
	loaded := Load(context.Background(), []string{pluginDir}, slog.New(slog.DiscardHandler))
	defer loaded.Close()
	reg := pluginRegistry(loaded)
	if _, err := reg.Lookup(file.SinkClass, plugins.Sink); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	topic := testkit.NewTopic(t, bootstrap, 1)
	out := filepath.Join(dir, "out.txt")
	state := filepath.Join(dir, "resumed.txt")
	logs := &testkit.LogBuffer{}
	h := worker(t, bootstrap, dir, reg, logs)
	stopped := false
	defer func() {
		if !stopped {
			h.Stop(context.Background())
		}
	}()
	source := map[string]string{"connector.class": "TestCounter", "tasks.max": "1", "topic": topic, "limit": "200", "state.file": state}
	put(t, h, "counter", source)
	// The sink's consumer group is this run's own: other packages' tests run
	// a sink called sink at the same time on the same broker.
	put(t, h, "sink", map[string]string{"connector.class": "FileStreamSink", "tasks.max": "1", "topics": topic, "file": out,
		"consumer.override.group.id": "connect-sink-" + topic})
	awaitCount(t, out, 200)
	if b, _ := os.ReadFile(state); string(b) != "none" {
		t.Fatalf("first start resumed from %q, want none", b)
	}

	pids := loaded.pids(counterClass + "Task")
	if len(pids) != 1 {
		t.Fatalf("source task processes: %v, want one", pids)
	}
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ts := inproc.AwaitTask(t, h, "counter", herder.Failed)
	if !containsAll(ts.Trace, counterClass, bin, "signal: killed") {
		t.Fatalf("trace of the killed task does not name the plugin, binary and signal:\n%s", ts.Trace)
	}
	if err := h.RestartTask(context.Background(), herder.TaskID{Connector: "counter", Task: 0}); err != nil {
		t.Fatal(err)
	}
	inproc.AwaitTask(t, h, "counter", herder.Running)
	if again := loaded.pids(counterClass + "Task"); len(again) != 1 || again[0] == pids[0] {
		t.Fatalf("after restart the task runs in %v, want one new process (old %d)", again, pids[0])
	}
	source["limit"] = "300"
	put(t, h, "counter", source)
	awaitCount(t, out, 300)
	if !strings.Contains(logs.String(), "counter task started") {
		t.Error("the plugin's log lines did not reach the worker's log")
	}

	h.Stop(context.Background())
	stopped = true
	if n := len(loaded.pids(counterClass + "Task")); n != 0 {
		t.Fatalf("%d source task processes left after the worker stopped", n)
	}
	h2 := worker(t, bootstrap, dir, reg, logs)
	defer h2.Stop(context.Background())
	inproc.AwaitTask(t, h2, "counter", herder.Running)
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(state)
		if string(b) == "299 int64" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the worker restart the counter resumed from %q, want \"299 int64\"", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	source["limit"] = "350"
	put(t, h2, "counter", source)
	seen := awaitCount(t, out, 350)
	for i := 300; i < 350; i++ {
		if seen[i] != 1 {
			t.Errorf("%d written %d times after a clean restart", i, seen[i])
		}
	}
}

// TestTwoVersionsOfAPluginPathConnector installs the counter source at
// 0.1.0 and 0.2.0 from two plugin.path directories and runs it through a
// standalone worker on the real broker: connector.plugin.version selects
// the binary that runs (each writes its own version), unset gives the
// latest, the statuses name the version that runs, and a version neither
// binary has is refused naming the installed ones.
func TestTwoVersionsOfAPluginPathConnector(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	old, newer := t.TempDir(), t.TempDir()
	copyFile(t, bins.plugin, filepath.Join(old, "counter", "test-plugin"), 0o755)
	copyFile(t, bins.counter020, filepath.Join(newer, "counter", "test-plugin"), 0o755)
	l := &logs{}
	loaded := Load(context.Background(), []string{newer, old}, slog.New(l))
	defer loaded.Close()
	var versions []string
	for _, p := range loaded.Plugins() {
		if p.Class == counterClass {
			versions = append(versions, p.Version)
		}
	}
	if strings.Join(versions, " ") != "0.2.0 0.1.0" {
		t.Fatalf("counter versions loaded: %q, want both", versions)
	}
	// The file connectors are in both binaries at one version: loaded once.
	dup := false
	for _, w := range l.lines(slog.LevelWarn) {
		dup = dup || containsAll(w, file.SourceClass, filepath.Join(old, "counter", "test-plugin"), "already loaded from "+filepath.Join(newer, "counter", "test-plugin"))
	}
	if !dup {
		t.Errorf("no WARN about the file source found twice at one version: %q", l.lines(slog.LevelWarn))
	}
	reg := pluginRegistry(loaded)
	dir := t.TempDir()
	h := worker(t, bootstrap, dir, reg, io.Discard)
	defer h.Stop(context.Background())

	for _, tc := range []struct {
		name, version, want string
	}{
		{"latest", "", "0.2.0"},
		{"pinned", "0.1.0", "0.1.0"},
		{"range", "[0.1,0.2)", "0.1.0"},
		{"range-newer", "[0.1.5,)", "0.2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			versionFile := filepath.Join(dir, tc.name+".version")
			cfg := map[string]string{"connector.class": "TestCounter", "tasks.max": "1", "topic": testkit.NewTopic(t, bootstrap, 1),
				"limit": "5", "version.file": versionFile}
			if tc.version != "" {
				cfg["connector.plugin.version"] = tc.version
			}
			put(t, h, tc.name, cfg)
			ts := inproc.AwaitTask(t, h, tc.name, herder.Running)
			if ts.Version != herder.PluginVersion(tc.want) {
				t.Errorf("task status version %q, want %s", ts.Version, tc.want)
			}
			st, err := h.ConnectorStatus(context.Background(), tc.name)
			if err != nil || st.Connector.Version != herder.PluginVersion(tc.want) {
				t.Errorf("connector status %+v, %v; want version %s", st.Connector, err, tc.want)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				b, _ := os.ReadFile(versionFile)
				if string(b) == tc.want {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the task that ran wrote version %q, want %s", b, tc.want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}

	cfg := map[string]string{"name": "missing", "connector.class": "TestCounter", "tasks.max": "1", "topic": "t", "connector.plugin.version": "[1.0,)"}
	_, _, err := h.PutConnectorConfig(context.Background(), "missing", cfg, true, herder.TargetStarted)
	want := "Plugin " + counterClass + " not found that matches the version range [1.0,), available versions: [0.1.0, 0.2.0]"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("creating with connector.plugin.version=[1.0,): %v; want an error with %q", err, want)
	}
}
