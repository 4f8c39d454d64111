package transforms_test

import (
	"fmt"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/transforms"
)

// A Flatten$Value found by its Kafka Connect class name lifts nested fields
// of a schemaless value to the top level.
func Example_flatten() {
	var flatten transforms.Transformation
	for _, p := range transforms.Builtins() {
		if p.Class == "org.apache.kafka.connect.transforms.Flatten$Value" {
			flatten = p.NewTransformation()
		}
	}
	if err := flatten.Configure(map[string]string{"delimiter": "_"}); err != nil {
		fmt.Println(err)
		return
	}
	r := &transforms.Record{Record: connectors.Record{Topic: "orders", Value: map[string]any{
		"id":       int64(7),
		"customer": map[string]any{"name": "Ada", "address": map[string]any{"city": "London"}},
		"tags":     []any{"new"},
	}}}
	if _, err := flatten.Apply(r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Value)
	// Output: map[customer_address_city:London customer_name:Ada id:7 tags:[new]]
}
