package file_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/connectortest"
	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/plugins"
)

func TestSourceAcceptance(t *testing.T) {
	connectortest.Source(t, connectortest.SourceConfig{
		Plugin: plugins.Plugin{Class: file.SourceClass, Kind: plugins.Source, Version: file.Version, New: func() any { return file.NewSource() }},
		Props: func(t *testing.T) map[string]string {
			name := filepath.Join(t.TempDir(), "in.txt")
			var b strings.Builder
			for i := range 100 {
				fmt.Fprintf(&b, "line %d\n", i)
			}
			if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			return map[string]string{file.FileKey: name, file.TopicKey: "lines", file.BatchSizeKey: "7"}
		},
		BadProps: []connectortest.BadProps{
			{Props: map[string]string{file.TopicKey: "a,b"}, Key: file.TopicKey},
			{Props: map[string]string{file.TopicKey: "lines", file.BatchSizeKey: "0"}, Key: file.BatchSizeKey},
		},
	})
}

func TestSinkAcceptance(t *testing.T) {
	connectortest.Sink(t, connectortest.SinkConfig{
		Plugin: plugins.Plugin{Class: file.SinkClass, Kind: plugins.Sink, Version: file.Version, New: func() any { return file.NewSink() }},
		Props: func(t *testing.T) map[string]string {
			return map[string]string{file.FileKey: filepath.Join(t.TempDir(), "out.txt")}
		},
		Read: func(t *testing.T, props map[string]string) []connectors.Record {
			var out []connectors.Record
			for _, line := range connectortest.Lines(t, props[file.FileKey]) {
				out = append(out, connectors.Record{Value: line})
			}
			return out
		},
	})
}
