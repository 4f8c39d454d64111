package mysqlcdc

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/history"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/incremental"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/mysqlconn"
	"github.com/sluicehq/sluice/internal/tlsconf"
)

// The connector's configuration keys, as Debezium's MySQL and MariaDB
// connectors name them.
const (
	HostnameKey              = "database.hostname"
	PortKey                  = "database.port"
	UserKey                  = "database.user"
	PasswordKey              = "database.password"
	ServerIDKey              = "database.server.id"
	TopicPrefixKey           = "topic.prefix"
	DatabaseIncludeKey       = "database.include.list"
	DatabaseExcludeKey       = "database.exclude.list"
	TableIncludeKey          = "table.include.list"
	TableExcludeKey          = "table.exclude.list"
	ColumnExcludeKey         = "column.exclude.list"
	SnapshotModeKey          = "snapshot.mode"
	SnapshotLockingModeKey   = "snapshot.locking.mode"
	SnapshotFetchSizeKey     = "snapshot.fetch.size"
	SnapshotLockTimeoutKey   = "snapshot.lock.timeout.ms"
	IncludeSchemaChangesKey  = "include.schema.changes"
	IncludeQueryKey          = "include.query"
	TombstonesOnDeleteKey    = "tombstones.on.delete"
	HistoryTopicKey          = "schema.history.internal.kafka.topic"
	HistoryServersKey        = "schema.history.internal.kafka.bootstrap.servers"
	HeartbeatIntervalKey     = "heartbeat.interval.ms"
	HeartbeatTopicsPrefixKey = "heartbeat.topics.prefix"
	TopicHeartbeatPrefixKey  = "topic.heartbeat.prefix"
	TopicDelimiterKey        = "topic.delimiter"
	DecimalHandlingKey       = "decimal.handling.mode"
	TimePrecisionKey         = "time.precision.mode"
	BigintUnsignedKey        = "bigint.unsigned.handling.mode"
	BinaryHandlingKey        = "binary.handling.mode"
	MaxBatchSizeKey          = "max.batch.size"
	MaxQueueSizeKey          = "max.queue.size"
	PollIntervalKey          = "poll.interval.ms"
	SignalCollectionKey      = "signal.data.collection"
	ConnectTimeoutKey        = "connect.timeout.ms"
	KeepAliveKey             = "connect.keep.alive"
	KeepAliveIntervalKey     = "connect.keep.alive.interval.ms"
	BackoffMaxKey            = "connect.backoff.max.ms"
	ExtendedHeadersKey       = "extended.headers.enabled"
	SSLModeKey               = "database.ssl.mode"
	SSLKeystoreKey           = "database.ssl.keystore"
	SSLKeystorePasswordKey   = "database.ssl.keystore.password"
	SSLTruststoreKey         = "database.ssl.truststore"
	SSLTruststorePasswordKey = "database.ssl.truststore.password"
)

// The snapshot.mode values (Debezium 3.x; schema_only and
// schema_only_recovery are the older names of no_data and recovery).
const (
	SnapshotInitial     = "initial"
	SnapshotInitialOnly = "initial_only"
	SnapshotNoData      = "no_data"
	SnapshotWhenNeeded  = "when_needed"
	SnapshotNever       = "never"
	SnapshotRecovery    = "recovery"
	SnapshotAlways      = "always"
)

// The snapshot.locking.mode values sluice implements.
const (
	LockingMinimal  = "minimal"
	LockingExtended = "extended"
	LockingNone     = "none"
)

const (
	groupConnection = "Connection"
	groupFilters    = "Filters"
	groupSnapshot   = "Snapshot"
	groupEvents     = "Events"
	groupHistory    = "Schema history"
	groupEngine     = "Connector"
)

// Caps on sizes and durations from the configuration. The task allocates
// its queue with max.queue.size slots and a poll's slice with
// max.batch.size, so an absurd value would allocate gigabytes and take
// the worker down; durations in milliseconds beyond maxMillis (about 24.8
// days, Java's Integer.MAX_VALUE) would overflow time.Duration arithmetic
// (keep-alive doubled, backoff doubled) and mean nothing useful anyway.
const (
	maxQueueSize = 1 << 20
	maxMillis    = int64(math.MaxInt32)
)

// maxQueueBytesKey is Debezium's max.queue.size.in.bytes (0, its
// default, turns it off).
const maxQueueBytesKey = "max.queue.size.in.bytes"

// topicPrefixChars is what Debezium allows in topic.prefix: a topic name's
// characters.
var topicPrefixChars = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// unsupportedKeys are Debezium keys whose effect sluice does not implement
// and that change what is captured or how: a configuration setting them is
// refused rather than silently doing something else. Keys Debezium has
// that only tune its Java internals are accepted and ignored.
var unsupportedKeys = []string{
	"gtid.source.includes", "gtid.source.excludes", "message.key.columns",
	"snapshot.select.statement.overrides", "column.include.list",
	"snapshot.include.collection.list", "snapshot.new.tables", "binlog.buffer.size",
	"converters", "custom.metric.tags", "provide.transaction.metadata",
	"event.processing.failure.handling.mode", "inconsistent.schema.handling.mode",
	"skipped.operations", "table.ignore.builtin", "read.only", "heartbeat.action.query",
	"database.initial.statements", "topic.naming.strategy",
}

// unsupportedPrefixes are key prefixes of Debezium features sluice does
// not implement (column masking, truncation, hashing and propagation).
var unsupportedPrefixes = []string{"column.mask.", "column.truncate.to.", "column.propagate.source.type",
	"datatype.propagate.source.type", "snapshot.select.statement.overrides."}

func configDef() *config.Def {
	d := config.NewDef()
	var group string
	order := 0
	def := func(k config.Key) {
		order++
		k.Group, k.OrderInGroup = group, order
		d.Define(k)
	}
	group, order = groupConnection, 0
	def(config.Key{Name: HostnameKey, Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyString(), Importance: config.High, Width: config.WidthMedium, DisplayName: "Hostname",
		Doc: "Resolvable hostname or IP address of the database server."})
	def(config.Key{Name: PortKey, Type: config.Int, Default: 3306, Validator: config.Range(1, 65535), Importance: config.High, Width: config.WidthShort, DisplayName: "Port",
		Doc: "Port of the database server."})
	def(config.Key{Name: UserKey, Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyString(), Importance: config.High, Width: config.WidthShort, DisplayName: "User",
		Doc: "Name of the database user to connect as: it needs SELECT, RELOAD (for the snapshot's global read lock), SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT (MariaDB: BINLOG MONITOR)."})
	def(config.Key{Name: PasswordKey, Type: config.Password, Default: nil, Importance: config.High, Width: config.WidthShort, DisplayName: "Password",
		Doc: "Password of the database user."})
	def(config.Key{Name: ServerIDKey, Type: config.Long, Default: config.NoDefault, Validator: config.Range(int64(1), int64(4294967295)), Importance: config.Low, Width: config.WidthLong, DisplayName: "Cluster ID",
		Doc: "A numeric ID of this database client, unique among all the replicas of the server (1 to 4294967295): the server disconnects an older replica that uses the same ID."})
	def(config.Key{Name: TopicPrefixKey, Type: config.String, Default: config.NoDefault, Validator: config.TopicName(false), Importance: config.High, Width: config.WidthMedium, DisplayName: "Topic prefix",
		Doc: "Topic prefix naming the source database server: data topics are <prefix>.<database>.<table>, schema changes go to <prefix>. Letters, digits, '.', '_' and '-' only. It is also the offsets' partition, so it must not change."})
	def(config.Key{Name: ConnectTimeoutKey, Type: config.Int, Default: 30000, Validator: config.AtLeast(1), Importance: config.Low, Width: config.WidthShort,
		Doc: "Maximum time in milliseconds to wait when connecting to the database server."})
	def(config.Key{Name: KeepAliveKey, Type: config.Boolean, Default: true, Importance: config.Low, Width: config.WidthShort,
		Doc: "Reconnect the binlog reader when its connection is lost (always on in sluice: false is refused)."})
	def(config.Key{Name: KeepAliveIntervalKey, Type: config.Long, Default: int64(60000), Validator: config.Range(int64(1), maxMillis), Importance: config.Low, Width: config.WidthShort,
		Doc: "Interval in milliseconds of the binlog connection's heartbeats from the server: a connection that stays silent for twice as long and 5 s more is taken as lost and reconnected."})
	def(config.Key{Name: BackoffMaxKey, Type: config.Long, Default: int64(10000), Validator: config.Range(int64(100), maxMillis), Importance: config.Low, Width: config.WidthShort,
		Doc: "The longest wait in milliseconds between two attempts to reconnect the binlog reader (the wait starts at 100 ms and doubles)."})

	def(config.Key{Name: SSLModeKey, Type: config.String, Default: "preferred", Validator: config.CaseInsensitiveValidString("disabled", "preferred", "required", "verify_ca", "verify_identity"),
		Importance: config.Medium, Width: config.WidthMedium, DisplayName: "SSL mode",
		Doc: "TLS to the database server, for the binlog and the SQL connections alike: disabled (plaintext), preferred (TLS when the server offers it, else plaintext; the server is not verified), required (TLS or fail; the server is not verified), verify_ca (required, and the server's certificate must chain to the truststore, or to the system's roots without one; its host name is not checked), verify_identity (verify_ca, and the certificate must name database.hostname)."})
	def(config.Key{Name: SSLKeystoreKey, Type: config.String, Default: "", Importance: config.Low, Width: config.WidthLong, DisplayName: "SSL Keystore",
		Doc: "The file of this client's certificate and private key, for servers that require one (REQUIRE X509): a JKS or PKCS12 key store, or PEM (the key and its certificate chain in one file)."})
	def(config.Key{Name: SSLKeystorePasswordKey, Type: config.Password, Default: nil, Importance: config.Low, Width: config.WidthMedium, DisplayName: "SSL Keystore Password",
		Doc: "The password of database.ssl.keystore (JKS, PKCS12); also the private key's."})
	def(config.Key{Name: SSLTruststoreKey, Type: config.String, Default: "", Importance: config.Low, Width: config.WidthLong, DisplayName: "SSL Truststore",
		Doc: "The file of the certificates that verify the server under verify_ca and verify_identity: a JKS or PKCS12 trust store, or PEM certificates."})
	def(config.Key{Name: SSLTruststorePasswordKey, Type: config.Password, Default: nil, Importance: config.Low, Width: config.WidthMedium, DisplayName: "SSL Truststore Password",
		Doc: "The password of database.ssl.truststore (JKS, PKCS12)."})

	group, order = groupFilters, 0
	list := func(name, doc string) {
		def(config.Key{Name: name, Type: config.List, Default: nil, Validator: regexList{}, Importance: config.Medium, Width: config.WidthLong, Doc: doc})
	}
	list(DatabaseIncludeKey, "Regular expressions matching the names of the databases to capture (whole names, case-insensitive); all but the system databases when unset. May not be set with database.exclude.list.")
	list(DatabaseExcludeKey, "Regular expressions matching the names of the databases not to capture. May not be set with database.include.list.")
	list(TableIncludeKey, "Regular expressions matching the names (database.table) of the tables to capture. May not be set with table.exclude.list.")
	list(TableExcludeKey, "Regular expressions matching the names (database.table) of the tables not to capture. May not be set with table.include.list.")
	list(ColumnExcludeKey, "Regular expressions matching the names (database.table.column) of the columns to leave out of change events.")

	group, order = groupSnapshot, 0
	def(config.Key{Name: SnapshotModeKey, Type: config.String, Default: SnapshotInitial,
		Validator:  config.CaseInsensitiveValidString(SnapshotInitial, SnapshotInitialOnly, SnapshotNoData, SnapshotWhenNeeded, SnapshotNever, SnapshotRecovery, SnapshotAlways, "schema_only", "schema_only_recovery"),
		Importance: config.Low, Width: config.WidthShort, DisplayName: "Snapshot mode",
		Doc: "When to snapshot: initial (schemas and data when there is no offset, then stream), initial_only (snapshot, then stop), no_data (schemas only, then stream from the current position; old name schema_only), when_needed (snapshot when there is no offset or the binlog at the offset is gone), never (stream from the start of the oldest binlog), recovery (rebuild a lost schema history from the current schemas, then stream from the offset; old name schema_only_recovery), always (snapshot at every start)."})
	def(config.Key{Name: SnapshotLockingModeKey, Type: config.String, Default: LockingMinimal, Validator: config.CaseInsensitiveValidString(LockingMinimal, LockingExtended, LockingNone),
		Importance: config.Low, Width: config.WidthShort, DisplayName: "Snapshot locking mode",
		Doc: "How the snapshot keeps the schemas and position consistent: minimal (a global read lock while it reads the position and the schemas, then a consistent-snapshot transaction for the rows; FLUSH TABLES WITH READ LOCK needs RELOAD, without it each table is locked), extended (the lock is held until all rows are read), none (no lock: a DDL statement during the snapshot can make the schemas and the position disagree)."})
	def(config.Key{Name: SnapshotLockTimeoutKey, Type: config.Long, Default: int64(10000), Validator: config.Range(int64(1000), maxMillis), Importance: config.Medium, Width: config.WidthShort,
		Doc: "How long in milliseconds the snapshot waits for its global read lock (a long-running statement on any table holds it up, and writers wait behind it meanwhile); the snapshot tries three times, then the task fails."})
	def(config.Key{Name: SnapshotFetchSizeKey, Type: config.Int, Default: nil, Importance: config.Low, Width: config.WidthShort,
		Doc: "Accepted for compatibility: sluice streams the snapshot's rows without buffering them."})

	group, order = groupEvents, 0
	def(config.Key{Name: IncludeSchemaChangesKey, Type: config.Boolean, Default: true, Importance: config.Medium, Width: config.WidthShort,
		Doc: "Write schema change events, keyed by database name, to the topic named by topic.prefix."})
	def(config.Key{Name: IncludeQueryKey, Type: config.Boolean, Default: false, Importance: config.Low, Width: config.WidthShort,
		Doc: "Fill the source block's query field with the statement that made the change, when the server logs it (MySQL binlog_rows_query_log_events, MariaDB binlog_annotate_row_events)."})
	def(config.Key{Name: ExtendedHeadersKey, Type: config.Boolean, Default: true, Importance: config.Low, Width: config.WidthShort,
		Doc: "Put Debezium's context headers on every data and schema change record: __debezium.context.connectorLogicalName (topic.prefix), __debezium.context.taskId, __debezium.context.connectorName (mysql or mariadb) and __debezium.context.runId (new at each task start)."})
	def(config.Key{Name: TombstonesOnDeleteKey, Type: config.Boolean, Default: true, Importance: config.Medium, Width: config.WidthShort,
		Doc: "Follow each delete event with a tombstone (the key and a null value) so that log compaction can remove the row's records."})
	def(config.Key{Name: DecimalHandlingKey, Type: config.String, Default: "precise", Validator: config.CaseInsensitiveValidString("precise", "string", "double"), Importance: config.Medium, Width: config.WidthShort,
		Doc: "How DECIMAL and NUMERIC columns are represented: precise (Connect's Decimal), string, double."})
	def(config.Key{Name: TimePrecisionKey, Type: config.String, Default: "adaptive_time_microseconds", Validator: config.CaseInsensitiveValidString("adaptive_time_microseconds", "connect"), Importance: config.Medium, Width: config.WidthShort,
		Doc: "How time values are represented: adaptive_time_microseconds (Debezium's types by precision, TIME as microseconds) or connect (Kafka Connect's Date, Time and Timestamp, millisecond precision)."})
	def(config.Key{Name: BigintUnsignedKey, Type: config.String, Default: "long", Validator: config.CaseInsensitiveValidString("long", "precise"), Importance: config.Medium, Width: config.WidthShort,
		Doc: "How BIGINT UNSIGNED columns are represented: long (INT64; values beyond 2^63-1 wrap) or precise (Connect's Decimal with scale 0)."})
	def(config.Key{Name: BinaryHandlingKey, Type: config.String, Default: "bytes", Validator: config.CaseInsensitiveValidString("bytes", "base64", "base64-url-safe", "hex"), Importance: config.Low, Width: config.WidthShort,
		Doc: "How binary columns are represented: bytes, base64, base64-url-safe or hex strings."})
	def(config.Key{Name: HeartbeatIntervalKey, Type: config.Int, Default: 0, Validator: config.AtLeast(0), Importance: config.Medium, Width: config.WidthShort,
		Doc: "Interval in milliseconds of heartbeat messages, which carry the current binlog position to the offsets while the captured tables see no change; 0 disables them."})
	def(config.Key{Name: TopicHeartbeatPrefixKey, Type: config.String, Default: "__debezium-heartbeat", Validator: config.NonEmptyString(), Importance: config.Low, Width: config.WidthMedium,
		Doc: "Prefix of the heartbeat topic: <prefix>.<topic.prefix>."})
	def(config.Key{Name: HeartbeatTopicsPrefixKey, Type: config.String, Default: nil, Importance: config.Low, Width: config.WidthMedium,
		Doc: "The older name of topic.heartbeat.prefix, used when that is not set."})
	def(config.Key{Name: TopicDelimiterKey, Type: config.String, Default: ".", Validator: config.ValidString("."), Importance: config.Low, Width: config.WidthShort,
		Doc: "The delimiter of topic names (<prefix>.<db>.<table>): only the default '.' is supported."})
	def(config.Key{Name: SignalCollectionKey, Type: config.String, Default: nil, Importance: config.Low, Width: config.WidthMedium,
		Doc: "The signalling table (database.table) whose inserted rows are signals (execute-snapshot...); it is captured whether or not the filters select it, as in Debezium: its schema change events are sent and its rows, watermarks included, go to <topic.prefix>.<database>.<table>; the snapshot reads none of its rows."})

	for _, k := range incremental.Keys() {
		def(k)
	}

	group, order = groupHistory, 0
	def(config.Key{Name: HistoryTopicKey, Type: config.String, Default: config.NoDefault, Validator: config.TopicName(false), Importance: config.High, Width: config.WidthLong,
		Doc: "The Kafka topic holding the schema history (one partition, never compacted or expired)."})
	def(config.Key{Name: HistoryServersKey, Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyString(), Importance: config.High, Width: config.WidthLong,
		Doc: "Kafka bootstrap servers (host:port,...) of the schema history topic."})
	def(config.Key{Name: tables.KeySkipUnparseableDDL, Type: config.Boolean, Default: false, Importance: config.Low, Width: config.WidthShort,
		Doc: "Skip, with a warning, a DDL statement the parser cannot read or that names a table the schema does not know, instead of failing the task; the statement's changes are then missing from the schema."})

	group, order = groupEngine, 0
	def(config.Key{Name: MaxBatchSizeKey, Type: config.Int, Default: 2048, Validator: config.Range(1, maxQueueSize-1), Importance: config.Medium, Width: config.WidthShort,
		Doc: "Maximum number of records a poll returns (at most 1048575)."})
	def(config.Key{Name: MaxQueueSizeKey, Type: config.Int, Default: 8192, Validator: config.Range(2, maxQueueSize), Importance: config.Medium, Width: config.WidthShort,
		Doc: "Maximum number of records read ahead of the poll loop; must be larger than max.batch.size and at most 1048576. It bounds the memory the task uses."})
	def(config.Key{Name: PollIntervalKey, Type: config.Long, Default: int64(500), Validator: config.Range(int64(1), maxMillis), Importance: config.Medium, Width: config.WidthShort,
		Doc: "How long in milliseconds a poll waits for records when none are ready."})
	return d
}

// regexList validates a list of regular expressions.
type regexList struct{}

func (regexList) Validate(name string, value any) error {
	l, _ := value.([]string)
	for _, s := range l {
		if _, err := regexp.Compile(s); err != nil {
			return fmt.Errorf("invalid regular expression %q: %v", s, err)
		}
	}
	return nil
}

func (regexList) String() string { return "a list of regular expressions" }

// settings is a parsed, checked configuration.
type settings struct {
	host          string
	port          int
	user          string
	password      string
	serverID      uint32
	prefix        string
	snapshotMode  string
	lockingMode   string
	lockTimeout   time.Duration
	schemaChanges bool
	includeQuery  bool
	tombstones    bool
	extHeaders    bool
	historyTopic  string
	historyKafka  string
	heartbeat     time.Duration
	heartbeatPfx  string
	maxBatch      int
	maxQueue      int
	pollInterval  time.Duration
	signalTable   string
	connTimeout   time.Duration
	keepAlive     time.Duration
	backoffMax    time.Duration
	skipBadDDL    bool
	sslMode       string      // database.ssl.mode, lower case
	tls           *tls.Config // nil when sslMode is disabled
}

// problem is a configuration error on one key.
type problem struct{ key, msg string }

func (p problem) Error() string { return p.key + ": " + p.msg }

// parseSettings reads and checks props: the definition's checks and the
// rules between keys. Errors are problems naming the key.
func parseSettings(props map[string]string) (*settings, error) {
	for k := range props {
		if slices.Contains(unsupportedKeys, k) {
			return nil, problem{k, "sluice does not implement this Debezium option; remove it"}
		}
		for _, p := range unsupportedPrefixes {
			if strings.HasPrefix(k, p) {
				return nil, problem{k, "sluice does not implement this Debezium option; remove it"}
			}
		}
	}
	// Debezium's byte bound on the queue: sluice bounds it by records
	// only, and a user who set it must not believe memory is bounded by it.
	if b := strings.TrimSpace(props[maxQueueBytesKey]); b != "" && b != "0" {
		return nil, problem{maxQueueBytesKey, "sluice bounds the queue by max.queue.size records only; remove this key or set it to 0"}
	}
	v, err := configDef().Parse(props)
	if err != nil {
		return nil, err
	}
	s := &settings{
		host:          v.String(HostnameKey),
		port:          v.Int(PortKey),
		user:          v.String(UserKey),
		serverID:      uint32(v.Long(ServerIDKey)),
		prefix:        v.String(TopicPrefixKey),
		snapshotMode:  strings.ToLower(v.String(SnapshotModeKey)),
		lockingMode:   strings.ToLower(v.String(SnapshotLockingModeKey)),
		lockTimeout:   time.Duration(v.Long(SnapshotLockTimeoutKey)) * time.Millisecond,
		schemaChanges: v.Bool(IncludeSchemaChangesKey),
		includeQuery:  v.Bool(IncludeQueryKey),
		tombstones:    v.Bool(TombstonesOnDeleteKey),
		extHeaders:    v.Bool(ExtendedHeadersKey),
		historyTopic:  v.String(HistoryTopicKey),
		historyKafka:  v.String(HistoryServersKey),
		heartbeat:     time.Duration(v.Int(HeartbeatIntervalKey)) * time.Millisecond,
		heartbeatPfx:  v.String(TopicHeartbeatPrefixKey),
		maxBatch:      v.Int(MaxBatchSizeKey),
		maxQueue:      v.Int(MaxQueueSizeKey),
		pollInterval:  time.Duration(v.Long(PollIntervalKey)) * time.Millisecond,
		signalTable:   v.String(SignalCollectionKey),
		connTimeout:   time.Duration(v.Int(ConnectTimeoutKey)) * time.Millisecond,
		keepAlive:     time.Duration(v.Long(KeepAliveIntervalKey)) * time.Millisecond,
		backoffMax:    time.Duration(v.Long(BackoffMaxKey)) * time.Millisecond,
		skipBadDDL:    v.Bool(tables.KeySkipUnparseableDDL),
	}
	if _, set := props[TopicHeartbeatPrefixKey]; !set && v.String(HeartbeatTopicsPrefixKey) != "" {
		s.heartbeatPfx = v.String(HeartbeatTopicsPrefixKey)
	}
	if pw := v.Password(PasswordKey); pw != "" {
		s.password = pw.Value()
	}
	s.sslMode = strings.ToLower(v.String(SSLModeKey))
	if s.tls, err = tlsSettings(v, s); err != nil {
		return nil, err
	}
	switch s.snapshotMode {
	case "schema_only":
		s.snapshotMode = SnapshotNoData
	case "schema_only_recovery":
		s.snapshotMode = SnapshotRecovery
	}
	if !topicPrefixChars.MatchString(s.prefix) {
		return nil, problem{TopicPrefixKey, fmt.Sprintf("%q has characters a topic name may not have: only letters, digits, '.', '_' and '-'", s.prefix)}
	}
	// The prefix names the schema change topic (its validator checks it)
	// and, after the heartbeat prefix, the heartbeat topic: 249 characters
	// at most.
	if err := config.CheckTopicName(s.heartbeatPfx + "." + s.prefix); err != nil {
		return nil, problem{TopicPrefixKey, fmt.Sprintf("with the heartbeat prefix %q it does not make a valid heartbeat topic: %v", s.heartbeatPfx, err)}
	}
	for _, pair := range [][2]string{{DatabaseIncludeKey, DatabaseExcludeKey}, {TableIncludeKey, TableExcludeKey}} {
		if len(v.List(pair[0])) > 0 && len(v.List(pair[1])) > 0 {
			return nil, problem{pair[1], fmt.Sprintf("%s and %s may not both be set", pair[0], pair[1])}
		}
	}
	if s.maxQueue <= s.maxBatch {
		return nil, problem{MaxQueueSizeKey, fmt.Sprintf("must be larger than max.batch.size (%d)", s.maxBatch)}
	}
	if !v.Bool(KeepAliveKey) {
		return nil, problem{KeepAliveKey, "sluice always reconnects a lost binlog connection; false is not supported"}
	}
	// The schema history's own keys (timeouts, attempts, the producer.
	// and consumer. client keys) are read when the task starts: check
	// them here too, so that validation reports them.
	if _, err := history.NewKafkaStore(props, string(MySQL), slog.New(slog.DiscardHandler)); err != nil {
		key, _, _ := strings.Cut(err.Error(), ": ")
		if key = strings.TrimSuffix(key, "*"); !strings.HasPrefix(key, "schema.history.internal.") || strings.Contains(key, " ") {
			key = HistoryTopicKey
		}
		return nil, problem{key, err.Error()}
	}
	if s.signalTable != "" {
		if db, t, ok := strings.Cut(s.signalTable, "."); !ok || db == "" || t == "" || strings.Contains(t, ".") {
			return nil, problem{SignalCollectionKey, fmt.Sprintf("%q is not database.table", s.signalTable)}
		}
		// The signal keys' rules (signal.kafka.bootstrap.servers with the
		// kafka channel), checked at validation rather than at task start.
		if _, err := incremental.ParseSettings(props); err != nil {
			var ce *config.Error
			if errors.As(err, &ce) && len(ce.Problems) > 0 {
				return nil, problem{ce.Problems[0].Key, ce.Problems[0].Message}
			}
			return nil, problem{SignalCollectionKey, err.Error()}
		}
	}
	return s, nil
}

// tlsSettings maps the database.ssl.* keys onto Kafka's ssl.* names and
// builds the TLS settings as the JDBC connectors' sslMode does. A store's
// type is read from its content: JKS and PKCS12 by their format, PEM by
// its "-----BEGIN" line.
func tlsSettings(v *config.Values, s *settings) (*tls.Config, error) {
	if s.sslMode == "disabled" {
		return nil, nil
	}
	props := map[string]string{}
	store := func(locKey, pwKey, tlsLoc, tlsPw, tlsType string) error {
		loc := strings.TrimSpace(v.String(locKey))
		pw := ""
		if p := v.Password(pwKey); p != "" {
			pw = p.Value()
		}
		if loc == "" {
			if pw != "" {
				return problem{pwKey, fmt.Sprintf("is set but %s is not", locKey)}
			}
			return nil
		}
		props[tlsLoc], props[tlsPw] = loc, pw
		if pem, err := isPEMFile(loc); err != nil {
			return problem{locKey, err.Error()}
		} else if pem {
			props[tlsType] = "PEM"
			props[tlsPw] = "" // a PEM file has no store password
			if tlsLoc == tlsconf.KeyKeystoreLocation {
				props[tlsconf.KeyKeyPassword] = pw // the PEM key's, when encrypted
			}
		}
		return nil
	}
	if err := store(SSLTruststoreKey, SSLTruststorePasswordKey, tlsconf.KeyTruststoreLocation, tlsconf.KeyTruststorePassword, tlsconf.KeyTruststoreType); err != nil {
		return nil, err
	}
	if err := store(SSLKeystoreKey, SSLKeystorePasswordKey, tlsconf.KeyKeystoreLocation, tlsconf.KeyKeystorePassword, tlsconf.KeyKeystoreType); err != nil {
		return nil, err
	}
	tc, err := mysqlconn.ClientTLS(strings.ToUpper(s.sslMode), props, net.JoinHostPort(s.host, strconv.Itoa(s.port)))
	if err != nil {
		// tlsconf names Kafka's keys: name this connector's.
		msg := strings.NewReplacer(
			tlsconf.KeyTruststoreLocation, SSLTruststoreKey, tlsconf.KeyTruststorePassword, SSLTruststorePasswordKey,
			tlsconf.KeyKeystoreLocation, SSLKeystoreKey, tlsconf.KeyKeystorePassword, SSLKeystorePasswordKey,
			tlsconf.KeyKeyPassword, SSLKeystorePasswordKey,
		).Replace(err.Error())
		key := SSLModeKey
		switch {
		case strings.Contains(msg, SSLKeystoreKey):
			key = SSLKeystoreKey
		case strings.Contains(msg, SSLTruststoreKey):
			key = SSLTruststoreKey
		}
		return nil, problem{key, msg}
	}
	return tc, nil
}

// isPEMFile reports whether the file at path starts (after blank space)
// with a PEM "-----BEGIN" line.
func isPEMFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("cannot read the store: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("cannot read the store: %w", err)
	}
	return bytes.HasPrefix(bytes.TrimSpace(head[:n]), []byte("-----BEGIN")), nil
}
