package javaprops

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestLoad holds Load to what java.util.Properties.load(Reader) reads from
// each text (worked out from the JDK's Properties.LineReader and
// loadConvert).
func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
		err  string
	}{
		{in: "name=local-file-source\nconnector.class=FileStreamSource\n", want: map[string]string{"name": "local-file-source", "connector.class": "FileStreamSource"}},
		{in: "key", want: map[string]string{"key": ""}},
		{in: "  key  value", want: map[string]string{"key": "value"}},
		{in: "a = \\ b", want: map[string]string{"a": " b"}},
		{in: "a:=b", want: map[string]string{"a": "=b"}},
		{in: "a= =b", want: map[string]string{"a": "=b"}},
		{in: "a b=c", want: map[string]string{"a": "b=c"}},
		{in: "a\tb", want: map[string]string{"a": "b"}},
		{in: "\f a=b", want: map[string]string{"a": "b"}},
		{in: "=v", want: map[string]string{"": "v"}},
		{in: ":v", want: map[string]string{"": "v"}},
		{in: "a\\=b=c", want: map[string]string{"a=b": "c"}},
		{in: "a\\qb=c", want: map[string]string{"aqb": "c"}},
		{in: "a\\u0041=\\u00e9\\t\\n\\r\\f", want: map[string]string{"aA": "é\t\n\r\f"}},
		{in: "a=\\uD83D\\uDE00", want: map[string]string{"a": "😀"}},
		{in: "a=b # c", want: map[string]string{"a": "b # c"}},
		{in: "  # comment\n! comment\nx=1", want: map[string]string{"x": "1"}},
		{in: "a=1\na=2", want: map[string]string{"a": "2"}},
		{in: "a=1\rb=2\r\nc=3", want: map[string]string{"a": "1", "b": "2", "c": "3"}},
		{in: "a=${file:/x:y}", want: map[string]string{"a": "${file:/x:y}"}},
		// Continuation lines: the backslash and the next line's leading
		// whitespace go, after \n, \r or \r\n.
		{in: "transforms=a,\\\n    b", want: map[string]string{"transforms": "a,b"}},
		{in: "transforms=a,\\\r\n    b\r\n", want: map[string]string{"transforms": "a,b"}},
		{in: "transforms=a,\\\r    b", want: map[string]string{"transforms": "a,b"}},
		{in: "key\\\n  value", want: map[string]string{"keyvalue": ""}},
		{in: "k\\\n=v", want: map[string]string{"k": "v"}},
		{in: "a=\\\n#not a comment", want: map[string]string{"a": "#not a comment"}},
		{in: "a=b\\\n\nc=d", want: map[string]string{"a": "b", "c": "d"}},
		{in: "a=x\\\\\ny=1", want: map[string]string{"a": "x\\", "y": "1"}},
		{in: "\\\n# a comment after all\ny=1", want: map[string]string{"y": "1"}},
		{in: "a=b\\", want: map[string]string{"a": "b"}},
		{in: "a=\\", want: map[string]string{"a": ""}},
		{in: "\xef\xbb\xbfname=bom", want: map[string]string{"name": "bom"}},
		{in: "", want: map[string]string{}},
		{in: "\n\n  \n", want: map[string]string{}},
		{in: "ok=1\nbad=\\u004", err: "line 2: malformed \\uxxxx encoding"},
		{in: "ok=1\r\n\\\n  \\u12=x", err: "line 3: malformed \\uxxxx encoding"}, // where its text starts
		{in: "a=\\uZZZZ", err: "line 1: malformed"},
	} {
		got, err := Load([]byte(tc.in))
		if tc.err != "" {
			var pe *ParseError
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &pe) {
				t.Errorf("Load(%q) = %q, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("Load(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// FuzzLoad reads arbitrary text (no panic, errors are *ParseError with a
// line in the text), and a key and value written with Java's
// Properties.store escapes read back as themselves, whatever surrounds
// them.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("name=x\n"), "k", "v")
	f.Add([]byte("a=b\\\r\n  c\\u00e9\\uD83D\\uDE00"), " lead", "trail ")
	f.Add([]byte("\\\n# c\n=:v\\"), "=:#!\\", "\\\t\n\r\f")
	f.Add([]byte("\xef\xbb\xbf\\u12"), "", "\x00\x7f😀")
	f.Fuzz(func(t *testing.T, text []byte, key, value string) {
		defer testkit.HangGuard(t, 20*time.Second)()
		if _, err := Load(text); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Line > strings.Count(string(text), "\n")+strings.Count(string(text), "\r")+1 {
				t.Fatalf("Load(%q): %v", text, err)
			}
		}
		if !utf8.ValidString(key) || !utf8.ValidString(value) || strings.ContainsRune(key+value, utf8.RuneError) {
			return
		}
		stored := fmt.Sprintf("# stored\n%s=%s\n", escape(key, true), escape(value, false))
		got, err := Load([]byte(stored))
		if err != nil || len(got) != 1 || got[key] != value {
			t.Fatalf("%q=%q stored as %q reads as %q, %v", key, value, stored, got, err)
		}
	})
}

// escape escapes s as Properties.store writes a key (isKey) or a value,
// except that characters beyond ASCII are kept as they are (UTF-8 text).
func escape(s string, isKey bool) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == ' ' && (i == 0 || isKey):
			b.WriteString(`\ `)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\f':
			b.WriteString(`\f`)
		case strings.ContainsRune(`=:#!\`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
