package schemas_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	point := schemas.NewBuilder(schemas.TypeStruct).Name("p").Field("x", schemas.Int32Schema).MustBuild()
	other := schemas.NewBuilder(schemas.TypeStruct).Name("q").Field("x", schemas.Int32Schema).MustBuild()
	goodPoint := schemas.NewStruct(point).MustPut("x", int32(1))
	tests := []struct {
		name    string
		schema  *schemas.Schema
		value   any
		wantErr string // empty: valid
	}{
		{"int8", schemas.Int8Schema, int8(1), ""},
		{"int8 as int", schemas.Int8Schema, 1, "Invalid Go value for schema with type INT8: int (want int8) for value"},
		{"int16", schemas.Int16Schema, int16(1), ""},
		{"int32", schemas.Int32Schema, int32(1), ""},
		{"int64", schemas.Int64Schema, int64(1), ""},
		{"int64 as int32", schemas.Int64Schema, int32(1), "want int64"},
		{"float32", schemas.Float32Schema, float32(1), ""},
		{"float64", schemas.Float64Schema, 1.5, ""},
		{"float64 as float32", schemas.Float64Schema, float32(1), "want float64"},
		{"boolean", schemas.BooleanSchema, true, ""},
		{"string", schemas.StringSchema, "x", ""},
		{"string as bytes", schemas.StringSchema, []byte("x"), "want string"},
		{"bytes", schemas.BytesSchema, []byte("x"), ""},
		{"null required", schemas.Int8Schema, nil, "Invalid value: null used for required value, schema type: INT8"},
		{"null optional", schemas.OptionalInt8Schema, nil, ""},
		{"typed nil struct", point, (*schemas.Struct)(nil), "null used for required"},
		{"array", schemas.Array(schemas.Int32Schema).MustBuild(), []any{int32(1), int32(2)}, ""},
		{"array bad element", schemas.Array(schemas.Int32Schema).MustBuild(), []any{int32(1), "2"}, "for element of array value"},
		{"array null element", schemas.Array(schemas.Int32Schema).MustBuild(), []any{nil}, "null used for required element of array value"},
		{"array optional element", schemas.Array(schemas.OptionalInt32Schema).MustBuild(), []any{nil}, ""},
		{"typed slice", schemas.Array(schemas.StringSchema).MustBuild(), []string{"a"}, "want []any"},
		{"map string keys", schemas.Map(schemas.StringSchema, schemas.Int8Schema).MustBuild(), map[string]any{"a": int8(1)}, ""},
		{"map any keys", schemas.Map(schemas.Int32Schema, schemas.Int8Schema).MustBuild(), map[any]any{int32(1): int8(1)}, ""},
		{"map bad key", schemas.Map(schemas.Int32Schema, schemas.Int8Schema).MustBuild(), map[string]any{"a": int8(1)}, "for key of map value"},
		{"map bad value", schemas.Map(schemas.StringSchema, schemas.Int8Schema).MustBuild(), map[any]any{"a": "b"}, "for value of map value"},
		{"struct", point, goodPoint, ""},
		{"struct other schema", other, goodPoint, "Struct schemas do not match"},
		{"struct missing field", point, schemas.NewStruct(point), `null used for required field: "x"`},
		{"decimal", schemas.DecimalSchema(2), big.NewRat(1, 2), ""},
		{"decimal as float", schemas.DecimalSchema(2), 0.5, `schema "org.apache.kafka.connect.data.Decimal" with type BYTES: float64 (want *big.Rat)`},
		{"date", schemas.DateSchema, time.Unix(0, 0), ""},
		{"date as int32", schemas.DateSchema, int32(0), "want time.Time"},
		{"time", schemas.TimeSchema, time.Unix(0, 0), ""},
		{"timestamp", schemas.TimestampSchema, time.Unix(0, 0), ""},
		{"nil schema", nil, 1, "No schema defined for value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.schema.Validate(tt.value)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate(%v) = %v", tt.value, err)
				}
				return
			}
			assertDataError(t, err, tt.wantErr)
		})
	}
}
