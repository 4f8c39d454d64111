package transforms

import (
	"reflect"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// insertAll is the configuration of most of Kafka Connect's InsertFieldTest
// cases.
func insertAll() map[string]string {
	return map[string]string{
		"topic.field":     "topic_field!",
		"partition.field": "partition_field",
		"timestamp.field": "timestamp_field?",
		"static.field":    "instance_id",
		"static.value":    "my-instance-id",
	}
}

func TestInsertFieldWithSchema(t *testing.T) {
	for _, side := range []Side{Key, Value} {
		t.Run(side.String(), func(t *testing.T) {
			tr := configured(t, newInsertField(side), insertAll())
			schema := schemas.NewBuilder(schemas.TypeStruct).Name("name").Version(1).Doc("doc").
				Field("magic", schemas.OptionalInt64Schema).MustBuild()
			r := &Record{Record: connectors.Record{Topic: "test", Partition: connectors.Partition(0),
				Timestamp: time.UnixMilli(789), Headers: spareHeaders(strHeader("h", "v"))}}
			side.Set(r, schema, schemas.NewStruct(schema).MustPut("magic", int64(42)))
			check := guardInputs(t, r)
			if keep, err := tr.Apply(r); err != nil || !keep {
				t.Fatalf("Apply = %v, %v", keep, err)
			}
			check()

			gotSchema, got := side.Get(r)
			want := schemas.NewBuilder(schemas.TypeStruct).Name("name").Version(1).Doc("doc").
				Field("magic", schemas.OptionalInt64Schema).
				Field("topic_field", schemas.StringSchema).
				Field("partition_field", schemas.OptionalInt32Schema).
				Field("timestamp_field", schemas.TimestampBuilder().Optional().MustBuild()).
				Field("instance_id", schemas.OptionalStringSchema).MustBuild()
			if !gotSchema.Equal(want) {
				t.Fatalf("schema = %+v\nwant %+v", gotSchema, want)
			}
			st := got.(*schemas.Struct)
			if st.Schema() != gotSchema {
				t.Error("the Struct does not carry the record's schema")
			}
			for name, v := range map[string]any{"magic": int64(42), "topic_field": "test", "partition_field": int32(0),
				"timestamp_field": time.UnixMilli(789).UTC(), "instance_id": "my-instance-id"} {
				if !schemas.EqualValues(st.Get(name), v) {
					t.Errorf("%s = %v, want %v", name, st.Get(name), v)
				}
			}
			if err := st.Validate(); err != nil {
				t.Error(err)
			}

			// The schema is derived once per input schema.
			r2 := &Record{Record: connectors.Record{Topic: "test", Partition: connectors.Partition(1)}}
			side.Set(r2, schema, schemas.NewStruct(schema))
			if _, err := tr.Apply(r2); err != nil {
				t.Fatal(err)
			}
			if s, _ := side.Get(r2); s != gotSchema {
				t.Error("a second record of the same schema got a new schema")
			}
			st2 := func() *schemas.Struct { _, v := side.Get(r2); return v.(*schemas.Struct) }()
			if st2.Get("timestamp_field") != nil || st2.Get("magic") != nil {
				t.Errorf("absent timestamp or null field was set: %v", st2)
			}
		})
	}
}

func TestInsertFieldSchemaless(t *testing.T) {
	for _, side := range []Side{Key, Value} {
		t.Run(side.String(), func(t *testing.T) {
			tr := configured(t, newInsertField(side), insertAll())
			r := &Record{Record: connectors.Record{Topic: "test", Partition: connectors.Partition(0),
				Timestamp: time.UnixMilli(123)}}
			side.Set(r, nil, map[string]any{"magic": int64(42)})
			check := guardInputs(t, r)
			if _, err := tr.Apply(r); err != nil {
				t.Fatal(err)
			}
			check()
			want := map[string]any{"magic": int64(42), "topic_field": "test", "partition_field": int32(0),
				"timestamp_field": int64(123), "instance_id": "my-instance-id"}
			if s, got := side.Get(r); s != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, %v; want nil, %v", s, got, want)
			}
		})
	}
}

// Metadata a record lacks (no partition, no timestamp) is not inserted.
func TestInsertFieldAbsentMetadata(t *testing.T) {
	tr := configured(t, newInsertField(Value), insertAll())
	r := &Record{Record: connectors.Record{Topic: "test", Value: map[string]any{"magic": int64(42)}}}
	if _, err := tr.Apply(r); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"magic": int64(42), "topic_field": "test", "instance_id": "my-instance-id"}
	if !reflect.DeepEqual(r.Value, want) {
		t.Errorf("value = %v, want %v", r.Value, want)
	}
}

func TestInsertFieldTombstones(t *testing.T) {
	schema := schemas.NewBuilder(schemas.TypeStruct).Name("name").Version(1).Doc("doc").
		Field("magic", schemas.OptionalInt64Schema).MustBuild()
	tests := []struct {
		name   string
		side   Side
		schema *schemas.Schema
	}{
		{"value tombstone without schema", Value, nil},
		{"value tombstone with schema", Value, schema},
		{"null key", Key, nil},
		{"null key with schema", Key, schema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := configured(t, newInsertField(tt.side), insertAll())
			r := &Record{Record: connectors.Record{Topic: "test", Partition: connectors.Partition(0),
				Key: map[string]any{"magic": int64(42)}, Value: map[string]any{"magic": int64(42)}}}
			tt.side.Set(r, tt.schema, nil)
			before := *r
			if keep, err := tr.Apply(r); err != nil || !keep {
				t.Fatalf("Apply = %v, %v", keep, err)
			}
			if !reflect.DeepEqual(*r, before) {
				t.Errorf("record changed: %+v, was %+v", r, before)
			}
		})
	}

	// Kafka Connect's insertKeyFieldsIntoTombstoneEvent: the key gets its
	// fields even though the value is null.
	tr := configured(t, newInsertField(Key), insertAll())
	r := &Record{Record: connectors.Record{Topic: "test", Partition: connectors.Partition(0), Key: map[string]any{"magic": int64(42)}}}
	if _, err := tr.Apply(r); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"magic": int64(42), "topic_field": "test", "partition_field": int32(0), "instance_id": "my-instance-id"}
	if !reflect.DeepEqual(r.Key, want) || r.Value != nil {
		t.Errorf("key = %v, value = %v; want %v, nil", r.Key, r.Value, want)
	}
}

func TestInsertFieldOffset(t *testing.T) {
	schema := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.StringSchema).MustBuild()
	const sourceErr = "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"
	tests := []struct {
		name    string
		offset  string
		sink    bool
		schema  *schemas.Schema
		value   any
		want    any // the offset field's value
		wantErr string
		req     bool
	}{
		{"sink struct", "offset_field", true, schema, schemas.NewStruct(schema).MustPut("a", "x"), int64(77), "", false},
		{"sink struct required", "offset_field!", true, schema, schemas.NewStruct(schema).MustPut("a", "x"), int64(77), "", true},
		{"sink map", "offset_field", true, nil, map[string]any{"a": "x"}, int64(77), "", false},
		{"source struct", "offset_field", false, schema, schemas.NewStruct(schema).MustPut("a", "x"), nil, sourceErr, false},
		{"source map", "offset_field", false, nil, map[string]any{"a": "x"}, nil, sourceErr, false},
		{"source tombstone", "offset_field", false, nil, nil, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := configured(t, newInsertField(Value), map[string]string{"offset.field": tt.offset})
			r := &Record{Record: connectors.Record{Topic: "t", Partition: connectors.Partition(2),
				ValueSchema: tt.schema, Value: tt.value}, Offset: 77, Sink: tt.sink}
			check := guardInputs(t, r)
			_, err := tr.Apply(r)
			check()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Apply error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch v := r.Value.(type) {
			case nil:
			case map[string]any:
				if v["offset_field"] != tt.want {
					t.Errorf("offset_field = %v, want %v", v["offset_field"], tt.want)
				}
			case *schemas.Struct:
				if v.Get("offset_field") != tt.want {
					t.Errorf("offset_field = %v, want %v", v.Get("offset_field"), tt.want)
				}
				f, _ := r.ValueSchema.Field("offset_field")
				if f.Schema.Optional == tt.req || f.Schema.Type != schemas.TypeInt64 {
					t.Errorf("offset_field schema = %+v, want optional %v", f.Schema, !tt.req)
				}
			}
		})
	}
}

// Kafka Connect's testUnsetOptionalField.
func TestInsertFieldReplaceNullWithDefault(t *testing.T) {
	magic := schemas.NewBuilder(schemas.TypeInt64).Optional().Default(int64(42)).MustBuild()
	schema := schemas.NewBuilder(schemas.TypeStruct).Name("name").Version(1).Doc("doc").
		Field("magic_with_default", magic).MustBuild()
	for _, tt := range []struct {
		replace string
		want    any
	}{{"false", nil}, {"true", int64(42)}} {
		props := insertAll()
		props["replace.null.with.default"] = tt.replace
		tr := configured(t, newInsertField(Value), props)
		r := &Record{Record: connectors.Record{Topic: "test", Partition: connectors.Partition(0),
			Timestamp: time.UnixMilli(789), ValueSchema: schema, Value: schemas.NewStruct(schema).MustPut("magic_with_default", nil)}}
		if _, err := tr.Apply(r); err != nil {
			t.Fatal(err)
		}
		f, _ := r.ValueSchema.Field("magic_with_default")
		if f.Schema != magic {
			t.Errorf("field schema = %+v, want %+v", f.Schema, magic)
		}
		if got := r.Value.(*schemas.Struct).GetWithoutDefault("magic_with_default"); got != tt.want {
			t.Errorf("replace.null.with.default=%s: magic_with_default = %v, want %v", tt.replace, got, tt.want)
		}
	}
}

func TestInsertFieldDataErrors(t *testing.T) {
	schema := schemas.NewBuilder(schemas.TypeStruct).Field("topic_field", schemas.StringSchema).MustBuild()
	tests := []struct {
		name   string
		schema *schemas.Schema
		value  any
		want   string
	}{
		{"top-level struct required", schemas.Int32Schema, int32(42), "Only Struct objects supported for [field insertion], found: java.lang.Integer"},
		{"map required", nil, []any{int64(1)}, "Only Map objects supported in absence of schema for [field insertion], found: java.util.ArrayList"},
		{"field exists", schema, schemas.NewStruct(schema).MustPut("topic_field", "x"), "invalid schema: cannot create field because of field name duplication topic_field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := configured(t, newInsertField(Value), map[string]string{"topic.field": "topic_field"})
			r := &Record{Record: connectors.Record{Topic: "t", ValueSchema: tt.schema, Value: tt.value}}
			_, err := tr.Apply(r)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Apply error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestInsertFieldConfig(t *testing.T) {
	tests := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, "No field insertion configured"},
		{map[string]string{"static.value": "x"}, "No field insertion configured"},
		{map[string]string{"static.field": "instance_id"},
			"Invalid value null for configuration static.value: No value specified for static field: instance_id"},
		{map[string]string{"topic.field": "t", "replace.null.with.default": "yes"},
			"Invalid value yes for configuration replace.null.with.default: Expected value to be either true or false"},
	}
	for _, side := range []Side{Key, Value} {
		for _, tt := range tests {
			if got := configureError(t, newInsertField(side), tt.props); got != tt.want {
				t.Errorf("%v: Configure(%v) = %q, want %q", side, tt.props, got, tt.want)
			}
		}
	}
	// An empty static value is a value.
	tr := configured(t, newInsertField(Value), map[string]string{"static.field": "s!", "static.value": ""})
	r := &Record{Record: connectors.Record{Topic: "t", Value: map[string]any{}}}
	if _, err := tr.Apply(r); err != nil || !reflect.DeepEqual(r.Value, map[string]any{"s": ""}) {
		t.Errorf("Apply = %v, value %v", err, r.Value)
	}
}

// A timestamp finer than Kafka's milliseconds is inserted in whole
// milliseconds, with and without a schema.
func TestInsertFieldTimestampMillis(t *testing.T) {
	ts := time.UnixMilli(1700000000123).Add(456 * time.Microsecond)
	schema := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.OptionalStringSchema).MustBuild()
	tr := configured(t, newInsertField(Value), map[string]string{"timestamp.field": "ts!"})

	r := &Record{Record: connectors.Record{Topic: "t", Timestamp: ts, ValueSchema: schema, Value: schemas.NewStruct(schema)}}
	if _, err := tr.Apply(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Value.(*schemas.Struct).Get("ts"); got != time.UnixMilli(1700000000123).UTC() {
		t.Errorf("struct ts = %v", got)
	}
	if f, _ := r.ValueSchema.Field("ts"); f.Schema != schemas.TimestampSchema {
		t.Errorf("ts schema = %+v, want the required Timestamp schema", f.Schema)
	}

	r = &Record{Record: connectors.Record{Topic: "t", Timestamp: ts, Value: map[string]any{}}}
	if _, err := tr.Apply(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Value.(map[string]any)["ts"]; got != int64(1700000000123) {
		t.Errorf("map ts = %v", got)
	}
}
