package e2e

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestRESTConnectorsSurviveRestart: a connector created through the REST
// API of a standalone worker process, and its target state, survive a
// restart of the process. Its configuration refers to a secret through a
// config provider: the stored configuration keeps the variable, the task
// gets the value.
func TestRESTConnectorsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	// The sink's name, and so its group connect-<name>, is this run's own:
	// other tests (and earlier runs on the same broker) run sinks too. It
	// does not hold the topic's name, which the stored configs must not.
	snk := unique("snk")
	dir := t.TempDir()
	t.Setenv("SLUICE_E2E_TOPIC", topic) // the worker process inherits it
	listener := testkit.FreeListener(t)
	props := testkit.StandaloneProps(bootstrap, dir)
	maps.Copy(props, map[string]string{
		"listeners":                  listener,
		"config.providers":           "env",
		"config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
	})
	c := newClient(t, listener)
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	appendLines(t, in, 0, 100)

	w := testkit.StartWorker(t, binary, dir, "first", props, nil)
	awaitHealthy(t, c, w)
	for _, req := range []herder.CreateConnectorRequest{
		{Name: "src", Config: map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": "${env:SLUICE_E2E_TOPIC}"}},
		{Name: snk, Config: map[string]string{"connector.class": "FileStreamSink", "file": out, "topics": "${env:SLUICE_E2E_TOPIC}"}},
	} {
		if _, err := c.CreateConnector(ctx, req); err != nil {
			t.Fatalf("create %s: %v", req.Name, err)
		}
	}
	eventually(t, time.Minute, "100 lines in the output", func() (bool, string) { return countLines(out) == 100, "" }, w)
	if err := c.Pause(ctx, snk); err != nil {
		t.Fatal(err)
	}
	awaitState(t, c, snk, herder.Paused, w)
	w.Term()

	stored, err := os.ReadFile(filepath.Join(dir, "offsets.json.connectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(stored), "${env:SLUICE_E2E_TOPIC}") || strings.Contains(string(stored), topic) {
		t.Fatalf("stored connector configs must keep the variable, not its value:\n%s", stored)
	}

	appendLines(t, in, 100, 200)
	w = testkit.StartWorker(t, binary, dir, "second", props, nil)
	awaitHealthy(t, c, w)
	names, err := c.Connectors(ctx)
	if err != nil || strings.Join(names, ",") != snk+",src" {
		t.Fatalf("connectors after restart %v, %v; want [%s src]", names, err, snk)
	}
	awaitState(t, c, snk, herder.Paused, w)
	if tasks, err := c.Tasks(ctx, "src"); err != nil || len(tasks) != 1 || tasks[0].Config["topic"] != "${env:SLUICE_E2E_TOPIC}" {
		t.Fatalf("task configs must show the variable, not the secret: %+v, %v", tasks, err)
	}
	if err := c.Resume(ctx, snk); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "200 lines in the output", func() (bool, string) { return countLines(out) == 200, "" }, w)
}

// awaitHealthy waits until the worker's REST API answers /health with 200.
func awaitHealthy(t *testing.T, c *client.Client, w *testkit.Worker) {
	t.Helper()
	eventually(t, time.Minute, "GET /health to answer healthy", func() (bool, string) {
		st, err := c.Health(context.Background())
		if err != nil {
			return false, err.Error()
		}
		return st.Status == "healthy", st.Message
	}, w)
}

// awaitState waits until a connector and all its tasks are in state.
func awaitState(t *testing.T, c *client.Client, name string, state herder.State, w *testkit.Worker) {
	t.Helper()
	eventually(t, time.Minute, name+" "+string(state), func() (bool, string) {
		st, err := c.ConnectorStatus(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		ok := st.Connector.State == state && len(st.Tasks) > 0
		for _, ts := range st.Tasks {
			ok = ok && ts.State == state
		}
		return ok, string(st.Connector.State)
	}, w)
}
