package schemas

import "strconv"

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

var typeNames = [...]string{
	TypeInt8:    "INT8",
	TypeInt16:   "INT16",
	TypeInt32:   "INT32",
	TypeInt64:   "INT64",
	TypeFloat32: "FLOAT32",
	TypeFloat64: "FLOAT64",
	TypeBoolean: "BOOLEAN",
	TypeString:  "STRING",
	TypeBytes:   "BYTES",
	TypeArray:   "ARRAY",
	TypeMap:     "MAP",
	TypeStruct:  "STRUCT",
}

// String returns Kafka Connect's name of the type: "INT8", ..., "STRUCT".
func (t Type) String() string {
	if t > 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// IsPrimitive reports whether t is neither ARRAY, MAP nor STRUCT.
func (t Type) IsPrimitive() bool {
	return t >= TypeInt8 && t <= TypeBytes
}

// valid reports whether t is one of the defined types.
func (t Type) valid() bool {
	return t >= TypeInt8 && t <= TypeStruct
}
