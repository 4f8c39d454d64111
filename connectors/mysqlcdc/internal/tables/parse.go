package tables

import (
	"fmt"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	// The parser needs a driver for the literal values in the statements
	// it parses; test_driver is the parser module's own, dependency-free
	// one (TiDB's full driver would pull in TiDB).
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// Parse parses the SQL of one binary log QUERY event (or one SHOW CREATE
// TABLE answer) with TiDB's MySQL parser. A parser is not safe for
// concurrent use: each caller keeps its own.
func Parse(p *parser.Parser, sql string) ([]ast.StmtNode, error) {
	stmts, _, err := p.Parse(sql, "", "")
	if err != nil {
		return nil, fmt.Errorf("parsing DDL %q: %w", sql, err)
	}
	return stmts, nil
}
