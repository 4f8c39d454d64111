package events

import (
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// Field positions in the source schema (see buildSchemas).
const (
	srcVersion = iota
	srcConnector
	srcName
	srcTsMs
	srcSnapshot
	srcDB
	srcSequence
	srcTsUs
	srcTsNs
	srcTable
	srcServerID
	srcGTID
	srcFile
	srcPos
	srcRow
	srcThread
	srcQuery
)

// sourceStruct fills the source block as Debezium's
// BinlogSourceInfoStructMaker does. The values are of the schema's types
// by construction, so they are set without validation.
func (e *Events) sourceStruct(s *Source) *schemas.Struct {
	ts := s.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	st := schemas.NewStruct(e.source)
	put := func(i int, v any) {
		if err := st.PutAt(i, v); err != nil {
			// Every value below has its field's Go type: a failure is a
			// programming error in this file.
			panic(err)
		}
	}
	put(srcVersion, e.version)
	put(srcConnector, e.connector)
	put(srcName, e.name)
	put(srcTsMs, ts.UnixMilli())
	put(srcSnapshot, snapshotValue(s.Snapshot))
	put(srcDB, s.DB)
	if s.Sequence != "" {
		put(srcSequence, s.Sequence)
	}
	put(srcTsUs, ts.UnixMicro())
	put(srcTsNs, unixNano(ts))
	if s.Table != "" {
		put(srcTable, s.Table)
	}
	put(srcServerID, s.ServerID)
	if s.GTID != "" {
		put(srcGTID, s.GTID)
	}
	put(srcFile, s.File)
	put(srcPos, s.Pos)
	put(srcRow, s.Row)
	if s.Thread >= 0 {
		put(srcThread, s.Thread)
	}
	if s.Query != "" {
		put(srcQuery, s.Query)
	}
	return st
}

// unixNano is t.UnixNano, as Debezium computes it (seconds × 10⁹ + nanos,
// wrapping outside ±292 years like Java's long arithmetic).
func unixNano(t time.Time) int64 {
	return t.Unix()*1_000_000_000 + int64(t.Nanosecond())
}

// snapshotValue boxes the snapshot field without allocating for the
// known values.
func snapshotValue(s Snapshot) any {
	switch s {
	case SnapshotFalse:
		return "false"
	case SnapshotTrue:
		return "true"
	case SnapshotFirst:
		return "first"
	case SnapshotFirstInDataCollection:
		return "first_in_data_collection"
	case SnapshotLastInDataCollection:
		return "last_in_data_collection"
	case SnapshotLast:
		return "last"
	case SnapshotIncremental:
		return "incremental"
	}
	return string(s)
}
