package transforms

import (
	"errors"
	"maps"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// The instants of Kafka Connect's TimestampConverterTest.
var (
	tsDatePlusTime = time.UnixMilli(86_401_234).UTC() // 1970-01-02T00:00:01.234Z
	dateOnly       = time.UnixMilli(86_400_000).UTC() // 1970-01-02
	timeOnly       = time.UnixMilli(1_234).UTC()      // 00:00:01.234
	tsEpoch        = time.UnixMilli(0).UTC()
)

const (
	tsPattern            = "yyyy MM dd HH mm ss SSS z"
	tsDatePlusTimeString = "1970 01 02 00 00 01 234 UTC"
)

// tsInputs are a timestamp in each representation, with its schema.
var tsInputs = map[string]struct {
	schema *schemas.Schema
	value  any
}{
	tsString:    {schemas.StringSchema, tsDatePlusTimeString},
	tsUnix:      {schemas.Int64Schema, int64(86_401_234)},
	tsDate:      {schemas.DateSchema, dateOnly},
	tsTime:      {schemas.TimeSchema, timeOnly},
	tsTimestamp: {schemas.TimestampSchema, tsDatePlusTime},
}

// tsPairs are Kafka Connect's results for every pair of representations
// (milliseconds, UTC).
var tsPairs = []struct {
	from, to string
	want     any
}{
	{tsString, tsString, tsDatePlusTimeString},
	{tsString, tsUnix, int64(86_401_234)},
	{tsString, tsDate, dateOnly},
	{tsString, tsTime, timeOnly},
	{tsString, tsTimestamp, tsDatePlusTime},

	{tsUnix, tsString, tsDatePlusTimeString},
	{tsUnix, tsUnix, int64(86_401_234)},
	{tsUnix, tsDate, dateOnly},
	{tsUnix, tsTime, timeOnly},
	{tsUnix, tsTimestamp, tsDatePlusTime},

	// A Date has no time of day, a Time no date.
	{tsDate, tsString, "1970 01 02 00 00 00 000 UTC"},
	{tsDate, tsUnix, int64(86_400_000)},
	{tsDate, tsDate, dateOnly},
	{tsDate, tsTime, tsEpoch},
	{tsDate, tsTimestamp, dateOnly},

	{tsTime, tsString, "1970 01 01 00 00 01 234 UTC"},
	{tsTime, tsUnix, int64(1_234)},
	{tsTime, tsDate, tsEpoch},
	{tsTime, tsTime, timeOnly},
	{tsTime, tsTimestamp, timeOnly},

	{tsTimestamp, tsString, tsDatePlusTimeString},
	{tsTimestamp, tsUnix, int64(86_401_234)},
	{tsTimestamp, tsDate, dateOnly},
	{tsTimestamp, tsTime, timeOnly},
	{tsTimestamp, tsTimestamp, tsDatePlusTime},
}

// tsTargetSchemas are the schemas of converted values: required, optional.
var tsTargetSchemas = map[string][2]*schemas.Schema{
	tsString:    {schemas.StringSchema, schemas.OptionalStringSchema},
	tsUnix:      {schemas.Int64Schema, schemas.OptionalInt64Schema},
	tsDate:      {schemas.DateSchema, schemas.DateBuilder().Optional().MustBuild()},
	tsTime:      {schemas.TimeSchema, schemas.TimeBuilder().Optional().MustBuild()},
	tsTimestamp: {schemas.TimestampSchema, schemas.TimestampBuilder().Optional().MustBuild()},
}

func optionalOf(s *schemas.Schema) *schemas.Schema {
	c := *s
	c.Optional = true
	return &c
}

func newConverter(t *testing.T, side Side, props map[string]string) Transformation {
	t.Helper()
	tr := newTimestampConverter(side)
	if err := tr.Configure(props); err != nil {
		t.Fatalf("Configure(%v): %v", props, err)
	}
	return tr
}

// applyTS runs tr on a record whose side holds schema and value, checks that
// the other side is untouched, and returns the new schema and value.
func applyTS(t *testing.T, tr Transformation, side Side, schema *schemas.Schema, value any) (*schemas.Schema, any, error) {
	t.Helper()
	r := &Record{Record: connectors.Record{Topic: "topic", Timestamp: tsEpoch}}
	other := side ^ 1
	side.Set(r, schema, value)
	other.Set(r, schemas.StringSchema, "untouched")
	keep, err := tr.Apply(r)
	if err != nil {
		return nil, nil, err
	}
	if !keep {
		t.Fatal("Apply dropped the record")
	}
	if s, v := other.Get(r); s != schemas.StringSchema || v != "untouched" {
		t.Errorf("the %v side changed: %v %v", other, s, v)
	}
	s, v := side.Get(r)
	return s, v, nil
}

func checkValue(t *testing.T, what string, got, want any) {
	t.Helper()
	if gt, ok := got.(time.Time); ok && gt.Location() != time.UTC {
		t.Errorf("%s: %v is not in UTC", what, gt)
	}
	if !schemas.EqualValues(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func checkSchema(t *testing.T, what string, got, want *schemas.Schema) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s schema = %v (optional %v), want %v (optional %v)", what, got, got != nil && got.Optional, want, want != nil && want.Optional)
	}
}

func TestTimestampConverterPairs(t *testing.T) {
	for _, side := range []Side{Key, Value} {
		for _, p := range tsPairs {
			name := side.String() + " " + p.from + " to " + p.to
			in := tsInputs[p.from]
			props := map[string]string{"target.type": p.to, "format": tsPattern}

			// The whole key or value, with a schema, required and optional.
			for i, schema := range []*schemas.Schema{in.schema, optionalOf(in.schema)} {
				s, v, err := applyTS(t, newConverter(t, side, props), side, schema, in.value)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				checkSchema(t, name, s, tsTargetSchemas[p.to][i])
				checkValue(t, name, v, p.want)
			}

			// The whole key or value without a schema: Date and Time are
			// time.Time values, read as Timestamps, which gives the same.
			s, v, err := applyTS(t, newConverter(t, side, props), side, nil, in.value)
			if err != nil {
				t.Errorf("%s schemaless: %v", name, err)
			} else {
				checkSchema(t, name+" schemaless", s, nil)
				checkValue(t, name+" schemaless", v, p.want)
			}

			// A field of a struct.
			fieldProps := maps.Clone(props)
			fieldProps["field"] = "ts"
			for i, fieldSchema := range []*schemas.Schema{in.schema, optionalOf(in.schema)} {
				schema := schemas.NewBuilder(schemas.TypeStruct).Name("row").Version(3).Doc("a row").
					Field("id", schemas.Int32Schema).Field("ts", fieldSchema).Field("other", schemas.OptionalStringSchema).MustBuild()
				st := schemas.NewStruct(schema).MustPut("id", int32(7)).MustPut("ts", in.value).MustPut("other", "test")
				s, v, err := applyTS(t, newConverter(t, side, fieldProps), side, schema, st)
				if err != nil {
					t.Errorf("%s field: %v", name, err)
					continue
				}
				want := schemas.NewBuilder(schemas.TypeStruct).Name("row").Version(3).Doc("a row").
					Field("id", schemas.Int32Schema).Field("ts", tsTargetSchemas[p.to][i]).Field("other", schemas.OptionalStringSchema).MustBuild()
				checkSchema(t, name+" field", s, want)
				out, ok := v.(*schemas.Struct)
				if !ok {
					t.Errorf("%s field: got %T", name, v)
					continue
				}
				checkValue(t, name+" field", out.Get("ts"), p.want)
				checkValue(t, name+" id", out.Get("id"), int32(7))
				checkValue(t, name+" other", out.Get("other"), "test")
				if err := out.Validate(); err != nil {
					t.Errorf("%s field: invalid struct: %v", name, err)
				}
				checkValue(t, name+" input untouched", st.Get("ts"), in.value)
			}

			// A field of a schemaless map.
			m := map[string]any{"ts": in.value, "other": "test"}
			s, v, err = applyTS(t, newConverter(t, side, fieldProps), side, nil, m)
			if err != nil {
				t.Errorf("%s schemaless field: %v", name, err)
				continue
			}
			checkSchema(t, name+" schemaless field", s, nil)
			checkValue(t, name+" schemaless field", v, map[string]any{"ts": p.want, "other": "test"})
			checkValue(t, name+" input untouched", m, map[string]any{"ts": in.value, "other": "test"})
		}
	}
}

func TestTimestampConverterUnixPrecision(t *testing.T) {
	for _, c := range []struct {
		precision string
		unix      int64     // a Unix timestamp in that precision
		read      time.Time // what it converts to
		write     int64     // what tsDatePlusTime converts to
	}{
		{"seconds", 86_401, time.UnixMilli(86_401_000).UTC(), 86_401},
		{"milliseconds", 86_401_234, tsDatePlusTime, 86_401_234},
		// Finer digits are lost: Kafka Connect converts through a Date.
		{"microseconds", 86_401_234_123, tsDatePlusTime, 86_401_234_000},
		{"nanoseconds", 86_401_234_123_456, tsDatePlusTime, 86_401_234_000_000},
		// Before the epoch, division truncates toward zero, as Java's.
		{"microseconds", -1_999, time.UnixMilli(-1).UTC(), 86_401_234_000},
		{"nanoseconds", -1_999_999, time.UnixMilli(-1).UTC(), 86_401_234_000_000},
		{"seconds", -2, time.UnixMilli(-2_000).UTC(), 86_401},
	} {
		name := c.precision
		read := newConverter(t, Value, map[string]string{"target.type": "Timestamp", "unix.precision": c.precision})
		s, v, err := applyTS(t, read, Value, schemas.Int64Schema, c.unix)
		if err != nil {
			t.Errorf("%s read: %v", name, err)
		} else {
			checkSchema(t, name+" read", s, schemas.TimestampSchema)
			checkValue(t, name+" read", v, c.read)
		}
		if _, v, err = applyTS(t, read, Value, nil, c.unix); err != nil {
			t.Errorf("%s read schemaless: %v", name, err)
		} else {
			checkValue(t, name+" read schemaless", v, c.read)
		}

		write := newConverter(t, Value, map[string]string{"target.type": "unix", "unix.precision": c.precision})
		s, v, err = applyTS(t, write, Value, schemas.TimestampSchema, tsDatePlusTime)
		if err != nil {
			t.Errorf("%s write: %v", name, err)
		} else {
			checkSchema(t, name+" write", s, schemas.Int64Schema)
			checkValue(t, name+" write", v, c.write)
		}
		// From a string, as Kafka Connect's testSchemalessStringToUnix_*.
		fromString := newConverter(t, Value, map[string]string{"target.type": "unix", "unix.precision": c.precision, "format": tsPattern})
		if _, v, err = applyTS(t, fromString, Value, nil, tsDatePlusTimeString); err != nil {
			t.Errorf("%s from string: %v", name, err)
		} else {
			checkValue(t, name+" from string", v, c.write)
		}
	}

	// Unix to unix changes the unit.
	conv := newConverter(t, Value, map[string]string{"target.type": "unix", "unix.precision": "microseconds"})
	if _, v, err := applyTS(t, conv, Value, schemas.Int64Schema, int64(86_401_234_567)); err != nil {
		t.Error(err)
	} else {
		checkValue(t, "micros to micros", v, int64(86_401_234_000))
	}

	// Results beyond int64 saturate, as Java's TimeUnit.
	far := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	conv = newConverter(t, Value, map[string]string{"target.type": "unix", "unix.precision": "nanoseconds"})
	if _, v, err := applyTS(t, conv, Value, nil, far); err != nil {
		t.Error(err)
	} else {
		checkValue(t, "nanoseconds in 2300", v, int64(math.MaxInt64))
	}
	conv = newConverter(t, Value, map[string]string{"target.type": "Timestamp", "unix.precision": "seconds"})
	if _, v, err := applyTS(t, conv, Value, nil, int64(math.MinInt64/10)); err != nil {
		t.Error(err)
	} else {
		checkValue(t, "seconds far before the epoch", v, time.UnixMilli(math.MinInt64).UTC())
	}
}

// Kafka Connect converts through whole milliseconds in UTC.
func TestTimestampConverterMilliseconds(t *testing.T) {
	in := time.Date(2001, 7, 4, 12, 8, 56, 235_999_999, time.FixedZone("PDT", -7*3600))
	want := time.Date(2001, 7, 4, 19, 8, 56, 235_000_000, time.UTC)
	conv := newConverter(t, Value, map[string]string{"target.type": "Timestamp"})
	if _, v, err := applyTS(t, conv, Value, nil, in); err != nil {
		t.Fatal(err)
	} else {
		checkValue(t, "sub-millisecond", v, want)
	}
	conv = newConverter(t, Value, map[string]string{"target.type": "Date"})
	if _, v, err := applyTS(t, conv, Value, nil, time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC)); err != nil {
		t.Fatal(err)
	} else {
		checkValue(t, "Date before the epoch", v, time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC))
	}
	conv = newConverter(t, Value, map[string]string{"target.type": "Time"})
	if _, v, err := applyTS(t, conv, Value, nil, time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC)); err != nil {
		t.Fatal(err)
	} else {
		checkValue(t, "Time before the epoch", v, time.UnixMilli(86_399_999).UTC())
	}
	// A zone in the text moves the instant; output is always UTC.
	conv = newConverter(t, Value, map[string]string{"target.type": "string", "format": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"})
	if _, v, err := applyTS(t, conv, Value, nil, "2001-07-04T12:08:56.235-07:00"); err != nil {
		t.Fatal(err)
	} else {
		checkValue(t, "string to string", v, "2001-07-04T19:08:56.235Z")
	}
}

func TestTimestampConverterNulls(t *testing.T) {
	optionalInputs := []*schemas.Schema{schemas.OptionalInt64Schema, optionalOf(schemas.TimeSchema),
		optionalOf(schemas.DateSchema), schemas.OptionalStringSchema, optionalOf(schemas.TimestampSchema)}
	for _, side := range []Side{Key, Value} {
		for _, target := range []string{tsString, tsUnix, tsDate, tsTime, tsTimestamp} {
			props := map[string]string{"target.type": target, "format": tsPattern}
			fieldProps := map[string]string{"target.type": target, "format": tsPattern, "field": "ts"}
			name := side.String() + " to " + target

			// Tombstones without a schema, whole or by field.
			for _, p := range []map[string]string{props, fieldProps} {
				s, v, err := applyTS(t, newConverter(t, side, p), side, nil, nil)
				if err != nil || s != nil || v != nil {
					t.Errorf("%s: schemaless null gave %v %v %v", name, s, v, err)
				}
			}
			// A null field without a schema stays null; a missing one is
			// added as null, as Kafka Connect does.
			s, v, err := applyTS(t, newConverter(t, side, fieldProps), side, nil, map[string]any{"ts": nil, "other": "x"})
			if err != nil || s != nil {
				t.Errorf("%s: %v %v", name, s, err)
			}
			checkValue(t, name+" null field", v, map[string]any{"ts": nil, "other": "x"})
			s, v, err = applyTS(t, newConverter(t, side, fieldProps), side, nil, map[any]any{"other": "x"})
			if err != nil || s != nil {
				t.Errorf("%s: %v %v", name, s, err)
			}
			checkValue(t, name+" missing field", v, map[string]any{"ts": nil, "other": "x"})

			for _, in := range optionalInputs {
				// A null key or value with an optional schema.
				s, v, err := applyTS(t, newConverter(t, side, props), side, in, nil)
				if err != nil {
					t.Errorf("%s from %v: %v", name, in, err)
					continue
				}
				checkSchema(t, name, s, tsTargetSchemas[target][1])
				checkValue(t, name, v, nil)

				// A null field, and a null optional struct.
				structSchema := schemas.NewBuilder(schemas.TypeStruct).Field("ts", in).Field("other", schemas.StringSchema)
				want := schemas.NewBuilder(schemas.TypeStruct).Field("ts", tsTargetSchemas[target][1]).Field("other", schemas.StringSchema)
				st := schemas.NewStruct(structSchema.MustBuild()).MustPut("other", "test")
				s, v, err = applyTS(t, newConverter(t, side, fieldProps), side, st.Schema(), st)
				if err != nil {
					t.Errorf("%s field from %v: %v", name, in, err)
					continue
				}
				checkSchema(t, name+" field", s, want.MustBuild())
				if out, ok := v.(*schemas.Struct); !ok || out.Get("ts") != nil || out.Get("other") != "test" {
					t.Errorf("%s field from %v: got %v", name, in, v)
				}
				s, v, err = applyTS(t, newConverter(t, side, fieldProps), side, structSchema.Optional().MustBuild(), nil)
				if err != nil {
					t.Errorf("%s null struct from %v: %v", name, in, err)
					continue
				}
				checkSchema(t, name+" null struct", s, want.Optional().MustBuild())
				checkValue(t, name+" null struct", v, nil)
			}
		}
	}
}

func TestTimestampConverterDefaults(t *testing.T) {
	// Kafka Connect's testWithSchemaNullFieldWithDefaultConversion, both
	// ways: the field's default is read only with replace.null.with.default.
	schema := schemas.NewBuilder(schemas.TypeStruct).
		Field("ts", schemas.NewBuilder(schemas.TypeInt64).Optional().Default(int64(0)).MustBuild()).
		Field("other", schemas.StringSchema).MustBuild()
	want := schemas.NewBuilder(schemas.TypeStruct).
		Field("ts", tsTargetSchemas[tsTimestamp][1]).Field("other", schemas.StringSchema).MustBuild()
	for _, c := range []struct {
		replace string
		want    any
	}{{"false", nil}, {"true", tsEpoch}} {
		conv := newConverter(t, Value, map[string]string{"target.type": "Timestamp", "field": "ts", "replace.null.with.default": c.replace})
		s, v, err := applyTS(t, conv, Value, schema, schemas.NewStruct(schema).MustPut("other", "test"))
		if err != nil {
			t.Fatal(err)
		}
		checkSchema(t, "replace="+c.replace, s, want)
		checkValue(t, "replace="+c.replace, v.(*schemas.Struct).Get("ts"), c.want)
	}

	// A required field with a default: its converted schema is required
	// and has no default, so a null read without the default fails.
	required := schemas.NewBuilder(schemas.TypeStruct).
		Field("ts", schemas.NewBuilder(schemas.TypeInt64).Default(int64(86_401_234)).MustBuild()).MustBuild()
	conv := newConverter(t, Value, map[string]string{"target.type": "Date", "field": "ts"})
	_, v, err := applyTS(t, conv, Value, required, schemas.NewStruct(required))
	if err != nil {
		t.Fatal(err)
	}
	checkValue(t, "required with default", v.(*schemas.Struct).Get("ts"), dateOnly)
	conv = newConverter(t, Value, map[string]string{"target.type": "Date", "field": "ts", "replace.null.with.default": "false"})
	_, _, err = applyTS(t, conv, Value, required, schemas.NewStruct(required))
	var de *schemas.DataError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "null used for required") {
		t.Errorf("null in a required field: got %v", err)
	}

	// The default of an optional struct schema is converted too.
	bare := schemas.NewBuilder(schemas.TypeStruct).Name("row").Field("ts", schemas.Int64Schema).Field("other", schemas.StringSchema).Optional().MustBuild()
	withDefault := schemas.NewBuilder(schemas.TypeStruct).Name("row").Field("ts", schemas.Int64Schema).Field("other", schemas.StringSchema).Optional().
		Default(schemas.NewStruct(bare).MustPut("ts", int64(86_401_234)).MustPut("other", "dflt")).MustBuild()
	conv = newConverter(t, Value, map[string]string{"target.type": "Date", "field": "ts"})
	s, v, err := applyTS(t, conv, Value, withDefault, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil || s.Fields[0].Schema != schemas.DateSchema || !s.Optional || s.Name != "row" {
		t.Fatalf("got schema %v %+v, value %v", s, s.Fields, v)
	}
	def, ok := s.Default.(*schemas.Struct)
	if !ok {
		t.Fatalf("default %#v is not a struct", s.Default)
	}
	checkValue(t, "converted default", def.Get("ts"), dateOnly)
	checkValue(t, "converted default", def.Get("other"), "dflt")
}

func TestTimestampConverterSchemaCache(t *testing.T) {
	schema := schemas.NewBuilder(schemas.TypeStruct).Field("ts", schemas.Int64Schema).MustBuild()
	conv := newConverter(t, Value, map[string]string{"target.type": "Timestamp", "field": "ts"})
	s1, _, err := applyTS(t, conv, Value, schema, schemas.NewStruct(schema).MustPut("ts", int64(1)))
	if err != nil {
		t.Fatal(err)
	}
	s2, v, err := applyTS(t, conv, Value, schema, schemas.NewStruct(schema).MustPut("ts", int64(2)))
	if err != nil {
		t.Fatal(err)
	}
	if s1 != s2 {
		t.Error("the converted schema was not reused")
	}
	checkValue(t, "second record", v.(*schemas.Struct).Get("ts"), time.UnixMilli(2).UTC())
	// A field the schema does not have leaves the struct as it is.
	conv = newConverter(t, Value, map[string]string{"target.type": "Timestamp", "field": "nope"})
	s, v, err := applyTS(t, conv, Value, schema, schemas.NewStruct(schema).MustPut("ts", int64(1)))
	if err != nil {
		t.Fatal(err)
	}
	checkSchema(t, "unknown field", s, schema)
	checkValue(t, "unknown field", v.(*schemas.Struct).Get("ts"), int64(1))
}

func TestTimestampConverterErrors(t *testing.T) {
	int32Struct := schemas.NewBuilder(schemas.TypeStruct).Field("ts", schemas.Int32Schema).MustBuild()
	for _, c := range []struct {
		name   string
		props  map[string]string
		schema *schemas.Schema
		value  any
		want   string
	}{
		{"no timestamp schema", map[string]string{"target.type": "Timestamp"}, schemas.Int32Schema, int32(5),
			"Schema Schema{INT32} does not correspond to a known timestamp type format"},
		{"no timestamp schema, null", map[string]string{"target.type": "Timestamp"}, schemas.OptionalFloat64Schema, nil,
			"Schema Schema{FLOAT64} does not correspond to a known timestamp type format"},
		{"no timestamp field schema", map[string]string{"target.type": "Timestamp", "field": "ts"}, int32Struct,
			schemas.NewStruct(int32Struct).MustPut("ts", int32(5)),
			"Schema Schema{INT32} does not correspond to a known timestamp type format"},
		{"field of a non-struct", map[string]string{"target.type": "Timestamp", "field": "ts"}, schemas.Int64Schema, int64(5),
			"Only Struct objects supported for [converting timestamp formats], found: java.lang.Long"},
		{"field of a null non-struct", map[string]string{"target.type": "Timestamp", "field": "ts"}, schemas.OptionalInt64Schema, nil,
			"Cannot list fields on non-struct type"},
		{"field of a non-map", map[string]string{"target.type": "Timestamp", "field": "ts"}, nil, "x",
			"Only Map objects supported in absence of schema for [converting timestamp formats], found: java.lang.String"},
		{"schemaless int32", map[string]string{"target.type": "Timestamp"}, nil, int32(5),
			"TimestampConverter does not support class java.lang.Integer objects as timestamps"},
		{"schemaless float", map[string]string{"target.type": "Timestamp", "field": "ts"}, nil, map[string]any{"ts": 1.5},
			"TimestampConverter does not support class java.lang.Double objects as timestamps"},
		{"schemaless bytes", map[string]string{"target.type": "unix"}, nil, []byte("x"),
			"TimestampConverter does not support class [B objects as timestamps"},
		{"unparseable", map[string]string{"target.type": "Timestamp", "format": tsPattern}, schemas.StringSchema, "nope",
			`Could not parse timestamp: value (nope) does not match pattern (yyyy MM dd HH mm ss SSS z): Unparseable date: "nope"`},
		{"not a date", map[string]string{"target.type": "Timestamp", "format": "yyyy-MM-dd"}, nil, "2001-02-30",
			`Could not parse timestamp: value (2001-02-30) does not match pattern (yyyy-MM-dd): Unparseable date: "2001-02-30": day 30 does not exist in 2001-02`},
		{"string without format", map[string]string{"target.type": "Timestamp"}, nil, "2001-07-04",
			"TimestampConverter requires format option to be specified when using string timestamps"},
		{"string schema, long value", map[string]string{"target.type": "Timestamp", "format": tsPattern}, schemas.StringSchema, int64(5),
			"Expected string timestamp to be a String, but found class java.lang.Long"},
		{"int64 schema, string value", map[string]string{"target.type": "Timestamp"}, schemas.Int64Schema, "5",
			"Expected Unix timestamp to be a Long, but found class java.lang.String"},
		{"Timestamp schema, string value", map[string]string{"target.type": "unix"}, schemas.TimestampSchema, "5",
			"Expected Timestamp to be a java.util.Date, but found class java.lang.String"},
		{"Date schema, long value", map[string]string{"target.type": "unix"}, schemas.DateSchema, int64(5),
			"Expected Date to be a java.util.Date, but found class java.lang.Long"},
		{"Time schema, int value", map[string]string{"target.type": "unix"}, schemas.TimeSchema, int32(5),
			"Expected Time to be a java.util.Date, but found class java.lang.Integer"},
	} {
		_, _, err := applyTS(t, newConverter(t, Value, c.props), Value, c.schema, c.value)
		var de *schemas.DataError
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case !errors.As(err, &de):
			t.Errorf("%s: %T is not a DataError: %v", c.name, err, err)
		case !strings.HasPrefix(err.Error(), c.want):
			t.Errorf("%s:\n got %s\nwant %s", c.name, err, c.want)
		}
	}
}

func TestTimestampConverterConfig(t *testing.T) {
	for _, c := range []struct {
		props map[string]string
		want  string // "" for no error
	}{
		{map[string]string{}, `Missing required configuration "target.type" which has no default value.`},
		{map[string]string{"target.type": "invalid"},
			"Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"},
		{map[string]string{"target.type": "timestamp"},
			"Invalid value timestamp for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"},
		{map[string]string{"target.type": "unix", "unix.precision": "invalid"},
			"Invalid value invalid for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds"},
		{map[string]string{"target.type": "string"},
			"TimestampConverter requires format option to be specified when using string timestamps"},
		{map[string]string{"target.type": "string", "format": "  "},
			"TimestampConverter requires format option to be specified when using string timestamps"},
		{map[string]string{"target.type": "string", "format": "bad-format"},
			"Invalid value bad-format for configuration format: TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: Illegal pattern character 'b'"},
		{map[string]string{"target.type": "Timestamp", "format": "yyyy-MM-dd'T"},
			"Invalid value yyyy-MM-dd'T for configuration format: TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: Unterminated quote"},
		{map[string]string{"target.type": "Date", "replace.null.with.default": "maybe"},
			"Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"},
		{map[string]string{"target.type": "unix", "unix.precision": "seconds"}, ""},
		{map[string]string{"target.type": "string", "format": "yyyy"}, ""},
		{map[string]string{"target.type": "Time", "field": "ts", "format": "", "replace.null.with.default": "false"}, ""},
	} {
		err := newTimestampConverter(Value).Configure(c.props)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Configure(%v): %v", c.props, err)
		case c.want != "" && (err == nil || err.Error() != c.want):
			t.Errorf("Configure(%v):\n got %v\nwant %s", c.props, err, c.want)
		}
	}
	keys := newTimestampConverter(Key).Config().Keys()
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
	}
	if got := strings.Join(names, ","); got != "field,target.type,format,unix.precision,replace.null.with.default" {
		t.Errorf("keys %s", got)
	}
}

func TestTimeBuiltins(t *testing.T) {
	want := map[string]bool{
		"org.apache.kafka.connect.transforms.TimestampConverter$Key":   false,
		"org.apache.kafka.connect.transforms.TimestampConverter$Value": false,
		"org.apache.kafka.connect.transforms.TimestampRouter":          false,
	}
	for _, p := range Builtins() {
		if _, ok := want[p.Class]; ok {
			want[p.Class] = true
			if p.NewTransformation == nil {
				t.Errorf("%s is not a transformation", p.Class)
			}
		}
	}
	for class, found := range want {
		if !found {
			t.Errorf("%s is not registered", class)
		}
	}
	// $Key works on the key.
	for _, p := range Builtins() {
		if p.Class != "org.apache.kafka.connect.transforms.TimestampConverter$Key" {
			continue
		}
		tr := p.NewTransformation()
		if err := tr.Configure(map[string]string{"target.type": "Timestamp"}); err != nil {
			t.Fatal(err)
		}
		r := &Record{Record: connectors.Record{Topic: "topic", Key: tsDatePlusTime, Value: int64(5)}}
		if _, err := tr.Apply(r); err != nil {
			t.Fatal(err)
		}
		checkValue(t, "key", r.Key, tsDatePlusTime)
		checkValue(t, "value", r.Value, int64(5))
	}
}
