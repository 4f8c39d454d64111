package javafmt

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/sluicehq/sluice/internal/javafmt/javafmttest"
)

// The expected strings are real Java output (testdata/java_output.txt): the
// inputs here are those testdata/JavaJSON.java writes, case by case.

// javaStrings are the string cases of JavaJSON.java.
func javaStrings() map[string]string {
	m := map[string]string{
		"c7F":       "a\x7fb",
		"u2028":     "a\u2028b",
		"u2029":     "a\u2029b",
		"slash":     "a/b</script>",
		"quote":     `a"b`,
		"backslash": `a\b`,
		"html":      "<&>'=",
		"latin1":    "café ÿ",
		"euro":      "€",
		"emoji":     "\U0001F600 \U0001D11E",
		"fffd":      "\uFFFD",
		"empty":     "",
		"mixed":     "x\"\\/\x00\x1b\x7f\u2028é\U0001F600\r\n",
	}
	for c := range 0x20 {
		m[fmt.Sprintf("c%02X", c)] = "a" + string(rune(c)) + "b"
	}
	return m
}

var javaDoubles = map[string]float64{
	"min_value":   math.SmallestNonzeroFloat64,
	"5e-324":      5e-324,
	"min_normal":  0x1p-1022,
	"max_value":   math.MaxFloat64,
	"1e7":         1e7,
	"below_1e7":   math.Nextafter(1e7, 0),
	"1e-3":        1e-3,
	"below_1e-3":  math.Nextafter(1e-3, 0),
	"zero":        0,
	"neg_zero":    math.Copysign(0, -1),
	"1e10":        1e10,
	"0.1":         0.1,
	"1e-4":        1e-4,
	"100":         100,
	"neg_1.5e300": -1.5e300,
	"third":       1.0 / 3,
	"nan":         math.NaN(),
	"inf":         math.Inf(1),
	"neg_inf":     math.Inf(-1),
}

var javaFloats = map[string]float32{
	"min_value":  math.SmallestNonzeroFloat32,
	"1.4e-45":    1.4e-45,
	"min_normal": 0x1p-126,
	"max_value":  math.MaxFloat32,
	"1e7":        1e7,
	"below_1e7":  math.Nextafter32(1e7, 0),
	"1e-3":       1e-3,
	"below_1e-3": math.Nextafter32(1e-3, 0),
	"zero":       0,
	"neg_zero":   float32(math.Copysign(0, -1)),
	"1e10":       1e10,
	"0.1":        0.1,
	"third":      float32(1.0) / 3,
	"nan":        float32(math.NaN()),
	"inf":        float32(math.Inf(1)),
	"neg_inf":    float32(math.Inf(-1)),
}

// sameCases fails t unless the Go table and the Java output name the same
// cases: a case added on one side only would go untested.
func sameCases[V any](t *testing.T, kind string, golden map[string]string, inputs map[string]V) {
	t.Helper()
	if g, in := slices.Sorted(maps.Keys(golden)), slices.Sorted(maps.Keys(inputs)); !slices.Equal(g, in) {
		t.Fatalf("%s: Java output has cases %q, the Go table %q", kind, g, in)
	}
}

func TestAppendStringJava(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind   string
		append func([]byte, string) []byte
	}{
		{"string", AppendString},              // JsonConverter: byte generator
		{"string-writer", AppendWriterString}, // Schema.toString: Writer generator
	} {
		golden := javafmttest.Golden(t, tc.kind)
		inputs := javaStrings()
		sameCases(t, tc.kind, golden, inputs)
		for name, in := range inputs {
			prefix := []byte("x")
			if got := string(tc.append(prefix, in)); got != "x"+golden[name] {
				t.Errorf("%s %s: %q, Java writes %q", tc.kind, name, got[1:], golden[name])
			}
		}
	}
}

func TestAppendStringStrictJava(t *testing.T) {
	t.Parallel()
	golden := javafmttest.Golden(t, "string")
	for name, in := range javaStrings() {
		got, err := AppendStringStrict(nil, in)
		if err != nil || string(got) != golden[name] {
			t.Errorf("%s: %q, %v; Java writes %q", name, got, err, golden[name])
		}
	}
}

// A Go string that is not UTF-8 reads as a Java string decoded with
// replacement would: U+FFFD for each invalid byte.
func TestAppendStringInvalidUTF8(t *testing.T) {
	t.Parallel()
	fffd := javafmttest.Golden(t, "string")["fffd"] // "\uFFFD" quoted, as Java writes it
	tests := []struct {
		in, want string
		bad      int
	}{
		{"\xff", fffd, 0},
		{"a\xffb", `"a` + fffd[1:len(fffd)-1] + `b"`, 1},
		{"é\xc3", `"é` + fffd[1:], 2},                         // truncated sequence
		{"\xed\xa0\x80", `"` + "\uFFFD\uFFFD\uFFFD" + `"`, 0}, // a lone surrogate, CESU-8 style
	}
	for _, tt := range tests {
		if got := string(AppendString(nil, tt.in)); got != tt.want {
			t.Errorf("AppendString(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(AppendWriterString(nil, tt.in)); got != tt.want {
			t.Errorf("AppendWriterString(%q) = %q, want %q", tt.in, got, tt.want)
		}
		_, err := AppendStringStrict(nil, tt.in)
		var ie *InvalidUTF8Error
		if !errors.As(err, &ie) || ie.Offset != tt.bad || ie.Byte != tt.in[tt.bad] {
			t.Errorf("AppendStringStrict(%q) error = %v, want offset %d", tt.in, err, tt.bad)
		}
	}
}

func TestNumbersJava(t *testing.T) {
	t.Parallel()
	check := func(kind string, inputs map[string]string, got func(string) string) {
		golden := javafmttest.Golden(t, kind)
		sameCases(t, kind, golden, inputs)
		for name := range inputs {
			if g := got(name); g != golden[name] {
				t.Errorf("%s %s: %s, Java writes %s", kind, name, g, golden[name])
			}
		}
	}
	names := func(m map[string]float64) map[string]string {
		out := map[string]string{}
		for k := range m {
			out[k] = k
		}
		return out
	}
	floatNames := map[string]string{}
	for k := range javaFloats {
		floatNames[k] = k
	}
	check("double-tostring", names(javaDoubles), func(n string) string { return Double(javaDoubles[n]) })
	check("double", names(javaDoubles), func(n string) string { return string(AppendJSONDouble(nil, javaDoubles[n])) })
	check("float-tostring", floatNames, func(n string) string { return Float(javaFloats[n]) })
	check("float", floatNames, func(n string) string { return string(AppendJSONFloat(nil, javaFloats[n])) })
}
