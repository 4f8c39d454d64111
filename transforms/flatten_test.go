package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/schemas"
)

func TestFlattenNestedStruct(t *testing.T) {
	supported := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("int8", schemas.Int8Schema).Field("int16", schemas.Int16Schema).Field("int32", schemas.Int32Schema).
		Field("int64", schemas.Int64Schema).Field("float32", schemas.Float32Schema).Field("float64", schemas.Float64Schema).
		Field("boolean", schemas.BooleanSchema).Field("string", schemas.StringSchema).Field("bytes", schemas.BytesSchema).
		Field("array", mustBuild(t, schemas.Array(schemas.StringSchema).Doc("kept"))))
	oneLevel := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("B", supported))
	twoLevel := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Outer").Doc("outer").
		Field("A", oneLevel).Field("top", schemas.StringSchema))
	inner := structOf(t, supported, "int8", int8(8), "int16", int16(16), "int32", int32(32), "int64", int64(64),
		"float32", float32(32), "float64", 64.0, "boolean", true, "string", "stringy", "bytes", []byte("bytes"),
		"array", []any{"x"})
	value := structOf(t, twoLevel, "A", structOf(t, oneLevel, "B", inner), "top", "t")

	for _, s := range sides {
		t.Run(s.String(), func(t *testing.T) {
			tr := configured(t, newFlatten(s), map[string]string{})
			gotSchema, got := apply(t, tr, s, twoLevel, value)
			b := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Outer").Doc("outer")
			for _, f := range supported.Fields {
				b.Field("A.B."+f.Name, f.Schema)
			}
			wantSchema(t, "flattened", gotSchema, mustBuild(t, b.Field("top", schemas.StringSchema)))
			out := got.(*schemas.Struct)
			for _, f := range supported.Fields {
				wantEqual(t, f.Name, out.Get("A.B."+f.Name), inner.Get(f.Name))
			}
			wantEqual(t, "top", out.Get("top"), "t")
			if again, _ := apply(t, tr, s, twoLevel, value); again != gotSchema {
				t.Error("the flattened schema was built twice")
			}
		})
	}
}

func TestFlattenOptionalAndDefaults(t *testing.T) {
	optInner := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("opt_int32", schemas.OptionalInt32Schema).Optional())
	outer := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("B", optInner))

	// A null optional nested struct leaves its flattened fields null.
	tr := configured(t, newFlatten(Value), nil)
	gotSchema, got := apply(t, tr, Value, outer, structOf(t, outer))
	wantSchema(t, "flattened", gotSchema, mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("B.opt_int32", schemas.OptionalInt32Schema)))
	wantEqual(t, "B.opt_int32", got.(*schemas.Struct).Get("B.opt_int32"), nil)

	// An optional struct makes its required children optional, and its
	// default hands them theirs, unless they have their own.
	child := schemas.NewBuilder(schemas.TypeStruct).Optional().
		Field("req_field", schemas.StringSchema).
		Field("opt_field", mustBuild(t, schemas.NewBuilder(schemas.TypeString).Optional().Default("child_default")))
	childNoDefault := mustBuild(t, child)
	withDefault := mustBuild(t, child.Default(structOf(t, childNoDefault, "req_field", "req_default")))
	gotSchema, got = apply(t, tr, Value, withDefault, schemas.NewStruct(withDefault))
	wantSchema(t, "flattened", gotSchema, mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("req_field", mustBuild(t, schemas.NewBuilder(schemas.TypeString).Optional().Default("req_default"))).
		Field("opt_field", mustBuild(t, schemas.NewBuilder(schemas.TypeString).Optional().Default("child_default")))))
	wantEqual(t, "req_field", got.(*schemas.Struct).Get("req_field"), "req_default")

	// The same, one level down; a nested default struct is read with its
	// defaults when the value is null.
	holder := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("c", withDefault).Field("n", schemas.Int32Schema))
	gotSchema, got = apply(t, tr, Value, holder, structOf(t, holder, "n", int32(1)))
	wantSchema(t, "flattened", gotSchema, mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("c.req_field", mustBuild(t, schemas.NewBuilder(schemas.TypeString).Optional().Default("req_default"))).
		Field("c.opt_field", mustBuild(t, schemas.NewBuilder(schemas.TypeString).Optional().Default("child_default"))).
		Field("n", schemas.Int32Schema)))
	out := got.(*schemas.Struct)
	wantEqual(t, "c.req_field", out.GetWithoutDefault("c.req_field"), "req_default")
	wantEqual(t, "c.opt_field", out.GetWithoutDefault("c.opt_field"), "child_default")
}

func TestFlattenStructPassThrough(t *testing.T) {
	// Without nested structs the schema is unchanged and fields keep theirs.
	nested := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("lfg", schemas.StringSchema))
	innerS := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("baz", nested))
	schema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("foo", mustBuild(t, schemas.Array(innerS).Doc("durk"))).
		Field("firstNull", schemas.OptionalStringSchema).Field("nonNull", schemas.OptionalStringSchema))
	value := structOf(t, schema, "foo", []any{structOf(t, innerS, "baz", structOf(t, nested, "lfg", "lfg"))}, "nonNull", "x")
	tr := configured(t, newFlatten(Value), nil)
	gotSchema, got := apply(t, tr, Value, schema, value)
	wantSchema(t, "flattened", gotSchema, schema)
	if !got.(*schemas.Struct).Equal(value) {
		t.Errorf("value = %v, want %v", got, value)
	}
	if gotSchema.Fields[0].Schema != schema.Fields[0].Schema {
		t.Error("an unchanged field schema was copied")
	}
}

func TestFlattenMaps(t *testing.T) {
	supported := map[string]any{"int8": int8(8), "int16": int16(16), "int32": int32(32), "int64": int64(64),
		"float32": float32(32), "float64": 64.0, "boolean": true, "string": "stringy", "bytes": []byte("bytes"),
		"null": nil}
	in := map[string]any{"A": map[string]any{"B": supported}, "list": []any{"bar", map[string]any{"baz": map[string]any{"lfg": "lfg"}}}}
	want := map[string]any{"list": in["list"]}
	for k, v := range supported {
		want["A#B#"+k] = v
	}
	for _, s := range sides {
		t.Run(s.String(), func(t *testing.T) {
			tr := configured(t, newFlatten(s), map[string]string{"delimiter": "#"})
			gotSchema, got := apply(t, tr, s, nil, in)
			if gotSchema != nil {
				t.Fatalf("schema = %v", gotSchema)
			}
			wantEqual(t, "flattened", got, want)
			if len(in) != 2 || len(in["A"].(map[string]any)) != 1 {
				t.Error("the input map changed")
			}
		})
	}

	tr := configured(t, newFlatten(Key), nil)
	_, got := apply(t, tr, Key, nil, map[string]any{"A": map[any]any{"B": 12}, "C": map[string]any{}, "D": map[string]any(nil)})
	wantEqual(t, "map[any]any, empty and nil maps", got, map[string]any{"A.B": 12, "D": nil})
}

func TestFlattenNull(t *testing.T) {
	optional := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Name("name").Version(1).Doc("doc").
		Field("magic", schemas.OptionalInt64Schema).Optional())
	for _, s := range sides {
		for _, schema := range []*schemas.Schema{nil, optional} {
			tr := configured(t, newFlatten(s), nil)
			gotSchema, got := apply(t, tr, s, schema, nil)
			if gotSchema != schema || got != nil {
				t.Errorf("%v %v: got %v %v, want the tombstone as it was", s, schema, gotSchema, got)
			}
		}
	}
}

func TestFlattenErrors(t *testing.T) {
	withMap := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("a", mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("m", mustBuild(t, schemas.Map(schemas.StringSchema, schemas.StringSchema))))))
	clash := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("a.b", schemas.Int32Schema).
		Field("a", mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("b", schemas.Int32Schema))))
	inner := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("x", schemas.Int32Schema))
	for _, tc := range []struct {
		name   string
		schema *schemas.Schema
		value  any
		want   string
	}{
		{"struct required", schemas.Int32Schema, int32(42), "Only Struct objects supported for [flattening], found: java.lang.Integer"},
		{"map required", nil, int64(42), "Only Map objects supported in absence of schema for [flattening], found: java.lang.Long"},
		{"map in struct", withMap, structOf(t, withMap), "Flatten transformation does not support MAP for record with schemas (for field a.m)."},
		{"struct in map", nil, map[string]any{"a": map[string]any{"s": structOf(t, inner, "x", int32(1))}}, "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field a.s)."},
		{"unsupported in map", nil, map[string]any{"u": uint(1)}, "Flatten transformation was passed a value of type class uint which is not supported by Connect's data API"},
		{"non-string key", nil, map[string]any{"a": map[any]any{1: 2}}, "Only Map objects with String keys supported in absence of schema for [flattening], found a key of java.lang.Long"},
		{"name clash in map", nil, map[string]any{"a.b": 1, "a": map[string]any{"b": 2}}, `Flatten transformation found two fields that flatten to the same name "a.b"`},
		{"name clash in struct", clash, schemas.NewStruct(clash), "invalid schema: cannot create field because of field name duplication a.b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := configured(t, newFlatten(Value), nil)
			wantDataError(t, applyErr(t, tr, Value, tc.schema, tc.value), tc.want)
		})
	}
}

func TestFlattenReconfigure(t *testing.T) {
	inner := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("b", schemas.Int32Schema))
	outer := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("a", inner))
	value := structOf(t, outer, "a", structOf(t, inner, "b", int32(1)))
	tr := configured(t, newFlatten(Value), nil)
	apply(t, tr, Value, outer, value)
	configured(t, tr, map[string]string{"delimiter": "_"})
	gotSchema, _ := apply(t, tr, Value, outer, value)
	if gotSchema.Fields[0].Name != "a_b" {
		t.Errorf("after reconfiguring, field = %q, want a_b", gotSchema.Fields[0].Name)
	}
}
