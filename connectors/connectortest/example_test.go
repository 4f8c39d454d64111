package connectortest_test

import (
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/connectortest"
	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/plugins"
)

// sinkPlugin is how the connector is registered with a worker; a connector
// package usually exports it as its Plugin variable.
var sinkPlugin = plugins.Plugin{
	Class: file.SinkClass, Kind: plugins.Sink, Version: file.Version,
	New: func() any { return file.NewSink() },
}

// acceptance is the whole test of a sink connector: a fresh destination per
// sub-test (Props), and a way to read back what reached it (Read). Name it
// TestAcceptance(t *testing.T) in a _test.go file of the connector's package.
func acceptance(t *testing.T) {
	connectortest.Sink(t, connectortest.SinkConfig{
		Plugin: sinkPlugin,
		Props: func(t *testing.T) map[string]string {
			return map[string]string{"file": filepath.Join(t.TempDir(), "out.txt")}
		},
		Read: func(t *testing.T, props map[string]string) []connectors.Record {
			var out []connectors.Record
			for _, line := range connectortest.Lines(t, props["file"]) {
				out = append(out, connectors.Record{Value: line})
			}
			return out
		},
	})
}

// Acceptance-testing a sink connector in a few lines.
func Example() {
	_ = acceptance // go test runs it as TestAcceptance
}
