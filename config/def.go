package config

import (
	"fmt"
	"sort"
)

// Def is an ordered set of configuration keys: Java's ConfigDef. Build it
// with NewDef (or a zero Def) and Define.
type Def struct {
	keys   []Key
	index  map[string]int // name -> position in keys
	groups []string
}

// NewDef returns an empty definition.
func NewDef() *Def {
	return &Def{index: map[string]int{}}
}

// Define adds k and returns d, so calls chain. It panics, as Java's define
// throws, on a programmer error: an empty or duplicate name, an unset Type or
// Importance, an invalid Width, or a Default that does not parse as Type or
// that the Validator rejects. Default is stored converted to its parsed Go
// value (Key and Keys return it so).
func (d *Def) Define(k Key) *Def {
	if err := d.define(k); err != nil {
		panic(err)
	}
	return d
}

func (d *Def) define(k Key) error {
	if d.index == nil {
		d.index = map[string]int{}
	}
	switch {
	case k.Name == "":
		return fmt.Errorf("config: a key has no name")
	case d.has(k.Name):
		return fmt.Errorf("config: key %q is defined twice", k.Name)
	case !k.Type.valid():
		return fmt.Errorf("config: key %q: Type not set or invalid (%v)", k.Name, k.Type)
	case !k.Importance.valid():
		return fmt.Errorf("config: key %q: Importance not set or invalid (%v); use High, Medium or Low", k.Name, k.Importance)
	case !k.Width.valid():
		return fmt.Errorf("config: key %q: invalid Width %v", k.Name, k.Width)
	}
	k = k.clone()
	if !k.Required() {
		v, err := convertDefault(k.Name, k.Default, k.Type)
		if err != nil {
			return fmt.Errorf("config: key %q: invalid default: %w", k.Name, err)
		}
		k.Default = v
		if k.Validator != nil {
			if msg := runValidator(k.Validator, k.Name, v); msg != "" {
				return fmt.Errorf("config: key %q: invalid default: %s", k.Name, msg)
			}
		}
	}
	d.index[k.Name] = len(d.keys)
	d.keys = append(d.keys, k)
	if k.Group != "" && !contains(d.groups, k.Group) {
		d.groups = append(d.groups, k.Group)
	}
	return nil
}

func (d *Def) has(name string) bool {
	_, ok := d.index[name]
	return ok
}

// Merge returns a new definition holding d's keys and then other's; neither d
// nor other changes. Like Define it panics when both define the same name:
// two definitions that disagree about a key are a programmer error, and
// silently picking one would hide it.
func (d *Def) Merge(other *Def) *Def {
	m := NewDef()
	for _, k := range d.keys {
		m.Define(k)
	}
	for _, k := range other.keys {
		m.Define(k)
	}
	return m
}

// Embed defines every key of child in d under the name keyPrefix+name, as
// Java's ConfigDef.embed does for transforms and converters (e.g. keyPrefix
// "transforms.route.", groupPrefix "Transforms: route"): the keys are taken in
// child's documentation order, grouped under groupPrefix (or
// "groupPrefix: group" when they have a group), numbered from startingOrder,
// and their dependents are prefixed too. Validators and recommenders see the
// unprefixed names; error messages name the full key. Embed returns d and
// panics like Define.
func (d *Def) Embed(keyPrefix, groupPrefix string, startingOrder int, child *Def) *Def {
	order := startingOrder
	for _, k := range child.sortedKeys() {
		k = k.clone()
		k.Name = keyPrefix + k.Name
		if k.Group == "" {
			k.Group = groupPrefix
		} else {
			k.Group = groupPrefix + ": " + k.Group
		}
		k.OrderInGroup = order
		order++
		for i, dep := range k.Dependents {
			k.Dependents[i] = keyPrefix + dep
		}
		if k.Validator != nil {
			k.Validator = prefixedValidator{prefix: keyPrefix, base: k.Validator}
		}
		if k.Recommender != nil {
			k.Recommender = prefixedRecommender{prefix: keyPrefix, base: k.Recommender}
		}
		d.Define(k)
	}
	return d
}

// prefixedValidator runs base with the unprefixed name of an embedded key.
type prefixedValidator struct {
	prefix string
	base   Validator
}

func (v prefixedValidator) Validate(name string, value any) error {
	short := name[len(v.prefix):]
	err := v.base.Validate(short, value)
	if ve, ok := err.(*ValueError); ok && (ve.Name == short || ve.Name == "") {
		c := *ve
		c.Name = name
		return &c
	}
	return err
}

func (v prefixedValidator) String() string { return v.base.String() }

// prefixedRecommender runs base with the unprefixed name and the unprefixed
// values of an embedded key's siblings.
type prefixedRecommender struct {
	prefix string
	base   Recommender
}

func (r prefixedRecommender) strip(parsed map[string]any) map[string]any {
	m := make(map[string]any)
	for k, v := range parsed {
		if len(k) >= len(r.prefix) && k[:len(r.prefix)] == r.prefix {
			m[k[len(r.prefix):]] = v
		}
	}
	return m
}

func (r prefixedRecommender) ValidValues(name string, parsed map[string]any) ([]any, error) {
	return r.base.ValidValues(name[len(r.prefix):], r.strip(parsed))
}

func (r prefixedRecommender) Visible(name string, parsed map[string]any) bool {
	return r.base.Visible(name[len(r.prefix):], r.strip(parsed))
}

// Keys returns the keys in definition order.
func (d *Def) Keys() []Key {
	keys := make([]Key, len(d.keys))
	for i, k := range d.keys {
		keys[i] = k.clone()
	}
	return keys
}

// Key returns the key named name, and whether it is defined.
func (d *Def) Key(name string) (Key, bool) {
	i, ok := d.index[name]
	if !ok {
		return Key{}, false
	}
	return d.keys[i].clone(), true
}

// Groups returns the keys' group names in the order they first appear.
func (d *Def) Groups() []string {
	return append([]string(nil), d.groups...)
}

// sortedKeys returns the keys in Java's documentation order (ConfigDef.sortedConfigs):
// ungrouped keys first, then by group in first-seen order, then by order in
// group, required keys before the others, by importance, and by name.
func (d *Def) sortedKeys() []Key {
	groupOrd := make(map[string]int, len(d.groups))
	for i, g := range d.groups {
		groupOrd[g] = i
	}
	keys := d.Keys()
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if (a.Group == "") != (b.Group == "") {
			return a.Group == ""
		}
		if ga, gb := groupOrd[a.Group], groupOrd[b.Group]; ga != gb {
			return ga < gb
		}
		if a.OrderInGroup != b.OrderInGroup {
			return a.OrderInGroup < b.OrderInGroup
		}
		if a.Required() != b.Required() {
			return a.Required()
		}
		if a.Importance != b.Importance {
			return a.Importance < b.Importance
		}
		return a.Name < b.Name
	})
	return keys
}

// runValidator applies v and returns the failure as a message, "" if none.
// A *ValueError is used as is (its Name filled in if empty); any other error
// becomes the Reason of one naming the key and value.
func runValidator(v Validator, name string, value any) string {
	err := v.Validate(name, value)
	if err == nil {
		return ""
	}
	// A direct assertion, not errors.As: a validator that wraps a ValueError
	// added context that must not be dropped.
	if ve, ok := err.(*ValueError); ok {
		if ve.Name == "" {
			c := *ve
			c.Name = name
			return c.Error()
		}
		return ve.Error()
	}
	return (&ValueError{Name: name, Value: value, Reason: err.Error()}).Error()
}
