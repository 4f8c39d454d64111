package json

import (
	"strconv"
	"strings"

	cfgdef "github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// The configuration keys of JsonConverter, as in Kafka Connect's
// JsonConverterConfig (without the key./value./header.converter. prefix).
const (
	SchemasEnableConfig          = "schemas.enable"
	SchemasCacheSizeConfig       = "schemas.cache.size"
	DecimalFormatConfig          = "decimal.format"
	ReplaceNullWithDefaultConfig = "replace.null.with.default"
)

// DecimalFormat is how Decimal values are written.
type DecimalFormat int

// The decimal formats.
const (
	// DecimalBase64 writes the two's-complement unscaled bytes as base64.
	DecimalBase64 DecimalFormat = iota
	// DecimalNumeric writes a JSON number.
	DecimalNumeric
)

// String returns the configuration value naming f.
func (f DecimalFormat) String() string {
	if f == DecimalNumeric {
		return "NUMERIC"
	}
	return "BASE64"
}

const defaultCacheSize = 1000

// Def describes the keys Configure accepts, as Kafka Connect's
// JsonConverterConfig defines them. It returns a new Def each time.
func Def() *cfgdef.Def {
	return schemas.ConverterDef().
		Define(cfgdef.Key{Name: SchemasEnableConfig, Type: cfgdef.Boolean, Default: true, Importance: cfgdef.High,
			Group: "Schemas", OrderInGroup: 1, Width: cfgdef.WidthMedium, DisplayName: "Enable Schemas",
			Doc: "Include schemas within each of the serialized values and keys."}).
		Define(cfgdef.Key{Name: SchemasCacheSizeConfig, Type: cfgdef.Int, Default: defaultCacheSize, Importance: cfgdef.High,
			Group: "Schemas", OrderInGroup: 2, Width: cfgdef.WidthMedium, DisplayName: "Schema Cache Size",
			Doc: "The maximum number of schemas that can be cached in this converter instance."}).
		Define(cfgdef.Key{Name: DecimalFormatConfig, Type: cfgdef.String, Default: "BASE64", Importance: cfgdef.Low,
			Validator: cfgdef.CaseInsensitiveValidString("BASE64", "NUMERIC"),
			Group:     "Serialization", OrderInGroup: 1, Width: cfgdef.WidthMedium, DisplayName: "Decimal Format",
			Doc: "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'"}).
		Define(cfgdef.Key{Name: ReplaceNullWithDefaultConfig, Type: cfgdef.Boolean, Default: true, Importance: cfgdef.Low,
			Group: "Serialization", OrderInGroup: 2, Width: cfgdef.WidthMedium, DisplayName: "Replace null with default",
			Doc: "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."})
}

// config holds parsed settings; its zero value is the default configuration.
type config struct {
	schemasDisabled bool
	keepNull        bool // replace.null.with.default=false
	decimalFormat   DecimalFormat
	cacheSize       int
	cacheSizeSet    bool
}

func (c config) schemaCacheSize() int {
	if !c.cacheSizeSet {
		return defaultCacheSize
	}
	return c.cacheSize
}

// parseConfig reads the converter's keys from props, ignoring other keys as
// Kafka Connect does.
func parseConfig(props map[string]string) (config, error) {
	var c config
	if v, ok := props[SchemasEnableConfig]; ok {
		b, err := parseBool(SchemasEnableConfig, v)
		if err != nil {
			return c, err
		}
		c.schemasDisabled = !b
	}
	if v, ok := props[ReplaceNullWithDefaultConfig]; ok {
		b, err := parseBool(ReplaceNullWithDefaultConfig, v)
		if err != nil {
			return c, err
		}
		c.keepNull = !b
	}
	if v, ok := props[SchemasCacheSizeConfig]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return c, &schemas.ConfigError{Key: SchemasCacheSizeConfig, Value: v, Reason: "Not a number of type INT"}
		}
		c.cacheSize, c.cacheSizeSet = max(int(n), 0), true
	}
	if v, ok := props[DecimalFormatConfig]; ok {
		switch strings.ToUpper(strings.TrimSpace(v)) {
		case "BASE64":
			c.decimalFormat = DecimalBase64
		case "NUMERIC":
			c.decimalFormat = DecimalNumeric
		default:
			return c, &schemas.ConfigError{Key: DecimalFormatConfig, Value: v, Reason: "String must be one of (case insensitive): NUMERIC, BASE64"}
		}
	}
	return c, nil
}

// parseBool parses a BOOLEAN config value as Kafka's ConfigDef does.
func parseBool(key, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, &schemas.ConfigError{Key: key, Value: v, Reason: "Expected value to be either true or false"}
}
