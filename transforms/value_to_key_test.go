package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

func TestValueToKey(t *testing.T) {
	valueSchema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("a", schemas.Int32Schema).Field("b", schemas.Int32Schema).Field("c", schemas.Int32Schema))
	value := structOf(t, valueSchema, "a", int32(1), "b", int32(2), "c", int32(3))

	tr := configured(t, newValueToKey(), map[string]string{"fields": "b,a"})
	r := &Record{Record: connectors.Record{Topic: "t", KeySchema: schemas.StringSchema, Key: "old", ValueSchema: valueSchema, Value: value}}
	if keep, err := tr.Apply(r); err != nil || !keep {
		t.Fatalf("Apply = %v, %v", keep, err)
	}
	wantKey := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("b", schemas.Int32Schema).Field("a", schemas.Int32Schema))
	wantSchema(t, "key", r.KeySchema, wantKey)
	if !r.Key.(*schemas.Struct).Equal(structOf(t, wantKey, "b", int32(2), "a", int32(1))) {
		t.Errorf("key = %v", r.Key)
	}
	if r.ValueSchema != valueSchema || r.Value != value {
		t.Error("the value changed")
	}
	firstSchema := r.KeySchema
	r.Value = structOf(t, valueSchema, "a", int32(4), "b", int32(5), "c", int32(6))
	if _, err := tr.Apply(r); err != nil || r.KeySchema != firstSchema {
		t.Errorf("second Apply: %v, schema rebuilt: %v", err, r.KeySchema != firstSchema)
	}

	// Schemaless: a map of the listed fields, absent ones null.
	tr = configured(t, newValueToKey(), map[string]string{"fields": "a,b,z"})
	in := map[string]any{"a": 1, "b": 2, "c": 3}
	r = &Record{Record: connectors.Record{Topic: "t", KeySchema: schemas.StringSchema, Key: "old", Value: in}}
	if _, err := tr.Apply(r); err != nil {
		t.Fatal(err)
	}
	if r.KeySchema != nil {
		t.Errorf("key schema = %v", r.KeySchema)
	}
	wantEqual(t, "key", r.Key, map[string]any{"a": 1, "b": 2, "z": nil})
	wantEqual(t, "value", r.Value, map[string]any{"a": 1, "b": 2, "c": 3})
}

func TestValueToKeyDefaults(t *testing.T) {
	valueSchema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).
		Field("optional_with_default", mustBuild(t, schemas.NewBuilder(schemas.TypeInt32).Optional().Default(int32(42)))))
	for _, tc := range []struct {
		replace string
		want    any
	}{{"true", int32(42)}, {"false", nil}} {
		tr := configured(t, newValueToKey(), map[string]string{"fields": "optional_with_default", "replace.null.with.default": tc.replace})
		r := &Record{Record: connectors.Record{ValueSchema: valueSchema, Value: structOf(t, valueSchema)}}
		if _, err := tr.Apply(r); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "replace="+tc.replace, r.Key.(*schemas.Struct).GetWithoutDefault("optional_with_default"), tc.want)
	}
}

func TestValueToKeyErrors(t *testing.T) {
	valueSchema := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema))
	for _, tc := range []struct {
		name, fields string
		schema       *schemas.Schema
		value        any
		want         string
	}{
		{"missing field", "not_exist", valueSchema, structOf(t, valueSchema, "a", int32(1)), "Field does not exist: not_exist"},
		{"field twice", "a,a", valueSchema, structOf(t, valueSchema, "a", int32(1)), "invalid schema: cannot create field because of field name duplication a"},
		{"null struct", "a", valueSchema, nil, "Only Struct objects supported for [copying fields from value to key], found: null"},
		{"null map", "a", nil, nil, "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"},
		{"not a map", "a", nil, int64(1), "Only Map objects supported in absence of schema for [copying fields from value to key], found: java.lang.Long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := configured(t, newValueToKey(), map[string]string{"fields": tc.fields})
			_, err := tr.Apply(&Record{Record: connectors.Record{ValueSchema: tc.schema, Value: tc.value}})
			wantDataError(t, err, tc.want)
		})
	}

	wantConfigError(t, newValueToKey(), map[string]string{}, "fields", `Missing required configuration "fields" which has no default value.`)
	wantConfigError(t, newValueToKey(), map[string]string{"fields": ""}, "fields", "Invalid value [] for configuration fields: Empty list")
}
