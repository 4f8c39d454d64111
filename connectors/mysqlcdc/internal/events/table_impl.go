package events

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

func (e *Events) newTable(t *tables.Table, include func(string) bool) (*Table, error) {
	if t == nil {
		return nil, errors.New("events: no table")
	}
	full := e.opts.TopicPrefix + "." + t.ID.DB + "." + t.ID.Table
	name := adjustName(full, e.opts.Modes.SchemaNames, false)
	topic := sanitizedTopic(full)
	fieldName := func(col string) string { return adjustName(col, e.opts.Modes.FieldNames, true) }
	tb := &Table{ID: t.ID, Topic: topic, events: e, table: t, cols: make([]column, len(t.Columns))}
	valB := schemas.NewBuilder(schemas.TypeStruct).Name(name + ".Value").Optional()
	nValue := 0
	for i := range t.Columns {
		c := &t.Columns[i]
		col := &tb.cols[i]
		col.name, col.valueField, col.keyField = c.Name, -1, -1
		b, cv, err := e.columnConv(t, c)
		if err != nil {
			return nil, fmt.Errorf("events: table %s, column %s: %w", t.ID, c.Name, err)
		}
		if b == nil {
			continue // a type left out of events
		}
		if c.Optional {
			b.Optional()
		}
		if def, ok := defaultValue(c, cv); ok {
			b.Default(def)
		}
		s, err := b.Build()
		if err != nil {
			// A default the schema refuses: leave it out, as Debezium
			// does with a default it cannot convert.
			b, cv, _ = e.columnConv(t, c)
			if c.Optional {
				b.Optional()
			}
			if s, err = b.Build(); err != nil {
				return nil, fmt.Errorf("events: table %s, column %s: %w", t.ID, c.Name, err)
			}
		}
		col.schema, col.conv = s, cv
		col.null = cv.zero
		if s.Default != nil {
			col.null = s.Default
		}
		if include == nil || include(c.Name) {
			col.valueField = nValue
			nValue++
			valB.Field(fieldName(c.Name), s)
		}
	}
	var err error
	if tb.ValueSchema, err = valB.Build(); err != nil {
		return nil, fmt.Errorf("events: table %s: value schema: %w", t.ID, err)
	}
	if len(t.PrimaryKey) > 0 {
		keyB := schemas.NewBuilder(schemas.TypeStruct).Name(name + ".Key")
		for k, pk := range t.PrimaryKey {
			i := -1
			for j := range t.Columns {
				if strings.EqualFold(t.Columns[j].Name, pk) {
					i = j
					break
				}
			}
			if i < 0 {
				return nil, fmt.Errorf("events: table %s: primary key column %s is not a column of the table", t.ID, pk)
			}
			if tb.cols[i].schema == nil {
				return nil, fmt.Errorf("events: table %s: primary key column %s has type %s, which events cannot carry", t.ID, pk, t.Columns[i].TypeName)
			}
			tb.cols[i].keyField = k
			tb.keyCols = append(tb.keyCols, i)
			keyB.Field(fieldName(t.Columns[i].Name), tb.cols[i].schema)
		}
		if tb.KeySchema, err = keyB.Build(); err != nil {
			return nil, fmt.Errorf("events: table %s: key schema: %w", t.ID, err)
		}
	}
	if tb.EnvelopeSchema, err = e.envelopeSchema(name+".Envelope", tb.ValueSchema); err != nil {
		return nil, fmt.Errorf("events: table %s: envelope schema: %w", t.ID, err)
	}
	return tb, nil
}

// convert converts a binlog row (raw == nil) or a SELECT row.
func (t *Table) convert(bin []any, raw []sql.RawBytes, fromSQL bool) (key, value *schemas.Struct, err error) {
	n := len(bin)
	if fromSQL {
		n = len(raw)
	}
	if n != len(t.cols) {
		return nil, nil, fmt.Errorf("events: table %s: a row of %d values for %d columns (the binlog row image must be FULL, and the table's structure as the binlog position knows it)", t.ID, n, len(t.cols))
	}
	value = schemas.NewStruct(t.ValueSchema)
	if t.KeySchema != nil {
		key = schemas.NewStruct(t.KeySchema)
	}
	for i := range t.cols {
		c := &t.cols[i]
		if c.schema == nil || (c.valueField < 0 && c.keyField < 0) {
			continue
		}
		var v any
		if fromSQL {
			if raw[i] != nil {
				v, err = c.sql(raw[i])
			}
		} else if bin[i] != nil {
			v, err = c.bin(bin[i])
		}
		if err != nil {
			if err != errNull {
				return nil, nil, t.errColumn(i, err)
			}
			v, err = nil, nil
		}
		if v == nil && !c.schema.Optional {
			v = c.null
		}
		if c.valueField >= 0 {
			if err := value.PutAt(c.valueField, v); err != nil {
				return nil, nil, t.errColumn(i, err)
			}
		}
		if c.keyField >= 0 {
			if err := key.PutAt(c.keyField, v); err != nil {
				return nil, nil, t.errColumn(i, err)
			}
		}
	}
	return key, value, nil
}

func (t *Table) selectList() string {
	var b strings.Builder
	for i := range t.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		single := singlePrecision(&t.table.Columns[i])
		if single {
			b.WriteString("CAST(")
		}
		b.WriteByte('`')
		b.WriteString(strings.ReplaceAll(t.cols[i].name, "`", "``"))
		b.WriteByte('`')
		if single {
			b.WriteString(" AS DOUBLE)")
		}
	}
	return b.String()
}

// defaultValue converts a column's DEFAULT to its schema default, as
// Debezium's MySqlDefaultValueConverter. DefaultExpr is what Debezium's
// parser records as defaultValueExpression: a literal's value without its
// quotes ("it's", "-1.5", "TRUE"), a bit or hex literal's digits ("101"),
// "1970-01-01 00:00:00" for CURRENT_TIMESTAMP, and nil for NULL and for
// expressions. A value the column's converter refuses (a zero date) gives
// no default, as Debezium's.
func defaultValue(c *tables.Column, cv conv) (any, bool) {
	if !c.HasDefault || c.DefaultExpr == nil {
		return nil, false
	}
	expr := *c.DefaultExpr
	base, _ := baseType(c)
	if _, spatial := cv.zero.(*schemas.Struct); spatial {
		return nil, false // MySQL has no literal spatial defaults
	}
	up := strings.ToUpper(strings.TrimSpace(expr))
	switch base {
	case "BIT":
		bits := strings.TrimSpace(expr)
		if len(bits) > 3 && (bits[0] == 'b' || bits[0] == 'B') && bits[1] == '\'' && bits[len(bits)-1] == '\'' {
			bits = bits[2 : len(bits)-1]
		}
		switch up {
		case "TRUE":
			bits = "1"
		case "FALSE":
			bits = "0"
		}
		x, err := strconv.ParseUint(bits, 2, 64)
		if err != nil {
			return nil, false
		}
		v, err := cv.bin(int64(x))
		return v, err == nil && v != nil
	case "BOOL", "BOOLEAN", "TINYINT", "INT1", "SMALLINT", "INT2", "MEDIUMINT", "INT3", "MIDDLEINT",
		"INT", "INTEGER", "INT4", "BIGINT", "INT8", "SERIAL":
		switch up {
		case "TRUE":
			expr = "1"
		case "FALSE":
			expr = "0"
		default:
			// Debezium rounds a decimal default of an integer column.
			if _, err := strconv.ParseInt(up, 10, 64); err != nil {
				if f, err := strconv.ParseFloat(up, 64); err == nil && !strings.Contains(up, "E") {
					expr = strconv.FormatFloat(math.Floor(f+0.5), 'f', 0, 64)
				}
			}
		}
	case "TIMESTAMP", "DATETIME":
		if isCurrentTimestamp(up) {
			expr = "1970-01-01 00:00:00"
		}
	}
	v, err := cv.sql([]byte(expr))
	if err != nil || v == nil {
		return nil, false
	}
	return v, true
}

// isCurrentTimestamp reports whether an upper-case default is
// CURRENT_TIMESTAMP or a synonym, should a parser record it as written.
func isCurrentTimestamp(up string) bool {
	up = strings.TrimRight(up, "0123456789() ")
	switch up {
	case "CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP":
		return true
	}
	return false
}

// maxTopicName is Kafka's longest topic name.
const maxTopicName = 249

// sanitizedTopic makes name a valid Kafka topic name as Debezium's topic
// naming strategy does: a table name may have characters a topic may not
// (a space, non-ASCII letters) and be long enough to pass 249 characters,
// and a record to an invalid topic would fail the task at that event on
// every restart. Each character other than ASCII letters, digits, '.',
// '_' and '-' becomes '_' (one per UTF-16 unit, as in Java), the result is
// cut to 249 characters, and "." or ".." become "_" or "__".
func sanitizedTopic(name string) string {
	valid := func(c rune) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	if len(name) <= maxTopicName && name != "." && name != ".." && !strings.ContainsFunc(name, func(c rune) bool { return !valid(c) }) {
		return name
	}
	var b strings.Builder
	for _, c := range name {
		switch {
		case valid(c):
			b.WriteRune(c)
		case c > 0xFFFF:
			b.WriteString("__")
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	switch {
	case len(out) > maxTopicName:
		out = out[:maxTopicName]
	case out == ".":
		out = "_"
	case out == "..":
		out = "__"
	}
	return out
}
