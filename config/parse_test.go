package config

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

// parseOne parses raw as the value of a single optional key of type typ.
func parseOne(t *testing.T, typ Type, raw string) (any, error) {
	t.Helper()
	d := NewDef().Define(Key{Name: "k", Type: typ, Importance: Low})
	v, err := d.Parse(map[string]string{"k": raw})
	if err != nil {
		return nil, err
	}
	return v.Get("k"), nil
}

func TestParseTypes(t *testing.T) {
	tests := []struct {
		name    string
		typ     Type
		raw     string
		want    any
		wantErr string
	}{
		{"bool true", Boolean, "true", true, ""},
		{"bool FALSE", Boolean, "FALSE", false, ""},
		{"bool mixed case and spaces", Boolean, "  TrUe\t", true, ""},
		{"bool yes", Boolean, "yes", nil, "Invalid value yes for configuration k: Expected value to be either true or false"},
		{"bool 1", Boolean, "1", nil, "Invalid value 1 for configuration k: Expected value to be either true or false"},
		{"bool empty", Boolean, "", nil, "Invalid value  for configuration k: Expected value to be either true or false"},
		{"bool raw value in message", Boolean, " nope ", nil, "Invalid value  nope  for configuration k: Expected value to be either true or false"},

		{"string trimmed", String, "  hello world \n", "hello world", ""},
		{"string empty", String, "", "", ""},
		{"string control chars trimmed", String, "\x00a\x1f", "a", ""},
		{"string unicode space kept", String, "\u00a0a\u00a0", "\u00a0a\u00a0", ""},

		{"int", Int, "42", int32(42), ""},
		{"int spaces", Int, " -7 ", int32(-7), ""},
		{"int plus", Int, "+7", int32(7), ""},
		{"int max", Int, "2147483647", int32(math.MaxInt32), ""},
		{"int min", Int, "-2147483648", int32(math.MinInt32), ""},
		{"int overflow", Int, "2147483648", nil, "Invalid value 2147483648 for configuration k: Not a number of type INT"},
		{"int underflow", Int, "-2147483649", nil, "Invalid value -2147483649 for configuration k: Not a number of type INT"},
		{"int abc", Int, "abc", nil, "Invalid value abc for configuration k: Not a number of type INT"},
		{"int decimal", Int, "1.0", nil, "Invalid value 1.0 for configuration k: Not a number of type INT"},
		{"int hex", Int, "0x10", nil, "Invalid value 0x10 for configuration k: Not a number of type INT"},
		{"int underscore", Int, "1_000", nil, "Invalid value 1_000 for configuration k: Not a number of type INT"},
		{"int empty", Int, "", nil, "Invalid value  for configuration k: Not a number of type INT"},

		{"short", Short, "3", int16(3), ""},
		{"short max", Short, "32767", int16(math.MaxInt16), ""},
		{"short min", Short, "-32768", int16(math.MinInt16), ""},
		{"short overflow", Short, "32768", nil, "Invalid value 32768 for configuration k: Not a number of type SHORT"},
		{"short underflow", Short, "-32769", nil, "Invalid value -32769 for configuration k: Not a number of type SHORT"},

		{"long", Long, "60000", int64(60000), ""},
		{"long max", Long, "9223372036854775807", int64(math.MaxInt64), ""},
		{"long overflow", Long, "9223372036854775808", nil, "Invalid value 9223372036854775808 for configuration k: Not a number of type LONG"},
		{"long spaces", Long, "\t-1 ", int64(-1), ""},

		{"double", Double, "0.5", 0.5, ""},
		{"double int", Double, "3", 3.0, ""},
		{"double exponent", Double, "1e3", 1000.0, ""},
		{"double suffix d", Double, "2.5d", 2.5, ""},
		{"double suffix F", Double, "2.5F", 2.5, ""},
		{"double leading dot", Double, " .5 ", 0.5, ""},
		{"double hex", Double, "0x1p3", 8.0, ""},
		{"double infinity", Double, "-Infinity", math.Inf(-1), ""},
		{"double huge is infinity", Double, "1e400", math.Inf(1), ""},
		{"double inf lowercase", Double, "inf", nil, "Invalid value inf for configuration k: Not a number of type DOUBLE"},
		{"double underscore", Double, "1_0", nil, "Invalid value 1_0 for configuration k: Not a number of type DOUBLE"},
		{"double abc", Double, "abc", nil, "Invalid value abc for configuration k: Not a number of type DOUBLE"},
		{"double lone suffix", Double, "d", nil, "Invalid value d for configuration k: Not a number of type DOUBLE"},
		{"double empty", Double, "", nil, "Invalid value  for configuration k: Not a number of type DOUBLE"},

		{"list", List, "a,b,c", []string{"a", "b", "c"}, ""},
		{"list spaces", List, " a , b\t,c ", []string{"a", "b", "c"}, ""},
		{"list empty", List, "", []string{}, ""},
		{"list blank", List, "   ", []string{}, ""},
		{"list single", List, "a", []string{"a"}, ""},
		{"list keeps empty elements like Java", List, "a,,b,", []string{"a", "", "b", ""}, ""},
		{"list inner spaces kept", List, "a b,c", []string{"a b", "c"}, ""},

		{"class", Class, " org.apache.kafka.connect.file.FileStreamSourceConnector ", "org.apache.kafka.connect.file.FileStreamSourceConnector", ""},
		{"class alias", Class, "FileStreamSource", "FileStreamSource", ""},
		{"class empty", Class, "  ", nil, "Invalid value    for configuration k: Class name must be non-empty"},

		{"password trimmed like Java", Password, " s3cret ", Secret("s3cret"), ""},
		{"password empty", Password, "", Secret(""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOne(t, tt.typ, tt.raw)
			if tt.wantErr != "" {
				var cfgErr *Error
				if !errors.As(err, &cfgErr) {
					t.Fatalf("err = %v, want *Error", err)
				}
				if len(cfgErr.Problems) != 1 || cfgErr.Problems[0].Key != "k" || cfgErr.Problems[0].Message != tt.wantErr {
					t.Fatalf("problems = %q, want one for k: %q", cfgErr.Problems, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if f, ok := tt.want.(float64); ok && math.IsNaN(f) {
				if g, ok := got.(float64); !ok || !math.IsNaN(g) {
					t.Fatalf("got %#v, want NaN", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v (%T), want %#v (%T)", got, got, tt.want, tt.want)
			}
		})
	}
}

func TestParseDoubleNaN(t *testing.T) {
	got, err := parseOne(t, Double, "NaN")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := got.(float64); !ok || !math.IsNaN(f) {
		t.Fatalf("got %#v, want NaN", got)
	}
}

func TestParseMissingAndDefaults(t *testing.T) {
	d := NewDef().
		Define(Key{Name: "file", Type: String, Default: NoDefault, Importance: High}).
		Define(Key{Name: "topic", Type: String, Default: nil, Importance: High}).
		Define(Key{Name: "batch.size", Type: Int, Default: 2000, Importance: Low})

	_, err := d.Parse(nil)
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("err = %v, want *Error", err)
	}
	want := []Problem{{Key: "file", Message: `Missing required configuration "file" which has no default value.`}}
	if !reflect.DeepEqual(cfgErr.Problems, want) {
		t.Fatalf("problems = %q, want %q", cfgErr.Problems, want)
	}

	v, err := d.Parse(map[string]string{"file": "in.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Get("topic"); got != nil {
		t.Errorf("topic = %#v, want nil (null default)", got)
	}
	if got := v.Get("batch.size"); got != int32(2000) {
		t.Errorf("batch.size = %#v, want int32(2000)", got)
	}
}

func TestParseCollectsAllProblems(t *testing.T) {
	d := NewDef().
		Define(Key{Name: "name", Type: String, Default: NoDefault, Importance: High}).
		Define(Key{Name: "tasks.max", Type: Int, Default: 1, Validator: AtLeast(1), Importance: High}).
		Define(Key{Name: "batch.size", Type: Int, Default: 100, Importance: Low}).
		Define(Key{Name: "enabled", Type: Boolean, Default: true, Importance: Low}).
		Define(Key{Name: "ok", Type: String, Default: "", Importance: Low})

	_, err := d.Parse(map[string]string{"tasks.max": "0", "batch.size": "abc", "enabled": "maybe", "ok": "fine"})
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("err = %v, want *Error", err)
	}
	want := []Problem{
		{"name", `Missing required configuration "name" which has no default value.`},
		{"tasks.max", "Invalid value 0 for configuration tasks.max: Value must be at least 1"},
		{"batch.size", "Invalid value abc for configuration batch.size: Not a number of type INT"},
		{"enabled", "Invalid value maybe for configuration enabled: Expected value to be either true or false"},
	}
	if !reflect.DeepEqual(cfgErr.Problems, want) {
		t.Fatalf("problems =\n%q\nwant\n%q", cfgErr.Problems, want)
	}
	wantMsg := `Missing required configuration "name" which has no default value.; ` +
		"Invalid value 0 for configuration tasks.max: Value must be at least 1; " +
		"Invalid value abc for configuration batch.size: Not a number of type INT; " +
		"Invalid value maybe for configuration enabled: Expected value to be either true or false"
	if err.Error() != wantMsg {
		t.Fatalf("Error() = %q, want %q", err.Error(), wantMsg)
	}
}

func TestParseValidatorSeesDefault(t *testing.T) {
	// Java validates the default on every parse too; a default that passes at
	// Define passes here, and a given value is validated instead.
	d := NewDef().Define(Key{Name: "mode", Type: String, Default: "a", Validator: ValidString("a", "b"), Importance: Low})
	if _, err := d.Parse(nil); err != nil {
		t.Fatal(err)
	}
	_, err := d.Parse(map[string]string{"mode": " c "})
	if err == nil || err.Error() != "Invalid value c for configuration mode: String must be one of: a, b" {
		t.Fatalf("err = %v", err)
	}
}

func TestParseJavaDouble(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true},
		{"-1.5", -1.5, true},
		{"+2", 2, true},
		{"1E-3", 0.001, true},
		{"5.", 5, true},
		{"Infinity", math.Inf(1), true},
		{"+Infinity", math.Inf(1), true},
		{"1e-400", 0, true},
		{"NAN", 0, false},
		{"Inf", 0, false},
		{"infinity", 0, false},
		{"", 0, false},
		{"+", 0, false},
		{"1.2.3", 0, false},
		{"0x1", 0, false},
		{"1dd", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseJavaDouble(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseJavaDouble(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
