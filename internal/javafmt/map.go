package javafmt

import (
	"fmt"
	"maps"
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
		fmt.Fprint(b, x)
	}
}
