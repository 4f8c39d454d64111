package json

import (
	"encoding/base64"
	"math/big"
	"strconv"
	"time"

	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/internal/order"
)

// FromConnectData serializes value, described by schema (nil: schemaless).
// A nil value without a schema is a tombstone: nil bytes.
func (c *Converter) FromConnectData(_ string, schema *schemas.Schema, value any) ([]byte, error) {
	if schema == nil && isNull(value) {
		return nil, nil
	}
	b := make([]byte, 0, max(c.sizeHint.Load(), 64))
	var err error
	if c.cfg.schemasDisabled {
		b, err = c.appendValue(b, schema, value)
	} else {
		b = append(b, `{"schema":`...)
		if schema == nil {
			b = append(b, "null"...)
		} else {
			var sj []byte
			if sj, err = c.schemaJSON(schema); err != nil {
				return nil, err
			}
			b = append(b, sj...)
		}
		b = append(b, `,"payload":`...)
		if b, err = c.appendValue(b, schema, value); err == nil {
			b = append(b, '}')
		}
	}
	if err != nil {
		return nil, err
	}
	c.sizeHint.Store(int64(len(b)))
	return b, nil
}

// isNull reports whether v is Connect null (see schemas.Schema).
func isNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *schemas.Struct:
		return x == nil
	case *big.Rat:
		return x == nil
	}
	return false
}

var jsonTypeNames = map[schemas.Type]string{
	schemas.TypeBoolean: "boolean",
	schemas.TypeInt8:    "int8",
	schemas.TypeInt16:   "int16",
	schemas.TypeInt32:   "int32",
	schemas.TypeInt64:   "int64",
	schemas.TypeFloat32: "float",
	schemas.TypeFloat64: "double",
	schemas.TypeBytes:   "bytes",
	schemas.TypeString:  "string",
	schemas.TypeArray:   "array",
	schemas.TypeMap:     "map",
	schemas.TypeStruct:  "struct",
}

// appendSchema writes s as JsonConverter.asJsonSchema does, keys in its
// order: type, items | keys, values | fields, optional, name, version, doc,
// parameters, default.
func (c *Converter) appendSchema(b []byte, s *schemas.Schema) ([]byte, error) {
	b, err := c.appendSchemaBody(b, s)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// appendSchemaBody writes s without its closing brace, so that a struct
// field can add its "field" key.
func (c *Converter) appendSchemaBody(b []byte, s *schemas.Schema) ([]byte, error) {
	if s == nil {
		return b, schemas.DataErrorf("Couldn't translate a null schema to JSON")
	}
	name, ok := jsonTypeNames[s.Type]
	if !ok {
		return b, schemas.DataErrorf("Couldn't translate unsupported schema type %v.", s.Type)
	}
	b = append(b, `{"type":"`...)
	b = append(b, name...)
	b = append(b, '"')
	var err error
	switch s.Type {
	case schemas.TypeArray:
		b = append(b, `,"items":`...)
		b, err = c.appendSubSchema(b, s.Value)
	case schemas.TypeMap:
		b = append(b, `,"keys":`...)
		if b, err = c.appendSubSchema(b, s.Key); err == nil {
			b = append(b, `,"values":`...)
			b, err = c.appendSubSchema(b, s.Value)
		}
	case schemas.TypeStruct:
		b = append(b, `,"fields":[`...)
		for i, f := range s.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = c.appendSchemaBody(b, f.Schema); err != nil {
				return b, err
			}
			b = append(b, `,"field":`...)
			if b, err = appendString(b, f.Name); err != nil {
				return b, err
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if err != nil {
		return b, err
	}
	b = append(b, `,"optional":`...)
	b = strconv.AppendBool(b, s.Optional)
	if s.Name != "" {
		b = append(b, `,"name":`...)
		if b, err = appendString(b, s.Name); err != nil {
			return b, err
		}
	}
	if s.Version != nil {
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(*s.Version), 10)
	}
	if s.Doc != "" {
		b = append(b, `,"doc":`...)
		if b, err = appendString(b, s.Doc); err != nil {
			return b, err
		}
	}
	if s.Parameters != nil {
		b = append(b, `,"parameters":{`...)
		first := true
		for _, k := range sortedParams(s.Parameters) {
			if !first {
				b = append(b, ',')
			}
			first = false
			if b, err = appendString(b, k); err != nil {
				return b, err
			}
			b = append(b, ':')
			if b, err = appendString(b, s.Parameters[k]); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	}
	if !isNull(s.Default) {
		b = append(b, `,"default":`...)
		if b, err = c.appendValue(b, s, s.Default); err != nil {
			return b, err
		}
	}
	return b, nil
}

// appendSubSchema writes an element, key or value schema; Kafka Connect
// writes null for one that is missing.
func (c *Converter) appendSubSchema(b []byte, s *schemas.Schema) ([]byte, error) {
	if s == nil {
		return append(b, "null"...), nil
	}
	return c.appendSchema(b, s)
}

func sortedParams(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Insertion sort: parameter maps are tiny.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// appendValue writes value as JsonConverter.convertToJson does.
func (c *Converter) appendValue(b []byte, schema *schemas.Schema, value any) ([]byte, error) {
	if isNull(value) {
		switch {
		case schema == nil:
			return append(b, "null"...), nil
		case !isNull(schema.Default) && !c.cfg.keepNull:
			return c.appendValue(b, schema, schema.Default)
		case schema.Optional:
			return append(b, "null"...), nil
		}
		return b, schemas.DataErrorf("Conversion error: null value for field that is required and has no default value")
	}
	if schema == nil {
		return c.appendSchemaless(b, value)
	}
	switch schema.Name {
	case schemas.DecimalName:
		return c.appendDecimal(b, schema, value)
	case schemas.DateName, schemas.TimeName, schemas.TimestampName:
		return appendTemporal(b, schema, value)
	}
	switch schema.Type {
	case schemas.TypeInt8:
		if v, ok := value.(int8); ok {
			return strconv.AppendInt(b, int64(v), 10), nil
		}
	case schemas.TypeInt16:
		if v, ok := value.(int16); ok {
			return strconv.AppendInt(b, int64(v), 10), nil
		}
	case schemas.TypeInt32:
		if v, ok := value.(int32); ok {
			return strconv.AppendInt(b, int64(v), 10), nil
		}
	case schemas.TypeInt64:
		if v, ok := value.(int64); ok {
			return strconv.AppendInt(b, v, 10), nil
		}
	case schemas.TypeFloat32:
		if v, ok := value.(float32); ok {
			return javafmt.AppendJSONFloat(b, v), nil
		}
	case schemas.TypeFloat64:
		if v, ok := value.(float64); ok {
			return javafmt.AppendJSONDouble(b, v), nil
		}
	case schemas.TypeBoolean:
		if v, ok := value.(bool); ok {
			return strconv.AppendBool(b, v), nil
		}
	case schemas.TypeString:
		if v, ok := value.(string); ok {
			return appendString(b, v)
		}
	case schemas.TypeBytes:
		if v, ok := value.([]byte); ok {
			return appendBase64(b, v), nil
		}
	case schemas.TypeArray:
		if v, ok := value.([]any); ok {
			return c.appendArray(b, schema.Value, v)
		}
	case schemas.TypeMap:
		switch value.(type) {
		case map[string]any, map[any]any:
			return c.appendMap(b, schema, value)
		}
	case schemas.TypeStruct:
		if v, ok := value.(*schemas.Struct); ok {
			if !v.Schema().Equal(schema) {
				return b, schemas.DataErrorf("Mismatching schema: struct has %v, expected %v", v.Schema(), schema)
			}
			return c.appendStruct(b, v)
		}
	default:
		return b, schemas.DataErrorf("Couldn't convert %v to JSON: unknown schema type %v", value, schema.Type)
	}
	return b, schemas.DataErrorf("Invalid type for %v: %T", schema.Type, value)
}

// appendSchemaless writes a value without a schema, by its Go type.
func (c *Converter) appendSchemaless(b []byte, value any) ([]byte, error) {
	if out, ok := javafmt.AppendInteger(b, value); ok {
		return out, nil
	}
	switch v := value.(type) {
	case bool:
		return strconv.AppendBool(b, v), nil
	case float32:
		return javafmt.AppendJSONFloat(b, v), nil
	case float64:
		return javafmt.AppendJSONDouble(b, v), nil
	case string:
		return appendString(b, v)
	case []byte:
		return appendBase64(b, v), nil
	case []any:
		return c.appendArray(b, nil, v)
	case map[string]any, map[any]any:
		return c.appendMap(b, nil, v)
	case *schemas.Struct:
		// Kafka Connect fails here ("Mismatching schema."); the struct
		// carries its schema, so write it with that.
		return c.appendStruct(b, v)
	}
	return b, schemas.DataErrorf("Go type %T does not have a corresponding schema type; schemaless values must be nil, bool, integers, floats, string, []byte, []any, maps or *schemas.Struct (logical types need a schema)", value)
}

func (c *Converter) appendArray(b []byte, elem *schemas.Schema, arr []any) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i, e := range arr {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = c.appendValue(b, elem, e); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendMap writes a MAP as a JSON object when its keys are strings (by
// schema, or all of them when schemaless) and as an array of [key, value]
// pairs otherwise, entries sorted by key.
func (c *Converter) appendMap(b []byte, schema *schemas.Schema, m any) ([]byte, error) {
	var keySchema, valSchema *schemas.Schema
	objectMode := true
	if schema != nil {
		if schema.Key == nil || schema.Value == nil {
			return b, schemas.DataErrorf("MAP schema needs key and value schemas")
		}
		keySchema, valSchema = schema.Key, schema.Value
		objectMode = keySchema.Type == schemas.TypeString
	} else if am, ok := m.(map[any]any); ok {
		for k := range am {
			if _, isStr := k.(string); !isStr {
				objectMode = false
				break
			}
		}
	}
	// Both Go map representations are written the same way, in sorted key
	// order: keys lists them, get reads a value.
	var keys []any
	var get func(k any) any
	switch mm := m.(type) {
	case map[string]any:
		keys, get = stringKeysAny(mm), func(k any) any { return mm[k.(string)] }
	case map[any]any:
		keys, get = order.Keys(mm), func(k any) any { return mm[k] }
	default:
		return b, schemas.DataErrorf("Invalid type for MAP: %T", m)
	}
	if !objectMode {
		return c.appendPairs(b, keySchema, valSchema, keys, get)
	}
	var err error
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = c.appendObjectKey(b, keySchema, k); err != nil {
			return b, err
		}
		b = append(b, ':')
		if b, err = c.appendValue(b, valSchema, get(k)); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendObjectKey writes a map key as an object field name: the text of
// the key's JSON form (Jackson's asText).
func (c *Converter) appendObjectKey(b []byte, keySchema *schemas.Schema, k any) ([]byte, error) {
	if s, ok := k.(string); ok && (keySchema == nil || keySchema.Name == "") {
		return appendString(b, s)
	}
	kj, err := c.appendValue(nil, keySchema, k)
	if err != nil {
		return b, err
	}
	if len(kj) > 0 && kj[0] == '"' {
		return append(b, kj...), nil // already a JSON string
	}
	return appendString(b, string(kj))
}

func (c *Converter) appendPairs(b []byte, keySchema, valSchema *schemas.Schema, keys []any, get func(any) any) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		if b, err = c.appendValue(b, keySchema, k); err != nil {
			return b, err
		}
		b = append(b, ',')
		if b, err = c.appendValue(b, valSchema, get(k)); err != nil {
			return b, err
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

func stringKeysAny(m map[string]any) []any {
	keys := order.StringKeys(m)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

func (c *Converter) appendStruct(b []byte, st *schemas.Struct) ([]byte, error) {
	b = append(b, '{')
	var err error
	for i, f := range st.Schema().Fields {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendString(b, f.Name); err != nil {
			return b, err
		}
		b = append(b, ':')
		if b, err = c.appendValue(b, f.Schema, st.At(i)); err != nil {
			return b, schemas.DataErrorf("field %q: %w", f.Name, err)
		}
	}
	return append(b, '}'), nil
}

func (c *Converter) appendDecimal(b []byte, schema *schemas.Schema, value any) ([]byte, error) {
	r, ok := value.(*big.Rat)
	if !ok {
		return b, schemas.DataErrorf("Invalid type for Decimal, expected *big.Rat but was %T", value)
	}
	scale, err := schemas.DecimalScale(schema)
	if err != nil {
		return b, err
	}
	if c.cfg.decimalFormat == DecimalNumeric {
		u, err := schemas.DecimalUnscaled(scale, r)
		if err != nil {
			return b, err
		}
		return javafmt.AppendBigDecimal(b, u, scale), nil
	}
	var scratch [32]byte
	raw, err := schemas.AppendDecimalBytes(scratch[:0], scale, r)
	if err != nil {
		return b, err
	}
	return appendBase64(b, raw), nil
}

func appendTemporal(b []byte, schema *schemas.Schema, value any) ([]byte, error) {
	t, ok := value.(time.Time)
	if !ok {
		return b, schemas.DataErrorf("Invalid type for %s, expected time.Time but was %T", logicalShort(schema.Name), value)
	}
	switch schema.Name {
	case schemas.DateName:
		d, err := schemas.DateToDays(t)
		return strconv.AppendInt(b, int64(d), 10), err
	case schemas.TimeName:
		ms, err := schemas.TimeToMillis(t)
		return strconv.AppendInt(b, int64(ms), 10), err
	default:
		ms, err := schemas.TimestampToMillis(t)
		return strconv.AppendInt(b, ms, 10), err
	}
}

func logicalShort(name string) string {
	switch name {
	case schemas.DecimalName:
		return "Decimal"
	case schemas.DateName:
		return "Date"
	case schemas.TimeName:
		return "Time"
	case schemas.TimestampName:
		return "Timestamp"
	}
	return name
}

func appendBase64(b, raw []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, raw)
	return append(b, '"')
}

// appendString writes s as a JSON string as Jackson (JsonConverter's
// ObjectMapper) writes it: see javafmt.AppendString. A string that is not
// valid UTF-8 is an error rather than silently repaired.
func appendString(b []byte, s string) ([]byte, error) {
	b, err := javafmt.AppendStringStrict(b, s)
	if err != nil {
		return b, schemas.DataErrorf("%w: JSON cannot carry it; use BYTES for binary data", err)
	}
	return b, nil
}
