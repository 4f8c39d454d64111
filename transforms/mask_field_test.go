package transforms

import (
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// maskSchema and maskStruct hold a field of every maskable type.
func maskSchema(t *testing.T) *schemas.Schema {
	return mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("magic", schemas.Int32Schema).
		Field("bool", schemas.BooleanSchema).
		Field("byte", schemas.Int8Schema).
		Field("short", schemas.Int16Schema).
		Field("int", schemas.Int32Schema).
		Field("long", schemas.Int64Schema).
		Field("float", schemas.Float32Schema).
		Field("double", schemas.Float64Schema).
		Field("string", schemas.StringSchema).
		Field("date", schemas.DateSchema).
		Field("time", schemas.TimeSchema).
		Field("timestamp", schemas.TimestampSchema).
		Field("decimal", schemas.DecimalSchema(0)).
		Field("array", mustBuild(t, schemas.Array(schemas.Int32Schema))).
		Field("map", mustBuild(t, schemas.Map(schemas.StringSchema, schemas.StringSchema))).
		Field("withDefault", mustBuild(t, schemas.NewBuilder(schemas.TypeString).Optional().Default("default"))).
		Field("bytes", schemas.OptionalBytesSchema))
}

func maskStruct(t *testing.T, schema *schemas.Schema) *schemas.Struct {
	return structOf(t, schema, "magic", int32(42), "bool", true, "byte", int8(42), "short", int16(42), "int", int32(42),
		"long", int64(42), "float", float32(42), "double", 42.0, "string", "hmm",
		"date", time.UnixMilli(5*msPerDay).UTC(), "time", time.UnixMilli(msPerHour).UTC(), "timestamp", time.UnixMilli(1234).UTC(),
		"decimal", big.NewRat(42, 1), "array", []any{int32(1), int32(2)}, "map", map[string]any{"what": "what"})
}

func maskMap() map[string]any {
	return map[string]any{"magic": 42, "bool": true, "byte": int8(42), "short": int16(42), "int": int32(42),
		"long": int64(42), "goint": 7, "float": float32(42), "double": 42.0, "string": "55.121.20.20",
		"list": []any{42}, "map": map[string]any{"key": "value"}, "anymap": map[any]any{1: 2}, "null": nil}
}

func TestMaskFieldEmptyValues(t *testing.T) {
	schema := maskSchema(t)
	epoch := time.UnixMilli(0).UTC()
	wantStruct := map[string]any{"magic": int32(42), "bool": false, "byte": int8(0), "short": int16(0), "int": int32(0),
		"long": int64(0), "float": float32(0), "double": 0.0, "string": "", "date": epoch, "time": epoch,
		"timestamp": epoch, "decimal": new(big.Rat), "array": []any{}, "map": map[string]any{}, "withDefault": nil, "bytes": nil}
	wantMap := map[string]any{"magic": 42, "bool": false, "byte": int8(0), "short": int16(0), "int": int32(0),
		"long": int64(0), "goint": 0, "float": float32(0), "double": 0.0, "string": "", "list": []any{},
		"map": map[string]any{}, "anymap": map[any]any{}, "null": nil, "absent": nil}
	var structFields, mapFields []string
	for _, f := range schema.Fields {
		if f.Name != "magic" {
			structFields = append(structFields, f.Name)
		}
	}
	for k := range wantMap {
		if k != "magic" {
			mapFields = append(mapFields, k)
		}
	}
	sort.Strings(mapFields)

	for _, s := range sides {
		t.Run(s.String(), func(t *testing.T) {
			in := maskStruct(t, schema)
			tr := configured(t, newMaskField(s), map[string]string{"fields": strings.Join(structFields, ","), "replace.null.with.default": "false"})
			gotSchema, got := apply(t, tr, s, schema, in)
			if gotSchema != schema {
				t.Errorf("schema = %v, want the input schema", gotSchema)
			}
			out := got.(*schemas.Struct)
			for name, want := range wantStruct {
				wantEqual(t, name, out.GetWithoutDefault(name), want)
			}
			wantEqual(t, "input string", in.Get("string"), "hmm")

			inMap := maskMap()
			tr = configured(t, newMaskField(s), map[string]string{"fields": strings.Join(mapFields, ",")})
			gotSchema, got = apply(t, tr, s, nil, inMap)
			if gotSchema != nil {
				t.Errorf("schema = %v", gotSchema)
			}
			wantEqual(t, "masked map", got, wantMap)
			wantEqual(t, "input map", inMap, maskMap())
		})
	}

	// With replace.null.with.default a null field reads as its default
	// before masking.
	tr := configured(t, newMaskField(Value), map[string]string{"fields": "withDefault"})
	_, got := apply(t, tr, Value, schema, maskStruct(t, schema))
	wantEqual(t, "withDefault", got.(*schemas.Struct).GetWithoutDefault("withDefault"), "")
}

func TestMaskFieldReplacement(t *testing.T) {
	schema := maskSchema(t)
	for _, tc := range []struct {
		field, replacement string
		want               any
	}{
		{"short", "123", int16(123)},
		{"byte", "123", int8(123)},
		{"byte", "300", int8(44)}, // Java keeps the low bits
		{"int", "123", int32(123)},
		{"int", "-7.9", int32(-7)},
		{"long", "123", int64(123)},
		{"long", "1e3", int64(1000)},
		{"float", "123.0", float32(123)},
		{"double", "123.0", 123.0},
		{"double", "0.1", 0.1},
		{"string", "123", "123"},
		{"string", "foo", "foo"},
		{"decimal", "123.0", big.NewRat(123, 1)},
	} {
		t.Run(tc.field+"="+tc.replacement, func(t *testing.T) {
			tr := configured(t, newMaskField(Value), map[string]string{"fields": tc.field, "replacement": tc.replacement})
			_, got := apply(t, tr, Value, schema, maskStruct(t, schema))
			wantEqual(t, "with schema", got.(*schemas.Struct).Get(tc.field), tc.want)
		})
	}

	m := maskMap()
	m["bigdec"] = big.NewRat(42, 1)
	for _, tc := range []struct {
		field, replacement string
		want               any
	}{
		{"short", "123", int16(123)}, {"byte", "123", int8(123)}, {"int", "123", int32(123)}, {"long", "123", int64(123)},
		{"goint", "123", 123}, {"float", "123.0", float32(123)}, {"double", "123.0", 123.0}, {"string", "123", "123"},
		{"bigdec", "123.0", big.NewRat(123, 1)}, {"null", "5", nil},
	} {
		tr := configured(t, newMaskField(Key), map[string]string{"fields": tc.field, "replacement": tc.replacement})
		_, got := apply(t, tr, Key, nil, m)
		wantEqual(t, "schemaless "+tc.field, got.(map[string]any)[tc.field], tc.want)
	}
}

func TestMaskFieldErrors(t *testing.T) {
	schema := maskSchema(t)
	withBytes := maskStruct(t, schema)
	withBytes.MustPut("bytes", []byte{1})
	for _, tc := range []struct {
		name, fields, replacement string
		schemaless                bool
		want                      string
	}{
		{"time with replacement", "time", "x", false, "Cannot mask value of type class java.util.Date with custom replacement."},
		{"timestamp with replacement", "timestamp", "1", false, "Cannot mask value of type class java.util.Date with custom replacement."},
		{"array with replacement", "array", "1", false, "Cannot mask value of type class java.util.ArrayList with custom replacement."},
		{"bool with replacement", "bool", "false", true, "Cannot mask value of type class java.lang.Boolean with custom replacement."},
		{"map with replacement", "map", "x", true, "Cannot mask value of type class java.util.HashMap with custom replacement."},
		{"bytes", "bytes", "", false, "Cannot mask value of type: class [B"},
		{"byte not a number", "byte", "foo", true, "Unable to convert foo (class java.lang.String) to a number"},
		{"double not a number", "double", "foo", true, "Unable to convert foo (class java.lang.String) to a number"},
		{"int after string", "string,int", "foo", true, "Unable to convert foo (class java.lang.String) to a number"},
		{"decimal not a number", "decimal", "foo", false, "Unable to convert foo (class java.lang.String) to number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{"fields": tc.fields}
			if tc.replacement != "" {
				props["replacement"] = tc.replacement
			}
			tr := configured(t, newMaskField(Value), props)
			if tc.schemaless {
				wantDataError(t, applyErr(t, tr, Value, nil, maskMap()), tc.want)
			} else {
				wantDataError(t, applyErr(t, tr, Value, schema, withBytes), tc.want)
			}
		})
	}

	tr := configured(t, newMaskField(Value), map[string]string{"fields": "a"})
	wantDataError(t, applyErr(t, tr, Value, schemas.Int32Schema, int32(1)), "Only Struct objects supported for [mask fields], found: java.lang.Integer")
	wantDataError(t, applyErr(t, tr, Value, nil, "x"), "Only Map objects supported in absence of schema for [mask fields], found: java.lang.String")
}

func TestMaskFieldNull(t *testing.T) {
	// Kafka Connect fails on a tombstone; sluice lets it through.
	for _, s := range sides {
		for _, schema := range []*schemas.Schema{nil, mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).Optional())} {
			tr := configured(t, newMaskField(s), map[string]string{"fields": "a"})
			gotSchema, got := apply(t, tr, s, schema, nil)
			if gotSchema != schema || got != nil {
				t.Errorf("%v %v: got %v %v", s, schema, gotSchema, got)
			}
		}
	}
}

func TestMaskFieldConfig(t *testing.T) {
	for _, tc := range []struct {
		props    map[string]string
		key, msg string
	}{
		{map[string]string{}, "fields", `Missing required configuration "fields" which has no default value.`},
		{map[string]string{"fields": ""}, "fields", "Invalid value [] for configuration fields: Empty list"},
		{map[string]string{"fields": "a", "replacement": ""}, "replacement", "Invalid value  for configuration replacement: String must be non-empty"},
		{map[string]string{"fields": "a", "replacement": "  "}, "replacement", "Invalid value  for configuration replacement: String must be non-empty"},
	} {
		wantConfigError(t, newMaskField(Value), tc.props, tc.key, tc.msg)
	}
}
