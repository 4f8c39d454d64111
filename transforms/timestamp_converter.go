package transforms

import (
	"errors"
	"maps"
	"math"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/javatime"
	"github.com/sluicehq/sluice/schemas"
)

// TimestampConverter's config keys.
const (
	tsFieldConfig                  = "field"
	tsTargetTypeConfig             = "target.type"
	tsFormatConfig                 = "format"
	tsUnixPrecisionConfig          = "unix.precision"
	tsReplaceNullWithDefaultConfig = "replace.null.with.default"
)

// The representations of a timestamp (target.type), by Kafka Connect's
// names.
const (
	tsString    = "string"
	tsUnix      = "unix"
	tsDate      = "Date"
	tsTime      = "Time"
	tsTimestamp = "Timestamp"
)

// The units of a Unix timestamp (unix.precision).
const (
	precisionSeconds = "seconds"
	precisionMillis  = "milliseconds"
	precisionMicros  = "microseconds"
	precisionNanos   = "nanoseconds"
)

const (
	tsPurpose       = "converting timestamp formats"
	missingFormat   = "TimestampConverter requires format option to be specified when using string timestamps"
	badFormatPrefix = "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: "
	millisPerDay    = 24 * 60 * 60 * 1000
)

// Optional temporal schemas, for converted values whose input schema is
// optional (Kafka Connect's TimestampConverter.OPTIONAL_*_SCHEMA).
var (
	optionalDateSchema      = schemas.DateBuilder().Optional().MustBuild()
	optionalTimeSchema      = schemas.TimeBuilder().Optional().MustBuild()
	optionalTimestampSchema = schemas.TimestampBuilder().Optional().MustBuild()
)

// timestampConverter is Kafka Connect's TimestampConverter$Key and $Value:
// it converts the whole key or value, or one field of it, between a
// formatted string, a Unix timestamp (int64) and the Date, Time and
// Timestamp logical types. The conversion goes through a Java Date, that
// is whole milliseconds in UTC, as in Kafka Connect: finer precision is
// lost, in both directions.
//
// Strings are read strictly, where Kafka Connect's SimpleDateFormat is
// lenient: a day that does not exist, a field out of range or text left
// after the pattern is an error, not another instant (see
// internal/javatime). A bad format is a config error of the format key.
type timestampConverter struct {
	side      Side
	field     string
	target    string
	format    *javatime.Format // nil when no format is configured
	precision string
	// replaceNull reads a null struct field as its schema's default.
	replaceNull bool
	cache       schemaCache
}

func newTimestampConverter(s Side) Transformation { return &timestampConverter{side: s} }

// formatValidator accepts an empty pattern or a SimpleDateFormat one.
var formatValidator = config.ValidatorFunc(func(name string, value any) error {
	s, _ := value.(string)
	if s == "" {
		return nil
	}
	if _, err := javatime.Compile(s); err != nil {
		reason := err.Error()
		if pe, ok := errors.AsType[*javatime.PatternError](err); ok {
			reason = pe.Reason
		}
		return &config.ValueError{Name: name, Value: s, Reason: badFormatPrefix + reason}
	}
	return nil
}, "a java.text.SimpleDateFormat pattern")

func (c *timestampConverter) Config() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: tsFieldConfig, Type: config.String, Default: "", Importance: config.High,
			Doc: "The field that holds the timestamp; empty when the whole key or value is the timestamp."}).
		Define(config.Key{Name: tsTargetTypeConfig, Type: config.String, Default: config.NoDefault,
			Validator:  config.ValidString(tsString, tsUnix, tsDate, tsTime, tsTimestamp),
			Importance: config.High,
			Doc:        "What to convert the timestamp to: string, unix, Date, Time or Timestamp."}).
		Define(config.Key{Name: tsFormatConfig, Type: config.String, Default: "", Validator: formatValidator,
			Importance: config.Medium,
			Doc: "A java.text.SimpleDateFormat pattern: how to write the timestamp when target.type is string, " +
				"and how to read timestamps that are strings. Times are in UTC unless the pattern reads a zone."}).
		Define(config.Key{Name: tsUnixPrecisionConfig, Type: config.String, Default: precisionMillis,
			Validator:  config.ValidString(precisionNanos, precisionMicros, precisionMillis, precisionSeconds),
			Importance: config.Low,
			Doc: "The unit of Unix timestamps, written when target.type is unix and read from int64 values: " +
				"seconds, milliseconds, microseconds or nanoseconds. Conversions keep whole milliseconds only, " +
				"so finer digits are lost both ways."}).
		Define(config.Key{Name: tsReplaceNullWithDefaultConfig, Type: config.Boolean, Default: true,
			Importance: config.Medium,
			Doc:        "Whether a null field that has a default value is read as that default (true) or as null (false)."})
}

func (c *timestampConverter) Configure(props map[string]string) error {
	v, err := c.Config().Parse(props)
	if err != nil {
		return err
	}
	c.field = v.String(tsFieldConfig)
	c.target = v.String(tsTargetTypeConfig)
	c.precision = v.String(tsUnixPrecisionConfig)
	c.replaceNull = v.Bool(tsReplaceNullWithDefaultConfig)
	c.cache = schemaCache{}
	c.format = nil
	pattern := v.String(tsFormatConfig)
	if pattern == "" {
		if c.target == tsString {
			return &config.Error{Problems: []config.Problem{{Key: tsFormatConfig, Message: missingFormat}}}
		}
		return nil
	}
	// The validator has compiled the pattern once already.
	c.format = javatime.MustCompile(pattern)
	return nil
}

func (c *timestampConverter) Apply(r *Record) (bool, error) {
	schema, value := c.side.Get(r)
	var (
		newSchema *schemas.Schema
		newValue  any
		err       error
	)
	if schema == nil {
		newValue, err = c.applySchemaless(value)
	} else {
		newSchema, newValue, err = c.applyWithSchema(schema, value)
	}
	if err != nil {
		return false, err
	}
	c.side.Set(r, newSchema, newValue)
	return true, nil
}

func (c *timestampConverter) Close() error { return nil }

func (c *timestampConverter) applySchemaless(value any) (any, error) {
	if isNull(value) || c.field == "" {
		return c.convert(value, "")
	}
	m, err := requireMap(value, tsPurpose)
	if err != nil {
		return nil, err
	}
	if _, shared := value.(map[string]any); shared {
		m = maps.Clone(m)
	}
	// Like Kafka Connect, a missing field is converted from null: it is
	// added, as null.
	converted, err := c.convert(m[c.field], "")
	if err != nil {
		return nil, err
	}
	m[c.field] = converted
	return m, nil
}

func (c *timestampConverter) applyWithSchema(schema *schemas.Schema, value any) (*schemas.Schema, any, error) {
	if c.field == "" {
		newSchema := targetSchema(c.target, schema.Optional)
		from, err := timestampTypeOf(schema)
		if err != nil {
			return nil, nil, err
		}
		v, err := c.convert(value, from)
		return newSchema, v, err
	}
	st, err := requireStructOrNull(value, tsPurpose)
	if err != nil {
		return nil, nil, err
	}
	newSchema, ok := c.cache.get(schema)
	if !ok {
		if newSchema, err = c.convertSchema(schema); err != nil {
			return nil, nil, err
		}
		c.cache.put(schema, newSchema)
	}
	if st == nil {
		return newSchema, nil, nil
	}
	v, err := c.convertStruct(st, newSchema)
	if err != nil {
		return nil, nil, err
	}
	return newSchema, v, nil
}

// convertSchema returns the struct schema with the field's schema replaced
// by the target's; its default value is converted too.
func (c *timestampConverter) convertSchema(schema *schemas.Schema) (*schemas.Schema, error) {
	if schema.Type != schemas.TypeStruct {
		return nil, schemas.DataErrorf("Cannot list fields on non-struct type")
	}
	b := copySchemaBasics(schema)
	for _, f := range schema.Fields {
		if f.Name == c.field {
			b.Field(f.Name, targetSchema(c.target, f.Schema.Optional))
		} else {
			b.Field(f.Name, f.Schema)
		}
	}
	if schema.Optional {
		b.Optional()
	}
	if def, ok := schema.Default.(*schemas.Struct); ok && def != nil {
		// The default is a struct of the schema without a default.
		bare, err := b.Build()
		if err != nil {
			return nil, err
		}
		converted, err := c.convertStruct(def, bare)
		if err != nil {
			return nil, err
		}
		b.Default(converted)
	}
	return b.Build()
}

// convertStruct copies st into a struct of newSchema, converting the field.
func (c *timestampConverter) convertStruct(st *schemas.Struct, newSchema *schemas.Schema) (*schemas.Struct, error) {
	out := schemas.NewStruct(newSchema)
	for _, f := range st.Schema().Fields {
		var v any
		if c.replaceNull {
			v = st.Get(f.Name)
		} else {
			v = st.GetWithoutDefault(f.Name)
		}
		if f.Name == c.field {
			from, err := timestampTypeOf(f.Schema)
			if err != nil {
				return nil, err
			}
			if v, err = c.convert(v, from); err != nil {
				return nil, err
			}
		}
		if err := out.Put(f.Name, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// convert converts a timestamp in representation from (inferred from the
// Go value when "") to the target representation. Null stays null.
func (c *timestampConverter) convert(v any, from string) (any, error) {
	if isNull(v) {
		return nil, nil
	}
	if from == "" {
		var err error
		if from, err = inferTimestampType(v); err != nil {
			return nil, err
		}
	}
	raw, err := c.toRaw(from, v)
	if err != nil {
		return nil, err
	}
	return c.fromRaw(raw), nil
}

// toRaw reads a timestamp in representation from as Kafka Connect's pivot,
// a java.util.Date: whole milliseconds, here in UTC.
func (c *timestampConverter) toRaw(from string, v any) (time.Time, error) {
	switch from {
	case tsString:
		s, ok := v.(string)
		if !ok {
			return time.Time{}, schemas.DataErrorf("Expected string timestamp to be a String, but found class %s", JavaClassName(v))
		}
		if c.format == nil {
			// Kafka Connect fails here with a NullPointerException.
			return time.Time{}, schemas.DataErrorf("%s", missingFormat)
		}
		t, err := c.format.Parse(s)
		if err != nil {
			return time.Time{}, schemas.DataErrorf("Could not parse timestamp: value (%s) does not match pattern (%s): %w", s, c.format.Pattern(), err)
		}
		return t, nil
	case tsUnix:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case int:
			n = int64(x)
		default:
			return time.Time{}, schemas.DataErrorf("Expected Unix timestamp to be a Long, but found class %s", JavaClassName(v))
		}
		var ms int64
		switch c.precision {
		case precisionSeconds:
			ms = saturatingMul(n, 1000)
		case precisionMicros:
			ms = n / 1000
		case precisionNanos:
			ms = n / 1_000_000
		default:
			ms = n
		}
		return time.UnixMilli(ms).UTC(), nil
	default: // Date, Time, Timestamp
		t, ok := v.(time.Time)
		if !ok {
			return time.Time{}, schemas.DataErrorf("Expected %s to be a java.util.Date, but found class %s", from, JavaClassName(v))
		}
		return time.UnixMilli(t.UnixMilli()).UTC(), nil
	}
}

// fromRaw writes the pivot in the target representation.
func (c *timestampConverter) fromRaw(t time.Time) any {
	switch c.target {
	case tsString:
		return c.format.Format(t)
	case tsUnix:
		ms := t.UnixMilli()
		switch c.precision {
		case precisionSeconds:
			return ms / 1000
		case precisionMicros:
			return saturatingMul(ms, 1000)
		case precisionNanos:
			return saturatingMul(ms, 1_000_000)
		}
		return ms
	case tsDate:
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case tsTime:
		ms := t.UnixMilli() % millisPerDay
		if ms < 0 {
			ms += millisPerDay
		}
		return time.UnixMilli(ms).UTC()
	}
	return t
}

// targetSchema is the schema of a converted value.
func targetSchema(target string, optional bool) *schemas.Schema {
	switch target {
	case tsString:
		if optional {
			return schemas.OptionalStringSchema
		}
		return schemas.StringSchema
	case tsUnix:
		if optional {
			return schemas.OptionalInt64Schema
		}
		return schemas.Int64Schema
	case tsDate:
		if optional {
			return optionalDateSchema
		}
		return schemas.DateSchema
	case tsTime:
		if optional {
			return optionalTimeSchema
		}
		return schemas.TimeSchema
	}
	if optional {
		return optionalTimestampSchema
	}
	return schemas.TimestampSchema
}

// timestampTypeOf tells a timestamp's representation from its schema: a
// temporal logical type, else STRING for formatted strings and INT64 for
// Unix timestamps.
func timestampTypeOf(s *schemas.Schema) (string, error) {
	switch {
	case s.Name == schemas.TimestampName:
		return tsTimestamp, nil
	case s.Name == schemas.DateName:
		return tsDate, nil
	case s.Name == schemas.TimeName:
		return tsTime, nil
	case s.Type == schemas.TypeString:
		return tsString, nil
	case s.Type == schemas.TypeInt64:
		return tsUnix, nil
	}
	return "", schemas.DataErrorf("Schema %v does not correspond to a known timestamp type format", s)
}

// inferTimestampType tells a schemaless timestamp's representation from
// its Go type, as Kafka Connect does from the Java class: a time.Time
// (java.util.Date) is a Timestamp, since Date and Time look the same.
func inferTimestampType(v any) (string, error) {
	switch v.(type) {
	case time.Time:
		return tsTimestamp, nil
	case int64, int:
		return tsUnix, nil
	case string:
		return tsString, nil
	}
	return "", schemas.DataErrorf("TimestampConverter does not support class %s objects as timestamps", JavaClassName(v))
}

// saturatingMul multiplies as Java's TimeUnit conversions do: results past
// the int64 range become its bounds.
func saturatingMul(n, by int64) int64 {
	switch {
	case n > math.MaxInt64/by:
		return math.MaxInt64
	case n < math.MinInt64/by:
		return math.MinInt64
	}
	return n * by
}
