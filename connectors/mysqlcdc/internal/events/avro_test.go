package events

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas/avro"
	sjson "github.com/sluicehq/sluice/schemas/json"
)

// TestSchemasSurviveAvro maps the envelope and key schemas of a table of
// every type, and the connector-wide schemas, to Avro as Confluent's
// AvroData does and back: the Connect schema must come back equal, so
// that a consumer through the Avro converter sees Debezium's names,
// parameters and defaults.
func TestSchemasSurviveAvro(t *testing.T) {
	tbl := &tables.Table{ID: tables.ID{DB: "inventory", Table: "every_type"}, PrimaryKey: []string{"id"}}
	for i, c := range everyType() {
		c.col.Position = i + 1
		tbl.Columns = append(tbl.Columns, c.col)
	}
	modes := []Modes{{}, {Decimal: DecimalString, Time: TimeConnect, BigintUnsigned: BigintPrecise, Binary: BinaryBase64},
		{Decimal: DecimalDouble, Binary: BinaryHex}}
	data := avro.NewData(avro.DefaultDataConfig())
	for _, m := range modes {
		e := newEvents(t, "server1", m)
		tb := mustTable(t, e, tbl)
		check := func(what string, cs *schemas.Schema) {
			t.Helper()
			w, err := data.FromConnectSchema(cs)
			if err != nil {
				t.Errorf("modes %+v, %s: to Avro: %v", m, what, err)
				return
			}
			back, err := data.ToConnectSchema(w.Avro)
			if err != nil {
				t.Errorf("modes %+v, %s: from Avro: %v", m, what, err)
				return
			}
			if !back.Equal(cs) {
				t.Errorf("modes %+v, %s: the schema does not survive Avro:\n%s", m, what, w.JSON)
			}
		}
		check("envelope", tb.EnvelopeSchema)
		check("key", tb.KeySchema)
		check("schema change value", e.SchemaChangeValueSchema())
		check("schema change key", e.SchemaChangeKeySchema())
		check("heartbeat value", e.HeartbeatValueSchema())
		check("heartbeat key", e.HeartbeatKeySchema())
	}
}

// TestEventsSurviveJSON writes a create event of every type with the JSON
// converter (schemas.enable=true) and reads it back: schema and value
// come back equal under each mode set.
func TestEventsSurviveJSON(t *testing.T) {
	tbl := &tables.Table{ID: tables.ID{DB: "inventory", Table: "every_type"}, PrimaryKey: []string{"id"}}
	for i, c := range everyType() {
		c.col.Position = i + 1
		tbl.Columns = append(tbl.Columns, c.col)
	}
	// One row as go-mysql decodes it (see TestBinlogAndSelectAgree).
	row := []any{int32(1), int64(1), int64(0x281), int64(-1), int8(1), int8(-5), int8(-56), int16(-300), int16(-5536),
		int32(-70000), int32(-777216), int32(-2000000000), int32(-294967296), int64(-9000000000000000000), int64(-446744073709551616),
		float32(3.25), float32(1234.5), 2.718281828459045, "12345678.90", "12345678901234567890", "-1.000000000000000000000000000001",
		"abc", "Grüße 🎉", []byte("long text"), "caf\xe9 \x80", "\xca\xfe", "\x00\xff\x10", []byte{0xde, 0xad},
		"2024-02-29", "2024-03-01", "12:34:56", "-01:02:03.456789", "2024-02-29 23:59:59", "2024-02-29 23:59:59.123",
		"1999-12-31 23:59:59.999999", "2024-06-01 12:00:00", "2024-06-01 12:00:00.500", 2024, int64(2), int64(5), []byte(`{"k": [1]}`),
		[]byte{0xe6, 0x10, 0, 0, 1, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		[]byte{0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0},
		"\x12\x3e\x45\x67", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}
	for _, m := range []Modes{{}, {Decimal: DecimalString, Time: TimeConnect, BigintUnsigned: BigintPrecise, Binary: BinaryBase64},
		{Decimal: DecimalDouble, Binary: BinaryHex}} {
		if m.Time == TimeConnect {
			row[31] = "01:02:03.456789" // Connect's Time holds no negative time
		}
		e := newEvents(t, "server1", m)
		tb := mustTable(t, e, tbl)
		key, value, err := tb.FromBinlog(row)
		if err != nil {
			t.Fatalf("modes %+v: %v", m, err)
		}
		env, err := tb.Envelope(OpCreate, nil, value, e.Source(&Source{DB: "inventory", Table: "every_type", File: "f", Thread: -1}), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range []struct {
			schema *schemas.Schema
			value  *schemas.Struct
		}{{tb.KeySchema, key}, {tb.EnvelopeSchema, env}} {
			c := sjson.New()
			if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
				t.Fatal(err)
			}
			b, err := c.FromConnectData("topic", rec.schema, rec.value)
			if err != nil {
				t.Fatalf("modes %+v: %v", m, err)
			}
			s, v, err := c.ToConnectData("topic", b)
			if err != nil {
				t.Fatalf("modes %+v: %v\n%s", m, err, b)
			}
			if !s.Equal(rec.schema) || !v.(*schemas.Struct).Equal(rec.value) {
				t.Errorf("modes %+v: the event does not survive JSON:\n%s\ngot back %v", m, b, v)
			}
		}
	}
}
