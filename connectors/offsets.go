package connectors

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// NormalizeOffset returns a copy of a source partition or offset with its
// values as the runtime hands them back (OffsetReader), before a worker
// restart as after one: every integer type as int64, float32 and float64 as
// float64 (a float32 as the decimal Java's Float.toString writes for it, so
// float32(0.1) becomes 0.1), json.Number as int64 when integral and float64
// otherwise, nil, strings and booleans as they are; nil stays nil. A value
// that is not a JSON primitive (a map, a slice, a struct) or that JSON
// cannot carry (NaN, an infinity, a uint64 beyond math.MaxInt64) is an
// error, worded as Kafka Connect's, naming the field; fields are checked in
// sorted order, so the message is the same for the same input.
//
// A connector's tests can use it to see what its task will read back.
func NormalizeOffset(m map[string]any) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]any, len(m))
	bad := false
	for k, v := range m {
		n, what := offsetValue(v)
		if what != "" {
			bad = true
			break
		}
		out[k] = n
	}
	if !bad {
		return out, nil
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if _, what := offsetValue(m[k]); what != "" {
			return nil, fmt.Errorf("Offsets may only contain primitive types as values, but field %s contains %s", k, what)
		}
	}
	panic("unreachable: a value was refused, then accepted")
}

// offsetValue returns v as it reads back from an offsets file or topic
// (JSON written as Kafka Connect writes it, read as its JsonConverter reads
// it): every integer type as int64, float32 and float64 as float64 (a
// float32 as the decimal Java's Float.toString writes for it), json.Number
// as int64 when integral and float64 otherwise, nil, strings and booleans
// as they are. For any other value it returns what Kafka Connect would name
// the value's type (its schema type MAP or ARRAY, or its class), or why
// JSON cannot carry it.
func offsetValue(v any) (any, string) {
	switch x := v.(type) {
	case nil, string, bool, int64:
		return v, ""
	case int:
		return int64(x), ""
	case int8:
		return int64(x), ""
	case int16:
		return int64(x), ""
	case int32:
		return int64(x), ""
	case uint:
		return unsignedOffset(uint64(x))
	case uint8:
		return int64(x), ""
	case uint16:
		return int64(x), ""
	case uint32:
		return int64(x), ""
	case uint64:
		return unsignedOffset(x)
	case float32:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Sprintf("%v, a number JSON cannot carry", f)
		}
		// What the Kafka store writes (Float.toString) and reads back.
		f, _ = strconv.ParseFloat(string(javafmt.AppendFloat(nil, x)), 64)
		return f, ""
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Sprintf("%v, a number JSON cannot carry", x)
		}
		return x, ""
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, ""
		}
		// An integer too large for int64 is a java.math.BigInteger to
		// Jackson, which has no Connect schema type; taking it as a float
		// would silently change the offset.
		if !strings.ContainsAny(string(x), ".eE") {
			return nil, "class java.math.BigInteger"
		}
		// Beyond float64, the number could be neither stored nor written
		// as JSON (Jackson would make it Infinity).
		f, err := x.Float64()
		if err != nil {
			return nil, "a number beyond the range of a double"
		}
		return f, ""
	case map[string]any:
		return nil, "MAP"
	case []any:
		return nil, "ARRAY"
	}
	return nil, fmt.Sprintf("%T", v)
}

// unsignedOffset is offsetValue for an unsigned integer: int64, if it fits.
func unsignedOffset(u uint64) (any, string) {
	if u > math.MaxInt64 {
		return nil, fmt.Sprintf("%d, beyond the range of a long (int64)", u)
	}
	return int64(u), ""
}

// CheckOffset reports whether NormalizeOffset takes m, with the same error,
// without copying m (and without allocating for the common value types).
func CheckOffset(m map[string]any) error {
	for _, v := range m {
		if !offsetValueOK(v) {
			_, err := NormalizeOffset(m)
			return err
		}
	}
	return nil
}

// offsetValueOK reports whether offsetValue takes v, without converting it.
func offsetValueOK(v any) bool {
	switch x := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32:
		return true
	case uint:
		return uint64(x) <= math.MaxInt64
	case uint64:
		return x <= math.MaxInt64
	case float32:
		return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0)
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	}
	_, what := offsetValue(v)
	return what == ""
}
