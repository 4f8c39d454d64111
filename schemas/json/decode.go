package json

import (
	"encoding/base64"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/schemas"
)

const envelopeError = `JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.`

// ToConnectData deserializes data. Nil or empty (whitespace-only) data is a
// tombstone: (nil, nil, nil). Without schemas, integers are read as int64,
// other numbers as float64, objects as map[string]any and arrays as []any.
// With schemas and schema.content, data is the payload alone, read with
// that schema.
func (c *Converter) ToConnectData(_ string, data []byte) (*schemas.Schema, any, error) {
	if len(data) == 0 {
		return nil, nil, nil
	}
	if c.fixed != nil && !c.cfg.schemasDisabled {
		return c.toConnectFixed(c.fixed, string(data))
	}
	src := string(data)
	var (
		known       string
		knownSchema *schemas.Schema
	)
	if !c.cfg.schemasDisabled {
		known, knownSchema = c.knownSchema()
	}
	root, ok, err := parseJSON(src, !c.cfg.schemasDisabled, known)
	if err != nil {
		return nil, nil, schemas.DataErrorf("Converting byte[] to Kafka Connect data failed due to serialization error: %w", err)
	}
	if !ok {
		return nil, nil, nil
	}
	if c.cfg.schemasDisabled {
		v, err := c.toConnect(nil, &root)
		return nil, v, err
	}
	schemaNode, payload, err := envelope(&root)
	if err != nil {
		return nil, nil, err
	}
	var schema *schemas.Schema
	switch {
	case schemaNode.known:
		schema = knownSchema
	case schemaNode.kind != kindNull:
		if schema, err = c.connectSchema(src[schemaNode.start:schemaNode.end]); err != nil {
			return nil, nil, err
		}
	}
	v, err := c.toConnect(schema, payload)
	if err != nil {
		return nil, nil, err
	}
	return schema, v, nil
}

// toConnectFixed reads src, a payload without an envelope, with schema.
func (c *Converter) toConnectFixed(schema *schemas.Schema, src string) (*schemas.Schema, any, error) {
	root, ok, err := parseJSON(src, false, "")
	if err != nil {
		return nil, nil, schemas.DataErrorf("Converting byte[] to Kafka Connect data failed due to serialization error: %w", err)
	}
	if !ok {
		return nil, nil, nil
	}
	v, err := c.toConnect(schema, &root)
	if err != nil {
		return nil, nil, err
	}
	return schema, v, nil
}

// envelope returns the schema and payload of {"schema":..,"payload":..}.
func envelope(root *node) (schema, payload *node, err error) {
	if root.kind != kindObject {
		return nil, nil, schemas.DataErrorf("%s (found a JSON %s)", envelopeError, strings.ToLower(root.kind.String()))
	}
	schema, payload = root.get("schema"), root.get("payload")
	extra := ""
	for _, k := range root.keys {
		if k != "schema" && k != "payload" {
			extra = k
			break
		}
	}
	switch {
	case schema == nil && payload == nil:
		err = schemas.DataErrorf(`%s (found an object without "schema" and "payload")`, envelopeError)
	case schema == nil:
		err = schemas.DataErrorf(`%s (found an object without "schema")`, envelopeError)
	case payload == nil:
		err = schemas.DataErrorf(`%s (found an object without "payload")`, envelopeError)
	case extra != "":
		err = schemas.DataErrorf("%s (found an additional field %q)", envelopeError, extra)
	}
	return schema, payload, err
}

// toConnect converts a JSON value to its Connect form under schema (nil:
// schemaless), as JsonConverter.convertToConnect does but refusing values
// that do not fit instead of coercing them.
func (c *Converter) toConnect(schema *schemas.Schema, n *node) (any, error) {
	if schema == nil {
		return toSchemaless(n)
	}
	if n == nil || n.kind == kindNull {
		switch {
		case !isNull(schema.Default) && !c.cfg.keepNull:
			return schema.Default, nil
		case schema.Optional:
			return nil, nil
		}
		return nil, schemas.DataErrorf("Invalid null value for required %v field", schema.Type)
	}
	switch schema.Name {
	case schemas.DecimalName:
		return toDecimal(schema, n)
	case schemas.DateName, schemas.TimeName, schemas.TimestampName:
		if n.kind != kindNumber || !n.integral() {
			return nil, schemas.DataErrorf("Invalid type for %s, underlying representation should be an integer but was %s", logicalShort(schema.Name), n.describe())
		}
	}
	switch schema.Name {
	case schemas.DateName:
		d, err := intValue(schema, n, 32)
		if err != nil {
			return nil, schemas.DataErrorf("Invalid type for Date, underlying representation should be integer: %w", err)
		}
		return schemas.DateFromDays(int32(d)), nil
	case schemas.TimeName:
		ms, err := intValue(schema, n, 32)
		if err != nil {
			return nil, schemas.DataErrorf("Invalid type for Time, underlying representation should be integer: %w", err)
		}
		return schemas.TimeFromMillis(int32(ms))
	case schemas.TimestampName:
		ms, err := intValue(schema, n, 64)
		if err != nil {
			return nil, schemas.DataErrorf("Invalid type for Timestamp, underlying representation should be integral: %w", err)
		}
		return schemas.TimestampFromMillis(ms), nil
	}
	switch schema.Type {
	case schemas.TypeBoolean:
		if n.kind == kindBool {
			return n.b, nil
		}
	case schemas.TypeInt8:
		v, err := intValue(schema, n, 8)
		return int8(v), err
	case schemas.TypeInt16:
		v, err := intValue(schema, n, 16)
		return int16(v), err
	case schemas.TypeInt32:
		v, err := intValue(schema, n, 32)
		return int32(v), err
	case schemas.TypeInt64:
		return intValue(schema, n, 64)
	case schemas.TypeFloat32:
		f, err := floatValue(schema, n, 32)
		return float32(f), err
	case schemas.TypeFloat64:
		return floatValue(schema, n, 64)
	case schemas.TypeString:
		if n.kind == kindString {
			return n.str, nil
		}
	case schemas.TypeBytes:
		if n.kind == kindString {
			b, err := base64.StdEncoding.DecodeString(n.str)
			if err != nil {
				return nil, schemas.DataErrorf("Invalid bytes field: expected base64: %w", err)
			}
			return b, nil
		}
	case schemas.TypeArray:
		if n.kind == kindArray {
			out := make([]any, len(n.elems))
			for i := range n.elems {
				v, err := c.toConnect(schema.Value, &n.elems[i])
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, nil
		}
	case schemas.TypeMap:
		return c.toMap(schema, n)
	case schemas.TypeStruct:
		if n.kind != kindObject {
			return nil, schemas.DataErrorf("Structs should be encoded as JSON objects, but found %v", n.kind)
		}
		st := schemas.NewStruct(schema)
		var index map[string]int
		if len(n.keys) > 16 {
			// Wide rows: index the members once instead of scanning per field.
			index = make(map[string]int, len(n.keys))
			for i, k := range n.keys {
				index[k] = i // a repeated key keeps its last value, as in Jackson
			}
		}
		for i, f := range schema.Fields {
			var member *node
			if index != nil {
				if j, ok := index[f.Name]; ok {
					member = &n.elems[j]
				}
			} else {
				member = n.get(f.Name)
			}
			v, err := c.toConnect(f.Schema, member)
			if err != nil {
				return nil, schemas.DataErrorf("field %q: %w", f.Name, err)
			}
			if err := st.PutAt(i, v); err != nil {
				return nil, err
			}
		}
		return st, nil
	default:
		return nil, schemas.DataErrorf("Unknown schema type: %v", schema.Type)
	}
	return nil, schemas.DataErrorf("Expected a JSON %s for %v, found %v", jsonKindFor(schema.Type), schema.Type, n.kind)
}

func jsonKindFor(t schemas.Type) string {
	switch t {
	case schemas.TypeBoolean:
		return "boolean"
	case schemas.TypeString:
		return "string"
	case schemas.TypeBytes:
		return "base64 string"
	case schemas.TypeArray:
		return "array"
	}
	return "value"
}

func (c *Converter) toMap(schema *schemas.Schema, n *node) (any, error) {
	if schema.Key == nil || schema.Value == nil {
		return nil, schemas.DataErrorf("MAP schema needs key and value schemas")
	}
	if schema.Key.Type == schemas.TypeString {
		if n.kind != kindObject {
			return nil, schemas.DataErrorf("Maps with string fields should be encoded as JSON objects, but found %v", n.kind)
		}
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := c.toConnect(schema.Value, &n.elems[i])
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	if n.kind != kindArray {
		return nil, schemas.DataErrorf("Maps with non-string fields should be encoded as JSON array of tuples, but found %v", n.kind)
	}
	out := make(map[any]any, len(n.elems))
	for i := range n.elems {
		e := &n.elems[i]
		if e.kind != kindArray {
			return nil, schemas.DataErrorf("Found invalid map entry instead of array tuple: %v", e.kind)
		}
		if len(e.elems) != 2 {
			return nil, schemas.DataErrorf("Found invalid map entry, expected length 2 but found :%d", len(e.elems))
		}
		k, err := c.toConnect(schema.Key, &e.elems[0])
		if err != nil {
			return nil, err
		}
		switch k.(type) {
		case []any, []byte, map[string]any, map[any]any:
			return nil, schemas.DataErrorf("Map keys of type %v cannot be represented as Go map keys", schema.Key.Type)
		}
		v, err := c.toConnect(schema.Value, &e.elems[1])
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// intValue reads an integer that must fit in bits bits. Kafka Connect
// truncates fractions and wraps out-of-range values; sluice refuses them.
func intValue(schema *schemas.Schema, n *node, bits int) (int64, error) {
	if n.kind != kindNumber {
		return 0, schemas.DataErrorf("Expected a JSON number for %v, found %v", schema.Type, n.kind)
	}
	if n.integral() {
		v, err := strconv.ParseInt(n.str, 10, bits)
		if err != nil {
			return 0, schemas.DataErrorf("%s is out of range for %v", n.str, schema.Type)
		}
		return v, nil
	}
	r, err := schemas.DecimalFromString(n.str)
	if err != nil {
		return 0, err
	}
	if !r.IsInt() {
		return 0, schemas.DataErrorf("%s is not an integer, as %v requires", n.str, schema.Type)
	}
	num := r.Num()
	if !num.IsInt64() || !fits(num.Int64(), bits) {
		return 0, schemas.DataErrorf("%s is out of range for %v", n.str, schema.Type)
	}
	return num.Int64(), nil
}

func fits(v int64, bits int) bool {
	if bits >= 64 {
		return true
	}
	return v >= -1<<(bits-1) && v <= 1<<(bits-1)-1
}

// floatValue reads a number (or "NaN", "Infinity", "-Infinity", which is
// how NaN and the infinities are written) rounded to the nearest float of
// the given size; numbers beyond its range are refused.
func floatValue(schema *schemas.Schema, n *node, bits int) (float64, error) {
	switch n.kind {
	case kindNumber:
		f, err := strconv.ParseFloat(n.str, bits)
		if err != nil && math.IsInf(f, 0) {
			return 0, schemas.DataErrorf("%s is out of range for %v", n.str, schema.Type)
		}
		return f, nil
	case kindString:
		switch n.str {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	return 0, schemas.DataErrorf("Expected a JSON number for %v, found %v", schema.Type, n.kind)
}

func toDecimal(schema *schemas.Schema, n *node) (*big.Rat, error) {
	switch n.kind {
	case kindNumber:
		scale, err := schemas.DecimalScale(schema)
		if err != nil {
			return nil, err
		}
		r, err := schemas.DecimalFromString(n.str)
		if err != nil {
			return nil, err
		}
		// Kafka Connect reads 1.501 for a Decimal of scale 2 and fails
		// only when the value is written; it is the record that is wrong.
		if _, err := schemas.DecimalUnscaled(scale, r); err != nil {
			return nil, schemas.DataErrorf("Decimal value %s does not fit the schema's scale %d: it would need rounding", n.str, scale)
		}
		return r, nil
	case kindString:
		scale, err := schemas.DecimalScale(schema)
		if err != nil {
			return nil, err
		}
		b, err := base64.StdEncoding.DecodeString(n.str)
		if err != nil {
			return nil, schemas.DataErrorf("Invalid bytes for Decimal field: expected base64: %w", err)
		}
		return schemas.DecimalFromBytes(scale, b)
	}
	return nil, schemas.DataErrorf("Invalid type for Decimal, underlying representation should be numeric or bytes but was %v", n.kind)
}

// toSchemaless converts a JSON value without a schema.
func toSchemaless(n *node) (any, error) {
	if n == nil {
		return nil, nil
	}
	switch n.kind {
	case kindNull:
		return nil, nil
	case kindBool:
		return n.b, nil
	case kindString:
		return n.str, nil
	case kindNumber:
		if n.integral() {
			v, err := strconv.ParseInt(n.str, 10, 64)
			if err != nil {
				return nil, schemas.DataErrorf("integer %s is out of range for INT64", n.str)
			}
			return v, nil
		}
		f, err := strconv.ParseFloat(n.str, 64)
		if err != nil && math.IsInf(f, 0) {
			return nil, schemas.DataErrorf("number %s is out of range for FLOAT64", n.str)
		}
		return f, nil
	case kindArray:
		out := make([]any, len(n.elems))
		for i := range n.elems {
			v, err := toSchemaless(&n.elems[i])
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case kindObject:
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := toSchemaless(&n.elems[i])
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return nil, schemas.DataErrorf("Unknown JSON value")
}
