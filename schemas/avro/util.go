package avro

import (
	"maps"
	"reflect"
	"slices"
)

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// arrayBytes returns the bytes of a [N]byte array (how hamba/avro holds a
// fixed value, a fixed default among them), or nil.
func arrayBytes(v any) []byte {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Array || rv.Type().Elem().Kind() != reflect.Uint8 {
		return nil
	}
	out := make([]byte, rv.Len())
	reflect.Copy(reflect.ValueOf(out), rv)
	return out
}
