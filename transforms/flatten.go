package transforms

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// Flatten$Key / Flatten$Value: lift the fields of nested Structs (with a
// schema) or nested maps (without) to the top level, naming each by the
// names on its way down joined by the delimiter: {"a":{"b":1}} becomes
// {"a.b":1}. Arrays are kept as they are; a MAP field inside a Struct is an
// error, as in Kafka Connect. A flattened field is optional when it or any
// Struct above it is optional, and takes its default from its own schema
// or else from the default of the Structs above it. Null passes through.

const flattenPurpose = "flattening"

var flattenDef = config.NewDef().
	Define(config.Key{Name: "delimiter", Type: config.String, Default: ".", Importance: config.Medium,
		Doc: "Text put between the names of a nested field and of the fields that contain it to make its flattened name."})

type flatten struct {
	side      Side
	delimiter string
	cache     derivedCache[*flatPlan]
}

// flatPlan is a flattened schema and, for each of its fields, the field
// positions that lead to its value in the input Struct.
type flatPlan struct {
	schema *schemas.Schema
	paths  [][]int
}

func newFlatten(s Side) Transformation { return &flatten{side: s} }

func (t *flatten) Config() *config.Def { return flattenDef }

func (t *flatten) Configure(props map[string]string) error {
	v, err := flattenDef.Parse(props)
	if err != nil {
		return err
	}
	t.delimiter = v.String("delimiter")
	t.cache = derivedCache[*flatPlan]{}
	return nil
}

func (t *flatten) Apply(r *Record) (bool, error) {
	schema, value := t.side.Get(r)
	if isNull(value) {
		return true, nil
	}
	if schema == nil {
		m, err := requireMap(value, flattenPurpose)
		if err != nil {
			return false, err
		}
		out := make(map[string]any, len(m))
		if err := t.flattenMap(m, "", out); err != nil {
			return false, err
		}
		t.side.Set(r, nil, out)
		return true, nil
	}
	st, err := requireStruct(value, flattenPurpose)
	if err != nil {
		return false, err
	}
	plan, err := t.plan(schema)
	if err != nil {
		return false, err
	}
	if !sameSchema(st.Schema(), schema) {
		return false, schemas.DataErrorf("Struct schema %v does not match the record's schema %v for [%s]", st.Schema(), schema, flattenPurpose)
	}
	out := schemas.NewStruct(plan.schema)
	for i, path := range plan.paths {
		v := flatValue(st, path)
		if v == nil {
			continue
		}
		if err := out.PutAt(i, v); err != nil {
			return false, err
		}
	}
	t.side.Set(r, plan.schema, out)
	return true, nil
}

// flatValue follows path down from st; each struct on the way, and the
// value at the end, falls back to its field's default when null.
func flatValue(st *schemas.Struct, path []int) any {
	cur := st
	for _, i := range path[:len(path)-1] {
		next, _ := fieldAt(cur, i, true).(*schemas.Struct)
		if next == nil {
			return nil
		}
		cur = next
	}
	return fieldAt(cur, path[len(path)-1], true)
}

func (t *flatten) name(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + t.delimiter + name
}

// flattenMap copies the entries of m into out under their flattened names.
// Two entries that flatten to the same name are an error: Kafka Connect
// keeps whichever comes last in the map's iteration order, which in Go
// would change from run to run.
func (t *flatten) flattenMap(m map[string]any, prefix string, out map[string]any) error {
	for k, v := range m {
		name := t.name(prefix, k)
		if isNull(v) {
			v = nil
		}
		switch x := v.(type) {
		case map[string]any, map[any]any:
			sub, err := requireMap(x, flattenPurpose)
			if err != nil {
				return err
			}
			if err := t.flattenMap(sub, name, out); err != nil {
				return err
			}
			continue
		case nil, int8, int16, int32, int64, int, float32, float64, bool, string, []byte, []any:
		case *schemas.Struct:
			return schemas.DataErrorf("Flatten transformation does not support %s for record without schemas (for field %s).", javaClass(x), name)
		default:
			return schemas.DataErrorf("Flatten transformation was passed a value of type %s which is not supported by Connect's data API", javaClass(x))
		}
		if _, dup := out[name]; dup {
			return schemas.DataErrorf("Flatten transformation found two fields that flatten to the same name %q", name)
		}
		out[name] = v
	}
	return nil
}

// plan returns the flattened schema of schema, building it once.
func (t *flatten) plan(schema *schemas.Schema) (*flatPlan, error) {
	if p, ok := t.cache.get(schema); ok {
		return p, nil
	}
	b := copyBasicsInto(schema, schemas.NewBuilder(schemas.TypeStruct))
	p := &flatPlan{}
	parentDefault, _ := schema.Default.(*schemas.Struct)
	if err := t.flattenSchema(schema, "", nil, schema.Optional, parentDefault, b, p); err != nil {
		return nil, err
	}
	var err error
	if p.schema, err = b.Build(); err != nil {
		return nil, err
	}
	t.cache.put(schema, p)
	return p, nil
}

// flattenSchema adds the flattened fields of the STRUCT schema s to b and
// their paths to p. optional says whether a Struct above is optional;
// parentDefault is the default Struct handed down from above, if any.
func (t *flatten) flattenSchema(s *schemas.Schema, prefix string, path []int, optional bool, parentDefault *schemas.Struct, b *schemas.Builder, p *flatPlan) error {
	for i, f := range s.Fields {
		name := t.name(prefix, f.Name)
		fieldOptional := optional || f.Schema.Optional
		def := f.Schema.Default
		if def == nil && parentDefault != nil {
			def = fieldAt(parentDefault, i, true)
		}
		fieldPath := append(path[:len(path):len(path)], i)
		switch f.Schema.Type {
		case schemas.TypeStruct:
			sub, _ := def.(*schemas.Struct)
			if err := t.flattenSchema(f.Schema, name, fieldPath, fieldOptional, sub, b, p); err != nil {
				return err
			}
		case schemas.TypeMap:
			return schemas.DataErrorf("Flatten transformation does not support %v for record with schemas (for field %s).", f.Schema.Type, name)
		default:
			fs, err := flatFieldSchema(f.Schema, fieldOptional, def)
			if err != nil {
				return err
			}
			b.Field(name, fs)
			p.paths = append(p.paths, fieldPath)
		}
	}
	return nil
}

// flatFieldSchema returns orig made optional and given def as default, as
// needed; orig itself when it already is.
func flatFieldSchema(orig *schemas.Schema, optional bool, def any) (*schemas.Schema, error) {
	if orig.Optional == optional && (orig.Default != nil || def == nil) {
		return orig, nil
	}
	b := copySchemaBasics(orig)
	if optional {
		b.Optional()
	}
	if def != nil {
		b.Default(def)
	}
	return b.Build()
}

func (t *flatten) Close() error { return nil }
