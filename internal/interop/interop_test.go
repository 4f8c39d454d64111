package interop

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// orderSchema exercises the conversions of confluent_avro.py: logical types, unions (optional
// and with several branches), defaults, bytes, float, enum, array, map, and a custom property
// (connect.name) that the registry must hand back unchanged.
const orderSchema = `{"type": "record", "name": "Order", "namespace": "com.example",
 "fields": [
  {"name": "id", "type": "long"},
  {"name": "name", "type": "string", "default": "anon"},
  {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
  {"name": "day", "type": {"type": "int", "logicalType": "date"}},
  {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "note", "type": ["null", "string"], "default": null},
  {"name": "choice", "type": ["null", "long", "string",
     {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]}], "default": null},
  {"name": "raw", "type": "bytes"},
  {"name": "f", "type": "float"},
  {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
  {"name": "tags", "type": {"type": "array", "items": "string"}},
  {"name": "attrs", "type": {"type": "map", "values": "double"}}
 ],
 "connect.name": "com.example.Order"}`

// TestConfluentPythonRoundTrip proves the interop plumbing end to end against the real registry:
// Confluent's Python serializer registers the schema and writes Confluent wire bytes (magic 0, a
// 4-byte schema id that the registry knows), and its deserializer reads them back to the same
// values.
func TestConfluentPythonRoundTrip(t *testing.T) {
	registry := testkit.SchemaRegistryURL(t)
	testkit.InteropPython(t)
	topic := uniqueTopic(t)
	schemaFile := writeFile(t, "order.avsc", orderSchema)

	in := []string{
		`{"id": 1, "amount": "12.3", "day": "2024-02-29", "ts": "2024-01-02T03:04:05.678Z", "note": "hi",
		  "choice": {"string": "s"}, "raw": "AAEC", "f": 0.1, "color": "RED", "tags": ["a"], "attrs": {"k": "NaN"}}`,
		`{"id": 2, "name": "bob", "amount": 5, "day": 19000, "ts": 1700000000000, "choice": 7, "raw": "",
		  "f": 1, "color": "GREEN", "tags": [], "attrs": {}}`,
		`{"id": 3, "amount": "-0.01", "day": "1970-01-01", "ts": "2024-01-02T03:04:05+02:00",
		  "choice": {"Inner": {"x": 5}}, "raw": "/w==", "f": -1.5, "color": "RED", "tags": ["x", "y"],
		  "attrs": {"a": 1.5}}`,
		`null`,
	}
	// Defaults filled in, decimals at the schema's scale, ISO dates and UTC instants, the float
	// widened to a double, union values without their branch.
	want := []string{
		`{"id":1,"name":"anon","amount":"12.30","day":"2024-02-29","ts":"2024-01-02T03:04:05.678000+00:00","note":"hi",` +
			`"choice":"s","raw":"AAEC","f":0.10000000149011612,"color":"RED","tags":["a"],"attrs":{"k":"NaN"}}`,
		`{"id":2,"name":"bob","amount":"5.00","day":"2022-01-08","ts":"2023-11-14T22:13:20+00:00","note":null,` +
			`"choice":7,"raw":"","f":1.0,"color":"GREEN","tags":[],"attrs":{}}`,
		`{"id":3,"name":"anon","amount":"-0.01","day":"1970-01-01","ts":"2024-01-02T01:04:05+00:00","note":null,` +
			`"choice":{"x":5},"raw":"/w==","f":-1.5,"color":"RED","tags":["x","y"],"attrs":{"a":1.5}}`,
		`null`,
	}

	// Line breaks inside a JSON value would split it: one value per line.
	for i := range in {
		in[i] = strings.Join(strings.Fields(in[i]), " ")
	}
	wire := lines(testkit.RunInterop(t, []string{"serialize", "--registry", registry, "--topic", topic,
		"--schema-file", schemaFile}, strings.Join(in, "\n")+"\n"))
	if len(wire) != len(in) {
		t.Fatalf("serialize: %d output lines for %d records: %q", len(wire), len(in), wire)
	}
	if wire[3] != "" {
		t.Errorf("serialize null: got %q, want an empty line (no bytes: a tombstone)", wire[3])
	}

	var id uint32
	for i, h := range wire[:3] {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("record %d: %q is not hex: %v", i, h, err)
		}
		if len(b) < 6 || b[0] != 0 {
			t.Fatalf("record %d: %x does not start with magic byte 0 and a 4-byte schema id", i, b)
		}
		got := binary.BigEndian.Uint32(b[1:5])
		if i > 0 && got != id {
			t.Fatalf("record %d has schema id %d, record 0 has %d", i, got, id)
		}
		id = got
	}

	// The id is the registry's: GET /schemas/ids/{id} returns the schema, custom property and
	// default included, and it is the latest version of the topic's value subject.
	var byID struct {
		Schema string `json:"schema"`
	}
	getJSON(t, fmt.Sprintf("%s/schemas/ids/%d", registry, id), &byID)
	var schema struct {
		ConnectName string `json:"connect.name"`
		Fields      []struct {
			Name    string `json:"name"`
			Default any    `json:"default"`
		} `json:"fields"`
	}
	if err := json.Unmarshal([]byte(byID.Schema), &schema); err != nil {
		t.Fatalf("schema %d from the registry is not JSON: %v\n%s", id, err, byID.Schema)
	}
	if schema.ConnectName != "com.example.Order" || len(schema.Fields) != 12 || schema.Fields[1].Default != "anon" {
		t.Errorf("schema %d as the registry returns it lost its connect.name or a default:\n%s", id, byID.Schema)
	}
	var latest struct {
		ID int `json:"id"`
	}
	getJSON(t, registry+"/subjects/"+topic+"-value/versions/latest", &latest)
	if latest.ID != int(id) {
		t.Errorf("latest version of %s-value has id %d, the records carry %d", topic, latest.ID, id)
	}

	got := lines(testkit.RunInterop(t, []string{"deserialize", "--registry", registry, "--topic", topic},
		strings.Join(wire, "\n")+"\n"))
	if len(got) != len(want) {
		t.Fatalf("deserialize: %d lines, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d read back:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// TestConfluentPythonWireBody pins the bytes after the 5-byte header for schemas simple enough to
// encode by hand, keys included (subject TOPIC-key). A top-level "bytes" schema is the exception
// Confluent's serializers make: its value is written raw, without Avro's length prefix.
func TestConfluentPythonWireBody(t *testing.T) {
	registry := testkit.SchemaRegistryURL(t)
	testkit.InteropPython(t)
	for _, c := range []struct {
		name   string
		key    bool
		schema string
		json   string
		body   string // hex
	}{
		{"string key", true, `"string"`, `"hello"`, "0a68656c6c6f"},
		{"long", false, `"long"`, `-2`, "03"},
		{"bytes raw", false, `"bytes"`, `"AAEC"`, "000102"},
		{"optional string", false, `["null", "string"]`, `"a"`, "020261"},
	} {
		t.Run(c.name, func(t *testing.T) {
			topic := uniqueTopic(t)
			args := []string{"--registry", registry, "--topic", topic}
			subject := topic + "-value"
			if c.key {
				args = append(args, "--key")
				subject = topic + "-key"
			}
			schemaFile := writeFile(t, "s.avsc", c.schema)
			out := lines(testkit.RunInterop(t, append([]string{"serialize", "--schema-file", schemaFile}, args...), c.json+"\n"))
			if len(out) != 1 || len(out[0]) < 10 || !strings.HasPrefix(out[0], "00") {
				t.Fatalf("serialize: %q", out)
			}
			var latest struct {
				ID int `json:"id"`
			}
			getJSON(t, registry+"/subjects/"+subject+"/versions/latest", &latest)
			if want := fmt.Sprintf("00%08x%s", latest.ID, c.body); out[0] != want {
				t.Errorf("wire bytes %s, want %s (schema id %d of %s)", out[0], want, latest.ID, subject)
			}
			back := lines(testkit.RunInterop(t, append([]string{"deserialize"}, args...), out[0]+"\n"))
			if len(back) != 1 || back[0] != strings.ReplaceAll(c.json, " ", "") {
				t.Errorf("read back %q, want %s", back, c.json)
			}
		})
	}
}

func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// uniqueTopic names a topic (and so the subjects TOPIC-key and TOPIC-value) that no other test
// uses: the registry lives as long as the services, across test runs.
func uniqueTopic(t *testing.T) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, t.Name())
	return name + "-" + hex.EncodeToString(b[:])
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, body)
	}
}
