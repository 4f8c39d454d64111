package logging

import (
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"
)

// newTestLevels returns a registry at root level INFO whose clock reads
// 1000 ms after the epoch and advances by 1000 ms with every Set.
func newTestLevels(t *testing.T) *Levels {
	t.Helper()
	ls := NewLevels(slog.LevelInfo)
	clock := int64(0)
	ls.now = func() time.Time {
		clock += 1000
		return time.UnixMilli(clock)
	}
	return ls
}

func ms(v int64) *int64 { return &v }

// step is one operation on a registry: a Register (level unset) or a Set.
type step struct {
	name  string
	level string // "" = Register
	want  []string
}

func apply(t *testing.T, ls *Levels, steps []step) {
	t.Helper()
	for _, s := range steps {
		if s.level == "" {
			ls.Register(s.name)
			continue
		}
		l, err := ParseLevel(s.level)
		if err != nil {
			t.Fatal(err)
		}
		got := ls.Set(s.name, l)
		if s.want != nil && !reflect.DeepEqual(got, s.want) {
			t.Errorf("Set(%q, %s) = %q, want %q", s.name, s.level, got, s.want)
		}
	}
}

func TestLevelsSetAndEffective(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		// effective level name per logger name (known or not)
		want map[string]string
	}{
		{
			name: "fresh registry: everything inherits root",
			want: map[string]string{"root": "INFO", "sluice": "INFO", "sluice.runtime.worker": "INFO", "sarama": "INFO"},
		},
		{
			name: "a namespace sets itself and inherits down to unknown children",
			steps: []step{
				{name: "sluice.runtime", level: "DEBUG", want: []string{"sluice.runtime"}},
			},
			want: map[string]string{
				"root": "INFO", "sluice": "INFO", "sluice.runtime": "DEBUG",
				"sluice.runtime.worker": "DEBUG", "sluice.runtime.worker.task": "DEBUG",
				"sluice.runtimex": "INFO", "sluice.connectors": "INFO",
			},
		},
		{
			name: "known descendants are set too, sibling prefixes are not",
			steps: []step{
				{name: "sluice.runtime.worker"},
				{name: "sluice.runtime.herder"},
				{name: "sluice.runtimex"},
				{name: "sluice.connectors.file"},
				{name: "sluice.runtime", level: "TRACE", want: []string{"sluice.runtime", "sluice.runtime.herder", "sluice.runtime.worker"}},
			},
			want: map[string]string{
				"sluice.runtime.worker": "TRACE", "sluice.runtime.herder": "TRACE",
				"sluice.runtimex": "INFO", "sluice.connectors.file": "INFO",
			},
		},
		{
			name: "a later ancestor Set overrides an explicit descendant",
			steps: []step{
				{name: "sluice.runtime.worker", level: "ERROR", want: []string{"sluice.runtime.worker"}},
				{name: "sluice", level: "WARN", want: []string{"sluice", "sluice.runtime.worker"}},
			},
			want: map[string]string{"sluice.runtime.worker": "WARN", "sluice.runtime": "WARN", "root": "INFO"},
		},
		{
			name: "a descendant Set after its ancestor wins for its subtree only",
			steps: []step{
				{name: "sluice", level: "WARN"},
				{name: "sluice.runtime.worker", level: "DEBUG"},
			},
			want: map[string]string{
				"sluice": "WARN", "sluice.runtime": "WARN", "sluice.runtime.worker": "DEBUG",
				"sluice.runtime.worker.x": "DEBUG", "sluice.connectors": "WARN",
			},
		},
		{
			name: "an intermediate explicit level is inherited past unknown loggers",
			steps: []step{
				{name: "a", level: "ERROR"},
				{name: "a.b.c"},
			},
			want: map[string]string{"a.b.c": "ERROR", "a.b": "ERROR", "a.b.c.d": "ERROR"},
		},
		{
			name: "root sets every known logger",
			steps: []step{
				{name: "sarama"},
				{name: "sluice.runtime", level: "DEBUG"},
				{name: "sluice.connectors.file", level: "ERROR"},
				{name: "root", level: "WARN", want: []string{"root", "sarama", "sluice.connectors.file", "sluice.runtime"}},
			},
			want: map[string]string{
				"root": "WARN", "sarama": "WARN", "sluice.runtime": "WARN",
				"sluice.connectors.file": "WARN", "unknown": "WARN",
			},
		},
		{
			name: "the empty namespace is root",
			steps: []step{
				{name: "x"},
				{name: "", level: "OFF", want: []string{"root", "x"}},
			},
			want: map[string]string{"root": "OFF", "x": "OFF", "y": "OFF"},
		},
		{
			name: "OFF and ALL",
			steps: []step{
				{name: "quiet", level: "OFF"},
				{name: "loud", level: "ALL"},
			},
			want: map[string]string{"quiet": "OFF", "quiet.x": "OFF", "loud": "ALL", "loud.x": "ALL"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := newTestLevels(t)
			apply(t, ls, tt.steps)
			for name, wantName := range tt.want {
				want, _ := ParseLevel(wantName)
				if got := ls.effective(name); got != want {
					t.Errorf("effective(%q) = %s, want %s", name, LevelName(got), wantName)
				}
				if !ls.Enabled(name, want) {
					t.Errorf("Enabled(%q, %s) = false", name, wantName)
				}
				if want != LevelAll && ls.Enabled(name, want-1) {
					t.Errorf("Enabled(%q, %s-1) = true", name, wantName)
				}
			}
		})
	}
}

func TestLevelsOffLogsNothing(t *testing.T) {
	ls := NewLevels(LevelOff)
	for _, l := range []slog.Level{LevelTrace, slog.LevelError, LevelFatal, LevelOff - 1} {
		if ls.Enabled("x", l) {
			t.Errorf("Enabled(x, %d) at OFF = true", l)
		}
	}
}

func TestLevelsAllAndGet(t *testing.T) {
	ls := newTestLevels(t)
	ls.Register("sarama")                                          // known, inherits
	ls.Register("sluice.runtime.worker")                           // known, inherits
	apply(t, ls, []step{{name: "sluice.runtime", level: "DEBUG"}}) // at 1000 ms; also sets worker

	wantAll := map[string]LoggerLevel{
		"root":                  {Level: "INFO"},
		"sluice.runtime":        {Level: "DEBUG", LastModified: ms(1000)},
		"sluice.runtime.worker": {Level: "DEBUG", LastModified: ms(1000)},
	}
	if got := ls.All(); !reflect.DeepEqual(got, wantAll) {
		t.Errorf("All() = %s, want %s", fmtLevels(got), fmtLevels(wantAll))
	}

	apply(t, ls, []step{{name: "root", level: "ERROR"}}) // at 2000 ms: every known logger
	wantAll = map[string]LoggerLevel{
		"root":                  {Level: "ERROR", LastModified: ms(2000)},
		"sarama":                {Level: "ERROR", LastModified: ms(2000)},
		"sluice.runtime":        {Level: "ERROR", LastModified: ms(2000)},
		"sluice.runtime.worker": {Level: "ERROR", LastModified: ms(2000)},
	}
	if got := ls.All(); !reflect.DeepEqual(got, wantAll) {
		t.Errorf("after root: All() = %s, want %s", fmtLevels(got), fmtLevels(wantAll))
	}

	ls.Register("sluice.connectors.file") // known after the root Set: inherits, not listed by All
	if _, ok := ls.All()["sluice.connectors.file"]; ok {
		t.Error("All() lists a logger that only inherits")
	}

	gets := []struct {
		name string
		want LoggerLevel
		ok   bool
	}{
		{"root", LoggerLevel{Level: "ERROR", LastModified: ms(2000)}, true},
		{"ROOT", LoggerLevel{Level: "ERROR", LastModified: ms(2000)}, true},
		{"sluice.runtime", LoggerLevel{Level: "ERROR", LastModified: ms(2000)}, true},
		{"sluice.connectors.file", LoggerLevel{Level: "ERROR"}, true},
		{"sluice.connectors", LoggerLevel{}, false}, // an ancestor no one named
		{"nope", LoggerLevel{}, false},
	}
	for _, g := range gets {
		got, ok := ls.Get(g.name)
		if ok != g.ok || !reflect.DeepEqual(got, g.want) {
			t.Errorf("Get(%q) = %s, %v; want %s, %v", g.name, fmtLevel(got), ok, fmtLevel(g.want), g.ok)
		}
	}
}

func TestLevelsRootLevelHasNoLastModified(t *testing.T) {
	ls := NewLevels(slog.LevelWarn)
	got, ok := ls.Get("root")
	if !ok || got.Level != "WARN" || got.LastModified != nil {
		t.Errorf("Get(root) = %s, %v", fmtLevel(got), ok)
	}
}

func TestLevelsSetRegistersNamespace(t *testing.T) {
	ls := newTestLevels(t)
	if _, ok := ls.Get("sluice.connectors.file"); ok {
		t.Fatal("unknown logger found")
	}
	ls.Set("sluice.connectors.file", slog.LevelDebug)
	got, ok := ls.Get("sluice.connectors.file")
	if !ok || got.Level != "DEBUG" || got.LastModified == nil || *got.LastModified != 1000 {
		t.Errorf("Get after Set = %s, %v", fmtLevel(got), ok)
	}
}

func TestLevelsGetReturnsCopies(t *testing.T) {
	ls := newTestLevels(t)
	ls.Set("a", slog.LevelDebug)
	got, _ := ls.Get("a")
	*got.LastModified = 42
	all := ls.All()
	*all["a"].LastModified = 43
	if again, _ := ls.Get("a"); *again.LastModified != 1000 {
		t.Errorf("LastModified changed through a returned pointer: %d", *again.LastModified)
	}
}

func TestLevelsConcurrent(t *testing.T) {
	ls := NewLevels(slog.LevelInfo)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 200 {
				ls.Set(fmt.Sprintf("sluice.w%d.l%d", w, i%10), slog.Level(i%3*4-4))
				ls.Register(fmt.Sprintf("sluice.w%d.r%d", w, i))
				_ = ls.All()
				_, _ = ls.Get("sluice")
			}
		}()
		go func() {
			defer wg.Done()
			for i := range 2000 {
				ls.Enabled(fmt.Sprintf("sluice.w%d.l%d.x", w, i%10), slog.LevelInfo)
			}
		}()
	}
	wg.Wait()
	ls.Set("sluice", LevelFatal)
	for name := range ls.All() {
		if name == RootName {
			continue
		}
		if !ls.Enabled(name, LevelFatal) || ls.Enabled(name, slog.LevelError) {
			t.Errorf("%s not at FATAL after Set(sluice)", name)
		}
	}
}

func TestEnabledAllocatesNothing(t *testing.T) {
	ls := NewLevels(slog.LevelInfo)
	ls.Set("sluice.runtime", slog.LevelDebug)
	h := NewHandler(slog.DiscardHandler, ls).Named("sluice.runtime.worker")
	for _, name := range []string{"sluice.runtime", "sluice.runtime.worker.task.deep.name", "root"} {
		if n := testing.AllocsPerRun(100, func() { ls.Enabled(name, slog.LevelInfo) }); n != 0 {
			t.Errorf("Levels.Enabled(%q) allocates %v times", name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { h.Enabled(t.Context(), slog.LevelInfo) }); n != 0 {
		t.Errorf("Handler.Enabled allocates %v times", n)
	}
}

func BenchmarkEnabled(b *testing.B) {
	ls := NewLevels(slog.LevelInfo)
	for i := range 100 {
		ls.Register(fmt.Sprintf("sluice.pkg%d.sub", i))
	}
	ls.Set("sluice.runtime", slog.LevelDebug)
	ls.Register("sluice.runtime.worker")
	h := NewHandler(slog.DiscardHandler, ls).Named("sluice.runtime.worker")
	ctx := b.Context()
	b.Run("Levels/known", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ls.Enabled("sluice.runtime.worker", slog.LevelDebug)
		}
	})
	b.Run("Levels/inherited", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ls.Enabled("sluice.runtime.worker.task.loop", slog.LevelDebug)
		}
	})
	b.Run("Handler", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.Enabled(ctx, slog.LevelDebug)
		}
	})
	b.Run("Logger/disabled", func(b *testing.B) {
		l := slog.New(h)
		b.ReportAllocs()
		for b.Loop() {
			l.Log(ctx, LevelTrace, "not logged", "n", 1)
		}
	})
}

func fmtLevel(l LoggerLevel) string {
	if l.LastModified == nil {
		return fmt.Sprintf("{%s nil}", l.Level)
	}
	return fmt.Sprintf("{%s %d}", l.Level, *l.LastModified)
}

func fmtLevels(m map[string]LoggerLevel) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	s := "map["
	for _, k := range names {
		s += k + ":" + fmtLevel(m[k]) + " "
	}
	return s + "]"
}
