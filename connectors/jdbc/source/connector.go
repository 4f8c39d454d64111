package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/jdbc/internal/mysqlconn"
)

// Class is the Java class name of Confluent's JDBC source connector.
const Class = "io.confluent.connect.jdbc.JdbcSourceConnector"

// Version is the version the connector reports.
const Version = "0.1.0"

// Connector is the JDBC source connector for MySQL and MariaDB.
type Connector struct {
	log   *slog.Logger
	props map[string]string
	st    *settings
	db    *sql.DB

	mu     sync.Mutex
	tables []mysqlconn.TableID

	cancel context.CancelFunc
	done   chan struct{}
}

var (
	_ connectors.SourceConnector = (*Connector)(nil)
	_ connectors.Validator       = (*Connector)(nil)
	_ connectors.Versioned       = (*Connector)(nil)
	_ connectors.Logging         = (*Connector)(nil)
)

// New returns a JDBC source connector.
func New() *Connector { return &Connector{} }

// Version implements connectors.Versioned.
func (*Connector) Version() string { return Version }

// Config implements connectors.Connector.
func (*Connector) Config() *config.Def { return configDef() }

// SetLogger implements connectors.Logging.
func (c *Connector) SetLogger(log *slog.Logger) { c.log = log }

// NewTask implements connectors.SourceConnector.
func (*Connector) NewTask() connectors.SourceTask { return &task{} }

// Start connects, lists the tables and starts the table monitor, which
// asks for new task configurations when tables appear or go.
func (c *Connector) Start(ctx context.Context, cc connectors.ConnectorContext, props map[string]string) error {
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	st, err := parseSettings(props)
	if err != nil {
		return fmt.Errorf("JDBC source connector configuration: %w", err)
	}
	for _, p := range st.url.Unknown {
		c.log.Warn("connection.url has a property sluice does not know; ignored", "property", p)
	}
	if len(st.url.Ignored) > 0 {
		c.log.Info("connection.url has Connector/J properties that have no effect in sluice", "properties", st.url.Ignored)
	}
	c.st, c.props = st, maps.Clone(props)
	if st.query != "" {
		return nil // one task runs the query: no tables to watch
	}
	if c.db, err = openDB(ctx, st, c.log); err != nil {
		return err
	}
	tables, err := listTables(ctx, c.db, st)
	if err != nil {
		_ = c.db.Close()
		return err
	}
	if missing := missingWhitelisted(st, tables); len(missing) > 0 {
		c.log.Warn("whitelisted tables not found; they are read once they appear", "tables", missing)
	}
	if len(tables) == 0 {
		c.log.Warn("no table matches the configuration yet; the connector runs no task until one appears", "database", st.url.Config.DBName)
	}
	c.tables = tables
	mctx, cancel := context.WithCancel(context.Background())
	c.cancel, c.done = cancel, make(chan struct{})
	go c.monitor(mctx, cc)
	return nil
}

// monitor lists the tables every table.poll.interval.ms (Confluent's
// TableMonitorThread) until Stop.
func (c *Connector) monitor(ctx context.Context, cc connectors.ConnectorContext) {
	defer close(c.done)
	ticker := time.NewTicker(c.st.tablePollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		tables, err := listTables(ctx, c.db, c.st)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("cannot list the tables; trying again later", "error", err)
			}
			continue
		}
		c.mu.Lock()
		changed := !slices.Equal(tables, c.tables)
		if changed {
			c.log.Info("the set of tables changed; reconfiguring the tasks", "before", len(c.tables), "now", len(tables))
			c.tables = tables
		}
		c.mu.Unlock()
		if changed {
			cc.RequestTaskReconfiguration()
		}
	}
}

// TaskConfigs spreads the tables over at most maxTasks tasks (the task key
// "tables"); a query runs in one task.
func (c *Connector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	if c.st.query != "" {
		tc := maps.Clone(c.props)
		tc[TablesKey] = ""
		return []map[string]string{tc}, nil
	}
	c.mu.Lock()
	tables := slices.Clone(c.tables)
	c.mu.Unlock()
	var out []map[string]string
	for _, g := range groupTables(tables, maxTasks) {
		tc := maps.Clone(c.props)
		tc[TablesKey] = joinTables(g)
		out = append(out, tc)
	}
	return out, nil
}

// Stop ends the table monitor and closes the connection pool.
func (c *Connector) Stop(context.Context) error {
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
	if c.db != nil {
		return c.db.Close()
	}
	return nil
}

// Validate checks the keys, then connects and checks what the
// configuration names: the tables, and the columns the mode needs. Each
// problem is reported on the key to change.
func (c *Connector) Validate(props map[string]string) []config.Result {
	results := configDef().Validate(props)
	byName := map[string]*config.Result{}
	failed := false
	for i := range results {
		byName[results[i].Name] = &results[i]
		failed = failed || len(results[i].Errors) > 0
	}
	add := func(key, msg string) {
		if r := byName[key]; r != nil {
			r.Errors = append(r.Errors, msg)
		}
	}
	if failed {
		return results
	}
	st, err := parseSettings(props)
	if err != nil {
		var p problem
		if errors.As(err, &p) {
			add(p.key, p.msg)
		} else {
			add(ConnectionURLKey, err.Error())
		}
		return results
	}
	ctx, cancel := context.WithTimeout(context.Background(), st.url.Config.Timeout+10*time.Second)
	defer cancel()
	st.attempts = 1 // an answer now, not after connection.backoff.ms
	db, err := openDB(ctx, st, nil)
	if err != nil {
		key := ConnectionURLKey
		if code := mysqlconn.Code(err); code == mysqlconn.ErAccessDenied {
			add(ConnectionUserKey, err.Error())
			key = ConnectionPasswordKey
		}
		add(key, err.Error())
		return results
	}
	defer db.Close()
	if st.query != "" {
		validateQuery(ctx, db, st, add)
		return results
	}
	tables, err := listTables(ctx, db, st)
	if err != nil {
		add(ConnectionURLKey, err.Error())
		return results
	}
	for _, m := range missingWhitelisted(st, tables) {
		add(TableWhitelistKey, fmt.Sprintf("no table %s in the database %q (of type %v)", m, st.url.Config.DBName, st.tableTypes))
	}
	seen := map[string]bool{}
	for _, id := range tables {
		if _, err := planTable(ctx, db, st, id); err != nil {
			var p problem
			if errors.Is(err, errNoTable) {
				key := ConnectionUserKey
				if len(st.whitelist) > 0 {
					key = TableWhitelistKey
				}
				add(key, err.Error())
			} else if errors.As(err, &p) {
				if !seen[p.key+p.msg] {
					add(p.key, p.msg)
					seen[p.key+p.msg] = true
				}
			} else {
				add(ConnectionURLKey, err.Error())
			}
		}
	}
	return results
}

// validateQuery runs the query without rows and checks that its result has
// the columns the mode needs.
func validateQuery(ctx context.Context, db *sql.DB, st *settings, add func(key, msg string)) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM ("+st.query+") AS sluice_probe WHERE 1=0")
	if err != nil {
		add(QueryKey, "the query does not run: "+err.Error())
		return
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		add(QueryKey, "the query does not run: "+err.Error())
		return
	}
	has := func(name string) bool {
		return slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, name) })
	}
	if (st.mode == ModeIncrementing || st.mode == ModeTimestampIncrementing) && !has(st.incColumn) {
		add(IncrementingColumnKey, fmt.Sprintf("the query's result has no column %q", st.incColumn))
	}
	if st.mode == ModeTimestamp || st.mode == ModeTimestampIncrementing {
		for _, c := range st.tsColumns {
			if !has(c) {
				add(TimestampColumnKey, fmt.Sprintf("the query's result has no column %q", c))
			}
		}
	}
}
