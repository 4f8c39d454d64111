package sink

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// Debezium's semantic types: the schema names its connectors give columns, on top of a
// primitive Connect type. Confluent's sink ignores the names and writes the primitive (a DATE
// column arrives as an INT of days since the epoch, a DATETIME as a BIGINT of milliseconds);
// sluice writes them as the SQL types they stand for, as Debezium's own JDBC sink does, so that a
// table copied through CDC and ExtractNewRecordState has the source's column types and values.
const (
	dbzDate                 = "io.debezium.time.Date"           // INT32 days since the epoch
	dbzTime                 = "io.debezium.time.Time"           // INT32 ms past midnight
	dbzMicroTime            = "io.debezium.time.MicroTime"      // INT64 µs (MySQL TIME: may be negative or past 24h)
	dbzNanoTime             = "io.debezium.time.NanoTime"       // INT64 ns
	dbzTimestamp            = "io.debezium.time.Timestamp"      // INT64 ms since the epoch, a wall clock read as UTC
	dbzMicroTimestamp       = "io.debezium.time.MicroTimestamp" // INT64 µs, likewise
	dbzNanoTimestamp        = "io.debezium.time.NanoTimestamp"  // INT64 ns, likewise
	dbzZonedTimestamp       = "io.debezium.time.ZonedTimestamp" // STRING, ISO-8601 with an offset (MySQL TIMESTAMP)
	dbzYear                 = "io.debezium.time.Year"           // INT32
	dbzJSON                 = "io.debezium.data.Json"           // STRING
	dbzEnum                 = "io.debezium.data.Enum"           // STRING, parameter allowed
	dbzEnumSet              = "io.debezium.data.EnumSet"        // STRING, comma-separated
	dbzBits                 = "io.debezium.data.Bits"           // BYTES little-endian, parameter length
	dbzVariableScaleDecimal = "io.debezium.data.VariableScaleDecimal"
	// dbzSourceType is the parameter column.propagate.source.type adds: the source column's type.
	dbzSourceType = "__debezium.source.column.type"
)

// debeziumTypes is the Connect type each semantic type must have.
var debeziumTypes = map[string]schemas.Type{
	dbzDate: schemas.TypeInt32, dbzTime: schemas.TypeInt32, dbzMicroTime: schemas.TypeInt64, dbzNanoTime: schemas.TypeInt64,
	dbzTimestamp: schemas.TypeInt64, dbzMicroTimestamp: schemas.TypeInt64, dbzNanoTimestamp: schemas.TypeInt64,
	dbzZonedTimestamp: schemas.TypeString, dbzYear: schemas.TypeInt32, dbzJSON: schemas.TypeString,
	dbzEnum: schemas.TypeString, dbzEnumSet: schemas.TypeString, dbzBits: schemas.TypeBytes,
	dbzVariableScaleDecimal: schemas.TypeStruct,
}

// checkDebeziumType refuses a Debezium-named field whose schema is not the one Debezium gives
// that name (a hostile or mistaken schema), naming the field; ok reports whether the name is
// one of Debezium's.
func checkDebeziumType(table string, c *column) (ok bool, err error) {
	want, ok := debeziumTypes[c.schema.Name]
	if !ok {
		return false, nil
	}
	if c.schema.Type != want {
		return true, fmt.Errorf("table %s: field %q is named %s but is a %s, not the %s Debezium gives it", table, c.name, c.schema.Name, c.schema.Type, want)
	}
	switch c.schema.Name {
	case dbzBits:
		if _, err := bitsLength(c.schema); err != nil {
			return true, fmt.Errorf("table %s: field %q: %w", table, c.name, err)
		}
	case dbzVariableScaleDecimal:
		sc, ok1 := c.schema.Field("scale")
		v, ok2 := c.schema.Field("value")
		if !ok1 || !ok2 || sc.Schema.Type != schemas.TypeInt32 || v.Schema.Type != schemas.TypeBytes {
			return true, fmt.Errorf("table %s: field %q is a %s without the INT32 scale and BYTES value fields", table, c.name, dbzVariableScaleDecimal)
		}
	}
	return true, nil
}

// bitsLength is the number of bits of a Bits column: its length parameter, 1 to 64 (MySQL's
// BIT range).
func bitsLength(s *schemas.Schema) (int, error) {
	n, err := strconv.Atoi(s.Parameters["length"])
	if err != nil || n < 1 || n > 64 {
		return 0, fmt.Errorf("a %s schema needs a length parameter from 1 to 64, got %q", dbzBits, s.Parameters["length"])
	}
	return n, nil
}

// debeziumSQLType is the column type for a Debezium semantic type, "" for other schemas.
func debeziumSQLType(c *column, stringKeyLen int) string {
	switch c.schema.Name {
	case dbzDate:
		return "DATE"
	case dbzTime:
		return "TIME(3)"
	case dbzMicroTime, dbzNanoTime:
		return "TIME(6)"
	case dbzTimestamp:
		return "DATETIME(3)"
	case dbzMicroTimestamp, dbzNanoTimestamp, dbzZonedTimestamp:
		return "DATETIME(6)"
	case dbzYear:
		return "YEAR"
	case dbzJSON:
		if c.isKey {
			return "VARCHAR(" + strconv.Itoa(stringKeyLen) + ")"
		}
		return "JSON"
	case dbzEnum, dbzEnumSet:
		// Not ENUM/SET: the sink never alters an existing column, so a value added upstream
		// would be refused.
		if c.isKey {
			return "VARCHAR(" + strconv.Itoa(stringKeyLen) + ")"
		}
		return "TEXT"
	case dbzBits:
		n, _ := bitsLength(c.schema)
		return "BIT(" + strconv.Itoa(n) + ")"
	case dbzVariableScaleDecimal:
		return "DECIMAL(65,30)"
	}
	// column.propagate.source.type tells how long a string or a blob can be.
	if t := strings.ToUpper(c.schema.Parameters[dbzSourceType]); t != "" && !c.isKey {
		switch {
		case c.schema.Type == schemas.TypeString && (t == "TINYTEXT" || t == "TEXT" || t == "MEDIUMTEXT" || t == "LONGTEXT"):
			return t
		case c.schema.Type == schemas.TypeBytes && (t == "TINYBLOB" || t == "BLOB" || t == "MEDIUMBLOB" || t == "LONGBLOB"):
			return t
		}
	}
	return ""
}

// isStringKey reports whether a key column is made a VARCHAR (so shares the string key budget).
func isStringKey(s *schemas.Schema) bool {
	if s.Type != schemas.TypeString {
		return false
	}
	switch s.Name {
	case "", dbzJSON, dbzEnum, dbzEnumSet:
		return true
	}
	return false
}

// bindDebezium turns the value of a Debezium semantic type into a driver argument; handled is
// false for other schemas.
func bindDebezium(cfg *settings, c *column, v any) (arg any, handled bool, err error) {
	name := c.schema.Name
	if name == "" {
		return nil, false, nil
	}
	if _, ok := debeziumTypes[name]; !ok {
		return nil, false, nil
	}
	wrong := func() (any, bool, error) {
		return nil, true, fmt.Errorf("field %q: a %s value of Go type %T cannot be written", c.name, name, v)
	}
	switch name {
	case dbzDate:
		days, ok := v.(int32)
		if !ok {
			return wrong()
		}
		s, err := datetimeText(c, time.Unix(int64(days)*86400, 0).UTC(), time.DateOnly)
		return s, true, err
	case dbzTime, dbzMicroTime, dbzNanoTime:
		var d time.Duration
		switch x := v.(type) {
		case int32:
			d = time.Duration(x) * time.Millisecond
		case int64:
			if name == dbzNanoTime {
				d = time.Duration(x)
			} else {
				if x > int64(maxTime/time.Microsecond) || x < -int64(maxTime/time.Microsecond) {
					return nil, true, fmt.Errorf("field %q: %d µs is outside MySQL's TIME range (-838:59:59 to 838:59:59)", c.name, x)
				}
				d = time.Duration(x) * time.Microsecond
			}
		default:
			return wrong()
		}
		s, err := timeText(c, d)
		return s, true, err
	case dbzTimestamp, dbzMicroTimestamp, dbzNanoTimestamp:
		x, ok := v.(int64)
		if !ok {
			return wrong()
		}
		var t time.Time
		switch name {
		case dbzTimestamp:
			t = time.UnixMilli(x)
		case dbzMicroTimestamp:
			t = time.UnixMicro(x)
		default:
			t = time.Unix(0, x)
		}
		// A DATETIME's wall clock, encoded as if it were UTC: written as it is, whatever
		// db.timezone.
		s, err := datetimeText(c, t.UTC(), dateTimeLayout)
		return s, true, err
	case dbzZonedTimestamp:
		s, ok := v.(string)
		if !ok {
			return wrong()
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, true, fmt.Errorf("field %q: %q is not an ISO-8601 timestamp with an offset (%s)", c.name, s, name)
		}
		out, err := datetimeText(c, t.In(cfg.zone), dateTimeLayout)
		return out, true, err
	case dbzYear:
		y, ok := v.(int32)
		if !ok {
			return wrong()
		}
		return int64(y), true, nil
	case dbzJSON, dbzEnum, dbzEnumSet:
		s, ok := v.(string)
		if !ok {
			return wrong()
		}
		return s, true, nil
	case dbzBits:
		b, ok := v.([]byte)
		if !ok {
			return wrong()
		}
		n, err := bitsLength(c.schema)
		if err != nil {
			return nil, true, fmt.Errorf("field %q: %w", c.name, err)
		}
		// Little-endian bytes, as Debezium writes them; bits past the column's width must be 0.
		var u uint64
		for i, x := range b {
			if x == 0 {
				continue
			}
			if i >= 8 {
				return nil, true, fmt.Errorf("field %q: %d bytes do not fit BIT(%d)", c.name, len(b), n)
			}
			u |= uint64(x) << (8 * i)
		}
		if n < 64 && u>>n != 0 {
			return nil, true, fmt.Errorf("field %q: value %#x does not fit BIT(%d)", c.name, u, n)
		}
		return u, true, nil
	case dbzVariableScaleDecimal:
		st, ok := v.(*schemas.Struct)
		if !ok || st == nil {
			return wrong()
		}
		scale, ok1 := st.Get("scale").(int32)
		unscaled, ok2 := st.Get("value").([]byte)
		if !ok1 || !ok2 {
			return nil, true, fmt.Errorf("field %q: a %s needs its scale and value", c.name, name)
		}
		if scale < -1000 || scale > 1000 || len(unscaled) > 1024 {
			return nil, true, fmt.Errorf("field %q: a %s with scale %d and %d bytes is beyond what DECIMAL holds", c.name, name, scale, len(unscaled))
		}
		r, err := schemas.DecimalFromBytes(int(scale), unscaled)
		if err != nil {
			return nil, true, fmt.Errorf("field %q: %w", c.name, err)
		}
		return r.FloatString(int(max(scale, 0))), true, nil
	}
	return wrong()
}

// maxTime is MySQL's TIME limit, 838:59:59.
const maxTime = 838*time.Hour + 59*time.Minute + 59*time.Second + 999999*time.Microsecond

// timeText writes a duration as MySQL TIME text: [-]H:MM:SS.ffffff, hours past 24 included.
func timeText(c *column, d time.Duration) (string, error) {
	if d > maxTime || d < -maxTime {
		return "", fmt.Errorf("field %q: %s is outside MySQL's TIME range (-838:59:59 to 838:59:59)", c.name, d)
	}
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	s := (d % time.Minute) / time.Second
	us := (d % time.Second) / time.Microsecond
	return fmt.Sprintf("%s%d:%02d:%02d.%06d", sign, h, m, s, us), nil
}

// decimalPrecision is the precision of a Connect Decimal column: Debezium's
// connect.decimal.precision parameter when it fits MySQL (1 to 65, at least the scale), else 65
// as Confluent has it.
func decimalPrecision(s *schemas.Schema, scale int) int {
	if p, err := strconv.Atoi(s.Parameters["connect.decimal.precision"]); err == nil && p >= 1 && p <= 65 && p >= scale {
		return p
	}
	return 65
}
