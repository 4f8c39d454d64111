package standalone_test

import (
	"context"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// copyingSource puts only its key "x" in its task configuration, and
// counts the starts and stops of its instances and tasks.
type copyingSource struct {
	x                         string
	starts, taskStarts, stops *atomic.Int32
}

func (s *copyingSource) Config() *config.Def { return config.NewDef() }
func (s *copyingSource) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	s.x = props["x"]
	s.starts.Add(1)
	return nil
}
func (s *copyingSource) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{{"x": s.x}}, nil
}
func (s *copyingSource) Stop(context.Context) error { return nil }
func (s *copyingSource) NewTask() connectors.SourceTask {
	return &countedTask{starts: s.taskStarts, stops: s.stops}
}

type countedTask struct{ starts, stops *atomic.Int32 }

func (t *countedTask) Start(context.Context, connectors.SourceTaskContext, map[string]string) error {
	t.starts.Add(1)
	return nil
}
func (t *countedTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	select {
	case <-ctx.Done():
	case <-time.After(100 * time.Millisecond):
	}
	return nil, nil
}
func (t *countedTask) Stop(context.Context) error {
	t.stops.Add(1)
	return nil
}

// TestUnchangedConfigKeepsTasksRunning: as in Kafka Connect's standalone
// herder, the same configuration put again restarts the connector but not
// its tasks, whose configurations are unchanged; a changed configuration
// restarts them, even when the connector copies none of the change into
// their configurations (Kafka Connect: the connector config changed since
// the task configs were applied), and so does a change of their
// configurations.
func TestUnchangedConfigKeepsTasksRunning(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	var starts, taskStarts, stops atomic.Int32
	reg := builtin.Registry()
	reg.Register(plugins.Plugin{Class: "com.example.CopyingSource", Kind: plugins.Source,
		New: func() any { return &copyingSource{starts: &starts, taskStarts: &taskStarts, stops: &stops} }})
	h := newHerderWith(t, bootstrap, nil, reg)
	ctx := context.Background()
	name := "copying-" + testkit.NewTopic(t, bootstrap, 1)
	cfg := map[string]string{"connector.class": "com.example.CopyingSource", "x": "1", "y": "1"}
	if _, _, err := h.PutConnectorConfig(ctx, name, maps.Clone(cfg), false, ""); err != nil {
		t.Fatal(err)
	}
	awaitTask(t, h, name, herder.Running)
	awaitCount(t, "task starts", &taskStarts, 1)

	for _, step := range []struct {
		name                   string
		key, value             string
		connStarts, taskStarts int32
	}{
		{name: "the same configuration", connStarts: 2, taskStarts: 1},
		{name: "a key the task configuration lacks", key: "y", value: "2", connStarts: 3, taskStarts: 2},
		{name: "a key the task configuration holds", key: "x", value: "2", connStarts: 4, taskStarts: 3},
	} {
		if step.key != "" {
			cfg[step.key] = step.value
		}
		if _, _, err := h.PutConnectorConfig(ctx, name, maps.Clone(cfg), true, ""); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		awaitTask(t, h, name, herder.Running)
		awaitCount(t, step.name+": task starts", &taskStarts, step.taskStarts)
		// Stops are synchronous: the put stopped the tasks it restarted
		// before it returned.
		if got, want := stops.Load(), step.taskStarts-1; got != want {
			t.Errorf("%s: the task stopped %d times, want %d", step.name, got, want)
		}
		if got := starts.Load(); got != step.connStarts {
			t.Errorf("%s: the connector started %d times, want %d", step.name, got, step.connStarts)
		}
		tasks, err := h.Tasks(ctx, name)
		if err != nil || len(tasks) != 1 || tasks[0].Config["x"] != cfg["x"] {
			t.Errorf("%s: task configurations %v, %v", step.name, tasks, err)
		}
	}
}

// awaitCount waits until n holds want; it fails at once when n passes it.
func awaitCount(t *testing.T, what string, n *atomic.Int32, want int32) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := n.Load()
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			t.Fatalf("%s: %d, want %d", what, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
