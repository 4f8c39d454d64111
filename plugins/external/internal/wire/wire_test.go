package wire

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins/external/internal/pb"
	"github.com/sluicehq/sluice/schemas"
)

func mustBuild(t testing.TB, b *schemas.Builder) *schemas.Schema {
	t.Helper()
	s, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rowSchema is a struct schema with every kind of field.
func rowSchema(t testing.TB) *schemas.Schema {
	dec := mustBuild(t, schemas.NewBuilder(schemas.TypeBytes).Name(schemas.DecimalName).Parameter("scale", "2").Parameter("connect.decimal.precision", "10").Optional())
	ts := mustBuild(t, schemas.NewBuilder(schemas.TypeInt64).Name(schemas.TimestampName).Version(1).Optional())
	inner := mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Name("Inner").Field("x", schemas.Int32Schema).Optional())
	return mustBuild(t, schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").Doc("a row").Version(3).
		Parameter("z", "1").Parameter("a", "2").
		Field("i8", schemas.Int8Schema).Field("i16", schemas.Int16Schema).Field("i32", schemas.Int32Schema).
		Field("i64", schemas.Int64Schema).Field("f32", schemas.Float32Schema).Field("f64", schemas.Float64Schema).
		Field("b", schemas.BooleanSchema).Field("s", mustBuild(t, schemas.NewBuilder(schemas.TypeString).Optional().Default("dflt"))).
		Field("raw", schemas.BytesSchema).
		Field("arr", mustBuild(t, schemas.Array(schemas.StringSchema).Optional())).
		Field("smap", mustBuild(t, schemas.Map(schemas.StringSchema, schemas.Int64Schema).Optional())).
		Field("imap", mustBuild(t, schemas.Map(schemas.Int32Schema, inner).Optional())).
		Field("dec", dec).Field("ts", ts).Field("inner", inner))
}

func randomRow(t testing.TB, r *rand.Rand, s *schemas.Schema) *schemas.Struct {
	inner := s.Fields[len(s.Fields)-1].Schema
	in := schemas.NewStruct(inner).MustPut("x", r.Int32())
	st := schemas.NewStruct(s).
		MustPut("i8", int8(r.IntN(256)-128)).MustPut("i16", int16(r.IntN(65536)-32768)).MustPut("i32", r.Int32()).
		MustPut("i64", r.Int64()-r.Int64()).MustPut("f32", r.Float32()).MustPut("f64", r.NormFloat64()).
		MustPut("b", r.IntN(2) == 1).MustPut("raw", []byte{byte(r.IntN(256)), 0, 1}).
		MustPut("arr", []any{"a", "b"}).MustPut("smap", map[string]any{"k": r.Int64()}).
		MustPut("imap", map[any]any{r.Int32(): in}).
		MustPut("dec", big.NewRat(r.Int64N(1e6), 100)).
		MustPut("ts", time.UnixMilli(r.Int64N(1e13)).UTC()).MustPut("inner", in)
	if r.IntN(2) == 0 {
		st.MustPut("s", "x")
	}
	return st
}

func TestSourceBatchRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	row := rowSchema(t)
	hs := mustBuild(t, schemas.NewBuilder(schemas.TypeString).Optional())
	var recs []connectors.SourceRecord
	shared := map[string]any{"file": "f"}
	for i := range 200 {
		rec := connectors.SourceRecord{
			Record: connectors.Record{Topic: "t", KeySchema: schemas.StringSchema, Key: "k",
				ValueSchema: row, Value: randomRow(t, r, row),
				Headers: connectors.Headers{{Key: "h", Schema: hs, Value: "v"}, {Key: "h2", Value: map[string]any{"n": int64(1), "l": []any{true, nil, 1.5}}}}},
			SourcePartition: shared,
			SourceOffset:    map[string]any{"pos": i, "f": float32(1.5), "i32": int32(7), "s": "x", "nil": nil},
		}
		if i%2 == 0 {
			rec.Partition = connectors.Partition(int32(i % 3))
			rec.Timestamp = time.UnixMilli(int64(i) * 1000).UTC()
			rec.ValueSchema, rec.Value = nil, map[any]any{int64(1): []byte("x"), "s": nil}
		}
		recs = append(recs, rec)
	}
	b, err := EncodeSourceBatch(recs, 40)
	if err != nil {
		t.Fatal(err)
	}
	// 17 in the row schema (its fields, their elements, itself) and the header schema.
	if got := len(b.Schemas); got != 18 {
		t.Errorf("schema table holds %d schemas, want each distinct schema once (18)", got)
	}
	raw, err := proto.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var back pb.SourceBatch
	if err := proto.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSourceBatch(&back)
	if err != nil {
		t.Fatal(err)
	}
	if back.FirstSeq != 40 || len(got) != len(recs) {
		t.Fatalf("first seq %d, %d records", back.FirstSeq, len(got))
	}
	for i := range recs {
		w, g := recs[i], got[i]
		if g.Topic != w.Topic || (w.Partition == nil) != (g.Partition == nil) || (w.Partition != nil && *w.Partition != *g.Partition) ||
			!g.Timestamp.Equal(w.Timestamp) || !w.KeySchema.Equal(g.KeySchema) || !schemas.EqualValues(w.Key, g.Key) ||
			!w.ValueSchema.Equal(g.ValueSchema) || !schemas.EqualValues(w.Value, g.Value) {
			t.Fatalf("record %d differs:\n got %+v\nwant %+v", i, g.Record, w.Record)
		}
		if len(g.Headers) != len(w.Headers) {
			t.Fatalf("record %d headers %v", i, g.Headers)
		}
		for j := range w.Headers {
			if g.Headers[j].Key != w.Headers[j].Key || !w.Headers[j].Schema.Equal(g.Headers[j].Schema) || !schemas.EqualValues(w.Headers[j].Value, g.Headers[j].Value) {
				t.Fatalf("record %d header %d: %+v, want %+v", i, j, g.Headers[j], w.Headers[j])
			}
		}
		if g.SourceOffset["pos"] != int64(i) || g.SourceOffset["f"] != float64(1.5) || g.SourceOffset["i32"] != int64(7) || g.SourceOffset["s"] != "x" {
			t.Fatalf("record %d offset %#v, want numbers normalised to int64/float64", i, g.SourceOffset)
		}
		if v, ok := g.SourceOffset["nil"]; !ok || v != nil {
			t.Fatalf("record %d: null offset value lost", i)
		}
	}
	if fmt.Sprint(got[7].SourcePartition) != "map[file:f]" ||
		reflect.ValueOf(got[0].SourcePartition).Pointer() != reflect.ValueOf(got[199].SourcePartition).Pointer() {
		t.Errorf("a partition map shared by the task is not shared after decoding")
	}
	// Records that shared a schema share it again, and so do their structs.
	if got[1].ValueSchema != got[3].ValueSchema || got[1].Value.(*schemas.Struct).Schema() != got[1].ValueSchema {
		t.Error("decoded records do not share their schema")
	}
	if names := got[1].ValueSchema.ParameterNames(); len(names) != 2 || names[0] != "z" || names[1] != "a" {
		t.Errorf("parameter order %v, want [z a]", names)
	}
	dec := got[1].ValueSchema.Fields[12].Schema
	if n := dec.ParameterNames(); len(n) != 2 || n[0] != "scale" {
		t.Errorf("decimal parameters %v", n)
	}
	if got[1].ValueSchema.Fields[7].Schema.Default != "dflt" || got[1].ValueSchema.Version == nil || *got[1].ValueSchema.Version != 3 {
		t.Error("default or version lost")
	}
}

func TestSinkBatchRoundTrip(t *testing.T) {
	in := []connectors.SinkRecord{{Record: connectors.Record{Topic: "t2", Partition: connectors.Partition(4), Value: "v", Timestamp: time.Unix(5, 6).UTC()},
		Offset: 9, TimestampType: connectors.LogAppendTime, OriginalTopic: "t", OriginalPartition: 1, OriginalOffset: 8}}
	b, err := EncodeSinkBatch(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeSinkBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	g := out[0]
	if g.Topic != "t2" || *g.Partition != 4 || g.Value != "v" || !g.Timestamp.Equal(in[0].Timestamp) || g.Offset != 9 ||
		g.TimestampType != connectors.LogAppendTime || g.OriginalTopic != "t" || g.OriginalPartition != 1 || g.OriginalOffset != 8 {
		t.Fatalf("got %+v", g)
	}
}

func TestEncodeRejectsValuesOutsideTheDataModel(t *testing.T) {
	type odd struct{}
	cases := []any{odd{}, []string{"x"}, map[string]int{"a": 1}, uint64(1 << 63), struct{}{}}
	for _, v := range cases {
		if _, err := EncodeSinkBatch([]connectors.SinkRecord{{Record: connectors.Record{Partition: connectors.Partition(0), Value: v}}}); err == nil {
			t.Errorf("%T encoded without error", v)
		}
		if _, err := EncodeOffsetMap(map[string]any{"k": v}); err == nil {
			t.Errorf("%T in an offset encoded without error", v)
		}
	}
	self := &schemas.Schema{Type: schemas.TypeArray}
	self.Value = self
	if _, err := NewEncoder().Schema(self); err == nil {
		t.Error("a schema containing itself encoded without error")
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	// rec is one source record with the given value bytes, no schemas,
	// no partition and a nil offset.
	rec := func(value ...byte) []byte {
		b := []byte{1, 't', 0, 0} // topic "t", no flags, no key schema
		b = append(b, byte(tagNull), 0)
		b = append(b, value...)
		return append(b, 0, 0, 0) // no headers, nil partition, nil offset
	}
	valid := &pb.SourceBatch{Count: 1, Data: rec(tagString, 1, 'x')}
	if got, err := DecodeSourceBatch(valid); err != nil || got[0].Value != "x" {
		t.Fatalf("the hand-made batch does not decode: %v %v", got, err)
	}
	cases := map[string]*pb.SourceBatch{
		"schema ref out of table": {Count: 1, Data: append([]byte{1, 't', 0, 0, byte(tagNull), 3, byte(tagNull)}, 0, 0, 0)},
		"forward schema ref":      {Schemas: []*pb.Schema{{Type: int32(schemas.TypeArray), Value: 1}}},
		"unknown type":            {Schemas: []*pb.Schema{{Type: 99}}},
		"int16 out of range":      {Count: 1, Data: rec(tagInt16, 0x80, 0x80, 0x04)},
		"struct without schema":   {Count: 1, Data: rec(tagStruct, 0, 0)},
		"decimal exponent":        {Count: 1, Data: rec(append([]byte{tagDecimal, 11}, "1e999999999"...)...)},
		"bad decimal":             {Count: 1, Data: rec(append([]byte{tagDecimal, 3}, "x/y"...)...)},
		"unknown tag":             {Count: 1, Data: rec(200)},
		"string past the end":     {Count: 1, Data: rec(tagString, 100, 'x')},
		"count past the data":     {Count: 1 << 30, Data: rec(tagNull)},
		"too few records":         {Count: 2, Data: append(rec(tagNull), make([]byte, 8)...)},
		"bytes after the records": {Count: 1, Data: append(rec(tagNull), 0)},
		"array count huge":        {Count: 1, Data: rec(tagArray, 0xff, 0xff, 0xff, 0xff, 0x0f)},
		"unhashable key":          {Count: 1, Data: rec(tagAnyMap, 1, tagBytes, 0, tagNull)},
		"bad nanos":               {Count: 1, Data: rec(tagTime, 0, 0xff, 0xff, 0xff, 0xff, 0x0f)},
		"partition out of order":  {Count: 1, Data: []byte{1, 't', 0, 0, byte(tagNull), 0, byte(tagNull), 0, 5, 0}},
		"deep nesting":            {Count: 1, Data: rec(append(bytesRepeat([]byte{tagArray, 1}, 2000), tagNull)...)},
	}
	for name, b := range cases {
		if _, err := DecodeSourceBatch(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	// Every truncation of a real batch is an error, never a panic.
	row := rowSchema(t)
	full, err := EncodeSourceBatch([]connectors.SourceRecord{{Record: connectors.Record{ValueSchema: row, Value: randomRow(t, rand.New(rand.NewPCG(3, 4)), row)},
		SourcePartition: map[string]any{"p": 1}, SourceOffset: map[string]any{"o": 2}}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(full.Data) {
		cut := &pb.SourceBatch{Schemas: full.Schemas, Count: 1, Data: full.Data[:i]}
		if _, err := DecodeSourceBatch(cut); err == nil {
			t.Errorf("batch cut at %d of %d bytes decoded without error", i, len(full.Data))
		}
	}
}

func bytesRepeat(b []byte, n int) []byte {
	var out []byte
	for range n {
		out = append(out, b...)
	}
	return out
}

// FuzzDecodeSourceBatch feeds arbitrary bytes to the decoder: errors are
// fine, panics are not.
func FuzzDecodeSourceBatch(f *testing.F) {
	row := rowSchema(f)
	b, err := EncodeSourceBatch([]connectors.SourceRecord{{Record: connectors.Record{ValueSchema: row, Value: randomRow(f, rand.New(rand.NewPCG(1, 1)), row)}}}, 0)
	if err != nil {
		f.Fatal(err)
	}
	raw, _ := proto.Marshal(b)
	f.Add(raw)
	f.Fuzz(func(t *testing.T, data []byte) {
		var m pb.SourceBatch
		if proto.Unmarshal(data, &m) != nil {
			return
		}
		_, _ = DecodeSourceBatch(&m)
	})
}

// BenchmarkSourceBatch measures encoding, marshalling, unmarshalling and
// decoding a batch of struct records; ns/record is the cost per record.
func BenchmarkSourceBatch(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	row := rowSchema(b)
	recs := make([]connectors.SourceRecord, 500)
	for i := range recs {
		recs[i] = connectors.SourceRecord{Record: connectors.Record{Topic: "t", ValueSchema: row, Value: randomRow(b, r, row)},
			SourcePartition: map[string]any{"p": "x"}, SourceOffset: map[string]any{"o": int64(i)}}
	}
	b.ResetTimer()
	for b.Loop() {
		m, err := EncodeSourceBatch(recs, 0)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := proto.Marshal(m)
		var back pb.SourceBatch
		if err := proto.Unmarshal(raw, &back); err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeSourceBatch(&back); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}

// BenchmarkSimpleSourceBatch is BenchmarkSourceBatch for records like a
// file source's: a string value and a one-key offset.
func BenchmarkSimpleSourceBatch(b *testing.B) {
	part := map[string]any{"filename": "/tmp/in.txt"}
	recs := make([]connectors.SourceRecord, 2000)
	for i := range recs {
		recs[i] = connectors.SourceRecord{Record: connectors.Record{Topic: "t", ValueSchema: schemas.StringSchema, Value: fmt.Sprintf("a line of a file, number %d", i)},
			SourcePartition: part, SourceOffset: map[string]any{"position": int64(i * 30)}}
	}
	for b.Loop() {
		m, err := EncodeSourceBatch(recs, 0)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := proto.Marshal(m)
		var back pb.SourceBatch
		if err := proto.Unmarshal(raw, &back); err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeSourceBatch(&back); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}

func TestOffsetMapRoundTrip(t *testing.T) {
	for _, m := range []map[string]any{nil, {}, {"i": 3, "f": float32(0.5), "s": "x", "b": true, "n": nil}} {
		enc, err := EncodeOffsetMap(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeOffsetMap(enc)
		if err != nil {
			t.Fatal(err)
		}
		if (m == nil) != (got == nil) || len(m) != len(got) {
			t.Fatalf("%#v came back as %#v", m, got)
		}
		if m["i"] != nil && (got["i"] != int64(3) || got["f"] != float64(0.5) || got["s"] != "x" || got["b"] != true) {
			t.Fatalf("%#v came back as %#v, want ints as int64 and floats as float64", m, got)
		}
	}
	if _, err := DecodeOffsetMap(&pb.OffsetMap{Data: []byte{2, 1, 'k', tagStruct, 1, 0}}); err == nil {
		t.Error("a struct referring to a schema outside any table decoded")
	}
}

// BenchmarkSimpleSinkBatch is BenchmarkSimpleSourceBatch for a sink's Put
// batch: string values as the file sink gets them.
func BenchmarkSimpleSinkBatch(b *testing.B) {
	recs := make([]connectors.SinkRecord, 500)
	for i := range recs {
		recs[i] = connectors.SinkRecord{Record: connectors.Record{Topic: "t", Partition: connectors.Partition(0), ValueSchema: schemas.StringSchema,
			Value: fmt.Sprintf("a line of a file, number %d", i), Timestamp: time.UnixMilli(int64(i))},
			Offset: int64(i), OriginalTopic: "t", OriginalOffset: int64(i)}
	}
	for b.Loop() {
		m, err := EncodeSinkBatch(recs)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := proto.Marshal(m)
		var back pb.SinkBatch
		if err := proto.Unmarshal(raw, &back); err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeSinkBatch(&back); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}
