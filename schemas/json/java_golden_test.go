package json_test

import (
	"testing"

	"github.com/sluicehq/sluice/internal/javafmt/javafmttest"
	"github.com/sluicehq/sluice/schemas"
)

// TestFromConnectJavaOutput compares the converter (schemas.enable=false)
// with what Kafka Connect 4.4's JsonConverter writes for the same values:
// the "string", "double" and "float" cases of
// internal/javafmt/testdata/java_output.txt (real Java output; its README
// says how it was made). Every control character, DEL, U+2028/U+2029, '/',
// non-BMP characters (escaped surrogate pairs), the Double.toString and
// Float.toString boundaries, -0.0, NaN and the infinities (as strings).
func TestFromConnectJavaOutput(t *testing.T) {
	t.Parallel()
	c := newConverter(t, map[string]string{"schemas.enable": "false"})
	golden := map[string]map[string]string{}
	for _, kind := range []string{"string", "double", "float"} {
		golden[kind] = javafmttest.Golden(t, kind)
	}
	check := func(kind, name string, schema *schemas.Schema, value any) {
		t.Helper()
		want, ok := golden[kind][name]
		if !ok {
			t.Fatalf("no Java output for %s %s", kind, name)
		}
		got, err := c.FromConnectData("topic", schema, value)
		if err != nil {
			t.Errorf("%s %s: %v", kind, name, err)
			return
		}
		if string(got) != want {
			t.Errorf("%s %s: %s, Java writes %s", kind, name, got, want)
		}
	}
	for name, s := range javafmttest.Strings() {
		check("string", name, schemas.StringSchema, s)
	}
	for name, v := range javafmttest.Doubles() {
		check("double", name, schemas.Float64Schema, v)
	}
	for name, v := range javafmttest.Floats() {
		check("float", name, schemas.Float32Schema, v)
	}
}
