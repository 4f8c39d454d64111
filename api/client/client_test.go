package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/runtime/herder"
)

// request is what the test server saw.
type request struct {
	method, path, query, body string
	header                    http.Header
}

// answer is what the test server says.
type answer struct {
	status int
	body   string
	header map[string]string
}

// fakeWorker serves one canned answer to every request and records them.
func fakeWorker(t *testing.T, a answer) (*Client, *[]request) {
	t.Helper()
	var seen []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen = append(seen, request{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery, body: string(b), header: r.Header.Clone()})
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		if a.body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c, &seen
}

func str(s string) *string { return &s }

const stateJSON = `{"name":"my sink","connector":{"state":"RUNNING","worker_id":"10.0.0.1:8083"},
 "tasks":[{"id":0,"state":"RUNNING","worker_id":"10.0.0.1:8083"},{"id":1,"state":"FAILED","worker_id":"10.0.0.2:8083","trace":"boom\n\tat X"}],"type":"sink"}`

var stateValue = herder.ConnectorStateInfo{
	Name:      "my sink",
	Connector: herder.ConnectorState{State: herder.Running, WorkerID: "10.0.0.1:8083"},
	Tasks: []herder.TaskState{
		{ID: 0, State: herder.Running, WorkerID: "10.0.0.1:8083"},
		{ID: 1, State: herder.Failed, WorkerID: "10.0.0.2:8083", Trace: "boom\n\tat X"},
	},
	Type: herder.SinkType,
}

const infoJSON = `{"name":"my sink","config":{"connector.class":"FileStreamSink","topics":"t"},"tasks":[{"connector":"my sink","task":0}],"type":"sink"}`

var infoValue = herder.ConnectorInfo{
	Name:   "my sink",
	Config: map[string]string{"connector.class": "FileStreamSink", "topics": "t"},
	Tasks:  []herder.TaskID{{Connector: "my sink", Task: 0}},
	Type:   herder.SinkType,
}

// TestMethods calls every typed method against a canned answer in Kafka
// Connect's shape and checks the request it made and what it returned.
func TestMethods(t *testing.T) {
	ms := int64(1700000000000)
	tests := []struct {
		name   string
		call   func(context.Context, *Client) (any, error)
		answer answer
		want   request // header not checked here
		result any
	}{
		{
			name:   "ServerInfo",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ServerInfo(ctx) },
			answer: answer{status: 200, body: `{"version":"3.9.0","commit":"abc","kafka_cluster_id":"xyz"}`},
			want:   request{method: "GET", path: "/"},
			result: herder.ServerInfo{Version: "3.9.0", Commit: "abc", KafkaClusterID: "xyz"},
		},
		{
			name:   "Health",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Health(ctx) },
			answer: answer{status: 200, body: `{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}`},
			want:   request{method: "GET", path: "/health"},
			result: herder.WorkerStatus{Status: "healthy", Message: "Worker has completed startup and is ready to handle requests."},
		},
		{
			name:   "Connectors",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Connectors(ctx) },
			answer: answer{status: 200, body: `["a","my sink"]`},
			want:   request{method: "GET", path: "/connectors"},
			result: []string{"a", "my sink"},
		},
		{
			name:   "ConnectorsExpanded status and info",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ConnectorsExpanded(ctx, true, true) },
			answer: answer{status: 200, body: `{"my sink":{"status":` + stateJSON + `,"info":` + infoJSON + `}}`},
			want:   request{method: "GET", path: "/connectors", query: "expand=status&expand=info"},
			result: map[string]herder.ConnectorExpanded{"my sink": {Status: &stateValue, Info: &infoValue}},
		},
		{
			name:   "ConnectorsExpanded info",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ConnectorsExpanded(ctx, false, true) },
			answer: answer{status: 200, body: `{"my sink":{"info":` + infoJSON + `}}`},
			want:   request{method: "GET", path: "/connectors", query: "expand=info"},
			result: map[string]herder.ConnectorExpanded{"my sink": {Info: &infoValue}},
		},
		{
			name: "CreateConnector",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "my sink", Config: map[string]string{"connector.class": "FileStreamSink", "topics": "t"}, InitialState: "STOPPED"})
			},
			answer: answer{status: 201, body: infoJSON, header: map[string]string{"Location": "/connectors/my%20sink"}},
			want:   request{method: "POST", path: "/connectors", body: `{"name":"my sink","config":{"connector.class":"FileStreamSink","topics":"t"},"initial_state":"STOPPED"}`},
			result: infoValue,
		},
		{
			name:   "Connector",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Connector(ctx, "my sink") },
			answer: answer{status: 200, body: infoJSON},
			want:   request{method: "GET", path: "/connectors/my%20sink"},
			result: infoValue,
		},
		{
			name:   "ConnectorConfig",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ConnectorConfig(ctx, "my sink") },
			answer: answer{status: 200, body: `{"connector.class":"FileStreamSink","topics":"t"}`},
			want:   request{method: "GET", path: "/connectors/my%20sink/config"},
			result: map[string]string{"connector.class": "FileStreamSink", "topics": "t"},
		},
		{
			name: "PutConnectorConfig created",
			call: func(ctx context.Context, c *Client) (any, error) {
				info, created, err := c.PutConnectorConfig(ctx, "my sink", map[string]string{"topics": "t"})
				return []any{info, created}, err
			},
			answer: answer{status: 201, body: infoJSON},
			want:   request{method: "PUT", path: "/connectors/my%20sink/config", body: `{"topics":"t"}`},
			result: []any{infoValue, true},
		},
		{
			name: "PutConnectorConfig updated",
			call: func(ctx context.Context, c *Client) (any, error) {
				info, created, err := c.PutConnectorConfig(ctx, "my sink", map[string]string{"topics": "t"})
				return []any{info, created}, err
			},
			answer: answer{status: 200, body: infoJSON},
			want:   request{method: "PUT", path: "/connectors/my%20sink/config", body: `{"topics":"t"}`},
			result: []any{infoValue, false},
		},
		{
			name: "PatchConnectorConfig",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PatchConnectorConfig(ctx, "my sink", map[string]*string{"tasks.max": str("2"), "file": nil})
			},
			answer: answer{status: 200, body: infoJSON},
			want:   request{method: "PATCH", path: "/connectors/my%20sink/config", body: `{"file":null,"tasks.max":"2"}`},
			result: infoValue,
		},
		{
			name:   "ConnectorStatus",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ConnectorStatus(ctx, "my sink") },
			answer: answer{status: 200, body: stateJSON},
			want:   request{method: "GET", path: "/connectors/my%20sink/status"},
			result: stateValue,
		},
		{
			name:   "Tasks",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Tasks(ctx, "my sink") },
			answer: answer{status: 200, body: `[{"id":{"connector":"my sink","task":0},"config":{"task.class":"X"}}]`},
			want:   request{method: "GET", path: "/connectors/my%20sink/tasks"},
			result: []herder.TaskInfo{{ID: herder.TaskID{Connector: "my sink", Task: 0}, Config: map[string]string{"task.class": "X"}}},
		},
		{
			name:   "TaskStatus",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.TaskStatus(ctx, "my sink", 1) },
			answer: answer{status: 200, body: `{"id":1,"state":"FAILED","worker_id":"w:8083","trace":"boom"}`},
			want:   request{method: "GET", path: "/connectors/my%20sink/tasks/1/status"},
			result: herder.TaskState{ID: 1, State: herder.Failed, WorkerID: "w:8083", Trace: "boom"},
		},
		{
			name: "RestartConnector alone (204)",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RestartConnector(ctx, "my sink", false, false)
			},
			answer: answer{status: 204},
			want:   request{method: "POST", path: "/connectors/my%20sink/restart"},
			result: (*herder.ConnectorStateInfo)(nil),
		},
		{
			name: "RestartConnector with tasks (202)",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RestartConnector(ctx, "my sink", true, true)
			},
			answer: answer{status: 202, body: stateJSON},
			want:   request{method: "POST", path: "/connectors/my%20sink/restart", query: "includeTasks=true&onlyFailed=true"},
			result: &stateValue,
		},
		{
			name: "RestartConnector only failed",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RestartConnector(ctx, "my sink", false, true)
			},
			answer: answer{status: 202, body: stateJSON},
			want:   request{method: "POST", path: "/connectors/my%20sink/restart", query: "onlyFailed=true"},
			result: &stateValue,
		},
		{
			name:   "RestartTask",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.RestartTask(ctx, "my sink", 3) },
			answer: answer{status: 204},
			want:   request{method: "POST", path: "/connectors/my%20sink/tasks/3/restart"},
		},
		{
			name:   "Pause",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.Pause(ctx, "my sink") },
			answer: answer{status: 202},
			want:   request{method: "PUT", path: "/connectors/my%20sink/pause"},
		},
		{
			name:   "Resume",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.Resume(ctx, "my sink") },
			answer: answer{status: 202},
			want:   request{method: "PUT", path: "/connectors/my%20sink/resume"},
		},
		{
			name:   "Stop",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.Stop(ctx, "my sink") },
			answer: answer{status: 204},
			want:   request{method: "PUT", path: "/connectors/my%20sink/stop"},
		},
		{
			name:   "DeleteConnector",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteConnector(ctx, "my sink") },
			answer: answer{status: 204},
			want:   request{method: "DELETE", path: "/connectors/my%20sink"},
		},
		{
			name:   "Topics",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Topics(ctx, "my sink") },
			answer: answer{status: 200, body: `{"my sink":{"topics":["a","b"]}}`},
			want:   request{method: "GET", path: "/connectors/my%20sink/topics"},
			result: []string{"a", "b"},
		},
		{
			name:   "ResetTopics",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.ResetTopics(ctx, "my sink") },
			answer: answer{status: 202},
			want:   request{method: "PUT", path: "/connectors/my%20sink/topics/reset"},
		},
		{
			name:   "Offsets",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Offsets(ctx, "my sink") },
			answer: answer{status: 200, body: `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":9007199254740993}}]}`},
			want:   request{method: "GET", path: "/connectors/my%20sink/offsets"},
			result: herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{
				Partition: map[string]any{"kafka_topic": "t", "kafka_partition": json.Number("0")},
				Offset:    map[string]any{"kafka_offset": json.Number("9007199254740993")},
			}}},
		},
		{
			name: "AlterOffsets",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.AlterOffsets(ctx, "my sink", herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{
					{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": 0}, Offset: map[string]any{"kafka_offset": json.Number("9007199254740993")}},
					{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": 1}},
				}})
			},
			answer: answer{status: 200, body: `{"message":"The offsets for this connector have been altered successfully"}`},
			want: request{method: "PATCH", path: "/connectors/my%20sink/offsets",
				body: `{"offsets":[{"partition":{"kafka_partition":0,"kafka_topic":"t"},"offset":{"kafka_offset":9007199254740993}},{"partition":{"kafka_partition":1,"kafka_topic":"t"},"offset":null}]}`},
			result: herder.OffsetsAltered,
		},
		{
			name:   "ResetOffsets",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ResetOffsets(ctx, "my sink") },
			answer: answer{status: 200, body: `{"message":"The offsets for this connector have been reset successfully"}`},
			want:   request{method: "DELETE", path: "/connectors/my%20sink/offsets"},
			result: herder.OffsetsReset,
		},
		{
			name:   "Plugins connectors only",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Plugins(ctx, true) },
			answer: answer{status: 200, body: `[{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink","version":"3.9.0"}]`},
			want:   request{method: "GET", path: "/connector-plugins"},
			result: []herder.PluginInfo{{Class: "org.apache.kafka.connect.file.FileStreamSinkConnector", Type: "sink", Version: "3.9.0"}},
		},
		{
			name:   "Plugins all",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Plugins(ctx, false) },
			answer: answer{status: 200, body: `[{"class":"org.apache.kafka.connect.transforms.InsertField$Value","type":"transformation"}]`},
			want:   request{method: "GET", path: "/connector-plugins", query: "connectorsOnly=false"},
			result: []herder.PluginInfo{{Class: "org.apache.kafka.connect.transforms.InsertField$Value", Type: "transformation"}},
		},
		{
			name: "PluginConfig",
			call: func(ctx context.Context, c *Client) (any, error) { return c.PluginConfig(ctx, "FileStreamSink") },
			answer: answer{status: 200, body: `[{"name":"tasks.max","type":"INT","required":false,"default_value":"1","importance":"HIGH",
				"documentation":"Max.","group":"Common","order_in_group":3,"width":"SHORT","display_name":"Tasks max","dependents":[]}]`},
			want: request{method: "GET", path: "/connector-plugins/FileStreamSink/config"},
			result: []config.KeyInfo{{Name: "tasks.max", Type: "INT", DefaultValue: str("1"), Importance: "HIGH", Documentation: "Max.",
				Group: str("Common"), OrderInGroup: 3, Width: "SHORT", DisplayName: "Tasks max", Dependents: []string{}}},
		},
		{
			name: "Validate",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Validate(ctx, "FileStreamSink", map[string]string{"connector.class": "FileStreamSink"})
			},
			answer: answer{status: 200, body: `{"name":"FileStreamSink","error_count":1,"groups":["Common"],"configs":[
				{"definition":null,"value":{"name":"topics","value":null,"recommended_values":[],"errors":["Must configure one of topics or topics.regex"],"visible":true}},
				{"definition":{"name":"x","type":"STRING","required":true,"default_value":null,"importance":"LOW","documentation":"","group":null,"order_in_group":-1,"width":"NONE","display_name":"x","dependents":[]},"value":null}]}`},
			want: request{method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", body: `{"connector.class":"FileStreamSink"}`},
			result: herder.ConfigInfos{Name: "FileStreamSink", ErrorCount: 1, Groups: []string{"Common"}, Configs: []herder.ConfigInfo{
				{Value: &herder.ConfigValueInfo{Name: "topics", RecommendedValues: []string{}, Errors: []string{"Must configure one of topics or topics.regex"}, Visible: true}},
				{Definition: &config.KeyInfo{Name: "x", Type: "STRING", Required: true, Importance: "LOW", OrderInGroup: -1, Width: "NONE", DisplayName: "x", Dependents: []string{}}},
			}},
		},
		{
			name:   "Loggers",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Loggers(ctx) },
			answer: answer{status: 200, body: `{"root":{"level":"INFO","last_modified":null},"org.apache.kafka":{"level":"DEBUG","last_modified":1700000000000}}`},
			want:   request{method: "GET", path: "/admin/loggers"},
			result: map[string]herder.LoggerLevel{"root": {Level: "INFO"}, "org.apache.kafka": {Level: "DEBUG", LastModified: &ms}},
		},
		{
			name:   "Logger",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Logger(ctx, "org.apache.kafka") },
			answer: answer{status: 200, body: `{"level":"DEBUG","last_modified":1700000000000}`},
			want:   request{method: "GET", path: "/admin/loggers/org.apache.kafka"},
			result: herder.LoggerLevel{Level: "DEBUG", LastModified: &ms},
		},
		{
			name: "SetLoggerLevel worker",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SetLoggerLevel(ctx, "org.apache.kafka", "debug", "")
			},
			answer: answer{status: 200, body: `["org.apache.kafka","org.apache.kafka.connect"]`},
			want:   request{method: "PUT", path: "/admin/loggers/org.apache.kafka", body: `{"level":"debug"}`},
			result: []string{"org.apache.kafka", "org.apache.kafka.connect"},
		},
		{
			name: "SetLoggerLevel cluster",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SetLoggerLevel(ctx, "root", "WARN", "cluster")
			},
			answer: answer{status: 204},
			want:   request{method: "PUT", path: "/admin/loggers/root", query: "scope=cluster", body: `{"level":"WARN"}`},
			result: []string(nil),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, seen := fakeWorker(t, tc.answer)
			got, err := tc.call(context.Background(), c)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if len(*seen) != 1 {
				t.Fatalf("%d requests, want 1", len(*seen))
			}
			r := (*seen)[0]
			if r.method != tc.want.method || r.path != tc.want.path || r.query != tc.want.query {
				t.Errorf("request %s %s?%s, want %s %s?%s", r.method, r.path, r.query, tc.want.method, tc.want.path, tc.want.query)
			}
			if r.body != tc.want.body {
				t.Errorf("body\n got %s\nwant %s", r.body, tc.want.body)
			}
			if ct := r.header.Get("Content-Type"); (tc.want.body != "") != (ct == "application/json") {
				t.Errorf("Content-Type %q with body %q", ct, r.body)
			}
			if !reflect.DeepEqual(got, tc.result) {
				t.Errorf("result\n got %#v\nwant %#v", got, tc.result)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	var h http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h = r.Header.Clone()
		io.WriteString(w, `[]`)
	}))
	defer srv.Close()
	c, err := New(srv.URL+"/", WithHeader("Authorization", "Bearer t0ken"), WithUserAgent("kafka-connect"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Connectors(context.Background()); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"Authorization": "Bearer t0ken", "User-Agent": "kafka-connect", "Accept": "application/json"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	c, _ = New(srv.URL)
	c.Connectors(context.Background())
	if got := h.Get("User-Agent"); got != DefaultUserAgent {
		t.Errorf("default User-Agent = %q", got)
	}
}

// TestEscaping checks that names with any character reach a Go 1.22
// ServeMux route whole, and that a base URL's path prefix is kept.
func TestEscaping(t *testing.T) {
	names := []string{"my connector", "a/b", "a?b#c", "100%", "ünï", "a+b", "a%2Fb", "semi;colon"}
	var got []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /prefix/connectors/{connector}/tasks/{task}/status", func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.PathValue("connector")+"|"+r.PathValue("task"))
		io.WriteString(w, `{"id":0,"state":"RUNNING","worker_id":"w"}`)
	})
	mux.HandleFunc("GET /prefix/admin/loggers/{logger}", func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.PathValue("logger"))
		io.WriteString(w, `{"level":"INFO","last_modified":null}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New(srv.URL + "/prefix/")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range names {
		if _, err := c.TaskStatus(context.Background(), n, 7); err != nil {
			t.Errorf("TaskStatus(%q): %v", n, err)
		}
		want = append(want, n+"|7")
	}
	if _, err := c.Logger(context.Background(), "a/b c"); err != nil {
		t.Errorf("Logger: %v", err)
	}
	want = append(want, "a/b c")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the server saw\n %q\nwant\n %q", got, want)
	}
}

func TestEmptyNames(t *testing.T) {
	c, seen := fakeWorker(t, answer{status: 200, body: `{}`})
	ctx := context.Background()
	for name, err := range map[string]error{
		"Connector":        func() error { _, err := c.Connector(ctx, ""); return err }(),
		"Pause":            c.Pause(ctx, ""),
		"PluginConfig":     func() error { _, err := c.PluginConfig(ctx, ""); return err }(),
		"Validate":         func() error { _, err := c.Validate(ctx, "", nil); return err }(),
		"Logger":           func() error { _, err := c.Logger(ctx, ""); return err }(),
		"RestartConnector": func() error { _, err := c.RestartConnector(ctx, "", true, false); return err }(),
	} {
		if !errors.Is(err, errEmptyName) {
			t.Errorf("%s with an empty name: %v", name, err)
		}
	}
	if len(*seen) != 0 {
		t.Errorf("requests were sent: %v", *seen)
	}
}

// TestErrors checks that error answers become *herder.Error with the HTTP
// status, whatever the body.
func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		answer answer
		want   herder.Error
	}{
		{"ErrorMessage 404", answer{status: 404, body: `{"error_code":404,"message":"Connector my sink not found"}`}, herder.Error{Code: 404, Message: "Connector my sink not found"}},
		{"ErrorMessage 409", answer{status: 409, body: `{"error_code":409,"message":"Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"}`},
			herder.Error{Code: 409, Message: "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"}},
		{"ErrorMessage 500 multi-line", answer{status: 500, body: `{"error_code":500,"message":"Request timed out.\nThe worker is currently x"}`}, herder.Error{Code: 500, Message: "Request timed out.\nThe worker is currently x"}},
		{"text body", answer{status: 502, body: "  <html>Bad Gateway</html>\n"}, herder.Error{Code: 502, Message: "<html>Bad Gateway</html>"}},
		{"JSON without message", answer{status: 400, body: `{"oops":1}`}, herder.Error{Code: 400, Message: `{"oops":1}`}},
		{"empty body", answer{status: 503}, herder.Error{Code: 503, Message: "Service Unavailable"}},
		{"redirect", answer{status: 307, header: map[string]string{"Location": "http://leader:8083/connectors"}}, herder.Error{Code: 307, Message: "redirected to http://leader:8083/connectors (redirects are not followed)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := fakeWorker(t, tc.answer)
			_, err := c.Connectors(context.Background())
			var he *herder.Error
			if !errors.As(err, &he) {
				t.Fatalf("error %T %v, want *herder.Error", err, err)
			}
			if *he != tc.want {
				t.Errorf("error %+v, want %+v", *he, tc.want)
			}
			if herder.StatusCode(err) != tc.want.Code {
				t.Errorf("StatusCode = %d", herder.StatusCode(err))
			}
		})
	}
}

func TestHealthNotReady(t *testing.T) {
	c, _ := fakeWorker(t, answer{status: 503, body: `{"status":"starting","message":"Worker is still starting up. The worker is currently reading to the end of the config topic"}`})
	ws, err := c.Health(context.Background())
	if ws.Status != "starting" {
		t.Errorf("status %+v", ws)
	}
	var he *herder.Error
	if !errors.As(err, &he) || he.Code != 503 || !strings.HasPrefix(he.Message, "Worker is still starting up.") {
		t.Errorf("error %v", err)
	}
}

func TestDoRawAndStatus(t *testing.T) {
	c, seen := fakeWorker(t, answer{status: 201, body: `{"name":"x","config":{},"tasks":[],"type":"source","extra":[1,2]}`})
	var raw json.RawMessage
	status, err := c.Do(context.Background(), "POST", "/connectors", url.Values{"forward": {"false"}}, json.RawMessage(`{"name":"x","config":{}}`), &raw)
	if err != nil || status != 201 {
		t.Fatalf("Do = %d, %v", status, err)
	}
	if !strings.Contains(string(raw), `"extra":[1,2]`) {
		t.Errorf("raw answer %s", raw)
	}
	if r := (*seen)[0]; r.query != "forward=false" || r.body != `{"name":"x","config":{}}` {
		t.Errorf("request %+v", r)
	}
}

func TestDecodeError(t *testing.T) {
	c, _ := fakeWorker(t, answer{status: 200, body: `{"name":`})
	_, err := c.Connector(context.Background(), "x")
	if err == nil || !strings.Contains(err.Error(), "decode answer of GET http://127.0.0.1") || !strings.Contains(err.Error(), "/connectors/x") {
		t.Errorf("error %v", err)
	}
}

func TestTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	c, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Connectors(context.Background())
	var ue *url.Error
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), base+"/connectors") {
		t.Errorf("error %v, want a *url.Error naming %s/connectors", err, base)
	}
	var he *herder.Error
	if errors.As(err, &he) {
		t.Errorf("a transport error is a *herder.Error: %v", err)
	}
}

func TestNew(t *testing.T) {
	for _, bad := range []string{"", "localhost:8083", "ftp://h:21", "http://", "http://h:8083?x=1", "http://h:8083/#f", "://x"} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%q) succeeded", bad)
		} else if !strings.Contains(err.Error(), "invalid worker URL") {
			t.Errorf("New(%q): %v", bad, err)
		}
	}
	for in, want := range map[string]string{
		"http://localhost:8083":          "http://localhost:8083",
		" https://w.example:8443/ ":      "https://w.example:8443",
		"http://proxy/kafka-connect/":    "http://proxy/kafka-connect",
		"http://user:pw@localhost:8083/": "http://user:pw@localhost:8083",
	} {
		c, err := New(in)
		if err != nil {
			t.Errorf("New(%q): %v", in, err)
			continue
		}
		if c.BaseURL() != want {
			t.Errorf("New(%q).BaseURL() = %q, want %q", in, c.BaseURL(), want)
		}
	}
}

// TestNewHidesPassword: New's errors show a URL's password as xxxxx,
// whether the URL parses or not.
func TestNewHidesPassword(t *testing.T) {
	for bad, want := range map[string]string{
		"http://admin:s3cret@h:8083?x=1":  `invalid worker URL "http://admin:xxxxx@h:8083?x=1": it must not have a query or a fragment`,
		"http://admin:s3cret@h:8083/%zz":  `invalid worker URL "http://admin:xxxxx@h:8083/%zz": invalid URL escape "%zz"`,
		"ftp://admin:s3cret@h:21":         `invalid worker URL "ftp://admin:xxxxx@h:21": want http://host:port`,
		"http://admin:s3cret@h:port/x":    `invalid worker URL "http://admin:xxxxx@h:port/x": invalid port ":port" after host`,
		"http://admin@h:8083/%zz":         `invalid worker URL "http://admin@h:8083/%zz"`,
		"http://a:b:s3cret@h:8083/%zz#no": `invalid worker URL "http://a:xxxxx@h:8083/%zz#no"`,
	} {
		_, err := New(bad)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("New(%q): %v, want %q", bad, err, want)
		}
	}
}
