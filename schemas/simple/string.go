// Package simple holds Kafka Connect's plain converters: StringConverter
// (org.apache.kafka.connect.storage.StringConverter), ByteArrayConverter
// (org.apache.kafka.connect.converters.ByteArrayConverter), the numeric
// converters and BooleanConverter (org.apache.kafka.connect.converters.
// ShortConverter … DoubleConverter, BooleanConverter) and HeaderConverter
// (org.apache.kafka.connect.storage.SimpleHeaderConverter).
package simple

import (
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// EncodingConfig names the character set StringConverter uses (after the
// key./value./header.converter. prefix is stripped, as Kafka Connect's
// StringConverterConfig does).
const EncodingConfig = "converter.encoding"

// StringConverter writes any value as its string form, encoded in a
// character set (UTF-8 by default), and reads bytes back as an optional
// STRING. It implements schemas.Converter and schemas.HeaderConverter; the
// zero value is ready to use and safe for concurrent use once configured.
type StringConverter struct {
	cs charset
}

var (
	_ schemas.Converter       = (*StringConverter)(nil)
	_ schemas.HeaderConverter = (*StringConverter)(nil)
)

// NewStringConverter returns a StringConverter using UTF-8.
func NewStringConverter() *StringConverter { return &StringConverter{} }

// StringDef describes the keys StringConverter accepts, as Kafka Connect's
// StringConverterConfig defines them: ConverterConfig's converter.type,
// then converter.encoding. It returns a new Def each time.
func StringDef() *config.Def {
	return schemas.ConverterDef().Define(config.Key{Name: EncodingConfig, Type: config.String, Default: "UTF-8", Importance: config.High,
		Validator: config.ValidatorFunc(func(name string, v any) error {
			if s, _ := v.(string); s != "" {
				if _, ok := lookupCharset(s); !ok {
					return &schemas.ConfigError{Key: name, Value: s, Reason: "unsupported character set; supported: " + strings.Join(SupportedEncodings, ", ")}
				}
			}
			return nil
		}, strings.Join(SupportedEncodings, ", ")),
		Group: "Converter", OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Encoding",
		Doc: "The name of the Java character set to use for encoding strings as byte arrays."})
}

// Config describes the keys Configure accepts (see StringDef).
func (c *StringConverter) Config() *config.Def { return StringDef() }

// Configure reads converter.encoding; isKey makes no difference.
func (c *StringConverter) Configure(props map[string]string, _ bool) error {
	v, ok := props[EncodingConfig]
	if !ok {
		c.cs = utf8Charset
		return nil
	}
	cs, found := lookupCharset(v)
	if !found {
		return &schemas.ConfigError{Key: EncodingConfig, Value: v,
			Reason: "unsupported character set; supported: " + strings.Join(SupportedEncodings, ", ")}
	}
	c.cs = cs
	return nil
}

// ConfigureHeader is Configure for use as a header converter.
func (c *StringConverter) ConfigureHeader(props map[string]string) error {
	return c.Configure(props, false)
}

// FromConnectData writes value's string form (see schemas.FormatValue):
// strings as they are, numbers as Java prints them, and so on. Nil is a
// tombstone. []byte values are refused: Kafka Connect would write an object
// identity such as "[B@1b6d3586"; use ByteArrayConverter for bytes.
func (c *StringConverter) FromConnectData(_ string, schema *schemas.Schema, value any) ([]byte, error) {
	switch v := value.(type) {
	case nil:
		return nil, nil
	case string:
		return c.cs.encode(v)
	case []byte:
		return nil, schemas.DataErrorf("StringConverter cannot serialize a []byte value (Kafka Connect would write its object identity); use ByteArrayConverter")
	}
	s, err := schemas.FormatValue(schema, value)
	if err != nil {
		return nil, schemas.DataErrorf("Failed to serialize to a string: %w", err)
	}
	return c.cs.encode(s)
}

// ToConnectData reads data as an optional STRING; nil data is a null value.
func (c *StringConverter) ToConnectData(_ string, data []byte) (*schemas.Schema, any, error) {
	if data == nil {
		return schemas.OptionalStringSchema, nil, nil
	}
	s, err := c.cs.decode(data)
	if err != nil {
		return nil, nil, err
	}
	return schemas.OptionalStringSchema, s, nil
}

// FromConnectHeader is FromConnectData.
func (c *StringConverter) FromConnectHeader(topic, _ string, schema *schemas.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, schema, value)
}

// ToConnectHeader is ToConnectData.
func (c *StringConverter) ToConnectHeader(topic, _ string, data []byte) (*schemas.Schema, any, error) {
	return c.ToConnectData(topic, data)
}
