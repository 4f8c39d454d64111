package events

import (
	"database/sql"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
)

// tenColumns is a typical 10-column table: integers, strings, a decimal,
// temporal columns and an enum.
func tenColumns() *tables.Table {
	col := func(name, typ string, length int, mod func(*tables.Column)) tables.Column {
		c := tables.Column{Name: name, TypeName: typ, Length: length, Optional: true}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	return &tables.Table{
		ID: tables.ID{DB: "shop", Table: "orders"},
		Columns: []tables.Column{
			col("id", "BIGINT", -1, func(c *tables.Column) { c.Optional = false }),
			col("customer_id", "INT", -1, nil),
			col("status", "ENUM", -1, func(c *tables.Column) { c.EnumValues = []string{"new", "paid", "shipped"} }),
			col("amount", "DECIMAL", 10, func(c *tables.Column) { c.Scale = intPtr(2) }),
			col("currency", "CHAR", 3, nil),
			col("note", "VARCHAR", 255, nil),
			col("created_at", "DATETIME", 6, nil),
			col("updated_at", "TIMESTAMP", -1, nil),
			col("quantity", "SMALLINT UNSIGNED", -1, func(c *tables.Column) { c.Unsigned = true }),
			col("weight", "DOUBLE", -1, nil),
		},
		PrimaryKey: []string{"id"},
	}
}

func tenColumnsBinlogRow() []any {
	return []any{int64(123456789), int32(42), int64(2), "1234.50", "EUR", "leave at the door",
		"2024-06-01 12:34:56.123456", "2024-06-01 12:34:56", int16(-3), 1.25}
}

// BenchmarkFromBinlog10Columns is the per-row cost on the streaming hot
// path: one go-mysql row to its key and value structs.
func BenchmarkFromBinlog10Columns(b *testing.B) {
	e, err := New(Options{Connector: ConnectorMySQL, TopicPrefix: "p"})
	if err != nil {
		b.Fatal(err)
	}
	tb, err := e.Table(tenColumns(), nil)
	if err != nil {
		b.Fatal(err)
	}
	row := tenColumnsBinlogRow()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := tb.FromBinlog(row); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnvelope10Columns adds the source block and the envelope of a
// create event to the row conversion: one event's whole value.
func BenchmarkEnvelope10Columns(b *testing.B) {
	e, err := New(Options{Connector: ConnectorMySQL, TopicPrefix: "p"})
	if err != nil {
		b.Fatal(err)
	}
	tb, err := e.Table(tenColumns(), nil)
	if err != nil {
		b.Fatal(err)
	}
	row := tenColumnsBinlogRow()
	now := time.Now()
	src := &Source{Timestamp: now, DB: "shop", Table: "orders", ServerID: 1, File: "mysql-bin.000001", Pos: 4, Thread: -1}
	b.ReportAllocs()
	for b.Loop() {
		_, after, err := tb.FromBinlog(row)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tb.Envelope(OpCreate, nil, after, e.Source(src), now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRowFromSQL10Columns is the snapshot path's per-row cost.
func BenchmarkRowFromSQL10Columns(b *testing.B) {
	e, err := New(Options{Connector: ConnectorMySQL, TopicPrefix: "p"})
	if err != nil {
		b.Fatal(err)
	}
	tb, err := e.Table(tenColumns(), nil)
	if err != nil {
		b.Fatal(err)
	}
	row := []sql.RawBytes{[]byte("123456789"), []byte("42"), []byte("paid"), []byte("1234.50"), []byte("EUR"),
		[]byte("leave at the door"), []byte("2024-06-01 12:34:56.123456"), []byte("2024-06-01 12:34:56"),
		[]byte("65533"), []byte("1.25")}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := tb.RowFromSQL(row); err != nil {
			b.Fatal(err)
		}
	}
}
