package events

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/sluicehq/sluice/schemas"
)

// wkbEmptyCollection is GEOMETRYCOLLECTION EMPTY, Debezium's fallback
// value of a NOT NULL spatial column.
var wkbEmptyCollection = []byte{1, 7, 0, 0, 0, 0, 0, 0, 0}

// geometryConv converts a spatial column: the server's value (binlog and
// SELECT alike) is a little-endian SRID and the WKB. POINT columns are
// io.debezium.data.geometry.Point (x, y, wkb, srid), the others Geometry
// (wkb, srid); an SRID of 0 is null, as Debezium's.
func geometryConv(point bool, optional bool) (*schemas.Builder, conv) {
	// The schemas of io.debezium.data.geometry as of Debezium 3.6.
	b := schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.data.geometry.Geometry").Version(1).
		Doc("Geometry").Optional().
		Field("wkb", schemas.BytesSchema).
		Field("srid", schemas.OptionalInt32Schema)
	if point {
		b = schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.data.geometry.Point").Version(1).
			Doc("Geometry (POINT)").
			Field("x", schemas.Float64Schema).
			Field("y", schemas.Float64Schema).
			Field("wkb", schemas.OptionalBytesSchema).
			Field("srid", schemas.OptionalInt32Schema)
	}
	if optional {
		b.Optional()
	}
	// The values' structs need a built schema; newTable builds the field's
	// from the same builder, an equal one (spatial columns get no default).
	schema := b.MustBuild()
	build := func(data []byte) (any, error) {
		if len(data) < 4 {
			return nil, fmt.Errorf("spatial value of %d bytes: want an SRID and a WKB", len(data))
		}
		srid := int32(binary.LittleEndian.Uint32(data))
		wkb := append([]byte{}, data[4:]...)
		st := schemas.NewStruct(schema)
		st.MustPut("wkb", wkb)
		if srid != 0 {
			st.MustPut("srid", srid)
		}
		if point {
			x, y, err := wkbPoint(wkb)
			if err != nil {
				return nil, err
			}
			st.MustPut("x", x)
			st.MustPut("y", y)
		}
		return st, nil
	}
	zero := schemas.NewStruct(schema)
	zero.MustPut("wkb", wkbEmptyCollection)
	if point {
		zero.MustPut("x", 0.0)
		zero.MustPut("y", 0.0)
	}
	return b, conv{
		bin: func(v any) (any, error) {
			switch x := v.(type) {
			case []byte:
				return build(x)
			case string:
				return build([]byte(x))
			}
			return nil, fmt.Errorf("binlog value %T, want spatial bytes", v)
		},
		sql:  build,
		zero: zero,
	}
}

// wkbPoint reads a 2D point's WKB, as Debezium's Point.parseWKBPoint.
func wkbPoint(wkb []byte) (x, y float64, err error) {
	if len(wkb) != 21 {
		return 0, 0, fmt.Errorf("invalid WKB for a point: %d bytes, want 21", len(wkb))
	}
	var order binary.ByteOrder = binary.BigEndian
	if wkb[0] != 0 {
		order = binary.LittleEndian
	}
	if t := order.Uint32(wkb[1:]); t != 1 {
		return 0, 0, fmt.Errorf("invalid WKB for a 2D point: geometry type %d", t)
	}
	return math.Float64frombits(order.Uint64(wkb[5:])), math.Float64frombits(order.Uint64(wkb[13:])), nil
}
