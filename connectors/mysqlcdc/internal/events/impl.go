package events

import (
	"database/sql"
	"errors"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

var errTODO = errors.New("events: not implemented yet")

func (e *Events) buildSchemas() error                    { return nil }
func (e *Events) sourceStruct(s *Source) *schemas.Struct { return nil }
func (e *Events) schemaChange(c *SchemaChange) (key, value *schemas.Struct, err error) {
	return nil, nil, errTODO
}
func (e *Events) newTable(t *tables.Table, include func(string) bool) (*Table, error) {
	return nil, errTODO
}
func (t *Table) convert(bin []any, raw []sql.RawBytes) (key, value *schemas.Struct, err error) {
	return nil, nil, errTODO
}
func (t *Table) selectList() string { return "" }
func (t *Table) envelope(op Op, before, after, source *schemas.Struct, ts time.Time) (*schemas.Struct, error) {
	return nil, errTODO
}
