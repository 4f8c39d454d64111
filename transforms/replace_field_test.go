package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/schemas"
)

func TestReplaceField(t *testing.T) {
	schema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").Version(3).Doc("row").Optional().
		Field("dont", schemas.StringSchema).Field("abc", schemas.Int32Schema).
		Field("foo", schemas.BooleanSchema).Field("etc", schemas.OptionalStringSchema))
	value := structOf(t, schema, "dont", "whatever", "abc", int32(42), "foo", true, "etc", "etc")
	m := map[string]any{"dont": "whatever", "abc": 42, "foo": true, "etc": "etc"}
	renamed := func(b *schemas.Builder) *schemas.Schema {
		return mustBuild(t, b.Name("com.example.Row").Version(3).Doc("row"))
	}
	for _, tc := range []struct {
		name       string
		props      map[string]string
		wantSchema *schemas.Schema
		wantStruct map[string]any
		wantMap    map[string]any
	}{
		{"include and rename", map[string]string{"include": "abc,foo", "renames": "abc:xyz,foo:bar"},
			renamed(schemas.NewBuilder(schemas.TypeStruct).Field("xyz", schemas.Int32Schema).Field("bar", schemas.BooleanSchema)),
			map[string]any{"xyz": int32(42), "bar": true}, map[string]any{"xyz": 42, "bar": true}},
		{"exclude and rename", map[string]string{"exclude": "dont", "renames": "abc:xyz,foo:bar"},
			renamed(schemas.NewBuilder(schemas.TypeStruct).Field("xyz", schemas.Int32Schema).Field("bar", schemas.BooleanSchema).Field("etc", schemas.OptionalStringSchema)),
			map[string]any{"xyz": int32(42), "bar": true, "etc": "etc"}, map[string]any{"xyz": 42, "bar": true, "etc": "etc"}},
		{"exclude wins", map[string]string{"exclude": "abc", "include": "abc,foo"},
			renamed(schemas.NewBuilder(schemas.TypeStruct).Field("foo", schemas.BooleanSchema)),
			map[string]any{"foo": true}, map[string]any{"foo": true}},
		{"nothing", map[string]string{},
			renamed(schemas.NewBuilder(schemas.TypeStruct).Field("dont", schemas.StringSchema).Field("abc", schemas.Int32Schema).
				Field("foo", schemas.BooleanSchema).Field("etc", schemas.OptionalStringSchema)),
			map[string]any{"dont": "whatever", "abc": int32(42), "foo": true, "etc": "etc"}, m},
		{"blacklist", map[string]string{"blacklist": "dont,etc"},
			renamed(schemas.NewBuilder(schemas.TypeStruct).Field("abc", schemas.Int32Schema).Field("foo", schemas.BooleanSchema)),
			map[string]any{"abc": int32(42), "foo": true}, map[string]any{"abc": 42, "foo": true}},
		{"whitelist", map[string]string{"whitelist": "foo"},
			renamed(schemas.NewBuilder(schemas.TypeStruct).Field("foo", schemas.BooleanSchema)),
			map[string]any{"foo": true}, map[string]any{"foo": true}},
		{"exclude over blacklist", map[string]string{"exclude": "dont", "blacklist": "abc,foo,etc"},
			renamed(schemas.NewBuilder(schemas.TypeStruct).Field("abc", schemas.Int32Schema).Field("foo", schemas.BooleanSchema).Field("etc", schemas.OptionalStringSchema)),
			map[string]any{"abc": int32(42), "foo": true, "etc": "etc"}, map[string]any{"abc": 42, "foo": true, "etc": "etc"}},
		{"swap names", map[string]string{"include": "abc,foo", "renames": "abc:foo,foo:abc"},
			renamed(schemas.NewBuilder(schemas.TypeStruct).Field("foo", schemas.Int32Schema).Field("abc", schemas.BooleanSchema)),
			map[string]any{"foo": int32(42), "abc": true}, map[string]any{"foo": 42, "abc": true}},
	} {
		for _, s := range sides {
			t.Run(tc.name+"/"+s.String(), func(t *testing.T) {
				tr := configured(t, newReplaceField(s), tc.props)
				gotSchema, got := apply(t, tr, s, schema, value)
				// Like Kafka Connect, the new schema is not optional.
				wantSchema(t, "replaced", gotSchema, tc.wantSchema)
				st := got.(*schemas.Struct)
				if st.Schema() != gotSchema || len(gotSchema.Fields) != len(tc.wantStruct) {
					t.Fatalf("struct = %v", st)
				}
				for name, want := range tc.wantStruct {
					wantEqual(t, name, st.Get(name), want)
				}
				if again, _ := apply(t, tr, s, schema, value); again != gotSchema {
					t.Error("the new schema was built twice")
				}

				gotSchema, got = apply(t, tr, s, nil, m)
				if gotSchema != nil {
					t.Fatalf("schema = %v", gotSchema)
				}
				wantEqual(t, "map", got, tc.wantMap)
				if len(m) != 4 {
					t.Error("the input map changed")
				}
			})
		}
	}
}

func TestReplaceFieldNullAndDefaults(t *testing.T) {
	schema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("abc", mustBuild(t, schemas.NewBuilder(schemas.TypeInt32).Optional().Default(int32(42)))))
	for _, tc := range []struct {
		replace string
		want    any
	}{{"true", int32(42)}, {"false", nil}} {
		for _, s := range sides {
			tr := configured(t, newReplaceField(s), map[string]string{"include": "abc", "renames": "abc:optional_with_default", "replace.null.with.default": tc.replace})
			_, got := apply(t, tr, s, schema, structOf(t, schema))
			st := got.(*schemas.Struct)
			if len(st.Schema().Fields) != 1 {
				t.Fatalf("schema = %+v", st.Schema())
			}
			wantEqual(t, "optional_with_default", st.GetWithoutDefault("optional_with_default"), tc.want)
		}
	}

	for _, s := range sides {
		for _, sch := range []*schemas.Schema{nil, schema} {
			tr := configured(t, newReplaceField(s), map[string]string{"include": "abc,foo", "renames": "abc:xyz,foo:bar"})
			gotSchema, got := apply(t, tr, s, sch, nil)
			if gotSchema != sch || got != nil {
				t.Errorf("%v %v: got %v %v, want the tombstone as it was", s, sch, gotSchema, got)
			}
		}
	}
}

func TestReplaceFieldErrors(t *testing.T) {
	schema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).Field("b", schemas.Int32Schema))
	tr := configured(t, newReplaceField(Value), map[string]string{"renames": "a:b"})
	wantDataError(t, applyErr(t, tr, Value, schema, structOf(t, schema, "a", int32(1), "b", int32(2))),
		"invalid schema: cannot create field because of field name duplication b")
	wantDataError(t, applyErr(t, tr, Value, nil, map[string]any{"a": 1, "b": 2}),
		`ReplaceField transformation would give two fields the name "b"`)
	wantDataError(t, applyErr(t, tr, Value, schemas.Int32Schema, int32(1)),
		"Only Struct objects supported for [field replacement], found: java.lang.Integer")
	wantDataError(t, applyErr(t, tr, Value, nil, []any{}),
		"Only Map objects supported in absence of schema for [field replacement], found: java.util.ArrayList")

	for _, tc := range []struct {
		props    map[string]string
		key, msg string
	}{
		{map[string]string{"renames": "a:b:c"}, "renames", "Invalid value [a:b:c] for configuration renames: Invalid rename mapping: a:b:c"},
		{map[string]string{"renames": "a:b,c"}, "renames", "Invalid value [a:b, c] for configuration renames: Invalid rename mapping: c"},
		{map[string]string{"renames": "a:"}, "renames", "Invalid value [a:] for configuration renames: Invalid rename mapping: a:"},
		{map[string]string{"replace.null.with.default": "maybe"}, "replace.null.with.default", "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"},
	} {
		wantConfigError(t, newReplaceField(Key), tc.props, tc.key, tc.msg)
	}
}
