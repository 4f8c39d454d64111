package tables

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// MariaDB's column types that TiDB's parser lacks: UUID, INET4, INET6
// and the spatial types. When a statement does not parse, each such type
// in a column definition is replaced by a placeholder the parser reads
// (BINARY of a length no real column has, which indexes
// specialTypeNames) and typeOf names the column by it again. Debezium
// records them with java.sql.Types.OTHER.
var specialTypeNames = []string{
	"UUID", "INET4", "INET6",
	"GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
	"GEOMETRYCOLLECTION", "GEOMCOLLECTION",
}

const specialTypeBase = 2_000_000_000

var specialTypeDef = regexp.MustCompile(`(?i)((?:[(,]|\bADD(?:\s+COLUMN)?(?:\s+IF\s+NOT\s+EXISTS)?|\bMODIFY(?:\s+COLUMN)?(?:\s+IF\s+EXISTS)?|\bCHANGE(?:\s+COLUMN)?(?:\s+IF\s+EXISTS)?\s+` +
	identifier + `)\s*` + identifier + `\s+)(` + strings.Join(specialTypeNames, "|") + `)\b`)

// rewriteSpecialTypes replaces the types of specialTypeNames in column
// definitions; ok is false when there is none.
func rewriteSpecialTypes(sql string) (string, bool) {
	found := false
	out := specialTypeDef.ReplaceAllStringFunc(sql, func(m string) string {
		sub := specialTypeDef.FindStringSubmatch(m)
		for i, n := range specialTypeNames {
			if strings.EqualFold(n, sub[2]) {
				found = true
				return sub[1] + "BINARY(" + strconv.Itoa(specialTypeBase+i) + ")"
			}
		}
		return m
	})
	return out, found
}

// specialType returns the name of a placeholder type, or "".
func specialType(ft *types.FieldType) string {
	if ft.GetType() != mysql.TypeString {
		return ""
	}
	i := ft.GetFlen() - specialTypeBase
	if i < 0 || i >= len(specialTypeNames) {
		return ""
	}
	return specialTypeNames[i]
}

// exprDefaultMarker stands for a DEFAULT (expression) TiDB's parser
// cannot read (it takes few expressions there; MariaDB takes any): the
// column has a default whose value is computed, which Debezium records
// as a default with a null expression.
const exprDefaultMarker = "__sluice_expression_default__"

// rewriteExprDefaults replaces each DEFAULT (...) by DEFAULT
// 'exprDefaultMarker'; ok is false when there is none. Quoted strings and
// identifiers are skipped.
func rewriteExprDefaults(sql string) (string, bool) {
	var b strings.Builder
	found := false
	for i := 0; i < len(sql); {
		c := sql[i]
		if c == '\'' || c == '"' || c == '`' {
			j := skipQuoted(sql, i)
			b.WriteString(sql[i:j])
			i = j
			continue
		}
		if (c == 'D' || c == 'd') && (i == 0 || !isWordByte(sql[i-1])) && len(sql)-i >= 7 && strings.EqualFold(sql[i:i+7], "DEFAULT") &&
			(i+7 == len(sql) || !isWordByte(sql[i+7])) {
			j := i + 7
			for j < len(sql) && (sql[j] == ' ' || sql[j] == '\t' || sql[j] == '\n' || sql[j] == '\r') {
				j++
			}
			if j < len(sql) && sql[j] == '(' {
				if end := closeParen(sql, j); end > 0 {
					b.WriteString("DEFAULT '" + exprDefaultMarker + "'")
					i = end
					found = true
					continue
				}
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), found
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// skipQuoted returns the index after the quoted string starting at i.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '`':
			j++
		case s[j] == q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// closeParen returns the index after the parenthesis closing the one at
// i, or -1.
func closeParen(s string, i int) int {
	depth := 0
	for j := i; j < len(s); {
		switch s[j] {
		case '\'', '"', '`':
			j = skipQuoted(s, j)
			continue
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
		j++
	}
	return -1
}

// MariaDB clauses TiDB's parser lacks, which change nothing in the
// model: ALTER ONLINE/IGNORE TABLE, ALTER TABLE IF EXISTS, RENAME TABLE
// IF EXISTS, and WAIT n / NOWAIT after the table name.
var (
	mariaAlterHead  = regexp.MustCompile(`(?is)^(\s*(?:/\*.*?\*/\s*)*ALTER)((?:\s+(?:ONLINE|IGNORE))*)(\s+TABLE)(\s+IF\s+EXISTS)?\b`)
	mariaRenameHead = regexp.MustCompile(`(?is)^(\s*(?:/\*.*?\*/\s*)*RENAME\s+TABLES?)\s+IF\s+EXISTS\b`)
	mariaWait       = regexp.MustCompile(`(?is)^(\s*(?:/\*.*?\*/\s*)*(?:ALTER\s+TABLE|RENAME\s+TABLES?|DROP\s+TABLES?(?:\s+IF\s+EXISTS)?|TRUNCATE(?:\s+TABLE)?)\s+` +
		identifier + `(?:\s*\.\s*` + identifier + `)?)\s+(?:WAIT\s+\d+|NOWAIT)\b`)
)

// rewriteMariaDBClauses drops the clauses above; ok is false when there
// is none.
func rewriteMariaDBClauses(sql string) (string, bool) {
	out := sql
	if m := mariaAlterHead.FindStringSubmatchIndex(out); m != nil && (m[4] != m[5] || m[8] >= 0) {
		out = out[:m[3]] + out[m[6]:m[7]] + out[m[1]:]
	}
	if m := mariaRenameHead.FindStringSubmatchIndex(out); m != nil {
		out = out[:m[3]] + out[m[1]:]
	}
	if m := mariaWait.FindStringSubmatchIndex(out); m != nil {
		out = out[:m[3]] + out[m[1]:]
	}
	return out, out != sql
}

// normCharset names a character set as the server reports it: lower
// case, and utf8 as utf8mb3 (TiDB's parser says utf8 for both).
func normCharset(cs string) string {
	cs = strings.ToLower(cs)
	if cs == "utf8" {
		return "utf8mb3"
	}
	return cs
}
