package schemas

import (
	"strings"
)

// Struct is the value of a STRUCT schema: one value per field, null until
// set. Like Kafka Connect's Struct it is not safe for concurrent writes.
type Struct struct {
	schema *Schema
	values []any
}

// NewStruct returns an empty Struct of schema. It panics if schema is not a
// STRUCT schema: that is a programming error.
func NewStruct(schema *Schema) *Struct {
	if schema == nil || schema.Type != TypeStruct {
		panic("schemas: NewStruct needs a STRUCT schema, got " + schema.String())
	}
	return &Struct{schema: schema, values: make([]any, len(schema.Fields))}
}

// Schema returns the struct's schema.
func (s *Struct) Schema() *Schema { return s.schema }

// Put sets the field called name after checking v against the field's
// schema (null only for optional fields).
func (s *Struct) Put(name string, v any) error {
	i := s.schema.fieldPos(name)
	if i < 0 || i >= len(s.values) {
		return DataErrorf("%s is not a valid field name", name)
	}
	if err := validateField(&s.schema.Fields[i], v); err != nil {
		return err
	}
	if isNull(v) {
		v = nil
	}
	s.values[i] = v
	return nil
}

// PutAt is Put for the i-th field of the schema, for converters that walk
// the fields in order.
func (s *Struct) PutAt(i int, v any) error {
	if i < 0 || i >= len(s.values) {
		return DataErrorf("field index %d out of range for %v", i, s.schema)
	}
	if err := validateField(&s.schema.Fields[i], v); err != nil {
		return err
	}
	if isNull(v) {
		v = nil
	}
	s.values[i] = v
	return nil
}

// At returns the value of the i-th field as set (nil when unset, even if
// the field has a default), for converters that walk the fields in order.
func (s *Struct) At(i int) any {
	if i < 0 || i >= len(s.values) {
		return nil
	}
	return s.values[i]
}

// MustPut is Put for values known to be valid; it panics on an error and
// returns s for chaining.
func (s *Struct) MustPut(name string, v any) *Struct {
	if err := s.Put(name, v); err != nil {
		panic(err)
	}
	return s
}

// Get returns the value of the field called name, or the field's default
// when the value is null (as Kafka Connect's Struct.get). It returns nil for
// an unknown field.
func (s *Struct) Get(name string) any {
	i := s.schema.fieldPos(name)
	if i < 0 || i >= len(s.values) {
		return nil
	}
	if v := s.values[i]; v != nil {
		return v
	}
	return s.schema.Fields[i].Schema.Default
}

// GetWithoutDefault returns the value of the field called name as set: nil
// when unset, even if the field has a default.
func (s *Struct) GetWithoutDefault(name string) any {
	i := s.schema.fieldPos(name)
	if i < 0 || i >= len(s.values) {
		return nil
	}
	return s.values[i]
}

// Validate checks that every required field without a default is set and
// that every value fits its field.
func (s *Struct) Validate() error {
	for i, f := range s.schema.Fields {
		var v any
		if i < len(s.values) {
			v = s.values[i]
		}
		if v == nil && (f.Schema.Optional || f.Schema.Default != nil) {
			continue
		}
		if v != nil && !isContainer(f.Schema.Type) {
			// Put and PutAt, the only writers, checked it, and a value that
			// holds no others cannot change type since: checking it again
			// would double the cost of every nested struct put.
			continue
		}
		if err := validateField(&s.schema.Fields[i], v); err != nil {
			return err
		}
	}
	return nil
}

// Equal reports whether s and o have equal schemas and equal values.
func (s *Struct) Equal(o *Struct) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil || !s.schema.Equal(o.schema) || len(s.values) != len(o.values) {
		return false
	}
	for i := range s.values {
		if !EqualValues(s.values[i], o.values[i]) {
			return false
		}
	}
	return true
}

// String returns "Struct{name=value,...}" listing the fields that are set,
// as Kafka Connect's Struct.toString.
func (s *Struct) String() string {
	if s == nil {
		return "null"
	}
	var b strings.Builder
	b.WriteString("Struct{")
	first := true
	for i, v := range s.values {
		if v == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		f := s.schema.Fields[i]
		b.WriteString(f.Name)
		b.WriteByte('=')
		str, err := FormatValue(f.Schema, v)
		if err != nil {
			str = "<" + err.Error() + ">"
		}
		b.WriteString(str)
	}
	b.WriteByte('}')
	return b.String()
}

// isContainer reports whether values of type t hold other values, which
// may change after the value was put into a struct.
func isContainer(t Type) bool {
	return t == TypeStruct || t == TypeArray || t == TypeMap
}

func fieldLoc(name string) string {
	return `field: "` + name + `"`
}
