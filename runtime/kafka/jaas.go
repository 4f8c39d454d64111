package kafka

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// JAASEntry is one login module entry of a JAAS configuration line, as
// Kafka's sasl.jaas.config holds it:
//
//	org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="secret";
type JAASEntry struct {
	// LoginModule is the login module's class name.
	LoginModule string
	// Flag is the control flag, lower case: required, requisite,
	// sufficient or optional.
	Flag string
	// Options are the entry's key=value options.
	Options map[string]string
}

// ParseJAASConfig parses a sasl.jaas.config value as Kafka does
// (org.apache.kafka.common.security.JaasConfig, which tokenizes it with
// java.io.StreamTokenizer): one or more entries of a login module class, a
// control flag and key=value options, each ended by a semicolon. Values are
// words (letters, digits, '.', '-', '_', '$', '{', '}') or quoted with "
// or ', where backslash escapes are Java's (\n, \t, \", octal...); an
// unquoted value starting with a digit is a number to Java and so refused,
// as Kafka refuses it. Comments (// and /* */) are skipped. Errors never
// quote the line: it holds secrets.
func ParseJAASConfig(s string) ([]JAASEntry, error) {
	t := &jaasTokenizer{s: s}
	var entries []JAASEntry
	for {
		tok := t.next()
		if tok.kind == tokEOF {
			break
		}
		e, err := parseJAASEntry(t, tok)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, errors.New("login module not specified in JAAS config")
	}
	return entries, nil
}

func parseJAASEntry(t *jaasTokenizer, first jaasToken) (JAASEntry, error) {
	if first.kind != tokWord {
		return JAASEntry{}, errors.New("JAAS config entry does not start with a login module class name")
	}
	e := JAASEntry{LoginModule: first.text, Options: map[string]string{}}
	flag := t.next()
	if flag.kind == tokEOF {
		return e, errors.New("login module control flag not specified in JAAS config")
	}
	switch f := strings.ToLower(flag.text); {
	case flag.kind == tokWord && (f == "required" || f == "requisite" || f == "sufficient" || f == "optional"):
		e.Flag = f
	default:
		return e, errors.New("invalid login module control flag in JAAS config: expected required, requisite, sufficient or optional")
	}
	for {
		key := t.next()
		if key.kind == tokEOF {
			return e, errors.New("JAAS config entry not terminated by semi-colon")
		}
		if key.kind == tokChar && key.text == ";" {
			return e, nil
		}
		if key.kind != tokWord && key.kind != tokQuoted {
			return e, errors.New("unexpected character in JAAS config options: quote values (key=\"value\") that hold characters other than letters, digits and . - _ $ { }")
		}
		if eq := t.next(); eq.kind != tokChar || eq.text != "=" {
			return e, fmt.Errorf("value not specified for key '%s' in JAAS config", key.text)
		}
		val := t.next()
		switch val.kind {
		case tokWord, tokQuoted:
		case tokNumber:
			return e, fmt.Errorf("value of key '%s' in JAAS config starts with a digit: quote it (key=\"...\")", key.text)
		default:
			return e, fmt.Errorf("value not specified for key '%s' in JAAS config", key.text)
		}
		e.Options[key.text] = val.text
	}
}

type jaasTokenKind int

const (
	tokEOF jaasTokenKind = iota
	tokWord
	tokQuoted
	tokNumber
	tokChar
)

type jaasToken struct {
	kind jaasTokenKind
	text string
}

// jaasTokenizer is java.io.StreamTokenizer as Kafka's JaasConfig sets it up:
// default syntax (letters and chars >= 160 are word chars, '0'-'9' '.' '-'
// numeric, ' and " quotes, '/' a comment char), slash-slash and slash-star
// comments, and '-', '_', '$', '{', '}' as word chars.
type jaasTokenizer struct {
	s   string
	pos int
}

func isJAASWhitespace(r rune) bool { return r <= ' ' }

func isJAASAlpha(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 160 ||
		r == '-' || r == '_' || r == '$' || r == '{' || r == '}'
}

func isJAASDigit(r rune) bool { return r >= '0' && r <= '9' || r == '.' || r == '-' }

func (t *jaasTokenizer) peek() (rune, int) {
	if t.pos >= len(t.s) {
		return -1, 0
	}
	r, n := utf8.DecodeRuneInString(t.s[t.pos:])
	return r, n
}

func (t *jaasTokenizer) next() jaasToken {
	for {
		r, n := t.peek()
		switch {
		case r < 0:
			return jaasToken{kind: tokEOF}
		case isJAASWhitespace(r):
			t.pos += n
			continue
		case r >= '0' && r <= '9' || r == '.' || r == '-' && t.numberFollows(n):
			return t.number()
		case isJAASAlpha(r):
			start := t.pos
			for {
				r, n := t.peek()
				if r < 0 || !(isJAASAlpha(r) || isJAASDigit(r)) {
					break
				}
				t.pos += n
			}
			return jaasToken{kind: tokWord, text: t.s[start:t.pos]}
		case r == '"' || r == '\'':
			t.pos += n
			return t.quoted(r)
		case r == '/':
			t.pos += n
			c, m := t.peek()
			switch c {
			case '*':
				t.pos += m
				if end := strings.Index(t.s[t.pos:], "*/"); end >= 0 {
					t.pos += end + 2
				} else {
					t.pos = len(t.s)
				}
			default: // "//" or '/' alone: both comment out the rest of the line
				t.skipLine()
			}
			continue
		default:
			t.pos += n
			return jaasToken{kind: tokChar, text: string(r)}
		}
	}
}

// numberFollows reports whether the '-' at t.pos (n bytes) starts a number.
func (t *jaasTokenizer) numberFollows(n int) bool {
	if t.pos+n >= len(t.s) {
		return false
	}
	c := t.s[t.pos+n]
	return c == '.' || c >= '0' && c <= '9'
}

func (t *jaasTokenizer) number() jaasToken {
	start := t.pos
	if t.s[t.pos] == '-' {
		t.pos++
	}
	dot := false
	for t.pos < len(t.s) {
		c := t.s[t.pos]
		if c == '.' && !dot {
			dot = true
		} else if c < '0' || c > '9' {
			break
		}
		t.pos++
	}
	return jaasToken{kind: tokNumber, text: t.s[start:t.pos]}
}

func (t *jaasTokenizer) skipLine() {
	for t.pos < len(t.s) && t.s[t.pos] != '\n' && t.s[t.pos] != '\r' {
		t.pos++
	}
}

// quoted reads a quoted string up to its closing quote, a line end or the
// end of input (StreamTokenizer ends an unterminated quote there too),
// resolving Java's escapes.
func (t *jaasTokenizer) quoted(q rune) jaasToken {
	var b strings.Builder
	for {
		r, n := t.peek()
		if r < 0 || r == '\n' || r == '\r' {
			return jaasToken{kind: tokQuoted, text: b.String()}
		}
		t.pos += n
		if r == q {
			return jaasToken{kind: tokQuoted, text: b.String()}
		}
		if r != '\\' {
			b.WriteRune(r)
			continue
		}
		c, m := t.peek()
		if c < 0 {
			return jaasToken{kind: tokQuoted, text: b.String()}
		}
		t.pos += m
		switch {
		case c >= '0' && c <= '7':
			v, digits := c-'0', 1
			for digits < 3 && t.pos < len(t.s) && t.s[t.pos] >= '0' && t.s[t.pos] <= '7' && (digits < 2 || c <= '3') {
				v = v<<3 + rune(t.s[t.pos]-'0')
				t.pos++
				digits++
			}
			b.WriteRune(v)
		case c == 'a':
			b.WriteByte(7)
		case c == 'b':
			b.WriteByte('\b')
		case c == 'f':
			b.WriteByte('\f')
		case c == 'n':
			b.WriteByte('\n')
		case c == 'r':
			b.WriteByte('\r')
		case c == 't':
			b.WriteByte('\t')
		case c == 'v':
			b.WriteByte('\v')
		default:
			b.WriteRune(c)
		}
	}
}
