package config

import "slices"

type noDefault struct{}

// NoDefault is the Default of a required key: Parse reports the key missing
// when the properties do not give it.
var NoDefault any = noDefault{}

// Key describes one configuration key. Only Name, Type and Importance are
// mandatory; everything else has a sensible zero value.
type Key struct {
	// Name is the property name, e.g. "tasks.max".
	Name string
	// Type decides how the value is parsed.
	Type Type
	// Default is used when the properties do not give the key: NoDefault makes
	// the key required, nil makes its value null, anything else is either the
	// default's Go value or a string parsed like a property value. Go values
	// are converted at Define time: any integer (range-checked) for Int, Short
	// and Long, any number for Double, bool, string, []string, Secret. A nil
	// []string is an empty list, not null.
	Default any
	// Validator, when set, checks the parsed value (and the default, at Define
	// time, like Java does).
	Validator Validator
	// Importance says how much a user should care about the key.
	Importance Importance
	// Doc is the documentation shown by the REST API and Docs.
	Doc string
	// Group is the name of the UI group the key belongs to; "" for none.
	Group string
	// OrderInGroup is the key's position within its group.
	OrderInGroup int
	// Width is a UI hint for the size of the input field.
	Width Width
	// DisplayName is the name shown by UIs; "" means Name.
	DisplayName string
	// Dependents names the keys whose recommended values or visibility depend
	// on this key's value.
	Dependents []string
	// Recommender, when set, computes recommended values and visibility during
	// Validate.
	Recommender Recommender
}

// Required reports whether the key has no default, so must be given.
func (k Key) Required() bool { return k.Default == NoDefault }

// clone returns k with its own copy of the slices it holds.
func (k Key) clone() Key {
	k.Dependents = slices.Clone(k.Dependents)
	if l, ok := k.Default.([]string); ok {
		k.Default = slices.Clone(l)
	}
	return k
}

// Recommender computes the values a key may take and whether it applies, given
// the other keys' parsed values; Validate uses it for the recommended_values
// and visible fields of its results (Java's ConfigDef.Recommender).
type Recommender interface {
	// ValidValues returns the values recommended for the key named name; an
	// error is reported as one of the key's validation errors.
	ValidValues(name string, parsed map[string]any) ([]any, error)
	// Visible reports whether the key named name applies at all.
	Visible(name string, parsed map[string]any) bool
}
