package tables

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// UnparseableError is Apply's error for a statement the parser cannot
// read and that may change a captured table.
type UnparseableError struct {
	// DDL is the statement, Err the parser's message.
	DDL string
	Err error
}

// Error names the statement and the key that skips such statements.
func (e *UnparseableError) Error() string {
	return "cannot parse the DDL statement " + quoteDDL(e.DDL) + " (it may change a captured table; " +
		"schema.history.internal.skip.unparseable.ddl=true skips such statements): " + e.Err.Error()
}

// Unwrap returns the parser's error.
func (e *UnparseableError) Unwrap() error { return e.Err }

// Apply applies the SQL of one binary log QUERY event (or a SHOW CREATE
// TABLE answer), run in database defaultDB, and returns what each of its
// statements changed, in order. Statements that change no table
// structure (BEGIN, GRANT, SET, CREATE VIEW/PROCEDURE/TRIGGER...) yield
// no Change and no error. A statement the parser cannot read fails with
// an *UnparseableError when it may change a captured table (unless
// Options.SkipUnparseableDDL), and is skipped otherwise. An ALTER TABLE of
// a captured table the schema does not know fails too (as Debezium's
// parser fails it; Options.SkipUnparseableDDL skips it); other statements
// on unknown tables (RENAME, CREATE ... LIKE) change nothing.
//
// MariaDB's CREATE OR REPLACE TABLE, which TiDB's parser lacks, is read
// as a CREATE TABLE that replaces the table.
func (s *Schema) Apply(p *parser.Parser, defaultDB, ddl string) (changes []Change, err error) {
	// The parser is a third party's and the statements come from the
	// binary log: a panic on some input must fail the statement, not the
	// worker.
	defer func() {
		if r := recover(); r != nil {
			changes, err = nil, fmt.Errorf("applying the DDL statement %s: the parser failed: %v", quoteDDL(ddl), r)
		}
	}()
	return s.apply(p, defaultDB, ddl)
}

func (s *Schema) apply(p *parser.Parser, defaultDB, ddl string) ([]Change, error) {
	if setCharsetServer.MatchString(ddl) {
		s.setStatement(p, ddl)
		return nil, nil
	}
	if !mayBeDDL(ddl) {
		return nil, nil
	}
	sql, replace := rewriteMariaDB(ddl)
	stmts, _, err := p.Parse(sql, "", "")
	if err != nil {
		alt, ok1 := rewriteSpecialTypes(sql)
		alt, ok2 := rewriteExprDefaults(alt)
		alt, ok3 := rewriteMariaDBClauses(alt)
		if ok1 || ok2 || ok3 {
			if st, _, err2 := p.Parse(alt, "", ""); err2 == nil {
				stmts, err = st, nil
			}
		}
	}
	if err != nil {
		if !s.mayTouchCaptured(defaultDB, ddl) {
			return nil, nil
		}
		uerr := &UnparseableError{DDL: ddl, Err: err}
		if s.opts.SkipUnparseableDDL {
			s.opts.Logger.Warn("skipping a DDL statement the parser cannot read (schema.history.internal.skip.unparseable.ddl=true)",
				"error", uerr)
			return nil, nil
		}
		return nil, uerr
	}
	var out []Change
	for _, st := range stmts {
		text := strings.TrimSpace(st.Text())
		if text == "" || len(stmts) == 1 {
			text = ddl
		}
		a := applier{s: s, db: defaultDB, ddl: text, replace: replace}
		if err := a.stmt(st); err != nil {
			return out, err
		}
		out = append(out, a.changes...)
	}
	return out, nil
}

// ddlStart is what a statement that may change the schema starts with,
// after comments.
var ddlStart = regexp.MustCompile(`(?is)^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*|#[^\n]*\n\s*)*(?:CREATE|ALTER|DROP|RENAME|TRUNCATE)\b`)

func mayBeDDL(sql string) bool { return ddlStart.MatchString(sql) }

// setCharsetServer matches a SET of character_set_server, which Debezium
// writes to the history it snapshots (and which sets the character set
// of databases created without one).
var setCharsetServer = regexp.MustCompile(`(?is)^\s*(?:/\*.*?\*/\s*)*SET\b.*\bcharacter_set_server\b`)

func (s *Schema) setStatement(p *parser.Parser, sql string) {
	stmts, _, err := p.Parse(sql, "", "")
	if err != nil {
		return
	}
	for _, st := range stmts {
		set, ok := st.(*ast.SetStmt)
		if !ok {
			continue
		}
		for _, v := range set.Variables {
			if v == nil || !strings.EqualFold(v.Name, "character_set_server") || v.Value == nil {
				continue
			}
			val := exprString(v.Value)
			if cn, ok := v.Value.(*ast.ColumnNameExpr); ok {
				val = cn.Name.Name.O // SET character_set_server=utf8mb4 (a bare word)
			}
			if val != "" && !strings.EqualFold(val, "DEFAULT") {
				s.opts.ServerCharset = normCharset(val)
			}
		}
	}
}

var createOrReplace = regexp.MustCompile(`(?is)^(\s*(?:/\*.*?\*/\s*)*CREATE)\s+OR\s+REPLACE(\s+(?:TEMPORARY\s+)?TABLE\b)`)

// rewriteMariaDB turns MariaDB syntax TiDB's parser lacks into what it
// reads; replace is set for CREATE OR REPLACE TABLE.
func rewriteMariaDB(sql string) (out string, replace bool) {
	if loc := createOrReplace.FindStringSubmatchIndex(sql); loc != nil {
		return sql[:loc[3]] + sql[loc[4]:loc[5]] + sql[loc[1]:], true
	}
	return sql, false
}

// tableNamesIn finds the tables an unparseable statement names after
// TABLE(S) or in a RENAME's pairs: a best effort for deciding whether it
// may touch a captured table.
var (
	tableStmt = regexp.MustCompile(`(?is)^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*|#[^\n]*\n\s*)*` +
		`(CREATE(?:\s+OR\s+REPLACE)?(?:\s+TEMPORARY)?|ALTER(?:\s+ONLINE|\s+IGNORE)*|DROP(?:\s+TEMPORARY)?|RENAME|TRUNCATE)\s+(TABLES?)\b(.*)$`)
	notTableStmt = regexp.MustCompile(`(?is)^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*|#[^\n]*\n\s*)*` +
		`(?:CREATE|ALTER|DROP)\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:AGGREGATE\s+)?` +
		`(?:VIEW|FUNCTION|PROCEDURE|TRIGGER|EVENT|USER|ROLE|SERVER|SEQUENCE|LOGFILE|TABLESPACE|INDEX|UNIQUE|FULLTEXT|SPATIAL|DATABASE|SCHEMA|PACKAGE)\b`)
	identifier = `(?:` + "`(?:[^`]|``)+`" + `|[\w$]+)`
	qualified  = regexp.MustCompile(`^\s*(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(` + identifier + `)(?:\s*\.\s*(` + identifier + `))?`)
)

func (s *Schema) mayTouchCaptured(defaultDB, sql string) bool {
	if notTableStmt.MatchString(sql) {
		return false
	}
	m := tableStmt.FindStringSubmatch(sql)
	if m == nil {
		// Not recognisably a table statement, but it may still be one
		// (an unusual comment, a MariaDB form): assume the worst.
		return true
	}
	verb, kw, rest := strings.ToUpper(m[1]), m[2], m[3]
	q := qualified.FindStringSubmatch(rest)
	if q == nil {
		return true
	}
	id := ID{DB: defaultDB, Table: unquoteIdent(q[1])}
	if q[2] != "" {
		id = ID{DB: unquoteIdent(q[1]), Table: unquoteIdent(q[2])}
	}
	if s.opts.Filter == nil {
		return !isSystemDB(id.DB)
	}
	// Only the first table is found; a later one of a RENAME or DROP
	// list may be captured too. CREATE, ALTER and TRUNCATE name one table
	// (an ALTER's commas separate its specifications).
	list := strings.HasPrefix(verb, "RENAME") || strings.HasPrefix(verb, "DROP")
	return s.opts.Filter.TableIncluded(id) || (list && strings.Contains(rest, ",")) || strings.EqualFold(kw, "TABLES")
}

func unquoteIdent(s string) string {
	if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
		return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
	}
	return s
}

// applier applies one statement.
type applier struct {
	s       *Schema
	db      string
	ddl     string
	replace bool
	changes []Change
}

func (a *applier) id(tn *ast.TableName) ID {
	db := tn.Schema.O
	if db == "" {
		db = a.db
	}
	return ID{DB: db, Table: tn.Name.O}
}

func (a *applier) add(c Change) {
	c.DDL = a.ddl
	if c.DB == "" {
		c.DB = c.ID.DB
	}
	if c.Table != nil {
		c.Table = c.Table.Clone()
	}
	a.changes = append(a.changes, c)
}

func (a *applier) stmt(st ast.StmtNode) error {
	switch n := st.(type) {
	case *ast.CreateTableStmt:
		return a.createTable(n)
	case *ast.AlterTableStmt:
		return a.alterTable(n)
	case *ast.RenameTableStmt:
		for _, tt := range n.TableToTables {
			from, to := a.id(tt.OldTable), a.id(tt.NewTable)
			t := a.s.tables[from]
			if t == nil {
				continue
			}
			delete(a.s.tables, from)
			t.ID = to
			a.s.tables[to] = t
			prev := from
			a.add(Change{Type: ChangeAlter, ID: to, PreviousID: &prev, Table: t})
		}
	case *ast.DropTableStmt:
		if n.IsView || n.TemporaryKeyword != ast.TemporaryNone {
			return nil
		}
		prefix := "DROP TABLE "
		if n.IfExists {
			prefix += "IF EXISTS "
		}
		for _, tn := range n.Tables {
			id := a.id(tn)
			delete(a.s.tables, id)
			a.changes = append(a.changes, Change{Type: ChangeDrop, DB: id.DB, ID: id,
				DDL: prefix + quoteIdent(id.DB) + "." + quoteIdent(id.Table)})
		}
	case *ast.TruncateTableStmt:
		a.add(Change{Type: ChangeTruncate, ID: a.id(n.Table)})
	case *ast.CreateDatabaseStmt:
		if cs := dbCharset(n.Options); cs != "" {
			a.s.charsets[n.Name.O] = cs
		} else if _, ok := a.s.charsets[n.Name.O]; !ok || !n.IfNotExists {
			a.s.charsets[n.Name.O] = a.s.opts.ServerCharset
		}
		a.add(Change{Type: ChangeDatabase, DB: n.Name.O, ID: ID{DB: n.Name.O}})
	case *ast.AlterDatabaseStmt:
		db := n.Name.O
		if n.AlterDefaultDatabase || db == "" {
			db = a.db
		}
		if cs := dbCharset(n.Options); cs != "" {
			a.s.charsets[db] = cs
		}
		a.add(Change{Type: ChangeDatabase, DB: db, ID: ID{DB: db}})
	case *ast.DropDatabaseStmt:
		db := n.Name.O
		for id := range a.s.tables {
			if id.DB == db {
				delete(a.s.tables, id)
			}
		}
		delete(a.s.charsets, db)
		a.add(Change{Type: ChangeDatabase, DB: db, ID: ID{DB: db}})
	}
	return nil
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func dbCharset(opts []*ast.DatabaseOption) string {
	cs := ""
	for _, o := range opts {
		switch o.Tp {
		case ast.DatabaseOptionCharset:
			cs = o.Value
		case ast.DatabaseOptionCollate:
			if cs == "" {
				cs = charsetOfCollation(o.Value)
			}
		}
	}
	return normCharset(cs)
}

func charsetOfCollation(c string) string {
	c = strings.ToLower(c)
	if i := strings.IndexByte(c, '_'); i > 0 {
		return normCharset(c[:i])
	}
	return normCharset(c)
}

func (a *applier) createTable(n *ast.CreateTableStmt) error {
	if n.TemporaryKeyword != ast.TemporaryNone {
		return nil
	}
	id := a.id(n.Table)
	if _, exists := a.s.tables[id]; exists && n.IfNotExists && !a.replace {
		return nil
	}
	if n.ReferTable != nil {
		src := a.s.tables[a.id(n.ReferTable)]
		if src == nil {
			return nil
		}
		t := src.Clone()
		t.ID = id
		a.s.tables[id] = t
		a.add(Change{Type: ChangeCreate, ID: id, Table: t})
		return nil
	}
	t := &Table{ID: id}
	for _, o := range n.Options {
		a.tableOption(t, o, false)
	}
	if t.DefaultCharset == "" {
		t.DefaultCharset = a.s.DatabaseCharset(id.DB)
	}
	for _, cd := range n.Cols {
		col, pk, unique := a.column(t, cd)
		t.Columns = append(t.Columns, col)
		switch {
		case pk:
			t.PrimaryKey = []string{col.Name}
		case unique && len(t.PrimaryKey) == 0:
			t.PrimaryKey = []string{col.Name}
		}
	}
	for _, c := range n.Constraints {
		a.constraint(t, c)
	}
	t.finish()
	a.s.tables[id] = t
	a.add(Change{Type: ChangeCreate, ID: id, Table: t})
	return nil
}

// tableOption applies a CHARSET or COMMENT table option; convert is set
// for ALTER TABLE ... CONVERT TO CHARACTER SET, which changes the
// character columns too.
func (a *applier) tableOption(t *Table, o *ast.TableOption, alter bool) {
	switch o.Tp {
	case ast.TableOptionCharset:
		if o.StrValue == "" || strings.EqualFold(o.StrValue, "DEFAULT") {
			return
		}
		cs := normCharset(o.StrValue)
		t.DefaultCharset = cs
		if alter && o.UintValue == ast.TableOptionCharsetWithConvertTo {
			for i := range t.Columns {
				if usesCharset(t.Columns[i].JDBCType) {
					t.Columns[i].Charset = cs
				}
			}
		}
	case ast.TableOptionCollate:
		if t.DefaultCharset == "" && o.StrValue != "" {
			t.DefaultCharset = charsetOfCollation(o.StrValue)
		}
	case ast.TableOptionComment:
		t.Comment = o.StrValue
	}
}

func (a *applier) constraint(t *Table, c *ast.Constraint) {
	switch c.Tp {
	case ast.ConstraintPrimaryKey:
		t.PrimaryKey = keyColumns(t, c.Keys)
	case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
		if len(t.PrimaryKey) > 0 {
			return
		}
		// Debezium takes a unique key as the primary key when the table
		// has none and every column of the key is NOT NULL.
		names := keyColumns(t, c.Keys)
		if len(names) == 0 || len(names) != len(c.Keys) {
			return
		}
		for _, n := range names {
			if col := t.Column(n); col == nil || col.Optional {
				return
			}
		}
		t.PrimaryKey = names
	}
}

func keyColumns(t *Table, keys []*ast.IndexPartSpecification) []string {
	var out []string
	for _, k := range keys {
		if k.Column == nil {
			continue // an expression
		}
		if col := t.Column(k.Column.Name.O); col != nil {
			out = append(out, col.Name)
		}
	}
	return out
}

// finish numbers the columns, makes primary key columns NOT NULL and
// gives character columns without a character set the table's.
func (t *Table) finish() {
	for i := range t.Columns {
		c := &t.Columns[i]
		c.Position = i + 1
		if slices.ContainsFunc(t.PrimaryKey, func(n string) bool { return strings.EqualFold(n, c.Name) }) {
			c.Optional = false
		}
		if c.Charset == "" && usesCharset(c.JDBCType) {
			c.Charset = t.DefaultCharset
		}
	}
}

// The java.sql.Types codes Debezium records.
const (
	jdbcBit          = -7
	jdbcSmallint     = 5
	jdbcInteger      = 4
	jdbcBigint       = -5
	jdbcFloat        = 6
	jdbcDouble       = 8
	jdbcDecimal      = 3
	jdbcChar         = 1
	jdbcVarchar      = 12
	jdbcNChar        = -15
	jdbcNVarchar     = -9
	jdbcBinary       = -2
	jdbcVarbinary    = -3
	jdbcBlob         = 2004
	jdbcDate         = 91
	jdbcTime         = 92
	jdbcTimestamp    = 93
	jdbcTimestampTZ  = 2014
	jdbcOther        = 1111
	jdbcBoolean      = 16
	jdbcLongVarchar  = -1
	jdbcLongNVarchar = -16
)

// usesCharset is Debezium's Column.typeUsesCharset.
func usesCharset(jdbc int) bool {
	switch jdbc {
	case jdbcChar, jdbcVarchar, jdbcNChar, jdbcNVarchar, jdbcLongVarchar, jdbcLongNVarchar:
		return true
	}
	return false
}

// column reads a column definition as Debezium's MySQL DDL parser does;
// pk and unique report PRIMARY KEY and UNIQUE column options.
func (a *applier) column(t *Table, cd *ast.ColumnDef) (col Column, pk, unique bool) {
	col = Column{Name: cd.Name.Name.O, Optional: true, Length: -1}
	typeOf(&col, cd.Tp)
	for _, o := range cd.Options {
		switch o.Tp {
		case ast.ColumnOptionNotNull:
			col.Optional = false
		case ast.ColumnOptionNull:
			col.Optional = true
		case ast.ColumnOptionPrimaryKey:
			col.Optional = false
			pk = true
		case ast.ColumnOptionUniqKey:
			unique = true
		case ast.ColumnOptionAutoIncrement:
			col.AutoIncremented = true
			col.Generated = true
		case ast.ColumnOptionDefaultValue:
			col.HasDefault, col.DefaultExpr = defaultOf(o.Expr)
		case ast.ColumnOptionComment:
			col.Comment = exprString(o.Expr)
		case ast.ColumnOptionCollate:
			if col.Charset == "" && usesCharset(col.JDBCType) {
				col.Charset = charsetOfCollation(o.StrValue)
			}
		}
	}
	if col.TypeName == "BIGINT UNSIGNED" && cd.Tp.GetFlag()&mysql.AutoIncrementFlag != 0 {
		// SERIAL: BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE.
		col.Optional, col.AutoIncremented, col.Generated, unique = false, true, true, true
	}
	return col, pk, unique
}

// typeOf fills the type fields of col from ft.
func typeOf(col *Column, ft *types.FieldType) {
	if n := specialType(ft); n != "" {
		col.TypeName, col.TypeExpression, col.JDBCType, col.Length = n, n, jdbcOther, -1
		return
	}
	flen, dec := ft.GetFlen(), ft.GetDecimal()
	binary := ft.GetCharset() == "binary"
	name, jdbc := "", jdbcOther
	length := -1
	var scale *int
	numeric := false
	switch ft.GetType() {
	case mysql.TypeTiny:
		// SMALLINT, as Debezium's MySQL type resolver records TINYINT
		// (captured from Debezium 3.6.1).
		name, jdbc, numeric, length = "TINYINT", jdbcSmallint, true, flen
	case mysql.TypeShort:
		name, jdbc, numeric, length = "SMALLINT", jdbcSmallint, true, flen
	case mysql.TypeInt24:
		name, jdbc, numeric, length = "MEDIUMINT", jdbcInteger, true, flen
	case mysql.TypeLong:
		name, jdbc, numeric, length = "INT", jdbcInteger, true, flen
	case mysql.TypeLonglong:
		name, jdbc, numeric, length = "BIGINT", jdbcBigint, true, flen
	case mysql.TypeFloat:
		name, jdbc, numeric, length = "FLOAT", jdbcFloat, true, flen
		if dec >= 0 && flen >= 0 {
			scale = &dec
		}
	case mysql.TypeDouble:
		name, jdbc, numeric, length = "DOUBLE", jdbcDouble, true, flen
		if dec >= 0 && flen >= 0 {
			scale = &dec
		}
	case mysql.TypeNewDecimal:
		name, jdbc, numeric = "DECIMAL", jdbcDecimal, true
		length = flen
		if length < 0 {
			length = 10
		}
		s := max(dec, 0)
		scale = &s
	case mysql.TypeBit:
		name, jdbc, length = "BIT", jdbcBit, flen
		if length < 0 {
			length = 1
		}
	case mysql.TypeDate:
		name, jdbc = "DATE", jdbcDate
	case mysql.TypeDuration:
		name, jdbc, length = "TIME", jdbcTime, fsp(dec)
	case mysql.TypeDatetime:
		name, jdbc, length = "DATETIME", jdbcTimestamp, fsp(dec)
	case mysql.TypeTimestamp:
		name, jdbc, length = "TIMESTAMP", jdbcTimestampTZ, fsp(dec)
	case mysql.TypeYear:
		name, jdbc, length = "YEAR", jdbcInteger, flen
	case mysql.TypeString:
		name, jdbc, length = "CHAR", jdbcChar, flen
		if binary {
			name, jdbc = "BINARY", jdbcBinary
		}
	case mysql.TypeVarchar, mysql.TypeVarString:
		name, jdbc, length = "VARCHAR", jdbcVarchar, flen
		if binary {
			name, jdbc = "VARBINARY", jdbcVarbinary
		}
	case mysql.TypeTinyBlob, mysql.TypeBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		size := map[byte]string{mysql.TypeTinyBlob: "TINY", mysql.TypeBlob: "", mysql.TypeMediumBlob: "MEDIUM", mysql.TypeLongBlob: "LONG"}[ft.GetType()]
		if binary {
			name, jdbc = size+"BLOB", jdbcBlob
		} else {
			name, jdbc = size+"TEXT", jdbcVarchar
		}
		if flen >= 0 && ft.GetType() == mysql.TypeBlob {
			length = flen
		}
	case mysql.TypeEnum:
		name, jdbc, length = "ENUM", jdbcChar, 1
		col.EnumValues = slices.Clone(ft.GetElems())
	case mysql.TypeSet:
		name, jdbc = "SET", jdbcChar
		col.EnumValues = slices.Clone(ft.GetElems())
		length = max(0, 2*len(col.EnumValues)-1)
	case mysql.TypeJSON:
		name = "JSON"
	case mysql.TypeGeometry:
		name = "GEOMETRY"
	case mysql.TypeTiDBVectorFloat32:
		name = "VECTOR"
	default:
		name = strings.ToUpper(types.TypeToStr(ft.GetType(), ft.GetCharset()))
	}
	if numeric {
		switch {
		case ft.GetFlag()&mysql.ZerofillFlag != 0:
			name += " UNSIGNED ZEROFILL"
			col.Unsigned = true
		case ft.GetFlag()&mysql.UnsignedFlag != 0:
			name += " UNSIGNED"
			col.Unsigned = true
		}
	}
	if !binary && usesCharset(jdbc) {
		if cs := ft.GetCharset(); cs != "" {
			col.Charset = normCharset(cs)
		} else if c := ft.GetCollate(); c != "" {
			col.Charset = charsetOfCollation(c)
		}
	}
	if length < 0 {
		length = -1
	}
	col.TypeName, col.TypeExpression, col.JDBCType, col.Length, col.Scale = name, name, jdbc, length, scale
}

func fsp(dec int) int {
	if dec < 0 {
		return -1
	}
	return dec
}

// defaultOf is a DEFAULT as Debezium records it: DEFAULT NULL is a
// default with a null expression; a literal is its value; CURRENT_TIMESTAMP/NOW() is
// "1970-01-01 00:00:00"; another expression is a default with a null
// expression.
func defaultOf(e ast.ExprNode) (bool, *string) {
	switch v := e.(type) {
	case ast.ValueExpr:
		if v.GetValue() == nil {
			return true, nil
		}
		if s, ok := v.GetValue().(string); ok && s == exprDefaultMarker {
			return true, nil
		}
		s := valueString(v)
		return true, &s
	case *ast.UnaryOperationExpr:
		if inner, ok := v.V.(ast.ValueExpr); ok && inner.GetValue() != nil {
			s := restore(e)
			if strings.HasPrefix(s, "-") {
				s = "-" + valueString(inner)
			}
			return true, &s
		}
	case *ast.FuncCallExpr:
		switch v.FnName.L {
		case "current_timestamp", "now", "localtime", "localtimestamp":
			s := "1970-01-01 00:00:00"
			return true, &s
		}
	}
	return true, nil
}

func valueString(v ast.ValueExpr) string {
	switch x := v.GetValue().(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	s := restore(v)
	// A bit literal b'101' is recorded as its digits.
	if strings.HasPrefix(s, "b'") && strings.HasSuffix(s, "'") {
		return s[2 : len(s)-1]
	}
	return s
}

func exprString(e ast.ExprNode) string {
	if v, ok := e.(ast.ValueExpr); ok {
		if s, ok := v.GetValue().(string); ok {
			return s
		}
	}
	return restore(e)
}

func restore(n ast.Node) string {
	var sb strings.Builder
	if err := n.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &sb)); err != nil {
		return ""
	}
	return sb.String()
}

func (a *applier) alterTable(n *ast.AlterTableStmt) error {
	id := a.id(n.Table)
	old := a.s.tables[id]
	if old == nil {
		if !a.s.opts.Filter.TableIncluded(id) {
			return nil
		}
		// As Debezium: the schema misses a captured table (created
		// before the history began, or while the filters left it out),
		// so the events after this statement could not be read right.
		err := fmt.Errorf("the DDL statement %s alters the captured table %s, which the schema does not know "+
			"(created before the schema history began?); a new snapshot (snapshot.mode=recovery or when_needed) rebuilds it", quoteDDL(a.ddl), id)
		if a.s.opts.SkipUnparseableDDL {
			a.s.opts.Logger.Warn("skipping a DDL statement on an unknown table (schema.history.internal.skip.unparseable.ddl=true)", "error", err)
			return nil
		}
		return err
	}
	t := old.Clone()
	var prev *ID
	for _, sp := range n.Specs {
		if err := a.alterSpec(t, sp, &prev); err != nil {
			return fmt.Errorf("applying %s to %s: %w", quoteDDL(a.ddl), id, err)
		}
	}
	t.finish()
	delete(a.s.tables, id)
	a.s.tables[t.ID] = t
	a.add(Change{Type: ChangeAlter, ID: t.ID, PreviousID: prev, Table: t})
	return nil
}

func (a *applier) alterSpec(t *Table, sp *ast.AlterTableSpec, prev **ID) error {
	switch sp.Tp {
	case ast.AlterTableAddColumns:
		for i, cd := range sp.NewColumns {
			if t.Column(cd.Name.Name.O) != nil {
				if sp.IfNotExists {
					continue
				}
				return fmt.Errorf("column %s exists already", cd.Name.Name.O)
			}
			col, pk, unique := a.column(t, cd)
			pos := sp.Position
			if i > 0 {
				pos = nil
			}
			if err := insertColumn(t, col, pos); err != nil {
				return err
			}
			if pk || (unique && len(t.PrimaryKey) == 0) {
				t.PrimaryKey = []string{col.Name}
			}
		}
		for _, c := range sp.NewConstraints {
			a.constraint(t, c)
		}
	case ast.AlterTableAddConstraint:
		a.constraint(t, sp.Constraint)
	case ast.AlterTableDropColumn:
		name := sp.OldColumnName.Name.O
		i := columnIndex(t, name)
		if i < 0 {
			if sp.IfExists {
				return nil
			}
			return fmt.Errorf("no column %s", name)
		}
		t.Columns = slices.Delete(t.Columns, i, i+1)
		t.PrimaryKey = slices.DeleteFunc(t.PrimaryKey, func(n string) bool { return strings.EqualFold(n, name) })
	case ast.AlterTableDropPrimaryKey:
		t.PrimaryKey = nil
	case ast.AlterTableModifyColumn, ast.AlterTableChangeColumn:
		if len(sp.NewColumns) == 0 {
			return nil
		}
		oldName := sp.NewColumns[0].Name.Name.O
		if sp.Tp == ast.AlterTableChangeColumn && sp.OldColumnName != nil {
			oldName = sp.OldColumnName.Name.O
		}
		i := columnIndex(t, oldName)
		if i < 0 {
			if sp.IfExists {
				return nil
			}
			return fmt.Errorf("no column %s", oldName)
		}
		col, pk, unique := a.column(t, sp.NewColumns[0])
		if sp.Position == nil || sp.Position.Tp == ast.ColumnPositionNone {
			t.Columns[i] = col
		} else {
			t.Columns = slices.Delete(t.Columns, i, i+1)
			if err := insertColumn(t, col, sp.Position); err != nil {
				return err
			}
		}
		for k, n := range t.PrimaryKey {
			if strings.EqualFold(n, oldName) {
				t.PrimaryKey[k] = col.Name
			}
		}
		if pk || (unique && len(t.PrimaryKey) == 0) {
			t.PrimaryKey = []string{col.Name}
		}
	case ast.AlterTableRenameColumn:
		oldName, newName := sp.OldColumnName.Name.O, sp.NewColumnName.Name.O
		c := t.Column(oldName)
		if c == nil {
			return fmt.Errorf("no column %s", oldName)
		}
		c.Name = newName
		for k, n := range t.PrimaryKey {
			if strings.EqualFold(n, oldName) {
				t.PrimaryKey[k] = newName
			}
		}
	case ast.AlterTableAlterColumn:
		if len(sp.NewColumns) == 0 {
			return nil
		}
		c := t.Column(sp.NewColumns[0].Name.Name.O)
		if c == nil {
			return fmt.Errorf("no column %s", sp.NewColumns[0].Name.Name.O)
		}
		c.HasDefault, c.DefaultExpr = false, nil
		// SET DEFAULT comes as an option with the expression (and no
		// option type); DROP DEFAULT as none.
		for _, o := range sp.NewColumns[0].Options {
			if o.Expr != nil {
				c.HasDefault, c.DefaultExpr = defaultOf(o.Expr)
			}
		}
	case ast.AlterTableRenameTable:
		if *prev == nil {
			p := t.ID
			*prev = &p
		}
		t.ID = a.id(sp.NewTable)
	case ast.AlterTableOption:
		for _, o := range sp.Options {
			a.tableOption(t, o, true)
		}
	}
	return nil
}

func columnIndex(t *Table, name string) int {
	return slices.IndexFunc(t.Columns, func(c Column) bool { return strings.EqualFold(c.Name, name) })
}

func insertColumn(t *Table, col Column, pos *ast.ColumnPosition) error {
	switch {
	case pos == nil || pos.Tp == ast.ColumnPositionNone:
		t.Columns = append(t.Columns, col)
	case pos.Tp == ast.ColumnPositionFirst:
		t.Columns = slices.Insert(t.Columns, 0, col)
	default:
		i := columnIndex(t, pos.RelativeColumn.Name.O)
		if i < 0 {
			return fmt.Errorf("no column %s to add %s after", pos.RelativeColumn.Name.O, col.Name)
		}
		t.Columns = slices.Insert(t.Columns, i+1, col)
	}
	return nil
}

func quoteDDL(s string) string {
	const most = 300
	if len(s) > most {
		s = s[:most] + "..."
	}
	return fmt.Sprintf("%q", s)
}
