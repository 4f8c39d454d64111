package javafmt

import (
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// This file writes JSON strings and numbers byte for byte as Jackson 2.x
// (the jackson-core Kafka Connect and Avro use) writes them with its default
// features, so that every JSON document sluice shares with Java workers
// (internal-topic records, JsonConverter output, Avro schema text) reads
// exactly as Java's. The golden tests compare with real Java output
// (testdata/README.md says how it was made).
//
// Jackson escapes '"', '\\' and the control characters U+0000..U+001F only:
// \b \t \n \f \r by name, the others as \u00XX with upper-case hex. DEL
// (U+007F), '/', HTML characters and U+2028/U+2029 are written as they are,
// non-ASCII as UTF-8. Jackson's two generators differ in one respect:
//
//   - the byte generator (UTF8JsonGenerator: ObjectMapper.writeValueAsBytes,
//     hence Kafka Connect's JsonConverter and its internal topics) writes a
//     character outside the Basic Multilingual Plane as its UTF-16
//     surrogate pair, escaped: U+1F600 is \uD83D\uDE00 (AppendString);
//   - the character generator (WriterBasedJsonGenerator over a Writer, as
//     Avro's Schema.toString uses it) writes it as UTF-8 (AppendWriterString).
//
// A Go string may hold bytes that are not UTF-8, a Java string cannot: such
// a byte is written as U+FFFD, the character Java's UTF-8 decoder puts in
// its place, one per invalid byte (AppendStringStrict reports it instead).

const upperHex = "0123456789ABCDEF"

// plainASCII tells the bytes written as they are: ASCII but the control
// characters, '"' and '\\'. A table, so that the common byte costs one load.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a quoted JSON string as Jackson's byte
// generator writes it (Kafka Connect's JsonConverter, the internal topics):
// supplementary characters as escaped surrogate pairs. Invalid UTF-8 is
// written as U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst, _ = appendString(dst, s, true, false)
	return dst
}

// AppendWriterString appends s as a quoted JSON string as Jackson's
// character generator writes it (Avro's Schema.toString): as AppendString,
// but supplementary characters as UTF-8.
func AppendWriterString(dst []byte, s string) []byte {
	dst, _ = appendString(dst, s, false, false)
	return dst
}

// InvalidUTF8Error reports a string that is not valid UTF-8: Byte, at
// Offset in the string, starts no valid sequence.
type InvalidUTF8Error struct {
	Offset int
	Byte   byte
}

// Error implements error.
func (e *InvalidUTF8Error) Error() string {
	return fmt.Sprintf("string is not valid UTF-8 (byte %#x at offset %d)", e.Byte, e.Offset)
}

// AppendStringStrict is AppendString for callers that refuse what a Java
// string cannot hold: a string that is not valid UTF-8 is an
// *InvalidUTF8Error (dst then holds a partial string).
func AppendStringStrict(dst []byte, s string) ([]byte, error) {
	dst, bad := appendString(dst, s, true, true)
	if bad >= 0 {
		return dst, &InvalidUTF8Error{Offset: bad, Byte: s[bad]}
	}
	return dst, nil
}

// appendString writes s quoted and escaped; with strict it stops at the
// first invalid byte and returns its offset (-1 when there is none).
func appendString(dst []byte, s string, escapeSupplementary, strict bool) ([]byte, int) {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				if strict {
					return dst, i
				}
				dst = append(dst, s[start:i]...)
				dst = utf8.AppendRune(dst, utf8.RuneError)
				i++
				start = i
			case size == 4 && escapeSupplementary:
				dst = append(dst, s[start:i]...)
				hi, lo := utf16.EncodeRune(r)
				dst = appendUnicodeEscape(dst, hi)
				dst = appendUnicodeEscape(dst, lo)
				i += size
				start = i
			default:
				i += size
			}
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = appendUnicodeEscape(dst, rune(c))
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), -1
}

func appendUnicodeEscape(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		upperHex[r>>12&0xF], upperHex[r>>8&0xF], upperHex[r>>4&0xF], upperHex[r&0xF])
}

// AppendJSONDouble appends v as Jackson's JsonGenerator.writeNumber(double)
// writes it by default: Double.toString, and NaN and the infinities, which
// JSON has no number for, as the strings "NaN", "Infinity", "-Infinity"
// (QUOTE_NON_NUMERIC_NUMBERS).
func AppendJSONDouble(dst []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		dst = append(dst, '"')
		dst = AppendDouble(dst, v)
		return append(dst, '"')
	}
	return AppendDouble(dst, v)
}

// AppendJSONFloat is AppendJSONDouble for writeNumber(float):
// Float.toString.
func AppendJSONFloat(dst []byte, v float32) []byte {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		dst = append(dst, '"')
		dst = AppendFloat(dst, v)
		return append(dst, '"')
	}
	return AppendFloat(dst, v)
}
