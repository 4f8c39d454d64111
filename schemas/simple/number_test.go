package simple_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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

// captured is one answer of api/testdata/kc-4.4.0/numeric-converters.json,
// what the i18 capture recorded from Kafka Connect 4.4.0's converters.
type captured struct {
	Converter string          `json:"converter"`
	Call      string          `json:"call"`
	Schema    json.RawMessage `json:"schema"`
	Value     *string         `json:"value"`
	Input     *string         `json:"input"`
	Bytes     *string         `json:"bytes"`
	Error     *capturedError  `json:"error"`
	Header    struct {
		Bytes  *string         `json:"bytes"`
		Schema json.RawMessage `json:"schema"`
		Value  *string         `json:"value"`
		Error  *capturedError  `json:"error"`
	} `json:"header"`
}

type capturedError struct {
	Exception    string `json:"exception"`
	Message      string `json:"message"`
	Cause        string `json:"cause"`
	CauseMessage string `json:"cause_message"`
}

// capturedValue reads the capture's "Class text" form ("Long 1", "Double
// NaN bits=7ff8000000000000") as the Go value sluice holds it in.
func capturedValue(t *testing.T, v *string) any {
	t.Helper()
	if v == nil {
		return nil
	}
	class, text, _ := strings.Cut(*v, " ")
	if _, bits, ok := strings.Cut(text, "bits="); ok {
		text = "0x" + bits
	}
	return goldenValue(t, "java.lang."+class, text)
}

// TestNumericConvertersCapture replays the capture of Kafka Connect 4.4.0
// (api/testdata/kc-4.4.0): bytes, schemas and values, and the errors with
// Java's message and, for a bad size, its SerializationException's.
func TestNumericConvertersCapture(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../api/testdata/kc-4.4.0/numeric-converters.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []captured
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("%d captured cases, want the whole capture", len(cases))
	}
	for i, c := range cases {
		conv := goldenConverter(t, strings.ToLower(strings.TrimSuffix(c.Converter, "Converter")))
		what := fmt.Sprintf("case %d: %s.%s", i, c.Converter, c.Call)
		checkErr := func(got error, want *capturedError, how string) {
			t.Helper()
			if want == nil {
				if got != nil {
					t.Errorf("%s (%s): %v", what, how, got)
				}
				return
			}
			msg := want.Message
			if want.Cause == "org.apache.kafka.common.errors.SerializationException" {
				msg += want.CauseMessage // sluice's message carries the cause's
			}
			msg = strings.TrimSuffix(msg, " ")
			var de *schemas.DataError
			if !errors.As(got, &de) || !strings.HasPrefix(got.Error(), msg) {
				t.Errorf("%s (%s): error %v, want a DataError starting %q", what, how, got, msg)
			}
		}
		switch c.Call {
		case "fromConnectData":
			var schemaName string
			if err := json.Unmarshal(c.Schema, &schemaName); err != nil {
				t.Fatalf("%s: schema %s", what, c.Schema)
			}
			if schemaName == "null" {
				schemaName = "-"
			}
			schema, value := goldenSchema(t, schemaName), capturedValue(t, c.Value)
			got, err := conv.FromConnectData("topic", schema, value)
			checkErr(err, c.Error, "value")
			hdr, herr := conv.FromConnectHeader("topic", "header", schema, value)
			checkErr(herr, c.Header.Error, "header")
			for _, x := range []struct {
				got  []byte
				want *string
			}{{got, c.Bytes}, {hdr, c.Header.Bytes}} {
				if c.Error != nil {
					break
				}
				if x.want == nil {
					if x.got != nil {
						t.Errorf("%s: %x, want null", what, x.got)
					}
				} else if hex.EncodeToString(x.got) != *x.want || x.got == nil {
					t.Errorf("%s: %x, want %s", what, x.got, *x.want)
				}
			}
		case "toConnectData":
			var data []byte
			if c.Input != nil {
				data = goldenBytes(t, "0x"+*c.Input)
			}
			s, v, err := conv.ToConnectData("topic", data)
			checkErr(err, c.Error, "value")
			hs, hv, herr := conv.ToConnectHeader("topic", "header", data)
			checkErr(herr, c.Header.Error, "header")
			if c.Error != nil {
				continue
			}
			var want struct {
				Type     string `json:"type"`
				Optional bool   `json:"optional"`
			}
			if err := json.Unmarshal(c.Schema, &want); err != nil {
				t.Fatalf("%s: schema %s", what, c.Schema)
			}
			wantValue := capturedValue(t, c.Value)
			if s == nil || s.Type.String() != want.Type || s.Optional != want.Optional || !sameBits(v, wantValue) {
				t.Errorf("%s(%x) = %v, %#v; want %+v, %#v", what, data, s, v, want, wantValue)
			}
			if hs != s || !sameBits(hv, wantValue) {
				t.Errorf("%s header (%x) = %v, %#v", what, data, hs, hv)
			}
		default:
			t.Fatalf("%s: unknown call", what)
		}
	}
}
