// Package regexgen generates random strings that match a regular
// expression, for the datagen connector's "regex" annotation.
//
// The expression is parsed by Go's regexp/syntax (RE2 syntax, Perl flags)
// and generation walks the parse tree. Generate aims at a length range, as
// avro-random-generator asks its regex engine to: repetitions and
// alternatives are chosen so that the result's length falls within
// [minLen, maxLen] when the expression allows it, and is as close as it can
// be otherwise (the expression always wins over the length).
//
// Choices where RE2 allows almost anything are narrowed to printable ASCII:
// "." and negated classes such as [^a] yield a character from U+0020 to
// U+007E when the class holds one. Anchors and word boundaries generate
// nothing. Unbounded repetitions (*, + and {n,}) repeat at most
// UnboundedExtra times more than their minimum, unless the length range
// needs more.
package regexgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"unicode"
)

// UnboundedExtra is how many repetitions beyond its minimum an unbounded
// repetition may add when the length range does not ask for more.
const UnboundedExtra = 16

// infinite stands for the length of an expression without a longest match.
const infinite = math.MaxInt32

// Generator generates strings matching one expression. It holds no state
// between calls, so one Generator may serve many goroutines, each with its
// own *rand.Rand.
type Generator struct {
	pattern string
	root    *node
}

// node is a parse tree node with the shortest and longest lengths (in
// runes) of the strings it matches.
type node struct {
	re       *syntax.Regexp
	min, max int // max is infinite for no bound
	subs     []*node
	class    []rune // for OpCharClass, OpAnyChar, OpAnyCharNotNL: the ranges to pick from
}

// Compile parses pattern. Constructs RE2 does not have (lookaround,
// backreferences, possessive quantifiers) are errors.
func Compile(pattern string) (*Generator, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	root, err := build(re)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", pattern, err)
	}
	return &Generator{pattern: pattern, root: root}, nil
}

// MustCompile is Compile that panics on an error, for fixed expressions.
func MustCompile(pattern string) *Generator {
	g, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return g
}

// String returns the expression.
func (g *Generator) String() string { return g.pattern }

// MinLen and MaxLen return the shortest and longest lengths of the strings
// the expression matches; MaxLen is -1 when there is no longest.
func (g *Generator) MinLen() int { return g.root.min }

// MaxLen returns the longest match length, -1 when unbounded.
func (g *Generator) MaxLen() int {
	if g.root.max == infinite {
		return -1
	}
	return g.root.max
}

// Generate returns a random string matching the expression, of a length
// within [minLen, maxLen] when the expression has one; a negative maxLen
// means no upper bound.
func (g *Generator) Generate(r *rand.Rand, minLen, maxLen int) string {
	if maxLen < 0 || maxLen > infinite {
		maxLen = infinite
	}
	minLen = max(minLen, 0)
	var b strings.Builder
	gen(&b, r, g.root, minLen, maxLen)
	return b.String()
}

// printable is the range "." and negated classes are narrowed to.
var printable = []rune{0x20, 0x7e}

func build(re *syntax.Regexp) (*node, error) {
	n := &node{re: re}
	for _, s := range re.Sub {
		c, err := build(s)
		if err != nil {
			return nil, err
		}
		n.subs = append(n.subs, c)
	}
	switch re.Op {
	case syntax.OpNoMatch:
		return nil, fmt.Errorf("it matches no string")
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		n.min, n.max = 0, 0
	case syntax.OpLiteral:
		n.min, n.max = len(re.Rune), len(re.Rune)
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return nil, fmt.Errorf("it has an empty character class")
		}
		n.class = narrow(re.Rune)
		n.min, n.max = 1, 1
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		n.class = printable
		n.min, n.max = 1, 1
	case syntax.OpCapture:
		n.min, n.max = n.subs[0].min, n.subs[0].max
	case syntax.OpConcat:
		for _, s := range n.subs {
			n.min = add(n.min, s.min)
			n.max = add(n.max, s.max)
		}
	case syntax.OpAlternate:
		n.min, n.max = infinite, 0
		for _, s := range n.subs {
			n.min = min(n.min, s.min)
			n.max = max(n.max, s.max)
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := repeatBounds(re)
		s := n.subs[0]
		n.min = mul(lo, s.min)
		if hi < 0 {
			n.max = infinite
			if s.max == 0 {
				n.max = 0
			}
		} else {
			n.max = mul(hi, s.max)
		}
	default:
		return nil, fmt.Errorf("unsupported construct %s", re)
	}
	return n, nil
}

// narrow returns the part of a character class (pairs of inclusive bounds)
// within printable ASCII, or the whole class when that part is empty.
func narrow(class []rune) []rune {
	var out []rune
	for i := 0; i+1 < len(class); i += 2 {
		lo, hi := max(class[i], printable[0]), min(class[i+1], printable[1])
		if lo <= hi {
			out = append(out, lo, hi)
		}
	}
	if len(out) == 0 {
		return class
	}
	return out
}

func repeatBounds(re *syntax.Regexp) (lo, hi int) {
	switch re.Op {
	case syntax.OpStar:
		return 0, -1
	case syntax.OpPlus:
		return 1, -1
	case syntax.OpQuest:
		return 0, 1
	}
	return re.Min, re.Max
}

func add(a, b int) int {
	if a >= infinite || b >= infinite || a+b >= infinite {
		return infinite
	}
	return a + b
}

func mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a >= infinite || b >= infinite || a > infinite/b {
		return infinite
	}
	return a * b
}

// fit narrows [lo, hi] to what n can produce; a range n cannot meet becomes
// n's nearest length.
func fit(n *node, lo, hi int) (int, int) {
	flo, fhi := max(lo, n.min), min(hi, n.max)
	switch {
	case flo <= fhi:
		return flo, fhi
	case hi < n.min: // shorter than n can be
		return n.min, n.min
	case lo > n.max: // longer than n can be
		return n.max, n.max
	default: // lo > hi: lo wins, the length being a minimum
		return flo, flo
	}
}

func gen(b *strings.Builder, r *rand.Rand, n *node, lo, hi int) {
	lo, hi = fit(n, lo, hi)
	re := n.re
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && r.IntN(2) == 0 {
				c = otherCase(c)
			}
			b.WriteRune(c)
		}
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune(pick(r, n.class))
	case syntax.OpCapture:
		gen(b, r, n.subs[0], lo, hi)
	case syntax.OpConcat:
		genSeq(b, r, n.subs, lo, hi)
	case syntax.OpAlternate:
		var fits []*node
		for _, s := range n.subs {
			if s.min <= hi && s.max >= lo {
				fits = append(fits, s)
			}
		}
		if len(fits) == 0 {
			fits = n.subs
		}
		gen(b, r, fits[r.IntN(len(fits))], lo, hi)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		s := n.subs[0]
		count := repeatCount(r, re, s, lo, hi)
		subs := make([]*node, count)
		for i := range subs {
			subs[i] = s
		}
		genSeq(b, r, subs, lo, hi)
	}
	// Empty-width operators write nothing.
}

// repeatCount picks how often a repetition of s repeats so that the total
// can reach [lo, hi].
func repeatCount(r *rand.Rand, re *syntax.Regexp, s *node, lo, hi int) int {
	rmin, rmax := repeatBounds(re)
	if rmax < 0 {
		rmax = rmin + UnboundedExtra
		if s.max > 0 && lo < infinite {
			rmax = max(rmax, (lo+s.max-1)/s.max) // enough to reach lo
		}
	}
	// Feasible counts form one interval: n*s.min <= hi and n*s.max >= lo.
	first, last := rmin, rmax
	if s.max > 0 && s.max < infinite {
		first = max(first, (lo+s.max-1)/s.max)
	}
	if s.min > 0 {
		last = min(last, hi/s.min)
	}
	if first > last {
		// No count meets the range: take the fewest that reach its
		// minimum (the length is then a minimum, as with Java's Generex),
		// or the most there may be.
		return min(first, rmax)
	}
	return first + r.IntN(last-first+1)
}

// genSeq generates the nodes one after the other, giving each a share of
// [lo, hi] that leaves the rest able to complete the range.
func genSeq(b *strings.Builder, r *rand.Rand, subs []*node, lo, hi int) {
	restMin, restMax := make([]int, len(subs)+1), make([]int, len(subs)+1)
	for i := len(subs) - 1; i >= 0; i-- {
		restMin[i] = add(restMin[i+1], subs[i].min)
		restMax[i] = add(restMax[i+1], subs[i].max)
	}
	used := 0
	for i, s := range subs {
		slo := lo - used - restMax[i+1]
		if restMax[i+1] >= infinite {
			slo = 0
		}
		shi := infinite
		if hi < infinite {
			shi = hi - used - restMin[i+1]
		}
		start := b.Len()
		gen(b, r, s, max(slo, 0), shi)
		used += runeCount(b.String()[start:])
	}
}

func runeCount(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

// pick returns a random rune from class, pairs of inclusive bounds, each
// rune equally likely.
func pick(r *rand.Rand, class []rune) rune {
	total := 0
	for i := 0; i+1 < len(class); i += 2 {
		total += int(class[i+1]-class[i]) + 1
	}
	k := r.IntN(total)
	for i := 0; i+1 < len(class); i += 2 {
		size := int(class[i+1]-class[i]) + 1
		if k < size {
			return class[i] + rune(k)
		}
		k -= size
	}
	return class[0]
}

func otherCase(c rune) rune {
	if u := unicode.ToUpper(c); u != c {
		return u
	}
	return unicode.ToLower(c)
}
