package json_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// benchStruct is a typical 10-field row.
func benchStruct() (*schemas.Schema, *schemas.Struct) {
	s := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Order").
		Field("id", schemas.Int64Schema).
		Field("customer", schemas.StringSchema).
		Field("email", schemas.OptionalStringSchema).
		Field("quantity", schemas.Int32Schema).
		Field("price", schemas.Float64Schema).
		Field("amount", schemas.DecimalSchema(2)).
		Field("paid", schemas.BooleanSchema).
		Field("created", schemas.TimestampSchema).
		Field("note", schemas.OptionalStringSchema).
		Field("tags", schemas.Array(schemas.StringSchema).MustBuild()).
		MustBuild()
	v := schemas.NewStruct(s).
		MustPut("id", int64(1234567890)).
		MustPut("customer", "Ada Lovelace").
		MustPut("email", "ada@example.com").
		MustPut("quantity", int32(3)).
		MustPut("price", 19.99).
		MustPut("amount", big.NewRat(5997, 100)).
		MustPut("paid", true).
		MustPut("created", time.UnixMilli(1566570894346)).
		MustPut("tags", []any{"new", "priority"})
	return s, v
}

func BenchmarkJSONFromConnect(b *testing.B) {
	c := newConverter(b, nil)
	s, v := benchStruct()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.FromConnectData("t", s, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONToConnect(b *testing.B) {
	c := newConverter(b, nil)
	s, v := benchStruct()
	data, err := c.FromConnectData("t", s, v)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ToConnectData("t", data); err != nil {
			b.Fatal(err)
		}
	}
}
