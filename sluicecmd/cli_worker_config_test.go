package sluicecmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestCLIConfigTasksTopicsValidate drives a real standalone worker on the
// broker through the commands that change or inspect a configuration:
// validate (valid and not), config set (create, then update), config
// patch, tasks, topics, and offsets of a sink, each in table and JSON form,
// checking the exact output.
func TestCLIConfigTasksTopicsValidate(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	out := filepath.Join(dir, "out.txt")
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("in.txt", "one\ntwo\n")
	url := startCLIWorker(t, bootstrap, dir)

	c := workerCLI{t, url}

	bad := write("bad.json", `{"connector.class":"FileStreamSource","tasks.max":"many","topic":"`+topic+`"}`)
	if got, errOut := c.run(1, "connectors", "validate", "-f", bad); got != "KEY        ERROR\n"+
		"name       Missing required configuration \"name\" which has no default value.\n"+
		"tasks.max  Invalid value many for configuration tasks.max: Not a number of type INT\n"+
		"tasks.max  Invalid value null for configuration tasks.max: Value must be non-null\n"+
		"3 errors in the configuration of FileStreamSource.\n" ||
		errOut != "sluice: the configuration has errors\n" {
		t.Fatalf("validate bad: stdout %q stderr %q", got, errOut)
	}
	if got, _ := c.run(1, "connectors", "validate", "-f", bad, "-o", "json"); !strings.Contains(got, `"error_count": 3,`) ||
		!strings.Contains(got, `"Invalid value many for configuration tasks.max: Not a number of type INT"`) {
		t.Fatalf("validate bad -o json: %q", got)
	}

	src := write("src.json", `{"name":"src","config":{"connector.class":"FileStreamSource","file":"`+in+`","topic":"`+topic+`"}}`)
	c.golden("The configuration of FileStreamSource is valid.\n", "connectors", "validate", "-f", src)
	c.golden("Created connector src (source).\n", "connectors", "config", "set", "-f", src)
	c.golden("Updated connector src (source).\n", "connectors", "config", "set", "src", "-f", src)
	patch := write("patch.json", `{"batch.size":"7"}`)
	c.golden("Patched connector src (source).\n", "connectors", "config", "patch", "src", "-f", patch)
	c.await("TASK  KEY              VALUE\n"+
		"0     batch.size       7\n"+
		"0     connector.class  FileStreamSource\n"+
		"0     file             "+in+"\n"+
		"0     name             src\n"+
		"0     task.class       org.apache.kafka.connect.file.FileStreamSourceTask\n"+
		"0     topic            "+topic+"\n",
		"connectors", "tasks", "src")
	c.await("TOPIC\n"+topic+"\n", "connectors", "topics", "src")
	c.golden("{\n  \"src\": {\n    \"topics\": [\n      \""+topic+"\"\n    ]\n  }\n}\n", "connectors", "topics", "src", "-o", "json")
	c.golden("src:\n  topics:\n  - "+topic+"\n", "connectors", "topics", "src", "-o", "yaml")

	sink := write("sink.json", `{"name":"sink","config":{"connector.class":"FileStreamSink","file":"`+out+`","topics":"`+topic+`"}}`)
	c.golden("Created connector sink (sink).\n", "connectors", "config", "set", "-f", sink)
	part := `{"kafka_partition":0,"kafka_topic":"` + topic + `"}`
	pad := strings.Repeat(" ", len(part)-len("PARTITION"))
	c.await("PARTITION"+pad+"  OFFSET\n"+part+`  {"kafka_offset":2}`+"\n", "offsets", "get", "sink")
	c.golden("TOPIC\n"+topic+"\n", "connectors", "topics", "sink")

	// sluice status: the JSON form gives the values the table must show.
	js, _ := c.run(0, "status", "-o", "json")
	var ov struct {
		Worker struct {
			Version string `json:"version"`
			Commit  string `json:"commit"`
			Cluster string `json:"kafka_cluster_id"`
		} `json:"worker"`
		Workers    []string                   `json:"workers"`
		Connectors map[string]json.RawMessage `json:"connectors"`
	}
	if err := json.Unmarshal([]byte(js), &ov); err != nil || len(ov.Workers) != 1 || len(ov.Connectors) != 2 || ov.Worker.Cluster == "" || ov.Worker.Version == "" {
		t.Fatalf("status -o json: %v\n%s", err, js)
	}
	id, commit := ov.Workers[0], ov.Worker.Commit
	if commit == "" {
		commit = "-"
	}
	// The two lines moved: the sink put them and is 0 behind (its
	// committed offset above is 2). The source's count is its current
	// task's: the config set and patch above restarted it, and the task
	// that wrote the lines may be an earlier one (as in Kafka Connect, a
	// task's metrics start at 0), so it is taken from -o json.
	var srcRecords int64 = -1
	for deadline := time.Now().Add(time.Minute); srcRecords < 0; time.Sleep(50 * time.Millisecond) {
		var o struct {
			Metrics map[string][]struct {
				Lag     *int64 `json:"lag"`
				Records *int64 `json:"records"`
				Errors  *int64 `json:"errors"`
			} `json:"metrics"`
		}
		js, _ := c.run(0, "status", "-o", "json")
		if err := json.Unmarshal([]byte(js), &o); err != nil {
			t.Fatal(err)
		}
		sinkF, srcF := o.Metrics["sink"], o.Metrics["src"]
		if len(sinkF) == 1 && len(srcF) == 1 && sinkF[0].Lag != nil && *sinkF[0].Lag == 0 && sinkF[0].Records != nil && *sinkF[0].Records == 2 &&
			sinkF[0].Errors != nil && *sinkF[0].Errors == 0 && srcF[0].Records != nil && srcF[0].Errors != nil && *srcF[0].Errors == 0 {
			srcRecords = *srcF[0].Records
		}
		if srcRecords < 0 && time.Now().After(deadline) {
			t.Fatalf("status -o json never showed the sink's 2 records, lag 0:\n%s", js)
		}
	}
	if srcRecords > 2 {
		t.Fatalf("the source task wrote %d records of a 2-line file", srcRecords)
	}
	n := strconv.FormatInt(srcRecords, 10)
	c.golden("Worker "+url+": version "+ov.Worker.Version+", commit "+commit+", Kafka cluster "+ov.Worker.Cluster+"\n"+
		"Workers running connectors or tasks (1): "+id+"\n\n"+
		"CONNECTOR  TASK  TYPE    STATE    "+padTo("WORKER", id)+"  LAG  LAG MAX  RECORDS  ERRORS\n"+
		"sink       -     sink    RUNNING  "+id+"\n"+
		"sink       0     sink    RUNNING  "+padTo(id, "WORKER")+"  0    0        2        0\n"+
		"src        -     source  RUNNING  "+id+"\n"+
		"src        0     source  RUNNING  "+padTo(id, "WORKER")+"  -    -        "+padTo(n, "RECORDS")+"  0\n\n"+
		"No failures.\n", "status")
	c.golden("{\n  \"offsets\": [\n    {\n      \"partition\": {\n        \"kafka_partition\": 0,\n        \"kafka_topic\": \""+topic+"\"\n      },\n"+
		"      \"offset\": {\n        \"kafka_offset\": 2\n      }\n    }\n  ]\n}\n", "offsets", "get", "sink", "-o", "json")
	c.golden("Stopping connector sink.\n", "connectors", "stop", "sink")
	setOffs := write("sink-offsets.json", `{"offsets":[{"partition":{"kafka_topic":"`+topic+`","kafka_partition":0},"offset":{"kafka_offset":1}}]}`)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if st, _ := c.run(0, "connectors", "status", "sink"); strings.HasPrefix(st, "Connector sink (sink): STOPPED") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sink never STOPPED")
		}
	}
	c.golden("The offsets for this connector have been altered successfully\n", "offsets", "set", "sink", "-f", setOffs)
	c.await("PARTITION"+pad+"  OFFSET\n"+part+`  {"kafka_offset":1}`+"\n", "offsets", "get", "sink")
	c.golden("The offsets for this connector have been reset successfully\n", "offsets", "reset", "sink")

	if _, errOut := c.run(1, "connectors", "tasks", "nope"); !strings.Contains(errOut, "nope") || !strings.Contains(errOut, "(HTTP 404)") {
		t.Fatalf("tasks nope: %q", errOut)
	}
}

// padTo pads s with spaces to the length of other, as a table column holding
// both does.
func padTo(s, other string) string {
	return s + strings.Repeat(" ", max(len(other)-len(s), 0))
}
