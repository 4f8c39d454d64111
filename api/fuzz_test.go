package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// recordingHerder is nopHerder that keeps the configuration a create or
// update passed on.
type recordingHerder struct {
	nopHerder
	name string
	cfg  map[string]string
}

func (h *recordingHerder) PutConnectorConfig(_ context.Context, name string, cfg map[string]string, _ bool, _ herder.TargetState) (herder.ConnectorInfo, bool, error) {
	h.name, h.cfg = name, cfg
	return herder.ConnectorInfo{}, false, errNop
}

// checkResponse holds a response to Kafka Connect's shapes: never a 500
// (the herder never fails here, so a 500 is the API's own failure), an
// error as {"error_code": status, "message": "…"}, a success as JSON.
func checkResponse(t *testing.T, req string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code == http.StatusInternalServerError {
		t.Fatalf("%q: 500 %s", req, rec.Body)
	}
	if rec.Code >= 400 {
		var e herder.ErrorMessage
		dec := json.NewDecoder(rec.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil || e.ErrorCode != rec.Code || e.Message == "" {
			t.Fatalf("%q: %d with error body %q (%v)", req, rec.Code, rec.Body, err)
		}
		if rec.Code == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
			t.Fatalf("%q: 405 without Allow", req)
		}
		return
	}
	if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%q: %d with a body that is not JSON: %q", req, rec.Code, rec.Body)
	}
}

// FuzzRequest sends arbitrary requests (method, target with its path and
// query, body) through the REST API's handler, as net/http parses them
// off the wire. Every answer has Kafka Connect's shape and none is a 500.
func FuzzRequest(f *testing.F) {
	for _, s := range []struct{ method, target, body string }{
		{"POST", "/connectors", `{"name":"c","config":{"connector.class":"FileStreamSink","tasks.max":1,"x":null,"y":true}}`},
		{"POST", "/connectors?forward=maybe", `{"name":"c","config":{}}`},
		{"POST", "/connectors", `{"name":"c","config":{"name":"d"},"initial_state":"STOPPED"}`},
		{"POST", "/connectors", `{"name":"c","config":{"a":{"b":1}},"extra":1}`},
		{"PUT", "/connectors/c/config", `{"connector.class":"FileStreamSink","topics":"t"}`},
		{"PUT", "/connectors/a%2Fb/config/", `[]`},
		{"PATCH", "/connectors/c/config", `{"tasks.max":"2","file":null}`},
		{"PATCH", "/connectors/c/offsets", `{"offsets":[{"partition":{"filename":"/tmp/x"},"offset":{"position":12345678901234567890}}]}`},
		{"PATCH", "/connectors/c/offsets", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":null}]}`},
		{"PUT", "/connector-plugins/FileStreamSink/config/validate", `{"connector.class":"FileStreamSource"}`},
		{"POST", "/connectors/c/restart?includeTasks=TRUE&onlyFailed=yes", ``},
		{"POST", "/connectors/c/tasks/-1/restart", ``},
		{"GET", "/connectors/c/tasks/99999999999999999999/status", ``},
		{"GET", "/connectors?expand=status&expand=info&expand=bogus", ``},
		{"PUT", "/admin/loggers/sluice.runtime?scope=cluster", `{"level":"TRACE"}`},
		{"PUT", "/connectors/c/pause", ``},
		{"DELETE", "/connectors/c/topics/reset", ``},
		{"GET", "/connectors/%ZZ", ``},
		{"TRACE", "/connectors", ``},
		{"POST", "/connectors", `{"name":"c","config":{"k":"v"}} {"again":1}`},
		{"POST", "/connectors", "\xff\xfe"},
		{"POST", "/connectors", `{"name":1e999,"config":{"k":-0.0e-999}}`},
		// KIP-891's version query: ranges, garbage, encodings, repeats.
		{"GET", "/connector-plugins/FileStreamSource/config?version=%5B0.1.0,%29", ``},
		{"GET", "/connector-plugins/FileStreamSource/config?version=%5B%5B%5B(((&version=1", ``},
		{"GET", "/connector-plugins/IntegerConverter/config?version=%00%ff%D9%A1.%D9%A2", ``},
		{"GET", "/connector-plugins/IntegerConverter/config?version=" + strings.Repeat("9", 2000), ``},
		{"GET", "/connector-plugins/x/config?version=%zz", ``},
		{"PUT", "/connector-plugins/FileStreamSource/config/validate", `{"connector.class":"FileStreamSource","connector.plugin.version":"[1,0]","key.converter.plugin.version":"(,"}`},
		{"POST", "/connectors", `{"name":"c","config":{"connector.class":"FileStreamSource","topic.creation.groups":",,a.b,","topic.creation.a.b.include":"(?<x>","topic.creation.default.partitions":"2147483648"}}`},
	} {
		f.Add(s.method, s.target, []byte(s.body))
	}
	h := NewHandler(Options{Herder: &recordingHerder{}, Loggers: nopLoggers{}, TopicTracking: true, TopicTrackingReset: true, RequestTimeout: 10 * time.Second})
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		defer testkit.HangGuard(t, 20*time.Second)()
		raw := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s", method, target, len(body), body)
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return // not a request net/http would hand to a handler
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkResponse(t, method+" "+target, rec)
	})
}

// FuzzCreateConnector posts well-formed creation requests with an
// arbitrary name, key and value: the herder gets exactly what was sent
// (the name trimmed, and set as the configuration's "name"), or the
// request is refused with a 400 that says why.
func FuzzCreateConnector(f *testing.F) {
	f.Add("local-file-sink", "connector.class", "FileStreamSink")
	f.Add(" padded ", "name", " padded ")
	f.Add("c", "name", "other")
	f.Add("", "k", "")
	f.Add("\x00\u2028", "\xff", "${file:/x:y}")
	rh := &recordingHerder{}
	h := NewHandler(Options{Herder: rh, Loggers: nopLoggers{}, RequestTimeout: 10 * time.Second})
	f.Fuzz(func(t *testing.T, name, key, value string) {
		defer testkit.HangGuard(t, 20*time.Second)()
		body, err := json.Marshal(map[string]any{"name": name, "config": map[string]string{key: value}})
		if err != nil {
			t.Fatal(err)
		}
		var sent struct { // what the JSON says, invalid UTF-8 replaced
			Name   string
			Config map[string]string
		}
		if err := json.Unmarshal(body, &sent); err != nil {
			t.Fatal(err)
		}
		rh.name, rh.cfg = "", nil
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/connectors", bytes.NewReader(body)))
		checkResponse(t, string(body), rec)
		trimmed := strings.TrimSpace(sent.Name)
		want := maps.Clone(sent.Config)
		want["name"] = trimmed
		switch rec.Code {
		case http.StatusTeapot: // reached the herder
			if rh.name != trimmed || !maps.Equal(rh.cfg, want) {
				t.Fatalf("%s: the herder got %q %q, want %q %q", body, rh.name, rh.cfg, trimmed, want)
			}
		case http.StatusBadRequest:
			if n, ok := sent.Config["name"]; !ok || n == trimmed {
				t.Fatalf("%s: refused: %s", body, rec.Body)
			}
		default:
			t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
		}
	})
}

// TestUncleanPathsAnswerJSON: a path with dot segments, doubled slashes
// or none at all is a 404 in Kafka Connect's shape, not the mux's HTML
// redirect to another resource (found by FuzzRequest); escaped dots and
// slashes belong to a name and reach the herder.
func TestUncleanPathsAnswerJSON(t *testing.T) {
	h := NewHandler(Options{Herder: nopHerder{}, Loggers: nopLoggers{}})
	for _, tc := range []struct {
		target string
		status int
	}{
		{"A:", http.StatusNotFound},
		{"/connectors/x/../y", http.StatusNotFound},
		{"/connectors/..", http.StatusNotFound},
		{"/connectors/./x", http.StatusNotFound},
		{"//connectors", http.StatusNotFound},
		{"/connectors/a%2F..%2Fb/status", http.StatusTeapot},
		{"/connectors/%2E%2E/config", http.StatusTeapot},
		{"/connectors/x/", http.StatusTeapot},
	} {
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + tc.target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")))
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkResponse(t, tc.target, rec)
		if rec.Code != tc.status || rec.Header().Get("Location") != "" {
			t.Errorf("GET %s: %d (Location %q), want %d", tc.target, rec.Code, rec.Header().Get("Location"), tc.status)
		}
	}
}
