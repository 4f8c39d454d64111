package datagen

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strconv"
	"time"

	"github.com/hamba/avro/v2"
)

// logicalOf returns the logical type of a primitive or fixed schema, "" for
// none.
func logicalOf(s avro.Schema) avro.LogicalType {
	if ls, ok := s.(avro.LogicalTypeSchema); ok && ls.Logical() != nil {
		return ls.Logical().Type()
	}
	return ""
}

// toLogical turns the physical value avro-random-generator produces for an
// int or long schema with a logical type into hamba/avro's Go value for
// that logical type: time.Time for dates and timestamps, time.Duration for
// times of day. Other values pass through.
func toLogical(lt avro.LogicalType, v any) any {
	switch lt {
	case avro.Date:
		if n, ok := v.(int); ok {
			return time.Unix(int64(n)*86400, 0).UTC()
		}
	case avro.TimeMillis:
		if n, ok := v.(int); ok {
			return time.Duration(n) * time.Millisecond
		}
	case avro.TimeMicros:
		if n, ok := v.(int64); ok {
			return time.Duration(n) * time.Microsecond
		}
	case avro.TimestampMillis, avro.LocalTimestampMillis:
		if n, ok := v.(int64); ok {
			return time.UnixMilli(n).UTC()
		}
	case avro.TimestampMicros, avro.LocalTimestampMicros:
		if n, ok := v.(int64); ok {
			return time.UnixMicro(n).UTC()
		}
	}
	return v
}

// fixedValue returns b as hamba/avro's Go value of a fixed of that size: a
// [size]byte array.
func fixedValue(b []byte) any {
	v := reflect.New(reflect.ArrayOf(len(b), reflect.TypeFor[byte]())).Elem()
	reflect.Copy(v, reflect.ValueOf(b))
	return v.Interface()
}

// durationValue reads the 12 bytes of an Avro duration (three little-endian
// unsigned ints: months, days, milliseconds).
func durationValue(b []byte) avro.LogicalDuration {
	return avro.LogicalDuration{
		Months:       binary.LittleEndian.Uint32(b[0:4]),
		Days:         binary.LittleEndian.Uint32(b[4:8]),
		Milliseconds: binary.LittleEndian.Uint32(b[8:12]),
	}
}

// decimalOf returns the precision and scale of a decimal schema.
func decimalOf(s avro.Schema) (precision, scale int, ok bool) {
	ls, isLogical := s.(avro.LogicalTypeSchema)
	if !isLogical || ls.Logical() == nil {
		return 0, 0, false
	}
	d, ok := ls.Logical().(*avro.DecimalLogicalSchema)
	if !ok {
		return 0, 0, false
	}
	return d.Precision(), d.Scale(), true
}

// unscaledRat returns unscaled × 10^-scale.
func unscaledRat(unscaled *big.Int, scale int) *big.Rat {
	r := new(big.Rat).SetInt(unscaled)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(scale))), nil)
	if scale >= 0 {
		return r.Quo(r, new(big.Rat).SetInt(p))
	}
	return r.Mul(r, new(big.Rat).SetInt(p))
}

// twosComplement reads big-endian two's-complement bytes, as a decimal's
// bytes are.
func twosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// decimalRange is a "range" annotation on a decimal: unscaled values from
// lo up to, not including, hi.
type decimalRange struct{ lo, hi *big.Int }

// decimalRangeOf reads a "range" annotation of a decimal of the given
// scale. avro-random-generator 0.3 ignores ranges on decimals; the
// quickstarts (purchases' price_per_unit) rely on the one 0.4 honours.
func decimalRangeOf(p props, scale int) (*decimalRange, error) {
	v, ok := p[propRange]
	if !ok {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s property must be an object", propRange)
	}
	lo, err := decimal(propRange, fieldMin, m)
	if err != nil {
		return nil, err
	}
	hi, err := decimal(propRange, fieldMax, m)
	if err != nil {
		return nil, err
	}
	if lo == nil || hi == nil {
		return nil, fmt.Errorf("%s property of a decimal must give both '%s' and '%s'", propRange, fieldMin, fieldMax)
	}
	r := &decimalRange{lo: scaledCeil(*lo, scale), hi: scaledCeil(*hi, scale)}
	if r.lo.Cmp(r.hi) >= 0 {
		return nil, fmt.Errorf("'%s' field must be strictly less than '%s' field in %s property", fieldMin, fieldMax, propRange)
	}
	return r, nil
}

// scaledCeil returns the smallest unscaled value at scale that is at least
// f, reading f as the decimal it prints as (0.1 is one tenth).
func scaledCeil(f float64, scale int) *big.Int {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(scale))), nil))
	if scale >= 0 {
		r.Mul(r, p)
	} else {
		r.Quo(r, p)
	}
	q, m := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() != 0 {
		q.Add(q, big.NewInt(1)) // DivMod floors (Euclidean, positive denominator)
	}
	return q
}

// randomDecimal returns a random unscaled value: within rng when given,
// else, as avro-random-generator does, up to precision digits built from
// 15-digit random chunks, with a random sign.
func randomDecimal(r *rand.Rand, precision int, rng *decimalRange) *big.Int {
	if rng != nil {
		width := new(big.Int).Sub(rng.hi, rng.lo)
		var off *big.Int
		if width.IsInt64() {
			off = big.NewInt(r.Int64N(width.Int64()))
		} else {
			off = randomBelow(r, width)
		}
		return off.Add(off, rng.lo)
	}
	const chunk = 1_000_000_000_000_000 // 10^15
	n := new(big.Int)
	digits := 0
	for ; digits < precision; digits += 15 {
		n.Mul(n, big.NewInt(chunk))
		n.Add(n, big.NewInt(int64(r.Float64()*chunk)))
	}
	n.Quo(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits-precision)), nil))
	if r.IntN(2) == 1 {
		n.Neg(n)
	}
	return n
}

// randomBelow returns a uniform random integer in [0, n), n > 0.
func randomBelow(r *rand.Rand, n *big.Int) *big.Int {
	bits := n.BitLen()
	buf := make([]byte, (bits+7)/8)
	for {
		for i := range buf {
			buf[i] = byte(r.Uint32())
		}
		if extra := len(buf)*8 - bits; extra > 0 {
			buf[0] &= byte(0xff >> extra)
		}
		v := new(big.Int).SetBytes(buf)
		if v.Cmp(n) < 0 {
			return v
		}
	}
}
