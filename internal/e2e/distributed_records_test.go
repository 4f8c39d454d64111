package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// internalRecord is one record of an internal topic as the tests compare
// it: the key, and the status's state, "topic" for an active-topic record,
// the config record's value, or "null" for a tombstone.
type internalRecord struct {
	key, value string
}

func (r internalRecord) String() string { return r.key + " " + r.value }

// readInternal reads every record of one of the cluster's internal topics
// in offset order (the tests give the status topic a single partition).
func (cl *cluster) readInternal(topic string) []internalRecord {
	cl.t.Helper()
	var out []internalRecord
	for _, m := range readAllPartitions(cl.t, cl.bootstrap, topic) {
		r := internalRecord{key: string(m.Key), value: "null"}
		if m.Value != nil {
			r.value = string(m.Value)
			if strings.HasPrefix(r.key, "status-") {
				var v struct {
					State   string          `json:"state"`
					Topic   json.RawMessage `json:"topic"`
					Version *string         `json:"version"`
				}
				if err := json.Unmarshal(m.Value, &v); err != nil {
					cl.t.Fatalf("status record %s is not JSON: %v: %s", m.Key, err, m.Value)
				}
				// Kafka Connect 4.4 writes the plugin's version in these
				// (KIP-891; the capture's status-topic-final.json).
				if (v.State == "RUNNING" || v.State == "PAUSED" || v.State == "STOPPED") && (v.Version == nil || *v.Version == "") {
					cl.t.Fatalf("status record %s without the plugin version: %s", m.Key, m.Value)
				}
				r.value = v.State
				if v.Topic != nil {
					r.value = "topic"
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// recordsOf keeps the records whose key is one of keys.
func recordsOf(recs []internalRecord, keys ...string) []string {
	var out []string
	for _, r := range recs {
		if slices.Contains(keys, r.key) {
			out = append(out, r.String())
		}
	}
	return out
}

// TestDistributedInternalRecords holds a distributed worker's records in
// the config and status topics to what Kafka Connect 4.4.0 writes for the
// same calls (api/testdata/kc-4.4.0: config-topic-final.json,
// status-topic-final.json and the README's notes on restart, stop and
// delete), record by record and in the capture's order for each key:
//   - create: connector-, task-, commit- records and no target-state
//     record; with initial_state (KIP-980) the target state goes first;
//   - restart with includeTasks: connector UNASSIGNED, RESTARTING, task
//     UNASSIGNED, RESTARTING, then both RUNNING; a plain restart:
//     UNASSIGNED, then RUNNING;
//   - stop: connector STOPPED, task UNASSIGNED then tombstoned;
//   - delete: connector and task UNASSIGNED, then the active-topic records
//     (KIP-558) tombstoned, then the task's and the connector's status;
//     a connector created again with the same name lists no topic of the
//     deleted one.
func TestDistributedInternalRecords(t *testing.T) {
	cl := newCluster(t)
	cl.props["status.storage.partitions"] = "1" // one partition: the records in write order
	n := cl.start("w1")
	configTopic, statusTopic := cl.props["config.storage.topic"], cl.props["status.storage.topic"]

	topic := testkit.NewTopic(t, cl.bootstrap, 1)
	in := filepath.Join(cl.dir, "in.txt")
	appendLines(t, in, 0, 3)
	create := func(name, topic, initial string) {
		t.Helper()
		body := map[string]any{"name": name, "config": map[string]string{
			"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": topic}}
		if initial != "" {
			body["initial_state"] = initial
		}
		b, _ := json.Marshal(body)
		send(t, n, "POST", "/connectors", string(b), nil).want(t, 201, nil)
	}
	topicsAre := func(name string, topics ...string) func(a answer) bool {
		return func(a answer) bool {
			b, _ := json.Marshal(map[string]map[string][]string{name: {"topics": append([]string{}, topics...)}})
			return a.code == 200 && jsonEq(a.body, b)
		}
	}
	// awaitStatus waits until the records of keys written since the
	// status topic held from records are want, in that order.
	awaitStatus := func(what string, from int, want []string, keys ...string) {
		t.Helper()
		eventually(t, 30*time.Second, what+" in the status topic", func() (bool, string) {
			recs := cl.readInternal(statusTopic)
			got := recordsOf(recs[min(from, len(recs)):], keys...)
			return slices.Equal(got, want), fmt.Sprintf("got %q, want %q", got, want)
		}, cl.live()...)
	}
	statusCount := func() int { return len(cl.readInternal(statusTopic)) }

	// Create: no target-state record.
	create("src", topic, "")
	onBoth(t, cl, "src RUNNING", "/connectors/src/status", statusIs(herder.Running, 1), n)
	onBoth(t, cl, "src's active topic", "/connectors/src/topics", topicsAre("src", topic), n)
	configKeys := []string{"connector-src", "task-src-0", "commit-src", "target-state-src"}
	got := recordsOf(cl.readInternal(configTopic), configKeys...)
	for i, prefix := range []string{"connector-src ", "task-src-0 ", "commit-src "} {
		if len(got) != 3 || !strings.HasPrefix(got[i], prefix) {
			t.Fatalf("config records of src after its creation: %q; want connector-src, task-src-0, commit-src (no target-state-src)", got)
		}
	}
	if got[2] != `commit-src {"tasks":1}` {
		t.Fatalf("commit record %q", got[2])
	}
	// A stale PAUSED target state left for a name (a pause that landed
	// after a deletion's tombstone), read by the worker when it creates the
	// next connector (it reads the config topic to its end after writing).
	cfg := testkit.SaramaConfig()
	cfg.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(testkit.Addrs(cl.bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: configTopic, Key: sarama.StringEncoder("target-state-stale"),
		Value: sarama.StringEncoder(`{"state":"PAUSED","state.v2":"PAUSED"}`)}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	// With initial_state, the target state first, then the connector.
	create("paused", topic, "PAUSED")
	onBoth(t, cl, "paused PAUSED", "/connectors/paused/status", func(a answer) bool {
		var st herder.ConnectorStateInfo
		return a.code == 200 && json.Unmarshal(a.body, &st) == nil && st.Connector.State == herder.Paused
	}, n)
	got = recordsOf(cl.readInternal(configTopic), "target-state-paused", "connector-paused")
	if len(got) != 2 || got[0] != `target-state-paused {"state":"PAUSED","state.v2":"PAUSED"}` || !strings.HasPrefix(got[1], "connector-paused ") {
		t.Fatalf("config records of a connector created PAUSED: %q; want its target state, then its configuration", got)
	}
	// Created over the stale target state: STARTED first, so that it runs.
	create("stale", topic, "")
	onBoth(t, cl, "stale RUNNING", "/connectors/stale/status", statusIs(herder.Running, 1), n)
	got = recordsOf(cl.readInternal(configTopic), "target-state-stale", "connector-stale")
	if len(got) != 3 || got[1] != `target-state-stale {"state":"STARTED","state.v2":"STARTED"}` || !strings.HasPrefix(got[2], "connector-stale ") {
		t.Fatalf("config records of a connector created over a stale PAUSED target state: %q; want STARTED, then its configuration", got)
	}

	srcKeys := []string{"status-connector-src", "status-task-src-0"}
	awaitStatus("src's first statuses", 0, []string{"status-connector-src RUNNING", "status-task-src-0 RUNNING"}, srcKeys...)

	// Restart with includeTasks: UNASSIGNED, RESTARTING, RUNNING.
	from := statusCount()
	send(t, n, "POST", "/connectors/src/restart?includeTasks=true", "", nil).want(t, 202, nil)
	awaitStatus("src's restart with its tasks", from, []string{
		"status-connector-src UNASSIGNED", "status-connector-src RESTARTING",
		"status-task-src-0 UNASSIGNED", "status-task-src-0 RESTARTING",
		"status-connector-src RUNNING", "status-task-src-0 RUNNING"}, srcKeys...)

	// Plain restarts: UNASSIGNED, RUNNING.
	from = statusCount()
	send(t, n, "POST", "/connectors/src/restart", "", nil).wantEmpty(t, 204)
	awaitStatus("src's plain restart", from, []string{"status-connector-src UNASSIGNED", "status-connector-src RUNNING"}, srcKeys...)
	from = statusCount()
	send(t, n, "POST", "/connectors/src/tasks/0/restart", "", nil).wantEmpty(t, 204)
	awaitStatus("src's task restart", from, []string{"status-task-src-0 UNASSIGNED", "status-task-src-0 RUNNING"}, srcKeys...)

	// Stop: the connector STOPPED, the task UNASSIGNED, then tombstoned.
	from = statusCount()
	send(t, n, "PUT", "/connectors/src/stop", "", nil).wantEmpty(t, 204)
	awaitStatus("src's stopped connector", from, []string{"status-connector-src STOPPED"}, "status-connector-src")
	awaitStatus("src's stopped task", from, []string{"status-task-src-0 UNASSIGNED", "status-task-src-0 null"}, "status-task-src-0")
	send(t, n, "PUT", "/connectors/src/resume", "", nil).wantEmpty(t, 202)
	onBoth(t, cl, "src RUNNING again", "/connectors/src/status", statusIs(herder.Running, 1), n)
	awaitStatus("src's resumed statuses", from, []string{"status-connector-src STOPPED", "status-task-src-0 UNASSIGNED",
		"status-task-src-0 null", "status-connector-src RUNNING", "status-task-src-0 RUNNING"}, srcKeys...)

	// Delete: UNASSIGNED, the active-topic records tombstoned, then the
	// statuses.
	topicKey := "status-topic-" + topic + ":connector-src"
	from = statusCount()
	send(t, n, "DELETE", "/connectors/src", "", nil).wantEmpty(t, 204)
	awaitStatus("src's deletion", from, []string{"status-connector-src UNASSIGNED", "status-task-src-0 UNASSIGNED",
		topicKey + " null", "status-task-src-0 null", "status-connector-src null"}, append(srcKeys, topicKey)...)
	eventually(t, 30*time.Second, "src's status gone", func() (bool, string) {
		a := send(t, n, "GET", "/connectors/src/status", "", nil)
		return a.code == 404, a.String()
	}, cl.live()...)
	// An unknown connector's topics: 200 with none (Kafka Connect) or 404.
	if a := send(t, n, "GET", "/connectors/src/topics", "", nil); a.code != 404 && !topicsAre("src")(a) {
		t.Fatalf("topics of the deleted src: %s; want none", a)
	}

	// The same name again, on another topic: only the new topic is listed.
	topic2 := testkit.NewTopic(t, cl.bootstrap, 1)
	create("src", topic2, "")
	if a := send(t, n, "GET", "/connectors/src/topics", "", nil); !topicsAre("src")(a) && !topicsAre("src", topic2)(a) {
		t.Fatalf("topics of src created again: %s; want none of the deleted connector's", a)
	}
	onBoth(t, cl, "src RUNNING after its re-creation", "/connectors/src/status", statusIs(herder.Running, 1), n)
	appendLines(t, in, 3, 5) // the deleted connector's offsets remain: it resumes at the end of the file
	onBoth(t, cl, "src's new active topic only", "/connectors/src/topics", topicsAre("src", topic2), n)
	// Created again without initial_state: no target-state record after
	// the deletion's tombstone.
	got = recordsOf(cl.readInternal(configTopic), configKeys...)
	tomb := slices.Index(got, "target-state-src null")
	if tomb < 0 || slices.ContainsFunc(got[tomb+1:], func(s string) bool { return strings.HasPrefix(s, "target-state-src ") }) {
		t.Fatalf("config records of src: %q; want its target state tombstoned on deletion and none written when created again", got)
	}
}
