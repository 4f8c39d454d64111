package json

import (
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits that protect the converter from hostile input, matching Jackson's
// StreamReadConstraints defaults.
const (
	maxDepth        = 1000
	maxNumberLength = 1000
)

type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// String names the kind as Jackson's JsonNodeType does, for error messages.
func (k kind) String() string {
	return [...]string{"NULL", "BOOLEAN", "NUMBER", "STRING", "ARRAY", "OBJECT"}[k]
}

// node is one parsed JSON value. Numbers keep their literal text so that
// integers and decimals are read without loss.
type node struct {
	kind  kind
	b     bool
	str   string // string value or number literal
	elems []node // array elements, or object member values
	keys  []string
	start int // byte span of the value in the input
	end   int
	known bool // a "schema" member matched the parser's knownSchema
}

// get returns the value of the object member called key (the last one, if
// repeated, as Jackson does), or nil.
func (n *node) get(key string) *node {
	for i := len(n.keys) - 1; i >= 0; i-- {
		if n.keys[i] == key {
			return &n.elems[i]
		}
	}
	return nil
}

// describe names the value for error messages: its kind, or its literal
// for a number.
func (n *node) describe() string {
	if n.kind == kindNumber {
		return "NUMBER " + n.str
	}
	return n.kind.String()
}

// integral reports whether a number literal has neither fraction nor
// exponent, which Jackson reads as an integer.
func (n *node) integral() bool {
	for i := 0; i < len(n.str); i++ {
		switch n.str[i] {
		case '.', 'e', 'E':
			return false
		}
	}
	return true
}

// syntaxError is a JSON syntax error at a byte offset.
type syntaxError struct {
	msg    string
	offset int
}

// Error returns the message with its offset.
func (e *syntaxError) Error() string {
	return e.msg + " at offset " + strconv.Itoa(e.offset)
}

// parser is a strict RFC 8259 parser (plus Jackson's leading zeros in
// numbers, which Kafka Connect enables) that builds a node tree.
type parser struct {
	s     string
	pos   int
	depth int
	// skipSchema makes the parser only check, not build, the value of a
	// top-level "schema" member: the converter caches schemas by their text.
	skipSchema bool
	// knownSchema is the text of the schema seen last: when the "schema"
	// member starts with it, it is that object (objects are
	// self-delimiting) and need not be scanned at all.
	knownSchema string
	// elems and keys are scratch stacks for the members of the objects and
	// arrays being parsed, so that each gets one exact-size allocation.
	elems []node
	keys  []string
}

// parseJSON parses one JSON value that fills src (surrounding whitespace
// allowed). ok is false when src holds only whitespace. With skipSchema, a
// top-level object's "schema" member is syntax-checked and given its kind
// and span, but not built.
func parseJSON(src string, skipSchema bool, knownSchema string) (n node, ok bool, err error) {
	p := parsers.Get().(*parser)
	defer p.release()
	p.s, p.pos, p.depth, p.skipSchema, p.knownSchema = src, 0, 0, skipSchema, knownSchema
	p.skipSpace()
	if p.pos == len(p.s) {
		return node{}, false, nil
	}
	n, err = p.value()
	if err != nil {
		return node{}, false, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return node{}, false, p.errorf("unexpected content after the JSON value")
	}
	return n, true, nil
}

// parsers recycles parsers for their scratch stacks.
var parsers = sync.Pool{New: func() any { return new(parser) }}

// release clears what the parser still references and returns it to the
// pool.
func (p *parser) release() {
	clear(p.elems[:cap(p.elems)])
	clear(p.keys[:cap(p.keys)])
	p.elems, p.keys, p.s, p.knownSchema = p.elems[:0], p.keys[:0], "", ""
	parsers.Put(p)
}

func (p *parser) errorf(msg string) error {
	return &syntaxError{msg: msg, offset: p.pos}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() (node, error) {
	var n node
	if p.pos >= len(p.s) {
		return n, p.errorf("unexpected end of input")
	}
	n.start = p.pos
	var err error
	switch c := p.s[p.pos]; {
	case c == '{':
		err = p.object(&n)
	case c == '[':
		err = p.array(&n)
	case c == '"':
		n.kind = kindString
		n.str, err = p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		n.kind = kindNumber
		n.str, err = p.number()
	case c == 't':
		n.kind, n.b = kindBool, true
		err = p.literal("true")
	case c == 'f':
		n.kind = kindBool
		err = p.literal("false")
	case c == 'n':
		n.kind = kindNull
		err = p.literal("null")
	default:
		err = p.errorf("unexpected character " + strconv.QuoteRune(rune(c)))
	}
	n.end = p.pos
	return n, err
}

func (p *parser) literal(lit string) error {
	if len(p.s)-p.pos < len(lit) || p.s[p.pos:p.pos+len(lit)] != lit {
		return p.errorf("invalid literal, expected " + lit)
	}
	p.pos += len(lit)
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("JSON nested deeper than " + strconv.Itoa(maxDepth) + " levels")
	}
	return nil
}

func (p *parser) object(n *node) error {
	n.kind = kindObject
	if err := p.enter(); err != nil {
		return err
	}
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '}' {
		p.pos++
		p.depth--
		return nil
	}
	base, keyBase := len(p.elems), len(p.keys)
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != '"' {
			return p.errorf("expected a field name")
		}
		key, err := p.string()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return p.errorf("expected ':' after a field name")
		}
		p.pos++
		p.skipSpace()
		var child node
		switch {
		case p.skipSchema && p.depth == 1 && key == "schema" && p.knownSchema != "" &&
			len(p.s)-p.pos >= len(p.knownSchema) && p.s[p.pos:p.pos+len(p.knownSchema)] == p.knownSchema:
			child = node{kind: kindObject, start: p.pos, end: p.pos + len(p.knownSchema), known: true}
			p.pos = child.end
		case p.skipSchema && p.depth == 1 && key == "schema":
			child, err = p.skipped()
		default:
			child, err = p.value()
		}
		if err != nil {
			return err
		}
		p.elems = append(p.elems, child)
		p.keys = append(p.keys, key)
		p.skipSpace()
		if p.pos >= len(p.s) {
			return p.errorf("unexpected end of input in an object")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			n.elems = append([]node(nil), p.elems[base:]...)
			n.keys = append([]string(nil), p.keys[keyBase:]...)
			p.elems, p.keys = p.elems[:base], p.keys[:keyBase]
			return nil
		default:
			return p.errorf("expected ',' or '}' in an object")
		}
	}
}

func (p *parser) array(n *node) error {
	n.kind = kindArray
	if err := p.enter(); err != nil {
		return err
	}
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		p.depth--
		n.elems = []node{}
		return nil
	}
	base := len(p.elems)
	for {
		p.skipSpace()
		child, err := p.value()
		if err != nil {
			return err
		}
		p.elems = append(p.elems, child)
		p.skipSpace()
		if p.pos >= len(p.s) {
			return p.errorf("unexpected end of input in an array")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			n.elems = append([]node(nil), p.elems[base:]...)
			p.elems = p.elems[:base]
			return nil
		default:
			return p.errorf("expected ',' or ']' in an array")
		}
	}
}

// skipped checks the syntax of one value without building it, returning
// only its kind and span.
func (p *parser) skipped() (node, error) {
	var n node
	if p.pos < len(p.s) {
		switch p.s[p.pos] {
		case '{':
			n.kind = kindObject
		case '[':
			n.kind = kindArray
		default:
			return p.value()
		}
	}
	n.start = p.pos
	err := p.skip()
	n.end = p.pos
	return n, err
}

// skip checks the syntax of one value without building it.
func (p *parser) skip() error {
	if p.pos >= len(p.s) {
		return p.errorf("unexpected end of input")
	}
	c := p.s[p.pos]
	if c != '{' && c != '[' {
		_, err := p.value()
		return err
	}
	closer := byte(']')
	if c == '{' {
		closer = '}'
	}
	if err := p.enter(); err != nil {
		return err
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == closer {
		p.pos++
		p.depth--
		return nil
	}
	for {
		p.skipSpace()
		if c == '{' {
			if p.pos >= len(p.s) || p.s[p.pos] != '"' {
				return p.errorf("expected a field name")
			}
			if _, err := p.string(); err != nil {
				return err
			}
			p.skipSpace()
			if p.pos >= len(p.s) || p.s[p.pos] != ':' {
				return p.errorf("expected ':' after a field name")
			}
			p.pos++
			p.skipSpace()
		}
		if err := p.skip(); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.s) {
			return p.errorf("unexpected end of input")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
		case closer:
			p.pos++
			p.depth--
			return nil
		default:
			return p.errorf("expected ',' or '" + string(closer) + "'")
		}
	}
}

func (p *parser) number() (string, error) {
	start := p.pos
	if p.s[p.pos] == '-' {
		p.pos++
	}
	if p.digits() == 0 {
		return "", p.errorf("invalid number: expected a digit")
	}
	if p.pos < len(p.s) && p.s[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return "", p.errorf("invalid number: expected a digit after '.'")
		}
	}
	if p.pos < len(p.s) && (p.s[p.pos] == 'e' || p.s[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.s) && (p.s[p.pos] == '+' || p.s[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return "", p.errorf("invalid number: expected a digit in the exponent")
		}
	}
	if p.pos-start > maxNumberLength {
		return "", p.errorf("number longer than " + strconv.Itoa(maxNumberLength) + " characters")
	}
	return p.s[start:p.pos], nil
}

func (p *parser) digits() int {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}

// plainChar marks the bytes a string can hold without further checks:
// ASCII other than controls, '"' and '\\'.
var plainChar = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// string parses a quoted string; without escapes it returns a substring of
// the input.
func (p *parser) string() (string, error) {
	p.pos++ // "
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if plainChar[c] {
			p.pos++
			continue
		}
		switch {
		case c == '"':
			s := p.s[start:p.pos]
			p.pos++
			return s, nil
		case c == '\\':
			return p.escapedString(start)
		case c < 0x20:
			return "", p.errorf("unescaped control character in a string")
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errorf("invalid UTF-8 in a string")
			}
			p.pos += size
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) escapedString(start int) (string, error) {
	buf := []byte(p.s[start:p.pos])
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c == '\\':
			if p.pos+1 >= len(p.s) {
				return "", p.errorf("unterminated string")
			}
			e := p.s[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 || p.pos+1 >= len(p.s) || p.s[p.pos] != '\\' || p.s[p.pos+1] != 'u' {
						return "", p.errorf("unpaired UTF-16 surrogate in a \\u escape")
					}
					p.pos += 2
					r2, err := p.hex4()
					if err != nil {
						return "", err
					}
					if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
						return "", p.errorf("unpaired UTF-16 surrogate in a \\u escape")
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errorf("invalid escape \\" + string(rune(e)))
			}
		case c < 0x20:
			return "", p.errorf("unescaped control character in a string")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errorf("invalid UTF-8 in a string")
			}
			buf = append(buf, p.s[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.s) {
		return 0, p.errorf("truncated \\u escape")
	}
	v, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.pos += 4
	return rune(v), nil
}
