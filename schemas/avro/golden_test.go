package avro

import (
	"encoding/hex"
	"math/big"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// Golden vectors: for a Connect schema and value, the Avro schema text and
// the Avro body sluice writes. The expectations are derived by hand from the
// sources each vector names, not from sluice's output:
//
//   - [AvroData] Confluent's io.confluent.connect.avro.AvroData.fromConnectSchema
//     (schema-registry, avro-data module), the mapping Confluent's
//     AvroConverter applies; the order of keys is that of Java Avro's
//     Schema.toString, which writes "type", "name", "namespace", "doc",
//     "fields", then the properties in the order AvroData adds them.
//   - [spec] the Avro 1.11 specification, "Binary Encoding": ints and longs
//     as zig-zag varints, floats and doubles little-endian IEEE 754, bytes
//     and strings as a long length then the data, a union as the branch index
//     then the value, arrays and maps as blocks (count, items, 0), records as
//     their fields in order, decimals as big-endian two's-complement
//     unscaled values ("Logical Types").
var goldenVectors = []struct {
	name   string
	source string
	schema *schemas.Schema
	value  any
	avro   string
	body   string // hex
}{
	{"int8", "AvroData: INT8 → int with connect.type=int8; spec: zigzag(-1) = 1",
		schemas.Int8Schema, int8(-1),
		`{"type":"int","connect.type":"int8"}`, "01"},
	{"int16", "AvroData: INT16 → int with connect.type=int16; spec: zigzag(300) = 600 = 0xd8 0x04",
		schemas.Int16Schema, int16(300),
		`{"type":"int","connect.type":"int16"}`, "d804"},
	{"int64", "AvroData: INT64 → long; spec: zigzag(-64) = 127",
		schemas.Int64Schema, int64(-64), `"long"`, "7f"},
	{"float32", "AvroData: FLOAT32 → float; spec: 1.5f little-endian = 00 00 c0 3f",
		schemas.Float32Schema, float32(1.5), `"float"`, "0000c03f"},
	{"float64", "AvroData: FLOAT64 → double; spec: -2.0 little-endian",
		schemas.Float64Schema, -2.0, `"double"`, "00000000000000c0"},
	{"boolean", "AvroData: BOOLEAN → boolean; spec: true = 01",
		schemas.BooleanSchema, true, `"boolean"`, "01"},
	{"string", "AvroData: STRING → string; spec: length 3 (06) then UTF-8",
		schemas.StringSchema, "abc", `"string"`, "06616263"},
	{"bytes", "AvroData: BYTES → bytes; spec: length 2 (04) then the bytes",
		schemas.BytesSchema, []byte{0xca, 0xfe}, `"bytes"`, "04cafe"},
	{"optional string", "AvroData.maybeMakeOptional: optional without default → [null, T]; spec: branch 1 (02), then the string",
		schemas.OptionalStringSchema, "a", `["null","string"]`, "020261"},
	{"optional string with default", "AvroData.maybeMakeOptional: optional with default → [T, null], T carrying connect.default; spec: branch 0",
		schemas.NewBuilder(schemas.TypeString).Optional().Default("d").MustBuild(), "x",
		`[{"type":"string","connect.default":"d"},"null"]`, "000278"},
	{"decimal", "AvroData: Decimal → bytes with scale, precision 64 (the default), connect.version/parameters/name, then logicalType; spec: 3.14 at scale 2 is 314 = 0x013a, 2 bytes",
		schemas.DecimalSchema(2), big.NewRat(314, 100),
		`{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}`,
		"04013a"},
	{"negative decimal with precision", "AvroData: connect.decimal.precision gives the precision; spec: -1 at scale 0 is ff",
		schemas.DecimalBuilder(0).Parameter(ParamDecimalPrecision, "5").MustBuild(), big.NewRat(-1, 1),
		`{"type":"bytes","scale":0,"precision":5,"connect.version":1,"connect.parameters":{"scale":"0","connect.decimal.precision":"5"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}`,
		"02ff"},
	{"date", "AvroData: Date → int with logicalType date; spec: days since epoch, 1970-01-02 = 1 → 02",
		schemas.DateBuilder().MustBuild(), time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC),
		`{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}`, "02"},
	{"time", "AvroData: Time → int with logicalType time-millis; spec: 00:00:01.000 = 1000 → zigzag 2000 = d0 0f",
		schemas.TimeBuilder().MustBuild(), time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC),
		`{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Time","logicalType":"time-millis"}`, "d00f"},
	{"timestamp", "AvroData: Timestamp → long with logicalType timestamp-millis; spec: 1000 ms → d0 0f",
		schemas.TimestampBuilder().MustBuild(), time.UnixMilli(1000).UTC(),
		`{"type":"long","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}`, "d00f"},
	{"array", "AvroData: ARRAY → array; spec: one block of 2 (04), 1 (02), 2 (04), end (00)",
		schemas.Array(schemas.Int32Schema).MustBuild(), []any{int32(1), int32(2)},
		`{"type":"array","items":"int"}`, "04020400"},
	{"string map", "AvroData: MAP with STRING keys → map; spec: block of 1, key \"k\", value true, end",
		schemas.Map(schemas.StringSchema, schemas.BooleanSchema).MustBuild(), map[string]any{"k": true},
		`{"type":"map","values":"boolean"}`, "0202" + "6b" + "01" + "00"},
	{"int map", "AvroData: MAP with non-STRING keys → array of io.confluent.connect.avro.MapEntry {key, value}; spec: block of 1, key 7 (0e), value \"v\", end",
		schemas.Map(schemas.Int32Schema, schemas.StringSchema).MustBuild(), map[any]any{int32(7): "v"},
		`{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"int"},{"name":"value","type":"string"}]}}`,
		"02" + "0e" + "0276" + "00"},
	{"unnamed struct", "AvroData: a STRUCT without a name → record io.confluent.connect.avro.ConnectDefault; optional fields [null, T] with default null; spec: fields in order",
		schemas.NewBuilder(schemas.TypeStruct).Field("id", schemas.Int32Schema).Field("note", schemas.OptionalStringSchema).MustBuild(),
		nil,
		`{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[{"name":"id","type":"int"},{"name":"note","type":["null","string"],"default":null}]}`,
		"06" + "00"},
	{"named struct with metadata", "AvroData: name split into namespace and name, connect.doc/connect.version/connect.name after the fields; a nested type reused by name; a field default from the Connect default",
		func() *schemas.Schema {
			p := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.P").Field("x", schemas.Int64Schema).MustBuild()
			return schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Pair").Version(2).Doc("two points").
				Field("a", p).Field("b", p).
				Field("n", schemas.NewBuilder(schemas.TypeInt32).Default(int32(5)).MustBuild()).MustBuild()
		}(), nil,
		`{"type":"record","name":"Pair","namespace":"com.example","fields":[` +
			`{"name":"a","type":{"type":"record","name":"P","fields":[{"name":"x","type":"long"}],"connect.name":"com.example.P"}},` +
			`{"name":"b","type":"P"},` +
			`{"name":"n","type":{"type":"int","connect.default":5},"default":5}],` +
			`"connect.doc":"two points","connect.version":2,"connect.name":"com.example.Pair"}`,
		"02" + "04" + "0a"},
	{"schemaless", "AvroData: no schema → io.confluent.connect.avro.Anything, value in the \"string\" field: six null branches (00), branch 1 (02), the string, two null branches",
		nil, "hi", anythingJSON, "000000000000" + "02" + "046869" + "0000"},
}

func TestGoldenVectors(t *testing.T) {
	d := NewData(DefaultDataConfig())
	for _, v := range goldenVectors {
		t.Run(v.name, func(t *testing.T) {
			value := v.value
			if value == nil {
				value = goldenStruct(v.schema)
			}
			ws, err := d.FromConnectSchema(v.schema)
			if err != nil {
				t.Fatal(err)
			}
			if ws.JSON != v.avro {
				t.Errorf("Avro schema (%s)\n got %s\nwant %s", v.source, ws.JSON, v.avro)
			}
			body, err := ws.Encode(value)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(body); got != v.body {
				t.Errorf("body (%s)\n got %s\nwant %s", v.source, got, v.body)
			}
			// And back.
			rs, err := d.Reader(ws.Avro, -1)
			if err != nil {
				t.Fatal(err)
			}
			back, err := rs.Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			if !schemas.EqualValues(back, value) {
				t.Errorf("read back %#v, want %#v", back, value)
			}
		})
	}
}

// goldenStruct fills the struct vectors: id=3, note unset; a.x=1, b.x=2,
// n=5.
func goldenStruct(s *schemas.Schema) *schemas.Struct {
	st := schemas.NewStruct(s)
	switch s.Name {
	case "":
		st.MustPut("id", int32(3))
	default:
		p := s.Fields[0].Schema
		st.MustPut("a", schemas.NewStruct(p).MustPut("x", int64(1))).MustPut("b", schemas.NewStruct(p).MustPut("x", int64(2))).
			MustPut("n", int32(5))
	}
	return st
}
