package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/schemas"
)

func TestHoistField(t *testing.T) {
	row := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("n", schemas.Int32Schema))
	for _, tc := range []struct {
		name   string
		schema *schemas.Schema
		value  any
	}{
		{"schemaless", nil, 42},
		{"schemaless null", nil, nil},
		{"schemaless map", nil, map[string]any{"a": 1}},
		{"int32", schemas.Int32Schema, int32(42)},
		{"optional null", schemas.OptionalStringSchema, nil},
		{"struct", row, structOf(t, row, "n", int32(1))},
	} {
		for _, s := range sides {
			t.Run(tc.name+"/"+s.String(), func(t *testing.T) {
				tr := configured(t, newHoistField(s), map[string]string{"field": "magic"})
				gotSchema, got := apply(t, tr, s, tc.schema, tc.value)
				if tc.schema == nil {
					if gotSchema != nil {
						t.Fatalf("schema = %v", gotSchema)
					}
					wantEqual(t, "value", got, map[string]any{"magic": tc.value})
					return
				}
				wantSchema(t, "hoisted", gotSchema, mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("magic", tc.schema)))
				if gotSchema.Fields[0].Schema != tc.schema {
					t.Error("the field schema is not the input schema")
				}
				st := got.(*schemas.Struct)
				if st.Schema() != gotSchema {
					t.Error("the Struct's schema is not the record's")
				}
				wantEqual(t, "magic", st.Get("magic"), tc.value)
				if again, _ := apply(t, tr, s, tc.schema, tc.value); again != gotSchema {
					t.Error("the wrapper schema was built twice")
				}
			})
		}
	}
}

func TestHoistFieldErrors(t *testing.T) {
	wantConfigError(t, newHoistField(Value), map[string]string{}, "field", `Missing required configuration "field" which has no default value.`)

	tr := configured(t, newHoistField(Value), map[string]string{"field": "magic"})
	wantDataError(t, applyErr(t, tr, Value, schemas.StringSchema, nil),
		`Invalid value: null used for required field: "magic", schema type: STRING`)
}
