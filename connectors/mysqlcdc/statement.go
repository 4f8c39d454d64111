package mysqlcdc

import (
	"fmt"
	"regexp"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
)

// dmlStart is what a data-changing statement starts with, after comments.
var dmlStart = regexp.MustCompile(`(?is)^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*|#[^\n]*\n\s*)*(?:INSERT|UPDATE|DELETE|REPLACE|LOAD)\b`)

// statementChange fails on a data-changing statement of a captured table
// logged as a statement (a session's binlog_format=STATEMENT or MIXED):
// the binlog has no rows for it, so its changes cannot be sent, and
// dropping them silently would lose them. Statements of tables that are
// not captured are ignored.
func (t *Task) statementChange(defaultDB, sql string) (err error) {
	if !dmlStart.MatchString(sql) {
		return nil
	}
	fail := func(what string) error {
		return fmt.Errorf("binlog file %s position %d: %s was logged as a statement, not as rows (binlog_format STATEMENT or MIXED, set for the session that ran it?): its changes cannot be captured; change data capture needs binlog_format=ROW for every change of a captured table (statement: %s)",
			t.pos.file, t.pos.eventPos, what, truncate(sql))
	}
	// The parser is a third party's and the statement comes from the
	// binary log: a panic on some input must fail the statement, not the
	// worker.
	defer func() {
		if r := recover(); r != nil {
			err = fail("a change the parser cannot read")
		}
	}()
	stmts, _, perr := t.parser.Parse(sql, "", "")
	if perr != nil {
		return fail("a change the parser cannot read")
	}
	for _, st := range stmts {
		for _, tn := range changedTables(st) {
			id := tables.ID{DB: tn.Schema.O, Table: tn.Name.O}
			if id.DB == "" {
				id.DB = defaultDB
			}
			if captured, _ := t.captured(id); captured {
				return fail("a change of table " + id.String())
			}
		}
	}
	return nil
}

// changedTables are the tables a data-changing statement writes.
func changedTables(st ast.StmtNode) []*ast.TableName {
	var out []*ast.TableName
	refs := func(c *ast.TableRefsClause) {
		if c != nil {
			joinTables(c.TableRefs, func(tn *ast.TableName, _ string) { out = append(out, tn) })
		}
	}
	switch s := st.(type) {
	case *ast.InsertStmt:
		refs(s.Table)
	case *ast.UpdateStmt:
		refs(s.TableRefs)
	case *ast.DeleteStmt:
		if !s.IsMultiTable || s.Tables == nil {
			refs(s.TableRefs)
			break
		}
		// DELETE t1, t2 FROM ...: the names may be aliases of the FROM
		// clause's tables.
		aliases := map[string]*ast.TableName{}
		if s.TableRefs != nil {
			joinTables(s.TableRefs.TableRefs, func(tn *ast.TableName, alias string) {
				if alias != "" {
					aliases[alias] = tn
				}
			})
		}
		for _, tn := range s.Tables.Tables {
			if a, ok := aliases[tn.Name.L]; ok && tn.Schema.O == "" {
				tn = a
			}
			out = append(out, tn)
		}
	case *ast.LoadDataStmt:
		if s.Table != nil {
			out = append(out, s.Table)
		}
	}
	return out
}

// joinTables calls fn with the named tables of a FROM clause's join tree
// and their aliases (lower case).
func joinTables(n ast.ResultSetNode, fn func(tn *ast.TableName, alias string)) {
	switch x := n.(type) {
	case *ast.Join:
		if x == nil {
			return
		}
		joinTables(x.Left, fn)
		joinTables(x.Right, fn)
	case *ast.TableSource:
		if x == nil {
			return
		}
		if tn, ok := x.Source.(*ast.TableName); ok && tn != nil {
			fn(tn, x.AsName.L)
		}
	case *ast.TableName:
		if x != nil {
			fn(x, "")
		}
	}
}
