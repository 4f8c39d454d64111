package datagen

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/connectors/datagen/internal/regexgen"
)

// Generator produces random values for an Avro schema, shaped by the
// "arg.properties" annotations of Confluent's avro-random-generator:
// options, iteration, range, length, regex, prefix, suffix, keys and odds.
// A schema without annotations gets random values of its type.
//
// Values are hamba/avro's generic Go values, so avro.Marshal accepts them:
// records map[string]any, int int, long int64, float float32, double
// float64, bytes []byte, fixed [size]byte, enums string, arrays []any, maps
// map[string]any, dates and timestamps time.Time, times of day
// time.Duration, decimals *big.Rat; a union holds nil, the bare value of a
// primitive branch, or {"<full name or type>": value} for a record, enum,
// fixed, array or map branch.
//
// The annotations are checked when the generator is built, so a schema
// that would fail while generating fails at once. A Generator is not safe
// for concurrent use: iterations keep their position in it.
type Generator struct {
	schema avro.Schema
	root   node
	src    *rand.PCG
	r      *rand.Rand
}

// A node generates the values of one schema.
type node interface {
	gen(r *rand.Rand) any
}

// seedStream is the PCG stream every generator uses; the seed alone
// decides the sequence.
const seedStream = 0x5eed_da7a_6e4e_7a7e

// NewGenerator builds a generator for s, seeded with seed. generation is
// how many values were generated before, by an earlier generator for the
// same schema: iterations continue from there.
func NewGenerator(s avro.Schema, seed, generation int64) (*Generator, error) {
	c := &compiler{generation: generation, named: map[avro.Schema]node{}}
	root, err := c.compile(s)
	if err != nil {
		return nil, err
	}
	g := &Generator{schema: s, root: root, src: rand.NewPCG(0, seedStream)}
	g.r = rand.New(g.src)
	g.Seed(seed)
	return g, nil
}

// Schema returns the schema the generator generates values for.
func (g *Generator) Schema() avro.Schema { return g.schema }

// Generate returns the next random value.
func (g *Generator) Generate() any { return g.root.gen(g.r) }

// Seed restarts the generator's random sequence from seed. Iterations keep
// their position.
func (g *Generator) Seed(seed int64) { g.src.Seed(uint64(seed), seedStream) }

// NextSeed draws a seed from the random sequence and restarts the sequence
// from it, returning it: after a restart, Seed with that seed continues
// exactly where this generator is. The datagen task stores it in each
// record's offset, as Kafka Connect's datagen does.
func (g *Generator) NextSeed() int64 {
	seed := g.r.Int64()
	g.Seed(seed)
	return seed
}

// compiler turns a schema into nodes. A named schema used in several
// places is one node, so an iteration inside it advances once per use, as
// in avro-random-generator, which keys its iterators by schema identity.
type compiler struct {
	generation int64
	named      map[avro.Schema]node
	path       []string
}

// SchemaError is an annotation that cannot be honoured, with the path of
// the field that carries it.
type SchemaError struct {
	// Path names the field, e.g. "address.city"; "[]" stands for array
	// items and "{}" for map values. Empty for the top-level schema.
	Path string
	Err  error
}

func (e *SchemaError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return "field " + e.Path + ": " + e.Err.Error()
}

func (e *SchemaError) Unwrap() error { return e.Err }

// errorf attaches the current path to an error that has none yet.
func (c *compiler) errorf(err error) error {
	var se *SchemaError
	if errors.As(err, &se) {
		return err
	}
	return &SchemaError{Path: strings.Join(c.path, "."), Err: err}
}

func (c *compiler) compile(s avro.Schema) (node, error) {
	if ref, ok := s.(*avro.RefSchema); ok {
		s = ref.Schema()
	}
	if n, ok := c.named[s]; ok {
		return n, nil
	}
	var p props
	if ps, ok := s.(avro.PropertySchema); ok {
		var err error
		if p, err = argProps(ps); err != nil {
			return nil, c.errorf(err)
		}
	}
	n, err := c.compileProps(s, p)
	if err != nil {
		return nil, c.errorf(err)
	}
	if _, ok := s.(avro.NamedSchema); ok && s.Type() != avro.Record {
		c.named[s] = n
	}
	return n, nil
}

func (c *compiler) compileProps(s avro.Schema, p props) (node, error) {
	lt := logicalOf(s)
	if p.has(propOptions) {
		opts, err := parseOptions(s, p)
		if err != nil {
			return nil, err
		}
		return optionsNode(opts), nil
	}
	if p.has(propIteration) {
		it, err := newIterator(s, p, c.generation)
		if err != nil {
			return nil, err
		}
		return iterNode{it, lt}, nil
	}
	switch s.Type() {
	case avro.Null:
		return nullNode{}, nil
	case avro.Boolean:
		odds, err := decimal(argProperties, propOdds, p)
		if err != nil {
			return nil, err
		}
		if odds != nil && (*odds < 0 || *odds > 1) {
			return nil, fmt.Errorf("%s property must be in the range [0.0, 1.0]", propOdds)
		}
		return boolNode{odds}, nil
	case avro.Int:
		return intRange(p, false, lt)
	case avro.Long:
		return intRange(p, true, lt)
	case avro.Float:
		return floatRange(p, true)
	case avro.Double:
		return floatRange(p, false)
	case avro.Bytes, avro.Fixed:
		return c.bytes(s, p, lt)
	case avro.String:
		return stringOf(p, lt)
	case avro.Enum:
		return enumNode(s.(*avro.EnumSchema).Symbols()), nil
	case avro.Array:
		l, err := lengthOf(p)
		if err != nil {
			return nil, err
		}
		c.path = append(c.path, "[]")
		items, err := c.compile(s.(*avro.ArraySchema).Items())
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return nil, err
		}
		return arrayNode{items, l}, nil
	case avro.Map:
		return c.mapOf(s.(*avro.MapSchema), p)
	case avro.Record, avro.Error:
		rec := s.(*avro.RecordSchema)
		n := &recordNode{}
		c.named[s] = n // before the fields: a record may contain itself
		for _, f := range rec.Fields() {
			c.path = append(c.path, f.Name())
			fn, err := c.compile(f.Type())
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				delete(c.named, s)
				return nil, err
			}
			n.fields = append(n.fields, field{f.Name(), fn})
		}
		return n, nil
	case avro.Union:
		u := unionNode{}
		for _, t := range s.(*avro.UnionSchema).Types() {
			bn, err := c.compile(t)
			if err != nil {
				return nil, err
			}
			u.branches = append(u.branches, branch{bn, t})
		}
		return u, nil
	}
	return nil, fmt.Errorf("unsupported schema type %s", s.Type())
}

// intRange compiles an int or long with an optional "range".
func intRange(p props, long bool, lt avro.LogicalType) (node, error) {
	n := intNode{min: math.MinInt32, max: math.MaxInt32, long: long, lt: lt}
	get := integer
	if long {
		n.min, n.max, get = math.MinInt64, math.MaxInt64, integral
	}
	v, ok := p[propRange]
	if !ok {
		return n, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s property must be an object", propRange)
	}
	lo, err := get(propRange, fieldMin, m)
	if err != nil {
		return nil, err
	}
	hi, err := get(propRange, fieldMax, m)
	if err != nil {
		return nil, err
	}
	if lo != nil {
		n.min = *lo
	}
	if hi != nil {
		n.max = *hi
	}
	if n.min >= n.max {
		return nil, fmt.Errorf("'%s' field must be strictly less than '%s' field in %s property", fieldMin, fieldMax, propRange)
	}
	n.ranged = true
	return n, nil
}

// floatRange compiles a float or double with an optional "range".
func floatRange(p props, isFloat bool) (node, error) {
	n := floatNode{float: isFloat}
	v, ok := p[propRange]
	if !ok {
		return n, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s property must be an object", propRange)
	}
	get, limit := decimal, math.MaxFloat64
	if isFloat {
		get, limit = float, math.MaxFloat32
	}
	lo, err := get(propRange, fieldMin, m)
	if err != nil {
		return nil, err
	}
	hi, err := get(propRange, fieldMax, m)
	if err != nil {
		return nil, err
	}
	n.min, n.max, n.ranged = -limit, limit, true
	if lo != nil {
		n.min = *lo
	}
	if hi != nil {
		n.max = *hi
	}
	if n.min >= n.max {
		return nil, fmt.Errorf("'%s' field must be strictly less than '%s' field in %s property", fieldMin, fieldMax, propRange)
	}
	return n, nil
}

func (c *compiler) bytes(s avro.Schema, p props, lt avro.LogicalType) (node, error) {
	size := -1
	if f, ok := s.(*avro.FixedSchema); ok {
		size = f.Size()
	}
	if precision, scale, ok := decimalOf(s); ok {
		rng, err := decimalRangeOf(p, scale)
		if err != nil {
			return nil, err
		}
		return decimalNode{precision, scale, rng}, nil
	}
	if size >= 0 {
		return fixedNode{size: size, duration: lt == avro.Duration && size == 12}, nil
	}
	l, err := lengthOf(p)
	if err != nil {
		return nil, err
	}
	return bytesNode{l}, nil
}

// stringOf compiles a string: a regex, or random ASCII of a length, with a
// prefix and suffix.
func stringOf(p props, lt avro.LogicalType) (*stringNode, error) {
	l, err := lengthOf(p)
	if err != nil {
		return nil, err
	}
	n := &stringNode{length: l, uuid: lt == avro.UUID}
	if n.prefix, n.suffix, err = affixes(p); err != nil {
		return nil, err
	}
	if v, ok := p[propRegex]; ok {
		re, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s property must be a string", propRegex)
		}
		if n.regex, err = regexgen.Compile(re); err != nil {
			return nil, fmt.Errorf("%s property: %w", propRegex, err)
		}
		n.uuid = false
	}
	if p.has(propLength) {
		n.uuid = false
	}
	return n, nil
}

// mapOf compiles a map; its keys follow the "keys" annotation (options or
// string rules), or are one random ASCII character, as in
// avro-random-generator.
func (c *compiler) mapOf(s *avro.MapSchema, p props) (node, error) {
	l, err := lengthOf(p)
	if err != nil {
		return nil, err
	}
	n := mapNode{length: l}
	if v, ok := p[propKeys]; ok {
		kp, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s prop must be an object", propKeys)
		}
		if props(kp).has(propOptions) {
			opts, err := parseOptions(avro.NewPrimitiveSchema(avro.String, nil), kp)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", propKeys, err)
			}
			n.keys = optionsNode(opts)
		} else {
			keys, err := stringOf(kp, "")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", propKeys, err)
			}
			n.keys = keys
		}
	} else {
		n.keys = &stringNode{length: lengthBounds{1, 2}}
	}
	c.path = append(c.path, "{}")
	n.values, err = c.compile(s.Values())
	c.path = c.path[:len(c.path)-1]
	if err != nil {
		return nil, err
	}
	return n, nil
}

type nullNode struct{}

func (nullNode) gen(*rand.Rand) any { return nil }

type boolNode struct{ odds *float64 }

func (n boolNode) gen(r *rand.Rand) any {
	if n.odds == nil {
		return r.IntN(2) == 1
	}
	return r.Float64() < *n.odds
}

// intNode is an int or long, in [min, max) when ranged.
type intNode struct {
	min, max int64
	ranged   bool
	long     bool
	lt       avro.LogicalType
}

func (n intNode) gen(r *rand.Rand) any {
	var v int64
	switch {
	case !n.ranged && n.long:
		v = int64(r.Uint64())
	case !n.ranged:
		v = int64(int32(r.Uint32()))
	default:
		v = n.min + int64(r.Uint64N(uint64(n.max)-uint64(n.min)))
	}
	if n.long {
		return toLogical(n.lt, v)
	}
	return toLogical(n.lt, int(v))
}

// floatNode is a float or double: in [min, max) when ranged, else in [0, 1).
type floatNode struct {
	min, max float64
	ranged   bool
	float    bool
}

func (n floatNode) gen(r *rand.Rand) any {
	var v float64
	if n.float {
		f := float64(r.Float32())
		if n.ranged {
			f = n.min + f*(n.max-n.min) // no overflow: float32 bounds in float64
		}
		v32 := float32(f)
		if n.ranged && float64(v32) >= n.max {
			v32 = float32(n.min)
		}
		return v32
	}
	v = r.Float64()
	if n.ranged {
		v = n.min*(1-v) + n.max*v // no overflow for the widest ranges
		if v >= n.max || v < n.min {
			v = n.min
		}
	}
	return v
}

type bytesNode struct{ length lengthBounds }

func (n bytesNode) gen(r *rand.Rand) any {
	b := make([]byte, n.length.random(r))
	fill(r, b)
	return b
}

type fixedNode struct {
	size     int
	duration bool
}

func (n fixedNode) gen(r *rand.Rand) any {
	b := make([]byte, n.size)
	fill(r, b)
	if n.duration {
		return durationValue(b)
	}
	return fixedValue(b)
}

func fill(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

type decimalNode struct {
	precision, scale int
	rng              *decimalRange
}

func (n decimalNode) gen(r *rand.Rand) any {
	return unscaledRat(randomDecimal(r, n.precision, n.rng), n.scale)
}

func (l lengthBounds) random(r *rand.Rand) int {
	return l.min + r.IntN(l.max-l.min)
}

// stringNode is a string from a regex, or of random ASCII characters
// (U+0000 to U+007F, as avro-random-generator), or a random UUID for a
// uuid string without annotations.
type stringNode struct {
	regex          *regexgen.Generator
	length         lengthBounds
	prefix, suffix string
	uuid           bool
}

func (n *stringNode) gen(r *rand.Rand) any {
	var s string
	switch {
	case n.regex != nil:
		s = n.regex.Generate(r, n.length.min, n.length.max-1)
	case n.uuid:
		s = randomUUID(r)
	default:
		b := make([]byte, n.length.random(r))
		for i := range b {
			b[i] = byte(r.IntN(128))
		}
		s = string(b)
	}
	return n.prefix + s + n.suffix
}

// randomUUID returns a version 4 UUID from r.
func randomUUID(r *rand.Rand) string {
	var b [16]byte
	fill(r, b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}

type enumNode []string

func (n enumNode) gen(r *rand.Rand) any { return n[r.IntN(len(n))] }

type arrayNode struct {
	items  node
	length lengthBounds
}

func (n arrayNode) gen(r *rand.Rand) any {
	out := make([]any, n.length.random(r))
	for i := range out {
		out[i] = n.items.gen(r)
	}
	return out
}

// mapNode draws a length, then as many keys; a key drawn twice holds the
// last value, so a map may come out smaller, as in avro-random-generator.
type mapNode struct {
	keys, values node
	length       lengthBounds
}

func (n mapNode) gen(r *rand.Rand) any {
	size := n.length.random(r)
	out := make(map[string]any, size)
	for range size {
		k := n.keys.gen(r).(string)
		out[k] = n.values.gen(r)
	}
	return out
}

type field struct {
	name string
	node node
}

type recordNode struct{ fields []field }

func (n *recordNode) gen(r *rand.Rand) any {
	out := make(map[string]any, len(n.fields))
	for _, f := range n.fields {
		out[f.name] = f.node.gen(r)
	}
	return out
}

type branch struct {
	node   node
	schema avro.Schema
}

// unionNode picks a branch, each equally likely.
type unionNode struct{ branches []branch }

func (n unionNode) gen(r *rand.Rand) any {
	b := n.branches[r.IntN(len(n.branches))]
	return wrapBranch(b.schema, b.node.gen(r))
}

// optionsNode picks one of its values, each equally likely. Values are
// copied, so a caller may change what it gets.
type optionsNode []any

func (n optionsNode) gen(r *rand.Rand) any { return clone(n[r.IntN(len(n))]) }

func clone(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clone(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = clone(e)
		}
		return out
	case []byte:
		return append([]byte(nil), x...)
	}
	return v
}

type iterNode struct {
	it iterator
	lt avro.LogicalType
}

func (n iterNode) gen(*rand.Rand) any { return toLogical(n.lt, n.it.next()) }
