// Package javafmttest gives tests the JSON that real Java (Kafka Connect's
// JsonConverter, Jackson, Avro's Schema.toString) writes for sluice's edge
// cases: internal/javafmt/testdata/java_output.txt, made by
// testdata/JavaJSON.java (testdata/README.md says how).
package javafmttest

import (
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
