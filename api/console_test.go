package api

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleRoutes: the web console's page and assets are served under
// /ui/ with their security and cache headers; /ui redirects; unknown paths
// under /ui/ are 404; it is off (404) without Options.Console and on the
// admin listener; it asks a browser for credentials when the REST API
// requires them.
func TestConsoleRoutes(t *testing.T) {
	auth := NewBasicAuth(map[string]string{"alice": "pw"})
	tests := []struct {
		name         string
		opts         Options
		method, path string
		authz        string
		header       map[string]string
		want         int
		wantType     string
		wantHeader   map[string]string
	}{
		{name: "page", opts: Options{Console: true}, method: "GET", path: "/ui/", want: 200, wantType: "text/html; charset=utf-8"},
		{name: "script", opts: Options{Console: true}, method: "GET", path: "/ui/app.js", want: 200, wantType: "text/javascript; charset=utf-8"},
		{name: "style sheet", opts: Options{Console: true}, method: "GET", path: "/ui/app.css", want: 200, wantType: "text/css; charset=utf-8"},
		{name: "head", opts: Options{Console: true}, method: "HEAD", path: "/ui/", want: 200},
		{name: "redirect", opts: Options{Console: true}, method: "GET", path: "/ui", want: 301, wantHeader: map[string]string{"Location": "ui/"}},
		{name: "unknown asset", opts: Options{Console: true}, method: "GET", path: "/ui/secret.txt", want: 404},
		{name: "index by name", opts: Options{Console: true}, method: "GET", path: "/ui/index.html", want: 404},
		{name: "dot dot", opts: Options{Console: true}, method: "GET", path: "/ui/../connectors", want: 404},
		{name: "post", opts: Options{Console: true}, method: "POST", path: "/ui/", want: 405, wantHeader: map[string]string{"Allow": "GET, HEAD"}},
		{name: "off", opts: Options{}, method: "GET", path: "/ui/", want: 404},
		{name: "off redirect", opts: Options{}, method: "GET", path: "/ui", want: 404},
		{name: "admin listener", opts: Options{Console: true, AdminOnly: true, Loggers: nopLoggers{}}, method: "GET", path: "/ui/", want: 404},
		{name: "needs credentials", opts: Options{Console: true, Auth: auth}, method: "GET", path: "/ui/", want: 401,
			wantHeader: map[string]string{"WWW-Authenticate": `Basic realm="sluice", charset="UTF-8"`}},
		{name: "wrong credentials", opts: Options{Console: true, Auth: auth}, method: "GET", path: "/ui/app.js", authz: basic("alice", "no"), want: 401},
		{name: "with credentials", opts: Options{Console: true, Auth: auth}, method: "GET", path: "/ui/", authz: basic("alice", "pw"), want: 200},
		{name: "console's API request challenged", opts: Options{Console: true, Auth: auth}, method: "GET", path: "/connectors",
			header: map[string]string{ConsoleHeader: "1"}, want: 401, wantHeader: map[string]string{"WWW-Authenticate": `Basic realm="sluice", charset="UTF-8"`}},
		{name: "other API request not challenged", opts: Options{Console: true, Auth: auth}, method: "GET", path: "/connectors", want: 401,
			wantHeader: map[string]string{"WWW-Authenticate": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveRoute(t, tt.opts, tt.method, tt.path, tt.authz, tt.header, tt.want)
			for k, v := range tt.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if tt.want != 200 {
				return
			}
			if tt.wantType != "" {
				if got := rec.Header().Get("Content-Type"); got != tt.wantType {
					t.Errorf("Content-Type %q, want %q", got, tt.wantType)
				}
				if rec.Body.Len() == 0 {
					t.Error("empty body")
				}
			}
			csp := rec.Header().Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("Content-Security-Policy %q allows inline script", csp)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control %q", got)
			}
			if rec.Header().Get("ETag") == "" {
				t.Error("no ETag")
			}
		})
	}
}

// TestConsoleETag: an asset asked again with its ETag is a 304 without a
// body; the assets' ETags differ; the page references its script and style
// sheet by path, with no inline script or style.
func TestConsoleETag(t *testing.T) {
	h := NewHandler(Options{Herder: &listingHerder{}, Console: true})
	get := func(path, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	seen := map[string]string{}
	for _, p := range []string{"/ui/", "/ui/app.js", "/ui/app.css"} {
		first := get(p, "")
		etag := first.Header().Get("ETag")
		if other, dup := seen[etag]; dup {
			t.Errorf("%s and %s share the ETag %s", p, other, etag)
		}
		seen[etag] = p
		again := get(p, etag)
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("%s with If-None-Match %s: %d %q, want 304 without a body", p, etag, again.Code, again.Body)
		}
		if changed := get(p, `"other"`); changed.Code != 200 {
			t.Errorf("%s with another ETag: %d, want 200", p, changed.Code)
		}
	}
	page := get("/ui/", "").Body.String()
	for _, want := range []string{`<script type="module" src="app.js"></script>`, `<link rel="stylesheet" href="app.css">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d script elements, want the one that loads app.js", n)
	}
	if strings.Contains(page, "<style") || regexp.MustCompile(`\s(style|on[a-z]+)=`).MatchString(page) {
		t.Error("the page has inline style or event handlers, which the Content-Security-Policy refuses")
	}
}

// TestMetricsHistoryRoute: GET /sluice/metrics/history answers
// Options.History's value for the connector and time asked, behind the
// same authentication; without History it is a 404; a malformed,
// repeated, negative or out-of-range parameter is a 400 in Kafka
// Connect's error shape naming the parameter, and History is not called.
func TestMetricsHistoryRoute(t *testing.T) {
	auth := NewBasicAuth(map[string]string{"alice": "pw"})
	type ask struct {
		connector string
		since     int64
	}
	var asked []ask
	history := func(c string, since int64) any {
		asked = append(asked, ask{c, since})
		return map[string]any{"worker_id": "w", "tasks": []any{}}
	}
	huge := strings.Repeat("9", 5000)
	tests := []struct {
		name, path, authz string
		opts              Options
		want              int
		wantAsked         ask
		wantMessage       string // a 400's message contains it
	}{
		{name: "all", path: "/sluice/metrics/history", opts: Options{History: history}, want: 200},
		{name: "one connector", path: "/sluice/metrics/history?connector=a%20b", opts: Options{History: history}, want: 200, wantAsked: ask{connector: "a b"}},
		{name: "since", path: "/sluice/metrics/history?since=1733526000123", opts: Options{History: history}, want: 200, wantAsked: ask{since: 1733526000123}},
		{name: "since zero", path: "/sluice/metrics/history?since=0&connector=x", opts: Options{History: history}, want: 200, wantAsked: ask{connector: "x"}},
		{name: "since largest", path: "/sluice/metrics/history?since=9223372036854775807", opts: Options{History: history}, want: 200, wantAsked: ask{since: math.MaxInt64}},
		{name: "since empty", path: "/sluice/metrics/history?since=", opts: Options{History: history}, want: 200},
		{name: "since garbage", path: "/sluice/metrics/history?since=yesterday", opts: Options{History: history}, want: 400, wantMessage: `"yesterday" for query parameter since`},
		{name: "since negative", path: "/sluice/metrics/history?since=-5", opts: Options{History: history}, want: 400, wantMessage: "query parameter since"},
		{name: "since signed", path: "/sluice/metrics/history?since=%2B5", opts: Options{History: history}, want: 400, wantMessage: "query parameter since"},
		{name: "since fraction", path: "/sluice/metrics/history?since=1.5", opts: Options{History: history}, want: 400, wantMessage: "query parameter since"},
		{name: "since exponent", path: "/sluice/metrics/history?since=1e12", opts: Options{History: history}, want: 400, wantMessage: "query parameter since"},
		{name: "since overflow", path: "/sluice/metrics/history?since=9223372036854775808", opts: Options{History: history}, want: 400, wantMessage: "query parameter since"},
		{name: "since huge", path: "/sluice/metrics/history?since=" + huge, opts: Options{History: history}, want: 400, wantMessage: "query parameter since"},
		{name: "since twice", path: "/sluice/metrics/history?since=1&since=2", opts: Options{History: history}, want: 400, wantMessage: "parameter since is given 2 times"},
		{name: "connector twice", path: "/sluice/metrics/history?connector=a&connector=b", opts: Options{History: history}, want: 400, wantMessage: "parameter connector is given 2 times"},
		{name: "connector control", path: "/sluice/metrics/history?connector=a%00b", opts: Options{History: history}, want: 400, wantMessage: "query parameter connector"},
		{name: "connector huge control", path: "/sluice/metrics/history?connector=" + strings.Repeat("x", 5000) + "%0A", opts: Options{History: history}, want: 400, wantMessage: "query parameter connector"},
		{name: "none kept", path: "/sluice/metrics/history", opts: Options{}, want: 404},
		{name: "needs credentials", path: "/sluice/metrics/history", opts: Options{History: history, Auth: auth}, want: 401},
		{name: "with credentials", path: "/sluice/metrics/history", authz: basic("alice", "pw"), opts: Options{History: history, Auth: auth}, want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked = nil
			rec := serveRoute(t, tt.opts, "GET", tt.path, tt.authz, nil, tt.want)
			if tt.want != 200 {
				if len(asked) != 0 {
					t.Errorf("History was called: %v", asked)
				}
				if tt.want == 400 {
					var e struct {
						Code    int    `json:"error_code"`
						Message string `json:"message"`
					}
					if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code != 400 || !strings.Contains(e.Message, tt.wantMessage) {
						t.Errorf("body %s (%v), want error_code 400 and a message with %q", rec.Body, err, tt.wantMessage)
					}
					if len(e.Message) > 400 {
						t.Errorf("the message is %d bytes: the value is not shortened", len(e.Message))
					}
				}
				return
			}
			if len(asked) != 1 || asked[0] != tt.wantAsked {
				t.Errorf("History asked for %v, want [%v]", asked, tt.wantAsked)
			}
			if got := rec.Body.String(); got != `{"tasks":[],"worker_id":"w"}`+"\n" {
				t.Errorf("body %q", got)
			}
		})
	}
}
