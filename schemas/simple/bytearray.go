package simple

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// ByteArrayConverter passes BYTES values through unchanged and reads any
// bytes as an optional BYTES value. It implements schemas.Converter and
// schemas.HeaderConverter and has no configuration.
type ByteArrayConverter struct{}

var (
	_ schemas.Converter       = ByteArrayConverter{}
	_ schemas.HeaderConverter = ByteArrayConverter{}
)

// Configure does nothing: ByteArrayConverter has no settings.
func (ByteArrayConverter) Configure(map[string]string, bool) error { return nil }

// ConfigureHeader does nothing.
func (ByteArrayConverter) ConfigureHeader(map[string]string) error { return nil }

// Config describes the converter's keys: converter.type only.
func (ByteArrayConverter) Config() *config.Def { return schemas.ConverterDef() }

// FromConnectData returns value, which must be []byte (or nil), with a
// BYTES schema or none.
func (ByteArrayConverter) FromConnectData(_ string, schema *schemas.Schema, value any) ([]byte, error) {
	if schema != nil && schema.Type != schemas.TypeBytes {
		return nil, schemas.DataErrorf("Invalid schema type for ByteArrayConverter: %v", schema.Type)
	}
	switch v := value.(type) {
	case nil:
		return nil, nil
	case []byte:
		return v, nil
	}
	return nil, schemas.DataErrorf("ByteArrayConverter is not compatible with objects of type %T", value)
}

// ToConnectData returns data as an optional BYTES value (nil for nil data).
func (ByteArrayConverter) ToConnectData(_ string, data []byte) (*schemas.Schema, any, error) {
	if data == nil {
		return schemas.OptionalBytesSchema, nil, nil
	}
	return schemas.OptionalBytesSchema, data, nil
}

// FromConnectHeader is FromConnectData.
func (c ByteArrayConverter) FromConnectHeader(topic, _ string, schema *schemas.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, schema, value)
}

// ToConnectHeader is ToConnectData.
func (c ByteArrayConverter) ToConnectHeader(topic, _ string, data []byte) (*schemas.Schema, any, error) {
	return c.ToConnectData(topic, data)
}
