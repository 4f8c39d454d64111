package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// namingHerder answers PUT config and GET status with the connector name
// the handler passed on.
type namingHerder struct {
	nopHerder
	got chan string
}

func (h namingHerder) PutConnectorConfig(_ context.Context, name string, _ map[string]string, _ bool, _ herder.TargetState) (herder.ConnectorInfo, bool, error) {
	h.got <- name
	return herder.ConnectorInfo{Name: name, Config: map[string]string{}}, true, nil
}

func (h namingHerder) ConnectorStatus(_ context.Context, name string) (herder.ConnectorStateInfo, error) {
	h.got <- name
	return herder.ConnectorStateInfo{Name: name}, nil
}

// TestPathNameInvalidUTF8: a connector name in the path whose escapes are
// not UTF-8 (%FF) reaches the herder with each bad byte as U+FFFD, as
// Kafka Connect's URI decoding (Java strings hold no invalid UTF-8) makes
// it: every name the worker keeps, logs and exports (a Prometheus label
// must be UTF-8) is valid text.
func TestPathNameInvalidUTF8(t *testing.T) {
	h := namingHerder{got: make(chan string, 1)}
	srv := httptest.NewServer(NewHandler(Options{Herder: h}))
	defer srv.Close()
	for _, tc := range []struct{ method, path, body, want string }{
		{http.MethodPut, "/connectors/a%FFb/config", `{"connector.class":"X"}`, "a\uFFFDb"},
		{http.MethodGet, "/connectors/%C3%28x/status", "", "\uFFFD(x"},
		{http.MethodGet, "/connectors/caf%C3%A9/status", "", "café"},
	} {
		req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, b := testkit.HTTPDo(t, req)
		select {
		case got := <-h.got:
			if got != tc.want {
				t.Errorf("%s %s: the herder got %q, want %q", tc.method, tc.path, got, tc.want)
			}
		default:
			t.Errorf("%s %s: %s %s, the herder was not asked", tc.method, tc.path, resp.Status, b)
		}
	}
}
