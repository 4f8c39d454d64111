package transforms

import (
	"maps"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// insertField adds the record's topic, partition, offset and timestamp and
// a fixed string to a Struct or map key or value: Kafka Connect's
// InsertField$Key and InsertField$Value. A null key or value passes
// unchanged. The offset exists only for records a sink consumed. A
// schemaless record gets the timestamp as int64 milliseconds; a Struct gets
// it as a Timestamp field.
type insertField struct {
	side        Side
	topic       *insertion
	partition   *insertion
	offset      *insertion
	timestamp   *insertion
	static      *insertion
	staticValue string
	replaceNull bool
	cache       schemaCache // input schema -> schema with the inserted fields
}

// insertion is a field to insert: its name and whether its schema is
// optional. A configured name ending in '!' makes the field required, one
// ending in '?' (or in neither) optional.
type insertion struct {
	name     string
	optional bool
}

func parseInsertion(v *config.Values, key string) *insertion {
	if v.Get(key) == nil {
		return nil
	}
	spec := v.String(key)
	if name, ok := strings.CutSuffix(spec, "?"); ok {
		return &insertion{name: name, optional: true}
	}
	if name, ok := strings.CutSuffix(spec, "!"); ok {
		return &insertion{name: name, optional: false}
	}
	return &insertion{name: spec, optional: true}
}

// insertionPurpose names field insertion in Kafka Connect's data errors.
const insertionPurpose = "field insertion"

var insertFieldOptionalTimestamp = schemas.TimestampBuilder().Optional().MustBuild()

func newInsertField(s Side) Transformation { return &insertField{side: s} }

const insertFieldSuffixDoc = " Append ! to make the field required, or ? to make it optional (the default)."

func insertFieldDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "topic.field", Type: config.String, Default: nil, Importance: config.Medium,
			Doc: "Name of the field that gets the Kafka topic." + insertFieldSuffixDoc}).
		Define(config.Key{Name: "partition.field", Type: config.String, Default: nil, Importance: config.Medium,
			Doc: "Name of the field that gets the Kafka partition." + insertFieldSuffixDoc}).
		Define(config.Key{Name: "offset.field", Type: config.String, Default: nil, Importance: config.Medium,
			Doc: "Name of the field that gets the Kafka offset; sink connectors only." + insertFieldSuffixDoc}).
		Define(config.Key{Name: "timestamp.field", Type: config.String, Default: nil, Importance: config.Medium,
			Doc: "Name of the field that gets the record timestamp." + insertFieldSuffixDoc}).
		Define(config.Key{Name: "static.field", Type: config.String, Default: nil, Importance: config.Medium,
			Doc: "Name of the field that gets static.value." + insertFieldSuffixDoc}).
		Define(config.Key{Name: "static.value", Type: config.String, Default: nil, Importance: config.Medium,
			Doc: "The string to put in static.field."}).
		Define(config.Key{Name: "replace.null.with.default", Type: config.Boolean, Default: true, Importance: config.Medium,
			Doc: "Whether a null field that has a default value is copied as its default (true) or as null (false)."})
}

func (*insertField) Config() *config.Def { return insertFieldDef() }

func (t *insertField) Configure(props map[string]string) error {
	v, err := insertFieldDef().Parse(props)
	if err != nil {
		return err
	}
	t.topic = parseInsertion(v, "topic.field")
	t.partition = parseInsertion(v, "partition.field")
	t.offset = parseInsertion(v, "offset.field")
	t.timestamp = parseInsertion(v, "timestamp.field")
	t.static = parseInsertion(v, "static.field")
	t.replaceNull = v.Bool("replace.null.with.default")
	if t.topic == nil && t.partition == nil && t.offset == nil && t.timestamp == nil && t.static == nil {
		return configProblem("topic.field", "No field insertion configured")
	}
	if t.static != nil {
		if v.Get("static.value") == nil {
			// Kafka Connect names the field by an object's toString here.
			return invalidValue("static.value", nil, "No value specified for static field: "+t.static.name)
		}
		t.staticValue = v.String("static.value")
	}
	t.cache = schemaCache{}
	return nil
}

func (t *insertField) Apply(r *Record) (bool, error) {
	schema, v := t.side.Get(r)
	if isNull(v) {
		return true, nil
	}
	if schema == nil {
		return t.applySchemaless(r, v)
	}
	return t.applyWithSchema(r, v)
}

func (t *insertField) applySchemaless(r *Record, v any) (bool, error) {
	m, err := requireMap(v, insertionPurpose)
	if err != nil {
		return false, err
	}
	out := make(map[string]any, len(m)+5)
	maps.Copy(out, m)
	if t.topic != nil {
		out[t.topic.name] = r.Topic
	}
	if t.partition != nil && r.Partition != nil {
		out[t.partition.name] = *r.Partition
	}
	if t.offset != nil {
		if err := requireSinkRecord(r, insertionPurpose); err != nil {
			return false, err
		}
		out[t.offset.name] = r.Offset
	}
	if t.timestamp != nil && !r.Timestamp.IsZero() {
		out[t.timestamp.name] = r.Timestamp.UnixMilli()
	}
	if t.static != nil {
		out[t.static.name] = t.staticValue
	}
	t.side.Set(r, nil, out)
	return true, nil
}

func (t *insertField) applyWithSchema(r *Record, v any) (bool, error) {
	st, err := requireStruct(v, insertionPurpose)
	if err != nil {
		return false, err
	}
	if t.offset != nil {
		if err := requireSinkRecord(r, insertionPurpose); err != nil {
			return false, err
		}
	}
	schema, err := t.updatedSchema(st.Schema())
	if err != nil {
		return false, err
	}
	out := schemas.NewStruct(schema)
	for i := range st.Schema().Fields {
		if err := putIfSet(out, i, fieldAt(st, i, t.replaceNull)); err != nil {
			return false, err
		}
	}
	put := func(ins *insertion, x any) error {
		if ins == nil {
			return nil
		}
		return out.Put(ins.name, x)
	}
	if err := put(t.topic, r.Topic); err != nil {
		return false, err
	}
	if r.Partition != nil {
		if err := put(t.partition, *r.Partition); err != nil {
			return false, err
		}
	}
	if err := put(t.offset, r.Offset); err != nil {
		return false, err
	}
	if !r.Timestamp.IsZero() {
		// Whole milliseconds, as the schemaless variant and Kafka have it.
		if err := put(t.timestamp, schemas.TimestampFromMillis(r.Timestamp.UnixMilli())); err != nil {
			return false, err
		}
	}
	if err := put(t.static, t.staticValue); err != nil {
		return false, err
	}
	t.side.Set(r, schema, out)
	return true, nil
}

// updatedSchema returns the schema of a Struct with the inserted fields
// appended, in Kafka Connect's order.
func (t *insertField) updatedSchema(in *schemas.Schema) (*schemas.Schema, error) {
	if s, ok := t.cache.get(in); ok {
		return s, nil
	}
	b := copyBasicsInto(in, schemas.NewBuilder(schemas.TypeStruct))
	for _, f := range in.Fields {
		b.Field(f.Name, f.Schema)
	}
	add := func(ins *insertion, required, optional *schemas.Schema) {
		if ins == nil {
			return
		}
		if ins.optional {
			b.Field(ins.name, optional)
		} else {
			b.Field(ins.name, required)
		}
	}
	add(t.topic, schemas.StringSchema, schemas.OptionalStringSchema)
	add(t.partition, schemas.Int32Schema, schemas.OptionalInt32Schema)
	add(t.offset, schemas.Int64Schema, schemas.OptionalInt64Schema)
	add(t.timestamp, schemas.TimestampSchema, insertFieldOptionalTimestamp)
	add(t.static, schemas.StringSchema, schemas.OptionalStringSchema)
	s, err := b.Build()
	if err != nil {
		return nil, err
	}
	t.cache.put(in, s)
	return s, nil
}

func (t *insertField) Close() error {
	t.cache = schemaCache{}
	return nil
}
