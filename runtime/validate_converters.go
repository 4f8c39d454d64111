package runtime

import (
	"strings"

	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
)

// showConverterDefaults fills in the converter keys of a validation answer
// as Kafka Connect 4.4 does: each key's definition shows the worker's
// converter as default_value, and its value is the converter the connector
// will use: its own if it names one, else the worker's. Classes are shown
// by their full names, aliases resolved, as Java shows a parsed class; a
// class no plugin has shows null, as a value Java could not parse (its
// error is reported already). A value with a config provider variable is
// left as it is.
func (w *Worker) showConverterDefaults(raw map[string]string, infos *herder.ConfigInfos) {
	kinds := map[string][]plugins.Kind{
		KeyConverter:    {plugins.Converter},
		ValueConverter:  {plugins.Converter},
		HeaderConverter: {plugins.HeaderConverter, plugins.Converter},
	}
	for _, c := range infos.Configs {
		if c.Value != nil && c.Value.Name == ConnectorPluginVersion && len(c.Value.Errors) > 0 {
			return // the connector was not loaded: Kafka Connect shows no converter defaults
		}
	}
	for _, c := range infos.Configs {
		if c.Definition == nil || c.Value == nil || kinds[c.Value.Name] == nil {
			continue
		}
		name := c.Value.Name
		var worker *string
		if w.cfg.Values != nil {
			if p, err := w.plugins.Lookup(w.cfg.Values.Class(name), kinds[name]...); err == nil {
				class := p.Class
				worker = &class
			}
		}
		c.Definition.DefaultValue = worker
		own := strings.TrimSpace(raw[name])
		switch {
		case own == "" && worker != nil:
			v := *worker
			c.Value.Value = &v
		case own == "":
		case w.cfg.Providers.HasVariables(raw[name]):
		default:
			if p, err := w.plugins.Lookup(own, kinds[name]...); err == nil {
				v := p.Class
				c.Value.Value = &v
			} else {
				c.Value.Value = nil
			}
		}
	}
}
