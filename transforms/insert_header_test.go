package transforms

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

func TestInsertHeader(t *testing.T) {
	existing := strHeader("existing", "existing-value")
	tests := []struct {
		name, header, literal string
		headers               connectors.Headers
		want                  connectors.Header
	}{
		{"with other header", "inserted", "inserted-value", spareHeaders(existing),
			connectors.Header{Key: "inserted", Schema: schemas.StringSchema, Value: "inserted-value"}},
		{"with same header", "existing", "inserted-value", spareHeaders(existing),
			connectors.Header{Key: "existing", Schema: schemas.StringSchema, Value: "inserted-value"}},
		{"byte", "inserted", "1", spareHeaders(existing),
			connectors.Header{Key: "inserted", Schema: schemas.Int8Schema, Value: int8(1)}},
		{"no headers", "inserted", "true", nil,
			connectors.Header{Key: "inserted", Schema: schemas.BooleanSchema, Value: true}},
		{"long", "n", "5000000000", spareHeaders(existing),
			connectors.Header{Key: "n", Schema: schemas.Int64Schema, Value: int64(5000000000)}},
		{"empty", "e", "", spareHeaders(existing),
			connectors.Header{Key: "e", Schema: schemas.StringSchema, Value: ""}},
		{"null", "n", "null", spareHeaders(existing), connectors.Header{Key: "n"}},
		{"array", "a", "[1, 2]", spareHeaders(existing),
			connectors.Header{Key: "a", Schema: schemas.Array(schemas.Int8Schema).MustBuild(), Value: []any{int8(1), int8(2)}}},
		{"timestamp", "ts", "2024-01-02T03:04:05.678Z", spareHeaders(existing),
			connectors.Header{Key: "ts", Schema: schemas.TimestampSchema, Value: time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := configured(t, newInsertHeader(), map[string]string{"header": tt.header, "value.literal": tt.literal})
			r := &Record{Record: connectors.Record{Topic: "topic", Partition: connectors.Partition(0),
				Key: "key", Value: "value", Headers: tt.headers}}
			check := guardInputs(t, r)
			if keep, err := tr.Apply(r); err != nil || !keep {
				t.Fatalf("Apply = %v, %v", keep, err)
			}
			check()
			if len(r.Headers) != len(tt.headers)+1 || !equalHeaders(r.Headers[:len(tt.headers)], tt.headers) {
				t.Fatalf("headers = %v, want %v followed by the new one", r.Headers, tt.headers)
			}
			got := r.Headers[len(r.Headers)-1]
			if got.Key != tt.want.Key || !got.Schema.Equal(tt.want.Schema) || !schemas.EqualValues(got.Value, tt.want.Value) {
				t.Errorf("header = %+v, want %+v", got, tt.want)
			}
			if r.Topic != "topic" || r.Key != "key" || r.Value != "value" {
				t.Errorf("Apply changed more than the headers: %+v", r.Record)
			}
		})
	}
}

func TestInsertHeaderConfig(t *testing.T) {
	tests := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"value.literal": "1"}, `Missing required configuration "header" which has no default value.`},
		{map[string]string{"header": "inserted"}, `Missing required configuration "value.literal" which has no default value.`},
	}
	for _, tt := range tests {
		if got := configureError(t, newInsertHeader(), tt.props); got != tt.want {
			t.Errorf("Configure(%v) = %q, want %q", tt.props, got, tt.want)
		}
	}
}
