package incremental

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	// vals holds the model's columns in order, each as the text protocol
	// gives it: []byte, or nil for NULL (SQL reads with prepared statements
	// and turns their typed values back into that text).
	Convert func(t *tables.Table, vals []any) (R, string, error)
}

// WriteSignal inserts the signal's row: INSERT INTO signal VALUES (id, type,
// data), as Debezium writes its watermarks.
func (s *SQL[R]) WriteSignal(ctx context.Context, sig Signal) error {
	q := "INSERT INTO " + quoteTable(s.SignalTable) + " VALUES (?, ?, ?)"
	if _, err := s.DB.ExecContext(ctx, q, sig.ID, sig.Type, sig.Data); err != nil {
		return fmt.Errorf("insert signal %s into %s: %w", sig.ID, s.SignalTable, err)
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
	vals, err := scanText(rows, cols)
	if err != nil {
		return nil, fmt.Errorf("read the largest key of %s: %w", q.Table.ID, err)
	}
	key := make(Key, len(cols))
	for i := range cols {
		if vals[i] == nil {
			return nil, fmt.Errorf("the largest key of %s has a NULL in column %s", q.Table.ID, cols[i].Name)
		}
		key[i] = string(vals[i].([]byte))
	}
	return key, rows.Err()
}

// ReadChunk reads a chunk with Debezium's chunk query: the model's columns,
// keys above after and not above max ((k1 > ?) OR (k1 = ? AND k2 > ?) ...),
// the additional condition, ORDER BY the key, LIMIT limit.
func (s *SQL[R]) ReadChunk(ctx context.Context, q Query, after, max Key, limit int) ([]Row[R], error) {
	query, args, err := ChunkQuery(q, after, max, limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.QueryContext(ctx, query, args...)
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
	colPtrs := make([]*tables.Column, len(cols))
	for i := range cols {
		colPtrs[i] = &cols[i]
	}
	var out []Row[R]
	for rows.Next() {
		vals, err := scanText(rows, colPtrs)
		if err != nil {
			return nil, fmt.Errorf("read a chunk of %s: %w", q.Table.ID, err)
		}
		key := make(Key, len(keyIdx))
		for i, j := range keyIdx {
			if vals[j] == nil {
				return nil, fmt.Errorf("read a chunk of %s: key column %s is NULL", q.Table.ID, cols[j].Name)
			}
			key[i] = string(vals[j].([]byte))
		}
		v, canon, err := s.Convert(q.Table, vals)
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
	return fmt.Errorf("%s %s: %w", what, q.Table.ID, err)
}

// erBadFieldError is ER_BAD_FIELD_ERROR: "Unknown column".
const erBadFieldError = 1054

// ChunkQuery builds the chunk query and its arguments.
func ChunkQuery(q Query, after, max Key, limit int) (string, []any, error) {
	cols, err := keyColumns(q)
	if err != nil {
		return "", nil, err
	}
	if max == nil {
		return "", nil, fmt.Errorf("chunk of %s: no maximum key", q.Table.ID)
	}
	if after != nil && len(after) != len(cols) {
		return "", nil, fmt.Errorf("chunk of %s: the last key has %d values, the key %d columns", q.Table.ID, len(after), len(cols))
	}
	if len(max) != len(cols) {
		return "", nil, fmt.Errorf("chunk of %s: the maximum key has %d values, the key %d columns", q.Table.ID, len(max), len(cols))
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
	var args []any
	if after != nil {
		a, err := above(&b, cols, after)
		if err != nil {
			return "", nil, fmt.Errorf("chunk of %s: last key: %w", q.Table.ID, err)
		}
		args = append(args, a...)
		b.WriteString(" AND ")
	}
	b.WriteString("NOT ")
	a, err := above(&b, cols, max)
	if err != nil {
		return "", nil, fmt.Errorf("chunk of %s: maximum key: %w", q.Table.ID, err)
	}
	args = append(args, a...)
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
	return b.String(), args, nil
}

// above writes "key > k" for a key of several columns, as Debezium's
// addLowerBound: ((k1 > ?) OR (k1 = ? AND k2 > ?) OR ...). Key columns are
// NOT NULL (primary key columns always are; a nullable surrogate key is
// refused), so no NULL cases arise.
func above(b *strings.Builder, cols []*tables.Column, k Key) ([]any, error) {
	vals := make([]any, len(cols))
	for i, c := range cols {
		v, err := keyArg(c, k[i])
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	var args []any
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
			b.WriteString(mysqlconn.Quote(cols[j].Name, true) + op + placeholder(cols[j]))
			args = append(args, vals[j])
		}
		b.WriteByte(')')
	}
	b.WriteByte(')')
	return args, nil
}

// placeholder is the parameter marker for a key column: DECIMAL values are
// compared as decimals (a string would be compared as a double).
func placeholder(c *tables.Column) string {
	if isDecimal(c) && c.Length > 0 {
		scale := 0
		if c.Scale != nil {
			scale = *c.Scale
		}
		return fmt.Sprintf("CAST(? AS DECIMAL(%d,%d))", c.Length, scale)
	}
	return "?"
}

// keyArg is a key value as a statement argument: integers as integers (a
// string would be compared as a double, losing BIGINT precision), binary
// strings as bytes, the rest as strings. A value read back from an offset
// is checked, since the offset may have been edited.
func keyArg(c *tables.Column, v string) (any, error) {
	switch {
	case isInteger(c):
		if c.Unsigned {
			u, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("column %s: %q is not an unsigned integer", c.Name, v)
			}
			return u, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("column %s: %q is not an integer", c.Name, v)
		}
		return n, nil
	case isDecimal(c):
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("column %s: %q is not a decimal number", c.Name, v)
		}
		return v, nil
	case isBinary(c):
		return []byte(v), nil
	}
	return v, nil
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

func isDecimal(c *tables.Column) bool {
	switch baseType(c) {
	case "DECIMAL", "NUMERIC", "DEC", "FIXED":
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

// scanText scans the current row and returns each value in the text
// protocol's form: []byte, or nil for NULL.
func scanText(rows *sql.Rows, cols []*tables.Column) ([]any, error) {
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, v := range vals {
		t, err := asText(cols[i], v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", cols[i].Name, err)
		}
		vals[i] = t
	}
	return vals, nil
}

// asText turns a value of the binary protocol into the text protocol's
// bytes for the column.
func asText(c *tables.Column, v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	case int64:
		return strconv.AppendInt(nil, v, 10), nil
	case uint64:
		return strconv.AppendUint(nil, v, 10), nil
	case float32:
		return strconv.AppendFloat(nil, float64(v), 'g', -1, 32), nil
	case float64:
		return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
	case time.Time:
		switch baseType(c) {
		case "DATE":
			return []byte(v.Format("2006-01-02")), nil
		}
		layout := "2006-01-02 15:04:05"
		if c.Length > 0 && c.Length <= 6 {
			layout += "." + strings.Repeat("0", c.Length)
		}
		return []byte(v.Format(layout)), nil
	}
	return nil, fmt.Errorf("unexpected value of type %T", v)
}

func quoteTable(id tables.ID) string {
	return mysqlconn.Quote(id.DB, true) + "." + mysqlconn.Quote(id.Table, true)
}
