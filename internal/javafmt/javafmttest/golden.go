// Package javafmttest gives tests the JSON that real Java (Kafka Connect's
// JsonConverter, Jackson, Avro's Schema.toString) writes for sluice's edge
// cases: internal/javafmt/testdata/java_output.txt, made by
// testdata/JavaJSON.java (testdata/README.md says how).
package javafmttest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Golden returns the cases of one kind ("string", "double", "storage",
// "avro", ...) of the Java output file, by case name. It fails t when the
// file cannot be read or holds no case of that kind.
func Golden(t testing.TB, kind string) map[string]string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("javafmttest: cannot locate the golden file")
	}
	path := filepath.Join(filepath.Dir(file), "..", "testdata", "java_output.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("javafmttest: %v", err)
	}
	cases := map[string]string{}
	for line := range strings.SplitSeq(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("javafmttest: malformed line %q in %s", line, path)
		}
		if parts[0] == kind {
			cases[parts[1]] = parts[2]
		}
	}
	if len(cases) == 0 {
		t.Fatalf("javafmttest: no %q cases in %s", kind, path)
	}
	return cases
}

// Strings returns the inputs of the "string" and "string-writer" cases, by
// name, as JavaJSON.java has them.
func Strings() map[string]string {
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

// Doubles are the inputs of the "double" and "double-tostring" cases.
func Doubles() map[string]float64 {
	return map[string]float64{
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
}

// Floats are the inputs of the "float" and "float-tostring" cases.
func Floats() map[string]float32 {
	return map[string]float32{
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
}
