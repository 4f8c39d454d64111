package standalone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

const structSchema = `{"type":"struct","fields":[{"type":"string","optional":false,"field":"line"},{"type":"string","optional":true,"field":"src"}],"optional":false}`

// TestTransformPipeline: file source → topic → file sink on the real
// broker. The source's chain hoists each line into a Struct, adds a static
// field and, under a TopicNameMatches predicate, routes the records to
// another topic with a RegexRouter group reference. The sink also reads a
// side topic and drops, with Filter under HasHeaderKey and
// RecordIsTombstone predicates, the records marked to skip and tombstones.
func TestTransformPipeline(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	in := testkit.NewTopic(t, bootstrap, 1)
	out := testkit.NewTopic(t, bootstrap, 1)
	side := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	inFile, outFile := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	lines := []string{"alpha", "beta", "gamma", "delta"}
	if err := os.WriteFile(inFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prefix, suffix, _ := strings.Cut(out, "-")
	if !strings.HasPrefix(in, prefix+"-") {
		t.Fatalf("topics %s and %s do not share a prefix", in, out)
	}

	sideRec := func(line string) []byte {
		return []byte(`{"schema":` + structSchema + `,"payload":{"line":"` + line + `","src":"side"}}`)
	}
	produceMessages(t, bootstrap,
		&sarama.ProducerMessage{Topic: side, Value: sarama.ByteEncoder(sideRec("kept"))},
		&sarama.ProducerMessage{Topic: side, Value: sarama.ByteEncoder(sideRec("skipped")), Headers: []sarama.RecordHeader{{Key: []byte("skip"), Value: []byte("yes")}}},
		&sarama.ProducerMessage{Topic: side, Key: sarama.StringEncoder("gone")}, // tombstone
		&sarama.ProducerMessage{Topic: side, Value: sarama.ByteEncoder(sideRec("kept too"))},
	)

	h := newHerder(t, bootstrap, nil)
	json := map[string]string{"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "true"}
	source := map[string]string{
		"connector.class": "FileStreamSource", "topic": in, "file": inFile,
		"transforms":                   "hoist,tag,route",
		"transforms.hoist.type":        "org.apache.kafka.connect.transforms.HoistField$Value",
		"transforms.hoist.field":       "line",
		"transforms.tag.type":          "org.apache.kafka.connect.transforms.InsertField$Value",
		"transforms.tag.static.field":  "src",
		"transforms.tag.static.value":  "file",
		"transforms.route.type":        "RegexRouter",
		"transforms.route.regex":       "(.*)-[0-9a-f]+",
		"transforms.route.replacement": "$1-" + suffix,
		"transforms.route.predicate":   "isIn",
		"predicates":                   "isIn",
		"predicates.isIn.type":         "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
		"predicates.isIn.pattern":      regexp.QuoteMeta(in),
	}
	sink := map[string]string{
		"connector.class": "FileStreamSink", "topics": out + "," + side, "file": outFile,
		"transforms":                          "dropSkipped,dropTombstones",
		"transforms.dropSkipped.type":         "Filter",
		"transforms.dropSkipped.predicate":    "hasSkip",
		"transforms.dropTombstones.type":      "org.apache.kafka.connect.transforms.Filter",
		"transforms.dropTombstones.predicate": "isTombstone",
		"predicates":                          "hasSkip,isTombstone",
		"predicates.hasSkip.type":             "HasHeaderKey",
		"predicates.hasSkip.name":             "skip",
		"predicates.isTombstone.type":         "RecordIsTombstone",
	}
	for k, v := range json {
		source[k], sink[k] = v, v
	}
	for name, cfg := range map[string]map[string]string{"src-" + in: source, "sink-" + in: sink} {
		cfg["name"] = name
		infos, err := h.ValidateConnectorConfig(context.Background(), cfg)
		if err != nil || infos.ErrorCount != 0 {
			t.Fatalf("validate %s: %v, %s", name, err, validationErrors(infos))
		}
		if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}

	var want []string
	for _, l := range lines {
		want = append(want, "Struct{line="+l+",src=file}")
	}
	want = append(want, "Struct{line=kept,src=side}", "Struct{line=kept too,src=side}")
	slices.Sort(want)
	got := awaitLines(t, outFile, len(want))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("sink wrote\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := countMessages(t, bootstrap, in); n != 0 {
		t.Errorf("%d records reached %s; the router should have sent them all to %s", n, in, out)
	}
}

// TestDeadLetterQueue: a sink with errors.tolerance=all writes the good
// records and sends the bad ones (one the converter cannot read, one a
// transformation cannot handle) to the dead letter queue as consumed, with
// the error context headers; the task keeps running.
func TestDeadLetterQueue(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dlq := topic + "-dlq"
	produceMessages(t, bootstrap,
		&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(`{"line":"one"}`)},
		&sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder("k1"), Value: sarama.StringEncoder("not json"), Headers: []sarama.RecordHeader{{Key: []byte("h"), Value: []byte("v")}}},
		&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(`{"line":"two"}`)},
		&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(`"a bare string"`)},
		&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(`{"line":"three"}`)},
	)
	outFile := filepath.Join(t.TempDir(), "out.txt")
	h := newHerder(t, bootstrap, nil)
	name := "dlq-" + topic
	cfg := map[string]string{
		"connector.class": "FileStreamSink", "topics": topic, "file": outFile,
		"value.converter": "JsonConverter", "value.converter.schemas.enable": "false",
		"transforms": "extract", "transforms.extract.type": "org.apache.kafka.connect.transforms.ExtractField$Value", "transforms.extract.field": "line",
		"errors.tolerance": "all", "errors.log.enable": "true",
		"errors.deadletterqueue.topic.name":               "  " + dlq + " ",
		"errors.deadletterqueue.topic.replication.factor": "1",
		"errors.deadletterqueue.context.headers.enable":   "true",
	}
	if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
		t.Fatal(err)
	}
	got := awaitLines(t, outFile, 3)
	if want := []string{"one", "two", "three"}; !slices.Equal(got, want) {
		t.Fatalf("sink wrote %q, want %q", got, want)
	}
	msgs := awaitMessages(t, bootstrap, dlq, 2)
	checks := []struct {
		offset      int64
		key, value  string
		stage, cls  string
		exception   string
		message     string
		userHeaders int
	}{
		{1, "k1", "not json", "VALUE_CONVERTER", "org.apache.kafka.connect.json.JsonConverter", "org.apache.kafka.connect.errors.DataException", "Converting byte[] to Kafka Connect data failed due to serialization error", 1},
		{3, "", `"a bare string"`, "TRANSFORMATION", "org.apache.kafka.connect.transforms.ExtractField$Value", "org.apache.kafka.connect.errors.DataException", "Only Map objects supported in absence of schema for [field extraction], found: java.lang.String", 0},
	}
	for i, c := range checks {
		m := msgs[i]
		if string(m.Key) != c.key || string(m.Value) != c.value {
			t.Errorf("dlq record %d is key %q value %q, want %q %q", i, m.Key, m.Value, c.key, c.value)
		}
		hs := map[string]string{}
		user := 0
		for _, h := range m.Headers {
			if k := string(h.Key); strings.HasPrefix(k, "__connect.errors.") {
				hs[strings.TrimPrefix(k, "__connect.errors.")] = string(h.Value)
			} else {
				user++
			}
		}
		if user != c.userHeaders {
			t.Errorf("dlq record %d carries %d of the original headers, want %d", i, user, c.userHeaders)
		}
		want := map[string]string{"topic": topic, "partition": "0", "offset": fmt.Sprint(c.offset), "connector.name": name, "task.id": "0",
			"stage": c.stage, "class.name": c.cls, "exception.class.name": c.exception}
		for k, v := range want {
			if hs[k] != v {
				t.Errorf("dlq record %d: header __connect.errors.%s = %q, want %q", i, k, hs[k], v)
			}
		}
		if !strings.Contains(hs["exception.message"], c.message) || hs["exception.stacktrace"] == "" {
			t.Errorf("dlq record %d: exception message %q (want it to contain %q), stack trace %q", i, hs["exception.message"], c.message, hs["exception.stacktrace"])
		}
	}
	st, err := h.ConnectorStatus(context.Background(), name)
	if err != nil || len(st.Tasks) != 1 || st.Tasks[0].State != herder.Running {
		t.Fatalf("status %+v, %v: the task should keep running", st, err)
	}
	// More good records still flow.
	produceMessages(t, bootstrap, &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(`{"line":"four"}`)})
	if got := awaitLines(t, outFile, 4); got[3] != "four" {
		t.Fatalf("sink wrote %q after the errors", got)
	}
}

// TestToleranceNoneFailsAndRestarts: with errors.tolerance=none a record the
// converter cannot read fails the task with a trace naming the stage, class
// and record; with task.restart.enable the task is restarted by itself, and
// the status says when. A task that failed for a passing reason (its output
// directory was missing) comes back and delivers every record.
func TestToleranceNoneFailsAndRestarts(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	h := newHerder(t, bootstrap, nil)
	restart := map[string]string{"task.restart.enable": "true", "task.restart.backoff.initial.ms": "100", "task.restart.backoff.max.ms": "400"}

	t.Run("bad record", func(t *testing.T) {
		topic := testkit.NewTopic(t, bootstrap, 1)
		produce(t, bootstrap, topic, `{"line":"ok"}`, "not json")
		name := "none-" + topic
		cfg := map[string]string{"connector.class": "FileStreamSink", "topics": topic, "file": filepath.Join(t.TempDir(), "out.txt"),
			"value.converter": "JsonConverter", "value.converter.schemas.enable": "false"}
		for k, v := range restart {
			cfg[k] = v
		}
		if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		first := awaitRestart(t, h, name, 1)
		for _, want := range []string{"Tolerance exceeded in error handler", "Executing stage 'VALUE_CONVERTER' with class 'org.apache.kafka.connect.json.JsonConverter'",
			"where consumed record is {topic='" + topic + "', partition=0, offset=1", "sluice restarts this task automatically in 100ms (restart 1)"} {
			if !strings.Contains(first.Trace, want) {
				t.Errorf("trace lacks %q:\n%s", want, first.Trace)
			}
		}
		// It comes back, meets the same record and fails again, waiting longer.
		third := awaitRestart(t, h, name, 3)
		if !strings.Contains(third.Trace, "in 400ms (restart 3)") {
			t.Errorf("third restart trace:\n%s", third.Trace)
		}
	})

	t.Run("passing failure", func(t *testing.T) {
		topic := testkit.NewTopic(t, bootstrap, 1)
		produce(t, bootstrap, topic, "a", "b", "c")
		outDir := filepath.Join(t.TempDir(), "later")
		outFile := filepath.Join(outDir, "out.txt")
		name := "comeback-" + topic
		cfg := map[string]string{"connector.class": "FileStreamSink", "topics": topic, "file": outFile}
		for k, v := range restart {
			cfg[k] = v
		}
		cfg["task.restart.backoff.max.ms"] = "200"
		if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		ts := awaitRestart(t, h, name, 1)
		if !strings.Contains(ts.Trace, "no such file or directory") {
			t.Errorf("trace:\n%s", ts.Trace)
		}
		if err := os.Mkdir(outDir, 0o755); err != nil {
			t.Fatal(err)
		}
		running := awaitTask(t, h, name, herder.Running)
		if running.AutoRestart != nil || running.Trace != "" {
			t.Errorf("running task still shows a failure: %+v", running)
		}
		if got := awaitLines(t, outFile, 3); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("sink wrote %q", got)
		}
	})
}

// awaitRestart waits until task 0 is FAILED with an automatic restart
// numbered at least attempt pending.
func awaitRestart(t *testing.T, h herder.Herder, name string, attempt int) herder.TaskState {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ts, err := h.TaskStatus(context.Background(), herder.TaskID{Connector: name})
		if err == nil && ts.State == herder.Failed && ts.AutoRestart != nil && ts.AutoRestart.Attempt >= attempt {
			if ts.AutoRestart.MaxAttempts != -1 || ts.AutoRestart.At.IsZero() {
				t.Errorf("auto_restart = %+v", ts.AutoRestart)
			}
			return ts
		}
		if time.Now().After(deadline) {
			b, _ := json.Marshal(ts)
			t.Fatalf("task %s-0 is %s (err %v); want FAILED with restart %d pending", name, b, err, attempt)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func validationErrors(infos herder.ConfigInfos) string {
	var out []string
	for _, c := range infos.Configs {
		if c.Value != nil && len(c.Value.Errors) > 0 {
			out = append(out, c.Value.Name+": "+strings.Join(c.Value.Errors, "; "))
		}
	}
	return strings.Join(out, "\n")
}

// awaitLines waits until the file holds n lines and returns them.
func awaitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) > 0 && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %q; want %d lines", path, b, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func produceMessages(t *testing.T, bootstrap string, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
}

// awaitMessages reads partition 0 of topic from the start until it has n
// records.
func awaitMessages(t *testing.T, bootstrap, topic string, n int) []*sarama.ConsumerMessage {
	t.Helper()
	// Reading must not create the topic (kfake would, with its default
	// partition count, before the connector creates it as it should be):
	// it waits for the topic to exist.
	cfg := testkit.SaramaConfig()
	cfg.Metadata.AllowAutoTopicCreation = false
	c, err := sarama.NewConsumer(testkit.Addrs(bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(time.Minute)
	var pc sarama.PartitionConsumer
	for {
		pc, err = c.ConsumePartition(topic, 0, sarama.OffsetOldest)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("consume %s: %v", topic, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	defer pc.Close()
	var out []*sarama.ConsumerMessage
	timeout := time.After(time.Until(deadline))
	for len(out) < n {
		select {
		case m := <-pc.Messages():
			out = append(out, m)
		case <-timeout:
			t.Fatalf("%d of %d records in %s", len(out), n, topic)
		}
	}
	return out
}

// countMessages returns how many records partition 0 of topic holds.
func countMessages(t *testing.T, bootstrap, topic string) int64 {
	t.Helper()
	client, err := sarama.NewClient(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	newest, err := client.GetOffset(topic, 0, sarama.OffsetNewest)
	if err != nil {
		t.Fatal(err)
	}
	oldest, err := client.GetOffset(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	return newest - oldest
}
