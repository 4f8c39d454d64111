package jsonlines_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/connectortest"
	"github.com/sluicehq/sluice/examples/jsonlines"
	"github.com/sluicehq/sluice/schemas"
)

// read returns the lines of the file the connector configured with props
// writes, decoded (JSON numbers as json.Number).
func read(t *testing.T, props map[string]string) []connectors.Record {
	var out []connectors.Record
	for _, line := range connectortest.Lines(t, props["file"]) {
		var l jsonlines.Line
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("a line of %s is not JSON: %v: %s", props["file"], err, line)
		}
		out = append(out, connectors.Record{Topic: l.Topic, Partition: connectors.Partition(l.Partition), Key: decode(t, l.Key), Value: decode(t, l.Value)})
	}
	return out
}

func decode(t *testing.T, b json.RawMessage) any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func props(t *testing.T) map[string]string {
	return map[string]string{"file": filepath.Join(t.TempDir(), "out.jsonl")}
}

func TestAcceptance(t *testing.T) {
	connectortest.Sink(t, connectortest.SinkConfig{Plugin: jsonlines.Plugin, Props: props, Read: read})
}

// Struct values with a tombstone every fifth record, compared on what the
// file keeps: topic, partition, key and value as JSON.
func TestAcceptanceStructs(t *testing.T) {
	schema := schemas.NewBuilder(schemas.TypeStruct).Name("user").
		Field("id", schemas.Int64Schema).Field("name", schemas.StringSchema).Optional().MustBuild()
	connectortest.Sink(t, connectortest.SinkConfig{
		Plugin: jsonlines.Plugin, Props: props, Read: read,
		Generate: func(i int) connectors.Record {
			r := connectors.Record{KeySchema: schemas.Int64Schema, Key: int64(i), ValueSchema: schema}
			if i%5 != 4 {
				r.Value = schemas.NewStruct(schema).MustPut("id", int64(i)).MustPut("name", fmt.Sprintf("user %d", i))
			}
			return r
		},
		Equal: func(want, got connectors.Record) bool {
			wantValue := any(nil)
			if s, ok := want.Value.(*schemas.Struct); ok {
				wantValue = map[string]any{"id": json.Number(fmt.Sprint(s.Get("id"))), "name": s.Get("name")}
			}
			return want.Topic == got.Topic && *want.Partition == *got.Partition &&
				got.Key == json.Number(fmt.Sprint(want.Key)) && reflect.DeepEqual(got.Value, wantValue)
		},
		Skip: []string{"Plugin", "ConfigDef", "Validate", "BadConfig", "Lifecycle"},
	})
}
