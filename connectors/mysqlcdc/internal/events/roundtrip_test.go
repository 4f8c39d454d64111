package events

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	driver "github.com/go-sql-driver/mysql"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// typeCol is one column of the every-type table: its SQL definition and
// the tables.Column the DDL parser gives for it.
type typeCol struct {
	sql string
	col tables.Column
}

func intPtr(i int) *int { return &i }

// everyType is a table with a column of each type the events package maps.
func everyType() []typeCol {
	c := func(name, sqlType, typeName string, length int, mod func(*tables.Column)) typeCol {
		col := tables.Column{Name: name, TypeName: typeName, TypeExpression: typeName, Length: length, Optional: true}
		if mod != nil {
			mod(&col)
		}
		return typeCol{sql: "`" + name + "` " + sqlType, col: col}
	}
	unsigned := func(c *tables.Column) { c.Unsigned = true }
	scale := func(s int) func(*tables.Column) { return func(c *tables.Column) { c.Scale = intPtr(s) } }
	charset := func(cs string) func(*tables.Column) { return func(c *tables.Column) { c.Charset = cs } }
	values := func(v ...string) func(*tables.Column) { return func(c *tables.Column) { c.EnumValues = v } }
	return []typeCol{
		{sql: "`id` INT NOT NULL PRIMARY KEY", col: tables.Column{Name: "id", TypeName: "INT", Length: -1}},
		c("b1", "BIT(1)", "BIT", 1, nil),
		c("b10", "BIT(10)", "BIT", 10, nil),
		c("b64", "BIT(64)", "BIT", 64, nil),
		c("boo", "BOOLEAN", "BOOLEAN", -1, nil),
		c("ti", "TINYINT", "TINYINT", -1, nil),
		c("tiu", "TINYINT UNSIGNED", "TINYINT UNSIGNED", -1, unsigned),
		c("si", "SMALLINT", "SMALLINT", -1, nil),
		c("siu", "SMALLINT UNSIGNED", "SMALLINT UNSIGNED", -1, unsigned),
		c("mi", "MEDIUMINT", "MEDIUMINT", -1, nil),
		c("miu", "MEDIUMINT UNSIGNED", "MEDIUMINT UNSIGNED", -1, unsigned),
		c("i", "INT", "INT", -1, nil),
		c("iu", "INT UNSIGNED", "INT UNSIGNED", -1, unsigned),
		c("bi", "BIGINT", "BIGINT", -1, nil),
		c("biu", "BIGINT UNSIGNED", "BIGINT UNSIGNED", -1, unsigned),
		c("f", "FLOAT", "FLOAT", -1, nil),
		c("f73", "FLOAT(7,3)", "FLOAT", 7, scale(3)),
		c("d", "DOUBLE", "DOUBLE", -1, nil),
		c("dec", "DECIMAL(10,2)", "DECIMAL", 10, scale(2)),
		c("dec0", "DECIMAL(20,0)", "DECIMAL", 20, scale(0)),
		c("decbig", "DECIMAL(65,30)", "DECIMAL", 65, scale(30)),
		c("ch", "CHAR(10)", "CHAR", 10, charset("utf8mb4")),
		c("vc", "VARCHAR(100)", "VARCHAR", 100, charset("utf8mb4")),
		c("txt", "TEXT", "TEXT", -1, charset("utf8mb4")),
		c("lat", "VARCHAR(20) CHARACTER SET latin1", "VARCHAR", 20, charset("latin1")),
		c("bin", "BINARY(4)", "BINARY", 4, nil),
		c("vbin", "VARBINARY(10)", "VARBINARY", 10, nil),
		c("blb", "BLOB", "BLOB", -1, nil),
		c("dt", "DATE", "DATE", -1, nil),
		c("dtz", "DATE NOT NULL DEFAULT '2000-01-02'", "DATE", -1, func(c *tables.Column) {
			c.Optional, c.HasDefault, c.DefaultExpr = false, true, new("2000-01-02")
		}),
		c("tm", "TIME", "TIME", -1, nil),
		c("tm6", "TIME(6)", "TIME", 6, nil),
		c("dtm", "DATETIME", "DATETIME", -1, nil),
		c("dtm3", "DATETIME(3)", "DATETIME", 3, nil),
		c("dtm6", "DATETIME(6)", "DATETIME", 6, nil),
		c("ts", "TIMESTAMP NULL DEFAULT NULL", "TIMESTAMP", -1, nil),
		c("ts3", "TIMESTAMP(3) NULL DEFAULT NULL", "TIMESTAMP", 3, nil),
		c("yr", "YEAR", "YEAR", -1, nil),
		c("en", "ENUM('a','b','c')", "ENUM", -1, values("a", "b", "c")),
		c("st", "SET('x','y','z')", "SET", -1, values("x", "y", "z")),
		c("js", "JSON", "JSON", -1, nil),
		c("g", "GEOMETRY", "GEOMETRY", -1, nil),
		c("pt", "POINT", "POINT", -1, nil),
		c("uid", "UUID", "UUID", -1, nil),
		c("ip", "INET6", "INET6", -1, nil),
	}
}

// everyTypeRows are INSERT value lists for everyType, in column order.
var everyTypeRows = []string{
	// Typical values.
	`1, b'1', b'1010000001', b'1000000000000000000000000000000000000000000000000000000000000011', TRUE,
	 -5, 200, -300, 60000, -70000, 16000000, -2000000000, 4000000000, -9000000000000000000, 18000000000000000000,
	 3.25, 1234.5, 2.718281828459045, 12345678.90, 12345678901234567890, -1.000000000000000000000000000001,
	 'abc', 'Grüße, 世界 🎉', 'long text', 'café €', X'CAFE', X'00FF10', X'DEADBEEF',
	 '2024-02-29', '2024-03-01', '12:34:56', '-01:02:03.456789', '2024-02-29 23:59:59', '2024-02-29 23:59:59.123',
	 '1999-12-31 23:59:59.999999', '2024-06-01 12:00:00', '2024-06-01 12:00:00.5', 2024, 'b', 'x,z', '{"k": [1, 2.5, "s"]}',
	 ST_GeomFromText('LINESTRING(0 0, 1 1.5)', 4326), ST_GeomFromText('POINT(1.5 -2)', 3857),
	 '123e4567-e89b-12d3-a456-426614174000', '::1'`,
	// NULL wherever allowed.
	`2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2001-01-01', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`,
	// Extremes.
	`3, b'0', b'1111111111', b'1111111111111111111111111111111111111111111111111111111111111111', FALSE,
	 -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
	 -3.4e38, -9999.999, -1.7976931348623157e308, -99999999.99, 99999999999999999999, 99999999999999999999999999999999999.999999999999999999999999999999,
	 '', '', '', '', X'61', X'', X'',
	 '1000-01-01', '9999-12-31', '-838:59:59', '838:59:59.000000', '1000-01-01 00:00:00', '9999-12-31 23:59:59.999',
	 '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '2038-01-19 03:14:07.999', 1901, 'a', '', '[]',
	 ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))'), ST_GeomFromText('POINT(0 0)'),
	 '00000000-0000-0000-0000-000000000000', '::ffff:1.2.3.4'`,
	// Zero dates and invalid values (sql_mode ''), year 2155.
	`4, b'1', b'0000000001', b'0', TRUE, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0,
	 1.17549435e-38, 0.001, 5e-324, 0.01, 0, 0.000000000000000000000000000001,
	 'x', 'y', 'z', 'ÿ', X'00', X'00', X'00',
	 '0000-00-00', '0000-00-00', '00:00:00', '00:00:00.000001', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000',
	 '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', 2155, 'nope', 'y', '"str"',
	 ST_GeomFromText('GEOMETRYCOLLECTION EMPTY'), NULL,
	 'ffffffff-ffff-ffff-ffff-ffffffffffff', NULL`,
}

// TestBinlogAndSelectAgree inserts every type into the real MariaDB, reads
// the rows back from the binary log with go-mysql (SyncerOptions) and with
// a SELECT, and checks that both give the same events, under each mode.
func TestBinlogAndSelectAgree(t *testing.T) {
	srv := testkit.MySQL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var rb [6]byte
	_, _ = rand.Read(rb[:])
	dbName := "events_" + hex.EncodeToString(rb[:])
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+dbName+"` CHARACTER SET utf8mb4"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+dbName+"`"); err != nil {
			t.Logf("drop database %s: %v", dbName, err)
		}
	})

	// The snapshot connection: UTC session, text protocol, no time parsing.
	cfg, err := driver.ParseDSN(srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = dbName
	cfg.ParseTime = false
	cfg.Params = map[string]string{"time_zone": "'+00:00'", "sql_mode": "''"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	cols := everyType()
	defs := make([]string, len(cols))
	tbl := &tables.Table{ID: tables.ID{DB: dbName, Table: "every_type"}, PrimaryKey: []string{"id"}, DefaultCharset: "utf8mb4"}
	for i, c := range cols {
		defs[i] = c.sql
		c.col.Position = i + 1
		tbl.Columns = append(tbl.Columns, c.col)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE every_type ("+strings.Join(defs, ", ")+")"); err != nil {
		t.Fatal(err)
	}

	var file string
	var pos uint32
	if err := showMasterStatus(ctx, db, &file, &pos); err != nil {
		t.Fatal(err)
	}
	for _, r := range everyTypeRows {
		if _, err := db.ExecContext(ctx, "INSERT INTO every_type VALUES ("+r+")"); err != nil {
			t.Fatalf("insert %.40s...: %v", r, err)
		}
	}

	binRows := readBinlogRows(ctx, t, srv, file, pos, dbName, "every_type", len(everyTypeRows))

	sqlRows := selectRows(ctx, t, db, mustTable(t, newEvents(t, "p", Modes{}), tbl), "every_type", "id")
	if len(sqlRows) != len(binRows) {
		t.Fatalf("%d rows selected, %d from the binlog", len(sqlRows), len(binRows))
	}

	modes := []Modes{
		{},
		{Decimal: DecimalString, Time: TimeConnect, BigintUnsigned: BigintPrecise, Binary: BinaryBase64},
		{Decimal: DecimalDouble, Binary: BinaryHex},
		{Binary: BinaryBase64URLSafe},
	}
	for _, m := range modes {
		tb := mustTable(t, newEvents(t, "p", m), tbl)
		for i := range binRows {
			_, fromBin, errBin := tb.FromBinlog(binRows[i])
			_, fromSQL, errSQL := tb.RowFromSQL(sqlRows[i])
			if m.Time == TimeConnect && errBin != nil && strings.Contains(errBin.Error(), "time.precision.mode=connect") {
				// A TIME outside 00:00..24:00 does not fit Connect's Time:
				// both paths refuse the row, naming the column.
				if errSQL == nil || errSQL.Error() != errBin.Error() || !strings.Contains(errBin.Error(), "column tm") {
					t.Errorf("modes %+v, row %d: binlog error %v, SELECT error %v", m, i+1, errBin, errSQL)
				}
				continue
			}
			if errBin != nil || errSQL != nil {
				t.Fatalf("modes %+v, row %d: from the binlog: %v; from SELECT: %v", m, i+1, errBin, errSQL)
			}
			if !fromBin.Equal(fromSQL) {
				for _, f := range tb.ValueSchema.Fields {
					if a, b := fromBin.Get(f.Name), fromSQL.Get(f.Name); !schemas.EqualValues(a, b) {
						t.Errorf("modes %+v, row %d, column %s: binlog %#v, SELECT %#v (binlog input %#v)", m, i+1, f.Name, a, b, binRows[i][f.Index])
					}
				}
			}
			if m == (Modes{}) {
				checkDefaultModeValues(t, i+1, fromBin)
			}
		}
	}
}

// checkDefaultModeValues checks some values of the default modes against
// what Debezium writes for them.
func checkDefaultModeValues(t *testing.T, row int, v *schemas.Struct) {
	t.Helper()
	rat := func(s string) *big.Rat { r, _ := new(big.Rat).SetString(s); return r }
	days := func(d string) int32 {
		tm, _ := time.Parse("2006-01-02", d)
		return int32(tm.Unix() / 86400)
	}
	want := map[int]map[string]any{
		1: {
			"b1": true, "b10": []byte{0x81, 0x02}, "b64": []byte{3, 0, 0, 0, 0, 0, 0, 0x80}, "boo": true,
			"ti": int16(-5), "tiu": int16(200), "siu": int32(60000), "miu": int32(16000000), "iu": int64(4000000000),
			"biu": int64(-446744073709551616), "f": float32(3.25), "f73": 1234.5, "d": 2.718281828459045, "dec": rat("12345678.90"),
			"vc": "Grüße, 世界 🎉", "lat": "café €", "bin": []byte{0xCA, 0xFE, 0, 0}, "dt": days("2024-02-29"),
			"tm": int64(45296000000), "tm6": int64(-3723456789),
			"dtm":  time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC).UnixMilli(),
			"dtm3": time.Date(2024, 2, 29, 23, 59, 59, 123e6, time.UTC).UnixMilli(),
			"dtm6": time.Date(1999, 12, 31, 23, 59, 59, 999999e3, time.UTC).UnixMicro(),
			"ts":   "2024-06-01T12:00:00Z", "ts3": "2024-06-01T12:00:00.500Z", "yr": int32(2024), "en": "b", "st": "x,z",
		},
		2: {"b1": nil, "dt": nil, "dtz": days("2001-01-01"), "js": nil},
		3: {"f": float32(-3.4e38), "f73": float64(float32(-9999.999)), "tiu": int16(255), "biu": int64(-1), "tm": int64(-3020399000000), "ts": "1970-01-01T00:00:01Z",
			"ts3": "2038-01-19T03:14:07.999Z", "bin": []byte{'a', 0, 0, 0}, "vbin": []byte{}, "en": "a", "st": "", "ch": ""},
		// Zero dates: null where optional, the default where NOT NULL.
		4: {"dt": nil, "dtz": days("2000-01-02"), "dtm": nil, "ts": nil, "en": "", "yr": int32(2155)},
	}
	if _, ok := v.Schema().Field("ip"); ok {
		t.Errorf("row %d: the INET6 column is in the value; Debezium leaves it out", row)
	}
	if row == 1 {
		pt := v.Get("pt").(*schemas.Struct)
		if pt.Get("x") != 1.5 || pt.Get("y") != -2.0 || pt.Get("srid") != int32(3857) || len(pt.Get("wkb").([]byte)) != 21 {
			t.Errorf("row 1, pt = %v", pt)
		}
		if g := v.Get("g").(*schemas.Struct); g.Get("srid") != int32(4326) || g.Schema().Name != "io.debezium.data.geometry.Geometry" {
			t.Errorf("row 1, g = %v", g)
		}
	}
	for name, w := range want[row] {
		if got := v.Get(name); !schemas.EqualValues(got, w) {
			t.Errorf("row %d, %s = %#v, want %#v", row, name, got, w)
		}
	}
}

func mustTable(t *testing.T, e *Events, tbl *tables.Table) *Table {
	t.Helper()
	tb, err := e.Table(tbl, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func showMasterStatus(ctx context.Context, db *sql.DB, file *string, pos *uint32) error {
	rows, err := db.QueryContext(ctx, "SHOW MASTER STATUS")
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		return errors.New("SHOW MASTER STATUS: no row (binary log off?)")
	}
	cols, _ := rows.Columns()
	vals := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	*file = string(vals[0])
	p, err := strconv.ParseUint(string(vals[1]), 10, 32)
	*pos = uint32(p)
	return err
}

// readBinlogRows reads the binary log from file:pos until n rows of
// db.table were written, and returns them as go-mysql decoded them.
func readBinlogRows(ctx context.Context, t *testing.T, srv testkit.MySQLServer, file string, pos uint32, db, table string, n int) [][]any {
	t.Helper()
	stream := startSync(t, srv, file, pos)
	var out [][]any
	for len(out) < n {
		ev, err := stream.GetEvent(ctx)
		if err != nil {
			t.Fatalf("reading the binlog after %d of %d rows: %v", len(out), n, err)
		}
		re, ok := ev.Event.(*replication.RowsEvent)
		if !ok || string(re.Table.Schema) != db || string(re.Table.Table) != table {
			continue
		}
		out = append(out, re.Rows...)
	}
	return out
}

// selectRows reads table's rows ordered by orderBy as sluice's snapshot
// reads them (tb's SelectList and ScanDest), copying the raw bytes.
func selectRows(ctx context.Context, t *testing.T, db *sql.DB, tb *Table, table, orderBy string) [][]sql.RawBytes {
	t.Helper()
	rows, err := db.QueryContext(ctx, "SELECT "+tb.SelectList()+" FROM `"+table+"` ORDER BY "+orderBy)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]sql.RawBytes
	for rows.Next() {
		dest, raw := tb.ScanDest()
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		cp := make([]sql.RawBytes, len(raw))
		for i, b := range raw {
			if b != nil {
				cp[i] = append(sql.RawBytes{}, b...)
			}
		}
		out = append(out, cp)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// startSync starts reading the binary log at file:pos with go-mysql
// (SyncerOptions, a random server id); the syncer closes with the test.
func startSync(t *testing.T, srv testkit.MySQLServer, file string, pos uint32) *replication.BinlogStreamer {
	t.Helper()
	port, _ := strconv.Atoi(srv.Port())
	host := strings.Split(srv.Addr, ":")[0]
	var idb [4]byte
	_, _ = rand.Read(idb[:])
	cfg := replication.BinlogSyncerConfig{
		ServerID: 100000 + uint32(idb[0])<<16 | uint32(idb[1])<<8 | uint32(idb[2]),
		Flavor:   mysql.MariaDBFlavor, Host: host, Port: uint16(port), User: srv.User, Password: srv.Password,
	}
	SyncerOptions(&cfg)
	syncer := replication.NewBinlogSyncer(cfg)
	t.Cleanup(syncer.Close)
	stream, err := syncer.StartSync(mysql.Position{Name: file, Pos: pos})
	if err != nil {
		t.Fatal(err)
	}
	return stream
}
