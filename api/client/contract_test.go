package client_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/runtime/herder"
)

// contractAnswers are Kafka Connect's answers, by operationId of
// api/openapi.yaml.
var contractAnswers = map[string]struct {
	status int
	body   string
}{
	"serverInfo":            {200, `{"version":"3.9.0","commit":"abc","kafka_cluster_id":"xyz"}`},
	"health":                {200, `{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}`},
	"listConnectors":        {200, `{"my sink":{"status":` + contractStatus + `,"info":` + contractInfo + `}}`},
	"createConnector":       {201, contractInfo},
	"getConnector":          {200, contractInfo},
	"deleteConnector":       {204, ``},
	"getConnectorConfig":    {200, `{"connector.class":"FileStreamSink","topics":"t"}`},
	"putConnectorConfig":    {200, contractInfo},
	"patchConnectorConfig":  {200, contractInfo},
	"getConnectorStatus":    {200, contractStatus},
	"getConnectorTasks":     {200, `[{"id":{"connector":"my sink","task":0},"config":{"task.class":"X"}}]`},
	"getTaskStatus":         {200, `{"id":1,"state":"FAILED","worker_id":"w:8083","trace":"boom"}`},
	"restartTask":           {204, ``},
	"putTaskConfigs":        {204, ``},
	"fenceZombies":          {204, ``},
	"restartConnector":      {202, contractStatus},
	"pauseConnector":        {202, ``},
	"resumeConnector":       {202, ``},
	"stopConnector":         {204, ``},
	"getConnectorTopics":    {200, `{"my sink":{"topics":["t"]}}`},
	"resetConnectorTopics":  {202, ``},
	"getConnectorOffsets":   {200, `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":5}}]}`},
	"alterConnectorOffsets": {200, `{"message":"The offsets for this connector have been altered successfully"}`},
	"resetConnectorOffsets": {200, `{"message":"The offsets for this connector have been reset successfully"}`},
	"listPlugins":           {200, `[{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink","version":"3.9.0"}]`},
	"getPluginConfig": {200, `[{"name":"tasks.max","type":"INT","required":false,"default_value":"1","importance":"HIGH",
		"documentation":"Max.","group":"Common","order_in_group":3,"width":"SHORT","display_name":"Tasks max","dependents":[]}]`},
	"validateConfig": {200, `{"name":"FileStreamSink","error_count":1,"groups":["Common"],"configs":[
		{"definition":null,"value":{"name":"topics","value":null,"recommended_values":[],"errors":["Must configure one of topics or topics.regex"],"visible":true}}]}`},
	"listLoggers":    {200, `{"root":{"level":"INFO","last_modified":null}}`},
	"getLogger":      {200, `{"level":"DEBUG","last_modified":1700000000000}`},
	"setLoggerLevel": {200, `["org.apache.kafka"]`},
}

const contractStatus = `{"name":"my sink","connector":{"state":"RUNNING","worker_id":"10.0.0.1:8083"},
 "tasks":[{"id":0,"state":"RESTARTING","worker_id":"10.0.0.1:8083"}],"type":"sink"}`

const contractInfo = `{"name":"my sink","config":{"connector.class":"FileStreamSink","topics":"t"},"tasks":[{"connector":"my sink","task":0}],"type":"sink"}`

// TestContract drives every client method against a worker that validates
// each request, and each answer it gives, against api/openapi.yaml: the
// client, the document and Kafka Connect's shapes must agree.
func TestContract(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil // match any host
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	called := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, params, err := router.FindRoute(r)
		if err != nil {
			t.Errorf("%s %s: no route: %v", r.Method, r.URL, err)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		op := route.Operation.OperationID
		mu.Lock()
		called[op] = true
		mu.Unlock()
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			t.Errorf("%s: request does not match the document: %v", op, err)
		}
		a, ok := contractAnswers[op]
		if !ok {
			t.Errorf("%s: no canned answer", op)
			return
		}
		if op == "listConnectors" && r.URL.Query()["expand"] == nil {
			a.body = `["my sink"]`
		}
		h := http.Header{}
		if a.body != "" {
			h.Set("Content-Type", "application/json")
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: a.status, Header: h}
		out.SetBodyBytes([]byte(a.body))
		if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
			t.Errorf("%s: answer does not match the document: %v", op, err)
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		io.Copy(w, bytes.NewReader([]byte(a.body)))
	}))
	defer srv.Close()

	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	two := "2"
	_, err = c.ServerInfo(ctx)
	check("ServerInfo", err)
	_, err = c.Health(ctx)
	check("Health", err)
	_, err = c.Connectors(ctx)
	check("Connectors", err)
	_, err = c.ConnectorsExpanded(ctx, true, true)
	check("ConnectorsExpanded", err)
	_, err = c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "my sink", Config: map[string]string{"connector.class": "FileStreamSink"}, InitialState: "paused"})
	check("CreateConnector", err)
	_, err = c.Connector(ctx, "my sink")
	check("Connector", err)
	_, err = c.ConnectorConfig(ctx, "my sink")
	check("ConnectorConfig", err)
	_, _, err = c.PutConnectorConfig(ctx, "my sink", map[string]string{"topics": "t"})
	check("PutConnectorConfig", err)
	_, err = c.PatchConnectorConfig(ctx, "my sink", map[string]*string{"tasks.max": &two, "file": nil})
	check("PatchConnectorConfig", err)
	_, err = c.ConnectorStatus(ctx, "my sink")
	check("ConnectorStatus", err)
	_, err = c.Tasks(ctx, "my sink")
	check("Tasks", err)
	_, err = c.TaskStatus(ctx, "my sink", 1)
	check("TaskStatus", err)
	check("RestartTask", c.RestartTask(ctx, "my sink", 1))
	check("PutTaskConfigs", c.PutTaskConfigs(ctx, "my sink", []map[string]string{{"task.class": "X"}}, []byte("key"), ""))
	check("FenceZombies", c.FenceZombies(ctx, "my sink", []byte("key"), "HmacSHA512"))
	_, err = c.RestartConnector(ctx, "my sink", true, true)
	check("RestartConnector", err)
	check("Pause", c.Pause(ctx, "my sink"))
	check("Resume", c.Resume(ctx, "my sink"))
	check("Stop", c.Stop(ctx, "my sink"))
	_, err = c.Topics(ctx, "my sink")
	check("Topics", err)
	check("ResetTopics", c.ResetTopics(ctx, "my sink"))
	_, err = c.Offsets(ctx, "my sink")
	check("Offsets", err)
	_, err = c.AlterOffsets(ctx, "my sink", herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{
		{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": 0}, Offset: map[string]any{"kafka_offset": 5}},
		{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": 1}},
	}})
	check("AlterOffsets", err)
	_, err = c.ResetOffsets(ctx, "my sink")
	check("ResetOffsets", err)
	check("DeleteConnector", c.DeleteConnector(ctx, "my sink"))
	_, err = c.Plugins(ctx, false)
	check("Plugins", err)
	_, err = c.PluginConfig(ctx, "FileStreamSink")
	check("PluginConfig", err)
	_, err = c.Validate(ctx, "FileStreamSink", map[string]string{"connector.class": "FileStreamSink"})
	check("Validate", err)
	_, err = c.Loggers(ctx)
	check("Loggers", err)
	_, err = c.Logger(ctx, "org.apache.kafka")
	check("Logger", err)
	_, err = c.SetLoggerLevel(ctx, "org.apache.kafka", "debug", "worker")
	check("SetLoggerLevel", err)

	var missed []string
	for op := range contractAnswers {
		if !called[op] {
			missed = append(missed, op)
		}
	}
	sort.Strings(missed)
	if len(missed) > 0 {
		t.Errorf("operations no client method reached: %v", missed)
	}
	if n := len(contractAnswers); n != 30 {
		t.Errorf("%d canned operations, want the document's 30", n)
	}
}
