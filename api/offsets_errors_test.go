package api_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestOffsetsMistakes: an offsets change that names what does not exist or
// lacks what the connector needs is the client's mistake, answered 400
// with a message naming it (Kafka Connect answers several of these 500). A
// reset of any source partition is taken, as in Kafka Connect, so that
// offsets written by mistake can be removed. Against the real broker.
func TestOffsetsMistakes(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 2)
	snk := topic + "-snk" // its group connect-<name> is this run's own
	w := startWorker(t, bootstrap, nil)
	for _, c := range []string{
		`{"name":"src","initial_state":"STOPPED","config":{"connector.class":"FileStreamSource","file":"` + filepath.Join(w.dir, "in.txt") + `","topic":"` + topic + `"}}`,
		`{"name":"` + snk + `","initial_state":"STOPPED","config":{"connector.class":"FileStreamSink","file":"` + filepath.Join(w.dir, "out.txt") + `","topics":"` + topic + `"}}`,
		`{"name":"gen","initial_state":"STOPPED","config":{"connector.class":"Datagen","quickstart":"users","kafka.topic":"` + topic + `"}}`,
	} {
		if r := w.do(t, "POST", "/connectors", c); r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}
	sinkEntry := func(topic string, partition int) string {
		return fmt.Sprintf(`{"partition":{"kafka_topic":%q,"kafka_partition":%d},"offset":{"kafka_offset":1}}`, topic, partition)
	}
	for _, tc := range []struct {
		name, connector, body, want string
	}{
		{"source: empty partition", "src", `{"offsets":[{"partition":{},"offset":{"position":3}}]}`,
			"Failed to alter offsets for connector src: Partition objects should contain the key 'filename'"},
		{"source: negative position", "src", `{"offsets":[{"partition":{"filename":"x"},"offset":{"position":-3}}]}`,
			"Failed to alter offsets for connector src: The value for the 'position' key in the offset should be a non-negative value"},
		{"source: position a string", "src", `{"offsets":[{"partition":{"filename":"x"},"offset":{"position":"3"}}]}`,
			"Failed to alter offsets for connector src: The value for the 'position' key in the offset is expected to be a Long value"},
		{"source: null partition", "src", `{"offsets":[{"partition":null,"offset":{"position":3}}]}`,
			"The partition for a source connector offset cannot be null or missing"},
		{"datagen: no task", "gen", `{"offsets":[{"partition":{},"offset":{"current.iteration":3}}]}`,
			"Failed to alter offsets for connector gen: Partition objects should contain the key 'task.id' with a task number"},
		{"sink: unknown topic", snk, `{"offsets":[` + sinkEntry(topic+"-nope", 0) + `]}`,
			"Failed to alter consumer group offsets for connector " + snk + ": topic '" + topic + "-nope' does not exist"},
		{"sink: unknown partition", snk, `{"offsets":[` + sinkEntry(topic, 0) + `,` + sinkEntry(topic, 2) + `]}`,
			"Failed to alter consumer group offsets for connector " + snk + ": topic '" + topic + "' has no partition 2 (it has 2 partitions, numbered from 0)"},
		{"sink: empty partition", snk, `{"offsets":[{"partition":{}}]}`,
			"The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, "PATCH", "/connectors/"+tc.connector+"/offsets", tc.body)
			if r.status != 400 {
				t.Fatalf("status %d, want 400; body %s", r.status, r.body)
			}
			if got := r.errorMessage(t).Message; got != tc.want {
				t.Fatalf("message\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	// Nothing was written.
	for _, c := range []string{"src", snk, "gen"} {
		if r := w.do(t, "GET", "/connectors/"+c+"/offsets", ""); r.status != 200 || string(r.body) != "{\"offsets\":[]}\n" {
			t.Fatalf("offsets of %s: %d %s", c, r.status, r.body)
		}
	}

	// The file source takes a reset of a partition that does not name its
	// file.
	if r := w.do(t, "PATCH", "/connectors/src/offsets", `{"offsets":[{"partition":{}},{"partition":{"filename":1}},{"partition":{"file":"x"},"offset":null}]}`); r.status != 200 {
		t.Fatalf("reset of partitions without a file name: %d %s", r.status, r.body)
	}
	if r := w.do(t, "GET", "/connectors/src/offsets", ""); r.status != 200 || string(r.body) != "{\"offsets\":[]}\n" {
		t.Fatalf("offsets of src after the reset: %d %s", r.status, r.body)
	}
}
