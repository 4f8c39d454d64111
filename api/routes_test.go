package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestRoutesMatchDocument holds the server to its OpenAPI document: every
// route in the document is served, and every served route is in the
// document.
func TestRoutesMatchDocument(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range routes {
		served[r.method+" "+r.path] = true
	}
	for r := range served {
		if !documented[r] {
			t.Errorf("served but not in openapi.yaml: %s", r)
		}
	}
	for r := range documented {
		if !served[r] {
			t.Errorf("in openapi.yaml but not served: %s", r)
		}
	}

	// And the handler really routes each documented operation: a request
	// reaches its handler (a herder call or a parameter check), never the
	// router's own 404 or 405.
	h := NewHandler(Options{Herder: nopHerder{}, Loggers: nopLoggers{}, TopicTracking: true, TopicTrackingReset: true,
		History: func(string, int64) any { return struct{}{} }})
	var ops []string
	for r := range documented {
		ops = append(ops, r)
	}
	sort.Strings(ops)
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		for _, p := range []string{"{connector}", "{task}", "{plugin}", "{pluginType}", "{logger}"} {
			v := map[string]string{"{task}": "0"}[p]
			if v == "" {
				v = "x"
			}
			path = strings.ReplaceAll(path, p, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader("{}")))
		if body := rec.Body.String(); strings.Contains(body, "HTTP 404 Not Found") || rec.Code == http.StatusMethodNotAllowed {
			t.Errorf("%s %s: not routed (%d %s)", method, path, rec.Code, body)
		}
	}
}

// TestDocumentedBodyAnswers: exactly the routes that read a body (413 when
// it is too large, 408 when it stops coming) document those answers, and a
// requestBody; the others leave a body unread.
func TestDocumentedBodyAnswers(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range routes {
		op := doc.Paths.Find(rt.path).GetOperation(rt.method)
		if op == nil {
			t.Fatalf("%s %s is not documented", rt.method, rt.path)
		}
		for _, code := range []int{http.StatusRequestTimeout, http.StatusRequestEntityTooLarge} {
			if got := op.Responses.Status(code) != nil; got != rt.body {
				t.Errorf("%s %s documents %d: %v, want %v", rt.method, rt.path, code, got, rt.body)
			}
		}
		// PUT /connectors/{c}/fence reads the (empty) body its signature
		// signs, and documents none.
		if hasBody := op.RequestBody != nil; hasBody != rt.body && rt.path != "/connectors/{connector}/fence" {
			t.Errorf("%s %s documents a request body: %v, want %v", rt.method, rt.path, hasBody, rt.body)
		}
	}
}

// nopHerder answers every call with a 418, so a test can tell that a
// request reached the herder.
type nopHerder struct{}

var errNop = &herder.Error{Code: http.StatusTeapot, Message: "reached the herder"}

func (nopHerder) ServerInfo(context.Context) (herder.ServerInfo, error) {
	return herder.ServerInfo{}, errNop
}
func (nopHerder) Ready(context.Context) error                  { return errNop }
func (nopHerder) Connectors(context.Context) ([]string, error) { return nil, errNop }
func (nopHerder) ConnectorInfo(context.Context, string) (herder.ConnectorInfo, error) {
	return herder.ConnectorInfo{}, errNop
}
func (nopHerder) ConnectorConfig(context.Context, string) (map[string]string, error) {
	return nil, errNop
}
func (nopHerder) PutConnectorConfig(context.Context, string, map[string]string, bool, herder.TargetState) (herder.ConnectorInfo, bool, error) {
	return herder.ConnectorInfo{}, false, errNop
}
func (nopHerder) PatchConnectorConfig(context.Context, string, map[string]*string) (herder.ConnectorInfo, error) {
	return herder.ConnectorInfo{}, errNop
}
func (nopHerder) DeleteConnector(context.Context, string) error { return errNop }
func (nopHerder) Tasks(context.Context, string) ([]herder.TaskInfo, error) {
	return nil, errNop
}
func (nopHerder) ConnectorStatus(context.Context, string) (herder.ConnectorStateInfo, error) {
	return herder.ConnectorStateInfo{}, errNop
}
func (nopHerder) TaskStatus(context.Context, herder.TaskID) (herder.TaskState, error) {
	return herder.TaskState{}, errNop
}
func (nopHerder) RestartConnector(context.Context, string, bool, bool) (herder.ConnectorStateInfo, error) {
	return herder.ConnectorStateInfo{}, errNop
}
func (nopHerder) RestartTask(context.Context, herder.TaskID) error                 { return errNop }
func (nopHerder) SetTargetState(context.Context, string, herder.TargetState) error { return errNop }
func (nopHerder) ConnectorOffsets(context.Context, string) (herder.ConnectorOffsets, error) {
	return herder.ConnectorOffsets{}, errNop
}
func (nopHerder) AlterConnectorOffsets(context.Context, string, herder.ConnectorOffsets) (string, error) {
	return "", errNop
}
func (nopHerder) ResetConnectorOffsets(context.Context, string) (string, error) { return "", errNop }
func (nopHerder) ValidateConnectorConfig(context.Context, map[string]string) (herder.ConfigInfos, error) {
	return herder.ConfigInfos{}, errNop
}
func (nopHerder) ConnectorTopics(context.Context, string) ([]string, error) { return nil, errNop }
func (nopHerder) ResetConnectorTopics(context.Context, string) error        { return errNop }
func (nopHerder) ConnectorPlugins(context.Context, bool) ([]herder.PluginInfo, error) {
	return nil, errNop
}
func (nopHerder) PluginConfig(context.Context, string, string) ([]config.KeyInfo, error) {
	return nil, errNop
}
func (nopHerder) SetClusterLoggerLevel(context.Context, string, string) error { return errNop }

type nopLoggers struct{}

func (nopLoggers) All() map[string]herder.LoggerLevel    { return nil }
func (nopLoggers) Get(string) (herder.LoggerLevel, bool) { return herder.LoggerLevel{}, false }
func (nopLoggers) Set(string, slog.Level) []string       { return nil }
