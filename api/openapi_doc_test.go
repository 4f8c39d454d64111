package api

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
)

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// TestOpenAPIValid loads the document and validates it (examples included).
func TestOpenAPIValid(t *testing.T) {
	doc := loadDoc(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
}

// TestOpenAPIRoutes holds the document to exactly the served routes: Kafka
// Connect's endpoint table, the two internal, signed ones included.
func TestOpenAPIRoutes(t *testing.T) {
	want := []string{
		"GET /",
		"GET /health",
		"GET /connectors",
		"POST /connectors",
		"GET /connectors/{connector}",
		"DELETE /connectors/{connector}",
		"GET /connectors/{connector}/config",
		"PUT /connectors/{connector}/config",
		"PATCH /connectors/{connector}/config",
		"GET /connectors/{connector}/status",
		"GET /connectors/{connector}/tasks",
		"POST /connectors/{connector}/tasks",
		"PUT /connectors/{connector}/fence",
		"GET /connectors/{connector}/tasks/{task}/status",
		"POST /connectors/{connector}/tasks/{task}/restart",
		"POST /connectors/{connector}/restart",
		"PUT /connectors/{connector}/pause",
		"PUT /connectors/{connector}/resume",
		"PUT /connectors/{connector}/stop",
		"GET /connectors/{connector}/topics",
		"PUT /connectors/{connector}/topics/reset",
		"GET /connectors/{connector}/offsets",
		"PATCH /connectors/{connector}/offsets",
		"DELETE /connectors/{connector}/offsets",
		"GET /connector-plugins",
		"GET /connector-plugins/{plugin}/config",
		"PUT /connector-plugins/{pluginType}/config/validate",
		"GET /sluice/metrics/history",
		"GET /admin/loggers",
		"GET /admin/loggers/{logger}",
		"PUT /admin/loggers/{logger}",
	}
	doc := loadDoc(t)
	var got []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			got = append(got, method+" "+path)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("routes:\n got %v\nwant %v", got, want)
	}
}

// TestOpenAPIForwardParam checks that exactly the endpoints Kafka Connect
// forwards to the leader or owner take the hidden forward parameter.
func TestOpenAPIForwardParam(t *testing.T) {
	fwd := map[string]bool{
		"POST /connectors":                                  true,
		"PUT /connectors/{connector}/config":                true,
		"PATCH /connectors/{connector}/config":              true,
		"POST /connectors/{connector}/tasks/{task}/restart": true,
		"POST /connectors/{connector}/restart":              true,
		"PUT /connectors/{connector}/stop":                  true,
		"DELETE /connectors/{connector}":                    true,
		"PATCH /connectors/{connector}/offsets":             true,
		"DELETE /connectors/{connector}/offsets":            true,
		"POST /connectors/{connector}/tasks":                true,
		"PUT /connectors/{connector}/fence":                 true,
	}
	doc := loadDoc(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			route := method + " " + path
			has := op.Parameters.GetByInAndName("query", "forward") != nil
			if has != fwd[route] {
				t.Errorf("%s: forward parameter = %v, want %v", route, has, fwd[route])
			}
		}
	}
}

// TestOpenAPIErrorsAreErrorMessages checks that every 4xx and 5xx answer but
// /health's is an ErrorMessage, and that every 2xx answer other than 202 and
// 204 has a JSON body.
func TestOpenAPIErrorsAreErrorMessages(t *testing.T) {
	doc := loadDoc(t)
	errSchema := doc.Components.Schemas["ErrorMessage"].Value
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			route := method + " " + path
			for code, resp := range op.Responses.Map() {
				mt := resp.Value.Content.Get("application/json")
				switch {
				case code[0] == '4' || code[0] == '5':
					if path == "/health" {
						continue
					}
					if mt == nil || mt.Schema.Value != errSchema {
						t.Errorf("%s %s: not an ErrorMessage", route, code)
					}
				case code == "204" && mt != nil:
					t.Errorf("%s 204 has a body", route)
				case code == "200" || code == "201":
					if mt == nil {
						t.Errorf("%s %s has no body", route, code)
					}
				}
			}
		}
	}
}

// TestOpenAPIEntities marshals the Go entities the server and the client
// use and validates them against the document's schemas, so that the two
// cannot drift apart.
func TestOpenAPIEntities(t *testing.T) {
	doc := loadDoc(t)
	str := func(s string) *string { return &s }
	ms := int64(1700000000000)
	failed := herder.ConnectorStateInfo{
		Name:      "my sink",
		Connector: herder.ConnectorState{State: herder.Running, WorkerID: "10.0.0.1:8083"},
		Tasks: []herder.TaskState{
			{ID: 0, State: herder.Running, WorkerID: "10.0.0.1:8083"},
			{ID: 1, State: herder.Failed, WorkerID: "10.0.0.2:8083", Trace: "boom\n\tat X"},
		},
		Type: herder.SinkType,
	}
	info := herder.ConnectorInfo{
		Name:   "my sink",
		Config: map[string]string{"connector.class": "FileStreamSink", "topics": "t"},
		Tasks:  []herder.TaskID{{Connector: "my sink", Task: 0}},
		Type:   herder.SinkType,
	}
	key := config.KeyInfo{
		Name: "tasks.max", Type: "INT", DefaultValue: str("1"), Importance: "HIGH",
		Documentation: "Maximum number of tasks.", Group: str("Common"), OrderInGroup: 3, Width: "SHORT",
		DisplayName: "Tasks max",
	}
	tests := []struct {
		schema string
		value  any
		bad    bool
	}{
		{schema: "ServerInfo", value: herder.ServerInfo{Version: "0.1.0", Commit: "abc", KafkaClusterID: "xyz"}},
		{schema: "WorkerStatus", value: herder.WorkerStatus{Status: "healthy", Message: "ok"}},
		{schema: "WorkerStatus", value: herder.WorkerStatus{Status: "fine", Message: "ok"}, bad: true},
		{schema: "CreateConnectorRequest", value: herder.CreateConnectorRequest{Name: "c", Config: map[string]string{"a": "b"}}},
		{schema: "CreateConnectorRequest", value: herder.CreateConnectorRequest{Name: "c", Config: map[string]string{}, InitialState: "stopped"}},
		{schema: "CreateConnectorRequest", value: herder.CreateConnectorRequest{Name: "c", Config: map[string]string{}, InitialState: "DESTROYED"}, bad: true},
		{schema: "ConnectorInfo", value: info},
		{schema: "ConnectorInfo", value: herder.ConnectorInfo{Name: "c", Config: map[string]string{}, Tasks: []herder.TaskID{}, Type: "both"}, bad: true},
		{schema: "TaskInfo", value: herder.TaskInfo{ID: herder.TaskID{Connector: "c", Task: 2}, Config: map[string]string{"task.class": "X"}}},
		{schema: "ConnectorStateInfo", value: failed},
		{schema: "ConnectorStateInfo", value: herder.ConnectorStateInfo{Name: "c", Connector: herder.ConnectorState{State: herder.Stopped, WorkerID: "w"}, Tasks: []herder.TaskState{}, Type: herder.SourceType}},
		{schema: "ConnectorStateInfo", value: herder.ConnectorStateInfo{Name: "c", Connector: herder.ConnectorState{State: "DESTROYED", WorkerID: "w"}, Tasks: []herder.TaskState{}, Type: herder.SourceType}, bad: true},
		{schema: "TaskState", value: herder.TaskState{ID: 1, State: herder.Restarting, WorkerID: "w"}},
		{schema: "TaskState", value: herder.TaskState{ID: 1, State: herder.Stopped, WorkerID: "w"}, bad: true},
		{schema: "ConnectorsExpanded", value: map[string]herder.ConnectorExpanded{"my sink": {Status: &failed, Info: &info}}},
		{schema: "ConnectorActiveTopics", value: map[string]herder.ActiveTopics{"c": {Topics: []string{"a", "b"}}}},
		{schema: "ConnectorOffsets", value: herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{
			{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": 0}, Offset: map[string]any{"kafka_offset": 5}},
		}}},
		{schema: "ConnectorOffsets", value: herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{Partition: map[string]any{"f": "x"}}}}, bad: true},
		{schema: "ConnectorOffsetsPatch", value: herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{Partition: map[string]any{"f": "x"}}}}},
		{schema: "ConnectorOffsetsPatch", value: herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{}}, bad: true},
		{schema: "Message", value: herder.Message{Message: herder.OffsetsAltered}},
		{schema: "ErrorMessage", value: herder.ErrorMessage{ErrorCode: 404, Message: "Connector c not found"}},
		{schema: "PluginInfo", value: herder.PluginInfo{Class: "org.apache.kafka.connect.file.FileStreamSinkConnector", Type: "sink", Version: "3.9.0"}},
		{schema: "PluginInfo", value: herder.PluginInfo{Class: "X", Type: "transformation"}},
		{schema: "PluginInfo", value: herder.PluginInfo{Class: "X", Type: "connector"}, bad: true},
		{schema: "ConfigKeyInfo", value: key},
		{schema: "ConfigKeyInfo", value: config.KeyInfo{Name: "topics", Type: "LIST", Required: true, Importance: "HIGH", OrderInGroup: -1, Width: "LONG", DisplayName: "topics"}},
		{schema: "ConfigKeyInfo", value: config.KeyInfo{Name: "x", Type: "INTEGER", Importance: "HIGH", Width: "NONE"}, bad: true},
		{schema: "ConfigInfos", value: herder.ConfigInfos{
			Name: "FileStreamSink", ErrorCount: 1, Groups: []string{"Common"},
			Configs: []herder.ConfigInfo{
				{Definition: &key, Value: &herder.ConfigValueInfo{Name: "tasks.max", Value: str("x"), RecommendedValues: []string{}, Errors: []string{"bad"}, Visible: true}},
				{Definition: nil, Value: &herder.ConfigValueInfo{Name: "extra", Value: nil, RecommendedValues: []string{}, Errors: []string{}, Visible: true}},
				{Definition: &key, Value: nil},
			},
		}},
		{schema: "MetricsHistory", value: runtime.MetricsHistory{WorkerID: "w:8083", IntervalMs: 5000, MaxSamples: 120, Tasks: []runtime.TaskHistory{
			{Connector: "c", Task: 0, Type: herder.SinkType, Samples: []runtime.HistorySample{{Time: ms, InPerSec: 1.5, OutPerSec: 2, Errors: 1, LagSum: 7, LagMax: 5}}},
			{Connector: "d", Task: 3, Type: herder.SourceType, Samples: []runtime.HistorySample{}},
		}}},
		{schema: "MetricsHistory", value: runtime.MetricsHistory{WorkerID: "w", Tasks: []runtime.TaskHistory{{Connector: "c", Type: "both", Samples: []runtime.HistorySample{}}}}, bad: true},
		{schema: "LoggerLevel", value: herder.LoggerLevel{Level: "DEBUG", LastModified: &ms}},
		{schema: "LoggerLevel", value: herder.LoggerLevel{Level: "INFO"}},
		{schema: "LoggerLevel", value: herder.LoggerLevel{Level: "VERBOSE"}, bad: true},
	}
	for _, tc := range tests {
		b, err := json.Marshal(tc.value)
		if err != nil {
			t.Fatal(err)
		}
		ref := doc.Components.Schemas[tc.schema]
		if ref == nil {
			t.Fatalf("no schema %s", tc.schema)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		err = ref.Value.VisitJSON(v)
		if tc.bad && err == nil {
			t.Errorf("%s accepts %s", tc.schema, b)
		}
		if !tc.bad && err != nil {
			t.Errorf("%s rejects %s: %v", tc.schema, b, firstLine(err))
		}
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
