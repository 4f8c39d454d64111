package avro

import (
	"encoding/hex"
	"encoding/json"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// Interoperability with an independent implementation: Confluent's own
// Python serializer (confluent-kafka's AvroSerializer, fastavro underneath),
// through the real registry, both ways.

// TestReadConfluentPython: records Confluent's Python serializer wrote with
// a schema written by hand (not by sluice) are read by sluice.
func TestReadConfluentPython(t *testing.T) {
	url := testkit.SchemaRegistryURL(t)
	topic := "interop-py-" + uniqueName()
	schemaFile, err := filepath.Abs("testdata/interop_order.avsc")
	if err != nil {
		t.Fatal(err)
	}
	in := `{"id": 1, "name": "ann", "price": "12.30", "day": "2024-02-29", "at": "2024-01-02T03:04:05.678Z", "at_micros": 1704164645678901, "local_at": "2024-01-02T03:04:05.678", "tags": ["a", "b"], "attrs": {"x": 1}, "status": "PAID", "note": "hi", "choice": {"string": "s"}, "hash": "AQIDBA==", "ratio": 0.5, "ok": true, "address": {"city": "Oslo", "zip": 1234}}
{"id": -2, "name": "", "price": "-0.01", "day": 0, "at": 0, "at_micros": 0, "local_at": 0, "tags": [], "attrs": {}, "status": "NEW", "note": null, "choice": {"int": 5}, "hash": "AAAAAA==", "ratio": -1.25, "ok": false, "address": {"city": "", "zip": null}}
`
	out := testkit.RunInterop(t, []string{"serialize", "--registry", url, "--topic", topic, "--schema-file", schemaFile}, in)
	lines := strings.Fields(out)
	if len(lines) != 2 {
		t.Fatalf("serializer wrote %q", out)
	}
	c := newConverter(t, url, false)
	var got []*schemas.Struct
	var schema *schemas.Schema
	for _, l := range lines {
		data, err := hex.DecodeString(l)
		if err != nil {
			t.Fatal(err)
		}
		s, v, err := c.ToConnectData(topic, data)
		if err != nil {
			t.Fatal(err)
		}
		schema = s
		got = append(got, v.(*schemas.Struct))
	}
	// The Connect schema is AvroData's reading of the hand-written schema.
	if schema.Name != "interop.py.Order" || schema.Version == nil || *schema.Version != 1 || schema.Parameters[paramRecordDoc] == "" {
		t.Errorf("record schema %+v", schema)
	}
	field := func(name string) *schemas.Schema {
		f, ok := schema.Field(name)
		if !ok {
			t.Fatalf("no field %s", name)
		}
		return f.Schema
	}
	checks := []struct {
		field string
		ok    bool
	}{
		{"price", field("price").Name == schemas.DecimalName && field("price").Parameters[ParamDecimalPrecision] == "10"},
		{"day", field("day").Name == schemas.DateName},
		{"at", field("at").Name == schemas.TimestampName},
		{"at_micros", field("at_micros").Type == schemas.TypeInt64 && field("at_micros").Name == ""},
		{"local_at", field("local_at").Type == schemas.TypeInt64},
		{"status", field("status").Type == schemas.TypeString && field("status").Parameters[ParamEnum] == "interop.py.Status" && field("status").Parameters[ParamEnum+".SHIPPED"] == "SHIPPED"},
		{"note", field("note").Optional && field("note").Type == schemas.TypeString},
		{"choice", field("choice").Name == UnionName && field("choice").Optional && len(field("choice").Fields) == 2},
		{"hash", field("hash").Type == schemas.TypeBytes && field("hash").Name == "interop.py.Hash" && field("hash").Parameters[propFixedSize] == "4"},
		{"address", field("address").Name == "interop.py.Address"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("field %s read as %+v", c.field, field(c.field))
		}
	}
	a, b := got[0], got[1]
	at := time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC)
	want := map[string]any{
		"id": int64(1), "name": "ann", "price": big.NewRat(1230, 100), "day": time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		"at": at, "at_micros": int64(1704164645678901), "local_at": at.UnixMilli(), "tags": []any{"a", "b"},
		"attrs": map[string]any{"x": int32(1)}, "status": "PAID", "note": "hi", "hash": []byte{1, 2, 3, 4},
		"ratio": float32(0.5), "ok": true,
	}
	for k, v := range want {
		if !schemas.EqualValues(a.Get(k), v) {
			t.Errorf("record 1 %s = %#v, want %#v", k, a.Get(k), v)
		}
	}
	if choice := a.Get("choice").(*schemas.Struct); choice.Get("string") != "s" || choice.Get("int") != nil {
		t.Errorf("record 1 choice %v", choice)
	}
	if choice := b.Get("choice").(*schemas.Struct); choice.Get("int") != int32(5) {
		t.Errorf("record 2 choice %v", choice)
	}
	if addr := a.Get("address").(*schemas.Struct); addr.Get("city") != "Oslo" || addr.Get("zip") != int32(1234) {
		t.Errorf("record 1 address %v", addr)
	}
	if b.Get("note") != nil || !schemas.EqualValues(b.Get("price"), big.NewRat(-1, 100)) || b.Get("status") != "NEW" {
		t.Errorf("record 2 %v", b)
	}
}

// TestWriteForConfluentPython: records sluice writes are read by Confluent's
// Python deserializer, with the values Avro's types call for.
func TestWriteForConfluentPython(t *testing.T) {
	url := testkit.SchemaRegistryURL(t)
	topic := "interop-go-" + uniqueName()
	s, v := allTypes(t)
	c := newConverter(t, url, false)
	data, err := c.FromConnectData(topic, s, v)
	if err != nil {
		t.Fatal(err)
	}
	out := testkit.RunInterop(t, []string{"deserialize", "--registry", url, "--topic", topic}, hex.EncodeToString(data)+"\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("deserializer wrote %q: %v", out, err)
	}
	want := map[string]any{
		"i8": -8.0, "i16": -1600.0, "i32": float64(1 << 30), "f32": 1.5, "f64": 2.25, "bool": true,
		"str": "héllo ✓", "bytes": "AAH/", "opt_i8": nil, "opt_str": "present", "opt_bytes": nil,
		"def_str": "dflt", "opt_def_i64": 42.0, "dec": "-314.15", "dec_neg": "-0.0001", "opt_dec": nil,
		"date": "1969-12-31", "time": "23:59:59.999000", "ts": "2026-11-22T10:11:12.013000+00:00", "opt_ts": nil,
		"arr": []any{"a", "", "c"}, "arr_opt": []any{1.0, nil, 3.0},
		"map_str":   map[string]any{"one": 1.0, "two": 2.0},
		"map_int":   []any{map[string]any{"key": -2.0, "value": "minus two"}, map[string]any{"key": 1.0, "value": "one"}},
		"point":     map[string]any{"x": 1.0, "y": 0.5},
		"opt_point": nil,
		"points":    []any{map[string]any{"x": 2.0, "y": 1.0}, map[string]any{"x": 3.0, "y": 1.5}},
	}
	for k, w := range want {
		if gv, _ := json.Marshal(got[k]); string(gv) != mustJSON(w) {
			t.Errorf("%s: Python read %s, want %s", k, gv, mustJSON(w))
		}
	}
	if got["i64"] == nil {
		t.Errorf("i64 missing in %v", got)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
