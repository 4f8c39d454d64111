package events

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
)

// charsetOf is the character set of a text column: its own, else the
// table's default, else utf8mb4.
func charsetOf(t *tables.Table, c *tables.Column) string {
	if c.Charset != "" {
		return c.Charset
	}
	if t.DefaultCharset != "" {
		return t.DefaultCharset
	}
	return "utf8mb4"
}

// mysqlCharsets maps MySQL's character set names to their encodings;
// the UTF-8 ones, ascii and binary need no decoding.
var mysqlCharsets = map[string]encoding.Encoding{
	"latin1":   charmap.Windows1252, // MySQL's latin1 is cp1252
	"latin2":   charmap.ISO8859_2,
	"latin5":   charmap.ISO8859_9,
	"latin7":   charmap.ISO8859_13,
	"cp1250":   charmap.Windows1250,
	"cp1251":   charmap.Windows1251,
	"cp1256":   charmap.Windows1256,
	"cp1257":   charmap.Windows1257,
	"cp850":    charmap.CodePage850,
	"cp852":    charmap.CodePage852,
	"cp866":    charmap.CodePage866,
	"greek":    charmap.ISO8859_7,
	"hebrew":   charmap.ISO8859_8,
	"koi8r":    charmap.KOI8R,
	"koi8u":    charmap.KOI8U,
	"macroman": charmap.Macintosh,
	"gbk":      simplifiedchinese.GBK,
	"gb2312":   simplifiedchinese.HZGB2312,
	"gb18030":  simplifiedchinese.GB18030,
	"big5":     traditionalchinese.Big5,
	"sjis":     japanese.ShiftJIS,
	"cp932":    japanese.ShiftJIS,
	"ujis":     japanese.EUCJP,
	"eucjpms":  japanese.EUCJP,
	"euckr":    korean.EUCKR,
	"ucs2":     unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	"utf16":    unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	"utf16le":  unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"utf32":    utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM),
	"tis620":   charmap.Windows874,
}

// decoderFor returns the function that decodes a column's bytes in
// charset to a string; nil when the bytes are taken as UTF-8: the UTF-8
// sets, ascii, binary, and a set without a mapping here (Debezium also
// falls back to UTF-8 for a character set Java does not know).
func decoderFor(charset string) (func([]byte) (string, error), error) {
	enc, ok := mysqlCharsets[strings.ToLower(charset)]
	if !ok {
		return nil, nil
	}
	return func(b []byte) (string, error) {
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil {
			return "", fmt.Errorf("decoding %s: %w", charset, err)
		}
		return string(out), nil
	}, nil
}
