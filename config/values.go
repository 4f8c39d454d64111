package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Values is the result of Def.Parse: the typed value of every defined key and
// the properties as given. It is immutable and safe for concurrent use.
//
// The typed accessors (String, Int, ...) panic when the key is not defined or
// has another Type: both are programmer errors, like a wrong cast of Java's
// AbstractConfig.get. A null value (Default: nil and not given) yields the
// zero value; Get tells it apart by returning nil.
type Values struct {
	// The state is reached through a function because fmt prints unexported
	// fields by reflection (and a pointer's target too, under some verbs) but
	// shows a function only as its address: printing a Values with any verb
	// shows no secret.
	state func() *valuesState
}

type valuesState struct {
	entries   map[string]entry
	originals map[string]string
}

type entry struct {
	typ   Type
	value any
}

func (v *Values) lookup(name string, want Type) any {
	e, ok := v.state().entries[name]
	if !ok {
		panic(fmt.Sprintf("config: unknown configuration %q", name))
	}
	if want != 0 && e.typ != want {
		panic(fmt.Sprintf("config: configuration %q is of type %v, not %v", name, e.typ, want))
	}
	return e.value
}

// Get returns the parsed value of the key named name (see the package
// documentation for its Go type), nil if null. It panics if the key is not defined.
func (v *Values) Get(name string) any {
	x := v.lookup(name, 0)
	if l, ok := x.([]string); ok {
		return slices.Clone(l)
	}
	return x
}

// String returns the value of a String key.
func (v *Values) String(name string) string {
	s, _ := v.lookup(name, String).(string)
	return s
}

// Int returns the value of an Int key; it always fits in 32 bits.
func (v *Values) Int(name string) int {
	n, _ := v.lookup(name, Int).(int32)
	return int(n)
}

// Short returns the value of a Short key.
func (v *Values) Short(name string) int16 {
	n, _ := v.lookup(name, Short).(int16)
	return n
}

// Long returns the value of a Long key.
func (v *Values) Long(name string) int64 {
	n, _ := v.lookup(name, Long).(int64)
	return n
}

// Double returns the value of a Double key.
func (v *Values) Double(name string) float64 {
	f, _ := v.lookup(name, Double).(float64)
	return f
}

// Bool returns the value of a Boolean key.
func (v *Values) Bool(name string) bool {
	b, _ := v.lookup(name, Boolean).(bool)
	return b
}

// List returns a copy of the value of a List key; nil if null.
func (v *Values) List(name string) []string {
	l, _ := v.lookup(name, List).([]string)
	return slices.Clone(l)
}

// Class returns the value of a Class key: the class name or alias as given.
func (v *Values) Class(name string) string {
	s, _ := v.lookup(name, Class).(string)
	return s
}

// Password returns the value of a Password key.
func (v *Values) Password(name string) Secret {
	s, _ := v.lookup(name, Password).(Secret)
	return s
}

// Originals returns a copy of the properties as given to Parse, unknown keys
// included and secrets in clear text: handle it like the secrets it holds.
func (v *Values) Originals() map[string]string {
	return maps.Clone(v.state().originals)
}

// OriginalsWithPrefix returns the given properties whose names start with
// prefix (and are longer than it), with prefix removed: Java's
// originalsWithPrefix(prefix), e.g. "key.converter." for a converter's own
// settings.
func (v *Values) OriginalsWithPrefix(prefix string) map[string]string {
	m := make(map[string]string)
	for k, val := range v.state().originals {
		if len(k) > len(prefix) && strings.HasPrefix(k, prefix) {
			m[k[len(prefix):]] = val
		}
	}
	return m
}
