package tables

import (
	"fmt"
	"regexp"
	"strings"
)

// The connector keys a Filter reads.
const (
	KeyDatabaseInclude = "database.include.list"
	KeyDatabaseExclude = "database.exclude.list"
	KeyTableInclude    = "table.include.list"
	KeyTableExclude    = "table.exclude.list"
	KeyColumnInclude   = "column.include.list"
	KeyColumnExclude   = "column.exclude.list"
)

// systemDBs are never captured (Debezium's built-in exclusions).
var systemDBs = []string{"mysql", "sys", "performance_schema", "information_schema"}

func isSystemDB(db string) bool {
	for _, s := range systemDBs {
		if strings.EqualFold(db, s) {
			return true
		}
	}
	return false
}

// Filter says which databases, tables and columns are captured, with
// Debezium's keys and semantics: database.include.list /
// database.exclude.list, table.include.list / table.exclude.list ("db.table"
// regexes), column.include.list / column.exclude.list ("db.table.column"
// regexes). Each list is comma separated; each regex must match the whole
// name, without regard to case. The system databases (mysql, sys,
// performance_schema, information_schema) are never captured. A nil
// *Filter captures everything else.
type Filter struct {
	dbInclude, dbExclude   []*regexp.Regexp
	tblInclude, tblExclude []*regexp.Regexp
	colInclude, colExclude []*regexp.Regexp
}

// NewFilter reads a Filter from a connector's properties. Include and
// exclude lists of the same kind together, or a regex that does not
// compile, are errors naming the key.
func NewFilter(props map[string]string) (*Filter, error) {
	f := &Filter{}
	for _, kind := range []struct {
		inc, exc   string
		incL, excL *[]*regexp.Regexp
	}{
		{KeyDatabaseInclude, KeyDatabaseExclude, &f.dbInclude, &f.dbExclude},
		{KeyTableInclude, KeyTableExclude, &f.tblInclude, &f.tblExclude},
		{KeyColumnInclude, KeyColumnExclude, &f.colInclude, &f.colExclude},
	} {
		inc, exc := strings.TrimSpace(props[kind.inc]), strings.TrimSpace(props[kind.exc])
		if inc != "" && exc != "" {
			return nil, fmt.Errorf("%s and %s cannot both be set: use one of them", kind.inc, kind.exc)
		}
		var err error
		if *kind.incL, err = regexList(kind.inc, inc); err != nil {
			return nil, err
		}
		if *kind.excL, err = regexList(kind.exc, exc); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// regexList compiles a comma separated list of regexes, each anchored to
// the whole name and case-insensitive. A comma inside braces (a{1,3}) or
// escaped (\,) does not split.
func regexList(key, v string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, part := range splitRegexList(v) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		re, err := regexp.Compile(`(?i)^(?:` + part + `)$`)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a valid regular expression: %w", key, part, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func splitRegexList(v string) []string {
	var parts []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && v[i+1] == ',':
			cur.WriteByte(',')
			i++
			continue
		case c == '\\' && i+1 < len(v):
			cur.WriteByte(c)
			cur.WriteByte(v[i+1])
			i++
			continue
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(parts, cur.String())
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// DatabaseIncluded says whether tables of database db may be captured.
func (f *Filter) DatabaseIncluded(db string) bool {
	if isSystemDB(db) {
		return false
	}
	if f == nil {
		return true
	}
	if len(f.dbInclude) > 0 {
		return anyMatch(f.dbInclude, db)
	}
	return !anyMatch(f.dbExclude, db)
}

// TableIncluded says whether table id is captured: its database is
// included and its "db.table" name is.
func (f *Filter) TableIncluded(id ID) bool {
	if !f.DatabaseIncluded(id.DB) {
		return false
	}
	if f == nil {
		return true
	}
	name := id.String()
	if len(f.tblInclude) > 0 {
		return anyMatch(f.tblInclude, name)
	}
	return !anyMatch(f.tblExclude, name)
}

// ColumnIncluded says whether column col of table id is captured
// ("db.table.column" against column.include.list / column.exclude.list).
func (f *Filter) ColumnIncluded(id ID, col string) bool {
	if f == nil {
		return true
	}
	name := id.String() + "." + col
	if len(f.colInclude) > 0 {
		return anyMatch(f.colInclude, name)
	}
	return !anyMatch(f.colExclude, name)
}
