package schemas_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

func TestStruct(t *testing.T) {
	t.Parallel()
	s := schemas.NewBuilder(schemas.TypeStruct).
		Field("id", schemas.Int64Schema).
		Field("name", schemas.OptionalStringSchema).
		Field("score", schemas.NewBuilder(schemas.TypeInt32).Default(int32(7)).MustBuild()).
		MustBuild()
	st := schemas.NewStruct(s)
	if st.Schema() != s {
		t.Error("Schema() is not the schema")
	}
	if err := st.Validate(); err == nil {
		t.Error("Validate of an empty struct with a required field succeeded")
	}
	if err := st.Put("id", int64(1)); err != nil {
		t.Fatal(err)
	}
	if err := st.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if got := st.Get("score"); got != int32(7) {
		t.Errorf("Get(score) = %v, want the default 7", got)
	}
	if got := st.GetWithoutDefault("score"); got != nil {
		t.Errorf("GetWithoutDefault(score) = %v, want nil", got)
	}
	if got := st.At(2); got != nil {
		t.Errorf("At(2) = %v", got)
	}
	assertDataError(t, st.Put("id", "x"), `Invalid Go value for schema with type INT64: string (want int64) for field: "id"`)
	assertDataError(t, st.Put("id", nil), `null used for required field: "id"`)
	assertDataError(t, st.Put("nope", 1), "nope is not a valid field name")
	assertDataError(t, st.PutAt(9, 1), "field index 9 out of range")
	if err := st.PutAt(1, "ann"); err != nil {
		t.Fatal(err)
	}
	if got := st.Get("nope"); got != nil {
		t.Errorf("Get(nope) = %v", got)
	}
	if got, want := st.String(), "Struct{id=1,name=ann}"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}

	same := schemas.NewStruct(s).MustPut("id", int64(1)).MustPut("name", "ann")
	if !st.Equal(same) {
		t.Error("equal structs differ")
	}
	same.MustPut("score", int32(7))
	if st.Equal(same) {
		t.Error("a set default equals an unset one")
	}
}

func TestStructString(t *testing.T) {
	t.Parallel()
	inner := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int8Schema).MustBuild()
	s := schemas.NewBuilder(schemas.TypeStruct).
		Field("f", schemas.Float64Schema).
		Field("l", schemas.Array(schemas.Float32Schema).MustBuild()).
		Field("m", schemas.Map(schemas.StringSchema, schemas.BooleanSchema).MustBuild()).
		Field("d", schemas.DecimalSchema(3)).
		Field("t", schemas.TimestampSchema).
		Field("s", inner).
		MustBuild()
	st := schemas.NewStruct(s).
		MustPut("f", 1e20).
		MustPut("l", []any{float32(1), float32(0.5)}).
		MustPut("m", map[string]any{"b": true, "a": false}).
		MustPut("d", big.NewRat(3, 2)).
		MustPut("t", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)).
		MustPut("s", schemas.NewStruct(inner).MustPut("a", int8(-1)))
	want := "Struct{f=1.0E20,l=[1.0, 0.5],m={a=false, b=true},d=1.500,t=Thu Jan 01 00:00:00 UTC 1970,s=Struct{a=-1}}"
	if got := st.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func TestNewStructPanicsOnNonStruct(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("NewStruct(INT8) did not panic")
		}
	}()
	schemas.NewStruct(schemas.Int8Schema)
}

func TestEqualValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b any
		want bool
	}{
		{"nils", nil, nil, true},
		{"typed nil struct", (*schemas.Struct)(nil), nil, true},
		{"nil vs zero", nil, int32(0), false},
		{"ints", int32(1), int32(1), true},
		{"int widths differ", int32(1), int64(1), false},
		{"bytes", []byte("ab"), []byte("ab"), true},
		{"bytes differ", []byte("ab"), []byte("ac"), false},
		{"rats", big.NewRat(1, 2), big.NewRat(2, 4), true},
		{"times in zones", time.Unix(5, 0).UTC(), time.Unix(5, 0).In(time.FixedZone("x", 3600)), true},
		{"NaN", nanF(), nanF(), true},
		{"signed zero", 0.0, negZero(), false},
		{"lists", []any{int8(1), "a"}, []any{int8(1), "a"}, true},
		{"lists differ", []any{int8(1)}, []any{int8(2)}, false},
		{"map kinds", map[string]any{"a": int8(1)}, map[any]any{"a": int8(1)}, true},
		{"maps differ", map[string]any{"a": int8(1)}, map[string]any{"a": int8(2)}, false},
		{"map rat keys", map[any]any{big.NewRat(1, 2): true}, map[any]any{big.NewRat(1, 2): true}, true},
	}
	for _, tt := range tests {
		if got := schemas.EqualValues(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: EqualValues = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestStructValidateNested: Validate skips re-checking the scalar values Put
// checked, but still finds a nested struct's unset required field and a
// container changed after it was put.
func TestStructValidateNested(t *testing.T) {
	inner := schemas.NewBuilder(schemas.TypeStruct).Name("inner").Field("id", schemas.Int64Schema).Field("note", schemas.OptionalStringSchema).MustBuild()
	outer := schemas.NewBuilder(schemas.TypeStruct).Name("outer").Field("in", inner).Field("list", schemas.Array(schemas.Int32Schema).MustBuild()).MustBuild()
	tests := []struct {
		name    string
		build   func(t *testing.T) *schemas.Struct
		wantErr bool
	}{
		{"complete", func(t *testing.T) *schemas.Struct {
			return schemas.NewStruct(outer).MustPut("in", schemas.NewStruct(inner).MustPut("id", int64(1))).MustPut("list", []any{int32(1)})
		}, false},
		{"nested struct never set", func(t *testing.T) *schemas.Struct {
			return schemas.NewStruct(outer).MustPut("list", []any{int32(1)})
		}, true},
		{"array element changed after put", func(t *testing.T) *schemas.Struct {
			list := []any{int32(1)}
			s := schemas.NewStruct(outer).MustPut("in", schemas.NewStruct(inner).MustPut("id", int64(1))).MustPut("list", list)
			list[0] = "not an int32"
			return s
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.build(t).Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
	// A nested struct missing a required field is refused when put.
	if err := schemas.NewStruct(outer).Put("in", schemas.NewStruct(inner)); err == nil {
		t.Fatal("Put of a nested struct without its required id succeeded")
	}
}
