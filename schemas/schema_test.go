package schemas_test

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

func TestTypeString(t *testing.T) {
	t.Parallel()
	want := []string{"INT8", "INT16", "INT32", "INT64", "FLOAT32", "FLOAT64", "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP", "STRUCT"}
	for i, w := range want {
		typ := schemas.TypeInt8 + schemas.Type(i)
		if got := typ.String(); got != w {
			t.Errorf("Type(%d).String() = %q, want %q", typ, got, w)
		}
		if got, wantPrim := typ.IsPrimitive(), i < 9; got != wantPrim {
			t.Errorf("%v.IsPrimitive() = %v, want %v", typ, got, wantPrim)
		}
	}
	if got := schemas.Type(99).String(); got != "Type(99)" {
		t.Errorf("unknown type String() = %q", got)
	}
}

func TestBuilder(t *testing.T) {
	t.Parallel()
	s, err := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").Version(2).Doc("a row").
		Parameter("p", "v").
		Field("id", schemas.Int64Schema).
		Field("tags", schemas.Array(schemas.StringSchema).Optional().MustBuild()).
		Field("attrs", schemas.Map(schemas.StringSchema, schemas.Int32Schema).MustBuild()).
		Optional().Build()
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != schemas.TypeStruct || !s.Optional || s.Name != "com.example.Row" || *s.Version != 2 || s.Doc != "a row" || s.Parameters["p"] != "v" {
		t.Errorf("unexpected schema %+v", s)
	}
	for i, name := range []string{"id", "tags", "attrs"} {
		f, ok := s.Field(name)
		if !ok || f.Index != i || f.Name != name {
			t.Errorf("Field(%q) = %+v, %v", name, f, ok)
		}
	}
	if _, ok := s.Field("nope"); ok {
		t.Error("Field(nope) found")
	}
	if got := s.String(); got != "Schema{com.example.Row:STRUCT}" {
		t.Errorf("String() = %q", got)
	}
	if got := schemas.Int32Schema.String(); got != "Schema{INT32}" {
		t.Errorf("String() = %q", got)
	}
}

func TestBuilderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		b       *schemas.Builder
		wantErr string
	}{
		{"duplicate field", schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int8Schema).Field("a", schemas.Int8Schema), "duplication a"},
		{"field on non-struct", schemas.NewBuilder(schemas.TypeInt8).Field("a", schemas.Int8Schema), "cannot create fields on type INT8"},
		{"empty field name", schemas.NewBuilder(schemas.TypeStruct).Field("", schemas.Int8Schema), "fieldName cannot be null"},
		{"nil field schema", schemas.NewBuilder(schemas.TypeStruct).Field("a", nil), "fieldSchema for field a cannot be null"},
		{"array without element", schemas.NewBuilder(schemas.TypeArray), "ARRAY needs an element schema"},
		{"array of nil", schemas.Array(nil), "valueSchema cannot be null"},
		{"map without key", schemas.Map(nil, schemas.Int8Schema), "keySchema cannot be null"},
		{"bad default type", schemas.NewBuilder(schemas.TypeInt32).Default("x"), "invalid default value"},
		{"bad default int width", schemas.NewBuilder(schemas.TypeInt32).Default(int64(1)), "want int32"},
		{"name set twice", schemas.NewBuilder(schemas.TypeInt32).Name("a").Name("b"), "name has already been set"},
		{"optional then required", schemas.NewBuilder(schemas.TypeInt32).Optional().Required(), "optional has already been set"},
		{"version twice", schemas.NewBuilder(schemas.TypeInt32).Version(1).Version(2), "version has already been set"},
		{"unknown type", schemas.NewBuilder(schemas.Type(42)), "unknown schema type"},
		{"decimal on int", schemas.NewBuilder(schemas.TypeInt32).Name(schemas.DecimalName), "needs type BYTES"},
		{"decimal without scale", schemas.NewBuilder(schemas.TypeBytes).Name(schemas.DecimalName), "scale parameter not found"},
		{"decimal bad scale", schemas.NewBuilder(schemas.TypeBytes).Name(schemas.DecimalName).Parameter("scale", "x"), "is not an integer"},
		{"date on int64", schemas.NewBuilder(schemas.TypeInt64).Name(schemas.DateName), "needs type INT32"},
		{"date default not midnight", schemas.DateBuilder().Default(time.Date(2020, 1, 1, 1, 0, 0, 0, time.UTC)), "not midnight UTC"},
		{"decimal default inexact", schemas.DecimalBuilder(1).Default(big.NewRat(1, 3)), "not exact at scale 1"},
		{"struct default other schema", schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int8Schema).Default(schemas.NewStruct(schemas.NewBuilder(schemas.TypeStruct).MustBuild())), "Struct schemas do not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.b.Build()
			assertDataError(t, err, tt.wantErr)
		})
	}
}

func TestBuilderMustBuildPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("MustBuild did not panic")
		}
	}()
	schemas.Array(nil).MustBuild()
}

func TestBuildDoesNotAlias(t *testing.T) {
	t.Parallel()
	b := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int8Schema).Parameter("k", "v")
	s1 := b.MustBuild()
	s2 := b.Field("b", schemas.Int8Schema).Parameter("k", "w").MustBuild()
	if len(s1.Fields) != 1 || s1.Parameters["k"] != "v" || len(s2.Fields) != 2 {
		t.Errorf("builds share state: %+v %+v", s1, s2)
	}
}

func TestSchemaEqual(t *testing.T) {
	t.Parallel()
	row := func() *schemas.Builder {
		return schemas.NewBuilder(schemas.TypeStruct).Name("r").Field("a", schemas.Int32Schema).Field("b", schemas.OptionalStringSchema)
	}
	base := row().MustBuild()
	tests := []struct {
		name  string
		other *schemas.Schema
		want  bool
	}{
		{"same builder twice", row().MustBuild(), true},
		{"hand-made literal", &schemas.Schema{Type: schemas.TypeStruct, Name: "r", Fields: []schemas.Field{{Name: "a", Schema: &schemas.Schema{Type: schemas.TypeInt32}}, {Name: "b", Schema: &schemas.Schema{Type: schemas.TypeString, Optional: true}}}}, true},
		{"optional", row().Optional().MustBuild(), false},
		{"name", schemas.NewBuilder(schemas.TypeStruct).Name("x").Field("a", schemas.Int32Schema).Field("b", schemas.OptionalStringSchema).MustBuild(), false},
		{"version", row().Version(1).MustBuild(), false},
		{"doc", row().Doc("d").MustBuild(), false},
		{"parameters", row().Parameter("k", "v").MustBuild(), false},
		{"field order", schemas.NewBuilder(schemas.TypeStruct).Name("r").Field("b", schemas.OptionalStringSchema).Field("a", schemas.Int32Schema).MustBuild(), false},
		{"field schema", schemas.NewBuilder(schemas.TypeStruct).Name("r").Field("a", schemas.Int64Schema).Field("b", schemas.OptionalStringSchema).MustBuild(), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := base.Equal(tt.other); got != tt.want {
			t.Errorf("%s: Equal = %v, want %v", tt.name, got, tt.want)
		}
	}
	if !(*schemas.Schema)(nil).Equal(nil) {
		t.Error("nil.Equal(nil) = false")
	}
	d1 := schemas.DecimalBuilder(2).Default(big.NewRat(3, 2)).MustBuild()
	d2 := schemas.DecimalBuilder(2).Default(big.NewRat(150, 100)).MustBuild()
	if !d1.Equal(d2) {
		t.Error("decimal defaults 3/2 and 150/100 differ")
	}
	m1 := schemas.Map(schemas.StringSchema, schemas.Int8Schema).MustBuild()
	m2 := schemas.Map(schemas.Int8Schema, schemas.Int8Schema).MustBuild()
	if m1.Equal(m2) {
		t.Error("maps with different key schemas are equal")
	}
}

// assertDataError checks that err is a *schemas.DataError containing want.
func assertDataError(t *testing.T, err error, want string) {
	t.Helper()
	var de *schemas.DataError
	if !errors.As(err, &de) {
		t.Fatalf("error = %v (%T), want a *schemas.DataError containing %q", err, err, want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %q, want it to contain %q", err, want)
	}
}
