package schemas

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// ParseString infers a schema and value from a string, as Kafka Connect's
// Values.parseString (used by SimpleHeaderConverter to read headers):
// "true"/"false" are BOOLEAN; integers are the smallest of INT8..INT64 that
// holds them (or a scale-0 Decimal beyond INT64); other numbers are FLOAT32,
// FLOAT64 or Decimal; ISO 8601 dates "2006-01-02", times
// "15:04:05.000Z" and timestamps "2006-01-02T15:04:05.000Z" are Date, Time
// and Timestamp; "[...]" and "{...}" whose elements parse are ARRAY and MAP
// (with a common element schema when there is one); "null" is (nil, nil);
// anything else is the STRING itself.
//
// Unlike Kafka Connect, a string with content left over after a value
// ("12,5", "[1] x") is a STRING rather than the value with the rest dropped,
// escaped \" and \\ inside quoted strings are unescaped, and dates and times
// must be well-formed rather than leniently rolled over.
func ParseString(s string) (*Schema, any, error) {
	if s == "" {
		return StringSchema, s, nil
	}
	p := &tokenizer{s: s}
	vp := valueParser{p: p}
	r, err := vp.parse(false)
	if err != nil {
		return nil, nil, err
	}
	for p.hasNext() {
		if t := p.next(); !isBlank(t) {
			return StringSchema, s, nil
		}
	}
	if r == nil {
		return nil, nil, nil
	}
	return r.schema, r.value, nil
}

// schemaAndValue is one parsed value; a nil *schemaAndValue is null.
type schemaAndValue struct {
	schema *Schema
	value  any
}

func (sv *schemaAndValue) val() any {
	if sv == nil {
		return nil
	}
	return sv.value
}

// tokenizer is Kafka Connect's Values.Parser: it splits a string at the
// delimiters : , { } [ ] " (unless escaped with \), keeping whitespace
// inside tokens, and can peek, mark and rewind.
type tokenizer struct {
	s        string
	pos      int
	next1    string // peeked token
	hasNext1 bool
	prev     string
}

func (p *tokenizer) position() int { return p.pos }

func (p *tokenizer) mark() int {
	if p.hasNext1 {
		return p.pos - len(p.next1)
	}
	return p.pos
}

func (p *tokenizer) rewindTo(pos int) {
	p.pos = pos
	p.next1, p.hasNext1 = "", false
	p.prev = ""
}

func (p *tokenizer) hasNext() bool { return p.hasNext1 || p.pos < len(p.s) }

func (p *tokenizer) next() string {
	if p.hasNext1 {
		p.prev = p.next1
		p.next1, p.hasNext1 = "", false
	} else {
		p.prev = p.consume()
	}
	return p.prev
}

// nextN consumes n tokens and returns the text they span, or false (and
// consumes nothing) when fewer than n remain.
func (p *tokenizer) nextN(n int) (string, bool) {
	start := p.mark()
	for range n {
		if !p.hasNext() {
			p.rewindTo(start)
			return "", false
		}
		p.next()
	}
	return p.s[start:p.position()], true
}

func (p *tokenizer) consume() string {
	escaped := false
	start := p.pos
	for ; p.pos < len(p.s); p.pos++ {
		switch p.s[p.pos] {
		case '\\':
			escaped = !escaped
			continue
		case ':', ',', '{', '}', '[', ']', '"':
			if !escaped {
				if start < p.pos {
					return p.s[start:p.pos]
				}
				p.pos++
				return p.s[start:p.pos]
			}
		}
		escaped = false
	}
	return p.s[start:p.pos]
}

// canConsume consumes the next token if, trimmed, it is expected, skipping
// blank tokens first (and, as Kafka Connect does, leaving them skipped).
func (p *tokenizer) canConsume(expected string) bool {
	if !p.hasNext1 {
		if !p.hasNext() {
			return false
		}
		p.next1, p.hasNext1 = p.consume(), true
	}
	for isBlank(p.next1) && p.pos < len(p.s) {
		p.next1 = p.consume()
	}
	if trimJava(p.next1) == expected {
		p.next1, p.hasNext1 = "", false
		return true
	}
	return false
}

func isBlank(s string) bool { return trimJava(s) == "" }

// valueParser is Kafka Connect's Values.ValueParser.
type valueParser struct {
	p *tokenizer
}

func (vp *valueParser) parse(embedded bool) (*schemaAndValue, error) {
	p := vp.p
	if !p.hasNext() {
		return nil, nil
	}
	if embedded && p.canConsume(`"`) {
		return vp.parseQuotedString(), nil
	}
	if vp.canParseLiteral(embedded, "null") {
		return nil, nil
	}
	if vp.canParseLiteral(embedded, "true") {
		return &schemaAndValue{BooleanSchema, true}, nil
	}
	if vp.canParseLiteral(embedded, "false") {
		return &schemaAndValue{BooleanSchema, false}, nil
	}
	start := p.mark()
	var (
		r     *schemaAndValue
		err   error
		tried bool
	)
	if p.canConsume("[") {
		r, err = vp.parseArray()
		tried = true
	} else if p.canConsume("{") {
		r, err = vp.parseMap()
		tried = true
	}
	if tried {
		if err == nil {
			return r, nil
		}
		if !isDataError(err) {
			return nil, err
		}
		p.rewindTo(start)
	}
	token := p.next()
	if isBlank(token) {
		return &schemaAndValue{StringSchema, token}, nil
	}
	return vp.parseNextToken(embedded, trimJava(token))
}

func (vp *valueParser) canParseLiteral(embedded bool, literal string) bool {
	start := vp.p.mark()
	if vp.p.canConsume(literal) && (embedded || !vp.p.hasNext()) {
		return true
	}
	vp.p.rewindTo(start)
	return false
}

func (vp *valueParser) parseNextToken(embedded bool, token string) (*schemaAndValue, error) {
	digit := token[0] >= '0' && token[0] <= '9'
	if digit {
		if t := vp.parseMultipleTokensAsTemporal(token); t != nil {
			return t, nil
		}
	}
	if digit || token[0] == '+' || token[0] == '-' {
		if n := parseAsNumber(token); n != nil {
			return n, nil
		}
	}
	if embedded {
		return nil, DataErrorf("Failed to parse embedded value")
	}
	return &schemaAndValue{StringSchema, vp.p.s}, nil
}

func (vp *valueParser) parseQuotedString() *schemaAndValue {
	var sb strings.Builder
	for vp.p.hasNext() {
		if vp.p.canConsume(`"`) {
			break
		}
		sb.WriteString(vp.p.next())
	}
	content := sb.String()
	if t := parseAsTemporal(content); t != nil {
		return t
	}
	return &schemaAndValue{StringSchema, unescapeQuoted(content)}
}

// unescapeQuoted undoes the escaping ConvertToString applies to embedded
// strings (\\ and \"); other backslashes are kept.
func unescapeQuoted(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"') {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (vp *valueParser) parseArray() (*schemaAndValue, error) {
	p := vp.p
	var result []any
	var merger schemaMerger
	for p.hasNext() {
		if p.canConsume("]") {
			schema := &Schema{Type: TypeArray}
			if merger.common != nil {
				schema = &Schema{Type: TypeArray, Value: merger.common}
				for i, e := range result {
					c, err := convertTo(merger.common, e)
					if err != nil {
						return nil, err
					}
					result[i] = c
				}
			}
			if result == nil {
				result = []any{}
			}
			return &schemaAndValue{schema, result}, nil
		}
		if p.canConsume(",") {
			return nil, DataErrorf("Unable to parse an empty array element: %s", p.s)
		}
		e, err := vp.parse(true)
		if err != nil {
			return nil, err
		}
		merger.merge(e)
		result = append(result, e.val())
		cur := p.mark()
		if p.canConsume("]") {
			p.rewindTo(cur)
		} else if !p.canConsume(",") {
			return nil, DataErrorf("Array elements missing ',' delimiter")
		}
	}
	if p.prev == "," {
		return nil, DataErrorf("Array is missing element after ',': %s", p.s)
	}
	return nil, DataErrorf("Array is missing terminating ']': %s", p.s)
}

func (vp *valueParser) parseMap() (*schemaAndValue, error) {
	p := vp.p
	result := map[any]any{}
	var keys, values schemaMerger
	for p.hasNext() {
		if p.canConsume("}") {
			return alignMap(result, keys.common, values.common)
		}
		if p.canConsume(",") {
			return nil, DataErrorf("Unable to parse a map entry with no key or value: %s", p.s)
		}
		k, err := vp.parse(true)
		if err != nil {
			return nil, err
		}
		if k == nil || k.value == nil {
			return nil, DataErrorf("Map entry may not have a null key: %s", p.s)
		}
		if !p.canConsume(":") {
			return nil, DataErrorf("Map entry is missing ':' at %d in %s", p.position(), p.s)
		}
		v, err := vp.parse(true)
		if err != nil {
			return nil, err
		}
		if !hashable(k.value) {
			return nil, DataErrorf("Map key of type %T cannot be a Go map key", k.value)
		}
		result[k.value] = v.val()
		p.canConsume(",")
		keys.merge(k)
		values.merge(v)
	}
	if p.prev == "," {
		return nil, DataErrorf("Map is missing element after ',': %s", p.s)
	}
	return nil, DataErrorf("Map is missing terminating '}': %s", p.s)
}

// alignMap converts the parsed entries to the common key (and value) schema,
// as Kafka Connect does, and returns the MAP value in its Go form.
func alignMap(m map[any]any, key, value *Schema) (*schemaAndValue, error) {
	schema := &Schema{Type: TypeMap, Key: key}
	if key != nil && value != nil {
		schema.Value = value
	}
	if key == nil {
		return &schemaAndValue{schema, m}, nil
	}
	var out map[any]any
	var outStr map[string]any
	if key.Type == TypeString {
		outStr = make(map[string]any, len(m))
	} else {
		out = make(map[any]any, len(m))
	}
	for k, v := range m {
		ck, err := convertTo(key, k)
		if err != nil {
			return nil, err
		}
		if schema.Value != nil {
			if v, err = convertTo(value, v); err != nil {
				return nil, err
			}
		}
		if outStr != nil {
			outStr[ck.(string)] = v
			continue
		}
		if !hashable(ck) {
			return nil, DataErrorf("Map key of type %T cannot be a Go map key", ck)
		}
		out[ck] = v
	}
	if outStr != nil {
		return &schemaAndValue{schema, outStr}, nil
	}
	return &schemaAndValue{schema, out}, nil
}

// hashable reports whether v can be a key of a map[any]any.
func hashable(v any) bool {
	switch v.(type) {
	case []any, []byte, map[string]any, map[any]any:
		return false
	}
	return true
}

func (vp *valueParser) parseMultipleTokensAsTemporal(token string) *schemaAndValue {
	// A time or timestamp is split into 5 tokens at its unescaped colons.
	start := vp.p.mark()
	if rest, ok := vp.p.nextN(4); ok {
		if t := parseAsTemporal(token + rest); t != nil {
			return t
		}
	}
	vp.p.rewindTo(start)
	return parseAsTemporal(token)
}

func parseAsTemporal(token string) *schemaAndValue {
	token = strings.ReplaceAll(token, `\:`, ":")
	var (
		layout string
		schema *Schema
	)
	switch len(token) {
	case len(isoTime):
		layout, schema = isoTime, TimeSchema
	case len(isoTimestamp):
		layout, schema = isoTimestamp, TimestampSchema
	case len(isoDate):
		layout, schema = isoDate, DateSchema
	default:
		return nil
	}
	t, err := time.Parse(layout, token)
	if err != nil {
		return nil
	}
	if schema == TimeSchema {
		t = time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	return &schemaAndValue{schema, t}
}

// parseAsNumber parses token as Kafka Connect does: an integer becomes the
// smallest integer type holding it; otherwise FLOAT32 if finite, else
// FLOAT64 if finite, else a Decimal at the token's own scale. It returns nil
// when token is not a number.
func parseAsNumber(token string) *schemaAndValue {
	unscaled, scale, err := javafmt.ParseBigDecimal(token)
	if err != nil || scale > maxDecimalScale || scale < -maxDecimalScale {
		return nil
	}
	if r := parseAsExactInteger(unscaled, scale); r != nil {
		return r
	}
	if scale != 0 {
		if f, _ := strconv.ParseFloat(token, 32); !math.IsInf(f, 0) {
			return &schemaAndValue{Float32Schema, float32(f)}
		}
		if f, _ := strconv.ParseFloat(token, 64); !math.IsInf(f, 0) {
			return &schemaAndValue{Float64Schema, f}
		}
	}
	return &schemaAndValue{DecimalSchema(scale), DecimalFromUnscaled(unscaled, scale)}
}

func parseAsExactInteger(unscaled *big.Int, scale int) *schemaAndValue {
	var n *big.Int
	switch {
	case unscaled.Sign() == 0:
		n = new(big.Int)
	case scale < -19:
		return nil // at least 20 digits: beyond INT64
	case scale <= 0:
		n = new(big.Int).Mul(unscaled, pow10(-scale))
	default:
		q, m := new(big.Int).QuoRem(unscaled, pow10(scale), new(big.Int))
		if m.Sign() != 0 {
			return nil
		}
		n = q
	}
	if !n.IsInt64() {
		return nil
	}
	switch i := n.Int64(); {
	case i >= math.MinInt8 && i <= math.MaxInt8:
		return &schemaAndValue{Int8Schema, int8(i)}
	case i >= math.MinInt16 && i <= math.MaxInt16:
		return &schemaAndValue{Int16Schema, int16(i)}
	case i >= math.MinInt32 && i <= math.MaxInt32:
		return &schemaAndValue{Int32Schema, int32(i)}
	default:
		return &schemaAndValue{Int64Schema, i}
	}
}

// schemaMerger is Kafka Connect's Values.SchemaMerger: it finds the schema
// common to a list's elements, widening numbers.
type schemaMerger struct {
	common       *Schema
	incompatible bool
}

func (m *schemaMerger) merge(latest *schemaAndValue) {
	if latest == nil || latest.schema == nil || m.incompatible {
		return
	}
	if m.common == nil {
		m.common = latest.schema
		return
	}
	m.common = mergeSchemas(m.common, latest.schema)
	m.incompatible = m.common == nil
}

var numericRank = map[Type]int{TypeInt8: 1, TypeInt16: 2, TypeInt32: 3, TypeInt64: 4, TypeFloat32: 5, TypeFloat64: 6}

func mergeSchemas(prev, next *Schema) *Schema {
	if prev.Type != next.Type {
		rp, rn := numericRank[prev.Type], numericRank[next.Type]
		switch {
		case rp == 0 || rn == 0:
			return nil
		case rn > rp:
			return next
		default:
			return prev
		}
	}
	if prev.Optional == next.Optional {
		if prev.Optional {
			return prev
		}
		return next
	}
	return nil
}

func isDataError(err error) bool {
	var de *DataError
	return errors.As(err, &de)
}
