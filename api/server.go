package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/runtime/herder"
)

// Kafka Connect's request timeouts (RestServer.DEFAULT_REST_REQUEST_TIMEOUT_MS
// and DEFAULT_HEALTH_CHECK_TIMEOUT_MS), and the longest a request body may
// stop coming (Jetty's default idle timeout).
const (
	DefaultRequestTimeout  = 90 * time.Second
	DefaultHealthTimeout   = 10 * time.Second
	DefaultBodyReadTimeout = 30 * time.Second
)

// Loggers is what /admin/loggers reads and changes: the worker's named
// loggers and their levels.
type Loggers interface {
	All() map[string]herder.LoggerLevel
	Get(name string) (herder.LoggerLevel, bool)
	Set(namespace string, level slog.Level) []string
}

// Options configure a Handler.
type Options struct {
	// Herder answers every connector request. Required.
	Herder herder.Herder
	// Loggers backs /admin/loggers; nil serves no admin endpoints.
	Loggers Loggers
	// Log receives request logs (debug) and server errors.
	Log *slog.Logger
	// RequestTimeout bounds every herder call; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// HealthTimeout bounds /health; 0 means DefaultHealthTimeout.
	HealthTimeout time.Duration
	// BodyReadTimeout is the longest a request body may stop coming (a
	// 408 then); 0 means DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
	// TopicTracking and TopicTrackingReset are the worker's
	// topic.tracking.enable and topic.tracking.allow.reset.
	TopicTracking, TopicTrackingReset bool
	// AdminOnly serves only /admin/* (a separate admin.listeners server);
	// NoAdmin serves everything but /admin/* (admin.listeners set or empty).
	AdminOnly, NoAdmin bool
	// CORS are the worker's access.control.allow.origin and
	// access.control.allow.methods.
	AllowOrigin, AllowMethods string
	// MaxConfigBytes is the worker's connector.config.max.bytes: bodies
	// of requests carrying a connector configuration are refused (413)
	// beyond ConfigBodyLimit of it. 0: they are bounded like other bodies.
	MaxConfigBytes int
	// Auth, if not nil, requires HTTP basic authentication of every
	// request but the two signed internal ones, as Kafka Connect's
	// BasicAuthSecurityRestExtension does.
	Auth *BasicAuth
	// ForwardClient sends the requests that the herder redirects to another
	// worker (the leader, or the owner of a connector or task); nil means a
	// client bounded by RequestTimeout. Redirects are never followed.
	ForwardClient *http.Client
	// Redact, if set, scrubs the secrets the worker knows out of every
	// error message before it is sent or logged.
	Redact func(string) string
	// Metrics, if set, answers GET /metrics (the worker's metrics in
	// Prometheus' text format), on the admin listener too. It is not part
	// of Kafka Connect's API, so not in the OpenAPI document; it requires
	// the same authentication as every other path.
	Metrics http.Handler
	// Console serves the web console at /ui/ (not on the admin listener),
	// behind the same authentication as every other path.
	Console bool
	// History, if set, answers GET /sluice/metrics/history (sluice's
	// extension): the recent samples of the tasks running on this worker,
	// of one connector's if connector is not empty, those later than since
	// (Unix milliseconds, 0 for all).
	History func(connector string, since int64) any
}

// server holds the state of a Handler.
type server struct {
	Options
	mux         *http.ServeMux
	forwardHTTP *http.Client
}

// route is one served method and path. The OpenAPI document lists exactly
// these (see the test that holds the server to it).
type route struct {
	method, path string
	admin        bool
	body         bool // the request has a body: read whole before handle
	config       bool // the body is a connector configuration
	handle       func(s *server, w http.ResponseWriter, r *http.Request) error
}

// routes are every endpoint of Kafka Connect's REST API, the two signed
// internal ones that workers of a group call on each other included.
var routes = []route{
	{method: "GET", path: "/", handle: (*server).serverInfo},
	{method: "GET", path: "/health", handle: (*server).health},
	{method: "GET", path: "/connectors", handle: (*server).listConnectors},
	{method: "POST", path: "/connectors", body: true, config: true, handle: (*server).createConnector},
	{method: "GET", path: "/connectors/{connector}", handle: (*server).getConnector},
	{method: "DELETE", path: "/connectors/{connector}", handle: (*server).deleteConnector},
	{method: "GET", path: "/connectors/{connector}/config", handle: (*server).getConfig},
	{method: "PUT", path: "/connectors/{connector}/config", body: true, config: true, handle: (*server).putConfig},
	{method: "PATCH", path: "/connectors/{connector}/config", body: true, config: true, handle: (*server).patchConfig},
	{method: "GET", path: "/connectors/{connector}/status", handle: (*server).connectorStatus},
	{method: "GET", path: "/connectors/{connector}/tasks", handle: (*server).tasks},
	{method: "POST", path: "/connectors/{connector}/tasks", body: true, handle: (*server).putTaskConfigs},
	{method: "PUT", path: "/connectors/{connector}/fence", body: true, handle: (*server).fenceZombies},
	{method: "GET", path: "/connectors/{connector}/tasks/{task}/status", handle: (*server).taskStatus},
	{method: "POST", path: "/connectors/{connector}/tasks/{task}/restart", handle: (*server).restartTask},
	{method: "POST", path: "/connectors/{connector}/restart", handle: (*server).restartConnector},
	{method: "PUT", path: "/connectors/{connector}/pause", handle: (*server).pause},
	{method: "PUT", path: "/connectors/{connector}/resume", handle: (*server).resume},
	{method: "PUT", path: "/connectors/{connector}/stop", handle: (*server).stop},
	{method: "GET", path: "/connectors/{connector}/topics", handle: (*server).topics},
	{method: "PUT", path: "/connectors/{connector}/topics/reset", handle: (*server).resetTopics},
	{method: "GET", path: "/connectors/{connector}/offsets", handle: (*server).offsets},
	{method: "PATCH", path: "/connectors/{connector}/offsets", body: true, handle: (*server).alterOffsets},
	{method: "DELETE", path: "/connectors/{connector}/offsets", handle: (*server).resetOffsets},
	{method: "GET", path: "/connector-plugins", handle: (*server).plugins},
	{method: "GET", path: "/connector-plugins/{plugin}/config", handle: (*server).pluginConfig},
	{method: "PUT", path: "/connector-plugins/{pluginType}/config/validate", body: true, config: true, handle: (*server).validate},
	{method: "GET", path: "/sluice/metrics/history", handle: (*server).metricsHistory},
	{method: "GET", path: "/admin/loggers", admin: true, handle: (*server).loggers},
	{method: "GET", path: "/admin/loggers/{logger}", admin: true, handle: (*server).logger},
	{method: "PUT", path: "/admin/loggers/{logger}", body: true, admin: true, handle: (*server).setLogger},
}

// NewHandler returns the REST API as an http.Handler.
func NewHandler(opts Options) http.Handler {
	if opts.Herder == nil {
		panic("api: Options.Herder is required")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.HealthTimeout <= 0 {
		opts.HealthTimeout = DefaultHealthTimeout
	}
	if opts.BodyReadTimeout <= 0 {
		opts.BodyReadTimeout = DefaultBodyReadTimeout
	}
	s := &server{Options: opts, mux: http.NewServeMux(), forwardHTTP: newForwardClient(opts)}
	for _, rt := range routes {
		if rt.admin && (s.NoAdmin || s.Loggers == nil) || !rt.admin && s.AdminOnly {
			continue
		}
		path := rt.path
		if path == "/" {
			path = "/{$}" // the root only, not every path
		}
		limit, what := int64(maxBody), ""
		if rt.config && s.MaxConfigBytes > 0 {
			limit = ConfigBodyLimit(s.MaxConfigBytes)
			what = fmt.Sprintf(" for a connector configuration of at most %d bytes of keys and values; raise connector.config.max.bytes in the worker configuration to accept larger ones", s.MaxConfigBytes)
		}
		s.mux.HandleFunc(rt.method+" "+path, func(w http.ResponseWriter, r *http.Request) {
			// A route without a body leaves one unread, as Jersey does:
			// it is neither buffered nor forwarded.
			var body []byte
			var err error
			if formContentType(r) {
				// A page on another site can send these without asking
				// (an HTML form, a no-cors fetch): refused, as Jersey's
				// @Consumes(application/json) refuses them in Kafka
				// Connect, so that no web page a user opens can create,
				// change or restart connectors on a worker it can reach.
				boundUnreadBody(w, r, s.BodyReadTimeout)
				s.writeError(w, r, &herder.Error{Code: http.StatusUnsupportedMediaType, Message: "HTTP 415 Unsupported Media Type"})
				return
			}
			if rt.body {
				body, err = bufferBody(w, r, limit, what, s.BodyReadTimeout)
			} else {
				boundUnreadBody(w, r, s.BodyReadTimeout)
			}
			if err == nil {
				err = rt.handle(s, w, r)
			}
			var redirect *herder.RedirectError
			switch {
			case err == nil:
			case errors.As(err, &redirect):
				// Every herder call of every handler ends here: another
				// worker must answer.
				s.forward(w, r, body, redirect)
			default:
				s.writeError(w, r, err)
			}
		})
	}
	return s
}

// ServeHTTP routes a request. A trailing slash is ignored, as Jersey does
// (/connectors/ is /connectors); unknown paths and methods answer in Kafka
// Connect's error shape.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer s.recoverPanic(rec, r)
	// The console's paths keep their trailing slash: /ui/ is its page.
	console := s.Console && !s.AdminOnly && isConsolePath(r.URL.Path)
	if !console && len(r.URL.Path) > 1 && strings.HasSuffix(r.URL.Path, "/") {
		r.URL.Path = strings.TrimRight(r.URL.Path, "/")
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimRight(r.URL.RawPath, "/")
		}
		if r.URL.Path == "" {
			r.URL.Path = "/"
		}
	}
	if s.cors(rec, r) {
		return // a preflight request: browsers send it without credentials
	}
	h, pattern := s.mux.Handler(r)
	if s.Auth != nil && !exemptFromAuth(pattern) && !s.Auth.Allow(r.Header.Values("Authorization")) {
		// Every other path too, unknown ones included: without
		// credentials nothing is told, not even which routes exist.
		s.Log.Debug("request failed authentication", "method", r.Method, "path", r.URL.EscapedPath())
		if console || r.Header.Get(ConsoleHeader) != "" {
			// A browser asks for credentials, and sends those given for
			// the console's page with its API requests.
			rec.Header().Set("WWW-Authenticate", `Basic realm="sluice", charset="UTF-8"`)
		}
		unauthorized(rec)
		return
	}
	if console {
		s.serveConsole(rec, r)
	} else if p := r.URL.EscapedPath(); p == "" || p[0] != '/' || path.Clean(p) != p {
		// The mux would redirect to the cleaned path ("/connectors/x/../y"
		// to "/connectors/y", "A:" to "/"), with an HTML body.
		s.writeError(rec, r, herder.NotFound("HTTP 404 Not Found"))
	} else if s.Metrics != nil && r.URL.Path == "/metrics" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			rec.Header().Set("Allow", "GET, HEAD")
			s.writeError(rec, r, &herder.Error{Code: http.StatusMethodNotAllowed, Message: "HTTP 405 Method Not Allowed"})
		} else {
			s.Metrics.ServeHTTP(rec, r)
		}
	} else if pattern == "" {
		// The mux answers 404 or 405 with plain text; answer in JSON.
		probe := &statusRecorder{ResponseWriter: discardWriter{header: http.Header{}}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			rec.Header().Set("Allow", probe.Header().Get("Allow"))
			s.writeError(rec, r, &herder.Error{Code: http.StatusMethodNotAllowed, Message: "HTTP 405 Method Not Allowed"})
		} else {
			s.writeError(rec, r, herder.NotFound("HTTP 404 Not Found"))
		}
	} else {
		s.mux.ServeHTTP(rec, r)
	}
	s.Log.Debug("request", "method", r.Method, "path", r.URL.RequestURI(), "status", rec.status, "duration", time.Since(start))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool // the response has begun
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status, r.wrote = code, true
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (bufferBody's
// read deadline).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header       { return d.header }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}

// cors applies access.control.allow.origin and .methods; it answers a
// preflight request and reports whether it did.
func (s *server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if s.AllowOrigin == "" || origin == "" {
		return false
	}
	allowed := false
	for _, o := range strings.Split(s.AllowOrigin, ",") {
		if o = strings.TrimSpace(o); o == "*" || o == origin {
			allowed = true
		}
	}
	if !allowed {
		return false
	}
	methods := s.AllowMethods
	if methods == "" {
		methods = "GET,POST,HEAD" // Jetty's CrossOriginFilter default
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Add("Vary", "Origin")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		w.Header().Set("Access-Control-Allow-Methods", methods)
		w.Header().Set("Access-Control-Allow-Headers", "X-Requested-With,Content-Type,Accept,Origin,Authorization")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

// writeJSON writes v with status. HTML characters are not escaped, so
// messages read as Kafka Connect's do.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A client that hangs up before reading the answer is no failure of
	// the request: nothing is left to answer.
	_, _ = w.Write(buf.Bytes())
	return nil
}

// writeError answers err in Kafka Connect's error shape. An error without
// an HTTP status is a server error: 500, logged. The stack of a panic is
// logged, not sent.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := herder.StatusCode(err)
	if code >= 500 {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.RequestURI(), "err", err)
	}
	msg := err.Error()
	if safe.As(err) != nil {
		msg, _, _ = strings.Cut(msg, "\n\tat ")
	}
	if s.Redact != nil {
		msg = s.Redact(msg)
	}
	_ = writeJSON(w, code, herder.ErrorMessage{ErrorCode: code, Message: msg})
}

// recoverPanic answers a panic of the request's handler with a 500 in
// Kafka Connect's error shape (unless the response has begun), so that
// the client gets an answer and the connection stays usable. The panic
// http.ErrAbortHandler, which aborts a response on purpose, goes on.
func (s *server) recoverPanic(w *statusRecorder, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	err := safe.Recovered(r.Method+" "+r.URL.Path, p)
	if w.wrote {
		s.Log.Error("request failed after its response began", "method", r.Method, "path", r.URL.RequestURI(), "err", err)
		return
	}
	s.writeError(w, r, err)
}

// call runs a herder operation, bounded by the request timeout. On timeout
// the operation goes on (as in Kafka Connect) and the client gets a 500.
// The operation does not end when the client hangs up: a half-applied
// configuration change would be worse than a wasted answer.
func call[T any](s *server, r *http.Request, timeout time.Duration, fn func(ctx context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	ctx := context.WithoutCancel(r.Context())
	go func() {
		// This goroutine is not the handler's: without the guard, a panic
		// in the herder or a plugin it calls would end the process.
		v, err := safe.Call(r.Method+" "+r.URL.Path, func() (T, error) { return fn(ctx) })
		done <- result{v, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case res := <-done:
		return res.v, res.err
	case <-t.C:
		var zero T
		msg := "Request timed out"
		if st, ok := s.Herder.(stager); ok {
			if sum := st.StageSummary(); sum != "" {
				msg += ". " + sum
			}
		}
		return zero, &herder.Error{Code: http.StatusInternalServerError, Message: msg}
	}
}

// stager is a herder that can say what holds it up, as Kafka Connect's
// herder stages do: "The worker is currently ..., which began at ....",
// added to the message of a request that timed out
// (HerderRequestHandler.completeRequest).
type stager interface {
	StageSummary() string
}

// do is call for operations without a result.
func do(s *server, r *http.Request, fn func(ctx context.Context) error) error {
	_, err := call(s, r, s.RequestTimeout, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
	return err
}

// get is call with the request timeout.
func get[T any](s *server, r *http.Request, fn func(ctx context.Context) (T, error)) (T, error) {
	return call(s, r, s.RequestTimeout, fn)
}

// boolParam parses an optional boolean query parameter as Jersey does
// (true or false, any case); anything else is a 400 naming the parameter.
func boolParam(r *http.Request, name string, def bool) (bool, error) {
	vals, ok := r.URL.Query()[name]
	if !ok || len(vals) == 0 {
		return def, nil
	}
	switch strings.ToLower(strings.TrimSpace(vals[0])) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, herder.BadRequest("Invalid value %q for query parameter %s: expected true or false", vals[0], name)
}

// checkForward validates the hidden forward parameter of the endpoints
// Kafka Connect declares it on; forward uses it when the herder redirects.
func checkForward(r *http.Request) error {
	_, err := boolParam(r, "forward", true)
	return err
}

var errNoBody = errors.New("no body")

// readJSON decodes a request body into v, rejecting unknown fields,
// trailing data and type mismatches with a 400 that names the problem
// (Kafka Connect answers 500 to most of these).
//
// A body carrying a connector configuration (v a *configMap or a
// *createRequest) may be as large as connector.config.max.bytes allows: a
// valid one is decoded in place by json.Unmarshal, each value unquoted
// straight into the string kept, so that the request holds the body and
// the configuration's strings, not several copies of the body (a
// json.Decoder copies its input into a buffer of its own). An invalid one
// is decoded again by the json.Decoder for its error message.
func readJSON(r *http.Request, v any) error {
	raw := bodyBytes(r)
	if len(bytes.TrimSpace(raw)) == 0 {
		return errNoBody
	}
	switch v.(type) {
	case *configMap, *createRequest:
		if knownFields(raw, v) && json.Unmarshal(raw, v) == nil {
			return nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber() // offsets keep their integers exact
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return herder.BadRequest("Malformed JSON in request body: unexpected data after the JSON value")
	}
	return nil
}

// knownFields reports whether every field of a JSON object names a field of
// v, when v is a *createRequest (json.Unmarshal has no
// DisallowUnknownFields). Field names match without regard to case, as
// json.Unmarshal matches them.
func knownFields(raw []byte, v any) bool {
	if _, ok := v.(*createRequest); !ok {
		return true
	}
	var fields map[string]skipJSON
	if json.Unmarshal(raw, &fields) != nil {
		return false
	}
	for f := range fields {
		if !strings.EqualFold(f, "name") && !strings.EqualFold(f, "config") && !strings.EqualFold(f, "initial_state") {
			return false
		}
	}
	return true
}

// skipJSON decodes any JSON value into nothing, without copying it.
type skipJSON struct{}

func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

// maxBody bounds the bodies of requests that do not carry a connector
// configuration (offsets, internal task configurations), and of those that
// do when Options.MaxConfigBytes is 0.
const maxBody = 16 << 20

// ConfigBodyLimit is the largest body of a request carrying a connector
// configuration of at most maxConfig bytes of keys and values: six times
// that, since JSON may escape a byte as \uXXXX (Python's json.dumps writes
// é so, Go's encoding/json < > and &), and 64 KiB for the rest of the
// request. The configuration's own size is checked once it is decoded.
func ConfigBodyLimit(maxConfig int) int64 { return 6*int64(maxConfig) + 64<<10 }

// jsonError turns a decoding error into a 400 naming the field and what
// was expected.
func jsonError(err error) error {
	var hErr *herder.Error
	if errors.As(err, &hErr) {
		return hErr
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return herder.BadRequest("Malformed JSON in request body at offset %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return herder.BadRequest("Malformed request body: expected %s, got a JSON %s", jsonTypeName(typ.Type.Kind().String()), typ.Value)
		}
		return herder.BadRequest("Malformed request body: field %q must be %s, got a JSON %s", typ.Field, jsonTypeName(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF"):
		return herder.BadRequest("Malformed JSON in request body: unexpected end of input")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return herder.BadRequest("Malformed request body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return herder.BadRequest("Malformed JSON in request body: %v", err)
}

func jsonTypeName(kind string) string {
	switch kind {
	case "map", "struct":
		return "a JSON object"
	case "slice", "array":
		return "a JSON array"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return kind
}

// nameOf returns the {connector} path value. Escapes that are not UTF-8
// (%FF) become U+FFFD, a rune for each bad byte, as Kafka Connect's URI
// decoding into a Java string makes them: the names the worker keeps, logs
// and exports as Prometheus labels (which must be UTF-8) are valid text.
func nameOf(r *http.Request) string {
	name := r.PathValue("connector")
	if !utf8.ValidString(name) {
		name = string([]rune(name))
	}
	return name
}

// formContentType reports whether r, a request that may change something
// (not GET or HEAD), carries a content type a browser sends across sites
// without a CORS preflight: text/plain, application/x-www-form-urlencoded
// or multipart/form-data. A request without a Content-Type is accepted
// (curl and scripts often send none); a browser's cross-site request with
// a body always has one of these.
func formContentType(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
		return true
	}
	return false
}
