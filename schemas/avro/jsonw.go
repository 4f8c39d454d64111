package avro

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// obj is a JSON object that keeps its keys in insertion order, so that the
// Avro schemas sluice writes read exactly like those Java's Avro library
// writes for the same Connect schema (Schema.toString: "type", "name",
// "namespace", "doc", "fields", then the properties in the order added).
type obj struct {
	keys []string
	vals []any
}

func (o *obj) set(k string, v any) *obj {
	for i, kk := range o.keys {
		if kk == k {
			o.vals[i] = v
			return o
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

func (o *obj) get(k string) (any, bool) {
	for i, kk := range o.keys {
		if kk == k {
			return o.vals[i], true
		}
	}
	return nil, false
}

// javaFloat is a float written as Java's Float.toString (bits 32) or
// Double.toString writes it, NaN and the infinities as strings: what
// Jackson's number nodes give in Avro's Schema.toString.
type javaFloat struct {
	f    float64
	bits int
}

func (j javaFloat) append(b []byte) []byte {
	if j.bits == 32 {
		return javafmt.AppendJSONFloat(b, float32(j.f))
	}
	return javafmt.AppendJSONDouble(b, j.f)
}

func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case *obj:
		b = append(b, '{')
		first := true
		for i, k := range x.keys {
			if strings.HasPrefix(k, "\x00") {
				continue // bookkeeping, not part of the schema
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = javafmt.AppendWriterString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x.vals[i])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case string:
		return javafmt.AppendWriterString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case javaFloat:
		return x.append(b)
	}
	out, _ := json.Marshal(v)
	return append(b, out...)
}
