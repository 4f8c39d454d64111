package mysqlcdc

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/simple"
)

// capturedRecord is a record of Debezium 3.6.1's capture: its key payload,
// op and headers (the texts SimpleHeaderConverter wrote, in order).
type capturedRecord struct {
	Key struct {
		Payload map[string]any `json:"payload"`
	} `json:"key"`
	Value *struct {
		Payload struct {
			Op string `json:"op"`
		} `json:"payload"`
	} `json:"value"`
	Headers orderedHeaders `json:"headers"`
}

// orderedHeaders keeps a JSON object's keys in their order.
type orderedHeaders [][2]string

func (h *orderedHeaders) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*h = append(*h, [2]string{k.(string), v})
	}
	return nil
}

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// headerTexts converts a record's headers as the default header converter
// writes them.
func headerTexts(t *testing.T, r connectors.SourceRecord) [][2]string {
	t.Helper()
	var out [][2]string
	for _, h := range r.Headers {
		b, err := simple.HeaderConverter{}.FromConnectHeader(r.Topic, h.Key, h.Schema, h.Value)
		if err != nil {
			t.Fatalf("header %s: %v", h.Key, err)
		}
		out = append(out, [2]string{h.Key, string(b)})
	}
	return out
}

// TestDebeziumHeaders replays the capture's statements on its multi table
// (a two-column key; the snapshot's reads, updates, an insert, a primary
// key change) and compares every record's headers with those
// MariaDbConnector 3.6.1 wrote: the context headers on data and schema
// change records, the other key on a key change's delete, tombstone and
// create, none on heartbeats. The run id is compared by form (a UUIDv7,
// one per task start).
func TestDebeziumHeaders(t *testing.T) {
	raw, err := os.ReadFile("internal/events/testdata/debezium-3.6.1/mariadb/multi.json")
	if err != nil {
		t.Fatal(err)
	}
	var want []capturedRecord
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE multi (id1 INT NOT NULL, id2 VARCHAR(10) NOT NULL, v INT, PRIMARY KEY (id1, id2))",
		"INSERT INTO multi VALUES (1,'a',10),(1,'b',20),(2,'a',30)")
	h := newHarness(t, d, map[string]string{TopicPrefixKey: "dbzgold3", HeartbeatIntervalKey: "100"})
	got := only(h.startStreaming(), func(string) bool { return true })
	d.Exec(t, "UPDATE multi SET v = v + 1", "BEGIN", "INSERT INTO multi VALUES (3, 'c', 40)",
		"UPDATE multi SET v = v * 2 WHERE id1 = 1", "COMMIT", "UPDATE multi SET id2 = 'z' WHERE id1 = 2")
	topic := "dbzgold3." + d.Name + ".multi"
	got = append(got, h.poll(len(want)-3, func(s string) bool { return s == topic })...)
	// The snapshot's schema changes and a heartbeat came with the reads.
	var runID string
	var data []connectors.SourceRecord
	sawSchema, sawHeartbeat := false, false
	for _, r := range got {
		texts := headerTexts(t, r)
		switch {
		case r.Topic == "dbzgold3":
			sawSchema = true
			if len(texts) != 4 || texts[0] != [2]string{headerLogicalName, "dbzgold3"} || texts[2] != [2]string{headerConnectorName, "mariadb"} {
				t.Errorf("schema change headers %v", texts)
			}
		case r.Topic == topic:
			data = append(data, r)
		default:
			if len(texts) != 0 {
				t.Errorf("%s: headers %v, Debezium's heartbeats have none", r.Topic, texts)
			}
			sawHeartbeat = true
		}
	}
	if !sawSchema {
		t.Error("no schema change record")
	}
	for deadline := time.Now().Add(30 * time.Second); !sawHeartbeat; {
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat")
		}
		for _, r := range h.pollFor(200*time.Millisecond, nil) {
			if r.Topic == "__debezium-heartbeat.dbzgold3" {
				sawHeartbeat = true
				if len(r.Headers) != 0 {
					t.Errorf("heartbeat headers %v", headerTexts(t, r))
				}
			}
		}
	}
	if len(data) != len(want) {
		t.Fatalf("%d records of multi, the capture has %d", len(data), len(want))
	}
	for i, r := range data {
		w := want[i]
		texts := headerTexts(t, r)
		if runID == "" && len(texts) > 0 {
			runID = texts[len(texts)-1][1]
			if !uuidV7.MatchString(runID) {
				t.Errorf("runId %q is not a UUIDv7", runID)
			}
		}
		op := "tombstone"
		if w.Value != nil {
			op = w.Value.Payload.Op
		}
		k := r.Key.(*schemas.Struct)
		if gotOp := describeOp(r); gotOp != op || int64(k.Get("id1").(int32)) != int64(w.Key.Payload["id1"].(float64)) || k.Get("id2") != w.Key.Payload["id2"] {
			t.Fatalf("record %d: %s %v, the capture's %s %v", i, gotOp, k, op, w.Key.Payload)
		}
		if len(texts) != len(w.Headers) {
			t.Errorf("record %d (%s %v): headers %v, the capture's %v", i, op, k, texts, w.Headers)
			continue
		}
		for j, wh := range w.Headers {
			if wh[0] == headerRunID {
				wh[1] = runID
			}
			if texts[j] != wh {
				t.Errorf("record %d (%s %v) header %d: %v, the capture's %v", i, op, k, j, texts[j], wh)
			}
		}
	}
}

func describeOp(r connectors.SourceRecord) string {
	if r.Value == nil {
		return "tombstone"
	}
	return r.Value.(*schemas.Struct).Get("op").(string)
}

// TestExtendedHeadersDisabled: extended.headers.enabled=false leaves the
// context headers out; a key change still carries the other key.
func TestExtendedHeadersDisabled(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
	h := newHarness(t, d, map[string]string{ExtendedHeadersKey: "false"})
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (1,'a')", "UPDATE t SET id = 2 WHERE id = 1")
	got := h.poll(4, dataTopic(d, "t"))
	wantHeaders := []string{"", `__debezium.newkey={"id":2}`, `__debezium.newkey={"id":2}`, `__debezium.oldkey={"id":1}`}
	for i, r := range got {
		s := ""
		for _, x := range headerTexts(t, r) {
			s += x[0] + "=" + x[1]
		}
		if s != wantHeaders[i] {
			t.Errorf("record %d: headers %q, want %q", i, s, wantHeaders[i])
		}
	}
}
