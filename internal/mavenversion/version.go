// Package mavenversion orders versions and matches version ranges as
// Maven's maven-artifact 3.9 does (ComparableVersion, VersionRange), the
// library Kafka Connect uses for connector.plugin.version and the other
// plugin version keys (KIP-891).
//
// Go's semver libraries do not fit: Maven orders "1.10" after "1.9",
// "1.0" equal to "1" and "1-ga", qualifiers by alpha < beta < milestone <
// rc < snapshot < release < sp < any other word, and accepts any string.
//
// One deliberate difference: Java's Character.isDigit also takes the
// decimal digits of other scripts (Arabic-Indic, Devanagari…) as digits;
// here only 0-9 are, the others are letters.
package mavenversion

import (
	"strings"
	"unicode/utf16"
)

// Version is a parsed version. The zero value is the empty version, which
// equals "0".
type Version struct {
	raw   string
	items *listItem
}

// Parse parses s as Maven's ComparableVersion does. Every string is a
// version.
func Parse(s string) Version {
	return Version{raw: s, items: parse(s)}
}

// String returns the version as given.
func (v Version) String() string { return v.raw }

// Canonical returns Maven's canonical form ("1.0.0" → "1", "1.0-SNAPSHOT"
// → "1-snapshot"): two versions are equal exactly when their canonical
// forms are.
func (v Version) Canonical() string {
	if v.items == nil {
		return ""
	}
	return v.items.String()
}

// Compare returns -1, 0 or +1 as a is older than, equal to or newer than b.
func Compare(a, b Version) int {
	ai, bi := a.items, b.items
	if ai == nil {
		ai = &listItem{}
	}
	if bi == nil {
		bi = &listItem{}
	}
	return ai.compare(bi)
}

// Item kinds, in Maven's numbering (the order int < long < big decides
// between numbers of different lengths).
const (
	kindBig = iota
	kindString
	kindList
	kindInt
	kindLong
)

type item interface {
	kind() int
	isNull() bool
	// compare compares with other, which is nil for "nothing left".
	compare(other item) int
	String() string
}

// numItem is Maven's IntItem, LongItem or BigIntegerItem: the kind says
// which (by digit count), so numbers of different kinds never compare
// equal, as in Maven. The value is kept as its decimal digits without
// leading zeros ("0" for zero), compared by length, then text: no
// arithmetic, so a hostile version of a million digits costs linear time.
type numItem struct {
	k      int
	digits string
}

func (n *numItem) kind() int      { return n.k }
func (n *numItem) isNull() bool   { return n.digits == "0" }
func (n *numItem) String() string { return n.digits }

func (n *numItem) compare(other item) int {
	if other == nil {
		if n.isNull() {
			return 0
		}
		return 1
	}
	switch o := other.(type) {
	case *numItem:
		if o.k != n.k {
			return cmpInt(numRank(n.k), numRank(o.k))
		}
		if c := cmpInt(len(n.digits), len(o.digits)); c != 0 {
			return c
		}
		return strings.Compare(n.digits, o.digits)
	default: // a string or a list
		return 1
	}
}

func numRank(k int) int {
	switch k {
	case kindInt:
		return 0
	case kindLong:
		return 1
	default:
		return 2
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// The qualifiers Maven knows, in order; the empty one is a release.
var qualifiers = []string{"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"}

var aliases = map[string]string{"ga": "", "final": "", "release": "", "cr": "rc"}

const releaseIndex = "5" // the index of "" in qualifiers

type stringItem struct{ v string }

func newStringItem(v string, followedByDigit bool) *stringItem {
	if followedByDigit && len(v) == 1 {
		switch v[0] {
		case 'a':
			v = "alpha"
		case 'b':
			v = "beta"
		case 'm':
			v = "milestone"
		}
	}
	if a, ok := aliases[v]; ok {
		v = a
	}
	return &stringItem{v: v}
}

func (s *stringItem) kind() int      { return kindString }
func (s *stringItem) isNull() bool   { return comparable(s.v) == releaseIndex }
func (s *stringItem) String() string { return s.v }

// comparable is Maven's comparableQualifier: a known qualifier's index,
// else "7-" and the word (after every known one, in text order).
func comparable(q string) string {
	for i, k := range qualifiers {
		if k == q {
			return string(rune('0' + i))
		}
	}
	return "7-" + q
}

func (s *stringItem) compare(other item) int {
	if other == nil {
		return javaCompare(comparable(s.v), releaseIndex)
	}
	switch o := other.(type) {
	case *stringItem:
		return javaCompare(comparable(s.v), comparable(o.v))
	default: // numbers and lists are newer than any qualifier
		return -1
	}
}

// javaCompare compares as Java's String.compareTo: by UTF-16 code unit.
func javaCompare(a, b string) int {
	if isASCII(a) && isASCII(b) {
		return strings.Compare(a, b)
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return cmpInt(int(ua[i]), int(ub[i]))
		}
	}
	return cmpInt(len(ua), len(ub))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

type listItem struct{ items []item }

func (l *listItem) kind() int    { return kindList }
func (l *listItem) isNull() bool { return len(l.items) == 0 }

func (l *listItem) add(i item) { l.items = append(l.items, i) }

// normalize drops trailing null items (0, "", empty lists), looking past
// sublists as Maven does.
func (l *listItem) normalize() {
	for i := len(l.items) - 1; i >= 0; i-- {
		it := l.items[i]
		if it.isNull() {
			l.items = append(l.items[:i], l.items[i+1:]...)
		} else if _, ok := it.(*listItem); !ok {
			break
		}
	}
}

func (l *listItem) compare(other item) int {
	if other == nil {
		for _, it := range l.items {
			if r := it.compare(nil); r != 0 {
				return r
			}
		}
		return 0
	}
	o, ok := other.(*listItem)
	if !ok {
		if other.kind() == kindString {
			return 1 // 1-1 > 1-sp
		}
		return -1 // 1-1 < 1.0.x
	}
	for i := 0; i < len(l.items) || i < len(o.items); i++ {
		var left, right item
		if i < len(l.items) {
			left = l.items[i]
		}
		if i < len(o.items) {
			right = o.items[i]
		}
		var r int
		switch {
		case left == nil && right == nil:
		case left == nil:
			r = -right.compare(nil)
		default:
			r = left.compare(right)
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

func (l *listItem) String() string {
	var b strings.Builder
	for _, it := range l.items {
		if b.Len() > 0 {
			if _, ok := it.(*listItem); ok {
				b.WriteByte('-')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteString(it.String())
	}
	return b.String()
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// parse is Maven's ComparableVersion.parseVersion.
func parse(version string) *listItem {
	root := &listItem{}
	version = strings.ToLower(version)
	list := root
	stack := []*listItem{root}
	push := func() {
		n := &listItem{}
		list.add(n)
		list = n
		stack = append(stack, n)
	}
	digit := false
	start := 0
	for i, c := range version {
		switch {
		case c == '.':
			if i == start {
				list.add(zero())
			} else {
				list.add(parseItem(digit, version[start:i]))
			}
			start = i + 1
		case c == '-':
			if i == start {
				list.add(zero())
			} else {
				list.add(parseItem(digit, version[start:i]))
			}
			start = i + 1
			push()
		case isDigit(c):
			if !digit && i > start {
				// 1.0.0.X1 < 1.0.0-X2: a word before digits is a qualifier
				if len(list.items) > 0 {
					push()
				}
				list.add(newStringItem(version[start:i], true))
				start = i
				push()
			}
			digit = true
		default:
			if digit && i > start {
				list.add(parseItem(true, version[start:i]))
				start = i
				push()
			}
			digit = false
		}
	}
	if len(version) > start {
		// treat .X as -X for any string qualifier X
		if !digit && len(list.items) > 0 {
			push()
		}
		list.add(parseItem(digit, version[start:]))
	}
	for i := len(stack) - 1; i >= 0; i-- {
		stack[i].normalize()
	}
	return root
}

func zero() item { return &numItem{k: kindInt, digits: "0"} }

// parseItem makes a number (int, long or big by its length once leading
// zeros are gone, as Maven) or a word.
func parseItem(digit bool, buf string) item {
	if !digit {
		return newStringItem(buf, false)
	}
	buf = stripLeadingZeros(buf)
	digits := strings.TrimLeft(buf, "0")
	if digits == "" {
		digits = "0"
	}
	switch {
	case len(buf) <= 9:
		return &numItem{k: kindInt, digits: digits}
	case len(buf) <= 18:
		return &numItem{k: kindLong, digits: digits}
	default:
		return &numItem{k: kindBig, digits: digits}
	}
}

// stripLeadingZeros keeps a string of zeros whole, as Maven does.
func stripLeadingZeros(buf string) string {
	if buf == "" {
		return "0"
	}
	for i := 0; i < len(buf); i++ {
		if buf[i] != '0' {
			return buf[i:]
		}
	}
	return buf
}
