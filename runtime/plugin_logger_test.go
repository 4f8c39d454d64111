package runtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/redact"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// ctxLoggerSource logs through the loggers its contexts give it.
type ctxLoggerSource struct {
	mu sync.Mutex
	cc connectors.ConnectorContext
}

func (c *ctxLoggerSource) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "db.password", Type: config.Password, Default: config.NoDefault, Importance: config.High})
}
func (c *ctxLoggerSource) Start(_ context.Context, cc connectors.ConnectorContext, props map[string]string) error {
	c.mu.Lock()
	c.cc = cc
	c.mu.Unlock()
	cc.Logger().Info("connector starting", "password", props["db.password"])
	cc.Logger().Debug("connector debug, before the level is set")
	return nil
}
func (c *ctxLoggerSource) logger() *slog.Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cc.Logger()
}
func (c *ctxLoggerSource) TaskConfigs(int) ([]map[string]string, error) { return nil, nil }
func (c *ctxLoggerSource) Stop(context.Context) error                   { return nil }
func (c *ctxLoggerSource) NewTask() connectors.SourceTask               { return &ctxLoggerTask{} }

type ctxLoggerTask struct{}

func (*ctxLoggerTask) Start(_ context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	tc.Logger().Info("task starting", "password", props["db.password"])
	tc.Logger().Debug("task debug")
	return nil
}
func (*ctxLoggerTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	<-ctx.Done()
	return nil, nil
}
func (*ctxLoggerTask) Stop(context.Context) error { return nil }

// logLines returns the JSON log lines in out whose msg is msg.
func logLines(t *testing.T, out *testkit.LogBuffer, msg string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == msg {
			lines = append(lines, m)
		}
	}
	return lines
}

// TestPluginLoggers: what a connector and its task log through their
// contexts' Logger() goes to the worker's log under a logger named after
// the class (so that /admin/loggers' level registry sets its level), names
// the connector or the task, and has secrets scrubbed.
func TestPluginLoggers(t *testing.T) {
	conn := &ctxLoggerSource{}
	reg := builtin.Registry()
	reg.Register(plugins.Plugin{Class: "com.example.LoggingSourceConnector", Kind: plugins.Source, New: func() any { return conn }})
	var out testkit.LogBuffer
	levels := logging.NewLevels(slog.LevelInfo)
	base := slog.New(logging.NewHandler(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: logging.LevelAll}), levels))
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
		// Nothing listens: the task starts, then waits for Kafka.
		"bootstrap.servers": "127.0.0.1:1"}, base)
	if err != nil {
		t.Fatal(err)
	}
	log := logging.Wrap(base, func(h slog.Handler) slog.Handler { return redact.NewHandler(h, wc.Secrets) })
	w := NewWorker(wc, reg, storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
	raw := map[string]string{"name": "c", "connector.class": "com.example.LoggingSourceConnector", "db.password": "pw-in-log-8812", "topic": "t"}
	if err := w.StartConnector(context.Background(), "c", raw, herder.TargetStarted, func() {}); err != nil {
		t.Fatal(err)
	}
	defer w.StopConnector(context.Background(), "c")

	check := func(line map[string]any, want map[string]string) {
		t.Helper()
		for k, v := range want {
			if line[k] != v {
				t.Errorf("%s: %s = %v, want %q (line %v)", line["msg"], k, line[k], v, line)
			}
		}
	}
	starting := logLines(t, &out, "connector starting")
	if len(starting) != 1 {
		t.Fatalf("%d lines \"connector starting\"", len(starting))
	}
	check(starting[0], map[string]string{"logger": "com.example.LoggingSourceConnector", "connector": "c", "password": "[hidden]"})
	if n := len(logLines(t, &out, "connector debug, before the level is set")); n != 0 {
		t.Errorf("a DEBUG line was written at level INFO")
	}
	// What PUT /admin/loggers/com.example {"level":"DEBUG"} does.
	levels.Set("com.example", slog.LevelDebug)
	conn.logger().Debug("connector debug, after the level is set")
	if n := len(logLines(t, &out, "connector debug, after the level is set")); n != 1 {
		t.Errorf("%d DEBUG lines after the level was set to DEBUG, want 1", n)
	}

	id := herder.TaskID{Connector: "c", Task: 0}
	if err := w.StartTask(id, raw, map[string]string{"db.password": "pw-in-log-8812", "topic": "t"}, 1, herder.TargetStarted); err != nil {
		t.Fatal(err)
	}
	defer w.StopTasks([]herder.TaskID{id})
	deadline := time.Now().Add(10 * time.Second)
	for len(logLines(t, &out, "task debug")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the task's DEBUG line never came")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, msg := range []string{"task starting", "task debug"} {
		lines := logLines(t, &out, msg)
		if len(lines) != 1 {
			t.Fatalf("%d lines %q", len(lines), msg)
		}
		check(lines[0], map[string]string{"logger": "com.example.LoggingSourceTask", "connector": "c", "task": "c-0"})
	}
	check(logLines(t, &out, "task starting")[0], map[string]string{"password": "[hidden]"})
	if strings.Contains(out.String(), "pw-in-log-8812") {
		t.Error("the password reached the log")
	}
}
