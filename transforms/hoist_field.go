package transforms

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// HoistField$Key / HoistField$Value: wrap the key or value in a Struct with
// one field holding it (its schema becomes the field's schema), or, without
// a schema, in a map with one entry.

var hoistFieldDef = config.NewDef().
	Define(config.Key{Name: "field", Type: config.String, Default: config.NoDefault, Importance: config.Medium,
		Doc: "Name of the single field of the Struct or map that wraps the key or value."})

type hoistField struct {
	side  Side
	field string
	cache schemaCache
}

func newHoistField(s Side) Transformation { return &hoistField{side: s} }

func (t *hoistField) Config() *config.Def { return hoistFieldDef }

func (t *hoistField) Configure(props map[string]string) error {
	v, err := hoistFieldDef.Parse(props)
	if err != nil {
		return err
	}
	t.field = v.String("field")
	t.cache = schemaCache{}
	return nil
}

func (t *hoistField) Apply(r *Record) (bool, error) {
	schema, value := t.side.Get(r)
	if schema == nil {
		t.side.Set(r, nil, map[string]any{t.field: value})
		return true, nil
	}
	wrapper, ok := t.cache.get(schema)
	if !ok {
		var err error
		if wrapper, err = schemas.NewBuilder(schemas.TypeStruct).Field(t.field, schema).Build(); err != nil {
			return false, err
		}
		t.cache.put(schema, wrapper)
	}
	st := schemas.NewStruct(wrapper)
	if err := st.PutAt(0, value); err != nil {
		return false, err
	}
	t.side.Set(r, wrapper, st)
	return true, nil
}

func (t *hoistField) Close() error { return nil }
