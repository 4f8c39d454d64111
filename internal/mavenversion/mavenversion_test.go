package mavenversion

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The versions gen/Oracle.java and gen/Kafka.java test ranges against.
var (
	specVersions = []string{"0.9", "1.0", "1.0.0", "1.5", "2.0", "2.0-SNAPSHOT", "3.0", "4.4.0", "4.4.0-SNAPSHOT", "abc"}
	reqVersions  = []string{"0.9", "1.0", "1.0.0", "1.5", "2.0", "2.0.0", "2.0-SNAPSHOT", "4.4.0", "4.4.0-SNAPSHOT", "abc"}
)

// golden reads testdata/maven-3.9.16.tsv: Maven's and Kafka Connect's own
// answers (see testdata/README.md).
func golden(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("testdata/maven-3.9.16.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 3000 {
		t.Fatalf("golden file has %d lines", len(out))
	}
	return out
}

func contained(r Range, versions []string) string {
	var in []string
	for _, v := range versions {
		if r.Contains(Parse(v)) {
			in = append(in, v)
		}
	}
	return strings.Join(in, " ")
}

func TestGoldenMaven(t *testing.T) {
	for _, l := range golden(t) {
		switch l[0] {
		case "CANON":
			if got := Parse(l[1]).Canonical(); got != l[2] {
				t.Errorf("Canonical(%q) = %q, Maven says %q", l[1], got, l[2])
			}
		case "CMP":
			want, _ := strconv.Atoi(l[3])
			if got := Compare(Parse(l[1]), Parse(l[2])); got != want {
				t.Errorf("Compare(%q, %q) = %d, Maven says %d", l[1], l[2], got, want)
			}
		case "SPEC":
			r, err := ParseRange(l[1])
			if l[2] == "ERR" {
				if err == nil || err.Error() != l[3] {
					t.Errorf("ParseRange(%q) = %v, %v; Maven says error %q", l[1], r, err, l[3])
				}
				continue
			}
			if err != nil {
				t.Errorf("ParseRange(%q): %v; Maven accepts it", l[1], err)
				continue
			}
			want := strings.Join(l[3:], "\t")
			if got := strconv.FormatBool(r.HasRestrictions()) + "\t" + r.String() + "\t" + contained(r, specVersions); got != want {
				t.Errorf("ParseRange(%q) = %q, Maven says %q", l[1], got, want)
			}
		case "REQ":
			r, err := Requirement(l[1], true)
			switch l[2] {
			case "NULL":
				if r != nil || err != nil {
					t.Errorf("Requirement(%q) = %v, %v; Kafka says none", l[1], r, err)
				}
			case "ERR":
				if err == nil || err.Error() != l[3] {
					t.Errorf("Requirement(%q) = %v, %v; Kafka says error %q", l[1], r, err, l[3])
				}
			default:
				if err != nil || r == nil {
					t.Errorf("Requirement(%q): %v, %v; Kafka says %q", l[1], r, err, l[3:])
					continue
				}
				want := strings.Join(l[3:], "\t")
				if got := r.String() + "\t" + contained(*r, reqVersions); got != want {
					t.Errorf("Requirement(%q) = %q, Kafka says %q", l[1], got, want)
				}
			}
		default:
			t.Fatalf("unknown golden line %q", l)
		}
	}
}

func TestOrdering(t *testing.T) {
	// Each version is older than the next.
	tests := [][]string{
		{"1.9", "1.10"},
		{"4.4.0-SNAPSHOT", "4.4.0"},
		{"4.4.0-alpha", "4.4.0-beta", "4.4.0-milestone", "4.4.0-rc", "4.4.0-SNAPSHOT", "4.4.0", "4.4.0-sp", "4.4.0-foo", "4.4.0-1", "4.4.0.1"},
		{"1.0-rc1", "1.0-rc2", "1.0-rc10"},
		{"999999999", "1000000000", "1000000000000000000"},
	}
	for _, chain := range tests {
		for i := 0; i+1 < len(chain); i++ {
			a, b := Parse(chain[i]), Parse(chain[i+1])
			if Compare(a, b) != -1 || Compare(b, a) != 1 {
				t.Errorf("want %s < %s; Compare = %d, %d", a, b, Compare(a, b), Compare(b, a))
			}
		}
	}
	for _, eq := range [][2]string{{"1", "1.0.0"}, {"4.4.0", "4.4.0-ga"}, {"1.0-final", "1"}, {"1.0-cr1", "1.0-rc1"}, {"1.0a1", "1.0-alpha-1"}, {"", "0"}} {
		if c := Compare(Parse(eq[0]), Parse(eq[1])); c != 0 {
			t.Errorf("Compare(%q, %q) = %d, want equal", eq[0], eq[1], c)
		}
	}
}

func TestRequirement(t *testing.T) {
	tests := []struct {
		spec    string
		set     bool
		want    string // "" for no requirement
		in, out []string
		err     string
	}{
		{spec: "", set: false},
		{spec: "latest", set: true},
		{spec: "[1.0,2.0)", set: true, want: "[1.0,2.0)", in: []string{"1.0", "1.9.9", "2.0-SNAPSHOT"}, out: []string{"2.0", "0.9"}},
		{spec: " 4.4.0 ", set: true, want: "[4.4.0,4.4.0]", in: []string{"4.4.0", "4.4"}, out: []string{"4.4.1", "4.4.0-SNAPSHOT"}},
		{spec: "[1.0", set: true, err: "Unbounded range: [1.0"},
		{spec: "(1.0)", set: true, err: "Single version must be surrounded by []: (1.0)"},
		{spec: "[1.0,2.0],[1.5,3.0]", set: true, err: "Ranges overlap: [1.0,2.0],[1.5,3.0]"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			r, err := Requirement(tt.spec, tt.set)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if r != nil {
					t.Fatalf("requirement %v, want none", r)
				}
				return
			}
			if r.String() != tt.want {
				t.Errorf("range %s, want %s", r, tt.want)
			}
			for _, v := range tt.in {
				if !r.Contains(Parse(v)) {
					t.Errorf("%s does not contain %s", r, v)
				}
			}
			for _, v := range tt.out {
				if r.Contains(Parse(v)) {
					t.Errorf("%s contains %s", r, v)
				}
			}
		})
	}
}

// TestHostileInput: absurd versions cost linear time, and Requirement
// refuses an absurdly long value before parsing it.
func TestHostileInput(t *testing.T) {
	long := strings.Repeat("9", 1<<20)
	a, b := Parse(long), Parse(long+"8")
	if Compare(a, b) != -1 || Compare(b, a) != 1 || Compare(a, a) != 0 {
		t.Error("million-digit versions compare wrongly")
	}
	if _, err := Requirement(strings.Repeat("1-", 1<<19), true); err == nil || !strings.Contains(err.Error(), "at most 1024 characters") {
		t.Errorf("a megabyte requirement: %v", err)
	}
	if _, err := Requirement("["+strings.Repeat("1.", 500)+"0]", true); err != nil {
		t.Errorf("a long but acceptable requirement: %v", err)
	}
}
