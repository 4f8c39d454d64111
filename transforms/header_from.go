package transforms

import (
	"fmt"
	"slices"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// headerFrom copies or moves fields of the key or value into headers: Kafka
// Connect's HeaderFrom$Key and HeaderFrom$Value. The i-th field goes to the
// i-th header, appended after the record's headers; a header takes the
// field's schema (none for a schemaless map). Like Kafka Connect it needs a
// Struct or a map: a null key or value is an error.
type headerFrom struct {
	side        Side
	fields      []string
	headers     []string
	move        bool
	replaceNull bool
	moved       schemaCache // input schema -> schema without the moved fields
}

func newHeaderFrom(s Side) Transformation { return &headerFrom{side: s} }

func headerFromDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "fields", Type: config.List, Default: config.NoDefault,
			Validator: nonEmptyList(), Importance: config.High,
			Doc: "The fields of the key or value whose values go into headers."}).
		Define(config.Key{Name: "headers", Type: config.List, Default: config.NoDefault,
			Validator: nonEmptyList(), Importance: config.High,
			Doc: "The header keys, one for each entry of fields, in the same order."}).
		Define(config.Key{Name: "operation", Type: config.String, Default: config.NoDefault,
			Validator: config.ValidString("move", "copy"), Importance: config.High,
			Doc: "move to remove the fields from the key or value, copy to keep them there."}).
		Define(config.Key{Name: "replace.null.with.default", Type: config.Boolean, Default: true, Importance: config.Medium,
			Doc: "Whether a null field that has a default value is read as its default (true) or as null (false)."})
}

func (*headerFrom) Config() *config.Def { return headerFromDef() }

func (h *headerFrom) Configure(props map[string]string) error {
	v, err := headerFromDef().Parse(props)
	if err != nil {
		return err
	}
	h.fields, h.headers = v.List("fields"), v.List("headers")
	if len(h.fields) != len(h.headers) {
		return configProblem("headers", "'fields' config must have the same number of elements as 'headers' config.")
	}
	h.move = v.String("operation") == "move"
	h.replaceNull = v.Bool("replace.null.with.default")
	h.moved = schemaCache{}
	return nil
}

func (h *headerFrom) purpose() string {
	if h.move {
		return "header move"
	}
	return "header copy"
}

func (h *headerFrom) Apply(r *Record) (bool, error) {
	schema, v := h.side.Get(r)
	// A new slice: the producer of r may still hold the old one.
	headers := make(connectors.Headers, len(r.Headers), len(r.Headers)+len(h.fields))
	copy(headers, r.Headers)
	if schema == nil {
		m, err := requireMap(v, h.purpose())
		if err != nil {
			return false, err
		}
		out := v
		if h.move {
			rest := make(map[string]any, len(m))
			for k, x := range m {
				if !slices.Contains(h.fields, k) {
					rest[k] = x
				}
			}
			out = rest
		}
		for i, f := range h.fields {
			headers.Add(h.headers[i], nil, m[f])
		}
		h.side.Set(r, nil, out)
		r.Headers = headers
		return true, nil
	}

	st, err := requireStruct(v, h.purpose())
	if err != nil {
		return false, err
	}
	for i, name := range h.fields {
		f, ok := schema.Field(name)
		if !ok {
			// Kafka Connect fails with a NullPointerException here.
			return false, schemas.DataErrorf("%s is not a valid field name", name)
		}
		headers.Add(h.headers[i], f.Schema, structFieldValue(st, name, h.replaceNull))
	}
	if h.move {
		rest, err := h.movedSchema(schema)
		if err != nil {
			return false, err
		}
		out := schemas.NewStruct(rest)
		for i, f := range rest.Fields {
			if err := putIfSet(out, i, structFieldValue(st, f.Name, h.replaceNull)); err != nil {
				return false, err
			}
		}
		h.side.Set(r, rest, out)
	}
	r.Headers = headers
	return true, nil
}

// movedSchema returns schema without the moved fields; like Kafka Connect it
// keeps the name, version, doc and parameters but not the optionality.
func (h *headerFrom) movedSchema(schema *schemas.Schema) (*schemas.Schema, error) {
	if s, ok := h.moved.get(schema); ok {
		return s, nil
	}
	b := copyBasicsInto(schema, schemas.NewBuilder(schemas.TypeStruct))
	for _, f := range schema.Fields {
		if !slices.Contains(h.fields, f.Name) {
			b.Field(f.Name, f.Schema)
		}
	}
	s, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("schema for %s: %w", h.purpose(), err)
	}
	h.moved.put(schema, s)
	return s, nil
}

func (*headerFrom) Close() error { return nil }

// structFieldValue reads a field of st as Kafka Connect's transformations
// do with replace.null.with.default: a null value reads as the field's
// default when replaceNull is set.
func structFieldValue(st *schemas.Struct, name string, replaceNull bool) any {
	if replaceNull {
		return st.Get(name)
	}
	return st.GetWithoutDefault(name)
}

// putIfSet sets the i-th field of st to v unless v is null: a copied field
// that was null stays unset (Kafka Connect puts the null, which its Struct
// rejects for a required field even when the field has a default).
func putIfSet(st *schemas.Struct, i int, v any) error {
	if v == nil {
		return nil
	}
	return st.PutAt(i, v)
}
