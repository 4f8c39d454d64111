package events

import (
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/schemas"
)

// Names and versions of Debezium's schemas (io.debezium.schema.SchemaFactory
// and io.debezium.data.*).
const (
	enumName        = "io.debezium.data.Enum"
	enumSetName     = "io.debezium.data.EnumSet"
	enumAllowed     = "allowed"
	bitsName        = "io.debezium.data.Bits"
	bitsLength      = "length"
	jsonName        = "io.debezium.data.Json"
	uuidName        = "io.debezium.data.Uuid"
	yearName        = "io.debezium.time.Year"
	dateName        = "io.debezium.time.Date"
	microTimeName   = "io.debezium.time.MicroTime"
	timestampName   = "io.debezium.time.Timestamp"
	microTSName     = "io.debezium.time.MicroTimestamp"
	zonedTSName     = "io.debezium.time.ZonedTimestamp"
	precisionParam  = "connect.decimal.precision"
	envelopeVersion = 2
)

// snapshotAllowed lists the snapshot enum's values in Debezium's order
// (SnapshotRecord).
var snapshotAllowed = []Snapshot{SnapshotTrue, SnapshotFirst, SnapshotFirstInDataCollection,
	SnapshotLastInDataCollection, SnapshotLast, SnapshotFalse, SnapshotIncremental}

func (e *Events) buildSchemas() error {
	allowed := make([]string, len(snapshotAllowed))
	for i, s := range snapshotAllowed {
		allowed[i] = string(s)
		if s == SnapshotFalse {
			allowed[i] = "false"
		}
	}
	snapshot, err := schemas.NewBuilder(schemas.TypeString).Name(enumName).Version(1).
		Parameter(enumAllowed, strings.Join(allowed, ",")).Default("false").Optional().Build()
	if err != nil {
		return fmt.Errorf("events: snapshot schema: %w", err)
	}
	e.source, err = schemas.NewBuilder(schemas.TypeStruct).
		Name("io.debezium.connector."+e.opts.Connector+".Source").Version(1).
		Field("version", schemas.StringSchema).
		Field("connector", schemas.StringSchema).
		Field("name", schemas.StringSchema).
		Field("ts_ms", schemas.Int64Schema).
		Field("snapshot", snapshot).
		Field("db", schemas.StringSchema).
		Field("sequence", schemas.OptionalStringSchema).
		Field("ts_us", schemas.OptionalInt64Schema).
		Field("ts_ns", schemas.OptionalInt64Schema).
		Field("table", schemas.OptionalStringSchema).
		Field("server_id", schemas.Int64Schema).
		Field("gtid", schemas.OptionalStringSchema).
		Field("file", schemas.StringSchema).
		Field("pos", schemas.Int64Schema).
		Field("row", schemas.Int32Schema).
		Field("thread", schemas.OptionalInt64Schema).
		Field("query", schemas.OptionalStringSchema).
		Build()
	if err != nil {
		return fmt.Errorf("events: source schema: %w", err)
	}
	e.transaction, err = schemas.NewBuilder(schemas.TypeStruct).Optional().Name("event.block").Version(1).
		Field("id", schemas.StringSchema).
		Field("total_order", schemas.Int64Schema).
		Field("data_collection_order", schemas.Int64Schema).
		Build()
	if err != nil {
		return fmt.Errorf("events: transaction schema: %w", err)
	}
	e.heartbeatKey, err = schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.common.ServerNameKey").Version(1).
		Field("serverName", schemas.StringSchema).Build()
	if err != nil {
		return fmt.Errorf("events: heartbeat key schema: %w", err)
	}
	e.heartbeatValue, err = schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.common.Heartbeat").Version(1).
		Field("ts_ms", schemas.Int64Schema).Build()
	if err != nil {
		return fmt.Errorf("events: heartbeat value schema: %w", err)
	}
	return e.buildSchemaChangeSchemas()
}

func (e *Events) buildSchemaChangeSchemas() error {
	optStrings := schemas.Array(schemas.StringSchema).Optional().MustBuild()
	var err error
	e.historyColumn, err = schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.schema.Column").Version(1).
		Field("name", schemas.StringSchema).
		Field("jdbcType", schemas.Int32Schema).
		Field("nativeType", schemas.OptionalInt32Schema).
		Field("typeName", schemas.StringSchema).
		Field("typeExpression", schemas.OptionalStringSchema).
		Field("charsetName", schemas.OptionalStringSchema).
		Field("length", schemas.OptionalInt32Schema).
		Field("scale", schemas.OptionalInt32Schema).
		Field("position", schemas.Int32Schema).
		Field("optional", schemas.OptionalBooleanSchema).
		Field("autoIncremented", schemas.OptionalBooleanSchema).
		Field("generated", schemas.OptionalBooleanSchema).
		Field("comment", schemas.OptionalStringSchema).
		Field("defaultValueExpression", schemas.OptionalStringSchema).
		Field("enumValues", optStrings).
		Build()
	if err != nil {
		return fmt.Errorf("events: schema-change column schema: %w", err)
	}
	e.historyTable, err = schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.schema.Table").Version(1).
		Field("defaultCharsetName", schemas.OptionalStringSchema).
		Field("primaryKeyColumnNames", optStrings).
		Field("columns", schemas.Array(e.historyColumn).MustBuild()).
		Field("comment", schemas.OptionalStringSchema).
		Optional().Build()
	if err != nil {
		return fmt.Errorf("events: schema-change table schema: %w", err)
	}
	e.historyChange, err = schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.schema.Change").Version(1).
		Field("type", schemas.StringSchema).
		Field("id", schemas.StringSchema).
		Field("table", e.historyTable).
		Build()
	if err != nil {
		return fmt.Errorf("events: schema-change change schema: %w", err)
	}
	prefix := "io.debezium.connector." + e.opts.Connector
	e.schemaChangeKey, err = schemas.NewBuilder(schemas.TypeStruct).Name(prefix+".SchemaChangeKey").Version(1).
		Field("databaseName", schemas.StringSchema).Build()
	if err != nil {
		return fmt.Errorf("events: schema-change key schema: %w", err)
	}
	e.schemaChangeValue, err = schemas.NewBuilder(schemas.TypeStruct).Name(prefix+".SchemaChangeValue").Version(1).
		Field("source", e.source).
		Field("ts_ms", schemas.Int64Schema).
		Field("databaseName", schemas.OptionalStringSchema).
		Field("schemaName", schemas.OptionalStringSchema).
		Field("ddl", schemas.OptionalStringSchema).
		Field("tableChanges", schemas.Array(e.historyChange).MustBuild()).
		Build()
	if err != nil {
		return fmt.Errorf("events: schema-change value schema: %w", err)
	}
	return nil
}
