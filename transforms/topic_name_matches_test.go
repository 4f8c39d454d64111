package transforms

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/connectors"
)

func TestTopicNameMatches(t *testing.T) {
	p := configured(t, newTopicNameMatches(), map[string]string{"pattern": "my-prefix-.*"})
	for topic, want := range map[string]bool{
		"my-prefix-":       true,
		"my-prefix-foo":    true,
		"x-my-prefix-":     false,
		"x-my-prefix-foo":  false,
		"your-prefix-":     false,
		"your-prefix-foo":  false,
		"":                 false,
		"my-prefix-foo\nx": false,
	} {
		if got := p.Test(&Record{Record: connectors.Record{Topic: topic}}); got != want {
			t.Errorf("Test(%q) = %v, want %v", topic, got, want)
		}
	}
}

func TestTopicNameMatchesConfig(t *testing.T) {
	tests := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, `Missing required configuration "pattern" which has no default value.`},
		{map[string]string{"pattern": ""}, "Invalid value  for configuration pattern: String must be non-empty"},
		{map[string]string{"pattern": "["}, "Invalid value [ for configuration pattern: Invalid regex: missing closing ]: `[`"},
		{map[string]string{"pattern": "*"}, "Invalid value * for configuration pattern: Invalid regex: missing argument to repetition operator: `*`"},
		{map[string]string{"pattern": "(?<!x)y"}, "Invalid value (?<!x)y for configuration pattern: Invalid regex: negative lookbehind (?<! near index 0 is not supported"},
	}
	for _, tt := range tests {
		if got := configureError(t, newTopicNameMatches(), tt.props); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Configure(%v) = %q, want it to start %q", tt.props, got, tt.want)
		}
	}

	// Kafka Connect's testConfig: validation reports one error for the key.
	def := newTopicNameMatches().Config()
	if res := def.Validate(map[string]string{"pattern": "my-prefix-.*"}); len(res[0].Errors) != 0 {
		t.Errorf("errors for a valid pattern: %v", res[0].Errors)
	}
	res := def.Validate(map[string]string{"pattern": "*"})
	if len(res[0].Errors) != 1 || !strings.Contains(res[0].Errors[0], "Invalid regex") {
		t.Errorf("errors for *: %v", res[0].Errors)
	}
	if k, _ := def.Key("pattern"); k.Validator.String() != "non-empty string, valid regex" {
		t.Errorf("validator = %q", k.Validator.String())
	}
}
