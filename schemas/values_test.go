package schemas_test

import (
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.000Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

func bigInt(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

// Cases from Kafka Connect's ValuesTest (test names cited), plus sluice's
// deliberate differences (marked "sluice:").
func TestParseString(t *testing.T) {
	t.Parallel()
	str := schemas.StringSchema
	tests := []struct {
		name       string
		in         string
		wantSchema *schemas.Schema // compared with Equal; nil: null
		wantValue  any
	}{
		{"shouldParseEmptyString", "", str, ""},
		{"shouldNotParseUnquotedEmbeddedMapKeysAsStrings", "{foo: 3}", str, "{foo: 3}"},
		{"shouldNotParseUnquotedEmbeddedMapValuesAsStrings", "{3: foo}", str, "{3: foo}"},
		{"shouldNotParseUnquotedArrayElementsAsStrings", "[foo]", str, "[foo]"},
		{"shouldNotParseStringsBeginningWithNullAsStrings", "null=", str, "null="},
		{"shouldParseStringsBeginningWithTrueAsStrings", "true}", str, "true}"},
		{"shouldParseStringsBeginningWithFalseAsStrings", "false]", str, "false]"},
		{"shouldParseTrueAsBooleanIfSurroundedByWhitespace", " \t true \n ", schemas.BooleanSchema, true},
		{"shouldParseFalseAsBooleanIfSurroundedByWhitespace", " false ", schemas.BooleanSchema, false},
		{"shouldParseNullAsNullIfSurroundedByWhitespace", "  null ", nil, nil},
		{"shouldParseNull", "null", nil, nil},
		{"shouldParseBooleanLiteralsEmbeddedInArray", "[true, false]", schemas.Array(schemas.BooleanSchema).MustBuild(), []any{true, false}},
		{"shouldParseBooleanLiteralsEmbeddedInMap", "{true: false, false: true}", schemas.Map(schemas.BooleanSchema, schemas.BooleanSchema).MustBuild(), map[any]any{true: false, false: true}},
		{"shouldNotParseAsMapWithoutCommas", "{6:9 4:20}", str, "{6:9 4:20}"},
		{"shouldNotParseAsArrayWithoutCommas", "[0 1 2]", str, "[0 1 2]"},
		{"shouldParseEmptyMap", "{}", &schemas.Schema{Type: schemas.TypeMap}, map[any]any{}},
		{"shouldParseEmptyArray", "[]", &schemas.Schema{Type: schemas.TypeArray}, []any{}},
		{"shouldNotParseAsMapWithNullKeys", "{null: 3}", str, "{null: 3}"},
		{"shouldParseNullMapValues", "{3: null}", &schemas.Schema{Type: schemas.TypeMap, Key: schemas.Int8Schema}, map[any]any{int8(3): nil}},
		{"shouldParseNullArrayElements", "[null]", &schemas.Schema{Type: schemas.TypeArray}, []any{nil}},
		{"shouldParseStringOfMapWithStringValuesWithoutWhitespaceAsMap", `{"foo":"123","bar":"baz"}`, schemas.Map(str, str).MustBuild(), map[string]any{"foo": "123", "bar": "baz"}},
		{"shouldParseStringOfMapWithStringValuesWithWhitespaceAsMap", "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ", schemas.Map(str, str).MustBuild(), map[string]any{"foo": "123", "bar": "baz"}},
		{"shouldParseStringOfMapWithShortValuesWithWhitespaceAsMap", ` { "foo" :  12345 , "bar" : 0,  "baz" : -4321 }  `, schemas.Map(str, schemas.Int16Schema).MustBuild(), map[string]any{"foo": int16(12345), "bar": int16(0), "baz": int16(-4321)}},
		{"shouldParseStringOfMapWithIntValuesWithoutWhitespaceAsMap", `{"foo":1234567890,"bar":0,"baz":-987654321}`, schemas.Map(str, schemas.Int32Schema).MustBuild(), map[string]any{"foo": int32(1234567890), "bar": int32(0), "baz": int32(-987654321)}},
		{"shouldConvertStringOfListWithOnlyNumericElementTypesIntoListOfLargestNumericType", "[1, 2, 32768]", schemas.Array(schemas.Int32Schema).MustBuild(), []any{int32(1), int32(2), int32(32768)}},
		{"shouldConvertIntegralTypesToFloat", "[1, 2, 3.4028235E38]", schemas.Array(schemas.Float32Schema).MustBuild(), []any{float32(1), float32(2), float32(math.MaxFloat32)}},
		{"shouldConvertIntegralTypesToDouble", "[1, 2, 1.7976931348623157E308]", schemas.Array(schemas.Float64Schema).MustBuild(), []any{1.0, 2.0, math.MaxFloat64}},
		{"shouldParseStringListWithMultipleElementTypes", `[1, 2, 300, "four"]`, &schemas.Schema{Type: schemas.TypeArray}, []any{int8(1), int8(2), int16(300), "four"}},
		{"shouldParseStringMapWithMultipleKeyTypes", `{1:1, 2:1, 300:300, "four":1}`, &schemas.Schema{Type: schemas.TypeMap}, map[any]any{int8(1): int8(1), int8(2): int8(1), int16(300): int16(300), "four": int8(1)}},
		{"shouldParseStringMapWithMultipleValueTypes", `{1:1, 2:1, 300:300, 4:"four"}`, &schemas.Schema{Type: schemas.TypeMap, Key: schemas.Int16Schema}, map[any]any{int16(1): int8(1), int16(2): int8(1), int16(300): int16(300), int16(4): "four"}},
		{"shouldParseNestedArray", "[[]]", schemas.Array(&schemas.Schema{Type: schemas.TypeArray}).MustBuild(), []any{[]any{}}},
		{"shouldParseArrayContainingMap", "[{}]", schemas.Array(&schemas.Schema{Type: schemas.TypeMap}).MustBuild(), []any{map[any]any{}}},
		{"shouldParseNestedMap", `{"a":{}}`, schemas.Map(str, &schemas.Schema{Type: schemas.TypeMap}).MustBuild(), map[string]any{"a": map[any]any{}}},
		{"shouldParseStringListWithExtraDelimitersAndReturnString", "[1, 2, 3,,,]", str, "[1, 2, 3,,,]"},
		{"shouldParseStringListWithNullLastAsString", "[1, null]", str, "[1, null]"},
		{"shouldParseStringListWithNullFirstAsString", "[null, 1]", str, "[null, 1]"},
		{"shouldParseTimestampStringAsTimestamp", "2019-08-23T14:34:54.346Z", schemas.TimestampSchema, ts("2019-08-23T14:34:54.346Z")},
		{"shouldParseDateStringAsDate", "2019-08-23", schemas.DateSchema, time.Date(2019, 8, 23, 0, 0, 0, 0, time.UTC)},
		{"shouldParseTimeStringAsDate", "14:34:54.346Z", schemas.TimeSchema, ts("1970-01-01T14:34:54.346Z")},
		{"shouldParseTimestampStringWithEscapedColonsAsTimestamp", `2019-08-23T14\:34\:54.346Z`, schemas.TimestampSchema, ts("2019-08-23T14:34:54.346Z")},
		{"shouldParseTimeStringWithEscapedColonsAsDate", `14\:34\:54.346Z`, schemas.TimeSchema, ts("1970-01-01T14:34:54.346Z")},
		{"shouldParseDateStringAsDateInArray", "[2019-08-23]", schemas.Array(schemas.DateSchema).MustBuild(), []any{time.Date(2019, 8, 23, 0, 0, 0, 0, time.UTC)}},
		{"shouldParseTimeStringAsTimeInArray", "[14:34:54.346Z]", schemas.Array(schemas.TimeSchema).MustBuild(), []any{ts("1970-01-01T14:34:54.346Z")}},
		{"shouldParseMultipleTimestampStringAsTimestampInArray", "[2019-08-23T14:34:54.346Z,2019-01-23T15:12:34.567Z,   2019-04-23T19:12:34.567Z]", schemas.Array(schemas.TimestampSchema).MustBuild(), []any{ts("2019-08-23T14:34:54.346Z"), ts("2019-01-23T15:12:34.567Z"), ts("2019-04-23T19:12:34.567Z")}},
		{"shouldParseQuotedTimeStringAsTimeInMap", `{"k1":"14:34:54.346Z"}`, schemas.Map(str, schemas.TimeSchema).MustBuild(), map[string]any{"k1": ts("1970-01-01T14:34:54.346Z")}},
		{"shouldParseTimeStringAsTimeInMap", `{"k1":14:34:54.346Z}`, schemas.Map(str, schemas.TimeSchema).MustBuild(), map[string]any{"k1": ts("1970-01-01T14:34:54.346Z")}},
		{"shouldNotConvertArrayValuesToDecimal", `["1.0", 9223372036854775808, -9223372036854775809, 1, 1]`, &schemas.Schema{Type: schemas.TypeArray}, []any{"1.0", bigInt("9223372036854775808"), bigInt("-9223372036854775809"), int8(1), int8(1)}},
		{"shouldParseArrayOfOnlyDecimals", "[9223372036854775808, -9223372036854775809]", schemas.Array(schemas.DecimalSchema(0)).MustBuild(), []any{bigInt("9223372036854775808"), bigInt("-9223372036854775809")}},
		{"shouldParseBigIntegerAsDecimalWithZeroScale", "9223372036854775808", schemas.DecimalSchema(0), bigInt("9223372036854775808")},
		{"shouldParseByteAsInt8 max", "127", schemas.Int8Schema, int8(127)},
		{"shouldParseByteAsInt8 min", "-128", schemas.Int8Schema, int8(-128)},
		{"shouldParseShortAsInt16", "-32768", schemas.Int16Schema, int16(-32768)},
		{"shouldParseIntegerAsInt32", "2147483647", schemas.Int32Schema, int32(math.MaxInt32)},
		{"shouldParseLongAsInt64", "-9223372036854775808", schemas.Int64Schema, int64(math.MinInt64)},
		{"shouldParseFloatAsFloat32", "3.4028235E38", schemas.Float32Schema, float32(math.MaxFloat32)},
		{"shouldParseDoubleAsFloat64", "-1.7976931348623157E308", schemas.Float64Schema, -math.MaxFloat64},
		{"shouldParseFractionalPartsAsIntegerWhenNoFractionalPart 1.0", "1.0", schemas.Int8Schema, int8(1)},
		{"shouldParseFractionalPartsAsIntegerWhenNoFractionalPart 1.1", "1.1", schemas.Float32Schema, float32(1.1)},
		{"shouldParseFractionalPartsAsIntegerWhenNoFractionalPart 300.0", "300.0", schemas.Int16Schema, int16(300)},
		{"shouldParseFractionalPartsAsIntegerWhenNoFractionalPart 66000.0", "66000.0", schemas.Int32Schema, int32(66000)},
		{"shouldParseFractionalPartsAsIntegerWhenNoFractionalPart 66000.0008", "66000.0008", schemas.Float32Schema, float32(66000.0008)},
		{"huge exponent is a decimal", "1e400", schemas.DecimalSchema(-400), new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(400), nil))},
		{"plain word", "hello world", str, "hello world"},
		{"invalid UTF-16 char sequence (KAFKA-10574)", "\uffff", str, "\uffff"},
		{"sluice: leftover content after a number is a string", "12,5", str, "12,5"},
		{"sluice: leftover content after an array is a string", "[1] x", str, "[1] x"},
		{"sluice: quoted strings are unescaped", `["a\"b", "c\\d"]`, schemas.Array(str).MustBuild(), []any{`a"b`, `c\d`}},
		{"sluice: impossible date is a string", "2019-13-45", str, "2019-13-45"},
		{"sluice: unhashable map keys fall back to a string", "{[1]:2}", str, "{[1]:2}"},
		{"sluice: absurd exponent is a string", "1e99999", str, "1e99999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			schema, value, err := schemas.ParseString(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !schema.Equal(tt.wantSchema) {
				t.Errorf("ParseString(%q) schema = %+v, want %+v", tt.in, schema, tt.wantSchema)
			}
			if !schemas.EqualValues(value, tt.wantValue) {
				t.Errorf("ParseString(%q) value = %#v, want %#v", tt.in, value, tt.wantValue)
			}
		})
	}
}

func TestConvertToString(t *testing.T) {
	t.Parallel()
	row := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).Field("b", schemas.NewBuilder(schemas.TypeString).Default("x").MustBuild()).MustBuild()
	tests := []struct {
		name   string
		schema *schemas.Schema
		value  any
		want   string
	}{
		{"string as is", schemas.StringSchema, `three"blind\"mice`, `three"blind\"mice`},
		{"int8", schemas.Int8Schema, int8(-5), "-5"},
		{"int64", schemas.Int64Schema, int64(math.MaxInt64), "9223372036854775807"},
		{"float32", schemas.Float32Schema, float32(1), "1.0"},
		{"float64", schemas.Float64Schema, 1e-5, "1.0E-5"},
		{"boolean", schemas.BooleanSchema, true, "true"},
		{"bytes", schemas.BytesSchema, []byte("hi"), "aGk="},
		{"decimal at scale", schemas.DecimalSchema(2), big.NewRat(3, 2), "1.50"},
		{"decimal schemaless", nil, big.NewRat(-3, 2), "-1.5"},
		{"list", nil, []any{int8(1), "a\"b", nil, []byte{1}}, `[1,"a\"b",null,"AQ=="]`},
		{"map sorted", nil, map[string]any{"b": int32(2), "a": int32(1)}, `{"a":1,"b":2}`},
		{"map any keys", nil, map[any]any{int8(2): true, int8(1): false}, `{1:false,2:true}`},
		{"struct with default", row, schemas.NewStruct(row).MustPut("a", int32(1)), `{"a":1,"b":"x"}`},
		{"date", schemas.DateSchema, time.Date(2019, 8, 23, 0, 0, 0, 0, time.UTC), "2019-08-23"},
		{"time", schemas.TimeSchema, ts("1970-01-01T14:34:54.346Z"), "14:34:54.346Z"},
		{"timestamp", schemas.TimestampSchema, ts("2019-08-23T14:34:54.346Z"), "2019-08-23T14:34:54.346Z"},
		{"timestamp at midnight keeps its form", schemas.TimestampSchema, ts("2019-08-23T00:00:00.000Z"), "2019-08-23T00:00:00.000Z"},
		{"schemaless time guessed: midnight is a date", nil, ts("2019-08-23T00:00:00.000Z"), "2019-08-23"},
		{"schemaless time guessed: first day is a time", nil, ts("1970-01-01T01:00:00.000Z"), "01:00:00.000Z"},
		{"schemaless time guessed: before the epoch is a timestamp", nil, ts("1969-12-31T23:00:00.000Z"), "1969-12-31T23:00:00.000Z"},
		{"null", nil, nil, ""},
	}
	for _, tt := range tests {
		got, err := schemas.ConvertToString(tt.schema, tt.value)
		if err != nil || got != tt.want {
			t.Errorf("%s: ConvertToString = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	_, err := schemas.ConvertToString(nil, big.NewRat(1, 3))
	assertDataError(t, err, "no exact decimal representation")
	_, err = schemas.ConvertToString(nil, struct{}{})
	assertDataError(t, err, "Failed to serialize unexpected value type struct {}")
}

// Values written by ConvertToString read back by ParseString with the
// same value (Kafka Connect's assertRoundTrip).
func TestStringRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		schema *schemas.Schema
		value  any
	}{
		{schemas.StringSchema, "simple"},
		{schemas.StringSchema, "string with delimiters: <>?,./\\=+-!@#$%^&*(){}[]|;':"},
		{schemas.BooleanSchema, true},
		{schemas.Int8Schema, int8(1)},
		{schemas.Int64Schema, int64(1) << 40},
		{schemas.Float64Schema, 1.5e300},
		{schemas.Map(schemas.StringSchema, schemas.StringSchema).MustBuild(), map[string]any{"foo": "123", "bar": "baz"}},
		{schemas.Map(schemas.StringSchema, schemas.Int16Schema).MustBuild(), map[string]any{"foo": int16(12345), "bar": int16(0), "baz": int16(-4321)}},
		{schemas.Array(schemas.StringSchema).MustBuild(), []any{"foo", "bar", `quo"te`, `back\slash`}},
		{schemas.Array(schemas.Int32Schema).MustBuild(), []any{int32(1234567890), int32(-987654321)}},
		{schemas.TimestampSchema, ts("2019-08-23T00:00:00.000Z")},
		{schemas.DateSchema, time.Date(2019, 8, 23, 0, 0, 0, 0, time.UTC)},
		{schemas.TimeSchema, ts("1970-01-01T14:34:54.346Z")},
	}
	for _, tt := range tests {
		s, err := schemas.ConvertToString(tt.schema, tt.value)
		if err != nil {
			t.Fatalf("ConvertToString(%v): %v", tt.value, err)
		}
		schema, back, err := schemas.ParseString(s)
		if err != nil || !schemas.EqualValues(back, tt.value) || !schema.Equal(tt.schema) {
			t.Errorf("round trip of %#v via %q = %v %#v, %v", tt.value, s, schema, back, err)
		}
	}
}

func TestFormatValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		schema *schemas.Schema
		value  any
		want   string
	}{
		{nil, "x", "x"},
		{nil, 12.34, "12.34"},
		{nil, float32(0.1), "0.1"},
		{nil, uint16(7), "7"},
		{nil, []any{int8(1), "a"}, "[1, a]"},
		{nil, map[any]any{"b": nil, "a": int8(1)}, "{a=1, b=null}"},
		{schemas.DecimalSchema(4), big.NewRat(156, 100), "1.5600"},
		{nil, time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC), "Mon Feb 03 04:05:06 UTC 2020"},
	}
	for _, tt := range tests {
		if got, err := schemas.FormatValue(tt.schema, tt.value); err != nil || got != tt.want {
			t.Errorf("FormatValue(%v) = %q, %v; want %q", tt.value, got, err, tt.want)
		}
	}
}
