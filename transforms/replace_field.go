package transforms

import (
	"maps"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// ReplaceField$Key / ReplaceField$Value: drop fields (exclude wins over
// include) and rename others (renames, old:new) in a Struct or a schemaless
// map. Null passes through. The new Struct schema keeps the name, version,
// doc and parameters of the old one but, as in Kafka Connect, not its
// optionality or default.
//
// Kafka Connect 4.0 dropped the keys blacklist and whitelist, which 2.6 to
// 3.x accepted for exclude and include, and now ignores them, letting
// through fields a config from those versions meant to drop. sluice still
// reads them when exclude or include is not given.
//
// Two fields renamed to one name are an error: Kafka Connect fails on that
// for a Struct, and for a map keeps whichever comes last, which in Go would
// change from run to run.

const replaceFieldPurpose = "field replacement"

var replaceFieldDef = config.NewDef().
	Define(config.Key{Name: "exclude", Type: config.List, Default: []string{}, Importance: config.Medium,
		Doc: "Fields to drop. A field listed here is dropped even if include lists it."}).
	Define(config.Key{Name: "blacklist", Type: config.List, Default: nil, Importance: config.Low,
		Doc: "Deprecated name of exclude, used only when exclude is not given."}).
	Define(config.Key{Name: "include", Type: config.List, Default: []string{}, Importance: config.Medium,
		Doc: "Fields to keep; when given, every other field is dropped."}).
	Define(config.Key{Name: "whitelist", Type: config.List, Default: nil, Importance: config.Low,
		Doc: "Deprecated name of include, used only when include is not given."}).
	Define(config.Key{Name: "renames", Type: config.List, Default: []string{},
		Validator: config.ValidatorFunc(func(name string, value any) error {
			_, err := parseRenames(value)
			return err
		}, "list of old:new field name pairs, e.g. id:order_id,ts:created_at"),
		Importance: config.Medium, Doc: "Fields to rename, as old:new pairs."}).
	Define(replaceNullKey())

type replaceField struct {
	side                   Side
	exclude, include       map[string]bool
	renames, reverse       map[string]string
	replaceNullWithDefault bool
	cache                  derivedCache[*fieldPlan]
}

// fieldPlan is a derived Struct schema and, for each of its fields, the
// position of the input field it is filled from.
type fieldPlan struct {
	schema *schemas.Schema
	from   []int
}

func newReplaceField(s Side) Transformation { return &replaceField{side: s} }

func (t *replaceField) Config() *config.Def { return replaceFieldDef }

func (t *replaceField) Configure(props map[string]string) error {
	props = translateDeprecated(props, "exclude", "blacklist")
	props = translateDeprecated(props, "include", "whitelist")
	v, err := replaceFieldDef.Parse(props)
	if err != nil {
		return err
	}
	t.exclude = setOf(v.List("exclude"))
	t.include = setOf(v.List("include"))
	t.renames, _ = parseRenames(v.Get("renames"))
	t.reverse = make(map[string]string, len(t.renames))
	for old, n := range t.renames {
		t.reverse[n] = old
	}
	t.replaceNullWithDefault = v.Bool(replaceNullConfig)
	t.cache = derivedCache[*fieldPlan]{}
	return nil
}

// translateDeprecated returns props with the value of the deprecated key
// old under key when key is not set itself.
func translateDeprecated(props map[string]string, key, old string) map[string]string {
	v, ok := props[old]
	if _, set := props[key]; set || !ok {
		return props
	}
	props = maps.Clone(props)
	props[key] = v
	return props
}

func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// parseRenames reads old:new pairs.
func parseRenames(value any) (map[string]string, error) {
	list, _ := value.([]string)
	m := make(map[string]string, len(list))
	for _, mapping := range list {
		parts := splitColon(mapping)
		if len(parts) != 2 {
			return nil, &config.ValueError{Value: value, Reason: "Invalid rename mapping: " + mapping}
		}
		m[parts[0]] = parts[1]
	}
	return m, nil
}

func (t *replaceField) keep(name string) bool {
	return !t.exclude[name] && (len(t.include) == 0 || t.include[name])
}

func (t *replaceField) renamed(name string) string {
	if n, ok := t.renames[name]; ok {
		return n
	}
	return name
}

func (t *replaceField) Apply(r *Record) (bool, error) {
	schema, value := t.side.Get(r)
	if isNull(value) {
		return true, nil
	}
	if schema == nil {
		m, err := requireMap(value, replaceFieldPurpose)
		if err != nil {
			return false, err
		}
		out := make(map[string]any, len(m))
		for k, v := range m {
			if !t.keep(k) {
				continue
			}
			n := t.renamed(k)
			if _, dup := out[n]; dup {
				return false, schemas.DataErrorf("ReplaceField transformation would give two fields the name %q", n)
			}
			out[n] = v
		}
		t.side.Set(r, nil, out)
		return true, nil
	}
	st, err := requireStruct(value, replaceFieldPurpose)
	if err != nil {
		return false, err
	}
	// Kafka Connect derives the new schema from the Struct's own schema.
	plan, err := t.plan(st.Schema())
	if err != nil {
		return false, err
	}
	out := schemas.NewStruct(plan.schema)
	for i, from := range plan.from {
		if err := out.PutAt(i, fieldAt(st, from, t.replaceNullWithDefault)); err != nil {
			return false, err
		}
	}
	t.side.Set(r, plan.schema, out)
	return true, nil
}

func (t *replaceField) plan(schema *schemas.Schema) (*fieldPlan, error) {
	if p, ok := t.cache.get(schema); ok {
		return p, nil
	}
	b := copyBasicsInto(schema, schemas.NewBuilder(schemas.TypeStruct))
	p := &fieldPlan{}
	for i, f := range schema.Fields {
		if t.keep(f.Name) {
			b.Field(t.renamed(f.Name), f.Schema)
			p.from = append(p.from, i)
		}
	}
	var err error
	if p.schema, err = b.Build(); err != nil {
		return nil, err
	}
	t.cache.put(schema, p)
	return p, nil
}

func (t *replaceField) Close() error { return nil }
