package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// javaTrim removes leading and trailing characters <= U+0020, as Java's
// String.trim does (a superset of ASCII whitespace, narrower than Unicode's).
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// isRegexSpace reports whether r matches Java's regex \s, which Java's
// ConfigDef uses around list commas.
func isRegexSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// parseString parses a raw property value into the Go value of t, as Java's
// ConfigDef.parseType does for strings. Errors are *ValueError naming the raw
// (untrimmed) value, as Java's messages do.
func parseString(name, raw string, t Type) (any, error) {
	s := javaTrim(raw)
	bad := func(reason string) error { return &ValueError{Name: name, Value: raw, Reason: reason} }
	switch t {
	case Boolean:
		switch {
		case strings.EqualFold(s, "true"):
			return true, nil
		case strings.EqualFold(s, "false"):
			return false, nil
		}
		return nil, bad("Expected value to be either true or false")
	case String:
		return s, nil
	case Password:
		return Secret(s), nil
	case Int, Short, Long:
		n, err := strconv.ParseInt(s, 10, intBits(t))
		if err != nil {
			return nil, bad("Not a number of type " + t.String())
		}
		return intOf(t, n), nil
	case Double:
		f, ok := parseJavaDouble(s)
		if !ok {
			return nil, bad("Not a number of type DOUBLE")
		}
		return f, nil
	case List:
		return splitList(s), nil
	case Class:
		if s == "" {
			return nil, bad("Class name must be non-empty")
		}
		return s, nil
	}
	panic(fmt.Sprintf("config: key %q has invalid type %v", name, t))
}

func intBits(t Type) int {
	switch t {
	case Int:
		return 32
	case Short:
		return 16
	}
	return 64
}

// intOf converts n, known to fit, to the Go type of the integer type t.
func intOf(t Type, n int64) any {
	switch t {
	case Int:
		return int32(n)
	case Short:
		return int16(n)
	}
	return n
}

// splitList splits an already trimmed value on commas and trims the elements,
// as Java's split on "\s*,\s*" (with limit -1, so empty elements are kept).
// The empty string is an empty, non-nil list.
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimFunc(p, isRegexSpace)
	}
	return parts
}

// parseJavaDouble accepts what Java's Double.parseDouble accepts after
// trimming: decimal and hexadecimal floating-point literals with an optional
// f/F/d/D suffix, NaN and Infinity (case-sensitive, signed). Out-of-range
// literals become ±Infinity or zero, as in Java.
func parseJavaDouble(s string) (float64, bool) {
	sign, body := "", s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		sign, body = body[:1], body[1:]
	}
	switch body {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		if sign == "-" {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if n := len(body); n > 1 && strings.IndexByte("fFdD", body[n-1]) >= 0 {
		body = body[:n-1]
	}
	// Go also accepts inf, nan and digit separators; Java does not. The
	// letters i and n never occur in a literal Java accepts here.
	if body == "" || strings.ContainsAny(body, "iInN_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(sign+body, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// convertDefault turns a Key's Default, given as a Go value or a string, into
// the parsed Go value of t. nil stays nil (null).
func convertDefault(name string, v any, t Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func(reason string) error { return &ValueError{Name: name, Value: v, Reason: reason} }
	if s, ok := v.(Secret); ok {
		if t != Password {
			return nil, bad(fmt.Sprintf("Expected a value of type %v, but it was a config.Secret", t))
		}
		return s, nil
	}
	if _, ok := v.(time.Duration); ok {
		// A Duration would silently become nanoseconds; Kafka's keys count milliseconds.
		return nil, bad("Expected a number, but it was a time.Duration; give milliseconds, e.g. (5 * time.Second).Milliseconds()")
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.String {
		return parseString(name, rv.String(), t)
	}
	switch t {
	case Boolean:
		if rv.Kind() == reflect.Bool {
			return rv.Bool(), nil
		}
		return nil, bad("Expected value to be either true or false")
	case String, Password:
		return nil, bad(fmt.Sprintf("Expected value to be a string, but it was a %T", v))
	case Int, Short, Long:
		n, isInt, fits := toInt64(rv)
		if !isInt {
			return nil, bad(fmt.Sprintf("Expected value to be %s, but it was a %T", intDesc(t), v))
		}
		bits := intBits(t)
		if !fits || n < -1<<(bits-1) || n > 1<<(bits-1)-1 {
			return nil, bad("Not a number of type " + t.String())
		}
		return intOf(t, n), nil
	case Double:
		switch rv.Kind() {
		case reflect.Float32, reflect.Float64:
			return rv.Float(), nil
		}
		if n, isInt, fits := toInt64(rv); isInt {
			if !fits {
				return float64(rv.Uint()), nil
			}
			return float64(n), nil
		}
		return nil, bad(fmt.Sprintf("Expected value to be a double, but it was a %T", v))
	case List:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.String {
			l := make([]string, rv.Len())
			for i := range l {
				l[i] = rv.Index(i).String()
			}
			return l, nil
		}
		return nil, bad("Expected a comma separated list.")
	case Class:
		return nil, bad("Expected a class name.")
	}
	panic(fmt.Sprintf("config: key %q has invalid type %v", name, t))
}

func intDesc(t Type) string {
	switch t {
	case Int:
		return "a 32-bit integer"
	case Short:
		return "a 16-bit integer (short)"
	}
	return "a 64-bit integer (long)"
}

// toInt64 reads an integer of any Go integer kind; fits is false for unsigned
// values above math.MaxInt64.
func toInt64(rv reflect.Value) (n int64, isInt, fits bool) {
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		return int64(u), true, u <= math.MaxInt64
	}
	return 0, false, false
}
