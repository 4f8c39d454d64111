package javafmt

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/sluicehq/sluice/internal/javafmt/javafmttest"
)

// The expected strings are real Java output (testdata/java_output.txt) for
// the inputs javafmttest holds, those of testdata/JavaJSON.java.

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
		inputs := javafmttest.Strings()
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
	for name, in := range javafmttest.Strings() {
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
	doubles, floats := javafmttest.Doubles(), javafmttest.Floats()
	for _, tc := range []struct {
		kind   string
		inputs map[string]float64
		format func(float64) string
	}{
		{"double-tostring", doubles, Double},
		{"double", doubles, func(v float64) string { return string(AppendJSONDouble(nil, v)) }},
	} {
		checkNumbers(t, tc.kind, tc.inputs, tc.format)
	}
	for _, tc := range []struct {
		kind   string
		format func(float32) string
	}{
		{"float-tostring", Float},
		{"float", func(v float32) string { return string(AppendJSONFloat(nil, v)) }},
	} {
		checkNumbers(t, tc.kind, floats, tc.format)
	}
}

func checkNumbers[F float32 | float64](t *testing.T, kind string, inputs map[string]F, format func(F) string) {
	t.Helper()
	golden := javafmttest.Golden(t, kind)
	sameCases(t, kind, golden, inputs)
	for name, v := range inputs {
		if got := format(v); got != golden[name] {
			t.Errorf("%s %s: %s, Java writes %s", kind, name, got, golden[name])
		}
	}
}
