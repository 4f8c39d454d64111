package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/internal/testkit/inproc"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/standalone"
	"github.com/sluicehq/sluice/transforms"
)

// worker is a standalone worker behind the REST API, on a test server.
type worker struct {
	url    string
	herder *standalone.Herder
	dir    string
	doc    *docChecker
}

// startWorker runs a standalone herder against bootstrap and serves the
// API on an httptest server. Every response is checked against the
// OpenAPI document.
func startWorker(t *testing.T, bootstrap string, extra map[string]string) *worker {
	t.Helper()
	dir := t.TempDir()
	props := inproc.WorkerProps(bootstrap, dir, map[string]string{"listeners": "http://127.0.0.1:0"})
	maps.Copy(props, extra)
	levels := logging.NewLevels(slog.LevelInfo)
	log := slog.New(logging.NewHandler(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.Level(-8)}), levels))
	s := inproc.NewStandalone(t, props, builtin.Registry(), log)
	h, wc := s.Herder, s.Config
	h.Loggers = levels
	h.Start(context.Background())
	h.MarkReady()
	srv := httptest.NewServer(api.NewHandler(api.Options{Herder: h, Loggers: levels, Log: log,
		TopicTracking: wc.TopicTracking, TopicTrackingReset: wc.TopicTrackingReset, MaxConfigBytes: wc.ConfigMaxBytes}))
	t.Cleanup(func() {
		srv.Close()
		h.Stop(context.Background())
	})
	return &worker{url: srv.URL, herder: h, dir: dir, doc: loadDoc(t)}
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorMessage decodes an error body, checking its shape.
func (r response) errorMessage(t *testing.T) herder.ErrorMessage {
	t.Helper()
	var e herder.ErrorMessage
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body %s is not {error_code, message}: %v", r.body, err)
	}
	if e.ErrorCode != r.status {
		t.Fatalf("error_code %d, HTTP status %d", e.ErrorCode, r.status)
	}
	return e
}

// do sends a request with a raw body and checks the answer against the
// OpenAPI document.
func (w *worker) do(t *testing.T, method, path, body string) response {
	t.Helper()
	req := testkit.JSONRequest(t, method, w.url+path, body)
	resp, b := testkit.HTTPDo(t, req)
	w.doc.check(t, req, resp, b)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// awaitStatus polls a connector's status (what a REST client does) until
// cond holds.
func (w *worker) awaitStatus(t *testing.T, name string, what string, cond func(herder.ConnectorStateInfo) bool) herder.ConnectorStateInfo {
	t.Helper()
	var st herder.ConnectorStateInfo
	testkit.Eventually(t, 60*time.Second, "connector "+name+" "+what, func() (bool, string) {
		st = herder.ConnectorStateInfo{}
		r := w.do(t, "GET", "/connectors/"+name+"/status", "")
		if r.status != 200 {
			return false, fmt.Sprintf("last status %d %s", r.status, r.body)
		}
		r.json(t, &st)
		return cond(st), fmt.Sprintf("last status %d %s", r.status, r.body)
	})
	return st
}

func running(n int) func(herder.ConnectorStateInfo) bool {
	return func(st herder.ConnectorStateInfo) bool {
		if st.Connector.State != herder.Running || len(st.Tasks) != n {
			return false
		}
		for _, t := range st.Tasks {
			if t.State != herder.Running {
				return false
			}
		}
		return true
	}
}

func sourceConfig(name, file, topic string) string {
	b, _ := json.Marshal(map[string]any{"name": name, "config": map[string]string{
		"connector.class": "FileStreamSource", "tasks.max": "1", "file": file, "topic": topic}})
	return string(b)
}

// TestEndpointErrors holds every endpoint to Kafka Connect's status codes
// and error bodies, and to sluice's 400s where Kafka Connect answers 500
// to a client's mistake.
func TestEndpointErrors(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	w := startWorker(t, bootstrap, nil)
	in := filepath.Join(w.dir, "in.txt")
	if err := os.WriteFile(in, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := w.do(t, "POST", "/connectors", sourceConfig("src", in, topic)); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	w.awaitStatus(t, "src", "RUNNING", running(1))

	invalidTopic := "Connector configuration is invalid and contains the following 1 error(s):\n" +
		"Missing required configuration \"topic\" which has no default value.\n" +
		"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
	stopped := "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/src/stop' endpoint"
	tests := []struct {
		name, method, path, body string
		status                   int
		message                  string // exact, or a prefix when it ends in "…"
	}{
		{"unknown connector", "GET", "/connectors/nope", "", 404, "Connector nope not found"},
		{"unknown connector config", "GET", "/connectors/nope/config", "", 404, "Connector nope not found"},
		{"unknown connector status", "GET", "/connectors/nope/status", "", 404, "No status found for connector nope"},
		{"unknown connector tasks", "GET", "/connectors/nope/tasks", "", 404, "Connector nope not found"},
		{"unknown task status", "GET", "/connectors/src/tasks/7/status", "", 404, "No status found for task src-7"},
		{"task id not a number", "GET", "/connectors/src/tasks/x/status", "", 400, `Invalid task id "x" in the URL: expected a non-negative integer`},
		{"restart unknown connector", "POST", "/connectors/nope/restart", "", 404, "Unknown connector: nope"},
		{"restart unknown task", "POST", "/connectors/src/tasks/3/restart", "", 404, "Unknown task: src-3"},
		{"pause unknown connector", "PUT", "/connectors/nope/pause", "", 404, "Unknown connector nope"},
		{"resume unknown connector", "PUT", "/connectors/nope/resume", "", 404, "Unknown connector nope"},
		{"stop unknown connector", "PUT", "/connectors/nope/stop", "", 404, "Unknown connector nope"},
		{"delete unknown connector", "DELETE", "/connectors/nope", "", 404, "Connector nope not found"},
		{"offsets of unknown connector", "GET", "/connectors/nope/offsets", "", 404, "Connector nope not found"},
		{"topics of unknown connector", "GET", "/connectors/nope/topics", "", 404, "Connector nope not found"},
		{"patch unknown connector", "PATCH", "/connectors/nope/config", `{"tasks.max":"2"}`, 404, "Connector nope not found"},
		{"duplicate create", "POST", "/connectors", sourceConfig("src", in, topic), 409, "Connector src already exists"},
		{"name mismatch", "PUT", "/connectors/other/config", `{"name":"src","connector.class":"FileStreamSource","topic":"t"}`, 400,
			"Connector name configuration (src) doesn't match connector name in the URL (other)"},
		{"invalid config on create", "POST", "/connectors", `{"name":"bad","config":{"connector.class":"FileStreamSource"}}`, 400, invalidTopic},
		{"invalid config on put", "PUT", "/connectors/bad/config", `{"connector.class":"FileStreamSource"}`, 400, invalidTopic},
		{"unknown connector class", "POST", "/connectors", `{"name":"bad","config":{"connector.class":"com.example.Nope"}}`, 400, "…"},
		{"null config value", "POST", "/connectors", `{"name":"bad","config":{"connector.class":"FileStreamSource","topic":null}}`, 400,
			"Connector configuration is invalid and contains the following 2 error(s):\nMissing required configuration \"topic\" which has no default value.\ntopic: Null value can not be supplied as the configuration value.\n…"},
		{"offsets changed while running", "PATCH", "/connectors/src/offsets", `{"offsets":[{"partition":{"filename":"x"},"offset":{"position":1}}]}`, 400, stopped},
		{"offsets reset while running", "DELETE", "/connectors/src/offsets", "", 400, stopped},
		{"no offsets given", "PATCH", "/connectors/src/offsets", `{"offsets":[]}`, 400, "Partitions / offsets need to be provided for an alter offsets request"},
		{"malformed JSON", "POST", "/connectors", `{"name":"x","config":{`, 400, "Malformed JSON in request body: unexpected end of input"},
		{"JSON syntax error", "PUT", "/connectors/x/config", `{"a" "b"}`, 400, "Malformed JSON in request body at offset …"},
		{"config not an object", "POST", "/connectors", `{"name":"x","config":["a"]}`, 400,
			"Malformed request body: a connector configuration must be a JSON object of string values, got a JSON array"},
		{"config value an object", "PUT", "/connectors/x/config", `{"connector.class":{"a":1}}`, 400,
			`Malformed request body: the value of configuration "connector.class" must be a string, got an object`},
		{"name of the wrong type", "POST", "/connectors", `{"name":5,"config":{}}`, 400, `Malformed request body: field "name" must be a string, got a JSON number`},
		{"unknown field", "POST", "/connectors", `{"name":"x","configs":{}}`, 400, `Malformed request body: unknown field "configs"`},
		{"missing config", "POST", "/connectors", `{"name":"x"}`, 400, "Request body is missing the connector configuration: …"},
		{"empty body", "POST", "/connectors", "", 400, "Request body is required: …"},
		{"trailing data", "PUT", "/connectors/x/config", `{} {}`, 400, "Malformed JSON in request body: unexpected data after the JSON value"},
		{"bad initial state", "POST", "/connectors", `{"name":"x","config":{},"initial_state":"ASLEEP"}`, 400, `Invalid initial state "ASLEEP": must be one of RUNNING, PAUSED, STOPPED`},
		{"bad boolean query", "POST", "/connectors/src/restart?includeTasks=yes", "", 400, `Invalid value "yes" for query parameter includeTasks: expected true or false`},
		{"bad connectorsOnly", "GET", "/connector-plugins?connectorsOnly=1", "", 400, `Invalid value "1" for query parameter connectorsOnly: expected true or false`},
		{"unknown plugin", "GET", "/connector-plugins/com.example.Nope/config", "", 404, "Unknown plugin com.example.Nope."},
		{"validate type mismatch", "PUT", "/connector-plugins/FileStreamSink/config/validate", `{"connector.class":"FileStreamSource"}`, 400,
			"Included connector type FileStreamSource does not match request type FileStreamSink"},
		{"validate without class", "PUT", "/connector-plugins/FileStreamSink/config/validate", `{"topics":"t","password":"s3cret"}`, 400, "Connector config contains no connector type: connector.class is missing or empty"},
		{"logger level missing", "PUT", "/admin/loggers/sluice", `{}`, 400, "Desired 'level' parameter was not specified in request."},
		{"logger level invalid", "PUT", "/admin/loggers/sluice", `{"level":"LOUD"}`, 404, "invalid log level 'LOUD'."},
		{"unknown logger", "GET", "/admin/loggers/no.such.logger", "", 404, "Logger no.such.logger not found."},
		{"unknown path", "GET", "/nothing/here", "", 404, "HTTP 404 Not Found"},
		{"method not allowed", "DELETE", "/connector-plugins", "", 405, "HTTP 405 Method Not Allowed"},
		// Kafka Connect 4.0 removed tasks-config (KIP-970): 404 as any unknown path.
		{"tasks-config removed", "GET", "/connectors/src/tasks-config", "", 404, "HTTP 404 Not Found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, tc.method, tc.path, tc.body)
			if r.status != tc.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", tc.method, tc.path, r.status, tc.status, r.body)
			}
			e := r.errorMessage(t)
			if prefix, ok := strings.CutSuffix(tc.message, "…"); ok {
				if !strings.HasPrefix(e.Message, prefix) {
					t.Fatalf("message %q, want prefix %q", e.Message, prefix)
				}
			} else if e.Message != tc.message {
				t.Fatalf("message\n%q\nwant\n%q", e.Message, tc.message)
			}
		})
	}
	// Nothing above changed the running connector.
	w.awaitStatus(t, "src", "RUNNING", running(1))
	var names []string
	w.do(t, "GET", "/connectors", "").json(t, &names)
	if len(names) != 1 || names[0] != "src" {
		t.Fatalf("connectors %v after bad requests, want [src]", names)
	}
}

// TestEndpointSuccesses walks every endpoint's success answer.
func TestEndpointSuccesses(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	w := startWorker(t, bootstrap, nil)
	in := filepath.Join(w.dir, "in.txt")
	if err := os.WriteFile(in, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var info herder.ServerInfo
	if r := w.do(t, "GET", "/", ""); r.status != 200 {
		t.Fatalf("GET /: %d %s", r.status, r.body)
	} else if r.json(t, &info); info.Version == "" || info.KafkaClusterID == "" {
		t.Fatalf("server info %+v lacks version or cluster id", info)
	}
	var health herder.WorkerStatus
	if r := w.do(t, "GET", "/health", ""); r.status != 200 {
		t.Fatalf("health: %d %s", r.status, r.body)
	} else if r.json(t, &health); health.Status != "healthy" {
		t.Fatalf("health %+v", health)
	}

	// Create with a number for tasks.max, as Jackson accepts; a trailing
	// slash, as Jersey accepts.
	r := w.do(t, "POST", "/connectors/", `{"name":"src","config":{"connector.class":"FileStreamSource","tasks.max":1,"file":"`+in+`","topic":"`+topic+`"}}`)
	if r.status != 201 || r.header.Get("Location") != "/connectors/src" {
		t.Fatalf("create: %d Location %q %s", r.status, r.header.Get("Location"), r.body)
	}
	var ci herder.ConnectorInfo
	r.json(t, &ci)
	if ci.Name != "src" || ci.Type != herder.SourceType || ci.Config["tasks.max"] != "1" || ci.Config["name"] != "src" {
		t.Fatalf("created %+v", ci)
	}
	w.awaitStatus(t, "src", "RUNNING", running(1))

	var expanded map[string]herder.ConnectorExpanded
	w.do(t, "GET", "/connectors?expand=status&expand=info", "").json(t, &expanded)
	if e := expanded["src"]; e.Status == nil || e.Info == nil || e.Status.Connector.State != herder.Running || e.Info.Type != herder.SourceType {
		t.Fatalf("expanded %s", mustJSON(expanded))
	}
	// An expand naming nothing known still answers the map, each connector
	// an empty object, as Kafka Connect does.
	for _, q := range []string{"expand=bogus", "expand="} {
		if r := w.do(t, "GET", "/connectors?"+q, ""); r.status != 200 || strings.TrimSpace(string(r.body)) != `{"src":{}}` {
			t.Fatalf("GET /connectors?%s: %d %s", q, r.status, r.body)
		}
	}
	var tasks []herder.TaskInfo
	w.do(t, "GET", "/connectors/src/tasks", "").json(t, &tasks)
	if len(tasks) != 1 || tasks[0].Config["task.class"] == "" || tasks[0].ID != (herder.TaskID{Connector: "src", Task: 0}) {
		t.Fatalf("tasks %+v", tasks)
	}
	var ts herder.TaskState
	w.do(t, "GET", "/connectors/src/tasks/0/status", "").json(t, &ts)
	if ts.State != herder.Running || ts.WorkerID == "" {
		t.Fatalf("task status %+v", ts)
	}

	// PATCH: change one key, remove another; PUT replaces.
	r = w.do(t, "PATCH", "/connectors/src/config", `{"batch.size":"100","tasks.max":null}`)
	ci = herder.ConnectorInfo{} // decoding into a used map would keep its keys
	r.json(t, &ci)
	if r.status != 200 || ci.Config["batch.size"] != "100" || ci.Config["tasks.max"] != "" {
		t.Fatalf("patch: %d %+v", r.status, ci)
	}
	var cfg map[string]string
	w.do(t, "GET", "/connectors/src/config", "").json(t, &cfg)
	if _, ok := cfg["tasks.max"]; ok || cfg["batch.size"] != "100" {
		t.Fatalf("config after patch %v", cfg)
	}
	if r := w.do(t, "PUT", "/connectors/src/config", `{"connector.class":"FileStreamSource","file":"`+in+`","topic":"`+topic+`"}`); r.status != 200 {
		t.Fatalf("put existing: %d %s", r.status, r.body)
	}
	if r := w.do(t, "PUT", "/connectors/other/config", `{"connector.class":"FileStreamSource","file":"`+in+`","topic":"`+topic+`"}`); r.status != 201 || r.header.Get("Location") != "/connectors/other" {
		t.Fatalf("put new: %d %s", r.status, r.body)
	}
	w.awaitStatus(t, "src", "RUNNING", running(1))

	// Topic tracking: the source wrote to topic.
	w.awaitStatus(t, "src", "topic tracked", func(herder.ConnectorStateInfo) bool {
		var at map[string]herder.ActiveTopics
		w.do(t, "GET", "/connectors/src/topics", "").json(t, &at)
		return len(at["src"].Topics) == 1 && at["src"].Topics[0] == topic
	})
	if r := w.do(t, "PUT", "/connectors/src/topics/reset", ""); r.status != 202 {
		t.Fatalf("topics reset: %d %s", r.status, r.body)
	}

	// Restart: legacy 204, KIP-745 202.
	if r := w.do(t, "POST", "/connectors/src/restart", ""); r.status != 204 {
		t.Fatalf("restart: %d %s", r.status, r.body)
	}
	r = w.do(t, "POST", "/connectors/src/restart?includeTasks=true", "")
	var st herder.ConnectorStateInfo
	if r.status != 202 {
		t.Fatalf("restart includeTasks: %d %s", r.status, r.body)
	}
	r.json(t, &st)
	// The restart plan, as Kafka Connect answers: what restarts RESTARTING.
	if st.Name != "src" || len(st.Tasks) != 1 || st.Connector.State != herder.Restarting || st.Tasks[0].State != herder.Restarting {
		t.Fatalf("restart answer %s; want the connector and its task RESTARTING", r.body)
	}
	if r := w.do(t, "POST", "/connectors/src/tasks/0/restart", ""); r.status != 204 {
		t.Fatalf("task restart: %d %s", r.status, r.body)
	}
	w.awaitStatus(t, "src", "RUNNING", running(1))

	// Plugins.
	var plugs []herder.PluginInfo
	w.do(t, "GET", "/connector-plugins", "").json(t, &plugs)
	for _, p := range plugs {
		if p.Type != "source" && p.Type != "sink" {
			t.Fatalf("connectorsOnly listed %+v", p)
		}
	}
	w.do(t, "GET", "/connector-plugins?connectorsOnly=false", "").json(t, &plugs)
	types := map[string]bool{}
	for _, p := range plugs {
		types[p.Type] = true
	}
	for _, want := range []string{"source", "sink", "converter", "header_converter", "transformation", "predicate"} {
		if !types[want] {
			t.Fatalf("connectorsOnly=false lacks %s: %+v", want, plugs)
		}
	}
	listed := map[string]string{}
	for _, p := range plugs {
		listed[p.Class] = p.Type
	}
	for _, b := range transforms.Builtins() {
		want := "transformation"
		if b.NewPredicate != nil {
			want = "predicate"
		}
		if listed[b.Class] != want {
			t.Errorf("%s listed as %q, want %q", b.Class, listed[b.Class], want)
		}
	}
	var keys []struct{ Name string }
	w.do(t, "GET", "/connector-plugins/FileStreamSink/config", "").json(t, &keys)
	names := map[string]bool{}
	for _, k := range keys {
		names[k.Name] = true
	}
	for _, want := range []string{"file", "topics", "connector.class", "tasks.max"} {
		if !names[want] {
			t.Fatalf("sink plugin config lacks %s", want)
		}
	}
	w.do(t, "GET", "/connector-plugins/org.apache.kafka.connect.json.JsonConverter/config", "").json(t, &keys)
	if len(keys) < 2 || keys[0].Name != "converter.type" || keys[1].Name != "schemas.enable" {
		t.Fatalf("JsonConverter config %+v", keys)
	}
	w.do(t, "GET", "/connector-plugins/org.apache.kafka.connect.transforms.InsertField$Value/config", "").json(t, &keys)
	names = map[string]bool{}
	for _, k := range keys {
		names[k.Name] = true
	}
	if !names["static.field"] || !names["offset.field"] || names["predicate"] {
		t.Fatalf("InsertField$Value config %+v", keys)
	}
	w.do(t, "GET", "/connector-plugins/TopicNameMatches/config", "").json(t, &keys)
	if len(keys) != 1 || keys[0].Name != "pattern" {
		t.Fatalf("TopicNameMatches config %+v", keys)
	}

	// Loggers.
	var affected []string
	r = w.do(t, "PUT", "/admin/loggers/sluice.runtime", `{"level":"debug"}`)
	r.json(t, &affected)
	if r.status != 200 || !sort.StringsAreSorted(affected) || len(affected) == 0 || affected[0] != "sluice.runtime" {
		t.Fatalf("set logger: %d %s", r.status, r.body)
	}
	var all map[string]herder.LoggerLevel
	w.do(t, "GET", "/admin/loggers", "").json(t, &all)
	if all["sluice.runtime"].Level != "DEBUG" || all["sluice.runtime"].LastModified == nil || all["root"].Level != "INFO" {
		t.Fatalf("loggers %s", mustJSON(all))
	}
	var one herder.LoggerLevel
	w.do(t, "GET", "/admin/loggers/sluice.runtime", "").json(t, &one)
	if one.Level != "DEBUG" {
		t.Fatalf("logger %+v", one)
	}
	if r := w.do(t, "PUT", "/admin/loggers/sluice.runtime?scope=cluster", `{"level":"WARN"}`); r.status != 204 {
		t.Fatalf("cluster scope: %d %s", r.status, r.body)
	}

	// Pause → 202, resume → 202, stop → 204 with no tasks.
	if r := w.do(t, "PUT", "/connectors/src/pause", ""); r.status != 202 {
		t.Fatalf("pause: %d %s", r.status, r.body)
	}
	w.awaitStatus(t, "src", "PAUSED", func(st herder.ConnectorStateInfo) bool {
		return st.Connector.State == herder.Paused && len(st.Tasks) == 1 && st.Tasks[0].State == herder.Paused
	})
	if r := w.do(t, "PUT", "/connectors/src/resume", ""); r.status != 202 {
		t.Fatalf("resume: %d %s", r.status, r.body)
	}
	w.awaitStatus(t, "src", "RUNNING", running(1))
	if r := w.do(t, "PUT", "/connectors/src/stop", ""); r.status != 204 {
		t.Fatalf("stop: %d %s", r.status, r.body)
	}
	w.awaitStatus(t, "src", "STOPPED", func(st herder.ConnectorStateInfo) bool {
		return st.Connector.State == herder.Stopped && len(st.Tasks) == 0
	})
	var offs herder.ConnectorOffsets
	w.do(t, "GET", "/connectors/src/offsets", "").json(t, &offs)
	if len(offs.Offsets) != 1 || offs.Offsets[0].Partition["filename"] != in {
		t.Fatalf("offsets %s", mustJSON(offs))
	}
	var msg herder.Message
	r = w.do(t, "PATCH", "/connectors/src/offsets", `{"offsets":[{"partition":{"filename":"`+in+`"},"offset":{"position":2}}]}`)
	r.json(t, &msg)
	if r.status != 200 || msg.Message == "" {
		t.Fatalf("alter offsets: %d %s", r.status, r.body)
	}
	r = w.do(t, "DELETE", "/connectors/src/offsets", "")
	r.json(t, &msg)
	if r.status != 200 || msg.Message == "" {
		t.Fatalf("reset offsets: %d %s", r.status, r.body)
	}

	// Delete.
	if r := w.do(t, "DELETE", "/connectors/other", ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := w.do(t, "GET", "/connectors/other", ""); r.status != 404 {
		t.Fatalf("deleted connector: %d %s", r.status, r.body)
	}
}

// TestValidate: ConfigInfos with per-key errors for a missing required key
// and a value of the wrong type (which, as in Kafka Connect, the validator
// then also judges as null); a key no definition knows is listed with
// definition null and no error (sluice's: see the README's differences);
// and the answer is named by connector.class as sent, as Kafka Connect does.
func TestValidate(t *testing.T) {
	w := startWorker(t, testkit.Kafka(t), nil)
	r := w.do(t, "PUT", "/connector-plugins/FileStreamSource/config/validate",
		`{"name":"v","connector.class":"FileStreamSource","tasks.max":"many","batch.size":"2000","my.custom.key":"x"}`)
	if r.status != 200 {
		t.Fatalf("validate: %d %s", r.status, r.body)
	}
	var infos herder.ConfigInfos
	r.json(t, &infos)
	if infos.Name != "FileStreamSource" {
		t.Fatalf("name %q", infos.Name)
	}
	byName := map[string]herder.ConfigInfo{}
	for _, c := range infos.Configs {
		if c.Value != nil {
			byName[c.Value.Name] = c
		}
	}
	topic, tasksMax, custom := byName["topic"], byName["tasks.max"], byName["my.custom.key"]
	if topic.Definition == nil || !topic.Definition.Required || len(topic.Value.Errors) != 1 ||
		topic.Value.Errors[0] != `Missing required configuration "topic" which has no default value.` {
		t.Fatalf("topic entry %s", mustJSON(topic))
	}
	if tasksMax.Definition == nil || tasksMax.Definition.Type != "INT" || len(tasksMax.Value.Errors) != 2 ||
		!strings.Contains(tasksMax.Value.Errors[0], "many") ||
		tasksMax.Value.Errors[1] != "Invalid value null for configuration tasks.max: Value must be non-null" {
		t.Fatalf("tasks.max entry %s", mustJSON(tasksMax))
	}
	if custom.Definition != nil || len(custom.Value.Errors) != 0 || *custom.Value.Value != "x" {
		t.Fatalf("unknown key entry %s", mustJSON(custom))
	}
	if infos.ErrorCount != 3 {
		t.Fatalf("error_count %d, want 3: %s", infos.ErrorCount, r.body)
	}
	if len(infos.Groups) == 0 || infos.Groups[0] != "Common" {
		t.Fatalf("groups %v", infos.Groups)
	}
	// A definition null entry serializes as null, not as an empty object.
	if !bytes.Contains(r.body, []byte(`{"definition":null,"value":{"name":"my.custom.key"`)) {
		t.Fatalf("unknown key not rendered with definition null: %s", r.body)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
