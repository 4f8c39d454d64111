package tables

import (
	"errors"

	"github.com/pingcap/tidb/pkg/parser"
)

// UnparseableError is Apply's error for a statement the parser cannot
// read and that may change a captured table.
type UnparseableError struct {
	// DDL is the statement, Err the parser's message.
	DDL string
	Err error
}

func (e *UnparseableError) Error() string {
	return "cannot parse the DDL statement " + quoteDDL(e.DDL) + " (it may change a captured table; " +
		"schema.history.internal.skip.unparseable.ddl=true skips such statements): " + e.Err.Error()
}

func (e *UnparseableError) Unwrap() error { return e.Err }

// Apply applies the SQL of one binary log QUERY event (or a SHOW CREATE
// TABLE answer), run in database defaultDB, and returns what each of its
// statements changed, in order. Statements that change no table
// structure (BEGIN, GRANT, SET, CREATE VIEW/PROCEDURE/TRIGGER...) yield
// no Change and no error. A statement the parser cannot read fails with
// an *UnparseableError when it may change a captured table (unless
// Options.SkipUnparseableDDL), and is skipped otherwise.
func (s *Schema) Apply(p *parser.Parser, defaultDB, ddl string) ([]Change, error) {
	return nil, errors.New("tables: Apply is not implemented yet")
}

func quoteDDL(s string) string {
	const most = 300
	if len(s) > most {
		s = s[:most] + "..."
	}
	return "\"" + s + "\""
}
