package schemas_test

import (
	"fmt"
	"math/big"

	"github.com/sluicehq/sluice/schemas"
)

func Example() {
	order := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Order").
		Field("id", schemas.Int64Schema).
		Field("amount", schemas.DecimalSchema(2)).
		Field("note", schemas.OptionalStringSchema).
		MustBuild()

	row := schemas.NewStruct(order)
	if err := row.Put("id", int64(42)); err != nil {
		panic(err)
	}
	if err := row.Put("amount", big.NewRat(1999, 100)); err != nil {
		panic(err)
	}
	fmt.Println(row, row.Validate())
	fmt.Println(row.Put("id", 42)) // an int is not an INT64 value
	// Output:
	// Struct{id=42,amount=19.99} <nil>
	// Invalid Go value for schema with type INT64: int (want int64) for field: "id"
}

func ExampleParseString() {
	for _, header := range []string{"42", "true", "[1, 2, 300]", "2019-08-23", "hello"} {
		schema, value, _ := schemas.ParseString(header)
		fmt.Printf("%s %v\n", schema, value)
	}
	// Output:
	// Schema{INT8} 42
	// Schema{BOOLEAN} true
	// Schema{ARRAY} [1 2 300]
	// Schema{org.apache.kafka.connect.data.Date:INT32} 2019-08-23 00:00:00 +0000 UTC
	// Schema{STRING} hello
}
