package schemas

import (
	"math/big"
	"strconv"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// Decimal is Kafka Connect's arbitrary-precision decimal logical type: a
// BYTES schema with a fixed "scale" parameter whose bytes are the
// big-endian two's-complement unscaled value (value × 10^scale). Its Go
// value is a *big.Rat, which must be exact at the schema's scale: a value
// that would need rounding is an error, never rounded.
const (
	DecimalName       = "org.apache.kafka.connect.data.Decimal"
	DecimalScaleParam = "scale"
)

// DecimalBuilder starts a Decimal schema with the given scale, so that it
// can be made optional, given a default or documented.
func DecimalBuilder(scale int) *Builder {
	return NewBuilder(TypeBytes).Name(DecimalName).
		Parameter(DecimalScaleParam, strconv.Itoa(scale)).Version(1)
}

// DecimalSchema returns a required Decimal schema with the given scale.
func DecimalSchema(scale int) *Schema {
	return DecimalBuilder(scale).MustBuild()
}

// DecimalScale returns the scale of a Decimal schema.
func DecimalScale(s *Schema) (int, error) {
	str, ok := s.Parameters[DecimalScaleParam]
	if !ok {
		return 0, DataErrorf("Invalid Decimal schema: scale parameter not found.")
	}
	scale, err := strconv.ParseInt(str, 10, 32)
	if err != nil {
		return 0, DataErrorf("Invalid scale parameter found in Decimal schema: %q is not an integer", str)
	}
	if scale > maxDecimalScale || scale < -maxDecimalScale {
		return 0, DataErrorf("Invalid scale parameter found in Decimal schema: %d is outside the supported range ±%d", scale, maxDecimalScale)
	}
	return int(scale), nil
}

// DecimalUnscaled returns v × 10^scale, which must be an integer.
func DecimalUnscaled(scale int, v *big.Rat) (*big.Int, error) {
	if v == nil {
		return nil, DataErrorf("Decimal value is null")
	}
	u := new(big.Int).Set(v.Num())
	den := v.Denom()
	if scale >= 0 {
		u.Mul(u, pow10(scale))
	} else {
		den = new(big.Int).Mul(den, pow10(-scale))
	}
	if den.IsInt64() && den.Int64() == 1 {
		return u, nil
	}
	var rem big.Int
	if u.QuoRem(u, den, &rem); rem.Sign() != 0 {
		return nil, DataErrorf("Decimal value %s is not exact at scale %d: it would need rounding", v.RatString(), scale)
	}
	return u, nil
}

// DecimalFromUnscaled returns unscaled × 10^-scale.
func DecimalFromUnscaled(unscaled *big.Int, scale int) *big.Rat {
	p := pow10(abs(scale))
	if scale >= 0 {
		return new(big.Rat).SetFrac(unscaled, p)
	}
	return new(big.Rat).SetInt(new(big.Int).Mul(unscaled, p))
}

// DecimalToBytes encodes v at scale as Kafka Connect does: the unscaled
// value as big-endian two's complement in the fewest bytes
// (Java's BigInteger.toByteArray).
func DecimalToBytes(scale int, v *big.Rat) ([]byte, error) {
	return AppendDecimalBytes(nil, scale, v)
}

// AppendDecimalBytes appends DecimalToBytes(scale, v) to dst.
func AppendDecimalBytes(dst []byte, scale int, v *big.Rat) ([]byte, error) {
	u, err := DecimalUnscaled(scale, v)
	if err != nil {
		return dst, err
	}
	return appendTwosComplement(dst, u), nil
}

// DecimalFromBytes decodes the two's-complement unscaled bytes b at scale.
func DecimalFromBytes(scale int, b []byte) (*big.Rat, error) {
	if len(b) == 0 {
		return nil, DataErrorf("Invalid Decimal bytes: zero length")
	}
	u := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return DecimalFromUnscaled(u, scale), nil
}

// appendTwosComplement appends x as Java's BigInteger.toByteArray does:
// big-endian two's complement in the fewest bytes that keep the sign.
func appendTwosComplement(dst []byte, x *big.Int) []byte {
	if x.Sign() >= 0 {
		n := x.BitLen()/8 + 1 // room for a 0 sign bit
		dst = append(dst, make([]byte, n)...)
		x.FillBytes(dst[len(dst)-n:])
		return dst
	}
	m := new(big.Int).Add(x, big.NewInt(1)) // -(|x|-1)
	n := m.Neg(m).BitLen()/8 + 1
	t := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	dst = append(dst, make([]byte, n)...)
	t.Add(t, x).FillBytes(dst[len(dst)-n:])
	return dst
}

var smallPow10 = func() [19]*big.Int {
	var p [19]*big.Int
	v := int64(1)
	for i := range p {
		p[i] = big.NewInt(v)
		v *= 10
	}
	return p
}()

// pow10 returns 10^n for n ≥ 0; the result must not be modified.
func pow10(n int) *big.Int {
	if n < len(smallPow10) {
		return smallPow10[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// DecimalFromString parses a decimal number written as Java's
// new BigDecimal(String) accepts it ("1.56", "-7", "1.2E+3"). Numbers whose
// scale is beyond ±16384 are refused: a few characters such as
// "1e999999999" would otherwise expand into gigabytes.
func DecimalFromString(s string) (*big.Rat, error) {
	u, scale, err := javafmt.ParseBigDecimal(s)
	if err != nil {
		return nil, DataErrorf("%q is not a decimal number", s)
	}
	if scale > maxDecimalScale || scale < -maxDecimalScale {
		return nil, DataErrorf("decimal number %q has a scale beyond the supported ±%d", s, maxDecimalScale)
	}
	return DecimalFromUnscaled(u, scale), nil
}
