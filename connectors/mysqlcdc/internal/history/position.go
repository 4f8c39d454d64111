package history

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-mysql-org/go-mysql/mysql"
)

// AtOrBefore says whether the position recorded with a history record is
// at or before the offset desired, as Debezium's
// BinlogHistoryRecordComparator decides it: by GTID set containment when
// both have "gtids" (equal sets: by "event"; a recorded non-snapshot
// position is after a desired snapshot one), a position without GTIDs
// before one with; else, from different "server_id"s, by "ts_sec"; else by
// "file" (its numeric extension; a different base name counts as before),
// "pos", "event" then "row". flavor is "mysql" or "mariadb" (the GTID
// syntax; MariaDB sets compare per domain, as Debezium's MariaDbGtidSet).
// Malformed positions are errors.
func AtOrBefore(flavor string, recorded, desired map[string]any) (bool, error) {
	rg, err := str(recorded, "gtids")
	if err != nil {
		return false, fmt.Errorf("recorded position: %w", err)
	}
	dg, err := str(desired, "gtids")
	if err != nil {
		return false, fmt.Errorf("desired position: %w", err)
	}
	rg, dg = dropAnonymous(rg), dropAnonymous(dg)
	if dg != "" {
		if rg == "" {
			return true, nil
		}
		equal, contained, err := compareGTIDs(flavor, rg, dg)
		if err != nil {
			return false, err
		}
		if equal {
			_, rSnap := recorded["snapshot"]
			_, dSnap := desired["snapshot"]
			if !rSnap && dSnap {
				return false, nil
			}
			re, err := num(recorded, "event")
			if err != nil {
				return false, fmt.Errorf("recorded position: %w", err)
			}
			de, err := num(desired, "event")
			if err != nil {
				return false, fmt.Errorf("desired position: %w", err)
			}
			return re <= de, nil
		}
		return contained, nil
	}
	if rg != "" {
		return false, nil
	}
	_, rHas := recorded["server_id"]
	_, dHas := desired["server_id"]
	if rHas && dHas {
		rs, err := num(recorded, "server_id")
		if err != nil {
			return false, fmt.Errorf("recorded position: %w", err)
		}
		ds, err := num(desired, "server_id")
		if err != nil {
			return false, fmt.Errorf("desired position: %w", err)
		}
		if rs != ds {
			rt, err := num(recorded, "ts_sec")
			if err != nil {
				return false, fmt.Errorf("recorded position: %w", err)
			}
			dt, err := num(desired, "ts_sec")
			if err != nil {
				return false, fmt.Errorf("desired position: %w", err)
			}
			return rt <= dt, nil
		}
	}
	rf, err := str(recorded, "file")
	if err != nil {
		return false, fmt.Errorf("recorded position: %w", err)
	}
	df, err := str(desired, "file")
	if err != nil {
		return false, fmt.Errorf("desired position: %w", err)
	}
	rBase, rExt, err := splitBinlogName(rf)
	if err != nil {
		return false, fmt.Errorf("recorded position: %w", err)
	}
	dBase, dExt, err := splitBinlogName(df)
	if err != nil {
		return false, fmt.Errorf("desired position: %w", err)
	}
	if rBase != dBase {
		// Unrelated coordinates (a restore, a new log_bin_basename):
		// applying the record is the safe direction, as in Debezium.
		return true, nil
	}
	if rExt != dExt {
		return rExt < dExt, nil
	}
	for _, k := range []string{"pos", "event", "row"} {
		r, err := num(recorded, k)
		if err != nil {
			return false, fmt.Errorf("recorded position: %w", err)
		}
		d, err := num(desired, k)
		if err != nil {
			return false, fmt.Errorf("desired position: %w", err)
		}
		if r != d {
			return r < d, nil
		}
	}
	return true, nil
}

func splitBinlogName(f string) (string, int64, error) {
	i := strings.LastIndexByte(f, '.')
	if f == "" || i < 0 {
		return "", 0, fmt.Errorf("file %q is not a binary log name (base.number)", f)
	}
	n, err := strconv.ParseInt(f[i+1:], 10, 64)
	if err != nil || n < 0 {
		return "", 0, fmt.Errorf("file %q is not a binary log name (base.number)", f)
	}
	return f[:i], n, nil
}

// dropAnonymous removes from a MySQL GTID set the zero server UUID, which
// a MySQL with gtid_mode=OFF writes in its ANONYMOUS_GTID events: it names
// no transaction, and a set made of it alone is no set (every position
// would carry the same, and compare by "event" alone).
func dropAnonymous(gtids string) string {
	if !strings.HasPrefix(gtids, "00000000") && !strings.Contains(gtids, ",") {
		return gtids
	}
	var kept []string
	for _, g := range strings.Split(gtids, ",") {
		uuid, _, ok := strings.Cut(strings.TrimSpace(g), ":")
		if ok && strings.Trim(uuid, "0-") == "" {
			continue
		}
		kept = append(kept, g)
	}
	return strings.Join(kept, ",")
}

func str(m map[string]any, k string) (string, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%q is %T, not a string", k, v)
	}
	return strings.TrimSpace(s), nil
}

// num reads an integer of a position (absent: 0).
func num(m map[string]any, k string) (int64, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return 0, nil
	}
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("%q: %d is too large", k, x)
		}
		return int64(x), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, fmt.Errorf("%q: %v is not an integer", k, x)
		}
		return int64(x), nil
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return 0, fmt.Errorf("%q: %v is not an integer", k, x)
		}
		return n, nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %q is not an integer", k, x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("%q is %T, not a number", k, v)
}

// compareGTIDs says whether two GTID sets are equal and whether recorded
// is contained in desired.
func compareGTIDs(flavor, recorded, desired string) (equal, contained bool, err error) {
	if flavor == mysql.MariaDBFlavor {
		r, err := mariaDomains(recorded)
		if err != nil {
			return false, false, fmt.Errorf("recorded position: %w", err)
		}
		d, err := mariaDomains(desired)
		if err != nil {
			return false, false, fmt.Errorf("desired position: %w", err)
		}
		equal = len(r) == len(d)
		contained = true
		for dom, rs := range r {
			ds, ok := d[dom]
			if !ok || rs > ds {
				contained = false
			}
			if !ok || rs != ds {
				equal = false
			}
		}
		return equal, contained, nil
	}
	// MySQL's @@gtid_executed breaks long sets over lines.
	recorded, desired = strings.Join(strings.Fields(recorded), ""), strings.Join(strings.Fields(desired), "")
	r, err := mysql.ParseMysqlGTIDSet(recorded)
	if err != nil {
		return false, false, fmt.Errorf("recorded position: GTID set %q: %w", recorded, err)
	}
	d, err := mysql.ParseMysqlGTIDSet(desired)
	if err != nil {
		return false, false, fmt.Errorf("desired position: GTID set %q: %w", desired, err)
	}
	return r.Equal(d), d.Contain(r), nil
}

// mariaDomains reads a MariaDB GTID list ("domain-server-seq,...") as
// the highest sequence number of each domain.
func mariaDomains(s string) (map[uint32]uint64, error) {
	out := map[uint32]uint64{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f := strings.Split(part, "-")
		if len(f) != 3 {
			return nil, fmt.Errorf("GTID %q is not domain-server-sequence", part)
		}
		dom, err1 := strconv.ParseUint(f[0], 10, 32)
		_, err2 := strconv.ParseUint(f[1], 10, 32)
		seq, err3 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("GTID %q is not domain-server-sequence", part)
		}
		if seq > out[uint32(dom)] {
			out[uint32(dom)] = seq
		} else if _, ok := out[uint32(dom)]; !ok {
			out[uint32(dom)] = seq
		}
	}
	return out, nil
}
