package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestMetricsRoute: /metrics is served by Options.Metrics, for GET and HEAD
// only, on the admin listener too, behind the same authentication as every
// other path; without a Metrics handler it is an unknown path.
func TestMetricsRoute(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write([]byte("kafka_connect_x 1\n"))
	})
	auth := NewBasicAuth(map[string]string{"alice": "pw"})
	tests := []struct {
		name         string
		opts         Options
		method, path string
		authz        string
		want         int
	}{
		{name: "served", opts: Options{Metrics: metrics}, method: "GET", path: "/metrics", want: 200},
		{name: "trailing slash", opts: Options{Metrics: metrics}, method: "GET", path: "/metrics/", want: 200},
		{name: "head", opts: Options{Metrics: metrics}, method: "HEAD", path: "/metrics", want: 200},
		{name: "post", opts: Options{Metrics: metrics}, method: "POST", path: "/metrics", want: 405},
		{name: "admin listener", opts: Options{Metrics: metrics, AdminOnly: true, Loggers: nopLoggers{}}, method: "GET", path: "/metrics", want: 200},
		{name: "no handler", opts: Options{}, method: "GET", path: "/metrics", want: 404},
		{name: "needs credentials", opts: Options{Metrics: metrics, Auth: auth}, method: "GET", path: "/metrics", want: 401},
		{name: "with credentials", opts: Options{Metrics: metrics, Auth: auth}, method: "GET", path: "/metrics", authz: basic("alice", "pw"), want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveRoute(t, tt.opts, tt.method, tt.path, tt.authz, nil, tt.want)
			if tt.want == 200 && tt.method == "GET" && rec.Body.String() != "kafka_connect_x 1\n" {
				t.Errorf("body %q, want the metrics handler's", rec.Body)
			}
		})
	}
}

// serveRoute answers one request of a route table on a handler made of
// opts (on a herder that lists nothing), with authz, if not empty, as its
// Authorization header and header's headers, and fails the test unless its
// status is want.
func serveRoute(t *testing.T, opts Options, method, path, authz string, header map[string]string, want int) *httptest.ResponseRecorder {
	t.Helper()
	opts.Herder = &listingHerder{}
	req := httptest.NewRequest(method, path, nil)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	NewHandler(opts).ServeHTTP(rec, req)
	if rec.Code != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
	return rec
}
