// Package order sorts map keys of Connect values so that output built from
// maps is deterministic.
package order

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"time"
)

// StringKeys returns the keys of m in ascending byte order.
func StringKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Keys returns the keys of m in a deterministic order: null first, then
// booleans (false < true), numbers by value, strings, times, and anything
// else by its printed form.
func Keys(m map[any]any) []any {
	keys := make([]any, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, Compare)
	return keys
}

// Compare orders two key values as Keys does.
func Compare(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch ra {
	case rankBool:
		return cmp.Compare(boolInt(a.(bool)), boolInt(b.(bool)))
	case rankNumber:
		return numRat(a).Cmp(numRat(b))
	case rankFloat:
		return cmp.Compare(toFloat(a), toFloat(b))
	case rankString:
		return cmp.Compare(a.(string), b.(string))
	case rankTime:
		return a.(time.Time).Compare(b.(time.Time))
	case rankOther:
		return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b))
	}
	return 0
}

const (
	rankNull = iota
	rankBool
	rankNumber
	rankFloat
	rankString
	rankTime
	rankOther
)

func rank(v any) int {
	switch v.(type) {
	case nil:
		return rankNull
	case bool:
		return rankBool
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, *big.Rat:
		return rankNumber
	case float32, float64:
		return rankFloat
	case string:
		return rankString
	case time.Time:
		return rankTime
	}
	return rankOther
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func toFloat(v any) float64 {
	if f, ok := v.(float32); ok {
		return float64(f)
	}
	return v.(float64)
}

func numRat(v any) *big.Rat {
	switch x := v.(type) {
	case int:
		return new(big.Rat).SetInt64(int64(x))
	case int8:
		return new(big.Rat).SetInt64(int64(x))
	case int16:
		return new(big.Rat).SetInt64(int64(x))
	case int32:
		return new(big.Rat).SetInt64(int64(x))
	case int64:
		return new(big.Rat).SetInt64(x)
	case uint:
		return new(big.Rat).SetUint64(uint64(x))
	case uint8:
		return new(big.Rat).SetUint64(uint64(x))
	case uint16:
		return new(big.Rat).SetUint64(uint64(x))
	case uint32:
		return new(big.Rat).SetUint64(uint64(x))
	case uint64:
		return new(big.Rat).SetUint64(x)
	case *big.Rat:
		if x == nil {
			return new(big.Rat)
		}
		return x
	}
	return new(big.Rat)
}
