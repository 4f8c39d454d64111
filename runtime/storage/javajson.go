package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// This file writes JSON byte-for-byte as Kafka Connect's internal
// JsonConverter (schemas.enable=false, Jackson underneath) writes the
// values of the internal topics: compact, strings and numbers as
// internal/javafmt writes them (Jackson's escapes, Double.toString). Map
// keys are written sorted: Java writes them in its map's iteration order,
// which no other implementation can reproduce, so sorted is the canonical
// choice.

// appendJavaJSON appends v as JSON. It accepts the values offsets and
// statuses hold: nil, bool, strings, Go integers and floats, json.Number,
// map[string]any and []any.
func appendJavaJSON(b []byte, v any) ([]byte, error) {
	if out, ok := javafmt.AppendInteger(b, v); ok {
		return out, nil
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return javafmt.AppendString(b, x), nil
	case float32:
		if err := finite(float64(x)); err != nil {
			return nil, err
		}
		return javafmt.AppendFloat(b, x), nil
	case float64:
		if err := finite(x); err != nil {
			return nil, err
		}
		return javafmt.AppendDouble(b, x), nil
	case json.Number:
		return appendJavaJSON(b, normalizeNumbers(x))
	case map[string]any:
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = javafmt.AppendString(b, k)
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

// finite refuses NaN and the infinities: JSON has no number for them
// (Jackson would write them as strings, which read back as strings).
func finite(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("number %v cannot be written as JSON", f)
	}
	return nil
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
