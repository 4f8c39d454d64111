package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/sluicehq/sluice/runtime/kafka"
)

func TestAppendJavaJSON(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{map[string]any{"position": int64(30)}, `{"position":30}`},
		{map[string]any{"b": int64(1), "a": "x"}, `{"a":"x","b":1}`},
		// Jackson escapes only '"', '\\' and control characters, with
		// upper-case hex; no HTML escaping, no U+2028 escaping.
		{"<a&b>\u2028é\"\\", "\"<a&b>\u2028é\\\"\\\\\""},
		{"\b\t\n\f\r\x01\x1f\x7f", `"\b\t\n\f\r\u0001\u001F` + "\x7f" + `"`},
		{"bad\xffutf8", "\"bad\uFFFDutf8\""},
		// Java's Double.toString.
		{1.0, `1.0`},
		{-2.5, `-2.5`},
		{0.001, `0.001`},
		{0.0001, `1.0E-4`},
		{1e7, `1.0E7`},
		{9999999.0, `9999999.0`},
		{1.2345e21, `1.2345E21`},
		{0.0, `0.0`},
		{math.Copysign(0, -1), `-0.0`},
		{float32(0.1), `0.1`},
		{json.Number("1e3"), `1000.0`},
		{json.Number("42"), `42`},
		{[]any{"c", nil, true}, `["c",null,true]`},
	} {
		got, err := appendJavaJSON(nil, c.in)
		if err != nil {
			t.Errorf("%#v: %v", c.in, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%#v: got %s, want %s", c.in, got, c.want)
		}
	}
	if _, err := appendJavaJSON(nil, math.NaN()); err == nil {
		t.Error("NaN: no error")
	}
}

func newMemOffsets(t *testing.T, topic *simpleTopic) *KafkaOffsets {
	t.Helper()
	o, err := NewKafkaOffsets(topic.open, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestKafkaOffsetsGoldenBytes(t *testing.T) {
	topic := &simpleTopic{}
	o := newMemOffsets(t, topic)
	ctx := context.Background()
	err := o.Put(ctx, "file-source", []Offset{
		{Partition: map[string]any{"filename": "/tmp/in.txt"}, Offset: map[string]any{"position": 30}},
		{Partition: map[string]any{"table": "t", "shard": json.Number("2")}, Offset: map[string]any{"ts": 1.5, "done": false}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// OffsetStorageWriter.doFlush (lines 179-181): key = JsonConverter of
	// Arrays.asList(connector, partition), value = JsonConverter of the
	// offset map, schemas.enable=false (Worker's internal converters).
	want := []string{
		`["file-source",{"filename":"/tmp/in.txt"}]` + " = " + `{"position":30}`,
		`["file-source",{"shard":2,"table":"t"}]` + " = " + `{"done":false,"ts":1.5}`,
	}
	var got []string
	for _, r := range topic.all() {
		got = append(got, string(r.Key)+" = "+string(r.Value))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n got %q\nwant %q", got, want)
	}
	off, err := o.Get(ctx, "file-source", map[string]any{"filename": "/tmp/in.txt"})
	if err != nil || !reflect.DeepEqual(off, map[string]any{"position": int64(30)}) {
		t.Errorf("Get = %#v, %v", off, err)
	}
	// Numbers compare by value: int 2 finds the partition written as json.Number 2.
	off, err = o.Get(ctx, "file-source", map[string]any{"shard": 2, "table": "t"})
	if err != nil || !reflect.DeepEqual(off, map[string]any{"ts": 1.5, "done": false}) {
		t.Errorf("Get = %#v, %v", off, err)
	}
	if err := o.Put(ctx, "file-source", []Offset{{Partition: map[string]any{"f": []any{1}}, Offset: map[string]any{}}}); err == nil {
		t.Error("Put of a non-primitive partition value: no error")
	}
}

func TestKafkaOffsetsKeyVariantsAndTombstones(t *testing.T) {
	topic := &simpleTopic{}
	// Written by another implementation: keys in another order, with
	// spaces; the same partition twice.
	javaKey := `["conn", {"table": "t", "id": 7}]`
	topic.append(
		kafka.LogRecord{Key: []byte(javaKey), Value: []byte(`{"pos": 5}`)},
		kafka.LogRecord{Key: []byte(`["conn",{"id":7,"table":"t"}]`), Value: []byte(`{"pos":6}`)},
		kafka.LogRecord{Key: []byte(`["other",{"id":7,"table":"t"}]`), Value: []byte(`{"pos":1}`)},
	)
	o := newMemOffsets(t, topic)
	ctx := context.Background()
	part := map[string]any{"id": int64(7), "table": "t"}
	off, err := o.Get(ctx, "conn", part)
	if err != nil || !reflect.DeepEqual(off, map[string]any{"pos": int64(6)}) {
		t.Fatalf("Get = %#v, %v; want the last record's offset", off, err)
	}
	offs, err := o.Offsets(ctx, "conn")
	if err != nil || len(offs) != 1 || !reflect.DeepEqual(offs[0].Partition, part) {
		t.Fatalf("Offsets = %#v, %v", offs, err)
	}

	// A new offset goes to every key variant seen.
	before := len(topic.all())
	if err := o.Put(ctx, "conn", []Offset{{Partition: part, Offset: map[string]any{"pos": 9}}}); err != nil {
		t.Fatal(err)
	}
	written := topic.all()[before:]
	var keys []string
	for _, r := range written {
		keys = append(keys, string(r.Key)+"="+string(r.Value))
	}
	wantKeys := []string{`["conn", {"table": "t", "id": 7}]={"pos":9}`, `["conn",{"id":7,"table":"t"}]={"pos":9}`}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("written %q, want %q", keys, wantKeys)
	}
	if off, _ := o.Get(ctx, "conn", part); !reflect.DeepEqual(off, map[string]any{"pos": int64(9)}) {
		t.Errorf("Get after Put = %#v", off)
	}

	// A reset tombstones every raw variant.
	before = len(topic.all())
	if err := o.Put(ctx, "conn", []Offset{{Partition: part}}); err != nil {
		t.Fatal(err)
	}
	keys = nil
	for _, r := range topic.all()[before:] {
		if r.Value != nil {
			t.Errorf("reset wrote a value for %s", r.Key)
		}
		keys = append(keys, string(r.Key))
	}
	if want := []string{javaKey, `["conn",{"id":7,"table":"t"}]`}; !reflect.DeepEqual(keys, want) {
		t.Errorf("tombstones for %q, want %q", keys, want)
	}
	if off, err := o.Get(ctx, "conn", part); err != nil || off != nil {
		t.Errorf("Get after reset = %#v, %v", off, err)
	}
	if offs, _ := o.Offsets(ctx, "conn"); len(offs) != 0 {
		t.Errorf("Offsets after reset = %#v", offs)
	}
	if offs, _ := o.Offsets(ctx, "other"); len(offs) != 1 {
		t.Errorf("other connector's offsets = %#v", offs)
	}
	// A later write (no variant left) uses the canonical key.
	if err := o.Put(ctx, "conn", []Offset{{Partition: part, Offset: map[string]any{"pos": 1}}}); err != nil {
		t.Fatal(err)
	}
	if last := topic.all()[len(topic.all())-1]; string(last.Key) != `["conn",{"id":7,"table":"t"}]` {
		t.Errorf("key after reset = %s", last.Key)
	}
}

func TestKafkaOffsetsSkipsMalformedRecords(t *testing.T) {
	topic := &simpleTopic{}
	good := kafka.LogRecord{Key: []byte(`["c",{"p":1}]`), Value: []byte(`{"o":2}`)}
	for i, r := range []kafka.LogRecord{
		{Key: nil, Value: []byte(`{"o":1}`)},
		{Key: []byte(`not json`), Value: []byte(`{"o":1}`)},
		{Key: []byte(`["c"]`), Value: []byte(`{"o":1}`)},
		{Key: []byte(`[1,{"p":1}]`), Value: []byte(`{"o":1}`)},
		{Key: []byte(`["c","p"]`), Value: []byte(`{"o":1}`)},
		{Key: []byte(`["c",null]`), Value: []byte(`{"o":1}`)},
		{Key: []byte(`{"c":1}`), Value: []byte(`{"o":1}`)},
		{Key: []byte(`["c",{"p":1},3]`), Value: []byte(`{"o":1}`)},
		{Key: []byte(`["c",{"p":3}]`), Value: []byte(`[1,2]`)},
		{Key: []byte(`["c",{"p":4}]`), Value: []byte(`"str"`)},
		{Key: []byte(`["c",{"p":5}]`), Value: []byte(`{bad`)},
		good,
	} {
		r.Offset = int64(i)
		topic.append(r)
	}
	o := newMemOffsets(t, topic)
	offs, err := o.Offsets(context.Background(), "c")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(offs); got != "[{map[p:1] map[o:2]}]" {
		t.Errorf("Offsets = %s, want only the well-formed record", got)
	}
}
