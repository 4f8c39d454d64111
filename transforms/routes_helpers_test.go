package transforms

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// configured returns tr configured with props, failing the test on error.
func configured[T interface{ Configure(map[string]string) error }](t *testing.T, tr T, props map[string]string) T {
	t.Helper()
	if err := tr.Configure(props); err != nil {
		t.Fatalf("Configure(%v): %v", props, err)
	}
	return tr
}

// configureError returns the error of configuring tr with props, failing the
// test if there is none.
func configureError(t *testing.T, tr interface{ Configure(map[string]string) error }, props map[string]string) string {
	t.Helper()
	err := tr.Configure(props)
	if err == nil {
		t.Fatalf("Configure(%v) succeeded, want an error", props)
	}
	return err.Error()
}

// guardInputs snapshots what r points to (the Headers' backing array up to
// its capacity, the key and value Structs and maps) and returns a check that
// fails the test if Apply changed any of it.
func guardInputs(t *testing.T, r *Record) func() {
	t.Helper()
	headers := r.Headers[:cap(r.Headers)]
	headersSnap := deepCopy(slices.Clone(headers)).(connectors.Headers)
	key, keySnap := r.Key, deepCopy(r.Key)
	value, valueSnap := r.Value, deepCopy(r.Value)
	return func() {
		t.Helper()
		if !reflect.DeepEqual(headers, headersSnap) {
			t.Errorf("Apply changed the input Headers' backing array:\n got %v\nwant %v", headers, headersSnap)
		}
		if !reflect.DeepEqual(key, keySnap) {
			t.Errorf("Apply changed the input key: got %v, want %v", key, keySnap)
		}
		if !reflect.DeepEqual(value, valueSnap) {
			t.Errorf("Apply changed the input value: got %v, want %v", value, valueSnap)
		}
	}
}

// deepCopy copies Structs, maps, slices and headers recursively; schemas
// are shared, as they are immutable.
func deepCopy(v any) any {
	switch x := v.(type) {
	case *schemas.Struct:
		if x == nil {
			return x
		}
		c := schemas.NewStruct(x.Schema())
		for i := range x.Schema().Fields {
			if f := x.At(i); f != nil {
				if err := c.PutAt(i, deepCopy(f)); err != nil {
					panic(err)
				}
			}
		}
		return c
	case map[string]any:
		if x == nil {
			return x
		}
		c := maps.Clone(x)
		for k, e := range c {
			c[k] = deepCopy(e)
		}
		return c
	case map[any]any:
		if x == nil {
			return x
		}
		c := maps.Clone(x)
		for k, e := range c {
			c[k] = deepCopy(e)
		}
		return c
	case []any:
		if x == nil {
			return x
		}
		c := slices.Clone(x)
		for i, e := range c {
			c[i] = deepCopy(e)
		}
		return c
	case connectors.Headers:
		c := slices.Clone(x)
		for i := range c {
			c[i].Value = deepCopy(c[i].Value)
		}
		return c
	}
	return v
}

// spareHeaders returns hs in a slice with room to grow, so that a
// transformation appending to it in place would be caught by guardInputs.
func spareHeaders(hs ...connectors.Header) connectors.Headers {
	out := make(connectors.Headers, len(hs), len(hs)+4)
	copy(out, hs)
	return out
}

// strHeader is a header with a STRING value.
func strHeader(key, value string) connectors.Header {
	return connectors.Header{Key: key, Schema: schemas.StringSchema, Value: value}
}

// equalHeaders reports whether a and b hold equal headers; nil and empty are
// equal.
func equalHeaders(a, b connectors.Headers) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}
