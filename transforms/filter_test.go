package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/connectors"
)

func TestFilter(t *testing.T) {
	tr := configured(t, newFilter(), map[string]string{"predicate": "isTomb", "negate": "false"})
	for _, r := range []*Record{
		{Record: connectors.Record{Topic: "t", Value: "v"}},
		{Record: connectors.Record{Topic: "t"}, Sink: true},
	} {
		if keep, err := tr.Apply(r); keep || err != nil {
			t.Errorf("Apply(%+v) = %v, %v; want false, nil", r, keep, err)
		}
	}
	if n := len(tr.Config().Keys()); n != 0 {
		t.Errorf("Filter has %d config keys, want none", n)
	}
}
