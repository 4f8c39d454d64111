package sluicecmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	c := workerCLI{t, url}

	file := filepath.Join(dir, "g.json")
	if err := os.WriteFile(file, []byte(`{"name":"g","config":{"connector.class":"FileStreamSource","file":"`+in+`","topic":"`+topic+`"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c.golden("Created connector g (source).\n", "connectors", "create", "-f", file)
	c.await("NAME  TYPE    STATE    TASKS\ng     source  RUNNING  1/1\n", "connectors", "list")

	var st struct {
		Connector struct {
			WorkerID string `json:"worker_id"`
			Version  string `json:"version"`
		} `json:"connector"`
	}
	if err := json.Unmarshal([]byte(c.out("connectors", "status", "g", "-o", "json")), &st); err != nil || st.Connector.WorkerID == "" {
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
	c.golden(statusTable("RUNNING"), "connectors", "status", "g")
	c.golden(statusJSON("RUNNING"), "connectors", "status", "g", "-o", "json")
	c.golden("{\n  \"g\": {\n    \"status\": "+strings.ReplaceAll(strings.TrimSuffix(statusJSON("RUNNING"), "\n"), "\n", "\n    ")+"\n  }\n}\n", "connectors", "list", "-o", "json")
	c.golden("KEY              VALUE\n"+
		"connector.class  FileStreamSource\n"+
		"file             "+in+"\n"+
		"name             g\n"+
		"topic            "+topic+"\n", "connectors", "get", "g")
	c.golden(`{
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

	c.golden("Pausing connector g.\n", "connectors", "pause", "g")
	c.await(statusTable("PAUSED"), "connectors", "status", "g")
	c.golden("", "connectors", "resume", "g", "-o", "json")
	c.await(statusTable("RUNNING"), "connectors", "status", "g")
	c.golden("Restarted connector g.\n", "connectors", "restart", "g")
	c.golden("Restarted task g-0.\n", "connectors", "restart", "g", "--task", "0")
	c.await(statusTable("RUNNING"), "connectors", "status", "g")
	c.golden("Stopping connector g.\n", "connectors", "stop", "g")
	c.await("Connector g (source): STOPPED on "+id+"\nNo tasks.\n", "connectors", "status", "g")

	// plugins: every plugin of the JSON answer is a row of the table.
	var plugins []struct{ Class, Type, Version string }
	if err := json.Unmarshal([]byte(c.out("plugins", "-o", "json")), &plugins); err != nil || len(plugins) == 0 {
		t.Fatalf("plugins -o json: %v", err)
	}
	table := strings.Split(c.out("plugins"), "\n")
	if len(table) != len(plugins)+2 || strings.Fields(table[0])[0] != "CLASS" {
		t.Fatalf("plugins: %d lines for %d plugins:\n%s", len(table), len(plugins), strings.Join(table, "\n"))
	}
	for i, p := range plugins {
		if got := strings.Fields(table[i+1]); strings.Join(got, " ") != p.Class+" "+p.Type+" "+p.Version {
			t.Errorf("plugins row %d: %q, want %s %s %s", i, table[i+1], p.Class, p.Type, p.Version)
		}
	}

	c.golden("Deleted connector g.\n", "connectors", "delete", "g")
	c.golden("No connectors.\n", "connectors", "list")
	c.golden("{}\n", "connectors", "list", "-o", "json")
}
