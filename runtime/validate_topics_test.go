package runtime

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/plugins/builtin"
)

// TestValidateTopicNames: every key that names a topic is checked with
// Kafka's rules, the error on that key naming the offending name, for the
// framework's sink keys and the built-in connectors' own.
func TestValidateTopicNames(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name, key, want string
		cfg             map[string]string
	}{
		{"sink topics", "topics", "Invalid value bad topic for configuration topics: Topic name is invalid: 'bad topic' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
			map[string]string{"connector.class": "FileStreamSink", "topics": "bad topic,also/bad"}},
		{"sink topics, one bad among good", "topics", "Invalid value a\nb for configuration topics: Topic name is invalid: 'a\nb' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
			map[string]string{"connector.class": "FileStreamSink", "topics": "good,a\nb"}},
		{"sink topics, too long", "topics", "Invalid value " + long + " for configuration topics: Topic name is invalid: the length of '" + long + "' is longer than the max allowed length 249",
			map[string]string{"connector.class": "FileStreamSink", "topics": long}},
		{"sink topics.regex", "topics.regex", "Invalid value ( for configuration topics.regex: Invalid regex: …",
			map[string]string{"connector.class": "FileStreamSink", "topics.regex": "("}},
		{"dead letter queue", "errors.deadletterqueue.topic.name", "Invalid value dlq/1 for configuration errors.deadletterqueue.topic.name: Topic name is invalid: 'dlq/1' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
			map[string]string{"connector.class": "FileStreamSink", "topics": "t", "errors.deadletterqueue.topic.name": "dlq/1"}},
		{"file source topic", "topic", "Invalid value .. for configuration topic: Topic name is invalid: '..' is not allowed",
			map[string]string{"connector.class": "FileStreamSource", "topic": ".."}},
		{"datagen kafka.topic", "kafka.topic", "Invalid value users! for configuration kafka.topic: Topic name is invalid: 'users!' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
			map[string]string{"connector.class": "Datagen", "kafka.topic": "users!", "quickstart": "users"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg["name"] = "c"
			infos, _, err := ValidateConnectorConfig(builtin.Registry(), nil, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			for _, c := range infos.Configs {
				if c.Value != nil && c.Value.Name == tc.key {
					errs = c.Value.Errors
				}
			}
			if len(errs) == 0 {
				t.Fatalf("no error on %s; error_count %d", tc.key, infos.ErrorCount)
			}
			if prefix, ok := strings.CutSuffix(tc.want, "…"); ok {
				if !strings.HasPrefix(errs[0], prefix) {
					t.Fatalf("%s: %q, want prefix %q", tc.key, errs[0], prefix)
				}
			} else if errs[0] != tc.want {
				t.Fatalf("%s:\n%q\nwant\n%q", tc.key, errs[0], tc.want)
			}
		})
	}
	// Empty entries of a sink's topics are dropped, as Kafka Connect does.
	infos, _, err := ValidateConnectorConfig(builtin.Registry(), nil, map[string]string{"name": "c", "connector.class": "FileStreamSink", "topics": "a,b,"})
	if err != nil || infos.ErrorCount != 0 {
		t.Fatalf("topics a,b,: %v, %d errors", err, infos.ErrorCount)
	}
}
