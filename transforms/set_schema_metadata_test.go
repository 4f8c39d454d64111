package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

func TestSetSchemaMetadata(t *testing.T) {
	empty := schemas.NewBuilder(schemas.TypeStruct).MustBuild()
	row := schemas.NewBuilder(schemas.TypeStruct).Name("my.orig.SchemaDefn").Doc("doc").Parameter("p", "v").
		Field("f1", schemas.StringSchema).Field("f2", schemas.Int32Schema).MustBuild()
	arr := schemas.Array(schemas.Int64Schema).Optional().MustBuild()
	tests := []struct {
		name         string
		props        map[string]string
		schema       *schemas.Schema
		value        any
		wantName     string
		wantVersion  *int
		wantSameData bool // the value is passed on as is
	}{
		{"name", map[string]string{"schema.name": "foo"}, empty, nil, "foo", nil, true},
		{"version", map[string]string{"schema.version": "42"}, empty, nil, "", new(42), true},
		{"name and version", map[string]string{"schema.name": "foo", "schema.version": "42"}, empty, nil, "foo", new(42), true},
		{"struct", map[string]string{"schema.name": "foo", "schema.version": "42"}, row,
			schemas.NewStruct(row).MustPut("f1", "value1").MustPut("f2", int32(1)), "foo", new(42), false},
		{"keeps the old name", map[string]string{"schema.version": "2"}, row,
			schemas.NewStruct(row).MustPut("f1", "value1").MustPut("f2", int32(1)), "my.orig.SchemaDefn", new(2), false},
		{"primitive", map[string]string{"schema.name": "count"}, schemas.Int32Schema, int32(1), "count", nil, true},
		{"array", map[string]string{"schema.name": "list"}, arr, []any{int64(1)}, "list", nil, true},
	}
	for _, side := range []Side{Key, Value} {
		for _, tt := range tests {
			t.Run(side.String()+"/"+tt.name, func(t *testing.T) {
				tr := configured(t, newSetSchemaMetadata(side), tt.props)
				r := &Record{Record: connectors.Record{Topic: "", Partition: connectors.Partition(0)}, Sink: true}
				side.Set(r, tt.schema, tt.value)
				check := guardInputs(t, r)
				if keep, err := tr.Apply(r); err != nil || !keep {
					t.Fatalf("Apply = %v, %v", keep, err)
				}
				check()
				got, v := side.Get(r)
				if got.Name != tt.wantName || (got.Version == nil) != (tt.wantVersion == nil) ||
					(got.Version != nil && *got.Version != *tt.wantVersion) {
					t.Errorf("schema = %+v, want name %q version %v", got, tt.wantName, tt.wantVersion)
				}
				// Everything else is the old schema's.
				want := *tt.schema
				want.Name, want.Version = got.Name, got.Version
				if !got.Equal(&want) {
					t.Errorf("schema = %+v, want %+v", got, &want)
				}
				if tt.wantSameData {
					if !schemas.EqualValues(v, tt.value) {
						t.Errorf("value = %v, want %v", v, tt.value)
					}
					return
				}
				st := v.(*schemas.Struct)
				if st.Schema() != got {
					t.Error("the Struct does not carry the new schema")
				}
				for _, f := range got.Fields {
					if gf, _ := st.Schema().Field(f.Name); gf.Index != f.Index || gf.Schema != f.Schema {
						t.Errorf("field %s = %+v, want %+v", f.Name, gf, f)
					}
					if !schemas.EqualValues(st.Get(f.Name), tt.value.(*schemas.Struct).Get(f.Name)) {
						t.Errorf("field %s = %v", f.Name, st.Get(f.Name))
					}
				}
				if other, _ := map[Side]Side{Key: Value, Value: Key}[side].Get(r); other != nil {
					t.Errorf("the other side got schema %v", other)
				}
			})
		}
	}
}

// Kafka Connect's schemaNameAndVersionUpdateWithStructAndNullField.
func TestSetSchemaMetadataReplaceNullWithDefault(t *testing.T) {
	schema := schemas.NewBuilder(schemas.TypeStruct).Name("my.orig.SchemaDefn").
		Field("f1", schemas.NewBuilder(schemas.TypeString).Default("default").Optional().MustBuild()).
		Field("f2", schemas.Int32Schema).MustBuild()
	for _, tt := range []struct {
		replace string
		want    any
	}{{"false", nil}, {"true", "default"}} {
		tr := configured(t, newSetSchemaMetadata(Value), map[string]string{
			"schema.name": "foo", "schema.version": "42", "replace.null.with.default": tt.replace})
		r := &Record{Record: connectors.Record{ValueSchema: schema,
			Value: schemas.NewStruct(schema).MustPut("f1", nil).MustPut("f2", int32(1))}}
		if _, err := tr.Apply(r); err != nil {
			t.Fatal(err)
		}
		st := r.Value.(*schemas.Struct)
		if st.Schema() != r.ValueSchema || r.ValueSchema.Name != "foo" || *r.ValueSchema.Version != 42 {
			t.Errorf("schema = %+v", r.ValueSchema)
		}
		if got := st.GetWithoutDefault("f1"); got != tt.want {
			t.Errorf("replace.null.with.default=%s: f1 = %v, want %v", tt.replace, got, tt.want)
		}
	}
}

func TestSetSchemaMetadataNullsAndErrors(t *testing.T) {
	tr := configured(t, newSetSchemaMetadata(Value), map[string]string{"schema.name": "foo"})

	// A record without value and schema passes unchanged.
	r := &Record{Record: connectors.Record{Topic: "t"}, Sink: true}
	if keep, err := tr.Apply(r); err != nil || !keep || r.ValueSchema != nil || r.Value != nil || r.KeySchema != nil || r.Key != nil {
		t.Errorf("Apply = %v, %v; record %+v", keep, err, r)
	}

	// A null value with a schema gets the new schema.
	schema := schemas.NewBuilder(schemas.TypeStruct).Optional().Field("a", schemas.Int32Schema).MustBuild()
	r = &Record{Record: connectors.Record{ValueSchema: schema}}
	if _, err := tr.Apply(r); err != nil || r.ValueSchema.Name != "foo" || r.Value != nil {
		t.Errorf("Apply = %v; schema %+v value %v", err, r.ValueSchema, r.Value)
	}

	// A value needs a schema.
	r = &Record{Record: connectors.Record{Value: int32(42)}}
	if _, err := tr.Apply(r); err == nil || err.Error() != "Schema required for [updating schema metadata]" {
		t.Errorf("Apply error = %v", err)
	}
}

func TestSetSchemaMetadataCachesSchemas(t *testing.T) {
	tr := configured(t, newSetSchemaMetadata(Key), map[string]string{"schema.name": "foo"})
	schema := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).MustBuild()
	var seen *schemas.Schema
	for i := range 3 {
		r := &Record{Record: connectors.Record{KeySchema: schema, Key: schemas.NewStruct(schema).MustPut("a", int32(i))}}
		if _, err := tr.Apply(r); err != nil {
			t.Fatal(err)
		}
		if seen != nil && r.KeySchema != seen {
			t.Fatal("records of one schema got different renamed schemas")
		}
		seen = r.KeySchema
		if got := r.Key.(*schemas.Struct).Get("a"); got != int32(i) {
			t.Errorf("a = %v", got)
		}
	}
}

func TestSetSchemaMetadataConfig(t *testing.T) {
	tests := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, "Neither schema name nor version configured"},
		{map[string]string{"schema.version": "x"}, "Invalid value x for configuration schema.version: Not a number of type INT"},
	}
	for _, side := range []Side{Key, Value} {
		for _, tt := range tests {
			if got := configureError(t, newSetSchemaMetadata(side), tt.props); got != tt.want {
				t.Errorf("%v: Configure(%v) = %q, want %q", side, tt.props, got, tt.want)
			}
		}
	}
}
