package sink

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// source says where a column's value comes from.
type source uint8

const (
	fromTopic source = iota + 1
	fromPartition
	fromOffset
	fromKey        // the whole (primitive) key
	fromKeyField   // a field of a struct key
	fromValueField // a field of a struct value
	fromValue      // the whole (string) value
)

// column is one column the sink writes, and where its value comes from.
type column struct {
	name   string
	schema *schemas.Schema
	src    source
	index  int  // field index for fromKeyField and fromValueField
	isKey  bool // part of the primary key
	tsUnit bool // an INT64 in timestamp.fields.list
}

// shape is how records of one key and value schema map to a table's columns (Confluent's
// FieldsMetadata): key columns first, then the others.
type shape struct {
	keys, values []column
	// all is every column in Confluent's order for CREATE TABLE: the kafka coordinates, the value's
	// fields in order, then the rest sorted by name.
	all []column
	// sig names everything about the shape that changes its SQL, for statement caches: the
	// number of key columns (UPDATE … SET the values WHERE the keys; ON DUPLICATE KEY UPDATE the
	// values) and the column names in INSERT order.
	sig     string
	ordered []column // keys then values
}

// cols is keys then values: the column order of INSERT statements.
func (s *shape) cols() []column {
	if s.ordered == nil {
		s.ordered = append(slices.Clip(s.keys), s.values...)
	}
	return s.ordered
}

// extractShape works out the columns for records with these schemas going to table, with
// Confluent's rules and errors for each pk.mode.
func extractShape(cfg *settings, table string, keySchema, valueSchema *schemas.Schema) (*shape, error) {
	isString := false
	if valueSchema != nil {
		switch valueSchema.Type {
		case schemas.TypeStruct:
		case schemas.TypeString:
			isString = true
		default:
			return nil, fmt.Errorf("Value schema must be of type Struct or String, not %s (table %s)", valueSchema.Type, table)
		}
	}
	sh := &shape{}
	keyNames := map[string]bool{}
	addKey := func(c column) error {
		if keyNames[c.name] {
			return fmt.Errorf("table %s: the primary key names column %q twice", table, c.name)
		}
		c.isKey = true
		keyNames[c.name] = true
		sh.keys = append(sh.keys, c)
		return nil
	}
	switch cfg.pkMode {
	case pkKafka:
		names := kafkaPKNames
		if len(cfg.pkFields) == 3 {
			names = cfg.pkFields
		}
		for i, src := range []source{fromTopic, fromPartition, fromOffset} {
			sch := []*schemas.Schema{schemas.StringSchema, schemas.Int32Schema, schemas.Int64Schema}[i]
			if err := addKey(column{name: names[i], schema: sch, src: src}); err != nil {
				return nil, err
			}
		}
	case pkRecordKey:
		if keySchema == nil {
			return nil, fmt.Errorf("PK mode for table '%s' is RECORD_KEY, but record key schema is missing", table)
		}
		switch {
		case keySchema.Type.IsPrimitive():
			if len(cfg.pkFields) != 1 {
				return nil, fmt.Errorf("Need exactly one PK column defined since the key schema for records is a primitive type, defined columns are: %v (pk.fields, table %s)", cfg.pkFields, table)
			}
			if err := addKey(column{name: cfg.pkFields[0], schema: keySchema, src: fromKey}); err != nil {
				return nil, err
			}
		case keySchema.Type == schemas.TypeStruct:
			if len(cfg.pkFields) == 0 {
				for i, f := range keySchema.Fields {
					if err := addKey(column{name: f.Name, schema: f.Schema, src: fromKeyField, index: i}); err != nil {
						return nil, err
					}
				}
			}
			for _, n := range cfg.pkFields {
				f, ok := keySchema.Field(n)
				if !ok {
					return nil, fmt.Errorf("PK mode for table '%s' is RECORD_KEY with configured PK fields %v, but record key schema does not contain field: %s", table, cfg.pkFields, n)
				}
				if err := addKey(column{name: n, schema: f.Schema, src: fromKeyField, index: f.Index}); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("Key schema must be primitive type or Struct, but is of type: %s (table %s)", keySchema.Type, table)
		}
	case pkRecordValue:
		if isString {
			return nil, fmt.Errorf("pk.mode record_value is not supported with String value schemas (table %s)", table)
		}
		if valueSchema == nil {
			return nil, fmt.Errorf("PK mode for table '%s' is RECORD_VALUE, but record value schema is missing", table)
		}
		if len(cfg.pkFields) == 0 {
			for i, f := range valueSchema.Fields {
				if err := addKey(column{name: f.Name, schema: f.Schema, src: fromValueField, index: i}); err != nil {
					return nil, err
				}
			}
		}
		for _, n := range cfg.pkFields {
			f, ok := valueSchema.Field(n)
			if !ok {
				return nil, fmt.Errorf("PK mode for table '%s' is RECORD_VALUE with configured PK fields %v, but record value schema does not contain field: %s", table, cfg.pkFields, n)
			}
			if err := addKey(column{name: n, schema: f.Schema, src: fromValueField, index: f.Index}); err != nil {
				return nil, err
			}
		}
	}
	switch {
	case isString:
		if keyNames[cfg.stringValueColumn] {
			return nil, fmt.Errorf("Configured %s '%s' conflicts with a primary key column for table '%s'", StringValueColumnKey, cfg.stringValueColumn, table)
		}
		sh.values = append(sh.values, column{name: cfg.stringValueColumn, schema: schemas.OptionalStringSchema, src: fromValue})
	case valueSchema != nil:
		for i, f := range valueSchema.Fields {
			if keyNames[f.Name] || (cfg.whitelist != nil && !cfg.whitelist[f.Name]) {
				continue
			}
			sh.values = append(sh.values, column{name: f.Name, schema: f.Schema, src: fromValueField, index: i})
		}
	}
	if len(sh.keys)+len(sh.values) == 0 {
		return nil, fmt.Errorf("No fields found using key and value schemas for table: %s", table)
	}
	all := append(slices.Clip(sh.keys), sh.values...)
	for i := range all {
		c := &all[i]
		if err := checkColumnType(cfg, table, c); err != nil {
			return nil, err
		}
	}
	sh.keys, sh.values, sh.ordered = all[:len(sh.keys):len(sh.keys)], all[len(sh.keys):], all
	sh.all = orderForCreate(all, valueSchema)
	names := make([]string, len(all))
	for i, c := range all {
		names[i] = c.name
	}
	sh.sig = strconv.Itoa(len(sh.keys)) + "\x00" + strings.Join(names, "\x00")
	return sh, nil
}

// checkColumnType refuses what a column cannot hold: nested values (Confluent fails on them
// when binding; here before anything is written), and marks timestamp.fields.list columns.
func checkColumnType(cfg *settings, table string, c *column) error {
	if ok, err := checkDebeziumType(table, c); ok || err != nil {
		if err == nil && cfg.tsFields[c.name] {
			err = fmt.Errorf("table %s: field %q is in %s but is a %s: sluice converts INT64 fields only", table, c.name, TimestampFieldsKey, typeName(c.schema))
		}
		return err
	}
	if !c.schema.Type.IsPrimitive() {
		return fmt.Errorf("table %s: field %q is a %s: the JDBC sink writes primitive fields only (flatten the record first, e.g. with the Flatten transform)",
			table, c.name, c.schema.Type)
	}
	if cfg.tsFields[c.name] {
		if c.schema.Type != schemas.TypeInt64 || c.schema.Name != "" {
			return fmt.Errorf("table %s: field %q is in %s but is a %s: sluice converts INT64 fields only", table, c.name, TimestampFieldsKey, typeName(c.schema))
		}
		c.tsUnit = true
	}
	return nil
}

func orderForCreate(all []column, valueSchema *schemas.Schema) []column {
	byName := map[string]column{}
	for _, c := range all {
		byName[c.name] = c
	}
	out := make([]column, 0, len(all))
	take := func(n string) {
		if c, ok := byName[n]; ok {
			out = append(out, c)
			delete(byName, n)
		}
	}
	for _, n := range kafkaPKNames {
		take(n)
	}
	if valueSchema != nil && valueSchema.Type == schemas.TypeStruct {
		for _, f := range valueSchema.Fields {
			take(f.Name)
		}
	}
	for _, c := range all { // the string value column, key fields not in the value
		if c.src == fromValue {
			take(c.name)
		}
	}
	rest := make([]string, 0, len(byName))
	for n := range byName {
		rest = append(rest, n)
	}
	slices.Sort(rest)
	for _, n := range rest {
		take(n)
	}
	return out
}

func typeName(s *schemas.Schema) string {
	if s.Name != "" {
		return s.Name
	}
	return s.Type.String()
}

// valueOf returns column c's Connect value in rec (nil for null).
func valueOf(cfg *settings, c *column, rec *connectors.SinkRecord) any {
	var st *schemas.Struct
	switch c.src {
	case fromTopic:
		return rec.Topic
	case fromPartition:
		if rec.Partition != nil {
			return *rec.Partition
		}
		return rec.OriginalPartition
	case fromOffset:
		return rec.Offset
	case fromKey:
		return rec.Key
	case fromValue:
		return rec.Value
	case fromKeyField:
		st, _ = rec.Key.(*schemas.Struct)
	case fromValueField:
		st, _ = rec.Value.(*schemas.Struct)
	}
	if st == nil {
		return nil
	}
	v := st.At(c.index)
	if v == nil && cfg.replaceNull {
		v = c.schema.Default
	}
	return v
}

// bind turns a Connect value of column c into a driver argument: integers as int64, floats as
// float64, decimals as exact decimal strings, dates and times as the wall clock in db.timezone.
func bind(cfg *settings, c *column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if arg, ok, err := bindDebezium(cfg, c, v); ok {
		return arg, err
	}
	switch c.schema.Name {
	case schemas.DecimalName:
		r, ok := v.(*big.Rat)
		if !ok || r == nil {
			return nil, fmt.Errorf("field %q: a Decimal value must be a *big.Rat, not %T", c.name, v)
		}
		scale, err := schemas.DecimalScale(c.schema)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", c.name, err)
		}
		return r.FloatString(max(scale, 0)), nil
	case schemas.DateName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("field %q: a Date value must be a time.Time, not %T", c.name, v)
		}
		return datetimeText(c, t.In(cfg.dateZone), time.DateOnly)
	case schemas.TimeName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("field %q: a Time value must be a time.Time, not %T", c.name, v)
		}
		return t.In(cfg.zone).Format("15:04:05.000"), nil
	case schemas.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("field %q: a Timestamp value must be a time.Time, not %T", c.name, v)
		}
		return datetimeText(c, t.In(cfg.zone), dateTimeLayout)
	}
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		switch {
		case !c.tsUnit:
			return v, nil
		case cfg.tsNanos:
			return datetimeText(c, time.Unix(0, x).In(cfg.zone), dateTimeLayout)
		default:
			return datetimeText(c, time.UnixMicro(x).In(cfg.zone), dateTimeLayout)
		}
	case int:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case float64, string, []byte:
		return v, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, fmt.Errorf("field %q: a %s value of Go type %T cannot be written", c.name, typeName(c.schema), v)
}

// dateTimeLayout writes a DATETIME's wall clock with as many fractional digits as it has.
const dateTimeLayout = "2006-01-02 15:04:05.999999999"

// datetimeText is t's wall clock (t is in db.timezone) as the text MySQL reads for a DATE or
// DATETIME. Values are bound as text, not time.Time: the driver refuses a time.Time outside years
// 1 to 9999 with an error that is not the server's (so not a data error), and writes
// time.Time{} as the zero date 0000-00-00. A year outside MySQL's range is a data error, reported
// for that record.
func datetimeText(c *column, t time.Time, layout string) (string, error) {
	if y := t.Year(); y < 1 || y > 9999 {
		return "", fmt.Errorf("field %q: %s is outside the years 1 to 9999 that MySQL can store", c.name, t.Format(time.RFC3339Nano))
	}
	return t.Format(layout), nil
}

// sqlLiteral is a schema default as SQL (for CREATE and ALTER).
func sqlLiteral(cfg *settings, c *column, v any) (string, error) {
	b, err := bind(cfg, c, v)
	if err != nil {
		return "", err
	}
	switch x := b.(type) {
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(x) + "'", nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case []byte:
		return fmt.Sprintf("X'%X'", x), nil
	}
	return "NULL", nil
}
