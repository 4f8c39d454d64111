package api

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// JAASModule is one login module of an entry of a JAAS configuration file:
// `Class Flag key="value" ...;`.
type JAASModule struct {
	Class string
	// Flag is required, requisite, sufficient or optional (lower case).
	Flag    string
	Options map[string]string
}

// maxJAASFile bounds the JAAS configuration file read at start-up.
const maxJAASFile = 1 << 20

// ParseJAASFile parses the text of a JAAS configuration file, the syntax
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
// sluice does not have). Errors name the line; they never quote a value,
// which may be a password.
func ParseJAASFile(src string) (map[string][]JAASModule, error) {
	if len(src) > maxJAASFile {
		return nil, fmt.Errorf("the JAAS configuration is larger than %d bytes", maxJAASFile)
	}
	if !utf8.ValidString(src) {
		return nil, fmt.Errorf("the JAAS configuration is not UTF-8 text")
	}
	p := &jaasParser{lx: jaasLexer{src: strings.TrimPrefix(src, "\ufeff"), line: 1}}
	out := map[string][]JAASModule{}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		if tok.kind == tokEOF {
			return out, nil
		}
		if tok.kind != tokWord && tok.kind != tokString {
			return nil, p.unexpected(tok, "an entry name")
		}
		name := tok.text
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("line %d: the entry %s is given twice", tok.line, name)
		}
		if err := p.expect('{', "'{' after the entry name "+name); err != nil {
			return nil, err
		}
		modules := []JAASModule{}
		for {
			tok, err := p.next()
			if err != nil {
				return nil, err
			}
			if tok.is('}') {
				break
			}
			m, err := p.module(tok)
			if err != nil {
				return nil, fmt.Errorf("entry %s: %w", name, err)
			}
			modules = append(modules, m)
		}
		if err := p.expect(';', "';' after the closing '}' of the entry "+name); err != nil {
			return nil, err
		}
		out[name] = modules
	}
}

// module parses one login module whose class is tok, up to its ';'.
func (p *jaasParser) module(tok jaasToken) (JAASModule, error) {
	if tok.kind != tokWord && tok.kind != tokString {
		return JAASModule{}, p.unexpected(tok, "a login module class name")
	}
	m := JAASModule{Class: tok.text, Options: map[string]string{}}
	flag, err := p.next()
	if err != nil {
		return JAASModule{}, err
	}
	switch f := strings.ToLower(flag.text); {
	case flag.kind == tokWord && (f == "required" || f == "requisite" || f == "sufficient" || f == "optional"):
		m.Flag = f
	default:
		return JAASModule{}, p.unexpected(flag, "the control flag of "+m.Class+" (required, requisite, sufficient or optional)")
	}
	for {
		key, err := p.next()
		if err != nil {
			return JAASModule{}, err
		}
		if key.is(';') {
			return m, nil
		}
		if key.kind != tokWord && key.kind != tokString {
			return JAASModule{}, p.unexpected(key, "an option name or ';' ending the options of "+m.Class)
		}
		// The name is not quoted here: with a value's quotes missing, it
		// could be a part of a password.
		if err := p.expect('=', "'=' after an option name of "+m.Class); err != nil {
			return JAASModule{}, err
		}
		val, err := p.next()
		if err != nil {
			return JAASModule{}, err
		}
		if val.kind != tokWord && val.kind != tokString {
			return JAASModule{}, p.unexpected(val, "the value of the option "+key.text)
		}
		if strings.Contains(val.text, "${") {
			return JAASModule{}, fmt.Errorf("line %d: the value of the option %s has ${…}, a Java system property that sluice cannot expand; write the value itself", val.line, key.text)
		}
		m.Options[key.text] = val.text
	}
}

type jaasTokKind int

const (
	tokEOF jaasTokKind = iota
	tokWord
	tokString
	tokPunct
)

type jaasToken struct {
	kind jaasTokKind
	text string
	line int
}

func (t jaasToken) is(c byte) bool { return t.kind == tokPunct && t.text == string(c) }

type jaasParser struct{ lx jaasLexer }

func (p *jaasParser) next() (jaasToken, error) { return p.lx.next() }

func (p *jaasParser) expect(c byte, what string) error {
	tok, err := p.next()
	if err != nil {
		return err
	}
	if !tok.is(c) {
		return p.unexpected(tok, what)
	}
	return nil
}

// unexpected describes tok without quoting a word or a string (a value
// may be a secret).
func (p *jaasParser) unexpected(tok jaasToken, want string) error {
	var got string
	switch tok.kind {
	case tokEOF:
		got = "the end of the file"
	case tokWord:
		got = "a word"
	case tokString:
		got = "a quoted string"
	default:
		got = "'" + tok.text + "'"
	}
	return fmt.Errorf("line %d: expected %s, got %s", tok.line, want, got)
}

type jaasLexer struct {
	src  string
	pos  int
	line int
}

func isJAASWord(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '.' || r == '_' || r == '$' || r == '-' || r == '*' || r >= 0xa0
}

func (lx *jaasLexer) next() (jaasToken, error) {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == '\n':
			lx.line++
			lx.pos++
		case c <= ' ':
			lx.pos++
		case strings.HasPrefix(lx.src[lx.pos:], "//"):
			end := strings.IndexByte(lx.src[lx.pos:], '\n')
			if end < 0 {
				lx.pos = len(lx.src)
			} else {
				lx.pos += end
			}
		case strings.HasPrefix(lx.src[lx.pos:], "/*"):
			start := lx.line
			end := strings.Index(lx.src[lx.pos+2:], "*/")
			if end < 0 {
				return jaasToken{}, fmt.Errorf("line %d: comment /* is not closed", start)
			}
			body := lx.src[lx.pos : lx.pos+2+end+2]
			lx.line += strings.Count(body, "\n")
			lx.pos += len(body)
		case c == '"':
			return lx.quoted()
		case c == '{' || c == '}' || c == ';' || c == '=':
			lx.pos++
			return jaasToken{kind: tokPunct, text: string(c), line: lx.line}, nil
		default:
			r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
			if !isJAASWord(r) {
				return jaasToken{}, fmt.Errorf("line %d: unexpected character %q", lx.line, r)
			}
			start := lx.pos
			lx.pos += size
			for lx.pos < len(lx.src) {
				r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
				if !isJAASWord(r) {
					break
				}
				lx.pos += size
			}
			return jaasToken{kind: tokWord, text: lx.src[start:lx.pos], line: lx.line}, nil
		}
	}
	return jaasToken{kind: tokEOF, line: lx.line}, nil
}

// quoted reads a "…" string with Java's escapes. A string must end on its
// line.
func (lx *jaasLexer) quoted() (jaasToken, error) {
	line := lx.line
	lx.pos++ // the opening quote
	var b strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == '"':
			lx.pos++
			return jaasToken{kind: tokString, text: b.String(), line: line}, nil
		case c == '\n' || c == '\r':
			return jaasToken{}, fmt.Errorf("line %d: quoted string is not closed on its line", line)
		case c == '\\' && lx.pos+1 < len(lx.src):
			lx.pos++
			e := lx.src[lx.pos]
			switch e {
			case 'a':
				b.WriteByte(7)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'v':
				b.WriteByte('\v')
			case '\n', '\r':
				return jaasToken{}, fmt.Errorf("line %d: quoted string is not closed on its line", line)
			default:
				if e >= '0' && e <= '7' {
					// Up to three octal digits, at most \377, as Java's
					// StreamTokenizer reads them.
					v, n := int(e-'0'), 1
					for n < 3 && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] >= '0' && lx.src[lx.pos+1] <= '7' && v*8+int(lx.src[lx.pos+1]-'0') <= 0o377 {
						lx.pos++
						v = v*8 + int(lx.src[lx.pos]-'0')
						n++
					}
					b.WriteRune(rune(v))
					lx.pos++
					continue
				}
				r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
				b.WriteRune(r)
				lx.pos += size
				continue
			}
			lx.pos++
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
	return jaasToken{}, fmt.Errorf("line %d: quoted string is not closed", line)
}
