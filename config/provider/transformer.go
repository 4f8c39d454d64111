package provider

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"

	"github.com/sluicehq/sluice/config"
)

// variable matches ${alias:key} and ${alias:path:key}: group 1 is the alias,
// 3 the path (absent: ""), 4 the key. It is Kafka's
// ConfigTransformer.DEFAULT_PATTERN; the lazy groups make the first colon end
// the alias and the second end the path, so the key may hold colons.
var variable = regexp.MustCompile(`\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}`)

// Transformer resolves config variables with the config providers of a
// worker config. A nil *Transformer has no providers: it resolves nothing.
// A Transformer is safe for concurrent use.
type Transformer struct {
	providers map[string]Provider // by alias
}

// NewTransformer builds the providers that workerProps declares with
// config.providers, config.providers.<alias>.class and
// config.providers.<alias>.param.<name>. Without config.providers the
// Transformer resolves nothing. Errors name the offending key; every problem
// is reported.
func NewTransformer(workerProps map[string]string) (*Transformer, error) {
	t := &Transformer{providers: map[string]Provider{}}
	var errs []error
	for _, alias := range strings.Split(workerProps[ProvidersConfig], ",") {
		alias = strings.TrimSpace(alias)
		if alias == "" || t.providers[alias] != nil {
			continue
		}
		p, err := newProvider(workerProps, alias)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.providers[alias] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// newProvider builds the provider called alias.
func newProvider(workerProps map[string]string, alias string) (Provider, error) {
	classKey := providerPrefix + alias + ".class"
	name := strings.TrimSpace(workerProps[classKey])
	if name == "" {
		return nil, fmt.Errorf("Missing required configuration %q which has no default value. (config provider %q is listed in %s)",
			classKey, alias, ProvidersConfig)
	}
	c, ok := lookupClass(name)
	if !ok {
		return nil, &config.ValueError{Name: classKey, Value: name,
			Reason: "unknown config provider class; available: " + classNames()}
	}
	paramPrefix := providerPrefix + alias + ".param."
	params := map[string]string{}
	for k, v := range workerProps {
		if rest, ok := strings.CutPrefix(k, paramPrefix); ok {
			params[rest] = v
		}
	}
	return c.new(params, func(name string) string { return paramPrefix + name })
}

// VariableError is a variable that could not be resolved.
type VariableError struct {
	// Key is the config key whose value holds the variable.
	Key string
	// Variable is the variable as written, e.g. "${env:DB_PASS}".
	Variable string
	// Err is the cause.
	Err error
}

// Error returns `config key "K": ${...}: cause` (a connector's or the worker's).
func (e *VariableError) Error() string {
	return fmt.Sprintf("config key %q: %s: %v", e.Key, e.Variable, e.Err)
}

// Unwrap returns the cause.
func (e *VariableError) Unwrap() error { return e.Err }

// ref is one variable found in a value.
type ref struct {
	start, end       int // the variable's position in the value
	alias, path, key string
}

// refs returns the variables in value, configured providers or not.
func refs(value string) []ref {
	var rs []ref
	for _, m := range variable.FindAllStringSubmatchIndex(value, -1) {
		r := ref{start: m[0], end: m[1], alias: value[m[2]:m[3]], key: value[m[8]:m[9]]}
		if m[6] >= 0 {
			r.path = value[m[6]:m[7]]
		}
		rs = append(rs, r)
	}
	return rs
}

// location is where a provider is asked for keys.
type location struct{ alias, path string }

// Transform returns a copy of props in which every variable whose alias is a
// configured provider is replaced by the provider's value; variables of other
// aliases stay as they are. The values substituted are not scanned again.
// Each provider is asked once per path, for all the keys wanted there. If a
// variable cannot be resolved, Transform returns no map and an error
// joining one *VariableError per such variable, sorted by config key. props
// is never changed.
func (t *Transformer) Transform(props map[string]string) (map[string]string, error) {
	out, _, err := t.Resolve(props)
	return out, err
}

// Resolve is Transform that also returns the values the providers gave for
// the variables it replaced, so that they can be scrubbed from logs and
// error messages as secrets.
func (t *Transformer) Resolve(props map[string]string) (map[string]string, []string, error) {
	out := maps.Clone(props)
	if out == nil {
		out = map[string]string{}
	}
	if t == nil || len(t.providers) == 0 {
		return out, nil, nil
	}

	keys := make([]string, 0, len(props))
	found := map[string][]ref{}
	wanted := map[location]map[string]bool{}
	for k, v := range props {
		for _, r := range refs(v) {
			if t.providers[r.alias] == nil {
				continue
			}
			found[k] = append(found[k], r)
			loc := location{r.alias, r.path}
			if wanted[loc] == nil {
				wanted[loc] = map[string]bool{}
			}
			wanted[loc][r.key] = true
		}
		if len(found[k]) > 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return out, nil, nil
	}
	sort.Strings(keys)

	type answer struct {
		data map[string]string
		err  error
	}
	answers := make(map[location]answer, len(wanted))
	for loc, set := range wanted {
		ks := make([]string, 0, len(set))
		for k := range set {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		data, err := t.providers[loc.alias].Get(loc.path, ks)
		answers[loc] = answer{data, err}
	}

	var errs []error
	var values []string
	for _, k := range keys {
		v := props[k]
		var b strings.Builder
		last := 0
		for _, r := range found[k] {
			b.WriteString(v[last:r.start])
			last = r.end
			a := answers[location{r.alias, r.path}]
			if a.err != nil {
				errs = append(errs, &VariableError{Key: k, Variable: v[r.start:r.end], Err: a.err})
				continue
			}
			val, ok := a.data[r.key]
			if !ok {
				errs = append(errs, &VariableError{Key: k, Variable: v[r.start:r.end], Err: t.missing(r)})
				continue
			}
			b.WriteString(val)
			values = append(values, val)
		}
		b.WriteString(v[last:])
		out[k] = b.String()
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return out, values, nil
}

// missing explains why r's key was not found.
func (t *Transformer) missing(r ref) error {
	if e, ok := t.providers[r.alias].(explainer); ok {
		return e.missing(r.path, r.key)
	}
	if r.path == "" {
		return notFound(fmt.Sprintf("key %q not found", r.key))
	}
	return notFound(fmt.Sprintf("key %q not found in %s", r.key, r.path))
}

// HasVariables reports whether value holds a variable of a configured
// provider.
func (t *Transformer) HasVariables(value string) bool {
	if t == nil || len(t.providers) == 0 {
		return false
	}
	for _, r := range refs(value) {
		if t.providers[r.alias] != nil {
			return true
		}
	}
	return false
}

// Reverse undoes Transform on a task config before it is stored, as Kafka's
// AbstractHerder.reverseTransform does, so that resolved secrets never reach
// the config topic: it returns a copy of resolvedTaskConfig in which every
// key whose raw connector config value holds a variable of a configured
// provider has that raw value again. Keys the task config lacks are not added.
func (t *Transformer) Reverse(raw, resolvedTaskConfig map[string]string) map[string]string {
	out := maps.Clone(resolvedTaskConfig)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range raw {
		if _, ok := out[k]; ok && t.HasVariables(v) {
			out[k] = v
		}
	}
	return out
}
