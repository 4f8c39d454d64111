package standalone_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestLifecycleLogLines drives a source connector through every lifecycle
// action and checks that each logs its INFO line exactly once, in Kafka
// Connect's wording where it has one, and that configs in the log read as
// Java's maps.
func TestLifecycleLogLines(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs testkit.LogBuffer
	h := fileHerder(t, bootstrap, t.TempDir(), nil, builtin.Registry(), &logs)
	ctx := context.Background()
	name := "lifecycle-" + topic
	cfg := map[string]string{"connector.class": "FileStreamSource", "topic": topic, "file": in}
	setState := func(target herder.TargetState, await herder.State) func(*testing.T) {
		return func(t *testing.T) {
			if err := h.SetTargetState(ctx, name, target); err != nil {
				t.Fatal(err)
			}
			if await != "" {
				awaitTask(t, h, name, await)
			}
		}
	}
	restart := func(includeTasks, onlyFailed bool) func(*testing.T) {
		return func(t *testing.T) {
			if _, err := h.RestartConnector(ctx, name, includeTasks, onlyFailed); err != nil {
				t.Fatal(err)
			}
			awaitTask(t, h, name, herder.Running)
		}
	}
	request := func(onlyFailed, includeTasks string) string {
		return "restart request for {connectorName='" + name + "', onlyFailed=" + onlyFailed + ", includeTasks=" + includeTasks + "}"
	}
	steps := []struct {
		name  string
		do    func(*testing.T)
		lines []string // each logged once more by this step
	}{
		{"create", func(t *testing.T) {
			if _, _, err := h.PutConnectorConfig(ctx, name, cfg, false, ""); err != nil {
				t.Fatal(err)
			}
			awaitTask(t, h, name, herder.Running)
			// The connector's config, as Java prints a map.
			if want := `config="{connector.class=FileStreamSource, file=` + in + `, name=` + name + `, topic=` + topic + `}"`; !strings.Contains(logs.String(), want) {
				t.Errorf("the start-up line lacks %s", want)
			}
		}, []string{"Connector " + name + " config created"}},
		{"pause", setState(herder.TargetPaused, herder.Paused), []string{"Setting connector " + name + " state to PAUSED"}},
		{"resume", setState(herder.TargetStarted, herder.Running), []string{"Setting connector " + name + " state to STARTED"}},
		{"reconfigure", func(t *testing.T) {
			cfg["batch.size"] = "10"
			if _, _, err := h.PutConnectorConfig(ctx, name, cfg, true, ""); err != nil {
				t.Fatal(err)
			}
			awaitTask(t, h, name, herder.Running)
		}, []string{"Connector " + name + " config updated"}},
		{"restart", restart(false, false), []string{
			"Received plan to restart connector and 0 of 1 tasks for " + request("false", "false"),
			"Completed plan to restart connector and 0 of 1 tasks for " + request("false", "false")}},
		{"restart with tasks", restart(true, false), []string{
			"Received plan to restart connector and 1 of 1 tasks for " + request("false", "true"),
			"Completed plan to restart connector and 1 of 1 tasks for " + request("false", "true")}},
		{"restart only failed", restart(true, true), []string{
			"Received plan to restart 0 of 1 tasks for " + request("true", "true"),
			"Completed plan to restart 0 of 1 tasks for " + request("true", "true")}},
		{"restart task", func(t *testing.T) {
			if err := h.RestartTask(ctx, herder.TaskID{Connector: name, Task: 0}); err != nil {
				t.Fatal(err)
			}
			awaitTask(t, h, name, herder.Running)
		}, []string{"Restarting task " + name + "-0"}},
		{"stop", setState(herder.TargetStopped, ""), []string{"Setting connector " + name + " state to STOPPED"}},
		{"alter offsets", func(t *testing.T) {
			offs := herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{Partition: map[string]any{"filename": in}, Offset: map[string]any{"position": int64(2)}}}}
			if _, err := h.AlterConnectorOffsets(ctx, name, offs); err != nil {
				t.Fatal(err)
			}
		}, []string{"Altered offsets of connector " + name}},
		{"reset offsets", func(t *testing.T) {
			if _, err := h.ResetConnectorOffsets(ctx, name); err != nil {
				t.Fatal(err)
			}
		}, []string{"Reset offsets of connector " + name}},
		{"resume a stopped connector", setState(herder.TargetStarted, herder.Running), []string{"Setting connector " + name + " state to STARTED"}},
		{"delete", func(t *testing.T) {
			if err := h.DeleteConnector(ctx, name); err != nil {
				t.Fatal(err)
			}
		}, []string{"Connector " + name + " config removed"}},
	}
	want := map[string]int{}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			step.do(t)
			for _, line := range step.lines {
				want[line]++
			}
			got := logs.String()
			for line, n := range want {
				if c := strings.Count(got, line); c != n {
					t.Errorf("after %s, %q logged %d times, want %d", step.name, line, c, n)
				}
			}
		})
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs.String())
	}
}
