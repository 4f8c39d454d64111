package storage

import (
	"math"
	"testing"

	"github.com/sluicehq/sluice/internal/javafmt/javafmttest"
)

// TestRecordsJavaGolden compares internal-topic records with what Kafka
// Connect 4.4's JsonConverter writes for the same values (the "storage"
// cases of internal/javafmt/testdata/java_output.txt, made by its
// JavaJSON.java): control characters, U+2028, '/', a non-BMP character (an
// escaped surrogate pair), DEL, and doubles and floats at the edges of
// Double.toString / Float.toString.
func TestRecordsJavaGolden(t *testing.T) {
	t.Parallel()
	golden := javafmttest.Golden(t, "storage")
	const mixed = "x\"\\/\x00\x1b\x7f\u2028é\U0001F600\r\n"
	encode := map[string]func() ([]byte, error){
		"offset": func() ([]byte, error) {
			return appendJavaJSON(nil, map[string]any{
				"d": 5e-324,
				"f": float32(1.4e-45),
				"n": 0x1p-1022, // Double.MIN_NORMAL
				"s": mixed,
				"z": math.Copysign(0, -1),
			})
		},
		"offset_key": func() ([]byte, error) {
			return encodeOffsetKey("conné\a", map[string]any{"file": "/tmp/a\u2028b\x1f.txt"})
		},
		"status": func() ([]byte, error) {
			trace := "java.lang.Exception: \x1b[31mred\x1b[0m\n\tat X.y(X.java:1)\u2028/\"\\\U0001F600\x7f"
			return encodeStatus("FAILED", trace, "höst:8083", 7, "4.4.0"), nil
		},
		"config": func() ([]byte, error) {
			return encodeProperties(map[string]string{
				"name":               "c\x01",
				"transforms.x.regex": `^a\.b/` + "\u2029$",
				"é\U0001F600":        "\t\b\f",
			}), nil
		},
	}
	if len(encode) != len(golden) {
		t.Fatalf("Java wrote %d storage cases, the test encodes %d", len(golden), len(encode))
	}
	for name, want := range golden {
		fn, ok := encode[name]
		if !ok {
			t.Errorf("Java case %q has no Go counterpart", name)
			continue
		}
		got, err := fn()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s:\n got  %s\n Java %s", name, got, want)
		}
	}
}
