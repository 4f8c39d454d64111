package avro

import (
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/schemas"
)

// tenFields is the benchmark record: ten fields of common types, two of
// them optional, one logical.
func tenFields() (*schemas.Schema, *schemas.Struct) {
	s := schemas.NewBuilder(schemas.TypeStruct).Name("bench.Order").
		Field("id", schemas.Int64Schema).
		Field("customer", schemas.StringSchema).
		Field("item", schemas.StringSchema).
		Field("quantity", schemas.Int32Schema).
		Field("price", schemas.Float64Schema).
		Field("paid", schemas.BooleanSchema).
		Field("created", schemas.TimestampBuilder().MustBuild()).
		Field("note", schemas.OptionalStringSchema).
		Field("coupon", schemas.OptionalInt32Schema).
		Field("region", schemas.StringSchema).
		MustBuild()
	v := schemas.NewStruct(s).MustPut("id", int64(123456789)).MustPut("customer", "customer-0042").
		MustPut("item", "Item_17").MustPut("quantity", int32(3)).MustPut("price", 19.99).MustPut("paid", true).
		MustPut("created", time.UnixMilli(1763800000000).UTC()).MustPut("note", "leave at the door").
		MustPut("region", "eu-west")
	return s, v
}

// BenchmarkSerialize measures FromConnectData of a 10-field record once its
// schema is registered (the steady state: no registry call).
func BenchmarkSerialize(b *testing.B) {
	c := newConverter(b, fakeRegistry(b).URL(), false)
	s, v := tenFields()
	if _, err := c.FromConnectData("bench", s, v); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.FromConnectData("bench", s, v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkDeserialize measures ToConnectData of the same record.
func BenchmarkDeserialize(b *testing.B) {
	c := newConverter(b, fakeRegistry(b).URL(), false)
	s, v := tenFields()
	data, err := c.FromConnectData("bench", s, v)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := c.ToConnectData("bench", data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := c.ToConnectData("bench", data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBaselineHambaGeneric is the baseline for the two above:
// hamba/avro's own generic path (avro.Marshal and avro.Unmarshal of a
// map[string]any) on the same Avro schema and record, with no Connect
// conversion and no wire-format header.
func BenchmarkBaselineHambaGeneric(b *testing.B) {
	s, v := tenFields()
	ws, err := NewData(DefaultDataConfig()).FromConnectSchema(s)
	if err != nil {
		b.Fatal(err)
	}
	generic := map[string]any{"id": int64(123456789), "customer": "customer-0042", "item": "Item_17",
		"quantity": 3, "price": 19.99, "paid": true, "created": time.UnixMilli(1763800000000).UTC(),
		"note": "leave at the door", "coupon": nil, "region": "eu-west"}
	body, err := avro.Marshal(ws.Avro, generic)
	if err != nil {
		b.Fatal(err)
	}
	if want, _ := ws.Encode(v); string(want) != string(body) {
		b.Fatalf("hamba wrote %x, sluice %x", body, want)
	}
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := avro.Marshal(ws.Avro, generic); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out any
			if err := avro.Unmarshal(ws.Avro, body, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
