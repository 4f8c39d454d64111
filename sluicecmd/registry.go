package sluicecmd

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/plugins/external"
)

// registry returns the worker's plugins: sluice's built-ins, then those of
// WithPlugins, then those found in the plugin.path directories dirs (none
// when dirs is empty). A WithPlugins plugin that clashes with another is an
// error; a plugin.path one is skipped with a WARN naming both, as a broken
// plugin.path binary is. close stops the plugin.path processes; it is
// never nil, and must be called once the worker has stopped.
func (o *options) registry(ctx context.Context, dirs []string, log *slog.Logger) (reg *plugins.Registry, close func(), err error) {
	reg = builtin.Registry()
	if o != nil {
		for _, p := range o.plugins {
			if err := reg.Add(p); err != nil {
				return nil, nil, fmt.Errorf("WithPlugins: %w", err)
			}
		}
	}
	if len(dirs) == 0 {
		return reg, func() {}, nil
	}
	plog := logging.Named(log, "sluice.plugins")
	plog.Info("loading plugins", "plugin.path", dirs)
	loaded := external.Load(ctx, dirs, plog)
	addExternal(reg, loaded.Plugins(), plog)
	return reg, loaded.Close, nil
}

// addExternal registers the plugins found in plugin.path; one whose class
// names a plugin already registered (a built-in, a WithPlugins one, one
// found earlier) is skipped with a WARN naming both.
func addExternal(reg *plugins.Registry, ps []plugins.Plugin, log *slog.Logger) {
	n := 0
	for _, p := range ps {
		if err := reg.Add(p); err != nil {
			log.Warn("plugin.path plugin skipped", "class", p.Class, "kind", p.Kind, "err", err)
			continue
		}
		n++
	}
	log.Info("plugin.path plugins loaded", "plugins", n, "skipped", len(ps)-n)
}
