package runtime

import (
	"slices"
	"testing"

	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestValidateFrameworkKeys44: the keys Kafka Connect 4.4 defines for every
// connector (config.action.reload) and for sources (exactly.once.support,
// transaction.boundary, transaction.boundary.interval.ms,
// offsets.storage.topic) are validated as Java does, and the values sluice
// does not support yet are refused on their key with the reason.
func TestValidateFrameworkKeys44(t *testing.T) {
	tests := []struct {
		name  string
		class string
		set   map[string]string
		key   string
		want  []string // the key's errors
	}{
		{name: "reload restart", class: "FileStreamSource", set: map[string]string{"config.action.reload": "restart"}, key: "config.action.reload"},
		{name: "reload none", class: "FileStreamSink", set: map[string]string{"config.action.reload": "none"}, key: "config.action.reload"},
		{name: "reload bogus", class: "FileStreamSink", set: map[string]string{"config.action.reload": "RESTART"}, key: "config.action.reload",
			want: []string{"Invalid value RESTART for configuration config.action.reload: String must be one of: none, restart"}},
		{name: "eos requested", class: "FileStreamSource", set: map[string]string{"exactly.once.support": "REQUESTED"}, key: "exactly.once.support"},
		{name: "eos required", class: "FileStreamSource", set: map[string]string{"exactly.once.support": "required"}, key: "exactly.once.support",
			want: []string{"Invalid value required for configuration exactly.once.support: This worker does not have exactly-once source support enabled: sluice does not support exactly-once source connectors yet; use requested"}},
		{name: "eos bogus", class: "FileStreamSource", set: map[string]string{"exactly.once.support": "maybe"}, key: "exactly.once.support",
			want: []string{"Invalid value maybe for configuration exactly.once.support: String must be one of (case insensitive): REQUIRED, REQUESTED"}},
		{name: "boundary poll", class: "FileStreamSource", set: map[string]string{"transaction.boundary": "Poll"}, key: "transaction.boundary"},
		{name: "boundary interval", class: "FileStreamSource", set: map[string]string{"transaction.boundary": "interval"}, key: "transaction.boundary",
			want: []string{"Invalid value interval for configuration transaction.boundary: sluice does not support exactly-once source connectors yet, so there are no producer transactions to bound; use poll"}},
		{name: "boundary bogus", class: "FileStreamSource", set: map[string]string{"transaction.boundary": "never"}, key: "transaction.boundary",
			want: []string{"Invalid value never for configuration transaction.boundary: String must be one of (case insensitive): INTERVAL, POLL, CONNECTOR"}},
		{name: "interval unset", class: "FileStreamSource", key: "transaction.boundary.interval.ms"},
		{name: "interval ok", class: "FileStreamSource", set: map[string]string{"transaction.boundary.interval.ms": "0"}, key: "transaction.boundary.interval.ms"},
		{name: "interval negative", class: "FileStreamSource", set: map[string]string{"transaction.boundary.interval.ms": "-1"}, key: "transaction.boundary.interval.ms",
			want: []string{"Invalid value -1 for configuration transaction.boundary.interval.ms: Value must be at least 0"}},
		{name: "interval not a number", class: "FileStreamSource", set: map[string]string{"transaction.boundary.interval.ms": "soon"}, key: "transaction.boundary.interval.ms",
			want: []string{"Invalid value soon for configuration transaction.boundary.interval.ms: Not a number of type LONG"}},
		{name: "offsets topic unset", class: "FileStreamSource", key: "offsets.storage.topic"},
		{name: "offsets topic set", class: "FileStreamSource", set: map[string]string{"offsets.storage.topic": "my-offsets"}, key: "offsets.storage.topic",
			want: []string{"Invalid value my-offsets for configuration offsets.storage.topic: sluice does not support a connector's own offsets topic yet; remove the key to keep the connector's offsets in the worker's offsets topic"}},
		{name: "offsets topic empty", class: "FileStreamSource", set: map[string]string{"offsets.storage.topic": ""}, key: "offsets.storage.topic",
			want: []string{"Invalid value  for configuration offsets.storage.topic: String must be non-empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := map[string]string{"name": "c", "connector.class": tt.class, "topic": "t", "topics": "t"}
			for k, v := range tt.set {
				cfg[k] = v
			}
			infos, _, err := ValidateConnectorConfig(builtin.Registry(), nil, cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := findConfig(infos, tt.key)
			if c == nil || c.Definition == nil {
				t.Fatalf("no definition of %s in the answer", tt.key)
			}
			if got := c.Value.Errors; !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Fatalf("errors on %s: %q, want %q", tt.key, got, tt.want)
			}
			if infos.ErrorCount != len(tt.want) {
				t.Fatalf("error_count %d, want %d", infos.ErrorCount, len(tt.want))
			}
		})
	}
}

// TestFrameworkKeysAsKafkaConnect44 pins the groups, orders, types, defaults,
// widths and importances of the framework's keys to Kafka Connect 4.4's
// ConnectorConfig and SourceConnectorConfig (read from its classes). Orders
// 3, 7, 9 and 11 of "Common" are the plugin version keys, and
// topic.creation.groups is order 1 of "Topic Creation": Java counts the
// orders of those groups together.
func TestFrameworkKeysAsKafkaConnect44(t *testing.T) {
	type want struct {
		group, typ, def, importance, width, display string
		order                                       int
	}
	tests := map[string]want{
		"name":                             {"Common", "STRING", "<nil>", "HIGH", "MEDIUM", "Connector name", 1},
		"connector.class":                  {"Common", "STRING", "<nil>", "HIGH", "LONG", "Connector class", 2},
		"tasks.max":                        {"Common", "INT", "1", "HIGH", "SHORT", "Tasks max", 4},
		"tasks.max.enforce":                {"Common", "BOOLEAN", "true", "LOW", "SHORT", "Enforce tasks max", 5},
		"key.converter":                    {"Common", "CLASS", "<nil>", "LOW", "SHORT", "Key converter class", 6},
		"value.converter":                  {"Common", "CLASS", "<nil>", "LOW", "SHORT", "Value converter class", 8},
		"header.converter":                 {"Common", "CLASS", "<nil>", "LOW", "SHORT", "Header converter class", 10},
		"transforms":                       {"Transforms", "LIST", "", "LOW", "LONG", "Transforms", 12},
		"predicates":                       {"Predicates", "LIST", "", "LOW", "LONG", "Predicates", 13},
		"config.action.reload":             {"Common", "STRING", "restart", "LOW", "MEDIUM", "Reload Action", 14},
		"exactly.once.support":             {"Exactly Once Support", "STRING", "requested", "MEDIUM", "SHORT", "Exactly once support", 2},
		"transaction.boundary":             {"Exactly Once Support", "STRING", "poll", "MEDIUM", "SHORT", "Transaction Boundary", 3},
		"transaction.boundary.interval.ms": {"Exactly Once Support", "LONG", "<nil>", "LOW", "SHORT", "Transaction boundary interval", 4},
		"offsets.storage.topic":            {"offsets.topic", "STRING", "<nil>", "LOW", "LONG", "Offsets topic", 1},
	}
	def := SourceDef()
	for name, w := range tests {
		k, ok := def.Key(name)
		if !ok {
			t.Errorf("%s is not defined for sources", name)
			continue
		}
		i := k.Info()
		d := "<nil>"
		if i.DefaultValue != nil {
			d = *i.DefaultValue
		}
		got := want{*i.Group, i.Type, d, i.Importance, i.Width, i.DisplayName, i.OrderInGroup}
		if got != w {
			t.Errorf("%s: got %+v, want %+v", name, got, w)
		}
	}
	for _, name := range []string{"exactly.once.support", "transaction.boundary", "transaction.boundary.interval.ms", "offsets.storage.topic"} {
		if _, ok := SinkDef().Key(name); ok {
			t.Errorf("%s is defined for sinks; Kafka Connect defines it for sources only", name)
		}
	}
}

func findConfig(infos herder.ConfigInfos, name string) *herder.ConfigInfo {
	for i := range infos.Configs {
		if c := &infos.Configs[i]; c.Value != nil && c.Value.Name == name {
			return c
		}
	}
	return nil
}
