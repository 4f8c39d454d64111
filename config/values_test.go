package config

import (
	"reflect"
	"strings"
	"sync"
	"testing"
)

func allTypesDef() *Def {
	return NewDef().
		Define(Key{Name: "b", Type: Boolean, Default: false, Importance: Low}).
		Define(Key{Name: "s", Type: String, Default: "", Importance: Low}).
		Define(Key{Name: "i", Type: Int, Default: 0, Importance: Low}).
		Define(Key{Name: "sh", Type: Short, Default: 0, Importance: Low}).
		Define(Key{Name: "l", Type: Long, Default: 0, Importance: Low}).
		Define(Key{Name: "d", Type: Double, Default: 0, Importance: Low}).
		Define(Key{Name: "li", Type: List, Default: []string{"x"}, Importance: Low}).
		Define(Key{Name: "c", Type: Class, Default: nil, Importance: Low}).
		Define(Key{Name: "p", Type: Password, Default: nil, Importance: Low}).
		Define(Key{Name: "null.list", Type: List, Importance: Low})
}

func TestValuesAccessors(t *testing.T) {
	props := map[string]string{
		"b": "true", "s": " text ", "i": "-5", "sh": "7", "l": "9000000000", "d": "0.25",
		"li": "a,b", "c": "com.example.Sink", "p": "pw",
		"key.converter": "org.apache.kafka.connect.json.JsonConverter", "key.converter.schemas.enable": "false",
		"key.converter.": "ignored: nothing after the prefix",
	}
	v, err := allTypesDef().Parse(props)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"Bool", v.Bool("b"), true},
		{"String", v.String("s"), "text"},
		{"Int", v.Int("i"), -5},
		{"Short", v.Short("sh"), int16(7)},
		{"Long", v.Long("l"), int64(9000000000)},
		{"Double", v.Double("d"), 0.25},
		{"List", v.List("li"), []string{"a", "b"}},
		{"Class", v.Class("c"), "com.example.Sink"},
		{"Password", v.Password("p"), Secret("pw")},
		{"null list", v.List("null.list"), []string(nil)},
		{"Get int", v.Get("i"), int32(-5)},
		{"Get null", v.Get("null.list"), nil},
		{"Originals", v.Originals(), props},
		{"OriginalsWithPrefix", v.OriginalsWithPrefix("key.converter."), map[string]string{"schemas.enable": "false"}},
		{"OriginalsWithPrefix none", v.OriginalsWithPrefix("nope."), map[string]string{}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}

	// Returned collections are copies.
	v.List("li")[0] = "changed"
	v.Get("li").([]string)[0] = "changed"
	v.Originals()["b"] = "changed"
	props["b"] = "changed too"
	if v.List("li")[0] != "a" || v.Originals()["b"] != "true" {
		t.Error("Values changed through a returned or given map or slice")
	}
}

func TestValuesNullGivesZero(t *testing.T) {
	v, err := NewDef().
		Define(Key{Name: "s", Type: String, Importance: Low}).
		Define(Key{Name: "i", Type: Int, Importance: Low}).
		Define(Key{Name: "p", Type: Password, Importance: Low}).
		Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.String("s") != "" || v.Int("i") != 0 || v.Password("p") != "" || v.Get("s") != nil {
		t.Error("null values do not give zero values")
	}
	if v.Originals() == nil {
		t.Error("Originals of nil props is nil")
	}
}

func TestValuesAccessorPanics(t *testing.T) {
	v, err := allTypesDef().Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"undefined", func() { v.String("nope") }, `unknown configuration "nope"`},
		{"undefined Get", func() { v.Get("nope") }, `unknown configuration "nope"`},
		{"wrong type", func() { v.Int("s") }, `configuration "s" is of type STRING, not INT`},
		{"class is not string", func() { v.String("c") }, `is of type CLASS, not STRING`},
		{"long is not int", func() { v.Int("l") }, `is of type LONG, not INT`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msg := mustPanic(t, tt.f); !strings.Contains(msg, tt.want) {
				t.Fatalf("panic %q does not contain %q", msg, tt.want)
			}
		})
	}
}

// TestConcurrentUse runs Parse, Validate and the accessors from many
// goroutines; with -race it proves a built Def and its Values are read-only.
func TestConcurrentUse(t *testing.T) {
	d := allTypesDef()
	v, err := d.Parse(map[string]string{"li": "a,b"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := d.Parse(map[string]string{"i": "1"}); err != nil {
					t.Error(err)
					return
				}
				d.Validate(nil)
				_ = d.Docs()
				_ = v.List("li")
				_ = v.Originals()
				for _, k := range d.Keys() {
					_ = k.Info()
				}
			}
		}()
	}
	wg.Wait()
}
