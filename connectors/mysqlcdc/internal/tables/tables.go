// Package tables is the CDC source's model of the captured database's
// tables: what a table looks like at a point of the binary log, as DDL
// statements and SHOW CREATE TABLE describe it. The events package maps it
// to Kafka Connect schemas; the DDL parser and the schema history keep it
// up to date.
package tables

import "strings"

// ID names a table as the server spells it: database and table.
type ID struct {
	DB    string
	Table string
}

// String is "db.table", as Debezium names a table in its configuration
// (table.include.list) and its signals.
func (id ID) String() string { return id.DB + "." + id.Table }

// Column is one column of a table, with what Debezium's schema history
// records of it (io.debezium.relational.Column).
type Column struct {
	Name string
	// Position is the column's 1-based position in the table.
	Position int
	// TypeName is the type as Debezium's MySQL DDL parser names it, upper
	// case and without parameters: "INT", "INT UNSIGNED", "VARCHAR",
	// "DECIMAL", "DATETIME", "ENUM", "BIT", "JSON"...
	TypeName string
	// TypeExpression is what Debezium's MySQL DDL parser records as the
	// type expression: the same as TypeName (lengths are in Length and
	// Scale, ENUM/SET values in EnumValues). A record read from a history
	// topic keeps the value it holds.
	TypeExpression string
	// JDBCType is java.sql.Types' code for the type, as Debezium records it.
	JDBCType int
	// Length is the declared length or precision (VARCHAR(n), DECIMAL(p,s),
	// DATETIME(fsp), BIT(n)); -1 when none was given.
	Length int
	// Scale is DECIMAL's scale, or nil when the type has none.
	Scale *int
	// Unsigned is set for the numeric types declared UNSIGNED.
	Unsigned bool
	// Optional is set when the column may be NULL.
	Optional bool
	// AutoIncremented is set for an AUTO_INCREMENT column.
	AutoIncremented bool
	// Generated is Debezium's "generated": set, as its DDL parser sets
	// it, for AUTO_INCREMENT (and SERIAL) columns. A virtual or stored
	// generated column is a column like the others: MariaDB's row events
	// carry its value.
	Generated bool
	// Charset is the character set of a character column (CHAR, VARCHAR,
	// the TEXTs, ENUM, SET): its own, else the table's, as Debezium
	// records it; "" for the other types. utf8 is named utf8mb3, as the
	// server names it.
	Charset string
	// EnumValues are the values of an ENUM or SET column, in order,
	// unquoted (the history record quotes them, as Debezium does).
	EnumValues []string
	// HasDefault is set when the column has a DEFAULT clause (DEFAULT
	// NULL too: Debezium records it as hasDefaultValue with a null
	// expression, as SHOW CREATE TABLE writes it for every nullable
	// column without another default); DefaultExpr is its
	// value as Debezium records it: a literal's value,
	// "1970-01-01 00:00:00" for CURRENT_TIMESTAMP, nil for another
	// expression.
	HasDefault  bool
	DefaultExpr *string
	// Comment is the column's COMMENT, or "".
	Comment string
}

// Table is one table's structure.
type Table struct {
	ID      ID
	Columns []Column
	// PrimaryKey names the primary key's columns in key order; empty when
	// the table has none (its events then have a null key, as Debezium's).
	PrimaryKey []string
	// DefaultCharset is the table's default character set.
	DefaultCharset string
	Comment        string
}

// Column returns the column named name (compared as MySQL compares
// column names, without regard to case), or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}
