package schemas

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"time"
)

// EqualValues reports whether two Connect values are equal: []byte by
// content, *big.Rat by value, time.Time by instant, *Struct by Equal, slices
// and maps element by element (a map[string]any equals a map[any]any with
// the same string keys), floats as Java's Double.equals (NaN equals NaN,
// 0.0 differs from -0.0), anything else with ==.
func EqualValues(a, b any) bool {
	if isNull(a) || isNull(b) {
		return isNull(a) && isNull(b)
	}
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case *big.Rat:
		y, ok := b.(*big.Rat)
		return ok && x.Cmp(y) == 0
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case *Struct:
		y, ok := b.(*Struct)
		return ok && x.Equal(y)
	case float64:
		y, ok := b.(float64)
		return ok && floatBitsEqual(x, y)
	case float32:
		y, ok := b.(float32)
		return ok && floatBitsEqual(float64(x), float64(y))
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !EqualValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any, map[any]any:
		return mapsEqual(a, b)
	}
	if reflect.TypeOf(a).Comparable() {
		return a == b
	}
	return reflect.DeepEqual(a, b)
}

func floatBitsEqual(x, y float64) bool {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	return math.Float64bits(x) == math.Float64bits(y)
}

// mapsEqual compares two MAP values of either Go map type.
func mapsEqual(a, b any) bool {
	if mapLen(a) != mapLen(b) || mapLen(b) < 0 {
		return false
	}
	equal := true
	rangeMap(a, func(k, v any) bool {
		w, ok := mapLookup(b, k)
		equal = ok && EqualValues(v, w)
		return equal
	})
	return equal
}

func mapLen(m any) int {
	switch x := m.(type) {
	case map[string]any:
		return len(x)
	case map[any]any:
		return len(x)
	}
	return -1
}

// rangeMap calls f for each entry of a MAP value until f returns false.
func rangeMap(m any, f func(k, v any) bool) {
	switch x := m.(type) {
	case map[string]any:
		for k, v := range x {
			if !f(k, v) {
				return
			}
		}
	case map[any]any:
		for k, v := range x {
			if !f(k, v) {
				return
			}
		}
	}
}

// mapLookup finds k in a MAP value, by == first and then by EqualValues
// (for keys such as *big.Rat or time.Time whose == is too strict).
func mapLookup(m any, k any) (any, bool) {
	switch x := m.(type) {
	case map[string]any:
		s, ok := k.(string)
		if !ok {
			return nil, false
		}
		v, ok := x[s]
		return v, ok
	case map[any]any:
		if k == nil || reflect.TypeOf(k).Comparable() {
			if v, ok := x[k]; ok {
				return v, true
			}
		}
		for k2, v := range x {
			if EqualValues(k, k2) {
				return v, true
			}
		}
	}
	return nil, false
}
