package schemas

import (
	"encoding/base64"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/schemas/internal/order"
)

// Java's SimpleDateFormat patterns used by Kafka Connect's Values, in UTC.
const (
	isoDate      = "2006-01-02"
	isoTime      = "15:04:05.000Z"
	isoTimestamp = "2006-01-02T15:04:05.000Z"
	javaDate     = "Mon Jan 02 15:04:05 UTC 2006" // java.util.Date.toString in UTC
)

// maxDecimalScale bounds the scale of Decimal values sluice will expand into
// a *big.Rat (Java's BigDecimal stores the exponent instead, so a few bytes
// such as "1e999999999" would otherwise cost gigabytes). PostgreSQL's
// NUMERIC, the widest common source, stays below it.
const maxDecimalScale = 1 << 14

// FormatValue returns the string Java's toString would give the Connect
// value v (as Kafka Connect's StringConverter writes it): numbers as Java
// prints them, Decimals at the schema's scale, maps as "{k=v, k2=v2}" (keys
// sorted), lists as "[a, b]", structs as Struct.String and times as
// java.util.Date.toString in UTC. []byte, which Java would print as an
// object identity, is written as base64. schema may be nil.
func FormatValue(schema *Schema, v any) (string, error) {
	var b []byte
	b, err := appendFormat(b, schema, v)
	return string(b), err
}

func appendFormat(b []byte, schema *Schema, v any) ([]byte, error) {
	if isNull(v) {
		return append(b, "null"...), nil
	}
	switch x := v.(type) {
	case string:
		return append(b, x...), nil
	case []byte:
		return base64.StdEncoding.AppendEncode(b, x), nil
	case time.Time:
		return x.UTC().AppendFormat(b, javaDate), nil
	case *Struct:
		return append(b, x.String()...), nil
	case []any, map[string]any, map[any]any:
		return appendContainer(b, schema, x, ", ", "=", appendFormat)
	}
	return appendNumberOrBool(b, schema, v)
}

// appendNumberOrBool writes booleans and numbers as Java's toString.
func appendNumberOrBool(b []byte, schema *Schema, v any) ([]byte, error) {
	if out, ok := javafmt.AppendInteger(b, v); ok {
		return out, nil
	}
	switch x := v.(type) {
	case bool:
		return strconv.AppendBool(b, x), nil
	case float32:
		return javafmt.AppendFloat(b, x), nil
	case float64:
		return javafmt.AppendDouble(b, x), nil
	case *big.Rat:
		return appendDecimal(b, schema, x)
	}
	return b, DataErrorf("Failed to serialize unexpected value type %T: %v", v, v)
}

// appendDecimal writes r as Java's BigDecimal.toString at the scale of a
// Decimal schema, or at the smallest scale that holds r exactly.
func appendDecimal(b []byte, schema *Schema, r *big.Rat) ([]byte, error) {
	var (
		unscaled *big.Int
		scale    int
		err      error
	)
	if schema != nil && schema.Name == DecimalName {
		if scale, err = DecimalScale(schema); err == nil {
			unscaled, err = DecimalUnscaled(scale, r)
		}
	} else {
		unscaled, scale, err = exactDecimal(r)
	}
	if err != nil {
		return b, err
	}
	return javafmt.AppendBigDecimal(b, unscaled, scale), nil
}

// exactDecimal returns the unscaled value and smallest scale that represent
// r exactly, or an error when r has no finite decimal expansion.
func exactDecimal(r *big.Rat) (*big.Int, int, error) {
	d := new(big.Int).Set(r.Denom())
	twos, fives := 0, 0
	five, rem := big.NewInt(5), new(big.Int)
	for d.Bit(0) == 0 && d.Sign() > 0 {
		d.Rsh(d, 1)
		twos++
	}
	for {
		q, m := new(big.Int).QuoRem(d, five, rem)
		if m.Sign() != 0 {
			break
		}
		d = q
		fives++
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return nil, 0, DataErrorf("Decimal value %s has no exact decimal representation; give it a Decimal schema with a scale", r.RatString())
	}
	scale := max(twos, fives)
	u, err := DecimalUnscaled(scale, r)
	return u, scale, err
}

// ConvertToString returns the string form Kafka Connect's
// Values.convertToString gives v, which SimpleHeaderConverter writes as a
// header: strings as they are, numbers and booleans as Java prints them,
// bytes as base64, lists as [a,b], maps as {k:v} (keys sorted), structs as
// {"field":value}, and nested strings quoted with \ and " escaped. Times are
// written as ISO 8601 in UTC: by their schema's logical type when there is
// one, else as a time of day (values within the first day after the epoch),
// a date (midnight) or a timestamp, as Kafka Connect does. A nil v gives "".
func ConvertToString(schema *Schema, v any) (string, error) {
	if isNull(v) {
		return "", nil
	}
	b, err := appendValueString(nil, schema, v, false)
	return string(b), err
}

func appendValueString(b []byte, schema *Schema, v any, embedded bool) ([]byte, error) {
	if isNull(v) {
		return append(b, "null"...), nil
	}
	switch x := v.(type) {
	case string:
		if !embedded {
			return append(b, x...), nil
		}
		b = append(b, '"')
		for i := 0; i < len(x); i++ {
			if x[i] == '\\' || x[i] == '"' {
				b = append(b, '\\')
			}
			b = append(b, x[i])
		}
		return append(b, '"'), nil
	case []byte:
		if embedded {
			b = append(b, '"')
		}
		b = base64.StdEncoding.AppendEncode(b, x)
		if embedded {
			b = append(b, '"')
		}
		return b, nil
	case []any, map[string]any, map[any]any:
		return appendContainer(b, schema, x, ",", ":", func(b []byte, s *Schema, e any) ([]byte, error) {
			return appendValueString(b, s, e, true)
		})
	case *Struct:
		b = append(b, '{')
		for i, f := range x.schema.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b, _ = appendValueString(b, nil, f.Name, true)
			b = append(b, ':')
			var err error
			if b, err = appendValueString(b, f.Schema, x.Get(f.Name), true); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case time.Time:
		return appendTime(b, schema, x)
	}
	return appendNumberOrBool(b, schema, v)
}

// appendTime writes t as ISO 8601 in UTC, choosing the form as described on
// ConvertToString.
func appendTime(b []byte, schema *Schema, t time.Time) ([]byte, error) {
	ms, err := wholeMillis(t)
	if err != nil {
		return b, err
	}
	layout := isoTimestamp
	name := ""
	if schema != nil {
		name = schema.Name
	}
	switch {
	case name == DateName:
		layout = isoDate
	case name == TimeName:
		layout = isoTime
	case name == TimestampName:
	case ms >= 0 && ms < millisPerDay:
		layout = isoTime
	case ms%millisPerDay == 0:
		layout = isoDate
	}
	return t.UTC().AppendFormat(b, layout), nil
}

func elemSchema(s *Schema) *Schema {
	if s != nil && s.Type == TypeArray {
		return s.Value
	}
	return nil
}

func keySchema(s *Schema) *Schema {
	if s != nil && s.Type == TypeMap {
		return s.Key
	}
	return nil
}

func valueSchema(s *Schema) *Schema {
	if s != nil && s.Type == TypeMap {
		return s.Value
	}
	return nil
}

// forEachSorted calls f for the entries of a MAP value in sorted key order
// until f returns false.
// appendContainer writes a list as [e1<sep>e2] and a map as
// {k1<kvSep>v1<sep>k2<kvSep>v2} in sorted key order, each element written by
// elem: the shape both Java's toString and Values.convertToString use, with
// their own separators.
func appendContainer(b []byte, schema *Schema, v any, sep, kvSep string, elem func([]byte, *Schema, any) ([]byte, error)) ([]byte, error) {
	var err error
	if list, ok := v.([]any); ok {
		b = append(b, '[')
		for i, e := range list {
			if i > 0 {
				b = append(b, sep...)
			}
			if b, err = elem(b, elemSchema(schema), e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	b = append(b, '{')
	first := true
	forEachSorted(v, func(k, e any) bool {
		if !first {
			b = append(b, sep...)
		}
		first = false
		if b, err = elem(b, keySchema(schema), k); err != nil {
			return false
		}
		b = append(b, kvSep...)
		b, err = elem(b, valueSchema(schema), e)
		return err == nil
	})
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

func forEachSorted(m any, f func(k, v any) bool) {
	switch x := m.(type) {
	case map[string]any:
		for _, k := range order.StringKeys(x) {
			if !f(k, x[k]) {
				return
			}
		}
	case map[any]any:
		for _, k := range order.Keys(x) {
			if !f(k, x[k]) {
				return
			}
		}
	}
}

// trimJava is Java's String.trim: it strips characters up to ' '.
func trimJava(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}
