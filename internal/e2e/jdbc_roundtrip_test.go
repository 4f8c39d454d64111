package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// rtColumn is one column of the round-trip table: its MySQL type, a value
// for row 1 and one for row 2 (row 3 is NULL in every column), and how
// both tables' values are compared.
type rtColumn struct {
	name, typ    string
	row1, row2   string // SQL literals
	compare      string // SQL expression of the column (%[1]s); "" = its text
	sinkTypeNote string // how auto.create types the copy where it differs
}

// rtColumns is every MySQL column type the JDBC source maps. Where the
// sink's auto.create gives the copy another type, the comparison is of the
// value as both columns render it.
var rtColumns = []rtColumn{
	{name: "c_tinyint", typ: "TINYINT", row1: "-128", row2: "127"},
	{name: "c_tinyint_u", typ: "TINYINT UNSIGNED", row1: "255", row2: "0", sinkTypeNote: "INT16 → SMALLINT"},
	{name: "c_smallint", typ: "SMALLINT", row1: "-32768", row2: "32767"},
	{name: "c_smallint_u", typ: "SMALLINT UNSIGNED", row1: "65535", row2: "1", sinkTypeNote: "INT32 → INT"},
	{name: "c_mediumint", typ: "MEDIUMINT", row1: "-8388608", row2: "8388607", sinkTypeNote: "INT32 → INT"},
	{name: "c_mediumint_u", typ: "MEDIUMINT UNSIGNED", row1: "16777215", row2: "0", sinkTypeNote: "INT64 → BIGINT"},
	{name: "c_int", typ: "INT", row1: "-2147483648", row2: "2147483647"},
	{name: "c_int_u", typ: "INT UNSIGNED", row1: "4294967295", row2: "0", sinkTypeNote: "INT64 → BIGINT"},
	{name: "c_bigint", typ: "BIGINT", row1: "-9223372036854775808", row2: "9223372036854775807"},
	{name: "c_bigint_u", typ: "BIGINT UNSIGNED", row1: "18446744073709551615", row2: "9223372036854775808",
		sinkTypeNote: "Decimal(scale 0) → DECIMAL(65,0): no overflow"},
	{name: "c_decimal", typ: "DECIMAL(20,4)", row1: "-12345678.9012", row2: "9999999999999999.9999", sinkTypeNote: "Decimal → DECIMAL(65,4)"},
	{name: "c_decimal_neg_small", typ: "DECIMAL(65,30)", row1: "-0.000000000000000000000000000001", row2: "-99999999999999999999999999999999999.999999999999999999999999999999"},
	{name: "c_decimal_int", typ: "DECIMAL(10,0)", row1: "-42", row2: "9999999999", sinkTypeNote: "Decimal → DECIMAL(65,0)"},
	{name: "c_float", typ: "FLOAT", row1: "1.5", row2: "-0.25", sinkTypeNote: "FLOAT32 → FLOAT (exactly representable values)"},
	{name: "c_double", typ: "DOUBLE", row1: "-1234.5678", row2: "1.7976931348623157e308"},
	{name: "c_bit1", typ: "BIT(1)", row1: "b'1'", row2: "b'0'", compare: "CONV(HEX(%[1]s),16,10)", sinkTypeNote: "INT8 → TINYINT (compared as a number)"},
	{name: "c_bit8", typ: "BIT(8)", row1: "b'00000101'", row2: "b'01111111'", compare: "CONV(HEX(%[1]s),16,10)", sinkTypeNote: "INT16 → SMALLINT (compared as a number)"},
	{name: "c_bool", typ: "TINYINT(1)", row1: "1", row2: "7", sinkTypeNote: "INT8 → TINYINT (Connector/J's BIT → INT8; 7 survives)"},
	{name: "c_char", typ: "CHAR(10)", row1: "'abc'", row2: "'ÿ日本'", sinkTypeNote: "STRING → TEXT"},
	{name: "c_varchar", typ: "VARCHAR(255)", row1: "'héllo ✓ 日本 😀'", row2: "''", sinkTypeNote: "STRING → TEXT"},
	{name: "c_text", typ: "TEXT", row1: "REPEAT('0123456789', 300)", row2: `'a''b"c\\n\\t'`},
	{name: "c_binary", typ: "BINARY(4)", row1: "0x00FF10", row2: "0x00000000", compare: "HEX(%[1]s)", sinkTypeNote: "BYTES → VARBINARY(1024)"},
	{name: "c_varbinary", typ: "VARBINARY(300)", row1: allBytesLiteral(), row2: "''", compare: "HEX(%[1]s)", sinkTypeNote: "BYTES → VARBINARY(1024)"},
	{name: "c_blob", typ: "BLOB", row1: "0xDEADBEEF00", row2: "REPEAT(0x00FE, 400)", compare: "HEX(%[1]s)", sinkTypeNote: "BYTES → VARBINARY(1024)"},
	{name: "c_date", typ: "DATE", row1: "'2024-02-29'", row2: "'1000-01-01'"},
	{name: "c_time", typ: "TIME(3)", row1: "'12:34:56.789'", row2: "'23:59:59.999'", sinkTypeNote: "Time → TIME(3)"},
	{name: "c_datetime", typ: "DATETIME(3)", row1: "'2024-06-01 12:34:56.789'", row2: "'1969-12-31 23:59:59.999'"},
	{name: "c_timestamp", typ: "TIMESTAMP(3) NULL", row1: "'2024-06-01 12:34:56.789'", row2: "'2038-01-19 03:14:07.999'",
		sinkTypeNote: "Timestamp → DATETIME(3), in UTC"},
	{name: "c_year", typ: "YEAR", row1: "2024", row2: "1901", compare: "LEFT(CAST(%[1]s AS CHAR), 4)",
		sinkTypeNote: "Connector/J's YEAR is a DATE: Date → DATE yyyy-01-01 (compared by the year)"},
	{name: "c_enum", typ: "ENUM('a','b','c d')", row1: "'c d'", row2: "'a'", sinkTypeNote: "STRING → TEXT"},
	{name: "c_set", typ: "SET('x','y','z')", row1: "'x,z'", row2: "''", sinkTypeNote: "STRING → TEXT"},
	{name: "c_json", typ: "JSON", row1: `'{"k":[1,2.5,"x",null,true],"u":"é"}'`, row2: "'[]'", sinkTypeNote: "STRING → TEXT"},
}

// allBytesLiteral is a hex literal of the bytes 0..255.
func allBytesLiteral() string {
	var b strings.Builder
	b.WriteString("0x")
	for i := range 256 {
		fmt.Fprintf(&b, "%02X", i)
	}
	return b.String()
}

// TestJDBCRoundTripEveryType: a table with every MySQL column type (and a
// spatial column the source skips) → JDBC source (AvroConverter through
// the real registry) → topic → JDBC sink with auto.create → a second
// table; both tables hold the same rows, column by column: extremes,
// negative decimals, unsigned BIGINT max, fractional seconds, binary,
// JSON, and NULL in every nullable column.
func TestJDBCRoundTripEveryType(t *testing.T) {
	e := newJDBCEnv(t)
	prefix := unique("rt") + "_"
	src, dst := "src_all_types", "dst_all_types"

	var defs, cols1, vals1, vals2, cmp []string
	for _, c := range rtColumns {
		defs = append(defs, fmt.Sprintf("`%s` %s", c.name, c.typ))
		cols1 = append(cols1, "`"+c.name+"`")
		vals1 = append(vals1, c.row1)
		vals2 = append(vals2, c.row2)
		expr := "`" + c.name + "`"
		if c.compare != "" {
			expr = fmt.Sprintf(c.compare, expr)
		}
		cmp = append(cmp, expr)
	}
	// The target database defaults to latin1, which cannot hold the
	// Unicode of the source table (itself utf8mb4): the sink's auto.create
	// makes utf8mb4 tables whatever the database's default, and the
	// comparison below proves it.
	e.exec("ALTER DATABASE `" + e.db.Name + "` CHARACTER SET latin1")
	e.exec(
		fmt.Sprintf("CREATE TABLE `%s` (id INT AUTO_INCREMENT PRIMARY KEY, %s, geo POINT NULL) DEFAULT CHARSET=utf8mb4", src, strings.Join(defs, ", ")),
		fmt.Sprintf("INSERT INTO `%s` (id, %s, geo) VALUES (1, %s, POINT(1,2))", src, strings.Join(cols1, ", "), strings.Join(vals1, ", ")),
		fmt.Sprintf("INSERT INTO `%s` (id, %s) VALUES (2, %s)", src, strings.Join(cols1, ", "), strings.Join(vals2, ", ")),
		fmt.Sprintf("INSERT INTO `%s` (id) VALUES (3)", src),
	)

	jw := e.newWorker("rt")
	source := e.avroConverters(e.connection(map[string]string{
		"name": unique("rt_source"), "connector.class": jdbcSourceClass, "tasks.max": "1",
		"mode": "incrementing", "incrementing.column.name": "id", "table.whitelist": src,
		"topic.prefix": prefix, "poll.interval.ms": "200",
	}))
	w := jw.start("rt", source)
	sinkName := unique("rt_sink")
	sink := e.avroConverters(e.connection(map[string]string{
		"connector.class": jdbcSinkClass, "tasks.max": "1", "topics": prefix + src,
		"table.name.format": dst, "auto.create": "true", "insert.mode": "insert",
		"pk.mode": "record_value", "pk.fields": "id",
	}))
	if _, err := jw.c.CreateConnector(context.Background(), herder.CreateConnectorRequest{Name: sinkName, Config: sink}); err != nil {
		t.Fatalf("create the sink: %v", err)
	}
	eventually(t, 45*time.Second, "3 rows in the copy", func() (bool, string) {
		n := e.count("SELECT COUNT(*) FROM `" + dst + "`")
		return n == 3, fmt.Sprintf("%d rows", n)
	}, w)

	query := "SELECT id, %s FROM `%s` ORDER BY id"
	want := e.queryText(fmt.Sprintf(query, strings.Join(cmp, ", "), src))
	got := e.queryText(fmt.Sprintf(query, strings.Join(cmp, ", "), dst))
	if len(got) != len(want) {
		t.Fatalf("%d rows in the copy, want %d", len(got), len(want))
	}
	for r := range want {
		for i, c := range append([]rtColumn{{name: "id"}}, rtColumns...) {
			g, w := got[r][i], want[r][i]
			if (g == nil) != (w == nil) || (g != nil && *g != *w) {
				t.Errorf("row %d, column %s (%s; %s): copy %s, source %s", r+1, c.name, c.typ, c.sinkTypeNote,
					textRow([]*string{g}), textRow([]*string{w}))
			}
		}
	}
	// The types auto.create chose, for the record.
	for _, r := range e.queryText("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", e.db.Name, dst) {
		t.Logf("copy column %s", textRow(r))
		if *r[0] == "geo" {
			t.Errorf("the spatial column geo reached the copy; the source must skip it")
		}
	}
	if !regexp.MustCompile(`(?m)^.*WARN.*\bgeo\b.*$`).MatchString(w.Log()) {
		t.Errorf("no WARN in the source worker's log names the skipped spatial column geo")
	}
}
