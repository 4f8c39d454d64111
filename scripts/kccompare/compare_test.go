package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDiffBodies(t *testing.T) {
	tests := []struct {
		name string
		g, s string
		want []string
	}{
		{"equal, other key order", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, nil},
		{"missing and extra field", `{"a":1}`, `{"b":2}`, []string{`/a: missing in sluice (kc=1)`, `/b: only in sluice (2)`}},
		{"value differs", `{"a":{"b":"x"}}`, `{"a":{"b":"y"}}`, []string{`/a/b: kc="x" sluice="y"`}},
		{"config entries matched by name, not position",
			`{"configs":[{"definition":{"name":"a","order_in_group":1},"value":{"name":"a"}},{"definition":{"name":"b"},"value":{"name":"b"}}]}`,
			`{"configs":[{"definition":{"name":"b"},"value":{"name":"b"}},{"definition":{"name":"a","order":1},"value":{"name":"a"}},{"definition":null,"value":{"name":"c"}}]}`,
			[]string{`/configs[a]/definition/order: only in sluice (1)`, `/configs[a]/definition/order_in_group: missing in sluice (kc=1)`, `/configs[c]: only in sluice`}},
		{"plugins matched by type and class",
			`[{"class":"X","type":"converter","version":"4.4.0"},{"class":"X","type":"header_converter"}]`,
			`[{"class":"X","type":"header_converter"},{"class":"X","type":"converter"}]`,
			[]string{`[converter:X]/version: missing in sluice (kc="4.4.0")`}},
		{"plain list compared whole", `["a","b"]`, `["a"]`, []string{`/: kc=["a","b"] sluice=["a"]`}},
		{"trace text not compared, presence is", `{"trace":"at x"}`, `{"trace":"at y"}`, nil},
		{"volatile root field", `{"commit":"abc"}`, `{"commit":""}`, nil},
		{"text bodies", `oops`, `fine`, []string{`body: kc=oops sluice=fine`}},
		{"both empty", ``, ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diffBodies([]byte(tt.g), []byte(tt.s))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diffBodies:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDiffRecordsAlignsByKey(t *testing.T) {
	rec := func(off int64, key, value string) record {
		return record{Offset: off, Key: &key, Value: json.RawMessage(value)}
	}
	g := []record{
		rec(0, "connector-kc-a", `{"properties":{"x":"1"}}`),
		rec(1, "task-kc-a-0", `{"properties":{"x":"1","name":"kc-a"}}`),
		rec(2, "commit-kc-a", `{"tasks":1}`),
	}
	s := []record{
		rec(0, "target-state-sl-a", `{"state":"STARTED"}`),
		rec(1, "connector-sl-a", `{"properties":{"x":"1"}}`),
		rec(2, "task-sl-a-0", `{"properties":{"x":"1"}}`),
		rec(3, "commit-sl-a", `{"tasks":1}`),
	}
	got := diffRecords(g, s, strings.NewReplacer("sl-", "kc-"))
	want := []string{
		`sluice #0 only in sluice: target-state-kc-a={"state":"STARTED"}`,
		`kc #1 / sluice #2 task-kc-a-0 /properties/name: missing in sluice (kc="kc-a")`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diffRecords:\n got %q\nwant %q", got, want)
	}
}

// With -plugin-version, the sequence asks the worker for its own version
// where it asks Kafka Connect for 4.4.0, and that version reads as 4.4.0
// when quoted or in a version list, not inside another string.
func TestComparePluginVersion(t *testing.T) {
	dir := t.TempDir()
	index := `{"prefix":"kc","url":"http://127.0.0.1:1","dir":"/g","calls":[{"name":"x","method":"GET","path":"/","status":200,"file":"x.json"}]}`
	golden := `{"version":"4.4.0","errors":["available versions: [4.4.0]","in [4.4.0, 4.4.0]"],"root":"4.4.0"}`
	for name, content := range map[string]string{"index.json": index, "x.json": golden} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := &run{base: "http://127.0.0.1:2", prefix: "sl", dir: "/s", pluginVersion: "0.1.0",
		answers: []answer{{Name: "x", Status: 200,
			Answer: []byte(`{"version":"0.1.0","errors":["available versions: [0.1.0]","in [0.1.0, 0.1.0]"],"root":"0.1.0-dev"}`)}}}
	var out bytes.Buffer
	n, err := compare(&out, r, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || !strings.Contains(out.String(), `/root: kc="4.4.0" sluice="0.1.0-dev"`) {
		t.Errorf("compare = %d:\n%s", n, out.String())
	}
	if got := r.expand(`{"connector.plugin.version":"[4.4.0]","file":"{DIR}/{P}-in.txt"}`); got != `{"connector.plugin.version":"[0.1.0]","file":"/s/sl-in.txt"}` {
		t.Errorf("expand = %s", got)
	}
}
