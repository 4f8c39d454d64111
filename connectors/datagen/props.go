package datagen

import (
	"fmt"
	"math"
)

// The annotation names of avro-random-generator: an "arg.properties"
// object on a schema and the keys it may hold.
const (
	argProperties = "arg.properties"

	propOptions   = "options"
	propIteration = "iteration"
	propRange     = "range"
	propLength    = "length"
	propRegex     = "regex"
	propPrefix    = "prefix"
	propSuffix    = "suffix"
	propKeys      = "keys"
	propOdds      = "odds"

	fieldMin      = "min"
	fieldMax      = "max"
	fieldFile     = "file"
	fieldEncoding = "encoding"
	fieldStart    = "start"
	fieldRestart  = "restart"
	fieldStep     = "step"
	fieldInitial  = "initial"
)

// Default length bounds of strings, bytes, arrays and maps without a
// "length" annotation: [8, 16).
const (
	defaultMinLength = 8
	defaultMaxLength = 16
)

// openLengthWidth is how far above its minimum a length given as
// {"min": n} without "max" may go. avro-random-generator lets such a length
// reach 2^31-1, which only ever exhausts memory.
const openLengthWidth = 16

// props is one schema's "arg.properties" object.
type props map[string]any

// argProps returns the "arg.properties" of a schema that has properties;
// nil when there are none.
func argProps(s interface{ Prop(string) any }) (props, error) {
	v := s.Prop(argProperties)
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s property must be given as object, was %s instead", argProperties, jsonType(v))
	}
	return props(m), nil
}

func (p props) has(name string) bool {
	_, ok := p[name]
	return ok
}

// exclusive fails when p gives any of others alongside name.
func (p props) exclusive(name string, others ...string) error {
	for _, o := range others {
		if p.has(o) {
			return fmt.Errorf("Cannot specify %s prop when %s prop is given", o, name)
		}
	}
	return nil
}

// jsonType names the JSON type of a decoded value, for error messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	if _, ok := toFloat(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// toFloat returns a decoded JSON number (or a Go number) as float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// toInt64 returns an integral number as int64. Schema properties arrive as
// float64, so an integral float64 counts; 2.5 does not.
func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	}
	f, ok := toFloat(v)
	if !ok || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// integral reads an integral field of an annotation object; nil if absent.
func integral(property, field string, m map[string]any) (*int64, error) {
	v, ok := m[field]
	if !ok || v == nil {
		return nil, nil
	}
	n, ok := toInt64(v)
	if !ok {
		return nil, fmt.Errorf("'%s' field of %s property must be an integral number, was %s instead", field, property, describe(v))
	}
	return &n, nil
}

// integer is integral limited to Avro int.
func integer(property, field string, m map[string]any) (*int64, error) {
	n, err := integral(property, field, m)
	if err != nil || n == nil {
		return n, err
	}
	if *n < math.MinInt32 || *n > math.MaxInt32 {
		return nil, fmt.Errorf("'%s' field of %s property must be a valid int for int schemas", field, property)
	}
	return n, nil
}

// decimal reads a number field of an annotation object; nil if absent.
func decimal(property, field string, m map[string]any) (*float64, error) {
	v, ok := m[field]
	if !ok || v == nil {
		return nil, nil
	}
	f, ok := toFloat(v)
	if !ok {
		return nil, fmt.Errorf("'%s' field of %s property must be a number, was %s instead", field, property, describe(v))
	}
	return &f, nil
}

// float is decimal limited to Avro float, and rounded to it.
func float(property, field string, m map[string]any) (*float64, error) {
	f, err := decimal(property, field, m)
	if err != nil || f == nil {
		return f, err
	}
	if *f > math.MaxFloat32 || *f < -math.MaxFloat32 {
		return nil, fmt.Errorf("'%s' field of %s property must be a valid float for float schemas", field, property)
	}
	r := float64(float32(*f))
	return &r, nil
}

// describe renders a rejected annotation value for an error message.
func describe(v any) string {
	return fmt.Sprintf("%s %v", jsonType(v), v)
}

// lengthBounds is a "length" annotation: lengths from min up to, not
// including, max.
type lengthBounds struct{ min, max int }

// lengthOf reads the "length" annotation of p, or the default bounds.
func lengthOf(p props) (lengthBounds, error) {
	v, ok := p[propLength]
	if !ok || v == nil {
		return lengthBounds{defaultMinLength, defaultMaxLength}, nil
	}
	if m, ok := v.(map[string]any); ok {
		lo, err := integer(propLength, fieldMin, m)
		if err != nil {
			return lengthBounds{}, err
		}
		hi, err := integer(propLength, fieldMax, m)
		if err != nil {
			return lengthBounds{}, err
		}
		if lo == nil && hi == nil {
			return lengthBounds{}, fmt.Errorf("%s property must contain at least one of '%s' or '%s' fields when given as object", propLength, fieldMin, fieldMax)
		}
		b := lengthBounds{min: 0}
		if lo != nil {
			b.min = int(*lo)
		}
		if b.min < 0 {
			return lengthBounds{}, fmt.Errorf("%s field of %s property cannot be negative", fieldMin, propLength)
		}
		if hi != nil {
			b.max = int(*hi)
		} else {
			b.max = b.min + openLengthWidth
		}
		if b.max <= b.min {
			return lengthBounds{}, fmt.Errorf("%s field must be strictly greater than %s field for %s property", fieldMax, fieldMin, propLength)
		}
		return b, nil
	}
	n, ok := toInt64(v)
	if !ok || n > math.MaxInt32 {
		return lengthBounds{}, fmt.Errorf("%s property must either be an integral number or an object, was %s instead", propLength, describe(v))
	}
	if n < 0 {
		return lengthBounds{}, fmt.Errorf("when given as integral number, %s property cannot be negative", propLength)
	}
	return lengthBounds{int(n), int(n) + 1}, nil
}

// stringProp reads an optional string annotation.
func stringProp(p props, name string) (string, error) {
	v, ok := p[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s property must be a string", name)
	}
	return s, nil
}
