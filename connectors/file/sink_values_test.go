package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/connectors"
)

// TestSinkWritesJavaToString checks that the sink writes schemaless values
// as FileStreamSink's println does: maps as Java's Map.toString (keys
// sorted), lists as List.toString, doubles as Double.toString.
func TestSinkWritesJavaToString(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"schemaless map", map[string]any{"gender": "OTHER", "userid": "User_3", "registertime": int64(1493819937123)}, "{gender=OTHER, registertime=1493819937123, userid=User_3}"},
		{"nested map and list", map[string]any{"tags": []any{"a", true}, "geo": map[string]any{"lat": 1.0, "lon": nil}}, "{geo={lat=1.0, lon=null}, tags=[a, true]}"},
		{"list", []any{int32(1), "x"}, "[1, x]"},
		{"double", 1.0, "1.0"},
		{"bool", false, "false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.txt")
			task := startSink(t, path)
			if err := task.Put(context.Background(), []connectors.SinkRecord{{Record: connectors.Record{Value: tc.value}}}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want+"\n" {
				t.Errorf("file holds %q, want %q", b, tc.want+"\n")
			}
		})
	}
}
