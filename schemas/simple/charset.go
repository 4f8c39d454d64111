package simple

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sluicehq/sluice/schemas"
)

// charset encodes strings to bytes and back, refusing what it cannot map
// (Java replaces such characters with '?' or U+FFFD instead).
type charset int

const (
	utf8Charset charset = iota
	utf16Charset
	utf16BECharset
	utf16LECharset
	latin1Charset
	asciiCharset
)

// charsetNames maps Java charset names and aliases (compared without case)
// to the supported charsets.
var charsetNames = map[string]charset{
	"utf-8": utf8Charset, "utf8": utf8Charset, "unicode-1-1-utf-8": utf8Charset,
	"utf-16": utf16Charset, "utf_16": utf16Charset, "utf16": utf16Charset, "unicode": utf16Charset, "unicodebig": utf16Charset,
	"utf-16be": utf16BECharset, "utf_16be": utf16BECharset, "x-utf-16be": utf16BECharset, "iso-10646-ucs-2": utf16BECharset, "unicodebigunmarked": utf16BECharset,
	"utf-16le": utf16LECharset, "utf_16le": utf16LECharset, "x-utf-16le": utf16LECharset, "unicodelittleunmarked": utf16LECharset,
	"iso-8859-1": latin1Charset, "iso8859_1": latin1Charset, "iso_8859_1": latin1Charset, "iso8859-1": latin1Charset,
	"iso_8859-1": latin1Charset, "8859_1": latin1Charset, "latin1": latin1Charset, "l1": latin1Charset, "cp819": latin1Charset, "ibm819": latin1Charset,
	"us-ascii": asciiCharset, "ascii": asciiCharset, "us": asciiCharset, "iso646-us": asciiCharset, "cp367": asciiCharset, "646": asciiCharset, "ascii7": asciiCharset, "default": asciiCharset,
}

// SupportedEncodings lists the canonical names of the encodings
// StringConverter supports.
var SupportedEncodings = []string{"UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "ISO-8859-1", "US-ASCII"}

func lookupCharset(name string) (charset, bool) {
	cs, ok := charsetNames[strings.ToLower(strings.TrimSpace(name))]
	return cs, ok
}

// String returns the canonical name of the charset.
func (cs charset) String() string { return SupportedEncodings[cs] }

// encode returns s in the charset. For UTF-8 the bytes of s are returned
// as they are.
func (cs charset) encode(s string) ([]byte, error) {
	switch cs {
	case utf8Charset:
		return []byte(s), nil
	case latin1Charset, asciiCharset:
		limit := rune(0xFF)
		if cs == asciiCharset {
			limit = 0x7F
		}
		out := make([]byte, 0, len(s))
		for i, r := range s {
			if r > limit || (r == utf8.RuneError && !validAt(s, i)) {
				return nil, schemas.DataErrorf("Failed to serialize to a string: character %q at offset %d cannot be encoded in %v", r, i, cs)
			}
			out = append(out, byte(r))
		}
		return out, nil
	}
	if !utf8.ValidString(s) {
		return nil, schemas.DataErrorf("Failed to serialize to a string: the string is not valid UTF-8, so it cannot be encoded in %v", cs)
	}
	units := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(units)+2)
	if cs == utf16Charset {
		out = append(out, 0xFE, 0xFF) // Java writes a big-endian byte-order mark
	}
	for _, u := range units {
		if cs == utf16LECharset {
			out = append(out, byte(u), byte(u>>8))
		} else {
			out = append(out, byte(u>>8), byte(u))
		}
	}
	return out, nil
}

func validAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	return r != utf8.RuneError || size > 1
}

// decode returns the string b holds in the charset. UTF-8 bytes are taken
// as they are (a Go string may hold any bytes, so nothing is replaced).
func (cs charset) decode(b []byte) (string, error) {
	switch cs {
	case utf8Charset:
		return string(b), nil
	case latin1Charset:
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), nil
	case asciiCharset:
		for i, c := range b {
			if c > 0x7F {
				return "", schemas.DataErrorf("Failed to deserialize string: byte %#x at offset %d is not US-ASCII", c, i)
			}
		}
		return string(b), nil
	}
	bigEndian := cs != utf16LECharset
	if cs == utf16Charset && len(b) >= 2 {
		switch {
		case b[0] == 0xFE && b[1] == 0xFF:
			b = b[2:]
		case b[0] == 0xFF && b[1] == 0xFE:
			b, bigEndian = b[2:], false
		}
	}
	if len(b)%2 != 0 {
		return "", schemas.DataErrorf("Failed to deserialize string: odd number of bytes (%d) for %v", len(b), cs)
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xD800 && u < 0xDC00:
			if i+1 >= len(units) || units[i+1] < 0xDC00 || units[i+1] > 0xDFFF {
				return "", schemas.DataErrorf("Failed to deserialize string: unpaired UTF-16 surrogate at offset %d", 2*i)
			}
			i++
		case u >= 0xDC00 && u <= 0xDFFF:
			return "", schemas.DataErrorf("Failed to deserialize string: unpaired UTF-16 surrogate at offset %d", 2*i)
		}
	}
	return string(utf16.Decode(units)), nil
}
