package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConfigBodyTakesEscapes: a configuration within
// connector.config.max.bytes reaches the herder even when JSON escapes
// every byte as \uXXXX (six bytes each); a body past six times the limit
// and 64 KiB is a 413 before it is read.
func TestConfigBodyTakesEscapes(t *testing.T) {
	const maxConfig = 64 << 10
	h := NewHandler(Options{Herder: nopHerder{}, MaxConfigBytes: maxConfig})
	value := strings.Repeat(`\u003c`, maxConfig-1000)
	body := `{"connector.class":"FileStreamSink","v":"` + value + `"}`
	if int64(len(body)) <= 2*maxConfig+64<<10 {
		t.Fatalf("the body (%d bytes) is too small to test the limit", len(body))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("PUT", "/connector-plugins/FileStreamSink/config/validate", strings.NewReader(body)))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("escaped configuration: %d %.300s, want the herder's 418", rec.Code, rec.Body)
	}
	over := strings.Repeat("x", int(ConfigBodyLimit(maxConfig))+1)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("PUT", "/connector-plugins/FileStreamSink/config/validate", strings.NewReader(over)))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("body over the limit: %d %.300s, want 413", rec.Code, rec.Body)
	}
}
