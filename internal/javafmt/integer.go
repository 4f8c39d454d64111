package javafmt

import "strconv"

// AppendInteger appends v in decimal if it is one of Go's integer types, as
// Java's Long.toString writes it (a uint64 above Long.MAX_VALUE, which Java
// has no type for, as its unsigned value), and reports whether it was one.
// It serves every writer that takes Go's integer types for Java's
// byte/short/int/long: the internal-topic records, JsonConverter's
// schemaless values and Values.convertToString.
func AppendInteger(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case int8:
		return strconv.AppendInt(b, int64(x), 10), true
	case int16:
		return strconv.AppendInt(b, int64(x), 10), true
	case int32:
		return strconv.AppendInt(b, int64(x), 10), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case uint:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint64:
		return strconv.AppendUint(b, x, 10), true
	}
	return b, false
}
