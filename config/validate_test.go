package config

import (
	"encoding/json"
	"errors"
	"testing"
)

// marshal returns v's JSON, failing the test on error.
func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type topicsRecommender struct{}

func (topicsRecommender) ValidValues(_ string, parsed map[string]any) ([]any, error) {
	if parsed["source"] == "broken" {
		return nil, errors.New("cannot list topics")
	}
	return []any{"orders", "payments"}, nil
}

func (topicsRecommender) Visible(_ string, parsed map[string]any) bool {
	return parsed["source"] != "none"
}

func validateDef() *Def {
	return NewDef().
		Define(Key{Name: "name", Type: String, Default: NoDefault, Validator: NonEmptyStringWithoutControlChars(), Importance: High}).
		Define(Key{Name: "tasks.max", Type: Int, Default: 1, Validator: AtLeast(1), Importance: High}).
		Define(Key{Name: "topics", Type: List, Default: "", Importance: High, Recommender: topicsRecommender{}}).
		Define(Key{Name: "source", Type: String, Default: "kafka", Importance: Low, Dependents: []string{"topics", "ghost"}}).
		Define(Key{Name: "ratio", Type: Double, Default: 1, Importance: Low}).
		Define(Key{Name: "password", Type: Password, Default: nil, Importance: Low}).
		Define(Key{Name: "enabled", Type: Boolean, Default: true, Importance: Low})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		want  string
	}{
		{
			name:  "defaults and missing required",
			props: map[string]string{},
			want: `[{"name":"name","value":null,"recommended_values":[],"errors":["Missing required configuration \"name\" which has no default value."],"visible":true},` +
				`{"name":"tasks.max","value":"1","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"topics","value":"","recommended_values":["orders","payments"],"errors":[],"visible":true},` +
				`{"name":"source","value":"kafka","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"ratio","value":"1.0","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"password","value":null,"recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"enabled","value":"true","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"ghost","value":null,"recommended_values":[],"errors":["ghost is referred in the dependents, but not defined."],"visible":false}]`,
		},
		{
			name: "values given, rendered as parsed",
			props: map[string]string{"name": "c1", "tasks.max": " 04 ", "topics": "a , b", "source": "none",
				"ratio": "2.50", "password": "hunter2", "enabled": "FALSE", "unknown.key": "x"},
			want: `[{"name":"name","value":"c1","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"tasks.max","value":"4","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"topics","value":"a,b","recommended_values":["orders","payments"],"errors":[],"visible":false},` +
				`{"name":"source","value":"none","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"ratio","value":"2.5","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"password","value":"[hidden]","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"enabled","value":"false","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"ghost","value":null,"recommended_values":[],"errors":["ghost is referred in the dependents, but not defined."],"visible":false}]`,
		},
		{
			name:  "parse and validator errors, recommender error",
			props: map[string]string{"name": "a\tb", "tasks.max": "zero", "source": "broken", "enabled": "0"},
			want: `[{"name":"name","value":"a\tb","recommended_values":[],"errors":["Invalid value a\tb for configuration name: String may not contain control sequences but had the following ASCII chars: 9"],"visible":true},` +
				`{"name":"tasks.max","value":null,"recommended_values":[],"errors":["Invalid value zero for configuration tasks.max: Not a number of type INT","Invalid value null for configuration tasks.max: Value must be non-null"],"visible":true},` +
				`{"name":"topics","value":"","recommended_values":[],"errors":["cannot list topics"],"visible":true},` +
				`{"name":"source","value":"broken","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"ratio","value":"1.0","recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"password","value":null,"recommended_values":[],"errors":[],"visible":true},` +
				`{"name":"enabled","value":null,"recommended_values":[],"errors":["Invalid value 0 for configuration enabled: Expected value to be either true or false"],"visible":true},` +
				`{"name":"ghost","value":null,"recommended_values":[],"errors":["ghost is referred in the dependents, but not defined."],"visible":false}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := marshal(t, validateDef().Validate(tt.props)); got != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestValidateMatchesParse checks that Validate reports the problems Parse
// does, first on each key, and besides them only what Java's
// ConfigDef.validate adds: the validator's verdict on a value that is
// missing or does not parse, as null. ValidateOnce reports exactly Parse's.
func TestValidateMatchesParse(t *testing.T) {
	d := NewDef().
		Define(Key{Name: "a", Type: Int, Default: NoDefault, Validator: Range(1, 5), Importance: High}).
		Define(Key{Name: "b", Type: Int, Default: 3, Validator: Range(1, 5), Importance: High}).
		Define(Key{Name: "c", Type: Long, Default: 3, Importance: High})
	nonNull := func(k string) Problem {
		return Problem{k, "Invalid value null for configuration " + k + ": Value must be non-null"}
	}
	for _, tt := range []struct {
		props  map[string]string
		extras []Problem // what Validate adds after Parse's problem on the same key
	}{
		{props: map[string]string{}, extras: []Problem{nonNull("a")}},
		{props: map[string]string{"a": "9", "b": "x", "c": "1"}, extras: []Problem{nonNull("b")}},
		{props: map[string]string{"a": "2", "b": "0", "c": "y"}},
		{props: map[string]string{"a": "2"}},
	} {
		var fromValidate []Problem
		for _, r := range d.Validate(tt.props) {
			for _, e := range r.Errors {
				fromValidate = append(fromValidate, Problem{r.Name, e})
			}
		}
		_, err := d.Parse(tt.props)
		var want []Problem
		var cfgErr *Error
		if errors.As(err, &cfgErr) {
			for _, p := range cfgErr.Problems {
				want = append(want, p)
				for _, x := range tt.extras {
					if x.Key == p.Key {
						want = append(want, x)
					}
				}
			}
		}
		if marshal(t, fromValidate) != marshal(t, want) {
			t.Errorf("props %v: Validate %q, want %q", tt.props, fromValidate, want)
		}
		var once, fromParse []Problem
		for _, r := range d.ValidateOnce(tt.props) {
			for _, e := range r.Errors {
				once = append(once, Problem{r.Name, e})
			}
		}
		if cfgErr != nil {
			fromParse = cfgErr.Problems
		}
		if marshal(t, once) != marshal(t, fromParse) {
			t.Errorf("props %v: ValidateOnce %q, Parse %q", tt.props, once, fromParse)
		}
	}
}

func TestResultMarshalNilSlices(t *testing.T) {
	v := "x"
	got := marshal(t, Result{Name: "k", Value: &v, Visible: true})
	want := `{"name":"k","value":"x","recommended_values":[],"errors":[],"visible":true}`
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
