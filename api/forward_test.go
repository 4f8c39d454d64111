package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// clusterHerder is a worker of a fake group: it either redirects every call
// to another worker, or answers it. It implements herder.Internal and, with
// a key, verifies signatures as Kafka Connect's DistributedHerder does.
type clusterHerder struct {
	nopHerder
	mu       sync.Mutex
	redirect *herder.RedirectError // nil: answer
	created  bool
	key      []byte
	configs  []map[string]string
	sig      *herder.InternalSignature
	internal int // internal calls that reached the herder
}

func (h *clusterHerder) setRedirect(r *herder.RedirectError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.redirect = r
}

// redirected returns the redirect to answer with, or nil.
func (h *clusterHerder) redirected() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.redirect == nil {
		return nil
	}
	r := *h.redirect
	return &r
}

func (h *clusterHerder) PutConnectorConfig(_ context.Context, name string, cfg map[string]string, _ bool, _ herder.TargetState) (herder.ConnectorInfo, bool, error) {
	if err := h.redirected(); err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return herder.ConnectorInfo{Name: name, Config: cfg, Tasks: []herder.TaskID{}, Type: herder.SourceType}, h.created, nil
}

func (h *clusterHerder) ConnectorInfo(_ context.Context, name string) (herder.ConnectorInfo, error) {
	if err := h.redirected(); err != nil {
		return herder.ConnectorInfo{}, err
	}
	return herder.ConnectorInfo{}, herder.NotFound("Connector %s not found", name)
}

func (h *clusterHerder) ConnectorStatus(_ context.Context, name string) (herder.ConnectorStateInfo, error) {
	if err := h.redirected(); err != nil {
		return herder.ConnectorStateInfo{}, err
	}
	return herder.ConnectorStateInfo{Name: name, Connector: herder.ConnectorState{State: herder.Running, WorkerID: "target:8083"},
		Tasks: []herder.TaskState{}, Type: herder.SourceType}, nil
}

func (h *clusterHerder) RestartConnector(_ context.Context, name string, includeTasks, onlyFailed bool) (herder.ConnectorStateInfo, error) {
	if err := h.redirected(); err != nil {
		return herder.ConnectorStateInfo{}, err
	}
	return herder.ConnectorStateInfo{Name: name, Connector: herder.ConnectorState{State: herder.Restarting, WorkerID: "target:8083"},
		Tasks: []herder.TaskState{}, Type: herder.SinkType}, nil
}

func (h *clusterHerder) DeleteConnector(context.Context, string) error { return h.redirected() }

// checkSignature is DistributedHerder.requestNotSignedProperly, with a key
// always present.
func (h *clusterHerder) checkSignature(sig *herder.InternalSignature) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.internal++
	h.sig = sig
	if h.key == nil {
		return nil
	}
	if sig == nil {
		return herder.BadRequest("Internal request missing required signature")
	}
	if !sig.Verify(h.key) {
		return &herder.Error{Code: http.StatusForbidden, Message: "Internal request contained invalid signature."}
	}
	return nil
}

func (h *clusterHerder) PutTaskConfigs(_ context.Context, _ string, configs []map[string]string, sig *herder.InternalSignature) error {
	if err := h.checkSignature(sig); err != nil {
		return err
	}
	if err := h.redirected(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.configs = configs
	return nil
}

func (h *clusterHerder) FenceZombies(_ context.Context, _ string, sig *herder.InternalSignature) error {
	if err := h.checkSignature(sig); err != nil {
		return err
	}
	return h.redirected()
}

// seenRequest is a request as a worker received it.
type seenRequest struct {
	method, path string
	query        url.Values
	header       http.Header
	body         []byte
}

// member is a worker of the fake group on a test server.
type member struct {
	url    string
	herder *clusterHerder
	mu     sync.Mutex
	seen   []seenRequest
}

func (m *member) requests() []seenRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]seenRequest(nil), m.seen...)
}

func newMember(t *testing.T, h *clusterHerder) *member {
	t.Helper()
	return newMemberWith(t, h, Options{Herder: h})
}

// newMemberWith is newMember serving with opts (whose Herder is h).
func newMemberWith(t *testing.T, h *clusterHerder, opts Options) *member {
	t.Helper()
	m := &member{herder: h}
	api := NewHandler(opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		m.mu.Lock()
		m.seen = append(m.seen, seenRequest{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.Query(), header: r.Header.Clone(), body: b})
		m.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	m.url = srv.URL
	return m
}

// exchange is an answer as the client got it.
type exchange struct {
	status int
	header http.Header
	body   []byte
}

func (e exchange) errorMessage(t *testing.T) herder.ErrorMessage {
	t.Helper()
	var em herder.ErrorMessage
	dec := json.NewDecoder(bytes.NewReader(e.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&em); err != nil {
		t.Fatalf("answer %d %s is not an ErrorMessage: %v", e.status, e.body, err)
	}
	return em
}

func send(t *testing.T, method, u, body string, header map[string]string) exchange {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, b := testkit.HTTPDo(t, req)
	return exchange{status: resp.StatusCode, header: resp.Header, body: b}
}

// TestForwardHops follows Kafka Connect's hop rule over three workers: the
// first forwards with forward=true, the second with forward=false, and a
// third redirect is a 409.
func TestForwardHops(t *testing.T) {
	a, b, c := newMember(t, &clusterHerder{}), newMember(t, &clusterHerder{}), newMember(t, &clusterHerder{created: true})
	a.herder.setRedirect(&herder.RedirectError{URL: b.url, Leader: true, Message: "not the leader"})
	b.herder.setRedirect(&herder.RedirectError{URL: c.url + "/", Leader: true, Message: "not the leader either"})

	cfg := `{"connector.class": "X",   "tasks.max": 1}`
	got := send(t, "PUT", a.url+"/connectors/my%20conn/config", cfg, nil)
	if got.status != http.StatusCreated {
		t.Fatalf("status %d %s, want 201 from the third worker", got.status, got.body)
	}
	if loc := got.header.Get("Location"); loc != "/connectors/my%20conn" {
		t.Errorf("Location = %q, want the target's /connectors/my%%20conn", loc)
	}
	var info herder.ConnectorInfo
	if err := json.Unmarshal(got.body, &info); err != nil || info.Name != "my conn" || info.Config["tasks.max"] != "1" {
		t.Errorf("body %s (%v), want the target's ConnectorInfo", got.body, err)
	}
	bs, cs := b.requests(), c.requests()
	if len(bs) != 1 || len(cs) != 1 {
		t.Fatalf("b saw %d requests, c %d; want 1 each", len(bs), len(cs))
	}
	for _, tc := range []struct {
		who  string
		r    seenRequest
		want string
	}{{"b", bs[0], "true"}, {"c", cs[0], "false"}} {
		if tc.r.method != "PUT" || tc.r.path != "/connectors/my%20conn/config" {
			t.Errorf("%s saw %s %s", tc.who, tc.r.method, tc.r.path)
		}
		if f := tc.r.query["forward"]; len(f) != 1 || f[0] != tc.want {
			t.Errorf("%s saw forward=%v, want %s", tc.who, f, tc.want)
		}
		if string(tc.r.body) != cfg {
			t.Errorf("%s saw body %q, want the original bytes %q", tc.who, tc.r.body, cfg)
		}
	}

	// Not created: 200 passes through, without a Location.
	c.herder.mu.Lock()
	c.herder.created = false
	c.herder.mu.Unlock()
	got = send(t, "PUT", a.url+"/connectors/my%20conn/config", cfg, nil)
	if got.status != http.StatusOK || got.header.Get("Location") != "" {
		t.Errorf("replace: %d Location %q, want 200 without Location", got.status, got.header.Get("Location"))
	}

	// The third worker redirects too: it got forward=false, so 409, relayed
	// back unchanged through both hops.
	c.herder.setRedirect(&herder.RedirectError{URL: a.url, Leader: true, Message: "rebalanced"})
	got = send(t, "DELETE", a.url+"/connectors/x", "", nil)
	if em := got.errorMessage(t); got.status != http.StatusConflict || em.ErrorCode != 409 ||
		em.Message != "Cannot complete request because of a conflicting operation (e.g. worker rebalance)" {
		t.Errorf("third hop: %d %s", got.status, got.body)
	}
	if n := len(a.requests()); n != 3 {
		t.Errorf("a saw %d requests, want 3 (the third worker must not forward back)", n)
	}

	// A request that already says forward=true is forwarded once, with
	// forward=false; forward=false is not forwarded at all.
	b.herder.setRedirect(nil)
	before := len(b.requests())
	got = send(t, "DELETE", a.url+"/connectors/x?forward=true", "", nil)
	if got.status != http.StatusNoContent {
		t.Errorf("forward=true: %d %s, want b's 204", got.status, got.body)
	}
	got = send(t, "DELETE", a.url+"/connectors/x?forward=false", "", nil)
	if em := got.errorMessage(t); got.status != 409 || !strings.Contains(em.Message, "conflicting operation") {
		t.Errorf("forward=false: %d %s", got.status, got.body)
	}
	if len(b.requests()) != before+1 {
		t.Errorf("b saw %d more requests, want 1 (the forward=true one)", len(b.requests())-before)
	}
	if last := b.requests()[before]; last.query.Get("forward") != "false" {
		t.Errorf("forward=true arrived at b with forward=%q, want false", last.query.Get("forward"))
	}
	// An invalid forward parameter is a 400 (checked before the herder).
	got = send(t, "DELETE", a.url+"/connectors/x?forward=maybe", "", nil)
	if got.status != http.StatusBadRequest {
		t.Errorf("forward=maybe: %d %s, want 400", got.status, got.body)
	}
}

// TestForwardAnswers checks what a forwarded request's answer becomes:
// GETs are forwarded too, other query parameters go along, 202 bodies and
// error bodies pass through unchanged.
func TestForwardAnswers(t *testing.T) {
	a, b := newMember(t, &clusterHerder{}), newMember(t, &clusterHerder{})
	a.herder.setRedirect(&herder.RedirectError{URL: b.url, Message: "owned by b"})

	got := send(t, "GET", a.url+"/connectors/c/status", "", nil)
	var st herder.ConnectorStateInfo
	if err := json.Unmarshal(got.body, &st); got.status != 200 || err != nil || st.Connector.WorkerID != "target:8083" {
		t.Errorf("GET status: %d %s", got.status, got.body)
	}

	got = send(t, "POST", a.url+"/connectors/c/restart?includeTasks=true&onlyFailed=false", "", nil)
	if err := json.Unmarshal(got.body, &st); got.status != http.StatusAccepted || err != nil || st.Connector.State != herder.Restarting {
		t.Errorf("restart: %d %s, want b's 202", got.status, got.body)
	}
	last := b.requests()[len(b.requests())-1]
	if q := last.query; q.Get("includeTasks") != "true" || q.Get("onlyFailed") != "false" || q.Get("forward") != "true" || len(q) != 3 {
		t.Errorf("b saw query %v, want includeTasks, onlyFailed and forward=true", q)
	}

	// The target's 404 arrives as the target wrote it.
	direct := send(t, "GET", b.url+"/connectors/missing", "", nil)
	got = send(t, "GET", a.url+"/connectors/missing", "", nil)
	if got.status != http.StatusNotFound || !bytes.Equal(got.body, direct.body) {
		t.Errorf("forwarded 404: %d %s, want %d %s", got.status, got.body, direct.status, direct.body)
	}
	if em := got.errorMessage(t); em.ErrorCode != 404 || em.Message != "Connector missing not found" {
		t.Errorf("forwarded 404 body %s", got.body)
	}
}

// TestForwardHeaders checks that only Authorization and the internal
// request signature are copied from the original request, with Kafka
// Connect's Accept, Content-Type and User-Agent.
func TestForwardHeaders(t *testing.T) {
	a, b := newMember(t, &clusterHerder{}), newMember(t, &clusterHerder{created: true})
	a.herder.setRedirect(&herder.RedirectError{URL: b.url, Leader: true, Message: "not the leader"})
	body := `{"name":"c","config":{"connector.class":"X"}}`
	got := send(t, "POST", a.url+"/connectors", body, map[string]string{
		"Authorization": "Basic dXNlcjpwYXNz", "Cookie": "session=1", "X-Custom": "yes",
		"Content-Type": "application/vnd.example+json", "User-Agent": "curl/8", herder.SignatureHeader: "c2ln",
	})
	if got.status != http.StatusCreated || got.header.Get("Location") != "/connectors/c" {
		t.Fatalf("create: %d %s Location %q", got.status, got.body, got.header.Get("Location"))
	}
	r := b.requests()[0]
	for k, want := range map[string]string{
		"Authorization": "Basic dXNlcjpwYXNz", "Accept": "application/json", "Content-Type": "application/json",
		"User-Agent": ForwardUserAgent, "Cookie": "", "X-Custom": "", herder.SignatureHeader: "c2ln",
	} {
		if v := r.header.Get(k); v != want {
			t.Errorf("forwarded %s = %q, want %q", k, v, want)
		}
	}
	if string(r.body) != body {
		t.Errorf("forwarded body %q, want %q", r.body, body)
	}

	// Without a body: no Content-Type, no Authorization if there was none.
	send(t, "DELETE", a.url+"/connectors/c", "", nil)
	r = b.requests()[1]
	if r.header.Get("Content-Type") != "" || r.header.Get("Authorization") != "" || len(r.body) != 0 {
		t.Errorf("DELETE forwarded with Content-Type %q, Authorization %q, body %q", r.header.Get("Content-Type"), r.header.Get("Authorization"), r.body)
	}
}

// TestForwardFailures covers the answers that are not relayed: no known
// leader, an unreachable worker, an answer that is not Kafka Connect's,
// and a redirect status (never followed).
func TestForwardFailures(t *testing.T) {
	a := newMember(t, &clusterHerder{})
	a.herder.setRedirect(&herder.RedirectError{URL: "", Leader: true, Message: "no leader"})
	got := send(t, "DELETE", a.url+"/connectors/c", "", nil)
	if em := got.errorMessage(t); got.status != 409 || em.Message != "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway." {
		t.Errorf("unknown leader: %d %s", got.status, got.body)
	}

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	a.herder.setRedirect(&herder.RedirectError{URL: gone.URL, Leader: true, Message: "leader gone"})
	got = send(t, "DELETE", a.url+"/connectors/c", "", nil)
	if em := got.errorMessage(t); got.status != 500 || !strings.HasPrefix(em.Message, "IO Error trying to forward REST request: ") ||
		!strings.Contains(em.Message, strings.TrimPrefix(gone.URL, "http://")) {
		t.Errorf("unreachable leader: %d %s", got.status, got.body)
	}

	var followed bool
	odd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/connectors/proxy":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html>bad gateway</html>")
		case "/connectors/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			followed = true
		}
	}))
	t.Cleanup(odd.Close)
	a.herder.setRedirect(&herder.RedirectError{URL: odd.URL, Leader: true, Message: "leader"})
	got = send(t, "DELETE", a.url+"/connectors/proxy", "", nil)
	if em := got.errorMessage(t); got.status != 500 || !strings.Contains(em.Message, "HTTP 502") || !strings.Contains(em.Message, "bad gateway") {
		t.Errorf("non-Connect error answer: %d %s", got.status, got.body)
	}
	got = send(t, "DELETE", a.url+"/connectors/moved", "", nil)
	if em := got.errorMessage(t); got.status != 500 || em.Message != "Unexpected status code when handling forwarded request: 302" {
		t.Errorf("redirect answer: %d %s", got.status, got.body)
	}
	if followed {
		t.Error("the forwarding client followed a redirect")
	}
}

// TestForwardClientOption checks that Options.ForwardClient sends the
// forwarded requests and still does not follow redirects.
func TestForwardClientOption(t *testing.T) {
	var used bool
	b := newMember(t, &clusterHerder{})
	h := &clusterHerder{}
	h.setRedirect(&herder.RedirectError{URL: b.url, Message: "b"})
	hc := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	srv := httptest.NewServer(NewHandler(Options{Herder: h, ForwardClient: hc}))
	defer srv.Close()
	if got := send(t, "DELETE", srv.URL+"/connectors/c", "", nil); got.status != 204 || !used {
		t.Errorf("%d %s, custom client used %v", got.status, got.body, used)
	}
	if hc.CheckRedirect != nil {
		t.Error("the caller's client was changed")
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestInternalSigned sends signed internal requests with the client, as a
// follower does, to a herder that verifies them with the session key.
func TestInternalSigned(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	leader := newMember(t, &clusterHerder{key: key})
	c, err := client.New(leader.url)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	configs := []map[string]string{{"task.class": "X", "file": "<a&b>"}, {"task.class": "X"}}
	if err := c.PutTaskConfigs(ctx, "c", configs, key, ""); err != nil {
		t.Fatalf("signed PutTaskConfigs: %v", err)
	}
	leader.herder.mu.Lock()
	gotConfigs, sig := leader.herder.configs, leader.herder.sig
	leader.herder.mu.Unlock()
	if len(gotConfigs) != 2 || gotConfigs[0]["file"] != "<a&b>" {
		t.Errorf("herder got %v", gotConfigs)
	}
	if sig == nil || sig.Algorithm != "HmacSHA256" || !bytes.Equal(sig.Body, leader.requests()[0].body) {
		t.Errorf("signature %+v does not carry the exact request bytes %q", sig, leader.requests()[0].body)
	}
	if err := c.FenceZombies(ctx, "c", key, "HmacSHA512"); err != nil {
		t.Fatalf("signed FenceZombies: %v", err)
	}

	// A wrong key: the herder's 403.
	var he *herder.Error
	if err := c.PutTaskConfigs(ctx, "c", configs, []byte("wrong"), ""); !errors.As(err, &he) || he.Code != 403 {
		t.Errorf("wrong key: %v, want the herder's 403", err)
	}
	if err := c.FenceZombies(ctx, "c", []byte("wrong"), ""); !errors.As(err, &he) || he.Code != 403 {
		t.Errorf("wrong key (fence): %v, want the herder's 403", err)
	}

	// Missing headers: the herder gets a nil signature and decides.
	for _, hdr := range []map[string]string{nil, {herder.SignatureHeader: "c2ln"}, {herder.SignatureAlgorithmHeader: "HmacSHA256"}} {
		got := send(t, "POST", leader.url+"/connectors/c/tasks", `[]`, hdr)
		leader.herder.mu.Lock()
		sig := leader.herder.sig
		leader.herder.mu.Unlock()
		if em := got.errorMessage(t); got.status != 400 || em.Message != "Internal request missing required signature" || sig != nil {
			t.Errorf("headers %v: %d %s, herder signature %+v", hdr, got.status, got.body, sig)
		}
	}
	// An unsigned fence request signs the empty body.
	mac, _ := herder.Sign(key, "HmacSHA256", nil)
	got := send(t, "PUT", leader.url+"/connectors/c/fence", "", map[string]string{
		herder.SignatureHeader: base64.StdEncoding.EncodeToString(mac), herder.SignatureAlgorithmHeader: "HmacSHA256"})
	if got.status != http.StatusNoContent {
		t.Errorf("fence signed over the empty body: %d %s", got.status, got.body)
	}
}

// TestInternalBadRequests checks the 400s answered before the herder is
// called, and the standalone answers.
func TestInternalBadRequests(t *testing.T) {
	m := newMember(t, &clusterHerder{key: []byte("k")})
	for _, tc := range []struct {
		name, method, path, body string
		header                   map[string]string
		want                     string
	}{
		{"bad base64", "POST", "/connectors/c/tasks", `[]`,
			map[string]string{herder.SignatureHeader: "not base64!", herder.SignatureAlgorithmHeader: "HmacSHA256"}, "Invalid X-Connect-Authorization header: expected the request signature in base64"},
		{"bad base64 (fence)", "PUT", "/connectors/c/fence", ``,
			map[string]string{herder.SignatureHeader: "%%%", herder.SignatureAlgorithmHeader: "HmacSHA256"}, "Invalid X-Connect-Authorization header"},
		{"unknown algorithm", "POST", "/connectors/c/tasks", `[]`,
			map[string]string{herder.SignatureHeader: "c2ln", herder.SignatureAlgorithmHeader: "HmacMD5"}, `Unsupported request signature algorithm "HmacMD5" in the X-Connect-Request-Signature-Algorithm header`},
		{"no body", "POST", "/connectors/c/tasks", ``, nil, "Request body is required"},
		{"not an array", "POST", "/connectors/c/tasks", `{"a":"b"}`, nil, "expected a JSON array"},
		{"null", "POST", "/connectors/c/tasks", `null`, nil, "Request body is null"},
		{"not objects", "POST", "/connectors/c/tasks", `["a"]`, nil, `task configuration 0 must be a JSON object of string values, got "a"`},
		{"null value", "POST", "/connectors/c/tasks", `[{"a":"b"},{"k":null}]`, nil, `task configuration 1 has a null value for key "k"`},
		{"bad forward", "POST", "/connectors/c/tasks?forward=x", `[]`, nil, "Invalid value \"x\" for query parameter forward"},
	} {
		got := send(t, tc.method, m.url+tc.path, tc.body, tc.header)
		if em := got.errorMessage(t); got.status != 400 || !strings.Contains(em.Message, tc.want) {
			t.Errorf("%s: %d %s, want 400 containing %q", tc.name, got.status, got.body, tc.want)
		}
	}
	m.herder.mu.Lock()
	defer m.herder.mu.Unlock()
	if m.herder.internal != 0 {
		t.Errorf("the herder was called %d times", m.herder.internal)
	}

	// Numbers are taken as their JSON text, as elsewhere.
	if got := send(t, "POST", newMember(t, &clusterHerder{}).url+"/connectors/c/tasks", `[{"tasks.max": 1}]`, nil); got.status != 204 {
		t.Errorf("number value: %d %s", got.status, got.body)
	}

	// A standalone herder has no internal endpoints: Kafka Connect's 500s.
	srv := httptest.NewServer(NewHandler(Options{Herder: nopHerder{}}))
	defer srv.Close()
	for path, want := range map[string]string{
		"POST /connectors/c/tasks": "Kafka Connect in standalone mode does not support externally setting task configurations.",
		"PUT /connectors/c/fence":  "Kafka Connect in standalone mode does not support exactly-once source connectors.",
	} {
		method, p, _ := strings.Cut(path, " ")
		got := send(t, method, srv.URL+p, `[]`, nil)
		if em := got.errorMessage(t); got.status != 500 || em.Message != want {
			t.Errorf("standalone %s: %d %s", path, got.status, got.body)
		}
	}
}

// TestInternalForwarded checks that an internal request that reaches a
// worker which is no longer the leader is forwarded with its exact bytes.
func TestInternalForwarded(t *testing.T) {
	leader := newMember(t, &clusterHerder{})
	old := newMember(t, &clusterHerder{})
	old.herder.setRedirect(&herder.RedirectError{URL: leader.url, Leader: true, Message: "Only the leader may write task configurations."})
	body := `[ {"task.class": "X"} ]`
	if got := send(t, "POST", old.url+"/connectors/c/tasks", body, nil); got.status != http.StatusNoContent {
		t.Fatalf("%d %s", got.status, got.body)
	}
	r := leader.requests()[0]
	if string(r.body) != body || r.query.Get("forward") != "true" {
		t.Errorf("leader saw %q ?%v", r.body, r.query)
	}
	leader.herder.mu.Lock()
	defer leader.herder.mu.Unlock()
	if len(leader.herder.configs) != 1 || leader.herder.configs[0]["task.class"] != "X" {
		t.Errorf("leader stored %v", leader.herder.configs)
	}
}
