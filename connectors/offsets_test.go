package connectors

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestNormalizeOffset(t *testing.T) {
	in := map[string]any{"i": 7, "i8": int8(-1), "u32": uint32(4), "u64": uint64(1) << 62, "f32": float32(0.1),
		"f": 3.0, "n": json.Number("12"), "nf": json.Number("1.5"), "s": "x", "b": false, "z": nil}
	want := map[string]any{"i": int64(7), "i8": int64(-1), "u32": int64(4), "u64": int64(1) << 62, "f32": 0.1,
		"f": 3.0, "n": int64(12), "nf": 1.5, "s": "x", "b": false, "z": nil}
	got, err := NormalizeOffset(in)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("NormalizeOffset = %#v, %v; want %#v", got, err, want)
	}
	got["i"] = "changed"
	if in["i"] != 7 {
		t.Fatal("NormalizeOffset changed its argument")
	}
	if got, err := NormalizeOffset(nil); got != nil || err != nil {
		t.Fatalf("NormalizeOffset(nil) = %v, %v", got, err)
	}
	for _, tc := range []struct {
		v    any
		want string
	}{
		{math.NaN(), "field k contains NaN"},
		{float32(math.Inf(-1)), "field k contains -Inf"},
		{uint64(math.MaxUint64), "field k contains 18446744073709551615, beyond the range of a long"},
		{map[string]any{}, "field k contains MAP"},
		{[]any{1}, "field k contains ARRAY"},
		{struct{}{}, "field k contains struct {}"},
		{json.Number("123456789012345678901234567890"), "field k contains class java.math.BigInteger"},
	} {
		m := map[string]any{"a": 1, "k": tc.v}
		_, err := NormalizeOffset(m)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NormalizeOffset(%#v): %v, want %q", tc.v, err, tc.want)
		}
		if cerr := CheckOffset(m); cerr == nil || cerr.Error() != err.Error() {
			t.Errorf("CheckOffset(%#v) = %v, want %v", tc.v, cerr, err)
		}
	}
}
