package schemas

import (
	"maps"
	"math/big"
	"slices"
	"time"
)

// Builder assembles a Schema, like Kafka Connect's SchemaBuilder:
//
//	row, err := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").
//		Field("id", schemas.Int64Schema).
//		Field("tags", schemas.Array(schemas.StringSchema).Optional().MustBuild()).
//		Build()
//
// Mistakes (a field on a non-struct, a property set twice to different
// values, an invalid default) are remembered and returned by Build.
type Builder struct {
	s           Schema
	optionalSet bool
	defaultSet  bool
	err         error
}

// NewBuilder starts a schema of type t. ARRAY and MAP schemas need element
// schemas: start them with Array and Map.
func NewBuilder(t Type) *Builder {
	b := &Builder{s: Schema{Type: t}}
	if !t.valid() {
		b.fail("unknown schema type %v", t)
	}
	return b
}

// Array starts an ARRAY schema whose elements follow value.
func Array(value *Schema) *Builder {
	b := NewBuilder(TypeArray)
	if value == nil {
		b.fail("valueSchema cannot be null.")
	}
	b.s.Value = value
	return b
}

// Map starts a MAP schema with the given key and value schemas.
func Map(key, value *Schema) *Builder {
	b := NewBuilder(TypeMap)
	if key == nil {
		b.fail("keySchema cannot be null.")
	}
	if value == nil {
		b.fail("valueSchema cannot be null.")
	}
	b.s.Key, b.s.Value = key, value
	return b
}

func (b *Builder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = DataErrorf("invalid schema: "+format, args...)
	}
}

// Optional marks the schema optional: null is a valid value.
func (b *Builder) Optional() *Builder { return b.setOptional(true) }

// Required marks the schema required (the default).
func (b *Builder) Required() *Builder { return b.setOptional(false) }

func (b *Builder) setOptional(v bool) *Builder {
	if b.optionalSet && b.s.Optional != v {
		b.fail("optional has already been set")
	}
	b.optionalSet, b.s.Optional = true, v
	return b
}

// Default sets the default value; Build checks it against the schema.
func (b *Builder) Default(v any) *Builder {
	if b.defaultSet && !EqualValues(b.s.Default, v) {
		b.fail("default has already been set")
	}
	b.defaultSet, b.s.Default = true, v
	return b
}

// Name sets the schema name (for STRUCTs and logical types).
func (b *Builder) Name(name string) *Builder {
	if b.s.Name != "" && b.s.Name != name {
		b.fail("name has already been set")
	}
	b.s.Name = name
	return b
}

// Version sets the schema version.
func (b *Builder) Version(v int) *Builder {
	if b.s.Version != nil && *b.s.Version != v {
		b.fail("version has already been set")
	}
	b.s.Version = &v
	return b
}

// Doc sets the documentation.
func (b *Builder) Doc(doc string) *Builder {
	if b.s.Doc != "" && b.s.Doc != doc {
		b.fail("doc has already been set")
	}
	b.s.Doc = doc
	return b
}

// Parameter sets one schema parameter.
func (b *Builder) Parameter(name, value string) *Builder {
	if b.s.Parameters == nil {
		b.s.Parameters = map[string]string{}
	}
	if _, ok := b.s.Parameters[name]; !ok {
		b.s.paramOrder = append(b.s.paramOrder, name)
	}
	b.s.Parameters[name] = value
	return b
}

// Parameters sets several schema parameters, in the order of their keys
// (a Go map has none of its own).
func (b *Builder) Parameters(params map[string]string) *Builder {
	for _, k := range slices.Sorted(maps.Keys(params)) {
		b.Parameter(k, params[k])
	}
	return b
}

// Field appends a field to a STRUCT schema.
func (b *Builder) Field(name string, schema *Schema) *Builder {
	switch {
	case b.s.Type != TypeStruct:
		b.fail("cannot create fields on type %v", b.s.Type)
	case name == "":
		b.fail("fieldName cannot be null.")
	case schema == nil:
		b.fail("fieldSchema for field %s cannot be null.", name)
	case b.s.fieldPos(name) >= 0:
		b.fail("cannot create field because of field name duplication %s", name)
	default:
		if b.s.byName == nil {
			b.s.byName = map[string]int{}
		}
		b.s.byName[name] = len(b.s.Fields)
		b.s.Fields = append(b.s.Fields, Field{Name: name, Index: len(b.s.Fields), Schema: schema})
	}
	return b
}

// Build returns the schema, or the first mistake made while building it.
// Every call returns a new Schema that shares nothing mutable with b.
func (b *Builder) Build() (*Schema, error) {
	if b.err != nil {
		return nil, b.err
	}
	s := b.s
	s.Parameters = maps.Clone(b.s.Parameters)
	s.paramOrder = slices.Clone(b.s.paramOrder)
	s.Fields = append([]Field(nil), b.s.Fields...)
	s.byName = maps.Clone(b.s.byName)
	switch s.Type {
	case TypeArray:
		if s.Value == nil {
			return nil, DataErrorf("invalid schema: ARRAY needs an element schema (use schemas.Array)")
		}
	case TypeMap:
		if s.Key == nil || s.Value == nil {
			return nil, DataErrorf("invalid schema: MAP needs key and value schemas (use schemas.Map)")
		}
	}
	if err := checkLogical(&s); err != nil {
		return nil, err
	}
	if isNull(s.Default) {
		s.Default = nil
	}
	if s.Default != nil {
		d := s.Default
		s.Default = nil
		if err := validateValue(&s, d, "default value"); err != nil {
			return nil, DataErrorf("invalid schema: invalid default value: %w", err)
		}
		if err := checkLogicalValue(&s, d); err != nil {
			return nil, DataErrorf("invalid schema: invalid default value: %w", err)
		}
		s.Default = d
	}
	return &s, nil
}

// MustBuild is Build for schemas known to be valid; it panics on a mistake.
func (b *Builder) MustBuild() *Schema {
	s, err := b.Build()
	if err != nil {
		panic(err)
	}
	return s
}

// checkLogical checks that a schema named for a logical type has that type's
// underlying type (and, for Decimal, a scale).
func checkLogical(s *Schema) error {
	want := logicalType(s.Name)
	if want == 0 {
		return nil
	}
	if s.Type != want {
		return DataErrorf("invalid schema: logical type %s needs type %v, not %v", s.Name, want, s.Type)
	}
	if s.Name == DecimalName {
		if _, err := DecimalScale(s); err != nil {
			return err
		}
	}
	return nil
}

// logicalType returns the underlying type of the logical type called name,
// or 0 when name is not a logical type.
func logicalType(name string) Type {
	switch name {
	case DecimalName:
		return TypeBytes
	case DateName, TimeName:
		return TypeInt32
	case TimestampName:
		return TypeInt64
	}
	return 0
}

// checkLogicalValue checks that v, already of the right Go type, can be
// encoded: a Decimal exact at the scale, a Date at midnight, and so on.
func checkLogicalValue(s *Schema, v any) error {
	var err error
	switch s.Name {
	case DecimalName:
		var scale int
		if scale, err = DecimalScale(s); err == nil {
			_, err = DecimalUnscaled(scale, v.(*big.Rat))
		}
	case DateName:
		_, err = DateToDays(v.(time.Time))
	case TimeName:
		_, err = TimeToMillis(v.(time.Time))
	case TimestampName:
		_, err = TimestampToMillis(v.(time.Time))
	}
	return err
}
