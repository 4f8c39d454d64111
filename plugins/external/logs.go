package external

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// hclogTimeFormat is the @timestamp layout of hclog's JSON lines.
const hclogTimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// levelTrace is hclog's TRACE as a slog level.
const levelTrace = slog.LevelDebug - 4

// jsonHandler is the plugin side's slog handler: one hclog JSON line per
// record on the process's stderr, which the worker reads and logs under the
// connector's or task's logger.
type jsonHandler struct {
	mu     *sync.Mutex
	w      io.Writer
	attrs  []slog.Attr // already qualified by their groups
	prefix string      // group prefix, "a.b."
}

func newJSONHandler(w io.Writer) *jsonHandler { return &jsonHandler{mu: &sync.Mutex{}, w: w} }

// Enabled passes everything: the worker filters by its logger's level.
func (h *jsonHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *jsonHandler) Handle(_ context.Context, r slog.Record) error {
	m := make(map[string]any, 4+len(h.attrs)+r.NumAttrs())
	for _, a := range h.attrs {
		putAttr(m, "", a)
	}
	r.Attrs(func(a slog.Attr) bool {
		putAttr(m, h.prefix, a)
		return true
	})
	m["@level"] = levelName(r.Level)
	m["@message"] = r.Message
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	m["@timestamp"] = t.Format(hclogTimeFormat)
	b, err := json.Marshal(m)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"@level": levelName(r.Level), "@message": r.Message, "@timestamp": m["@timestamp"], "log_error": err.Error()})
	}
	b = append(b, '\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err = h.w.Write(b)
	return err
}

func putAttr(m map[string]any, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			putAttr(m, p, g)
		}
		return
	}
	if a.Key == "" {
		return
	}
	var x any
	switch v.Kind() {
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			x = err.Error()
		} else if _, ok := v.Any().(json.Marshaler); ok {
			x = v.Any()
		} else {
			x = fmt.Sprint(v.Any())
		}
	case slog.KindTime:
		x = v.Time().Format(time.RFC3339Nano)
	case slog.KindDuration:
		x = v.Duration().String()
	default:
		x = v.Any()
	}
	m[prefix+a.Key] = x
}

func (h *jsonHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = slices.Clone(h.attrs)
	for _, a := range attrs {
		if h.prefix != "" {
			a = slog.Attr{Key: strings.TrimSuffix(h.prefix, ".") + "." + a.Key, Value: a.Value}
		}
		c.attrs = append(c.attrs, a)
	}
	return &c
}

func (h *jsonHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix += name + "."
	return &c
}

func levelName(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "trace"
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	default:
		return "error"
	}
}

func parseLevel(s string) (slog.Level, bool) {
	switch strings.ToLower(s) {
	case "trace":
		return levelTrace, true
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn", "warning":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// maxLogLine bounds one line of a plugin's stderr kept in the worker's log.
const maxLogLine = 64 << 10

// stderrLogger turns what a plugin process writes to stderr into the
// worker's log records: hclog JSON lines at their level with their fields,
// other lines at INFO, and a Go panic or fatal error (and every plain line
// after it) at ERROR.
type stderrLogger struct {
	mu      sync.Mutex
	log     func() *slog.Logger
	buf     []byte
	inPanic bool
}

func newStderrLogger(log func() *slog.Logger) *stderrLogger { return &stderrLogger{log: log} }

func (s *stderrLogger) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.buf = append(s.buf, p...)
			if len(s.buf) > maxLogLine {
				s.line(s.buf)
				s.buf = s.buf[:0]
			}
			break
		}
		s.buf = append(s.buf, p[:i]...)
		s.line(s.buf)
		s.buf = s.buf[:0]
		p = p[i+1:]
	}
	return n, nil
}

// line logs one line; the caller holds s.mu.
func (s *stderrLogger) line(b []byte) {
	b = bytes.TrimRight(b, "\r")
	if len(b) == 0 {
		return
	}
	log := s.log()
	ctx := context.Background()
	if b[0] == '{' {
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			msg, _ := m["@message"].(string)
			lvl, ok := parseLevel(fmt.Sprint(m["@level"]))
			if !ok {
				lvl = slog.LevelInfo
			}
			if !log.Enabled(ctx, lvl) {
				return
			}
			t := time.Now()
			if ts, ok := m["@timestamp"].(string); ok {
				if pt, err := time.Parse(hclogTimeFormat, ts); err == nil {
					t = pt
				}
			}
			r := slog.NewRecord(t, lvl, msg, 0)
			for _, k := range slices.Sorted(maps.Keys(m)) {
				if strings.HasPrefix(k, "@") {
					continue
				}
				r.AddAttrs(slog.Any(k, m[k]))
			}
			_ = log.Handler().Handle(ctx, r)
			return
		}
	}
	line := string(b)
	lvl := slog.LevelInfo
	if strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") {
		s.inPanic = true
	}
	if s.inPanic {
		lvl = slog.LevelError
	}
	log.Log(ctx, lvl, line)
}

// hclogAdapter gives go-plugin's own messages to the worker's log, at
// DEBUG: what matters (a failed start, an exit) reaches the worker as an
// error naming the plugin. It reports level Off so that go-plugin does not parse
// the plugin's stderr itself: stderrLogger does that (go-plugin's parser
// panics on a JSON line whose @message is not a string).
type hclogAdapter struct {
	log  *slog.Logger
	name string
	args []any
}

func (a *hclogAdapter) emit(l slog.Level, msg string, args ...any) {
	all := append(slices.Clone(a.args), args...)
	a.log.Log(context.Background(), l, "go-plugin: "+msg, all...)
}

func (a *hclogAdapter) Log(_ hclog.Level, msg string, args ...interface{}) {
	a.emit(slog.LevelDebug, msg, args...)
}
func (a *hclogAdapter) Trace(msg string, args ...interface{}) { a.Log(hclog.Trace, msg, args...) }
func (a *hclogAdapter) Debug(msg string, args ...interface{}) { a.Log(hclog.Debug, msg, args...) }
func (a *hclogAdapter) Info(msg string, args ...interface{})  { a.Log(hclog.Info, msg, args...) }
func (a *hclogAdapter) Warn(msg string, args ...interface{})  { a.Log(hclog.Warn, msg, args...) }
func (a *hclogAdapter) Error(msg string, args ...interface{}) { a.Log(hclog.Error, msg, args...) }
func (a *hclogAdapter) IsTrace() bool                         { return false }
func (a *hclogAdapter) IsDebug() bool                         { return false }
func (a *hclogAdapter) IsInfo() bool                          { return false }
func (a *hclogAdapter) IsWarn() bool                          { return false }
func (a *hclogAdapter) IsError() bool                         { return false }
func (a *hclogAdapter) ImpliedArgs() []interface{}            { return a.args }
func (a *hclogAdapter) With(args ...interface{}) hclog.Logger {
	c := *a
	c.args = append(slices.Clone(a.args), args...)
	return &c
}
func (a *hclogAdapter) Name() string { return a.name }
func (a *hclogAdapter) Named(name string) hclog.Logger {
	c := *a
	if c.name != "" {
		name = c.name + "." + name
	}
	c.name = name
	return &c
}
func (a *hclogAdapter) ResetNamed(name string) hclog.Logger {
	c := *a
	c.name = name
	return &c
}
func (a *hclogAdapter) SetLevel(hclog.Level)  {}
func (a *hclogAdapter) GetLevel() hclog.Level { return hclog.Off }
func (a *hclogAdapter) StandardLogger(*hclog.StandardLoggerOptions) *stdlog.Logger {
	return stdlog.New(io.Discard, "", 0)
}
func (a *hclogAdapter) StandardWriter(*hclog.StandardLoggerOptions) io.Writer { return io.Discard }
