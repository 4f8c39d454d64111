package events

import (
	"fmt"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

// TableChange is one entry of a schema-change event's tableChanges.
type TableChange struct {
	Type TableChangeType
	// ID is the table changed (for a rename, its new name); when zero,
	// Table's.
	ID tables.ID
	// Table is the table's structure after a CREATE or ALTER. A DROP's
	// is not written (Debezium's DROP changes carry no table).
	Table *tables.Table
}

// SchemaChange is one schema-change event (include.schema.changes).
type SchemaChange struct {
	// Source is the source block of the DDL's position.
	Source *schemas.Struct
	// Timestamp is the value's ts_ms: the DDL's binlog event time.
	Timestamp time.Time
	// DB is databaseName, also the key's.
	DB string
	// DDL is the statement.
	DDL     string
	Changes []TableChange
}

// SchemaChange returns the key (io.debezium.connector.<connector>.
// SchemaChangeKey) and value (SchemaChangeValue) of a schema-change event,
// with tableChanges as Debezium's ConnectTableChangeSerializer writes them.
func (e *Events) SchemaChange(c *SchemaChange) (key, value *schemas.Struct, err error) {
	return e.schemaChange(c)
}

func (e *Events) schemaChange(c *SchemaChange) (key, value *schemas.Struct, err error) {
	if c.Source == nil {
		return nil, nil, fmt.Errorf("events: schema change %q: no source block", c.DDL)
	}
	key = schemas.NewStruct(e.schemaChangeKey)
	if err := key.Put("databaseName", c.DB); err != nil {
		return nil, nil, fmt.Errorf("events: schema change key: %w", err)
	}
	changes := make([]any, 0, len(c.Changes))
	for i := range c.Changes {
		s, err := e.tableChangeStruct(&c.Changes[i])
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, s)
	}
	value = schemas.NewStruct(e.schemaChangeValue)
	for _, f := range [...]struct {
		name string
		v    any
	}{
		{"source", c.Source}, {"ts_ms", c.Timestamp.UnixMilli()}, {"databaseName", c.DB},
		{"ddl", c.DDL}, {"tableChanges", changes},
	} {
		if err := value.Put(f.name, f.v); err != nil {
			return nil, nil, fmt.Errorf("events: schema change %q: %w", c.DDL, err)
		}
	}
	return key, value, nil
}

// tableChangeStruct is Debezium's ConnectTableChangeSerializer.toStruct.
func (e *Events) tableChangeStruct(c *TableChange) (*schemas.Struct, error) {
	switch c.Type {
	case TableCreate, TableAlter, TableDrop:
	default:
		return nil, fmt.Errorf("events: table change of %s: unknown type %q", c.ID, c.Type)
	}
	id := c.ID
	if id == (tables.ID{}) && c.Table != nil {
		id = c.Table.ID
	}
	if id.Table == "" {
		return nil, fmt.Errorf("events: a %s table change without a table name", c.Type)
	}
	st := schemas.NewStruct(e.historyChange)
	st.MustPut("type", string(c.Type))
	st.MustPut("id", DoubleQuotedID(id))
	if c.Table == nil || c.Type == TableDrop {
		return st, nil
	}
	t := c.Table
	ts := schemas.NewStruct(e.historyTable)
	if t.DefaultCharset != "" {
		ts.MustPut("defaultCharsetName", t.DefaultCharset)
	}
	pk := make([]any, len(t.PrimaryKey))
	for i, n := range t.PrimaryKey {
		pk[i] = n
	}
	ts.MustPut("primaryKeyColumnNames", pk)
	cols := make([]any, len(t.Columns))
	for i := range t.Columns {
		cols[i] = e.historyColumnStruct(&t.Columns[i])
	}
	ts.MustPut("columns", cols)
	if t.Comment != "" {
		ts.MustPut("comment", t.Comment)
	}
	st.MustPut("table", ts)
	return st, nil
}

func (e *Events) historyColumnStruct(c *tables.Column) *schemas.Struct {
	st := schemas.NewStruct(e.historyColumn)
	st.MustPut("name", c.Name)
	st.MustPut("jdbcType", int32(c.JDBCType))
	st.MustPut("typeName", c.TypeName)
	if c.TypeExpression != "" {
		st.MustPut("typeExpression", c.TypeExpression)
	}
	if c.Charset != "" {
		st.MustPut("charsetName", c.Charset)
	}
	if c.Length >= 0 {
		st.MustPut("length", int32(c.Length))
	}
	if c.Scale != nil {
		st.MustPut("scale", int32(*c.Scale))
	}
	st.MustPut("position", int32(c.Position))
	st.MustPut("optional", c.Optional)
	st.MustPut("autoIncremented", c.AutoIncremented)
	st.MustPut("generated", c.Generated)
	if c.Comment != "" {
		st.MustPut("comment", c.Comment)
	}
	if c.HasDefault && c.DefaultExpr != nil {
		st.MustPut("defaultValueExpression", *c.DefaultExpr)
	}
	if len(c.EnumValues) > 0 {
		// Debezium's parser records the values as the DDL's literals,
		// quotes included.
		vals := make([]any, len(c.EnumValues))
		for i, v := range c.EnumValues {
			vals[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		st.MustPut("enumValues", vals)
	}
	return st
}

// DoubleQuotedID is Debezium's TableId.toDoubleQuotedString for a MySQL
// table: "db"."table", a quote in a name doubled.
func DoubleQuotedID(id tables.ID) string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	if id.DB == "" {
		return q(id.Table)
	}
	return q(id.DB) + "." + q(id.Table)
}
