package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/connectors"
)

func TestDropHeaders(t *testing.T) {
	existing := strHeader("existing", "existing-value")
	tests := []struct {
		name    string
		drop    string
		headers connectors.Headers
		want    connectors.Headers
	}{
		{"existing header", "to-drop",
			spareHeaders(existing, strHeader("to-drop", "v")), connectors.Headers{existing}},
		{"header with several values", "to-drop",
			spareHeaders(strHeader("to-drop", "a"), existing, strHeader("to-drop", "b")), connectors.Headers{existing}},
		{"missing header", "to-drop", spareHeaders(existing), connectors.Headers{existing}},
		{"several keys", "a,b",
			spareHeaders(strHeader("a", "1"), existing, strHeader("b", "2"), strHeader("c", "3")),
			connectors.Headers{existing, strHeader("c", "3")}},
		{"every header", "existing", spareHeaders(existing), nil},
		{"no headers", "to-drop", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := configured(t, newDropHeaders(), map[string]string{"headers": tt.drop})
			r := &Record{Record: connectors.Record{Topic: "topic", Key: "key", Value: "value", Headers: tt.headers}}
			check := guardInputs(t, r)
			keep, err := tr.Apply(r)
			if err != nil || !keep {
				t.Fatalf("Apply = %v, %v", keep, err)
			}
			check()
			if !equalHeaders(r.Headers, tt.want) {
				t.Errorf("headers = %v, want %v", r.Headers, tt.want)
			}
			if r.Topic != "topic" || r.Key != "key" || r.Value != "value" {
				t.Errorf("Apply changed more than the headers: %+v", r.Record)
			}
		})
	}
}

func TestDropHeadersConfig(t *testing.T) {
	tests := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, `Missing required configuration "headers" which has no default value.`},
		{map[string]string{"headers": ""}, "Invalid value [] for configuration headers: Empty list"},
	}
	for _, tt := range tests {
		if got := configureError(t, newDropHeaders(), tt.props); got != tt.want {
			t.Errorf("Configure(%v) = %q, want %q", tt.props, got, tt.want)
		}
	}
}
