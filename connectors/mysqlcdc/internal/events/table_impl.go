package events

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

func (e *Events) newTable(t *tables.Table, include func(string) bool) (*Table, error) {
	if t == nil {
		return nil, errors.New("events: no table")
	}
	name := e.opts.TopicPrefix + "." + t.ID.DB + "." + t.ID.Table
	tb := &Table{ID: t.ID, Topic: name, events: e, table: t, cols: make([]column, len(t.Columns))}
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
			valB.Field(c.Name, s)
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
			keyB.Field(t.Columns[i].Name, tb.cols[i].schema)
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
// Debezium's MySqlDefaultValueConverter: literals through the column's
// converter, CURRENT_TIMESTAMP (and its synonyms) as the epoch. A default
// it cannot read (an expression, a zero date) gives none.
func defaultValue(c *tables.Column, cv conv) (any, bool) {
	if !c.HasDefault || c.DefaultExpr == nil {
		return nil, false
	}
	expr := strings.TrimSpace(*c.DefaultExpr)
	base, _ := baseType(c)
	up := strings.ToUpper(expr)
	if isCurrentTimestamp(up) {
		switch base {
		case "TIMESTAMP", "DATETIME":
			expr = "1970-01-01 00:00:00"
		default:
			return nil, false
		}
	} else if s, ok := unquoteSQL(expr); ok {
		expr = s
	} else if strings.HasPrefix(up, "B'") && strings.HasSuffix(up, "'") && base == "BIT" {
		bits := expr[2 : len(expr)-1]
		var x uint64
		for _, ch := range bits {
			if ch != '0' && ch != '1' || len(bits) > 64 {
				return nil, false
			}
			x = x<<1 | uint64(ch-'0')
		}
		v, err := cv.bin(int64(x))
		return v, err == nil && v != nil
	} else if up == "TRUE" || up == "FALSE" {
		if up == "TRUE" {
			expr = "1"
		} else {
			expr = "0"
		}
	} else if up == "NULL" {
		return nil, false
	}
	if base == "BIT" {
		// A BIT default written as a number.
		var x uint64
		if _, err := fmt.Sscan(expr, &x); err != nil {
			return nil, false
		}
		v, err := cv.bin(int64(x))
		return v, err == nil && v != nil
	}
	v, err := cv.sql([]byte(expr))
	if err != nil || v == nil {
		return nil, false
	}
	return v, true
}

func isCurrentTimestamp(up string) bool {
	up = strings.TrimSuffix(strings.TrimRight(up, "0123456789()"), "(")
	switch up {
	case "CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_TIMESTAMP()", "NOW()":
		return true
	}
	return false
}

// unquoteSQL returns the value of a quoted SQL string literal ('it”s',
// "a\nb"); ok is false when expr is not one.
func unquoteSQL(expr string) (string, bool) {
	if len(expr) < 2 {
		return "", false
	}
	q := expr[0]
	if (q != '\'' && q != '"') || expr[len(expr)-1] != q {
		return "", false
	}
	in := expr[1 : len(expr)-1]
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		ch := in[i]
		switch {
		case ch == q && i+1 < len(in) && in[i+1] == q:
			b.WriteByte(q)
			i++
		case ch == '\\' && i+1 < len(in):
			i++
			switch in[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'Z':
				b.WriteByte(26)
			default:
				b.WriteByte(in[i])
			}
		default:
			b.WriteByte(ch)
		}
	}
	return b.String(), true
}
