package transforms

import (
	"slices"
	"testing"

	"github.com/sluicehq/sluice/schemas"
)

func TestParseFieldPath(t *testing.T) {
	for _, tc := range []struct {
		syntax fieldSyntax
		path   string
		want   []string
	}{
		// V1 takes the text as one name, dots and backticks included.
		{fieldSyntaxV1, "foo.bar.baz", []string{"foo.bar.baz"}},
		{fieldSyntaxV1, "foo`bar`", []string{"foo`bar`"}},
		{fieldSyntaxV1, "foo.`bar.baz`", []string{"foo.`bar.baz`"}},
		{fieldSyntaxV1, "", []string{""}},
		// V2: dots separate names, empty names included.
		{fieldSyntaxV2, "foobarbaz", []string{"foobarbaz"}},
		{fieldSyntaxV2, "foo.bar.baz", []string{"foo", "bar", "baz"}},
		{fieldSyntaxV2, "..", []string{"", "", ""}},
		{fieldSyntaxV2, "foo..", []string{"foo", "", ""}},
		{fieldSyntaxV2, ".bar.", []string{"", "bar", ""}},
		{fieldSyntaxV2, "..baz", []string{"", "", "baz"}},
		// Backticks that do not wrap a name are part of it.
		{fieldSyntaxV2, "foo`bar`baz", []string{"foo`bar`baz"}},
		// Wrapping backticks let a name hold dots.
		{fieldSyntaxV2, "`foo.bar.baz`", []string{"foo.bar.baz"}},
		{fieldSyntaxV2, "foo.`bar.baz`", []string{"foo", "bar.baz"}},
		{fieldSyntaxV2, "`foo.bar`.baz", []string{"foo.bar", "baz"}},
		{fieldSyntaxV2, "foo.`bar`.baz", []string{"foo", "bar", "baz"}},
		{fieldSyntaxV2, "foo.``bar.baz`", []string{"foo", "`bar.baz"}},
		{fieldSyntaxV2, "foo.`bar.baz``", []string{"foo", "bar.baz`"}},
		{fieldSyntaxV2, "foo.`ba`r.baz`", []string{"foo", "ba`r.baz"}},
		{fieldSyntaxV2, "foo.ba`r.baz", []string{"foo", "ba`r", "baz"}},
		{fieldSyntaxV2, "foo.``bar``.baz", []string{"foo", "`bar`", "baz"}},
		{fieldSyntaxV2, "``foo.bar.baz``", []string{"`foo.bar.baz`"}},
		// A backslash escapes a backtick that would end the name.
		{fieldSyntaxV2, "foo.`bar\\`.baz`", []string{"foo", "bar`.baz"}},
		{fieldSyntaxV2, "foo.`bar.`baz`", []string{"foo", "bar.`baz"}},
		{fieldSyntaxV2, "foo.`bar\\`.`baz`", []string{"foo", "bar`.`baz"}},
		{fieldSyntaxV2, "foo.`bar\\\\`.\\`baz`", []string{"foo", "bar\\`.\\`baz"}},
		{fieldSyntaxV2, "ä.`ö.ü`", []string{"ä", "ö.ü"}},
	} {
		p, err := parseFieldPath(tc.path, tc.syntax)
		if err != nil {
			t.Errorf("parseFieldPath(%q, V%d): %v", tc.path, tc.syntax, err)
			continue
		}
		if !slices.Equal(p.steps, tc.want) {
			t.Errorf("parseFieldPath(%q, V%d) = %q, want %q", tc.path, tc.syntax, p.steps, tc.want)
		}
	}
}

func TestParseFieldPathErrors(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"`foo.bar.baz", "Incomplete backtick pair in path: [`foo.bar.baz], consider adding a backslash before backtick at position 0 to escape it"},
		{"foo.`bar.baz", "Incomplete backtick pair in path: [foo.`bar.baz], consider adding a backslash before backtick at position 4 to escape it"},
		{"foo.bar.`baz", "Incomplete backtick pair in path: [foo.bar.`baz], consider adding a backslash before backtick at position 8 to escape it"},
		{"foo.bar.`baz\\`", "Incomplete backtick pair in path: [foo.bar.`baz\\`], consider adding a backslash before backtick at position 8 to escape it"},
		// Positions count UTF-16 units, as Java's do.
		{"é.`x", "Incomplete backtick pair in path: [é.`x], consider adding a backslash before backtick at position 2 to escape it"},
		{"", "A field path must name at least one field, but the path is empty"},
	} {
		_, err := parseFieldPath(tc.path, fieldSyntaxV2)
		if err == nil || err.Error() != tc.want {
			t.Errorf("parseFieldPath(%q, V2) error = %v, want %q", tc.path, err, tc.want)
		}
	}
}

func TestFieldPathLookups(t *testing.T) {
	bazSchema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("inner", schemas.StringSchema).Optional())
	barSchema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("bar", schemas.Int32Schema).Field("baz", bazSchema).
		Field("dflt", mustBuild(t, schemas.NewBuilder(schemas.TypeInt32).Optional().Default(int32(7)))))
	schema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("foo", barSchema))
	st := structOf(t, schema, "foo", structOf(t, barSchema, "bar", int32(42)))

	m := map[string]any{"foo": map[string]any{"bar": 42, "baz": nil}, "num": 1}

	path := func(s string) fieldPath {
		t.Helper()
		p, err := parseFieldPath(s, fieldSyntaxV2)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	for _, tc := range []struct {
		path       string
		field      *schemas.Schema // nil: not found
		structWant any
		mapWant    any
	}{
		{"foo", barSchema, st.Get("foo"), m["foo"]},
		{"foo.bar", schemas.Int32Schema, int32(42), 42},
		{"foo.baz", bazSchema, nil, nil},
		{"foo.dflt", barSchema.Fields[2].Schema, int32(7), nil},
		{"un.known", nil, nil, nil},
		{"foo.unknown", nil, nil, nil},
		{"unknown", nil, nil, nil},
		{"foo.baz.inner", schemas.StringSchema, nil, nil},
	} {
		p := path(tc.path)
		f, ok, err := p.field(schema)
		if err != nil {
			t.Fatalf("%s: field: %v", tc.path, err)
		}
		if ok != (tc.field != nil) || (ok && f.Schema != tc.field) {
			t.Errorf("%s: field = %v %v, want %v", tc.path, f.Schema, ok, tc.field)
		}
		got, err := p.structValue(st, true)
		if err != nil {
			t.Fatalf("%s: structValue: %v", tc.path, err)
		}
		wantEqual(t, tc.path+" in struct", got, tc.structWant)
		if got, err = p.mapValue(m); err != nil {
			t.Fatalf("%s: mapValue: %v", tc.path, err)
		}
		wantEqual(t, tc.path+" in map", got, tc.mapWant)
	}

	// Without defaults the last step reads as set.
	if got, _ := path("foo.dflt").structValue(st, false); got != nil {
		t.Errorf("foo.dflt without default = %v, want nil", got)
	}
	// Reaching through a primitive fails as in Kafka Connect.
	_, _, err := path("foo.bar.x").field(schema)
	wantDataError(t, err, "Cannot look up fields on non-struct type")
	_, err = path("num.x").mapValue(m)
	wantDataError(t, err, "Only Map objects supported in absence of schema for [nested field access], found: java.lang.Long")
}
