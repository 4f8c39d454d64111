package transforms

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// setSchemaMetadata sets the name, the version or both of the key or value
// schema: Kafka Connect's SetSchemaMetadata$Key and SetSchemaMetadata$Value.
// A Struct key or value is copied onto the new schema, since a Struct
// carries its schema. A record without a schema needs a null key or value.
type setSchemaMetadata struct {
	side        Side
	name        *string
	version     *int
	replaceNull bool
	cache       schemaCache // input schema -> renamed schema
}

func newSetSchemaMetadata(s Side) Transformation { return &setSchemaMetadata{side: s} }

func setSchemaMetadataDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "schema.name", Type: config.String, Default: nil, Importance: config.High,
			Doc: "The schema name to set."}).
		Define(config.Key{Name: "schema.version", Type: config.Int, Default: nil, Importance: config.High,
			Doc: "The schema version to set."}).
		Define(config.Key{Name: "replace.null.with.default", Type: config.Boolean, Default: true, Importance: config.Medium,
			Doc: "Whether a null field of a Struct that has a default value is copied as its default (true) or as null (false)."})
}

func (*setSchemaMetadata) Config() *config.Def { return setSchemaMetadataDef() }

func (t *setSchemaMetadata) Configure(props map[string]string) error {
	v, err := setSchemaMetadataDef().Parse(props)
	if err != nil {
		return err
	}
	t.name, t.version = nil, nil
	if v.Get("schema.name") != nil {
		name := v.String("schema.name")
		t.name = &name
	}
	if v.Get("schema.version") != nil {
		version := v.Int("schema.version")
		t.version = &version
	}
	if t.name == nil && t.version == nil {
		return configProblem("schema.name", "Neither schema name nor version configured")
	}
	t.replaceNull = v.Bool("replace.null.with.default")
	t.cache = schemaCache{}
	return nil
}

func (t *setSchemaMetadata) Apply(r *Record) (bool, error) {
	schema, v := t.side.Get(r)
	if schema == nil && isNull(v) {
		return true, nil
	}
	if err := requireSchema(schema, "updating schema metadata"); err != nil {
		return false, err
	}
	updated := t.updatedSchema(schema)
	if st, ok := v.(*schemas.Struct); ok && st != nil {
		// Kafka Connect's updateSchemaIn: the fields are the same, only the
		// schema they belong to changes.
		out := schemas.NewStruct(updated)
		for i := range updated.Fields {
			if err := putIfSet(out, i, fieldAt(st, i, t.replaceNull)); err != nil {
				return false, err
			}
		}
		v = out
	}
	t.side.Set(r, updated, v)
	return true, nil
}

// updatedSchema returns a copy of schema with the configured name and
// version; everything else, fields included, is shared with schema. It is
// cached so that every record of one schema gets the same one, as converters
// cache by schema pointer.
func (t *setSchemaMetadata) updatedSchema(schema *schemas.Schema) *schemas.Schema {
	if s, ok := t.cache.get(schema); ok {
		return s
	}
	s := *schema
	if t.name != nil {
		s.Name = *t.name
	}
	if t.version != nil {
		version := *t.version
		s.Version = &version
	}
	t.cache.put(schema, &s)
	return &s
}

func (t *setSchemaMetadata) Close() error {
	t.cache = schemaCache{}
	return nil
}
