package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/schemas"
)

func TestExtractField(t *testing.T) {
	fooSchema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("foo", schemas.Int32Schema))
	nested := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("magic", fooSchema))
	flat := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("magic", schemas.Int32Schema))
	optionalFlat := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("magic", schemas.Int32Schema).Optional())
	withDefault := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("optional_with_default", mustBuild(t, schemas.NewBuilder(schemas.TypeInt32).Optional().Default(int32(42)))))
	dotted := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("a.b", fooSchema))

	v2 := func(field string) map[string]string {
		return map[string]string{"field": field, "field.syntax.version": "v2"}
	}
	for _, tc := range []struct {
		name       string
		props      map[string]string
		schema     *schemas.Schema
		value      any
		wantSchema *schemas.Schema
		want       any
	}{
		{"schemaless", map[string]string{"field": "magic"}, nil, map[string]any{"magic": 42}, nil, 42},
		{"schemaless map[any]any", map[string]string{"field": "magic"}, nil, map[any]any{"magic": "x"}, nil, "x"},
		{"schemaless nested V2", v2("magic.foo"), nil, map[string]any{"magic": map[string]any{"foo": 42}}, nil, 42},
		{"schemaless dotted name V1", map[string]string{"field": "magic.foo"}, nil, map[string]any{"magic.foo": 1, "magic": map[string]any{"foo": 2}}, nil, 1},
		{"schemaless null", map[string]string{"field": "magic"}, nil, nil, nil, nil},
		{"schemaless missing", map[string]string{"field": "nonexistent"}, nil, map[string]any{"magic": 42}, nil, nil},
		{"schemaless missing nested", v2("magic.nonexistent"), nil, map[string]any{"magic": map[string]any{"foo": 42}}, nil, nil},
		{"schemaless null parent", v2("magic.foo"), nil, map[string]any{"magic": nil}, nil, nil},
		{"struct", map[string]string{"field": "magic"}, flat, structOf(t, flat, "magic", int32(42)), schemas.Int32Schema, int32(42)},
		{"struct nested V2", v2("magic.foo"), nested, structOf(t, nested, "magic", structOf(t, fooSchema, "foo", int32(42))), schemas.Int32Schema, int32(42)},
		{"struct backticks V2", v2("`a.b`.foo"), dotted, structOf(t, dotted, "a.b", structOf(t, fooSchema, "foo", int32(7))), schemas.Int32Schema, int32(7)},
		{"struct nested whole", v2("magic"), nested, structOf(t, nested, "magic", structOf(t, fooSchema, "foo", int32(42))), fooSchema, structOf(t, fooSchema, "foo", int32(42))},
		{"struct null", map[string]string{"field": "magic"}, optionalFlat, nil, schemas.Int32Schema, nil},
		{"default replaces null", map[string]string{"field": "optional_with_default"}, withDefault, structOf(t, withDefault), withDefault.Fields[0].Schema, int32(42)},
		{"null kept", map[string]string{"field": "optional_with_default", "replace.null.with.default": "false"}, withDefault, structOf(t, withDefault), withDefault.Fields[0].Schema, nil},
	} {
		for _, s := range sides {
			t.Run(tc.name+"/"+s.String(), func(t *testing.T) {
				tr := configured(t, newExtractField(s), tc.props)
				gotSchema, got := apply(t, tr, s, tc.schema, tc.value)
				if gotSchema != tc.wantSchema {
					t.Errorf("schema = %v, want %v", gotSchema, tc.wantSchema)
				}
				wantEqual(t, "value", got, tc.want)
			})
		}
	}
}

func TestExtractFieldErrors(t *testing.T) {
	fooSchema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("foo", schemas.Int32Schema))
	nested := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("magic", fooSchema))
	st := structOf(t, nested, "magic", structOf(t, fooSchema, "foo", int32(42)))

	for _, tc := range []struct {
		name   string
		props  map[string]string
		schema *schemas.Schema
		value  any
		want   string
		data   bool // a DataError
	}{
		{"unknown field", map[string]string{"field": "nonexistent"}, nested, st, "Unknown field: nonexistent", false},
		{"unknown nested field", map[string]string{"field": "magic.nonexistent", "field.syntax.version": "V2"}, nested, st, "Unknown field: magic.nonexistent", false},
		{"unknown field of null", map[string]string{"field": "nonexistent"}, nested, nil, "Unknown field: nonexistent", false},
		{"dotted name in V1", map[string]string{"field": "magic.foo"}, nested, st, "Unknown field: magic.foo", false},
		{"not a struct", map[string]string{"field": "magic"}, schemas.Int32Schema, int32(1), "Only Struct objects supported for [field extraction], found: java.lang.Integer", true},
		{"not a map", map[string]string{"field": "magic"}, nil, "text", "Only Map objects supported in absence of schema for [field extraction], found: java.lang.String", true},
		{"nested not a map", map[string]string{"field": "a.b", "field.syntax.version": "V2"}, nil, map[string]any{"a": []any{1}}, "Only Map objects supported in absence of schema for [nested field access], found: java.util.ArrayList", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := configured(t, newExtractField(Value), tc.props)
			err := applyErr(t, tr, Value, tc.schema, tc.value)
			if tc.data {
				wantDataError(t, err, tc.want)
			} else if err.Error() != tc.want {
				t.Fatalf("error = %q, want %q", err, tc.want)
			}
		})
	}
}

func TestExtractFieldConfig(t *testing.T) {
	for _, tc := range []struct {
		props    map[string]string
		key, msg string
	}{
		{map[string]string{}, "field", `Missing required configuration "field" which has no default value.`},
		{map[string]string{"field": "a", "field.syntax.version": "v3"}, "field.syntax.version", "Invalid value v3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"},
		{map[string]string{"field": "a", "field.syntax.version": "V 1"}, "field.syntax.version", "Invalid value V 1 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"},
		{map[string]string{"field": "a", "replace.null.with.default": "yes"}, "replace.null.with.default", "Invalid value yes for configuration replace.null.with.default: Expected value to be either true or false"},
		{map[string]string{"field": "foo.`bar", "field.syntax.version": "V2"}, "field", "Incomplete backtick pair in path: [foo.`bar], consider adding a backslash before backtick at position 4 to escape it"},
	} {
		wantConfigError(t, newExtractField(Key), tc.props, tc.key, tc.msg)
	}
	// The same path is fine in V1, where backticks mean nothing.
	configured(t, newExtractField(Key), map[string]string{"field": "foo.`bar"})
}
