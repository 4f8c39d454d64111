package sluicecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestCLIGoldenAgainstWorker checks the exact table and JSON output of
// connectors create, list, get, status, pause, resume, restart, stop and
// delete, and plugins, against an in-process standalone worker on the
// broker. The worker's id and the plugin's version come from the worker.
func TestCLIGoldenAgainstWorker(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	url := startCLIWorker(t, bootstrap, dir)
	run := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		args = append(args, "--url", url)
		if code := runCLI(context.Background(), args[0], args[1:], nil, &o, &e); code != 0 {
			t.Fatalf("sluice %s: exit %d; stdout %q stderr %q", strings.Join(args, " "), code, o.String(), e.String())
		}
		return o.String()
	}
	golden := func(want string, args ...string) {
		t.Helper()
		if got := run(args...); got != want {
			t.Fatalf("sluice %s:\n got %q\nwant %q", strings.Join(args, " "), got, want)
		}
	}
	await := func(want string, args ...string) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			got := run(args...)
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("sluice %s never printed %q; last:\n%q", strings.Join(args, " "), want, got)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	file := filepath.Join(dir, "g.json")
	if err := os.WriteFile(file, []byte(`{"name":"g","config":{"connector.class":"FileStreamSource","file":"`+in+`","topic":"`+topic+`"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	golden("Created connector g (source).\n", "connectors", "create", "-f", file)
	await("NAME  TYPE    STATE    TASKS\ng     source  RUNNING  1/1\n", "connectors", "list")

	var st struct {
		Connector struct {
			WorkerID string `json:"worker_id"`
			Version  string `json:"version"`
		} `json:"connector"`
	}
	if err := json.Unmarshal([]byte(run("connectors", "status", "g", "-o", "json")), &st); err != nil || st.Connector.WorkerID == "" {
		t.Fatalf("status -o json: %v %+v", err, st)
	}
	id, ver := st.Connector.WorkerID, st.Connector.Version
	statusJSON := func(state string) string {
		return `{
  "name": "g",
  "connector": {
    "state": "` + state + `",
    "worker_id": "` + id + `",
    "version": "` + ver + `"
  },
  "tasks": [
    {
      "id": 0,
      "state": "` + state + `",
      "worker_id": "` + id + `",
      "version": "` + ver + `"
    }
  ],
  "type": "source"
}
`
	}
	statusTable := func(state string) string {
		return "Connector g (source): " + state + " on " + id + "\n\nID  STATE" + strings.Repeat(" ", len(state)-len("STATE")) + "  WORKER\n0   " + state + "  " + id + "\n"
	}
	golden(statusTable("RUNNING"), "connectors", "status", "g")
	golden(statusJSON("RUNNING"), "connectors", "status", "g", "-o", "json")
	golden("{\n  \"g\": {\n    \"status\": "+strings.ReplaceAll(strings.TrimSuffix(statusJSON("RUNNING"), "\n"), "\n", "\n    ")+"\n  }\n}\n", "connectors", "list", "-o", "json")
	golden("KEY              VALUE\n"+
		"connector.class  FileStreamSource\n"+
		"file             "+in+"\n"+
		"name             g\n"+
		"topic            "+topic+"\n", "connectors", "get", "g")
	golden(`{
  "name": "g",
  "config": {
    "connector.class": "FileStreamSource",
    "file": "`+in+`",
    "name": "g",
    "topic": "`+topic+`"
  },
  "tasks": [
    {
      "connector": "g",
      "task": 0
    }
  ],
  "type": "source"
}
`, "connectors", "get", "g", "-o", "json")

	golden("Pausing connector g.\n", "connectors", "pause", "g")
	await(statusTable("PAUSED"), "connectors", "status", "g")
	golden("", "connectors", "resume", "g", "-o", "json")
	await(statusTable("RUNNING"), "connectors", "status", "g")
	golden("Restarted connector g.\n", "connectors", "restart", "g")
	golden("Restarted task g-0.\n", "connectors", "restart", "g", "--task", "0")
	await(statusTable("RUNNING"), "connectors", "status", "g")
	golden("Stopping connector g.\n", "connectors", "stop", "g")
	await("Connector g (source): STOPPED on "+id+"\nNo tasks.\n", "connectors", "status", "g")

	// plugins: every plugin of the JSON answer is a row of the table.
	var plugins []struct{ Class, Type, Version string }
	if err := json.Unmarshal([]byte(run("plugins", "-o", "json")), &plugins); err != nil || len(plugins) == 0 {
		t.Fatalf("plugins -o json: %v", err)
	}
	table := strings.Split(run("plugins"), "\n")
	if len(table) != len(plugins)+2 || strings.Fields(table[0])[0] != "CLASS" {
		t.Fatalf("plugins: %d lines for %d plugins:\n%s", len(table), len(plugins), strings.Join(table, "\n"))
	}
	for i, p := range plugins {
		if got := strings.Fields(table[i+1]); strings.Join(got, " ") != p.Class+" "+p.Type+" "+p.Version {
			t.Errorf("plugins row %d: %q, want %s %s %s", i, table[i+1], p.Class, p.Type, p.Version)
		}
	}

	golden("Deleted connector g.\n", "connectors", "delete", "g")
	golden("NAME  TYPE  STATE  TASKS\n", "connectors", "list")
	golden("{}\n", "connectors", "list", "-o", "json")
}
