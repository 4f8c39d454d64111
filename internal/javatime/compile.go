package javatime

import (
	"fmt"
	"strings"
	"time"
)

// patternLetters are the letters SimpleDateFormat gives a meaning.
const patternLetters = "GyMdkHmsSEDFwWahKzZYuXL"

// Format is a compiled SimpleDateFormat pattern.
type Format struct {
	pattern string
	tokens  []token
	// need says which calendar values Format must compute.
	need need
	// sizeHint is a guess at the length of a formatted time.
	sizeHint int
	// twoDigitStart begins the 100-year window two-digit years fall in.
	twoDigitStart time.Time
}

// token is a run of one pattern letter or a piece of literal text.
type token struct {
	// letter is the pattern letter, 0 for literal text.
	letter byte
	// count is how many times the letter repeats.
	count int
	// text is the literal text.
	text string
	// obeyCount makes Parse read at most count characters of a number,
	// because the next token is a numeric field that abuts this one.
	obeyCount bool
}

// need is a set of calendar values.
type need uint8

const (
	needDate need = 1 << iota // year, month, day
	needClock
	needYearDay
	needWeekday
	needZone
)

// PatternError reports a pattern that is not a valid SimpleDateFormat
// pattern.
type PatternError struct {
	Pattern string
	// Reason is Java's message, e.g. "Illegal pattern character 'x'".
	Reason string
}

// Error returns the reason and the pattern.
func (e *PatternError) Error() string {
	return fmt.Sprintf("%s in date pattern %q", e.Reason, e.Pattern)
}

// Compile parses a SimpleDateFormat pattern.
func Compile(pattern string) (*Format, error) {
	f := &Format{pattern: pattern, twoDigitStart: time.Now().AddDate(-80, 0, 0)}
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			f.tokens = append(f.tokens, token{text: string(lit)})
			lit = lit[:0]
		}
	}
	inQuote := false
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			// Two quotes are one quote, in quoted text or not.
			if i+1 < len(pattern) && pattern[i+1] == '\'' {
				lit = append(lit, '\'')
				i += 2
				continue
			}
			inQuote = !inQuote
			i++
		case inQuote || !isASCIILetter(c):
			// Bytes of multi-byte characters are never ASCII letters, so
			// non-ASCII text is copied whole.
			lit = append(lit, c)
			i++
		default:
			if strings.IndexByte(patternLetters, c) < 0 {
				return nil, &PatternError{Pattern: pattern, Reason: fmt.Sprintf("Illegal pattern character '%c'", c)}
			}
			n := 1
			for i+n < len(pattern) && pattern[i+n] == c {
				n++
			}
			if c == 'X' && n > 3 {
				return nil, &PatternError{Pattern: pattern, Reason: fmt.Sprintf("invalid ISO 8601 format: length=%d", n)}
			}
			flush()
			f.tokens = append(f.tokens, token{letter: c, count: n})
			i += n
		}
	}
	if inQuote {
		return nil, &PatternError{Pattern: pattern, Reason: "Unterminated quote"}
	}
	flush()

	for i := range f.tokens {
		tk := &f.tokens[i]
		if tk.letter != 0 && i+1 < len(f.tokens) {
			tk.obeyCount = numericAbutting(f.tokens[i+1])
		}
		f.need |= needs(tk.letter)
		switch {
		case tk.letter == 0:
			f.sizeHint += len(tk.text)
		case tk.count < 4:
			f.sizeHint += 4
		default:
			f.sizeHint += tk.count + 5
		}
	}
	return f, nil
}

// MustCompile is Compile for patterns known to be valid; it panics on an
// error.
func MustCompile(pattern string) *Format {
	f, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return f
}

// Pattern returns the pattern f was compiled from.
func (f *Format) Pattern() string { return f.pattern }

// String returns the pattern.
func (f *Format) String() string { return f.pattern }

// WithTwoDigitYearStart returns a copy of f that parses two-digit years
// into the 100 years that begin at start (Java's set2DigitYearStart). A
// Format from Compile uses the time of compilation minus 80 years.
func (f *Format) WithTwoDigitYearStart(start time.Time) *Format {
	c := *f
	c.twoDigitStart = start
	return &c
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// numericAbutting reports whether tk is a numeric field, which makes the
// numeric field before it take exactly its count of digits (Java's
// shouldObeyCount).
func numericAbutting(tk token) bool {
	switch tk.letter {
	case 'M', 'L':
		return tk.count <= 2
	case 'y', 'd', 'k', 'H', 'm', 's', 'S', 'D', 'F', 'w', 'W', 'h', 'K', 'Y', 'u':
		return true
	}
	return false
}

// needs returns the calendar values Format computes for a letter.
func needs(letter byte) need {
	switch letter {
	case 'G', 'y', 'M', 'L', 'd', 'F':
		return needDate
	case 'D':
		return needYearDay
	case 'w', 'W', 'Y':
		return needDate | needYearDay | needWeekday
	case 'E', 'u':
		return needWeekday
	case 'H', 'k', 'K', 'h', 'm', 's', 'a':
		return needClock
	case 'z', 'Z', 'X':
		return needZone
	}
	return 0
}
