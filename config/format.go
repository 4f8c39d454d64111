package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// formatValue renders a value as Java's toString would: null, [a, b] for
// lists, Java's Double.toString for doubles, [hidden] for secrets. It is used
// in error messages.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case Secret:
		return hidden
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return javaDouble(x)
	case float32:
		return javaDouble(float64(x))
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// renderValue is Java's ConfigDef.convertToString: the string form of a
// parsed value as the REST API shows it, nil for null. Lists are joined with
// "," and secrets are "[hidden]".
func renderValue(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case []string:
		s = strings.Join(x, ",")
	default:
		s = formatValue(x)
	}
	return &s
}

// javaDouble formats f as Java's Double.toString: plain notation with at
// least one fractional digit for 1e-3 <= |f| < 1e7, otherwise computerized
// scientific notation such as 1.0E10; the shortest digits that round-trip.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. 1.2345e+10, 1e-05
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
