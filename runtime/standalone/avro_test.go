package standalone_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/avro"
)

// TestDatagenAvroPipeline: datagen → AvroConverter → topic → AvroConverter
// → file sink, on the real broker and registry, for quickstarts with a
// Decimal, a Date and a Timestamp, nested records and arrays. The same
// connectors with the same seed run beside it through JsonConverter; both
// sinks must write exactly the same lines, one per generated record.
func TestDatagenAvroPipeline(t *testing.T) {
	const n = 40
	bootstrap := testkit.Kafka(t)
	registry := testkit.SchemaRegistryURL(t)
	h := newHerder(t, bootstrap, nil)
	dir := t.TempDir()
	for _, quickstart := range []string{"purchases", "pizza_orders", "shoe_orders"} {
		outputs := map[string]string{}
		for _, conv := range []string{"avro", "json"} {
			topic := testkit.NewTopic(t, bootstrap, 1)
			out := filepath.Join(dir, quickstart+"-"+conv+".txt")
			outputs[conv] = out
			convCfg := map[string]string{
				"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
				"key.converter.schemas.enable":   "true",
				"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
				"value.converter.schemas.enable": "true",
			}
			if conv == "avro" {
				convCfg = map[string]string{
					"key.converter":                       "AvroConverter",
					"key.converter.schema.registry.url":   registry,
					"value.converter":                     "io.confluent.connect.avro.AvroConverter",
					"value.converter.schema.registry.url": registry,
				}
			}
			source := map[string]string{
				"connector.class": "DatagenConnector", "kafka.topic": topic, "quickstart": quickstart,
				"iterations": fmt.Sprint(n), "max.interval": "0", "random.seed": "7", "tasks.max": "1",
			}
			sink := map[string]string{"connector.class": "FileStreamSink", "topics": topic, "file": out}
			for k, v := range convCfg {
				source[k], sink[k] = v, v
			}
			for name, cfg := range map[string]map[string]string{"src-" + topic: source, "sink-" + topic: sink} {
				if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
					t.Fatalf("%s %s: %v", quickstart, name, err)
				}
			}
			if conv == "avro" {
				// The value subject holds the schema AvroData makes of the
				// quickstart's Connect schema.
				assertSubject(t, registry, topic+"-value")
			}
		}
		avroLines := awaitLines(t, outputs["avro"], n)
		jsonLines := awaitLines(t, outputs["json"], n)
		if !slices.Equal(avroLines, jsonLines) {
			t.Fatalf("%s: the Avro pipeline wrote\n%s\nthe JSON one\n%s", quickstart, strings.Join(avroLines[:3], "\n"), strings.Join(jsonLines[:3], "\n"))
		}
		if len(slices.Compact(slices.Clone(avroLines))) < n/2 {
			t.Fatalf("%s: the records are mostly equal; datagen did not vary them: %q", quickstart, avroLines[:5])
		}
	}
}

func assertSubject(t *testing.T, registry, subject string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(registry + "/subjects/" + subject + "/versions/latest")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("subject %s never appeared in the registry (%v)", subject, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAvroBadInput: records the AvroConverter cannot read (a wrong magic
// byte, an unknown schema id) go to the dead letter queue with
// errors.tolerance=all while good records flow on; with tolerance none the
// first one fails the task with a trace that names it, and nothing after
// it is committed.
func TestAvroBadInput(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	registry := testkit.SchemaRegistryURL(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	w := avro.New()
	if err := w.Configure(map[string]string{avro.SchemaRegistryURLConfig: registry}, false); err != nil {
		t.Fatal(err)
	}
	s := schemas.NewBuilder(schemas.TypeStruct).Name("bad.Input").Field("n", schemas.Int32Schema).MustBuild()
	good := func(n int32) []byte {
		b, err := w.FromConnectData(topic, s, schemas.NewStruct(s).MustPut("n", n))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	unknownID := []byte{0, 0x7f, 0xff, 0xff, 0xf0, 2}
	produceMessages(t, bootstrap,
		&sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(good(1))},
		&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(`{"not":"avro"}`)},
		&sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(unknownID)},
		&sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(good(2))},
	)
	conv := map[string]string{"value.converter": "AvroConverter", "value.converter.schema.registry.url": registry}

	t.Run("tolerance all", func(t *testing.T) {
		h := newHerder(t, bootstrap, nil)
		out := filepath.Join(t.TempDir(), "out.txt")
		dlq := topic + "-dlq"
		cfg := map[string]string{"connector.class": "FileStreamSink", "topics": topic, "file": out,
			"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
			"errors.deadletterqueue.topic.replication.factor": "1", "errors.deadletterqueue.context.headers.enable": "true"}
		for k, v := range conv {
			cfg[k] = v
		}
		name := "avro-all-" + topic
		if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		if got := awaitLines(t, out, 2); !slices.Equal(got, []string{"Struct{n=1}", "Struct{n=2}"}) {
			t.Fatalf("sink wrote %q", got)
		}
		msgs := awaitMessages(t, bootstrap, dlq, 2)
		for i, want := range []string{"Unknown magic byte!", "Error retrieving Avro value schema for id 2147483632"} {
			var msg string
			for _, hd := range msgs[i].Headers {
				if string(hd.Key) == "__connect.errors.exception.message" {
					msg = string(hd.Value)
				}
			}
			if !strings.Contains(msg, want) {
				t.Errorf("dlq record %d: exception message %q, want it to contain %q", i, msg, want)
			}
		}
		if !bytes.Equal(msgs[0].Value, []byte(`{"not":"avro"}`)) || !bytes.Equal(msgs[1].Value, unknownID) {
			t.Errorf("dlq records are not the original bytes: %q %x", msgs[0].Value, msgs[1].Value)
		}
		awaitTask(t, h, name, herder.Running)
	})

	t.Run("tolerance none", func(t *testing.T) {
		h := newHerder(t, bootstrap, nil)
		out := filepath.Join(t.TempDir(), "out.txt")
		cfg := map[string]string{"connector.class": "FileStreamSink", "topics": topic, "file": out}
		for k, v := range conv {
			cfg[k] = v
		}
		name := "avro-none-" + topic
		if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		st := awaitTask(t, h, name, herder.Failed)
		for _, want := range []string{"Tolerance exceeded in error handler", "VALUE_CONVERTER", "offset=1", "Unknown magic byte!"} {
			if !strings.Contains(st.Trace, want) {
				t.Errorf("trace lacks %q:\n%s", want, st.Trace)
			}
		}
		// Kafka Connect converts a whole batch before it puts it, so the good
		// record before the bad one was not put either; the group's committed
		// offset stays before the bad record, and a restart reads both again.
		off, err := testkit.GroupOffset(bootstrap, "connect-"+name, topic, 0)
		if err != nil {
			t.Fatal(err)
		}
		if off > 1 {
			t.Errorf("the sink committed offset %d, past the record it failed on", off)
		}
	})
}

// TestAvroRegistryProblems: a registry that cannot be reached and a schema
// the registry rejects as incompatible each fail the task with a clear
// trace, and nothing is produced.
func TestAvroRegistryProblems(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	registry := testkit.SchemaRegistryURL(t)
	h := newHerder(t, bootstrap, nil)
	input := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(input, []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("registry down", func(t *testing.T) {
		topic := testkit.NewTopic(t, bootstrap, 1)
		name := "avro-down-" + topic
		cfg := map[string]string{"connector.class": "FileStreamSource", "file": input, "topic": topic,
			"value.converter": "AvroConverter", "value.converter.schema.registry.url": "http://127.0.0.1:1",
			"value.converter.max.retries": "1", "value.converter.retries.wait.ms": "10"}
		if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		st := awaitTask(t, h, name, herder.Failed)
		for _, want := range []string{"VALUE_CONVERTER", "Failed to serialize Avro data from topic " + topic, "schema registry http://127.0.0.1:1 unreachable"} {
			if !strings.Contains(st.Trace, want) {
				t.Errorf("trace lacks %q:\n%s", want, st.Trace)
			}
		}
		if n := countMessages(t, bootstrap, topic); n != 0 {
			t.Errorf("%d records produced", n)
		}
	})

	t.Run("incompatible schema", func(t *testing.T) {
		topic := testkit.NewTopic(t, bootstrap, 1)
		subject := topic + "-value"
		put(t, registry+"/config/"+subject, `{"compatibility":"BACKWARD"}`)
		post(t, registry+"/subjects/"+subject+"/versions", `{"schema":"{\"type\":\"record\",\"name\":\"Old\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}"}`)
		name := "avro-incompatible-" + topic
		cfg := map[string]string{"connector.class": "FileStreamSource", "file": input, "topic": topic,
			"value.converter": "AvroConverter", "value.converter.schema.registry.url": registry}
		if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		st := awaitTask(t, h, name, herder.Failed)
		for _, want := range []string{"VALUE_CONVERTER", "Error registering Avro schema \"string\" under subject " + subject, "error code 409"} {
			if !strings.Contains(st.Trace, want) {
				t.Errorf("trace lacks %q:\n%s", want, st.Trace)
			}
		}
		if n := countMessages(t, bootstrap, topic); n != 0 {
			t.Errorf("%d records produced", n)
		}
	})
}

func put(t *testing.T, url, body string)  { t.Helper(); send(t, http.MethodPut, url, body) }
func post(t *testing.T, url, body string) { t.Helper(); send(t, http.MethodPost, url, body) }

func send(t *testing.T, method, url, body string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		t.Fatalf("%s %s: %s %s", method, url, resp.Status, b.String())
	}
}
