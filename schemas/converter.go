package schemas

import "github.com/sluicehq/sluice/config"

// ConverterTypeConfig is the key Kafka Connect's ConverterConfig gives the
// converters that extend it: how the converter is used, "key", "value" or
// "header". The worker says it through Configure's isKey and
// ConfigureHeader, so a converter's Configure need not read it.
const ConverterTypeConfig = "converter.type"

// ConverterDef returns a Def holding converter.type as Kafka Connect's
// ConverterConfig.newConfigDef defines it, for the converters whose Java
// config extends ConverterConfig (StringConverter, JsonConverter,
// ByteArrayConverter, the numeric converters): GET
// /connector-plugins/{converter}/config lists it first, as Kafka Connect
// does. It returns a new Def each time.
func ConverterDef() *config.Def {
	return config.NewDef().Define(config.Key{Name: ConverterTypeConfig, Type: config.String, Default: config.NoDefault,
		Validator: config.ValidString("key", "value", "header"), Importance: config.Low,
		Doc: "How this converter will be used."})
}

// Converter turns Connect data into the bytes of a Kafka record key or value
// and back. Implementations are configured once and then used from one task
// goroutine; they need not be safe for concurrent use.
//
// A converter (or header converter) describes the keys its Configure reads
// with a method Config() *config.Def, as connectors and transformations do:
// GET /connector-plugins/{converter}/config and the generated docs show it.
type Converter interface {
	// Configure applies the converter's settings (already stripped of their
	// "key.converter." or "value.converter." prefix).
	Configure(props map[string]string, isKey bool) error
	// FromConnectData serializes value, described by schema (nil: schemaless).
	FromConnectData(topic string, schema *Schema, value any) ([]byte, error)
	// ToConnectData deserializes data. Nil data is a tombstone: the value is
	// nil, and the schema is nil or, for converters that always produce one
	// type (StringConverter, ByteArrayConverter), that optional schema.
	ToConnectData(topic string, data []byte) (*Schema, any, error)
}

// HeaderConverter turns one Connect header value into the bytes of a Kafka
// record header and back.
//
// Its configure method is named ConfigureHeader, not Configure, so that one
// type can implement both interfaces, as Kafka Connect's JsonConverter,
// StringConverter and ByteArrayConverter do (Converter.Configure takes an
// extra isKey argument).
type HeaderConverter interface {
	// ConfigureHeader applies the converter's settings (already stripped of
	// their "header.converter." prefix).
	ConfigureHeader(props map[string]string) error
	FromConnectHeader(topic, key string, schema *Schema, value any) ([]byte, error)
	ToConnectHeader(topic, key string, data []byte) (*Schema, any, error)
}
