package incremental

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// Querier is what SQL needs of a connection pool (a *sql.DB).
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// SQL is the Database of a MySQL or MariaDB server, through
// go-sql-driver/mysql.
type SQL[R any] struct {
	DB          Querier
	SignalTable tables.ID
	// Convert turns a row of a chunk into the task's value and its key in
	// the task's canonical encoding (the one it passes to Engine.Change).
	// row holds the model's columns in table order, as the text protocol
	// gives them (the chunk query has no arguments, as a snapshot's SELECT):
	// nil for NULL; the bytes are valid only during the call.
	Convert func(t *tables.Table, row []sql.RawBytes) (R, string, error)
}

// WriteSignal inserts the signal's row: INSERT INTO signal VALUES (id, type,
// data), as Debezium writes its watermarks.
func (s *SQL[R]) WriteSignal(ctx context.Context, sig Signal) error {
	q := "INSERT INTO " + quoteTable(s.SignalTable) + " VALUES (?, ?, ?)"
	if _, err := s.DB.ExecContext(ctx, q, sig.ID, sig.Type, sig.Data); err != nil {
		return fmt.Errorf("insert signal %s into %s: %w", sig.ID, s.SignalTable, transient(err))
	}
	return nil
}

// MaxKey reads the largest key: SELECT key FROM t ORDER BY key DESC LIMIT 1.
func (s *SQL[R]) MaxKey(ctx context.Context, q Query) (Key, error) {
	cols, err := keyColumns(q)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(mysqlconn.Quote(c.Name, true))
	}
	b.WriteString(" FROM " + quoteTable(q.Table.ID))
	if q.Condition != "" {
		b.WriteString(" WHERE " + q.Condition)
	}
	b.WriteString(" ORDER BY ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(mysqlconn.Quote(c.Name, true) + " DESC")
	}
	b.WriteString(" LIMIT 1")
	rows, err := s.DB.QueryContext(ctx, b.String())
	if err != nil {
		return nil, s.queryError(q, "read the largest key of", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, s.queryError(q, "read the largest key of", err)
		}
		return nil, nil
	}
	raw, dest := scanDest(len(cols))
	if err := rows.Scan(dest...); err != nil {
		return nil, fmt.Errorf("read the largest key of %s: %w", q.Table.ID, err)
	}
	key := make(Key, len(cols))
	for i := range cols {
		if raw[i] == nil {
			return nil, fmt.Errorf("the largest key of %s has a NULL in column %s", q.Table.ID, cols[i].Name)
		}
		key[i] = string(raw[i])
	}
	return key, rows.Err()
}

// ReadChunk reads a chunk with Debezium's chunk query: the model's columns,
// keys above after and not above max ((k1 > ?) OR (k1 = ? AND k2 > ?) ...),
// the additional condition, ORDER BY the key, LIMIT limit.
func (s *SQL[R]) ReadChunk(ctx context.Context, q Query, after, max Key, limit int) ([]Row[R], error) {
	query, err := ChunkQuery(q, after, max, limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.QueryContext(ctx, query)
	if err != nil {
		return nil, s.queryError(q, "read a chunk of", err)
	}
	defer rows.Close()
	cols := q.Table.Columns
	keyIdx := make([]int, len(q.KeyColumns))
	for i, k := range q.KeyColumns {
		keyIdx[i] = -1
		for j := range cols {
			if strings.EqualFold(cols[j].Name, k) {
				keyIdx[i] = j
			}
		}
		if keyIdx[i] < 0 {
			return nil, fmt.Errorf("key column %s is not a column of %s", k, q.Table.ID)
		}
	}
	raw, dest := scanDest(len(cols))
	var out []Row[R]
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read a chunk of %s: %w", q.Table.ID, err)
		}
		key := make(Key, len(keyIdx))
		for i, j := range keyIdx {
			if raw[j] == nil {
				return nil, fmt.Errorf("read a chunk of %s: key column %s is NULL", q.Table.ID, cols[j].Name)
			}
			key[i] = string(raw[j])
		}
		v, canon, err := s.Convert(q.Table, raw)
		if err != nil {
			return nil, fmt.Errorf("convert a row of %s: %w", q.Table.ID, err)
		}
		out = append(out, Row[R]{Key: canon, KeyValues: key, Value: v})
	}
	if err := rows.Err(); err != nil {
		return nil, s.queryError(q, "read a chunk of", err)
	}
	return out, nil
}

func (s *SQL[R]) queryError(q Query, what string, err error) error {
	if mysqlconn.Code(err) == erBadFieldError {
		return fmt.Errorf("%s %s: %w: %w", what, q.Table.ID, ErrStaleSchema, err)
	}
	return fmt.Errorf("%s %s: %w", what, q.Table.ID, transient(err))
}

// transient marks the errors mysqlconn.Retriable knows may pass.
func transient(err error) error {
	if mysqlconn.Retriable(err) {
		return fmt.Errorf("%w: %w", ErrTransient, err)
	}
	return err
}

// erBadFieldError is ER_BAD_FIELD_ERROR: "Unknown column".
const erBadFieldError = 1054

// ChunkQuery builds the chunk query. Its key values are written into it as
// literals (checked numbers, hex strings), so that it runs without
// arguments, on the text protocol, as a snapshot's SELECT does.
func ChunkQuery(q Query, after, max Key, limit int) (string, error) {
	cols, err := keyColumns(q)
	if err != nil {
		return "", err
	}
	if max == nil {
		return "", fmt.Errorf("chunk of %s: no maximum key", q.Table.ID)
	}
	if after != nil && len(after) != len(cols) {
		return "", fmt.Errorf("chunk of %s: the last key has %d values, the key %d columns", q.Table.ID, len(after), len(cols))
	}
	if len(max) != len(cols) {
		return "", fmt.Errorf("chunk of %s: the maximum key has %d values, the key %d columns", q.Table.ID, len(max), len(cols))
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range q.Table.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(mysqlconn.Quote(c.Name, true))
	}
	b.WriteString(" FROM " + quoteTable(q.Table.ID) + " WHERE ")
	if after != nil {
		if err := above(&b, cols, after); err != nil {
			return "", fmt.Errorf("chunk of %s: last key: %w", q.Table.ID, err)
		}
		b.WriteString(" AND ")
	}
	b.WriteString("NOT ")
	if err := above(&b, cols, max); err != nil {
		return "", fmt.Errorf("chunk of %s: maximum key: %w", q.Table.ID, err)
	}
	if q.Condition != "" {
		b.WriteString(" AND " + q.Condition)
	}
	b.WriteString(" ORDER BY ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(mysqlconn.Quote(c.Name, true))
	}
	b.WriteString(" LIMIT " + strconv.Itoa(limit))
	return b.String(), nil
}

// above writes "key > k" for a key of several columns, as Debezium's
// addLowerBound: ((k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...). Key columns are
// NOT NULL (primary key columns always are; a nullable surrogate key is
// refused), so no NULL cases arise.
func above(b *strings.Builder, cols []*tables.Column, k Key) error {
	lits := make([]string, len(cols))
	for i, c := range cols {
		l, err := literal(c, k[i])
		if err != nil {
			return err
		}
		lits[i] = l
	}
	b.WriteByte('(')
	for i := range cols {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteByte('(')
		for j := 0; j <= i; j++ {
			if j > 0 {
				b.WriteString(" AND ")
			}
			op := " = "
			if j == i {
				op = " > "
			}
			b.WriteString(keyExpr(cols[j]) + op + lits[j])
		}
		b.WriteByte(')')
	}
	b.WriteByte(')')
	return nil
}

// keyExpr is a key column in a comparison: ENUM and SET columns sort by
// their numbers (ORDER BY does), while comparing them with a string would
// compare their labels, so they are compared as numbers.
func keyExpr(c *tables.Column) string {
	q := mysqlconn.Quote(c.Name, true)
	switch baseType(c) {
	case "ENUM", "SET":
		return "(" + q + " + 0)"
	}
	return q
}

// enumNumber is the number of an ENUM label (its 1-based position) or of a
// SET value (the sum of its labels' bits), as MySQL sorts them.
func enumNumber(c *tables.Column, v string) (uint64, error) {
	index := func(label string) (int, bool) {
		for i, l := range c.EnumValues {
			if strings.EqualFold(l, label) {
				return i, true
			}
		}
		return 0, false
	}
	if baseType(c) == "ENUM" {
		if v == "" {
			return 0, nil // the error value ''
		}
		i, ok := index(v)
		if !ok {
			return 0, fmt.Errorf("column %s: %q is not one of its ENUM values", c.Name, v)
		}
		return uint64(i + 1), nil
	}
	var n uint64
	if v == "" {
		return 0, nil
	}
	for _, label := range strings.Split(v, ",") {
		i, ok := index(label)
		if !ok || i >= 64 {
			return 0, fmt.Errorf("column %s: %q is not one of its SET values", c.Name, label)
		}
		n |= 1 << i
	}
	return n, nil
}

// number is what a numeric key value may look like.
var number = regexp.MustCompile(`^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$`)

// literal writes a key value as an SQL literal. Numbers are checked and
// written as they are (exact for integers and decimals, where a string
// would be compared as a double); binary strings as hex literals; all else
// as a utf8mb4 hex literal (the text protocol's bytes, whatever they hold),
// which is coercible, so the column's collation and type (dates) decide
// the comparison. A value read back from an offset is checked too, since
// an offset may have been edited.
func literal(c *tables.Column, v string) (string, error) {
	switch {
	case isInteger(c):
		if c.Unsigned {
			if _, err := strconv.ParseUint(v, 10, 64); err != nil {
				return "", fmt.Errorf("column %s: %q is not an unsigned integer", c.Name, v)
			}
			return v, nil
		}
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "", fmt.Errorf("column %s: %q is not an integer", c.Name, v)
		}
		return v, nil
	case isNumeric(c):
		if !number.MatchString(v) {
			return "", fmt.Errorf("column %s: %q is not a number", c.Name, v)
		}
		return v, nil
	case isBinary(c):
		return "X'" + hex.EncodeToString([]byte(v)) + "'", nil
	case baseType(c) == "ENUM" || baseType(c) == "SET":
		n, err := enumNumber(c, v)
		if err != nil {
			return "", err
		}
		return strconv.FormatUint(n, 10), nil
	}
	return "_utf8mb4 X'" + hex.EncodeToString([]byte(v)) + "'", nil
}

func baseType(c *tables.Column) string {
	t := strings.ToUpper(c.TypeName)
	t = strings.TrimSuffix(t, " UNSIGNED ZEROFILL")
	t = strings.TrimSuffix(t, " UNSIGNED")
	t = strings.TrimSuffix(t, " ZEROFILL")
	return t
}

func isInteger(c *tables.Column) bool {
	switch baseType(c) {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "YEAR", "SERIAL":
		return true
	}
	return false
}

func isNumeric(c *tables.Column) bool {
	switch baseType(c) {
	case "DECIMAL", "NUMERIC", "DEC", "FIXED", "FLOAT", "DOUBLE", "DOUBLE PRECISION", "REAL":
		return true
	}
	return false
}

func isBinary(c *tables.Column) bool {
	switch baseType(c) {
	case "BINARY", "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB", "BIT":
		return true
	}
	return false
}

// keyColumns resolves the query's key columns in the model.
func keyColumns(q Query) ([]*tables.Column, error) {
	if q.Table == nil {
		return nil, fmt.Errorf("no table model")
	}
	if len(q.KeyColumns) == 0 {
		return nil, fmt.Errorf("%s has no key to chunk by", q.Table.ID)
	}
	cols := make([]*tables.Column, len(q.KeyColumns))
	for i, name := range q.KeyColumns {
		c := q.Table.Column(name)
		if c == nil {
			return nil, fmt.Errorf("key column %s is not a column of %s", name, q.Table.ID)
		}
		cols[i] = c
	}
	return cols, nil
}

// scanDest returns n sql.RawBytes and rows.Scan destinations for them.
func scanDest(n int) ([]sql.RawBytes, []any) {
	raw := make([]sql.RawBytes, n)
	dest := make([]any, n)
	for i := range raw {
		dest[i] = &raw[i]
	}
	return raw, dest
}

func quoteTable(id tables.ID) string {
	return mysqlconn.Quote(id.DB, true) + "." + mysqlconn.Quote(id.Table, true)
}
