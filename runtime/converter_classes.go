package runtime

import (
	"github.com/sluicehq/sluice/plugins"
)

// ConverterClasses returns the classes validate recommends for a
// connector's converter keys, sorted, as Kafka Connect's plugin
// recommenders do: every converter for key.converter and value.converter
// (header false), and every header converter, converters that also convert
// headers included, for header.converter (header true).
func ConverterClasses(reg *plugins.Registry, header bool) []string {
	if !header {
		return pluginClasses(reg.Plugins(plugins.Converter))
	}
	return pluginClasses(headerConverters(reg))
}

// pluginClasses returns the classes of ps, sorted by class, each once
// (a registry may hold several versions of a class).
func pluginClasses(ps []plugins.Plugin) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if len(out) == 0 || out[len(out)-1] != p.Class {
			out = append(out, p.Class)
		}
	}
	return out
}
