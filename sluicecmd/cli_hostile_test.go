package sluicecmd

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestCLIHostileFiles: every command that reads -f (and --cacert) refuses
// a directory, a file larger than 16 MiB, /dev/zero and binary data with
// exit 1 (2 for --cacert, a flag) and a message naming the file and what
// was expected, without sending a request or quoting the content.
func TestCLIHostileFiles(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxInputBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	binary := filepath.Join(dir, "binary.properties")
	if err := os.WriteFile(binary, []byte("a=1\nsecret=s3cr3t\x00\x01\x02"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []struct {
		path, why string
	}{
		{dir, "read " + dir + ": a directory, want "},
		{huge, "read " + huge + ": larger than 16 MiB, want "},
		{"/dev/zero", "read /dev/zero: larger than 16 MiB, want "},
		{binary, "read " + binary + ": binary data (a NUL byte at offset 17), want "},
		{filepath.Join(dir, "missing.json"), "read " + filepath.Join(dir, "missing.json") + ": no such file or directory"},
	}
	commands := []struct {
		args []string
		want string // what the file should be
	}{
		{[]string{"connectors", "create", "-f"}, "a connector configuration"},
		{[]string{"connectors", "validate", "-f"}, "a connector configuration"},
		{[]string{"connectors", "config", "set", "c", "-f"}, "a connector configuration"},
		{[]string{"connectors", "config", "patch", "c", "-f"}, "a JSON object"},
		{[]string{"offsets", "set", "c", "-f"}, `{"offsets":`},
		{[]string{"connectors", "list", "--cacert"}, "PEM certificates"},
	}
	base, seen := fakeConnect(t, nil)
	for _, c := range commands {
		for _, f := range files {
			args := append(append([]string{}, c.args...), f.path, "--url", base)
			code, out, errOut := cli(t, "", args...)
			wantCode := 1
			if c.args[len(c.args)-1] == "--cacert" {
				wantCode = 2
			}
			want := f.why
			if strings.HasSuffix(want, "want ") {
				want += c.want
			}
			if code != wantCode || out != "" || !strings.Contains(errOut, want) || strings.Contains(errOut, "s3cr3t") {
				t.Errorf("sluice %s: exit %d (want %d), stdout %q, stderr %q; want %q", strings.Join(args[:len(args)-2], " "), code, wantCode, out, errOut, want)
			}
		}
	}
	if len(*seen) != 0 {
		t.Errorf("requests sent: %v", *seen)
	}
}

// TestCLITimeout: a worker that accepts the request and never answers is
// given up after --timeout, with exit 1 and a message naming the worker,
// the time waited and the flag; --timeout must be positive (exit 2).
func TestCLITimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	for _, args := range [][]string{
		{"connectors", "list"},
		{"status"},
		{"connectors", "create", "-f", "-"},
	} {
		args = append(args, "--url", srv.URL, "--timeout", "200ms")
		code, out, errOut := cli(t, `{"name":"c","config":{"connector.class":"X"}}`, args...)
		want := "sluice: the worker at " + srv.URL + " did not answer within 200ms (--timeout)\n"
		if code != 1 || out != "" || errOut != want {
			t.Errorf("sluice %s: exit %d, stdout %q, stderr %q; want 1 and %q", strings.Join(args, " "), code, out, errOut, want)
		}
	}
	for _, bad := range []string{"0", "-1s", "soon"} {
		code, _, errOut := cli(t, "", "connectors", "list", "--url", srv.URL, "--timeout", bad)
		if code != 2 || !strings.Contains(errOut, "--timeout") {
			t.Errorf("--timeout %s: exit %d, stderr %q; want 2 naming --timeout", bad, code, errOut)
		}
	}
}

// TestCLIURLPasswordNeverShown: a password in the worker's URL
// (http://user:password@host) is sent, to the worker and to the other
// workers' /metrics, but never printed: not in errors, not on the status
// screen.
func TestCLIURLPasswordNeverShown(t *testing.T) {
	var auths []string
	var mu sync.Mutex
	worker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pw, _ := r.BasicAuth()
		mu.Lock()
		auths = append(auths, r.URL.Path+" "+user+":"+pw)
		mu.Unlock()
		switch r.URL.Path {
		case "/":
			io.WriteString(w, `{"version":"4.4.0","commit":"c","kafka_cluster_id":"K"}`)
		case "/connectors":
			io.WriteString(w, `{"s":{"status":{"name":"s","connector":{"state":"RUNNING","worker_id":"127.0.0.1:1"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:1"}],"type":"sink"}}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer worker.Close()
	withPassword := strings.Replace(worker.URL, "http://", "http://admin:s3cret@", 1)
	shown := strings.Replace(worker.URL, "http://", "http://admin:xxxxx@", 1)
	code, out, errOut := cli(t, "", "status", "--url", withPassword)
	if code != 0 || !strings.HasPrefix(out, "Worker "+shown+": version 4.4.0") || strings.Contains(out+errOut, "s3cret") {
		t.Errorf("status: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	mu.Lock()
	for _, a := range auths {
		if !strings.HasSuffix(a, " admin:s3cret") {
			t.Errorf("request without the URL's credentials: %s", a)
		}
	}
	mu.Unlock()

	refused := "http://admin:s3cret@" + strings.TrimPrefix(testkit.FreeListener(t), "http://")
	for _, tc := range []struct {
		url  string
		code int
		want string
	}{
		{refused, 1, "the worker at " + strings.Replace(refused, "s3cret", "xxxxx", 1) + " is not reachable"},
		{"http://admin:s3cret@h:8083/%zz", 2, `--url: invalid worker URL "http://admin:xxxxx@h:8083/%zz"`},
		{"http://admin:s3cret@h:8083?x=1", 2, `--url: invalid worker URL "http://admin:xxxxx@h:8083?x=1"`},
	} {
		code, out, errOut := cli(t, "", "connectors", "list", "--url", tc.url)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "s3cret") {
			t.Errorf("--url %s: exit %d, stderr %q; want %d and %q", tc.url, code, errOut, tc.code, tc.want)
		}
	}
}

// TestCLITerminalEscapes: control characters in what a worker answers (a
// status topic anyone may write to, a trace quoting a record) never reach
// the terminal raw: table cells are quoted, traces and messages keep their
// lines and tabs and show the rest as \x1b-style escapes; JSON and YAML
// escape them too.
func TestCLITerminalEscapes(t *testing.T) {
	const esc = `\u001b]0;pwned\u0007\u001b[2J`
	status := `{"name":"x` + esc + `","connector":{"state":"RUNNING","worker_id":"w` + esc + `:8083"},` +
		`"tasks":[{"id":0,"state":"FAILED","worker_id":"w:8083","trace":"boom` + esc + `\n\tat X.y(X.java:1)\n"}],"type":"sink"}`
	base, _ := fakeConnect(t, map[string]canned{
		"GET /":                                     {200, `{"version":"4.4.0` + esc + `","commit":"c","kafka_cluster_id":"K"}`},
		"GET /connectors?expand=status":             {200, `{"x` + esc + `":{"status":` + status + `}}`},
		"GET /connectors/x/status":                  {200, status},
		"GET /connectors/x/config":                  {200, `{"k` + esc + `":"v` + esc + `"}`},
		"GET /connectors/x":                         {200, `{"name":"x","config":{"k":"v` + esc + `"},"tasks":[],"type":"sink"}`},
		"DELETE /connectors/x":                      {409, `{"error_code":409,"message":"no` + esc + `"}`},
		"DELETE /connectors/x/offsets":              {200, `{"message":"reset` + esc + `"}`},
		"GET /connectors/x/tasks":                   {200, `[{"id":{"connector":"x","task":0},"config":{"k":"v` + esc + `"}}]`},
		"GET /connectors/x/topics":                  {200, `{"x":{"topics":["t` + esc + `"]}}`},
		"GET /connectors?expand=info&expand=status": {200, `{}`},
	})
	for _, args := range [][]string{
		{"status"}, {"status", "-o", "json"}, {"status", "-o", "yaml"},
		{"connectors", "status", "x"}, {"connectors", "get", "x"}, {"connectors", "get", "x", "-o", "yaml"},
		{"connectors", "delete", "x"}, {"offsets", "reset", "x"},
		{"connectors", "tasks", "x"}, {"connectors", "topics", "x"},
	} {
		_, out, errOut := cli(t, "", append(args, "--url", base)...)
		if strings.ContainsAny(out+errOut, "\x1b\x07") {
			t.Errorf("sluice %s: a raw control character reached the terminal:\n%q\n%q", strings.Join(args, " "), out, errOut)
		}
	}
	// Traces keep their lines; the escape is shown.
	_, out, _ := cli(t, "", "connectors", "status", "x", "--url", base)
	if !strings.Contains(out, "Task 0 trace:\nboom\\x1b]0;pwned\\a\\x1b[2J\n\tat X.y(X.java:1)\n") {
		t.Errorf("connectors status: trace shown as\n%s", out)
	}
}

// TestStatusScrapesBounded: status's scrapes of many silent workers end
// within the phase bound, every task of theirs marked unavailable with the
// reason (no answer in one scrape's time, or in the phase's, which cuts
// short those asked late and those not asked yet); the command does not
// wait for each in turn.
func TestStatusScrapesBounded(t *testing.T) {
	const workers = 40
	conns := map[string]herder.ConnectorStateInfo{}
	for i := range workers {
		// A listener that never accepts: the request gets no answer.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		name := fmt.Sprintf("c%02d", i)
		conns[name] = herder.ConnectorStateInfo{Name: name, Type: herder.SinkType,
			Tasks: []herder.TaskState{{ID: 0, State: herder.Running, WorkerID: l.Addr().String()}}}
	}
	base, _ := fakeConnect(t, nil) // its /metrics: 404
	s := scraper{http: cliHTTP{hc: &http.Client{}}, scheme: "http", timeout: 100 * time.Millisecond, phase: 150 * time.Millisecond}
	start := time.Now()
	figures, unavailable := s.taskMetrics(context.Background(), base, conns)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the scrapes took %v", took)
	}
	cut := 0
	for name, f := range figures {
		if len(f) != 1 || f[0].Unavailable == "" || f[0].Lag != nil {
			t.Errorf("%s: %+v, want unavailable", name, f)
			continue
		}
		if strings.Contains(f[0].Unavailable, "gave no answer in the 150ms all the workers' scrapes may take") {
			cut++
		} else if !strings.Contains(f[0].Unavailable, "no answer within 100ms") {
			t.Errorf("%s: %q", name, f[0].Unavailable)
		}
	}
	if len(figures) != workers || len(unavailable) != workers || cut < workers-maxScrapes {
		t.Errorf("%d connectors' figures, %d workers unavailable, %d cut by the bound (want %d at least)", len(figures), len(unavailable), cut, workers-maxScrapes)
	}
}

// TestStatusCredentialsOnlyToURLWorker: the workers sluice status scrapes
// besides --url's are named by the statuses (the status topic, which can
// be forged): they get the basic credentials only with
// --credentials-to-workers; without it one that wants them shows why.
func TestStatusCredentialsOnlyToURLWorker(t *testing.T) {
	var mu sync.Mutex
	var got []string // the Authorization headers the other worker saw
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprintln(w, `kafka_connect_sink_task_metrics_sink_record_send_total{connector="c",task="0"} 7`)
	}))
	defer other.Close()
	conns := map[string]herder.ConnectorStateInfo{"c": {Name: "c", Type: herder.SinkType,
		Tasks: []herder.TaskState{{ID: 0, State: herder.Running, WorkerID: strings.TrimPrefix(other.URL, "http://")}}}}
	base, _ := fakeConnect(t, nil) // its /metrics: 404
	for _, send := range []bool{false, true} {
		got = nil
		s := scraper{http: cliHTTP{hc: &http.Client{}, user: "u", password: "secret", basic: true}, scheme: "http",
			timeout: 5 * time.Second, phase: 10 * time.Second, credentialsToOthers: send}
		figures, unavailable := s.taskMetrics(context.Background(), base, conns)
		f := figures["c"]
		switch {
		case len(got) != 1:
			t.Errorf("send=%v: the other worker was asked %d times", send, len(got))
		case !send && got[0] != "":
			t.Errorf("the other worker got credentials without --credentials-to-workers: %q", got[0])
		case !send && (len(f) != 1 || !strings.Contains(f[0].Unavailable, "--credentials-to-workers") || len(unavailable) != 1):
			t.Errorf("without credentials: %+v %v, want the reason naming --credentials-to-workers", f, unavailable)
		case send && (len(f) != 1 || f[0].Records == nil || *f[0].Records != 7):
			t.Errorf("with --credentials-to-workers: %+v %v, want 7 records", f, unavailable)
		}
	}
}
