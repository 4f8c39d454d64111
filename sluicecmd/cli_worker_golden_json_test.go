package sluicecmd

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herdercore"
)

// TestCLIGoldenJSONAgainstWorker pins, against an in-process standalone
// worker on the broker, the exact output of the forms
// TestCLIGoldenAgainstWorker and TestCLIConfigTasksTopicsValidate leave
// open: -o json of create, config set, config patch, validate, tasks,
// pause, resume, restart (plain, --task, --include-tasks), stop, delete,
// offsets get|set|reset of a source; the tables of restart --include-tasks,
// a source's offsets get and its "no offsets" sentence; plugins in both
// forms; sluice status with no connectors, with a stopped one and with a
// failed task (its Failures section), that task's trace in connectors
// status (table and JSON); and version. Values the worker chooses (its id, versions, cluster id) are
// read from its REST API.
func TestCLIGoldenJSONAgainstWorker(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	write := fileWriter(t, dir)
	write("in.txt", "one\ntwo\n")
	url := startCLIWorker(t, bootstrap, dir)
	c := workerCLI{t, url}

	var info struct {
		Version string `json:"version"`
		Commit  string `json:"commit"`
		Cluster string `json:"kafka_cluster_id"`
	}
	if err := json.Unmarshal(restGet(t, url+"/"), &info); err != nil || info.Cluster == "" {
		t.Fatalf("GET /: %v %+v", err, info)
	}
	commit := info.Commit
	if commit == "" {
		commit = "-"
	}
	var vout, verr bytes.Buffer
	if code := Main([]string{"version"}, nil, &vout, &verr); code != 0 || vout.String() != "sluice "+herdercore.Version+"\n" || verr.Len() > 0 {
		t.Fatalf("version: exit %d, stdout %q, stderr %q", code, vout.String(), verr.String())
	}
	c.golden("Worker "+url+": version "+info.Version+", commit "+commit+", Kafka cluster "+info.Cluster+"\n"+
		"Workers running connectors or tasks: none\n\nNo connectors.\n", "status")
	c.golden(`{
  "worker": {
    "version": "`+info.Version+`",
    "commit": "`+info.Commit+`",
    "kafka_cluster_id": "`+info.Cluster+`"
  },
  "workers": [],
  "connectors": {},
  "metrics": {}
}
`, "status", "-o", "json")

	// plugins: the connector plugins this binary has, at the worker's
	// version for them.
	var plugins []struct{ Class, Type, Version string }
	if err := json.Unmarshal(restGet(t, url+"/connector-plugins"), &plugins); err != nil || len(plugins) == 0 {
		t.Fatalf("GET /connector-plugins: %v", err)
	}
	c.golden(indented(t, restGet(t, url+"/connector-plugins")), "plugins", "-o", "json")
	c.golden(indented(t, restGet(t, url+"/connector-plugins?connectorsOnly=false")), "plugins", "--all", "-o", "json")
	v := map[string]string{}
	for _, p := range plugins {
		v[p.Class] = p.Version
	}
	const w = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	row := func(class, typ string) string {
		return padTo(class, w) + "  " + padTo(typ, "source") + "  " + v[class] + "\n"
	}
	c.golden(padTo("CLASS", w)+"  TYPE    VERSION\n"+
		row("io.confluent.connect.jdbc.JdbcSinkConnector", "sink")+
		row("io.confluent.connect.jdbc.JdbcSourceConnector", "source")+
		row("io.confluent.kafka.connect.datagen.DatagenConnector", "source")+
		row("io.debezium.connector.mariadb.MariaDbConnector", "source")+
		row("io.debezium.connector.mysql.MySqlConnector", "source")+
		row("org.apache.kafka.connect.file.FileStreamSinkConnector", "sink")+
		row("org.apache.kafka.connect.file.FileStreamSourceConnector", "source"), "plugins")

	// plugins --all: every plugin of the worker's answer, a row each, the
	// columns as wide as their longest cell.
	var all []struct{ Class, Type, Version string }
	if err := json.Unmarshal(restGet(t, url+"/connector-plugins?connectorsOnly=false"), &all); err != nil || len(all) <= len(plugins) {
		t.Fatalf("GET /connector-plugins?connectorsOnly=false: %v, %d plugins", err, len(all))
	}
	wc, wt := len("CLASS"), len("TYPE")
	for _, p := range all {
		wc, wt = max(wc, len(p.Class)), max(wt, len(p.Type))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }
	wantAll := pad("CLASS", wc) + "  " + pad("TYPE", wt) + "  VERSION\n"
	for _, p := range all {
		wantAll += strings.TrimRight(pad(p.Class, wc)+"  "+pad(p.Type, wt)+"  "+p.Version, " ") + "\n"
	}
	c.golden(wantAll, "plugins", "--all")

	src := write("j.json", `{"name":"j","config":{"connector.class":"FileStreamSource","file":"`+in+`","topic":"`+topic+`"}}`)
	c.golden(indented(t, restPut(t, url+"/connector-plugins/FileStreamSource/config/validate",
		`{"connector.class":"FileStreamSource","file":"`+in+`","topic":"`+topic+`","name":"j"}`)), "connectors", "validate", "-f", src, "-o", "json")
	// An invalid one: exit 1, the worker's answer on stdout, the verdict
	// on stderr.
	badFile := write("bad.json", `{"connector.class":"FileStreamSource","tasks.max":"many","topic":"`+topic+`"}`)
	if got, errOut := c.run(1, "connectors", "validate", "-f", badFile, "-o", "json"); got != indented(t, restPut(t, url+"/connector-plugins/FileStreamSource/config/validate",
		`{"connector.class":"FileStreamSource","tasks.max":"many","topic":"`+topic+`"}`)) || errOut != "sluice: the configuration has errors\n" {
		t.Fatalf("validate bad -o json: stdout %q stderr %q", got, errOut)
	}
	cfg := func(extra string) string {
		return `  "config": {
` + extra + `    "connector.class": "FileStreamSource",
    "file": "` + in + `",
    "name": "j",
    "topic": "` + topic + `"
  },
`
	}
	// A standalone worker has made the tasks when it answers, as Kafka
	// Connect's StandaloneHerder has (a distributed one answers "tasks": []).
	tasks := "  \"tasks\": [\n    {\n      \"connector\": \"j\",\n      \"task\": 0\n    }\n  ],\n"
	c.golden("{\n  \"name\": \"j\",\n"+cfg("")+tasks+"  \"type\": \"source\"\n}\n", "connectors", "create", "-f", src, "-o", "json")
	c.await("{\n  \"name\": \"j\",\n"+cfg("")+tasks+"  \"type\": \"source\"\n}\n", "connectors", "get", "j", "-o", "json")
	c.golden("{\n  \"name\": \"j\",\n"+cfg("")+tasks+"  \"type\": \"source\"\n}\n", "connectors", "config", "set", "j", "-f", src, "-o", "json")
	patch := write("patch.json", `{"batch.size":"5"}`)
	c.golden("{\n  \"name\": \"j\",\n"+cfg("    \"batch.size\": \"5\",\n")+tasks+"  \"type\": \"source\"\n}\n", "connectors", "config", "patch", "j", "-f", patch, "-o", "json")
	c.await(`[
  {
    "id": {
      "connector": "j",
      "task": 0
    },
    "config": {
      "batch.size": "5",
      "connector.class": "FileStreamSource",
      "file": "`+in+`",
      "name": "j",
      "task.class": "org.apache.kafka.connect.file.FileStreamSourceTask",
      "topic": "`+topic+`"
    }
  }
]
`, "connectors", "tasks", "j", "-o", "json")

	// Both lines read and their offset flushed.
	part, off := `{"filename":"`+in+`"}`, `{"position":8}`
	c.await("PARTITION"+strings.Repeat(" ", len(part)-len("PARTITION"))+"  OFFSET\n"+part+"  "+off+"\n", "offsets", "get", "j")
	c.golden("{\n  \"offsets\": [\n    {\n      \"partition\": {\n        \"filename\": \""+in+"\"\n      },\n"+
		"      \"offset\": {\n        \"position\": 8\n      }\n    }\n  ]\n}\n", "offsets", "get", "j", "-o", "json")

	var st struct {
		Connector struct {
			WorkerID string `json:"worker_id"`
			Version  string `json:"version"`
		} `json:"connector"`
	}
	if err := json.Unmarshal(restGet(t, url+"/connectors/j/status"), &st); err != nil || st.Connector.WorkerID == "" {
		t.Fatalf("status: %v %+v", err, st)
	}
	id, ver := st.Connector.WorkerID, st.Connector.Version

	c.golden("", "connectors", "pause", "j", "-o", "json")
	c.await("Connector j (source): PAUSED on "+id+"\n\nID  STATE   WORKER\n0   PAUSED  "+id+"\n", "connectors", "status", "j")
	c.golden("", "connectors", "resume", "j", "-o", "json")
	c.await("Connector j (source): RUNNING on "+id+"\n\nID  STATE    WORKER\n0   RUNNING  "+id+"\n", "connectors", "status", "j")
	c.golden("", "connectors", "restart", "j", "-o", "json")
	c.golden("", "connectors", "restart", "j", "--task", "0", "-o", "json")
	c.await("Connector j (source): RUNNING on "+id+"\n\nID  STATE    WORKER\n0   RUNNING  "+id+"\n", "connectors", "status", "j")
	// --include-tasks answers 202 with the status: everything RESTARTING.
	c.golden("Connector j (source): RESTARTING on "+id+"\n\nID  STATE       WORKER\n0   RESTARTING  "+id+"\n",
		"connectors", "restart", "j", "--include-tasks")
	c.await("Connector j (source): RUNNING on "+id+"\n\nID  STATE    WORKER\n0   RUNNING  "+id+"\n", "connectors", "status", "j")
	c.golden(`{
  "name": "j",
  "connector": {
    "state": "RESTARTING",
    "worker_id": "`+id+`",
    "version": "`+ver+`"
  },
  "tasks": [
    {
      "id": 0,
      "state": "RESTARTING",
      "worker_id": "`+id+`",
      "version": "`+ver+`"
    }
  ],
  "type": "source"
}
`, "connectors", "restart", "j", "--include-tasks", "-o", "json")
	c.await("Connector j (source): RUNNING on "+id+"\n\nID  STATE    WORKER\n0   RUNNING  "+id+"\n", "connectors", "status", "j")

	c.golden("", "connectors", "stop", "j", "-o", "json")
	c.await("Connector j (source): STOPPED on "+id+"\nNo tasks.\n", "connectors", "status", "j")
	c.golden("Worker "+url+": version "+info.Version+", commit "+commit+", Kafka cluster "+info.Cluster+"\n"+
		"Workers running connectors or tasks (1): "+id+"\n\n"+
		"CONNECTOR  TASK  TYPE    STATE    "+padTo("WORKER", id)+"  LAG  LAG MAX  RECORDS  ERRORS\n"+
		"j          -     source  STOPPED  "+id+"\n\nNo failures.\n", "status")
	c.golden(`{
  "worker": {
    "version": "`+info.Version+`",
    "commit": "`+info.Commit+`",
    "kafka_cluster_id": "`+info.Cluster+`"
  },
  "workers": [
    "`+id+`"
  ],
  "connectors": {
    "j": {
      "name": "j",
      "connector": {
        "state": "STOPPED",
        "worker_id": "`+id+`",
        "version": "`+ver+`"
      },
      "tasks": [],
      "type": "source"
    }
  },
  "metrics": {
    "j": []
  }
}
`, "status", "-o", "json")

	offs := write("offs.json", `{"offsets":[{"partition":`+part+`,"offset":{"position":4}}]}`)
	c.golden("{\n  \"message\": \"The offsets for this connector have been altered successfully\"\n}\n", "offsets", "set", "j", "-f", offs, "-o", "json")
	c.golden("{\n  \"message\": \"The offsets for this connector have been reset successfully\"\n}\n", "offsets", "reset", "j", "-o", "json")
	c.golden("Connector j has no offsets\n", "offsets", "get", "j")
	c.golden("{\n  \"offsets\": []\n}\n", "offsets", "get", "j", "-o", "json")
	c.golden("", "connectors", "delete", "j", "-o", "json")
	c.golden("No connectors.\n", "connectors", "list")

	// A failed task: its trace in connectors status (table and JSON), its
	// first line under sluice status's Failures, 0/1 in the list.
	write("plain", "")
	bad := filepath.Join(dir, "plain", "out.txt") // under a file: Start cannot create it
	sinkFile := write("f.json", `{"name":"f","config":{"connector.class":"FileStreamSink","file":"`+bad+`","topics":"`+topic+`"}}`)
	c.golden("Created connector f (sink).\n", "connectors", "create", "-f", sinkFile)
	trace := "start task f-0: open " + bad + " for appending: open " + bad + ": not a directory"
	c.await("Connector f (sink): RUNNING on "+id+"\n\nID  STATE   WORKER\n0   FAILED  "+id+"\n\nTask 0 trace:\n"+trace+"\n", "connectors", "status", "f")
	c.golden("NAME  TYPE  STATE    TASKS\nf     sink  RUNNING  0/1\n", "connectors", "list")
	c.golden(`{
  "name": "f",
  "connector": {
    "state": "RUNNING",
    "worker_id": "`+id+`",
    "version": "`+ver+`"
  },
  "tasks": [
    {
      "id": 0,
      "state": "FAILED",
      "worker_id": "`+id+`",
      "version": "`+ver+`",
      "trace": "`+trace+`"
    }
  ],
  "type": "sink"
}
`, "connectors", "status", "f", "-o", "json")
	c.golden("Worker "+url+": version "+info.Version+", commit "+commit+", Kafka cluster "+info.Cluster+"\n"+
		"Workers running connectors or tasks (1): "+id+"\n\n"+
		"CONNECTOR  TASK  TYPE  STATE    "+padTo("WORKER", id)+"  LAG  LAG MAX  RECORDS  ERRORS\n"+
		"f          -     sink  RUNNING  "+id+"\n"+
		"f          0     sink  FAILED   "+padTo(id, "WORKER")+"  0    0        0        0\n\n"+
		"Failures (sluice connectors status NAME shows the whole trace):\n"+
		"  f task 0: "+trace+"\n", "status")
}

// restGet answers a GET of url on a worker, failing the test unless 200.
func restGet(t *testing.T, url string) []byte {
	t.Helper()
	return restDo(t, http.MethodGet, url, "")
}

// restPut answers a PUT of body (JSON) to url, failing the test unless 200.
func restPut(t *testing.T, url, body string) []byte {
	t.Helper()
	return restDo(t, http.MethodPut, url, body)
}

func restDo(t *testing.T, method, url, body string) []byte {
	t.Helper()
	resp, b := testkit.HTTPDo(t, testkit.JSONRequest(t, method, url, body))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	return b
}

// indented is a worker's JSON answer as the CLI's -o json prints it.
func indented(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(b), "", "  "); err != nil {
		t.Fatal(err)
	}
	return buf.String() + "\n"
}
