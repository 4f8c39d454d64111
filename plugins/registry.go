// Package plugins finds connectors, converters, header converters,
// transformations and predicates by the Java class name of their Kafka
// Connect equivalent, by simple class name, or by a short alias, so existing
// Kafka Connect configurations work unchanged.
package plugins

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/transforms"
)

// Kind is the kind of a plugin, as named in Kafka Connect's PluginInfo type.
type Kind string

// Plugin kinds.
const (
	Source          Kind = "source"
	Sink            Kind = "sink"
	Converter       Kind = "converter"
	HeaderConverter Kind = "header_converter"
	Transformation  Kind = "transformation"
	Predicate       Kind = "predicate"
)

// Plugin describes one registered plugin and how to make instances of it.
type Plugin struct {
	// Class is the Java class name of the Kafka Connect equivalent, or a
	// sluice name for plugins that have none.
	Class   string
	Kind    Kind
	Version string
	// Aliases are extra short names; the simple class name and the simple
	// name without its kind suffix are added automatically.
	Aliases []string
	// New returns a fresh instance: a connectors.SourceConnector,
	// connectors.SinkConnector, schemas.Converter, schemas.HeaderConverter,
	// transforms.Transformation or transforms.Predicate.
	New func() any
}

// Registry holds plugins and resolves names to them. It is built once at
// start-up and read-only afterwards, so it is safe for concurrent use.
type Registry struct {
	plugins []Plugin
	byName  map[string][]int // lookup name → indexes into plugins
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string][]int{}}
}

// Register adds a plugin. It panics when Add would return an error: the
// built-in plugins are registered with it, where a bad plugin is a
// programming error.
func (r *Registry) Register(p Plugin) {
	if err := r.Add(p); err != nil {
		panic(err.Error())
	}
}

// Add adds a plugin. A plugin without a Class or New, of an unknown kind,
// or whose class is already a name of a registered plugin (its class, its
// simple name or an alias) is an error naming both, and nothing is added.
func (r *Registry) Add(p Plugin) error {
	if strings.TrimSpace(p.Class) == "" || p.New == nil {
		return fmt.Errorf("plugins: plugin %q needs a Class and New", p.Class)
	}
	switch p.Kind {
	case Source, Sink, Converter, HeaderConverter, Transformation, Predicate:
	default:
		return fmt.Errorf("plugins: unknown kind %q for %s", p.Kind, p.Class)
	}
	if idx, ok := r.byName[p.Class]; ok {
		have := make([]string, len(idx))
		for i, j := range idx {
			have[i] = r.plugins[j].Class + " (" + string(r.plugins[j].Kind) + ")"
		}
		return fmt.Errorf("plugins: %s (%s) registered twice: the name is taken by %s", p.Class, p.Kind, strings.Join(have, ", "))
	}
	i := len(r.plugins)
	r.plugins = append(r.plugins, p)
	for _, name := range names(p) {
		if !slices.Contains(r.byName[name], i) {
			r.byName[name] = append(r.byName[name], i)
		}
	}
	return nil
}

// Names returns every name p answers to: its class, its simple class name,
// that name without its kind's suffix, and its aliases.
func Names(p Plugin) []string {
	var out []string
	for _, n := range names(p) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// names returns every name a plugin answers to, as Kafka Connect's
// PluginUtils.computeAliases does: full class name, simple class name, and
// the simple name without the suffix of its kind, plus explicit aliases. The
// simple name of a nested class keeps its outer class ("InsertField$Value"):
// Java's "Value" would name every $Value transformation.
func names(p Plugin) []string {
	simple := p.Class
	if i := strings.LastIndexByte(simple, '.'); i >= 0 {
		simple = simple[i+1:]
	}
	out := []string{p.Class, simple}
	for _, suffix := range []string{"Connector", "Converter", "HeaderConverter"} {
		if s, ok := strings.CutSuffix(simple, suffix); ok && s != "" {
			out = append(out, s)
		}
	}
	return append(out, p.Aliases...)
}

// Lookup resolves name to a plugin of one of the given kinds. An unknown or
// ambiguous name is an error that lists the available plugins of those kinds.
func (r *Registry) Lookup(name string, kinds ...Kind) (Plugin, error) {
	name = strings.TrimSpace(name)
	var found []Plugin
	for _, i := range r.byName[name] {
		if slices.Contains(kinds, r.plugins[i].Kind) {
			found = append(found, r.plugins[i])
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Plugin{}, fmt.Errorf("failed to find any class that implements %s and which name matches %s, available %s are: %s",
			kindNoun(kinds), name, kindPlural(kinds), strings.Join(r.classes(kinds...), ", "))
	default:
		classes := make([]string, len(found))
		for i, p := range found {
			classes[i] = p.Class
		}
		return Plugin{}, fmt.Errorf("%s is ambiguous: it names %s; use the full class name", name, strings.Join(classes, ", "))
	}
}

func kindNoun(kinds []Kind) string {
	switch {
	case slices.Contains(kinds, Source) || slices.Contains(kinds, Sink):
		return "Connector"
	case slices.Contains(kinds, Transformation):
		return "Transformation"
	case slices.Contains(kinds, Predicate):
		return "Predicate"
	case slices.Contains(kinds, HeaderConverter):
		return "HeaderConverter"
	default:
		return "Converter"
	}
}

func kindPlural(kinds []Kind) string {
	return strings.ToLower(kindNoun(kinds)) + "s"
}

// classes returns the sorted class names of the plugins of the given kinds.
func (r *Registry) classes(kinds ...Kind) []string {
	var out []string
	for _, p := range r.plugins {
		if slices.Contains(kinds, p.Kind) {
			out = append(out, p.Class)
		}
	}
	sort.Strings(out)
	return out
}

// Plugins returns the registered plugins of the given kinds (all when none
// are given), sorted by class name.
func (r *Registry) Plugins(kinds ...Kind) []Plugin {
	var out []Plugin
	for _, p := range r.plugins {
		if len(kinds) == 0 || slices.Contains(kinds, p.Kind) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Class < out[j].Class })
	return out
}

// NewConnector returns a new instance of the connector class names and its
// kind (Source or Sink).
func (r *Registry) NewConnector(name string) (connectors.Connector, Plugin, error) {
	p, err := r.Lookup(name, Source, Sink)
	if err != nil {
		return nil, Plugin{}, err
	}
	c, ok := p.New().(connectors.Connector)
	if !ok {
		return nil, Plugin{}, fmt.Errorf("plugin %s is not a connector", p.Class)
	}
	return c, p, nil
}

// NewConverter returns a new, unconfigured instance of a converter.
func (r *Registry) NewConverter(name string) (schemas.Converter, error) {
	p, err := r.Lookup(name, Converter)
	if err != nil {
		return nil, err
	}
	c, ok := p.New().(schemas.Converter)
	if !ok {
		return nil, fmt.Errorf("plugin %s is not a converter", p.Class)
	}
	return c, nil
}

// NewHeaderConverter returns a new, unconfigured instance of a header
// converter. Converters that also convert headers (JsonConverter,
// StringConverter) are found too, as in Kafka Connect.
func (r *Registry) NewHeaderConverter(name string) (schemas.HeaderConverter, error) {
	p, err := r.Lookup(name, HeaderConverter, Converter)
	if err != nil {
		return nil, err
	}
	c, ok := p.New().(schemas.HeaderConverter)
	if !ok {
		return nil, fmt.Errorf("plugin %s cannot convert headers", p.Class)
	}
	return c, nil
}

// NewTransformation returns a new, unconfigured instance of a
// transformation, with the plugin it was made from.
func (r *Registry) NewTransformation(name string) (transforms.Transformation, Plugin, error) {
	p, err := r.Lookup(name, Transformation)
	if err != nil {
		return nil, Plugin{}, err
	}
	t, ok := p.New().(transforms.Transformation)
	if !ok {
		return nil, Plugin{}, fmt.Errorf("plugin %s is not a transformation", p.Class)
	}
	return t, p, nil
}

// NewPredicate returns a new, unconfigured instance of a predicate, with
// the plugin it was made from.
func (r *Registry) NewPredicate(name string) (transforms.Predicate, Plugin, error) {
	p, err := r.Lookup(name, Predicate)
	if err != nil {
		return nil, Plugin{}, err
	}
	t, ok := p.New().(transforms.Predicate)
	if !ok {
		return nil, Plugin{}, fmt.Errorf("plugin %s is not a predicate", p.Class)
	}
	return t, p, nil
}
