package events

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

// Table holds one table structure's schemas and per-column converters. It
// is immutable and safe for concurrent use; make a new one when the
// table's structure changes.
type Table struct {
	ID tables.ID
	// Topic is <prefix>.<db>.<table>.
	Topic string
	// KeySchema is <prefix>.<db>.<table>.Key: the primary key columns; nil
	// when the table has no primary key (its events have a null key).
	KeySchema *schemas.Schema
	// ValueSchema is <prefix>.<db>.<table>.Value (optional): the included
	// columns.
	ValueSchema *schemas.Schema
	// EnvelopeSchema is <prefix>.<db>.<table>.Envelope.
	EnvelopeSchema *schemas.Schema

	events *Events
	table  *tables.Table
	// cols has one entry per column of the table, in table order.
	cols []column
	// keyCols are the indexes in cols of the key columns, in key order.
	keyCols []int
}

// column is one column's place in the schemas and its converters.
type column struct {
	name string
	// valueField is the field index in ValueSchema, -1 when excluded.
	valueField int
	// keyField is the field index in KeySchema, -1 when not a key column.
	keyField int
	// schema is the field's schema; nil for a column left out.
	schema *schemas.Schema
	conv
	// null is the value of a NULL in a NOT NULL column (a zero date): the
	// schema's default, else Debezium's fallback value.
	null any
}

// Table builds the schemas and converters of t. include says which
// columns the value carries (column.exclude.list); nil includes them all.
// Key columns are always in the key, as Debezium's. A column of a type
// the package cannot represent is an error naming the table, column and
// type.
func (e *Events) Table(t *tables.Table, include func(column string) bool) (*Table, error) {
	return e.newTable(t, include)
}

// Table returns the table structure the schemas were made from.
func (t *Table) Table() *tables.Table { return t.table }

// FromBinlog converts one row of a go-mysql rows event (RowsEvent.Rows[i],
// decoded with SyncerOptions applied) into the event's key (nil when the
// table has no primary key) and value. row has one value per column of
// the table, in table order.
func (t *Table) FromBinlog(row []any) (key, value *schemas.Struct, err error) {
	return t.convert(row, nil, false)
}

// RowFromSQL converts one row of a snapshot SELECT into the key and value,
// giving the same values FromBinlog gives for the same row. The SELECT must
// name every column of the table in table order (SelectList) and run on a
// connection whose session time_zone is '+00:00', with go-sql-driver's
// text protocol (a query without arguments) and parseTime off, each column
// scanned into a sql.RawBytes (nil for NULL; ScanDest makes the
// destinations).
func (t *Table) RowFromSQL(row []sql.RawBytes) (key, value *schemas.Struct, err error) {
	return t.convert(nil, row, true)
}

// ScanDest returns rows.Scan destinations for RowFromSQL: dest[i] points
// at raw[i].
func (t *Table) ScanDest() (dest []any, raw []sql.RawBytes) {
	raw = make([]sql.RawBytes, len(t.cols))
	dest = make([]any, len(t.cols))
	for i := range raw {
		dest[i] = &raw[i]
	}
	return dest, raw
}

// SelectList is the column list of a snapshot SELECT for RowFromSQL: every
// column in table order, each quoted with backquotes; single-precision
// FLOAT columns as CAST(`col` AS DOUBLE), since the server's text of a
// FLOAT is rounded to 6 digits (MariaDB 10.4.5+ and MySQL 8.0.17+ have
// CAST AS DOUBLE).
func (t *Table) SelectList() string {
	return t.selectList()
}

// Envelope returns the envelope value of a change: before is nil for
// creates and reads, after is nil for deletes. ts is the envelope's ts_ms
// (ts_us, ts_ns): when the connector processed the event.
func (t *Table) Envelope(op Op, before, after, source *schemas.Struct, ts time.Time) (*schemas.Struct, error) {
	return t.envelope(op, before, after, source, ts)
}

// errColumn wraps a conversion error with the table and column.
func (t *Table) errColumn(i int, err error) error {
	return fmt.Errorf("table %s, column %s (%s): %w", t.ID, t.cols[i].name, t.table.Columns[i].TypeExpression, err)
}
