package runtime

import (
	"log/slog"
	"testing"

	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/storage"
)

// TestValidateConverterDefaults: as in Kafka Connect 4.4, the converter
// keys of a validation answer show the worker's converter as default_value,
// and as value the converter the connector will use (its own, else the
// worker's), by full class name; a class no plugin has shows null.
func TestValidateConverterDefaults(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter"}, log)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
	const (
		str    = "org.apache.kafka.connect.storage.StringConverter"
		json   = "org.apache.kafka.connect.json.JsonConverter"
		header = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
	)
	tests := []struct {
		name            string
		set             map[string]string
		key, def, value string
		errs            int
	}{
		{name: "worker's key converter, alias resolved", key: "key.converter", def: str, value: str},
		{name: "worker's value converter", key: "value.converter", def: json, value: json},
		{name: "worker's default header converter", key: "header.converter", def: header, value: header},
		{name: "the connector's own", set: map[string]string{"value.converter": "StringConverter"}, key: "value.converter", def: json, value: str},
		{name: "the connector's own, header", set: map[string]string{"header.converter": "StringConverter"}, key: "header.converter", def: header, value: str},
		{name: "unknown class: null, as a value that does not parse", set: map[string]string{"key.converter": "com.example.Nope"}, key: "key.converter", def: str, value: "<nil>", errs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := map[string]string{"name": "s", "connector.class": "FileStreamSink", "topics": "t"}
			for k, v := range tt.set {
				cfg[k] = v
			}
			infos, _, err := w.ValidateConnectorConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := findConfig(infos, tt.key)
			if c == nil || c.Definition == nil {
				t.Fatalf("no %s in the answer", tt.key)
			}
			def, value := "<nil>", "<nil>"
			if c.Definition.DefaultValue != nil {
				def = *c.Definition.DefaultValue
			}
			if c.Value.Value != nil {
				value = *c.Value.Value
			}
			if def != tt.def || value != tt.value || infos.ErrorCount != tt.errs {
				t.Fatalf("%s: default_value %s, value %s, error_count %d; want %s, %s, %d", tt.key, def, value, infos.ErrorCount, tt.def, tt.value, tt.errs)
			}
		})
	}
}
