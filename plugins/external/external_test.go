package external

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/schemas"
)

const (
	counterClass = "com.example.test.CounterSource"
	probeClass   = "com.example.test.ProbeSink"
)

// bins holds the test binaries, built once per test run.
var bins struct {
	plugin, v2, notPlugin string
	// counter020 is the test plugin with its counter at version 0.2.0.
	counter020 string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sluice-external-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins.plugin = filepath.Join(dir, "testplugin")
	bins.v2 = filepath.Join(dir, "testplugin-v2")
	bins.notPlugin = filepath.Join(dir, "notplugin")
	bins.counter020 = filepath.Join(dir, "testplugin-counter020")
	builds := [][]string{
		{"build", "-o", bins.plugin, "./internal/testplugin"},
		{"build", "-ldflags", "-X github.com/sluicehq/sluice/plugins/external.servedVersion=2", "-o", bins.v2, "./internal/testplugin"},
		{"build", "-o", bins.notPlugin, "./internal/notplugin"},
		{"build", "-ldflags", "-X main.counterVersion=0.2.0", "-o", bins.counter020, "./internal/testplugin"},
	}
	for _, args := range builds {
		cmd := exec.Command("go", args...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building test binaries:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// logs collects log records.
type logs struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r)
	return nil
}
func (l *logs) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logs) WithGroup(string) slog.Handler      { return l }

// lines returns the messages logged at level.
func (l *logs) lines(level slog.Level) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.recs {
		if r.Level == level {
			out = append(out, r.Message)
		}
	}
	return out
}

func copyFile(t testing.TB, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}

func loadTest(t *testing.T) (*Loaded, *logs) {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, bins.plugin, filepath.Join(dir, "file-plugin"), 0o755)
	l := &logs{}
	loaded := Load(context.Background(), []string{dir}, slog.New(l))
	t.Cleanup(loaded.Close)
	return loaded, l
}

func find(t *testing.T, l *Loaded, class string) plugins.Plugin {
	t.Helper()
	for _, p := range l.Plugins() {
		if p.Class == class {
			return p
		}
	}
	t.Fatalf("plugin %s not loaded; have %v", class, l.Plugins())
	return plugins.Plugin{}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestLoadFindsPluginsAndWarnsAboutBrokenBinaries(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, bins.plugin, filepath.Join(dir, "file-plugin"), 0o755)
	copyFile(t, bins.plugin, filepath.Join(dir, "zz-copy", "file-plugin"), 0o755) // same classes again
	copyFile(t, bins.v2, filepath.Join(dir, "v2", "file-plugin-v2"), 0o755)
	copyFile(t, bins.notPlugin, filepath.Join(dir, "notplugin"), 0o755)
	copyFile(t, bins.plugin, filepath.Join(dir, "not-executable"), 0o644)
	if err := os.WriteFile(filepath.Join(dir, "garbage.sh"), []byte("#!/bin/sh\necho '1|1|tcp|nonsense|grpc|'\necho garbage\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hangs.sh"), []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "connector.jar"), []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	l := &logs{}
	start := time.Now()
	loaded := load(context.Background(), []string{dir, missing}, slog.New(l), time.Second)
	defer loaded.Close()
	t.Logf("Load took %v", time.Since(start))

	var got []string
	for _, p := range loaded.Plugins() {
		got = append(got, fmt.Sprintf("%s %s %s", p.Class, p.Kind, p.Version))
	}
	slices.Sort(got)
	want := []string{
		counterClass + " source 0.1.0",
		probeClass + " sink 0.1.0",
		file.SinkClass + " sink " + file.Version,
		file.SourceClass + " source " + file.Version,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("plugins = %q, want %q", got, want)
	}
	warns := l.lines(slog.LevelWarn)
	for _, w := range warns {
		t.Log("WARN " + w)
	}
	expect := []struct {
		name  string
		parts []string
	}{
		{"duplicate", []string{filepath.Join(dir, "zz-copy", "file-plugin"), "already loaded from " + filepath.Join(dir, "file-plugin")}},
		{"protocol 2", []string{filepath.Join(dir, "v2", "file-plugin-v2"), "protocol version 2, this worker speaks version 1"}},
		{"hangs", []string{filepath.Join(dir, "hangs.sh"), "no answer within 1s"}},
		{"not a plugin", []string{filepath.Join(dir, "notplugin")}},
		{"garbage", []string{filepath.Join(dir, "garbage.sh")}},
		{"java", []string{"connector.jar", "Java"}},
		{"missing dir", []string{missing, "does not exist"}},
	}
	for _, e := range expect {
		found := false
		for _, w := range warns {
			found = found || containsAll(w, e.parts...)
		}
		if !found {
			t.Errorf("%s: no WARN containing %q in:\n%s", e.name, e.parts, strings.Join(warns, "\n"))
		}
	}
	for _, w := range warns {
		if strings.Contains(w, "not-executable") {
			t.Errorf("a non-executable file got a WARN: %s", w)
		}
	}
	// No process is left from describing.
	loaded.mu.Lock()
	n := len(loaded.procs)
	loaded.mu.Unlock()
	if n != 0 {
		t.Errorf("%d processes left after Load", n)
	}
}

func TestConfigAndValidationMatchTheLinkedInConnector(t *testing.T) {
	loaded, _ := loadTest(t)
	cases := []struct {
		name  string
		class string
		local connectors.Connector
		props map[string]string
	}{
		{"sink good", file.SinkClass, file.NewSink(), map[string]string{"file": "/tmp/x", "topics": "t"}},
		{"sink bad", file.SinkClass, file.NewSink(), map[string]string{"file": "", "batch.size": "x"}},
		{"source good", file.SourceClass, file.NewSource(), map[string]string{"file": "/tmp/x", "topic": "t"}},
		{"source bad", file.SourceClass, file.NewSource(), map[string]string{"topic": "a,b", "batch.size": "0"}},
		{"source empty", file.SourceClass, file.NewSource(), map[string]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			remote := find(t, loaded, c.class).New().(connectors.Connector)
			var keysL, keysR []config.KeyInfo
			for _, k := range c.local.Config().Keys() {
				keysL = append(keysL, k.Info())
			}
			for _, k := range remote.Config().Keys() {
				keysR = append(keysR, k.Info())
			}
			jl, _ := json.Marshal(keysL)
			jr, _ := json.Marshal(keysR)
			if string(jl) != string(jr) {
				t.Errorf("config differs:\nlinked: %s\nplugin: %s", jl, jr)
			}
			if c.local.Config().Docs() != remote.Config().Docs() {
				t.Errorf("docs differ:\nlinked: %s\nplugin: %s", c.local.Config().Docs(), remote.Config().Docs())
			}
			validate := func(conn connectors.Connector) string {
				var rs []config.Result
				if v, ok := conn.(connectors.Validator); ok {
					rs = v.Validate(c.props)
				} else {
					rs = conn.Config().Validate(c.props)
				}
				b, _ := json.Marshal(rs)
				return string(b)
			}
			if l, r := validate(c.local), validate(remote); l != r {
				t.Errorf("validation differs:\nlinked: %s\nplugin: %s", l, r)
			}
			_, lf := c.local.(connectors.FileUser)
			fu, rf := remote.(connectors.FileUser)
			if lf != rf || !slices.Equal(fu.FileKeys(), c.local.(connectors.FileUser).FileKeys()) {
				t.Errorf("FileKeys differ")
			}
		})
	}
}

type sourceCtx struct{ log *slog.Logger }

func (c sourceCtx) Offsets() connectors.OffsetReader { return noOffsets{} }
func (c sourceCtx) Logger() *slog.Logger             { return c.log }

type noOffsets struct{}

func (noOffsets) Offset(context.Context, map[string]any) (map[string]any, error) { return nil, nil }

// pollAll polls until n records came or the deadline passes.
func pollAll(t *testing.T, task connectors.SourceTask, n int) []connectors.SourceRecord {
	t.Helper()
	var out []connectors.SourceRecord
	deadline := time.Now().Add(20 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		recs, err := task.Poll(ctx)
		cancel()
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		out = append(out, recs...)
	}
	if len(out) != n {
		t.Fatalf("polled %d records, want %d", len(out), n)
	}
	return out
}

func TestSourceTaskInAPluginProcessThenKilled(t *testing.T) {
	loaded, _ := loadTest(t)
	in := filepath.Join(t.TempDir(), "in.txt")
	var lines []string
	for i := range 50 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{"file": in, "topic": "t"}
	ctx := context.Background()
	l := &logs{}
	conn := find(t, loaded, file.SourceClass).New().(connectors.SourceConnector)

	remote := conn.NewTask()
	if err := remote.Start(ctx, sourceCtx{slog.New(l)}, props); err != nil {
		t.Fatal(err)
	}
	local := file.NewSource().NewTask()
	if err := local.Start(ctx, sourceCtx{slog.New(slog.DiscardHandler)}, props); err != nil {
		t.Fatal(err)
	}
	got, want := pollAll(t, remote, 50), pollAll(t, local, 50)
	for i := range want {
		w, g := want[i], got[i]
		if g.Topic != w.Topic || !w.ValueSchema.Equal(g.ValueSchema) || g.Value != w.Value ||
			fmt.Sprint(g.SourcePartition) != fmt.Sprint(w.SourcePartition) {
			t.Fatalf("record %d: plugin %+v, linked %+v", i, g, w)
		}
		for k, v := range w.SourceOffset {
			if fmt.Sprintf("%T %v", g.SourceOffset[k], g.SourceOffset[k]) != fmt.Sprintf("%T %v", int64OrSame(v), v) {
				t.Fatalf("record %d offset %s: plugin %T %v, linked %T %v", i, k, g.SourceOffset[k], g.SourceOffset[k], v, v)
			}
		}
	}
	_ = local.Stop(ctx)

	pid := Pid(remote)
	if pid == 0 {
		t.Fatal("no pid for a running task")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := remote.Poll(pctx)
	if err == nil || !containsAll(err.Error(), file.SourceClass, "file-plugin", "killed") {
		t.Fatalf("Poll after kill -9: err = %v, want one naming the class and the signal", err)
	}
	t.Logf("Poll after kill -9 failed in %v: %v", time.Since(start), err)
	if time.Since(start) > 5*time.Second {
		t.Errorf("Poll took %v to fail", time.Since(start))
	}
	if err := remote.Stop(ctx); err != nil {
		t.Logf("Stop after the crash: %v", err)
	}
	if Pid(remote) != 0 {
		t.Error("the task still has a process after Stop")
	}
}

// int64OrSame is v as the offset stores normalise it.
func int64OrSame(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	}
	return v
}

// TestMisbehavingSourceTaskFailsCleanly: what a plugin task does wrong
// fails the call with an error saying what, and never the caller.
func TestMisbehavingSourceTaskFailsCleanly(t *testing.T) {
	loaded, _ := loadTest(t)
	cases := []struct {
		mode  string
		parts []string
		alive bool // the process survives
	}{
		{"panic", []string{"Poll panicked", "counter told to panic"}, true},
		{"badvalue", []string{"not part of the Connect data model"}, true},
		{"huge", []string{"batch of 80 records", "60 MiB", "smaller batches"}, true},
		{"exit", []string{counterClass + "Task", "file-plugin", "exit status 3"}, false},
		{"both", []string{"records and an error"}, true},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			l := &logs{}
			task := find(t, loaded, counterClass).New().(connectors.SourceConnector).NewTask()
			ctx := context.Background()
			if err := task.Start(ctx, sourceCtx{slog.New(l)}, map[string]string{"topic": "t", "misbehave": c.mode}); err != nil {
				t.Fatal(err)
			}
			defer task.Stop(ctx)
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			recs, err := task.Poll(pctx)
			if err == nil || !containsAll(err.Error(), c.parts...) {
				t.Fatalf("Poll = %d records, %v; want an error containing %q", len(recs), err, c.parts)
			}
			if c.mode == "both" && (len(recs) != 1 || recs[0].Value != "x" || !connectors.IsRetriable(err)) {
				t.Errorf("Poll = %v, %v (retriable %v); want the record and the retriable error, as a linked-in task gives them", recs, err, connectors.IsRetriable(err))
			}
			if alive := Pid(task) != 0 && syscall.Kill(Pid(task), 0) == nil; alive != c.alive {
				t.Errorf("process alive = %v, want %v", alive, c.alive)
			}
			if c.mode == "panic" {
				// The line comes through the process's stderr, a moment later.
				found := false
				for deadline := time.Now().Add(10 * time.Second); !found && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					for _, line := range l.lines(slog.LevelError) {
						found = found || strings.Contains(line, "panic in Poll")
					}
				}
				if !found {
					t.Errorf("no ERROR line about the panic in the task's log: %q", l.lines(slog.LevelError))
				}
			}
		})
	}
}

// TestPollDeadlineIsNotAFailure: a plugin task's Poll that waits until the
// worker's deadline (its next offset flush) and returns the context's
// error, wrapped, is no failure, as for a linked-in task (the runtime's
// TestSourcePollDeadlineIsNotAFailure): the proxy answers no records and
// no error, and the next Poll goes on. An error the worker's deadline did
// not cause still reaches the worker.
func TestPollDeadlineIsNotAFailure(t *testing.T) {
	loaded, _ := loadTest(t)
	task := find(t, loaded, counterClass).New().(connectors.SourceConnector).NewTask()
	ctx := context.Background()
	if err := task.Start(ctx, sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t", "misbehave": "deadline", "limit": "3"}); err != nil {
		t.Fatal(err)
	}
	defer task.Stop(ctx)
	pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	recs, err := task.Poll(pctx)
	cancel()
	if err != nil || len(recs) != 0 {
		t.Fatalf("a Poll that ran into the worker's deadline = %d records, %v; want none and no error", len(recs), err)
	}
	if got := pollAll(t, task, 3); len(got) != 3 || got[0].Value != "0" {
		t.Fatalf("the Polls after it gave %v, want the counter's 3 records from 0", got)
	}

	// A Poll ended by its cancellation (a stop), not by the deadline: the
	// task's error goes through.
	own := find(t, loaded, counterClass).New().(connectors.SourceConnector).NewTask()
	if err := own.Start(ctx, sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t", "misbehave": "deadline"}); err != nil {
		t.Fatal(err)
	}
	defer own.Stop(ctx)
	cctx, cancelPoll := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancelPoll)
	if _, err := own.Poll(cctx); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("a Poll ended by its cancellation = %v; want the task's error", err)
	}
}

// connCtx records a connector context's calls.
type connCtx struct {
	mu       sync.Mutex
	reconfig int
	raised   []error
}

func (c *connCtx) RequestTaskReconfiguration() { c.mu.Lock(); c.reconfig++; c.mu.Unlock() }
func (c *connCtx) RaiseError(err error)        { c.mu.Lock(); c.raised = append(c.raised, err); c.mu.Unlock() }
func (c *connCtx) Logger() *slog.Logger        { return slog.New(slog.DiscardHandler) }

// sinkCtx records a sink task context's calls.
type sinkCtx struct {
	mu       sync.Mutex
	calls    []string
	reported []string
}

func (c *sinkCtx) add(s string) { c.mu.Lock(); c.calls = append(c.calls, s); c.mu.Unlock() }
func (c *sinkCtx) Offset(tp connectors.TopicPartition, o int64) {
	c.add(fmt.Sprintf("Offset %s/%d %d", tp.Topic, tp.Partition, o))
}
func (c *sinkCtx) Timeout(d time.Duration) { c.add("Timeout " + d.String()) }
func (c *sinkCtx) Assignment() []connectors.TopicPartition {
	c.add("Assignment")
	return []connectors.TopicPartition{{Topic: "t", Partition: 0}}
}
func (c *sinkCtx) Pause(tps ...connectors.TopicPartition)                { c.add(fmt.Sprint("Pause ", tps)) }
func (c *sinkCtx) Resume(tps ...connectors.TopicPartition)               { c.add(fmt.Sprint("Resume ", tps)) }
func (c *sinkCtx) RequestCommit()                                        { c.add("RequestCommit") }
func (c *sinkCtx) ErrantRecordReporter() connectors.ErrantRecordReporter { return c }
func (c *sinkCtx) Logger() *slog.Logger                                  { return slog.New(slog.DiscardHandler) }
func (c *sinkCtx) Report(rec *connectors.SinkRecord, err error) error {
	var de *schemas.DataError
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reported = append(c.reported, fmt.Sprintf("%s/%d@%d %v data=%v", rec.OriginalTopic, rec.OriginalPartition, rec.OriginalOffset, err, errors.As(err, &de)))
	return nil
}

// TestSinkContextsAndErrorClassesCrossTheProcess: every context method a
// plugin calls reaches the worker's context, and errors keep their class.
func TestSinkContextsAndErrorClassesCrossTheProcess(t *testing.T) {
	loaded, _ := loadTest(t)
	ctx := context.Background()
	conn := find(t, loaded, probeClass).New().(connectors.SinkConnector)
	cc := &connCtx{}
	if err := conn.Start(ctx, cc, map[string]string{"raise": "true"}); err != nil {
		t.Fatal(err)
	}
	defer conn.Stop(ctx)
	cc.mu.Lock()
	if cc.reconfig != 1 || len(cc.raised) != 1 || !connectors.IsRetriable(cc.raised[0]) || cc.raised[0].Error() != "raised by the probe" {
		t.Errorf("connector context got reconfig=%d raised=%v", cc.reconfig, cc.raised)
	}
	cc.mu.Unlock()
	cfgs, err := conn.TaskConfigs(3)
	if err != nil || len(cfgs) != 1 || cfgs[0]["raise"] != "true" {
		t.Fatalf("TaskConfigs = %v, %v", cfgs, err)
	}

	task := conn.NewTask()
	if _, ok := task.(connectors.PreCommitter); !ok {
		t.Fatal("the proxy of a PreCommitter task is no PreCommitter")
	}
	kc := &sinkCtx{}
	if err := task.Start(ctx, kc, cfgs[0]); err != nil {
		t.Fatal(err)
	}
	defer task.Stop(ctx)
	rec := func(off int64, v string) connectors.SinkRecord {
		return connectors.SinkRecord{Record: connectors.Record{Topic: "t", Partition: connectors.Partition(0), Value: v},
			Offset: off, OriginalTopic: "t", OriginalOffset: off}
	}
	if err := task.Put(ctx, []connectors.SinkRecord{rec(1, "ok"), rec(2, "bad")}); err != nil {
		t.Fatal(err)
	}
	tp := connectors.TopicPartition{Topic: "t", Partition: 0}
	// Put is deferred: Flush returns once the plugin's Put did, and its
	// calls and reports reached the worker.
	if err := task.Flush(ctx, map[connectors.TopicPartition]int64{tp: 3}); err != nil {
		t.Fatal(err)
	}
	kc.mu.Lock()
	wantCalls := []string{"Assignment", "RequestCommit", "Offset seek/1 42", "Pause [{t 0}]", "Resume [{t 0}]"}
	if !slices.Equal(kc.calls, wantCalls) {
		t.Errorf("context calls %q, want %q", kc.calls, wantCalls)
	}
	if want := []string{"t/0@2 bad record at 2 data=true"}; !slices.Equal(kc.reported, want) {
		t.Errorf("reported %q, want %q", kc.reported, want)
	}
	kc.mu.Unlock()
	if err := task.Put(ctx, []connectors.SinkRecord{rec(3, "retry")}); err != nil {
		t.Fatalf("deferred Put returned %v at once", err)
	}
	err = task.Flush(ctx, map[connectors.TopicPartition]int64{tp: 4})
	if !connectors.IsRetriable(err) || err.Error() != "try again" {
		t.Errorf("retriable Put error came back as %v (retriable %v)", err, connectors.IsRetriable(err))
	}
	// The partition's Close drops the batch waiting to be put again.
	if err := task.Close(ctx, []connectors.TopicPartition{tp}); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := task.Put(ctx, []connectors.SinkRecord{rec(4, "data")}); err != nil {
		t.Fatalf("deferred Put returned %v at once", err)
	}
	_, err = task.(connectors.PreCommitter).PreCommit(ctx, map[connectors.TopicPartition]int64{tp: 5})
	var de *schemas.DataError
	if !errors.As(err, &de) || connectors.IsRetriable(err) || err.Error() != "cannot write data" {
		t.Errorf("data error came back as %v", err)
	}
	got, err := task.(connectors.PreCommitter).PreCommit(ctx, map[connectors.TopicPartition]int64{tp: 10})
	if err != nil || got[tp] != 9 {
		t.Errorf("PreCommit = %v, %v", got, err)
	}
}

// TestConfigValidateAnswerMatchesTheLinkedInConnector: the whole
// config/validate answer for a plugin connector is the one the same
// connector linked in gives.
func TestConfigValidateAnswerMatchesTheLinkedInConnector(t *testing.T) {
	loaded, _ := loadTest(t)
	viaPlugin := plugins.NewRegistry()
	for _, p := range builtin.Registry().Plugins() {
		if p.Class != file.SinkClass && p.Class != file.SourceClass {
			viaPlugin.Register(p)
		}
	}
	viaPlugin.Register(find(t, loaded, file.SinkClass))
	viaPlugin.Register(find(t, loaded, file.SourceClass))
	cases := []map[string]string{
		{"connector.class": "FileStreamSink", "name": "s", "topics": "a", "file": "/tmp/out"},
		{"connector.class": "FileStreamSink", "name": "s", "file": "/tmp/out", "batch.size": "-1", "tasks.max": "x"},
		{"connector.class": "FileStreamSource", "name": "s", "topic": "a,b", "extra": "1"},
		{"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "name": "s", "topic": "ok", "file": "/tmp/in",
			"transforms": "x", "transforms.x.type": "InsertField$Value", "transforms.x.static.field": "f"},
	}
	for i, props := range cases {
		linked, kl, errL := runtime.ValidateConnectorConfig(builtin.Registry(), nil, props)
		remote, kr, errR := runtime.ValidateConnectorConfig(viaPlugin, nil, props)
		jl, _ := json.Marshal(linked)
		jr, _ := json.Marshal(remote)
		if string(jl) != string(jr) || kl != kr || fmt.Sprint(errL) != fmt.Sprint(errR) {
			t.Errorf("case %d: config/validate differs:\nlinked: %s %s %v\nplugin: %s %s %v", i, kl, jl, errL, kr, jr, errR)
		}
	}
}

func TestServeRefusesTransformsAndExplainsItselfByHand(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !containsAll(fmt.Sprint(r), "com.example.Mask", "transformation", "sluicecmd.WithPlugins") {
			t.Errorf("Serve with a transformation: panic %v", r)
		}
	}()
	byHand := []struct {
		args []string
		want string
	}{
		{nil, "This is a sluice connector plugin"},
		{[]string{"version"}, counterClass + " 0.1.0"},
		{[]string{"spec"}, "limit (LONG, medium, default 100)"},
	}
	for _, c := range byHand {
		out, err := exec.Command(bins.plugin, c.args...).Output()
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("%v printed %q, want it to contain %q", c.args, out, c.want)
		}
	}
	newServer([]plugins.Plugin{{Class: "com.example.Mask", Kind: plugins.Transformation, New: func() any { return nil }}})
}

// TestSharedProcessRestartsAndCloseKillsEverything: the validation process
// of a binary is started again when it died, and Close leaves no process.
func TestSharedProcessRestartsAndCloseKillsEverything(t *testing.T) {
	loaded, _ := loadTest(t)
	conn := find(t, loaded, file.SinkClass).New().(connectors.Validator)
	props := map[string]string{"file": "/tmp/x", "topics": "t"}
	first, _ := json.Marshal(conn.Validate(props))
	shared := loaded.pids("")
	if len(shared) != 1 {
		t.Fatalf("shared processes %v, want one", shared)
	}
	if err := syscall.Kill(shared[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The process is gone once go-plugin has reaped it.
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(shared[0], 0) == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	second, _ := json.Marshal(conn.Validate(props))
	if string(first) != string(second) {
		t.Fatalf("validation after the shared process died:\n%s\nwant\n%s", second, first)
	}
	if again := loaded.pids(""); len(again) != 1 || again[0] == shared[0] {
		t.Fatalf("shared processes after a restart %v (old %d)", again, shared[0])
	}

	task := find(t, loaded, counterClass).New().(connectors.SourceConnector).NewTask()
	if err := task.Start(context.Background(), sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t"}); err != nil {
		t.Fatal(err)
	}
	pids := append(loaded.pids(""), Pid(task))
	loaded.Close()
	for _, pid := range pids {
		deadline := time.Now().Add(10 * time.Second)
		for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("process %d still runs after Close", pid)
		}
	}
	if err := task.Start(context.Background(), sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t"}); err == nil {
		t.Error("a task started after Close")
	}
}

func TestStderrLinesBecomeLogRecords(t *testing.T) {
	l := &logs{}
	log := slog.New(l)
	w := newStderrLogger(func() *slog.Logger { return log })
	input := `{"@level":"warn","@message":"json line","@timestamp":"2026-01-02T03:04:05.000000Z","k":"v"}
{"@level":"debug","@message":7}
plain line
panic: boom

goroutine 1 [running]:
main.main()
`
	// Written in odd pieces, as a pipe delivers them.
	for i := 0; i < len(input); i += 7 {
		if _, err := w.Write([]byte(input[i:min(i+7, len(input))])); err != nil {
			t.Fatal(err)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var got []string
	for _, r := range l.recs {
		attrs := ""
		r.Attrs(func(a slog.Attr) bool { attrs += " " + a.String(); return true })
		got = append(got, r.Level.String()+" "+r.Message+attrs)
	}
	want := []string{
		"WARN json line k=v",
		"DEBUG ",
		"INFO plain line",
		"ERROR panic: boom",
		"ERROR goroutine 1 [running]:",
		"ERROR main.main()",
	}
	if !slices.Equal(got, want) {
		t.Errorf("records:\n%q\nwant\n%q", got, want)
	}
	if !l.recs[0].Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("time %v, want the line's @timestamp", l.recs[0].Time)
	}
}

// benchPlugin loads the test plugin binary and returns its plugin class.
func benchPlugin(b *testing.B, class string) plugins.Plugin {
	b.Helper()
	dir := b.TempDir()
	copyFile(b, bins.plugin, filepath.Join(dir, "file-plugin"), 0o755)
	loaded := Load(context.Background(), []string{dir}, nil)
	b.Cleanup(loaded.Close)
	for _, p := range loaded.Plugins() {
		if p.Class == class {
			return p
		}
	}
	b.Fatalf("plugin %s not loaded", class)
	return plugins.Plugin{}
}

// BenchmarkFileSourcePoll polls a file of short lines through the file
// source task linked in and run as a plugin: the difference per record is
// what the process hop costs (the runtime's own work is not included).
func BenchmarkFileSourcePoll(b *testing.B) {
	const lines = 20000
	in := filepath.Join(b.TempDir(), "in.txt")
	var sb strings.Builder
	for i := range lines {
		fmt.Fprintf(&sb, "a line of a file, number %d\n", i)
	}
	if err := os.WriteFile(in, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	remote := benchPlugin(b, file.SourceClass)
	props := map[string]string{"file": in, "topic": "t", "batch.size": "2000"}
	for _, c := range []struct {
		name string
		conn func() connectors.SourceConnector
	}{
		{"linked", func() connectors.SourceConnector { return file.NewSource() }},
		{"plugin", func() connectors.SourceConnector { return remote.New().(connectors.SourceConnector) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				b.StopTimer() // starting the process is not the hop's cost
				task := c.conn().NewTask()
				if err := task.Start(context.Background(), sourceCtx{slog.New(slog.DiscardHandler)}, props); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				got := 0
				for got < lines {
					recs, err := task.Poll(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					got += len(recs)
				}
				n += got
				b.StopTimer()
				_ = task.Stop(context.Background())
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
		})
	}
}

// BenchmarkFileSinkPut puts batches of short records into the file sink
// task linked in and run as a plugin, then flushes: the difference per
// record is what the process hop costs a sink (the runtime's own work is
// not included).
func BenchmarkFileSinkPut(b *testing.B) {
	const batches, size = 100, 500
	recs := make([][]connectors.SinkRecord, batches)
	for i := range recs {
		recs[i] = make([]connectors.SinkRecord, size)
		for j := range recs[i] {
			off := int64(i*size + j)
			recs[i][j] = connectors.SinkRecord{Record: connectors.Record{Topic: "t", Partition: connectors.Partition(0), ValueSchema: schemas.StringSchema,
				Value: fmt.Sprintf("a line of a file, number %d", off)}, Offset: off, OriginalTopic: "t", OriginalOffset: off}
		}
	}
	remote := benchPlugin(b, file.SinkClass)
	tp := connectors.TopicPartition{Topic: "t", Partition: 0}
	for _, c := range []struct {
		name string
		conn func() connectors.SinkConnector
	}{
		{"linked", func() connectors.SinkConnector { return file.NewSink() }},
		{"plugin", func() connectors.SinkConnector { return remote.New().(connectors.SinkConnector) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			n := 0
			for b.Loop() {
				b.StopTimer()
				task := c.conn().NewTask()
				out := filepath.Join(b.TempDir(), "out.txt")
				if err := task.Start(ctx, &sinkCtx{}, map[string]string{"file": out}); err != nil {
					b.Fatal(err)
				}
				if err := task.Open(ctx, []connectors.TopicPartition{tp}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, batch := range recs {
					if err := task.Put(ctx, batch); err != nil {
						b.Fatal(err)
					}
					n += len(batch)
				}
				if err := task.Flush(ctx, map[connectors.TopicPartition]int64{tp: batches * size}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = task.Stop(ctx)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
		})
	}
}

// TestConnectorProcessDeathRaisesAnError: a connector's process that dies
// while nothing calls it fails the connector through RaiseError.
func TestConnectorProcessDeathRaisesAnError(t *testing.T) {
	loaded, _ := loadTest(t)
	ctx := context.Background()
	conn := find(t, loaded, probeClass).New().(connectors.SinkConnector)
	cc := &connCtx{}
	if err := conn.Start(ctx, cc, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	defer conn.Stop(ctx)
	pids := loaded.pids(probeClass)
	if len(pids) != 1 || Pid(conn) != pids[0] {
		t.Fatalf("connector processes %v, Pid %d", pids, Pid(conn))
	}
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cc.mu.Lock()
		raised := slices.Clone(cc.raised)
		cc.mu.Unlock()
		if len(raised) == 1 {
			if !containsAll(raised[0].Error(), probeClass, "file-plugin", "signal: killed") {
				t.Fatalf("raised %v, want the plugin, binary and signal named", raised[0])
			}
			break
		}
		if len(raised) > 1 || time.Now().After(deadline) {
			t.Fatalf("raised %v, want one error", raised)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A connector stopped normally raises nothing.
	conn2 := find(t, loaded, probeClass).New().(connectors.SinkConnector)
	cc2 := &connCtx{}
	if err := conn2.Start(ctx, cc2, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	if err := conn2.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	cc2.mu.Lock()
	defer cc2.mu.Unlock()
	if len(cc2.raised) != 0 {
		t.Errorf("a stopped connector raised %v", cc2.raised)
	}
}

// TestFailedStartLeavesNoProcess: a task whose Start fails reports the
// task's own error, and its process is gone.
func TestFailedStartLeavesNoProcess(t *testing.T) {
	loaded, _ := loadTest(t)
	task := find(t, loaded, counterClass).New().(connectors.SourceConnector).NewTask()
	err := task.Start(context.Background(), sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t", "limit": "many"})
	if err == nil || !strings.Contains(err.Error(), "limit") || strings.Contains(err.Error(), "exited") {
		t.Fatalf("Start = %v, want the task's error about limit", err)
	}
	if pids := loaded.pids(counterClass + "Task"); len(pids) != 0 {
		t.Errorf("processes left after a failed Start: %v", pids)
	}
	if err := task.Stop(context.Background()); err != nil {
		t.Errorf("Stop after a failed Start: %v", err)
	}
}

// TestHungPluginTaskCannotWedgeTheWorker: a plugin task whose Poll ignores
// its cancellation, or whose Stop never returns, is given up on after the
// stop timeout: the call returns an error naming it and its process is
// killed, so that stopping the task (and the worker) completes.
func TestHungPluginTaskCannotWedgeTheWorker(t *testing.T) {
	loaded, _ := loadTest(t)
	loaded.stopTimeout = 500 * time.Millisecond
	cases := []struct {
		mode  string
		call  func(task connectors.SourceTask) error
		parts []string
	}{
		{"hangpoll", func(task connectors.SourceTask) error {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			_, err := task.Poll(ctx)
			return err
		}, []string{counterClass + "Task", "Poll did not return", "killed"}},
		{"hangstop", func(task connectors.SourceTask) error {
			return task.Stop(context.Background())
		}, []string{counterClass + "Task", "Stop did not return", "killed"}},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			task := find(t, loaded, counterClass).New().(connectors.SourceConnector).NewTask()
			ctx := context.Background()
			if err := task.Start(ctx, sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t", "misbehave": c.mode}); err != nil {
				t.Fatal(err)
			}
			pid := Pid(task)
			done := make(chan error, 1)
			start := time.Now()
			go func() { done <- c.call(task) }()
			select {
			case err := <-done:
				if err == nil || !containsAll(err.Error(), c.parts...) {
					t.Errorf("err = %v, want one containing %q", err, c.parts)
				}
				t.Logf("gave up after %v: %v", time.Since(start), err)
			case <-time.After(20 * time.Second):
				t.Fatal("the call is still running after 20s")
			}
			if err := task.Stop(ctx); err != nil && c.mode != "hangstop" {
				t.Logf("Stop: %v", err)
			}
			if Pid(task) != 0 || len(loaded.pids(counterClass+"Task")) != 0 {
				t.Error("the task still has a process")
			}
			for deadline := time.Now().Add(5 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("process %d still alive", pid)
				}
			}
		})
	}
}

// processesOf counts the running processes whose executable is path.
func processesOf(t *testing.T, path string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	n := 0
	for _, e := range entries {
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == path {
			n++
		}
	}
	return n
}

// TestCancelledStartLeavesNoProcess: a start whose context ends before or
// while the process starts fails and leaves no process behind (a kill
// before the process existed did nothing, and the start succeeded).
func TestCancelledStartLeavesNoProcess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "file-plugin")
	copyFile(t, bins.plugin, path, 0o755)
	log := slog.New(slog.DiscardHandler)
	logf := func() *slog.Logger { return log }
	for i := range 5 {
		loaded := Load(context.Background(), nil, log)
		ctx, cancel := context.WithCancel(context.Background())
		if i%2 == 0 {
			cancel() // the context ends as the start begins
		} else {
			time.AfterFunc(time.Duration(i)*time.Millisecond, cancel)
		}
		p, err := loaded.start(ctx, path, startTimeout, logf)
		cancel()
		if err == nil {
			p.kill()
			t.Errorf("run %d: start succeeded after its context ended", i)
		}
		loaded.Close()
		for deadline := time.Now().Add(5 * time.Second); processesOf(t, path) != 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("run %d: %d plugin processes left", i, processesOf(t, path))
			}
		}
	}
}

// TestIdleTaskProcessDeathIsReported: a task whose process dies while
// nothing calls it (a sink whose partitions are idle) reports the death on
// its Failed channel, naming the class and the signal, so that the runtime
// fails it at once; a task stopped as usual reports nothing.
func TestIdleTaskProcessDeathIsReported(t *testing.T) {
	loaded, _ := loadTest(t)
	ctx := context.Background()
	conn := find(t, loaded, file.SinkClass).New().(connectors.SinkConnector)
	start := func() connectors.SinkTask {
		task := conn.NewTask()
		if err := task.Start(ctx, &sinkCtx{}, map[string]string{"file": filepath.Join(t.TempDir(), "out.txt"), "topics": "t"}); err != nil {
			t.Fatal(err)
		}
		return task
	}

	task := start()
	if err := syscall.Kill(Pid(task), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-task.(failer).Failed():
		if err == nil || !containsAll(err.Error(), file.SinkClass, "killed") {
			t.Fatalf("Failed yielded %v, want an error naming the class and the signal", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the idle task's process was killed, and Failed yielded nothing in 10 s")
	}
	_ = task.Stop(ctx)

	task = start()
	if err := task.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-task.(failer).Failed():
		t.Fatalf("a task stopped as usual reported %v", err)
	default:
	}
}

type failer interface{ Failed() <-chan error }
