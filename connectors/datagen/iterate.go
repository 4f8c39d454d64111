package datagen

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/hamba/avro/v2"
)

// An iterator yields the successive values of an "iteration" annotation.
// It is positioned from the generation (the number of records the task
// produced before it started), so that a restarted task continues the
// sequence: avro-random-generator's reentrant iterators.
type iterator interface{ next() any }

// newIterator builds the iterator of an "iteration" annotation on s.
func newIterator(s avro.Schema, p props, generation int64) (iterator, error) {
	if err := p.exclusive(propIteration, propLength, propRegex, propOptions, propRange); err != nil {
		return nil, err
	}
	m, ok := p[propIteration].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s prop must be an object, was %s instead", propIteration, jsonType(p[propIteration]))
	}
	switch s.Type() {
	case avro.Boolean:
		return booleanIterator(m, generation)
	case avro.Int:
		return integralIterator(m, generation, false)
	case avro.Long:
		return integralIterator(m, generation, true)
	case avro.Float:
		return decimalIterator(m, generation, true)
	case avro.Double:
		return decimalIterator(m, generation, false)
	case avro.String:
		it, err := integralIterator(m, generation, false)
		if err != nil {
			return nil, err
		}
		prefix, suffix, err := affixes(p)
		if err != nil {
			return nil, err
		}
		return stringIterator{it, prefix, suffix}, nil
	}
	return nil, fmt.Errorf("%s property can only be specified on numeric, boolean or string schemas, not %s schema", propIteration, s.Type())
}

type boolIter struct{ cur bool }

func (it *boolIter) next() any {
	v := it.cur
	it.cur = !it.cur
	return v
}

func booleanIterator(m map[string]any, generation int64) (iterator, error) {
	start, ok := m[fieldStart]
	if !ok || start == nil {
		return nil, fmt.Errorf("%s property must contain %s field", propIteration, fieldStart)
	}
	b, ok := start.(bool)
	if !ok {
		return nil, fmt.Errorf("%s field of %s property for a boolean schema must be a boolean, was %s instead", fieldStart, propIteration, describe(start))
	}
	for _, f := range []string{fieldRestart, fieldStep} {
		if _, ok := m[f]; ok {
			return nil, fmt.Errorf("%s property cannot contain %s field for a boolean schema", propIteration, f)
		}
	}
	// After an odd number of records the value has flipped once more.
	return &boolIter{cur: (generation%2 == 1) != b}, nil
}

// intIter steps through integers from start towards restart, wrapping back
// to start when it gets there. cur is the offset from start; the
// arithmetic, on magnitudes then signed like the step, is
// avro-random-generator's, so that both give the same sequence.
type intIter struct {
	start, span, sign *big.Int // span = |restart - start|, sign = ±1 as the step
	step, cur         *big.Int
	long              bool
}

func (it *intIter) next() any {
	v := new(big.Int).Add(it.cur, it.start)
	it.cur.Add(it.cur, it.step)
	it.wrap()
	low := v.And(v, mask64).Uint64() // two's complement low bits, as Java's longValue and intValue
	if it.long {
		return int64(low)
	}
	return int(int32(low))
}

var mask64 = new(big.Int).SetUint64(math.MaxUint64)

// wrap sets cur to sign × (|cur| mod span).
func (it *intIter) wrap() {
	it.cur.Abs(it.cur)
	it.cur.Mod(it.cur, it.span)
	it.cur.Mul(it.cur, it.sign)
}

func integralIterator(m map[string]any, generation int64, long bool) (iterator, error) {
	get := integer
	hiDefault, loDefault := int64(math.MaxInt32), int64(math.MinInt32)
	if long {
		get = integral
		hiDefault, loDefault = math.MaxInt64, math.MinInt64
	}
	var f [4]*int64
	for i, name := range []string{fieldStart, fieldRestart, fieldStep, fieldInitial} {
		v, err := get(propIteration, name, m)
		if err != nil {
			return nil, err
		}
		f[i] = v
	}
	startP, restartP, stepP, initialP := f[0], f[1], f[2], f[3]
	if startP == nil {
		return nil, fmt.Errorf("%s property must contain %s field", propIteration, fieldStart)
	}
	start := *startP
	var restart, step int64
	switch {
	case restartP == nil && stepP == nil:
		restart, step = hiDefault, 1
	case restartP == nil:
		step = *stepP
		switch {
		case step > 0:
			restart = hiDefault
		case step < 0:
			// avro-random-generator negates the low default here, which for
			// long overflows back to the minimum; kept for the same sequence.
			restart = -loDefault
		default:
			return nil, fmt.Errorf("%s field of %s property cannot be zero", fieldStep, propIteration)
		}
	case stepP == nil:
		restart = *restartP
		switch {
		case restart > start:
			step = 1
		case restart < start:
			step = -1
		default:
			return nil, fmt.Errorf("%s and %s fields of %s property cannot be equal", fieldStart, fieldRestart, propIteration)
		}
	default:
		restart, step = *restartP, *stepP
		if err := checkSteps(cmp.Compare(restart, start), cmp.Compare(step, 0)); err != nil {
			return nil, err
		}
	}
	initial := start
	if initialP != nil {
		initial = *initialP
	}
	it := &intIter{
		start: big.NewInt(start),
		span:  new(big.Int).Abs(new(big.Int).Sub(big.NewInt(restart), big.NewInt(start))),
		sign:  big.NewInt(1),
		step:  big.NewInt(step),
		cur:   new(big.Int).Sub(big.NewInt(initial), big.NewInt(start)),
		long:  long,
	}
	if step < 0 {
		it.sign.SetInt64(-1)
	}
	if generation > 0 {
		it.cur.Add(it.cur, new(big.Int).Mul(big.NewInt(generation), it.step))
		it.wrap()
	}
	return it, nil
}

// checkSteps is the validation of an iteration given both restart and step,
// from how restart compares with start and the sign of step.
func checkSteps(restartVsStart, stepSign int) error {
	switch {
	case stepSign == 0:
		return fmt.Errorf("%s field of %s property cannot be zero", fieldStep, propIteration)
	case restartVsStart == 0:
		return fmt.Errorf("%s and %s fields of %s property cannot be equal", fieldStart, fieldRestart, propIteration)
	case restartVsStart > 0 && stepSign < 0:
		return fmt.Errorf("%s field of %s property must be positive when %s field is greater than %s field", fieldStep, propIteration, fieldRestart, fieldStart)
	case restartVsStart < 0 && stepSign > 0:
		return fmt.Errorf("%s field of %s property must be negative when %s field is less than %s field", fieldStep, propIteration, fieldRestart, fieldStart)
	}
	return nil
}

// decIter is intIter for float and double, in exact decimal arithmetic on
// the numbers as written (0.1 is one tenth), with a truncated remainder:
// avro-random-generator's BigDecimal iterator.
type decIter struct {
	start, modulo, step, cur *big.Rat
	float                    bool
}

func (it *decIter) next() any {
	v := new(big.Rat).Add(it.cur, it.start)
	it.cur = rem(new(big.Rat).Add(it.cur, it.step), it.modulo)
	if it.float {
		f, _ := v.Float32()
		return f
	}
	f, _ := v.Float64()
	return f
}

// rem returns a - trunc(a/b)·b, which has a's sign.
func rem(a, b *big.Rat) *big.Rat {
	q := new(big.Rat).Quo(a, b)
	t := new(big.Int).Quo(q.Num(), q.Denom()) // truncates toward zero
	return new(big.Rat).Sub(a, new(big.Rat).Mul(new(big.Rat).SetInt(t), b))
}

// exact returns f as the decimal it prints as.
func exact(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return r
}

func decimalIterator(m map[string]any, generation int64, isFloat bool) (iterator, error) {
	get := decimal
	hiDefault, loDefault := math.MaxFloat64, -math.MaxFloat64
	if isFloat {
		get = float
		hiDefault, loDefault = math.MaxFloat32, -math.MaxFloat32
	}
	var f [4]*float64
	for i, name := range []string{fieldStart, fieldRestart, fieldStep, fieldInitial} {
		v, err := get(propIteration, name, m)
		if err != nil {
			return nil, err
		}
		f[i] = v
	}
	startP, restartP, stepP, initialP := f[0], f[1], f[2], f[3]
	if startP == nil {
		return nil, fmt.Errorf("%s property must contain %s field", propIteration, fieldStart)
	}
	start := *startP
	var restart, step float64
	switch {
	case restartP == nil && stepP == nil:
		restart, step = hiDefault, 1
	case restartP == nil:
		step = *stepP
		switch {
		case step > 0:
			restart = hiDefault
		case step < 0:
			restart = -loDefault // as avro-random-generator: the high default again
		default:
			return nil, fmt.Errorf("%s field of %s property cannot be zero", fieldStep, propIteration)
		}
	case stepP == nil:
		restart = *restartP
		switch {
		case restart > start:
			step = 1
		case restart < start:
			step = -1
		default:
			return nil, fmt.Errorf("%s and %s fields of %s property cannot be equal", fieldStart, fieldRestart, propIteration)
		}
	default:
		restart, step = *restartP, *stepP
		if err := checkSteps(cmp.Compare(restart, start), cmp.Compare(step, 0)); err != nil {
			return nil, err
		}
	}
	initial := start
	if initialP != nil {
		initial = *initialP
	}
	it := &decIter{start: exact(start), step: exact(step), float: isFloat}
	it.modulo = new(big.Rat).Sub(exact(restart), it.start)
	it.cur = new(big.Rat).Sub(exact(initial), it.start)
	if generation > 0 {
		n := new(big.Rat).Mul(new(big.Rat).SetInt64(generation), it.step)
		it.cur = rem(n.Add(n, it.cur), it.modulo)
	}
	return it, nil
}

// stringIterator is an int iteration printed in decimal, between the
// string's prefix and suffix.
type stringIterator struct {
	it             iterator
	prefix, suffix string
}

func (s stringIterator) next() any {
	return s.prefix + strconv.Itoa(s.it.next().(int)) + s.suffix
}

// affixes reads the "prefix" and "suffix" annotations.
func affixes(p props) (prefix, suffix string, err error) {
	if prefix, err = stringProp(p, propPrefix); err != nil {
		return "", "", err
	}
	suffix, err = stringProp(p, propSuffix)
	return prefix, suffix, err
}
