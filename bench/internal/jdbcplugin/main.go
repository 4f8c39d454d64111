// Command jdbcplugin serves sluice's JDBC sink and source as a plugin.path
// plugin under classes of their own (a plugin.path class that clashes with
// a built-in one is skipped), so the benchmark can run the very same
// connector code linked in and out of process against the real database.
package main

import (
	jdbcsink "github.com/sluicehq/sluice/connectors/jdbc/sink"
	jdbcsource "github.com/sluicehq/sluice/connectors/jdbc/source"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/external"
)

// The classes the plugin's connectors answer to.
const (
	sinkClass   = "bench.plugin.JdbcSinkConnector"
	sourceClass = "bench.plugin.JdbcSourceConnector"
)

func main() {
	external.Serve(
		plugins.Plugin{Class: sinkClass, Kind: plugins.Sink, Version: jdbcsink.Version, New: func() any { return jdbcsink.New() }},
		plugins.Plugin{Class: sourceClass, Kind: plugins.Source, Version: jdbcsource.Version, New: func() any { return jdbcsource.New() }},
	)
}
