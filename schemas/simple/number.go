package simple

import (
	"encoding/binary"
	"math"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/transforms"
)

// Class names of Kafka Connect's numeric converters and BooleanConverter.
const (
	ShortConverterClass   = "org.apache.kafka.connect.converters.ShortConverter"
	IntegerConverterClass = "org.apache.kafka.connect.converters.IntegerConverter"
	LongConverterClass    = "org.apache.kafka.connect.converters.LongConverter"
	FloatConverterClass   = "org.apache.kafka.connect.converters.FloatConverter"
	DoubleConverterClass  = "org.apache.kafka.connect.converters.DoubleConverter"
	BooleanConverterClass = "org.apache.kafka.connect.converters.BooleanConverter"
)

// numberType is what distinguishes one numeric converter from another: the
// Java type its serializer takes and how it lays the value out.
type numberType struct {
	name         string // NumberConverter's type name in messages: "long"
	javaClass    string // the Java class the value must be: "java.lang.Long"
	goType       string // the Go type sluice holds such a value in: "int64"
	deserializer string // the deserializer's name in its size message
	size         int
	schema       *schemas.Schema
	put          func(b []byte, v any) bool // writes v into b (size bytes) if it has the type
	get          func(b []byte) any
}

// NumberConverter is one of Kafka Connect's ShortConverter,
// IntegerConverter, LongConverter, FloatConverter and DoubleConverter: it
// writes a value as the big-endian bytes of Kafka's Short, Integer, Long,
// Float or Double serializer (2, 4, 8, 4 and 8 bytes) and reads such bytes
// back with the optional INT16, INT32, INT64, FLOAT32 or FLOAT64 schema.
// Null is null both ways. As in Kafka Connect the schema given to
// FromConnectData is not looked at: the value must have the converter's
// type (int16, int32, int64, float32, float64), else it is a DataError.
// It implements schemas.Converter and schemas.HeaderConverter, has no
// configuration and is safe for concurrent use.
type NumberConverter struct {
	t *numberType
}

var (
	_ schemas.Converter       = (*NumberConverter)(nil)
	_ schemas.HeaderConverter = (*NumberConverter)(nil)
)

var (
	shortType = &numberType{name: "short", javaClass: "java.lang.Short", goType: "int16", deserializer: "ShortDeserializer", size: 2,
		schema: schemas.OptionalInt16Schema,
		put: func(b []byte, v any) bool {
			x, ok := v.(int16)
			binary.BigEndian.PutUint16(b, uint16(x))
			return ok
		},
		get: func(b []byte) any { return int16(binary.BigEndian.Uint16(b)) }}
	integerType = &numberType{name: "integer", javaClass: "java.lang.Integer", goType: "int32", deserializer: "IntegerDeserializer", size: 4,
		schema: schemas.OptionalInt32Schema,
		put: func(b []byte, v any) bool {
			x, ok := v.(int32)
			binary.BigEndian.PutUint32(b, uint32(x))
			return ok
		},
		get: func(b []byte) any { return int32(binary.BigEndian.Uint32(b)) }}
	longType = &numberType{name: "long", javaClass: "java.lang.Long", goType: "int64", deserializer: "LongDeserializer", size: 8,
		schema: schemas.OptionalInt64Schema,
		put: func(b []byte, v any) bool {
			var x int64
			switch n := v.(type) {
			case int64:
				x = n
			case int: // held as a java.lang.Long (transforms.JavaClassName)
				x = int64(n)
			default:
				return false
			}
			binary.BigEndian.PutUint64(b, uint64(x))
			return true
		},
		get: func(b []byte) any { return int64(binary.BigEndian.Uint64(b)) }}
	// Kafka's FloatSerializer keeps a NaN's bits (floatToRawIntBits).
	floatType = &numberType{name: "float", javaClass: "java.lang.Float", goType: "float32", deserializer: "Deserializer", size: 4,
		schema: schemas.OptionalFloat32Schema,
		put: func(b []byte, v any) bool {
			x, ok := v.(float32)
			binary.BigEndian.PutUint32(b, math.Float32bits(x))
			return ok
		},
		get: func(b []byte) any { return math.Float32frombits(binary.BigEndian.Uint32(b)) }}
	// Kafka's DoubleSerializer writes every NaN as Java's one canonical NaN
	// (doubleToLongBits); Go's math.NaN() has other bits.
	doubleType = &numberType{name: "double", javaClass: "java.lang.Double", goType: "float64", deserializer: "Deserializer", size: 8,
		schema: schemas.OptionalFloat64Schema,
		put: func(b []byte, v any) bool {
			x, ok := v.(float64)
			bits := math.Float64bits(x)
			if math.IsNaN(x) {
				bits = 0x7ff8000000000000
			}
			binary.BigEndian.PutUint64(b, bits)
			return ok
		},
		get: func(b []byte) any { return math.Float64frombits(binary.BigEndian.Uint64(b)) }}
)

// NewShortConverter returns Kafka Connect's ShortConverter (INT16, 2 bytes).
func NewShortConverter() *NumberConverter { return &NumberConverter{t: shortType} }

// NewIntegerConverter returns Kafka Connect's IntegerConverter (INT32, 4
// bytes).
func NewIntegerConverter() *NumberConverter { return &NumberConverter{t: integerType} }

// NewLongConverter returns Kafka Connect's LongConverter (INT64, 8 bytes).
func NewLongConverter() *NumberConverter { return &NumberConverter{t: longType} }

// NewFloatConverter returns Kafka Connect's FloatConverter (FLOAT32, the 4
// bytes of an IEEE 754 single).
func NewFloatConverter() *NumberConverter { return &NumberConverter{t: floatType} }

// NewDoubleConverter returns Kafka Connect's DoubleConverter (FLOAT64, the
// 8 bytes of an IEEE 754 double).
func NewDoubleConverter() *NumberConverter { return &NumberConverter{t: doubleType} }

// Configure does nothing: the numeric converters have no settings of their
// own (Kafka Connect's converter.type makes no difference to them).
func (c *NumberConverter) Configure(map[string]string, bool) error { return nil }

// ConfigureHeader does nothing.
func (c *NumberConverter) ConfigureHeader(map[string]string) error { return nil }

// Config describes the converter's keys: converter.type only, as Kafka
// Connect's NumberConverterConfig and BooleanConverterConfig.
func (c *NumberConverter) Config() *config.Def { return schemas.ConverterDef() }

// FromConnectData writes value, which must have the converter's type, as
// Kafka's serializer does; nil is nil. The schema is not looked at.
func (c *NumberConverter) FromConnectData(_ string, _ *schemas.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	b := make([]byte, c.t.size)
	if !c.t.put(b, value) {
		return nil, schemas.DataErrorf("Failed to serialize to %s (was class %s): the value must be a %s (Go %s)",
			c.t.name, transforms.JavaClassName(value), c.t.javaClass, c.t.goType)
	}
	return b, nil
}

// ToConnectData reads data, which must be exactly the type's size, with
// the converter's optional schema; nil data is a null value.
func (c *NumberConverter) ToConnectData(_ string, data []byte) (*schemas.Schema, any, error) {
	if data == nil {
		return c.t.schema, nil, nil
	}
	if len(data) != c.t.size {
		return nil, nil, schemas.DataErrorf("Failed to deserialize %s: Size of data received by %s is not %d", c.t.name, c.t.deserializer, c.t.size)
	}
	return c.t.schema, c.t.get(data), nil
}

// FromConnectHeader is FromConnectData.
func (c *NumberConverter) FromConnectHeader(topic, _ string, schema *schemas.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, schema, value)
}

// ToConnectHeader is ToConnectData.
func (c *NumberConverter) ToConnectHeader(topic, _ string, data []byte) (*schemas.Schema, any, error) {
	return c.ToConnectData(topic, data)
}

// BooleanConverter is Kafka Connect's BooleanConverter: true is the byte 1,
// false the byte 0, and it reads them back as an optional BOOLEAN. Unlike
// the numeric converters it refuses a schema of another type than BOOLEAN.
// It implements schemas.Converter and schemas.HeaderConverter and has no
// configuration.
type BooleanConverter struct{}

var (
	_ schemas.Converter       = BooleanConverter{}
	_ schemas.HeaderConverter = BooleanConverter{}
)

// Configure does nothing: BooleanConverter has no settings of its own.
func (BooleanConverter) Configure(map[string]string, bool) error { return nil }

// ConfigureHeader does nothing.
func (BooleanConverter) ConfigureHeader(map[string]string) error { return nil }

// Config describes the converter's keys: converter.type only, as Kafka
// Connect's NumberConverterConfig and BooleanConverterConfig.
func (BooleanConverter) Config() *config.Def { return schemas.ConverterDef() }

// FromConnectData writes a bool as one byte; nil is nil.
func (BooleanConverter) FromConnectData(_ string, schema *schemas.Schema, value any) ([]byte, error) {
	if schema != nil && schema.Type != schemas.TypeBoolean {
		return nil, schemas.DataErrorf("Invalid schema type for BooleanConverter: %v", schema.Type)
	}
	switch v := value.(type) {
	case nil:
		return nil, nil
	case bool:
		if v {
			return []byte{1}, nil
		}
		return []byte{0}, nil
	}
	return nil, schemas.DataErrorf("BooleanConverter is not compatible with objects of type class %s", transforms.JavaClassName(value))
}

// ToConnectData reads one byte, 0 or 1, as an optional BOOLEAN; nil data
// is a null value.
func (BooleanConverter) ToConnectData(_ string, data []byte) (*schemas.Schema, any, error) {
	switch {
	case data == nil:
		return schemas.OptionalBooleanSchema, nil, nil
	case len(data) != 1:
		return nil, nil, schemas.DataErrorf("Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1")
	case data[0] > 1:
		return nil, nil, schemas.DataErrorf("Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: %d", int8(data[0]))
	}
	return schemas.OptionalBooleanSchema, data[0] == 1, nil
}

// FromConnectHeader is FromConnectData.
func (c BooleanConverter) FromConnectHeader(topic, _ string, schema *schemas.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, schema, value)
}

// ToConnectHeader is ToConnectData.
func (c BooleanConverter) ToConnectHeader(topic, _ string, data []byte) (*schemas.Schema, any, error) {
	return c.ToConnectData(topic, data)
}
