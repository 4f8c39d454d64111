package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/runtime/herder"
)

// slowHerder answers GET /connectors only once release is closed.
type slowHerder struct {
	herder.Herder
	release chan struct{}
}

func (h slowHerder) Connectors(ctx context.Context) ([]string, error) {
	<-h.release
	return nil, nil
}

// stagedHerder is a slowHerder that says what holds it up, as a
// distributed worker does while it starts.
type stagedHerder struct {
	slowHerder
	stage string
}

func (h stagedHerder) StageSummary() string { return h.stage }

// TestRequestTimeoutSaysStage: a request the herder does not answer in
// time gets Kafka Connect's 500 "Request timed out", followed by what the
// worker is doing when the herder can say it (HerderRequestHandler).
func TestRequestTimeoutSaysStage(t *testing.T) {
	const stage = "The worker is currently reading the config topic c (config.storage.topic), which began at 2025-01-02T03:04:05.678Z."
	for _, tc := range []struct {
		name string
		h    herder.Herder
		want string
	}{
		{"no stage", slowHerder{release: make(chan struct{})}, "Request timed out"},
		{"stage", stagedHerder{slowHerder{release: make(chan struct{})}, stage}, "Request timed out. " + stage},
		{"started", stagedHerder{slowHerder{release: make(chan struct{})}, ""}, "Request timed out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var release chan struct{}
			switch h := tc.h.(type) {
			case slowHerder:
				release = h.release
			case stagedHerder:
				release = h.release
			}
			defer close(release)
			srv := httptest.NewServer(api.NewHandler(api.Options{Herder: tc.h, RequestTimeout: 100 * time.Millisecond}))
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/connectors")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var e herder.ErrorMessage
			if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != 500 || e.ErrorCode != 500 || e.Message != tc.want {
				t.Fatalf("GET /connectors = %d %s, want 500 with message %q", resp.StatusCode, body, tc.want)
			}
		})
	}
}
