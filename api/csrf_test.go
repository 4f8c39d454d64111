package api

import (
	"net/http"
	"testing"
)

// TestFormContentTypesRefused: a request that can change something and
// carries a content type any web page may send across sites without a
// CORS preflight (an HTML form, a no-cors fetch) is a 415 in Kafka
// Connect's shape, and nothing reaches the herder; JSON, or no
// Content-Type at all (curl without -H, scripts), is served.
func TestFormContentTypesRefused(t *testing.T) {
	create := `{"name":"c","config":{"connector.class":"X"}}`
	for _, tc := range []struct {
		method, path, contentType string
		want                      int
	}{
		{"POST", "/connectors", "text/plain", http.StatusUnsupportedMediaType},
		{"POST", "/connectors", "text/plain;charset=UTF-8", http.StatusUnsupportedMediaType},
		{"POST", "/connectors", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"POST", "/connectors", "multipart/form-data; boundary=x", http.StatusUnsupportedMediaType},
		{"POST", "/connectors", "Text/Plain", http.StatusUnsupportedMediaType},
		{"POST", "/connectors/c/restart", "text/plain", http.StatusUnsupportedMediaType},
		{"PUT", "/connectors/c/config", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"POST", "/connectors", "application/json", http.StatusCreated},
		{"POST", "/connectors", "application/json; charset=utf-8", http.StatusCreated},
		{"POST", "/connectors", "", http.StatusCreated},
	} {
		h := &clusterHerder{created: true}
		m := newMember(t, h)
		body := create
		if tc.path != "/connectors" {
			body = `{"connector.class":"X"}`
			if tc.method == "POST" {
				body = ""
			}
		}
		header := map[string]string{}
		if tc.contentType != "" {
			header["Content-Type"] = tc.contentType
		}
		got := send(t, tc.method, m.url+tc.path, body, header)
		if tc.want != http.StatusUnsupportedMediaType {
			if got.status != tc.want {
				t.Errorf("%s %s (%q): %d %s, want %d", tc.method, tc.path, tc.contentType, got.status, got.body, tc.want)
			}
			continue
		}
		if em := got.errorMessage(t); got.status != tc.want || em.ErrorCode != tc.want || em.Message != "HTTP 415 Unsupported Media Type" {
			t.Errorf("%s %s (%q): %d %s, want a 415 in Kafka Connect's shape", tc.method, tc.path, tc.contentType, got.status, got.body)
		}
		h.mu.Lock()
		touched := len(h.configs) > 0
		h.mu.Unlock()
		if touched {
			t.Errorf("%s %s (%q): the herder was called", tc.method, tc.path, tc.contentType)
		}
	}
}
