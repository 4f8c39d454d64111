package transforms

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// Helpers for the tests of the field transformations.

// wantConfigError checks that Configure fails with exactly msg, as a
// *config.Error naming key.
func wantConfigError(t *testing.T, tr Transformation, props map[string]string, key, msg string) {
	t.Helper()
	err := tr.Configure(props)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Configure(%v) = %v, want a *config.Error", props, err)
	}
	if len(ce.Problems) != 1 || ce.Problems[0].Key != key || ce.Problems[0].Message != msg {
		t.Fatalf("Configure(%v) problems = %+v, want one for %s: %q", props, ce.Problems, key, msg)
	}
}

// wantDataError checks that err is a schemas.DataError saying msg.
func wantDataError(t *testing.T, err error, msg string) {
	t.Helper()
	var de *schemas.DataError
	if !errors.As(err, &de) {
		t.Fatalf("error = %v (%T), want a DataError %q", err, err, msg)
	}
	if err.Error() != msg {
		t.Fatalf("error = %q, want %q", err.Error(), msg)
	}
}

// sideRecord returns a record whose side s holds schema and value and whose
// other side holds a marker that must not change.
func sideRecord(s Side, schema *schemas.Schema, value any) *Record {
	r := &Record{Record: connectors.Record{Topic: "test"}}
	r.KeySchema, r.Key = schemas.StringSchema, "other-key"
	r.ValueSchema, r.Value = schemas.StringSchema, "other-value"
	s.Set(r, schema, value)
	return r
}

// other returns the side that is not s.
func other(s Side) Side {
	if s == Key {
		return Value
	}
	return Key
}

// apply runs tr on a record holding schema and value on side s and returns
// the new schema and value of that side, checking that the record is kept
// and the other side untouched.
func apply(t *testing.T, tr Transformation, s Side, schema *schemas.Schema, value any) (*schemas.Schema, any) {
	t.Helper()
	r := sideRecord(s, schema, value)
	keep, err := tr.Apply(r)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if !keep {
		t.Fatal("Apply dropped the record")
	}
	os, ov := other(s).Get(r)
	if os != schemas.StringSchema || ov != "other-"+map[Side]string{Key: "key", Value: "value"}[other(s)] {
		t.Fatalf("Apply changed the %v: %v %v", other(s), os, ov)
	}
	return s.Get(r)
}

// applyErr runs tr like apply and returns its error, failing if there is none.
func applyErr(t *testing.T, tr Transformation, s Side, schema *schemas.Schema, value any) error {
	t.Helper()
	_, err := tr.Apply(sideRecord(s, schema, value))
	if err == nil {
		t.Fatal("Apply succeeded, want an error")
	}
	return err
}

// sides are both sides, for tests that run the $Key and $Value variants.
var sides = []Side{Key, Value}

func mustBuild(t *testing.T, b *schemas.Builder) *schemas.Schema {
	t.Helper()
	s, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// structOf returns a Struct of schema with the given field values, in
// name, value pairs.
func structOf(t *testing.T, schema *schemas.Schema, kv ...any) *schemas.Struct {
	t.Helper()
	st := schemas.NewStruct(schema)
	for i := 0; i < len(kv); i += 2 {
		if err := st.Put(kv[i].(string), kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !schemas.EqualValues(got, want) {
		t.Fatalf("%s = %v (%T), want %v (%T)", what, got, got, want, want)
	}
}

func wantSchema(t *testing.T, what string, got, want *schemas.Schema) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s schema = %+v, want %+v", what, got, want)
	}
}

func TestSplitColon(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"a", []string{"a"}},
		{"a:b", []string{"a", "b"}},
		{"a:", []string{"a"}},
		{":b", []string{"", "b"}},
		{":", []string{}},
		{"a::", []string{"a"}},
		{"a:b:c", []string{"a", "b", "c"}},
		{"a::c", []string{"a", "", "c"}},
	} {
		got := splitColon(tc.in)
		if len(got) != len(tc.want) {
			t.Errorf("splitColon(%q) = %q, want %q", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("splitColon(%q) = %q, want %q", tc.in, got, tc.want)
			}
		}
	}
}
func TestBuiltinsFieldTransforms(t *testing.T) {
	classes := map[string]bool{}
	for _, p := range Builtins() {
		classes[p.Class] = true
	}
	for _, c := range []string{
		"Cast$Key", "Cast$Value", "ExtractField$Key", "ExtractField$Value", "Flatten$Key", "Flatten$Value",
		"HoistField$Key", "HoistField$Value", "MaskField$Key", "MaskField$Value",
		"ReplaceField$Key", "ReplaceField$Value", "ValueToKey",
	} {
		if !classes[javaPackage+c] {
			t.Errorf("Builtins lacks %s", javaPackage+c)
		}
	}
}

// TestFieldTransformKeys checks the keys, in order, and the defaults each
// field transformation declares, which Kafka Connect's define.
func TestFieldTransformKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   Transformation
		keys []string
		defs map[string]any // key -> default; absent means required
	}{
		{"Cast", newCast(Value), []string{"spec", "replace.null.with.default"}, map[string]any{"replace.null.with.default": true}},
		{"ExtractField", newExtractField(Value), []string{"field", "replace.null.with.default", "field.syntax.version"},
			map[string]any{"replace.null.with.default": true, "field.syntax.version": "V1"}},
		{"Flatten", newFlatten(Value), []string{"delimiter"}, map[string]any{"delimiter": "."}},
		{"HoistField", newHoistField(Value), []string{"field"}, nil},
		{"MaskField", newMaskField(Value), []string{"fields", "replacement", "replace.null.with.default"},
			map[string]any{"replacement": nil, "replace.null.with.default": true}},
		{"ReplaceField", newReplaceField(Value), []string{"exclude", "blacklist", "include", "whitelist", "renames", "replace.null.with.default"},
			map[string]any{"exclude": []string{}, "blacklist": nil, "include": []string{}, "whitelist": nil, "renames": []string{}, "replace.null.with.default": true}},
		{"ValueToKey", newValueToKey(), []string{"fields", "replace.null.with.default"}, map[string]any{"replace.null.with.default": true}},
	} {
		keys := tc.tr.Config().Keys()
		if len(keys) != len(tc.keys) {
			t.Errorf("%s: %d keys, want %v", tc.name, len(keys), tc.keys)
			continue
		}
		for i, k := range keys {
			if k.Name != tc.keys[i] {
				t.Errorf("%s: key %d = %s, want %s", tc.name, i, k.Name, tc.keys[i])
			}
			want, hasDefault := tc.defs[k.Name]
			if k.Required() == hasDefault {
				t.Errorf("%s: %s required = %v", tc.name, k.Name, k.Required())
			} else if hasDefault && fmt.Sprint(k.Default) != fmt.Sprint(want) {
				t.Errorf("%s: %s default = %#v, want %#v", tc.name, k.Name, k.Default, want)
			}
			if k.Doc == "" {
				t.Errorf("%s: %s has no doc", tc.name, k.Name)
			}
		}
		if err := tc.tr.Close(); err != nil {
			t.Errorf("%s: Close: %v", tc.name, err)
		}
	}
}
