package schemas

import (
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// convertTo converts a parsed value to the schema found common to its
// siblings, as Kafka Connect's Values.convertTo does with no source schema.
// Unlike Kafka Connect it refuses conversions that would lose information
// (an out-of-range integer, a fraction to an integer type) instead of
// truncating.
func convertTo(to *Schema, v any) (any, error) {
	if isNull(v) {
		if to.Optional {
			return nil, nil
		}
		return nil, DataErrorf("Unable to convert a null value to a schema that requires a value")
	}
	switch to.Type {
	case TypeBytes:
		if to.Name == DecimalName {
			return convertToDecimal(to, v)
		}
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	case TypeString:
		return ConvertToString(nil, v)
	case TypeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if _, p, err := ParseString(x); err == nil {
				if b, ok := p.(bool); ok {
					return b, nil
				}
			}
		}
		n, err := asInt(v, 64)
		return n != 0, err
	case TypeInt8:
		n, err := asInt(v, 8)
		return int8(n), err
	case TypeInt16:
		n, err := asInt(v, 16)
		return int16(n), err
	case TypeInt32:
		if to.Name == DateName || to.Name == TimeName {
			return convertToTemporal(to, v)
		}
		n, err := asInt(v, 32)
		return int32(n), err
	case TypeInt64:
		if to.Name == TimestampName {
			return convertToTemporal(to, v)
		}
		return asInt(v, 64)
	case TypeFloat32:
		if f, ok := v.(float32); ok {
			return f, nil
		}
		f, err := asFloat(v)
		return float32(f), err
	case TypeFloat64:
		return asFloat(v)
	case TypeArray:
		if s, ok := v.(string); ok {
			_, v, _ = ParseString(s)
		}
		if a, ok := v.([]any); ok {
			return a, nil
		}
	case TypeMap:
		if s, ok := v.(string); ok {
			_, v, _ = ParseString(s)
		}
		switch v.(type) {
		case map[string]any, map[any]any:
			return v, nil
		}
	case TypeStruct:
		if s, ok := v.(*Struct); ok {
			return s, nil
		}
	}
	return nil, cannotConvert(v, to)
}

func cannotConvert(v any, to any) error {
	return DataErrorf("Unable to convert %v (%T) to %v", v, v, to)
}

// asInt converts a number, or a string holding one, to an integer that
// must fit in bits bits.
func asInt(v any, bits int) (int64, error) {
	var r *big.Rat
	switch x := v.(type) {
	case int8:
		return int64(x), nil // always fits the widening targets
	case int16:
		r = new(big.Rat).SetInt64(int64(x))
	case int32:
		r = new(big.Rat).SetInt64(int64(x))
	case int64:
		r = new(big.Rat).SetInt64(x)
	case float32:
		r = floatRat(float64(x))
	case float64:
		r = floatRat(x)
	case *big.Rat:
		r = x
	case string:
		u, scale, err := javafmt.ParseBigDecimal(x)
		if err != nil || scale > maxDecimalScale || scale < -maxDecimalScale {
			return 0, DataErrorf("Unable to convert %s (string) to a number", x)
		}
		r = DecimalFromUnscaled(u, scale)
	default:
		return 0, DataErrorf("Unable to convert %v (%T) to a number", v, v)
	}
	if r == nil || !r.IsInt() || !r.Num().IsInt64() {
		return 0, DataErrorf("Unable to convert %v to a %d-bit integer without losing information", v, bits)
	}
	n := r.Num().Int64()
	if bits < 64 && (n < -1<<(bits-1) || n > 1<<(bits-1)-1) {
		return 0, DataErrorf("Unable to convert %v to a %d-bit integer: out of range", v, bits)
	}
	return n, nil
}

func floatRat(f float64) *big.Rat {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return new(big.Rat).SetFloat64(f)
}

// asFloat converts a number, or a string holding one, to float64.
func asFloat(v any) (float64, error) {
	switch x := v.(type) {
	case int8:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case *big.Rat:
		f, _ := x.Float64()
		return f, nil
	case string:
		if _, _, err := javafmt.ParseBigDecimal(x); err == nil {
			f, _ := strconv.ParseFloat(x, 64)
			return f, nil
		}
	}
	return 0, DataErrorf("Unable to convert %v (%T) to a number", v, v)
}

func convertToDecimal(to *Schema, v any) (any, error) {
	switch x := v.(type) {
	case []byte:
		scale, err := DecimalScale(to)
		if err != nil {
			return nil, err
		}
		return DecimalFromBytes(scale, x)
	case *big.Rat:
		return x, nil
	case int8, int16, int32, int64:
		n, _ := asInt(x, 64)
		return new(big.Rat).SetInt64(n), nil
	case float32, float64:
		// Java converts through Double.toString (BigDecimal.valueOf).
		f, _ := asFloat(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			break
		}
		u, scale, _ := javafmt.ParseBigDecimal(javafmt.Double(f))
		return DecimalFromUnscaled(u, scale), nil
	case string:
		u, scale, err := javafmt.ParseBigDecimal(x)
		if err == nil && scale <= maxDecimalScale && scale >= -maxDecimalScale {
			return DecimalFromUnscaled(u, scale), nil
		}
	}
	return nil, cannotConvert(v, to)
}

// convertToTemporal converts to Date, Time or Timestamp: time.Time values
// are kept, strings are parsed, numbers are days or milliseconds.
func convertToTemporal(to *Schema, v any) (any, error) {
	if s, ok := v.(string); ok {
		_, v, _ = ParseString(s)
	}
	if t, ok := v.(time.Time); ok {
		return t, nil
	}
	switch to.Name {
	case DateName:
		n, err := asInt(v, 32)
		if err != nil {
			return nil, err
		}
		return DateFromDays(int32(n)), nil
	case TimeName:
		n, err := asInt(v, 32)
		if err != nil {
			return nil, err
		}
		return TimeFromMillis(int32(n))
	default:
		n, err := asInt(v, 64)
		if err != nil {
			return nil, err
		}
		return TimestampFromMillis(n), nil
	}
}
