package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/runtime/herder"
)

// listingHerder answers GET /connectors, so that a request that passes
// authentication gets a 200.
type listingHerder struct{ clusterHerder }

func (*listingHerder) Connectors(context.Context) ([]string, error) { return []string{"a"}, nil }

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

func TestBasicAuthFilter(t *testing.T) {
	auth := NewBasicAuth(map[string]string{"alice": "wonder land", "bob": ""})
	h := NewHandler(Options{Herder: &listingHerder{}, Auth: auth, Loggers: nopLoggers{}})
	tests := []struct {
		name, method, path string
		authz              []string // Authorization header values
		want               int
	}{
		{name: "no credentials", method: "GET", path: "/connectors", want: 401},
		{name: "wrong password", method: "GET", path: "/connectors", authz: []string{basic("alice", "wonder")}, want: 401},
		{name: "password of another user", method: "GET", path: "/connectors", authz: []string{basic("bob", "wonder land")}, want: 401},
		{name: "unknown user", method: "GET", path: "/connectors", authz: []string{basic("carol", "wonder land")}, want: 401},
		{name: "empty user", method: "GET", path: "/connectors", authz: []string{basic("", "wonder land")}, want: 401},
		{name: "no colon", method: "GET", path: "/connectors", authz: []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("alice"))}, want: 401},
		{name: "not base64", method: "GET", path: "/connectors", authz: []string{"Basic %%%"}, want: 401},
		{name: "another scheme", method: "GET", path: "/connectors", authz: []string{"Bearer " + base64.StdEncoding.EncodeToString([]byte("alice:wonder land"))}, want: 401},
		{name: "no scheme", method: "GET", path: "/connectors", authz: []string{base64.StdEncoding.EncodeToString([]byte("alice:wonder land"))}, want: 401},
		{name: "two headers", method: "GET", path: "/connectors", authz: []string{basic("alice", "wonder land"), basic("alice", "wonder land")}, want: 401},
		{name: "root needs credentials", method: "GET", path: "/", want: 401},
		{name: "health needs credentials", method: "GET", path: "/health", want: 401},
		{name: "admin needs credentials", method: "GET", path: "/admin/loggers", want: 401},
		{name: "unknown path needs credentials", method: "GET", path: "/nope", want: 401},
		{name: "internal task configs with another method", method: "GET", path: "/connectors/c/tasks", want: 401},
		{name: "fence with another method", method: "POST", path: "/connectors/c/fence", want: 401},

		{name: "right password", method: "GET", path: "/connectors", authz: []string{basic("alice", "wonder land")}, want: 200},
		{name: "scheme in any case", method: "GET", path: "/connectors", authz: []string{"bAsIc " + base64.StdEncoding.EncodeToString([]byte("alice:wonder land"))}, want: 200},
		{name: "base64 without padding", method: "GET", path: "/connectors", authz: []string{"Basic " + base64.RawStdEncoding.EncodeToString([]byte("alice:wonder land"))}, want: 200},
		{name: "empty password", method: "GET", path: "/connectors", authz: []string{basic("bob", "")}, want: 200},
		{name: "password with a colon", method: "GET", path: "/connectors", authz: []string{basic("alice", "wonder land:")}, want: 401},
		{name: "unknown path with credentials", method: "GET", path: "/nope", authz: []string{basic("alice", "wonder land")}, want: 404},
		// The two signed internal endpoints pass without credentials and
		// reach the herder (which would check their signature).
		{name: "internal task configs", method: "POST", path: "/connectors/c/tasks", want: 204},
		{name: "internal task configs, trailing slash", method: "POST", path: "/connectors/c/tasks/", want: 204},
		{name: "fence", method: "PUT", path: "/connectors/c/fence", want: 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.method == "POST" || tt.method == "PUT" {
				body = strings.NewReader("[]")
			}
			req := httptest.NewRequest(tt.method, tt.path, body)
			for _, v := range tt.authz {
				req.Header.Add("Authorization", v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("%s %s → %d %s, want %d", tt.method, tt.path, rec.Code, rec.Body, tt.want)
			}
			if tt.want != 401 {
				return
			}
			if got := rec.Body.String(); got != MsgUnauthorized {
				t.Errorf("body %q, want %q", got, MsgUnauthorized)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if v, ok := rec.Header()["Www-Authenticate"]; ok {
				t.Errorf("WWW-Authenticate %q: Kafka Connect sends none", v)
			}
		})
	}
}

func TestBasicAuthNoUsersPermitsAll(t *testing.T) {
	h := NewHandler(Options{Herder: &listingHerder{}, Auth: NewBasicAuth(nil)})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/connectors", nil))
	if rec.Code != 200 {
		t.Fatalf("%d %s, want 200", rec.Code, rec.Body)
	}
}

// A CORS preflight request is answered without credentials, as Jetty's
// cross-origin handler answers it before Kafka Connect's filter; the
// request that follows needs them.
func TestBasicAuthCORSPreflight(t *testing.T) {
	h := NewHandler(Options{Herder: &listingHerder{}, Auth: NewBasicAuth(map[string]string{"u": "p"}), AllowOrigin: "*"})
	req := httptest.NewRequest("OPTIONS", "/connectors", nil)
	req.Header.Set("Origin", "http://ui")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", rec.Code, rec.Header())
	}
	req = httptest.NewRequest("GET", "/connectors", nil)
	req.Header.Set("Origin", "http://ui")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("GET without credentials: %d", rec.Code)
	}
}

// A request sent to a follower with credentials is forwarded with them
// (and only them) to the leader, which checks them too.
func TestBasicAuthForwarded(t *testing.T) {
	auth := NewBasicAuth(map[string]string{"alice": "pw"})
	leaderH := &clusterHerder{}
	leader := newMemberWith(t, leaderH, Options{Herder: leaderH, Auth: auth})
	followerH := &clusterHerder{}
	follower := newMemberWith(t, followerH, Options{Herder: followerH, Auth: auth})
	followerH.setRedirect(&herder.RedirectError{URL: leader.url, Leader: true, Message: "not the leader"})

	create := `{"name":"c","config":{"connector.class":"X"}}`
	got := send(t, "POST", follower.url+"/connectors", create, map[string]string{"Authorization": basic("alice", "pw"), "X-Other": "no"})
	if got.status != http.StatusCreated {
		t.Fatalf("forwarded create: %d %s", got.status, got.body)
	}
	seen := leader.requests()
	if len(seen) != 1 || seen[0].header.Get("Authorization") != basic("alice", "pw") || seen[0].header.Get("X-Other") != "" {
		t.Fatalf("the leader saw %+v", seen)
	}

	got = send(t, "POST", follower.url+"/connectors", create, nil)
	if got.status != http.StatusUnauthorized || string(got.body) != MsgUnauthorized {
		t.Fatalf("create without credentials: %d %s", got.status, got.body)
	}
	if n := len(leader.requests()); n != 1 {
		t.Fatalf("a request without credentials was forwarded (%d requests at the leader)", n)
	}
}

func TestJAASFileFromKafkaOpts(t *testing.T) {
	tests := []struct{ opts, want string }{
		{"", ""},
		{"-Xmx1g", ""},
		{"-Djava.security.auth.login.config=/etc/kafka/connect_jaas.conf", "/etc/kafka/connect_jaas.conf"},
		{"-Xmx1g  -Djava.security.auth.login.config=/a.conf\t-Dother=1", "/a.conf"},
		{"-Djava.security.auth.login.config=/a.conf -Djava.security.auth.login.config=/b.conf", "/b.conf"},
		{"-Djava.security.auth.login.config==/only.conf", "/only.conf"},
		{"-Djava.security.auth.login.configX=/a.conf", ""},
	}
	for _, tt := range tests {
		if got := JAASFileFromKafkaOpts(tt.opts); got != tt.want {
			t.Errorf("JAASFileFromKafkaOpts(%q) = %q, want %q", tt.opts, got, tt.want)
		}
	}
}

func TestLoadBasicAuth(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	creds := write("creds.properties", "# users\nalice=pw1\nbob: pw2\n")
	empty := write("empty.properties", "# nobody\n")
	jaas := func(name, body string) string { return write(name, body) }
	good := jaas("good.conf", "KafkaConnect {\n  "+PropertyFileLoginModule+" required\n  file=\""+creds+"\";\n};\n")
	tests := []struct {
		name, file string
		allow      map[string]bool // Authorization → allowed
		err        string
		warn       string
	}{
		{name: "good", file: good, allow: map[string]bool{basic("alice", "pw1"): true, basic("bob", "pw2"): true, basic("alice", "pw2"): false, "": false}},
		{name: "file URL", file: "file://" + good, allow: map[string]bool{basic("alice", "pw1"): true}},
		{name: "empty credentials file permits all", file: jaas("empty.conf", "KafkaConnect { "+PropertyFileLoginModule+" required file=\""+empty+"\"; };"),
			allow: map[string]bool{"": true, basic("x", "y"): true}, warn: "the credentials file is empty; all requests will be permitted"},
		{name: "no JAAS file", file: filepath.Join(dir, "missing.conf"), err: "missing.conf: no such file"},
		{name: "no KafkaConnect entry", file: jaas("other.conf", "KafkaServer { m required; };"), err: "has no KafkaConnect entry"},
		{name: "another login module", file: jaas("ldap.conf", "KafkaConnect { com.example.Ldap required; };"), err: "must have exactly one login module, " + PropertyFileLoginModule + "; sluice runs no other (it has 1: com.example.Ldap)"},
		{name: "two modules", file: jaas("two.conf", "KafkaConnect { "+PropertyFileLoginModule+" required file=\""+creds+"\"; "+PropertyFileLoginModule+" required file=\""+creds+"\"; };"), err: "it has 2"},
		{name: "no file option", file: jaas("nofile.conf", "KafkaConnect { "+PropertyFileLoginModule+" required; };"), err: "no file option"},
		{name: "missing credentials file", file: jaas("nocreds.conf", "KafkaConnect { "+PropertyFileLoginModule+" required file=\""+filepath.Join(dir, "nope.properties")+"\"; };"), err: "credentials file: open " + filepath.Join(dir, "nope.properties")},
		{name: "syntax error", file: jaas("bad.conf", "KafkaConnect { "+PropertyFileLoginModule+" required file=\""+creds+"\" }"), err: "bad.conf: entry KafkaConnect: line 1: expected an option name or ';'"},
		{name: "http URL", file: "http://example.com/jaas.conf", err: "not http:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			a, err := LoadBasicAuth(tt.file, slog.New(slog.NewTextHandler(&logs, nil)))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for h, want := range tt.allow {
				var v []string
				if h != "" {
					v = []string{h}
				}
				if got := a.Allow(v); got != want {
					t.Errorf("Allow(%q) = %v, want %v", h, got, want)
				}
			}
			if !strings.Contains(logs.String(), tt.warn) || (tt.warn == "") != (logs.Len() == 0) {
				t.Errorf("log %q, want %q", logs.String(), tt.warn)
			}
		})
	}
}
