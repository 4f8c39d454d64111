package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
)

// kcConfigTopic is the config topic of a real Kafka Connect 4.4.0 worker
// after it created a FileStreamSource and a FileStreamSink (see the
// README beside it): the golden records a Kafka Connect → sluice switch
// starts from.
const kcConfigTopic = "../../api/testdata/kc-4.4.0/config-topic-after-sink.json"

// kcRecord is one record of a dumped topic.
type kcRecord struct {
	Key   *string         `json:"key"`
	Value json.RawMessage `json:"value"`
}

// TestDistributedTakesOverKafkaConnectTaskConfigs starts a sluice
// distributed worker on a config topic holding what a Kafka Connect 4.4.0
// worker wrote for a FileStreamSource and a FileStreamSink (its connector-,
// task- and commit- records, with this test's names, files and topic): the
// tasks run with Kafka Connect's task configs, sluice writes no task
// config or commit of its own, and no task is stopped or started again.
// A changed connector config does produce new task configs and restarts
// the task (the negative control).
func TestDistributedTakesOverKafkaConnectTaskConfigs(t *testing.T) {
	raw, err := os.ReadFile(kcConfigTopic)
	if err != nil {
		t.Fatalf("the golden Kafka Connect records: %v", err)
	}
	var golden []kcRecord
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatalf("%s: %v", kcConfigTopic, err)
	}

	cl := newCluster(t)
	ctx := context.Background()
	suffix := strings.TrimPrefix(cl.props["group.id"], "sluice-")
	src, sink := "kcsrc-"+suffix, "kcsink-"+suffix
	topic := testkit.NewTopic(t, cl.bootstrap, 1)
	rename, in, out := kcRenamer(t, golden, cl.dir, src, sink, topic)
	appendLines(t, in, 0, 3)

	// The records as Kafka Connect's JsonConverter writes them (compact
	// JSON), in their order. The session key, redacted in the dump, is left
	// out: the sluice worker distributes its own.
	var msgs []*sarama.ProducerMessage
	wantTasks := map[string][]map[string]string{}
	for _, r := range golden {
		if r.Key == nil || *r.Key == "session-key" {
			continue
		}
		key := rename.Replace(*r.Key)
		m := &sarama.ProducerMessage{Topic: cl.props["config.storage.topic"], Partition: 0, Key: sarama.StringEncoder(key)}
		if !bytes.Equal(r.Value, []byte("null")) {
			var b bytes.Buffer
			if err := json.Compact(&b, []byte(rename.Replace(string(r.Value)))); err != nil {
				t.Fatalf("record %s: %v", key, err)
			}
			m.Value = sarama.ByteEncoder(b.Bytes())
			if name, n, ok := taskRecordKey(key); ok {
				var v struct {
					Properties map[string]string `json:"properties"`
				}
				if err := json.Unmarshal(b.Bytes(), &v); err != nil {
					t.Fatalf("record %s: %v", key, err)
				}
				for len(wantTasks[name]) <= n {
					wantTasks[name] = append(wantTasks[name], nil)
				}
				wantTasks[name][n] = v.Properties
			}
		}
		msgs = append(msgs, m)
	}
	if len(wantTasks[src]) != 1 || len(wantTasks[sink]) != 1 {
		t.Fatalf("the golden records hold task configs %v, want one task of each connector", wantTasks)
	}
	createCompactedTopic(t, cl.bootstrap, cl.props["config.storage.topic"])
	cfg := testkit.SaramaConfig()
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer(testkit.Addrs(cl.bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if _, _, err := p.SendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	written := len(readAllPartitions(t, cl.bootstrap, cl.props["config.storage.topic"]))

	w := cl.start("w1")
	cl.awaitRunning(time.Minute, []string{src, sink}, 1)
	eventually(t, time.Minute, "the input's lines in the sink's file", func() (bool, string) {
		n := countLines(out)
		return n == 3, fmt.Sprintf("%d of 3 lines", n)
	}, w.w)
	for _, name := range []string{src, sink} {
		tasks, err := w.c.Tasks(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) != 1 || !maps.Equal(tasks[0].Config, wantTasks[name][0]) {
			t.Fatalf("%s tasks %v, want Kafka Connect's %v", name, tasks, wantTasks[name])
		}
	}

	// Read the config topic to its end, now that everything runs: sluice
	// added no task config, commit or connector config.
	recs := readAllPartitions(t, cl.bootstrap, cl.props["config.storage.topic"])
	for _, m := range recs[written:] {
		if k := string(m.Key); !strings.HasPrefix(k, "session-key") {
			t.Errorf("sluice wrote %s %s to the config topic taken over from Kafka Connect", k, m.Value)
		}
	}
	// Each task started once, and was never stopped.
	for _, id := range []string{src + "-0", sink + "-0"} {
		running := 0
		for _, r := range cl.readStatusTopic() {
			if r.key == "status-task-"+id && r.state == "RUNNING" {
				running++
			}
		}
		if running != 1 {
			t.Errorf("task %s reported RUNNING %d times, want once", id, running)
		}
	}
	if stopped := stoppedAfter(cl.readStatusTopic(), []string{src + "-0", sink + "-0", src, sink}, time.Time{}); len(stopped) > 0 {
		t.Errorf("work taken over from Kafka Connect was interrupted: %v", stopped)
	}
	if log := w.w.Log(); strings.Contains(log, "task configurations changed") {
		t.Errorf("the worker changed task configurations:\n%s", log)
	}
	if t.Failed() {
		return
	}

	// The negative control: a changed connector config is new task
	// configs, and the task restarts with them.
	srcCfg, err := w.c.ConnectorConfig(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	srcCfg["batch.size"] = "7"
	if _, _, err := w.c.PutConnectorConfig(ctx, src, srcCfg); err != nil {
		t.Fatal(err)
	}
	want := maps.Clone(wantTasks[src][0])
	want["batch.size"] = "7"
	eventually(t, time.Minute, "the new task config", func() (bool, string) {
		tasks, err := w.c.Tasks(ctx, src)
		if err != nil {
			return false, err.Error()
		}
		return len(tasks) == 1 && maps.Equal(tasks[0].Config, want), fmt.Sprint(tasks)
	}, w.w)
	var newRecs []string
	for _, m := range readAllPartitions(t, cl.bootstrap, cl.props["config.storage.topic"])[len(recs):] {
		newRecs = append(newRecs, string(m.Key))
	}
	for _, k := range []string{"connector-" + src, "task-" + src + "-0", "commit-" + src} {
		if !slices.Contains(newRecs, k) {
			t.Errorf("after the config change the config topic got %v, want a %s record", newRecs, k)
		}
	}
	eventually(t, time.Minute, "the source's task RUNNING again", func() (bool, string) {
		running := 0
		for _, r := range cl.readStatusTopic() {
			if r.key == "status-task-"+src+"-0" && r.state == "RUNNING" {
				running++
			}
		}
		return running == 2, fmt.Sprintf("RUNNING %d times", running)
	}, w.w)
}

// taskRecordKey parses a config topic key task-<connector>-<n>.
func taskRecordKey(key string) (string, int, bool) {
	rest, ok := strings.CutPrefix(key, "task-")
	if !ok {
		return "", 0, false
	}
	i := strings.LastIndex(rest, "-")
	if i < 0 {
		return "", 0, false
	}
	var n int
	if _, err := fmt.Sscanf(rest[i+1:], "%d", &n); err != nil {
		return "", 0, false
	}
	return rest[:i], n, true
}

// createCompactedTopic creates a one-partition compacted topic, as Kafka
// Connect creates its config topic.
func createCompactedTopic(t *testing.T, bootstrap, name string) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	compact := "compact"
	if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"cleanup.policy": &compact}}, false); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

// kcRenamer replaces what the golden records name (the connectors, the
// directory of their files, the topic) with this test's own; it returns
// the source's and the sink's files in dir.
func kcRenamer(t *testing.T, golden []kcRecord, dir, src, sink, topic string) (r *strings.Replacer, in, out string) {
	t.Helper()
	var pairs []string
	var fileDir, kcTopic string
	for _, r := range golden {
		if r.Key == nil || !strings.HasPrefix(*r.Key, "connector-") {
			continue
		}
		var v struct {
			Properties map[string]string `json:"properties"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("record %s: %v", *r.Key, err)
		}
		switch v.Properties["connector.class"] {
		case "FileStreamSource":
			pairs = append(pairs, v.Properties["name"], src)
			kcTopic = v.Properties["topic"]
			in = filepath.Join(dir, filepath.Base(v.Properties["file"]))
		case "FileStreamSink":
			pairs = append(pairs, v.Properties["name"], sink)
			out = filepath.Join(dir, filepath.Base(v.Properties["file"]))
		default:
			continue
		}
		fileDir = filepath.Dir(v.Properties["file"])
	}
	if len(pairs) != 4 || fileDir == "" || kcTopic == "" {
		t.Fatalf("the golden records hold no FileStreamSource and FileStreamSink with a file and a topic")
	}
	return strings.NewReplacer(append(pairs, fileDir+"/", dir+"/", kcTopic, topic)...), in, out
}
