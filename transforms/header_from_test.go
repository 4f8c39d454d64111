package transforms

import (
	"reflect"
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

type hfField struct {
	name   string
	schema *schemas.Schema
	value  any
}

func hfSchema(fields []hfField) *schemas.Schema {
	b := schemas.NewBuilder(schemas.TypeStruct)
	for _, f := range fields {
		b.Field(f.name, f.schema)
	}
	return b.MustBuild()
}

func hfStruct(schema *schemas.Schema, fields []hfField) *schemas.Struct {
	st := schemas.NewStruct(schema)
	for _, f := range fields {
		st.MustPut(f.name, f.value)
	}
	return st
}

func hfMap(fields []hfField) map[string]any {
	m := map[string]any{}
	for _, f := range fields {
		m[f.name] = f.value
	}
	return m
}

// The cases of Kafka Connect's HeaderFromTest, run on the key and on the
// value, with and without a schema.
func TestHeaderFrom(t *testing.T) {
	str := schemas.StringSchema
	withDefault := schemas.NewBuilder(schemas.TypeString).Optional().Default("default").MustBuild()
	inner := schemas.NewBuilder(schemas.TypeStruct).Field("foo", str).MustBuild()
	innerValue := schemas.NewStruct(inner).MustPut("foo", "foo-value")
	f1, f2 := hfField{"field1", str, "field1-value"}, hfField{"field2", str, "field2-value"}
	header1 := strHeader("header1", "existing-value")
	h := func(key string, schema *schemas.Schema, value any) connectors.Header {
		return connectors.Header{Key: key, Schema: schema, Value: value}
	}
	tests := []struct {
		name           string
		fields         []hfField
		headers        connectors.Headers
		from, to, op   string
		replaceNull    string
		wantFields     []hfField
		wantHeaders    connectors.Headers // appended ones, with the schemaful schemas
		wantSchemaless []any              // values of the appended headers for a map, when they differ
	}{
		{name: "basic copy", fields: []hfField{f1, f2}, headers: spareHeaders(header1),
			from: "field1", to: "inserted1", op: "copy",
			wantFields: []hfField{f1, f2}, wantHeaders: connectors.Headers{h("inserted1", str, "field1-value")}},
		{name: "basic move", fields: []hfField{f1, f2}, headers: spareHeaders(header1),
			from: "field1", to: "inserted1", op: "move",
			wantFields: []hfField{f2}, wantHeaders: connectors.Headers{h("inserted1", str, "field1-value")}},
		{name: "copy with preexisting header", fields: []hfField{f1, f2}, headers: spareHeaders(strHeader("inserted1", "existing-value")),
			from: "field1", to: "inserted1", op: "copy",
			wantFields: []hfField{f1, f2}, wantHeaders: connectors.Headers{h("inserted1", str, "field1-value")}},
		{name: "move with preexisting header", fields: []hfField{f1, f2}, headers: spareHeaders(strHeader("inserted1", "existing-value")),
			from: "field1", to: "inserted1", op: "move",
			wantFields: []hfField{f2}, wantHeaders: connectors.Headers{h("inserted1", str, "field1-value")}},
		{name: "copy with struct value", fields: []hfField{{"field1", inner, innerValue}, f2}, headers: spareHeaders(header1),
			from: "field1", to: "inserted1", op: "copy",
			wantFields: []hfField{{"field1", inner, innerValue}, f2}, wantHeaders: connectors.Headers{h("inserted1", inner, innerValue)}},
		{name: "move with struct value", fields: []hfField{{"field1", inner, innerValue}, f2}, headers: spareHeaders(header1),
			from: "field1", to: "inserted1", op: "move",
			wantFields: []hfField{f2}, wantHeaders: connectors.Headers{h("inserted1", inner, innerValue)}},
		{name: "two headers from same field", fields: []hfField{f1, f2}, headers: spareHeaders(header1),
			from: "field1,field1", to: "inserted1,inserted2", op: "move",
			wantFields:  []hfField{f2},
			wantHeaders: connectors.Headers{h("inserted1", str, "field1-value"), h("inserted2", str, "field1-value")}},
		{name: "two fields to same header", fields: []hfField{f1, f2}, headers: spareHeaders(header1),
			from: "field1,field2", to: "inserted1,inserted1", op: "move",
			wantFields:  []hfField{},
			wantHeaders: connectors.Headers{h("inserted1", str, "field1-value"), h("inserted1", str, "field2-value")}},
		{name: "copy null field without default", headers: spareHeaders(header1),
			fields: []hfField{{"field1", withDefault, "field1-value"}, {"field2", withDefault, nil}},
			from:   "field1,field2", to: "inserted1,inserted2", op: "copy", replaceNull: "false",
			wantFields:  []hfField{{"field1", withDefault, "field1-value"}, {"field2", withDefault, nil}},
			wantHeaders: connectors.Headers{h("inserted1", withDefault, "field1-value"), h("inserted2", withDefault, nil)}},
		{name: "move null field without default", headers: spareHeaders(header1),
			fields: []hfField{{"field1", withDefault, "field1-value"}, {"field2", withDefault, nil}},
			from:   "field1,field2", to: "inserted1,inserted2", op: "move", replaceNull: "false",
			wantFields:  []hfField{},
			wantHeaders: connectors.Headers{h("inserted1", withDefault, "field1-value"), h("inserted2", withDefault, nil)}},
		{name: "copy null field with default", headers: nil,
			fields: []hfField{{"field1", withDefault, nil}, f2},
			from:   "field1", to: "inserted1", op: "copy", replaceNull: "true",
			wantFields:     []hfField{{"field1", withDefault, nil}, f2},
			wantHeaders:    connectors.Headers{h("inserted1", withDefault, "default")},
			wantSchemaless: []any{nil}},
		{name: "move keeps other null fields unset", headers: nil,
			fields: []hfField{f1, {"field2", withDefault, nil}},
			from:   "field1", to: "inserted1", op: "move", replaceNull: "false",
			wantFields:  []hfField{{"field2", withDefault, nil}},
			wantHeaders: connectors.Headers{h("inserted1", str, "field1-value")}},
	}
	for _, side := range []Side{Key, Value} {
		for _, schemaful := range []bool{true, false} {
			for _, tt := range tests {
				mode := map[bool]string{true: "struct", false: "map"}[schemaful]
				t.Run(side.String()+"/"+mode+"/"+tt.name, func(t *testing.T) {
					props := map[string]string{"fields": tt.from, "headers": tt.to, "operation": tt.op}
					if tt.replaceNull != "" {
						props["replace.null.with.default"] = tt.replaceNull
					}
					tr := configured(t, newHeaderFrom(side), props)
					r := &Record{Record: connectors.Record{Topic: "topic", Partition: connectors.Partition(0),
						Key: "key", Value: "value", Headers: tt.headers}}
					var wantSchema *schemas.Schema
					var want any
					if schemaful {
						schema := hfSchema(tt.fields)
						side.Set(r, schema, hfStruct(schema, tt.fields))
						wantSchema = hfSchema(tt.wantFields)
						want = hfStruct(wantSchema, tt.wantFields)
						if tt.op == "copy" {
							wantSchema = schema
						}
					} else {
						side.Set(r, nil, hfMap(tt.fields))
						want = hfMap(tt.wantFields)
					}
					check := guardInputs(t, r)
					keep, err := tr.Apply(r)
					if err != nil || !keep {
						t.Fatalf("Apply = %v, %v", keep, err)
					}
					check()

					gotSchema, got := side.Get(r)
					if !gotSchema.Equal(wantSchema) {
						t.Errorf("schema = %v, want %v", gotSchema, wantSchema)
					}
					if !schemas.EqualValues(got, want) {
						t.Errorf("%v = %v, want %v", side, got, want)
					}
					wantHeaders := append(connectors.Headers{}, tt.headers...)
					for i, x := range tt.wantHeaders {
						if !schemaful {
							x.Schema = nil
							if tt.wantSchemaless != nil {
								x.Value = tt.wantSchemaless[i]
							}
						}
						wantHeaders = append(wantHeaders, x)
					}
					if !reflect.DeepEqual(r.Headers, wantHeaders) {
						t.Errorf("headers = %v\nwant %v", r.Headers, wantHeaders)
					}
					if side == Key && (r.Value != "value" || r.ValueSchema != nil) || side == Value && (r.Key != "key" || r.KeySchema != nil) {
						t.Errorf("Apply changed the other side: %+v", r.Record)
					}
				})
			}
		}
	}
}

func TestHeaderFromMovedSchema(t *testing.T) {
	tr := configured(t, newHeaderFrom(Value), map[string]string{"fields": "a", "headers": "h", "operation": "move"})
	schema := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").Version(3).Doc("doc").Optional().
		Field("a", schemas.Int32Schema).Field("b", schemas.OptionalStringSchema).MustBuild()
	var first *schemas.Schema
	for i := range 2 {
		r := &Record{Record: connectors.Record{Topic: "t", ValueSchema: schema,
			Value: schemas.NewStruct(schema).MustPut("a", int32(i)).MustPut("b", "x")}}
		if _, err := tr.Apply(r); err != nil {
			t.Fatal(err)
		}
		want := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").Version(3).Doc("doc").
			Field("b", schemas.OptionalStringSchema).MustBuild()
		if !r.ValueSchema.Equal(want) {
			t.Errorf("schema = %+v, want %+v", r.ValueSchema, want)
		}
		if i == 0 {
			first = r.ValueSchema
		} else if r.ValueSchema != first {
			t.Error("the moved schema was derived again for the same input schema")
		}
		if h, _ := r.Headers.Last("h"); h.Value != int32(i) || h.Schema != schemas.Int32Schema {
			t.Errorf("header = %+v", h)
		}
	}
}

func TestHeaderFromErrors(t *testing.T) {
	schema := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).MustBuild()
	tests := []struct {
		name   string
		op     string
		schema *schemas.Schema
		value  any
		want   string
	}{
		{"tombstone with schema", "move", schema, nil, "Only Struct objects supported for [header move], found: null"},
		{"schemaless tombstone", "copy", nil, nil, "Only Map objects supported in absence of schema for [header copy], found: null"},
		{"not a struct", "copy", schemas.Int32Schema, int32(1), "Only Struct objects supported for [header copy], found: java.lang.Integer"},
		{"not a map", "move", nil, "text", "Only Map objects supported in absence of schema for [header move], found: java.lang.String"},
		{"unknown field", "copy", schema, schemas.NewStruct(schema).MustPut("a", int32(1)), "missing is not a valid field name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			field := "a"
			if tt.name == "unknown field" {
				field = "missing"
			}
			tr := configured(t, newHeaderFrom(Value), map[string]string{"fields": field, "headers": "h", "operation": tt.op})
			r := &Record{Record: connectors.Record{Topic: "t", ValueSchema: tt.schema, Value: tt.value,
				Headers: spareHeaders(strHeader("x", "y"))}}
			check := guardInputs(t, r)
			_, err := tr.Apply(r)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Apply error = %v, want %q", err, tt.want)
			}
			check()
		})
	}
}

func TestHeaderFromSchemalessAnyKeys(t *testing.T) {
	tr := configured(t, newHeaderFrom(Key), map[string]string{"fields": "a", "headers": "h", "operation": "move"})
	r := &Record{Record: connectors.Record{Topic: "t", Key: map[any]any{"a": int64(1), "b": int64(2)}}}
	check := guardInputs(t, r)
	if _, err := tr.Apply(r); err != nil {
		t.Fatal(err)
	}
	check()
	if want := map[string]any{"b": int64(2)}; !reflect.DeepEqual(r.Key, want) {
		t.Errorf("key = %v, want %v", r.Key, want)
	}
	if h, ok := r.Headers.Last("h"); !ok || h.Value != int64(1) || h.Schema != nil {
		t.Errorf("header = %+v, %v", h, ok)
	}
}

func TestHeaderFromConfig(t *testing.T) {
	tests := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"fields": "foo,bar", "headers": "foo", "operation": "copy"},
			"'fields' config must have the same number of elements as 'headers' config."},
		{map[string]string{"fields": "foo", "headers": "foo,bar", "operation": "copy"},
			"'fields' config must have the same number of elements as 'headers' config."},
		{map[string]string{"fields": "", "headers": "", "operation": "copy"},
			"Invalid value [] for configuration fields: Empty list; Invalid value [] for configuration headers: Empty list"},
		{map[string]string{"fields": "a", "headers": "b", "operation": "swap"},
			"Invalid value swap for configuration operation: String must be one of: move, copy"},
		{map[string]string{"fields": "a", "headers": "b"},
			`Missing required configuration "operation" which has no default value.`},
		{map[string]string{"fields": "a", "headers": "b", "operation": "copy", "replace.null.with.default": "maybe"},
			"Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"},
	}
	for _, side := range []Side{Key, Value} {
		for _, tt := range tests {
			if got := configureError(t, newHeaderFrom(side), tt.props); got != tt.want {
				t.Errorf("%v: Configure(%v) = %q, want %q", side, tt.props, got, tt.want)
			}
		}
	}
}
