package events

import (
	"testing"

	"github.com/sluicehq/sluice/schemas"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas/avro"
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
