package config

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// fuzzDef has a key of every type, most with the validators Kafka Connect's
// keys use.
func fuzzDef() *Def {
	return NewDef().
		Define(Key{Name: "bool", Type: Boolean, Default: false, Importance: Low}).
		Define(Key{Name: "name", Type: String, Default: NoDefault, Validator: NonEmptyStringWithoutControlChars(), Importance: High}).
		Define(Key{Name: "mode", Type: String, Default: "none", Validator: CaseInsensitiveValidString("none", "all"), Importance: Low}).
		Define(Key{Name: "secret", Type: Password, Default: nil, Importance: High}).
		Define(Key{Name: "int", Type: Int, Default: 1, Validator: Range(-5, 1000), Importance: Low}).
		Define(Key{Name: "short", Type: Short, Default: 1, Importance: Low}).
		Define(Key{Name: "long", Type: Long, Default: 0, Validator: AtLeast(int64(-1)), Importance: Low}).
		Define(Key{Name: "double", Type: Double, Default: 0.5, Validator: Range(0.0, 1.0), Importance: Low}).
		Define(Key{Name: "free.double", Type: Double, Default: 0.5, Importance: Low}).
		Define(Key{Name: "list", Type: List, Default: "", Importance: Low}).
		Define(Key{Name: "valid.list", Type: List, Default: "a", Validator: ValidList("a", "b", ""), Importance: Low}).
		Define(Key{Name: "class", Type: Class, Default: nil, Importance: Low})
}

// secretMarker prefixes the fuzzed value of the Password key; it must
// never show in an error or a validation result.
const secretMarker = "S3cr3t-M4rk3r:"

// FuzzParse parses one arbitrary value for keys of every type: problems
// are *Error naming their key, Validate finds exactly the keys Parse
// rejects, a secret never shows, and every value parsed reads back the same
// from its rendered form (Java's convertToString, which the REST API
// shows).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", " ", "true", "FALSE", "a, b ,c", ",", "a,,b", " 42 ", "-5", "1001", "32767", "32768", "-9223372036854775808",
		"9223372036854775808", "0x10", "1e3", "1.0E-7", "0x1.8p1", "1.5f", "NaN", "-Infinity", "infinity", "1_000",
		"\x00", "ab\x1fc", "\u0085", "ALL", "com.example.Connector", "${file:/x:y}", "\t\n\v\f\r a \t", "4.9E-324", "1e400",
	} {
		f.Add(s)
	}
	def := fuzzDef()
	f.Fuzz(func(t *testing.T, v string) {
		defer testkit.HangGuard(t, 20*time.Second)()
		props := map[string]string{}
		for _, k := range def.Keys() {
			props[k.Name] = v
		}
		props["secret"] = secretMarker + v
		vals, err := def.Parse(props)
		rejected := map[string]bool{}
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("Parse(%q): %v (%T), want an *Error with problems", v, err, err)
			}
			for _, p := range ce.Problems {
				if _, ok := def.Key(p.Key); !ok || !strings.Contains(p.Message, p.Key) {
					t.Fatalf("Parse(%q): problem %+v does not name a defined key", v, p)
				}
				rejected[p.Key] = true
			}
			if strings.Contains(err.Error(), secretMarker) {
				t.Fatalf("Parse(%q): the error shows the secret: %v", v, err)
			}
		}
		results := def.Validate(props)
		if out, _ := json.Marshal(results); strings.Contains(string(out), secretMarker) {
			t.Fatalf("Validate(%q) shows the secret: %s", v, out)
		}
		for _, r := range results {
			if (len(r.Errors) > 0) != rejected[r.Name] {
				t.Fatalf("value %q of %s: Validate says %q, Parse rejected it: %v", v, r.Name, r.Errors, rejected[r.Name])
			}
		}
		if vals == nil {
			return
		}
		for _, r := range results {
			if r.Value == nil || r.Name == "secret" {
				continue
			}
			again, err := def.Parse(map[string]string{"name": "n", r.Name: *r.Value})
			if err != nil {
				t.Fatalf("%s = %q shows as %q, which does not parse: %v", r.Name, v, *r.Value, err)
			}
			if a, b := vals.Get(r.Name), again.Get(r.Name); !sameValue(a, b) {
				t.Fatalf("%s = %q parsed as %#v, shows as %q, which parses as %#v", r.Name, v, a, *r.Value, b)
			}
		}
		if got := vals.Password("secret").Value(); got != javaTrim(secretMarker+v) {
			t.Fatalf("the secret parsed as %q", got)
		}
	})
}

func sameValue(a, b any) bool {
	if x, ok := a.(float64); ok {
		y, ok := b.(float64)
		return ok && (x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y))
	}
	return reflect.DeepEqual(a, b)
}
