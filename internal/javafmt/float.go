// Package javafmt formats and parses numbers exactly as the Java platform
// does (Double.toString, Float.toString, BigDecimal.toString and
// new BigDecimal(String)) and writes JSON strings and numbers exactly as
// Jackson does (json.go), so that sluice's converters, internal-topic
// records and Avro schema text are the same bytes as Kafka Connect's.
package javafmt

import (
	"math"
	"strconv"
	"strings"
)

// Double formats v as Java's Double.toString does (JDK 19 and later, which
// is also what Jackson writes for doubles): the shortest decimal that reads
// back as v (at least two digits when one would do, closest to v), plain
// notation for magnitudes in [1e-3, 1e7), computerized scientific notation
// ("1.0E20", "4.9E-324") otherwise.
func Double(v float64) string {
	return string(AppendDouble(nil, v))
}

// Float formats v as Java's Float.toString does (JDK 19 and later).
func Float(v float32) string {
	return string(AppendFloat(nil, v))
}

// AppendDouble appends Double(v) to dst.
func AppendDouble(dst []byte, v float64) []byte {
	return appendJava(dst, v, 64)
}

// AppendFloat appends Float(v) to dst.
func AppendFloat(dst []byte, v float32) []byte {
	return appendJava(dst, float64(v), 32)
}

func appendJava(dst []byte, v float64, bits int) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "NaN"...)
	case math.IsInf(v, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(v, -1):
		return append(dst, "-Infinity"...)
	case v == 0:
		if math.Signbit(v) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var scratch [32]byte
	digits, exp := decimalDigits(scratch[:0], v, -1, bits)
	if len(digits) == 1 {
		// Java picks among decimals of length 1 or 2 the one closest to v
		// (Double.MIN_VALUE is "4.9E-324", not "5.0E-324").
		digits, exp = decimalDigits(scratch[:0], v, 1, bits)
		for len(digits) > 1 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
		}
	}
	if exp >= -3 && exp < 7 {
		return appendPlain(dst, digits, exp)
	}
	dst = append(dst, digits[0], '.')
	if len(digits) > 1 {
		dst = append(dst, digits[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// decimalDigits returns the significant digits of v (v > 0) and the decimal
// exponent of the first one: v ≈ 0.d1d2... × 10^(exp+1).
func decimalDigits(dst []byte, v float64, prec, bits int) ([]byte, int) {
	s := strconv.AppendFloat(dst, v, 'e', prec, bits) // d.ddde±xx
	e := strings.LastIndexByte(string(s), 'e')
	exp, _ := strconv.Atoi(string(s[e+1:]))
	mant := s[:e]
	if len(mant) > 1 { // drop the '.'
		copy(mant[1:], mant[2:])
		mant = mant[:len(mant)-1]
	}
	return mant, exp
}

// appendPlain writes digits × 10^(exp-len+1) without exponent, with at least
// one digit after the point.
func appendPlain(dst, digits []byte, exp int) []byte {
	if exp < 0 {
		dst = append(dst, '0', '.')
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	intLen := exp + 1
	if len(digits) <= intLen {
		dst = append(dst, digits...)
		for i := len(digits); i < intLen; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	}
	dst = append(dst, digits[:intLen]...)
	dst = append(dst, '.')
	return append(dst, digits[intLen:]...)
}
