package json_test

import (
	"fmt"

	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/json"
)

func Example() {
	c := json.New()
	if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
		panic(err)
	}
	point := schemas.NewBuilder(schemas.TypeStruct).Name("Point").
		Field("x", schemas.Float64Schema).
		Field("y", schemas.Float64Schema).
		MustBuild()
	data, err := c.FromConnectData("points", point, schemas.NewStruct(point).MustPut("x", 1.0).MustPut("y", 1e20))
	fmt.Println(string(data), err)

	schema, value, err := c.ToConnectData("points", data)
	fmt.Println(schema.Equal(point), value, err)
	// Output:
	// {"schema":{"type":"struct","fields":[{"type":"double","optional":false,"field":"x"},{"type":"double","optional":false,"field":"y"}],"optional":false,"name":"Point"},"payload":{"x":1.0,"y":1.0E20}} <nil>
	// true Struct{x=1.0,y=1.0E20} <nil>
}
