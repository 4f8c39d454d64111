package transforms

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/config"
)

// Kafka Connect's RegexRouter and TopicNameMatches take java.util.regex
// patterns. sluice runs them on Go's regexp (RE2, linear time), after
// translating the Java spellings RE2 lacks (\uXXXX, \0oct, \e, \cX,
// \p{Alpha}, \p{IsLatin}). Constructs RE2 cannot run (lookaround,
// backreferences, possessive quantifiers, atomic groups, class union and
// intersection) are config errors, never silently read another way: Go
// would take "\12" as an octal escape and "[a[b]]" as a literal "]".
//
// Within topic names (ASCII letters, digits, '.', '_', '-') the result
// matches what Java matches. Outside them some corners differ: Go's (?i)
// folds Unicode case (Java's folds ASCII only unless (?u)), and Go's '.',
// '$' and \s know only '\n' as a line end and no \x0B.

// javaRegex is a Java regular expression compiled with Go's regexp.
type javaRegex struct {
	// find is the pattern as Matcher.find and replaceFirst use it.
	find *regexp.Regexp
	// whole matches only the entire input, as Matcher.matches.
	whole *regexp.Regexp
}

// compileJavaRegex translates and compiles a Java regular expression. The
// error says what is wrong with the pattern; regexValidator prefixes it with
// "Invalid regex: " as Kafka Connect's RegexValidator does.
func compileJavaRegex(pattern string) (*javaRegex, error) {
	goPattern, err := translateJavaRegex(pattern)
	if err != nil {
		return nil, err
	}
	find, err := regexp.Compile(goPattern)
	if err != nil {
		return nil, goRegexError(err)
	}
	whole, err := regexp.Compile(`\A(?:` + goPattern + `)\z`)
	if err != nil {
		return nil, goRegexError(err)
	}
	return &javaRegex{find: find, whole: whole}, nil
}

// matches reports whether the whole of s matches.
func (j *javaRegex) matches(s string) bool { return j.whole.MatchString(s) }

// goRegexError drops the "error parsing regexp: " prefix of Go's messages.
func goRegexError(err error) error {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%s: `%s`", se.Code, se.Expr)
	}
	return err
}

// unsupportedRegexError is a Java construct that RE2 cannot run.
type unsupportedRegexError struct {
	construct string
	index     int
}

func (e *unsupportedRegexError) Error() string {
	return fmt.Sprintf("%s near index %d is not supported: sluice runs regular expressions on Go's RE2 engine, "+
		"which has no lookaround, backreferences, possessive quantifiers, atomic groups or nested character classes",
		e.construct, e.index)
}

func unsupported(construct string, index int) error {
	return &unsupportedRegexError{construct: construct, index: index}
}

// javaPosixClasses maps Java's \p{Name} POSIX classes (US-ASCII only, as in
// Java without UNICODE_CHARACTER_CLASS) to Go's equivalent [:name:] classes.
var javaPosixClasses = map[string]string{
	"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha",
	"Digit": "digit", "Alnum": "alnum", "Punct": "punct", "Graph": "graph",
	"Print": "print", "Blank": "blank", "Cntrl": "cntrl", "XDigit": "xdigit",
	"Space": "space",
}

// translateJavaRegex rewrites a java.util.regex pattern into Go's syntax.
func translateJavaRegex(p string) (string, error) {
	var b strings.Builder
	b.Grow(len(p))
	inClass := false
	classFirst := -1 // index of the first member of the open class: ']' there is literal
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\\' {
			n, err := translateEscape(&b, p, i, inClass)
			if err != nil {
				return "", err
			}
			i += n
			continue
		}
		if inClass {
			switch {
			case c == '[':
				return "", unsupported("nested character class or class union [", i)
			case c == '&' && i+1 < len(p) && p[i+1] == '&':
				return "", unsupported("character class intersection &&", i)
			case c == ']' && i != classFirst:
				inClass = false
			}
			b.WriteByte(c)
			i++
			continue
		}
		switch c {
		case '[':
			inClass = true
			b.WriteByte(c)
			i++
			if i < len(p) && p[i] == '^' {
				b.WriteByte('^')
				i++
			}
			classFirst = i
			continue
		case '(':
			n, err := translateGroupStart(&b, p, i)
			if err != nil {
				return "", err
			}
			i += n
			continue
		case '{':
			end := repetitionEnd(p, i)
			if end < 0 {
				return "", fmt.Errorf("Illegal repetition near index %d", i)
			}
			if end < len(p) && p[end] == '+' {
				return "", unsupported("possessive quantifier "+p[i:end+1], i)
			}
			b.WriteString(p[i:end])
			i = end
			continue
		case '*', '+', '?':
			if i+1 < len(p) && p[i+1] == '+' {
				return "", unsupported("possessive quantifier "+p[i:i+2], i)
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), nil
}

// repetitionEnd returns the index after a {n}, {n,} or {n,m} quantifier
// starting at p[i] == '{', or -1: unlike Go, Java takes no other '{' as a
// literal.
func repetitionEnd(p string, i int) int {
	j := i + 1
	digits := func() int {
		k := j
		for j < len(p) && p[j] >= '0' && p[j] <= '9' {
			j++
		}
		return j - k
	}
	if digits() == 0 {
		return -1
	}
	if j < len(p) && p[j] == ',' {
		j++
		digits()
	}
	if j < len(p) && p[j] == '}' {
		return j + 1
	}
	return -1
}

// translateGroupStart handles the '(' at p[i] and returns how many bytes it
// consumed.
func translateGroupStart(b *strings.Builder, p string, i int) (int, error) {
	rest := p[i+1:]
	if !strings.HasPrefix(rest, "?") {
		b.WriteByte('(')
		return 1, nil
	}
	rest = rest[1:]
	switch {
	case strings.HasPrefix(rest, "="):
		return 0, unsupported("lookahead (?=", i)
	case strings.HasPrefix(rest, "!"):
		return 0, unsupported("negative lookahead (?!", i)
	case strings.HasPrefix(rest, "<="):
		return 0, unsupported("lookbehind (?<=", i)
	case strings.HasPrefix(rest, "<!"):
		return 0, unsupported("negative lookbehind (?<!", i)
	case strings.HasPrefix(rest, ">"):
		return 0, unsupported("atomic group (?>", i)
	case strings.HasPrefix(rest, "<"):
		// A named group: Go reads (?<name>...) as Java does.
		b.WriteString("(?")
		return 2, nil
	}
	// Inline flags, (?idmsuxU-idmsuxU) or (?idmsux-idmsux:X).
	j := 0
	for j < len(rest) && (rest[j] == '-' || isASCIILetter(rest[j])) {
		j++
	}
	var flags strings.Builder
	for k := 0; k < j; k++ {
		switch f := rest[k]; f {
		case 'd', 'u':
			// UNIX_LINES: Go already knows only '\n' as a line end.
			// UNICODE_CASE: Go's case folding is already Unicode's.
		case 'x':
			return 0, unsupported("flag x (COMMENTS)", i)
		case 'U':
			// Go's U means ungreedy, Java's means Unicode classes.
			return 0, unsupported("flag U (UNICODE_CHARACTER_CLASS)", i)
		default:
			flags.WriteByte(f)
		}
	}
	f := strings.TrimSuffix(flags.String(), "-")
	if j < len(rest) && rest[j] == ')' && f == "" {
		return 2 + j + 1, nil // nothing left to set
	}
	b.WriteString("(?")
	b.WriteString(f)
	return 2 + j, nil
}

// translateEscape handles the backslash at p[i] and returns how many bytes
// it consumed.
func translateEscape(b *strings.Builder, p string, i int, inClass bool) (int, error) {
	if i+1 >= len(p) {
		b.WriteByte('\\') // Go reports the trailing backslash
		return 1, nil
	}
	c := p[i+1]
	switch {
	case c >= '1' && c <= '9':
		return 0, unsupported("backreference "+p[i:i+2], i)
	case c == 'k':
		return 0, unsupported(`named backreference \k`, i)
	case strings.IndexByte("GZRXhHvVN", c) >= 0:
		return 0, unsupported(`\`+string(c), i)
	case c == 'b' && i+2 < len(p) && p[i+2] == '{':
		return 0, unsupported(`\b{`, i)
	case c == '0':
		// Java's octal escape: \0n, \0nn or \0mnn (m <= 3).
		j, v := i+2, 0
		for j < len(p) && j < i+5 && p[j] >= '0' && p[j] <= '7' {
			if nv := v*8 + int(p[j]-'0'); nv <= 0o377 {
				v = nv
				j++
			} else {
				break
			}
		}
		if j == i+2 {
			return 0, fmt.Errorf("Illegal octal escape sequence near index %d", i)
		}
		fmt.Fprintf(b, `\x{%X}`, v)
		return j - i, nil
	case c == 'u':
		if i+6 > len(p) {
			return 0, fmt.Errorf("Illegal Unicode escape sequence near index %d", i)
		}
		v, err := strconv.ParseUint(p[i+2:i+6], 16, 32)
		if err != nil {
			return 0, fmt.Errorf("Illegal Unicode escape sequence near index %d", i)
		}
		fmt.Fprintf(b, `\x{%X}`, v)
		return 6, nil
	case c == 'x' && i+2 < len(p) && p[i+2] == '{':
		// \x{h...h}: copied whole, so that its braces are not read as a
		// repetition.
		end := strings.IndexByte(p[i:], '}')
		if end < 0 {
			end = len(p) - i - 1 // Go reports the missing brace
		}
		b.WriteString(p[i : i+end+1])
		return end + 1, nil
	case c == 'e':
		b.WriteString(`\x{1B}`)
		return 2, nil
	case c == 'c':
		if i+2 >= len(p) {
			return 0, fmt.Errorf("Illegal control escape sequence near index %d", i)
		}
		fmt.Fprintf(b, `\x{%X}`, p[i+2]^64)
		return 3, nil
	case c == 'Q':
		body := p[i+2:]
		end, n := strings.Index(body, `\E`), 0
		if end < 0 {
			end, n = len(body), 2+len(body)
		} else {
			n = 2 + end + 2
		}
		writeLiteral(b, body[:end], inClass)
		return n, nil
	case c == 'p' || c == 'P':
		return translateProperty(b, p, i, inClass)
	case c >= utf8.RuneSelf:
		// Java takes any escaped non-letter literally; Go rejects \é.
		_, size := utf8.DecodeRuneInString(p[i+1:])
		writeLiteral(b, p[i+1:i+1+size], inClass)
		return 1 + size, nil
	}
	b.WriteString(p[i : i+2])
	return 2, nil
}

// writeLiteral writes s so that it matches itself, inside or outside a
// character class.
func writeLiteral(b *strings.Builder, s string, inClass bool) {
	if !inClass {
		b.WriteString(regexp.QuoteMeta(s))
		return
	}
	for _, r := range s {
		if r < utf8.RuneSelf && !isASCIILetter(byte(r)) && !(r >= '0' && r <= '9') {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// translateProperty handles \p or \P at p[i]: Java's POSIX names become Go's
// ASCII classes, "Is", "gc=" and "sc=" prefixes are dropped (Go knows
// categories and scripts by their bare names), and blocks and java.lang.Character
// properties are not supported.
func translateProperty(b *strings.Builder, p string, i int, inClass bool) (int, error) {
	negate := p[i+1] == 'P'
	var name string
	n := 0
	switch {
	case i+2 >= len(p):
		b.WriteString(p[i:]) // Go reports it
		return len(p) - i, nil
	case p[i+2] == '{':
		end := strings.IndexByte(p[i+3:], '}')
		if end < 0 {
			b.WriteString(p[i:]) // Go reports the missing brace
			return len(p) - i, nil
		}
		name, n = p[i+3:i+3+end], 3+end+1
	default:
		name, n = p[i+2:i+3], 3
	}
	if posix, ok := javaPosixClasses[name]; ok {
		cls := "[:" + posix + ":]"
		if negate {
			cls = "[:^" + posix + ":]"
		}
		if !inClass {
			cls = "[" + cls + "]"
		}
		b.WriteString(cls)
		return n, nil
	}
	for _, prefix := range []string{"general_category=", "gc=", "script=", "sc=", "Is"} {
		if strings.HasPrefix(name, prefix) {
			name = name[len(prefix):]
			break
		}
	}
	if strings.HasPrefix(name, "In") || strings.HasPrefix(name, "block=") || strings.HasPrefix(name, "blk=") ||
		strings.HasPrefix(name, "java") {
		return 0, unsupported(p[i:i+n], i)
	}
	if negate {
		b.WriteString(`\P{`)
	} else {
		b.WriteString(`\p{`)
	}
	b.WriteString(name)
	b.WriteByte('}')
	return n, nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// javaReplacement turns a Matcher.replaceFirst replacement into a template
// for re's Expand, checking its group references against re now rather than
// for every record: "$n" takes as many digits as still name a group (so
// "$1x" and, with fewer than 12 groups, "$12" mean group 1 followed by
// text), "${name}" names a group, and a backslash makes the next character
// literal. The error texts are Java's.
func javaReplacement(repl string, re *regexp.Regexp) (string, error) {
	var b strings.Builder
	groups := re.NumSubexp()
	for i := 0; i < len(repl); {
		switch repl[i] {
		case '\\':
			i++
			if i == len(repl) {
				return "", errors.New("character to be escaped is missing")
			}
			_, size := utf8.DecodeRuneInString(repl[i:])
			if repl[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteString(repl[i : i+size])
			}
			i += size
		case '$':
			i++
			if i == len(repl) {
				return "", errors.New("Illegal group reference: group index is missing")
			}
			var ref int
			if repl[i] == '{' {
				j := i + 1
				for j < len(repl) && (isASCIILetter(repl[j]) || isASCIIDigit(repl[j])) {
					j++
				}
				name := repl[i+1 : j]
				switch {
				case name == "":
					return "", errors.New("named capturing group has 0 length name")
				case j == len(repl) || repl[j] != '}':
					return "", errors.New("named capturing group is missing trailing '}'")
				case isASCIIDigit(name[0]):
					return "", fmt.Errorf("capturing group name {%s} starts with digit character", name)
				}
				if ref = re.SubexpIndex(name); ref < 0 {
					return "", fmt.Errorf("No group with name {%s}", name)
				}
				i = j + 1
			} else {
				if !isASCIIDigit(repl[i]) {
					return "", errors.New("Illegal group reference")
				}
				ref = int(repl[i] - '0')
				i++
				if ref > groups {
					return "", fmt.Errorf("No group %d", ref)
				}
				for i < len(repl) && isASCIIDigit(repl[i]) {
					next := ref*10 + int(repl[i]-'0')
					if next > groups {
						break
					}
					ref = next
					i++
				}
			}
			b.WriteString("${")
			b.WriteString(strconv.Itoa(ref))
			b.WriteByte('}')
		default:
			b.WriteByte(repl[i])
			i++
		}
	}
	return b.String(), nil
}

// regexValidator accepts a Java regular expression that sluice can run:
// Kafka Connect's RegexValidator, with its "Invalid regex: " messages.
type regexValidator struct{}

// RegexValidator returns the validator of keys that hold a Java regular
// expression (Kafka Connect's RegexValidator), such as a sink's
// topics.regex.
func RegexValidator() config.Validator { return regexValidator{} }

func (regexValidator) Validate(name string, value any) error {
	s, _ := value.(string)
	if _, err := compileJavaRegex(s); err != nil {
		return errors.New("Invalid regex: " + err.Error())
	}
	return nil
}

func (regexValidator) String() string { return "valid regex" }

// CompileJavaRegexWhole translates and compiles a Java regular expression
// (as RegexRouter does) into a Go one that matches only a whole input, as
// Java's Matcher.matches does. The error says what is wrong with the
// pattern, without a prefix.
func CompileJavaRegexWhole(pattern string) (*regexp.Regexp, error) {
	j, err := compileJavaRegex(pattern)
	if err != nil {
		return nil, err
	}
	return j.whole, nil
}
