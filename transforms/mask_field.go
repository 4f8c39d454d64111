package transforms

import (
	"maps"
	"math/big"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// MaskField$Key / MaskField$Value: replace the listed fields by the empty
// value of their type (0, false, "", the epoch, an empty array or map), or by
// a replacement read as the field's type (numbers and strings only). The
// schema is unchanged. Null fields stay null.
//
// Unlike Kafka Connect, which fails on them, a null key or value (a
// tombstone) passes through: it has no fields to mask.

const maskFieldPurpose = "mask fields"

var maskFieldDef = config.NewDef().
	Define(config.Key{Name: "fields", Type: config.List, Default: config.NoDefault, Validator: nonEmptyList(),
		Importance: config.High, Doc: "The fields to mask."}).
	Define(config.Key{Name: "replacement", Type: config.String, Default: nil, Validator: config.NonEmptyString(),
		Importance: config.Low, Doc: "The value masked fields get instead of the empty value of their type, " +
			"converted to that type; only numeric and string fields can take one."}).
	Define(replaceNullKey())

type maskField struct {
	side                   Side
	fields                 map[string]bool
	replaceNullWithDefault bool

	// replacement, when set, is the configured replacement; number is it
	// read as a decimal, nil if it is not one.
	replacement *string
	number      *big.Rat
}

func newMaskField(s Side) Transformation { return &maskField{side: s} }

func (t *maskField) Config() *config.Def { return maskFieldDef }

func (t *maskField) Configure(props map[string]string) error {
	v, err := maskFieldDef.Parse(props)
	if err != nil {
		return err
	}
	t.fields = map[string]bool{}
	for _, f := range v.List("fields") {
		t.fields[f] = true
	}
	t.replacement, t.number = nil, nil
	if s, ok := v.Get("replacement").(string); ok {
		t.replacement = &s
		t.number, _ = schemas.DecimalFromString(s)
	}
	t.replaceNullWithDefault = v.Bool(replaceNullConfig)
	return nil
}

func (t *maskField) Apply(r *Record) (bool, error) {
	schema, value := t.side.Get(r)
	if isNull(value) {
		return true, nil
	}
	if schema == nil {
		m, err := requireMap(value, maskFieldPurpose)
		if err != nil {
			return false, err
		}
		out := maps.Clone(m)
		for f := range t.fields {
			// Like Kafka Connect, a listed field the map lacks is added as null.
			if out[f], err = t.mask(m[f]); err != nil {
				return false, err
			}
		}
		t.side.Set(r, nil, out)
		return true, nil
	}
	st, err := requireStruct(value, maskFieldPurpose)
	if err != nil {
		return false, err
	}
	out := schemas.NewStruct(st.Schema())
	for i, f := range st.Schema().Fields {
		v := fieldAt(st, i, t.replaceNullWithDefault)
		if t.fields[f.Name] {
			if v, err = t.mask(v); err != nil {
				return false, err
			}
		}
		if err := out.PutAt(i, v); err != nil {
			return false, err
		}
	}
	t.side.Set(r, schema, out)
	return true, nil
}

// mask returns what v is masked with.
func (t *maskField) mask(v any) (any, error) {
	if isNull(v) {
		return nil, nil
	}
	if t.replacement != nil {
		return t.replace(v)
	}
	switch x := v.(type) {
	case bool:
		return false, nil
	case int8:
		return int8(0), nil
	case int16:
		return int16(0), nil
	case int32:
		return int32(0), nil
	case int64:
		return int64(0), nil
	case int:
		return 0, nil
	case float32:
		return float32(0), nil
	case float64:
		return float64(0), nil
	case *big.Rat:
		return new(big.Rat), nil
	case time.Time:
		return time.UnixMilli(0).UTC(), nil
	case string:
		return "", nil
	case []any:
		return []any{}, nil
	case map[string]any:
		return map[string]any{}, nil
	case map[any]any:
		return map[any]any{}, nil
	default:
		return nil, schemas.DataErrorf("Cannot mask value of type: %s", javaClass(x))
	}
}

// replace converts the replacement to the type of v, as Kafka Connect's
// Values.convertTo* for numbers: integers take the low bits of the
// decimal's integer part.
func (t *maskField) replace(v any) (any, error) {
	switch v.(type) {
	case string:
		return *t.replacement, nil
	case *big.Rat:
		if t.number == nil {
			return nil, schemas.DataErrorf("Unable to convert %s (class java.lang.String) to number", *t.replacement)
		}
		return new(big.Rat).Set(t.number), nil
	case int8, int16, int32, int64, int, float32, float64:
	default:
		return nil, schemas.DataErrorf("Cannot mask value of type %s with custom replacement.", javaClass(v))
	}
	if t.number == nil {
		return nil, schemas.DataErrorf("Unable to convert %s (class java.lang.String) to a number", *t.replacement)
	}
	switch v.(type) {
	case int8:
		return int8(ratLong(t.number)), nil
	case int16:
		return int16(ratLong(t.number)), nil
	case int32:
		return int32(ratLong(t.number)), nil
	case int64:
		return ratLong(t.number), nil
	case int:
		return int(ratLong(t.number)), nil
	case float32:
		f, _ := t.number.Float64()
		return float32(f), nil
	default: // float64
		f, _ := t.number.Float64()
		return f, nil
	}
}

func (t *maskField) Close() error { return nil }
