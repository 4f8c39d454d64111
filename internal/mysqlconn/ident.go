package mysqlconn

import (
	"fmt"
	"strings"
	"time"
	// db.timezone names IANA zones; the binary carries their rules, so that a host without
	// /usr/share/zoneinfo (a scratch container) reads them too.
	_ "time/tzdata"
)

// Quote returns name as a MySQL identifier: in backticks with any backtick doubled when quote is
// true (quote.sql.identifiers=always, the default), else as it is (never).
func Quote(name string, quote bool) string {
	if !quote {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// TableID is a table's database and name.
type TableID struct {
	Database, Table string
}

// ParseTableID reads "table" or "database.table" (each part optionally in backticks or double
// quotes, as JDBC connectors' table names may be written); a missing database is def.
func ParseTableID(s, def string) (TableID, error) {
	var parts []string
	cur := strings.Builder{}
	var q rune
	for _, r := range strings.TrimSpace(s) {
		switch {
		case q != 0 && r == q:
			q = 0
		case q != 0:
			cur.WriteRune(r)
		case r == '`' || r == '"':
			q = r
		case r == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if q != 0 {
		return TableID{}, fmt.Errorf("table name %q has an unclosed quote", s)
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		if p == "" {
			return TableID{}, fmt.Errorf("table name %q has an empty part", s)
		}
	}
	switch len(parts) {
	case 1:
		return TableID{Database: def, Table: parts[0]}, nil
	case 2:
		return TableID{Database: parts[0], Table: parts[1]}, nil
	}
	return TableID{}, fmt.Errorf("table name %q has more than two parts: MySQL names a table database.table", s)
}

// String is database.table unquoted (table alone without a database): the form of Confluent's
// source partitions.
func (t TableID) String() string {
	if t.Database == "" {
		return t.Table
	}
	return t.Database + "." + t.Table
}

// Quoted is the table for SQL.
func (t TableID) Quoted(quote bool) string {
	if t.Database == "" {
		return Quote(t.Table, quote)
	}
	return Quote(t.Database, quote) + "." + Quote(t.Table, quote)
}

// Zone reads a Java ZoneId as db.timezone takes it: a region (Europe/Paris), Z, UTC, GMT, UT,
// an offset (+01:00, -05, +0130) or a prefix with one (UTC+01:00, GMT-5).
func Zone(id string) (*time.Location, error) {
	id = strings.TrimSpace(id)
	switch id {
	case "", "Z", "UTC", "GMT", "UT":
		if id == "" {
			return nil, fmt.Errorf("an empty time zone id")
		}
		return time.UTC, nil
	}
	for _, p := range []string{"UTC", "GMT", "UT", ""} {
		rest, ok := strings.CutPrefix(id, p)
		if !ok || rest == "" || (rest[0] != '+' && rest[0] != '-') {
			continue
		}
		off, err := parseOffset(rest)
		if err != nil {
			return nil, fmt.Errorf("time zone %q: %v", id, err)
		}
		return time.FixedZone(id, off), nil
	}
	if strings.Contains(id, "..") || strings.HasPrefix(id, "/") {
		return nil, fmt.Errorf("unknown time zone %q", id)
	}
	loc, err := time.LoadLocation(id)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (a region such as Europe/Paris, UTC, or an offset such as +01:00)", id)
	}
	return loc, nil
}

// parseOffset reads Java's ZoneOffset forms: ±h, ±hh, ±hh:mm, ±hhmm, ±hh:mm:ss, ±hhmmss, up to
// ±18:00.
func parseOffset(s string) (int, error) {
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	s = s[1:]
	if strings.Contains(s, ":") && !((len(s) == 5 || len(s) == 8) && s[2] == ':' && (len(s) == 5 || s[5] == ':')) {
		return 0, fmt.Errorf("offset %q is not ±hh, ±hh:mm or ±hh:mm:ss", s)
	}
	digits := strings.ReplaceAll(s, ":", "")
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("offset %q is not a number of hours and minutes", s)
		}
	}
	var h, m, sec int
	switch len(digits) {
	case 1, 2:
		fmt.Sscanf(digits, "%d", &h)
	case 4:
		fmt.Sscanf(digits, "%2d%2d", &h, &m)
	case 6:
		fmt.Sscanf(digits, "%2d%2d%2d", &h, &m, &sec)
	default:
		return 0, fmt.Errorf("offset %q is not ±hh, ±hh:mm or ±hh:mm:ss", s)
	}
	if m > 59 || sec > 59 || h*3600+m*60+sec > 18*3600 {
		return 0, fmt.Errorf("offset %q is out of range (at most ±18:00)", s)
	}
	return sign * (h*3600 + m*60 + sec), nil
}
