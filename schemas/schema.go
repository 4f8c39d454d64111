// Package schemas is the Connect data model: schemas, structs, logical types,
// and the converters that turn them into bytes and back.
//
// Schemas are values built once (usually with a Builder) and then shared
// read-only: converters cache them by pointer, so never modify a *Schema
// after it has been used, including the predefined ones.
package schemas

import (
	"slices"
	"strings"
)

// Schema describes a Connect value. A nil *Schema means "schemaless".
//
// Values carried with a schema use these Go types: INT8 int8, INT16 int16,
// INT32 int32, INT64 int64, FLOAT32 float32, FLOAT64 float64, BOOLEAN bool,
// STRING string, BYTES []byte, ARRAY []any, MAP map[string]any (string keys)
// or map[any]any, STRUCT *Struct. Logical types: Decimal *big.Rat,
// Date/Time/Timestamp time.Time. MAP values may be given as either map type;
// converters produce map[string]any when the key schema is STRING and
// map[any]any otherwise. A nil interface, a nil *Struct and a nil *big.Rat
// are null.
//
// Schemaless values (nil *Schema) are nil, bool, int64 (other integer types
// are accepted on input), float64 (float32 accepted), string, []byte, []any,
// map[string]any, map[any]any and *Struct.
type Schema struct {
	Type       Type
	Optional   bool
	Default    any
	Name       string
	Version    *int
	Doc        string
	Parameters map[string]string
	// Fields are the fields of a STRUCT, in declaration order.
	Fields []Field
	// Key is the key schema of a MAP.
	Key *Schema
	// Value is the value schema of a MAP and the element schema of an ARRAY.
	Value *Schema

	// byName indexes Fields by name; set by Builder.Build, checked on use so
	// that a hand-made or copied Schema still works.
	byName map[string]int
	// paramOrder lists the Parameters keys in the order a Builder set them
	// (Kafka Connect keeps parameters in a LinkedHashMap); see ParameterNames.
	paramOrder []string
}

// ParameterNames returns the keys of Parameters in the order they were set
// with a Builder, as Kafka Connect keeps them; keys set by hand on a Schema
// follow, sorted. Formats that write parameters out (Avro's enum symbols,
// connect.parameters) use this order.
func (s *Schema) ParameterNames() []string {
	if len(s.Parameters) == 0 {
		return nil
	}
	names := make([]string, 0, len(s.Parameters))
	seen := make(map[string]bool, len(s.Parameters))
	for _, k := range s.paramOrder {
		if _, ok := s.Parameters[k]; ok && !seen[k] {
			names = append(names, k)
			seen[k] = true
		}
	}
	if len(names) == len(s.Parameters) {
		return names
	}
	rest := make([]string, 0, len(s.Parameters)-len(names))
	for k := range s.Parameters {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// Field is one field of a STRUCT schema.
type Field struct {
	Name   string
	Index  int
	Schema *Schema
}

// Field returns the field called name of a STRUCT schema.
func (s *Schema) Field(name string) (Field, bool) {
	i := s.fieldPos(name)
	if i < 0 {
		return Field{}, false
	}
	return s.Fields[i], true
}

// fieldPos returns the position of the field called name in s.Fields, or -1.
func (s *Schema) fieldPos(name string) int {
	if s == nil {
		return -1
	}
	if i, ok := s.byName[name]; ok && i < len(s.Fields) && s.Fields[i].Name == name {
		return i
	}
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// Equal reports whether s and o describe the same schema: type, optionality,
// default value, name, version, doc, parameters, fields (in order), key and
// value schemas, as Kafka Connect's ConnectSchema.equals. Two nil schemas are
// equal. Field indexes are implied by position and not compared.
func (s *Schema) Equal(o *Schema) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil {
		return false
	}
	if s.Type != o.Type || s.Optional != o.Optional || s.Name != o.Name || s.Doc != o.Doc {
		return false
	}
	if (s.Version == nil) != (o.Version == nil) || (s.Version != nil && *s.Version != *o.Version) {
		return false
	}
	if len(s.Parameters) != len(o.Parameters) {
		return false
	}
	for k, v := range s.Parameters {
		if w, ok := o.Parameters[k]; !ok || w != v {
			return false
		}
	}
	if len(s.Fields) != len(o.Fields) {
		return false
	}
	for i := range s.Fields {
		if s.Fields[i].Name != o.Fields[i].Name || !s.Fields[i].Schema.Equal(o.Fields[i].Schema) {
			return false
		}
	}
	if !s.Key.Equal(o.Key) || !s.Value.Equal(o.Value) {
		return false
	}
	return EqualValues(s.Default, o.Default)
}

// String returns "Schema{TYPE}" or "Schema{name:TYPE}", as Kafka Connect.
func (s *Schema) String() string {
	if s == nil {
		return "Schema{null}"
	}
	var b strings.Builder
	b.WriteString("Schema{")
	if s.Name != "" {
		b.WriteString(s.Name)
		b.WriteByte(':')
	}
	b.WriteString(s.Type.String())
	b.WriteByte('}')
	return b.String()
}
