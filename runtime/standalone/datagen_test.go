package standalone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestDatagenUsers: the datagen connector's users quickstart, with
// iterations=N, JsonConverter values with schemas and StringConverter keys,
// writes N records keyed by userid to the real broker, then idles RUNNING.
func TestDatagenUsers(t *testing.T) {
	const n = 25
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	h := newHerder(t, bootstrap, nil)
	name := "datagen-" + topic
	cfg := map[string]string{
		"name":                           name,
		"connector.class":                "Datagen",
		"kafka.topic":                    topic,
		"quickstart":                     "users",
		"iterations":                     "25",
		"max.interval":                   "0",
		"random.seed":                    "42",
		"key.converter":                  "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable": "true",
	}
	infos, err := h.ValidateConnectorConfig(context.Background(), cfg)
	if err != nil || infos.ErrorCount != 0 {
		t.Fatalf("validate: %v, %s", err, validationErrors(infos))
	}
	if _, _, err := h.PutConnectorConfig(context.Background(), name, cfg, false, ""); err != nil {
		t.Fatal(err)
	}

	type envelope struct {
		Schema struct {
			Type   string `json:"type"`
			Name   string `json:"name"`
			Fields []struct {
				Field    string `json:"field"`
				Type     string `json:"type"`
				Optional bool   `json:"optional"`
			} `json:"fields"`
		} `json:"schema"`
		Payload map[string]any `json:"payload"`
	}
	wantFields := map[string]string{"registertime": "int64", "userid": "string", "regionid": "string", "gender": "string"}
	userid := regexp.MustCompile(`^User_[1-9]$`)
	for i, m := range awaitMessages(t, bootstrap, topic, n) {
		var e envelope
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatalf("record %d: %v: %s", i, err, m.Value)
		}
		if e.Schema.Type != "struct" || e.Schema.Name != "ksql.users" || len(e.Schema.Fields) != len(wantFields) {
			t.Fatalf("record %d schema: %s", i, m.Value)
		}
		for _, f := range e.Schema.Fields {
			if wantFields[f.Field] != f.Type || f.Optional {
				t.Fatalf("record %d field %s is %s (optional %v): %s", i, f.Field, f.Type, f.Optional, m.Value)
			}
		}
		uid, _ := e.Payload["userid"].(string)
		if !userid.MatchString(uid) || string(m.Key) != uid {
			t.Fatalf("record %d: key %q, userid %q", i, m.Key, uid)
		}
		if g, _ := e.Payload["gender"].(string); g != "MALE" && g != "FEMALE" && g != "OTHER" {
			t.Fatalf("record %d: gender %q", i, g)
		}
		headers := map[string]string{}
		for _, h := range m.Headers {
			headers[string(h.Key)] = string(h.Value)
		}
		if headers["task.id"] != "0" || headers["current.iteration"] != itoa(i) || headers["task.generation"] != "0" {
			t.Fatalf("record %d headers %v", i, headers)
		}
	}
	// The task stays RUNNING, and stops at N.
	awaitTask(t, h, name, herder.Running)
	time.Sleep(500 * time.Millisecond)
	if got := countMessages(t, bootstrap, topic); got != n {
		t.Fatalf("%d records in %s, want %d", got, topic, n)
	}
	offs, err := h.ConnectorOffsets(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for len(offs.Offsets) == 0 || offs.Offsets[0].Offset["current.iteration"] != int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("offsets %+v", offs)
		}
		time.Sleep(50 * time.Millisecond)
		if offs, err = h.ConnectorOffsets(context.Background(), name); err != nil {
			t.Fatal(err)
		}
	}
	if p := offs.Offsets[0].Partition["task.id"]; fmt.Sprint(p) != "0" {
		t.Fatalf("partition %+v", offs.Offsets[0].Partition)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
