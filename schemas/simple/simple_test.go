package simple_test

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/simple"
)

const sample = "a string"

func assertDataError(t *testing.T, err error, want string) {
	t.Helper()
	var de *schemas.DataError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v (%T), want a *schemas.DataError containing %q", err, err, want)
	}
}

// Vectors from Kafka Connect's StringConverterTest (test names cited) and
// Java's toString of each value.
func TestStringConverterFromConnect(t *testing.T) {
	t.Parallel()
	row := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).Field("b", schemas.OptionalStringSchema).MustBuild()
	tests := []struct {
		name     string
		encoding string
		schema   *schemas.Schema
		value    any
		want     []byte
	}{
		{"testStringToBytes", "", schemas.StringSchema, sample, []byte(sample)},
		{"testNonStringToBytes", "", schemas.BooleanSchema, true, []byte("true")},
		{"testNullToBytes", "", schemas.OptionalStringSchema, nil, nil},
		{"testToBytesIgnoresSchema", "", nil, true, []byte("true")},
		{"testToBytesNonUtf8Encoding", "UTF-16", schemas.StringSchema, sample, append([]byte{0xFE, 0xFF}, utf16BE(sample)...)},
		{"UTF-16LE", "utf-16le", schemas.StringSchema, "é", []byte{0xE9, 0x00}},
		{"ISO-8859-1", "latin1", schemas.StringSchema, "é", []byte{0xE9}},
		{"double as Java", "", schemas.Float64Schema, 1e20, []byte("1.0E20")},
		{"float as Java", "", schemas.Float32Schema, float32(1), []byte("1.0")},
		{"decimal at its scale", "", schemas.DecimalSchema(3), big.NewRat(1, 2), []byte("0.500")},
		{"timestamp as java.util.Date.toString in UTC", "", schemas.TimestampSchema, time.Date(2019, 8, 23, 14, 34, 54, 0, time.UTC), []byte("Fri Aug 23 14:34:54 UTC 2019")},
		{"list as AbstractCollection.toString", "", nil, []any{int32(1), "a"}, []byte("[1, a]")},
		{"map as AbstractMap.toString, sorted", "", nil, map[string]any{"b": int64(2), "a": int64(1)}, []byte("{a=1, b=2}")},
		{"struct as Struct.toString", "", row, schemas.NewStruct(row).MustPut("a", int32(1)), []byte("Struct{a=1}")},
	}
	for _, tt := range tests {
		c := simple.NewStringConverter()
		props := map[string]string{}
		if tt.encoding != "" {
			props["converter.encoding"] = tt.encoding
		}
		if err := c.Configure(props, true); err != nil {
			t.Fatal(err)
		}
		got, err := c.FromConnectData("topic", tt.schema, tt.value)
		if err != nil || !bytes.Equal(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("%s: FromConnectData = %q, %v; want %q", tt.name, got, err, tt.want)
		}
		h, err := c.FromConnectHeader("topic", "hdr", tt.schema, tt.value)
		if err != nil || !bytes.Equal(h, got) {
			t.Errorf("%s: FromConnectHeader = %q, %v", tt.name, h, err)
		}
	}
}

func utf16BE(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

func TestStringConverterToConnect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		encoding string
		in       []byte
		want     any
	}{
		{"testBytesToString", "", []byte(sample), sample},
		{"testBytesNullToString", "", nil, nil},
		{"testBytesToStringNonUtf8Encoding", "UTF-16", append([]byte{0xFE, 0xFF}, utf16BE(sample)...), sample},
		{"UTF-16 little-endian BOM", "UTF-16", []byte{0xFF, 0xFE, 0x61, 0x00}, "a"},
		{"UTF-16 surrogate pair", "UTF-16BE", []byte{0xD8, 0x3D, 0xDE, 0x00}, "😀"},
		{"ISO-8859-1", "ISO-8859-1", []byte{0xE9}, "é"},
		{"UTF-8 bytes kept as they are", "", []byte{0xFF, 'a'}, "\xffa"},
		{"empty", "", []byte{}, ""},
	}
	for _, tt := range tests {
		c := simple.NewStringConverter()
		if tt.encoding != "" {
			if err := c.Configure(map[string]string{"converter.encoding": tt.encoding}, false); err != nil {
				t.Fatal(err)
			}
		}
		s, v, err := c.ToConnectData("topic", tt.in)
		if err != nil || s != schemas.OptionalStringSchema || !schemas.EqualValues(v, tt.want) {
			t.Errorf("%s: ToConnectData = %v, %#v, %v; want %#v", tt.name, s, v, err, tt.want)
		}
		hs, hv, err := c.ToConnectHeader("topic", "h", tt.in)
		if err != nil || hs != s || !schemas.EqualValues(hv, v) {
			t.Errorf("%s: ToConnectHeader = %v, %v, %v", tt.name, hs, hv, err)
		}
	}
}

func TestStringConverterErrors(t *testing.T) {
	t.Parallel()
	c := simple.NewStringConverter()
	err := c.Configure(map[string]string{"converter.encoding": "EBCDIC"}, false)
	var ce *schemas.ConfigError
	if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "Invalid value EBCDIC for configuration converter.encoding: unsupported character set; supported: UTF-8, UTF-16") {
		t.Errorf("Configure = %v", err)
	}
	_, err = c.FromConnectData("t", schemas.BytesSchema, []byte("x"))
	assertDataError(t, err, "use ByteArrayConverter")
	_, err = c.FromConnectData("t", nil, big.NewRat(1, 3))
	assertDataError(t, err, "Failed to serialize to a string")

	ascii := simple.NewStringConverter()
	if err := ascii.ConfigureHeader(map[string]string{"converter.encoding": "US-ASCII"}); err != nil {
		t.Fatal(err)
	}
	_, err = ascii.FromConnectData("t", nil, "é")
	assertDataError(t, err, "cannot be encoded in US-ASCII")
	_, _, err = ascii.ToConnectData("t", []byte{0x80})
	assertDataError(t, err, "is not US-ASCII")

	u16 := simple.NewStringConverter()
	if err := u16.Configure(map[string]string{"converter.encoding": "UTF-16BE"}, false); err != nil {
		t.Fatal(err)
	}
	_, _, err = u16.ToConnectData("t", []byte{0})
	assertDataError(t, err, "odd number of bytes")
	_, _, err = u16.ToConnectData("t", []byte{0xDC, 0x00})
	assertDataError(t, err, "unpaired UTF-16 surrogate")
	_, err = u16.FromConnectData("t", nil, "\xff")
	assertDataError(t, err, "not valid UTF-8")
	if keys := c.Config().Keys(); len(keys) != 2 || keys[0].Name != "converter.type" || keys[1].Name != "converter.encoding" || keys[1].Default != "UTF-8" {
		t.Errorf("Config().Keys() = %+v", keys)
	}
	// The definition accepts what Configure accepts, with the
	// converter.type the worker gives (Kafka Connect's ConverterConfig).
	if r := c.Config().Validate(map[string]string{"converter.type": "value", "converter.encoding": "utf-16le"}); len(r) != 2 || len(r[0].Errors)+len(r[1].Errors) != 0 {
		t.Errorf("Validate(utf-16le) = %+v", r)
	}
	if r := c.Config().Validate(map[string]string{"converter.type": "key", "converter.encoding": "EBCDIC"}); len(r) != 2 || len(r[0].Errors) != 0 || len(r[1].Errors) != 1 {
		t.Errorf("Validate(EBCDIC) = %+v", r)
	}
}

// Kafka Connect's ByteArrayConverterTest.
func TestByteArrayConverter(t *testing.T) {
	t.Parallel()
	var c simple.ByteArrayConverter
	if err := c.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	sample := []byte("sample")
	got, err := c.FromConnectData("t", schemas.BytesSchema, sample)
	if err != nil || !bytes.Equal(got, sample) {
		t.Errorf("testFromConnect = %q, %v", got, err)
	}
	got, err = c.FromConnectData("t", nil, sample)
	if err != nil || !bytes.Equal(got, sample) {
		t.Errorf("testFromConnectSchemaless = %q, %v", got, err)
	}
	got, err = c.FromConnectData("t", schemas.BytesSchema, nil)
	if err != nil || got != nil {
		t.Errorf("testFromConnectNull = %q, %v", got, err)
	}
	_, err = c.FromConnectData("t", schemas.Int32Schema, int32(12))
	assertDataError(t, err, "Invalid schema type for ByteArrayConverter: INT32")
	_, err = c.FromConnectData("t", schemas.BytesSchema, 12)
	assertDataError(t, err, "ByteArrayConverter is not compatible with objects of type int")
	_, err = c.FromConnectHeader("t", "h", schemas.DecimalSchema(2), big.NewRat(1, 2))
	assertDataError(t, err, "not compatible with objects of type *big.Rat")

	s, v, err := c.ToConnectData("t", sample)
	if err != nil || s != schemas.OptionalBytesSchema || !bytes.Equal(v.([]byte), sample) {
		t.Errorf("testToConnect = %v %v %v", s, v, err)
	}
	s, v, err = c.ToConnectHeader("t", "h", nil)
	if err != nil || s != schemas.OptionalBytesSchema || v != nil {
		t.Errorf("testToConnectNull = %v %#v %v", s, v, err)
	}
}

// Vectors from Kafka Connect's SimpleHeaderConverterTest (test names
// cited): each value written and read back keeps its value and schema.
func TestHeaderConverterRoundTrip(t *testing.T) {
	t.Parallel()
	var c simple.HeaderConverter
	if err := c.ConfigureHeader(nil); err != nil {
		t.Fatal(err)
	}
	str := schemas.StringSchema
	tests := []struct {
		name       string
		schema     *schemas.Schema
		value      any
		wire       string
		wantSchema *schemas.Schema
	}{
		{"shouldConvertSimpleString", str, "simple", "simple", str},
		{"shouldConvertEmptyString", str, "", "", str},
		{"shouldConvertStringWithQuotesAndOtherDelimiterCharacters", str, `three"blind\"mice`, `three"blind\"mice`, str},
		{"shouldConvertStringWithQuotesAndOtherDelimiterCharacters 2", str, `string with delimiters: <>?,./\=+-!@#$%^&*(){}[]|;':`, `string with delimiters: <>?,./\=+-!@#$%^&*(){}[]|;':`, str},
		{"shouldConvertMapWithStringKeys", schemas.Map(str, str).MustBuild(), map[string]any{"foo": "123", "bar": "baz"}, `{"bar":"baz","foo":"123"}`, schemas.Map(str, str).MustBuild()},
		{"shouldConvertMapWithStringKeysAndShortValues", schemas.Map(str, schemas.Int16Schema).MustBuild(), map[string]any{"foo": int16(12345), "bar": int16(0), "baz": int16(-4321)}, `{"bar":0,"baz":-4321,"foo":12345}`, schemas.Map(str, schemas.Int16Schema).MustBuild()},
		{"shouldConvertMapWithStringKeysAndIntegerValues", schemas.Map(str, schemas.Int32Schema).MustBuild(), map[string]any{"foo": int32(1234567890), "bar": int32(0), "baz": int32(-987654321)}, `{"bar":0,"baz":-987654321,"foo":1234567890}`, schemas.Map(str, schemas.Int32Schema).MustBuild()},
		{"shouldConvertListWithStringValues", schemas.Array(str).MustBuild(), []any{"foo", "bar"}, `["foo","bar"]`, schemas.Array(str).MustBuild()},
		{"shouldConvertListWithIntegerValues", schemas.Array(schemas.Int32Schema).MustBuild(), []any{int32(1234567890), int32(-987654321)}, `[1234567890,-987654321]`, schemas.Array(schemas.Int32Schema).MustBuild()},
		{"shouldConvertMapWithStringKeysAndMixedValuesToMap", nil, map[string]any{"foo": "bar", "baz": int16(3456)}, `{"baz":3456,"foo":"bar"}`, &schemas.Schema{Type: schemas.TypeMap, Key: str}},
		{"shouldConvertListWithMixedValuesToListWithoutSchema", nil, []any{"foo", int16(13344)}, `["foo",13344]`, &schemas.Schema{Type: schemas.TypeArray}},
		{"shouldConvertEmptyMapToMap", nil, map[any]any{}, `{}`, &schemas.Schema{Type: schemas.TypeMap}},
		{"shouldConvertEmptyListToList", nil, []any{}, `[]`, &schemas.Schema{Type: schemas.TypeArray}},
		{"boolean", schemas.BooleanSchema, true, "true", schemas.BooleanSchema},
		{"int8", schemas.Int8Schema, int8(42), "42", schemas.Int8Schema},
		{"timestamp", schemas.TimestampSchema, time.Date(2019, 8, 23, 14, 34, 54, 346e6, time.UTC), "2019-08-23T14:34:54.346Z", schemas.TimestampSchema},
		{"bytes are base64 and read back as a string", schemas.BytesSchema, []byte("hi"), "aGk=", str},
	}
	for _, tt := range tests {
		wire, err := c.FromConnectHeader("topic", "header", tt.schema, tt.value)
		if err != nil || string(wire) != tt.wire {
			t.Errorf("%s: FromConnectHeader = %q, %v; want %q", tt.name, wire, err, tt.wire)
			continue
		}
		schema, value, err := c.ToConnectHeader("topic", "header", wire)
		if err != nil || !schema.Equal(tt.wantSchema) {
			t.Errorf("%s: ToConnectHeader schema = %+v, %v; want %+v", tt.name, schema, err, tt.wantSchema)
		}
		want := tt.value
		if _, ok := want.([]byte); ok {
			want = tt.wire // base64 text is not parsed back into bytes
		}
		if !schemas.EqualValues(value, want) {
			t.Errorf("%s: ToConnectHeader value = %#v, want %#v", tt.name, value, want)
		}
	}
}

func TestHeaderConverterNullsAndBytes(t *testing.T) {
	t.Parallel()
	var c simple.HeaderConverter
	// shouldConvertNullValue
	wire, err := c.FromConnectHeader("t", "h", schemas.StringSchema, nil)
	if err != nil || wire != nil {
		t.Errorf("FromConnectHeader(nil) = %q, %v", wire, err)
	}
	s, v, err := c.ToConnectHeader("t", "h", nil)
	if err != nil || s != nil || v != nil {
		t.Errorf("ToConnectHeader(nil) = %v %v %v", s, v, err)
	}
	s, v, err = c.ToConnectHeader("t", "h", []byte("null"))
	if err != nil || s != nil || v != nil {
		t.Errorf(`ToConnectHeader("null") = %v %v %v`, s, v, err)
	}
	bin := []byte{0xFF, 0x00, 0x01}
	s, v, err = c.ToConnectHeader("t", "h", bin)
	if err != nil || s != schemas.BytesSchema || !bytes.Equal(v.([]byte), bin) {
		t.Errorf("ToConnectHeader(binary) = %v %v %v", s, v, err)
	}
	_, err = c.FromConnectHeader("topic", "key", nil, struct{}{})
	assertDataError(t, err, "Failed to serialize value for header 'key' on topic 'topic'")
	if keys := c.Config().Keys(); len(keys) != 0 {
		t.Errorf("SimpleHeaderConverter has config keys %v", keys)
	}
}

// TestHeaderConverterStrings: a string header is written as
// schemas.ConvertToString writes it, whatever its schema says.
func TestHeaderConverterStrings(t *testing.T) {
	for _, tt := range []struct {
		name   string
		schema *schemas.Schema
		value  string
	}{
		{"plain", schemas.StringSchema, "mariadb"},
		{"empty", schemas.StringSchema, ""},
		{"quotes and backslashes", schemas.OptionalStringSchema, `a "b" \c`},
		{"no schema", nil, "[1,2]"},
		{"utf-8", schemas.StringSchema, "déjà vu ✓"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := simple.HeaderConverter{}.FromConnectHeader("t", "k", tt.schema, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			want, err := schemas.ConvertToString(tt.schema, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want || got == nil {
				t.Fatalf("FromConnectHeader(%q) = %q, want %q", tt.value, got, want)
			}
		})
	}
}
