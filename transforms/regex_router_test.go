package transforms

import (
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

func TestRegexRouter(t *testing.T) {
	tests := []struct {
		name, regex, replacement, topic, want string
	}{
		// Kafka Connect's RegexRouterTest.
		{"static replacement", "foo", "bar", "foo", "bar"},
		{"does not match", "foo", "bar", "orig", "orig"},
		{"identity", "(.*)", "$1", "orig", "orig"},
		{"add prefix", "(.*)", "prefix-$1", "orig", "prefix-orig"},
		{"add suffix", "(.*)", "$1-suffix", "orig", "orig-suffix"},
		{"slice", `(.*)-(\d\d\d\d\d\d\d\d)`, "$1", "index-20160117", "index"},
		// matches() needs the whole topic.
		{"partial match is no match", "foo", "bar", "foobar", "foobar"},
		{"partial match at end", "bar", "x", "foobar", "foobar"},
		// replaceFirst replaces the first match find() sees.
		{"first alternative", "a|ab", "X", "ab", "Xb"},
		{"lazy group", "(.*?)", "x-$1", "abc", "x-abc"},
		// Java's group references.
		{"group then text", "(a)(b)", "$1x$2", "ab", "axb"},
		{"group then digit", "(a)(b)", "$12", "ab", "a2"},
		{"named group", `(?<env>prod|dev)\.(?<name>.+)`, "${name}.${env}", "prod.orders", "orders.prod"},
		{"whole match", `db\.(\w+)`, "$0-copy", "db.orders", "db.orders-copy"},
		{"escaped dollar", "(.*)", `\$1-$1`, "t", "$1-t"},
		{"escaped backslash", "(.*)", `$1\\x`, "t", `t\x`},
		{"unmatched group is empty", "(a)?(b)", "[$1]$2", "b", "[]b"},
		{"case insensitive", "(?i)ORDERS-(.*)", "o-$1", "orders-eu", "o-eu"},
		{"Java-only escape", `\Qorders.\E(\p{Alnum}+)`, "$1", "orders.eu1", "eu1"},
		{"non-ASCII replacement", "(.*)", "$1-€", "t", "t-€"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := configured(t, newRegexRouter(), map[string]string{"regex": tt.regex, "replacement": tt.replacement})
			ts := time.UnixMilli(5)
			r := &Record{Record: connectors.Record{Topic: tt.topic, Partition: connectors.Partition(3),
				KeySchema: schemas.StringSchema, Key: "k", Value: map[string]any{"a": int64(1)}, Timestamp: ts,
				Headers: spareHeaders(strHeader("h", "v"))}, Offset: 9, Sink: true}
			check := guardInputs(t, r)
			if keep, err := tr.Apply(r); err != nil || !keep {
				t.Fatalf("Apply = %v, %v", keep, err)
			}
			check()
			if r.Topic != tt.want {
				t.Errorf("topic = %q, want %q", r.Topic, tt.want)
			}
			if *r.Partition != 3 || r.Key != "k" || r.KeySchema != schemas.StringSchema || !r.Timestamp.Equal(ts) ||
				len(r.Headers) != 1 || r.Offset != 9 || !r.Sink {
				t.Errorf("Apply changed more than the topic: %+v", r)
			}
		})
	}
}

func TestRegexRouterConfig(t *testing.T) {
	tests := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"replacement": "x"}, `Missing required configuration "regex" which has no default value.`},
		{map[string]string{"regex": "x"}, `Missing required configuration "replacement" which has no default value.`},
		{map[string]string{"regex": "[", "replacement": "x"},
			"Invalid value [ for configuration regex: Invalid regex: missing closing ]: `[`"},
		{map[string]string{"regex": "(.*)(?=-v1)", "replacement": "$1"},
			"Invalid value (.*)(?=-v1) for configuration regex: Invalid regex: lookahead (?= near index 4 is not supported: " +
				"sluice runs regular expressions on Go's RE2 engine, which has no lookaround, backreferences, " +
				"possessive quantifiers, atomic groups or nested character classes"},
		{map[string]string{"regex": `(a)\1`, "replacement": "x"},
			`Invalid value (a)\1 for configuration regex: Invalid regex: backreference \1 near index 3 is not supported`},
		{map[string]string{"regex": "(.*)", "replacement": "$2"},
			"Invalid value $2 for configuration replacement: No group 2"},
		{map[string]string{"regex": "(.*)", "replacement": "${x}"},
			"Invalid value ${x} for configuration replacement: No group with name {x}"},
		{map[string]string{"regex": "(.*)", "replacement": `a\`},
			`Invalid value a\ for configuration replacement: character to be escaped is missing`},
	}
	for _, tt := range tests {
		got := configureError(t, newRegexRouter(), tt.props)
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("Configure(%v) = %q, want it to start %q", tt.props, got, tt.want)
		}
	}
	k, _ := newRegexRouter().Config().Key("regex")
	if k.Validator.String() != "valid regex" {
		t.Errorf("regex validator = %q", k.Validator.String())
	}
}
