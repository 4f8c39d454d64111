package avro

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
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

// javaFloat is a float written as Java's Float.toString / Double.toString
// write it (Jackson's number nodes): 1.0, 0.001, 1.0E7, 1.0E-4.
type javaFloat struct {
	f    float64
	bits int
}

func (j javaFloat) append(b []byte) []byte {
	f := j.f
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	abs := math.Abs(f)
	if f == 0 || (abs >= 1e-3 && abs < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, j.bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return append(b, s...)
	}
	s := strconv.FormatFloat(f, 'e', -1, j.bits) // 1.5e+07
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimPrefix(exp, "-"), "0")
	if neg {
		exp = "-" + exp
	}
	return append(append(append(b, mant...), 'E'), exp...)
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
			b = appendJSONString(b, k)
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
		return appendJSONString(b, x)
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

// appendJSONString writes s as Jackson does: only quotes, backslashes and
// control characters escaped (no HTML escaping of <, > and &).
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...)
}
