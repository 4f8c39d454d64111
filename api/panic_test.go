package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// panickyHerder answers the connector list, panics in ConnectorStatus,
// and (its embedded Herder being nil) with a nil dereference in every
// other method.
type panickyHerder struct{ herder.Herder }

func (panickyHerder) Connectors(context.Context) ([]string, error) { return []string{"a"}, nil }

func (panickyHerder) ConnectorStatus(context.Context, string) (herder.ConnectorStateInfo, error) {
	panic("status exploded")
}

// panickyLoggers panics in All, which handlers call on their own goroutine.
type panickyLoggers struct{ api.Loggers }

func (panickyLoggers) All() map[string]herder.LoggerLevel { panic("loggers exploded") }

// TestHandlerPanics: a panic in a handler, or in the herder call a handler
// waits for, is a 500 in Kafka Connect's error shape whose message names
// the request and the panic (its frames are logged, not sent), and the
// server goes on serving.
func TestHandlerPanics(t *testing.T) {
	log := &testkit.LogBuffer{}
	srv := httptest.NewServer(api.NewHandler(api.Options{Herder: panickyHerder{}, Loggers: panickyLoggers{},
		Log: slog.New(slog.NewTextHandler(log, nil))}))
	defer srv.Close()
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	tests := []struct {
		path string
		want string
	}{
		{"/connectors/a/status", "GET /connectors/a/status panicked: status exploded"},
		{"/connectors/a/config", "GET /connectors/a/config panicked: runtime error: invalid memory address or nil pointer dereference"},
		{"/admin/loggers", "GET /admin/loggers panicked: loggers exploded"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			code, body := get(tc.path)
			var e map[string]any
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("%d %s: %v", code, body, err)
			}
			if code != 500 || len(e) != 2 || e["error_code"] != float64(500) || e["message"] != tc.want {
				t.Fatalf("%d %s; want 500 {error_code: 500, message: %q}", code, body, tc.want)
			}
			// The frames go to the log.
			if !strings.Contains(log.String(), tc.want+`\n\tat `) {
				t.Errorf("the log has no frames for %q:\n%s", tc.want, log.String())
			}
		})
	}
	if code, body := get("/connectors"); code != 200 || strings.TrimSpace(string(body)) != `["a"]` {
		t.Fatalf("after the panics GET /connectors answers %d %s", code, body)
	}
}
