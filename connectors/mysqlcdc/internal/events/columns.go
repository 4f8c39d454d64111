package events

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

// conv is one column's conversions to its Connect value. A NULL never
// reaches them (see Table.convert); errNull from one means "a zero date,
// treat as NULL".
type conv struct {
	bin func(v any) (any, error)
	sql func(b []byte) (any, error)
	// zero is the value of a NULL (or zero date) in a NOT NULL column when
	// the schema has no default: Debezium's fallback value.
	zero any
}

// errNull reports a zero date ("0000-00-00"), which Debezium turns into
// null (optional column) or its fallback value.
var errNull = fmt.Errorf("zero date")

// baseType splits a tables.Column type name into its base ("INT") and
// whether it is UNSIGNED.
func baseType(c *tables.Column) (string, bool) {
	name := strings.ToUpper(strings.TrimSpace(c.TypeName))
	unsigned := c.Unsigned
	for _, suffix := range []string{" ZEROFILL", " UNSIGNED", " SIGNED"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			name = base
			if suffix == " UNSIGNED" {
				unsigned = true
			}
		}
	}
	if i := strings.IndexByte(name, '('); i > 0 {
		name = strings.TrimSpace(name[:i])
	}
	return name, unsigned
}

// columnConv returns the schema builder and conversions of column c, as
// Debezium's BinlogValueConverters; a nil builder means the column is
// left out (as Debezium leaves out a column of a type it cannot map).
func (e *Events) columnConv(t *tables.Table, c *tables.Column) (*schemas.Builder, conv, error) {
	base, unsigned := baseType(c)
	m := e.opts.Modes
	switch base {
	case "BOOL", "BOOLEAN":
		return schemas.NewBuilder(schemas.TypeBoolean), conv{bin: binBool, sql: sqlBool, zero: false}, nil
	case "BIT":
		if c.Length <= 1 {
			return schemas.NewBuilder(schemas.TypeBoolean), conv{bin: binBool, sql: sqlBitBool, zero: false}, nil
		}
		n := (c.Length + 7) / 8
		return schemas.NewBuilder(schemas.TypeBytes).Name(bitsName).Version(1).Parameter(bitsLength, strconv.Itoa(c.Length)),
			conv{bin: binBits(n), sql: sqlBits(n), zero: []byte{}}, nil
	case "TINYINT", "INT1":
		// INT16 signed or not: Debezium's DDL parser gives TINYINT the
		// JDBC type SMALLINT (captured from Debezium 3.6.1, see
		// testdata/debezium-3.6.1).
		return intConv(schemas.TypeInt16, 8, unsigned)
	case "SMALLINT", "INT2":
		if unsigned {
			return intConv(schemas.TypeInt32, 16, true)
		}
		return intConv(schemas.TypeInt16, 16, false)
	case "MEDIUMINT", "INT3", "MIDDLEINT":
		return intConv(schemas.TypeInt32, 24, unsigned)
	case "INT", "INTEGER", "INT4":
		if unsigned {
			return intConv(schemas.TypeInt64, 32, true)
		}
		return intConv(schemas.TypeInt32, 32, false)
	case "BIGINT", "INT8", "SERIAL":
		if base == "SERIAL" {
			unsigned = true
		}
		if unsigned && m.BigintUnsigned == BigintPrecise {
			// Always a Decimal, whatever decimal.handling.mode says.
			b, cv := decimalConv(DecimalPrecise, 20, 0)
			return b, cv, nil
		}
		return intConv(schemas.TypeInt64, 64, unsigned)
	case "REAL":
		return floatConv(schemas.TypeFloat32)
	case "FLOAT", "FLOAT4":
		if c.Scale == nil && c.Length <= 24 {
			return floatConv(schemas.TypeFloat32)
		}
		return floatConv(schemas.TypeFloat64)
	case "DOUBLE", "DOUBLE PRECISION", "FLOAT8":
		return floatConv(schemas.TypeFloat64)
	case "DECIMAL", "DEC", "NUMERIC", "FIXED":
		precision, scale := c.Length, 0
		if precision < 0 {
			precision = 10
		}
		if c.Scale != nil {
			scale = *c.Scale
		}
		if scale < 0 || scale > 65 {
			return nil, conv{}, fmt.Errorf("DECIMAL scale %d is outside 0..65", scale)
		}
		b, cv := decimalConv(m.Decimal, precision, scale)
		return b, cv, nil
	case "CHAR", "VARCHAR", "CHARACTER", "CHARACTER VARYING", "NCHAR", "NVARCHAR", "NATIONAL CHAR",
		"NATIONAL CHARACTER", "NATIONAL VARCHAR", "NATIONAL CHARACTER VARYING", "NCHAR VARCHAR", "NCHAR VARYING",
		"TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT", "LONG", "LONG VARCHAR", "LONG CHAR VARYING":
		dec, err := decoderFor(charsetOf(t, c))
		if err != nil {
			return nil, conv{}, err
		}
		return schemas.NewBuilder(schemas.TypeString), conv{bin: binString(dec), sql: sqlString(dec), zero: ""}, nil
	case "BINARY", "CHAR BYTE":
		return binaryConv(m.Binary, c.Length)
	case "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB", "LONG VARBINARY":
		return binaryConv(m.Binary, -1)
	case "DATE":
		return dateConv(m.Time)
	case "TIME":
		return timeConv(m.Time, c.Length)
	case "DATETIME":
		return datetimeConv(m.Time, c.Length)
	case "TIMESTAMP":
		return timestampConv(c.Length)
	case "YEAR":
		return schemas.NewBuilder(schemas.TypeInt32).Name(yearName).Version(1),
			conv{bin: binYear, sql: sqlYear, zero: int32(0)}, nil
	case "ENUM":
		vals := c.EnumValues
		return schemas.NewBuilder(schemas.TypeString).Name(enumName).Version(1).Parameter(enumAllowed, strings.Join(vals, ",")),
			conv{bin: binEnum(vals), sql: sqlString(nil), zero: ""}, nil
	case "SET":
		vals := c.EnumValues
		return schemas.NewBuilder(schemas.TypeString).Name(enumSetName).Version(1).Parameter(enumAllowed, strings.Join(vals, ",")),
			conv{bin: binSet(vals), sql: sqlString(nil), zero: ""}, nil
	case "JSON":
		return schemas.NewBuilder(schemas.TypeString).Name(jsonName).Version(1),
			conv{bin: binJSON, sql: sqlString(nil), zero: "{}"}, nil
	case "POINT":
		b, cv := geometryConv(true, c.Optional)
		return b, cv, nil
	case "GEOMETRY", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
		"GEOMETRYCOLLECTION", "GEOMCOLLECTION":
		b, cv := geometryConv(false, c.Optional)
		return b, cv, nil
	case "UUID":
		// MariaDB's UUID, as Debezium's MariaDB connector maps it.
		return schemas.NewBuilder(schemas.TypeString).Name(uuidName).Version(1), conv{bin: binUUID, sql: sqlString(nil), zero: ""}, nil
	case "INET4", "INET6":
		// MariaDB's address types: Debezium has no mapping for them
		// (java.sql.Types.OTHER) and leaves them out of the events; so
		// does sluice.
		return nil, conv{}, nil
	case "VECTOR":
		// MySQL 9's VECTOR (Debezium's FloatVector) is not supported yet:
		// such columns are left out of the events, as Debezium leaves out
		// a type it cannot map.
		return nil, conv{}, nil
	}
	return nil, conv{}, fmt.Errorf("unsupported type %s", c.TypeName)
}

// singlePrecision reports whether c is stored as a 4-byte float: FLOAT,
// FLOAT(p) with p ≤ 24 and FLOAT(M,D).
func singlePrecision(c *tables.Column) bool {
	base, _ := baseType(c)
	return (base == "FLOAT" || base == "FLOAT4") && (c.Scale != nil || c.Length <= 24)
}

// ---- integers

// intConv converts integers of a column bits wide (signed or unsigned) to
// the Connect type target. go-mysql gives unsigned columns as signed
// values unless the table map carries signedness (MySQL 8's
// binlog_row_metadata=FULL): both are reinterpreted from the column width.
func intConv(target schemas.Type, bits uint, unsigned bool) (*schemas.Builder, conv, error) {
	mask := uint64(math.MaxUint64)
	if bits < 64 {
		mask = 1<<bits - 1
	}
	fix := func(x int64) int64 {
		if unsigned {
			return int64(uint64(x) & mask)
		}
		return x
	}
	out := func(x int64) any {
		switch target {
		case schemas.TypeInt8:
			return int8(x)
		case schemas.TypeInt16:
			return int16(x)
		case schemas.TypeInt32:
			return int32(x)
		}
		return x
	}
	var zero any
	switch target {
	case schemas.TypeInt8:
		zero = int8(0)
	case schemas.TypeInt16:
		zero = int16(0)
	case schemas.TypeInt32:
		zero = int32(0)
	default:
		zero = int64(0)
	}
	return schemas.NewBuilder(target), conv{
		bin: func(v any) (any, error) {
			x, err := binInt(v)
			if err != nil {
				return nil, err
			}
			return out(fix(x)), nil
		},
		sql: func(b []byte) (any, error) {
			if unsigned {
				u, err := strconv.ParseUint(string(b), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("%q is not an unsigned integer", b)
				}
				return out(fix(int64(u))), nil
			}
			x, err := strconv.ParseInt(string(b), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not an integer", b)
			}
			return out(x), nil
		},
		zero: zero,
	}, nil
}

// binInt returns go-mysql's decoded integer as int64 (an unsigned 64-bit
// value keeps its bits).
func binInt(v any) (int64, error) {
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case uint:
		return int64(x), nil
	}
	return 0, fmt.Errorf("binlog value %T, want an integer", v)
}

func binBool(v any) (any, error) {
	x, err := binInt(v)
	if err != nil {
		return nil, err
	}
	return x != 0, nil
}

// sqlBool reads a BOOLEAN (TINYINT(1)) as text: any non-zero number is
// true.
func sqlBool(b []byte) (any, error) {
	x, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not an integer", b)
	}
	return x != 0, nil
}

// sqlBitBool reads a BIT(1): the server sends BIT values as big-endian
// bytes.
func sqlBitBool(b []byte) (any, error) {
	for _, c := range b {
		if c != 0 {
			return true, nil
		}
	}
	return false, nil
}

// binBits and sqlBits give a BIT(n) as Debezium's io.debezium.data.Bits:
// little-endian bytes, n/8 rounded up of them.
func binBits(n int) func(v any) (any, error) {
	return func(v any) (any, error) {
		x, err := binInt(v)
		if err != nil {
			return nil, err
		}
		out := make([]byte, n)
		for i := 0; i < n && i < 8; i++ {
			out[i] = byte(uint64(x) >> (8 * i))
		}
		return out, nil
	}
}

func sqlBits(n int) func(b []byte) (any, error) {
	return func(b []byte) (any, error) {
		if len(b) > n {
			return nil, fmt.Errorf("BIT value has %d bytes, want at most %d", len(b), n)
		}
		out := make([]byte, n)
		for i := range b {
			out[i] = b[len(b)-1-i]
		}
		return out, nil
	}
}

// ---- floating point

// floatConv converts FLOAT and DOUBLE. A binlog FLOAT is a float32, taken
// as its exact float64 for a FLOAT64 field (FLOAT(M,D)), as Debezium's. The
// server's text of a FLOAT has only 6 significant digits, so SelectList
// reads single-precision columns as CAST(... AS DOUBLE): the exact value,
// which parses back to the binlog's.
func floatConv(target schemas.Type) (*schemas.Builder, conv, error) {
	f32 := target == schemas.TypeFloat32
	var zero any = float64(0)
	if f32 {
		zero = float32(0)
	}
	return schemas.NewBuilder(target), conv{
		bin: func(v any) (any, error) {
			var f float64
			switch x := v.(type) {
			case float32:
				if f32 {
					return x, nil
				}
				f = float64(x)
			case float64:
				f = x
			default:
				return nil, fmt.Errorf("binlog value %T, want a float", v)
			}
			if f32 {
				return float32(f), nil
			}
			return f, nil
		},
		sql: func(b []byte) (any, error) {
			f, err := strconv.ParseFloat(string(b), 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not a number", b)
			}
			if f32 {
				return float32(f), nil
			}
			return f, nil
		},
		zero: zero,
	}, nil
}

// ---- decimals

// decimalConv converts DECIMAL per decimal.handling.mode (and BIGINT
// UNSIGNED in precise mode). go-mysql gives a binlog DECIMAL as its
// exact text when UseDecimal is off (SyncerOptions), the same text the
// server sends for a SELECT.
func decimalConv(mode DecimalMode, precision, scale int) (*schemas.Builder, conv) {
	var b *schemas.Builder
	var zero any
	switch mode {
	case DecimalString:
		b, zero = schemas.NewBuilder(schemas.TypeString), "0"
	case DecimalDouble:
		b, zero = schemas.NewBuilder(schemas.TypeFloat64), float64(0)
	default:
		b = schemas.DecimalBuilder(scale).Parameter(precisionParam, strconv.Itoa(precision))
		zero = new(big.Rat)
	}
	fromText := func(s string) (any, error) {
		r, ok := parseDecimal(s, scale)
		if !ok {
			return nil, fmt.Errorf("%q is not a decimal number", s)
		}
		switch mode {
		case DecimalString:
			return r.FloatString(scale), nil
		case DecimalDouble:
			f, _ := r.Float64()
			return f, nil
		}
		return r, nil
	}
	return b, conv{
		bin: func(v any) (any, error) {
			switch x := v.(type) {
			case string:
				return fromText(x)
			case []byte:
				return fromText(string(x))
			case fmt.Stringer: // a decimal.Decimal, should UseDecimal be on
				return fromText(x.String())
			}
			// BIGINT UNSIGNED in precise mode arrives as an integer.
			x, err := binInt(v)
			if err != nil {
				return nil, err
			}
			return fromText(strconv.FormatUint(uint64(x), 10))
		},
		sql:  func(b []byte) (any, error) { return fromText(string(b)) },
		zero: zero,
	}
}

// parseDecimal parses a plain decimal number ("-12.30") at scale: the
// result is rounded half up to scale digits when it has more (the server
// never sends more).
func parseDecimal(s string, scale int) (*big.Rat, bool) {
	if s == "" || len(s) > 200 {
		return nil, false
	}
	neg := false
	var small int64 // the digits, while they fit
	nDigits, frac := 0, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case (c == '-' || c == '+') && i == 0:
			neg = c == '-'
		case c == '.' && frac < 0:
			frac = 0
		case c >= '0' && c <= '9':
			if nDigits < 18 {
				small = small*10 + int64(c-'0')
			}
			nDigits++
			if frac >= 0 {
				frac++
			}
		default:
			return nil, false
		}
	}
	if nDigits == 0 {
		return nil, false
	}
	frac = max(frac, 0)
	if nDigits <= 18 && frac <= scale {
		if neg {
			small = -small
		}
		return new(big.Rat).SetFrac64(small, smallPow10[frac].Int64()), true
	}
	var u *big.Int
	if nDigits <= 18 {
		if neg {
			small = -small
		}
		u = big.NewInt(small)
	} else {
		var ok bool
		if u, ok = new(big.Int).SetString(strings.Replace(strings.TrimLeft(s, "+-"), ".", "", 1), 10); !ok {
			return nil, false
		}
		if neg {
			u.Neg(u)
		}
	}
	if frac > scale {
		// Round half up at scale, as BigDecimal.setScale(HALF_UP) would.
		q, m := new(big.Int).QuoRem(u, pow10(frac-scale), new(big.Int))
		if m.Abs(m).Lsh(m, 1).Cmp(pow10(frac-scale)) >= 0 {
			if u.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		u, frac = q, scale
	}
	return new(big.Rat).SetFrac(u, pow10(frac)), true
}

var smallPow10 = func() [19]*big.Int {
	var p [19]*big.Int
	v := int64(1)
	for i := range p {
		p[i] = big.NewInt(v)
		v *= 10
	}
	return p
}()

// pow10 returns 10^n (n ≥ 0); the result must not be modified.
func pow10(n int) *big.Int {
	if n < len(smallPow10) {
		return smallPow10[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// ---- strings and binary

func binString(dec func([]byte) (string, error)) func(v any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case string:
			if dec == nil {
				return x, nil
			}
			return dec([]byte(x))
		case []byte:
			if dec == nil {
				return string(x), nil
			}
			return dec(x)
		}
		return nil, fmt.Errorf("binlog value %T, want a string", v)
	}
}

// sqlString returns the text as the server sent it: the connection's
// character set is utf8mb4, so no decoding is needed.
func sqlString(func([]byte) (string, error)) func(b []byte) (any, error) {
	return func(b []byte) (any, error) { return string(b), nil }
}

// binaryConv converts BINARY, VARBINARY and BLOB columns per
// binary.handling.mode. fixed is BINARY(n)'s length, whose values the
// binlog carries without their trailing zero bytes (Debezium pads them
// back, DBZ-254); -1 for the variable-length types.
func binaryConv(mode BinaryMode, fixed int) (*schemas.Builder, conv, error) {
	enc := func(b []byte) any {
		if fixed > 0 && len(b) < fixed {
			p := make([]byte, fixed)
			copy(p, b)
			b = p
		}
		switch mode {
		case BinaryBase64:
			return base64.StdEncoding.EncodeToString(b)
		case BinaryBase64URLSafe:
			return base64.URLEncoding.EncodeToString(b)
		case BinaryHex:
			return hex.EncodeToString(b)
		}
		return b
	}
	b := schemas.NewBuilder(schemas.TypeBytes)
	var zero any = []byte{}
	if mode != BinaryBytes {
		b, zero = schemas.NewBuilder(schemas.TypeString), ""
	}
	return b, conv{
		bin: func(v any) (any, error) {
			switch x := v.(type) {
			case string:
				return enc([]byte(x)), nil
			case []byte:
				// go-mysql gives each event its own buffer, which nothing
				// reuses: the bytes can be kept without a copy.
				return enc(x), nil
			}
			return nil, fmt.Errorf("binlog value %T, want bytes", v)
		},
		sql: func(b []byte) (any, error) {
			// sql.RawBytes are only valid until the next Scan: copy.
			return enc(append([]byte{}, b...)), nil
		},
		zero: zero,
	}, nil
}

// ---- ENUM, SET, YEAR, JSON

// binEnum maps a binlog ENUM index (1-based; 0 is the ” of an invalid
// value) to its value, as Debezium's convertEnumToString.
func binEnum(vals []string) func(v any) (any, error) {
	return func(v any) (any, error) {
		if s, ok := v.(string); ok {
			return s, nil
		}
		x, err := binInt(v)
		if err != nil {
			return nil, err
		}
		if x == 0 {
			return "", nil
		}
		if x < 1 || x > int64(len(vals)) {
			return nil, fmt.Errorf("ENUM index %d is outside 1..%d", x, len(vals))
		}
		return vals[x-1], nil
	}
}

// binSet maps a binlog SET bitmask to its comma-separated values, as
// Debezium's convertSetValue.
func binSet(vals []string) func(v any) (any, error) {
	return func(v any) (any, error) {
		if s, ok := v.(string); ok {
			return s, nil
		}
		x, err := binInt(v)
		if err != nil {
			return nil, err
		}
		var sb strings.Builder
		first := true
		for i := 0; i < 64 && x != 0; i++ {
			if x&1 != 0 {
				if i >= len(vals) {
					return nil, fmt.Errorf("SET bit %d is beyond its %d values", i, len(vals))
				}
				if !first {
					sb.WriteByte(',')
				}
				first = false
				sb.WriteString(vals[i])
			}
			x = int64(uint64(x) >> 1)
		}
		return sb.String(), nil
	}
}

func binYear(v any) (any, error) {
	x, err := binInt(v)
	if err != nil {
		return nil, err
	}
	return int32(x), nil
}

func sqlYear(b []byte) (any, error) {
	x, err := strconv.ParseInt(string(b), 10, 32)
	if err != nil {
		return nil, fmt.Errorf("%q is not a year", b)
	}
	return int32(x), nil
}

// binUUID formats MariaDB's binlog UUID (16 bytes in text order; the
// binlog drops trailing zero bytes, as of any BINARY(n)) as the server's
// text.
func binUUID(v any) (any, error) {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return nil, fmt.Errorf("binlog value %T, want UUID bytes", v)
	}
	if len(b) > 16 {
		return nil, fmt.Errorf("UUID value of %d bytes", len(b))
	}
	var u [16]byte
	copy(u[:], b)
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// binJSON gives a JSON document as text: MySQL's binary JSON decoded by
// go-mysql (RenderJSONAsMySQLText), MariaDB's JSON (a LONGTEXT) as is.
func binJSON(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		if len(x) == 0 {
			// An empty document (INSERT IGNORE of a NULL): Debezium's
			// fallback for it is null, or "{}" in a NOT NULL column.
			return nil, errNull
		}
		return string(x), nil
	}
	return nil, fmt.Errorf("binlog value %T, want JSON text", v)
}

// ---- temporal types

// dateTime is a parsed DATE, DATETIME or TIMESTAMP text.
type dateTime struct {
	year, month, day, hour, min, sec, micros int
}

// parseDateTime parses "YYYY-MM-DD[ HH:MM:SS[.f{1,6}]]", the text both the
// server (SELECT) and go-mysql (ParseTime off) give. A zero or partly
// zero date ("0000-00-00", "2020-00-10") is errNull.
func parseDateTime[T string | []byte](s T) (dateTime, error) {
	var d dateTime
	bad := func() (dateTime, error) { return d, fmt.Errorf("%q is not a date and time", string(s)) }
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return bad()
	}
	var ok bool
	if d.year, ok = digits(s, 0, 4); !ok {
		return bad()
	}
	if d.month, ok = digits(s, 5, 2); !ok {
		return bad()
	}
	if d.day, ok = digits(s, 8, 2); !ok {
		return bad()
	}
	if len(s) > 10 {
		if len(s) < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
			return bad()
		}
		if d.hour, ok = digits(s, 11, 2); !ok {
			return bad()
		}
		if d.min, ok = digits(s, 14, 2); !ok {
			return bad()
		}
		if d.sec, ok = digits(s, 17, 2); !ok {
			return bad()
		}
		if len(s) > 19 {
			if s[19] != '.' || len(s) > 26 || len(s) == 20 {
				return bad()
			}
			n := len(s) - 20
			if d.micros, ok = digits(s, 20, n); !ok {
				return bad()
			}
			for ; n < 6; n++ {
				d.micros *= 10
			}
		}
	}
	if d.month == 0 || d.day == 0 {
		return d, errNull
	}
	if d.month > 12 || d.day > 31 || d.hour > 23 || d.min > 59 || d.sec > 59 {
		return bad()
	}
	return d, nil
}

// digits parses s[i:i+n] as a decimal number.
func digits[T string | []byte](s T, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	x := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		x = x*10 + int(c-'0')
	}
	return x, true
}

// time returns d as an instant in UTC.
func (d dateTime) time() time.Time {
	return time.Date(d.year, time.Month(d.month), d.day, d.hour, d.min, d.sec, d.micros*1000, time.UTC)
}

// temporal builds a conv from one parse-and-convert function over text.
func temporal(f func(s string) (any, error), g func(b []byte) (any, error), zero any) conv {
	return conv{
		bin: func(v any) (any, error) {
			switch x := v.(type) {
			case string:
				return f(x)
			case []byte:
				return g(x)
			case time.Time: // should ParseTime be on
				return f(x.UTC().Format("2006-01-02 15:04:05.999999"))
			}
			return nil, fmt.Errorf("binlog value %T, want a date or time string", v)
		},
		sql:  g,
		zero: zero,
	}
}

func dateConv(mode TimePrecisionMode) (*schemas.Builder, conv, error) {
	if mode == TimeConnect {
		f := func(d dateTime) any { return time.Date(d.year, time.Month(d.month), d.day, 0, 0, 0, 0, time.UTC) }
		return schemas.DateBuilder(), temporal(viaDate[string](f), viaDate[[]byte](f), time.Unix(0, 0).UTC()), nil
	}
	f := func(d dateTime) any {
		return int32(time.Date(d.year, time.Month(d.month), d.day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	}
	return schemas.NewBuilder(schemas.TypeInt32).Name(dateName).Version(1),
		temporal(viaDate[string](f), viaDate[[]byte](f), int32(0)), nil
}

func viaDate[T string | []byte](f func(dateTime) any) func(T) (any, error) {
	return func(s T) (any, error) {
		d, err := parseDateTime(s)
		if err != nil {
			return nil, err
		}
		return f(d), nil
	}
}

func datetimeConv(mode TimePrecisionMode, fsp int) (*schemas.Builder, conv, error) {
	switch {
	case mode == TimeConnect:
		f := func(d dateTime) any { return d.time().Truncate(time.Millisecond) }
		return schemas.TimestampBuilder(), temporal(viaDate[string](f), viaDate[[]byte](f), time.Unix(0, 0).UTC()), nil
	case fsp <= 3:
		f := func(d dateTime) any { return d.time().UnixMilli() }
		return schemas.NewBuilder(schemas.TypeInt64).Name(timestampName).Version(1),
			temporal(viaDate[string](f), viaDate[[]byte](f), int64(0)), nil
	default:
		f := func(d dateTime) any { return d.time().UnixMicro() }
		return schemas.NewBuilder(schemas.TypeInt64).Name(microTSName).Version(1),
			temporal(viaDate[string](f), viaDate[[]byte](f), int64(0)), nil
	}
}

// timestampConv converts TIMESTAMP to io.debezium.time.ZonedTimestamp: the
// instant in UTC as ISO-8601 with fsp fraction digits (none when the
// column has no fractional part), e.g. "2018-06-20T13:37:03.120Z". The
// text it starts from is in UTC: go-mysql renders it so
// (TimestampStringLocation, SyncerOptions) and the snapshot session's
// time_zone is '+00:00'.
func timestampConv(fsp int) (*schemas.Builder, conv, error) {
	f := func(d dateTime) any { return formatZoned(d, fsp) }
	return schemas.NewBuilder(schemas.TypeString).Name(zonedTSName).Version(1),
		temporal(viaDate[string](f), viaDate[[]byte](f), "1970-01-01T00:00:00Z"), nil
}

func formatZoned(d dateTime, fsp int) string {
	var buf [40]byte
	b := buf[:0]
	b = appendDigits(b, d.year, 4)
	b = append(b, '-')
	b = appendDigits(b, d.month, 2)
	b = append(b, '-')
	b = appendDigits(b, d.day, 2)
	b = append(b, 'T')
	b = appendDigits(b, d.hour, 2)
	b = append(b, ':')
	b = appendDigits(b, d.min, 2)
	b = append(b, ':')
	b = appendDigits(b, d.sec, 2)
	switch {
	case fsp > 0:
		b = append(b, '.')
		b = appendDigits(b, d.micros, 6)
		b = b[:len(b)-6+min(fsp, 6)]
	case d.micros != 0:
		// ISO_OFFSET_DATE_TIME: as many digits as needed.
		b = append(b, '.')
		b = appendDigits(b, d.micros, 6)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return string(append(b, 'Z'))
}

// appendDigits appends x (0 ≤ x) in decimal, zero-padded to width digits.
func appendDigits(b []byte, x, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for x > 0 || i > len(tmp)-width {
		i--
		tmp[i] = byte('0' + x%10)
		x /= 10
	}
	return append(b, tmp[i:]...)
}

// timeConv converts TIME: io.debezium.time.MicroTime (signed microseconds,
// the whole -838:59:59..838:59:59 range) or, in connect mode, Kafka
// Connect's Time (milliseconds of a day: a value outside 00:00..24:00 is
// an error).
func timeConv(mode TimePrecisionMode, fsp int) (*schemas.Builder, conv, error) {
	_ = fsp
	if mode == TimeConnect {
		f := func(us int64) (any, error) {
			if us < 0 || us > 86_400_000_000 {
				return nil, fmt.Errorf("TIME value of %dµs is outside the day that Kafka Connect's Time holds (time.precision.mode=connect)", us)
			}
			return time.UnixMilli(us / 1000).UTC(), nil
		}
		return schemas.TimeBuilder(), temporal(viaTime[string](f), viaTime[[]byte](f), time.Unix(0, 0).UTC()), nil
	}
	f := func(us int64) (any, error) { return us, nil }
	return schemas.NewBuilder(schemas.TypeInt64).Name(microTimeName).Version(1),
		temporal(viaTime[string](f), viaTime[[]byte](f), int64(0)), nil
}

func viaTime[T string | []byte](f func(int64) (any, error)) func(T) (any, error) {
	return func(s T) (any, error) {
		us, err := parseTime(s)
		if err != nil {
			return nil, err
		}
		return f(us)
	}
}

// parseTime parses "[-]H+:MM:SS[.f{1,6}]" into signed microseconds.
func parseTime[T string | []byte](s T) (int64, error) {
	bad := func() (int64, error) { return 0, fmt.Errorf("%q is not a time", string(s)) }
	i := 0
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, i = true, 1
	}
	c1 := -1
	for j := i; j < len(s); j++ {
		if s[j] == ':' {
			c1 = j
			break
		}
	}
	if c1 <= i || c1-i > 4 || len(s) < c1+6 || s[c1+3] != ':' {
		return bad()
	}
	h, ok1 := digits(s, i, c1-i)
	m, ok2 := digits(s, c1+1, 2)
	sec, ok3 := digits(s, c1+4, 2)
	if !ok1 || !ok2 || !ok3 || m > 59 || sec > 59 {
		return bad()
	}
	us := 0
	if rest := len(s) - (c1 + 6); rest > 0 {
		if s[c1+6] != '.' || rest == 1 || rest > 7 {
			return bad()
		}
		var ok bool
		if us, ok = digits(s, c1+7, rest-1); !ok {
			return bad()
		}
		for n := rest - 1; n < 6; n++ {
			us *= 10
		}
	}
	total := (int64(h)*3600+int64(m)*60+int64(sec))*1_000_000 + int64(us)
	if neg {
		total = -total
	}
	return total, nil
}
