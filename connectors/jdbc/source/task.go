package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/jdbc/internal/mysqlconn"
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
	if t.log == nil {
		t.log = slog.New(slog.NewTextHandler(io.Discard, nil))
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
	t.life, t.stop = context.WithCancel(context.Background())
	if st.query != "" {
		q := t.newQuerier(mysqlconn.TableID{}, "the query")
		q.query, q.topic = st.query, st.topicPrefix
		q.incCol, q.tsCols = st.incColumn, st.tsColumns
		q.partition = map[string]any{partitionQuery: partitionQuery}
		if st.mode != ModeBulk {
			q.tsInstant = t.queryTimestampsAreInstants(ctx)
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
		plan, err := planTable(ctx, t.db, st, id)
		if errors.Is(err, errNoTable) {
			// Dropped since the connector listed it: its monitor will
			// reconfigure the tasks without it.
			t.log.Warn("table not found; not reading it", "table", id.String())
			continue
		}
		if err != nil {
			return err // a problem names the key to change
		}
		q.incCol, q.tsCols, q.tsInstant, q.bits = plan.incColumn, st.tsColumns, plan.tsIsInstant, plan.bits
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
		q.log.Info("resuming from the stored offset", "table", q.name, "partition", p, "offset", m)
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

// queryTimestampsAreInstants reports whether the query's timestamp columns
// are TIMESTAMP columns, from an empty run of the query (false when it
// cannot tell: DATETIME, read in db.timezone).
func (t *task) queryTimestampsAreInstants(ctx context.Context) bool {
	rows, err := t.db.QueryContext(ctx, "SELECT * FROM ("+t.st.query+") AS sluice_probe WHERE 1=0")
	if err != nil {
		return false
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return false
	}
	for _, ct := range cts {
		for _, c := range t.st.tsColumns {
			if ct.Name() == c && ct.DatabaseTypeName() == "TIMESTAMP" {
				return true
			}
		}
	}
	return false
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
	if wait := q.nextRun.Sub(t.now()); wait > 0 {
		return nil, sleep(ctx, min(wait, idleWait))
	}
	recs, more, err := q.page(ctx, t.life)
	if err != nil {
		n := len(t.queriers)
		if err := t.failed(ctx, q, err); err != nil || len(t.queriers) == n {
			return nil, err
		}
		return t.Poll(ctx) // q's table was dropped: on with the next
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

// failed decides what an error of q means: a lost connection is retried
// (the pool reconnects), another SQL error is retried query.retry.attempts
// times and then fails the task, naming the table and the SQL error.
func (t *task) failed(ctx context.Context, q *querier, err error) error {
	q.closeRows()
	if ctx.Err() != nil {
		return nil // shutting down or pausing: not a failure
	}
	if q.query == "" && mysqlconn.Code(err) == mysqlconn.ErNoSuchTable {
		// Dropped while the task runs: stop reading it; the connector's
		// table monitor reconfigures the tasks without it.
		t.log.Warn("table dropped; no longer reading it", "table", q.name)
		t.queriers = slices.DeleteFunc(t.queriers, func(o *querier) bool { return o == q })
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
