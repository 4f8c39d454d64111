package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
)

// jsonLogger returns a Handler writing JSON lines to the returned buffer,
// without the time, and with the wrapped handler at level.
func jsonLogger(ls *Levels, level slog.Level) (*Handler, *bytes.Buffer) {
	var buf bytes.Buffer
	inner := slog.NewJSONHandler(&buf, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
	return NewHandler(inner, ls), &buf
}

func lines(buf *bytes.Buffer) []string {
	s := strings.TrimSuffix(buf.String(), "\n")
	buf.Reset()
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestHandlerOutput(t *testing.T) {
	tests := []struct {
		name string
		log  func(root *slog.Logger)
		want []string
	}{
		{
			name: "root has no logger attribute",
			log:  func(root *slog.Logger) { root.Info("hi", "n", 1) },
			want: []string{`{"level":"INFO","msg":"hi","n":1}`},
		},
		{
			name: "named logger",
			log:  func(root *slog.Logger) { Named(root, "sluice.runtime.worker").Info("hi") },
			want: []string{`{"level":"INFO","msg":"hi","logger":"sluice.runtime.worker"}`},
		},
		{
			name: "named root is the root",
			log: func(root *slog.Logger) {
				Named(Named(root, "x"), "root").Info("a")
				Named(Named(root, "x"), "").Info("b")
			},
			want: []string{`{"level":"INFO","msg":"a"}`, `{"level":"INFO","msg":"b"}`},
		},
		{
			name: "renaming replaces the name",
			log:  func(root *slog.Logger) { Named(Named(root, "a"), "b.c").Info("hi") },
			want: []string{`{"level":"INFO","msg":"hi","logger":"b.c"}`},
		},
		{
			name: "attributes and groups survive renaming; the name stays outside groups",
			log: func(root *slog.Logger) {
				l := root.With("conn", "c1").WithGroup("task").With("id", 3)
				Named(l, "sluice.runtime").Info("hi", "k", "v")
				Named(Named(l, "a"), "b").Warn("again")
				l.Info("unnamed")
			},
			want: []string{
				`{"level":"INFO","msg":"hi","logger":"sluice.runtime","conn":"c1","task":{"id":3,"k":"v"}}`,
				`{"level":"WARN","msg":"again","logger":"b","conn":"c1","task":{"id":3}}`,
				`{"level":"INFO","msg":"unnamed","conn":"c1","task":{"id":3}}`,
			},
		},
		{
			name: "With after Named keeps the name",
			log: func(root *slog.Logger) {
				l := Named(root, "w").With("a", 1)
				l.WithGroup("g").Info("hi", "b", 2)
			},
			want: []string{`{"level":"INFO","msg":"hi","logger":"w","a":1,"g":{"b":2}}`},
		},
		{
			name: "siblings derived from one logger do not share attributes",
			log: func(root *slog.Logger) {
				base := Named(root, "s").With("a", 1)
				x := base.With("x", 1)
				y := base.With("y", 2)
				Named(x, "t").Info("x")
				Named(y, "t").Info("y")
			},
			want: []string{
				`{"level":"INFO","msg":"x","logger":"t","a":1,"x":1}`,
				`{"level":"INFO","msg":"y","logger":"t","a":1,"y":2}`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, buf := jsonLogger(NewLevels(slog.LevelInfo), LevelAll)
			tt.log(slog.New(h))
			got := lines(buf)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestHandlerLevelsChangeAtRunTime(t *testing.T) {
	ls := NewLevels(slog.LevelInfo)
	h, buf := jsonLogger(ls, LevelAll)
	root := slog.New(h)
	worker := Named(root, "sluice.runtime.worker")
	file := Named(root, "sluice.connectors.file")

	logAll := func() {
		worker.Debug("wd")
		worker.Info("wi")
		file.Debug("fd")
		file.Log(t.Context(), LevelTrace, "ft")
		root.Debug("rd")
		root.Error("re")
	}
	msgs := func() string {
		var out []string
		for _, l := range lines(buf) {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, m["msg"].(string))
		}
		return strings.Join(out, " ")
	}

	steps := []struct {
		ns, level string
		want      string
	}{
		{"", "", "wi re"},
		{"sluice.runtime", "DEBUG", "wd wi re"},
		{"sluice.connectors", "TRACE", "wd wi fd ft re"},
		{"sluice", "WARN", "re"},
		{"root", "OFF", ""},
		{"root", "DEBUG", "wd wi fd rd re"},
	}
	for _, s := range steps {
		if s.ns != "" || s.level != "" {
			l, err := ParseLevel(s.level)
			if err != nil {
				t.Fatal(err)
			}
			ls.Set(s.ns, l)
		}
		logAll()
		if got := msgs(); got != s.want {
			t.Errorf("after Set(%q, %s): logged %q, want %q", s.ns, s.level, got, s.want)
		}
	}
}

func TestHandlerRespectsInnerLevel(t *testing.T) {
	ls := NewLevels(LevelTrace)
	h, buf := jsonLogger(ls, slog.LevelWarn)
	l := slog.New(h.Named("x"))
	l.Info("hidden by the inner handler")
	l.Warn("shown")
	if got := lines(buf); len(got) != 1 || !strings.Contains(got[0], `"shown"`) {
		t.Errorf("logged %q", got)
	}
}

func TestHandlerNamedRegisters(t *testing.T) {
	ls := NewLevels(slog.LevelInfo)
	h := NewHandler(slog.DiscardHandler, ls)
	if _, ok := ls.Get("sluice.connectors.file"); ok {
		t.Fatal("found before Named")
	}
	n := h.Named("sluice.connectors.file")
	if n.Name() != "sluice.connectors.file" || h.Name() != RootName || n.Levels() != ls {
		t.Errorf("Name() = %q, root Name() = %q", n.Name(), h.Name())
	}
	got, ok := ls.Get("sluice.connectors.file")
	if !ok || got.Level != "INFO" || got.LastModified != nil {
		t.Errorf("Get after Named = %+v, %v", got, ok)
	}
	if _, ok := ls.All()["sluice.connectors.file"]; ok {
		t.Error("All lists a logger only named")
	}
}

func TestHandlerNoopDerivations(t *testing.T) {
	h := NewHandler(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: LevelAll}), nil)
	if h.Levels() == nil || !h.Enabled(t.Context(), slog.LevelInfo) || h.Enabled(t.Context(), slog.LevelDebug) {
		t.Error("a nil Levels should mean a new registry at INFO")
	}
	if h.WithAttrs(nil) != slog.Handler(h) || h.WithGroup("") != slog.Handler(h) {
		t.Error("WithAttrs(nil) or WithGroup(\"\") made a new handler")
	}
	if _, ok := h.WithAttrs([]slog.Attr{slog.Int("a", 1)}).(*Handler); !ok {
		t.Error("WithAttrs does not return a *Handler")
	}
	if _, ok := h.WithGroup("g").(*Handler); !ok {
		t.Error("WithGroup does not return a *Handler")
	}
}

func TestNamedOtherHandler(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})).With("a", 1)
	Named(l, "sarama").Info("hi")
	if got, want := buf.String(), "level=INFO msg=hi a=1 logger=sarama\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if Named(nil, "x") == nil {
		t.Error("Named(nil, x) = nil")
	}
}

// TestHandlerSlogtest runs the standard library's handler conformance tests
// on a root and on a named Handler.
func TestHandlerSlogtest(t *testing.T) {
	for _, name := range []string{"root", "sluice.runtime"} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			slogtest.Run(t, func(*testing.T) slog.Handler {
				buf.Reset()
				h := NewHandler(slog.NewJSONHandler(&buf, nil), NewLevels(slog.LevelInfo))
				return h.Named(name)
			}, func(t *testing.T) map[string]any {
				var m map[string]any
				if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
					t.Fatal(err)
				}
				if name != "root" && m[LoggerKey] != name {
					t.Errorf("logger attribute = %v", m[LoggerKey])
				}
				delete(m, LoggerKey)
				return m
			})
		})
	}
}

// TestWrapKeepsNamesAndLevels: a wrapped logger goes through the wrapper,
// keeps its name and attributes, and Named on it still takes its level from
// the registry.
func TestWrapKeepsNamesAndLevels(t *testing.T) {
	var buf bytes.Buffer
	levels := NewLevels(slog.LevelInfo)
	base := slog.New(NewHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: LevelAll}), levels))
	named := Named(base, "sluice.x").With("k", "v")
	wrapped := Wrap(named, func(h slog.Handler) slog.Handler { return upper{h} })
	wrapped.Info("hello")
	if got := buf.String(); !strings.Contains(got, "msg=HELLO") || !strings.Contains(got, "logger=sluice.x") || !strings.Contains(got, "k=v") {
		t.Fatalf("wrapped record: %s", got)
	}
	buf.Reset()
	levels.Set("sluice.y", slog.LevelError)
	Named(wrapped, "sluice.y").Warn("dropped")
	Named(wrapped, "sluice.y").Error("kept")
	if got := buf.String(); strings.Contains(got, "DROPPED") || !strings.Contains(got, "msg=KEPT") || !strings.Contains(got, "logger=sluice.y") {
		t.Fatalf("named from a wrapped logger: %s", got)
	}
}

// upper upper-cases messages.
type upper struct{ slog.Handler }

func (u upper) Handle(ctx context.Context, r slog.Record) error {
	r.Message = strings.ToUpper(r.Message)
	return u.Handler.Handle(ctx, r)
}
func (u upper) WithAttrs(a []slog.Attr) slog.Handler { return upper{u.Handler.WithAttrs(a)} }
func (u upper) WithGroup(n string) slog.Handler      { return upper{u.Handler.WithGroup(n)} }
