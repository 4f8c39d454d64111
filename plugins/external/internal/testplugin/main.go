// Command testplugin is a plugin.path binary for the tests of package
// external: it serves the file source and sink connectors, so that the
// tests can compare them with the same connectors linked in, and a
// counter source that can misbehave on demand.
package main

import (
	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/external"
)

// counterVersion is the counter's version; the tests build a second
// binary with another (-ldflags -X main.counterVersion=…) to install two
// versions of it.
var counterVersion = "0.1.0"

func main() {
	external.Serve(
		plugins.Plugin{Class: file.SourceClass, Kind: plugins.Source, Version: file.Version, New: func() any { return file.NewSource() }},
		plugins.Plugin{Class: file.SinkClass, Kind: plugins.Sink, Version: file.Version, New: func() any { return file.NewSink() }},
		plugins.Plugin{Class: probeClass, Kind: plugins.Sink, Version: "0.1.0", New: func() any { return &probe{} }},
		plugins.Plugin{Class: counterClass, Kind: plugins.Source, Version: counterVersion, Aliases: []string{"TestCounter"}, New: func() any { return &counter{} }},
	)
}
