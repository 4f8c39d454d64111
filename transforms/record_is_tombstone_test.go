package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

func TestRecordIsTombstone(t *testing.T) {
	schema := schemas.NewBuilder(schemas.TypeStruct).Optional().Field("a", schemas.Int32Schema).MustBuild()
	tests := []struct {
		name string
		r    connectors.Record
		want bool
	}{
		{"null value", connectors.Record{Key: "k"}, true},
		{"null value with schema", connectors.Record{ValueSchema: schema}, true},
		{"nil Struct", connectors.Record{ValueSchema: schema, Value: (*schemas.Struct)(nil)}, true},
		{"nil map", connectors.Record{Value: map[string]any(nil)}, true},
		{"empty string", connectors.Record{Value: ""}, false},
		{"empty map", connectors.Record{Value: map[string]any{}}, false},
		{"null key only", connectors.Record{Value: int64(0)}, false},
	}
	p := configured(t, newRecordIsTombstone(), map[string]string{})
	for _, tt := range tests {
		if got := p.Test(&Record{Record: tt.r}); got != tt.want {
			t.Errorf("%s: Test = %v, want %v", tt.name, got, tt.want)
		}
	}
	if n := len(p.Config().Keys()); n != 0 {
		t.Errorf("RecordIsTombstone has %d config keys, want none", n)
	}
}
