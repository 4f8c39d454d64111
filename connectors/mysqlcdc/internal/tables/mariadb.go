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
