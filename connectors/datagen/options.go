package datagen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"reflect"
	"slices"

	"github.com/hamba/avro/v2"
)

// parseOptions reads an "options" annotation on s: a list of values, or
// {"file": …, "encoding": "json"|"binary"} naming a file of values. Each
// becomes hamba/avro's Go value for s.
func parseOptions(s avro.Schema, p props) ([]any, error) {
	if err := p.exclusive(propOptions, propLength, propRegex, propIteration, propRange); err != nil {
		return nil, err
	}
	switch o := p[propOptions].(type) {
	case []any:
		if len(o) == 0 {
			return nil, fmt.Errorf("%s property cannot be empty", propOptions)
		}
		out := make([]any, len(o))
		for i, v := range o {
			c, err := optionValue(s, v)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		return optionsFile(s, o)
	default:
		return nil, fmt.Errorf("%s prop must be an array or an object, was %s instead", propOptions, jsonType(o))
	}
}

func optionValue(s avro.Schema, v any) (any, error) {
	c, err := convertValue(s, v)
	if err != nil {
		return nil, fmt.Errorf("Invalid option for %s schema: %s: %w", s.Type(), describe(v), err)
	}
	return c, nil
}

// optionsFile reads the values of an options file: Avro binary values one
// after the other, or JSON values one after the other.
func optionsFile(s avro.Schema, o map[string]any) ([]any, error) {
	file, ok := o[fieldFile]
	if !ok || file == nil {
		return nil, fmt.Errorf("%s property must contain '%s' field when given as object", propOptions, fieldFile)
	}
	name, ok := file.(string)
	if !ok {
		return nil, fmt.Errorf("'%s' field of %s property must be given as string, was %s instead", fieldFile, propOptions, jsonType(file))
	}
	enc, ok := o[fieldEncoding]
	if !ok || enc == nil {
		return nil, fmt.Errorf("%s property must contain '%s' field when given as object", propOptions, fieldEncoding)
	}
	encoding, ok := enc.(string)
	if !ok {
		return nil, fmt.Errorf("'%s' field of %s property must be given as string, was %s instead", fieldEncoding, propOptions, jsonType(enc))
	}
	if encoding != "binary" && encoding != "json" {
		return nil, fmt.Errorf("'%s' field of %s property only supports two formats: 'binary' and 'json'", fieldEncoding, propOptions)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("Unable to locate options file '%s': %w", name, err)
	}
	defer f.Close()
	var out []any
	if encoding == "binary" {
		dec := avro.NewDecoderForSchema(s, f)
		for {
			var v any
			if err := dec.Decode(&v); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("Unable to read options file '%s': %w", name, err)
			}
			out = append(out, v)
		}
	} else {
		dec := json.NewDecoder(f)
		dec.UseNumber()
		for {
			var v any
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("Unable to read options file '%s': %w", name, err)
			}
			c, err := optionValue(s, v)
			if err != nil {
				return nil, fmt.Errorf("options file '%s': %w", name, err)
			}
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("options file '%s' holds no value", name)
	}
	return out, nil
}

// convertValue turns a value decoded from JSON (an option, a field
// default) into hamba/avro's Go value for s. As avro-random-generator does,
// a string stands for the bytes of a bytes or fixed; numbers may be given
// as any JSON number that fits the type exactly.
func convertValue(s avro.Schema, v any) (any, error) {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			v = i
		} else if f, err := n.Float64(); err == nil {
			v = f
		}
	}
	if ref, ok := s.(*avro.RefSchema); ok {
		s = ref.Schema()
	}
	lt := logicalOf(s)
	switch s.Type() {
	case avro.Null:
		if v != nil {
			return nil, errors.New("want null")
		}
		return nil, nil
	case avro.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, errors.New("want a boolean")
	case avro.Int:
		n, ok := toInt64(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return nil, errors.New("want an int")
		}
		return toLogical(lt, int(n)), nil
	case avro.Long:
		n, ok := toInt64(v)
		if !ok {
			return nil, errors.New("want a long")
		}
		return toLogical(lt, n), nil
	case avro.Float:
		f, ok := toFloat(v)
		if !ok || math.Abs(f) > math.MaxFloat32 {
			return nil, errors.New("want a float")
		}
		return float32(f), nil
	case avro.Double:
		f, ok := toFloat(v)
		if !ok {
			return nil, errors.New("want a double")
		}
		return f, nil
	case avro.String:
		if str, ok := v.(string); ok {
			return str, nil
		}
		return nil, errors.New("want a string")
	case avro.Bytes:
		return bytesValue(s, v, -1)
	case avro.Fixed:
		return bytesValue(s, v, s.(*avro.FixedSchema).Size())
	case avro.Enum:
		str, ok := v.(string)
		if !ok || !slices.Contains(s.(*avro.EnumSchema).Symbols(), str) {
			return nil, errors.New("want one of the enum's symbols")
		}
		return str, nil
	case avro.Array:
		l, ok := v.([]any)
		if !ok {
			return nil, errors.New("want an array")
		}
		items := s.(*avro.ArraySchema).Items()
		out := make([]any, len(l))
		for i, e := range l {
			c, err := convertValue(items, e)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			out[i] = c
		}
		return out, nil
	case avro.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errors.New("want an object")
		}
		values := s.(*avro.MapSchema).Values()
		out := make(map[string]any, len(m))
		for k, e := range m {
			c, err := convertValue(values, e)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			out[k] = c
		}
		return out, nil
	case avro.Record, avro.Error:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errors.New("want an object")
		}
		rec := s.(*avro.RecordSchema)
		out := make(map[string]any, len(rec.Fields()))
		for _, f := range rec.Fields() {
			e, ok := m[f.Name()]
			if !ok {
				if !f.HasDefault() {
					return nil, fmt.Errorf("field %s is missing and has no default", f.Name())
				}
				e = f.Default()
			}
			c, err := convertValue(f.Type(), e)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name(), err)
			}
			out[f.Name()] = c
		}
		return out, nil
	case avro.Union:
		types := s.(*avro.UnionSchema).Types()
		// Avro's JSON encoding wraps a union's value as {"<branch>": value}.
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for k, e := range m {
				for _, t := range types {
					if branchName(t) == k {
						if c, err := convertValue(t, e); err == nil {
							return wrapBranch(t, c), nil
						}
					}
				}
			}
		}
		for _, t := range types {
			if c, err := convertValue(t, v); err == nil {
				return wrapBranch(t, c), nil
			}
		}
		return nil, errors.New("fits no branch of the union")
	}
	return nil, fmt.Errorf("unsupported schema type %s", s.Type())
}

// bytesValue converts an option of a bytes (size < 0) or fixed schema: a
// string's bytes, or for a decimal a number too.
func bytesValue(s avro.Schema, v any, size int) (any, error) {
	_, scale, isDecimal := decimalOf(s)
	if isDecimal {
		if r, ok := v.(*big.Rat); ok { // a default hamba/avro already decoded
			return r, nil
		}
		if f, ok := toFloat(v); ok {
			return unscaledRat(scaledCeil(f, scale), scale), nil
		}
	}
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		if size >= 0 {
			if rv, ok := arrayBytes(v); ok {
				b = rv
				break
			}
		}
		return nil, errors.New("want a string")
	}
	if size >= 0 && len(b) != size {
		return nil, fmt.Errorf("want %d bytes, not %d", size, len(b))
	}
	if isDecimal {
		return unscaledRat(twosComplement(b), scale), nil
	}
	if logicalOf(s) == avro.Duration && len(b) == 12 {
		return durationValue(b), nil
	}
	if size >= 0 {
		return fixedValue(b), nil
	}
	return b, nil
}

// branchName is the name a union branch goes by in Avro's JSON encoding
// and in hamba/avro's wrapped union values.
func branchName(s avro.Schema) string {
	if ref, ok := s.(*avro.RefSchema); ok {
		s = ref.Schema()
	}
	if n, ok := s.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

// wrapBranch wraps the value of a named or complex union branch as
// hamba/avro's generic unions want it: {"<full name or type>": value}.
// Primitive branches (logical types included) stay bare.
func wrapBranch(s avro.Schema, v any) any {
	if v == nil {
		return nil
	}
	if ref, ok := s.(*avro.RefSchema); ok {
		s = ref.Schema()
	}
	switch s.Type() {
	case avro.Record, avro.Error, avro.Enum, avro.Fixed, avro.Array, avro.Map:
		return map[string]any{branchName(s): v}
	}
	return v
}

// arrayBytes returns the bytes of a [N]byte, as hamba/avro decodes a fixed.
func arrayBytes(v any) ([]byte, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Array || rv.Type().Elem().Kind() != reflect.Uint8 {
		return nil, false
	}
	b := make([]byte, rv.Len())
	reflect.Copy(reflect.ValueOf(b), rv)
	return b, true
}
