// Command fileplugin serves sluice's file source and sink as a plugin.path
// plugin under classes of their own (a plugin.path class that clashes with
// a built-in one is skipped), so the benchmark can run the very same
// connector code linked in and out of process.
package main

import (
	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/external"
)

// The classes the plugin's connectors answer to.
const (
	sourceClass = "bench.plugin.FileStreamSourceConnector"
	sinkClass   = "bench.plugin.FileStreamSinkConnector"
)

func main() {
	external.Serve(
		plugins.Plugin{Class: sourceClass, Kind: plugins.Source, Version: file.Version, New: func() any { return file.NewSource() }},
		plugins.Plugin{Class: sinkClass, Kind: plugins.Sink, Version: file.Version, New: func() any { return file.NewSink() }},
	)
}
