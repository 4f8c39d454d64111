package runtime

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/mavenversion"
	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/schemas"
)

// PluginInfos lists the installed plugins as GET /connector-plugins shows
// them: connectors only, or every kind, each installed version of a plugin
// (KIP-891). A plugin's version is the one its instances report
// (connectors.Versioned), else plugins.Plugin.Version: the registry keeps
// that one.
func PluginInfos(reg *plugins.Registry, connectorsOnly bool) []herder.PluginInfo {
	info := func(p plugins.Plugin, kind plugins.Kind) herder.PluginInfo {
		return herder.PluginInfo{Class: p.Class, Type: string(kind), Version: p.Version}
	}
	var out []herder.PluginInfo
	for _, p := range reg.Plugins(plugins.Source, plugins.Sink) {
		out = append(out, info(p, p.Kind))
	}
	if connectorsOnly {
		return out
	}
	// Then, as Kafka Connect 4.4 lists them, transformations, predicates,
	// converters and header converters, each by class (and version).
	for _, kind := range []plugins.Kind{plugins.Transformation, plugins.Predicate, plugins.Converter} {
		for _, p := range reg.Plugins(kind) {
			out = append(out, info(p, kind))
		}
	}
	// A converter that also converts headers is listed as a header
	// converter too, as Kafka Connect lists JsonConverter and
	// StringConverter under both types.
	for _, p := range headerConverters(reg) {
		out = append(out, info(p, plugins.HeaderConverter))
	}
	// Kafka Connect's order: sinks, sources, transformations, predicates,
	// converters, header converters, each by class (stable: versions stay
	// oldest first).
	rank := []string{string(plugins.Sink), string(plugins.Source), string(plugins.Transformation), string(plugins.Predicate),
		string(plugins.Converter), string(plugins.HeaderConverter)}
	slices.SortStableFunc(out, func(a, b herder.PluginInfo) int {
		if c := cmp.Compare(slices.Index(rank, a.Type), slices.Index(rank, b.Type)); c != 0 {
			return c
		}
		return cmp.Compare(a.Class, b.Class)
	})
	return out
}

// headerConverters returns the header converters, converters that also
// convert headers included, by class and version.
func headerConverters(reg *plugins.Registry) []plugins.Plugin {
	var out []plugins.Plugin
	for _, p := range reg.Plugins(plugins.HeaderConverter, plugins.Converter) {
		if p.Kind == plugins.Converter {
			inst, _ := safe.Call("create plugin "+p.Class, func() (any, error) { return p.New(), nil })
			if _, ok := inst.(schemas.HeaderConverter); !ok {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// PluginVersion returns the version GET /connector-plugins reports for p,
// a plugin of a registry: what a fresh instance's Version returns
// (connectors.Versioned), else p.Version; the registry resolved it when p
// was added.
func PluginVersion(p plugins.Plugin) string { return p.Version }

// PluginConfig returns a plugin's configuration keys as
// GET /connector-plugins/{plugin}/config shows them: the plugin's own
// keys, then the framework's for a connector (a key both define is the
// plugin's).
func PluginConfig(reg *plugins.Registry, name string) ([]config.KeyInfo, error) {
	return PluginConfigVersion(reg, name, "")
}

// PluginConfigVersion is PluginConfig of the latest installed version of
// the plugin that satisfies version (GET
// /connector-plugins/{plugin}/config?version=…; blank or "latest": the
// latest). A malformed version is a 400 "Invalid version specification",
// one that no installed version satisfies a 400 naming the installed
// versions, as in Kafka Connect 4.4.
func PluginConfigVersion(reg *plugins.Registry, name, version string) ([]config.KeyInfo, error) {
	if _, err := mavenversion.Requirement(version, strings.TrimSpace(version) != ""); err != nil {
		if len(version) > mavenversion.MaxRequirementLength {
			return nil, herder.BadRequest("Invalid version specification: %s", err.Error()) // not echoed
		}
		return nil, herder.BadRequest("Invalid version specification: %s", version)
	}
	keys, p, err := pluginKeys(reg, name, version)
	if err != nil {
		return nil, err
	}
	out := make([]config.KeyInfo, len(keys))
	for i, k := range keys {
		out[i] = k.Info()
		// A connector's version key defaults to the version described, as
		// Kafka Connect 4.4's enriched definition.
		if k.Name == ConnectorPluginVersion && (p.Kind == plugins.Source || p.Kind == plugins.Sink) {
			v := p.Version
			out[i].DefaultValue = &v
		}
	}
	return out, nil
}

// PluginKeys returns the configuration keys PluginConfig shows, in the
// same order, and the plugin name resolves to: what `sluice plugins docs`
// documents.
func PluginKeys(reg *plugins.Registry, name string) ([]config.Key, plugins.Plugin, error) {
	return pluginKeys(reg, name, "")
}

func pluginKeys(reg *plugins.Registry, name, version string) ([]config.Key, plugins.Plugin, error) {
	kinds := []plugins.Kind{plugins.Source, plugins.Sink, plugins.Converter, plugins.HeaderConverter, plugins.Transformation, plugins.Predicate}
	if _, err := reg.Lookup(name, kinds...); err != nil {
		return nil, plugins.Plugin{}, herder.NotFound("Unknown plugin %s.", name)
	}
	p, err := reg.LookupVersion(name, version, kinds...)
	if err != nil {
		return nil, plugins.Plugin{}, herder.BadRequest("%s", err.Error())
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
	case interface{ Config() *config.Def }:
		// Transformations, predicates, converters and header converters.
		keys = inst.Config().Keys()
	case schemas.Converter, schemas.HeaderConverter:
		// A converter that does not describe its keys has none to show.
	default:
		return nil, plugins.Plugin{}, &herder.Error{Code: http.StatusBadRequest, Message: "Invalid plugin class " + name + ". Valid types are sink, source, converter, header_converter, transformation, predicate."}
	}
	return keys, p, nil
}
