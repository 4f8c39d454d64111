package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// answer is a REST answer as the wire carries it.
type answer struct {
	method, path string
	code         int
	body         []byte
	header       http.Header
}

func (a answer) String() string {
	return fmt.Sprintf("%s %s: %d %s", a.method, a.path, a.code, bytes.TrimSpace(a.body))
}

// send sends one request to a worker with net/http, so that the exact
// status code and body can be checked. body is sent as is when not empty.
func send(t *testing.T, n *node, method, path, body string, hdr http.Header) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+n.id+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, n.id, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s on %s: read the answer: %v", method, path, n.id, err)
	}
	return answer{method: method, path: path, code: resp.StatusCode, body: b, header: resp.Header}
}

// want checks the status code of an answer and decodes its body into out
// (if not nil).
func (a answer) want(t *testing.T, code int, out any) answer {
	t.Helper()
	if a.code != code {
		t.Fatalf("%s; want status %d", a, code)
	}
	if out != nil {
		// Decode into a zero value: json.Unmarshal merges into maps.
		v := reflect.ValueOf(out).Elem()
		v.Set(reflect.Zero(v.Type()))
		if err := json.Unmarshal(a.body, out); err != nil {
			t.Fatalf("%s: the body is not the JSON expected: %v", a, err)
		}
	}
	return a
}

// wantError checks that an answer is Kafka Connect's error: the status and
// {"error_code": status, "message": msg}.
func (a answer) wantError(t *testing.T, code int, msg string) {
	t.Helper()
	var em herder.ErrorMessage
	a.want(t, code, &em)
	if em.ErrorCode != code || em.Message != msg {
		t.Fatalf("%s; want {\"error_code\":%d,\"message\":%q}", a, code, msg)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q, want application/json", a, ct)
	}
}

// wantEmpty checks a status code and that the answer has no body.
func (a answer) wantEmpty(t *testing.T, code int) {
	t.Helper()
	a.want(t, code, nil)
	if len(bytes.TrimSpace(a.body)) != 0 {
		t.Fatalf("%s; want no body", a)
	}
}

// jsonEq reports whether two JSON texts hold the same value.
func jsonEq(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// onBoth waits until cond holds for the answer of the same GET on every
// given worker.
func onBoth(t *testing.T, cl *cluster, what, path string, cond func(a answer) bool, ns ...*node) {
	t.Helper()
	for _, n := range ns {
		var last answer
		eventually(t, 30*time.Second, what+" on "+n.id, func() (bool, string) {
			last = send(t, n, http.MethodGet, path, "", nil)
			return cond(last), last.String()
		}, cl.live()...)
	}
}

// statusIs returns a condition on GET /connectors/{c}/status: the
// connector and its tasks (exactly tasks of them) are in state.
func statusIs(state herder.State, tasks int) func(a answer) bool {
	return func(a answer) bool {
		var st herder.ConnectorStateInfo
		if a.code != http.StatusOK || json.Unmarshal(a.body, &st) != nil {
			return false
		}
		if st.Connector.State != state || len(st.Tasks) != tasks {
			return false
		}
		for _, ts := range st.Tasks {
			if ts.State != state {
				return false
			}
		}
		return true
	}
}

// awaitExactFile waits until path holds exactly want, failing at once if
// it holds anything that is not a prefix of it.
func awaitExactFile(t *testing.T, cl *cluster, path string, want []string) {
	t.Helper()
	text := strings.Join(want, "\n") + "\n"
	eventually(t, 30*time.Second, fmt.Sprintf("%s to hold %d lines", path, len(want)), func() (bool, string) {
		b, _ := os.ReadFile(path)
		if !strings.HasPrefix(text, string(b)) {
			t.Fatalf("%s holds %d bytes that are not a prefix of the %d lines expected:\n%s", path, len(b), len(want), tail(b, 400))
		}
		return string(b) == text, fmt.Sprintf("%d of %d bytes", len(b), len(text))
	}, cl.live()...)
}

var forwardLog = regexp.MustCompile(`msg="forwarding request".* method=(\S+) url="?https?://[^/]+([^?" ]*)`)

// forwardedRequests returns the method and path of every request a
// worker's log shows it forwarded.
func forwardedRequests(log string) map[string]bool {
	out := map[string]bool{}
	for _, m := range forwardLog.FindAllStringSubmatch(log, -1) {
		out[m[1]+" "+m[2]] = true
	}
	return out
}

func lines(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, line(i))
	}
	return out
}

// TestDistributedREST drives every endpoint of the REST API through the
// follower of a two-worker cluster, so that every request the leader or a
// connector's owner must answer is forwarded, and checks the answers are
// Kafka Connect's and the writes are visible through the leader.
func TestDistributedREST(t *testing.T) {
	cl := newCluster(t)
	cl.start("w1")
	cl.start("w2")
	l := cl.leader()
	f := cl.any(l)
	both := []*node{f, l}
	t.Logf("leader %s, follower %s", l.id, f.id)

	// GET / and /health.
	var info herder.ServerInfo
	send(t, f, "GET", "/", "", nil).want(t, 200, &info)
	if info.Version == "" || info.KafkaClusterID == "" {
		t.Fatalf("GET / on the follower: %+v, want version and kafka_cluster_id", info)
	}
	var linfo herder.ServerInfo
	send(t, l, "GET", "/", "", nil).want(t, 200, &linfo)
	if linfo != info {
		t.Fatalf("GET / differs: follower %+v, leader %+v", info, linfo)
	}
	for _, n := range both {
		var ws herder.WorkerStatus
		send(t, n, "GET", "/health", "", nil).want(t, 200, &ws)
		if ws != (herder.WorkerStatus{Status: "healthy", Message: "Worker has completed startup and is ready to handle requests."}) {
			t.Fatalf("GET /health on %s: %+v", n.id, ws)
		}
		if a := send(t, n, "GET", "/connectors", "", nil).want(t, 200, nil); string(bytes.TrimSpace(a.body)) != "[]" {
			t.Fatalf("%s; want []", a)
		}
	}

	topic := testkit.NewTopic(t, cl.bootstrap, 1)
	topic2 := testkit.NewTopic(t, cl.bootstrap, 1)
	in := filepath.Join(cl.dir, "in.txt")
	out, out2 := filepath.Join(cl.dir, "out.txt"), filepath.Join(cl.dir, "out2.txt")
	appendLines(t, in, 0, 100)

	// POST /connectors: 201 with Location, then 409 for the same name.
	srcCfg := map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": topic, "tasks.max": "1"}
	createBody, _ := json.Marshal(herder.CreateConnectorRequest{Name: "src", Config: srcCfg})
	a := send(t, f, "POST", "/connectors", string(createBody), nil)
	var ci herder.ConnectorInfo
	a.want(t, 201, &ci)
	if loc := a.header.Get("Location"); loc != "/connectors/src" {
		t.Fatalf("%s: Location %q, want /connectors/src", a, loc)
	}
	if ci.Name != "src" || ci.Type != herder.SourceType || ci.Config["name"] != "src" || ci.Config["file"] != in || len(ci.Tasks) != 0 {
		t.Fatalf("%s: want the created connector src, type source, no tasks yet", a)
	}
	onBoth(t, cl, "src's configuration", "/connectors/src/config", func(a answer) bool {
		var cfg map[string]string
		return a.code == 200 && json.Unmarshal(a.body, &cfg) == nil && cfg["file"] == in && cfg["name"] == "src"
	}, l)
	send(t, f, "POST", "/connectors", string(createBody), nil).wantError(t, 409, "Connector src already exists")

	// PUT /connectors/{c}/config of a new connector: 201 with Location.
	// The sink's consumer group is this run's own: other packages' tests run
	// a sink called sink at the same time on the same broker.
	sinkCfg := map[string]string{"connector.class": "FileStreamSink", "file": out, "topics": topic, "consumer.override.group.id": "connect-sink-" + topic}
	b, _ := json.Marshal(sinkCfg)
	a = send(t, f, "PUT", "/connectors/sink/config", string(b), nil)
	a.want(t, 201, &ci)
	if loc := a.header.Get("Location"); loc != "/connectors/sink" || ci.Name != "sink" || ci.Type != herder.SinkType {
		t.Fatalf("%s: Location %q; want 201 with Location /connectors/sink and the sink's info", a, loc)
	}
	cl.awaitRunning(60*time.Second, []string{"src", "sink"}, 1)
	eventually(t, 30*time.Second, "100 lines in the output", func() (bool, string) {
		n := distinctLines(out)
		return n == 100, fmt.Sprint(n)
	}, cl.live()...)

	// Every worker has read the RUNNING status records.
	for _, name := range []string{"src", "sink"} {
		onBoth(t, cl, name+" RUNNING", "/connectors/"+name+"/status", statusIs(herder.Running, 1), both...)
	}

	// GET /connectors and ?expand=status&expand=info.
	for _, n := range both {
		var names []string
		send(t, n, "GET", "/connectors", "", nil).want(t, 200, &names)
		if slices.Sort(names); !slices.Equal(names, []string{"sink", "src"}) {
			t.Fatalf("GET /connectors on %s: %v", n.id, names)
		}
	}
	var exp map[string]herder.ConnectorExpanded
	send(t, f, "GET", "/connectors?expand=status&expand=info", "", nil).want(t, 200, &exp)
	for name, kind := range map[string]herder.ConnectorType{"src": herder.SourceType, "sink": herder.SinkType} {
		e := exp[name]
		if e.Status == nil || e.Info == nil || e.Status.Connector.State != herder.Running || e.Status.Type != kind ||
			e.Info.Name != name || e.Info.Type != kind || len(e.Info.Tasks) != 1 {
			t.Fatalf("expanded entry of %s: %+v", name, e)
		}
	}

	// The reads answer the same on both workers.
	for _, p := range []string{"/connectors/src", "/connectors/src/config", "/connectors/src/status", "/connectors/src/tasks",
		"/connectors/src/tasks/0/status"} {
		fa := send(t, f, "GET", p, "", nil).want(t, 200, nil)
		la := send(t, l, "GET", p, "", nil).want(t, 200, nil)
		if !jsonEq(fa.body, la.body) {
			t.Fatalf("GET %s differs between the workers:\nfollower %s\nleader   %s", p, fa.body, la.body)
		}
	}
	var tasks []herder.TaskInfo
	send(t, f, "GET", "/connectors/src/tasks", "", nil).want(t, 200, &tasks)
	if len(tasks) != 1 || tasks[0].ID != (herder.TaskID{Connector: "src", Task: 0}) || tasks[0].Config["topic"] != topic {
		t.Fatalf("GET /connectors/src/tasks: %+v", tasks)
	}
	var ts herder.TaskState
	send(t, f, "GET", "/connectors/src/tasks/0/status", "", nil).want(t, 200, &ts)
	if ts.ID != 0 || ts.State != herder.Running || cl.nodes[ts.WorkerID] == nil {
		t.Fatalf("GET /connectors/src/tasks/0/status: %+v", ts)
	}

	// PUT config of an existing connector: 200; PATCH: 200.
	srcCfg["batch.size"] = "50"
	b, _ = json.Marshal(srcCfg)
	send(t, f, "PUT", "/connectors/src/config", string(b), nil).want(t, 200, &ci)
	if ci.Name != "src" || ci.Config["batch.size"] != "50" || len(ci.Tasks) != 1 {
		t.Fatalf("PUT /connectors/src/config answered %+v", ci)
	}
	configHas := func(k, v string) func(a answer) bool {
		return func(a answer) bool {
			var cfg map[string]string
			if a.code != 200 || json.Unmarshal(a.body, &cfg) != nil {
				return false
			}
			got, ok := cfg[k]
			return ok == (v != "") && got == v
		}
	}
	onBoth(t, cl, "batch.size 50", "/connectors/src/config", configHas("batch.size", "50"), l)
	send(t, f, "PATCH", "/connectors/src/config", `{"batch.size": null, "tasks.max": "1"}`, nil).want(t, 200, &ci)
	if _, ok := ci.Config["batch.size"]; ok || ci.Config["file"] != in {
		t.Fatalf("PATCH /connectors/src/config answered %+v; want batch.size removed, the rest kept", ci)
	}
	onBoth(t, cl, "batch.size removed", "/connectors/src/config", configHas("batch.size", ""), l)
	for _, name := range []string{"src", "sink"} {
		onBoth(t, cl, name+" RUNNING after the reconfiguration", "/connectors/"+name+"/status", statusIs(herder.Running, 1), both...)
	}

	// Restarts, through both workers: the plain connector restart is 204
	// with no body (it runs on the connector's owner, wherever the request
	// lands); with includeTasks it is 202 with the instances restarting; a
	// task restart is 204. Each restart shows as a new RUNNING record in
	// the status topic.
	startedAgain := func(key string, since time.Time) {
		t.Helper()
		eventually(t, 30*time.Second, key+" started again", func() (bool, string) {
			for _, r := range cl.readStatusTopic() {
				if r.key == key && r.state == "RUNNING" && !r.at.Before(since) {
					return true, ""
				}
			}
			return false, "no RUNNING record since " + since.Format("15:04:05.000")
		}, cl.live()...)
	}
	// A restart that meets the rebalance of the reconfiguration above is a
	// 409, which Kafka Connect's clients retry.
	restart := func(via *node, path string) answer {
		t.Helper()
		var a answer
		eventually(t, 30*time.Second, "POST "+path+" not to conflict with a rebalance", func() (bool, string) {
			a = send(t, via, "POST", path, "", nil)
			return a.code != http.StatusConflict, a.String()
		}, cl.live()...)
		return a
	}
	for _, via := range both {
		for _, name := range []string{"src", "sink"} {
			at := time.Now().Truncate(time.Millisecond)
			restart(via, "/connectors/"+name+"/restart").wantEmpty(t, 204)
			startedAgain("status-connector-"+name, at)
			at = time.Now().Truncate(time.Millisecond)
			restart(via, "/connectors/"+name+"/tasks/0/restart").wantEmpty(t, 204)
			startedAgain("status-task-"+name+"-0", at)
		}
	}
	send(t, f, "POST", "/connectors/src/tasks/1/restart", "", nil).wantError(t, 404, "Unknown task: src-1")
	restartAt := time.Now().Truncate(time.Millisecond)
	var rs herder.ConnectorStateInfo
	send(t, f, "POST", "/connectors/src/restart?includeTasks=true&onlyFailed=false", "", nil).want(t, 202, &rs)
	if rs.Name != "src" || rs.Connector.State != herder.Restarting || len(rs.Tasks) != 1 || rs.Tasks[0].State != herder.Restarting {
		t.Fatalf("restart with includeTasks answered %+v; want the connector and its task RESTARTING", rs)
	}
	eventually(t, 30*time.Second, "src's task restarted (RESTARTING in the status topic)", func() (bool, string) {
		for _, r := range cl.readStatusTopic() {
			if r.key == "status-task-src-0" && r.state == "RESTARTING" && !r.at.Before(restartAt) {
				return true, ""
			}
		}
		return false, "no RESTARTING record"
	}, cl.live()...)
	startedAgain("status-task-src-0", restartAt)
	onBoth(t, cl, "src RUNNING after the restarts", "/connectors/src/status", statusIs(herder.Running, 1), both...)

	// Pause, resume: 202.
	send(t, f, "PUT", "/connectors/src/pause", "", nil).wantEmpty(t, 202)
	onBoth(t, cl, "src PAUSED", "/connectors/src/status", statusIs(herder.Paused, 1), both...)
	send(t, f, "PUT", "/connectors/src/resume", "", nil).wantEmpty(t, 202)
	onBoth(t, cl, "src RUNNING", "/connectors/src/status", statusIs(herder.Running, 1), both...)

	// Offsets can only be changed while STOPPED.
	altered := fmt.Sprintf(`{"offsets":[{"partition":{"filename":%q},"offset":{"position":%d}}]}`, in, 50*100)
	send(t, f, "PATCH", "/connectors/src/offsets", altered, nil).wantError(t, 400,
		"Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/src/stop' endpoint")
	send(t, f, "PUT", "/connectors/src/stop", "", nil).wantEmpty(t, 204)
	onBoth(t, cl, "src STOPPED", "/connectors/src/status", statusIs(herder.Stopped, 0), both...)
	onBoth(t, cl, "src without tasks", "/connectors/src", func(a answer) bool {
		var ci herder.ConnectorInfo
		return a.code == 200 && json.Unmarshal(a.body, &ci) == nil && len(ci.Tasks) == 0
	}, both...)
	offsetsAre := func(want string) func(a answer) bool {
		return func(a answer) bool { return a.code == 200 && jsonEq(a.body, []byte(want)) }
	}
	onBoth(t, cl, "src's offsets at the end of the file", "/connectors/src/offsets",
		offsetsAre(fmt.Sprintf(`{"offsets":[{"partition":{"filename":%q},"offset":{"position":%d}}]}`, in, 100*100)), both...)

	// Topic tracking: the source wrote to topic; a reset empties the set.
	onBoth(t, cl, "src's active topics", "/connectors/src/topics", func(a answer) bool {
		return a.code == 200 && jsonEq(a.body, []byte(fmt.Sprintf(`{"src":{"topics":[%q]}}`, topic)))
	}, both...)
	send(t, f, "PUT", "/connectors/src/topics/reset", "", nil).wantEmpty(t, 202)
	onBoth(t, cl, "src's active topics reset", "/connectors/src/topics", func(a answer) bool {
		return a.code == 200 && jsonEq(a.body, []byte(`{"src":{"topics":[]}}`))
	}, both...)

	// PATCH offsets to the start of line 50, then send src and sink to a new
	// topic and file: the new file must start at line 50.
	var msg herder.Message
	send(t, f, "PATCH", "/connectors/src/offsets", altered, nil).want(t, 200, &msg)
	if msg.Message != herder.OffsetsAltered {
		t.Fatalf("PATCH offsets answered %q, want %q", msg.Message, herder.OffsetsAltered)
	}
	onBoth(t, cl, "src's altered offsets", "/connectors/src/offsets", offsetsAre(altered), both...)
	srcCfg["topic"] = topic2
	b, _ = json.Marshal(srcCfg)
	send(t, f, "PUT", "/connectors/src/config", string(b), nil).want(t, 200, nil)
	sinkCfg["topics"], sinkCfg["file"] = topic2, out2
	b, _ = json.Marshal(sinkCfg)
	send(t, f, "PUT", "/connectors/sink/config", string(b), nil).want(t, 200, nil)
	onBoth(t, cl, "src's new topic", "/connectors/src/config", configHas("topic", topic2), l)
	onBoth(t, cl, "sink's new file", "/connectors/sink/config", configHas("file", out2), l)
	onBoth(t, cl, "src still STOPPED", "/connectors/src/status", statusIs(herder.Stopped, 0), both...)
	send(t, f, "PUT", "/connectors/src/resume", "", nil).wantEmpty(t, 202)
	onBoth(t, cl, "src RUNNING from the altered offset", "/connectors/src/status", statusIs(herder.Running, 1), both...)
	awaitExactFile(t, cl, out2, lines(50, 100))

	// DELETE offsets: the source reads the file again from the start.
	send(t, f, "PUT", "/connectors/src/stop", "", nil).wantEmpty(t, 204)
	onBoth(t, cl, "src STOPPED", "/connectors/src/status", statusIs(herder.Stopped, 0), both...)
	send(t, f, "DELETE", "/connectors/src/offsets", "", nil).want(t, 200, &msg)
	if msg.Message != herder.OffsetsReset {
		t.Fatalf("DELETE offsets answered %q, want %q", msg.Message, herder.OffsetsReset)
	}
	onBoth(t, cl, "src's offsets reset", "/connectors/src/offsets", offsetsAre(`{"offsets":[]}`), both...)
	send(t, f, "PUT", "/connectors/src/resume", "", nil).wantEmpty(t, 202)
	awaitExactFile(t, cl, out2, append(lines(50, 100), lines(0, 100)...))

	// Plugins, their configuration and validation.
	var plugins, all []herder.PluginInfo
	pa := send(t, f, "GET", "/connector-plugins", "", nil).want(t, 200, &plugins)
	if la := send(t, l, "GET", "/connector-plugins", "", nil).want(t, 200, nil); !jsonEq(pa.body, la.body) {
		t.Fatalf("GET /connector-plugins differs:\nfollower %s\nleader   %s", pa.body, la.body)
	}
	hasPlugin := func(list []herder.PluginInfo, class, kind string) bool {
		return slices.ContainsFunc(list, func(p herder.PluginInfo) bool { return p.Class == class && p.Type == kind })
	}
	if !hasPlugin(plugins, "org.apache.kafka.connect.file.FileStreamSourceConnector", "source") ||
		!hasPlugin(plugins, "org.apache.kafka.connect.file.FileStreamSinkConnector", "sink") ||
		slices.ContainsFunc(plugins, func(p herder.PluginInfo) bool { return p.Type != "source" && p.Type != "sink" }) {
		t.Fatalf("GET /connector-plugins: %s", pa.body)
	}
	send(t, f, "GET", "/connector-plugins?connectorsOnly=false", "", nil).want(t, 200, &all)
	if len(all) <= len(plugins) || !slices.ContainsFunc(all, func(p herder.PluginInfo) bool { return p.Type == "transformation" }) ||
		!slices.ContainsFunc(all, func(p herder.PluginInfo) bool { return p.Type == "converter" }) {
		t.Fatalf("GET /connector-plugins?connectorsOnly=false lists no transformations or converters: %+v", all)
	}
	var keys []struct {
		Name string `json:"name"`
	}
	send(t, f, "GET", "/connector-plugins/FileStreamSourceConnector/config", "", nil).want(t, 200, &keys)
	if !slices.ContainsFunc(keys, func(k struct {
		Name string `json:"name"`
	}) bool {
		return k.Name == "topic"
	}) {
		t.Fatalf("GET /connector-plugins/FileStreamSourceConnector/config has no key topic: %+v", keys)
	}
	send(t, f, "GET", "/connector-plugins/NoSuchConnector/config", "", nil).wantError(t, 404, "Unknown plugin NoSuchConnector.")
	var infos herder.ConfigInfos
	const class = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	send(t, f, "PUT", "/connector-plugins/FileStreamSourceConnector/config/validate",
		fmt.Sprintf(`{"connector.class":%q,"name":"v","file":%q,"topic":%q}`, class, in, topic), nil).want(t, 200, &infos)
	if infos.Name != class || infos.ErrorCount != 0 || len(infos.Groups) == 0 || len(infos.Configs) == 0 {
		t.Fatalf("validate of a valid configuration: name %q, %d errors, groups %v", infos.Name, infos.ErrorCount, infos.Groups)
	}
	send(t, f, "PUT", "/connector-plugins/FileStreamSourceConnector/config/validate",
		fmt.Sprintf(`{"connector.class":%q,"name":"v","file":%q}`, class, in), nil).want(t, 200, &infos)
	if infos.ErrorCount == 0 || !slices.ContainsFunc(infos.Configs, func(c herder.ConfigInfo) bool {
		return c.Value != nil && c.Value.Name == "topic" && len(c.Value.Errors) > 0
	}) {
		t.Fatalf("validate without topic: %d errors, want one on topic", infos.ErrorCount)
	}

	// /admin/loggers: the worker scope changes one worker, the cluster scope
	// every worker.
	var loggers map[string]herder.LoggerLevel
	send(t, f, "GET", "/admin/loggers", "", nil).want(t, 200, &loggers)
	if loggers["root"].Level == "" {
		t.Fatalf("GET /admin/loggers has no root: %+v", loggers)
	}
	var affected []string
	send(t, f, "PUT", "/admin/loggers/sluice.e2e.worker", `{"level":"DEBUG"}`, nil).want(t, 200, &affected)
	if !slices.Equal(affected, []string{"sluice.e2e.worker"}) {
		t.Fatalf("PUT /admin/loggers/sluice.e2e.worker answered %v", affected)
	}
	var ll herder.LoggerLevel
	send(t, f, "GET", "/admin/loggers/sluice.e2e.worker", "", nil).want(t, 200, &ll)
	if ll.Level != "DEBUG" || ll.LastModified == nil {
		t.Fatalf("GET /admin/loggers/sluice.e2e.worker on the follower: %+v", ll)
	}
	send(t, l, "GET", "/admin/loggers/sluice.e2e.worker", "", nil).wantError(t, 404, "Logger sluice.e2e.worker not found.")
	send(t, f, "PUT", "/admin/loggers/sluice.e2e.cluster?scope=cluster", `{"level":"TRACE"}`, nil).wantEmpty(t, 204)
	onBoth(t, cl, "the cluster-scope level", "/admin/loggers/sluice.e2e.cluster", func(a answer) bool {
		var ll herder.LoggerLevel
		return a.code == 200 && json.Unmarshal(a.body, &ll) == nil && ll.Level == "TRACE" && ll.LastModified != nil
	}, l, f)
	send(t, f, "PUT", "/admin/loggers/sluice.e2e.cluster?scope=cluster", `{"level":"LOUD"}`, nil).wantError(t, 404, "invalid log level 'LOUD'.")

	// Internal endpoints: unsigned 400, a wrong key 403.
	for _, n := range both {
		taskBody := `[{"task.class":"x"}]`
		send(t, n, "POST", "/connectors/src/tasks", taskBody, nil).wantError(t, 400, "Internal request missing required signature")
		mac, err := herder.Sign([]byte("not the session key"), herder.DefaultSignatureAlgo, []byte(taskBody))
		if err != nil {
			t.Fatal(err)
		}
		hdr := http.Header{}
		hdr.Set(herder.SignatureHeader, base64.StdEncoding.EncodeToString(mac))
		hdr.Set(herder.SignatureAlgorithmHeader, herder.DefaultSignatureAlgo)
		send(t, n, "POST", "/connectors/src/tasks", taskBody, hdr).wantError(t, 403, "Internal request contained invalid signature.")
		send(t, n, "PUT", "/connectors/src/fence", "", nil).wantError(t, 400, "Internal request missing required signature")
	}
	// The wrongly signed task configurations changed nothing.
	send(t, l, "GET", "/connectors/src/tasks", "", nil).want(t, 200, &tasks)
	if len(tasks) != 1 || tasks[0].Config["topic"] != topic2 {
		t.Fatalf("src's tasks after rejected internal requests: %+v", tasks)
	}

	// DELETE: 204, then 404 everywhere.
	for _, name := range []string{"sink", "src"} {
		send(t, f, "DELETE", "/connectors/"+name, "", nil).wantEmpty(t, 204)
		for _, n := range both {
			eventually(t, 30*time.Second, name+" gone on "+n.id, func() (bool, string) {
				a := send(t, n, "GET", "/connectors/"+name+"/status", "", nil)
				return a.code == 404, a.String()
			}, cl.live()...)
			send(t, n, "GET", "/connectors/"+name, "", nil).wantError(t, 404, "Connector "+name+" not found")
		}
	}
	for _, n := range both {
		if a := send(t, n, "GET", "/connectors", "", nil).want(t, 200, nil); string(bytes.TrimSpace(a.body)) != "[]" {
			t.Fatalf("%s; want [] after the deletes", a)
		}
	}

	// The follower did not answer the leader's requests itself: it
	// forwarded them (the worker logs each forward at debug level).
	forwarded := forwardedRequests(f.w.Log())
	for _, want := range []string{"POST /connectors", "PUT /connectors/sink/config", "PUT /connectors/src/config",
		"PATCH /connectors/src/config", "POST /connectors/src/restart", "PUT /connectors/src/stop",
		"PATCH /connectors/src/offsets", "DELETE /connectors/src/offsets", "DELETE /connectors/src", "DELETE /connectors/sink"} {
		if !forwarded[want] {
			t.Errorf("the follower did not forward %s; it forwarded %v", want, mapsKeys(forwarded))
		}
	}

	// An unknown connector is a 404 on every worker, reads and writes.
	for _, n := range both {
		send(t, n, "GET", "/connectors/nope", "", nil).wantError(t, 404, "Connector nope not found")
		send(t, n, "GET", "/connectors/nope/config", "", nil).wantError(t, 404, "Connector nope not found")
		send(t, n, "GET", "/connectors/nope/status", "", nil).wantError(t, 404, "No status found for connector nope")
		send(t, n, "GET", "/connectors/nope/tasks", "", nil).wantError(t, 404, "Connector nope not found")
		send(t, n, "GET", "/connectors/nope/offsets", "", nil).wantError(t, 404, "Connector nope not found")
		send(t, n, "PUT", "/connectors/nope/pause", "", nil).wantError(t, 404, "Unknown connector nope")
		send(t, n, "PUT", "/connectors/nope/stop", "", nil).wantError(t, 404, "Unknown connector nope")
		send(t, n, "POST", "/connectors/nope/restart", "", nil).wantError(t, 404, "Unknown connector: nope")
		send(t, n, "PATCH", "/connectors/nope/config", `{"a":"b"}`, nil).wantError(t, 404, "Connector nope not found")
		send(t, n, "DELETE", "/connectors/nope", "", nil).wantError(t, 404, "Connector nope not found")
	}
}
