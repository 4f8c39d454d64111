package javafmt

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestMap(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"nil", nil, "null"},
		{"empty", map[string]any{}, "{}"},
		{"sorted keys", map[string]any{"gender": "OTHER", "age": int64(3), "id": 1.0}, "{age=3, gender=OTHER, id=1.0}"},
		{"nested", map[string]any{"a": map[string]any{"x": nil}, "b": []any{"p", int32(2), 0.5}}, "{a={x=null}, b=[p, 2, 0.5]}"},
		{"big double", map[string]any{"d": 1e21}, "{d=1.0E21}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Map(tc.in); got != tc.want {
				t.Errorf("Map = %q, want %q", got, tc.want)
			}
		})
	}
	if got := Map(map[string]string{"cleanup.policy": "compact"}); got != "{cleanup.policy=compact}" {
		t.Errorf("Map(map[string]string) = %q", got)
	}
}

// TestPropsInLogs checks that Props reads as Java's map in a text log line
// and in %v, and stays an object in a JSON log line.
func TestPropsInLogs(t *testing.T) {
	p := Props{"topics": "orders", "connector.class": "FileStreamSink"}
	const want = "{connector.class=FileStreamSink, topics=orders}"
	if got := fmt.Sprint(p); got != want {
		t.Errorf("%%v = %q, want %q", got, want)
	}
	var text, js strings.Builder
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "config", p)
	if !strings.Contains(text.String(), `config="`+want+`"`) {
		t.Errorf("text log %q lacks %q", text.String(), want)
	}
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "config", p)
	if !strings.Contains(js.String(), `"config":{"connector.class":"FileStreamSink","topics":"orders"}`) {
		t.Errorf("JSON log %q: want config as an object", js.String())
	}
}

// TestValueTypedCollections: maps and slices of other Go types than
// map[string]any and []any (a connector's []int64 offset field, a
// map[string]int partition) read as Java's too, not as Go's "map[a:1]" or
// "[1 2]".
func TestValueTypedCollections(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"int slice", []int64{1, 2}, "[1, 2]"},
		{"slice of maps", []map[string]any{{"b": 1, "a": "x"}}, "[{a=x, b=1}]"},
		{"typed map", map[string]int{"b": 2, "a": 1}, "{a=1, b=2}"},
		{"int keys", map[int]string{10: "x", 2: "y"}, "{10=x, 2=y}"},
		{"nil typed map", map[string]int(nil), "null"},
		{"nil slice", []int(nil), "[]"},
		{"array", [2]float64{1, 0.5}, "[1.0, 0.5]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Value(tc.in); got != tc.want {
				t.Errorf("Value(%#v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := Map(map[string]any{"ids": []int32{3, 4}}); got != "{ids=[3, 4]}" {
		t.Errorf("Map with an []int32 = %q", got)
	}
}
