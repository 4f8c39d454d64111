package standalone_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestNumericConvertersPipeline: a datagen source whose key.converter is
// LongConverter, value.converter DoubleConverter and header.converter
// LongConverter writes Kafka's serializer bytes to the real broker
// (big-endian, 8 bytes: 1234.31 is Java's 0x4093493d70a3d70a), and a file
// sink with the same converters reads them back: the values it writes are
// the doubles' Java strings.
func TestNumericConvertersPipeline(t *testing.T) {
	const n = 6
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	h := newHerder(t, bootstrap, nil)
	ctx := context.Background()
	converters := map[string]string{
		"key.converter":    "org.apache.kafka.connect.converters.LongConverter",
		"value.converter":  "DoubleConverter",
		"header.converter": "Long",
	}
	// n iterates from past the int32 range; d takes two values.
	schema := `{"type":"record","name":"r","fields":[` +
		`{"name":"n","type":{"type":"long","arg.properties":{"iteration":{"start":4294967296}}}},` +
		`{"name":"d","type":{"type":"double","arg.properties":{"options":[1234.31,-2.5]}}}]}`
	src := map[string]string{
		"connector.class": "Datagen", "kafka.topic": topic, "schema.string": schema, "schema.keyfield": "n",
		"iterations": strconv.Itoa(n), "max.interval": "0",
		"transforms": "d", "transforms.d.type": "org.apache.kafka.connect.transforms.ExtractField$Value", "transforms.d.field": "d",
	}
	for k, v := range converters {
		src[k] = v
	}
	name := "numeric-src-" + topic
	src["name"] = name
	infos, err := h.ValidateConnectorConfig(ctx, src)
	if err != nil || infos.ErrorCount != 0 {
		t.Fatalf("validate: %v, %s", err, validationErrors(infos))
	}
	if _, _, err := h.PutConnectorConfig(ctx, name, src, false, ""); err != nil {
		t.Fatal(err)
	}
	javaBytes := map[string]float64{"4093493d70a3d70a": 1234.31, "c004000000000000": -2.5}
	var values []string
	for i, m := range awaitMessages(t, bootstrap, topic, n) {
		if want := binary.BigEndian.AppendUint64(nil, uint64(4294967296+i)); !bytes.Equal(m.Key, want) {
			t.Fatalf("record %d key %x, want %x", i, m.Key, want)
		}
		d, ok := javaBytes[hex.EncodeToString(m.Value)]
		if !ok {
			t.Fatalf("record %d value %x is none of Java's %v", i, m.Value, javaBytes)
		}
		values = append(values, strconv.FormatFloat(d, 'g', -1, 64))
		headers := map[string][]byte{}
		for _, h := range m.Headers {
			headers[string(h.Key)] = h.Value
		}
		for k, want := range map[string]int64{"task.id": 0, "task.generation": 0, "current.iteration": int64(i)} {
			if got := headers[k]; !bytes.Equal(got, binary.BigEndian.AppendUint64(nil, uint64(want))) {
				t.Fatalf("record %d header %s = %x, want the 8 bytes of %d", i, k, got, want)
			}
		}
	}

	// The same converters read the records back.
	out := filepath.Join(t.TempDir(), "out.txt")
	sink := map[string]string{"connector.class": "FileStreamSink", "topics": topic, "file": out}
	for k, v := range converters {
		sink[k] = v
	}
	sinkName := "numeric-sink-" + topic
	if _, _, err := h.PutConnectorConfig(ctx, sinkName, sink, false, ""); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(out)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) == n {
			if !slices.Equal(lines, values) {
				t.Fatalf("sink wrote %q, want %q", lines, values)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sink wrote %q after a minute, want %d lines", b, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
