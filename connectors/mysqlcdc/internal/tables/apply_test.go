package tables

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/internal/testkit"
)

func intp(i int) *int       { return &i }
func strp(s string) *string { return &s }

func mustApply(t *testing.T, s *Schema, db string, stmts ...string) []Change {
	t.Helper()
	p := parser.New()
	var all []Change
	for _, q := range stmts {
		ch, err := s.Apply(p, db, q)
		if err != nil {
			t.Fatalf("Apply(%q): %v", q, err)
		}
		all = append(all, ch...)
	}
	return all
}

// TestApplyColumnTypes checks the type fields against what Debezium's
// MySQL DDL parser records for the same definitions.
func TestApplyColumnTypes(t *testing.T) {
	tests := []struct {
		def  string
		want Column
	}{
		{"INT", Column{TypeName: "INT", JDBCType: 4, Length: -1}},
		{"INT(11) UNSIGNED", Column{TypeName: "INT UNSIGNED", JDBCType: 4, Length: 11, Unsigned: true}},
		{"INT ZEROFILL", Column{TypeName: "INT UNSIGNED ZEROFILL", JDBCType: 4, Length: -1, Unsigned: true}},
		{"TINYINT(1)", Column{TypeName: "TINYINT", JDBCType: 5, Length: 1}},
		{"SMALLINT", Column{TypeName: "SMALLINT", JDBCType: 5, Length: -1}},
		{"MEDIUMINT UNSIGNED", Column{TypeName: "MEDIUMINT UNSIGNED", JDBCType: 4, Length: -1, Unsigned: true}},
		{"BIGINT UNSIGNED", Column{TypeName: "BIGINT UNSIGNED", JDBCType: -5, Length: -1, Unsigned: true}},
		{"DECIMAL", Column{TypeName: "DECIMAL", JDBCType: 3, Length: 10, Scale: intp(0)}},
		{"DECIMAL(8)", Column{TypeName: "DECIMAL", JDBCType: 3, Length: 8, Scale: intp(0)}},
		{"DECIMAL(8,3) UNSIGNED", Column{TypeName: "DECIMAL UNSIGNED", JDBCType: 3, Length: 8, Scale: intp(3), Unsigned: true}},
		{"DOUBLE", Column{TypeName: "DOUBLE", JDBCType: 8, Length: -1}},
		{"FLOAT(7,3)", Column{TypeName: "FLOAT", JDBCType: 6, Length: 7, Scale: intp(3)}},
		{"BIT", Column{TypeName: "BIT", JDBCType: -7, Length: 1}},
		{"BIT(12)", Column{TypeName: "BIT", JDBCType: -7, Length: 12}},
		{"DATE", Column{TypeName: "DATE", JDBCType: 91, Length: -1}},
		{"TIME(3)", Column{TypeName: "TIME", JDBCType: 92, Length: 3}},
		{"DATETIME", Column{TypeName: "DATETIME", JDBCType: 93, Length: -1}},
		{"DATETIME(6)", Column{TypeName: "DATETIME", JDBCType: 93, Length: 6}},
		{"TIMESTAMP(2)", Column{TypeName: "TIMESTAMP", JDBCType: 2014, Length: 2}},
		{"YEAR", Column{TypeName: "YEAR", JDBCType: 4, Length: -1}},
		{"CHAR(4)", Column{TypeName: "CHAR", JDBCType: 1, Length: 4, Charset: "utf8mb4"}},
		{"VARCHAR(255)", Column{TypeName: "VARCHAR", JDBCType: 12, Length: 255, Charset: "utf8mb4"}},
		{"VARCHAR(5) CHARACTER SET latin1", Column{TypeName: "VARCHAR", JDBCType: 12, Length: 5, Charset: "latin1"}},
		{"VARCHAR(5) COLLATE latin1_bin", Column{TypeName: "VARCHAR", JDBCType: 12, Length: 5, Charset: "latin1"}},
		{"TEXT", Column{TypeName: "TEXT", JDBCType: 12, Length: -1, Charset: "utf8mb4"}},
		{"LONGTEXT", Column{TypeName: "LONGTEXT", JDBCType: 12, Length: -1, Charset: "utf8mb4"}},
		{"BINARY(16)", Column{TypeName: "BINARY", JDBCType: -2, Length: 16}},
		{"VARBINARY(20)", Column{TypeName: "VARBINARY", JDBCType: -3, Length: 20}},
		{"BLOB", Column{TypeName: "BLOB", JDBCType: 2004, Length: -1}},
		{"MEDIUMBLOB", Column{TypeName: "MEDIUMBLOB", JDBCType: 2004, Length: -1}},
		{"ENUM('a','b')", Column{TypeName: "ENUM", JDBCType: 1, Length: 1, EnumValues: []string{"a", "b"}, Charset: "utf8mb4"}},
		{"SET('a','b','c')", Column{TypeName: "SET", JDBCType: 1, Length: 5, EnumValues: []string{"a", "b", "c"}, Charset: "utf8mb4"}},
		{"JSON", Column{TypeName: "JSON", JDBCType: 1111, Length: -1}},
		{"UUID", Column{TypeName: "UUID", JDBCType: 1111, Length: -1}},
		{"INET6", Column{TypeName: "INET6", JDBCType: 1111, Length: -1}},
		{"POINT", Column{TypeName: "POINT", JDBCType: 1111, Length: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.def, func(t *testing.T) {
			s := NewSchema(Options{})
			mustApply(t, s, "db", "CREATE TABLE t (c "+tc.def+")")
			got := s.Table(ID{"db", "t"}).Columns[0]
			w := tc.want
			if got.TypeName != w.TypeName || got.TypeExpression != w.TypeName || got.JDBCType != w.JDBCType ||
				got.Length != w.Length || !eqIntp(got.Scale, w.Scale) || got.Unsigned != w.Unsigned ||
				got.Charset != w.Charset || strings.Join(got.EnumValues, ",") != strings.Join(w.EnumValues, ",") {
				t.Errorf("got %s %s jdbc %d len %d scale %v unsigned %v charset %q enum %q\nwant %s jdbc %d len %d scale %v unsigned %v charset %q enum %q",
					got.TypeName, got.TypeExpression, got.JDBCType, got.Length, fmtp(got.Scale), got.Unsigned, got.Charset, got.EnumValues,
					w.TypeName, w.JDBCType, w.Length, fmtp(w.Scale), w.Unsigned, w.Charset, w.EnumValues)
			}
		})
	}
}

func eqIntp(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func fmtp(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestApplyColumnAttributes(t *testing.T) {
	s := NewSchema(Options{})
	mustApply(t, s, "db", "CREATE TABLE t (id SERIAL, a INT NOT NULL DEFAULT -3, b VARCHAR(4) DEFAULT 'x''y', "+
		"c DATETIME DEFAULT CURRENT_TIMESTAMP, d INT DEFAULT NULL, e BIT(3) DEFAULT b'101', f INT DEFAULT (1+2), g TEXT COMMENT 'note')")
	tbl := s.Table(ID{"db", "t"})
	check := func(name string, optional, hasDefault bool, def *string) {
		t.Helper()
		c := tbl.Column(name)
		if c.Optional != optional || c.HasDefault != hasDefault || (c.DefaultExpr == nil) != (def == nil) ||
			def != nil && *c.DefaultExpr != *def {
			t.Errorf("%s: optional %v hasDefault %v default %v; want %v %v %v", name, c.Optional, c.HasDefault, c.DefaultExpr, optional, hasDefault, def)
		}
	}
	if c := tbl.Column("id"); c.TypeName != "BIGINT UNSIGNED" || !c.AutoIncremented || !c.Generated || c.Optional {
		t.Errorf("SERIAL: %+v", c)
	}
	if strings.Join(tbl.PrimaryKey, ",") != "id" {
		t.Errorf("SERIAL's UNIQUE makes the key (as Debezium): %v", tbl.PrimaryKey)
	}
	check("a", false, true, strp("-3"))
	check("b", true, true, strp("x'y"))
	check("c", true, true, strp("1970-01-01 00:00:00"))
	check("d", true, true, nil) // DEFAULT NULL: hasDefaultValue without expression, as Debezium
	check("e", true, true, strp("101"))
	check("f", true, true, nil)
	if c := tbl.Column("g"); c.Comment != "note" {
		t.Errorf("comment %q", c.Comment)
	}
}

func TestApplyPrimaryKeys(t *testing.T) {
	tests := []struct {
		name  string
		stmts []string
		want  string
	}{
		{"column", []string{"CREATE TABLE t (a INT PRIMARY KEY, b INT)"}, "a"},
		{"table", []string{"CREATE TABLE t (a INT, b INT, PRIMARY KEY (b, a))"}, "b,a"},
		{"unique not null", []string{"CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, UNIQUE KEY u (b, a))"}, "b,a"},
		{"unique nullable", []string{"CREATE TABLE t (a INT, b INT NOT NULL, UNIQUE KEY u (b, a))"}, ""},
		{"unique column", []string{"CREATE TABLE t (a INT UNIQUE, b INT)"}, "a"},
		{"pk wins over unique", []string{"CREATE TABLE t (a INT NOT NULL UNIQUE, b INT, PRIMARY KEY (b))"}, "b"},
		{"add", []string{"CREATE TABLE t (a INT, b INT)", "ALTER TABLE t ADD PRIMARY KEY (a)"}, "a"},
		{"drop", []string{"CREATE TABLE t (a INT PRIMARY KEY)", "ALTER TABLE t DROP PRIMARY KEY"}, ""},
		{"rename column", []string{"CREATE TABLE t (a INT PRIMARY KEY)", "ALTER TABLE t CHANGE a z BIGINT"}, "z"},
		{"rename column 2", []string{"CREATE TABLE t (a INT PRIMARY KEY)", "ALTER TABLE t RENAME COLUMN a TO y"}, "y"},
		{"drop key column", []string{"CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b))", "ALTER TABLE t DROP COLUMN a"}, "b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSchema(Options{})
			mustApply(t, s, "db", tc.stmts...)
			tbl := s.Table(ID{"db", "t"})
			if got := strings.Join(tbl.PrimaryKey, ","); got != tc.want {
				t.Fatalf("primary key %q, want %q", got, tc.want)
			}
			for _, n := range tbl.PrimaryKey {
				if tbl.Column(n).Optional {
					t.Errorf("key column %s is optional", n)
				}
			}
		})
	}
}

func columnNames(t *Table) string {
	var n []string
	for i, c := range t.Columns {
		if c.Position != i+1 {
			return "bad position"
		}
		n = append(n, c.Name)
	}
	return strings.Join(n, ",")
}

func TestApplyStatements(t *testing.T) {
	s := NewSchema(Options{})
	ch := mustApply(t, s, "db",
		"CREATE DATABASE other CHARACTER SET latin1",
		"CREATE TABLE t (a INT, b VARCHAR(3))",
		"CREATE TABLE other.o (x CHAR(2))",
		"ALTER TABLE t ADD COLUMN c INT FIRST, ADD COLUMN d INT AFTER a, ADD e INT",
		"ALTER TABLE t MODIFY b VARCHAR(9) NOT NULL FIRST",
		"ALTER TABLE t DROP COLUMN e",
		"RENAME TABLE t TO t2, other.o TO other.o2",
		"ALTER TABLE t2 RENAME TO db.t3, DEFAULT CHARSET latin1, COMMENT 'c'",
		"CREATE TABLE t4 LIKE t3",
		"CREATE TABLE IF NOT EXISTS t4 (z INT)",
		"TRUNCATE t4",
		"DROP TABLE IF EXISTS t4, other.o2",
		"DROP DATABASE other",
	)
	var kinds []string
	for _, c := range ch {
		k := string(c.Type) + " " + c.ID.String()
		if c.PreviousID != nil {
			k += " from " + c.PreviousID.String()
		}
		kinds = append(kinds, k)
	}
	want := []string{"DATABASE other.", "CREATE db.t", "CREATE other.o", "ALTER db.t", "ALTER db.t", "ALTER db.t",
		"ALTER db.t2 from db.t", "ALTER other.o2 from other.o", "ALTER db.t3 from db.t2", "CREATE db.t4", "TRUNCATE db.t4",
		"DROP db.t4", "DROP other.o2", "DATABASE other."}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Fatalf("changes\n%s\nwant\n%s", strings.Join(kinds, "|"), strings.Join(want, "|"))
	}
	if ch[2].Table.Columns[0].Charset != "latin1" || ch[2].Table.DefaultCharset != "latin1" {
		t.Errorf("a table of database other takes its charset latin1: %+v", ch[2].Table)
	}
	if ch[11].DDL != "DROP TABLE IF EXISTS `db`.`t4`" || ch[12].DB != "other" {
		t.Errorf("DROP of several tables: one change each, Debezium's DDL text: %+v %+v", ch[11], ch[12])
	}
	t3 := s.Table(ID{"db", "t3"})
	if got := columnNames(t3); got != "b,c,a,d" {
		t.Errorf("columns %s, want b,c,a,d", got)
	}
	if t3.DefaultCharset != "latin1" || t3.Comment != "c" || t3.Column("b").Charset != "utf8mb4" {
		t.Errorf("table options: %+v", t3)
	}
	if len(s.Tables()) != 1 {
		t.Errorf("tables left: %v", s.Tables())
	}
	// Changes hold copies: later DDL does not change them.
	if columnNames(ch[1].Table) != "a,b" {
		t.Errorf("the CREATE's table changed afterwards: %s", columnNames(ch[1].Table))
	}
}

func TestApplySetCharsetServer(t *testing.T) {
	s := NewSchema(Options{ServerCharset: "latin1"})
	if ch := mustApply(t, s, "", "SET character_set_server=utf8mb4, collation_server=utf8mb4_general_ci"); len(ch) != 0 {
		t.Errorf("changes: %+v", ch)
	}
	mustApply(t, s, "db", "CREATE DATABASE d2", "CREATE TABLE d2.t (a VARCHAR(2))")
	if cs := s.Table(ID{"d2", "t"}).Columns[0].Charset; cs != "utf8mb4" {
		t.Errorf("charset %q, want the server's utf8mb4", cs)
	}
	mustApply(t, s, "", "SET GLOBAL character_set_server = 'latin2'")
	if cs := s.DatabaseCharset("d3"); cs != "latin2" {
		t.Errorf("charset %q, want latin2", cs)
	}
}

func TestApplyIgnores(t *testing.T) {
	s := NewSchema(Options{})
	mustApply(t, s, "db", "CREATE TABLE t (a INT)")
	for _, q := range []string{
		"BEGIN", "COMMIT", "SET NAMES utf8mb4", "GRANT SELECT ON db.* TO 'u'@'%'", "CREATE USER 'u'@'%' IDENTIFIED BY 'pw'",
		"FLUSH PRIVILEGES", "ANALYZE TABLE t", "CREATE FUNCTION f() RETURNS INT RETURN 1",
		"CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN SELECT 1; END", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
		"CREATE VIEW v AS SELECT 1", "DROP VIEW v", "INSERT INTO t VALUES (1)", "CREATE INDEX i ON t (a)", "DROP INDEX i ON t",
		"ALTER TABLE mysql.nonesuch ADD COLUMN x INT", "CREATE TEMPORARY TABLE tmp (a INT)", "DROP TEMPORARY TABLE tmp",
		"# a comment", "",
	} {
		ch, err := s.Apply(parser.New(), "db", q)
		if err != nil {
			t.Errorf("%q: %v", q, err)
		}
		for _, c := range ch {
			if c.Type != ChangeAlter && c.Type != ChangeDatabase {
				t.Errorf("%q: change %+v", q, c)
			}
		}
	}
	if got := columnNames(s.Table(ID{"db", "t"})); got != "a" {
		t.Errorf("t changed: %s", got)
	}
}

func TestApplyUnparseable(t *testing.T) {
	f, err := NewFilter(map[string]string{KeyTableInclude: "db\\.captured.*"})
	if err != nil {
		t.Fatal(err)
	}
	bad := "ALTER TABLE captured ADD COLUMN x NOSUCHTYPE"
	s := NewSchema(Options{Filter: f})
	_, err = s.Apply(parser.New(), "db", bad)
	var ue *UnparseableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "skip.unparseable.ddl") {
		t.Fatalf("want an UnparseableError naming the statement, got %v", err)
	}
	for _, q := range []string{
		"ALTER TABLE other ADD COLUMN x NOSUCHTYPE",          // not captured
		"ALTER TABLE mysql.captured ADD COLUMN x NOSUCHTYPE", // system database
		"CREATE PROCEDURE p() NOSUCH SYNTAX",
		"SOMETHING ELSE ENTIRELY",
	} {
		if _, err := s.Apply(parser.New(), "db", q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	if _, err := s.Apply(parser.New(), "db", "RENAME TABLE other TO x, captured2 TO y NOSUCH"); err == nil {
		t.Errorf("a RENAME list that names a captured table after the first: want an error")
	}
	if _, err := s.Apply(parser.New(), "db", "ALTER TABLE captured_unknown ADD COLUMN x INT"); err == nil ||
		!strings.Contains(err.Error(), "db.captured_unknown") {
		t.Errorf("an ALTER of a captured table the schema lacks: want an error naming it, got %v", err)
	}
	if _, err := s.Apply(parser.New(), "db", "ALTER TABLE other_unknown ADD COLUMN x INT"); err != nil {
		t.Errorf("an ALTER of an unknown table that is not captured: %v", err)
	}
	var logs strings.Builder
	skip := NewSchema(Options{Filter: f, SkipUnparseableDDL: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if _, err := skip.Apply(parser.New(), "db", bad); err != nil {
		t.Fatalf("with skip: %v", err)
	}
	if !strings.Contains(logs.String(), "NOSUCHTYPE") {
		t.Errorf("the skipped statement is logged: %q", logs.String())
	}
}

func TestSchemaClone(t *testing.T) {
	s := NewSchema(Options{})
	mustApply(t, s, "db", "CREATE TABLE t (a ENUM('x') DEFAULT 'x', b DECIMAL(4,2))")
	c := s.Clone()
	mustApply(t, s, "db", "ALTER TABLE t DROP COLUMN b", "ALTER TABLE t MODIFY a ENUM('y') DEFAULT 'y'")
	tbl := c.Table(ID{"db", "t"})
	if columnNames(tbl) != "a,b" || tbl.Columns[0].EnumValues[0] != "x" || *tbl.Columns[0].DefaultExpr != "x" {
		t.Fatalf("the clone changed with the original: %+v", tbl)
	}
}

func FuzzApply(f *testing.F) {
	for _, s := range []string{
		"CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR(3) DEFAULT 'x')",
		"ALTER TABLE t ADD COLUMN c INT AFTER a, DROP COLUMN b, RENAME TO u",
		"RENAME TABLE t TO u, u TO v", "DROP TABLE IF EXISTS t, u", "CREATE OR REPLACE TABLE t (u UUID, p POINT)",
		"ALTER TABLE t CHANGE a a2 BIGINT FIRST, ADD PRIMARY KEY (a2), CONVERT TO CHARACTER SET latin1",
		"CREATE DATABASE d CHARACTER SET utf8", "TRUNCATE t", "CREATE TABLE t2 LIKE t", "/* c */ CREATE TABLE `x``y` (`a` INT)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ddl string) {
		stop := testkit.HangGuard(t, 10*time.Second)
		defer stop()
		s := NewSchema(Options{Logger: slog.New(slog.DiscardHandler)})
		p := parser.New()
		mustApplyQuiet(s, p, "CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR(3) DEFAULT 'x', c ENUM('x'))")
		ch, _ := s.Apply(p, "db", ddl)
		for _, c := range ch {
			if (c.Type == ChangeCreate || c.Type == ChangeAlter) && c.Table == nil {
				t.Fatalf("%s without a table", c.Type)
			}
		}
		for _, tbl := range s.Tables() {
			for i, c := range tbl.Columns {
				if c.Position != i+1 {
					t.Fatalf("%s: column %s at position %d of %d", tbl.ID, c.Name, c.Position, i+1)
				}
			}
			for _, k := range tbl.PrimaryKey {
				if tbl.Column(k) == nil {
					t.Fatalf("%s: key column %s is not a column", tbl.ID, k)
				}
			}
		}
	})
}

func mustApplyQuiet(s *Schema, p *parser.Parser, ddl string) { _, _ = s.Apply(p, "db", ddl) }
