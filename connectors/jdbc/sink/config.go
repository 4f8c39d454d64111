package sink

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// The sink's configuration keys, as Confluent's JdbcSinkConfig names them.
const (
	ConnectionURLKey        = "connection.url"
	ConnectionUserKey       = "connection.user"
	ConnectionPasswordKey   = "connection.password"
	DialectNameKey          = "dialect.name"
	ConnectionAttemptsKey   = "connection.attempts"
	ConnectionBackoffKey    = "connection.backoff.ms"
	InsertModeKey           = "insert.mode"
	BatchSizeKey            = "batch.size"
	DeleteEnabledKey        = "delete.enabled"
	TableTypesKey           = "table.types"
	ReplaceNullKey          = "replace.null.with.default"
	TableNameFormatKey      = "table.name.format"
	PKModeKey               = "pk.mode"
	PKFieldsKey             = "pk.fields"
	FieldsWhitelistKey      = "fields.whitelist"
	DBTimezoneKey           = "db.timezone"
	DateTimezoneKey         = "date.timezone"
	TimestampFieldsKey      = "timestamp.fields.list"
	TimestampPrecisionKey   = "timestamp.precision.mode"
	DateCalendarKey         = "date.calendar.system"
	StringValueColumnKey    = "string.output.value.column.name"
	AutoCreateKey           = "auto.create"
	AutoEvolveKey           = "auto.evolve"
	QuoteIdentifiersKey     = "quote.sql.identifiers"
	MSSQLHoldlockKey        = "mssql.use.merge.holdlock"
	MaxRetriesKey           = "max.retries"
	RetryBackoffKey         = "retry.backoff.ms"
	TrimSensitiveLogKey     = "trim.sensitive.log"
	CredentialsProviderKey  = "jdbc.credentials.provider.class"
	defaultCredentialsClass = "io.confluent.connect.jdbc.util.DefaultJdbcCredentialsProvider"
)

// kafkaPKNames are pk.mode=kafka's default columns.
var kafkaPKNames = []string{"__connect_topic", "__connect_partition", "__connect_offset"}

// enumValidator accepts a value in lower or upper case, as Confluent's EnumValidator does
// ("upsert" or "UPSERT", not "Upsert").
type enumValidator []string

func (e enumValidator) Validate(name string, v any) error {
	s, _ := v.(string)
	for _, ok := range e {
		if s == ok || s == strings.ToUpper(ok) {
			return nil
		}
	}
	return &config.ValueError{Name: name, Value: v, Reason: "Invalid enumerator"}
}

func (e enumValidator) String() string { return "[" + strings.Join(e, ", ") + "]" }

// zoneValidator checks db.timezone as a Java ZoneId.
type zoneValidator struct{}

func (zoneValidator) Validate(name string, v any) error {
	s, _ := v.(string)
	if _, err := mysqlconn.Zone(s); err != nil {
		return &config.ValueError{Name: name, Value: v, Reason: "Invalid time zone identifier"}
	}
	return nil
}

func (zoneValidator) String() string {
	return "valid time zone identifier (e.g., 'Europe/Helsinki', 'UTC+2', 'Z', 'CET')"
}

// listOf checks every element of a list against one of values, case-insensitively.
type tableTypesValidator struct{}

func (tableTypesValidator) Validate(name string, v any) error {
	l, _ := v.([]string)
	for _, t := range l {
		switch strings.ToUpper(strings.TrimSpace(t)) {
		case "TABLE", "VIEW", "PARTITIONED TABLE", "PARTITIONED_TABLE":
		default:
			return &config.ValueError{Name: name, Value: t, Reason: "Invalid table type: expected TABLE, VIEW or PARTITIONED TABLE"}
		}
	}
	return nil
}

func (tableTypesValidator) String() string { return "[TABLE, VIEW, PARTITIONED TABLE]" }

const (
	groupConnection = "Connection"
	groupWrites     = "Writes"
	groupMapping    = "Data Mapping"
	groupDDL        = "DDL Support"
	groupDML        = "DML Support"
	groupRetries    = "Retries"
)

func configDef() *config.Def {
	nonNeg := config.AtLeast(0)
	return config.NewDef().
		Define(config.Key{Name: ConnectionURLKey, Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc:   "JDBC connection URL: jdbc:mysql://host[:port]/database[?property=value&...] or the same with jdbc:mariadb://.",
			Group: groupConnection, OrderInGroup: 1, Width: config.WidthLong, DisplayName: "JDBC URL"}).
		Define(config.Key{Name: ConnectionUserKey, Type: config.String, Default: nil, Importance: config.High,
			Doc: "JDBC connection user.", Group: groupConnection, OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "JDBC User"}).
		Define(config.Key{Name: ConnectionPasswordKey, Type: config.Password, Default: nil, Importance: config.High,
			Doc: "JDBC connection password.", Group: groupConnection, OrderInGroup: 3, Width: config.WidthMedium, DisplayName: "JDBC Password"}).
		Define(config.Key{Name: CredentialsProviderKey, Type: config.String, Default: defaultCredentialsClass, Importance: config.Low,
			Doc:   "Credentials provider class. Only the default, which takes connection.user and connection.password, is available in sluice.",
			Group: groupConnection, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "JDBC Credentials Provider Class",
			Validator: config.ValidString(defaultCredentialsClass)}).
		Define(config.Key{Name: DialectNameKey, Type: config.String, Default: "", Importance: config.Low,
			Doc:   "The database dialect. Empty (the default) picks it from connection.url; sluice has MySqlDatabaseDialect (MySQL and MariaDB) only.",
			Group: groupConnection, OrderInGroup: 5, Width: config.WidthLong, DisplayName: "Database Dialect",
			Validator: config.ValidString("", "MySqlDatabaseDialect")}).
		Define(config.Key{Name: ConnectionAttemptsKey, Type: config.Int, Default: 3, Validator: config.AtLeast(1), Importance: config.Low,
			Doc:   "Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer.",
			Group: groupConnection, OrderInGroup: 6, Width: config.WidthShort, DisplayName: "JDBC connection attempts"}).
		Define(config.Key{Name: ConnectionBackoffKey, Type: config.Long, Default: int64(10000), Importance: config.Low,
			Doc:   "Backoff time in milliseconds between connection attempts.",
			Group: groupConnection, OrderInGroup: 7, Width: config.WidthShort, DisplayName: "JDBC connection backoff in milliseconds"}).
		Define(config.Key{Name: InsertModeKey, Type: config.String, Default: "insert", Validator: enumValidator{"insert", "upsert", "update"},
			Importance: config.High, Group: groupWrites, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Insert Mode",
			Doc: "The insertion mode to use: insert (INSERT statements), upsert (INSERT ... ON DUPLICATE KEY UPDATE) or update (UPDATE ... WHERE the primary key)."}).
		Define(config.Key{Name: BatchSizeKey, Type: config.Int, Default: 3000, Validator: nonNeg, Importance: config.Medium,
			Doc:   "Specifies how many records to attempt to batch together for insertion into the destination table, when possible.",
			Group: groupWrites, OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Batch Size"}).
		Define(config.Key{Name: DeleteEnabledKey, Type: config.Boolean, Default: false, Importance: config.Medium,
			Doc:   "Whether to treat null record values as deletes. Requires pk.mode to be record_key. When false, a record with a null value (a tombstone) is skipped.",
			Group: groupWrites, OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Enable deletes"}).
		Define(config.Key{Name: TableTypesKey, Type: config.List, Default: "TABLE", Validator: tableTypesValidator{}, Importance: config.Low,
			Doc:   "The comma-separated types of database tables to which the sink connector can write: TABLE (the default), VIEW, PARTITIONED TABLE.",
			Group: groupWrites, OrderInGroup: 4, Width: config.WidthMedium, DisplayName: "Table Types"}).
		Define(config.Key{Name: ReplaceNullKey, Type: config.Boolean, Default: true, Importance: config.Low,
			Doc:   "Whether to replace a null field value with the field's default value.",
			Group: groupWrites, OrderInGroup: 5, Width: config.WidthMedium, DisplayName: "Replace null value with default value"}).
		Define(config.Key{Name: TableNameFormatKey, Type: config.String, Default: "${topic}", Validator: config.NonEmptyString(), Importance: config.Medium,
			Doc:   "A format string for the destination table name, which may contain '${topic}' as a placeholder for the originating topic name. For example, kafka_${topic} for the topic 'orders' maps to the table 'kafka_orders'. A name with a dot is database.table.",
			Group: groupMapping, OrderInGroup: 1, Width: config.WidthLong, DisplayName: "Table Name Format"}).
		Define(config.Key{Name: PKModeKey, Type: config.String, Default: "none", Validator: enumValidator{"none", "kafka", "record_key", "record_value"},
			Importance: config.High, Group: groupMapping, OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "Primary Key Mode",
			Doc: "The primary key mode, also refer to pk.fields: none (no keys), kafka (the Kafka coordinates), record_key (fields of the record key, a primitive or a struct), record_value (fields of the record value, a struct)."}).
		Define(config.Key{Name: PKFieldsKey, Type: config.List, Default: "", Importance: config.Medium,
			Group: groupMapping, OrderInGroup: 3, Width: config.WidthLong, DisplayName: "Primary Key Fields",
			Doc: "List of comma-separated primary key field names. With pk.mode kafka: exactly three names, or empty for __connect_topic,__connect_partition,__connect_offset; record_key: empty for every field of a struct key, else the fields to take (exactly one name for a primitive key); record_value: empty for every field of the value, else the fields to take."}).
		Define(config.Key{Name: FieldsWhitelistKey, Type: config.List, Default: "", Importance: config.Medium,
			Group: groupMapping, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Fields Whitelist",
			Doc: "List of comma-separated record value field names. If empty, all fields from the record value are utilized, otherwise used to filter to the desired fields. pk.fields is applied independently."}).
		Define(config.Key{Name: DBTimezoneKey, Type: config.String, Default: "UTC", Validator: zoneValidator{}, Importance: config.Medium,
			Doc:   "Name of the JDBC timezone that should be used in the connector when inserting time-based values. Defaults to UTC.",
			Group: groupMapping, OrderInGroup: 5, Width: config.WidthMedium, DisplayName: "DB Time Zone"}).
		Define(config.Key{Name: DateTimezoneKey, Type: config.String, Default: "DB_TIMEZONE", Validator: enumValidator{"db_timezone", "utc"}, Importance: config.Low,
			Doc:   "The time zone in which DATE values are written: DB_TIMEZONE (db.timezone, the default, for compatibility) or UTC (recommended: no conversion of dates).",
			Group: groupMapping, OrderInGroup: 6, Width: config.WidthMedium, DisplayName: "Time Zone used for Date"}).
		Define(config.Key{Name: TimestampFieldsKey, Type: config.List, Default: "", Importance: config.Medium,
			Doc:   "List of comma-separated record value fields of type INT64 that hold timestamps in timestamp.precision.mode units since the epoch; they are written (and auto-created) as DATETIME(6).",
			Group: groupMapping, OrderInGroup: 7, Width: config.WidthMedium, DisplayName: "Timestamp Fields Whitelist"}).
		Define(config.Key{Name: TimestampPrecisionKey, Type: config.String, Default: "microseconds", Validator: enumValidator{"microseconds", "nanoseconds"}, Importance: config.Low,
			Doc:   "The unit of the fields in timestamp.fields.list: microseconds or nanoseconds since the epoch.",
			Group: groupMapping, OrderInGroup: 8, Width: config.WidthMedium, DisplayName: "Sink Timestamp Precision mode"}).
		Define(config.Key{Name: DateCalendarKey, Type: config.String, Default: "LEGACY", Validator: config.ValidString("LEGACY", "PROLEPTIC_GREGORIAN"), Importance: config.Low,
			Doc:   "The calendar of Date and Timestamp values. sluice always uses the proleptic Gregorian calendar; the two differ only before 1582-10-15.",
			Group: groupMapping, OrderInGroup: 9, Width: config.WidthMedium, DisplayName: "Date Calendar System"}).
		Define(config.Key{Name: StringValueColumnKey, Type: config.String, Default: "record_value", Validator: config.NonEmptyString(), Importance: config.Low,
			Doc:   "When the record value has a STRING schema, the value is written to one column of this name.",
			Group: groupMapping, OrderInGroup: 10, Width: config.WidthMedium, DisplayName: "String Value Column Name"}).
		Define(config.Key{Name: AutoCreateKey, Type: config.Boolean, Default: false, Importance: config.Medium,
			Doc:   "Whether to automatically create the destination table based on record schema if it is found to be missing by issuing CREATE.",
			Group: groupDDL, OrderInGroup: 1, Width: config.WidthShort, DisplayName: "Auto-Create"}).
		Define(config.Key{Name: AutoEvolveKey, Type: config.Boolean, Default: false, Importance: config.Medium,
			Doc:   "Whether to automatically add columns in the table schema when found to be missing relative to the record schema by issuing ALTER.",
			Group: groupDDL, OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Auto-Evolve"}).
		Define(config.Key{Name: QuoteIdentifiersKey, Type: config.String, Default: "always", Validator: enumValidator{"always", "never"}, Importance: config.Medium,
			Doc:   "When to quote table names, column names, and other identifiers in SQL statements. For backward compatibility, the default is always.",
			Group: groupDDL, OrderInGroup: 3, Width: config.WidthMedium, DisplayName: "Quote Identifiers"}).
		Define(config.Key{Name: MSSQLHoldlockKey, Type: config.Boolean, Default: true, Importance: config.Low,
			Doc:   "Whether to use HOLDLOCK when performing a MERGE INTO upsert statement. Only applicable to SQL Server: no effect here.",
			Group: groupDML, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "SQL Server - Use HOLDLOCK in MERGE"}).
		Define(config.Key{Name: MaxRetriesKey, Type: config.Int, Default: 10, Validator: nonNeg, Importance: config.Medium,
			Doc:   "The maximum number of times to retry on errors before failing the task.",
			Group: groupRetries, OrderInGroup: 1, Width: config.WidthShort, DisplayName: "Maximum Retries"}).
		Define(config.Key{Name: RetryBackoffKey, Type: config.Int, Default: 3000, Validator: nonNeg, Importance: config.Medium,
			Doc:   "The time in milliseconds to wait following an error before a retry attempt is made.",
			Group: groupRetries, OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Retry Backoff (millis)"}).
		Define(config.Key{Name: TrimSensitiveLogKey, Type: config.Boolean, Default: false, Importance: config.Low,
			Doc: "Accepted for compatibility, no effect: the sink never logs record values itself; a database error (a failed task's trace, the dead letter queue's headers, the runtime's errors.log.enable lines) carries the server's message, which may quote a value, as in Kafka Connect."})
}

// Insert modes and primary key modes.
const (
	modeInsert = "insert"
	modeUpsert = "upsert"
	modeUpdate = "update"

	pkNone        = "none"
	pkKafka       = "kafka"
	pkRecordKey   = "record_key"
	pkRecordValue = "record_value"
)

// settings is a parsed configuration.
type settings struct {
	url               *mysqlconn.URL
	attempts          int
	backoff           time.Duration
	insertMode        string
	batchSize         int
	deleteEnabled     bool
	tableTypes        []string // upper case: TABLE, VIEW, PARTITIONED TABLE
	replaceNull       bool
	tableFormat       string
	pkMode            string
	pkFields          []string
	whitelist         map[string]bool
	zone              *time.Location
	dateZone          *time.Location
	tsFields          map[string]bool
	tsNanos           bool
	stringValueColumn string
	autoCreate        bool
	autoEvolve        bool
	quote             bool
	maxRetries        int
	retryBackoff      time.Duration
}

// parse reads props: each key, then the rules between keys (Confluent's, and pk.fields for a
// kafka primary key).
func parse(props map[string]string) (*settings, error) {
	v, err := configDef().Parse(props)
	if err != nil {
		return nil, err
	}
	s := &settings{
		attempts:          v.Int(ConnectionAttemptsKey),
		backoff:           time.Duration(v.Long(ConnectionBackoffKey)) * time.Millisecond,
		insertMode:        strings.ToLower(v.String(InsertModeKey)),
		batchSize:         max(1, v.Int(BatchSizeKey)),
		deleteEnabled:     v.Bool(DeleteEnabledKey),
		replaceNull:       v.Bool(ReplaceNullKey),
		tableFormat:       strings.TrimSpace(v.String(TableNameFormatKey)),
		pkMode:            strings.ToLower(v.String(PKModeKey)),
		pkFields:          v.List(PKFieldsKey),
		whitelist:         setOf(v.List(FieldsWhitelistKey)),
		tsFields:          setOf(v.List(TimestampFieldsKey)),
		tsNanos:           strings.EqualFold(v.String(TimestampPrecisionKey), "nanoseconds"),
		stringValueColumn: v.String(StringValueColumnKey),
		autoCreate:        v.Bool(AutoCreateKey),
		autoEvolve:        v.Bool(AutoEvolveKey),
		quote:             strings.EqualFold(v.String(QuoteIdentifiersKey), "always"),
		maxRetries:        v.Int(MaxRetriesKey),
		retryBackoff:      time.Duration(v.Int(RetryBackoffKey)) * time.Millisecond,
	}
	for _, t := range v.List(TableTypesKey) {
		s.tableTypes = append(s.tableTypes, strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(t)), "_", " "))
	}
	s.zone, _ = mysqlconn.Zone(v.String(DBTimezoneKey)) // checked by zoneValidator
	s.dateZone = s.zone
	if strings.EqualFold(v.String(DateTimezoneKey), "utc") {
		s.dateZone = time.UTC
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	s.url, err = mysqlconn.ParseURL(v.String(ConnectionURLKey), v.String(ConnectionUserKey), v.Password(ConnectionPasswordKey).Value())
	if err != nil {
		return nil, err
	}
	return s, nil
}

// check applies the rules between keys; errors start with the key they are about.
func (s *settings) check() error {
	if s.deleteEnabled && s.pkMode != pkRecordKey {
		return fmt.Errorf("%s: Primary key mode must be 'record_key' when delete support is enabled", DeleteEnabledKey)
	}
	if s.pkMode == pkKafka && len(s.pkFields) != 0 && len(s.pkFields) != 3 {
		return fmt.Errorf("%s: with pk.mode kafka give exactly 3 names (topic, partition, offset columns) or none for the defaults %s, not %v",
			PKFieldsKey, strings.Join(kafkaPKNames, ","), s.pkFields)
	}
	if s.insertMode != modeInsert && s.pkMode == pkNone {
		return fmt.Errorf("%s: insert.mode %s needs a primary key: set pk.mode to kafka, record_key or record_value", PKModeKey, s.insertMode)
	}
	for _, f := range s.pkFields {
		if strings.TrimSpace(f) == "" {
			return fmt.Errorf("%s: an empty field name", PKFieldsKey)
		}
	}
	return nil
}

func setOf(l []string) map[string]bool {
	if len(l) == 0 {
		return nil
	}
	m := make(map[string]bool, len(l))
	for _, s := range l {
		m[s] = true
	}
	return m
}

// keyOf names the key an error from check or ParseURL is about.
func keyOf(err error) string {
	msg := err.Error()
	for _, k := range []string{DeleteEnabledKey, PKFieldsKey, PKModeKey, ConnectionURLKey} {
		if strings.HasPrefix(msg, k) {
			return k
		}
	}
	if slices.ContainsFunc([]string{"connection.user", "connection.password"}, func(k string) bool { return strings.Contains(msg, k) }) {
		return ConnectionUserKey
	}
	return ConnectionURLKey
}
