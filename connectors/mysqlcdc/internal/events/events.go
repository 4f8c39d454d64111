// Package events builds the change events of the MySQL/MariaDB CDC source
// as Debezium's MySQL and MariaDB connectors write them: the Kafka Connect
// schemas (key, value, envelope, source block, schema-change, heartbeat)
// and the values, converted from go-mysql's decoded binlog rows or from
// the rows of a snapshot SELECT.
//
// An Events is made once per connector task from its configuration; a
// Table is made per captured table structure (again after each DDL that
// changes it) and precomputes one converter per column, so that converting
// a row allocates little beyond the Structs.
//
// Column types map as Debezium's BinlogValueConverters map them (see
// columns.go), with these choices:
//   - Both paths start from the server's text for DECIMAL and the temporal
//     types (go-mysql with SyncerOptions; the snapshot on the text
//     protocol in a '+00:00' session), so they agree to the digit; a
//     single-precision FLOAT is selected as CAST(.. AS DOUBLE), because
//     the server's text of a FLOAT keeps 6 digits (SelectList).
//   - Zero dates are null in a nullable column and the column's default,
//     else Debezium's fallback (the epoch), in a NOT NULL one; YEAR 0000
//     is 0 (Debezium's time adjuster makes it 2000).
//   - TIME covers -838:59:59..838:59:59 as MicroTime; with
//     time.precision.mode=connect a TIME outside one day is an error.
//   - Spatial columns are Debezium's Geometry/Point structs, MariaDB's UUID
//     io.debezium.data.Uuid; INET4, INET6 and VECTOR columns are left out,
//     as Debezium leaves out a type it has no mapping for.
package events

import (
	"fmt"
	"slices"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// Connector names, as Debezium's source.connector field and schema names
// spell them.
const (
	ConnectorMySQL   = "mysql"
	ConnectorMariaDB = "mariadb"
)

// DefaultVersion is the Debezium version sluice reports in source.version.
const DefaultVersion = "3.6.1.Final"

// Op is an envelope's op field.
type Op string

// The envelope operations.
const (
	OpCreate Op = "c"
	OpUpdate Op = "u"
	OpDelete Op = "d"
	OpRead   Op = "r"
)

// Snapshot is the source block's snapshot field (io.debezium.data.Enum).
type Snapshot string

// The snapshot values. The zero value is SnapshotFalse: Debezium's binlog
// connectors always set the field, to "false" while streaming.
const (
	SnapshotTrue                  Snapshot = "true"
	SnapshotFirst                 Snapshot = "first"
	SnapshotFirstInDataCollection Snapshot = "first_in_data_collection"
	SnapshotLastInDataCollection  Snapshot = "last_in_data_collection"
	SnapshotLast                  Snapshot = "last"
	SnapshotFalse                 Snapshot = ""
	SnapshotIncremental           Snapshot = "incremental"
)

// Options configure an Events.
type Options struct {
	// Connector is ConnectorMySQL or ConnectorMariaDB: it names the source
	// and schema-change schemas (io.debezium.connector.<Connector>.Source)
	// and fills source.connector.
	Connector string
	// Version fills source.version; "" is DefaultVersion.
	Version string
	// TopicPrefix is topic.prefix: source.name, the topics and the names of
	// the table schemas.
	TopicPrefix string
	// Modes are the value representations (see ParseModes).
	Modes Modes
}

// Events builds the schemas and values of one connector's events. It is
// safe for concurrent use once made.
type Events struct {
	opts Options
	// version, connector and name are the source block's constant fields,
	// boxed once.
	version, connector, name any

	source            *schemas.Schema
	transaction       *schemas.Schema
	heartbeatKey      *schemas.Schema
	heartbeatValue    *schemas.Schema
	schemaChangeKey   *schemas.Schema
	schemaChangeValue *schemas.Schema
	historyColumn     *schemas.Schema
	historyTable      *schemas.Schema
	historyChange     *schemas.Schema
}

// New checks the options and builds the connector-wide schemas.
func New(o Options) (*Events, error) {
	if o.Connector != ConnectorMySQL && o.Connector != ConnectorMariaDB {
		return nil, fmt.Errorf("events: connector %q is neither %q nor %q", o.Connector, ConnectorMySQL, ConnectorMariaDB)
	}
	if o.TopicPrefix == "" {
		return nil, fmt.Errorf("events: topic.prefix is empty")
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	e := &Events{opts: o, version: o.Version, connector: o.Connector, name: o.TopicPrefix}
	if err := e.buildSchemas(); err != nil {
		return nil, err
	}
	return e, nil
}

// Options returns the options e was made with (Version filled in).
func (e *Events) Options() Options { return e.opts }

// Source is what the core knows of an event's origin; Events.Source turns
// it into the envelope's source block (io.debezium.connector.mysql.Source).
type Source struct {
	// Timestamp is when the change was made: the binlog event's header
	// timestamp when streaming, the read time during a snapshot. The zero
	// time means now, as Debezium's.
	Timestamp time.Time
	// Snapshot marks snapshot events; SnapshotFalse (the zero value)
	// while streaming.
	Snapshot Snapshot
	DB       string
	// Sequence is source.sequence; "" leaves it null.
	Sequence string
	// Table is source.table; "" leaves it null.
	Table    string
	ServerID int64
	// GTID is the current transaction's GTID; "" leaves it null.
	GTID string
	File string
	Pos  int64
	// Row is the row's index within its rows event.
	Row int32
	// Thread is the originating thread id; negative leaves it null.
	Thread int64
	// Query is the originating SQL (binlog_rows_query_log_events /
	// binlog_annotate_row_events); "" leaves it null.
	Query string
}

// SourceSchema returns the source block's schema.
func (e *Events) SourceSchema() *schemas.Schema { return e.source }

// Source returns the source block for s.
func (e *Events) Source(s *Source) *schemas.Struct { return e.sourceStruct(s) }

// TableChangeType is a schema-change event's tableChanges[].type.
type TableChangeType string

// The table change types.
const (
	TableCreate TableChangeType = "CREATE"
	TableAlter  TableChangeType = "ALTER"
	TableDrop   TableChangeType = "DROP"
)

// SchemaChangeTopic is the topic of schema-change events: the topic prefix.
func (e *Events) SchemaChangeTopic() string { return e.opts.TopicPrefix }

// SchemaChangeKeySchema is io.debezium.connector.<connector>.SchemaChangeKey.
func (e *Events) SchemaChangeKeySchema() *schemas.Schema { return e.schemaChangeKey }

// SchemaChangeValueSchema is io.debezium.connector.<connector>.SchemaChangeValue.
func (e *Events) SchemaChangeValueSchema() *schemas.Schema { return e.schemaChangeValue }

// HeartbeatTopic is the heartbeat topic, __debezium-heartbeat.<prefix>.
func (e *Events) HeartbeatTopic() string { return "__debezium-heartbeat." + e.opts.TopicPrefix }

// HeartbeatKeySchema is io.debezium.connector.common.ServerNameKey.
func (e *Events) HeartbeatKeySchema() *schemas.Schema { return e.heartbeatKey }

// HeartbeatValueSchema is io.debezium.connector.common.Heartbeat.
func (e *Events) HeartbeatValueSchema() *schemas.Schema { return e.heartbeatValue }

// Heartbeat returns a heartbeat's key ({serverName: prefix}) and value
// ({ts_ms}).
func (e *Events) Heartbeat(ts time.Time) (key, value *schemas.Struct) {
	key = schemas.NewStruct(e.heartbeatKey)
	key.MustPut("serverName", e.opts.TopicPrefix)
	value = schemas.NewStruct(e.heartbeatValue)
	value.MustPut("ts_ms", ts.UnixMilli())
	return key, value
}

// Tombstone returns the tombstone Debezium writes after a delete event
// (tombstones.on.delete): the same topic, partition, key and offsets,
// with a null value and value schema, so that log compaction can drop
// the key. It carries the delete's headers (a copy), as Debezium's.
func Tombstone(del connectors.SourceRecord) connectors.SourceRecord {
	t := del
	t.Value, t.ValueSchema = nil, nil
	t.Headers = slices.Clone(del.Headers)
	return t
}
