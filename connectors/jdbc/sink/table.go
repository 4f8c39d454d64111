package sink

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/internal/mysqlconn"
	"github.com/sluicehq/sluice/schemas"
)

// tableInfo is what the sink knows of a table's columns: read once, re-read after an ALTER.
type tableInfo struct {
	id     mysqlconn.TableID
	kind   string // BASE TABLE, VIEW, …
	engine string // InnoDB, MyISAM, …; empty for a view
	// nonTx is a table whose engine has no transactions (MyISAM, Aria, MEMORY, …): a failed
	// statement keeps the rows before the bad one and a rollback undoes nothing.
	nonTx   bool
	columns map[string]string // lower-cased name → name as the table spells it
}

// has reports whether the table has a column called name (MySQL column names are
// case-insensitive).
func (t *tableInfo) has(name string) bool {
	_, ok := t.columns[strings.ToLower(name)]
	return ok
}

// errSchema marks an error about one record's schema against the table (a missing table, a
// column that cannot be added): Confluent's TableAlterOrCreateException. Such records go to the
// errant record reporter.
type errSchema struct{ err error }

func (e errSchema) Error() string { return e.err.Error() }
func (e errSchema) Unwrap() error { return e.err }

// readTable reads a table's kind and columns; nil when the table does not exist.
func readTable(ctx context.Context, q queryer, id mysqlconn.TableID) (*tableInfo, error) {
	t := &tableInfo{id: id, columns: map[string]string{}}
	var engine, transactions sql.NullString
	err := q.QueryRowContext(ctx, "SELECT t.TABLE_TYPE, t.ENGINE, e.TRANSACTIONS FROM information_schema.TABLES t "+
		"LEFT JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?",
		id.Database, id.Table).Scan(&t.kind, &engine, &transactions)
	t.engine = engine.String
	t.nonTx = engine.Valid && transactions.String == "NO"
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", id, err)
	}
	rows, err := q.QueryContext(ctx, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
		id.Database, id.Table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("read the columns of %s: %w", id, err)
		}
		t.columns[strings.ToLower(n)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", id, err)
	}
	return t, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// maxKeyBytes is InnoDB's limit on an index's length (DYNAMIC and COMPRESSED row formats).
const maxKeyBytes = 3072

// sqlType is the MySQL type for a column when the sink creates it: Confluent's mapping, except
// that a STRING primary key column is a VARCHAR short enough for the key (Confluent makes it
// TEXT, which MySQL refuses in a key).
func sqlType(c *column, stringKeyLen int) string {
	if c.tsUnit {
		return "DATETIME(6)"
	}
	if t := debeziumSQLType(c, stringKeyLen); t != "" {
		return t
	}
	switch c.schema.Name {
	case schemas.DecimalName:
		scale, _ := schemas.DecimalScale(c.schema)
		scale = max(scale, 0)
		return "DECIMAL(" + strconv.Itoa(decimalPrecision(c.schema, scale)) + "," + strconv.Itoa(scale) + ")"
	case schemas.DateName:
		return "DATE"
	case schemas.TimeName:
		return "TIME(3)"
	case schemas.TimestampName:
		return "DATETIME(3)"
	}
	switch c.schema.Type {
	case schemas.TypeInt8:
		return "TINYINT"
	case schemas.TypeInt16:
		return "SMALLINT"
	case schemas.TypeInt32:
		return "INT"
	case schemas.TypeInt64:
		return "BIGINT"
	case schemas.TypeFloat32:
		return "FLOAT"
	case schemas.TypeFloat64:
		return "DOUBLE"
	case schemas.TypeBoolean:
		return "TINYINT"
	case schemas.TypeString:
		if c.isKey {
			return "VARCHAR(" + strconv.Itoa(stringKeyLen) + ")"
		}
		return "TEXT"
	case schemas.TypeBytes:
		return "VARBINARY(1024)"
	}
	return "TEXT"
}

// stringKeyLength is the VARCHAR length of STRING key columns: 255 characters, less when the
// key's columns would pass InnoDB's 3072-byte limit at 4 bytes a character (utf8mb4).
func stringKeyLength(table string, keys []column) (int, error) {
	budget, n := maxKeyBytes, 0
	for i := range keys {
		switch {
		case keys[i].tsUnit:
			budget -= 8
		case isStringKey(keys[i].schema):
			n++
		case keys[i].schema.Name == schemas.DecimalName || keys[i].schema.Name == dbzVariableScaleDecimal:
			budget -= 30
		case keys[i].schema.Type == schemas.TypeBytes:
			budget -= 1026
		default:
			budget -= 8
		}
	}
	if n == 0 {
		return 255, nil
	}
	l := min(255, budget/(4*n))
	if l < 1 {
		return 0, fmt.Errorf("table %s: the primary key's columns cannot fit InnoDB's %d-byte key limit", table, maxKeyBytes)
	}
	return l, nil
}

// lobTypes are the column types whose default MySQL 8 takes only as an expression.
var lobTypes = map[string]bool{
	"TINYTEXT": true, "TEXT": true, "MEDIUMTEXT": true, "LONGTEXT": true, "JSON": true,
	"TINYBLOB": true, "BLOB": true, "MEDIUMBLOB": true, "LONGBLOB": true,
}

// columnSpec is one column's definition: name, type, then DEFAULT x, NULL or NOT NULL.
func columnSpec(cfg *settings, c *column, keyLen int) (string, error) {
	var b strings.Builder
	b.WriteString(mysqlconn.Quote(c.name, cfg.quote))
	b.WriteByte(' ')
	typ := sqlType(c, keyLen)
	b.WriteString(typ)
	switch {
	case c.schema.Default != nil:
		lit, err := sqlLiteral(cfg, c, c.schema.Default)
		if err != nil {
			return "", fmt.Errorf("the default of %q: %w", c.name, err)
		}
		if lobTypes[typ] {
			// MySQL 8 refuses a literal default on TEXT, BLOB and JSON columns and takes an
			// expression (8.0.13+); MariaDB takes both.
			lit = "(" + lit + ")"
		}
		b.WriteString(" DEFAULT " + lit)
	case c.schema.Optional && !c.isKey:
		b.WriteString(" NULL")
	default:
		b.WriteString(" NOT NULL")
	}
	return b.String(), nil
}

// createSQL is CREATE TABLE for a shape.
func createSQL(cfg *settings, id mysqlconn.TableID, sh *shape) (string, error) {
	keyLen, err := stringKeyLength(id.String(), sh.keys)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(id.Quoted(cfg.quote))
	b.WriteString(" (\n")
	for i := range sh.all {
		spec, err := columnSpec(cfg, &sh.all[i], keyLen)
		if err != nil {
			return "", fmt.Errorf("table %s: %w", id, err)
		}
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(spec)
	}
	if len(sh.keys) > 0 {
		b.WriteString(",\nPRIMARY KEY(")
		for i, k := range sh.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(mysqlconn.Quote(k.name, cfg.quote))
		}
		b.WriteByte(')')
	}
	// utf8mb4 whatever the database's default (MariaDB's is latin1): records carry any Unicode.
	b.WriteString(") DEFAULT CHARSET=utf8mb4")
	return b.String(), nil
}

// tables caches tableInfo by table.
type tables struct {
	cfg    *settings
	log    *slog.Logger
	byID   map[mysqlconn.TableID]*tableInfo
	warned map[mysqlconn.TableID]bool // tables warned about as non-transactional
}

// add caches t, warning once per table when its engine has no transactions.
func (ts *tables) add(t *tableInfo) {
	ts.byID[t.id] = t
	if !t.nonTx || ts.warned[t.id] {
		return
	}
	if ts.warned == nil {
		ts.warned = map[mysqlconn.TableID]bool{}
	}
	ts.warned[t.id] = true
	ts.log.Warn("the table's engine has no transactions: a Put is not one transaction there; when the database refuses a row, the rows before it in the statement stay written and are sent again (duplicate rows, or in insert mode duplicate-key errors reported as errant), and a failed Put is not rolled back",
		"table", t.id.String(), "engine", t.engine)
}

// ensure makes the table fit sh: creates it (auto.create) or adds the missing columns
// (auto.evolve), or says why it cannot (an errSchema). DDL runs outside any transaction (MySQL
// commits implicitly around DDL).
func (ts *tables) ensure(ctx context.Context, q queryer, id mysqlconn.TableID, sh *shape) error {
	t, ok := ts.byID[id]
	if !ok {
		var err error
		if t, err = readTable(ctx, q, id); err != nil {
			return err
		}
		if t == nil {
			if !ts.cfg.autoCreate {
				return errSchema{fmt.Errorf("Table %s is missing and auto-creation is disabled (%s=false)", id, AutoCreateKey)}
			}
			stmt, err := createSQL(ts.cfg, id, sh)
			if err != nil {
				return errSchema{err}
			}
			ts.log.Info("creating table", "table", id.String(), "sql", stmt)
			if _, err := q.ExecContext(ctx, stmt); err != nil && mysqlconn.Code(err) != mysqlconn.ErTableExists {
				if mysqlconn.Retriable(err) {
					return fmt.Errorf("create table %s: %w", id, err)
				}
				return errSchema{fmt.Errorf("create table %s: %w", id, err)}
			}
			if t, err = readTable(ctx, q, id); err != nil {
				return err
			}
			if t == nil {
				return fmt.Errorf("table %s is missing right after CREATE TABLE", id)
			}
		}
		if !ts.kindAllowed(t.kind) {
			return errSchema{fmt.Errorf("%s is a %s, and %s allows %s", id, t.kind, TableTypesKey, strings.Join(ts.cfg.tableTypes, ", "))}
		}
		ts.add(t)
	}
	var missing []column
	for _, c := range sh.all {
		if !t.has(c.name) {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, len(missing))
	for i, c := range missing {
		names[i] = c.name
	}
	if !ts.cfg.autoEvolve {
		return errSchema{fmt.Errorf("Table %s is missing fields (%s) and auto-evolution is disabled (%s=false)", id, strings.Join(names, ", "), AutoEvolveKey)}
	}
	if t.kind != "BASE TABLE" && t.kind != "SYSTEM VERSIONED" {
		return errSchema{fmt.Errorf("%s %s is missing fields (%s) and ALTER %s is unsupported", t.kind, id, strings.Join(names, ", "), t.kind)}
	}
	var specs []string
	for i := range missing {
		c := &missing[i]
		if !c.schema.Optional && c.schema.Default == nil {
			return errSchema{fmt.Errorf("Cannot ALTER TABLE %s to add missing field %q, as the field is not optional and does not have a default value", id, c.name)}
		}
		spec, err := columnSpec(ts.cfg, c, 255)
		if err != nil {
			return errSchema{fmt.Errorf("table %s: %w", id, err)}
		}
		specs = append(specs, "ADD "+spec)
	}
	stmt := "ALTER TABLE " + id.Quoted(ts.cfg.quote) + " " + strings.Join(specs, ", ")
	ts.log.Info("adding columns", "table", id.String(), "columns", names, "sql", stmt)
	if _, err := q.ExecContext(ctx, stmt); err != nil && mysqlconn.Code(err) != mysqlconn.ErDupFieldName {
		if mysqlconn.Retriable(err) {
			return fmt.Errorf("alter table %s: %w", id, err)
		}
		return errSchema{fmt.Errorf("alter table %s: %w", id, err)}
	}
	nt, err := readTable(ctx, q, id)
	if err != nil {
		return err
	}
	if nt == nil {
		delete(ts.byID, id)
		return fmt.Errorf("table %s disappeared while adding columns", id)
	}
	ts.add(nt)
	for _, n := range names {
		if !nt.has(n) {
			return errSchema{fmt.Errorf("table %s still lacks column %q after ALTER TABLE", id, n)}
		}
	}
	return nil
}

func (ts *tables) kindAllowed(kind string) bool {
	switch kind {
	case "BASE TABLE", "SYSTEM VERSIONED":
		return slices.Contains(ts.cfg.tableTypes, "TABLE") || slices.Contains(ts.cfg.tableTypes, "PARTITIONED TABLE")
	case "VIEW":
		return slices.Contains(ts.cfg.tableTypes, "VIEW")
	}
	return false
}
