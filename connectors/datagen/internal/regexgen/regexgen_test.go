package regexgen

import (
	"math/rand/v2"
	"regexp"
	"testing"
	"unicode/utf8"
)

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

// TestMatches: every generated string matches its expression, and its
// length is in the range asked for whenever the expression allows one.
func TestMatches(t *testing.T) {
	tests := []struct {
		pattern    string
		lo, hi     int
		wantLo     int // the lengths the result must have
		wantHi     int
		wantAllLen bool // every length of [wantLo, wantHi] shows up
	}{
		{"User_[1-9]", 8, 15, 6, 6, false},
		{"Item_[1-9][0-9]{0,2}", 8, 15, 8, 8, false}, // the length pushes the optional digits in
		{"Item_[1-9][0-9]{0,2}", 0, 100, 6, 8, true},
		{"City_[1-9]{0,2}", 8, 15, 7, 7, false},
		{"Region_[1-9]?", 8, 15, 8, 8, false},
		{"[a-zA-Z]{5,15}", 8, 15, 8, 15, true},
		{"[a-zA-Z]*", 10, 10, 10, 10, false},
		{"[a-zA-Z]{0,15}", 5, 15, 5, 15, true},
		{"[a-zA-Z]{5,}", 0, 16, 5, 16, true},
		{"[a-z]*", 0, -1, 0, UnboundedExtra, true},
		{"x+", 40, -1, 40, 40 + UnboundedExtra, false},
		{`lab-\d{1}`, 8, 15, 5, 5, false},
		{`\[[0-9][0-9],[0-9][0-9]\]`, 8, 15, 7, 7, false},
		{"https://www[.]acme[.]com/product/[a-z]{5}", 8, 15, 34, 34, false},
		{"(foo|barbaz)+", 8, 8, 6, 12, false},
		{"a(b|cd)*e", 5, 5, 5, 5, false},
		{"(abc)*", 10, 10, 12, 12, false}, // no length fits: the length is a minimum
		{"(abc){1,2}", 10, 10, 6, 6, false},
		{"x{5}", 0, 2, 5, 5, false},
		{"[a-z]+", 10, 5, 10, 10, false}, // an empty range: the minimum wins
		{"^[A-Z]{2}\\d{6}[A-Z]$", 0, 100, 9, 9, false},
		{"(?i)abc", 0, 10, 3, 3, false},
		{"[^a]{3}", 3, 3, 3, 3, false},
		{"a.c", 0, 10, 3, 3, false},
		{"(a|)(b|)", 0, 10, 0, 2, true},
	}
	for _, tt := range tests {
		g, err := Compile(tt.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		re := regexp.MustCompile(`^(?:` + tt.pattern + `)$`)
		r := rng(1)
		seen := map[int]bool{}
		for range 2000 {
			s := g.Generate(r, tt.lo, tt.hi)
			if !re.MatchString(s) {
				t.Fatalf("%s: %q does not match", tt.pattern, s)
			}
			n := utf8.RuneCountInString(s)
			if n < tt.wantLo || n > tt.wantHi {
				t.Fatalf("%s in [%d, %d]: %q has length %d, want [%d, %d]", tt.pattern, tt.lo, tt.hi, s, n, tt.wantLo, tt.wantHi)
			}
			seen[n] = true
		}
		if tt.wantAllLen {
			for n := tt.wantLo; n <= tt.wantHi; n++ {
				if !seen[n] {
					t.Errorf("%s: no string of length %d in 2000", tt.pattern, n)
				}
			}
		}
	}
}

// TestNarrowing: "." and negated classes pick printable ASCII.
func TestNarrowing(t *testing.T) {
	for _, p := range []string{".{50}", "[^a]{50}", `\D{50}`, `\S{50}`} {
		s := MustCompile(p).Generate(rng(2), 0, -1)
		for _, c := range s {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("%s: %q has %U", p, s, c)
			}
		}
	}
	// A class with no ASCII keeps its own characters.
	s := MustCompile("[α-ω]{3}").Generate(rng(3), 0, -1)
	if !regexp.MustCompile("^[α-ω]{3}$").MatchString(s) {
		t.Fatalf("%q", s)
	}
}

// TestDeterministic: the same seed gives the same strings.
func TestDeterministic(t *testing.T) {
	g := MustCompile("[a-z]{3,12}-(x|yy|zzz)*")
	a, b := rng(42), rng(42)
	for range 100 {
		if x, y := g.Generate(a, 8, 15), g.Generate(b, 8, 15); x != y {
			t.Fatalf("%q != %q", x, y)
		}
	}
}

// TestCompileErrors: what RE2 cannot express, and expressions matching
// nothing, are errors.
func TestCompileErrors(t *testing.T) {
	for _, p := range []string{`(?=a)b`, `(a)\1`, `[`, `a{2,1}`, `[^\x00-\x{10FFFF}]`} {
		if _, err := Compile(p); err == nil {
			t.Errorf("%s compiled", p)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	g := MustCompile("Item_[1-9][0-9]{0,2}")
	r := rng(1)
	for b.Loop() {
		g.Generate(r, 8, 15)
	}
}
