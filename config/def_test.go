package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// mustPanic runs f and returns the panic's message; it fails if f returns.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic")
		}
		msg = fmt.Sprint(r)
	}()
	f()
	return ""
}

type myInt int

type myStrings []string

func TestDefineDefaults(t *testing.T) {
	tests := []struct {
		name string
		typ  Type
		def  any
		want any
	}{
		{"bool", Boolean, true, true},
		{"bool string", Boolean, " FALSE ", false},
		{"string trimmed like Java", String, " x ", "x"},
		{"int from untyped", Int, 1, int32(1)},
		{"int from int64", Int, int64(5), int32(5)},
		{"int from uint8", Int, uint8(7), int32(7)},
		{"int from named", Int, myInt(9), int32(9)},
		{"int from string", Int, "12", int32(12)},
		{"short", Short, 3, int16(3)},
		{"long", Long, 60000, int64(60000)},
		{"long from int32", Long, int32(-1), int64(-1)},
		{"double from float", Double, 0.5, 0.5},
		{"double from int", Double, 2, 2.0},
		{"double from float32", Double, float32(0.25), 0.25},
		{"list", List, []string{"a", "b"}, []string{"a", "b"}},
		{"list named", List, myStrings{"a"}, []string{"a"}},
		{"list nil slice is empty", List, []string(nil), []string{}},
		{"list from string", List, "a, b", []string{"a", "b"}},
		{"list from empty string", List, "", []string{}},
		{"class", Class, "org.example.Foo", "org.example.Foo"},
		{"password from string", Password, "pw", Secret("pw")},
		{"password from secret", Password, Secret(" pw "), Secret(" pw ")},
		{"null", Int, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDef().Define(Key{Name: "k", Type: tt.typ, Default: tt.def, Importance: Low})
			k, _ := d.Key("k")
			if !reflect.DeepEqual(k.Default, tt.want) {
				t.Fatalf("Default = %#v (%T), want %#v (%T)", k.Default, k.Default, tt.want, tt.want)
			}
			v, err := d.Parse(nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Get("k"); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Get = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDefinePanics(t *testing.T) {
	base := func() *Def { return NewDef().Define(Key{Name: "dup", Type: Int, Default: 1, Importance: Low}) }
	tests := []struct {
		name string
		key  Key
		want string
	}{
		{"no name", Key{Type: Int, Importance: Low}, "has no name"},
		{"duplicate", Key{Name: "dup", Type: Int, Importance: Low}, `key "dup" is defined twice`},
		{"no type", Key{Name: "k", Importance: Low}, "Type not set"},
		{"no importance", Key{Name: "k", Type: Int}, "Importance not set"},
		{"bad width", Key{Name: "k", Type: Int, Importance: Low, Width: 9}, "invalid Width"},
		{"default does not parse", Key{Name: "k", Type: Int, Default: "abc", Importance: Low},
			"invalid default: Invalid value abc for configuration k: Not a number of type INT"},
		{"default overflows short", Key{Name: "k", Type: Short, Default: 70000, Importance: Low},
			"Invalid value 70000 for configuration k: Not a number of type SHORT"},
		{"default wrong go type", Key{Name: "k", Type: Int, Default: 1.5, Importance: Low},
			"Expected value to be a 32-bit integer, but it was a float64"},
		{"string default not a string", Key{Name: "k", Type: String, Default: 1, Importance: Low},
			"Expected value to be a string, but it was a int"},
		{"duration default", Key{Name: "k.ms", Type: Long, Default: 5 * time.Second, Importance: Low}, "time.Duration"},
		{"secret for string", Key{Name: "k", Type: String, Default: Secret("x"), Importance: Low}, "config.Secret"},
		{"default fails validator", Key{Name: "k", Type: Int, Default: 0, Validator: AtLeast(1), Importance: Low},
			"invalid default: Invalid value 0 for configuration k: Value must be at least 1"},
		{"null default fails validator", Key{Name: "k", Type: Int, Default: nil, Validator: AtLeast(1), Importance: Low},
			"Invalid value null for configuration k: Value must be non-null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			msg := mustPanic(t, func() { d.Define(tt.key) })
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("panic %q does not contain %q", msg, tt.want)
			}
			if len(d.Keys()) != 1 {
				t.Fatalf("a failed Define added a key: %v", d.Keys())
			}
		})
	}
}

func TestRequiredKeyDefaultNotValidated(t *testing.T) {
	d := NewDef().Define(Key{Name: "k", Type: Int, Default: NoDefault, Validator: AtLeast(1), Importance: High})
	k, _ := d.Key("k")
	if !k.Required() {
		t.Fatal("not required")
	}
}

func TestKeysGroupsOrder(t *testing.T) {
	d := NewDef().
		Define(Key{Name: "z", Type: String, Importance: Low, Group: "Common"}).
		Define(Key{Name: "a", Type: String, Importance: Low}).
		Define(Key{Name: "m", Type: String, Importance: Low, Group: "Transforms"}).
		Define(Key{Name: "b", Type: String, Importance: Low, Group: "Common"})
	var names []string
	for _, k := range d.Keys() {
		names = append(names, k.Name)
	}
	if want := []string{"z", "a", "m", "b"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Keys = %v, want %v", names, want)
	}
	if got, want := d.Groups(), []string{"Common", "Transforms"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Groups = %v, want %v", got, want)
	}
	if _, ok := d.Key("nope"); ok {
		t.Error("Key(nope) found")
	}
}

func TestKeysAreCopies(t *testing.T) {
	d := NewDef().Define(Key{Name: "k", Type: List, Default: []string{"a"}, Importance: Low, Dependents: []string{"x"}})
	k, _ := d.Key("k")
	k.Default.([]string)[0] = "changed"
	k.Dependents[0] = "changed"
	d.Keys()[0].Dependents[0] = "changed"
	d.Groups()
	k2, _ := d.Key("k")
	if k2.Default.([]string)[0] != "a" || k2.Dependents[0] != "x" {
		t.Fatalf("definition changed through a returned Key: %#v", k2)
	}
}

func TestMerge(t *testing.T) {
	a := NewDef().
		Define(Key{Name: "name", Type: String, Default: NoDefault, Importance: High, Group: "Common"}).
		Define(Key{Name: "tasks.max", Type: Int, Default: 1, Importance: High, Group: "Common"})
	b := NewDef().
		Define(Key{Name: "topics", Type: List, Default: "", Importance: High, Group: "Sink"}).
		Define(Key{Name: "extra", Type: Boolean, Default: false, Importance: Low, Group: "Common"})

	m := a.Merge(b)
	var names []string
	for _, k := range m.Keys() {
		names = append(names, k.Name)
	}
	if want := []string{"name", "tasks.max", "topics", "extra"}; !reflect.DeepEqual(names, want) {
		t.Errorf("merged keys = %v, want %v", names, want)
	}
	if got, want := m.Groups(), []string{"Common", "Sink"}; !reflect.DeepEqual(got, want) {
		t.Errorf("merged groups = %v, want %v", got, want)
	}
	if len(a.Keys()) != 2 || len(b.Keys()) != 2 {
		t.Error("Merge changed its inputs")
	}
	m.Define(Key{Name: "later", Type: String, Importance: Low})
	if _, ok := a.Key("later"); ok {
		t.Error("defining on the merge changed an input")
	}
	v, err := m.Parse(map[string]string{"name": "c", "topics": "t1,t2"})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.List("topics"); !reflect.DeepEqual(got, []string{"t1", "t2"}) {
		t.Errorf("topics = %v", got)
	}

	dup := NewDef().Define(Key{Name: "tasks.max", Type: Int, Default: 2, Importance: High})
	if msg := mustPanic(t, func() { a.Merge(dup) }); !strings.Contains(msg, "defined twice") {
		t.Errorf("panic = %q", msg)
	}
}

type lettersRecommender struct{ gotName string }

func (r *lettersRecommender) ValidValues(name string, parsed map[string]any) ([]any, error) {
	r.gotName = name
	if parsed["mode"] == "upper" {
		return []any{"A", "B"}, nil
	}
	return []any{"a", "b"}, nil
}

func (r *lettersRecommender) Visible(string, map[string]any) bool { return true }

func TestEmbed(t *testing.T) {
	rec := &lettersRecommender{}
	child := NewDef().
		Define(Key{Name: "mode", Type: String, Default: "lower", Importance: Low, Dependents: []string{"letter"}}).
		Define(Key{Name: "letter", Type: String, Default: "a", Importance: High, Recommender: rec,
			Validator: ValidatorFunc(func(name string, v any) error {
				if name != "letter" {
					return fmt.Errorf("validator saw name %q", name)
				}
				if v == "z" {
					return errors.New("z is not allowed")
				}
				return nil
			}, "not z")}).
		Define(Key{Name: "field", Type: String, Default: NoDefault, Importance: Low, Validator: NonEmptyString()})

	d := NewDef().
		Define(Key{Name: "transforms", Type: List, Default: "", Importance: Low, Group: "Transforms"}).
		Embed("transforms.t1.", "Transforms: t1", 2, child)

	type row struct {
		name, group string
		order       int
		deps        []string
	}
	var got []row
	for _, k := range d.Keys()[1:] {
		got = append(got, row{k.Name, k.Group, k.OrderInGroup, k.Dependents})
	}
	// Child documentation order: required first, then importance, then name.
	want := []row{
		{"transforms.t1.field", "Transforms: t1", 2, nil},
		{"transforms.t1.letter", "Transforms: t1", 3, nil},
		{"transforms.t1.mode", "Transforms: t1", 4, []string{"transforms.t1.letter"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("embedded keys =\n%+v\nwant\n%+v", got, want)
	}
	if k, _ := d.Key("transforms.t1.letter"); k.Validator.String() != "not z" {
		t.Errorf("embedded validator description = %q", k.Validator.String())
	}
	if g := d.Groups(); !reflect.DeepEqual(g, []string{"Transforms", "Transforms: t1"}) {
		t.Errorf("groups = %v", g)
	}

	_, err := d.Parse(map[string]string{"transforms": "t1", "transforms.t1.letter": "z", "transforms.t1.field": ""})
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("err = %v", err)
	}
	wantProblems := []Problem{
		{"transforms.t1.field", "Invalid value  for configuration transforms.t1.field: String must be non-empty"},
		{"transforms.t1.letter", "Invalid value z for configuration transforms.t1.letter: z is not allowed"},
	}
	if !reflect.DeepEqual(cfgErr.Problems, wantProblems) {
		t.Errorf("problems =\n%q\nwant\n%q", cfgErr.Problems, wantProblems)
	}

	results := d.Validate(map[string]string{"transforms.t1.mode": "upper", "transforms.t1.field": "f"})
	var letter Result
	for _, r := range results {
		if r.Name == "transforms.t1.letter" {
			letter = r
		}
	}
	if !reflect.DeepEqual(letter.RecommendedValues, []string{"A", "B"}) || rec.gotName != "letter" {
		t.Errorf("embedded recommender: %+v, saw name %q", letter, rec.gotName)
	}

	nested := NewDef().Define(Key{Name: "x", Type: Int, Default: 1, Importance: Low, Group: "Inner"})
	d2 := NewDef().Embed("p.", "Outer", 0, nested)
	if k, _ := d2.Key("p.x"); k.Group != "Outer: Inner" || k.OrderInGroup != 0 {
		t.Errorf("embedded group = %q order %d", k.Group, k.OrderInGroup)
	}
}

func TestZeroDefUsable(t *testing.T) {
	var d Def
	d.Define(Key{Name: "k", Type: Int, Default: 1, Importance: Low})
	v, err := d.Parse(nil)
	if err != nil || v.Int("k") != 1 {
		t.Fatalf("zero Def: %v, %v", v, err)
	}
}
