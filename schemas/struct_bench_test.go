package schemas

import (
	"strconv"
	"testing"
)

// BenchmarkNewStructEnvelope builds what a change event holds: a row of
// 10 fields and a source block of 15 inside an envelope of 6, each field
// set with PutAt.
func BenchmarkNewStructEnvelope(b *testing.B) {
	wide := func(name string, n int) *Schema {
		sb := NewBuilder(TypeStruct).Name(name)
		for i := range n {
			sb = sb.Field("f"+strconv.Itoa(i), Int64Schema)
		}
		return sb.MustBuild()
	}
	row, source := wide("row", 10), wide("source", 15)
	env := NewBuilder(TypeStruct).Name("envelope").Field("before", row).Field("after", row).
		Field("source", source).Field("op", StringSchema).Field("ts_ms", Int64Schema).Field("n", Int64Schema).MustBuild()
	fill := func(s *Struct) *Struct {
		for i := range s.Schema().Fields {
			if err := s.PutAt(i, int64(i)); err != nil {
				b.Fatal(err)
			}
		}
		return s
	}
	b.ReportAllocs()
	for b.Loop() {
		e := NewStruct(env)
		for i, v := range []any{fill(NewStruct(row)), fill(NewStruct(row)), fill(NewStruct(source)), "c", int64(1), int64(2)} {
			if err := e.PutAt(i, v); err != nil {
				b.Fatal(err)
			}
		}
	}
}
