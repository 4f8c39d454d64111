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
	"github.com/sluicehq/sluice/internal/mavenversion"
	"github.com/sluicehq/sluice/internal/safe"
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
	Class string
	Kind  Kind
	// Version is the plugin's version. A registry holds the version its
	// instances report (connectors.Versioned), else this one. Versions are
	// ordered as Maven orders them ("1.10" after "1.9"), as Kafka Connect
	// does.
	Version string
	// Aliases are extra short names; the simple class name and the simple
	// name without its kind suffix are added automatically.
	Aliases []string
	// New returns a fresh instance: a connectors.SourceConnector,
	// connectors.SinkConnector, schemas.Converter, schemas.HeaderConverter,
	// transforms.Transformation or transforms.Predicate.
	New func() any
}

// Registry holds plugins and resolves names to them. It can hold several
// versions of a class (KIP-891): a name without a version requirement
// gives the latest. It is built once at start-up and read-only
// afterwards, so it is safe for concurrent use.
type Registry struct {
	plugins  []Plugin
	versions []mavenversion.Version // of plugins, by index
	byName   map[string][]int       // lookup name → indexes into plugins
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
// simple name or an alias) is an error naming both, and nothing is added;
// except another version of a registered class, of the same kind, which is
// added beside it (KIP-891: plugin.path may hold several versions of a
// plugin). The same class at an equal version, or without a version, is
// an error.
func (r *Registry) Add(p Plugin) error {
	if strings.TrimSpace(p.Class) == "" || p.New == nil {
		return fmt.Errorf("plugins: plugin %q needs a Class and New", p.Class)
	}
	switch p.Kind {
	case Source, Sink, Converter, HeaderConverter, Transformation, Predicate:
	default:
		return fmt.Errorf("plugins: unknown kind %q for %s", p.Kind, p.Class)
	}
	p.Version = instanceVersion(p)
	v := mavenversion.Parse(p.Version)
	if idx, ok := r.byName[p.Class]; ok {
		have := make([]string, len(idx))
		another := true
		for i, j := range idx {
			q := r.plugins[j]
			have[i] = q.Class + " (" + string(q.Kind) + ")"
			if q.Class != p.Class || q.Kind != p.Kind || q.Version == "" || p.Version == "" {
				// A plugin without a version cannot be told from another.
				another = false
			} else if mavenversion.Compare(r.versions[j], v) == 0 {
				return fmt.Errorf("plugins: %s (%s) version %s registered twice", p.Class, p.Kind, p.Version)
			}
		}
		if !another {
			return fmt.Errorf("plugins: %s (%s) registered twice: the name is taken by %s", p.Class, p.Kind, strings.Join(have, ", "))
		}
	}
	i := len(r.plugins)
	r.plugins = append(r.plugins, p)
	r.versions = append(r.versions, v)
	for _, name := range names(p) {
		if !slices.Contains(r.byName[name], i) {
			r.byName[name] = append(r.byName[name], i)
		}
	}
	return nil
}

// instanceVersion returns what a fresh instance of p reports as its
// version (connectors.Versioned), else p.Version: the version
// GET /connector-plugins shows.
func instanceVersion(p Plugin) string {
	inst, err := safe.Call("create plugin "+p.Class, func() (any, error) { return p.New(), nil })
	if err != nil {
		return p.Version
	}
	vd, ok := inst.(connectors.Versioned)
	if !ok {
		return p.Version
	}
	version, err := safe.CallMethod(p.Class, "Version", func() (string, error) { return vd.Version(), nil })
	if err != nil || version == "" {
		return p.Version
	}
	return version
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

// Lookup resolves name to a plugin of one of the given kinds, the latest
// version of its class. An unknown or ambiguous name is an error that
// lists the available plugins of those kinds.
func (r *Registry) Lookup(name string, kinds ...Kind) (Plugin, error) {
	return r.LookupVersion(name, "", kinds...)
}

// LookupVersion resolves name as Lookup does, then picks the latest
// version of its class that satisfies version: a Maven version range
// ("[1.0,2.0)"), an exact version ("1.2.0", as Kafka Connect reads a
// bare version), or "latest" or blank for the latest. An unsatisfiable
// requirement is a *VersionError; a malformed one is Maven's error.
func (r *Registry) LookupVersion(name, version string, kinds ...Kind) (Plugin, error) {
	name = strings.TrimSpace(name)
	var found []int
	var classes []string
	for _, i := range r.byName[name] {
		if slices.Contains(kinds, r.plugins[i].Kind) {
			found = append(found, i)
			if !slices.Contains(classes, r.plugins[i].Class) {
				classes = append(classes, r.plugins[i].Class)
			}
		}
	}
	switch len(classes) {
	case 1:
	case 0:
		// Kafka Connect's words (Plugins.newPlugin), naming the classes
		// where Java prints its PluginDesc objects.
		return Plugin{}, fmt.Errorf("Failed to find any class that implements %s and which name matches %s, available %s are: %s",
			kindNoun(kinds), name, kindPlural(kinds), strings.Join(r.classes(kinds...), ", "))
	default:
		return Plugin{}, fmt.Errorf("%s is ambiguous: it names %s; use the full class name", name, strings.Join(classes, ", "))
	}
	req, err := mavenversion.Requirement(version, strings.TrimSpace(version) != "")
	if err != nil {
		return Plugin{}, err
	}
	// Every version of the class, not only those the name reached (an
	// alias only one version declares).
	all := r.classVersions(classes[0], r.plugins[found[0]].Kind)
	best := -1
	for _, i := range all {
		if req == nil || req.Contains(r.versions[i]) {
			best = i // all is ascending
		}
	}
	if best < 0 {
		e := &VersionError{Class: classes[0], Range: req.String()}
		for _, i := range all {
			e.Available = append(e.Available, r.plugins[i].Version)
		}
		return Plugin{}, e
	}
	return r.plugins[best], nil
}

// VersionError says that no installed version of a plugin satisfies a
// version requirement.
type VersionError struct {
	Class string
	// Range is the requirement as Maven prints it ("[1.0,2.0)",
	// "[1.2.0,1.2.0]" for the exact version 1.2.0).
	Range string
	// Available are the installed versions, oldest first.
	Available []string
}

// Error is Kafka Connect's message.
func (e *VersionError) Error() string {
	return fmt.Sprintf("Plugin %s not found that matches the version range %s, available versions: [%s]", e.Class, e.Range, strings.Join(e.Available, ", "))
}

// classVersions returns the indexes of every version of class of kind,
// oldest first.
func (r *Registry) classVersions(class string, kind Kind) []int {
	var out []int
	for _, i := range r.byName[class] {
		if r.plugins[i].Class == class && r.plugins[i].Kind == kind {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return mavenversion.Compare(r.versions[a], r.versions[b]) })
	return out
}

// Versions returns the installed versions of the plugin name resolves to,
// oldest first (none when name resolves to no single class).
func (r *Registry) Versions(name string, kinds ...Kind) []string {
	p, err := r.Lookup(name, kinds...)
	if err != nil {
		return nil
	}
	var out []string
	for _, i := range r.classVersions(p.Class, p.Kind) {
		out = append(out, r.plugins[i].Version)
	}
	return out
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
		if slices.Contains(kinds, p.Kind) && !slices.Contains(out, p.Class) {
			out = append(out, p.Class)
		}
	}
	sort.Strings(out)
	return out
}

// Plugins returns the registered plugins of the given kinds (all when none
// are given), every version of each, sorted by class name, then version.
func (r *Registry) Plugins(kinds ...Kind) []Plugin {
	var idx []int
	for i, p := range r.plugins {
		if len(kinds) == 0 || slices.Contains(kinds, p.Kind) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		pa, pb := r.plugins[idx[a]], r.plugins[idx[b]]
		if pa.Class != pb.Class {
			return pa.Class < pb.Class
		}
		return mavenversion.Compare(r.versions[idx[a]], r.versions[idx[b]]) < 0
	})
	out := make([]Plugin, len(idx))
	for i, j := range idx {
		out[i] = r.plugins[j]
	}
	return out
}

// NewConnector returns a new instance of the connector class names and its
// kind (Source or Sink), of the latest version.
func (r *Registry) NewConnector(name string) (connectors.Connector, Plugin, error) {
	return r.NewConnectorVersion(name, "")
}

// NewConnectorVersion is NewConnector of the latest version that
// satisfies version (see LookupVersion).
func (r *Registry) NewConnectorVersion(name, version string) (connectors.Connector, Plugin, error) {
	p, err := r.LookupVersion(name, version, Source, Sink)
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
	c, _, err := r.NewConverterVersion(name, "")
	return c, err
}

// NewConverterVersion is NewConverter of the latest version that satisfies
// version (see LookupVersion), with the plugin it was made from.
func (r *Registry) NewConverterVersion(name, version string) (schemas.Converter, Plugin, error) {
	p, err := r.LookupVersion(name, version, Converter)
	if err != nil {
		return nil, Plugin{}, err
	}
	c, ok := p.New().(schemas.Converter)
	if !ok {
		return nil, Plugin{}, fmt.Errorf("plugin %s is not a converter", p.Class)
	}
	return c, p, nil
}

// NewHeaderConverter returns a new, unconfigured instance of a header
// converter. Converters that also convert headers (JsonConverter,
// StringConverter) are found too, as in Kafka Connect.
func (r *Registry) NewHeaderConverter(name string) (schemas.HeaderConverter, error) {
	c, _, err := r.NewHeaderConverterVersion(name, "")
	return c, err
}

// NewHeaderConverterVersion is NewHeaderConverter of the latest version
// that satisfies version (see LookupVersion), with the plugin it was made
// from.
func (r *Registry) NewHeaderConverterVersion(name, version string) (schemas.HeaderConverter, Plugin, error) {
	p, err := r.LookupVersion(name, version, HeaderConverter, Converter)
	if err != nil {
		return nil, Plugin{}, err
	}
	c, ok := p.New().(schemas.HeaderConverter)
	if !ok {
		return nil, Plugin{}, fmt.Errorf("plugin %s cannot convert headers", p.Class)
	}
	return c, p, nil
}

// NewTransformation returns a new, unconfigured instance of a
// transformation, with the plugin it was made from.
func (r *Registry) NewTransformation(name string) (transforms.Transformation, Plugin, error) {
	return r.NewTransformationVersion(name, "")
}

// NewTransformationVersion is NewTransformation of the latest version
// that satisfies version (see LookupVersion).
func (r *Registry) NewTransformationVersion(name, version string) (transforms.Transformation, Plugin, error) {
	p, err := r.LookupVersion(name, version, Transformation)
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
	return r.NewPredicateVersion(name, "")
}

// NewPredicateVersion is NewPredicate of the latest version that satisfies
// version (see LookupVersion).
func (r *Registry) NewPredicateVersion(name, version string) (transforms.Predicate, Plugin, error) {
	p, err := r.LookupVersion(name, version, Predicate)
	if err != nil {
		return nil, Plugin{}, err
	}
	t, ok := p.New().(transforms.Predicate)
	if !ok {
		return nil, Plugin{}, fmt.Errorf("plugin %s is not a predicate", p.Class)
	}
	return t, p, nil
}
