// Package external runs connectors built as their own executables: the
// plugins a worker finds in its plugin.path directories. A plugin binary
// calls Serve; the worker calls Load at start-up and gets plugins.Plugin
// values that run each connector and task in a process of its own, over
// gRPC (github.com/hashicorp/go-plugin).
package external

import (
	"context"
	"log/slog"

	"github.com/sluicehq/sluice/plugins"
)

// Loaded is the set of plugins found in plugin.path.
type Loaded struct {
	plugins []plugins.Plugin
}

// Load finds the plugin executables in the plugin.path directories, asks
// each for what it holds and returns them. A binary that cannot be loaded
// (not a sluice plugin, an incompatible protocol version, a crash) is
// logged as a WARN naming it and the cause, and the others load.
func Load(ctx context.Context, dirs []string, log *slog.Logger) *Loaded {
	// TODO(issue 16): implemented by the plugin.path work.
	return &Loaded{}
}

// Plugins returns the plugins found.
func (l *Loaded) Plugins() []plugins.Plugin { return l.plugins }

// Close stops every plugin process still running.
func (l *Loaded) Close() {}

// Serve runs the given connector plugins in a plugin process: the main
// function of a plugin.path binary is a call to Serve. It does not return.
func Serve(ps ...plugins.Plugin) {
	// TODO(issue 16): implemented by the plugin.path work.
	panic("external.Serve: not implemented")
}
