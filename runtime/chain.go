package runtime

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/transforms"
)

// The keys every transformation alias has besides its own (Kafka Connect's
// TransformationStage.PREDICATE_CONFIG and NEGATE_CONFIG).
const (
	predicateKey = "predicate"
	negateKey    = "negate"
)

// chain applies a connector's transformations in order (Kafka Connect's
// TransformationChain). A task owns its chain: no locking.
type chain struct {
	stages []chainStage
}

type chainStage struct {
	alias     string
	class     string
	version   string // of the transformation's plugin
	t         transforms.Transformation
	pred      transforms.Predicate // nil: always applies
	predClass string
	predVer   string
	negate    bool
}

// apply runs the chain on r. It reports false when a transformation dropped
// the record, and on failure the class of the transformation that failed.
// A panic in a transformation or its predicate is that record's failure.
func (c *chain) apply(r *transforms.Record) (keep bool, class string, err error) {
	i, inTest := 0, false
	defer func() {
		if p := recover(); p != nil {
			s := &c.stages[i]
			method := s.class + ".Apply"
			if inTest {
				method = s.predClass + ".Test"
			}
			keep, class, err = false, s.class, safe.Recovered(method, p)
		}
	}()
	for i = range c.stages {
		s := &c.stages[i]
		if s.pred != nil {
			inTest = true
			matches := s.pred.Test(r)
			inTest = false
			if matches == s.negate {
				continue
			}
		}
		keep, err := s.t.Apply(r)
		if err != nil {
			return false, s.class, err
		}
		if !keep {
			return false, "", nil
		}
	}
	return true, "", nil
}

func (c *chain) empty() bool { return c == nil || len(c.stages) == 0 }

// close closes every transformation and predicate.
func (c *chain) close() {
	if c == nil {
		return
	}
	for _, s := range c.stages {
		_ = safe.DoMethod(s.class, "Close", s.t.Close)
		if s.pred != nil {
			_ = safe.DoMethod(s.predClass, "Close", s.pred.Close)
		}
	}
}

// buildChain makes and configures the transformations and predicates a
// connector configuration names. A problem names the key concerned.
func buildChain(reg *plugins.Registry, props map[string]string) (*chain, error) {
	aliases := splitList(props[Transforms])
	predicates := map[string]bool{}
	for _, p := range splitList(props[Predicates]) {
		predicates[p] = true
	}
	c := &chain{}
	fail := func(err error) (*chain, error) {
		c.close()
		return nil, err
	}
	for _, alias := range aliases {
		prefix := Transforms + "." + alias + "."
		t, plugin, err := reg.NewTransformationVersion(props[prefix+"type"], props[prefix+pluginVersionSuffix])
		if err != nil {
			return fail(fmt.Errorf("%s: %w", aliasKeyOf(reg, prefix, props, err, plugins.Transformation), err))
		}
		own := prefixed(props, prefix)
		delete(own, "type")
		delete(own, pluginVersionSuffix)
		predAlias, hasPred := own[predicateKey]
		negateText, hasNegate := own[negateKey]
		delete(own, predicateKey)
		delete(own, negateKey)
		if err := t.Configure(own); err != nil {
			t.Close()
			return fail(fmt.Errorf("transformation %s (%s): %w", alias, plugin.Class, err))
		}
		c.stages = append(c.stages, chainStage{alias: alias, class: plugin.Class, version: plugin.Version, t: t})
		if hasNegate && !hasPred {
			return fail(negateWithoutPredicate(prefix))
		}
		if hasNegate {
			neg, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(negateText)))
			if err != nil {
				return fail(&config.ValueError{Name: prefix + negateKey, Value: negateText, Reason: "Expected value to be either true or false"})
			}
			c.stages[len(c.stages)-1].negate = neg
		}
		if !hasPred {
			continue
		}
		predAlias = strings.TrimSpace(predAlias)
		if !predicates[predAlias] {
			return fail(unknownPredicate(prefix, predAlias))
		}
		pprefix := Predicates + "." + predAlias + "."
		p, pplugin, err := reg.NewPredicateVersion(props[pprefix+"type"], props[pprefix+pluginVersionSuffix])
		if err != nil {
			return fail(fmt.Errorf("%s: %w", aliasKeyOf(reg, pprefix, props, err, plugins.Predicate), err))
		}
		pown := prefixed(props, pprefix)
		delete(pown, "type")
		delete(pown, pluginVersionSuffix)
		if err := p.Configure(pown); err != nil {
			p.Close()
			return fail(fmt.Errorf("predicate %s (%s): %w", predAlias, pplugin.Class, err))
		}
		last := &c.stages[len(c.stages)-1]
		last.pred, last.predClass, last.predVer = p, pplugin.Class, pplugin.Version
	}
	return c, nil
}

func negateWithoutPredicate(prefix string) error {
	return fmt.Errorf("Config '%s%s' was provided but there is no config '%s%s' defining a predicate to be negated.", prefix, negateKey, prefix, predicateKey)
}

func unknownPredicate(prefix, alias string) error {
	return &config.ValueError{Name: prefix + predicateKey, Value: alias, Reason: "There is no predicate with this alias in " + Predicates}
}

// enrich adds to def the keys of the transformations and predicates props
// names, as Kafka Connect's ConnectorConfig.enrich: for each alias its
// type key (validated against the registry), the implicit predicate and
// negate keys of transformations, and the plugin's own keys, prefixed and
// grouped under "Transforms: <alias>" or "Predicates: <alias>".
func enrich(reg *plugins.Registry, def *config.Def, props map[string]string) *config.Def {
	predicates := splitList(props[Predicates])
	for _, alias := range uniqueList(splitList(props[Transforms])) {
		prefix := Transforms + "." + alias + "."
		group := "Transforms: " + alias
		def.Define(config.Key{Name: prefix + "type", Type: config.Class, Default: config.NoDefault, Importance: config.High, Group: group, OrderInGroup: 0, Width: config.WidthLong,
			DisplayName: "Transformation type for " + alias, Doc: "Class for the '" + alias + "' transformation.",
			Validator: pluginValidator(reg, plugins.Transformation, "valid configs for "+alias+" transformation", func() error {
				_, hasPred := props[prefix+predicateKey]
				if _, ok := props[prefix+negateKey]; ok && !hasPred {
					return negateWithoutPredicate(prefix)
				}
				return nil
			})})
		defineAliasVersion(reg, def, prefix, group, alias, "transformation", plugins.Transformation, props)
		own := config.NewDef().
			Define(config.Key{Name: predicateKey, Type: config.String, Default: nil, Importance: config.Medium,
				Validator: config.ValidatorFunc(func(_ string, v any) error {
					if s, ok := v.(string); ok && !slices.Contains(predicates, strings.TrimSpace(s)) {
						return unknownPredicate(prefix, s)
					}
					return nil
				}, "the alias of a predicate in "+Predicates),
				Doc: "The alias of a predicate that decides whether this transformation applies to a record."}).
			Define(config.Key{Name: negateKey, Type: config.Boolean, Default: false, Importance: config.Medium,
				Doc: "Whether the predicate's answer is inverted."})
		if t, _, err := reg.NewTransformationVersion(props[prefix+"type"], props[prefix+pluginVersionSuffix]); err == nil {
			for _, k := range t.Config().Keys() {
				if k.Name != predicateKey && k.Name != negateKey && k.Name != pluginVersionSuffix {
					own.Define(k)
				}
			}
		}
		def.Embed(prefix, group, 2, own)
	}
	for _, alias := range uniqueList(predicates) {
		prefix := Predicates + "." + alias + "."
		group := "Predicates: " + alias
		def.Define(config.Key{Name: prefix + "type", Type: config.Class, Default: config.NoDefault, Importance: config.High, Group: group, OrderInGroup: 0, Width: config.WidthLong,
			DisplayName: "Predicate type for " + alias, Doc: "Class for the '" + alias + "' predicate.",
			Validator: pluginValidator(reg, plugins.Predicate, "valid configs for "+alias+" predicate", nil)})
		defineAliasVersion(reg, def, prefix, group, alias, "predicate", plugins.Predicate, props)
		if p, _, err := reg.NewPredicateVersion(props[prefix+"type"], props[prefix+pluginVersionSuffix]); err == nil {
			def.Embed(prefix, group, 2, p.Config())
		}
	}
	return def
}

// pluginValidator checks that a type key names a plugin of kind, after
// check (extra rules on neighbouring keys) passes.
func pluginValidator(reg *plugins.Registry, kind plugins.Kind, desc string, check func() error) config.Validator {
	return config.ValidatorFunc(func(name string, v any) error {
		if check != nil {
			if err := check(); err != nil {
				return err
			}
		}
		s, _ := v.(string)
		if _, err := reg.Lookup(s, kind); err != nil {
			return &config.ValueError{Name: name, Value: s, Reason: err.Error()}
		}
		return nil
	}, desc)
}

func uniqueList(l []string) []string {
	var out []string
	for _, s := range l {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// configureErrors configures each transformation and predicate props names
// and returns, by type key, what Configure rejected: rules between keys
// that their definitions cannot express (Kafka Connect only finds those
// when the task starts).
func configureErrors(reg *plugins.Registry, props map[string]string) map[string]string {
	out := map[string]string{}
	try := func(prefix string, configure func(map[string]string) error, skip ...string) {
		own := prefixed(props, prefix)
		delete(own, "type")
		delete(own, pluginVersionSuffix)
		for _, k := range skip {
			delete(own, k)
		}
		if err := configure(own); err != nil {
			out[prefix+"type"] = err.Error()
		}
	}
	for _, alias := range uniqueList(splitList(props[Transforms])) {
		prefix := Transforms + "." + alias + "."
		if t, _, err := reg.NewTransformationVersion(props[prefix+"type"], props[prefix+pluginVersionSuffix]); err == nil {
			try(prefix, t.Configure, predicateKey, negateKey)
			t.Close()
		}
	}
	for _, alias := range uniqueList(splitList(props[Predicates])) {
		prefix := Predicates + "." + alias + "."
		if p, _, err := reg.NewPredicateVersion(props[prefix+"type"], props[prefix+pluginVersionSuffix]); err == nil {
			try(prefix, p.Configure)
			p.Close()
		}
	}
	return out
}
