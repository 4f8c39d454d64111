package simple

import (
	"unicode/utf8"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// HeaderConverter is Kafka Connect's SimpleHeaderConverter, the default
// header converter: it writes header values as UTF-8 strings
// (schemas.ConvertToString) and reads them back inferring a schema from the
// text (schemas.ParseString). It has no configuration.
type HeaderConverter struct{}

var _ schemas.HeaderConverter = HeaderConverter{}

// ConfigureHeader does nothing: SimpleHeaderConverter has no settings.
func (HeaderConverter) ConfigureHeader(map[string]string) error { return nil }

// Config describes the converter's keys: none.
func (HeaderConverter) Config() *config.Def { return config.NewDef() }

// FromConnectHeader writes value's string form; nil is a null header.
func (HeaderConverter) FromConnectHeader(topic, key string, schema *schemas.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	if s, ok := value.(string); ok {
		// ConvertToString's result for a string, without its copy: most
		// headers are strings (Debezium's context headers on every change
		// event).
		return []byte(s), nil
	}
	s, err := schemas.ConvertToString(schema, value)
	if err != nil {
		return nil, schemas.DataErrorf("Failed to serialize value for header '%s' on topic '%s': %w", key, topic, err)
	}
	return []byte(s), nil
}

// ToConnectHeader parses a header's text; nil data is (nil, nil). Bytes
// that are not UTF-8 text are returned as a BYTES value (Kafka Connect
// would replace the invalid bytes and parse the rest).
func (HeaderConverter) ToConnectHeader(_, _ string, data []byte) (*schemas.Schema, any, error) {
	if data == nil {
		return nil, nil, nil
	}
	if !utf8.Valid(data) {
		return schemas.BytesSchema, data, nil
	}
	schema, value, err := schemas.ParseString(string(data))
	if err != nil {
		return schemas.BytesSchema, data, nil
	}
	return schema, value, nil
}
