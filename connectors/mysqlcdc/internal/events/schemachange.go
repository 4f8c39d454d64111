package events

import (
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

// TableChange is one entry of a schema-change event's tableChanges: the
// table's structure after the change (for a DROP, the structure it had).
type TableChange struct {
	Type  TableChangeType
	Table *tables.Table
}

// SchemaChange is one schema-change event (include.schema.changes).
type SchemaChange struct {
	// Source is the source block of the DDL's position.
	Source *schemas.Struct
	// Timestamp is the value's ts_ms: when the connector processed it.
	Timestamp time.Time
	// DB is databaseName, also the key; "" for a statement outside any
	// database (the key then has "").
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
