package source

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/mysqlconn"
	"github.com/sluicehq/sluice/schemas"
)

// The keys of source partitions and offsets, as Confluent's connector
// writes them (JdbcSourceConnectorConstants, OffsetProtocols,
// TimestampIncrementingOffset).
const (
	partitionTable    = "table"
	partitionQuery    = "query"
	partitionProtocol = "protocol"
	protocolV1        = "1"
	offsetInc         = "incrementing"
	offsetTS          = "timestamp"
	offsetTSNanos     = "timestamp_nanos"
)

// offset is a querier's position: the last incrementing value and the
// last timestamp (with its full sub-second precision) it produced.
type offset struct {
	inc    int64
	hasInc bool
	ts     time.Time
	hasTS  bool
}

// toMap writes the offset as Confluent's TimestampIncrementingOffset.toMap:
// "incrementing", and "timestamp" (epoch milliseconds) with
// "timestamp_nanos" (the nanoseconds of the second, 0..999999999, as
// java.sql.Timestamp.getNanos).
func (o offset) toMap() map[string]any {
	m := map[string]any{}
	if o.hasInc {
		m[offsetInc] = o.inc
	}
	if o.hasTS {
		m[offsetTS] = o.ts.UnixMilli()
		m[offsetTSNanos] = int64(o.ts.Nanosecond())
	}
	return m
}

// offsetFromMap reads a stored offset, whoever wrote it.
func offsetFromMap(m map[string]any) (offset, error) {
	var o offset
	if v, ok := m[offsetInc]; ok && v != nil {
		n, ok := toInt64(v)
		if !ok {
			return o, fmt.Errorf("the stored offset's %q is %v, not an integer", offsetInc, v)
		}
		o.inc, o.hasInc = n, true
	}
	if v, ok := m[offsetTS]; ok && v != nil {
		ms, ok := toInt64(v)
		if !ok {
			return o, fmt.Errorf("the stored offset's %q is %v, not epoch milliseconds", offsetTS, v)
		}
		// As new java.sql.Timestamp(ms).setNanos(nanos): the whole
		// seconds of ms, and the nanoseconds of the second.
		sec := ms / 1000
		if ms%1000 < 0 {
			sec--
		}
		nanos := (ms - sec*1000) * int64(time.Millisecond)
		if v, ok := m[offsetTSNanos]; ok && v != nil {
			n, ok := toInt64(v)
			if !ok || n < 0 || n > 999999999 {
				return o, fmt.Errorf("the stored offset's %q is %v, not nanoseconds 0..999999999", offsetTSNanos, v)
			}
			nanos = n
		}
		o.ts, o.hasTS = time.Unix(sec, nanos).UTC(), true
	}
	return o, nil
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

// querier reads one table (or the query) of a task.
type querier struct {
	st        *settings
	db        *sql.DB
	log       *slog.Logger
	id        mysqlconn.TableID // table mode
	query     string            // query mode
	name      string            // "table db.t" or "the query", for messages
	topic     string
	partition map[string]any
	incCol    string
	tsCols    []string
	tsInstant bool // TIMESTAMP columns: compared in UTC; DATETIME: in db.timezone
	// tsPrecision is the fractional digits the timestamp columns hold
	// (the fewest of them), 0..6, or dayPrecision for a DATE column: the
	// upper bound of a query is cut to it (see upperBound).
	tsPrecision int
	clock       func(context.Context, *sql.DB) (time.Time, error) // dbNow; tests set it
	bits        map[string]columnInfo
	off         offset
	nextRun     time.Time
	failures    int      // consecutive non-connection SQL errors
	gone        bool     // the table was not found: its columns are looked up again before it is read
	keyCols     []string // a unique key of NOT NULL columns (table mode), to page through equal timestamps by
	tie         *tie     // timestamp mode, inside a group of rows sharing a timestamp

	mapping *mapping
	mapSig  string
	warned  map[string]bool

	// bulk mode streams the table across polls.
	rows   *sql.Rows
	cancel context.CancelFunc
}

func (q *querier) incremental() bool { return q.st.mode != ModeBulk }

func (q *querier) quote(name string) string { return mysqlconn.Quote(name, q.st.quote) }

func (q *querier) tsExpr() string {
	if len(q.tsCols) == 1 {
		return q.quote(q.tsCols[0])
	}
	parts := make([]string, len(q.tsCols))
	for i, c := range q.tsCols {
		parts[i] = q.quote(c)
	}
	return "COALESCE(" + strings.Join(parts, ",") + ")"
}

func (q *querier) base() string {
	if q.query != "" {
		return q.query
	}
	return "SELECT * FROM " + q.id.Quoted(q.st.quote)
}

// tsParam renders a time as the timestamp columns compare it: TIMESTAMP
// columns in UTC (the session's time_zone), DATETIME ones in db.timezone.
func (q *querier) tsParam(t time.Time) string {
	loc := q.st.zone
	if q.tsInstant {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04:05.999999")
}

// lastTS is the timestamp the next query starts after: the offset's, or,
// without one, the epoch (as Confluent's connector: rows stamped at or
// before 1970-01-01, and zero dates, are not read).
func (q *querier) lastTS() time.Time {
	if q.off.hasTS {
		return q.off.ts
	}
	return time.Unix(0, 0).UTC()
}

// statement builds the next incremental query, as Confluent's
// TimestampIncrementingCriteria does, plus LIMIT batch.max.rows.
//
// Confluent keeps one result set open across polls. Here each poll runs a
// query limited to batch.max.rows whose criteria start after the last row
// produced: memory stays bounded, no connection is held between polls
// (MySQL drops a reader that pauses longer than net_write_timeout), and
// the order makes every query resume exactly where the last one stopped:
// "inc > last" for incrementing, "(ts, inc) > (last ts, last inc)" for
// timestamp+incrementing. In timestamp mode rows sharing a timestamp are
// not ordered among themselves, so a page never ends inside a timestamp:
// when a page is full, the rows of its last timestamp are dropped and read
// again, all of them, by a second query on that timestamp (see page).
func (q *querier) statement(now time.Time) (string, []any) {
	var b strings.Builder
	b.WriteString(q.base())
	var args []any
	var conds []string
	inc := ""
	if q.incCol != "" {
		inc = q.quote(q.incCol)
	}
	switch q.st.mode {
	case ModeIncrementing:
		if q.off.hasInc {
			conds = append(conds, inc+" > ?")
			args = append(args, q.off.inc)
		}
	case ModeTimestamp:
		ts := q.tsExpr()
		conds = append(conds, ts+" > ?", ts+" < ?")
		args = append(args, q.tsParam(q.lastTS()), q.tsParam(now))
	case ModeTimestampIncrementing:
		ts := q.tsExpr()
		conds = append(conds, ts+" < ?")
		args = append(args, q.tsParam(now))
		last := q.tsParam(q.lastTS())
		lastInc := int64(math.MinInt64)
		if q.off.hasInc {
			lastInc = q.off.inc
		}
		conds = append(conds, "(("+ts+" = ? AND "+inc+" > ?) OR "+ts+" > ?)")
		args = append(args, last, lastInc, last)
	}
	if len(conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(conds, " AND "))
	}
	switch q.st.mode {
	case ModeIncrementing:
		b.WriteString(" ORDER BY " + inc + " ASC")
	case ModeTimestamp:
		b.WriteString(" ORDER BY " + q.tsExpr() + " ASC")
	case ModeTimestampIncrementing:
		b.WriteString(" ORDER BY " + q.tsExpr() + " ASC," + inc + " ASC")
	}
	if q.incremental() {
		b.WriteString(q.st.limitClause(q.st.batch()))
	} else {
		b.WriteString(suffix(q.st.querySuffix))
	}
	return b.String(), args
}

// row is one fetched row with its timestamp and incrementing value.
type row struct {
	vals []any
	ts   time.Time
	inc  int64
}

// sqlError wraps an error of a query, naming the table or the query.
type sqlError struct {
	q   *querier
	err error
}

func (e *sqlError) Error() string { return fmt.Sprintf("%s: %v", e.q.name, e.err) }
func (e *sqlError) Unwrap() error { return e.err }

// page runs the next query (or reads on in bulk mode) and returns its records;
// more says whether more rows may be waiting right away.
func (q *querier) page(ctx, life context.Context) (recs []connectors.SourceRecord, more bool, err error) {
	if !q.incremental() {
		return q.bulkPage(ctx, life)
	}
	if q.tie != nil {
		return q.tiePage(ctx)
	}
	var now time.Time
	if q.st.mode != ModeIncrementing {
		clock := q.clock
		if clock == nil {
			clock = dbNow
		}
		if now, err = clock(ctx, q.db); err != nil {
			return nil, false, &sqlError{q, err}
		}
		now = q.upperBound(now.Add(-q.st.tsDelay))
	}
	stmt, args := q.statement(now)
	rows, err := q.fetch(ctx, stmt, args, q.st.batch())
	if err != nil {
		return nil, false, err
	}
	full := len(rows) >= q.st.batch()
	if full && q.st.mode == ModeTimestamp {
		// The page may end inside a group of rows with its last
		// timestamp: the group is read by its own queries.
		last := rows[len(rows)-1].ts
		keep := len(rows)
		for keep > 0 && rows[keep-1].ts.Equal(last) {
			keep--
		}
		rows = rows[:keep]
		q.tie = &tie{ts: last}
		if keep == 0 {
			return q.tiePage(ctx)
		}
	}
	// The position advances only once every row converted: a failed
	// page leaves it where it was.
	cur := q.off
	prev := cur
	for i, r := range rows {
		st, err := q.mapping.toStruct(r.vals)
		if err != nil {
			return nil, false, err
		}
		next := cur
		switch q.st.mode {
		case ModeIncrementing:
			next.inc, next.hasInc = r.inc, true
		case ModeTimestampIncrementing:
			next.inc, next.hasInc = r.inc, true
			next.ts, next.hasTS = r.ts, true
		case ModeTimestamp:
			// A row's offset is its timestamp only when it is the last row
			// of that timestamp: resuming from a row inside a group of
			// equal timestamps reads the whole group again, rather than
			// losing its rest.
			if i == len(rows)-1 || !rows[i+1].ts.Equal(r.ts) {
				next.ts, next.hasTS = r.ts, true
				prev = next
			} else {
				next = prev
			}
		}
		cur = next
		recs = append(recs, q.record(st, next.toMap()))
	}
	q.off = cur
	return recs, full, nil
}

// tie is the position of a timestamp mode querier inside a group of rows
// sharing a timestamp: the group's timestamp and the unique key of the
// last row produced. It lives in memory only: the stored offset stays
// before the group until its last row, so a restart reads the group again.
type tie struct {
	ts      time.Time
	lastKey []any // nil before the group's first page
}

// tiePage reads the next page of the group of rows q.tie is in. With a
// unique key it reads batch.max.rows rows at a time, ordered by the key
// (WHERE ts = ? AND (k) > (?) ORDER BY k LIMIT n); without one, the whole
// group at once (a WARN, once).
func (q *querier) tiePage(ctx context.Context) ([]connectors.SourceRecord, bool, error) {
	tsArg := q.tsParam(q.tie.ts)
	stmt := q.base() + " WHERE " + q.tsExpr() + " = ?"
	args := []any{tsArg}
	limit := 0
	if len(q.keyCols) == 0 {
		if !q.warned["\x00tie"] {
			q.warned["\x00tie"] = true
			q.log.Warn("many rows share one timestamp and the table has no unique key (of NOT NULL columns) to page through them by: they are read at once, however many",
				"table", q.name, "timestamp", q.tie.ts, "batch.max.rows", q.st.batchMaxRows)
		}
		_, rest := q.st.suffixLimit()
		stmt += suffix(rest) // the group whole: not cut by the suffix's LIMIT
	} else {
		keys := make([]string, len(q.keyCols))
		for i, k := range q.keyCols {
			keys[i] = q.quote(k)
		}
		key := strings.Join(keys, ",")
		if q.tie.lastKey != nil {
			marks := strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",")
			stmt += " AND (" + key + ") > (" + marks + ")"
			args = append(args, q.tie.lastKey...)
		}
		// One row more than a page tells whether the group goes on.
		limit = q.st.batch() + 1
		_, rest := q.st.suffixLimit()
		stmt += " ORDER BY " + key + " ASC" + fmt.Sprintf(" LIMIT %d", limit) + suffix(rest)
	}
	rows, err := q.fetch(ctx, stmt, args, limit)
	if err != nil {
		return nil, false, err
	}
	ended := limit == 0 || len(rows) < limit
	if !ended {
		rows = rows[:q.st.batch()]
	}
	recs := make([]connectors.SourceRecord, 0, len(rows))
	off := q.off
	for i, r := range rows {
		st, err := q.mapping.toStruct(r.vals)
		if err != nil {
			return nil, false, err
		}
		if ended && i == len(rows)-1 {
			off.ts, off.hasTS = q.tie.ts, true
		}
		recs = append(recs, q.record(st, off.toMap()))
	}
	if ended {
		q.off.ts, q.off.hasTS = q.tie.ts, true
		q.tie = nil
		return recs, true, nil
	}
	last := rows[len(rows)-1]
	key := make([]any, 0, len(q.keyCols))
	for _, k := range q.keyCols {
		idx := slices.IndexFunc(q.mapping.cols, func(c column) bool { return strings.EqualFold(c.name, k) })
		if idx < 0 {
			return nil, false, fmt.Errorf("%s: the result has no column %q of the table's unique key", q.name, k)
		}
		key = append(key, keyArg(last.vals[idx], q.mapping.cols[idx].dbType))
	}
	q.tie.lastKey = key
	return recs, true, nil
}

// keyArg is a key value as a query argument: text as a string, so that the
// column's collation compares it as ORDER BY does; binary as bytes.
func keyArg(v any, dbType string) any {
	b, ok := v.([]byte)
	if !ok || strings.Contains(dbType, "BINARY") || strings.Contains(dbType, "BLOB") || dbType == "BIT" {
		return v
	}
	return string(b)
}

// leadingLimit matches a query.suffix that starts with LIMIT n.
var leadingLimit = regexp.MustCompile(`(?is)^\s*LIMIT\s+(\d{1,9})\b(.*)$`)

// suffixLimit splits a query.suffix that starts with LIMIT n (not LIMIT
// n,m nor LIMIT n OFFSET m) into n and the rest; n is 0 when it does not.
func (st *settings) suffixLimit() (n int, rest string) {
	m := leadingLimit.FindStringSubmatch(st.querySuffix)
	if m == nil {
		return 0, st.querySuffix
	}
	rest = strings.TrimSpace(m[2])
	if strings.HasPrefix(rest, ",") || len(rest) >= 6 && strings.EqualFold(rest[:6], "offset") {
		return 0, st.querySuffix
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		return 0, st.querySuffix
	}
	return n, rest
}

// batch is the most rows an incremental query asks for: batch.max.rows,
// or the LIMIT query.suffix starts with when smaller.
func (st *settings) batch() int {
	if n, _ := st.suffixLimit(); n > 0 && n < st.batchMaxRows {
		return n
	}
	return st.batchMaxRows
}

// limitClause is " LIMIT n" and the rest of query.suffix: a LIMIT the
// suffix starts with is merged into ours (the statement would otherwise
// have two).
func (st *settings) limitClause(n int) string {
	_, rest := st.suffixLimit()
	return fmt.Sprintf(" LIMIT %d", n) + suffix(rest)
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

func (q *querier) record(v *schemas.Struct, off map[string]any) connectors.SourceRecord {
	return connectors.SourceRecord{
		Record:          connectors.Record{Topic: q.topic, ValueSchema: v.Schema(), Value: v},
		SourcePartition: q.partition,
		SourceOffset:    off,
	}
}

// isolationLevels maps transaction.isolation.mode to database/sql's levels.
var isolationLevels = map[string]sql.IsolationLevel{
	"READ_UNCOMMITTED": sql.LevelReadUncommitted,
	"READ_COMMITTED":   sql.LevelReadCommitted,
	"REPEATABLE_READ":  sql.LevelRepeatableRead,
	"SERIALIZABLE":     sql.LevelSerializable,
}

// run runs a query, in a read-only transaction at the configured isolation
// level unless it is DEFAULT; done ends the transaction once the rows are
// read (or closed).
func (q *querier) run(ctx context.Context, stmt string, args ...any) (rows *sql.Rows, done func(), err error) {
	lvl, ok := isolationLevels[q.st.isolation]
	if !ok {
		rows, err = q.db.QueryContext(ctx, stmt, args...)
		return rows, func() {}, err
	}
	tx, err := q.db.BeginTx(ctx, &sql.TxOptions{Isolation: lvl, ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	rows, err = tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		_ = tx.Rollback()
		return nil, nil, err
	}
	return rows, func() { _ = rows.Close(); _ = tx.Rollback() }, nil
}

// fetch runs a statement and reads at most limit rows (0: all).
func (q *querier) fetch(ctx context.Context, stmt string, args []any, limit int) ([]row, error) {
	rs, done, err := q.run(ctx, stmt, args...)
	if err != nil {
		return nil, &sqlError{q, err}
	}
	defer done()
	defer rs.Close()
	cts, err := rs.ColumnTypes()
	if err != nil {
		return nil, &sqlError{q, err}
	}
	if err := q.prepare(cts); err != nil {
		return nil, err
	}
	incIdx, tsIdx, err := q.indexes(cts)
	if err != nil {
		return nil, err
	}
	var out []row
	for rs.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, &sqlError{q, err}
		}
		r := row{vals: vals}
		if incIdx >= 0 {
			if r.inc, err = signedOf(vals[incIdx]); err != nil || vals[incIdx] == nil {
				return nil, fmt.Errorf("%s: the incrementing column %q holds %v, not a 64-bit integer", q.name, q.incCol, vals[incIdx])
			}
		}
		if len(tsIdx) > 0 {
			if r.ts, err = q.rowTime(vals, tsIdx); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	if err := rs.Err(); err != nil {
		return nil, &sqlError{q, err}
	}
	return out, nil
}

// rowTime is the row's value of the timestamp expression: the first
// timestamp column that is not null (COALESCE), as the column's zone reads it.
func (q *querier) rowTime(vals []any, idx []int) (time.Time, error) {
	for _, i := range idx {
		if vals[i] == nil {
			continue
		}
		s := string(bytesOf(vals[i]))
		if len(s) == len("2006-01-02") {
			s += " 00:00:00"
		}
		c := q.mapping.cols[i]
		if q.tsInstant {
			c.kind = kTimestamp // compared in UTC, as tsParam writes them
		}
		t, zero, err := q.mapping.instant(&c, s)
		if zero {
			// As zeroDateTimeBehavior says: CONVERT_TO_NULL makes it null
			// (the next column counts), ROUND 0001-01-01, EXCEPTION fails.
			var v any
			if v, err = q.mapping.zero(t); err == nil && v == nil {
				continue
			}
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: timestamp column %q: %w", q.name, c.name, err)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s: every timestamp column (%s) of a row is null", q.name, strings.Join(q.tsCols, ","))
}

// prepare (re)builds the mapping when the result's columns change.
func (q *querier) prepare(cts []*sql.ColumnType) error {
	var sig strings.Builder
	for _, ct := range cts {
		n, _ := ct.Nullable()
		p, s, _ := ct.DecimalSize()
		fmt.Fprintf(&sig, "%q %s %v %d %d;", ct.Name(), ct.DatabaseTypeName(), n, p, s)
	}
	if q.mapping != nil && sig.String() == q.mapSig {
		return nil
	}
	structName := ""
	if q.query == "" {
		structName = q.id.Table
	}
	m, err := newMapping(structName, q.name, cts, q.bits, q.st, func(col, typ string) {
		if q.warned[col] {
			return
		}
		q.warned[col] = true
		q.log.Warn("column skipped: its type has no Connect equivalent", "table", q.name, "column", col, "type", typ)
	})
	if err != nil {
		return err
	}
	q.mapping, q.mapSig = m, sig.String()
	return nil
}

func (q *querier) indexes(cts []*sql.ColumnType) (inc int, ts []int, err error) {
	find := func(name string) int {
		for i, ct := range cts {
			if ct.Name() == name {
				return i
			}
		}
		for i, ct := range cts {
			if strings.EqualFold(ct.Name(), name) {
				return i
			}
		}
		return -1
	}
	inc = -1
	if q.incCol != "" && q.st.mode != ModeBulk && q.st.mode != ModeTimestamp {
		if inc = find(q.incCol); inc < 0 {
			return 0, nil, fmt.Errorf("%s: the result has no incrementing column %q (incrementing.column.name)", q.name, q.incCol)
		}
	}
	if q.st.mode == ModeTimestamp || q.st.mode == ModeTimestampIncrementing {
		for _, c := range q.tsCols {
			i := find(c)
			if i < 0 {
				return 0, nil, fmt.Errorf("%s: the result has no timestamp column %q (timestamp.column.name)", q.name, c)
			}
			ts = append(ts, i)
		}
	}
	return inc, ts, nil
}

// bulkPage reads the next batch.max.rows rows of the whole table, keeping
// the result set open between polls (as Confluent's BulkTableQuerier
// does: a bulk read has no criteria to resume from).
//
// The result set lives on life, but until its first row arrives it is
// also cut when poll is (a slow query does not hold up the task's stop).
func (q *querier) bulkPage(poll, life context.Context) ([]connectors.SourceRecord, bool, error) {
	untie := func() bool { return false }
	defer func() { untie() }()
	if q.rows == nil {
		ctx, cancel := context.WithCancel(life)
		untie = context.AfterFunc(poll, cancel)
		stmt := q.base() + suffix(q.st.querySuffix)
		rs, done, err := q.run(ctx, stmt)
		if err != nil {
			cancel()
			return nil, false, &sqlError{q, err}
		}
		cts, err := rs.ColumnTypes()
		if err == nil {
			err = q.prepare(cts)
		}
		if err != nil {
			_ = rs.Close()
			done()
			cancel()
			return nil, false, err
		}
		q.rows, q.cancel = rs, func() { done(); cancel() }
	}
	var recs []connectors.SourceRecord
	n := len(q.mapping.cols)
	for len(recs) < q.st.batchMaxRows {
		next := q.rows.Next()
		untie()
		if !next {
			err := q.rows.Err()
			q.closeRows()
			if err != nil {
				return nil, false, &sqlError{q, err}
			}
			return recs, false, nil
		}
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := q.rows.Scan(ptrs...); err != nil {
			q.closeRows()
			return nil, false, &sqlError{q, err}
		}
		st, err := q.mapping.toStruct(vals)
		if err != nil {
			q.closeRows()
			return nil, false, err
		}
		recs = append(recs, q.record(st, nil))
	}
	return recs, true, nil
}

func (q *querier) closeRows() {
	if q.rows != nil {
		_ = q.rows.Close()
		q.cancel()
		q.rows, q.cancel = nil, nil
	}
}

// dayPrecision is tsPrecision for a DATE column: whole days.
const dayPrecision = -1

// upperBound cuts the upper bound of a query (the database's time minus
// timestamp.delay.interval.ms) to what the timestamp columns can hold. A
// DATETIME without fractional seconds holds whole seconds: with a bound of
// 12:29:31.5, a row stamped 12:29:31 is read and the offset becomes
// 12:29:31; a row inserted later in that same second, stamped 12:29:31
// too, would never be read (the next query asks for ts > 12:29:31). With
// the bound cut to 12:29:31, the second is read once it is over.
func (q *querier) upperBound(t time.Time) time.Time {
	if q.tsPrecision == dayPrecision {
		loc := q.st.zone
		if q.tsInstant {
			loc = time.UTC
		}
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	unit := time.Second
	for range min(max(q.tsPrecision, 0), 6) {
		unit /= 10
	}
	return t.Truncate(unit)
}

// dbNow is the database's current time (Confluent's currentTimeOnDB).
func dbNow(ctx context.Context, db *sql.DB) (time.Time, error) {
	var s string
	if err := db.QueryRowContext(ctx, "SELECT UTC_TIMESTAMP(6)").Scan(&s); err != nil {
		return time.Time{}, fmt.Errorf("read the database's time: %w", err)
	}
	return parseDateTime(s, time.UTC)
}

// isConnectionError reports whether err means the connection, not the
// query, failed: the task reconnects and retries.
func isConnectionError(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	return mysqlconn.Retriable(err)
}
