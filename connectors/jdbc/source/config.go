package source

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// The connector's configuration keys, as Confluent's JdbcSourceConnectorConfig names them.
const (
	ConnectionURLKey        = "connection.url"
	ConnectionUserKey       = "connection.user"
	ConnectionPasswordKey   = "connection.password"
	ConnectionAttemptsKey   = "connection.attempts"
	ConnectionBackoffKey    = "connection.backoff.ms"
	TableWhitelistKey       = "table.whitelist"
	TableBlacklistKey       = "table.blacklist"
	TableIncludeListKey     = "table.include.list"
	TableExcludeListKey     = "table.exclude.list"
	CatalogPatternKey       = "catalog.pattern"
	SchemaPatternKey        = "schema.pattern"
	NumericPrecisionKey     = "numeric.precision.mapping"
	NumericMappingKey       = "numeric.mapping"
	DialectNameKey          = "dialect.name"
	ModeKey                 = "mode"
	IncrementingColumnKey   = "incrementing.column.name"
	TimestampColumnKey      = "timestamp.column.name"
	TimestampInitialKey     = "timestamp.initial"
	TimestampGranularityKey = "timestamp.granularity"
	ValidateNonNullKey      = "validate.non.null"
	QueryKey                = "query"
	QuerySuffixKey          = "query.suffix"
	QuoteIdentifiersKey     = "quote.sql.identifiers"
	QueryRetryAttemptsKey   = "query.retry.attempts"
	TableTypesKey           = "table.types"
	PollIntervalKey         = "poll.interval.ms"
	BatchMaxRowsKey         = "batch.max.rows"
	TablePollIntervalKey    = "table.poll.interval.ms"
	TopicPrefixKey          = "topic.prefix"
	TimestampDelayKey       = "timestamp.delay.interval.ms"
	DBTimezoneKey           = "db.timezone"
	TransactionIsolationKey = "transaction.isolation.mode"

	// TablesKey is the task configuration key listing the tables a task reads
	// (Confluent's JdbcSourceTaskConfig.TABLES_CONFIG).
	TablesKey = "tables"

	// tablesFetchedKey says whether the connector had listed the tables
	// when it made the task configuration (Confluent's
	// JdbcSourceTaskConfig.TABLES_FETCHED): "false" before it could (the
	// database unreachable), when the task connects, to report the
	// problem, and reads nothing; "true" otherwise, as in Confluent's.
	tablesFetchedKey = "tables.fetched"
)

// The modes.
const (
	ModeBulk                  = "bulk"
	ModeIncrementing          = "incrementing"
	ModeTimestamp             = "timestamp"
	ModeTimestampIncrementing = "timestamp+incrementing"
)

// The timestamp.granularity values.
const (
	GranularityConnectLogical = "connect_logical"
	GranularityNanosLong      = "nanos_long"
	GranularityNanosString    = "nanos_string"
	GranularityNanosISO       = "nanos_iso_datetime_string"
	GranularityMicrosLong     = "micros_long"
	GranularityMicrosString   = "micros_string"
	GranularityMicrosISO      = "micros_iso_datetime_string"
)

// The numeric.mapping values.
const (
	NumericNone          = "none"
	NumericPrecisionOnly = "precision_only"
	NumericBestFit       = "best_fit"
	NumericBestFitEager  = "best_fit_eager_double"
)

const (
	groupDatabase  = "Database"
	groupMode      = "Mode"
	groupConnector = "Connector"
)

func configDef() *config.Def {
	d := config.NewDef()
	order := 0
	db := func(k config.Key) {
		order++
		k.Group, k.OrderInGroup = groupDatabase, order
		d.Define(k)
	}
	db(config.Key{Name: ConnectionURLKey, Type: config.String, Default: config.NoDefault, Importance: config.High, Width: config.WidthLong, DisplayName: "JDBC URL",
		Doc: "JDBC connection URL: jdbc:mysql://host:port/database or jdbc:mariadb://host:port/database, with Connector/J's properties after ?"})
	db(config.Key{Name: ConnectionUserKey, Type: config.String, Default: nil, Importance: config.High, Width: config.WidthLong, DisplayName: "JDBC User",
		Doc: "JDBC connection user."})
	db(config.Key{Name: ConnectionPasswordKey, Type: config.Password, Default: nil, Importance: config.High, Width: config.WidthShort, DisplayName: "JDBC Password",
		Doc: "JDBC connection password."})
	db(config.Key{Name: ConnectionAttemptsKey, Type: config.Int, Default: 3, Validator: config.AtLeast(1), Importance: config.Low, Width: config.WidthShort,
		Doc: "Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer."})
	db(config.Key{Name: ConnectionBackoffKey, Type: config.Long, Default: int64(10000), Validator: config.AtLeast(int64(0)), Importance: config.Low, Width: config.WidthShort,
		Doc: "Backoff time in milliseconds between connection attempts."})
	db(config.Key{Name: TableWhitelistKey, Type: config.List, Default: "", Importance: config.Medium, Width: config.WidthLong,
		Doc: "List of tables to include in copying, as table or database.table. If specified, table.blacklist may not be set."})
	db(config.Key{Name: TableBlacklistKey, Type: config.List, Default: "", Importance: config.Medium, Width: config.WidthLong,
		Doc: "List of tables to exclude from copying, as table or database.table. If specified, table.whitelist may not be set."})
	db(config.Key{Name: TableIncludeListKey, Type: config.List, Default: "", Validator: regexList{}, Importance: config.Medium, Width: config.WidthLong,
		Doc: "List of regular expressions matching the fully-qualified names (database.table) of the tables to copy. May not be set with table.exclude.list, table.whitelist or table.blacklist."})
	db(config.Key{Name: TableExcludeListKey, Type: config.List, Default: "", Validator: regexList{}, Importance: config.Medium, Width: config.WidthLong,
		Doc: "List of regular expressions matching the fully-qualified names (database.table) of the tables not to copy. May not be set with table.include.list, table.whitelist or table.blacklist."})
	db(config.Key{Name: CatalogPatternKey, Type: config.String, Default: nil, Importance: config.Medium, Width: config.WidthShort,
		Doc: "Catalog (MySQL: database) pattern to fetch table metadata from, as a SQL LIKE pattern; null (the default) means the database of connection.url, or every database when the URL names none."})
	db(config.Key{Name: SchemaPatternKey, Type: config.String, Default: nil, Importance: config.High, Width: config.WidthShort,
		Doc: "Schema pattern to fetch table metadata from the database. MySQL has no schemas below databases: ignored."})
	db(config.Key{Name: NumericPrecisionKey, Type: config.Boolean, Default: false, Importance: config.Low, Width: config.WidthShort,
		Doc: "Deprecated: numeric.mapping=precision_only when numeric.mapping is not set."})
	db(config.Key{Name: NumericMappingKey, Type: config.String, Default: nil, Validator: nullOr(config.ValidString(NumericNone, NumericPrecisionOnly, NumericBestFit, NumericBestFitEager)),
		Importance: config.Low, Width: config.WidthShort,
		Doc: "Map DECIMAL and NUMERIC values by precision and optionally scale to integral or decimal types: none (Connect's Decimal), best_fit (INT8..INT64 or FLOAT64 by precision and scale), best_fit_eager_double (FLOAT64 whenever the scale is positive), precision_only (integral types by precision when the scale is 0)."})
	db(config.Key{Name: DialectNameKey, Type: config.String, Default: "", Validator: config.ValidString("", "MySqlDatabaseDialect"), Importance: config.Low, Width: config.WidthLong,
		Doc: "The database dialect; empty (the default) picks it from connection.url. Only MySqlDatabaseDialect (MySQL and MariaDB) is available."})
	order = 0
	mode := func(k config.Key) {
		order++
		k.Group, k.OrderInGroup = groupMode, order
		d.Define(k)
	}
	mode(config.Key{Name: ModeKey, Type: config.String, Default: "", Validator: config.ValidString("", ModeBulk, ModeTimestamp, ModeIncrementing, ModeTimestampIncrementing),
		Importance: config.High, Width: config.WidthMedium, DisplayName: "Table Loading Mode",
		Doc: "The mode for updating a table each time it is polled: bulk (the whole table each time), incrementing (new rows, by a strictly incrementing column), timestamp (new and modified rows, by a timestamp column), timestamp+incrementing (both: each row gets a unique offset)."})
	mode(config.Key{Name: IncrementingColumnKey, Type: config.String, Default: "", Importance: config.Medium, Width: config.WidthMedium,
		Doc: "The name of the strictly incrementing column to use to detect new rows. An empty value autodetects the AUTO_INCREMENT column. This column may not be nullable."})
	mode(config.Key{Name: TimestampColumnKey, Type: config.List, Default: "", Importance: config.Medium, Width: config.WidthMedium,
		Doc: "Comma separated list of one or more timestamp columns to detect new or modified rows using the COALESCE SQL function. At least one column should not be nullable."})
	mode(config.Key{Name: TimestampInitialKey, Type: config.Long, Default: nil, Validator: nullOr(config.AtLeast(int64(-1))), Importance: config.Low, Width: config.WidthMedium,
		Doc: "The epoch timestamp (milliseconds) used for initial queries that use timestamp criteria. Use -1 to use the current time. If not specified, all data will be retrieved."})
	mode(config.Key{Name: TimestampGranularityKey, Type: config.String, Default: GranularityConnectLogical,
		Validator:  config.ValidString(GranularityConnectLogical, GranularityNanosLong, GranularityNanosString, GranularityNanosISO, GranularityMicrosLong, GranularityMicrosString, GranularityMicrosISO),
		Importance: config.Low, Width: config.WidthMedium,
		Doc: "How DATETIME and TIMESTAMP values are represented: connect_logical (Connect's Timestamp, milliseconds), nanos_long / micros_long (nanoseconds / microseconds since the epoch), nanos_string / micros_string (the same as a string), nanos_iso_datetime_string / micros_iso_datetime_string (yyyy-MM-dd'T'HH:mm:ss with 9 or 6 fractional digits)."})
	mode(config.Key{Name: ValidateNonNullKey, Type: config.Boolean, Default: true, Importance: config.Low, Width: config.WidthShort,
		Doc: "Check that the incrementing column and at least one timestamp column of every table are NOT NULL; a task fails to start when not. false disables the check."})
	mode(config.Key{Name: QueryKey, Type: config.String, Default: "", Importance: config.Medium, Width: config.WidthShort,
		Doc: "If specified, the query to perform to select new or updated rows, instead of copying whole tables. In an incremental mode the connector appends a WHERE clause, so the query may not have one."})
	mode(config.Key{Name: QuerySuffixKey, Type: config.String, Default: "", Importance: config.Low, Width: config.WidthMedium,
		Doc: "Suffix to append at the end of the generated query."})
	mode(config.Key{Name: QuoteIdentifiersKey, Type: config.String, Default: "always", Validator: config.CaseInsensitiveValidString("always", "never"), Importance: config.Medium, Width: config.WidthMedium,
		Doc: "When to quote table names, column names, and other identifiers in SQL statements: always (the default) or never."})
	mode(config.Key{Name: QueryRetryAttemptsKey, Type: config.Int, Default: -1, Validator: config.AtLeast(-1), Importance: config.Low, Width: config.WidthMedium,
		Doc: "Number of times to retry a query that failed with a SQL error that is not a lost connection; -1 (the default) fails the task at once. Lost connections are always retried."})
	mode(config.Key{Name: TransactionIsolationKey, Type: config.String, Default: "DEFAULT",
		Validator: config.ValidString("DEFAULT", "READ_UNCOMMITTED", "READ_COMMITTED", "REPEATABLE_READ", "SERIALIZABLE"), Importance: config.Low, Width: config.WidthMedium,
		Doc: "The transaction isolation level of the queries: DEFAULT (the server's), READ_UNCOMMITTED, READ_COMMITTED, REPEATABLE_READ or SERIALIZABLE."})
	order = 0
	conn := func(k config.Key) {
		order++
		k.Group, k.OrderInGroup = groupConnector, order
		d.Define(k)
	}
	conn(config.Key{Name: TableTypesKey, Type: config.List, Default: "TABLE", Validator: config.ValidList("TABLE", "VIEW", "SYSTEM TABLE", "SYSTEM VIEW"), Importance: config.Low, Width: config.WidthMedium,
		Doc: "The table types to copy: TABLE (the default), VIEW, SYSTEM TABLE, SYSTEM VIEW."})
	conn(config.Key{Name: PollIntervalKey, Type: config.Int, Default: 5000, Validator: config.AtLeast(0), Importance: config.High, Width: config.WidthShort,
		Doc: "Frequency in ms to poll for new data in each table."})
	conn(config.Key{Name: BatchMaxRowsKey, Type: config.Int, Default: 1000, Validator: config.AtLeast(1), Importance: config.Low, Width: config.WidthShort,
		Doc: "Maximum number of rows to include in a single batch when polling for new data: the most rows a task holds in memory per table."})
	conn(config.Key{Name: TablePollIntervalKey, Type: config.Long, Default: int64(60000), Validator: config.AtLeast(int64(1)), Importance: config.Low, Width: config.WidthShort,
		Doc: "Frequency in ms to poll for new or removed tables, which may result in updated task configurations."})
	conn(config.Key{Name: TopicPrefixKey, Type: config.String, Default: config.NoDefault, Importance: config.High, Width: config.WidthMedium,
		Doc: "Prefix to prepend to table names to generate the name of the Kafka topic to publish data to, or in the case of a custom query, the full name of the topic to publish to."})
	conn(config.Key{Name: TimestampDelayKey, Type: config.Long, Default: int64(0), Validator: config.AtLeast(int64(0)), Importance: config.High, Width: config.WidthMedium,
		Doc: "How long to wait after a row with a certain timestamp appears before including it, so that transactions with an earlier timestamp complete first."})
	conn(config.Key{Name: DBTimezoneKey, Type: config.String, Default: "UTC", Validator: zoneValidator{}, Importance: config.Medium, Width: config.WidthMedium,
		Doc: "The time zone (a Java ZoneId) in which DATETIME values are read and written; TIMESTAMP values are instants and need none. Defaults to UTC."})
	return d
}

type nullable struct{ v config.Validator }

// nullOr accepts null (an unset key whose default is null) or what v accepts.
func nullOr(v config.Validator) config.Validator { return nullable{v} }

func (n nullable) Validate(name string, value any) error {
	if value == nil {
		return nil
	}
	return n.v.Validate(name, value)
}

func (n nullable) String() string { return n.v.String() }

type zoneValidator struct{}

func (zoneValidator) Validate(name string, value any) error {
	s, _ := value.(string)
	if _, err := mysqlconn.Zone(s); err != nil {
		return &config.ValueError{Name: name, Value: value, Reason: err.Error()}
	}
	return nil
}

func (zoneValidator) String() string { return "a time zone id" }

type regexList struct{}

func (regexList) Validate(name string, value any) error {
	l, _ := value.([]string)
	for _, p := range l {
		if _, err := regexp.Compile(p); err != nil {
			return &config.ValueError{Name: name, Value: p, Reason: "not a regular expression: " + err.Error()}
		}
	}
	return nil
}

func (regexList) String() string { return "a list of regular expressions" }

// settings are the parsed configuration of the connector or a task.
type settings struct {
	url                  *mysqlconn.URL
	attempts             int
	backoff              time.Duration
	whitelist, blacklist []string
	include, exclude     []*regexp.Regexp
	catalogPattern       *string
	numericMapping       string
	mode                 string
	incColumn            string
	tsColumns            []string
	tsInitial            *int64
	granularity          string
	validateNonNull      bool
	query                string
	querySuffix          string
	quote                bool
	queryRetries         int
	isolation            string
	tableTypes           []string
	pollInterval         time.Duration
	batchMaxRows         int
	tablePollInterval    time.Duration
	topicPrefix          string
	tsDelay              time.Duration
	zone                 *time.Location
}

// problem is a configuration error on a key.
type problem struct{ key, msg string }

func (p problem) Error() string { return p.key + ": " + p.msg }

// parseSettings parses and checks props; the error names the key at fault.
// It does not connect.
func parseSettings(props map[string]string) (*settings, error) {
	v, err := configDef().Parse(props)
	if err != nil {
		return nil, err
	}
	s := &settings{}
	var pw string
	if p := v.Password(ConnectionPasswordKey); p != "" {
		pw = p.Value()
	}
	if s.url, err = mysqlconn.ParseURL(v.String(ConnectionURLKey), v.String(ConnectionUserKey), pw); err != nil {
		return nil, problem{ConnectionURLKey, strings.TrimPrefix(err.Error(), "connection.url: ")}
	}
	s.attempts = v.Int(ConnectionAttemptsKey)
	s.backoff = time.Duration(v.Long(ConnectionBackoffKey)) * time.Millisecond
	s.whitelist, s.blacklist = nonEmpty(v.List(TableWhitelistKey)), nonEmpty(v.List(TableBlacklistKey))
	for _, p := range nonEmpty(v.List(TableIncludeListKey)) {
		s.include = append(s.include, regexp.MustCompile("^(?:"+p+")$"))
	}
	for _, p := range nonEmpty(v.List(TableExcludeListKey)) {
		s.exclude = append(s.exclude, regexp.MustCompile("^(?:"+p+")$"))
	}
	if c, ok := v.Get(CatalogPatternKey).(string); ok {
		s.catalogPattern = &c
	}
	switch nm, _ := v.Get(NumericMappingKey).(string); {
	case nm != "":
		s.numericMapping = nm
	case v.Bool(NumericPrecisionKey):
		s.numericMapping = NumericPrecisionOnly
	default:
		s.numericMapping = NumericNone
	}
	s.mode = v.String(ModeKey)
	s.incColumn = strings.TrimSpace(v.String(IncrementingColumnKey))
	s.tsColumns = nonEmpty(v.List(TimestampColumnKey))
	if n, ok := v.Get(TimestampInitialKey).(int64); ok {
		s.tsInitial = &n
	}
	s.granularity = v.String(TimestampGranularityKey)
	s.validateNonNull = v.Bool(ValidateNonNullKey)
	s.query = strings.TrimSpace(v.String(QueryKey))
	s.querySuffix = v.String(QuerySuffixKey)
	s.quote = strings.EqualFold(v.String(QuoteIdentifiersKey), "always")
	s.queryRetries = v.Int(QueryRetryAttemptsKey)
	s.isolation = v.String(TransactionIsolationKey)
	s.tableTypes = v.List(TableTypesKey)
	s.pollInterval = time.Duration(v.Int(PollIntervalKey)) * time.Millisecond
	s.batchMaxRows = v.Int(BatchMaxRowsKey)
	s.tablePollInterval = time.Duration(v.Long(TablePollIntervalKey)) * time.Millisecond
	s.topicPrefix = v.String(TopicPrefixKey)
	s.tsDelay = time.Duration(v.Long(TimestampDelayKey)) * time.Millisecond
	s.zone, _ = mysqlconn.Zone(v.String(DBTimezoneKey))
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// check reports the errors between keys that Confluent's connector reports.
func (s *settings) check() error {
	switch {
	case s.mode == "":
		return problem{ModeKey, "Query mode must be specified: bulk, incrementing, timestamp or timestamp+incrementing"}
	case len(s.whitelist) > 0 && len(s.blacklist) > 0:
		return problem{TableWhitelistKey, "table.whitelist and table.blacklist may not both be set"}
	case len(s.include) > 0 && len(s.exclude) > 0:
		return problem{TableIncludeListKey, "table.include.list and table.exclude.list may not both be set"}
	case (len(s.include) > 0 || len(s.exclude) > 0) && (len(s.whitelist) > 0 || len(s.blacklist) > 0):
		k := TableIncludeListKey
		if len(s.exclude) > 0 {
			k = TableExcludeListKey
		}
		return problem{k, "table.include.list and table.exclude.list may not be set with table.whitelist or table.blacklist"}
	case (s.mode == ModeIncrementing || s.mode == ModeTimestampIncrementing) && s.query != "" && s.incColumn == "":
		return problem{IncrementingColumnKey, "a query in mode " + s.mode + " needs incrementing.column.name: the column cannot be detected in a query's result"}
	case (s.mode == ModeTimestamp || s.mode == ModeTimestampIncrementing) && len(s.tsColumns) == 0:
		return problem{TimestampColumnKey, "mode " + s.mode + " needs timestamp.column.name: the timestamp column(s) to detect new and modified rows by"}
	case s.query != "" && s.mode != ModeBulk && hasWhere(s.query):
		return problem{QueryKey, "a query in mode " + s.mode + " may not have a WHERE clause: the connector appends its own (wrap the query as SELECT * FROM (…) AS q to filter)"}
	}
	if s.topicPrefix == "" && s.query != "" {
		return problem{TopicPrefixKey, "a query needs topic.prefix: the name of the topic its rows are written to"}
	}
	if s.query != "" {
		if err := config.CheckTopicName(s.topicPrefix); err != nil {
			return problem{TopicPrefixKey, err.Error()}
		}
	}
	return nil
}

// hasWhere reports whether the query has a WHERE keyword of its own: at
// parenthesis depth 0, outside quotes and comments (Confluent refuses a
// query that contains WHERE in an incremental mode; one in a subquery, as
// in SELECT * FROM (… WHERE …) AS q, is the way to filter).
func hasWhere(q string) bool {
	depth := 0
	word := strings.Builder{}
	flush := func() bool {
		w := word.String()
		word.Reset()
		return depth == 0 && strings.EqualFold(w, "where")
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			if flush() {
				return true
			}
			// Up to the closing quote; a doubled quote, or a backslash
			// in a string, escapes.
			for i++; i < len(q); i++ {
				if q[i] == '\\' && c != '`' {
					i++
				} else if q[i] == c {
					if i+1 < len(q) && q[i+1] == c {
						i++
						continue
					}
					break
				}
			}
		case c == '#' || c == '-' && strings.HasPrefix(q[i:], "-- ") || c == '-' && (q[i:] == "--" || strings.HasPrefix(q[i:], "--\t") || strings.HasPrefix(q[i:], "--\n")):
			if flush() {
				return true
			}
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			if flush() {
				return true
			}
			end := strings.Index(q[i+2:], "*/")
			if end < 0 {
				return false
			}
			i += 2 + end + 1
		case c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			word.WriteByte(c)
		default:
			if flush() {
				return true
			}
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
	}
	return flush()
}

func nonEmpty(l []string) []string {
	var out []string
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// joinTables renders table ids for the task's tables key: each quoted with
// backticks so that a name holding a comma or a dot survives.
func joinTables(ids []mysqlconn.TableID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.Quoted(true)
	}
	return strings.Join(parts, ",")
}

// splitTables parses joinTables' output.
func splitTables(s string) ([]mysqlconn.TableID, error) {
	var out []mysqlconn.TableID
	inQuote := false
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] == '`' {
			inQuote = !inQuote
			continue
		}
		if i == len(s) || (s[i] == ',' && !inQuote) {
			part := strings.TrimSpace(s[start:i])
			start = i + 1
			if part == "" {
				continue
			}
			id, err := parseQuotedID(part)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", TablesKey, err)
			}
			out = append(out, id)
		}
	}
	return out, nil
}

// parseQuotedID parses `db`.`table` as TableID.Quoted writes it (a
// backtick inside a name doubled), or db.table unquoted.
func parseQuotedID(s string) (mysqlconn.TableID, error) {
	var parts []string
	for s != "" {
		if s[0] != '`' {
			// Unquoted, as Confluent's connector writes the key with
			// quote.sql.identifiers=never: up to the next dot.
			part, rest, found := strings.Cut(s, ".")
			if part == "" || strings.Contains(part, "`") {
				return mysqlconn.TableID{}, fmt.Errorf("table %q is neither quoted with backticks nor a plain name", s)
			}
			parts = append(parts, part)
			if s = rest; found && s == "" {
				return mysqlconn.TableID{}, fmt.Errorf("table name ends with a dot")
			}
			continue
		}
		var b strings.Builder
		i := 1
		for ; i < len(s); i++ {
			if s[i] == '`' {
				if i+1 < len(s) && s[i+1] == '`' {
					b.WriteByte('`')
					i++
					continue
				}
				break
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return mysqlconn.TableID{}, fmt.Errorf("table %q has an unclosed quote", s)
		}
		parts = append(parts, b.String())
		s = s[i+1:]
		if s != "" {
			if s[0] != '.' {
				return mysqlconn.TableID{}, fmt.Errorf("unexpected %q after a quoted name", s)
			}
			s = s[1:]
		}
	}
	switch len(parts) {
	case 1:
		return mysqlconn.TableID{Table: parts[0]}, nil
	case 2:
		return mysqlconn.TableID{Database: parts[0], Table: parts[1]}, nil
	}
	return mysqlconn.TableID{}, fmt.Errorf("table name has %d parts, not database.table", len(parts))
}
