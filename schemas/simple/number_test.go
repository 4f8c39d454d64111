package simple_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/simple"
)

// goldenConverter returns a new converter by the type name the golden file
// uses.
func goldenConverter(t *testing.T, name string) interface {
	schemas.Converter
	schemas.HeaderConverter
} {
	t.Helper()
	switch name {
	case "short":
		return simple.NewShortConverter()
	case "integer":
		return simple.NewIntegerConverter()
	case "long":
		return simple.NewLongConverter()
	case "float":
		return simple.NewFloatConverter()
	case "double":
		return simple.NewDoubleConverter()
	case "boolean":
		return simple.BooleanConverter{}
	}
	t.Fatalf("unknown converter %q in the golden file", name)
	return nil
}

// goldenSchema returns the schema of a Java schema type name ("-": none).
func goldenSchema(t *testing.T, name string) *schemas.Schema {
	t.Helper()
	s, ok := map[string]*schemas.Schema{"-": nil, "STRING": schemas.StringSchema, "INT16": schemas.Int16Schema,
		"INT32": schemas.Int32Schema, "INT64": schemas.Int64Schema, "FLOAT32": schemas.Float32Schema,
		"FLOAT64": schemas.Float64Schema, "BOOLEAN": schemas.OptionalBooleanSchema}[name]
	if !ok {
		t.Fatalf("unknown schema type %q in the golden file", name)
	}
	return s
}

// goldenValue returns the Go value sluice holds a Java value of class in.
func goldenValue(t *testing.T, class, text string) any {
	t.Helper()
	bits := func(n int) uint64 {
		u, err := strconv.ParseUint(strings.TrimPrefix(text, "0x"), 16, n)
		if err != nil {
			t.Fatalf("bad %s bits %q: %v", class, text, err)
		}
		return u
	}
	integer := func(n int) int64 {
		i, err := strconv.ParseInt(text, 10, n)
		if err != nil {
			t.Fatalf("bad %s %q: %v", class, text, err)
		}
		return i
	}
	switch class {
	case "null":
		return nil
	case "java.lang.String":
		return text
	case "java.lang.Boolean":
		return text == "true"
	case "java.lang.Short":
		return int16(integer(16))
	case "java.lang.Integer":
		return int32(integer(32))
	case "java.lang.Long":
		return integer(64)
	case "java.lang.Float":
		return math.Float32frombits(uint32(bits(32)))
	case "java.lang.Double":
		return math.Float64frombits(bits(64))
	}
	t.Fatalf("unknown class %q in the golden file", class)
	return nil
}

func goldenBytes(t *testing.T, text string) []byte {
	t.Helper()
	if text == "null" {
		return nil
	}
	b, err := hex.DecodeString(strings.TrimPrefix(text, "0x"))
	if err != nil {
		t.Fatalf("bad bytes %q: %v", text, err)
	}
	return b
}

// sameBits compares values as Java's equals does for boxed numbers: floats
// and doubles by their bits, so that NaN equals NaN and -0.0 is not 0.0.
func sameBits(got, want any) bool {
	switch w := want.(type) {
	case float32:
		g, ok := got.(float32)
		return ok && math.Float32bits(g) == math.Float32bits(w)
	case float64:
		g, ok := got.(float64)
		return ok && math.Float64bits(g) == math.Float64bits(w)
	}
	return got == want
}

// TestNumericConvertersGolden replays what Kafka Connect 4.4.0's numeric
// converters and BooleanConverter answered (testdata/README.md): the same
// bytes, values, schemas, and errors with Java's messages, as converters and
// as header converters.
func TestNumericConvertersGolden(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/kc-4.4.0-numeric.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		lines++
		line := sc.Text()
		col := strings.Split(line, "\t")
		c := goldenConverter(t, col[1])
		switch col[0] {
		case "from":
			schema, value := goldenSchema(t, col[2]), goldenValue(t, col[3], col[4])
			got, err := c.FromConnectData("topic", schema, value)
			hdr, herr := c.FromConnectHeader("topic", "header", schema, value)
			if col[5] == "OK" {
				want := goldenBytes(t, col[6])
				if err != nil || herr != nil || !bytes.Equal(got, want) || (got == nil) != (want == nil) || !bytes.Equal(hdr, want) {
					t.Errorf("%s: FromConnectData = %x, %v; FromConnectHeader = %x, %v", line, got, err, hdr, herr)
				}
				continue
			}
			// Java's message, then (for a failed cast) sluice's note of the
			// expected type where Java has its ClassCastException.
			want := strings.TrimSuffix(col[6], " ")
			for _, e := range []error{err, herr} {
				assertDataError(t, e, want)
				if !strings.HasPrefix(e.Error(), want) {
					t.Errorf("%s: error %q does not start with Java's message", line, e)
				}
			}
		case "to":
			data := goldenBytes(t, col[2])
			s, v, err := c.ToConnectData("topic", data)
			hs, hv, herr := c.ToConnectHeader("topic", "header", data)
			if col[3] == "OK" {
				want := goldenValue(t, col[6], col[7])
				if err != nil || s == nil || s.Type.String() != col[4] || strconv.FormatBool(s.Optional) != col[5] || !sameBits(v, want) {
					t.Errorf("%s: ToConnectData = %v, %#v, %v", line, s, v, err)
				}
				if herr != nil || hs != s || !sameBits(hv, v) {
					t.Errorf("%s: ToConnectHeader = %v, %#v, %v", line, hs, hv, herr)
				}
				continue
			}
			want := col[4] + col[5]
			for _, e := range []error{err, herr} {
				assertDataError(t, e, want)
				if e.Error() != want {
					t.Errorf("%s: error = %q, want %q", line, e, want)
				}
			}
		default:
			t.Fatalf("bad golden line %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines < 500 {
		t.Fatalf("golden file has %d lines, want the whole capture", lines)
	}
}

// Go values Kafka Connect has no class for: a Go int is a java.lang.Long
// (transforms.JavaClassName), so LongConverter takes it and the others
// refuse it; Go's NaN, whose bits differ from Java's, is written as Java's
// canonical NaN by DoubleConverter and kept by FloatConverter.
func TestNumericConvertersGoValues(t *testing.T) {
	t.Parallel()
	got, err := simple.NewLongConverter().FromConnectData("t", schemas.Int64Schema, 1234)
	if err != nil || !bytes.Equal(got, []byte{0, 0, 0, 0, 0, 0, 0x04, 0xd2}) {
		t.Errorf("LongConverter(int 1234) = %x, %v", got, err)
	}
	_, err = simple.NewIntegerConverter().FromConnectData("t", nil, 1234)
	assertDataError(t, err, "Failed to serialize to integer (was class java.lang.Long): the value must be a java.lang.Integer (Go int32)")
	got, err = simple.NewDoubleConverter().FromConnectData("t", nil, math.NaN())
	if err != nil || !bytes.Equal(got, []byte{0x7f, 0xf8, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("DoubleConverter(math.NaN()) = %x, %v", got, err)
	}
	_, err = simple.NewShortConverter().FromConnectData("t", nil, []byte{0, 1})
	assertDataError(t, err, "Failed to serialize to short (was class [B)")
	_, err = simple.BooleanConverter{}.FromConnectData("t", nil, int8(1))
	assertDataError(t, err, "BooleanConverter is not compatible with objects of type class java.lang.Byte")
	for _, c := range []schemas.Converter{simple.NewShortConverter(), simple.BooleanConverter{}} {
		if err := c.Configure(map[string]string{"converter.type": "key"}, true); err != nil {
			t.Errorf("%T.Configure: %v", c, err)
		}
	}
}
