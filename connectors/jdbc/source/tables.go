package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// tableTypes maps table.types to information_schema.TABLES.TABLE_TYPE, as
// Connector/J's DatabaseMetaData.getTables names them.
var tableTypes = map[string][]string{
	"TABLE":        {"BASE TABLE"},
	"VIEW":         {"VIEW"},
	"SYSTEM TABLE": {"SYSTEM VIEW"},
	"SYSTEM VIEW":  {"SYSTEM VIEW"},
}

// systemDatabases are left out when no database is named.
var systemDatabases = []string{"information_schema", "mysql", "performance_schema", "sys"}

// listTables returns the tables the configuration selects, sorted.
func listTables(ctx context.Context, db *sql.DB, st *settings) ([]mysqlconn.TableID, error) {
	var types []any
	for _, t := range st.tableTypes {
		for _, tt := range tableTypes[strings.ToUpper(strings.TrimSpace(t))] {
			types = append(types, tt)
		}
	}
	if len(types) == 0 {
		return nil, nil
	}
	q := "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE IN (?" + strings.Repeat(",?", len(types)-1) + ")"
	args := types
	switch {
	case st.catalogPattern != nil:
		q += " AND TABLE_SCHEMA LIKE ?"
		args = append(args, *st.catalogPattern)
	case st.url.Config.DBName != "":
		dbs := st.listedDatabases()
		q += " AND TABLE_SCHEMA IN (?" + strings.Repeat(",?", len(dbs)-1) + ")"
		for _, d := range dbs {
			args = append(args, d)
		}
	default:
		q += " AND TABLE_SCHEMA NOT IN ('information_schema','mysql','performance_schema','sys')"
	}
	q += " ORDER BY TABLE_SCHEMA, TABLE_NAME"
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list the tables: %w", err)
	}
	defer rows.Close()
	var out []mysqlconn.TableID
	for rows.Next() {
		var id mysqlconn.TableID
		if err := rows.Scan(&id.Database, &id.Table); err != nil {
			return nil, fmt.Errorf("list the tables: %w", err)
		}
		if st.selects(id) {
			out = append(out, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the tables: %w", err)
	}
	return out, nil
}

// identifier is a database name as a regular expression's literal prefix.
var identifier = regexp.MustCompile(`^[A-Za-z0-9_$]+$`)

// listedDatabases are the databases tables are listed from when the URL
// names one (and catalog.pattern is not set): that one, and those that
// qualified table.whitelist entries (otherdb.t) and table.include.list
// patterns (otherdb\.t.*) name.
func (st *settings) listedDatabases() []string {
	dbs := []string{st.url.Config.DBName}
	add := func(d string) {
		if d != "" && !slices.Contains(dbs, d) {
			dbs = append(dbs, d)
		}
	}
	for _, e := range st.whitelist {
		if id, err := mysqlconn.ParseTableID(e, ""); err == nil {
			add(id.Database)
		}
	}
	for _, re := range st.include {
		// The pattern as written, inside the ^(?: )$ parseSettings adds.
		p := strings.TrimSuffix(strings.TrimPrefix(re.String(), "^(?:"), ")$")
		if i := strings.Index(p, "."); i > 0 {
			if d := strings.TrimSuffix(p[:i], "\\"); identifier.MatchString(d) {
				add(d)
			}
		}
	}
	return dbs
}

// selects applies the white/black and include/exclude lists to a table:
// whitelist and blacklist entries name a table (any database) or
// database.table; include and exclude patterns match database.table.
func (st *settings) selects(id mysqlconn.TableID) bool {
	named := func(list []string) bool {
		for _, e := range list {
			if e == id.Table || e == id.String() {
				return true
			}
			if want, err := mysqlconn.ParseTableID(e, ""); err == nil && want.Table == id.Table && (want.Database == "" || want.Database == id.Database) {
				return true
			}
		}
		return false
	}
	matches := func(list []*regexp.Regexp) bool {
		for _, re := range list {
			if re.MatchString(id.String()) {
				return true
			}
		}
		return false
	}
	switch {
	case len(st.whitelist) > 0:
		return named(st.whitelist)
	case len(st.blacklist) > 0:
		return !named(st.blacklist)
	case len(st.include) > 0:
		return matches(st.include)
	case len(st.exclude) > 0:
		return !matches(st.exclude)
	}
	return true
}

// missingWhitelisted returns the whitelist entries no table answers to.
func missingWhitelisted(st *settings, tables []mysqlconn.TableID) []string {
	var missing []string
	for _, e := range st.whitelist {
		one := &settings{whitelist: []string{e}}
		if !slices.ContainsFunc(tables, one.selects) {
			missing = append(missing, e)
		}
	}
	return missing
}

// groupTables spreads tables over at most n groups, contiguously, as Kafka
// Connect's ConnectorUtils.groupPartitions does.
func groupTables(tables []mysqlconn.TableID, n int) [][]mysqlconn.TableID {
	if n > len(tables) {
		n = len(tables)
	}
	if n <= 0 {
		return nil
	}
	groups := make([][]mysqlconn.TableID, n)
	per, extra := len(tables)/n, len(tables)%n
	i := 0
	for g := range groups {
		size := per
		if g < extra {
			size++
		}
		groups[g] = tables[i : i+size]
		i += size
	}
	return groups
}

// colMeta is a table column as information_schema.COLUMNS describes it.
type colMeta struct {
	name          string
	dataType      string
	nullable      bool
	autoIncrement bool
	bitWidth      int
	fraction      int // DATETIME_PRECISION: fractional digits of a DATETIME, TIMESTAMP or TIME
}

// tableColumns returns a table's columns in order; none when the table
// does not exist.
func tableColumns(ctx context.Context, db *sql.DB, id mysqlconn.TableID) ([]colMeta, error) {
	rows, err := db.QueryContext(ctx, `SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, EXTRA, COALESCE(NUMERIC_PRECISION, 0), COALESCE(DATETIME_PRECISION, 0)
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, id.Database, id.Table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []colMeta
	for rows.Next() {
		var c colMeta
		var nullable, extra string
		var prec int64
		if err := rows.Scan(&c.name, &c.dataType, &nullable, &extra, &prec, &c.fraction); err != nil {
			return nil, err
		}
		c.nullable = nullable == "YES"
		c.autoIncrement = strings.Contains(strings.ToLower(extra), "auto_increment")
		if strings.EqualFold(c.dataType, "bit") {
			c.bitWidth = int(prec)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func findColumn(cols []colMeta, name string) (colMeta, bool) {
	for _, c := range cols {
		if c.name == name {
			return c, true
		}
	}
	for _, c := range cols { // MySQL column names are case-insensitive
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return colMeta{}, false
}

// tablePlan is what a table mode querier needs to know of its table's
// columns: the incrementing column (autodetected when not configured) and
// whether the timestamp columns are TIMESTAMP (instants) or DATETIME.
type tablePlan struct {
	incColumn   string
	tsIsInstant bool
	tsPrecision int // the fewest fractional digits of the timestamp columns, or dayPrecision
	uniqueKey   []string
	bits        map[string]columnInfo
}

// errNoTable says a table has no columns the user may see: it does not
// exist (any more), or the user may not read it.
var errNoTable = errors.New("no such table (or the user may not read it)")

// planTable checks a table against the mode: the columns exist, the
// incrementing column is found, and, with validate.non.null, NOT NULL.
// The error names the table, the column and the key.
func planTable(ctx context.Context, db *sql.DB, st *settings, id mysqlconn.TableID) (*tablePlan, error) {
	cols, err := tableColumns(ctx, db, id)
	if err != nil {
		return nil, fmt.Errorf("read the columns of table %s: %w", id, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s: %w", id, errNoTable)
	}
	p := &tablePlan{incColumn: st.incColumn, bits: map[string]columnInfo{}}
	if st.mode == ModeTimestamp {
		if p.uniqueKey, err = uniqueKey(ctx, db, id, cols); err != nil {
			return nil, fmt.Errorf("read the keys of table %s: %w", id, err)
		}
	}
	for _, c := range cols {
		if c.bitWidth > 0 {
			p.bits[c.name] = columnInfo{bitWidth: c.bitWidth}
		}
	}
	if st.mode == ModeIncrementing || st.mode == ModeTimestampIncrementing {
		if p.incColumn == "" {
			for _, c := range cols {
				if c.autoIncrement {
					p.incColumn = c.name
					break
				}
			}
			if p.incColumn == "" {
				return nil, problem{IncrementingColumnKey, fmt.Sprintf("table %s has no AUTO_INCREMENT column to detect; set incrementing.column.name", id)}
			}
		}
		c, ok := findColumn(cols, p.incColumn)
		if !ok {
			return nil, problem{IncrementingColumnKey, fmt.Sprintf("table %s has no column %q", id, p.incColumn)}
		}
		p.incColumn = c.name
		if st.validateNonNull && c.nullable {
			return nil, problem{IncrementingColumnKey, fmt.Sprintf("column %q of table %s is nullable: an incrementing column must be NOT NULL (or set validate.non.null=false)", c.name, id)}
		}
	}
	if st.mode == ModeTimestamp || st.mode == ModeTimestampIncrementing {
		allNullable, instants, datetimes := true, 0, 0
		p.tsPrecision = 6
		for _, name := range st.tsColumns {
			c, ok := findColumn(cols, name)
			if !ok {
				return nil, problem{TimestampColumnKey, fmt.Sprintf("table %s has no column %q", id, name)}
			}
			switch strings.ToLower(c.dataType) {
			case "timestamp":
				instants++
				p.tsPrecision = min(p.tsPrecision, c.fraction)
			case "datetime":
				datetimes++
				p.tsPrecision = min(p.tsPrecision, c.fraction)
			case "date":
				datetimes++
				p.tsPrecision = dayPrecision
			default:
				return nil, problem{TimestampColumnKey, fmt.Sprintf("column %q of table %s is %s, not a DATETIME or TIMESTAMP", c.name, id, c.dataType)}
			}
			allNullable = allNullable && c.nullable
		}
		// COALESCE of a TIMESTAMP and a DATETIME is a DATETIME, the
		// TIMESTAMP shown in the session's time zone (UTC): comparable with
		// DATETIME values only when db.timezone is UTC.
		if instants > 0 && datetimes > 0 && !isUTC(st.zone) {
			return nil, problem{TimestampColumnKey, fmt.Sprintf("the timestamp columns of table %s mix TIMESTAMP and DATETIME, which can be compared only with db.timezone=UTC, not %s", id, st.zone)}
		}
		p.tsIsInstant = instants > 0 && datetimes == 0
		if st.validateNonNull && allNullable {
			return nil, problem{TimestampColumnKey, fmt.Sprintf("cannot make incremental queries using timestamp columns %s on table %s because all of these columns are nullable (or set validate.non.null=false)",
				strings.Join(st.tsColumns, ","), id)}
		}
	}
	return p, nil
}

// isUTC reports whether loc is UTC all year.
func isUTC(loc *time.Location) bool {
	for _, m := range []time.Month{time.January, time.July} {
		if _, off := time.Date(2026, m, 1, 0, 0, 0, 0, loc).Zone(); off != 0 {
			return false
		}
	}
	return true
}

// databases names the databases the tables are listed from, for messages:
// catalog.pattern, else the URL's database, else every one but the system's.
func (st *settings) databases() string {
	switch {
	case st.catalogPattern != nil:
		return "LIKE " + *st.catalogPattern
	case st.url.Config.DBName != "":
		return strings.Join(st.listedDatabases(), ", ")
	}
	return "every database but " + strings.Join(systemDatabases, ", ")
}

// uniqueKey returns the columns of the table's primary key, or else of its
// first unique index of NOT NULL columns; none when it has neither.
func uniqueKey(ctx context.Context, db *sql.DB, id mysqlconn.TableID, cols []colMeta) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
		ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`, id.Database, id.Table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	keys := map[string][]string{}
	for rows.Next() {
		var index, col string
		if err := rows.Scan(&index, &col); err != nil {
			return nil, err
		}
		if _, ok := keys[index]; !ok {
			names = append(names, index)
		}
		keys[index] = append(keys[index], col)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		notNull := true
		for _, c := range keys[n] {
			m, ok := findColumn(cols, c)
			notNull = notNull && ok && !m.nullable
		}
		if notNull {
			return keys[n], nil
		}
	}
	return nil, nil
}
