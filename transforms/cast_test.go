package transforms

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

const (
	msPerHour = int64(time.Hour / time.Millisecond)
	msPerDay  = 24 * msPerHour
)

// castTargets are the spec names of every cast target, in Kafka Connect's
// order.
var castTargets = []string{"int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string"}

func bytesErr(string) string { return "Unexpected type in Cast transformation: class [B" }

// TestCastMatrix casts a value of every castable source type, with its
// schema and (where Connect allows it) without, to every target.
func TestCastMatrix(t *testing.T) {
	rangeErr := func(v string) string { return "Value (" + v + ") was out of range for requested data type" }
	bytes := []byte{0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10}
	type want = []any // per castTargets; a string starting with "!" is an error message
	for _, tc := range []struct {
		name       string
		schema     *schemas.Schema
		value      any
		schemaless bool // also cast the value without a schema
		want       want
	}{
		{"int8", schemas.Int8Schema, int8(8), true,
			want{int8(8), int16(8), int32(8), int64(8), float32(8), float64(8), true, "8"}},
		{"int8 negative", schemas.Int8Schema, int8(-1), true,
			want{int8(-1), int16(-1), int32(-1), int64(-1), float32(-1), float64(-1), true, "-1"}},
		{"int16 narrowing wraps", schemas.Int16Schema, int16(300), true,
			want{int8(44), int16(300), int32(300), int64(300), float32(300), float64(300), true, "300"}},
		{"int32 narrowing wraps", schemas.Int32Schema, int32(70000), true,
			want{int8(112), int16(4464), int32(70000), int64(70000), float32(70000), float64(70000), true, "70000"}},
		{"int32 zero", schemas.Int32Schema, int32(0), true,
			want{int8(0), int16(0), int32(0), int64(0), float32(0), float64(0), false, "0"}},
		{"int64", schemas.Int64Schema, int64(1<<40 + 5), true,
			want{int8(5), int16(5), int32(5), int64(1<<40 + 5), float32(1<<40 + 5), float64(1<<40 + 5), true, "1099511627781"}},
		{"float32", schemas.Float32Schema, float32(-32.75), true,
			want{int8(-32), int16(-32), int32(-32), int64(-32), float32(-32.75), float64(-32.75), true, "-32.75"}},
		{"float32 whole", schemas.Float32Schema, float32(32), true,
			want{int8(32), int16(32), int32(32), int64(32), float32(32), float64(32), true, "32.0"}},
		{"float64 saturates at int", schemas.Float64Schema, 3e10, true,
			want{int8(-1), int16(-1), int32(math.MaxInt32), int64(3e10), float32(3e10), 3e10, true, "3.0E10"}},
		{"float64 half", schemas.Float64Schema, 0.5, true,
			want{int8(0), int16(0), int32(0), int64(0), float32(0.5), 0.5, false, "0.5"}},
		{"float64 NaN", schemas.Float64Schema, math.NaN(), true,
			want{int8(0), int16(0), int32(0), int64(0), float32(math.NaN()), math.NaN(), false, "NaN"}},
		{"float64 -Inf", schemas.Float64Schema, math.Inf(-1), true,
			want{int8(0), int16(0), int32(math.MinInt32), int64(math.MinInt64), float32(math.Inf(-1)), math.Inf(-1), true, "-Infinity"}},
		{"boolean true", schemas.BooleanSchema, true, true,
			want{int8(1), int16(1), int32(1), int64(1), float32(1), float64(1), true, "true"}},
		{"boolean false", schemas.BooleanSchema, false, true,
			want{int8(0), int16(0), int32(0), int64(0), float32(0), float64(0), false, "false"}},
		{"string number", schemas.StringSchema, "42", true,
			want{int8(42), int16(42), int32(42), int64(42), float32(42), float64(42), false, "42"}},
		{"string signed", schemas.StringSchema, "+7", true,
			want{int8(7), int16(7), int32(7), int64(7), float32(7), float64(7), false, "+7"}},
		{"string true", schemas.StringSchema, "TRUE", true,
			want{"!" + rangeErr("TRUE"), "!" + rangeErr("TRUE"), "!" + rangeErr("TRUE"), "!" + rangeErr("TRUE"),
				"!" + rangeErr("TRUE"), "!" + rangeErr("TRUE"), true, "TRUE"}},
		{"string too big", schemas.StringSchema, "128", true,
			want{"!" + rangeErr("128"), int16(128), int32(128), int64(128), float32(128), float64(128), false, "128"}},
		{"string fraction", schemas.StringSchema, " 1.5e1f ", true,
			want{"!" + rangeErr(" 1.5e1f "), "!" + rangeErr(" 1.5e1f "), "!" + rangeErr(" 1.5e1f "), "!" + rangeErr(" 1.5e1f "),
				float32(15), float64(15), false, " 1.5e1f "}},
		{"string hex float", schemas.StringSchema, "0x1.8p1", true,
			want{"!" + rangeErr("0x1.8p1"), "!" + rangeErr("0x1.8p1"), "!" + rangeErr("0x1.8p1"), "!" + rangeErr("0x1.8p1"),
				float32(3), float64(3), false, "0x1.8p1"}},
		{"string huge float", schemas.StringSchema, "1e39", true,
			want{"!" + rangeErr("1e39"), "!" + rangeErr("1e39"), "!" + rangeErr("1e39"), "!" + rangeErr("1e39"),
				float32(math.Inf(1)), 1e39, false, "1e39"}},
		{"bytes", schemas.BytesSchema, bytes, true,
			want{"!" + bytesErr(""), "!" + bytesErr(""), "!" + bytesErr(""), "!" + bytesErr(""),
				"!" + bytesErr(""), "!" + bytesErr(""), "!" + bytesErr(""), "/ty6mHZUMhA="}},
		{"decimal", schemas.DecimalSchema(1), big.NewRat(429, 10), false,
			want{int8(42), int16(42), int32(42), int64(42), float32(42.9), 42.9, true, "42.9"}},
		{"decimal negative", schemas.DecimalSchema(2), big.NewRat(-150, 100), false,
			want{int8(-1), int16(-1), int32(-1), int64(-1), float32(-1.5), -1.5, true, "-1.50"}},
		{"decimal below one", schemas.DecimalSchema(1), big.NewRat(1, 2), false,
			want{int8(0), int16(0), int32(0), int64(0), float32(0.5), 0.5, false, "0.5"}},
		{"decimal beyond int", schemas.DecimalSchema(0), new(big.Rat).SetInt64(math.MaxInt32 + 1), false,
			want{int8(0), int16(0), int32(math.MinInt32), int64(math.MaxInt32 + 1), float32(math.MaxInt32 + 1), float64(math.MaxInt32 + 1), true, "2147483648"}},
		{"decimal beyond long", schemas.DecimalSchema(0), new(big.Rat).SetFrac(new(big.Int).Add(twoTo64, big.NewInt(3)), big.NewInt(1)), false,
			want{int8(3), int16(3), int32(3), int64(3), float32(1.8446744e19), 1.8446744073709552e19, true, "18446744073709551619"}},
		{"date", schemas.DateSchema, time.UnixMilli(msPerDay).UTC(), false,
			want{int8(1), int16(1), int32(1), int64(1), float32(1), float64(1), true, "1970-01-02"}},
		{"date epoch", schemas.DateSchema, time.UnixMilli(0).UTC(), false,
			want{int8(0), int16(0), int32(0), int64(0), float32(0), float64(0), false, "00:00:00.000Z"}},
		{"time", schemas.TimeSchema, time.UnixMilli(msPerHour).UTC(), false,
			want{int8(-128), int16(-4480), int32(msPerHour), msPerHour, float32(msPerHour), float64(msPerHour), true, "01:00:00.000Z"}},
		{"timestamp", schemas.TimestampSchema, time.UnixMilli(msPerDay + 1).UTC(), false,
			want{int8(1), int16(23553), int32(msPerDay + 1), msPerDay + 1, float32(msPerDay + 1), float64(msPerDay + 1), true, "1970-01-02T00:00:00.001Z"}},
		{"timestamp midnight", schemas.TimestampSchema, time.UnixMilli(3 * msPerDay).UTC(), false,
			want{int8(0), int16(5120), int32(3 * msPerDay), 3 * msPerDay, float32(3 * msPerDay), float64(3 * msPerDay), true, "1970-01-04"}},
		{"timestamp before epoch", schemas.TimestampSchema, time.UnixMilli(-msPerDay - 1).UTC(), false,
			want{int8(-1), int16(-23553), int32(-msPerDay - 1), -msPerDay - 1, float32(-msPerDay - 1), float64(-msPerDay - 1), true, "1969-12-30T23:59:59.999Z"}},
		{"timestamp max", schemas.TimestampSchema, time.UnixMilli(math.MaxInt64).UTC(), false,
			want{int8(-1), int16(-1), int32(-1), int64(math.MaxInt64), float32(9.223372e18), 9.223372036854776e18, true, "292278994-08-17T07:12:55.807Z"}},
	} {
		for i, target := range castTargets {
			want := tc.want[i]
			check := func(t *testing.T, schema *schemas.Schema) {
				for _, s := range sides {
					tr := configured(t, newCast(s), map[string]string{"spec": target})
					if msg, ok := want.(string); ok && strings.HasPrefix(msg, "!") {
						wantDataError(t, applyErr(t, tr, s, schema, tc.value), msg[1:])
						continue
					}
					gotSchema, got := apply(t, tr, s, schema, tc.value)
					wantEqual(t, "value", got, want)
					if schema != nil {
						wantType, _ := connectType(strings.ToUpper(target))
						if gotSchema.Type != wantType || gotSchema.Name != "" || gotSchema.Optional {
							t.Errorf("schema = %+v, want a plain required %v", gotSchema, wantType)
						}
					} else if gotSchema != nil {
						t.Errorf("schema = %v, want none", gotSchema)
					}
				}
			}
			t.Run(tc.name+"/"+target, func(t *testing.T) { check(t, tc.schema) })
			if tc.schemaless {
				t.Run(tc.name+"/"+target+"/schemaless", func(t *testing.T) { check(t, nil) })
			}
		}
	}
}

func TestCastSchemalessIntTypes(t *testing.T) {
	// Schemaless integers usually arrive as int64, but any width works.
	for _, v := range []any{int8(42), int16(42), int32(42), int64(42), 42} {
		tr := configured(t, newCast(Value), map[string]string{"spec": "int8"})
		_, got := apply(t, tr, Value, nil, v)
		wantEqual(t, "value", got, int8(42))
	}
}

func TestCastWholeValueSchema(t *testing.T) {
	// Name, version, doc and parameters carry over; optional and default too.
	in := mustBuild(t, schemas.NewBuilder(schemas.TypeFloat32).Name("com.example.Temp").Version(2).Doc("degrees").
		Parameter("unit", "C").Optional().Default(float32(-42.125)))
	tr := configured(t, newCast(Value), map[string]string{"spec": "int32"})
	gotSchema, got := apply(t, tr, Value, in, float32(42.125))
	wantEqual(t, "value", got, int32(42))
	want := mustBuild(t, schemas.NewBuilder(schemas.TypeInt32).Name("com.example.Temp").Version(2).Doc("degrees").
		Parameter("unit", "C").Optional().Default(int32(-42)))
	wantSchema(t, "cast", gotSchema, want)
	again, _ := apply(t, tr, Value, in, float32(1))
	if again != gotSchema {
		t.Error("the derived schema was built twice")
	}

	// A logical type does not survive the cast; its doc does.
	ts := mustBuild(t, schemas.TimestampBuilder().Doc("when").Optional())
	tr = configured(t, newCast(Key), map[string]string{"spec": "string"})
	gotSchema, _ = apply(t, tr, Key, ts, time.UnixMilli(1).UTC())
	wantSchema(t, "timestamp to string", gotSchema, mustBuild(t, schemas.NewBuilder(schemas.TypeString).Doc("when").Optional()))
	tr = configured(t, newCast(Key), map[string]string{"spec": "int32"})
	gotSchema, got = apply(t, tr, Key, schemas.DecimalSchema(0), big.NewRat(5, 1))
	wantSchema(t, "decimal to int32", gotSchema, schemas.Int32Schema)
	wantEqual(t, "decimal to int32", got, int32(5))
}

func TestCastFieldsWithSchema(t *testing.T) {
	day := time.UnixMilli(msPerDay).UTC()
	bytes := []byte{0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10}
	in := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").
		Field("int8", schemas.Int8Schema).
		Field("int16", schemas.OptionalInt16Schema).
		Field("int32", mustBuild(t, schemas.NewBuilder(schemas.TypeInt32).Default(int32(2)))).
		Field("int64", schemas.Int64Schema).
		Field("float32", schemas.Float32Schema).
		Field("float64", mustBuild(t, schemas.NewBuilder(schemas.TypeFloat64).Default(-1.125))).
		Field("boolean", schemas.BooleanSchema).
		Field("string", schemas.StringSchema).
		Field("bigdecimal", schemas.DecimalSchema(0)).
		Field("date", schemas.DateSchema).
		Field("optional", schemas.OptionalFloat32Schema).
		Field("timestamp", schemas.TimestampSchema).
		Field("bytes", schemas.BytesSchema))
	value := structOf(t, in, "int8", int8(8), "int16", int16(16), "int32", int32(32), "int64", int64(64),
		"float32", float32(32), "float64", -64.0, "boolean", true, "string", "42", "bigdecimal", big.NewRat(42, 1),
		"date", day, "timestamp", time.UnixMilli(0).UTC(), "bytes", bytes)
	spec := "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8," +
		"string:int32,bigdecimal:string,date:string,optional:int32,bytes:string"

	for _, s := range sides {
		t.Run(s.String(), func(t *testing.T) {
			tr := configured(t, newCast(s), map[string]string{"spec": spec})
			gotSchema, got := apply(t, tr, s, in, value)
			out := got.(*schemas.Struct)
			if out.Schema() != gotSchema {
				t.Fatal("the Struct's schema is not the record's")
			}
			wantSchema(t, "cast", gotSchema, mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").
				Field("int8", schemas.Int16Schema).
				Field("int16", schemas.OptionalInt32Schema).
				Field("int32", mustBuild(t, schemas.NewBuilder(schemas.TypeInt64).Default(int64(2)))).
				Field("int64", schemas.BooleanSchema).
				Field("float32", schemas.Float64Schema).
				Field("float64", mustBuild(t, schemas.NewBuilder(schemas.TypeBoolean).Default(true))).
				Field("boolean", schemas.Int8Schema).
				Field("string", schemas.Int32Schema).
				Field("bigdecimal", schemas.StringSchema).
				Field("date", schemas.StringSchema).
				Field("optional", schemas.OptionalInt32Schema).
				Field("timestamp", schemas.TimestampSchema).
				Field("bytes", schemas.StringSchema)))
			if gotSchema.Fields[11].Schema != schemas.TimestampSchema {
				t.Error("a field that is not cast should keep its schema")
			}
			for name, want := range map[string]any{
				"int8": int16(8), "int16": int32(16), "int32": int64(32), "int64": true, "float32": 32.0,
				"float64": true, "boolean": int8(1), "string": int32(42), "bigdecimal": "42", "date": "1970-01-02",
				"optional": nil, "timestamp": time.UnixMilli(0).UTC(), "bytes": "/ty6mHZUMhA=",
			} {
				wantEqual(t, name, out.Get(name), want)
			}
			if value.Get("int8") != int8(8) {
				t.Error("the input Struct changed")
			}
		})
	}
}

func TestCastNullAndDefaults(t *testing.T) {
	magic := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("magic", mustBuild(t, schemas.NewBuilder(schemas.TypeInt32).Optional().Default(int32(10)))))
	for _, tc := range []struct {
		replace string
		want    any
	}{{"true", "10"}, {"false", nil}} {
		tr := configured(t, newCast(Value), map[string]string{"spec": "magic:string", "replace.null.with.default": tc.replace})
		gotSchema, got := apply(t, tr, Value, magic, structOf(t, magic))
		if gotSchema.Fields[0].Schema.Type != schemas.TypeString || gotSchema.Fields[0].Schema.Default != "10" {
			t.Errorf("replace=%s: field schema = %+v", tc.replace, gotSchema.Fields[0].Schema)
		}
		wantEqual(t, "replace="+tc.replace, got.(*schemas.Struct).GetWithoutDefault("magic"), tc.want)
	}

	// Null keys and values pass through untouched, schema and all.
	for _, s := range sides {
		for _, schema := range []*schemas.Schema{nil, schemas.OptionalStringSchema, magic} {
			for _, spec := range []string{"foo:int64", "int64"} {
				tr := configured(t, newCast(s), map[string]string{"spec": spec})
				gotSchema, got := apply(t, tr, s, schema, nil)
				if gotSchema != schema || got != nil {
					t.Errorf("%v %v %s: got %v %v", s, schema, spec, gotSchema, got)
				}
			}
		}
	}

	// A Struct schema's default is cast with its fields.
	row := schemas.NewBuilder(schemas.TypeStruct).Field("n", schemas.Int32Schema).Optional()
	rowNoDefault := mustBuild(t, row)
	withDefault := mustBuild(t, row.Default(structOf(t, rowNoDefault, "n", int32(5))))
	tr := configured(t, newCast(Value), map[string]string{"spec": "n:string"})
	gotSchema, got := apply(t, tr, Value, withDefault, structOf(t, withDefault, "n", int32(6)))
	wantEqual(t, "n", got.(*schemas.Struct).Get("n"), "6")
	def, _ := gotSchema.Default.(*schemas.Struct)
	if def == nil || def.Schema() != gotSchema || def.Get("n") != "5" || !gotSchema.Optional {
		t.Errorf("schema = %+v, default %v", gotSchema, def)
	}
}

func TestCastFieldsSchemaless(t *testing.T) {
	in := map[string]any{"int8": int8(8), "int16": int16(16), "int32": int32(32), "int64": int64(64),
		"float32": float32(32), "float64": -64.0, "boolean": true, "string": "42", "bytes": []byte{1}, "keep": "x"}
	tr := configured(t, newCast(Value), map[string]string{
		"spec": "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,bytes:string,absent:int8"})
	gotSchema, got := apply(t, tr, Value, nil, in)
	if gotSchema != nil {
		t.Fatalf("schema = %v", gotSchema)
	}
	wantEqual(t, "map", got, map[string]any{"int8": int16(8), "int16": int32(16), "int32": int64(32), "int64": true,
		"float32": 32.0, "float64": true, "boolean": int8(1), "string": int32(42), "bytes": "AQ==", "keep": "x",
		"absent": nil}) // Kafka Connect adds a listed field the map lacks, as null
	if in["int8"] != int8(8) || len(in) != 10 {
		t.Error("the input map changed")
	}
	// map[any]any with string keys works too.
	_, got = apply(t, tr, Value, nil, map[any]any{"int8": int8(1)})
	wantEqual(t, "map[any]any", got.(map[string]any)["int8"], int16(1))
}

func TestCastErrors(t *testing.T) {
	list := mustBuild(t, schemas.Array(schemas.Int32Schema))
	row := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("l", list).Field("n", schemas.Int32Schema))
	const inputs = "; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
	for _, tc := range []struct {
		name   string
		spec   string
		schema *schemas.Schema
		value  any
		want   string
	}{
		{"schemaless list", "int8", nil, []any{"foo"}, "Cast transformation does not support casting from ARRAY" + inputs},
		{"schemaless map", "string", nil, map[string]any{}, "Cast transformation does not support casting from MAP" + inputs},
		{"schemaless time", "int64", nil, time.UnixMilli(0), "Cast transformation was passed a value of type class java.util.Date which is not supported by Connect's data API"},
		{"schemaless decimal", "string", nil, big.NewRat(1, 1), "Cast transformation was passed a value of type class java.math.BigDecimal which is not supported by Connect's data API"},
		{"schemaless field list", "l:int8", nil, map[string]any{"l": []any{}}, "Cast transformation does not support casting from ARRAY" + inputs},
		{"struct whole", "int8", row, structOf(t, row, "l", []any{}, "n", int32(1)), "Cast transformation does not support casting from STRUCT" + inputs},
		{"array field", "l:int8", row, structOf(t, row, "l", []any{}, "n", int32(1)), "Cast transformation does not support casting from ARRAY" + inputs},
		{"fields of a non-struct", "n:int8", schemas.Int32Schema, int32(1), "Only Struct objects supported for [cast types], found: java.lang.Integer"},
		{"fields of a non-map", "n:int8", nil, "text", "Only Map objects supported in absence of schema for [cast types], found: java.lang.String"},
		{"date not at midnight", "int32", schemas.DateSchema, time.UnixMilli(1).UTC(), "Kafka Connect Date type should not have any time fields set to non-zero values: 1970-01-01T00:00:00.001Z is not midnight UTC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := configured(t, newCast(Value), map[string]string{"spec": tc.spec})
			wantDataError(t, applyErr(t, tr, Value, tc.schema, tc.value), tc.want)
		})
	}
}

func TestCastConfig(t *testing.T) {
	const outputs = "; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
	for _, tc := range []struct{ spec, msg string }{
		{"", "Invalid value [] for configuration spec: Must specify at least one field to cast."},
		{"foo:faketype", "Invalid value [foo:faketype] for configuration spec: Invalid type found in casting spec: faketype"},
		{"foo:", "Invalid value [foo:] for configuration spec: Invalid type found in casting spec: foo"},
		{"foo:array", "Invalid value [foo:array] for configuration spec: Cast transformation does not support casting to ARRAY" + outputs},
		{"array", "Invalid value [array] for configuration spec: Cast transformation does not support casting to ARRAY" + outputs},
		{"foo:bytes", "Invalid value [foo:bytes] for configuration spec: Cast transformation does not support casting to BYTES" + outputs},
		{"foo:int8:extra", "Invalid value [foo:int8:extra] for configuration spec: Invalid cast mapping: foo:int8:extra"},
		{":", "Invalid value [:] for configuration spec: Invalid cast mapping: :"},
		{"foo:int8,int32", "Invalid value [foo:int8, int32] for configuration spec: Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"},
		{"int8,int16", "Invalid value [int8, int16] for configuration spec: Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"},
	} {
		wantConfigError(t, newCast(Key), map[string]string{"spec": tc.spec}, "spec", tc.msg)
	}
	wantConfigError(t, newCast(Key), map[string]string{}, "spec", `Missing required configuration "spec" which has no default value.`)

	// Names and types are trimmed; types are case-insensitive.
	tr := configured(t, newCast(Value), map[string]string{"spec": " a : INT8 , b:Float64"}).(*cast)
	if len(tr.fields) != 2 || tr.fields["a"] != schemas.TypeInt8 || tr.fields["b"] != schemas.TypeFloat64 || tr.whole != 0 {
		t.Errorf("fields = %v, whole = %v", tr.fields, tr.whole)
	}
}

func TestParseJavaFloat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true}, {"1.", 1, true}, {".5", 0.5, true}, {"-2.5e-1", -0.25, true}, {"+3d", 3, true},
		{"7F", 7, true}, {"NaN", math.NaN(), true}, {"-Infinity", math.Inf(-1), true}, {"0x10p0", 16, true},
		{"0X.8P1", 1, true}, {"0x1p1f", 2, true}, {"1e400", math.Inf(1), true}, {"1e-400", 0, true},
		{"\t 2 \n", 2, true},
		{"", 0, false}, {"abc", 0, false}, {"inf", 0, false}, {"nan", 0, false}, {"1_000", 0, false},
		{"0x10", 0, false}, {"NaNd", 0, false}, {"1e", 0, false}, {"--1", 0, false}, {".", 0, false},
	} {
		got, ok := parseJavaFloat(tc.in, 64)
		if ok != tc.ok || (ok && !schemas.EqualValues(got, tc.want)) {
			t.Errorf("parseJavaFloat(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
