package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestErrorsRedacted: Options.Redact scrubs every error message before it is
// sent.
func TestErrorsRedacted(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{Herder: nopHerder{},
		Redact: func(s string) string { return strings.ReplaceAll(s, "herder", "[hidden]") }}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/connectors/c/config")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTeapot || strings.TrimSpace(string(b)) != `{"error_code":418,"message":"reached the [hidden]"}` {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}

	// /health's message quotes the herder's error (or a wait note) too.
	resp, err = http.Get(srv.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(b), "reached the [hidden]") || strings.Contains(string(b), "herder") {
		t.Fatalf("GET /health: %d %s; want 500 with the herder's error scrubbed", resp.StatusCode, b)
	}
}
