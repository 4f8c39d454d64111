package main

import (
	"encoding/json"
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
