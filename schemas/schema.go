// Package schemas is the Connect data model: schemas, structs, logical types,
// and the converters that turn them into bytes and back.
package schemas

// Type is the type of a Connect schema; its String form is Kafka Connect's
// Schema.Type name (INT8, STRING, ...).
type Type int

// The Connect schema types.
const (
	TypeInt8 Type = iota + 1
	TypeInt16
	TypeInt32
	TypeInt64
	TypeFloat32
	TypeFloat64
	TypeBoolean
	TypeString
	TypeBytes
	TypeArray
	TypeMap
	TypeStruct
)

// Schema describes a Connect value. A nil *Schema means "schemaless".
//
// Values carried with a schema use these Go types: INT8 int8, INT16 int16,
// INT32 int32, INT64 int64, FLOAT32 float32, FLOAT64 float64, BOOLEAN bool,
// STRING string, BYTES []byte, ARRAY []any, MAP map[string]any (string keys)
// or map[any]any, STRUCT *Struct. Logical types: Decimal *big.Rat,
// Date/Time/Timestamp time.Time.
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
}

// Field is one field of a STRUCT schema.
type Field struct {
	Name   string
	Index  int
	Schema *Schema
}
