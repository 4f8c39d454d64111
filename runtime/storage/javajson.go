package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// This file writes JSON byte-for-byte as Kafka Connect's internal
// JsonConverter (schemas.enable=false, Jackson underneath) writes the
// values of the internal topics: compact, strings escaped as Jackson's
// default CharacterEscapes do (only '"', '\\' and control characters;
// \b \t \n \f \r short, others \u00XX with upper-case hex; no HTML or
// U+2028 escapes), doubles as Java's Double.toString. Map keys are written
// sorted: Java writes them in its map's iteration order, which no other
// implementation can reproduce, so sorted is the canonical choice.

// appendJavaJSON appends v as JSON. It accepts the values offsets and
// statuses hold: nil, bool, strings, Go integers and floats, json.Number,
// map[string]any and []any.
func appendJavaJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendJavaString(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case float32:
		return appendJavaFloat(b, float64(x), 32)
	case float64:
		return appendJavaFloat(b, x, 64)
	case json.Number:
		return appendJavaJSON(b, normalizeNumbers(x))
	case map[string]any:
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJavaString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJavaJSON(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJavaJSON(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return nil, fmt.Errorf("cannot write a %T as JSON", v)
}

const upperHex = "0123456789ABCDEF"

// appendJavaString appends s as a JSON string escaped as Jackson does.
// Invalid UTF-8 becomes U+FFFD (a Java string cannot hold it).
func appendJavaString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				b = append(b, '\\', '"')
			case c == '\\':
				b = append(b, '\\', '\\')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', upperHex[c>>4], upperHex[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// appendJavaFloat appends f as Java's Double.toString (Float.toString for
// bits 32) does, as Jackson writes it; JSON has no NaN or infinities.
func appendJavaFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %v cannot be written as JSON", f)
	}
	if bits == 32 {
		return javafmt.AppendFloat(b, float32(f)), nil
	}
	return javafmt.AppendDouble(b, f), nil
}

// decodeJSON decodes one JSON value with numbers as DecodeJSONMap gives
// them (int64, else float64).
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return normalizeNumbers(v), nil
}
