package sluicecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/sluicehq/sluice/internal/testkit"
)

// canned is one answer of the fake worker.
type canned struct {
	status int
	body   string
}

// seenRequest is a request the fake worker received.
type seenRequest struct {
	route string // "METHOD /escaped/path?query"
	body  string
}

// fakeConnect serves canned answers in Kafka Connect's shapes, keyed by
// "METHOD /escaped/path?query"; any other request gets a 404 ErrorMessage.
func fakeConnect(t *testing.T, answers map[string]canned) (string, *[]seenRequest) {
	t.Helper()
	var seen []seenRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r.Method + " " + r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			route += "?" + r.URL.RawQuery
		}
		b, _ := io.ReadAll(r.Body)
		seen = append(seen, seenRequest{route: route, body: string(b)})
		a, ok := answers[route]
		if !ok {
			a = canned{404, `{"error_code":404,"message":"no canned answer for ` + route + `"}`}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &seen
}

// cli runs a client command as main would and returns its exit status and
// output.
func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runCLI(context.Background(), args[0], args[1:], strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

const (
	// Statuses as Kafka Connect 4.4 answers them (KIP-891 version; null
	// when unknown).
	sinkStatus = `{"name":"orders sink","connector":{"state":"RUNNING","worker_id":"10.0.0.1:8083","version":"4.4.0"},
	  "tasks":[{"id":0,"state":"RUNNING","worker_id":"10.0.0.1:8083","version":"4.4.0"},
	           {"id":1,"state":"FAILED","worker_id":"10.0.0.2:8083","version":null,"trace":"org.apache.kafka.connect.errors.ConnectException: boom\n\tat Foo.bar(Foo.java:1)\n"}],
	  "type":"sink"}`
	sourceStatus = `{"name":"file-source","connector":{"state":"STOPPED","worker_id":"10.0.0.1:8083","version":"4.4.0"},"tasks":[],"type":"source"}`
	sinkInfo     = `{"name":"orders sink","config":{"connector.class":"FileStreamSink","name":"orders sink","topics":"orders","file":"/tmp/out.txt"},
	  "tasks":[{"connector":"orders sink","task":0},{"connector":"orders sink","task":1}],"type":"sink"}`
)

// TestCLIOutput runs each command against canned answers and checks the
// exact output and the requests made.
func TestCLIOutput(t *testing.T) {
	answers := map[string]canned{
		"GET /connectors?expand=status":                                            {200, `{"orders sink":{"status":` + sinkStatus + `},"file-source":{"status":` + sourceStatus + `}}`},
		"GET /connectors/orders%20sink":                                            {200, sinkInfo},
		"GET /connectors/orders%20sink/status":                                     {200, sinkStatus},
		"GET /connectors/file-source/status":                                       {200, sourceStatus},
		"DELETE /connectors/orders%20sink":                                         {204, ""},
		"PUT /connectors/orders%20sink/pause":                                      {202, ""},
		"PUT /connectors/orders%20sink/resume":                                     {202, ""},
		"PUT /connectors/orders%20sink/stop":                                       {204, ""},
		"POST /connectors/orders%20sink/restart":                                   {204, ""},
		"POST /connectors/orders%20sink/tasks/1/restart":                           {204, ""},
		"POST /connectors/orders%20sink/restart?includeTasks=true&onlyFailed=true": {202, strings.Replace(sinkStatus, `"id":1,"state":"FAILED"`, `"id":1,"state":"RESTARTING"`, 1)},
		"GET /connectors/orders%20sink/offsets": {200, `{"offsets":[
		    {"partition":{"kafka_topic":"orders","kafka_partition":0},"offset":{"kafka_offset":9007199254740993}},
		    {"partition":{"kafka_topic":"orders","kafka_partition":1},"offset":{"kafka_offset":5}}]}`},
		"DELETE /connectors/orders%20sink/offsets": {200, `{"message":"The offsets for this connector have been reset successfully"}`},
		"GET /connector-plugins": {200, `[{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink","version":"3.9.0"},
		    {"class":"org.apache.kafka.connect.file.FileStreamSourceConnector","type":"source","version":"3.9.0"}]`},
		"GET /connector-plugins?connectorsOnly=false": {200, `[{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink","version":"3.9.0"},
		    {"class":"org.apache.kafka.connect.transforms.Cast$Value","type":"transformation"}]`},
	}
	base, seen := fakeConnect(t, answers)
	tests := []struct {
		name  string
		args  []string
		route string
		want  string
	}{
		{
			name:  "list",
			args:  []string{"connectors", "list"},
			route: "GET /connectors?expand=status",
			want: "" +
				"NAME         TYPE    STATE    TASKS\n" +
				"file-source  source  STOPPED  0/0\n" +
				"orders sink  sink    RUNNING  1/2\n",
		},
		{
			name:  "get",
			args:  []string{"connectors", "get", "orders sink"},
			route: "GET /connectors/orders%20sink",
			want: "" +
				"KEY              VALUE\n" +
				"connector.class  FileStreamSink\n" +
				"file             /tmp/out.txt\n" +
				"name             orders sink\n" +
				"topics           orders\n",
		},
		{
			name:  "status with a failed task",
			args:  []string{"connectors", "status", "orders sink"},
			route: "GET /connectors/orders%20sink/status",
			want: "" +
				"Connector orders sink (sink): RUNNING on 10.0.0.1:8083\n" +
				"\n" +
				"ID  STATE    WORKER\n" +
				"0   RUNNING  10.0.0.1:8083\n" +
				"1   FAILED   10.0.0.2:8083\n" +
				"\n" +
				"Task 1 trace:\n" +
				"org.apache.kafka.connect.errors.ConnectException: boom\n" +
				"\tat Foo.bar(Foo.java:1)\n",
		},
		{
			name:  "status of a stopped connector",
			args:  []string{"connectors", "status", "file-source"},
			route: "GET /connectors/file-source/status",
			want:  "Connector file-source (source): STOPPED on 10.0.0.1:8083\nNo tasks.\n",
		},
		{name: "delete", args: []string{"connectors", "delete", "orders sink"}, route: "DELETE /connectors/orders%20sink", want: "Deleted connector orders sink.\n"},
		{name: "pause", args: []string{"connectors", "pause", "orders sink"}, route: "PUT /connectors/orders%20sink/pause", want: "Pausing connector orders sink.\n"},
		{name: "resume", args: []string{"connectors", "resume", "orders sink"}, route: "PUT /connectors/orders%20sink/resume", want: "Resuming connector orders sink.\n"},
		{name: "stop", args: []string{"connectors", "stop", "orders sink"}, route: "PUT /connectors/orders%20sink/stop", want: "Stopping connector orders sink.\n"},
		{name: "restart", args: []string{"connectors", "restart", "orders sink"}, route: "POST /connectors/orders%20sink/restart", want: "Restarted connector orders sink.\n"},
		{name: "restart task", args: []string{"connectors", "restart", "orders sink", "--task", "1"}, route: "POST /connectors/orders%20sink/tasks/1/restart", want: "Restarted task orders sink-1.\n"},
		{
			name:  "restart failed instances",
			args:  []string{"connectors", "restart", "--include-tasks", "orders sink", "--only-failed"},
			route: "POST /connectors/orders%20sink/restart?includeTasks=true&onlyFailed=true",
			want: "" +
				"Connector orders sink (sink): RUNNING on 10.0.0.1:8083\n" +
				"\n" +
				"ID  STATE       WORKER\n" +
				"0   RUNNING     10.0.0.1:8083\n" +
				"1   RESTARTING  10.0.0.2:8083\n" +
				"\n" +
				"Task 1 trace:\n" +
				"org.apache.kafka.connect.errors.ConnectException: boom\n" +
				"\tat Foo.bar(Foo.java:1)\n",
		},
		{
			name:  "offsets get",
			args:  []string{"offsets", "get", "orders sink"},
			route: "GET /connectors/orders%20sink/offsets",
			want: "" +
				"PARTITION                                     OFFSET\n" +
				`{"kafka_partition":0,"kafka_topic":"orders"}  {"kafka_offset":9007199254740993}` + "\n" +
				`{"kafka_partition":1,"kafka_topic":"orders"}  {"kafka_offset":5}` + "\n",
		},
		{
			name:  "offsets reset",
			args:  []string{"offsets", "reset", "orders sink"},
			route: "DELETE /connectors/orders%20sink/offsets",
			want:  "The offsets for this connector have been reset successfully\n",
		},
		{
			name:  "plugins",
			args:  []string{"plugins"},
			route: "GET /connector-plugins",
			want: "" +
				"CLASS                                                    TYPE    VERSION\n" +
				"org.apache.kafka.connect.file.FileStreamSinkConnector    sink    3.9.0\n" +
				"org.apache.kafka.connect.file.FileStreamSourceConnector  source  3.9.0\n",
		},
		{
			name:  "plugins --all",
			args:  []string{"plugins", "--all"},
			route: "GET /connector-plugins?connectorsOnly=false",
			want: "" +
				"CLASS                                                  TYPE            VERSION\n" +
				"org.apache.kafka.connect.file.FileStreamSinkConnector  sink            3.9.0\n" +
				"org.apache.kafka.connect.transforms.Cast$Value         transformation\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			*seen = nil
			code, out, errOut := cli(t, "", append(tc.args, "--url", base)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			if out != tc.want {
				t.Errorf("output\n%s\nwant\n%s", out, tc.want)
			}
			if len(*seen) != 1 || (*seen)[0].route != tc.route {
				t.Errorf("requests %v, want one %s", *seen, tc.route)
			}
		})
	}
}

// outputFormatsConnect serves the answers TestCLIJSON and TestCLIYAML
// print: a status, offsets with an integer beyond float64's exact range,
// and a 202 without a body.
func outputFormatsConnect(t *testing.T) string {
	t.Helper()
	base, _ := fakeConnect(t, map[string]canned{
		"GET /connectors/orders%20sink/status":  {200, sinkStatus},
		"GET /connectors/orders%20sink/offsets": {200, `{"offsets":[{"partition":{"kafka_topic":"orders","kafka_partition":0},"offset":{"kafka_offset":9007199254740993}}]}`},
		"PUT /connectors/orders%20sink/pause":   {202, ""},
	})
	return base
}

// TestCLIJSON checks that -o json prints the API's answer, indented.
func TestCLIJSON(t *testing.T) {
	base := outputFormatsConnect(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"connectors", "status", "orders sink"}, sinkStatus},
		{[]string{"offsets", "get", "orders sink"}, `{"offsets":[{"partition":{"kafka_partition":0,"kafka_topic":"orders"},"offset":{"kafka_offset":9007199254740993}}]}`},
		{[]string{"connectors", "pause", "orders sink"}, ""},
	} {
		code, out, errOut := cli(t, "", append(tc.args, "-o", "json", "--url", base)...)
		if code != 0 {
			t.Fatalf("%v: exit %d, stderr %s", tc.args, code, errOut)
		}
		want := ""
		if tc.want != "" {
			var buf bytes.Buffer
			if err := json.Indent(&buf, []byte(tc.want), "", "  "); err != nil {
				t.Fatal(err)
			}
			// The same document, with keys in Go's (sorted) order.
			var v any
			dec := json.NewDecoder(&buf)
			dec.UseNumber()
			dec.Decode(&v)
			b, _ := json.MarshalIndent(v, "", "  ")
			want = string(b) + "\n"
			if !json.Valid([]byte(out)) || !strings.Contains(out, "\n  ") {
				t.Errorf("%v: not indented JSON:\n%s", tc.args, out)
			}
			var got any
			dec = json.NewDecoder(strings.NewReader(out))
			dec.UseNumber()
			dec.Decode(&got)
			gb, _ := json.MarshalIndent(got, "", "  ")
			out = string(gb) + "\n"
		}
		if out != want {
			t.Errorf("%v: output\n%s\nwant\n%s", tc.args, out, want)
		}
	}
}

// TestCLICreate creates connectors from each kind of file and checks the
// request body.
func TestCLICreate(t *testing.T) {
	base, seen := fakeConnect(t, map[string]canned{
		"POST /connectors": {201, `{"name":"orders sink","config":{"name":"orders sink"},"tasks":[],"type":"sink"}`},
	})
	dir := t.TempDir()
	tests := []struct {
		name, file, content, stdin string
		want                       string
	}{
		{
			name: "request JSON with initial_state", file: "req.json",
			content: `{"name":"orders sink","config":{"connector.class":"FileStreamSink","topics":"orders"},"initial_state":"STOPPED"}`,
			want:    `{"name":"orders sink","config":{"connector.class":"FileStreamSink","name":"orders sink","topics":"orders"},"initial_state":"STOPPED"}`,
		},
		{
			name: "flat JSON", file: "flat.json",
			content: `{"name":"orders sink","connector.class":"FileStreamSink","topics":"orders"}`,
			want:    `{"name":"orders sink","config":{"connector.class":"FileStreamSink","name":"orders sink","topics":"orders"}}`,
		},
		{
			name: "properties", file: "sink.properties",
			content: "name=orders sink\nconnector.class=FileStreamSink\ntopics=orders\nfile=${env:OUT}\n",
			want:    `{"name":"orders sink","config":{"connector.class":"FileStreamSink","file":"${env:OUT}","name":"orders sink","topics":"orders"}}`,
		},
		{
			name: "stdin", file: "-",
			stdin: `{"name":"orders sink","config":{"connector.class":"FileStreamSink"}}`,
			want:  `{"name":"orders sink","config":{"connector.class":"FileStreamSink","name":"orders sink"}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			*seen = nil
			path := tc.file
			if tc.file != "-" {
				path = write(t, dir, tc.file, tc.content)
			}
			code, out, errOut := cli(t, tc.stdin, "connectors", "create", "-f", path, "--url", base)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			if out != "Created connector orders sink (sink).\n" {
				t.Errorf("output %q", out)
			}
			if len(*seen) != 1 || (*seen)[0].route != "POST /connectors" || (*seen)[0].body != tc.want {
				t.Errorf("requests %+v, want POST /connectors with %s", *seen, tc.want)
			}
		})
	}

	t.Run("no name", func(t *testing.T) {
		*seen = nil
		path := write(t, dir, "noname.properties", "connector.class=FileStreamSink\n")
		code, _, errOut := cli(t, "", "connectors", "create", "-f", path, "--url", base)
		if code != 1 || !strings.Contains(errOut, `no connector name: set "name"`) || len(*seen) != 0 {
			t.Errorf("exit %d, stderr %q, requests %v", code, errOut, *seen)
		}
	})
}

func TestCLIOffsetsSet(t *testing.T) {
	base, seen := fakeConnect(t, map[string]canned{
		"PATCH /connectors/orders%20sink/offsets": {200, `{"message":"The offsets for this connector have been altered successfully"}`},
	})
	const body = `{"offsets":[{"partition":{"kafka_partition":0,"kafka_topic":"orders"},"offset":{"kafka_offset":9007199254740993}},{"partition":{"kafka_partition":1,"kafka_topic":"orders"},"offset":null}]}`
	path := write(t, t.TempDir(), "offsets.json", body)
	for _, args := range [][]string{
		{"offsets", "set", "orders sink", "-f", path},
		{"offsets", "set", "-f", "-", "orders sink"},
	} {
		*seen = nil
		code, out, errOut := cli(t, body, append(args, "--url", base)...)
		if code != 0 {
			t.Fatalf("%v: exit %d, stderr %s", args, code, errOut)
		}
		if out != "The offsets for this connector have been altered successfully\n" {
			t.Errorf("%v: output %q", args, out)
		}
		if len(*seen) != 1 || (*seen)[0].body != body {
			t.Errorf("%v: requests %+v", args, *seen)
		}
	}
	bad := write(t, t.TempDir(), "bad.json", `{"offset":[]}`)
	if code, _, errOut := cli(t, "", "offsets", "set", "orders sink", "-f", bad, "--url", base); code != 1 || !strings.Contains(errOut, `want {"offsets":`) {
		t.Errorf("bad file: exit %d, stderr %q", code, errOut)
	}
}

// TestCLIFlagPlacement checks that flags work before, between and after the
// arguments, that "--" ends them, and that SLUICE_URL is the default URL.
func TestCLIFlagPlacement(t *testing.T) {
	base, seen := fakeConnect(t, map[string]canned{
		"GET /connectors/orders%20sink/status": {200, sinkStatus},
		"GET /connectors/-o/status":            {200, sourceStatus},
	})
	for _, args := range [][]string{
		{"connectors", "--url", base, "status", "orders sink"},
		{"connectors", "status", "--url=" + base, "orders sink"},
		{"connectors", "status", "orders sink", "--url", base},
		{"connectors", "-url", base, "-o", "json", "status", "orders sink"},
		{"connectors", "status", "--output", "json", "orders sink", "--url", base},
	} {
		*seen = nil
		code, _, errOut := cli(t, "", args...)
		if code != 0 || len(*seen) != 1 || (*seen)[0].route != "GET /connectors/orders%20sink/status" {
			t.Errorf("%q: exit %d, stderr %s, requests %v", args, code, errOut, *seen)
		}
	}

	*seen = nil
	if code, _, errOut := cli(t, "", "connectors", "status", "--url", base, "--", "-o"); code != 0 || len(*seen) != 1 || (*seen)[0].route != "GET /connectors/-o/status" {
		t.Errorf("after --: exit %d, stderr %s, requests %v", code, errOut, *seen)
	}

	t.Setenv("SLUICE_URL", base)
	*seen = nil
	if code, _, errOut := cli(t, "", "connectors", "status", "orders sink"); code != 0 || len(*seen) != 1 {
		t.Errorf("SLUICE_URL: exit %d, stderr %s, requests %v", code, errOut, *seen)
	}
}

func TestCLIErrors(t *testing.T) {
	base, _ := fakeConnect(t, map[string]canned{
		"GET /connectors/nope/status": {404, `{"error_code":404,"message":"No status found for connector nope"}`},
		"PUT /connectors/nope/stop":   {500, "<html>proxy error</html>"},
	})
	code, out, errOut := cli(t, "", "connectors", "status", "nope", "--url", base)
	if code != 1 || out != "" || errOut != "sluice: No status found for connector nope (HTTP 404)\n" {
		t.Errorf("404: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = cli(t, "", "connectors", "stop", "nope", "--url", base)
	if code != 1 || errOut != "sluice: <html>proxy error</html> (HTTP 500)\n" {
		t.Errorf("500: exit %d, stderr %q", code, errOut)
	}

	srv := httptest.NewServer(http.NotFoundHandler())
	down := srv.URL
	srv.Close()
	code, _, errOut = cli(t, "", "connectors", "list", "--url", down)
	if want := "sluice: the worker at " + down + " is not reachable: connection refused"; code != 1 || !strings.HasPrefix(errOut, want) {
		t.Errorf("refused: exit %d, stderr %q, want prefix %q", code, errOut, want)
	}
}

func TestCLIUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"connectors"}, "sluice connectors: missing action"},
		{[]string{"connectors", "frob"}, `sluice connectors: unknown action "frob"`},
		{[]string{"connectors", "status"}, "sluice connectors status: missing connector NAME"},
		{[]string{"connectors", "status", "a", "b"}, `sluice connectors status: unexpected argument "b"`},
		{[]string{"connectors", "list", "x"}, `sluice connectors list: unexpected argument "x"`},
		{[]string{"connectors", "list", "--include-tasks", "-f", "x"}, "sluice connectors list: -f, --include-tasks does not apply"},
		{[]string{"connectors", "create"}, "sluice connectors create: missing -f FILE"},
		{[]string{"connectors", "restart", "a", "--task", "1", "--include-tasks"}, "--task restarts one task"},
		{[]string{"connectors", "restart", "a", "--task", "-1"}, "task numbers start at 0"},
		{[]string{"connectors", "restart", "a", "--task", "one"}, `invalid value "one" for flag -task`},
		{[]string{"connectors", "list", "-o", "xml"}, "sluice connectors list: -o xml: want table, json or yaml"},
		{[]string{"connectors", "list", "--url", "localhost:8083"}, `sluice connectors list: --url: invalid worker URL "localhost:8083": want http://host:port`},
		{[]string{"connectors", "list", "--nope"}, "sluice connectors: flag provided but not defined: -nope"},
		{[]string{"offsets", "set", "a"}, "sluice offsets set: missing -f FILE"},
		{[]string{"connectors", "config"}, `sluice connectors: unknown action "config"`},
		{[]string{"connectors", "config", "frob", "a"}, `sluice connectors: unknown action "config"`},
		{[]string{"connectors", "config", "patch", "-f", "x"}, "sluice connectors config patch: missing connector NAME"},
		{[]string{"connectors", "config", "set", "a", "b", "-f", "x"}, `sluice connectors config set: unexpected argument "b"`},
		{[]string{"connectors", "config", "set", "a"}, "sluice connectors config set: missing -f FILE"},
		{[]string{"connectors", "validate", "a", "-f", "x"}, `sluice connectors validate: unexpected argument "a"`},
		{[]string{"connectors", "tasks"}, "sluice connectors tasks: missing connector NAME"},
		{[]string{"connectors", "topics", "a", "--all"}, "sluice connectors topics: --all does not apply"},
		{[]string{"offsets"}, "sluice offsets: missing action"},
		{[]string{"plugins", "sink"}, `sluice plugins: unexpected argument "sink"`},
		{[]string{"plugins", "-f", "x"}, "sluice plugins: -f does not apply"},
	}
	for _, tc := range tests {
		code, out, errOut := cli(t, "", tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "Usage:\n  sluice "+tc.args[0]) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q with the usage", tc.args, code, out, errOut, tc.want)
		}
	}
	for _, args := range [][]string{{"connectors", "-h"}, {"offsets", "--help"}, {"plugins", "help"}, {"connectors", "help"}} {
		code, out, errOut := cli(t, "", args...)
		if code != 0 || !strings.HasPrefix(out, "Usage:\n  sluice "+args[0]) || errOut != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// TestCLIFromMain checks main's dispatch to the client commands, and that
// the top-level usage lists them.
func TestCLIFromMain(t *testing.T) {
	base, seen := fakeConnect(t, map[string]canned{"GET /connector-plugins": {200, `[]`}})
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"plugins", "--url", base}, nil, &stdout, &stderr); code != 0 || stdout.String() != "CLASS  TYPE  VERSION\n" || len(*seen) != 1 {
		t.Errorf("plugins: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	Main([]string{"help"}, nil, &stdout, &stderr)
	for _, c := range []string{"sluice connectors", "sluice offsets", "sluice plugins"} {
		if !strings.Contains(stdout.String(), c) {
			t.Errorf("usage does not list %q", c)
		}
	}
}

// Credentials sent over plain http beyond loopback are warned about; to
// loopback, over https, or without credentials, not.
func TestPlainCredentialsWarning(t *testing.T) {
	tests := []struct {
		credentials bool
		url         string
		warn        bool
	}{
		{true, "http://10.0.0.5:8083", true},
		{true, "http://connect.example.com:8083", true},
		{true, "http://localhost:8083", false},
		{true, "http://127.0.0.1:8083", false},
		{true, "http://[::1]:8083", false},
		{true, "https://connect.example.com:8443", false},
		{false, "http://10.0.0.5:8083", false},
	}
	for _, tt := range tests {
		got := plainCredentialsWarning(tt.credentials, tt.url)
		if (got != "") != tt.warn {
			t.Errorf("plainCredentialsWarning(%v, %s) = %q, want a warning %v", tt.credentials, tt.url, got, tt.warn)
		}
	}
}

// TestCLIConfigFiles checks what config patch and validate send, and their
// refusals of files they cannot use, against canned answers.
func TestCLIConfigFiles(t *testing.T) {
	base, seen := fakeConnect(t, map[string]canned{
		"PATCH /connectors/a/config": {200, `{"name":"a","config":{"name":"a"},"tasks":[],"type":"sink"}`},
	})
	dir := t.TempDir()
	write := func(content string) string {
		t.Helper()
		p := dir + "/f" + strconv.Itoa(len(*seen)) + strconv.Itoa(len(content)) + ".json"
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	code, out, errOut := cli(t, `{"topics":"x","file":null}`, "connectors", "config", "patch", "a", "-f", "-", "--url", base)
	if code != 0 || out != "Patched connector a (sink).\n" || errOut != "" {
		t.Fatalf("patch: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var body map[string]*string
	if err := json.Unmarshal([]byte((*seen)[0].body), &body); err != nil || len(body) != 2 || body["file"] != nil || *body["topics"] != "x" {
		t.Fatalf("patch sent %q (%v)", (*seen)[0].body, err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"connectors", "config", "patch", "a", "-f", write(`{"secret":1}`)}, `value of "secret" must be a string or null, got a number`},
		{[]string{"connectors", "config", "patch", "a", "-f", write(`[]`)}, "not a JSON object"},
		{[]string{"connectors", "validate", "-f", write(`{"topics":"x"}`)}, "no connector.class"},
		{[]string{"connectors", "config", "set", "-f", write(`{"connector.class":"X"}`)}, `no connector name: give NAME or set "name"`},
		{[]string{"connectors", "config", "set", "b", "-f", write(`{"name":"a","connector.class":"X"}`)}, `its name "a" is not the connector "b"`},
	}
	n := len(*seen)
	for _, tc := range tests {
		code, _, errOut := cli(t, "", append(tc.args, "--url", base)...)
		if code != 1 || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "1}") {
			t.Errorf("%q: exit %d, stderr %q, want 1 and %q", tc.args, code, errOut, tc.want)
		}
	}
	if len(*seen) != n {
		t.Errorf("a refused file still sent %v", (*seen)[n:])
	}
}

// TestCLIYAML checks that -o yaml prints the API's answer as YAML, exact
// integers kept, and nothing for an answer without a body.
func TestCLIYAML(t *testing.T) {
	base := outputFormatsConnect(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"offsets", "get", "orders sink"}, `offsets:
- offset:
    kafka_offset: 9007199254740993
  partition:
    kafka_partition: 0
    kafka_topic: orders
`},
		{[]string{"connectors", "status", "orders sink"}, `connector:
  state: RUNNING
  version: 4.4.0
  worker_id: 10.0.0.1:8083
name: orders sink
tasks:
- id: 0
  state: RUNNING
  version: 4.4.0
  worker_id: 10.0.0.1:8083
- id: 1
  state: FAILED
  trace: "org.apache.kafka.connect.errors.ConnectException: boom\n\tat Foo.bar(Foo.java:1)\n"
  version: null
  worker_id: 10.0.0.2:8083
type: sink
`},
		{[]string{"connectors", "pause", "orders sink"}, ""},
	} {
		code, out, errOut := cli(t, "", append(tc.args, "-o", "yaml", "--url", base)...)
		if code != 0 || out != tc.want {
			t.Errorf("%v: exit %d, stderr %q, output\n%s\nwant\n%s", tc.args, code, errOut, out, tc.want)
		}
	}
}

// TestCLIStatusOverview checks sluice status's screen against canned
// answers: the worker, the workers the statuses name, every connector and
// task with the figures of its worker's /metrics (the answering worker's,
// another worker's, "?" for a worker that does not answer), and the first
// line of each failure.
func TestCLIStatusOverview(t *testing.T) {
	// Worker B serves the source's task; worker C is not listening.
	workerB := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "# TYPE kafka_connect_source_task_metrics_source_record_write_total counter\n"+
			`kafka_connect_source_task_metrics_source_record_write_total{connector="file-source",task="0"} 2500`+"\n"+
			"# TYPE kafka_connect_task_error_metrics_total_record_errors counter\n"+
			`kafka_connect_task_error_metrics_total_record_errors{connector="file-source",task="0"} 0`+"\n")
	}))
	defer workerB.Close()
	b := strings.TrimPrefix(workerB.URL, "http://")
	c := strings.TrimPrefix(testkit.FreeListener(t), "http://") // nothing listens there
	// The answering worker A runs the sink's task 0: 30 records behind on
	// two partitions.
	metricsA := "# TYPE kafka_consumer_consumer_fetch_manager_metrics_records_lag gauge\n" +
		`kafka_consumer_consumer_fetch_manager_metrics_records_lag{client_id="connector-consumer-orders sink-0",client_type="consumer",connector="orders sink",partition="0",task="0",topic="orders"} 10` + "\n" +
		`kafka_consumer_consumer_fetch_manager_metrics_records_lag{client_id="connector-consumer-orders sink-0",client_type="consumer",connector="orders sink",partition="1",task="0",topic="orders"} 20` + "\n" +
		"# TYPE kafka_connect_sink_task_metrics_sink_record_lag_max gauge\n" +
		`kafka_connect_sink_task_metrics_sink_record_lag_max{connector="orders sink",task="0"} 20` + "\n" +
		"# TYPE kafka_connect_sink_task_metrics_sink_record_send_total counter\n" +
		`kafka_connect_sink_task_metrics_sink_record_send_total{connector="orders sink",task="0"} 120` + "\n" +
		"# TYPE kafka_connect_task_error_metrics_total_record_errors counter\n" +
		`kafka_connect_task_error_metrics_total_record_errors{connector="orders sink",task="0"} 3` + "\n"
	sink := strings.ReplaceAll(strings.ReplaceAll(sinkStatus, "10.0.0.2:8083", c), "10.0.0.1:8083", "a:8083")
	source := `{"name":"file-source","connector":{"state":"RUNNING","worker_id":"` + b + `"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"` + b + `"}],"type":"source"}`
	base, _ := fakeConnect(t, map[string]canned{
		"GET /":                         {200, `{"version":"4.4.0","commit":"abc123","kafka_cluster_id":"K1"}`},
		"GET /connectors?expand=status": {200, `{"orders sink":{"status":` + sink + `},"file-source":{"status":` + source + `}}`},
		"GET /metrics":                  {200, metricsA},
	})
	code, out, errOut := cli(t, "", "status", "--url", base)
	workers := []string{"a:8083", b, c}
	slices.Sort(workers)
	pad := func(s string) string { return s + strings.Repeat(" ", len(b)-len(s)) }
	want := "Worker " + base + ": version 4.4.0, commit abc123, Kafka cluster K1\n" +
		"Workers running connectors or tasks (3): " + strings.Join(workers, ", ") + "\n" +
		"\n" +
		"CONNECTOR    TASK  TYPE    STATE    " + pad("WORKER") + "  LAG  LAG MAX  RECORDS  ERRORS\n" +
		"file-source  -     source  RUNNING  " + b + "\n" +
		"file-source  0     source  RUNNING  " + b + "  -    -        2500     0\n" +
		"orders sink  -     sink    RUNNING  a:8083\n" +
		"orders sink  0     sink    RUNNING  " + pad("a:8083") + "  30   20       120      3\n" +
		"orders sink  1     sink    FAILED   " + pad(c) + "  ?    ?        ?        ?\n" +
		"? worker " + c + " not reachable: dial tcp " + c + ": connect: connection refused\n" +
		"\n" +
		"Failures (sluice connectors status NAME shows the whole trace):\n" +
		"  orders sink task 1: org.apache.kafka.connect.errors.ConnectException: boom\n"
	if code != 0 || out != want || errOut != "" {
		t.Fatalf("status: exit %d, stderr %q, output\n%s\nwant\n%s", code, errOut, out, want)
	}
	for _, format := range []string{"json", "yaml"} {
		code, out, _ = cli(t, "", "status", "-o", format, "--url", base)
		b := []byte(out)
		if format == "yaml" {
			var err error
			if b, err = yaml.YAMLToJSON(b); err != nil {
				t.Fatalf("status -o yaml: %v\n%s", err, out)
			}
		}
		var o struct {
			Worker             struct{ Commit string }
			Workers            []string
			Connectors         map[string]struct{ Tasks []struct{ State string } }
			Metrics            map[string][]taskFigures
			MetricsUnavailable map[string]string `json:"metrics_unavailable"`
		}
		if err := json.Unmarshal(b, &o); code != 0 || err != nil || o.Worker.Commit != "abc123" ||
			strings.Join(o.Workers, ",") != strings.Join(workers, ",") || len(o.Connectors) != 2 || o.Connectors["orders sink"].Tasks[1].State != "FAILED" {
			t.Fatalf("status -o %s: exit %d, %v, %+v\n%s", format, code, err, o, out)
		}
		sinkTasks, srcTasks := o.Metrics["orders sink"], o.Metrics["file-source"]
		if len(sinkTasks) != 2 || len(srcTasks) != 1 ||
			sinkTasks[0].Lag == nil || *sinkTasks[0].Lag != 30 || sinkTasks[0].LagMax == nil || *sinkTasks[0].LagMax != 20 || *sinkTasks[0].Records != 120 || *sinkTasks[0].Errors != 3 ||
			sinkTasks[1].Lag != nil || !strings.Contains(sinkTasks[1].Unavailable, "connection refused") ||
			srcTasks[0].Lag != nil || srcTasks[0].Records == nil || *srcTasks[0].Records != 2500 ||
			!strings.Contains(o.MetricsUnavailable[c], "connection refused") || len(o.MetricsUnavailable) != 1 {
			t.Fatalf("status -o %s: metrics %+v, unavailable %v\n%s", format, o.Metrics, o.MetricsUnavailable, out)
		}
	}
	if code, _, errOut := cli(t, "", "status", "x", "--url", base); code != 2 || !strings.Contains(errOut, `sluice status: unexpected argument "x"`) {
		t.Fatalf("status x: exit %d, stderr %q", code, errOut)
	}
}
