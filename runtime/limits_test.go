package runtime

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// countingConnector generates generate(maxTasks) task configurations and
// records the maxTasks it was asked for.
type countingConnector struct {
	generate func(maxTasks int) int
	asked    []int
}

func (c *countingConnector) Config() *config.Def { return config.NewDef() }
func (c *countingConnector) Start(context.Context, connectors.ConnectorContext, map[string]string) error {
	return nil
}
func (c *countingConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	c.asked = append(c.asked, maxTasks)
	out := make([]map[string]string, c.generate(maxTasks))
	for i := range out {
		out[i] = map[string]string{}
	}
	return out, nil
}
func (c *countingConnector) Stop(context.Context) error     { return nil }
func (c *countingConnector) NewTask() connectors.SourceTask { return nil }

// TestTaskConfigsLimits: the worker asks a connector for at most
// tasks.max.limit task configurations, refusing a larger tasks.max before
// the connector is asked (so that nothing allocates per requested task);
// a connector that generates more than tasks.max fails as in Kafka Connect
// unless tasks.max.enforce is false, and never gets past tasks.max.limit.
func TestTaskConfigsLimits(t *testing.T) {
	for _, tc := range []struct {
		name      string
		props     map[string]string
		generate  func(int) int
		wantTasks int
		wantAsked bool
		wantErr   string
		wantLog   string
	}{
		{name: "within the limit", props: map[string]string{"tasks.max": "3"}, generate: func(n int) int { return n }, wantTasks: 3, wantAsked: true},
		{name: "no tasks.max", props: map[string]string{}, generate: func(n int) int { return n }, wantTasks: 1, wantAsked: true},
		{name: "at the limit", props: map[string]string{"tasks.max": "10"}, generate: func(n int) int { return n }, wantTasks: 10, wantAsked: true},
		{name: "absurd tasks.max", props: map[string]string{"tasks.max": "2147483647"}, generate: func(n int) int { return n },
			wantErr: "Connector c has tasks.max=2147483647, more than this worker's tasks.max.limit of 10: lower tasks.max in the connector configuration, or raise tasks.max.limit in the worker configuration"},
		{name: "not a number", props: map[string]string{"tasks.max": "many"}, generate: func(n int) int { return n },
			wantErr: "Invalid value many for configuration tasks.max: must be an integer of at least 1"},
		{name: "too many generated", props: map[string]string{"tasks.max": "2"}, generate: func(int) int { return 3 }, wantAsked: true,
			wantErr: "The connector c has generated 3 tasks, which is greater than 2, the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is disallowed. If necessary, it can be permitted by reconfiguring the connector with 'tasks.max.enforce' set to false; however, this option will be removed in a future release of Kafka Connect."},
		{name: "too many generated, not enforced", props: map[string]string{"tasks.max": "2", "tasks.max.enforce": "false"}, generate: func(int) int { return 3 },
			wantAsked: true, wantTasks: 3, wantLog: "The connector has generated more tasks than tasks.max"},
		{name: "beyond the limit, not enforced", props: map[string]string{"tasks.max": "2", "tasks.max.enforce": "false"}, generate: func(int) int { return 11 },
			wantAsked: true, wantErr: "The connector c has generated 11 tasks, more than this worker's tasks.max.limit of 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := &countingConnector{generate: tc.generate}
			reg := plugins.NewRegistry()
			reg.Register(plugins.Plugin{Class: "com.example.Counting", Kind: plugins.Source, New: func() any { return conn }})
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter", "tasks.max.limit": "10"}, log)
			if err != nil {
				t.Fatal(err)
			}
			w := NewWorker(wc, reg, storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
			props := map[string]string{"name": "c", "connector.class": "com.example.Counting"}
			for k, v := range tc.props {
				props[k] = v
			}
			if err := w.StartConnector(context.Background(), "c", props, herder.TargetStarted, func() {}); err != nil {
				t.Fatal(err)
			}
			tasks, err := w.TaskConfigs("c")
			switch {
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Fatalf("err = %v\nwant %s", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case len(tasks) != tc.wantTasks:
				t.Fatalf("%d task configurations, want %d", len(tasks), tc.wantTasks)
			case (len(conn.asked) > 0) != tc.wantAsked:
				t.Fatalf("connector asked for %v", conn.asked)
			case tc.wantLog != "" && !strings.Contains(logs.String(), tc.wantLog):
				t.Fatalf("log lacks %q:\n%s", tc.wantLog, logs.String())
			}
		})
	}
}

// TestValidateLimits: validation reports a tasks.max above tasks.max.limit
// on tasks.max, and refuses a configuration above
// connector.config.max.bytes with a 413 before looking at it.
func TestValidateLimits(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
		"tasks.max.limit": "5", "connector.config.max.bytes": "2048"}, log)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
	cfg := map[string]string{"name": "s", "connector.class": "FileStreamSink", "topics": "t", "tasks.max": "6"}
	infos, _, err := w.ValidateConnectorConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, c := range infos.Configs {
		if c.Value != nil && c.Value.Name == TasksMax {
			errs = c.Value.Errors
		}
	}
	if infos.ErrorCount != 1 || len(errs) != 1 || errs[0] != "Invalid value 6 for configuration tasks.max: Value must be no more than 5, this worker's tasks.max.limit" {
		t.Fatalf("error_count %d, tasks.max errors %q", infos.ErrorCount, errs)
	}
	cfg["tasks.max"] = "5"
	if infos, _, err := w.ValidateConnectorConfig(cfg); err != nil || infos.ErrorCount != 0 {
		t.Fatalf("tasks.max at the limit: %v, %d errors", err, infos.ErrorCount)
	}
	cfg["extra"] = strings.Repeat("x", 2048)
	_, _, err = w.ValidateConnectorConfig(cfg)
	if herder.StatusCode(err) != 413 || !strings.Contains(err.Error(), "connector.config.max.bytes") || !strings.Contains(err.Error(), "more than the 2048") {
		t.Fatalf("oversized configuration: %v (status %d)", err, herder.StatusCode(err))
	}
	if _, err := w.CheckConnectorConfig("s", cfg); herder.StatusCode(err) != 413 {
		t.Fatalf("CheckConnectorConfig of an oversized configuration: %v", err)
	}
}

// TestShortenedLogValues: long values are cut in logs, on a rune boundary,
// with their length.
func TestShortenedLogValues(t *testing.T) {
	long := strings.Repeat("a", maxLoggedValue-1) + "é" + strings.Repeat("b", 100)
	got := shortened(map[string]string{"short": "v", "long": long})
	if got["short"] != "v" {
		t.Fatalf("short value changed: %q", got["short"])
	}
	want := strings.Repeat("a", maxLoggedValue-1) + "… (" + strconv.Itoa(len(long)) + " bytes)"
	if got["long"] != want {
		t.Fatalf("long value logged as %q", got["long"])
	}
}

// TestStoredTaskCount: at a task's start, a stored set of task
// configurations larger than tasks.max fails the task with Kafka Connect's
// TooManyTasksException message, before anything is built, unless
// tasks.max.enforce is false; past tasks.max.limit it always fails.
func TestStoredTaskCount(t *testing.T) {
	tooMany := "The connector c has generated 3 tasks, which is greater than 2, the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is disallowed. If necessary, it can be permitted by reconfiguring the connector with 'tasks.max.enforce' set to false; however, this option will be removed in a future release of Kafka Connect."
	for _, tc := range []struct {
		name    string
		props   map[string]string
		tasks   int
		wantErr string
	}{
		{name: "within tasks.max", props: map[string]string{"tasks.max": "2"}, tasks: 2},
		{name: "more than tasks.max", props: map[string]string{"tasks.max": "2"}, tasks: 3, wantErr: tooMany},
		{name: "enforce in any case", props: map[string]string{"tasks.max": "2", "tasks.max.enforce": "TRUE"}, tasks: 3, wantErr: tooMany},
		{name: "not enforced", props: map[string]string{"tasks.max": "2", "tasks.max.enforce": "false"}, tasks: 3},
		{name: "not enforced, past the limit", props: map[string]string{"tasks.max": "2", "tasks.max.enforce": "false"}, tasks: 11,
			wantErr: "The connector c has generated 11 tasks, more than this worker's tasks.max.limit of 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := slog.New(slog.DiscardHandler)
			wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter", "tasks.max.limit": "10"}, log)
			if err != nil {
				t.Fatal(err)
			}
			status := storage.NewMemoryStatus()
			w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), status, log)
			props := map[string]string{"name": "c", "connector.class": "FileStreamSource", "topic": "t"}
			for k, v := range tc.props {
				props[k] = v
			}
			err = w.checkStoredTaskCount("c", props, tc.tasks)
			if got := fmt.Sprint(err); (tc.wantErr == "" && err != nil) || (tc.wantErr != "" && got != tc.wantErr) {
				t.Fatalf("err = %v\nwant %q", err, tc.wantErr)
			}
			if tc.wantErr == "" {
				return
			}
			// StartTask fails the task with it, as its status says.
			id := herder.TaskID{Connector: "c", Task: 2}
			if err := w.StartTask(id, props, map[string]string{"topic": "t", "task.class": "FileStreamSourceTask"}, tc.tasks, herder.TargetStarted); err == nil || err.Error() != tc.wantErr {
				t.Fatalf("StartTask: %v", err)
			}
			sts := status.Tasks("c")
			if len(sts) != 1 || sts[0].ID != 2 || sts[0].State != herder.Failed || sts[0].Trace != tc.wantErr {
				t.Fatalf("task statuses %+v", sts)
			}
			if len(w.Tasks("c")) != 0 {
				t.Fatalf("tasks run: %v", w.Tasks("c"))
			}
		})
	}
}

// TestStoredTaskCountResolvesProviders: at a task's start, tasks.max and
// tasks.max.enforce are read with their config provider variables
// resolved, as the connector read them (Kafka Connect's Worker.startTask
// reads the transformed connector configuration): a tasks.max given as
// ${env:…} must not fail every task as an invalid number, and a
// tasks.max.enforce=false given so must be honoured.
func TestStoredTaskCountResolvesProviders(t *testing.T) {
	t.Setenv("SLUICE_TEST_TASKS_MAX", "2")
	t.Setenv("SLUICE_TEST_ENFORCE", "false")
	log := slog.New(slog.DiscardHandler)
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
		"config.providers": "env", "config.providers.env.class": "EnvVarConfigProvider"}, log)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
	for _, tc := range []struct {
		name    string
		props   map[string]string
		tasks   int
		wantErr bool
	}{
		{name: "tasks.max from a provider", props: map[string]string{"tasks.max": "${env:SLUICE_TEST_TASKS_MAX}"}, tasks: 2},
		{name: "more than tasks.max from a provider", props: map[string]string{"tasks.max": "${env:SLUICE_TEST_TASKS_MAX}"}, tasks: 3, wantErr: true},
		{name: "tasks.max.enforce from a provider", props: map[string]string{"tasks.max": "2", "tasks.max.enforce": "${env:SLUICE_TEST_ENFORCE}"}, tasks: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{"name": "c", "connector.class": "FileStreamSource", "topic": "t"}
			maps.Copy(props, tc.props)
			err := w.checkStoredTaskCount("c", props, tc.tasks)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tc.wantErr)
			}
		})
	}
}
