package mysqlcdc

import (
	"regexp"
	"strings"
)

// grantedOn reports whether priv (or ALL PRIVILEGES) is granted on the
// table db.table: on *.*, on the database (a name or a LIKE pattern of
// SHOW GRANTS, `shop\_%`.*) or on the table. A user with roles is taken to
// have it: their privileges are not in SHOW GRANTS.
func (g grants) grantedOn(priv, db, table string) bool {
	if _, ok := g[roleTarget]; ok {
		return true
	}
	for target, ps := range g {
		if !ps[priv] && !ps["ALL PRIVILEGES"] && !ps["ALL"] {
			continue
		}
		tdb, ttable, ok := strings.Cut(target, ".")
		if !ok {
			continue
		}
		if ttable != "*" && !strings.EqualFold(ttable, table) {
			continue
		}
		if tdb == "*" || strings.EqualFold(tdb, db) || (ttable == "*" && likeMatch(tdb, db)) {
			return true
		}
	}
	return false
}

// likeMatch matches name against a database pattern of a grant: % any
// characters, _ one, a backslash escapes the next.
func likeMatch(pattern, name string) bool {
	var b strings.Builder
	b.WriteString("(?is)^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '\\':
			if i+1 < len(pattern) {
				i++
				b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
			}
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(name)
}
