package runtime

import (
	"strings"

	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
)

// showConverterDefaults fills in the converter keys of a validation answer
// as Kafka Connect 4.4 does (ConnectorConfig's converter defaults): each
// key's definition shows as default_value the converter the connector will
// use, its own if it names one, else the worker's; and a key the
// connector leaves unset shows that class as its value. Classes are shown
// by their full names, aliases resolved, as Java shows a parsed class. A
// value with a config provider variable, or a class no plugin has, is left
// as it is (the latter is reported as an error already).
func (w *Worker) showConverterDefaults(raw map[string]string, infos *herder.ConfigInfos) {
	kinds := map[string][]plugins.Kind{
		KeyConverter:    {plugins.Converter},
		ValueConverter:  {plugins.Converter},
		HeaderConverter: {plugins.HeaderConverter, plugins.Converter},
	}
	for _, c := range infos.Configs {
		if c.Definition == nil || c.Value == nil || kinds[c.Value.Name] == nil {
			continue
		}
		name := c.Value.Name
		own, set := raw[name]
		class := strings.TrimSpace(own)
		if class == "" {
			if w.cfg.Values == nil {
				continue
			}
			class = w.cfg.Values.Class(name)
		} else if w.cfg.Providers.HasVariables(own) {
			continue
		}
		p, err := w.plugins.Lookup(class, kinds[name]...)
		if err != nil {
			continue
		}
		resolved := p.Class
		c.Definition.DefaultValue = &resolved
		if !set || len(c.Value.Errors) == 0 {
			v := resolved
			c.Value.Value = &v
		}
	}
}
