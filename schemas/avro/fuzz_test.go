package avro

import (
	"encoding/binary"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/sluicehq/sluice/connerr"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// fuzzSchemas are Avro schemas other producers may write with, seeded into
// the fake registry at ids 1000, 1001, …: unions, enums, fixed, nested
// collections, and items that take no bytes at all (an empty record, null),
// whose block counts are not bounded by the message size.
var fuzzSchemas = []string{
	`{"type":"array","items":{"type":"record","name":"Empty","fields":[]}}`,
	`{"type":"array","items":"null"}`,
	`{"type":"map","values":"null"}`,
	`["null","string","long",{"type":"enum","name":"Colour","symbols":["RED","GREEN"]},{"type":"fixed","name":"Four","size":4}]`,
	`{"type":"record","name":"Nest","fields":[{"name":"a","type":{"type":"array","items":{"type":"array","items":"long"}}},{"name":"m","type":{"type":"map","values":["null","double"]}},{"name":"f","type":{"type":"fixed","name":"Zero","size":0}}]}`,
	`{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}`,
	`{"type":"fixed","name":"Dec","size":8,"logicalType":"decimal","precision":18,"scale":4}`,
	`{"type":"record","name":"Times","fields":[{"name":"d","type":{"type":"int","logicalType":"date"}},{"name":"t","type":{"type":"long","logicalType":"time-micros"}},{"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},{"name":"l","type":{"type":"long","logicalType":"local-timestamp-millis"}}]}`,
	`{"type":"string","connect.name":"io.debezium.data.Json"}`,
}

// FuzzAvroToConnectData reads arbitrary Avro bodies under schemas the
// converter wrote and schemas other producers write, and arbitrary wire
// bytes: a failure is a *schemas.DataError (never a panic or a retriable
// error: the registry is up), decoding allocates a bounded multiple of the
// input however it lies about lengths and counts, and a value read writes
// back and reads back equal.
func FuzzAvroToConnectData(f *testing.F) {
	reg := fakeRegistry(f)
	url := reg.URL()
	w := newConverter(f, url, false)
	var ids []uint32
	add := func(s *schemas.Schema, v any) []byte {
		data, err := w.FromConnectData("fuzz", s, v)
		if err != nil {
			f.Fatal(err)
		}
		ids = append(ids, binary.BigEndian.Uint32(data[1:5]))
		return data[5:]
	}
	all, allValue := allTypes(f)
	var bodies [][]byte
	bodies = append(bodies,
		add(all, allValue),
		add(schemas.DecimalSchema(3), big.NewRat(-1, 1000)),
		add(nil, map[string]any{"schemaless": []any{int64(1), "two", 3.0, nil, map[string]any{"x": []byte{1}}}}),
		add(schemas.Map(schemas.Int32Schema, schemas.Array(schemas.OptionalStringSchema).MustBuild()).MustBuild(), map[any]any{int32(1): []any{"a", nil}}),
		add(schemas.TimestampBuilder().MustBuild(), time.UnixMilli(-1).UTC()),
	)
	for i, text := range fuzzSchemas {
		id := 1000 + i
		reg.SeedSchema("fuzz-raw-"+string(rune('a'+i)), 1, id, sr.Schema{Schema: text, Type: sr.TypeAvro})
		ids = append(ids, uint32(id))
	}
	for i, b := range bodies { // under its own schema and under the next
		f.Add(byte(i), b)
		f.Add(byte(i+1), b)
	}
	raw := [][]byte{
		{6, 0}, // three items
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0},       // 2^62 of them, in a few bytes of varint
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0}, // -2^63: no absolute value
		{1, 2, 0},              // a negative count (-1) and the block's byte size
		{4, 2, 'a', 2, 'b', 0}, // two strings
		{6, 2, 0, 0, 0, 1},     // union branch 3, enum symbol 1…
		{2, 4, 2, 4, 0, 0, 2, 2, 'k', 2, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0},
		{4, 0x03, 0xe8},                // decimal bytes
		{0, 0, 0, 0, 0, 0, 0x27, 0x10}, // fixed decimal
		{0x80, 0x01, 0x80, 0x01, 0x80, 0x01, 0x80, 0x01},
		{0xfe, 0xff, 0xff, 0xff, 0x0f, 'x'}, // a length far beyond the record
	}
	for i := len(bodies); i < len(ids); i++ {
		for _, b := range raw {
			f.Add(byte(i), b)
		}
	}
	// Schemaless arrays nested 2000 deep (Anything: 7 null branches, then
	// the array branch holding one item), and an array of 2^62 of them.
	var deep []byte
	for range 2000 {
		deep = append(deep, 0, 0, 0, 0, 0, 0, 0, 2, 2)
	}
	deep = append(deep, make([]byte, 9)...)
	for range 2000 {
		deep = append(deep, 0, 0)
	}
	f.Add(byte(2), deep)
	f.Add(byte(2), []byte{0, 0, 0, 0, 0, 0, 0, 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(byte(255), []byte{0, 0, 0, 0x30, 0x39, 2}) // raw: an unknown id
	f.Add(byte(255), []byte{1, 0, 0, 0, 1, 2})       // raw: no magic byte

	r := newConverter(f, url, false)
	for _, id := range ids { // warm the caches: decoding is measured, not schema fetching
		r.ToConnectData("fuzz", binary.BigEndian.AppendUint32([]byte{0}, id))
	}
	f.Fuzz(func(t *testing.T, sel byte, body []byte) {
		defer testkit.HangGuard(t, 20*time.Second)()
		data := body
		if sel != 255 {
			data = append(binary.BigEndian.AppendUint32([]byte{0}, ids[int(sel)%len(ids)]), body...)
		}
		before := testkit.HeapAllocated()
		schema, value, err := r.ToConnectData("fuzz", data)
		// Items that take no bytes cost about 100 bytes each, up to
		// maxFreeItems of them.
		if grew := testkit.HeapAllocated() - before; sel != 255 && grew > 1<<20+200*uint64(len(data))+128*maxFreeItems {
			t.Fatalf("reading %d bytes allocated %d bytes", len(data), grew)
		}
		if err != nil {
			var de *schemas.DataError
			if !errors.As(err, &de) || connerr.IsRetriable(err) {
				t.Fatalf("ToConnectData(%x): %v (%T), want a *schemas.DataError", data, err, err)
			}
			return
		}
		// Not every schema read can be written: as with Confluent's
		// converter, a union of a string and an enum (a string in Connect
		// without enhanced.avro.schema.support) makes a union of two
		// strings. That is a data error.
		out, err := r.FromConnectData("fuzz-back", schema, value)
		if err != nil {
			var de *schemas.DataError
			if !errors.As(err, &de) || connerr.IsRetriable(err) {
				t.Fatalf("ToConnectData(%x) = %v %#v, which FromConnectData refuses: %v", data, schema, value, err)
			}
			return
		}
		schema2, value2, err := r.ToConnectData("fuzz-back", out)
		if err != nil {
			t.Fatalf("%x was written as %x, which does not read: %v", data, out, err)
		}
		if !sameData(value, value2) {
			t.Fatalf("%x read as %v %#v, written as %x, read back as %v %#v", data, schema, value, out, schema2, value2)
		}
	})
}

// sameData compares Connect values as schemas.EqualValues does, but
// structs by their field names and values only: a schema written back
// gets another version in the registry.
func sameData(a, b any) bool {
	switch x := a.(type) {
	case *schemas.Struct:
		y, ok := b.(*schemas.Struct)
		if !ok || len(x.Schema().Fields) != len(y.Schema().Fields) {
			return false
		}
		for i, f := range x.Schema().Fields {
			if y.Schema().Fields[i].Name != f.Name || !sameData(x.Get(f.Name), y.Get(f.Name)) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameData(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && sameData(anyKeys(x), anyKeys(y))
	case map[any]any:
		y, ok := b.(map[any]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameData(v, w) {
				return false
			}
		}
		return true
	}
	return schemas.EqualValues(a, b)
}

func anyKeys(m map[string]any) map[any]any {
	out := make(map[any]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
