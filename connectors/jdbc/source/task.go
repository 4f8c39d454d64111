package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// idleWait is the longest a Poll waits when no table is due.
const idleWait = time.Second

// task reads the tables (or the query) of its configuration.
type task struct {
	st       *settings
	db       *sql.DB
	log      *slog.Logger
	queriers []*querier
	life     context.Context // for result sets that outlive a Poll (bulk)
	stop     context.CancelFunc
	now      func() time.Time
}

var (
	_ connectors.SourceTask = (*task)(nil)
	_ connectors.Logging    = (*task)(nil)
)

func (t *task) SetLogger(log *slog.Logger) { t.log = log }

// openDB connects as the settings say, with the session settings every
// connection needs: time_zone UTC, so that TIMESTAMP values are read and
// compared as UTC whatever the server's default; a long net_write_timeout,
// so that a bulk read paused between polls is not cut.
func openDB(ctx context.Context, st *settings, log *slog.Logger) (*sql.DB, error) {
	cfg := st.url.Config.Clone()
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Params["net_write_timeout"] = "3600"
	// One round trip per query (the driver escapes the arguments) rather
	// than prepare, execute and close: a page is one query.
	cfg.InterpolateParams = true
	u := *st.url
	u.Config = cfg
	u.SetLogger(log) // the driver's own messages name the task or connector
	return mysqlconn.Connect(ctx, &u, st.attempts, st.backoff, log)
}

func (t *task) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) (err error) {
	if t.log == nil { // SetLogger's, else the context's
		t.log = slog.New(slog.NewTextHandler(io.Discard, nil))
		if tc != nil {
			t.log = tc.Logger()
		}
	}
	if t.now == nil {
		t.now = time.Now
	}
	st, err := parseSettings(props)
	if err != nil {
		return fmt.Errorf("JDBC source task configuration: %w", err)
	}
	t.st = st
	defer func() {
		if err != nil {
			_ = t.Stop(ctx)
		}
	}()
	var tables []mysqlconn.TableID
	if st.query == "" {
		if tables, err = splitTables(props[TablesKey]); err != nil {
			return err
		}
	}
	if t.db, err = openDB(ctx, st, t.log); err != nil {
		return err
	}
	if props[tablesFetchedKey] == "false" {
		t.log.Info("the connector has not listed the tables yet (the database could not be reached); this task reads nothing until the tasks are reconfigured")
		return nil
	}
	t.life, t.stop = context.WithCancel(context.Background())
	if st.query != "" {
		q := t.newQuerier(mysqlconn.TableID{}, "the query")
		q.query, q.topic = st.query, st.topicPrefix
		q.incCol, q.tsCols = st.incColumn, st.tsColumns
		q.partition = map[string]any{partitionQuery: partitionQuery}
		if st.mode != ModeBulk {
			q.tsInstant, q.tsPrecision = t.queryTimestamps(ctx)
			if err := q.restore(ctx, tc, q.partition); err != nil {
				return err
			}
		}
		t.queriers = append(t.queriers, q)
		return nil
	}
	for _, id := range tables {
		q := t.newQuerier(id, "table "+id.String())
		q.topic = st.topicPrefix + id.Table
		q.tsCols = st.tsColumns
		if found, err := t.plan(ctx, q); err != nil {
			return err // a problem names the key to change
		} else if !found {
			// Dropped since the connector listed it: read once it is
			// back (or until the connector reconfigures the tasks).
			t.log.Warn("table not found; trying again every table.poll.interval.ms", "table", id.String(), "every", st.tablePollInterval)
			q.gone = true
		}
		if st.mode == ModeBulk {
			q.partition = map[string]any{partitionTable: id.Table}
		} else {
			q.partition = map[string]any{partitionProtocol: protocolV1, partitionTable: id.String()}
			// A v1 partition first, then the legacy one Confluent's
			// connector wrote before 5.0 (OffsetProtocols).
			if err := q.restore(ctx, tc, q.partition, map[string]any{partitionTable: id.Table}); err != nil {
				return err
			}
		}
		t.queriers = append(t.queriers, q)
	}
	return nil
}

// plan reads q's table's columns and sets what q needs to know of them;
// found is false when the table does not exist.
func (t *task) plan(ctx context.Context, q *querier) (found bool, err error) {
	plan, err := planTable(ctx, t.db, t.st, q.id)
	if errors.Is(err, errNoTable) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	q.incCol, q.tsInstant, q.tsPrecision, q.bits, q.keyCols = plan.incColumn, plan.tsIsInstant, plan.tsPrecision, plan.bits, plan.uniqueKey
	q.tie = nil
	q.mapping, q.mapSig = nil, ""
	return true, nil
}

func (t *task) newQuerier(id mysqlconn.TableID, name string) *querier {
	return &querier{st: t.st, db: t.db, log: t.log, id: id, name: name, warned: map[string]bool{}}
}

// restore reads the querier's offset from the first of partitions that has
// one; without, it starts from timestamp.initial.
func (q *querier) restore(ctx context.Context, tc connectors.SourceTaskContext, partitions ...map[string]any) error {
	for _, p := range partitions {
		m, err := tc.Offsets().Offset(ctx, p)
		if err != nil {
			return fmt.Errorf("%s: read the stored offset: %w", q.name, err)
		}
		if m == nil {
			continue
		}
		if q.off, err = offsetFromMap(m); err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		q.log.Info("resuming from the stored offset", "table", q.name, "partition", javafmt.Map(p), "offset", javafmt.Map(m))
		return nil
	}
	if init := q.st.tsInitial; init != nil && q.st.mode != ModeIncrementing {
		if *init == -1 {
			now, err := dbNow(ctx, q.db)
			if err != nil {
				return fmt.Errorf("%s: timestamp.initial=-1: %w", q.name, err)
			}
			q.off.ts = now
		} else {
			q.off.ts = time.UnixMilli(*init).UTC()
		}
		q.off.hasTS = true
	}
	return nil
}

// queryTimestamps reports, from an empty run of the query, whether its
// timestamp columns are TIMESTAMP columns (false when it cannot tell:
// DATETIME, read in db.timezone), and the fewest fractional digits they
// hold (whole seconds when it cannot tell, dayPrecision for a DATE).
func (t *task) queryTimestamps(ctx context.Context) (instant bool, precision int) {
	rows, err := t.db.QueryContext(ctx, "SELECT * FROM ("+t.st.query+") AS sluice_probe WHERE 1=0")
	if err != nil {
		return false, 0
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return false, 0
	}
	precision = 6
	for _, c := range t.st.tsColumns {
		i := slices.IndexFunc(cts, func(ct *sql.ColumnType) bool { return strings.EqualFold(ct.Name(), c) })
		if i < 0 {
			return instant, 0
		}
		switch cts[i].DatabaseTypeName() {
		case "TIMESTAMP":
			instant = true
		case "DATE":
			precision = dayPrecision
			continue
		}
		if precision == dayPrecision {
			continue
		}
		frac, _, ok := cts[i].DecimalSize()
		if !ok {
			frac = 0
		}
		precision = min(precision, int(frac))
	}
	return instant, precision
}

// Poll runs the query of the table that is due first: within a second
// when none is, at once when ctx is done.
func (t *task) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if len(t.queriers) == 0 {
		return nil, sleep(ctx, idleWait)
	}
	q := t.queriers[0]
	for _, o := range t.queriers[1:] {
		if o.nextRun.Before(q.nextRun) {
			q = o
		}
	}
	// A bulk table is read to its end before the others take their turn
	// (as Confluent's does): each open result set holds a connection, and
	// at most one is open per task.
	if i := slices.IndexFunc(t.queriers, func(o *querier) bool { return o.rows != nil }); i >= 0 {
		q = t.queriers[i]
	}
	if wait := q.nextRun.Sub(t.now()); wait > 0 {
		return nil, sleep(ctx, min(wait, idleWait))
	}
	// The queries outlive Poll's deadline (the runtime's next offset
	// flush): a query that takes longer would otherwise be cut, its page
	// thrown away and run again, forever. They end when the task stops or
	// Poll's context is cancelled.
	ctx, release := t.queryContext(ctx)
	defer release()
	if q.gone {
		// The table was dropped: it is read again once it exists, its
		// columns looked up anew (it may have been re-created otherwise).
		found, err := t.plan(ctx, q)
		if err != nil {
			return nil, t.failed(ctx, q, err)
		}
		if !found {
			q.nextRun = t.now().Add(t.st.tablePollInterval)
			return nil, nil
		}
		t.log.Info("table found again; reading it", "table", q.name)
		q.gone = false
	}
	recs, more, err := q.page(ctx, t.life)
	if err != nil {
		return nil, t.failed(ctx, q, err)
	}
	q.failures = 0
	if more {
		// Due again at once, but after the other due tables: a table
		// that keeps growing does not starve the others.
		q.nextRun = t.now()
	} else {
		q.nextRun = t.now().Add(t.st.pollInterval)
	}
	return recs, nil
}

// queryContext is a context for the queries of one Poll: cancelled when
// the task stops or poll is cancelled, not when poll's deadline passes.
func (t *task) queryContext(poll context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(t.life)
	stop := context.AfterFunc(poll, func() {
		if errors.Is(poll.Err(), context.Canceled) {
			cancel(context.Cause(poll))
		}
	})
	return ctx, func() { stop(); cancel(nil) }
}

// failed decides what an error of q means: a lost connection is retried
// (the pool reconnects), another SQL error is retried query.retry.attempts
// times and then fails the task, naming the table and the SQL error.
func (t *task) failed(ctx context.Context, q *querier, err error) error {
	q.closeRows()
	if ctx.Err() != nil {
		// Stopping or pausing: not a failure; the page is read again
		// from the same offset next time.
		t.log.Warn("query cut: the task is stopping or pausing; it runs again from the same offset", "table", q.name, "cause", context.Cause(ctx), "error", err)
		return nil
	}
	if q.query == "" && mysqlconn.Code(err) == mysqlconn.ErNoSuchTable {
		// Dropped while the task runs: tried again every
		// table.poll.interval.ms, and read once it exists again (a table
		// dropped and re-created between two looks of the connector's
		// table monitor is not lost); when the monitor sees it gone, it
		// reconfigures the tasks without it.
		t.log.Warn("table dropped; trying again every table.poll.interval.ms", "table", q.name, "every", t.st.tablePollInterval)
		q.gone = true
		q.nextRun = t.now().Add(t.st.tablePollInterval)
		return nil
	}
	// The runtime polls again at once after a retriable error: the table
	// waits connection.backoff.ms first, so that a server that is down is
	// not hammered.
	if isConnectionError(err) {
		t.log.Warn("lost the connection to the database; retrying", "table", q.name, "backoff", t.st.backoff, "error", err)
		q.nextRun = t.now().Add(t.st.backoff)
		return connectors.Retriable(err)
	}
	var se *sqlError
	if errors.As(err, &se) && q.failures < t.st.queryRetries {
		q.failures++
		t.log.Warn("query failed; retrying", "table", q.name, "attempt", q.failures, "of", t.st.queryRetries, "backoff", t.st.backoff, "error", err)
		q.nextRun = t.now().Add(t.st.backoff)
		return connectors.Retriable(err)
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil
}

func (t *task) Stop(context.Context) error {
	for _, q := range t.queriers {
		q.closeRows()
	}
	if t.stop != nil {
		t.stop()
	}
	if t.db != nil {
		return t.db.Close()
	}
	return nil
}
