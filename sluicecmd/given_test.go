package sluicecmd

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestGivenConnectorsDoNotStopStartup: connector files with an invalid
// configuration (a missing or malformed key, no topics, an unknown class,
// a config provider variable that cannot be resolved) do not stop the
// worker: each such connector is FAILED with the reason, naming the key,
// as its trace in GET /connectors/{c}/status, and a valid one beside them
// runs. Started again on the same files, the worker shows the same.
func TestGivenConnectorsDoNotStopStartup(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in := write(t, dir, "in.txt", "one\ntwo\n")
	props := testkit.StandaloneProps(bootstrap, dir)
	maps.Copy(props, map[string]string{
		"listeners":                  "http://127.0.0.1:0",
		"config.providers":           "env",
		"config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
	})
	const unset = "SLUICE_TEST_NEVER_SET_VARIABLE"
	if _, ok := os.LookupEnv(unset); ok {
		t.Fatalf("%s is set", unset)
	}
	files := map[string]string{
		"missing-topic.properties": "name=missing-topic\nconnector.class=FileStreamSource\nfile=" + in + "\n",
		"bad-tasks-max.properties": "name=bad-tasks-max\nconnector.class=FileStreamSink\ntopics=" + topic + "\ntasks.max=many\n",
		"no-topics.properties":     "name=no-topics\nconnector.class=FileStreamSink\n",
		"unknown-class.properties": "name=unknown-class\nconnector.class=com.example.MySource\n",
		"provider.properties":      "name=provider\nconnector.class=FileStreamSource\ntopic=" + topic + "\nfile=${env:" + unset + "}\n",
		"good.json":                `{"name": "good", "config": {"connector.class": "FileStreamSource", "topic": "` + topic + `", "file": "` + in + `"}}`,
	}
	var cfgs []map[string]string
	for _, f := range []string{"missing-topic.properties", "bad-tasks-max.properties", "no-topics.properties", "unknown-class.properties", "provider.properties", "good.json"} {
		c, err := loadConnectorConfig(write(t, dir, f, files[f]))
		if err != nil {
			t.Fatal(err)
		}
		cfgs = append(cfgs, c)
	}
	failed := map[string][]string{
		"missing-topic": {"topic", `Missing required configuration "topic"`},
		"bad-tasks-max": {"tasks.max", "many"},
		"no-topics":     {"topics", "Must configure one of topics or topics.regex"},
		"unknown-class": {"com.example.MySource", "org.apache.kafka.connect.file.FileStreamSourceConnector"},
		"provider":      {`config key "file": `, unset},
	}

	// run starts the worker, checks every connector's status through the
	// REST API, stops the worker and returns the statuses.
	run := func() map[string]herder.ConnectorStateInfo {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		addrs, done := make(chan []string, 1), make(chan error, 1)
		go func() {
			done <- runWorker(ctx, nil, props, cfgs, slog.New(slog.NewTextHandler(io.Discard, nil)), func(a []string) { addrs <- a })
		}()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("worker: %v", err)
			}
		}()
		var c *client.Client
		select {
		case a := <-addrs:
			var err error
			if c, err = client.New("http://" + a[0]); err != nil {
				t.Fatal(err)
			}
		case err := <-done:
			done <- err // keep it for the deferred wait, which would block forever otherwise
			t.Fatalf("the worker did not start: %v", err)
		}
		statuses := map[string]herder.ConnectorStateInfo{}
		deadline := time.Now().Add(time.Minute)
		for name := range maps.Keys(failed) {
			st, err := c.ConnectorStatus(context.Background(), name)
			if err != nil || st.Connector.State != herder.Failed || len(st.Tasks) != 0 {
				t.Fatalf("%s: %+v, %v; want FAILED without tasks", name, st, err)
			}
			for _, want := range failed[name] {
				if !strings.Contains(st.Connector.Trace, want) {
					t.Errorf("%s: the trace does not say %q:\n%s", name, want, st.Connector.Trace)
				}
			}
			statuses[name] = st
		}
		for {
			st, err := c.ConnectorStatus(context.Background(), "good")
			if err == nil && st.Connector.State == herder.Running && len(st.Tasks) == 1 && st.Tasks[0].State == herder.Running {
				statuses["good"] = st
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("good: %+v, %v; want RUNNING with a RUNNING task", st, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		names, err := c.Connectors(context.Background())
		if err != nil || len(names) != len(files) {
			t.Fatalf("connectors %v, %v", names, err)
		}
		return statuses
	}
	first := run()
	second := run()
	for name, st := range first {
		if second[name].Connector.State != st.Connector.State || second[name].Connector.Trace != st.Connector.Trace {
			t.Errorf("%s after a restart: %+v, before: %+v", name, second[name].Connector, st.Connector)
		}
	}
}
