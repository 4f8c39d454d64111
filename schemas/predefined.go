package schemas

// The predefined schemas of Kafka Connect's Schema.*_SCHEMA constants. They
// are shared: never modify them.
var (
	Int8Schema    = &Schema{Type: TypeInt8}
	Int16Schema   = &Schema{Type: TypeInt16}
	Int32Schema   = &Schema{Type: TypeInt32}
	Int64Schema   = &Schema{Type: TypeInt64}
	Float32Schema = &Schema{Type: TypeFloat32}
	Float64Schema = &Schema{Type: TypeFloat64}
	BooleanSchema = &Schema{Type: TypeBoolean}
	StringSchema  = &Schema{Type: TypeString}
	BytesSchema   = &Schema{Type: TypeBytes}

	OptionalInt8Schema    = &Schema{Type: TypeInt8, Optional: true}
	OptionalInt16Schema   = &Schema{Type: TypeInt16, Optional: true}
	OptionalInt32Schema   = &Schema{Type: TypeInt32, Optional: true}
	OptionalInt64Schema   = &Schema{Type: TypeInt64, Optional: true}
	OptionalFloat32Schema = &Schema{Type: TypeFloat32, Optional: true}
	OptionalFloat64Schema = &Schema{Type: TypeFloat64, Optional: true}
	OptionalBooleanSchema = &Schema{Type: TypeBoolean, Optional: true}
	OptionalStringSchema  = &Schema{Type: TypeString, Optional: true}
	OptionalBytesSchema   = &Schema{Type: TypeBytes, Optional: true}
)
