package events

import (
	"fmt"
	"strings"
)

// The configuration keys this package reads, with Debezium's names.
const (
	DecimalHandlingModeKey        = "decimal.handling.mode"
	TimePrecisionModeKey          = "time.precision.mode"
	BigintUnsignedHandlingModeKey = "bigint.unsigned.handling.mode"
	BinaryHandlingModeKey         = "binary.handling.mode"
)

// DecimalMode is decimal.handling.mode: how DECIMAL and NUMERIC columns
// are represented.
type DecimalMode int

// The decimal.handling.mode values.
const (
	// DecimalPrecise ("precise", the default) is Kafka Connect's Decimal
	// logical type with the column's scale.
	DecimalPrecise DecimalMode = iota
	// DecimalString ("string") is the number as a plain string ("12.30").
	DecimalString
	// DecimalDouble ("double") is a FLOAT64, which may lose precision.
	DecimalDouble
)

// TimePrecisionMode is time.precision.mode: how temporal columns are
// represented.
type TimePrecisionMode int

// The time.precision.mode values the MySQL connector supports.
const (
	// TimeAdaptiveMicroseconds ("adaptive_time_microseconds", the default):
	// DATE is io.debezium.time.Date, TIME io.debezium.time.MicroTime,
	// DATETIME io.debezium.time.Timestamp (fsp ≤ 3) or MicroTimestamp.
	TimeAdaptiveMicroseconds TimePrecisionMode = iota
	// TimeConnect ("connect"): Kafka Connect's Date, Time and Timestamp
	// logical types (millisecond precision; finer digits are truncated).
	TimeConnect
)

// BigintUnsignedMode is bigint.unsigned.handling.mode.
type BigintUnsignedMode int

// The bigint.unsigned.handling.mode values.
const (
	// BigintLong ("long", the default): INT64; values above
	// math.MaxInt64 wrap around, as Debezium's do.
	BigintLong BigintUnsignedMode = iota
	// BigintPrecise ("precise"): Decimal with scale 0.
	BigintPrecise
)

// BinaryMode is binary.handling.mode: how BINARY, VARBINARY and BLOB
// columns are represented.
type BinaryMode int

// The binary.handling.mode values.
const (
	// BinaryBytes ("bytes", the default): BYTES.
	BinaryBytes BinaryMode = iota
	// BinaryBase64 ("base64"): a standard base64 STRING.
	BinaryBase64
	// BinaryBase64URLSafe ("base64-url-safe"): a URL-safe base64 STRING.
	BinaryBase64URLSafe
	// BinaryHex ("hex"): a lower-case hexadecimal STRING.
	BinaryHex
)

var (
	decimalModes = []string{"precise", "string", "double"}
	timeModes    = []string{"adaptive_time_microseconds", "connect"}
	bigintModes  = []string{"long", "precise"}
	binaryModes  = []string{"bytes", "base64", "base64-url-safe", "hex"}
)

// parseMode returns the index of value (compared without regard to case
// and surrounding space, as Debezium's EnumeratedValue.parse) in names;
// "" is the first (default) value.
func parseMode(key, value string, names []string) (int, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return 0, nil
	}
	for i, n := range names {
		if strings.EqualFold(v, n) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s: %q is not one of %s", key, value, strings.Join(names, ", "))
}

// Modes are the value-representation and naming settings of a
// connector.
type Modes struct {
	Decimal        DecimalMode
	Time           TimePrecisionMode
	BigintUnsigned BigintUnsignedMode
	Binary         BinaryMode
	// SchemaNames adjusts the table schemas' names (Key, Value, Envelope)
	// and FieldNames the column field names, for Avro.
	SchemaNames NameAdjustment
	FieldNames  NameAdjustment
}

// ParseModes reads the handling and name adjustment modes from a
// connector configuration;
// absent keys take Debezium's defaults. An unknown value is an error naming
// the key and the accepted values.
func ParseModes(cfg map[string]string) (Modes, error) {
	var m Modes
	d, err := parseMode(DecimalHandlingModeKey, cfg[DecimalHandlingModeKey], decimalModes)
	if err != nil {
		return m, err
	}
	t, err := parseMode(TimePrecisionModeKey, cfg[TimePrecisionModeKey], timeModes)
	if err != nil {
		return m, err
	}
	b, err := parseMode(BigintUnsignedHandlingModeKey, cfg[BigintUnsignedHandlingModeKey], bigintModes)
	if err != nil {
		return m, err
	}
	bin, err := parseMode(BinaryHandlingModeKey, cfg[BinaryHandlingModeKey], binaryModes)
	if err != nil {
		return m, err
	}
	sn, err := parseMode(SchemaNameAdjustmentModeKey, cfg[SchemaNameAdjustmentModeKey], adjustModes)
	if err != nil {
		return m, err
	}
	fn, err := parseMode(FieldNameAdjustmentModeKey, cfg[FieldNameAdjustmentModeKey], adjustModes)
	if err != nil {
		return m, err
	}
	return Modes{Decimal: DecimalMode(d), Time: TimePrecisionMode(t), BigintUnsigned: BigintUnsignedMode(b), Binary: BinaryMode(bin),
		SchemaNames: NameAdjustment(sn), FieldNames: NameAdjustment(fn)}, nil
}
