package javafmt

import (
	"errors"
	"math"
	"math/big"
	"strconv"
)

// BigDecimal formats unscaled × 10^-scale as Java's BigDecimal.toString
// does: plain when scale ≥ 0 and the adjusted exponent is ≥ -6, otherwise
// scientific with an explicit exponent sign ("1.56E+4", "1E-7").
func BigDecimal(unscaled *big.Int, scale int) string {
	return string(AppendBigDecimal(nil, unscaled, scale))
}

// AppendBigDecimal appends BigDecimal(unscaled, scale) to dst.
func AppendBigDecimal(dst []byte, unscaled *big.Int, scale int) []byte {
	if unscaled.Sign() < 0 {
		dst = append(dst, '-')
	}
	var scratch [64]byte
	coeff := new(big.Int).Abs(unscaled).Append(scratch[:0], 10)
	if scale == 0 {
		return append(dst, coeff...)
	}
	adjusted := int64(len(coeff)-1) - int64(scale)
	if scale > 0 && adjusted >= -6 {
		pad := scale - len(coeff)
		if pad >= 0 {
			dst = append(dst, '0', '.')
			for ; pad > 0; pad-- {
				dst = append(dst, '0')
			}
			return append(dst, coeff...)
		}
		point := len(coeff) - scale
		dst = append(dst, coeff[:point]...)
		dst = append(dst, '.')
		return append(dst, coeff[point:]...)
	}
	dst = append(dst, coeff[0])
	if len(coeff) > 1 {
		dst = append(dst, '.')
		dst = append(dst, coeff[1:]...)
	}
	if adjusted != 0 {
		dst = append(dst, 'E')
		if adjusted > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, adjusted, 10)
	}
	return dst
}

// ErrSyntax reports a string that new BigDecimal(String) would reject.
var ErrSyntax = errors.New("not a decimal number")

// ParseBigDecimal parses s with the grammar of Java's new BigDecimal(String):
// an optional sign, digits with at most one '.', at least one digit, and an
// optional exponent ('e' or 'E', optional sign, digits). It returns the
// unscaled value and the scale (digits after the point minus the exponent).
func ParseBigDecimal(s string) (unscaled *big.Int, scale int, err error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	digits := make([]byte, 0, len(s))
	frac, seenPoint := 0, false
scan:
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
			if seenPoint {
				frac++
			}
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			break scan
		}
	}
	if len(digits) == 0 {
		return nil, 0, ErrSyntax
	}
	exp := int64(0)
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return nil, 0, ErrSyntax
		}
		rest := s[i+1:]
		j := 0
		if j < len(rest) && (rest[j] == '+' || rest[j] == '-') {
			j++
		}
		if j == len(rest) {
			return nil, 0, ErrSyntax
		}
		for _, c := range rest[j:] {
			if c < '0' || c > '9' {
				return nil, 0, ErrSyntax
			}
		}
		e, perr := strconv.ParseInt(rest, 10, 32)
		if perr != nil {
			return nil, 0, ErrSyntax
		}
		exp = e
	}
	sc := int64(frac) - exp
	if sc > math.MaxInt32 || sc < math.MinInt32 {
		return nil, 0, ErrSyntax
	}
	u, ok := new(big.Int).SetString(string(digits), 10)
	if !ok {
		return nil, 0, ErrSyntax
	}
	if neg {
		u.Neg(u)
	}
	return u, int(sc), nil
}
