package runtime

import (
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/transforms"
)

// BenchmarkChainStruct runs a three-transformation chain, as a connector
// configuration builds it, over Struct records of one schema (as a
// converter hands them over): rename two fields, cast one, and insert the
// topic and a static field. It reports ns and allocations per record.
func BenchmarkChainStruct(b *testing.B) {
	c, err := buildChain(builtin.Registry(), map[string]string{
		"transforms":                     "rename,cast,insert",
		"transforms.rename.type":         "org.apache.kafka.connect.transforms.ReplaceField$Value",
		"transforms.rename.renames":      "id:order_id,qty:quantity",
		"transforms.cast.type":           "org.apache.kafka.connect.transforms.Cast$Value",
		"transforms.cast.spec":           "quantity:int64,price:float32",
		"transforms.insert.type":         "org.apache.kafka.connect.transforms.InsertField$Value",
		"transforms.insert.topic.field":  "source_topic",
		"transforms.insert.static.field": "pipeline",
		"transforms.insert.static.value": "orders-v1",
	})
	if err != nil {
		b.Fatal(err)
	}
	defer c.close()
	schema := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Order").
		Field("id", schemas.Int64Schema).
		Field("customer", schemas.StringSchema).
		Field("qty", schemas.Int32Schema).
		Field("price", schemas.Float64Schema).
		Field("note", schemas.OptionalStringSchema).
		MustBuild()
	value := schemas.NewStruct(schema).MustPut("id", int64(42)).MustPut("customer", "ada").
		MustPut("qty", int32(3)).MustPut("price", 9.99).MustPut("note", "leave at door")
	in := connectors.Record{Topic: "orders", ValueSchema: schema, Value: value}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := transforms.Record{Record: in}
		keep, _, err := c.apply(&r)
		if err != nil || !keep {
			b.Fatal(keep, err)
		}
	}
}
