package source

import (
	"bytes"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// kind says how a column's values become Connect values.
type kind int

const (
	kSkip kind = iota
	kInt8
	kInt16
	kInt32
	kInt64
	kUnsignedBigint // UNSIGNED BIGINT: Decimal with scale 0 (INT64 would overflow)
	kFloat32
	kFloat64
	kDecimal      // DECIMAL as Connect's Decimal
	kDecimalInt   // DECIMAL mapped to an integer type by numeric.mapping
	kDecimalFloat // DECIMAL mapped to FLOAT64 by numeric.mapping
	kBits         // BIT(n): the bits as an unsigned number
	kString
	kBytes
	kDate
	kYear
	kTime
	kDateTime // DATETIME: wall-clock time in db.timezone
	kTimestamp
)

// column is one column of a result set and how it is converted.
type column struct {
	name   string
	dbType string // as the driver names it: INT, UNSIGNED BIGINT, DATETIME…
	kind   kind
	scale  int
	schema *schemas.Schema // the field's schema; nil when skipped
}

// precisionParam is the schema parameter Confluent's connector gives a
// Decimal field with the column's precision.
const precisionParam = "connect.decimal.precision"

// mapping turns rows of one result set into Connect structs.
type mapping struct {
	schema   *schemas.Schema
	cols     []column
	fieldPos []int // per column: its field index, -1 when skipped
	zone     *time.Location
	gran     string
	zeroDate string // zeroDateTimeBehavior: EXCEPTION, CONVERT_TO_NULL, ROUND
	table    string // for messages: the table or "the query"
}

// columnInfo is what information_schema adds to a result set's metadata
// in table mode: BIT widths (the driver does not report column lengths).
type columnInfo struct {
	bitWidth int
}

// newMapping maps the columns of a result set as Confluent's connector
// maps Connector/J's JDBC types (see the README's type table). skipped
// receives the columns that have no Connect equivalent.
func newMapping(structName, table string, cts []*sql.ColumnType, info map[string]columnInfo, st *settings, skipped func(col, typ string)) (*mapping, error) {
	m := &mapping{zone: st.zone, gran: st.granularity, zeroDate: st.url.ZeroDateTimeBehavior, table: table}
	b := schemas.NewBuilder(schemas.TypeStruct)
	if structName != "" {
		b = b.Name(structName)
	}
	seen := map[string]bool{}
	for _, ct := range cts {
		c := column{name: ct.Name(), dbType: ct.DatabaseTypeName()}
		nullable, _ := ct.Nullable()
		prec, scale, _ := ct.DecimalSize()
		unsigned := strings.HasPrefix(c.dbType, "UNSIGNED ")
		base := strings.TrimPrefix(c.dbType, "UNSIGNED ")
		var fb *schemas.Builder
		switch base {
		case "TINYINT", "BOOLEAN":
			// Connector/J reports TINYINT(1) as BIT and TINYINT as TINYINT:
			// both INT8 in Confluent's connector; unsigned INT16.
			c.kind, fb = pick(unsigned, kInt16, kInt8)
		case "SMALLINT":
			c.kind, fb = pick(unsigned, kInt32, kInt16)
		case "MEDIUMINT", "INT":
			c.kind, fb = pick(unsigned, kInt64, kInt32)
		case "BIGINT":
			if unsigned {
				c.kind, fb = kUnsignedBigint, schemas.DecimalBuilder(0).Parameter(precisionParam, "20")
			} else {
				c.kind, fb = kInt64, schemas.NewBuilder(schemas.TypeInt64)
			}
		case "YEAR":
			// Connector/J's yearIsDateType (true by default) makes YEAR a DATE:
			// January 1st of the year.
			c.kind, fb = kYear, schemas.DateBuilder()
		case "FLOAT":
			c.kind, fb = kFloat32, schemas.NewBuilder(schemas.TypeFloat32) // JDBC REAL
		case "DOUBLE":
			c.kind, fb = kFloat64, schemas.NewBuilder(schemas.TypeFloat64)
		case "DECIMAL":
			c.scale = int(scale)
			c.kind, fb = decimalKind(int(prec), int(scale), st.numericMapping)
		case "BIT":
			w := 64
			if i, ok := info[c.name]; ok && i.bitWidth > 0 {
				w = i.bitWidth
			}
			c.kind = kBits
			switch {
			case w <= 7: // BIT(1) is INT8, as Confluent's connector has it
				fb = schemas.NewBuilder(schemas.TypeInt8)
			case w <= 15:
				fb = schemas.NewBuilder(schemas.TypeInt16)
			case w <= 31:
				fb = schemas.NewBuilder(schemas.TypeInt32)
			default: // BIT(32..64): INT64, BIT(64) as its two's complement
				fb = schemas.NewBuilder(schemas.TypeInt64)
			}
			c.scale = w
		case "CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM", "SET", "JSON":
			c.kind, fb = kString, schemas.NewBuilder(schemas.TypeString)
		case "BINARY", "VARBINARY", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB":
			c.kind, fb = kBytes, schemas.NewBuilder(schemas.TypeBytes)
		case "DATE":
			c.kind, fb = kDate, schemas.DateBuilder()
		case "TIME":
			c.kind, fb = kTime, schemas.TimeBuilder()
		case "DATETIME", "TIMESTAMP":
			c.kind = kDateTime
			if base == "TIMESTAMP" {
				c.kind = kTimestamp
			}
			switch st.granularity {
			case GranularityNanosLong, GranularityMicrosLong:
				fb = schemas.NewBuilder(schemas.TypeInt64)
			case GranularityNanosString, GranularityMicrosString, GranularityNanosISO, GranularityMicrosISO:
				fb = schemas.NewBuilder(schemas.TypeString)
			default:
				fb = schemas.TimestampBuilder()
			}
		default: // GEOMETRY and the spatial types, VECTOR, NULL
			c.kind = kSkip
		}
		if c.kind == kSkip {
			if skipped != nil {
				skipped(c.name, c.dbType)
			}
			m.cols = append(m.cols, c)
			m.fieldPos = append(m.fieldPos, -1)
			continue
		}
		if seen[c.name] {
			return nil, fmt.Errorf("%s has two columns named %q: give them distinct aliases", table, c.name)
		}
		seen[c.name] = true
		zeroNull := m.zeroDate == "CONVERT_TO_NULL" && (c.kind == kDate || c.kind == kYear || c.kind == kDateTime || c.kind == kTimestamp)
		if nullable || zeroNull {
			fb = fb.Optional()
		}
		s, err := fb.Build()
		if err != nil {
			return nil, fmt.Errorf("%s column %q: %w", table, c.name, err)
		}
		c.schema = s
		m.fieldPos = append(m.fieldPos, len(m.cols)-countSkipped(m.cols))
		m.cols = append(m.cols, c)
		b = b.Field(c.name, s)
	}
	s, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	m.schema = s
	return m, nil
}

func countSkipped(cols []column) int {
	n := 0
	for _, c := range cols {
		if c.kind == kSkip {
			n++
		}
	}
	return n
}

func pick(unsigned bool, u, s kind) (kind, *schemas.Builder) {
	k := s
	if unsigned {
		k = u
	}
	return k, schemas.NewBuilder(intType(k))
}

func intType(k kind) schemas.Type {
	switch k {
	case kInt8:
		return schemas.TypeInt8
	case kInt16:
		return schemas.TypeInt16
	case kInt32:
		return schemas.TypeInt32
	}
	return schemas.TypeInt64
}

// decimalKind applies numeric.mapping to a DECIMAL(precision, scale), as
// Confluent's connector applies it to NUMERIC columns (and, unlike it, to
// DECIMAL ones: MySQL has no NUMERIC type of its own).
func decimalKind(prec, scale int, mapping string) (kind, *schemas.Builder) {
	intOf := func() (kind, *schemas.Builder) {
		k := kInt64
		switch {
		case prec <= 2:
			k = kInt8
		case prec <= 4:
			k = kInt16
		case prec <= 9:
			k = kInt32
		}
		return kDecimalInt, schemas.NewBuilder(intType(k))
	}
	const maxIntegral = 18
	switch mapping {
	case NumericPrecisionOnly:
		if scale == 0 && prec <= maxIntegral {
			return intOf()
		}
	case NumericBestFit:
		if prec <= maxIntegral {
			if scale == 0 {
				return intOf()
			}
			return kDecimalFloat, schemas.NewBuilder(schemas.TypeFloat64)
		}
	case NumericBestFitEager:
		if scale == 0 && prec <= maxIntegral {
			return intOf()
		}
		if scale > 0 {
			return kDecimalFloat, schemas.NewBuilder(schemas.TypeFloat64)
		}
	}
	return kDecimal, schemas.DecimalBuilder(scale).Parameter(precisionParam, strconv.Itoa(prec))
}

// toStruct converts one row (values as the driver returned them).
func (m *mapping) toStruct(raw []any) (*schemas.Struct, error) {
	s := schemas.NewStruct(m.schema)
	for i, c := range m.cols {
		if c.kind == kSkip {
			continue
		}
		v, err := m.convert(&c, raw[i])
		if err != nil {
			return nil, fmt.Errorf("%s column %q (%s): %w", m.table, c.name, c.dbType, err)
		}
		if err := s.PutAt(m.fieldPos[i], v); err != nil {
			return nil, fmt.Errorf("%s column %q (%s): %w", m.table, c.name, c.dbType, err)
		}
	}
	return s, nil
}

func (m *mapping) convert(c *column, raw any) (any, error) {
	if raw == nil {
		return nil, nil
	}
	switch c.kind {
	case kInt8, kInt16, kInt32, kInt64:
		n, err := signedOf(raw)
		if err != nil {
			return nil, err
		}
		return fitInt(c.schema.Type, n)
	case kUnsignedBigint:
		u, err := unsignedOf(raw)
		if err != nil {
			return nil, err
		}
		return new(big.Rat).SetInt(new(big.Int).SetUint64(u)), nil
	case kFloat32, kFloat64:
		f, err := floatOf(raw)
		if err != nil {
			return nil, err
		}
		if c.kind == kFloat32 {
			return float32(f), nil
		}
		return f, nil
	case kDecimal:
		r, err := schemas.DecimalFromString(string(bytesOf(raw)))
		if err != nil {
			return nil, err
		}
		return r, nil
	case kDecimalInt:
		n, err := strconv.ParseInt(string(bytesOf(raw)), 10, 64)
		if err != nil {
			return nil, err
		}
		return fitInt(c.schema.Type, n)
	case kDecimalFloat:
		return strconv.ParseFloat(string(bytesOf(raw)), 64)
	case kBits:
		b := bytesOf(raw)
		if n, ok := raw.(int64); ok { // a BIT expression in a query may come as a number
			b = big.NewInt(n).Bytes()
		}
		var u uint64
		for _, x := range b {
			u = u<<8 | uint64(x)
		}
		switch c.schema.Type {
		case schemas.TypeInt8:
			return int8(u), nil
		case schemas.TypeInt16:
			return int16(u), nil
		case schemas.TypeInt32:
			return int32(u), nil
		}
		return int64(u), nil
	case kString:
		return string(bytesOf(raw)), nil
	case kBytes:
		return bytes.Clone(bytesOf(raw)), nil
	case kDate:
		return m.date(string(bytesOf(raw)))
	case kYear:
		n, err := signedOf(raw)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return m.zero(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
		}
		return time.Date(int(n), 1, 1, 0, 0, 0, 0, time.UTC), nil
	case kTime:
		return parseTime(string(bytesOf(raw)))
	case kDateTime, kTimestamp:
		t, zero, err := m.instant(c, string(bytesOf(raw)))
		if err != nil {
			return nil, err
		}
		if zero {
			return m.zero(t)
		}
		return m.granular(t), nil
	}
	return nil, fmt.Errorf("unsupported column")
}

// zero applies zeroDateTimeBehavior to a zero date; rounded is the value ROUND gives.
func (m *mapping) zero(rounded time.Time) (any, error) {
	switch m.zeroDate {
	case "CONVERT_TO_NULL":
		return nil, nil
	case "ROUND":
		return rounded, nil
	}
	return nil, fmt.Errorf("a zero date cannot be represented; set zeroDateTimeBehavior=CONVERT_TO_NULL or ROUND in connection.url")
}

func (m *mapping) date(s string) (any, error) {
	if strings.HasPrefix(s, "0000-") || strings.Contains(s, "-00") {
		return m.zero(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
	if err != nil {
		return nil, fmt.Errorf("not a date: %q", s)
	}
	return t, nil
}

// instant parses a DATETIME (in db.timezone) or TIMESTAMP (the session's
// time_zone is UTC) value. zero reports a zero date, with t its ROUND value.
func (m *mapping) instant(c *column, s string) (t time.Time, zero bool, err error) {
	loc := m.zone
	if c.kind == kTimestamp {
		loc = time.UTC
	}
	if strings.HasPrefix(s, "0000-00-00") || strings.HasPrefix(s, "0000-") || (len(s) >= 10 && (s[5:7] == "00" || s[8:10] == "00")) {
		return time.Date(1, 1, 1, 0, 0, 0, 0, loc), true, nil
	}
	t, err = parseDateTime(s, loc)
	return t, false, err
}

func parseDateTime(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a date and time: %q", s)
	}
	return t, nil
}

// granular represents a DATETIME or TIMESTAMP value as timestamp.granularity says.
func (m *mapping) granular(t time.Time) any {
	switch m.gran {
	case GranularityNanosLong:
		return t.UnixNano()
	case GranularityMicrosLong:
		return t.UnixMicro()
	case GranularityNanosString:
		return strconv.FormatInt(t.UnixNano(), 10)
	case GranularityMicrosString:
		return strconv.FormatInt(t.UnixMicro(), 10)
	case GranularityNanosISO:
		return t.In(m.zone).Format("2006-01-02T15:04:05.000000000")
	case GranularityMicrosISO:
		return t.In(m.zone).Format("2006-01-02T15:04:05.000000")
	}
	return t.Truncate(time.Millisecond)
}

// parseTime parses a TIME value as milliseconds since midnight (Connect's
// Time); values outside 00:00:00..23:59:59.999 (MySQL allows -838:59:59 to
// 838:59:59) have no Time and are refused rather than wrapped.
func parseTime(s string) (any, error) {
	neg := strings.HasPrefix(s, "-")
	parts := strings.SplitN(strings.TrimPrefix(s, "-"), ":", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a time: %q", s)
	}
	h, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	secPart, frac, _ := strings.Cut(parts[2], ".")
	sec, err3 := strconv.Atoi(secPart)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, fmt.Errorf("not a time: %q", s)
	}
	ms := 0
	if frac != "" {
		frac = (frac + "000")[:3]
		ms, _ = strconv.Atoi(frac)
	}
	total := ((h*60+mi)*60+sec)*1000 + ms
	if neg && total != 0 || total >= 24*3600*1000 {
		return nil, fmt.Errorf("the time %s is outside 00:00:00..23:59:59, which Connect's Time cannot hold; select it as TIME_TO_SEC(col) or CAST(col AS CHAR) in a query", s)
	}
	return time.UnixMilli(int64(total)).UTC(), nil
}

func bytesOf(raw any) []byte {
	switch x := raw.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case uint64:
		return strconv.AppendUint(nil, x, 10)
	case float64:
		return strconv.AppendFloat(nil, x, 'g', -1, 64)
	case float32:
		return strconv.AppendFloat(nil, float64(x), 'g', -1, 32)
	}
	return []byte(fmt.Sprint(raw))
}

func signedOf(raw any) (int64, error) {
	switch x := raw.(type) {
	case int64:
		return x, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("%d is out of range", x)
		}
		return int64(x), nil
	}
	return strconv.ParseInt(string(bytesOf(raw)), 10, 64)
}

func unsignedOf(raw any) (uint64, error) {
	switch x := raw.(type) {
	case int64:
		if x < 0 {
			return 0, fmt.Errorf("%d is negative", x)
		}
		return uint64(x), nil
	case uint64:
		return x, nil
	}
	return strconv.ParseUint(string(bytesOf(raw)), 10, 64)
}

func floatOf(raw any) (float64, error) {
	switch x := raw.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	}
	return strconv.ParseFloat(string(bytesOf(raw)), 64)
}

func fitInt(t schemas.Type, n int64) (any, error) {
	switch t {
	case schemas.TypeInt8:
		if n < math.MinInt8 || n > math.MaxInt8 {
			return nil, fmt.Errorf("%d does not fit INT8", n)
		}
		return int8(n), nil
	case schemas.TypeInt16:
		if n < math.MinInt16 || n > math.MaxInt16 {
			return nil, fmt.Errorf("%d does not fit INT16", n)
		}
		return int16(n), nil
	case schemas.TypeInt32:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, fmt.Errorf("%d does not fit INT32", n)
		}
		return int32(n), nil
	}
	return n, nil
}
