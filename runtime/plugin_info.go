package runtime

import (
	"net/http"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/transforms"
)

// PluginInfos lists the installed plugins as GET /connector-plugins shows
// them: connectors only, or every kind.
func PluginInfos(reg *plugins.Registry, connectorsOnly bool) []herder.PluginInfo {
	kinds := []plugins.Kind{plugins.Source, plugins.Sink}
	if !connectorsOnly {
		kinds = append(kinds, plugins.Converter, plugins.HeaderConverter, plugins.Transformation, plugins.Predicate)
	}
	var out []herder.PluginInfo
	for _, p := range reg.Plugins(kinds...) {
		out = append(out, herder.PluginInfo{Class: p.Class, Type: string(p.Kind), Version: p.Version})
	}
	// A converter that also converts headers is listed as a header
	// converter too, as Kafka Connect lists JsonConverter and
	// StringConverter under both types.
	if !connectorsOnly {
		for _, p := range reg.Plugins(plugins.Converter) {
			if _, ok := p.New().(schemas.HeaderConverter); ok {
				out = append(out, herder.PluginInfo{Class: p.Class, Type: string(plugins.HeaderConverter), Version: p.Version})
			}
		}
	}
	return out
}

// PluginConfig returns a plugin's configuration keys as
// GET /connector-plugins/{plugin}/config shows them: the plugin's own
// keys, then the framework's for a connector (a key both define is the
// plugin's).
func PluginConfig(reg *plugins.Registry, name string) ([]config.KeyInfo, error) {
	keys, _, err := PluginKeys(reg, name)
	if err != nil {
		return nil, err
	}
	out := make([]config.KeyInfo, len(keys))
	for i, k := range keys {
		out[i] = k.Info()
	}
	return out, nil
}

// PluginKeys returns the configuration keys PluginConfig shows, in the
// same order, and the plugin name resolves to: what `sluice plugins docs`
// documents.
func PluginKeys(reg *plugins.Registry, name string) ([]config.Key, plugins.Plugin, error) {
	p, err := reg.Lookup(name, plugins.Source, plugins.Sink, plugins.Converter, plugins.HeaderConverter, plugins.Transformation, plugins.Predicate)
	if err != nil {
		return nil, plugins.Plugin{}, herder.NotFound("Unknown plugin %s.", name)
	}
	var keys []config.Key
	switch inst := p.New().(type) {
	case connectors.Connector:
		keys = inst.Config().Keys()
		framework := FrameworkDef(p.Kind)
		for _, k := range framework.Keys() {
			if _, ok := inst.Config().Key(k.Name); !ok {
				keys = append(keys, k)
			}
		}
	case transforms.Transformation:
		keys = inst.Config().Keys()
	case transforms.Predicate:
		keys = inst.Config().Keys()
	case interface{ ConfigKeys() []schemas.ConfigKey }:
		for _, ck := range inst.ConfigKeys() {
			keys = append(keys, converterKey(ck))
		}
	default:
		return nil, plugins.Plugin{}, &herder.Error{Code: http.StatusBadRequest, Message: "Invalid plugin class " + name + ". Valid types are sink, source, converter, header_converter, transformation, predicate."}
	}
	return keys, p, nil
}

// converterKey turns a converter's key description into a config key.
func converterKey(ck schemas.ConfigKey) config.Key {
	types := map[string]config.Type{"BOOLEAN": config.Boolean, "INT": config.Int, "LONG": config.Long, "DOUBLE": config.Double,
		"STRING": config.String, "LIST": config.List, "CLASS": config.Class, "PASSWORD": config.Password, "SHORT": config.Short}
	t, ok := types[ck.Type]
	if !ok {
		t = config.String
	}
	var def any = ck.Default
	k := config.Key{Name: ck.Name, Type: t, Default: def, Importance: config.Medium, Doc: ck.Doc}
	if len(ck.Valid) > 0 {
		k.Validator = config.CaseInsensitiveValidString(ck.Valid...)
	}
	return k
}
