// Package jaas parses JAAS login configuration in its two syntaxes: Kafka's
// sasl.jaas.config line (ParseLine) and a JAAS configuration file
// (ParseFile). Both are login module entries, `Class Flag key=value ...;`,
// read by one parser over one lexer; what differs between the syntaxes is
// the lexer's and parser's settings (syntax). Errors never quote a value:
// it may be a password.
package jaas

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Module is one login module entry: `Class Flag key="value" ...;`.
type Module struct {
	// Class is the login module's class name.
	Class string
	// Flag is the control flag, lower case: required, requisite,
	// sufficient or optional.
	Flag    string
	Options map[string]string
}

// MaxFile bounds a JAAS configuration file.
const MaxFile = 1 << 20

// ParseLine parses a sasl.jaas.config value as Kafka does
// (org.apache.kafka.common.security.JaasConfig, which tokenizes it with
// java.io.StreamTokenizer): one or more entries of a login module class, a
// control flag and key=value options, each ended by a semicolon. Values are
// words (letters, digits, '.', '-', '_', '$', '{', '}') or quoted with "
// or ', where backslash escapes are Java's (\n, \t, \", octal...); an
// unquoted value starting with a digit is a number to Java and so refused,
// as Kafka refuses it. Comments (// and /* */) are skipped.
func ParseLine(s string) ([]Module, error) {
	p := &parser{src: s, line: 1, syntax: syntax{
		wordPunct: ".-_${}",
		quotes:    `"'`,
		numbers:   true,
		fail:      lineError,
	}}
	ms, err := p.modules(func(t token) bool { return t.kind == eof }, "")
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, errors.New("login module not specified in JAAS config")
	}
	return ms, nil
}

// ParseFile parses the text of a JAAS configuration file, the syntax
// Java's default javax.security.auth.login.Configuration reads (the file
// given by -Djava.security.auth.login.config):
//
//	Name {
//	    module.Class required key="value" other=word;
//	};
//
// into its entries by name. Comments are // to the end of the line and
// /* … */; names, classes, keys and unquoted values are words of letters,
// digits and . _ $ - *; a quoted value takes Java's escapes (\n, \t, \\,
// \", octal …). As in Java, an entry name given twice is an error, and so
// is ${…} in a value (Java would expand a system property there, which
// sluice does not have). Errors name the line.
func ParseFile(src string) (map[string][]Module, error) {
	if len(src) > MaxFile {
		return nil, fmt.Errorf("the JAAS configuration is larger than %d bytes", MaxFile)
	}
	if !utf8.ValidString(src) {
		return nil, fmt.Errorf("the JAAS configuration is not UTF-8 text")
	}
	p := &parser{src: strings.TrimPrefix(src, "\ufeff"), line: 1, syntax: syntax{
		wordPunct:      "._$-*",
		quotes:         `"`,
		strictQuotes:   true,
		strictComments: true,
		strictChars:    true,
		quotedClass:    true,
		noSysProps:     true,
		fail:           fileError,
	}}
	out := map[string][]Module{}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		if tok.kind == eof {
			return out, nil
		}
		if tok.kind != word && tok.kind != quoted {
			return nil, unexpected(tok, "an entry name")
		}
		name := tok.text
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("line %d: the entry %s is given twice", tok.line, name)
		}
		if err := p.expect('{', "'{' after the entry name "+name); err != nil {
			return nil, err
		}
		ms, err := p.modules(func(t token) bool { return t.is('}') }, "entry "+name+": ")
		if err != nil {
			return nil, err
		}
		if err := p.expect(';', "';' after the closing '}' of the entry "+name); err != nil {
			return nil, err
		}
		out[name] = ms
	}
}

// syntax is what differs between the line and the file.
type syntax struct {
	// wordPunct are the characters of words besides ASCII letters and
	// digits and U+00A0 and above.
	wordPunct string
	// quotes are the characters that open and close a quoted string.
	quotes string
	// numbers: a token that starts with a digit, '.', or '-' and a digit
	// is a number (StreamTokenizer's), which no value may be.
	numbers bool
	// strictQuotes: a quoted string must close on its line; else it ends
	// at the line end or the end of input (a backslash keeps a line end
	// in it), as StreamTokenizer ends it.
	strictQuotes bool
	// strictComments: a /* comment must close, // runs to '\n', and a
	// lone '/' is no comment; else an open /* runs to the end, and a
	// lone '/' comments out the line, as // does, up to '\n' or '\r'.
	strictComments bool
	// strictChars: a character that is no word's, no quote and not one of
	// { } ; = is an error naming its line; else it is a token of its own.
	strictChars bool
	// quotedClass: a class name may be quoted.
	quotedClass bool
	// noSysProps: ${ in a value is an error.
	noSysProps bool
	// fail says what is wrong at tok (class and key as far as known).
	fail func(pr problem, tok token, class, key string) error
}

// problem is what the parser of a module found wrong.
type problem int

const (
	badClass  problem = iota // no class name where a module starts
	badFlag                  // no control flag, or not one of the four
	badOption                // neither an option name nor ';'
	noEquals                 // no '=' after an option name
	badValue                 // no word or quoted string after '='
	sysProp                  // ${ in a value, with noSysProps
)

// lineError is a problem of a sasl.jaas.config line, in Kafka's words.
func lineError(pr problem, tok token, class, key string) error {
	switch {
	case pr == badClass:
		return errors.New("JAAS config entry does not start with a login module class name")
	case pr == badFlag && tok.kind == eof:
		return errors.New("login module control flag not specified in JAAS config")
	case pr == badFlag:
		return errors.New("invalid login module control flag in JAAS config: expected required, requisite, sufficient or optional")
	case pr == badOption && tok.kind == eof:
		return errors.New("JAAS config entry not terminated by semi-colon")
	case pr == badOption:
		return errors.New("unexpected character in JAAS config options: quote values (key=\"value\") that hold characters other than letters, digits and . - _ $ { }")
	case pr == noEquals:
		// Kafka names the key here, but without '=' the "key" may be the
		// second word of an unquoted value with a space in it (a password).
		return fmt.Errorf("an option of %s in JAAS config has no '=' after its name: options are key=\"value\", quoted when the value holds a space", class)
	case pr == badValue && tok.kind == number:
		return fmt.Errorf("value of key '%s' in JAAS config starts with a digit: quote it (key=\"...\")", key)
	default:
		return fmt.Errorf("value not specified for key '%s' in JAAS config", key)
	}
}

// fileError is a problem of a JAAS file, naming its line.
func fileError(pr problem, tok token, class, key string) error {
	switch pr {
	case badClass:
		return unexpected(tok, "a login module class name")
	case badFlag:
		return unexpected(tok, "the control flag of "+class+" (required, requisite, sufficient or optional)")
	case badOption:
		return unexpected(tok, "an option name or ';' ending the options of "+class)
	case noEquals:
		// The name is not quoted here: with a value's quotes missing, it
		// could be a part of a password.
		return unexpected(tok, "'=' after an option name of "+class)
	case badValue:
		return unexpected(tok, "the value of the option "+key)
	default:
		return fmt.Errorf("line %d: the value of the option %s has ${…}, a Java system property that sluice cannot expand; write the value itself", tok.line, key)
	}
}

// unexpected describes tok without quoting a word or a string.
func unexpected(tok token, want string) error {
	var got string
	switch tok.kind {
	case eof:
		got = "the end of the file"
	case word:
		got = "a word"
	case quoted:
		got = "a quoted string"
	default:
		got = "'" + tok.text + "'"
	}
	return fmt.Errorf("line %d: expected %s, got %s", tok.line, want, got)
}

type parser struct {
	syntax
	src  string
	pos  int
	line int
}

func (p *parser) expect(c byte, what string) error {
	tok, err := p.next()
	if err != nil {
		return err
	}
	if !tok.is(c) {
		return unexpected(tok, what)
	}
	return nil
}

// modules parses login modules up to the token end accepts. The errors of
// a module start with prefix.
func (p *parser) modules(end func(token) bool, prefix string) ([]Module, error) {
	ms := []Module{}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		if end(tok) {
			return ms, nil
		}
		m, err := p.module(tok)
		if err != nil {
			return nil, fmt.Errorf("%s%w", prefix, err)
		}
		ms = append(ms, m)
	}
}

// module parses one login module whose class is tok, up to its ';'.
func (p *parser) module(tok token) (Module, error) {
	if tok.kind != word && (tok.kind != quoted || !p.quotedClass) {
		return Module{}, p.fail(badClass, tok, "", "")
	}
	m := Module{Class: tok.text, Options: map[string]string{}}
	flag, err := p.next()
	if err != nil {
		return Module{}, err
	}
	switch f := strings.ToLower(flag.text); {
	case flag.kind == word && (f == "required" || f == "requisite" || f == "sufficient" || f == "optional"):
		m.Flag = f
	default:
		return Module{}, p.fail(badFlag, flag, m.Class, "")
	}
	for {
		key, err := p.next()
		if err != nil {
			return Module{}, err
		}
		if key.is(';') {
			return m, nil
		}
		if key.kind != word && key.kind != quoted {
			return Module{}, p.fail(badOption, key, m.Class, "")
		}
		eq, err := p.next()
		if err != nil {
			return Module{}, err
		}
		if !eq.is('=') {
			return Module{}, p.fail(noEquals, eq, m.Class, key.text)
		}
		val, err := p.next()
		if err != nil {
			return Module{}, err
		}
		if val.kind != word && val.kind != quoted {
			return Module{}, p.fail(badValue, val, m.Class, key.text)
		}
		if p.noSysProps && strings.Contains(val.text, "${") {
			return Module{}, p.fail(sysProp, val, m.Class, key.text)
		}
		m.Options[key.text] = val.text
	}
}

type kind int

const (
	eof kind = iota
	word
	quoted
	number
	punct // one character
)

type token struct {
	kind kind
	text string
	line int
}

func (t token) is(c byte) bool { return t.kind == punct && t.text == string(c) }

func (p *parser) peek() (rune, int) {
	if p.pos >= len(p.src) {
		return -1, 0
	}
	return utf8.DecodeRuneInString(p.src[p.pos:])
}

func (p *parser) isWord(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r >= 0xa0 ||
		strings.ContainsRune(p.wordPunct, r)
}

func (p *parser) next() (token, error) {
	for {
		r, n := p.peek()
		rest := p.src[p.pos:]
		switch {
		case r < 0:
			return token{kind: eof, line: p.line}, nil
		case r <= ' ':
			if r == '\n' {
				p.line++
			}
			p.pos += n
		case strings.HasPrefix(rest, "/*"):
			n = len(rest)
			if end := strings.Index(rest[2:], "*/"); end >= 0 {
				n = end + 4
			} else if p.strictComments {
				return token{}, fmt.Errorf("line %d: comment /* is not closed", p.line)
			}
			p.line += strings.Count(rest[:n], "\n")
			p.pos += n
		case strings.HasPrefix(rest, "//") || r == '/' && !p.strictComments:
			ends := "\n\r"
			if p.strictComments {
				ends = "\n"
			}
			if end := strings.IndexAny(rest, ends); end >= 0 {
				p.pos += end
			} else {
				p.pos = len(p.src)
			}
		case strings.ContainsRune(p.quotes, r):
			p.pos += n
			return p.quoted(r)
		case p.numbers && (r >= '0' && r <= '9' || r == '.' || r == '-' && p.numberFollows()):
			return p.number(), nil
		case p.isWord(r):
			start := p.pos
			for p.isWord(r) {
				p.pos += n
				r, n = p.peek()
			}
			return token{kind: word, text: p.src[start:p.pos], line: p.line}, nil
		case p.strictChars && !strings.ContainsRune("{};=", r):
			return token{}, fmt.Errorf("line %d: unexpected character %q", p.line, r)
		default:
			p.pos += n
			return token{kind: punct, text: string(r), line: p.line}, nil
		}
	}
}

// numberFollows reports whether the '-' at p.pos starts a number.
func (p *parser) numberFollows() bool {
	if p.pos+1 >= len(p.src) {
		return false
	}
	c := p.src[p.pos+1]
	return c == '.' || c >= '0' && c <= '9'
}

func (p *parser) number() token {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	dot := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '.' && !dot {
			dot = true
		} else if c < '0' || c > '9' {
			break
		}
		p.pos++
	}
	return token{kind: number, text: p.src[start:p.pos], line: p.line}
}

// quoted reads a string quoted with q, whose opening quote is read,
// resolving Java's escapes.
func (p *parser) quoted(q rune) (token, error) {
	line := p.line
	var b strings.Builder
	for {
		r, n := p.peek()
		if r < 0 || r == '\n' || r == '\r' {
			return p.unclosed(b.String(), line, r)
		}
		p.pos += n
		if r == q {
			return token{kind: quoted, text: b.String(), line: line}, nil
		}
		if r != '\\' {
			b.WriteRune(r)
			continue
		}
		c, m := p.peek()
		if c < 0 || (c == '\n' || c == '\r') && p.strictQuotes {
			return p.unclosed(b.String(), line, c)
		}
		p.pos += m
		if c >= '0' && c <= '7' {
			// Up to three octal digits, at most \377, as Java reads them.
			v, digits := c-'0', 1
			for digits < 3 && p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '7' && (digits < 2 || c <= '3') {
				v = v<<3 + rune(p.src[p.pos]-'0')
				p.pos++
				digits++
			}
			b.WriteRune(v)
		} else if i := strings.IndexRune("abfnrtv", c); i >= 0 {
			b.WriteByte("\a\b\f\n\r\t\v"[i])
		} else {
			b.WriteRune(c)
		}
	}
}

// unclosed ends a quoted string at r, a line end or the end of input (-1).
func (p *parser) unclosed(text string, line int, r rune) (token, error) {
	switch {
	case !p.strictQuotes:
		return token{kind: quoted, text: text, line: line}, nil
	case r < 0:
		return token{}, fmt.Errorf("line %d: quoted string is not closed", line)
	default:
		return token{}, fmt.Errorf("line %d: quoted string is not closed on its line", line)
	}
}
