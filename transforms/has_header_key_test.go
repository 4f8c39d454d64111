package transforms

import (
	"reflect"
	"testing"

	"github.com/sluicehq/sluice/connectors"
)

func TestHasHeaderKey(t *testing.T) {
	p := configured(t, newHasHeaderKey(), map[string]string{"name": "foo"})
	tests := []struct {
		keys []string
		want bool
	}{
		{[]string{"foo"}, true},
		{[]string{"foo", "bar"}, true},
		{[]string{"bar", "foo", "bar", "foo"}, true},
		{[]string{"bar"}, false},
		{[]string{"bar", "bar"}, false},
		{[]string{"Foo"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		var hs connectors.Headers
		for _, k := range tt.keys {
			hs.Add(k, nil, nil)
		}
		if got := p.Test(&Record{Record: connectors.Record{Headers: hs}}); got != tt.want {
			t.Errorf("Test(%v) = %v, want %v", tt.keys, got, tt.want)
		}
	}
}

func TestHasHeaderKeyConfig(t *testing.T) {
	if got, want := configureError(t, newHasHeaderKey(), map[string]string{}),
		`Missing required configuration "name" which has no default value.`; got != want {
		t.Errorf("Configure = %q, want %q", got, want)
	}
	if got, want := configureError(t, newHasHeaderKey(), map[string]string{"name": ""}),
		"Invalid value  for configuration name: String must be non-empty"; got != want {
		t.Errorf("Configure = %q, want %q", got, want)
	}
	// Kafka Connect's testConfig.
	res := newHasHeaderKey().Config().Validate(map[string]string{"name": ""})
	if want := []string{"Invalid value  for configuration name: String must be non-empty"}; !reflect.DeepEqual(res[0].Errors, want) {
		t.Errorf("Validate errors = %q, want %q", res[0].Errors, want)
	}
}
