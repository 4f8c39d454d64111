// Package history is the CDC source's schema history: Debezium's
// schema history record (io.debezium.relational.history.HistoryRecord,
// with JsonTableChangeSerializer's tableChanges) and the Kafka topic that
// keeps the records, as Debezium's KafkaSchemaHistory does, so a history
// topic written by Debezium can be recovered by sluice and the other way
// round.
package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
)

// Record is one schema history record: a DDL statement and the tables it
// left, at a binary log position.
type Record struct {
	// Source is the record's "source" document: {"server": topic.prefix}.
	Source map[string]any
	// Position is the source offset the statement was read at, in the
	// offsets' keys (file, pos, gtids, event, row, snapshot, ts_sec,
	// server_id...). Decoded numbers are int64 when integral, else
	// float64.
	Position map[string]any
	// TsMs is when the record was written (ms since the epoch); 0 omits it.
	TsMs int64
	// DatabaseName is the database the statement applies to.
	DatabaseName string
	// SchemaName is unused by MySQL (omitted when nil).
	SchemaName *string
	// DDL is the statement's text.
	DDL string
	// TableChanges is what the statement did to tables (empty for
	// database statements and TRUNCATE).
	TableChanges []TableChange
}

// TableChange is one entry of a record's tableChanges.
type TableChange struct {
	// Type is CREATE, ALTER or DROP.
	Type string
	// ID is the table; PreviousID its former name after a rename.
	ID         tables.ID
	PreviousID *tables.ID
	// Table is the table after a CREATE or ALTER; nil for DROP.
	Table *tables.Table
}

// NewRecord builds the record of one Change at position, for server
// (topic.prefix), written at tsMs.
func NewRecord(server string, position map[string]any, tsMs int64, c tables.Change) Record {
	r := Record{
		Source:       map[string]any{"server": server},
		Position:     position,
		TsMs:         tsMs,
		DatabaseName: c.DB,
		DDL:          c.DDL,
	}
	switch c.Type {
	case tables.ChangeCreate, tables.ChangeAlter:
		if c.Table != nil {
			r.TableChanges = []TableChange{{Type: string(c.Type), ID: c.ID, PreviousID: c.PreviousID, Table: c.Table.Clone()}}
		}
	case tables.ChangeDrop:
		r.TableChanges = []TableChange{{Type: string(c.Type), ID: c.ID}}
	}
	return r
}

// The JSON shapes, fields in Debezium's order. Pointers are the fields
// Debezium writes as null or leaves out.
type recordJSON struct {
	Source       map[string]any    `json:"source"`
	Position     map[string]any    `json:"position"`
	TsMs         *int64            `json:"ts_ms,omitempty"`
	DatabaseName *string           `json:"databaseName,omitempty"`
	SchemaName   *string           `json:"schemaName,omitempty"`
	DDL          *string           `json:"ddl,omitempty"`
	TableChanges []tableChangeJSON `json:"tableChanges"`
}

type tableChangeJSON struct {
	Type       string     `json:"type"`
	ID         string     `json:"id"`
	PreviousID *string    `json:"previousId,omitempty"`
	Table      *tableJSON `json:"table,omitempty"`
	// Comment is the table's comment, which JsonTableChangeSerializer
	// writes beside the table (see MarshalJSON).
	Comment *string `json:"comment,omitempty"`
}

type tableJSON struct {
	DefaultCharsetName   *string           `json:"defaultCharsetName"`
	PrimaryKeyColumnName []string          `json:"primaryKeyColumnNames"`
	Columns              []columnJSON      `json:"columns"`
	Attributes           []json.RawMessage `json:"attributes"`
	// Comment is read, not written: Debezium reads a table comment from
	// here although it writes it beside the table.
	Comment *string `json:"comment,omitempty"`
}

type columnJSON struct {
	Name                   string   `json:"name"`
	JDBCType               int      `json:"jdbcType"`
	NativeType             *int     `json:"nativeType,omitempty"`
	TypeName               string   `json:"typeName"`
	TypeExpression         *string  `json:"typeExpression"`
	CharsetName            *string  `json:"charsetName"`
	Length                 *int     `json:"length,omitempty"`
	Scale                  *int     `json:"scale,omitempty"`
	Position               int      `json:"position"`
	Optional               bool     `json:"optional"`
	AutoIncremented        bool     `json:"autoIncremented"`
	Generated              bool     `json:"generated"`
	Comment                *string  `json:"comment"`
	HasDefaultValue        bool     `json:"hasDefaultValue"`
	DefaultValueExpression *string  `json:"defaultValueExpression,omitempty"`
	EnumValues             []string `json:"enumValues"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Encode writes r as Debezium writes a schema history record (JSON).
func Encode(r Record) ([]byte, error) {
	j := recordJSON{Source: r.Source, Position: r.Position, DDL: &r.DDL, SchemaName: r.SchemaName,
		TableChanges: []tableChangeJSON{}}
	if j.Source == nil {
		j.Source = map[string]any{}
	}
	if j.Position == nil {
		j.Position = map[string]any{}
	}
	if r.TsMs != 0 {
		j.TsMs = &r.TsMs
	}
	// Debezium's binlog connectors always set databaseName: "" for a
	// statement outside any database (the snapshot's SET
	// character_set_server).
	j.DatabaseName = &r.DatabaseName
	for i, tc := range r.TableChanges {
		c := tableChangeJSON{Type: tc.Type, ID: quoteID(tc.ID)}
		if tc.PreviousID != nil {
			p := quoteID(*tc.PreviousID)
			c.PreviousID = &p
		}
		if tc.Table != nil {
			c.Table = encodeTable(tc.Table)
			c.Comment = strOrNil(tc.Table.Comment)
		}
		if c.Type != "CREATE" && c.Type != "ALTER" && c.Type != "DROP" {
			return nil, fmt.Errorf("schema history record: tableChanges[%d]: type %q is none of CREATE, ALTER, DROP", i, c.Type)
		}
		j.TableChanges = append(j.TableChanges, c)
	}
	b, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("schema history record: %w", err)
	}
	return b, nil
}

// MarshalJSON writes a table change as JsonTableChangeSerializer does:
// "comment" (null when the table has none) follows "table", and neither
// is written for a DROP.
func (c tableChangeJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	field := func(name string, v any) error {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		val, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
		return nil
	}
	if err := field("type", c.Type); err != nil {
		return nil, err
	}
	if err := field("id", c.ID); err != nil {
		return nil, err
	}
	if c.PreviousID != nil {
		if err := field("previousId", *c.PreviousID); err != nil {
			return nil, err
		}
	}
	if c.Table != nil {
		if err := field("table", c.Table); err != nil {
			return nil, err
		}
		if err := field("comment", c.Comment); err != nil {
			return nil, err
		}
	}
	return append(append([]byte{'{'}, b.Bytes()...), '}'), nil
}

func encodeTable(t *tables.Table) *tableJSON {
	tj := &tableJSON{DefaultCharsetName: strOrNil(t.DefaultCharset), PrimaryKeyColumnName: append([]string{}, t.PrimaryKey...),
		Columns: make([]columnJSON, 0, len(t.Columns)), Attributes: []json.RawMessage{}}
	for i, c := range t.Columns {
		cj := columnJSON{Name: c.Name, JDBCType: c.JDBCType, TypeName: c.TypeName, TypeExpression: strOrNil(c.TypeExpression),
			CharsetName: strOrNil(c.Charset), Scale: c.Scale, Position: i + 1, Optional: c.Optional,
			AutoIncremented: c.AutoIncremented, Generated: c.Generated, Comment: strOrNil(c.Comment),
			HasDefaultValue: c.HasDefault, DefaultValueExpression: c.DefaultExpr, EnumValues: quoteEnumValues(c.EnumValues)}
		if c.Length >= 0 {
			l := c.Length
			cj.Length = &l
		}
		tj.Columns = append(tj.Columns, cj)
	}
	return tj
}

// quoteEnumValues writes ENUM and SET values as Debezium's DDL parser
// records them: as the DDL's string literals, quotes included.
func quoteEnumValues(vals []string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		out = append(out, "'"+strings.ReplaceAll(v, "'", "''")+"'")
	}
	return out
}

// unquoteEnumValues is Debezium's extractEnumAndSetOptions: the quotes
// stripped, a backslashed or doubled quote made one quote.
func unquoteEnumValues(vals []string) []string {
	var out []string
	for _, v := range vals {
		if len(v) >= 2 && (v[0] == '\'' && v[len(v)-1] == '\'' || v[0] == '"' && v[len(v)-1] == '"') {
			v = v[1 : len(v)-1]
		}
		out = append(out, strings.ReplaceAll(strings.ReplaceAll(v, `\'`, "'"), "''", "'"))
	}
	return out
}

// quoteID is Debezium's TableId.toDoubleQuotedString for a MySQL table.
func quoteID(id tables.ID) string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	if id.DB == "" {
		return q(id.Table)
	}
	return q(id.DB) + "." + q(id.Table)
}

// parseID reads a table id as Debezium's TableId.parse does for MySQL:
// parts separated by dots, each bare or double-quoted ("" for a quote);
// two parts are database and table.
func parseID(s string) (tables.ID, error) {
	var parts []string
	i := 0
	for {
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return tables.ID{}, fmt.Errorf("table id %q: unterminated quote", s)
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			parts = append(parts, b.String())
		} else {
			j := strings.IndexByte(s[i:], '.')
			if j < 0 {
				j = len(s) - i
			}
			parts = append(parts, s[i:i+j])
			i += j
		}
		if i == len(s) {
			break
		}
		if s[i] != '.' {
			return tables.ID{}, fmt.Errorf("table id %q: expected a dot at offset %d", s, i)
		}
		i++
	}
	switch len(parts) {
	case 1:
		if parts[0] == "" {
			return tables.ID{}, fmt.Errorf("table id %q: empty", s)
		}
		return tables.ID{Table: parts[0]}, nil
	case 2:
		if parts[1] == "" {
			return tables.ID{}, fmt.Errorf("table id %q: empty table name", s)
		}
		return tables.ID{DB: parts[0], Table: parts[1]}, nil
	case 3:
		// catalog.schema.table: MySQL has no schemas; the catalog is the
		// database.
		if parts[2] == "" {
			return tables.ID{}, fmt.Errorf("table id %q: empty table name", s)
		}
		return tables.ID{DB: parts[0], Table: parts[2]}, nil
	}
	return tables.ID{}, fmt.Errorf("table id %q: %d parts, expected database and table", s, len(parts))
}

// maxRecordBytes bounds what Decode reads: a history record of a table
// with thousands of columns is well under it.
const maxRecordBytes = 64 << 20

// Decode reads a schema history record written by Debezium or Encode.
// Records that are not JSON objects or whose fields have the wrong types
// are errors naming the field; nothing in data can make Decode panic.
func Decode(data []byte) (Record, error) {
	if len(data) > maxRecordBytes {
		return Record{}, fmt.Errorf("schema history record: %d bytes, more than the %d a record may have", len(data), maxRecordBytes)
	}
	var j recordJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&j); err != nil {
		return Record{}, fmt.Errorf("schema history record: not a record: %w", err)
	}
	if dec.More() {
		return Record{}, errors.New("schema history record: data after the record's JSON object")
	}
	if j.Source == nil || j.Position == nil {
		return Record{}, fmt.Errorf("schema history record: %w", errNotValid)
	}
	r := Record{Source: normalize(j.Source).(map[string]any), Position: normalize(j.Position).(map[string]any), SchemaName: j.SchemaName}
	if j.TsMs != nil {
		r.TsMs = *j.TsMs
	}
	if j.DatabaseName != nil {
		r.DatabaseName = *j.DatabaseName
	}
	if j.DDL != nil {
		r.DDL = *j.DDL
	}
	for i, c := range j.TableChanges {
		tc, err := decodeChange(c)
		if err != nil {
			return Record{}, fmt.Errorf("schema history record: tableChanges[%d]: %w", i, err)
		}
		r.TableChanges = append(r.TableChanges, tc)
	}
	return r, nil
}

// normalize turns json.Numbers into int64 (when integral) or float64
// (a number beyond float64 stays a json.Number).
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, err := x.Float64()
		if err != nil {
			return x // out of float64's range: kept as written
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	}
	return v
}

func decodeChange(c tableChangeJSON) (TableChange, error) {
	tc := TableChange{Type: c.Type}
	switch c.Type {
	case "CREATE", "ALTER", "DROP":
	default:
		return tc, fmt.Errorf("type %q is none of CREATE, ALTER, DROP", c.Type)
	}
	var err error
	if tc.ID, err = parseID(c.ID); err != nil {
		return tc, fmt.Errorf("id: %w", err)
	}
	if c.PreviousID != nil {
		p, err := parseID(*c.PreviousID)
		if err != nil {
			return tc, fmt.Errorf("previousId: %w", err)
		}
		tc.PreviousID = &p
	}
	if c.Type == "DROP" {
		return tc, nil
	}
	if c.Table == nil {
		return tc, fmt.Errorf("%s of %s without a table", c.Type, tc.ID)
	}
	t, err := decodeTable(tc.ID, c.Table)
	if err != nil {
		return tc, fmt.Errorf("table %s: %w", tc.ID, err)
	}
	if c.Comment != nil {
		t.Comment = *c.Comment
	} else if c.Table.Comment != nil {
		t.Comment = *c.Table.Comment
	}
	tc.Table = t
	return tc, nil
}

func decodeTable(id tables.ID, tj *tableJSON) (*tables.Table, error) {
	t := &tables.Table{ID: id}
	if tj.DefaultCharsetName != nil {
		t.DefaultCharset = *tj.DefaultCharsetName
	}
	for i, cj := range tj.Columns {
		if cj.Name == "" {
			return nil, fmt.Errorf("columns[%d]: no name", i)
		}
		if t.Column(cj.Name) != nil {
			return nil, fmt.Errorf("columns[%d]: column %s appears twice", i, cj.Name)
		}
		c := tables.Column{Name: cj.Name, Position: i + 1, TypeName: cj.TypeName, TypeExpression: cj.TypeName,
			JDBCType: cj.JDBCType, Length: -1, Optional: cj.Optional, AutoIncremented: cj.AutoIncremented,
			Generated: cj.Generated, HasDefault: cj.HasDefaultValue || cj.DefaultValueExpression != nil,
			DefaultExpr: cj.DefaultValueExpression, EnumValues: unquoteEnumValues(cj.EnumValues),
			// The record has no flag: the type name says it, as the DDL
			// parser writes it ("INT UNSIGNED", "... UNSIGNED ZEROFILL").
			Unsigned: strings.HasSuffix(cj.TypeName, " UNSIGNED") || strings.HasSuffix(cj.TypeName, " UNSIGNED ZEROFILL")}
		if cj.TypeExpression != nil {
			c.TypeExpression = *cj.TypeExpression
		}
		if cj.CharsetName != nil {
			c.Charset = *cj.CharsetName
		}
		if cj.Length != nil {
			if *cj.Length < 0 && *cj.Length != -1 || *cj.Length > math.MaxInt32 {
				return nil, fmt.Errorf("column %s: length %d out of range", cj.Name, *cj.Length)
			}
			c.Length = *cj.Length
		}
		if cj.Scale != nil {
			if *cj.Scale < 0 || *cj.Scale > math.MaxInt32 {
				return nil, fmt.Errorf("column %s: scale %d out of range", cj.Name, *cj.Scale)
			}
			s := *cj.Scale
			c.Scale = &s
		}
		if cj.Comment != nil {
			c.Comment = *cj.Comment
		}
		if len(c.EnumValues) == 0 {
			c.EnumValues = nil
		}
		t.Columns = append(t.Columns, c)
	}
	for _, pk := range tj.PrimaryKeyColumnName {
		c := t.Column(pk)
		if c == nil {
			return nil, fmt.Errorf("primary key column %s is not a column of the table", pk)
		}
		t.PrimaryKey = append(t.PrimaryKey, c.Name)
	}
	return t, nil
}

// ApplyTo applies r to s as Debezium recovers a record: its tableChanges
// when it has any, else its DDL parsed with p (in database DatabaseName).
func (r Record) ApplyTo(s *tables.Schema, p *parser.Parser) error {
	if len(r.TableChanges) == 0 {
		if strings.TrimSpace(r.DDL) == "" {
			return nil
		}
		if _, err := s.Apply(p, r.DatabaseName, r.DDL); err != nil {
			return fmt.Errorf("replaying the schema history record at %v: %w", r.Position, err)
		}
		return nil
	}
	for _, tc := range r.TableChanges {
		switch tc.Type {
		case "CREATE", "ALTER":
			if tc.PreviousID != nil {
				s.Remove(*tc.PreviousID)
			}
			if tc.Table != nil {
				s.Put(tc.Table)
			}
		case "DROP":
			s.Remove(tc.ID)
		}
	}
	return nil
}
