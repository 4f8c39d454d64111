package transforms

import (
	"errors"

	"github.com/sluicehq/sluice/config"
)

// ExtractField$Key / ExtractField$Value: replace the key or value by one of
// its fields, read from a Struct (the new schema is the field's) or from a
// schemaless map. Null passes through; with syntax V2 the field may be
// nested ("order.customer.id").

const extractFieldPurpose = "field extraction"

var extractFieldDef = config.NewDef().
	Define(config.Key{Name: "field", Type: config.String, Default: config.NoDefault, Importance: config.Medium,
		Doc: "The field whose value becomes the new key or value (a path when field.syntax.version is V2)."}).
	Define(replaceNullKey()).
	Define(fieldSyntaxKey())

type extractField struct {
	side                   Side
	path                   fieldPath
	replaceNullWithDefault bool
}

func newExtractField(s Side) Transformation { return &extractField{side: s} }

func (t *extractField) Config() *config.Def { return extractFieldDef }

func (t *extractField) Configure(props map[string]string) error {
	v, err := extractFieldDef.Parse(props)
	if err != nil {
		return err
	}
	path, err := parseFieldPath(v.String("field"), fieldSyntaxOf(v))
	if err != nil {
		return &config.Error{Problems: []config.Problem{{Key: "field", Message: err.Error()}}}
	}
	t.path = path
	t.replaceNullWithDefault = v.Bool(replaceNullConfig)
	return nil
}

func (t *extractField) Apply(r *Record) (bool, error) {
	schema, value := t.side.Get(r)
	if schema == nil {
		m, err := requireMapOrNull(value, extractFieldPurpose)
		if err != nil {
			return false, err
		}
		var out any
		if m != nil {
			if out, err = t.path.mapValue(m); err != nil {
				return false, err
			}
		}
		t.side.Set(r, nil, out)
		return true, nil
	}
	st, err := requireStructOrNull(value, extractFieldPurpose)
	if err != nil {
		return false, err
	}
	f, ok, err := t.path.field(schema)
	if err != nil {
		return false, err
	}
	if !ok {
		// Kafka Connect throws IllegalArgumentException here, not a
		// DataException.
		return false, errors.New("Unknown field: " + t.path.text)
	}
	var out any
	if st != nil {
		if out, err = t.path.structValue(st, t.replaceNullWithDefault); err != nil {
			return false, err
		}
	}
	t.side.Set(r, f.Schema, out)
	return true, nil
}

func (t *extractField) Close() error { return nil }
