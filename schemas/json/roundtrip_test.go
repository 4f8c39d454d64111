package json_test

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// Every type and logical type survives FromConnectData → ToConnectData with
// an Equal schema and value, in both decimal formats.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	inner := schemas.NewBuilder(schemas.TypeStruct).Name("in").Field("s", schemas.OptionalStringSchema).MustBuild()
	all := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.All").Version(7).Doc("every type").Parameter("k", "v").
		Field("i8", schemas.Int8Schema).
		Field("i16", schemas.Int16Schema).
		Field("i32", schemas.Int32Schema).
		Field("i64", schemas.Int64Schema).
		Field("f32", schemas.Float32Schema).
		Field("f64", schemas.Float64Schema).
		Field("b", schemas.BooleanSchema).
		Field("s", schemas.StringSchema).
		Field("bytes", schemas.BytesSchema).
		Field("arr", schemas.Array(schemas.OptionalInt64Schema).MustBuild()).
		Field("smap", schemas.Map(schemas.StringSchema, inner).MustBuild()).
		Field("imap", schemas.Map(schemas.Int16Schema, schemas.Array(schemas.StringSchema).MustBuild()).MustBuild()).
		Field("st", inner).
		Field("dec", schemas.DecimalSchema(3)).
		Field("negdec", schemas.DecimalBuilder(-2).Optional().MustBuild()).
		Field("date", schemas.DateSchema).
		Field("time", schemas.TimeSchema).
		Field("ts", schemas.TimestampSchema).
		Field("opt", schemas.OptionalStringSchema).
		Field("def", schemas.NewBuilder(schemas.TypeInt32).Default(int32(42)).Doc("has default").MustBuild()).
		MustBuild()
	value := schemas.NewStruct(all).
		MustPut("i8", int8(math.MinInt8)).
		MustPut("i16", int16(math.MaxInt16)).
		MustPut("i32", int32(math.MinInt32)).
		MustPut("i64", int64(math.MaxInt64)).
		MustPut("f32", float32(3.4028235e38)).
		MustPut("f64", -4.9e-324).
		MustPut("b", true).
		MustPut("s", "héllo \"wörld\"\n\x00").
		MustPut("bytes", []byte{0, 1, 2, 0xFF}).
		MustPut("arr", []any{int64(1), nil, int64(-3)}).
		MustPut("smap", map[string]any{"a": schemas.NewStruct(inner).MustPut("s", "x"), "b": schemas.NewStruct(inner)}).
		MustPut("imap", map[any]any{int16(-1): []any{"a"}, int16(2): []any{}}).
		MustPut("st", schemas.NewStruct(inner).MustPut("s", "nested")).
		MustPut("dec", big.NewRat(-123456789, 1000)).
		MustPut("negdec", big.NewRat(1200, 1)).
		MustPut("date", schemas.DateFromDays(-719162)).
		MustPut("time", time.UnixMilli(86399999).UTC()).
		MustPut("ts", time.UnixMilli(-62135596800000).UTC()).
		MustPut("def", int32(0))
	schemaless := map[string]any{
		"n": nil, "b": false, "i": int64(-9), "f": 0.25, "s": "x",
		"a": []any{int64(1), "two", []any{}, map[string]any{}},
		"m": map[string]any{"nested": map[string]any{"deep": 1.5}},
	}
	cases := []struct {
		name   string
		schema *schemas.Schema
		value  any
	}{
		{"struct of every type", all, value},
		{"top-level decimal", schemas.DecimalSchema(10), big.NewRat(1, 1024)},
		{"top-level optional null", schemas.OptionalFloat64Schema, nil},
		{"top-level array of maps", schemas.Array(schemas.Map(schemas.BooleanSchema, schemas.Float32Schema).MustBuild()).MustBuild(), []any{map[any]any{true: float32(0.1), false: float32(-2)}}},
		{"schemaless", nil, schemaless},
		{"schemaless scalar", nil, "just a string"},
	}
	for _, format := range []string{"BASE64", "NUMERIC"} {
		c := newConverter(t, map[string]string{"decimal.format": format})
		for _, tt := range cases {
			data, err := c.FromConnectData("t", tt.schema, tt.value)
			if err != nil {
				t.Fatalf("%s %s: FromConnectData: %v", format, tt.name, err)
			}
			schema, got, err := c.ToConnectData("t", data)
			if err != nil {
				t.Fatalf("%s %s: ToConnectData(%s): %v", format, tt.name, data, err)
			}
			if !schema.Equal(tt.schema) {
				t.Errorf("%s %s: schema %+v, want %+v", format, tt.name, schema, tt.schema)
			}
			if !schemas.EqualValues(got, tt.value) {
				t.Errorf("%s %s: value\n%v\nwant\n%v\n(json %s)", format, tt.name, got, tt.value, data)
			}
			again, err := c.FromConnectData("t", schema, got)
			if err != nil || string(again) != string(data) {
				t.Errorf("%s %s: second write differs:\n%s\n%s", format, tt.name, again, data)
			}
		}
	}
}

// Without schemas, values come back in their schemaless Go form.
func TestRoundTripSchemasDisabled(t *testing.T) {
	t.Parallel()
	c := newConverter(t, map[string]string{"schemas.enable": "false"})
	s := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).Field("b", schemas.Array(schemas.StringSchema).MustBuild()).MustBuild()
	data, err := c.FromConnectData("t", s, schemas.NewStruct(s).MustPut("a", int32(1)).MustPut("b", []any{"x"}))
	if err != nil || string(data) != `{"a":1,"b":["x"]}` {
		t.Fatalf("FromConnectData = %s, %v", data, err)
	}
	schema, v, err := c.ToConnectData("t", data)
	if err != nil || schema != nil || !schemas.EqualValues(v, map[string]any{"a": int64(1), "b": []any{"x"}}) {
		t.Errorf("ToConnectData = %v %#v %v", schema, v, err)
	}
}

// The schema caches hold one entry per schema, bounded by
// schemas.cache.size (JsonConverterTest.testCacheSchemaToConnectConversion:
// differently spelled schemas are different entries).
func TestSchemaCache(t *testing.T) {
	t.Parallel()
	c := newConverter(t, map[string]string{"schemas.cache.size": "2"})
	for _, in := range []string{
		`{ "schema": { "type": "boolean" }, "payload": true }`,
		`{ "schema": { "type": "boolean" }, "payload": true }`,
		`{ "schema": { "type": "boolean", "optional": true }, "payload": true }`,
		`{ "schema": { "type": "boolean", "optional": false }, "payload": true }`,
	} {
		if _, _, err := c.ToConnectData("t", []byte(in)); err != nil {
			t.Fatal(err)
		}
	}
	s1, _, _ := c.ToConnectData("t", []byte(`{"schema":{"type":"int8"},"payload":1}`))
	s2, _, _ := c.ToConnectData("t", []byte(`{"schema":{"type":"int8"},"payload":2}`))
	if s1 != s2 {
		t.Error("the same schema text was parsed twice")
	}
	b := schemas.NewBuilder(schemas.TypeBoolean).MustBuild()
	for range 3 {
		if _, err := c.FromConnectData("t", b, true); err != nil {
			t.Fatal(err)
		}
	}
	off := newConverter(t, map[string]string{"schemas.cache.size": "0"})
	for range 2 {
		if got, err := off.FromConnectData("t", b, true); err != nil || string(got) != `{"schema":{"type":"boolean","optional":false},"payload":true}` {
			t.Fatalf("uncached FromConnectData = %s, %v", got, err)
		}
	}
}

// A converter may be shared by goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	c := newConverter(t, nil)
	s, v := benchStruct()
	done := make(chan error)
	for range 8 {
		go func() {
			for range 200 {
				data, err := c.FromConnectData("t", s, v)
				if err == nil {
					_, _, err = c.ToConnectData("t", data)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// Rows wider than 16 fields take the indexed lookup; a repeated key still
// keeps its last value, as Jackson does.
func TestWideStruct(t *testing.T) {
	t.Parallel()
	b := schemas.NewBuilder(schemas.TypeStruct)
	var payload strings.Builder
	payload.WriteString("{")
	for i := range 20 {
		name := "f" + strconv.Itoa(i)
		b.Field(name, schemas.Int32Schema)
		payload.WriteString(`"` + name + `":` + strconv.Itoa(i) + `,`)
	}
	payload.WriteString(`"f0":99}`)
	s := b.MustBuild()
	want := schemas.NewStruct(s)
	for i, f := range s.Fields {
		want.MustPut(f.Name, int32(i))
	}
	want.MustPut("f0", int32(99))
	c := newConverter(t, nil)
	data, err := c.FromConnectData("t", s, want)
	if err != nil {
		t.Fatal(err)
	}
	envelope := string(data)
	in := envelope[:strings.Index(envelope, `"payload":`)] + `"payload":` + payload.String() + "}"
	_, v, err := c.ToConnectData("t", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if !schemas.EqualValues(v, want) {
		t.Errorf("wide struct = %v, want %v", v, want)
	}
}
