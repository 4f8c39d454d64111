package tables

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// KeySkipUnparseableDDL is Debezium's key for Options.SkipUnparseableDDL.
const KeySkipUnparseableDDL = "schema.history.internal.skip.unparseable.ddl"

// OptionsFromProps reads a Schema's options from a connector's
// properties: the filters (NewFilter) and
// schema.history.internal.skip.unparseable.ddl (default false).
func OptionsFromProps(props map[string]string, log *slog.Logger) (Options, error) {
	f, err := NewFilter(props)
	if err != nil {
		return Options{}, err
	}
	o := Options{Filter: f, Logger: log}
	if v := strings.TrimSpace(props[KeySkipUnparseableDDL]); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Options{}, fmt.Errorf("%s: %q is not true or false", KeySkipUnparseableDDL, v)
		}
		o.SkipUnparseableDDL = b
	}
	return o, nil
}

// ChangeType is the kind of a Change, named as Debezium's schema change
// events name it (SchemaChangeEventType).
type ChangeType string

// The kinds of change a DDL statement makes.
const (
	// ChangeCreate: a table was created (CREATE TABLE, CREATE TABLE LIKE).
	ChangeCreate ChangeType = "CREATE"
	// ChangeAlter: a table was altered or renamed (ALTER TABLE, RENAME
	// TABLE; PreviousID is set for a rename).
	ChangeAlter ChangeType = "ALTER"
	// ChangeDrop: a table was dropped.
	ChangeDrop ChangeType = "DROP"
	// ChangeTruncate: a table was truncated; its schema is unchanged.
	ChangeTruncate ChangeType = "TRUNCATE"
	// ChangeDatabase: a statement on a database (CREATE/ALTER/DROP
	// DATABASE); ID has only DB set and Table is nil.
	ChangeDatabase ChangeType = "DATABASE"
)

// Change is what one DDL statement did, in the terms of Debezium's
// schema change events and schema history records (one record per
// Change: databaseName DB, ddl DDL, tableChanges from Type, ID, PreviousID
// and Table).
type Change struct {
	Type ChangeType
	// DB is the database the statement applies to: the table's database,
	// or the database of a database statement. It is the history record's
	// databaseName and the schema change event's key.
	DB string
	// DDL is the statement's text as the server logged it.
	DDL string
	// ID is the table the statement changed (for a rename, its new name).
	ID ID
	// PreviousID is the table's name before a rename, else nil.
	PreviousID *ID
	// Table is the table after a CREATE or ALTER (a copy the caller may
	// keep); nil for DROP, TRUNCATE and DATABASE.
	Table *Table
}

// Options are a Schema's settings.
type Options struct {
	// Filter says which tables are captured; nil captures every table
	// outside the system databases.
	Filter *Filter
	// SkipUnparseableDDL is Debezium's
	// schema.history.internal.skip.unparseable.ddl: a statement the parser
	// cannot read that could change a captured table is logged and
	// skipped instead of failing Apply.
	SkipUnparseableDDL bool
	// ServerCharset is the server's character_set_server: the default
	// character set of a database created without one. Empty means
	// utf8mb4.
	ServerCharset string
	// Logger receives the warnings about skipped statements; nil logs to
	// slog.Default().
	Logger *slog.Logger
}

// Schema is the structure of the server's tables as of a point of the
// binary log: the tables by ID and each database's default character
// set. DDL statements move it forward (Apply). A Schema is not safe for
// concurrent use.
type Schema struct {
	opts     Options
	tables   map[ID]*Table
	charsets map[string]string
}

// NewSchema returns an empty schema.
func NewSchema(o Options) *Schema {
	if o.ServerCharset == "" {
		o.ServerCharset = "utf8mb4"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Schema{opts: o, tables: map[ID]*Table{}, charsets: map[string]string{}}
}

// Table returns the table id names, or nil. The table belongs to the
// schema: callers must not change it (Clone it to keep it across DDL).
func (s *Schema) Table(id ID) *Table { return s.tables[id] }

// Tables returns every table, sorted by database then name.
func (s *Schema) Tables() []*Table {
	out := slices.Collect(maps.Values(s.tables))
	slices.SortFunc(out, func(a, b *Table) int {
		if c := strings.Compare(a.ID.DB, b.ID.DB); c != 0 {
			return c
		}
		return strings.Compare(a.ID.Table, b.ID.Table)
	})
	return out
}

// Put adds or replaces a table (a copy of t), as a schema history
// record's tableChanges or a snapshot's SHOW CREATE TABLE describe it.
func (s *Schema) Put(t *Table) { s.tables[t.ID] = t.Clone() }

// Remove forgets a table.
func (s *Schema) Remove(id ID) { delete(s.tables, id) }

// DatabaseCharset returns a database's default character set: the one
// its CREATE/ALTER DATABASE set, else the server's.
func (s *Schema) DatabaseCharset(db string) string {
	if cs, ok := s.charsets[db]; ok {
		return cs
	}
	return s.opts.ServerCharset
}

// SetDatabaseCharset records a database's default character set (from
// information_schema.SCHEMATA during a snapshot).
func (s *Schema) SetDatabaseCharset(db, charset string) { s.charsets[db] = charset }

// Clone returns a deep copy of the schema.
func (s *Schema) Clone() *Schema {
	c := &Schema{opts: s.opts, tables: make(map[ID]*Table, len(s.tables)), charsets: maps.Clone(s.charsets)}
	for id, t := range s.tables {
		c.tables[id] = t.Clone()
	}
	return c
}

// Clone returns a deep copy of the table.
func (t *Table) Clone() *Table {
	c := *t
	c.Columns = make([]Column, len(t.Columns))
	for i, col := range t.Columns {
		c.Columns[i] = col.clone()
	}
	c.PrimaryKey = slices.Clone(t.PrimaryKey)
	return &c
}

func (c Column) clone() Column {
	if c.Scale != nil {
		v := *c.Scale
		c.Scale = &v
	}
	if c.DefaultExpr != nil {
		v := *c.DefaultExpr
		c.DefaultExpr = &v
	}
	c.EnumValues = slices.Clone(c.EnumValues)
	return c
}
