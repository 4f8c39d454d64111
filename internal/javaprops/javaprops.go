// Package javaprops reads Java .properties files exactly as
// java.util.Properties.load(Reader) does, from UTF-8 text: logical lines
// continued with a trailing backslash (after \n, \r or \r\n), comments
// starting with # or !, keys ended by the first unescaped '=', ':' or
// whitespace, the escapes \t \n \r \f and \uXXXX (surrogate pairs
// included), any other escaped character taken literally, and a trailing
// backslash at the end of the file dropped. ${...} is left alone: it
// belongs to config providers, not to the file format.
//
// The one difference from Java: a UTF-8 byte order mark at the start of
// the text is skipped (Java would make it part of the first key).
package javaprops

import (
	"bytes"
	"fmt"
	"os"
	"unicode/utf16"
)

// ParseError is a malformed \uXXXX escape, on the logical line starting at
// Line (counted from 1).
type ParseError struct {
	Line int
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d: malformed \\uxxxx encoding", e.Line)
}

// Load reads the properties of text. A key given twice keeps its last
// value, as in Java.
func Load(text []byte) (map[string]string, error) {
	text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
	// Java works on UTF-16 chars; so does the reader, so that \uXXXX
	// escapes of surrogate pairs combine as they do in Java.
	lr := lineReader{in: utf16.Encode([]rune(string(text))), line: 1}
	out := map[string]string{}
	for {
		line, start, ok := lr.readLine()
		if !ok {
			return out, nil
		}
		keyLen, valueStart := split(line)
		key, err := convert(line[:keyLen])
		if err != nil {
			return nil, &ParseError{Line: start}
		}
		value, err := convert(line[valueStart:])
		if err != nil {
			return nil, &ParseError{Line: start}
		}
		out[key] = value
	}
}

// LoadFile reads the properties file at path.
func LoadFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	props, err := Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return props, nil
}

func isBlank(c uint16) bool { return c == ' ' || c == '\t' || c == '\f' }

// split finds where the key of a logical line ends and its value starts,
// as Properties.load0 does.
func split(line []uint16) (keyLen, valueStart int) {
	limit := len(line)
	valueStart = limit
	hasSep, backslash := false, false
	for keyLen < limit {
		c := line[keyLen]
		if (c == '=' || c == ':') && !backslash {
			valueStart, hasSep = keyLen+1, true
			break
		}
		if isBlank(c) && !backslash {
			valueStart = keyLen + 1
			break
		}
		backslash = c == '\\' && !backslash
		keyLen++
	}
	for valueStart < limit {
		c := line[valueStart]
		if !isBlank(c) {
			if hasSep || c != '=' && c != ':' {
				break
			}
			hasSep = true
		}
		valueStart++
	}
	return keyLen, valueStart
}

// convert resolves the escapes of a key or value, as Properties.loadConvert.
func convert(in []uint16) (string, error) {
	if !containsBackslash(in) {
		return string(utf16.Decode(in)), nil
	}
	out := make([]uint16, 0, len(in))
	for i := 0; i < len(in); {
		c := in[i]
		i++
		if c != '\\' {
			out = append(out, c)
			continue
		}
		// readLine drops an unescaped backslash that ends a line, so one
		// always follows here.
		c = in[i]
		i++
		switch c {
		case 'u':
			if i+4 > len(in) {
				return "", fmt.Errorf("malformed \\uxxxx encoding")
			}
			var v uint16
			for _, h := range in[i : i+4] {
				switch {
				case h >= '0' && h <= '9':
					v = v<<4 + h - '0'
				case h >= 'a' && h <= 'f':
					v = v<<4 + 10 + h - 'a'
				case h >= 'A' && h <= 'F':
					v = v<<4 + 10 + h - 'A'
				default:
					return "", fmt.Errorf("malformed \\uxxxx encoding")
				}
			}
			i += 4
			c = v
		case 't':
			c = '\t'
		case 'r':
			c = '\r'
		case 'n':
			c = '\n'
		case 'f':
			c = '\f'
		}
		out = append(out, c)
	}
	return string(utf16.Decode(out)), nil
}

func containsBackslash(s []uint16) bool {
	for _, c := range s {
		if c == '\\' {
			return true
		}
	}
	return false
}

// lineReader splits text into logical lines as Properties.LineReader:
// blank lines and comments are skipped, leading whitespace is dropped, and
// a line ending in an odd number of backslashes continues on the next,
// without that line's leading whitespace.
type lineReader struct {
	in   []uint16
	off  int
	line int // the physical line at off, from 1
}

// readLine returns the next logical line and the physical line it starts
// on; ok is false at the end of the text.
func (r *lineReader) readLine() (out []uint16, start int, ok bool) {
	skipBlank, appendedLineBegin, backslash := true, false, false
	for {
		if r.off >= len(r.in) {
			if len(out) == 0 {
				return nil, 0, false
			}
			if backslash {
				out = out[:len(out)-1]
			}
			return out, start, true
		}
		c := r.in[r.off]
		r.off++
		if skipBlank {
			if isBlank(c) {
				continue
			}
			if !appendedLineBegin && (c == '\r' || c == '\n') {
				r.newline(c)
				continue
			}
			skipBlank, appendedLineBegin = false, false
		}
		if len(out) == 0 {
			start = r.line
			if c == '#' || c == '!' {
				for r.off < len(r.in) && r.in[r.off] != '\r' && r.in[r.off] != '\n' {
					r.off++
				}
				skipBlank = true
				continue
			}
		}
		if c != '\n' && c != '\r' {
			out = append(out, c)
			backslash = c == '\\' && !backslash
			continue
		}
		r.newline(c)
		if len(out) == 0 {
			skipBlank = true
			continue
		}
		if r.off >= len(r.in) {
			if backslash {
				out = out[:len(out)-1]
			}
			return out, start, true
		}
		if !backslash {
			return out, start, true
		}
		// A backslash at the end of the line joins the next line to it.
		out = out[:len(out)-1]
		skipBlank, appendedLineBegin, backslash = true, true, false
	}
}

// newline counts the line end c, which was just read; a \r followed by \n
// is one line end, and the \n is consumed with it.
func (r *lineReader) newline(c uint16) {
	r.line++
	if c == '\r' && r.off < len(r.in) && r.in[r.off] == '\n' {
		r.off++
	}
}
