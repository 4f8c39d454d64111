package transforms

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// ValueToKey: replace the key by a Struct (or, without a schema, a map) of
// the listed fields of the value, in the listed order. The value must be a
// Struct or a map; a null value is an error, as in Kafka Connect, since the
// key cannot be made from it.

const valueToKeyPurpose = "copying fields from value to key"

var valueToKeyDef = config.NewDef().
	Define(config.Key{Name: "fields", Type: config.List, Default: config.NoDefault, Validator: nonEmptyList(),
		Importance: config.High, Doc: "The fields of the value that make up the new key, in this order."}).
	Define(replaceNullKey())

type valueToKey struct {
	fields                 []string
	replaceNullWithDefault bool
	cache                  derivedCache[*fieldPlan]
}

func newValueToKey() Transformation { return &valueToKey{} }

func (t *valueToKey) Config() *config.Def { return valueToKeyDef }

func (t *valueToKey) Configure(props map[string]string) error {
	v, err := valueToKeyDef.Parse(props)
	if err != nil {
		return err
	}
	t.fields = v.List("fields")
	t.replaceNullWithDefault = v.Bool(replaceNullConfig)
	t.cache = derivedCache[*fieldPlan]{}
	return nil
}

func (t *valueToKey) Apply(r *Record) (bool, error) {
	if r.ValueSchema == nil {
		m, err := requireMap(r.Value, valueToKeyPurpose)
		if err != nil {
			return false, err
		}
		key := make(map[string]any, len(t.fields))
		for _, f := range t.fields {
			key[f] = m[f]
		}
		r.KeySchema, r.Key = nil, key
		return true, nil
	}
	st, err := requireStruct(r.Value, valueToKeyPurpose)
	if err != nil {
		return false, err
	}
	plan, err := t.plan(st.Schema())
	if err != nil {
		return false, err
	}
	key := schemas.NewStruct(plan.schema)
	for i, from := range plan.from {
		if err := key.PutAt(i, fieldAt(st, from, t.replaceNullWithDefault)); err != nil {
			return false, err
		}
	}
	r.KeySchema, r.Key = plan.schema, key
	r.ValueSchema = st.Schema()
	return true, nil
}

func (t *valueToKey) plan(schema *schemas.Schema) (*fieldPlan, error) {
	if p, ok := t.cache.get(schema); ok {
		return p, nil
	}
	b := schemas.NewBuilder(schemas.TypeStruct)
	p := &fieldPlan{from: make([]int, 0, len(t.fields))}
	for _, name := range t.fields {
		i := fieldPos(schema, name)
		if i < 0 {
			return nil, schemas.DataErrorf("Field does not exist: %s", name)
		}
		b.Field(name, schema.Fields[i].Schema)
		p.from = append(p.from, i)
	}
	var err error
	if p.schema, err = b.Build(); err != nil {
		return nil, err
	}
	t.cache.put(schema, p)
	return p, nil
}

func (t *valueToKey) Close() error { return nil }
