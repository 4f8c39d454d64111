package transforms

import (
	"encoding/base64"
	"maps"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// Cast$Key / Cast$Value: cast the whole key or value, or some fields of a
// Struct or map, to int8, int16, int32, int64, float32, float64, boolean or
// string, with Java's conversions: numbers narrow by truncation (floats
// saturate at the int range first), booleans become 1 or 0 and back,
// strings are parsed (Byte.parseByte, Double.parseDouble, ... and
// Boolean.parseBoolean), bytes become base64 strings. Decimal fields cast as
// numbers; Date, Time and Timestamp fields cast through their encoded form
// (days, milliseconds) or to an ISO 8601 string in UTC. Null passes through.
//
// Differences from Kafka Connect, each where its result is unusable:
//   - casting a whole Decimal, Date, Time or Timestamp value drops the
//     logical type's name, version and parameters from the new schema, which
//     Kafka Connect copies onto a schema of another type;
//   - a Struct schema with a default keeps it, cast field by field, where
//     Kafka Connect fails every record;
//   - times are formatted in UTC, not in the JVM's default time zone, and
//     ones before the epoch keep their date.

const castPurpose = "cast types"

// castInputs and castOutputs, in Kafka Connect's order, for messages.
const (
	castInputs  = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
	castOutputs = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
)

var castDef = config.NewDef().
	Define(config.Key{Name: "spec", Type: config.List, Default: config.NoDefault,
		Validator: config.ValidatorFunc(func(name string, value any) error {
			_, _, err := parseCastSpec(value)
			return err
		}, "a single type, or field:type pairs, e.g. id:int64,price:float64"),
		Importance: config.High,
		Doc: "What to cast: one type (int8, int16, int32, int64, float32, float64, boolean or string) to cast the whole key or value, " +
			"or field:type pairs to cast fields of a Struct or map. Bytes can only be cast to string."}).
	Define(replaceNullKey())

type cast struct {
	side                   Side
	fields                 map[string]schemas.Type
	whole                  schemas.Type // 0 when casting fields
	replaceNullWithDefault bool
	cache                  schemaCache
}

func newCast(s Side) Transformation { return &cast{side: s} }

func (t *cast) Config() *config.Def { return castDef }

func (t *cast) Configure(props map[string]string) error {
	v, err := castDef.Parse(props)
	if err != nil {
		return err
	}
	t.fields, t.whole, _ = parseCastSpec(v.Get("spec"))
	t.replaceNullWithDefault = v.Bool(replaceNullConfig)
	t.cache = schemaCache{}
	return nil
}

// parseCastSpec reads the spec list: either one type for the whole value,
// or field:type pairs.
func parseCastSpec(value any) (fields map[string]schemas.Type, whole schemas.Type, err error) {
	spec, _ := value.([]string)
	fail := func(reason string) (map[string]schemas.Type, schemas.Type, error) {
		return nil, 0, &config.ValueError{Value: value, Reason: reason}
	}
	if len(spec) == 0 {
		return fail("Must specify at least one field to cast.")
	}
	fields = map[string]schemas.Type{}
	for _, mapping := range spec {
		parts := splitColon(mapping)
		var typeName string
		switch len(parts) {
		case 0: // ":" and the like, on which Kafka Connect crashes
			return fail("Invalid cast mapping: " + mapping)
		case 1:
			typeName = parts[0]
		case 2:
			typeName = parts[1]
		default:
			// Kafka Connect names the key "renames" and the mapping a rename
			// here, a slip copied from ReplaceField.
			return fail("Invalid cast mapping: " + mapping)
		}
		typeName = strings.TrimFunc(typeName, isJavaSpace)
		typ, ok := connectType(strings.ToUpper(typeName))
		if !ok {
			return fail("Invalid type found in casting spec: " + typeName)
		}
		if !castOutput(typ) {
			return fail("Cast transformation does not support casting to " + typ.String() + "; supported types are " + castOutputs)
		}
		if len(parts) == 1 {
			whole = typ
		} else {
			fields[strings.TrimFunc(parts[0], isJavaSpace)] = typ
		}
	}
	if whole != 0 && len(spec) > 1 {
		return fail("Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec")
	}
	return fields, whole, nil
}

// isJavaSpace is what Java's String.trim strips.
func isJavaSpace(r rune) bool { return r <= ' ' }

// connectType returns the schema type named name (as Type.String gives it).
func connectType(name string) (schemas.Type, bool) {
	for t := schemas.TypeInt8; t <= schemas.TypeStruct; t++ {
		if t.String() == name {
			return t, true
		}
	}
	return 0, false
}

func castOutput(t schemas.Type) bool {
	return t >= schemas.TypeInt8 && t <= schemas.TypeString
}

func castInput(t schemas.Type) bool {
	return t >= schemas.TypeInt8 && t <= schemas.TypeBytes
}

func (t *cast) Apply(r *Record) (bool, error) {
	schema, value := t.side.Get(r)
	if isNull(value) {
		return true, nil
	}
	if schema == nil {
		out, err := t.castSchemaless(value)
		if err != nil {
			return false, err
		}
		t.side.Set(r, nil, out)
		return true, nil
	}
	if t.whole != 0 {
		newSchema, err := t.schemaFor(schema)
		if err != nil {
			return false, err
		}
		out, err := castValue(schema, value, t.whole)
		if err != nil {
			return false, err
		}
		t.side.Set(r, newSchema, out)
		return true, nil
	}
	st, err := requireStruct(value, castPurpose)
	if err != nil {
		return false, err
	}
	newSchema, err := t.schemaFor(schema)
	if err != nil {
		return false, err
	}
	out, err := t.castStruct(st, newSchema, t.replaceNullWithDefault)
	if err != nil {
		return false, err
	}
	t.side.Set(r, newSchema, out)
	return true, nil
}

func (t *cast) castSchemaless(value any) (any, error) {
	if t.whole != 0 {
		return castValue(nil, value, t.whole)
	}
	m, err := requireMap(value, castPurpose)
	if err != nil {
		return nil, err
	}
	out := maps.Clone(m)
	for f, typ := range t.fields {
		// Like Kafka Connect, a listed field the map lacks is added as null.
		if out[f], err = castValue(nil, m[f], typ); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// castStruct casts the listed fields of st into a Struct of newSchema,
// which schemaFor derived from st's schema (same fields, same order).
func (t *cast) castStruct(st *schemas.Struct, newSchema *schemas.Schema, withDefault bool) (*schemas.Struct, error) {
	out := schemas.NewStruct(newSchema)
	for i, f := range st.Schema().Fields {
		if i >= len(newSchema.Fields) || newSchema.Fields[i].Name != f.Name {
			return nil, schemas.DataErrorf("Struct schema %v does not match the record's schema for [%s]", st.Schema(), castPurpose)
		}
		v := fieldAt(st, i, withDefault)
		if typ, ok := t.fields[f.Name]; ok {
			var err error
			if v, err = castValue(f.Schema, v, typ); err != nil {
				return nil, err
			}
		}
		if err := out.PutAt(i, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// schemaFor returns the schema of cast values of schema, building it once.
func (t *cast) schemaFor(schema *schemas.Schema) (*schemas.Schema, error) {
	if s, ok := t.cache.get(schema); ok {
		return s, nil
	}
	var b *schemas.Builder
	if t.whole != 0 {
		b = schemas.NewBuilder(t.whole)
		if isLogical(schema.Name) {
			// The logical type does not survive the cast; keep the doc only.
			if schema.Doc != "" {
				b.Doc(schema.Doc)
			}
		} else {
			copyBasicsInto(schema, b)
		}
	} else {
		b = copyBasicsInto(schema, schemas.NewBuilder(schemas.TypeStruct))
		for _, f := range schema.Fields {
			typ, ok := t.fields[f.Name]
			if !ok {
				b.Field(f.Name, f.Schema)
				continue
			}
			fb := schemas.NewBuilder(typ)
			if f.Schema.Optional {
				fb.Optional()
			}
			if f.Schema.Default != nil {
				d, err := castValue(f.Schema, f.Schema.Default, typ)
				if err != nil {
					return nil, err
				}
				fb.Default(d)
			}
			fs, err := fb.Build()
			if err != nil {
				return nil, err
			}
			b.Field(f.Name, fs)
		}
	}
	if schema.Optional {
		b.Optional()
	}
	var structDefault *schemas.Struct
	if schema.Default != nil {
		if t.whole != 0 {
			d, err := castValue(schema, schema.Default, t.whole)
			if err != nil {
				return nil, err
			}
			b.Default(d)
		} else if structDefault, _ = schema.Default.(*schemas.Struct); structDefault == nil {
			return nil, schemas.DataErrorf("Invalid default for a Struct schema: %s", javaClass(schema.Default))
		}
	}
	out, err := b.Build()
	if err != nil {
		return nil, err
	}
	if structDefault != nil {
		// The default must be a Struct of the new schema itself, so it can
		// only be made once the schema exists; nothing else has seen out yet.
		d, err := t.castStruct(structDefault, out, true)
		if err != nil {
			return nil, err
		}
		out.Default = d
	}
	t.cache.put(schema, out)
	return out, nil
}

func isLogical(name string) bool {
	switch name {
	case schemas.DecimalName, schemas.DateName, schemas.TimeName, schemas.TimestampName:
		return true
	}
	return false
}

// schemalessType is Kafka Connect's ConnectSchema.schemaType: the schema type
// of a value carried without a schema.
func schemalessType(v any) (schemas.Type, bool) {
	switch v.(type) {
	case int8:
		return schemas.TypeInt8, true
	case int16:
		return schemas.TypeInt16, true
	case int32:
		return schemas.TypeInt32, true
	case int64, int:
		return schemas.TypeInt64, true
	case float32:
		return schemas.TypeFloat32, true
	case float64:
		return schemas.TypeFloat64, true
	case bool:
		return schemas.TypeBoolean, true
	case string:
		return schemas.TypeString, true
	case []byte:
		return schemas.TypeBytes, true
	case []any:
		return schemas.TypeArray, true
	case map[string]any, map[any]any:
		return schemas.TypeMap, true
	case *schemas.Struct:
		return schemas.TypeStruct, true
	}
	return 0, false
}

// castValue casts v, described by schema (nil when schemaless), to typ.
func castValue(schema *schemas.Schema, v any, typ schemas.Type) (any, error) {
	if isNull(v) {
		return nil, nil
	}
	var in schemas.Type
	if schema != nil {
		in = schema.Type
	} else {
		var ok bool
		if in, ok = schemalessType(v); !ok {
			return nil, schemas.DataErrorf("Cast transformation was passed a value of type %s which is not supported by Connect's data API", javaClass(v))
		}
	}
	if !castInput(in) {
		return nil, schemas.DataErrorf("Cast transformation does not support casting from %v; supported types are %s", in, castInputs)
	}
	if schema != nil && typ != schemas.TypeString {
		var err error
		if v, err = encodeLogical(schema, v); err != nil {
			return nil, err
		}
	}
	switch typ {
	case schemas.TypeString:
		return castToString(schema, v)
	case schemas.TypeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			return strings.EqualFold(x, "true"), nil
		}
		n, ok := javaLong(v)
		if !ok {
			return nil, unexpectedCast(v)
		}
		return n != 0, nil
	case schemas.TypeFloat32, schemas.TypeFloat64:
		return castToFloat(v, typ)
	default:
		return castToInteger(v, typ)
	}
}

// encodeLogical turns a Date, Time or Timestamp value into its encoded
// number, as Kafka Connect does before casting it to a non-string type.
func encodeLogical(schema *schemas.Schema, v any) (any, error) {
	switch schema.Name {
	case schemas.DateName, schemas.TimeName, schemas.TimestampName:
	default:
		return v, nil
	}
	tm, ok := v.(time.Time)
	if !ok {
		return nil, schemas.DataErrorf("Invalid value for %s: expected java.util.Date but was %s", schema.Name, JavaClassName(v))
	}
	switch schema.Name {
	case schemas.DateName:
		return schemas.DateToDays(tm)
	case schemas.TimeName:
		return schemas.TimeToMillis(tm)
	default:
		return schemas.TimestampToMillis(tm)
	}
}

func unexpectedCast(v any) error {
	return schemas.DataErrorf("Unexpected type in Cast transformation: %s", javaClass(v))
}

func outOfRange(v any) error {
	return schemas.DataErrorf("Value (%v) was out of range for requested data type", v)
}

func castToString(schema *schemas.Schema, v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return base64.StdEncoding.EncodeToString(x), nil
	case time.Time:
		// Values.dateFormatFor: a time of day, a date or a timestamp,
		// chosen by the value, not the schema.
		return schemas.ConvertToString(nil, x)
	}
	return schemas.FormatValue(schema, v)
}

func castToInteger(v any, typ schemas.Type) (any, error) {
	if s, ok := v.(string); ok {
		n, err := strconv.ParseInt(s, 10, intBits(typ))
		if err != nil {
			return nil, outOfRange(s)
		}
		v = n
	}
	if b, ok := v.(bool); ok {
		v = int64(0)
		if b {
			v = int64(1)
		}
	}
	if typ == schemas.TypeInt64 {
		n, ok := javaLong(v)
		if !ok {
			return nil, unexpectedCast(v)
		}
		return n, nil
	}
	// Java's byteValue and shortValue are (byte) and (short) of intValue.
	n, ok := javaInt(v)
	if !ok {
		return nil, unexpectedCast(v)
	}
	switch typ {
	case schemas.TypeInt8:
		return int8(n), nil
	case schemas.TypeInt16:
		return int16(n), nil
	default:
		return n, nil
	}
}

func intBits(typ schemas.Type) int {
	switch typ {
	case schemas.TypeInt8:
		return 8
	case schemas.TypeInt16:
		return 16
	case schemas.TypeInt32:
		return 32
	}
	return 64
}

func castToFloat(v any, typ schemas.Type) (any, error) {
	bits := 64
	if typ == schemas.TypeFloat32 {
		bits = 32
	}
	var f float64
	switch x := v.(type) {
	case string:
		var ok bool
		if f, ok = parseJavaFloat(x, bits); !ok {
			return nil, outOfRange(x)
		}
	case bool:
		if x {
			f = 1
		}
	case float32:
		if bits == 32 {
			return x, nil
		}
		f = float64(x)
	case float64:
		f = x
	case int8:
		f = float64(x)
	case int16:
		f = float64(x)
	case int32:
		f = float64(x)
	case int64:
		if bits == 32 {
			return float32(x), nil // rounds once, as Java's (float) long
		}
		f = float64(x)
	case int:
		if bits == 32 {
			return float32(x), nil
		}
		f = float64(x)
	case *big.Rat:
		if bits == 32 {
			g, _ := x.Float32()
			return g, nil
		}
		f, _ = x.Float64()
	default:
		return nil, unexpectedCast(v)
	}
	if bits == 32 {
		return float32(f), nil
	}
	return f, nil
}

// javaLong is Java's Number.longValue: integers widen, floats truncate and
// saturate (NaN is 0), decimals keep the low 64 bits of their integer part.
func javaLong(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float32:
		return floatToLong(float64(x)), true
	case float64:
		return floatToLong(x), true
	case *big.Rat:
		return ratLong(x), true
	}
	return 0, false
}

// javaInt is Java's Number.intValue: integers keep their low 32 bits,
// floats truncate and saturate at the int range.
func javaInt(v any) (int32, bool) {
	switch x := v.(type) {
	case float32:
		return floatToInt(float64(x)), true
	case float64:
		return floatToInt(x), true
	}
	n, ok := javaLong(v)
	return int32(n), ok
}

// floatToLong is Java's (long) cast of a double.
func floatToLong(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// floatToInt is Java's (int) cast of a double.
func floatToInt(f float64) int32 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

var twoTo64 = new(big.Int).Lsh(big.NewInt(1), 64)

// ratLong is Java's BigDecimal.longValue: the integer part, truncated toward
// zero, reduced to its low 64 bits.
func ratLong(r *big.Rat) int64 {
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if q.IsInt64() {
		return q.Int64()
	}
	q.Mod(q, twoTo64) // Euclidean: 0 <= q < 2^64, the two's complement bits
	return int64(q.Uint64())
}

// javaFloatSyntax is what Java's Double.parseDouble and Float.parseFloat
// accept once trimmed: decimal or hexadecimal literals with an optional
// type suffix, NaN and Infinity.
var javaFloatSyntax = regexp.MustCompile(`^[+-]?(?:NaN|Infinity|(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|0[xX](?:[0-9a-fA-F]+\.?|[0-9a-fA-F]*\.[0-9a-fA-F]+)[pP][+-]?[0-9]+)[fFdD]?)$`)

// parseJavaFloat parses s as Java's Double.parseDouble (bits 64) or
// Float.parseFloat (bits 32) do: too large is infinite, too small is zero.
func parseJavaFloat(s string, bits int) (float64, bool) {
	s = strings.TrimFunc(s, isJavaSpace)
	if !javaFloatSyntax.MatchString(s) {
		return 0, false
	}
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimLeft(s, "+-")
	switch body {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	// In a valid literal a trailing f or d can only be the type suffix: a
	// hexadecimal one ends with its decimal binary exponent.
	if c := s[len(s)-1]; c == 'f' || c == 'F' || c == 'd' || c == 'D' {
		s = s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

func (t *cast) Close() error { return nil }
