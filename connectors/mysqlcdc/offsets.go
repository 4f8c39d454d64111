package mysqlcdc

import (
	"fmt"
	"math"
	"strconv"
)

// The offsets' keys, as Debezium's BinlogOffsetContext writes them.
const (
	offsetFile      = "file"
	offsetPos       = "pos"
	offsetGTIDs     = "gtids"
	offsetEvent     = "event"
	offsetRow       = "row"
	offsetTsSec     = "ts_sec"
	offsetServerID  = "server_id"
	offsetSnapshot  = "snapshot"
	offsetSnapDone  = "snapshot_completed"
	snapshotInitial = "INITIAL"
)

// offset is a position in the binlog as Debezium stores it: where to
// restart (the start of the current transaction: file, pos and the GTID
// set completed before it) and what of that transaction was already
// emitted (event events, then row rows of the next one).
type offset struct {
	File     string
	Pos      int64
	GTIDs    string
	Event    int64
	Row      int64
	TsSec    int64
	ServerID int64
	// Snapshot is "INITIAL" while the initial snapshot runs ("" after).
	Snapshot string
}

// toMap is the offset as stored: Debezium's keys, zero event, row and
// server_id left out.
func (o offset) toMap() map[string]any {
	m := make(map[string]any, 8)
	if o.ServerID != 0 {
		m[offsetServerID] = o.ServerID
	}
	if o.GTIDs != "" {
		m[offsetGTIDs] = o.GTIDs
	}
	m[offsetFile] = o.File
	m[offsetPos] = o.Pos
	if o.Event != 0 {
		m[offsetEvent] = o.Event
	}
	if o.Row != 0 {
		m[offsetRow] = o.Row
	}
	if o.TsSec != 0 {
		m[offsetTsSec] = o.TsSec
	}
	if o.Snapshot != "" {
		m[offsetSnapshot] = o.Snapshot
	}
	return m
}

// parseOffset reads a stored offset, Debezium's or sluice's: file is
// required, numbers may be integers or their decimal strings (Debezium
// reads both), snapshot true (older Debezium) means INITIAL.
func parseOffset(m map[string]any) (offset, error) {
	var o offset
	f, ok := m[offsetFile].(string)
	if !ok || f == "" {
		return o, fmt.Errorf("the stored offset %v has no binlog file name (key %q)", m, offsetFile)
	}
	o.File = f
	var err error
	num := func(k string) int64 {
		if err != nil {
			return 0
		}
		var n int64
		n, err = offsetInt(m, k)
		return n
	}
	o.Pos, o.Event, o.Row, o.TsSec, o.ServerID = num(offsetPos), num(offsetEvent), num(offsetRow), num(offsetTsSec), num(offsetServerID)
	if err != nil {
		return o, err
	}
	if o.Pos < 0 || o.Pos > math.MaxUint32 || o.Event < 0 || o.Row < 0 || o.Row > math.MaxInt32 {
		return o, fmt.Errorf("the stored offset %v is out of range (pos, event, row)", m)
	}
	switch g := m[offsetGTIDs].(type) {
	case nil:
	case string:
		o.GTIDs = g
	default:
		return o, fmt.Errorf("the stored offset's %q is %T, not a string", offsetGTIDs, g)
	}
	switch s := m[offsetSnapshot].(type) {
	case nil, bool:
		if s == true {
			o.Snapshot = snapshotInitial
		}
	case string:
		switch s {
		case "true", snapshotInitial:
			o.Snapshot = snapshotInitial
		case "false", "":
		default:
			return o, fmt.Errorf("the stored offset's %q is %q: sluice resumes only an INITIAL snapshot", offsetSnapshot, s)
		}
	default:
		return o, fmt.Errorf("the stored offset's %q is %T, not a string", offsetSnapshot, s)
	}
	if d := m[offsetSnapDone]; d == true || d == "true" {
		o.Snapshot = ""
	}
	return o, nil
}

// offsetInt reads an integer key of an offset: absent is 0.
func offsetInt(m map[string]any, k string) (int64, error) {
	switch v := m[k].(type) {
	case nil:
		return 0, nil
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case float64:
		if v != math.Trunc(v) {
			return 0, fmt.Errorf("the stored offset's %q is %v, not an integer", k, v)
		}
		return int64(v), nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("the stored offset's %q is %q, not an integer", k, v)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("the stored offset's %q is %T, not an integer", k, v)
	}
}
