package sink

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/avro"
	"github.com/sluicehq/sluice/transforms"
)

// The change events of a MariaDB table with every column type, as Debezium's MySQL connector
// writes them (decimal.handling.mode=precise, time.precision.mode=adaptive_time_microseconds,
// binary.handling.mode=bytes, column.propagate.source.type for tx and bl), flattened by
// ExtractNewRecordState, written by the sink into an auto-created table, and compared with the
// source table row by row.

// dbzColumn is a source column: its DDL, how the sink test reads it, and its Debezium schema.
type dbzColumn struct {
	name, ddl string
	read      string // SELECT expression, %s is the column; "" for the column itself
	schema    *schemas.Schema
}

func optional(b *schemas.Builder) *schemas.Schema { return b.Optional().MustBuild() }

func named(t schemas.Type, name string, params ...string) *schemas.Schema {
	b := schemas.NewBuilder(t).Name(name).Version(1)
	for i := 0; i+1 < len(params); i += 2 {
		b.Parameter(params[i], params[i+1])
	}
	return optional(b)
}

func decimal(precision, scale int) *schemas.Schema {
	return optional(schemas.DecimalBuilder(scale).Parameter("connect.decimal.precision", fmt.Sprint(precision)))
}

var dbzColumns = []dbzColumn{
	{"ti", "TINYINT", "", schemas.OptionalInt16Schema},
	{"si", "SMALLINT", "", schemas.OptionalInt16Schema},
	{"mi", "MEDIUMINT", "", schemas.OptionalInt32Schema},
	{"i", "INT", "", schemas.OptionalInt32Schema},
	{"bi", "BIGINT", "", schemas.OptionalInt64Schema},
	{"fl", "FLOAT", "", schemas.OptionalFloat32Schema},
	{"db", "DOUBLE", "", schemas.OptionalFloat64Schema},
	{"dec", "DECIMAL(10,2)", "", decimal(10, 2)},
	{"bigdec", "DECIMAL(65,30)", "", decimal(65, 30)},
	{"b1", "BIT(1)", "%s+0", schemas.OptionalBooleanSchema},
	{"b12", "BIT(12)", "%s+0", named(schemas.TypeBytes, dbzBits, "length", "12")},
	{"b64", "BIT(64)", "%s+0", named(schemas.TypeBytes, dbzBits, "length", "64")},
	{"c", "CHAR(10)", "", schemas.OptionalStringSchema},
	{"vc", "VARCHAR(100)", "", schemas.OptionalStringSchema},
	{"tx", "MEDIUMTEXT", "CONCAT(LENGTH(%[1]s), ':', MD5(%[1]s))", optional(schemas.NewBuilder(schemas.TypeString).Parameter(dbzSourceType, "MEDIUMTEXT"))},
	{"bin", "BINARY(4)", "HEX(%s)", schemas.OptionalBytesSchema},
	{"bl", "BLOB", "CONCAT(LENGTH(%[1]s), ':', MD5(%[1]s))", optional(schemas.NewBuilder(schemas.TypeBytes).Parameter(dbzSourceType, "BLOB"))},
	{"e", "ENUM('a','b','c')", "", named(schemas.TypeString, dbzEnum, "allowed", "a,b,c")},
	{"st", "SET('x','y','z')", "", named(schemas.TypeString, dbzEnumSet, "allowed", "x,y,z")},
	{"j", "JSON", "", named(schemas.TypeString, dbzJSON)},
	{"d", "DATE", "", named(schemas.TypeInt32, dbzDate)},
	{"d0", "DATE", "", named(schemas.TypeInt32, dbzDate)},
	{"t", "TIME(6)", "", named(schemas.TypeInt64, dbzMicroTime)},
	{"tneg", "TIME", "", named(schemas.TypeInt64, dbzMicroTime)},
	{"dt", "DATETIME", "", named(schemas.TypeInt64, dbzTimestamp)},
	{"dt3", "DATETIME(3)", "", named(schemas.TypeInt64, dbzTimestamp)},
	{"dt6", "DATETIME(6)", "", named(schemas.TypeInt64, dbzMicroTimestamp)},
	{"ts", "TIMESTAMP(6) NULL", "", named(schemas.TypeString, dbzZonedTimestamp)},
	{"y", "YEAR", "", named(schemas.TypeInt32, dbzYear)},
	// A nullable column with a default: Debezium gives the schema the default, and a NULL stays
	// NULL only with replace.null.with.default=false.
	{"dflt", "INT NULL DEFAULT 5", "", optional(schemas.NewBuilder(schemas.TypeInt32).Default(int32(5)))},
}

// dbzRowOne is a row of every column: its SQL literal and the value Debezium emits for it.
var dbzRowOne = map[string][2]any{
	"ti":     {"-128", int16(-128)},
	"si":     {"32767", int16(32767)},
	"mi":     {"-8388608", int32(-8388608)},
	"i":      {"2147483647", int32(2147483647)},
	"bi":     {"-9223372036854775808", int64(-9223372036854775808)},
	"fl":     {"1.5", float32(1.5)},
	"db":     {"3.141592653589793", 3.141592653589793},
	"dec":    {"-12345678.90", big.NewRat(-1234567890, 100)},
	"bigdec": {"12345678901234567890123456789012345.123456789012345678901234567890", mustRat("12345678901234567890123456789012345.123456789012345678901234567890")},
	"b1":     {"b'1'", true},
	"b12":    {"b'101000000001'", []byte{0x01, 0x0a}},
	"b64":    {"b'1111111111111111111111111111111111111111111111111111111111111111'", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	"c":      {"'abc'", "abc"},
	"vc":     {"'héllo '' \\\\ 🙂'", "héllo ' \\ 🙂"},
	"tx":     {"REPEAT('x', 70000)", strings.Repeat("x", 70000)},
	"bin":    {"x'00FF0102'", []byte{0, 0xff, 1, 2}},
	"bl":     {"REPEAT(x'AB', 3000)", []byte(strings.Repeat("\xab", 3000))},
	"e":      {"'b'", "b"},
	"st":     {"'x,z'", "x,z"},
	"j":      {`'{"a": [1, 2]}'`, `{"a": [1, 2]}`},
	"d":      {"'2024-02-29'", days("2024-02-29")},
	"d0":     {"'1000-01-01'", days("1000-01-01")},
	"t":      {"'123:45:06.789012'", int64(((123*60+45)*60+6)*1e6 + 789012)},
	"tneg":   {"'-01:02:03'", -int64((1*60+2)*60+3) * 1e6},
	"dt":     {"'2023-12-31 23:59:59'", millis("2023-12-31 23:59:59")},
	"dt3":    {"'2023-12-31 23:59:59.999'", millis("2023-12-31 23:59:59.999")},
	"dt6":    {"'1969-07-20 20:17:40.123456'", micros("1969-07-20 20:17:40.123456")},
	"ts":     {"'2024-07-01 12:00:00.5'", "2024-07-01T12:00:00.500000Z"},
	"y":      {"2155", int32(2155)},
	"dflt":   {"7", int32(7)},
}

func mustRat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func parseUTC(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		panic(err)
	}
	return t
}

func days(s string) int32   { return int32(parseUTC(s).Unix() / 86400) }
func millis(s string) int64 { return parseUTC(s).UnixMilli() }
func micros(s string) int64 { return parseUTC(s).UnixMicro() }

// dbzEnvelope builds Debezium's key and envelope schemas for a row schema of table db.tbl.
func dbzEnvelope(row *schemas.Schema) (key, env, source *schemas.Schema) {
	key = schemas.NewBuilder(schemas.TypeStruct).Name("srv.db.src.Key").Field("id", schemas.Int32Schema).MustBuild()
	source = schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.mysql.Source").
		Field("connector", schemas.StringSchema).Field("ts_ms", schemas.Int64Schema).Field("db", schemas.StringSchema).
		Field("table", schemas.OptionalStringSchema).MustBuild()
	env = schemas.NewBuilder(schemas.TypeStruct).Name("srv.db.src.Envelope").Version(2).
		Field("before", row).Field("after", row).Field("source", source).
		Field("op", schemas.StringSchema).Field("ts_ms", schemas.OptionalInt64Schema).MustBuild()
	return key, env, source
}

func rowSchema(cols []dbzColumn) *schemas.Schema {
	b := schemas.NewBuilder(schemas.TypeStruct).Name("srv.db.src.Value").Optional().Field("id", schemas.Int32Schema)
	for _, c := range cols {
		b.Field(c.name, c.schema)
	}
	return b.MustBuild()
}

// cdc is a sink test's source of change events: it passes each event's key and value through
// the Avro converter's mapping (Connect → Avro → Connect, as they travel through Kafka with
// Confluent's defaults and ignore.default.for.nullables, without which a NULL in a nullable
// column with a DEFAULT would arrive as the default), then flattens it with
// ExtractNewRecordState (configured by props) as a sink's transformation chain would.
type cdc struct {
	t      *testing.T
	smt    transforms.Transformation
	avro   *avro.Data
	offset int64
}

// throughAvro returns v of schema s as it comes out of Kafka: written and read as Avro.
func (c *cdc) throughAvro(s *schemas.Schema, v any) (*schemas.Schema, any) {
	c.t.Helper()
	if c.avro == nil {
		return s, v
	}
	if v == nil {
		return nil, nil
	}
	w, err := c.avro.FromConnectSchema(s)
	if err != nil {
		c.t.Fatalf("Avro schema of %s: %v", s.Name, err)
	}
	body, err := w.Encode(v)
	if err != nil {
		c.t.Fatalf("Avro encoding of %s: %v", s.Name, err)
	}
	r, err := c.avro.Reader(w.Avro, 1)
	if err != nil {
		c.t.Fatalf("Avro reader of %s: %v", s.Name, err)
	}
	out, err := r.Decode(body)
	if err != nil {
		c.t.Fatalf("Avro decoding of %s: %v", s.Name, err)
	}
	return r.Connect, out
}

func newCDC(t *testing.T, props map[string]string) *cdc {
	t.Helper()
	for _, p := range transforms.Builtins() {
		if p.Class == "io.debezium.transforms.ExtractNewRecordState" {
			tr := p.NewTransformation()
			if err := tr.Configure(props); err != nil {
				t.Fatal(err)
			}
			cfg := avro.DefaultDataConfig()
			cfg.IgnoreDefaultForNullables = true
			return &cdc{t: t, smt: tr, avro: avro.NewData(cfg)}
		}
	}
	t.Fatal("no ExtractNewRecordState among the built-in transformations")
	return nil
}

// event returns the sink records Debezium's event (and, for a delete, its tombstone) become.
func (c *cdc) event(row *schemas.Schema, op string, id int32, before, after *schemas.Struct) []connectors.SinkRecord {
	c.t.Helper()
	key, env, source := dbzEnvelope(row)
	v := schemas.NewStruct(env).MustPut("op", op).MustPut("ts_ms", int64(1700000000000)).
		MustPut("source", schemas.NewStruct(source).MustPut("connector", "mysql").MustPut("ts_ms", int64(1700000000000)).
			MustPut("db", "db").MustPut("table", "src"))
	if before != nil {
		v.MustPut("before", before)
	}
	if after != nil {
		v.MustPut("after", after)
	}
	k := schemas.NewStruct(key).MustPut("id", id)
	in := []connectors.SinkRecord{rec("srv.db.src", c.offset, key, k, env, v)}
	if op == "d" {
		in = append(in, rec("srv.db.src", c.offset+1, key, k, nil, nil))
	}
	var out []connectors.SinkRecord
	for _, r := range in {
		c.offset++
		r.KeySchema, r.Key = c.throughAvro(r.KeySchema, r.Key)
		r.ValueSchema, r.Value = c.throughAvro(r.ValueSchema, r.Value)
		tr := transforms.Record{Record: r.Record, Offset: r.Offset, Sink: true}
		keep, err := c.smt.Apply(&tr)
		if err != nil {
			c.t.Fatalf("ExtractNewRecordState: %v", err)
		}
		if keep {
			r.Record = tr.Record
			out = append(out, r)
		}
	}
	return out
}

// fractionZeros are the trailing zeros of a time's fraction, which differ between DATETIME(0)
// and DATETIME(3) for the same value.
var fractionZeros = regexp.MustCompile(`(\d\d:\d\d:\d\d)(\.\d*?)0*$`)

// readTable reads id and cols of table as text, times without trailing fraction zeros.
func readRows(t *testing.T, d testkit.Database, table string, cols []dbzColumn) []string {
	t.Helper()
	exprs := []string{"id"}
	for _, c := range cols {
		q := "`" + c.name + "`"
		if c.read != "" {
			q = fmt.Sprintf(c.read, q)
		}
		exprs = append(exprs, q)
	}
	got := rows(t, d.DB, "SELECT "+strings.Join(exprs, ",")+" FROM "+table+" ORDER BY id")
	for i, r := range got {
		parts := strings.Split(r, "|")
		for j, p := range parts {
			parts[j] = strings.TrimSuffix(fractionZeros.ReplaceAllString(p, "$1$2"), ".")
		}
		got[i] = strings.Join(parts, "|")
	}
	return got
}

func TestDebeziumEventsApplied(t *testing.T) {
	t.Run("direct", func(t *testing.T) { testDebeziumEventsApplied(t, false) })
	t.Run("through Avro", func(t *testing.T) { testDebeziumEventsApplied(t, true) })
}

func testDebeziumEventsApplied(t *testing.T, viaAvro bool) {
	d := testkit.NewDatabase(t)
	// Sessions in UTC: the TIMESTAMP column reads as the UTC instant Debezium sends.
	dsn, err := mysql.ParseDSN(d.DSN)
	mustNotErr(t, err)
	dsn.Params = map[string]string{"time_zone": "'+00:00'"}
	utc, err := sql.Open("mysql", dsn.FormatDSN())
	mustNotErr(t, err)
	t.Cleanup(func() { _ = utc.Close() })
	d.DB = utc
	var ddl []string
	for _, c := range dbzColumns {
		ddl = append(ddl, "`"+c.name+"` "+c.ddl)
	}
	d.Exec(t, "CREATE TABLE src (id INT PRIMARY KEY, "+strings.Join(ddl, ", ")+") DEFAULT CHARSET=utf8mb4")

	row := rowSchema(dbzColumns)
	full := func(id int32) (*schemas.Struct, string) {
		st := schemas.NewStruct(row).MustPut("id", id)
		names, lits := []string{"id"}, []string{fmt.Sprint(id)}
		for _, c := range dbzColumns {
			v := dbzRowOne[c.name]
			st.MustPut(c.name, v[1])
			names, lits = append(names, "`"+c.name+"`"), append(lits, v[0].(string))
		}
		return st, "INSERT INTO src (" + strings.Join(names, ",") + ") VALUES (" + strings.Join(lits, ",") + ")"
	}
	one, insertOne := full(1)
	d.Exec(t, insertOne, "INSERT INTO src (id, dflt) VALUES (2, NULL)")
	two := schemas.NewStruct(row).MustPut("id", int32(2))

	src := newCDC(t, nil) // Debezium's defaults: deletes become null values, tombstones go
	if !viaAvro {
		src.avro = nil
	}
	tk, _ := startTask(t, props(d, AutoCreateKey, "true", AutoEvolveKey, "true", InsertModeKey, "upsert",
		PKModeKey, "record_key", DeleteEnabledKey, "true", TableNameFormatKey, "dst", ReplaceNullKey, "false"), nil)
	put := func(rs ...[]connectors.SinkRecord) {
		t.Helper()
		var all []connectors.SinkRecord
		for _, r := range rs {
			all = append(all, r...)
		}
		mustNotErr(t, tk.Put(context.Background(), all))
	}
	compare := func(cols []dbzColumn) {
		t.Helper()
		want := readRows(t, d, "src", cols)
		equalRows(t, readRows(t, d, "dst", cols), want)
	}

	// The snapshot (op r) and a create (op c).
	put(src.event(row, "r", 1, nil, one), src.event(row, "c", 2, nil, two))
	compare(dbzColumns)
	equalRows(t, rows(t, d.DB, "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=DATABASE() AND TABLE_NAME='dst' AND COLUMN_NAME IN ('dec','b12','tx','bl','e','j','d','t','dt','dt6','ts','y') ORDER BY ORDINAL_POSITION"),
		[]string{"dec|decimal(10,2)", "b12|bit(12)", "tx|mediumtext", "bl|blob", "e|text", "j|longtext", "d|date", "t|time(6)", "dt|datetime(3)", "dt6|datetime(6)", "ts|datetime(6)", "y|year(4)"})

	// Updates (op u) with upsert, both ways between values and nulls.
	one2 := schemas.NewStruct(row).MustPut("id", int32(1)).MustPut("vc", "changed").MustPut("tneg", int64(-838*3600e6-59*60e6-59e6))
	two2, _ := full(2)
	d.Exec(t, "UPDATE src SET "+func() string {
		var sets []string
		for _, c := range dbzColumns {
			sets = append(sets, "`"+c.name+"`=NULL")
		}
		return strings.Join(sets, ",")
	}()+" WHERE id=1", "UPDATE src SET vc='changed', tneg='-838:59:59' WHERE id=1", "DELETE FROM src WHERE id=2", strings.Replace(insertOne, "VALUES (1,", "VALUES (2,", 1))
	put(src.event(row, "u", 1, one, one2), src.event(row, "u", 2, two, two2))
	compare(dbzColumns)

	// ALTER TABLE ADD COLUMN upstream: the events after it carry a new optional field, which
	// auto.evolve adds; then a delete and its tombstone remove row 2.
	// A required column with a default gets it in the rows already there, on both sides (a TEXT
	// column's default is an expression, DEFAULT ('basic'), which MySQL 8 requires).
	d.Exec(t, "ALTER TABLE src ADD COLUMN extra VARCHAR(20) NULL, ADD COLUMN tier VARCHAR(16) NOT NULL DEFAULT 'basic'",
		"INSERT INTO src (id, extra, tier) VALUES (3, 'new', 'gold')", "DELETE FROM src WHERE id=2")
	cols := append(dbzColumns[:len(dbzColumns):len(dbzColumns)], dbzColumn{"extra", "", "", schemas.OptionalStringSchema},
		dbzColumn{"tier", "", "", schemas.NewBuilder(schemas.TypeString).Default("basic").MustBuild()})
	row2 := rowSchema(cols)
	put(src.event(row2, "c", 3, nil, schemas.NewStruct(row2).MustPut("id", int32(3)).MustPut("dflt", int32(5)).MustPut("extra", "new").MustPut("tier", "gold")),
		src.event(row, "d", 2, two2, nil))
	compare(cols)
}

func TestDebeziumBind(t *testing.T) {
	plus2 := time.FixedZone("+02:00", 2*3600)
	cfg := &settings{zone: plus2, dateZone: plus2}
	cases := []struct {
		schema *schemas.Schema
		in     any
		want   any    // the bound value
		err    string // a part of the error
	}{
		{named(schemas.TypeInt32, dbzDate), int32(-1), "1969-12-31", ""},
		{named(schemas.TypeInt32, dbzDate), int32(3e6), nil, "outside the years"},
		{named(schemas.TypeInt32, dbzTime), int32(86399999), "23:59:59.999000", ""},
		{named(schemas.TypeInt64, dbzMicroTime), int64(-1), "-0:00:00.000001", ""},
		{named(schemas.TypeInt64, dbzMicroTime), int64(839 * 3600e6), nil, "TIME range"},
		{named(schemas.TypeInt64, dbzMicroTime), int64(-1 << 62), nil, "TIME range"},
		{named(schemas.TypeInt64, dbzNanoTime), int64(3723000000001), "1:02:03.000000", ""},
		// DATETIME values are wall clocks: db.timezone does not move them.
		{named(schemas.TypeInt64, dbzTimestamp), int64(1700000000123), "2023-11-14 22:13:20.123", ""},
		{named(schemas.TypeInt64, dbzMicroTimestamp), int64(-1), "1969-12-31 23:59:59.999999", ""},
		{named(schemas.TypeInt64, dbzNanoTimestamp), int64(1700000000123456789), "2023-11-14 22:13:20.123456789", ""},
		// TIMESTAMP values are instants, written in db.timezone.
		{named(schemas.TypeString, dbzZonedTimestamp), "2024-07-01T12:00:00.5Z", "2024-07-01 14:00:00.5", ""},
		{named(schemas.TypeString, dbzZonedTimestamp), "2024-07-01T12:00:00-05:00", "2024-07-01 19:00:00", ""},
		{named(schemas.TypeString, dbzZonedTimestamp), "yesterday", nil, "not an ISO-8601 timestamp"},
		{named(schemas.TypeInt32, dbzYear), int32(1999), int64(1999), ""},
		{named(schemas.TypeBytes, dbzBits, "length", "12"), []byte{0x01, 0x0a}, uint64(0xa01), ""},
		{named(schemas.TypeBytes, dbzBits, "length", "12"), []byte{0x01, 0x1a}, nil, "does not fit BIT(12)"},
		{named(schemas.TypeBytes, dbzBits, "length", "64"), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}, ^uint64(0), ""},
		{named(schemas.TypeBytes, dbzBits, "length", "64"), []byte{1, 0, 0, 0, 0, 0, 0, 0, 1}, nil, "do not fit BIT(64)"},
		{named(schemas.TypeString, dbzJSON), 12, nil, "Go type int"},
		{vsdSchema, vsd(3, []byte{0xff, 0x85}), "-0.123", ""},
		{vsdSchema, vsd(-2, []byte{0x05}), "500", ""},
		{vsdSchema, vsd(5000, []byte{1}), nil, "beyond what DECIMAL holds"},
	}
	for i, c := range cases {
		col := &column{name: "f", schema: c.schema}
		got, err := bind(cfg, col, c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%d %s(%v): err = %v, want %q", i, c.schema.Name, c.in, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%d %s(%v) = %#v, %v; want %#v", i, c.schema.Name, c.in, got, err, c.want)
		}
	}
}

var vsdSchema = schemas.NewBuilder(schemas.TypeStruct).Name(dbzVariableScaleDecimal).Version(1).Optional().
	Field("scale", schemas.Int32Schema).Field("value", schemas.BytesSchema).MustBuild()

func vsd(scale int32, unscaled []byte) *schemas.Struct {
	return schemas.NewStruct(vsdSchema).MustPut("scale", scale).MustPut("value", unscaled)
}

func TestDebeziumSchemasChecked(t *testing.T) {
	cfg := &settings{}
	for _, c := range []struct {
		schema *schemas.Schema
		err    string
	}{
		{named(schemas.TypeString, dbzDate), `field "f" is named io.debezium.time.Date but is a STRING`},
		{named(schemas.TypeBytes, dbzBits), `needs a length parameter`},
		{named(schemas.TypeBytes, dbzBits, "length", "65"), `needs a length parameter`},
		{schemas.NewBuilder(schemas.TypeStruct).Name(dbzVariableScaleDecimal).Field("scale", schemas.StringSchema).MustBuild(), "without the INT32 scale"},
		{named(schemas.TypeInt64, dbzMicroTimestamp), ""},
		{vsdSchema, ""},
	} {
		err := checkColumnType(cfg, "t", &column{name: "f", schema: c.schema})
		if (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%v: err = %v, want %q", c.schema, err, c.err)
		}
	}
}

// TEXT, BLOB and JSON columns get their default as an expression, which MySQL 8 requires (it
// refuses DEFAULT 'x' there); other columns as a literal.
func TestColumnDefaults(t *testing.T) {
	cfg := &settings{quote: true, zone: time.UTC, dateZone: time.UTC}
	for _, c := range []struct {
		col  column
		want string
	}{
		{column{name: "tier", schema: schemas.NewBuilder(schemas.TypeString).Default("basic").MustBuild()}, "`tier` TEXT DEFAULT ('basic')"},
		{column{name: "j", schema: schemas.NewBuilder(schemas.TypeString).Name(dbzJSON).Default("{}").MustBuild()}, "`j` JSON DEFAULT ('{}')"},
		{column{name: "bl", schema: schemas.NewBuilder(schemas.TypeBytes).Parameter(dbzSourceType, "BLOB").Default([]byte{1}).MustBuild()}, "`bl` BLOB DEFAULT (X'01')"},
		{column{name: "k", schema: schemas.NewBuilder(schemas.TypeString).Default("a").MustBuild(), isKey: true}, "`k` VARCHAR(255) DEFAULT 'a'"},
		{column{name: "n", schema: schemas.NewBuilder(schemas.TypeInt32).Default(int32(5)).MustBuild()}, "`n` INT DEFAULT 5"},
		{column{name: "b", schema: named(schemas.TypeBytes, dbzBits, "length", "12")}, "`b` BIT(12) NULL"},
	} {
		got, err := columnSpec(cfg, &c.col, 255)
		if err != nil || got != c.want {
			t.Errorf("columnSpec(%s) = %q, %v; want %q", c.col.name, got, err, c.want)
		}
	}
}
