package order

import (
	"math/big"
	"slices"
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	t.Parallel()
	m := map[any]any{
		"b": 0, "a": 0, int64(10): 0, int8(-2): 0, 2.5: 0, true: 0, false: 0, nil: 0,
		big.NewRat(3, 1): 0, time.Unix(5, 0): 0, time.Unix(1, 0): 0, struct{ X int }{1}: 0,
	}
	got := Keys(m)
	want := []string{"<nil>", "false", "true", "-2", "3/1", "10", "2.5", "a", "b"}
	for i, w := range want {
		if s := str(got[i]); s != w {
			t.Fatalf("Keys()[%d] = %s, want %s (all: %v)", i, s, w, got)
		}
	}
	if !got[9].(time.Time).Before(got[10].(time.Time)) {
		t.Errorf("times out of order: %v", got[9:11])
	}
	if StringKeys(map[string]any{"b": 1, "a": 2})[0] != "a" {
		t.Error("StringKeys not sorted")
	}
	if !slices.IsSortedFunc(got, Compare) {
		t.Error("Keys not sorted by Compare")
	}
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case *big.Rat:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	case int8:
		return "-2"
	case int64:
		return "10"
	case float64:
		return "2.5"
	}
	return "?"
}
