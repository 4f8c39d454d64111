package tables

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/go-sql-driver/mysql"
	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/internal/testkit"
)

// binlogQueries runs stmts on the test database and returns the QUERY
// events the server wrote for them to its binary log (schema, statement),
// read with go-mysql as the CDC source reads them.
func binlogQueries(t *testing.T, d testkit.Database, stmts []string) [][2]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var file string
	var pos uint32
	var ignore1, ignore2 sql.NullString
	row := d.DB.QueryRowContext(ctx, "SHOW MASTER STATUS")
	if err := row.Scan(&file, &pos, &ignore1, &ignore2); err != nil {
		t.Fatalf("SHOW MASTER STATUS: %v", err)
	}
	d.Exec(t, stmts...)
	marker := "sluice_ddl_marker_" + d.Name
	d.Exec(t, "CREATE TABLE "+marker+" (a INT)", "DROP TABLE "+marker)

	cfg, err := mysql.ParseDSN(d.DSN)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(cfg.Addr, ":")
	p, _ := strconv.Atoi(port)
	var b [4]byte
	_, _ = rand.Read(b[:])
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: 100000 + binary.BigEndian.Uint32(b[:])%1000000, Flavor: gmysql.MariaDBFlavor,
		Host: host, Port: uint16(p), User: cfg.User, Password: cfg.Passwd,
		Logger: slog.New(slog.DiscardHandler),
	})
	defer syncer.Close()
	st, err := syncer.StartSync(gmysql.Position{Name: file, Pos: pos})
	if err != nil {
		t.Fatalf("binlog: %v", err)
	}
	var out [][2]string
	for {
		ev, err := st.GetEvent(ctx)
		if err != nil {
			t.Fatalf("binlog: %v (statements so far: %q)", err, out)
		}
		q, ok := ev.Event.(*replication.QueryEvent)
		if !ok || string(q.Schema) != d.Name {
			continue
		}
		text := string(q.Query)
		if strings.Contains(text, marker) {
			return out
		}
		if text == "BEGIN" || text == "COMMIT" {
			continue
		}
		out = append(out, [2]string{string(q.Schema), text})
	}
}

// infoColumn is a column as information_schema describes it.
type infoColumn struct {
	name, dataType, columnType, nullable, extra, comment string
	charset, def                                         sql.NullString
	pos                                                  int
	charLen, numPrec, numScale, dtPrec                   sql.NullInt64
}

func describe(t *testing.T, d testkit.Database, table string) ([]infoColumn, []string, string) {
	t.Helper()
	ctx := context.Background()
	rows, err := d.DB.QueryContext(ctx, `SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, EXTRA, COLUMN_COMMENT,
		CHARACTER_SET_NAME, COLUMN_DEFAULT, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, d.Name, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []infoColumn
	for rows.Next() {
		var c infoColumn
		if err := rows.Scan(&c.name, &c.pos, &c.dataType, &c.columnType, &c.nullable, &c.extra, &c.comment,
			&c.charset, &c.def, &c.charLen, &c.numPrec, &c.numScale, &c.dtPrec); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var pk []string
	krows, err := d.DB.QueryContext(ctx, `SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`, d.Name, table)
	if err != nil {
		t.Fatal(err)
	}
	defer krows.Close()
	for krows.Next() {
		var n string
		if err := krows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		pk = append(pk, n)
	}
	var collation string
	if err := d.DB.QueryRowContext(ctx, `SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
		d.Name, table).Scan(&collation); err != nil {
		t.Fatal(err)
	}
	return cols, pk, charsetOfCollation(collation)
}

var enumList = regexp.MustCompile(`'((?:[^']|'')*)'`)

// compareWithServer checks the model of a table against
// information_schema: names, order, nullability, base types and
// signedness, character sets, auto increment, comments, ENUM/SET values,
// declared lengths, the primary key and the table's character set.
func compareWithServer(t *testing.T, d testkit.Database, tbl *Table) {
	t.Helper()
	cols, pk, tableCharset := describe(t, d, tbl.ID.Table)
	if tbl == nil {
		t.Fatalf("no model of %s", tbl.ID)
	}
	if len(cols) != len(tbl.Columns) {
		t.Fatalf("%s: the server has %d columns, the model %d: %+v", tbl.ID, len(cols), len(tbl.Columns), tbl.Columns)
	}
	if tbl.DefaultCharset != tableCharset {
		t.Errorf("%s: table charset %q, the server's %q", tbl.ID, tbl.DefaultCharset, tableCharset)
	}
	if strings.Join(pk, ",") != strings.Join(tbl.PrimaryKey, ",") {
		t.Errorf("%s: primary key %v, the server's %v", tbl.ID, tbl.PrimaryKey, pk)
	}
	for i, ic := range cols {
		c := tbl.Columns[i]
		where := fmt.Sprintf("%s column %d (%s)", tbl.ID, i+1, ic.name)
		if c.Name != ic.name || c.Position != ic.pos {
			t.Errorf("%s: model has %s at %d", where, c.Name, c.Position)
			continue
		}
		if c.Optional != (ic.nullable == "YES") {
			t.Errorf("%s: optional %v, IS_NULLABLE %s", where, c.Optional, ic.nullable)
		}
		base := strings.Fields(c.TypeName)[0]
		want := strings.ToUpper(ic.dataType)
		if base == "JSON" && want == "LONGTEXT" {
			want = "JSON" // MariaDB's JSON is LONGTEXT with a CHECK
		}
		if base == "BOOLEAN" || base == "BOOL" {
			base = "TINYINT"
		}
		if base != want {
			t.Errorf("%s: type %s, DATA_TYPE %s", where, c.TypeName, ic.dataType)
		}
		if c.Unsigned != strings.Contains(ic.columnType, "unsigned") {
			t.Errorf("%s: unsigned %v, COLUMN_TYPE %s", where, c.Unsigned, ic.columnType)
		}
		if c.AutoIncremented != strings.Contains(ic.extra, "auto_increment") {
			t.Errorf("%s: autoIncremented %v, EXTRA %s", where, c.AutoIncremented, ic.extra)
		}
		if c.Comment != ic.comment {
			t.Errorf("%s: comment %q, the server's %q", where, c.Comment, ic.comment)
		}
		if ic.charset.Valid && base != "JSON" && c.Charset != ic.charset.String {
			t.Errorf("%s: charset %q, CHARACTER_SET_NAME %q", where, c.Charset, ic.charset.String)
		}
		switch want {
		case "ENUM", "SET":
			var vals []string
			for _, m := range enumList.FindAllStringSubmatch(ic.columnType, -1) {
				vals = append(vals, strings.ReplaceAll(m[1], "''", "'"))
			}
			if strings.Join(vals, "|") != strings.Join(c.EnumValues, "|") {
				t.Errorf("%s: values %q, COLUMN_TYPE %s", where, c.EnumValues, ic.columnType)
			}
		case "VARCHAR", "CHAR", "VARBINARY", "BINARY":
			if c.Length >= 0 && int64(c.Length) != ic.charLen.Int64 {
				t.Errorf("%s: length %d, CHARACTER_MAXIMUM_LENGTH %d", where, c.Length, ic.charLen.Int64)
			}
		case "DECIMAL":
			if int64(c.Length) != ic.numPrec.Int64 || c.Scale == nil || int64(*c.Scale) != ic.numScale.Int64 {
				t.Errorf("%s: DECIMAL(%d,%v), the server's (%d,%d)", where, c.Length, c.Scale, ic.numPrec.Int64, ic.numScale.Int64)
			}
		case "DATETIME", "TIMESTAMP", "TIME":
			if c.Length >= 0 && int64(c.Length) != ic.dtPrec.Int64 {
				t.Errorf("%s: precision %d, DATETIME_PRECISION %d", where, c.Length, ic.dtPrec.Int64)
			}
		}
		if !ic.def.Valid || ic.def.String == "NULL" {
			if c.HasDefault && c.DefaultExpr != nil {
				t.Errorf("%s: default %q, the server has none", where, *c.DefaultExpr)
			}
		} else if !c.HasDefault && !c.AutoIncremented {
			t.Errorf("%s: no default, the server's is %s", where, ic.def.String)
		}
	}
}

// TestApplyMatchesMariaDB runs DDL of each kind on the real MariaDB
// server, applies the statements the server wrote to its binary log and
// compares the model with information_schema; then it rebuilds each table
// from SHOW CREATE TABLE (as a snapshot does) and compares again.
func TestApplyMatchesMariaDB(t *testing.T) {
	d := testkit.NewDatabase(t)
	stmts := []string{
		"CREATE TABLE t1 (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL DEFAULT 'x' COMMENT 'the name', " +
			"price DECIMAL(10,2), flag BOOL, big BIGINT, c CHAR(3) CHARACTER SET latin1, e ENUM('a','b''c'), s SET('x','y','z'), " +
			"j JSON, ts TIMESTAMP(3) NULL DEFAULT CURRENT_TIMESTAMP(3), dt DATETIME(6), b BLOB, vb VARBINARY(16), bits BIT(5), yr YEAR, tm TIME) " +
			"DEFAULT CHARSET=utf8mb4 COMMENT 'first table'",
		"CREATE TABLE IF NOT EXISTS t1 (other INT)",
		"CREATE TABLE t2 LIKE t1",
		"ALTER TABLE t1 ADD COLUMN added INT NOT NULL DEFAULT 7 AFTER name, ADD COLUMN first_col SMALLINT FIRST",
		"ALTER TABLE t1 ADD COLUMN IF NOT EXISTS added INT",
		"ALTER TABLE t1 DROP COLUMN big, DROP COLUMN IF EXISTS nonesuch",
		"ALTER TABLE t1 MODIFY COLUMN price DECIMAL(12,4) NOT NULL AFTER id",
		"ALTER TABLE t1 CHANGE COLUMN name full_name VARCHAR(80) CHARACTER SET utf8mb4 NULL",
		"ALTER TABLE t1 RENAME COLUMN c TO code",
		"ALTER ONLINE TABLE IF EXISTS t1 NOWAIT ADD COLUMN u8 VARCHAR(3) CHARACTER SET utf8mb3",
		"ALTER TABLE t1 ADD COLUMN v INT AS (added + 1) VIRTUAL",
		"ALTER TABLE IF EXISTS nonesuch ADD COLUMN x INT",
		"ALTER TABLE t1 ALTER COLUMN added SET DEFAULT 9",
		"CREATE TABLE t3 (a INT NOT NULL, b VARCHAR(10) NOT NULL, UNIQUE KEY (a, b)) CHARACTER SET latin1",
		"ALTER TABLE t3 ADD PRIMARY KEY (b)",
		"ALTER TABLE t3 DROP PRIMARY KEY",
		"ALTER TABLE t3 ADD COLUMN calc INT DEFAULT (1 + 2), ADD COLUMN made DATETIME DEFAULT (NOW() + INTERVAL 1 DAY)",
		"ALTER TABLE t3 ADD PRIMARY KEY (a, b), CONVERT TO CHARACTER SET utf8mb4",
		"CREATE TABLE t4 (a INT PRIMARY KEY, u UUID, ip INET6, p POINT)",
		"CREATE OR REPLACE TABLE t4 (a INT PRIMARY KEY, u UUID, ip INET6)",
		"RENAME TABLE t2 TO t2b, t4 TO t4b",
		"RENAME TABLE IF EXISTS nonesuch TO nonesuch2",
		"ALTER TABLE t2b RENAME TO t2c",
		"CREATE TABLE t5 (a INT /* inline comment */ NOT NULL) /* trailing comment */",
		"TRUNCATE TABLE t5",
		"DROP TABLE IF EXISTS t5, nonesuch",
		"CREATE VIEW v1 AS SELECT id FROM t1",
		"DROP VIEW v1",
	}
	events := binlogQueries(t, d, stmts)
	p := parser.New()
	s := NewSchema(Options{ServerCharset: "utf8mb4"})
	var kinds []ChangeType
	for _, ev := range events {
		changes, err := s.Apply(p, ev[0], ev[1])
		if err != nil {
			t.Fatalf("applying %q: %v", ev[1], err)
		}
		for _, c := range changes {
			kinds = append(kinds, c.Type)
			if c.DDL == "" || c.DB != d.Name {
				t.Errorf("change %+v of %q: want its DDL and database %s", c, ev[1], d.Name)
			}
		}
	}
	t.Logf("binlog statements: %q", events)
	want := map[ChangeType]bool{ChangeCreate: true, ChangeAlter: true, ChangeDrop: true, ChangeTruncate: true}
	for _, k := range kinds {
		delete(want, k)
	}
	if len(want) > 0 {
		t.Errorf("no change of kinds %v among %v", want, kinds)
	}
	var names []string
	for _, tbl := range s.Tables() {
		names = append(names, tbl.ID.Table)
	}
	if got := strings.Join(names, ","); got != "t1,t2c,t3,t4b" {
		t.Fatalf("tables %s, want t1,t2c,t3,t4b", got)
	}
	for _, tbl := range s.Tables() {
		compareWithServer(t, d, tbl)
	}

	// The same tables rebuilt from SHOW CREATE TABLE, as a snapshot does.
	snap := NewSchema(Options{})
	for _, name := range names {
		var n, ddl string
		if err := d.DB.QueryRow("SHOW CREATE TABLE `"+name+"`").Scan(&n, &ddl); err != nil {
			t.Fatal(err)
		}
		if _, err := snap.Apply(p, d.Name, ddl); err != nil {
			t.Fatalf("SHOW CREATE TABLE %s: %v\n%s", name, err, ddl)
		}
		tbl := snap.Table(ID{DB: d.Name, Table: name})
		if tbl == nil {
			t.Fatalf("SHOW CREATE TABLE %s made no table:\n%s", name, ddl)
		}
		compareWithServer(t, d, tbl)
	}
}
