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
			tt.opts.Herder = &listingHerder{}
			h := NewHandler(tt.opts)
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.authz != "" {
				req.Header.Set("Authorization", tt.authz)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("%s %s: %d, want %d: %s", tt.method, tt.path, rec.Code, tt.want, rec.Body)
			}
			if tt.want == 200 && tt.method == "GET" && rec.Body.String() != "kafka_connect_x 1\n" {
				t.Errorf("body %q, want the metrics handler's", rec.Body)
			}
		})
	}
}
