package javafmt

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Map renders m as Java's AbstractMap.toString does, "{k1=v1, k2=v2}",
// where Kafka Connect shows a map (configs in log lines, source partitions
// and offsets in error reports); values as Value renders them. Java lists
// a HashMap in hash order; Map sorts the keys so that a line reads the same
// every time.
func Map[V any](m map[string]V) string {
	var b strings.Builder
	appendMap(&b, m)
	return b.String()
}

// Props is a map of string properties that a log line (slog's text
// handler, fmt's %v) renders as Map does; JSON still encodes it as an
// object.
type Props map[string]string

// String renders p as Map does.
func (p Props) String() string { return Map(p) }

func appendMap[V any](b *strings.Builder, m map[string]V) {
	if m == nil {
		b.WriteString("null")
		return
	}
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		appendValue(b, m[k])
	}
	b.WriteByte('}')
}

// Value renders v as Java's String.valueOf would render the value it
// stands for: null for nil, strings verbatim, doubles and floats as Java
// prints them, maps as Map and lists as "[a, b]".
func Value(v any) string {
	var b strings.Builder
	appendValue(&b, v)
	return b.String()
}

func appendValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(x)
	case float64:
		b.WriteString(Double(x))
	case float32:
		b.WriteString(Float(x))
	case map[string]any:
		appendMap(b, x)
	case map[string]string:
		appendMap(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			appendValue(b, e)
		}
		b.WriteByte(']')
	case []string:
		b.WriteByte('[')
		b.WriteString(strings.Join(x, ", "))
		b.WriteByte(']')
	default:
		appendReflected(b, v)
	}
}

// appendReflected renders the maps and slices of other types than those
// appendValue knows (map[string]int, []int64, []map[string]any, …) as
// Java would, a fmt.Stringer as it renders itself, and anything else as
// fmt does.
func appendReflected(b *strings.Builder, v any) {
	if s, ok := v.(fmt.Stringer); ok {
		b.WriteString(s.String()) // its own rendering (Props, a Struct, …)
		return
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		b.WriteByte('[')
		for i := range rv.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			appendValue(b, rv.Index(i).Interface())
		}
		b.WriteByte(']')
	case reflect.Map:
		if rv.IsNil() {
			b.WriteString("null")
			return
		}
		// Keys sorted by their rendering, as Map sorts string keys.
		type entry struct{ k, v string }
		entries := make([]entry, 0, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			entries = append(entries, entry{Value(it.Key().Interface()), Value(it.Value().Interface())})
		}
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.k, b.k) })
		b.WriteByte('{')
		for i, e := range entries {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(e.k)
			b.WriteByte('=')
			b.WriteString(e.v)
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, v)
	}
}
