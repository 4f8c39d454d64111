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
	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// Class is the Java class name of Confluent's JDBC source connector.
const Class = "io.confluent.connect.jdbc.JdbcSourceConnector"

// Version is the version the connector reports: the Confluent JDBC
// connector release whose behaviour it follows, as the sink reports.
const Version = "10.9.7-sluice"

// Connector is the JDBC source connector for MySQL and MariaDB.
type Connector struct {
	log   *slog.Logger
	props map[string]string
	st    *settings
	db    *sql.DB

	mu     sync.Mutex
	tables []mysqlconn.TableID
	listed bool // the tables were listed once

	cancel context.CancelFunc
	done   chan struct{}
}

var (
	_ connectors.SourceConnector = (*Connector)(nil)
	_ connectors.Validator       = (*Connector)(nil)
	_ connectors.LiveValidator   = (*Connector)(nil)
	_ connectors.Versioned       = (*Connector)(nil)
	_ connectors.Logging         = (*Connector)(nil)
)

// New returns a JDBC source connector.
func New() *Connector { return &Connector{} }

// Version implements connectors.Versioned.
func (*Connector) Version() string { return Version }

// Config implements connectors.Connector.
func (*Connector) Config() *config.Def { return configDef() }

// EmbeddedSecrets implements connectors.SecretHolder: passwords written inside connection.url
// (its password property, key and trust store passwords) are scrubbed like connection.password.
func (*Connector) EmbeddedSecrets(props map[string]string) []string {
	return mysqlconn.URLSecrets(props[ConnectionURLKey])
}

// SetLogger implements connectors.Logging.
func (c *Connector) SetLogger(log *slog.Logger) { c.log = log }

// NewTask implements connectors.SourceConnector.
func (*Connector) NewTask() connectors.SourceTask { return &task{} }

// Start lists the tables and starts the table monitor, which asks for new
// task configurations when tables appear or go. A database that cannot be
// reached does not fail the connector: it runs no task until the monitor
// (trying again every connection.backoff.ms, at most every
// table.poll.interval.ms) lists the tables.
func (c *Connector) Start(ctx context.Context, cc connectors.ConnectorContext, props map[string]string) error {
	if c.log == nil { // SetLogger's, else the context's
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
		if cc != nil {
			c.log = cc.Logger()
		}
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
	u := *st.url
	u.SetLogger(c.log)
	if c.db, err = mysqlconn.Open(&u); err != nil {
		return err
	}
	lctx, cancel := context.WithTimeout(ctx, startListTimeout)
	listed, err := c.list(lctx)
	cancel()
	if err != nil && !mysqlconn.Retriable(err) {
		// Access denied, no such database: no use waiting.
		_ = c.db.Close()
		return fmt.Errorf("JDBC source connector: list the tables: %w", err)
	}
	if err != nil {
		c.warnUnlisted(err)
	}
	mctx, stop := context.WithCancel(context.Background())
	c.cancel, c.done = stop, make(chan struct{})
	go c.monitor(mctx, cc, listed)
	return nil
}

// startListTimeout bounds Start's first listing of the tables: past it, the
// monitor goes on trying in the background.
const startListTimeout = 10 * time.Second

// list lists the tables into c.tables, reporting whether it could, and
// why not.
func (c *Connector) list(ctx context.Context) (bool, error) {
	tables, err := listTables(ctx, c.db, c.st)
	if err != nil {
		return false, mysqlconn.Describe(err, c.st.url)
	}
	if missing := missingWhitelisted(c.st, tables); len(missing) > 0 {
		c.log.Warn("whitelisted tables not found; they are read once they appear", "tables", missing)
	}
	if len(tables) == 0 {
		c.log.Warn("no table matches the configuration yet; the connector runs no task until one appears", "databases", c.st.databases())
	}
	c.mu.Lock()
	c.tables, c.listed = tables, true
	c.mu.Unlock()
	return true, nil
}

func (c *Connector) warnUnlisted(err error) {
	c.log.Warn("cannot list the tables; the connector runs no task until it can, trying again",
		"every", c.retryEvery(), "error", err)
}

// retryEvery is how soon the monitor tries again after a failed listing.
func (c *Connector) retryEvery() time.Duration {
	if c.st.backoff > 0 && c.st.backoff < c.st.tablePollInterval {
		return c.st.backoff
	}
	return c.st.tablePollInterval
}

// monitor lists the tables every table.poll.interval.ms (Confluent's
// TableMonitorThread) until Stop; until a first listing succeeds, every
// retryEvery.
func (c *Connector) monitor(ctx context.Context, cc connectors.ConnectorContext, listed bool) {
	defer close(c.done)
	for {
		wait := c.st.tablePollInterval
		if !listed {
			wait = c.retryEvery()
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		if !listed {
			var err error
			if listed, err = c.list(ctx); listed {
				c.log.Info("listed the tables; configuring the tasks", "tables", len(c.tables))
				cc.RequestTaskReconfiguration()
			} else if ctx.Err() == nil {
				c.warnUnlisted(err)
			}
			continue
		}
		tables, err := listTables(ctx, c.db, c.st)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("cannot list the tables; trying again later", "error", mysqlconn.Describe(err, c.st.url))
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
// "tables"); a query runs in one task. Each holds the connector's
// configuration and tables.fetched, as Confluent's do.
func (c *Connector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	if c.st.query != "" {
		tc := maps.Clone(c.props)
		tc[TablesKey], tc[tablesFetchedKey] = "", "true"
		return []map[string]string{tc}, nil
	}
	c.mu.Lock()
	tables, listed := slices.Clone(c.tables), c.listed
	c.mu.Unlock()
	if !listed {
		// The database could not be reached yet: one task that says so
		// (its start fails, naming the cause, while the database cannot
		// be reached); the tasks are configured once the tables are listed.
		tc := maps.Clone(c.props)
		tc[TablesKey], tc[tablesFetchedKey] = "", "false"
		return []map[string]string{tc}, nil
	}
	var out []map[string]string
	for _, g := range groupTables(tables, maxTasks) {
		tc := maps.Clone(c.props)
		tc[TablesKey], tc[tablesFetchedKey] = joinTables(g), "true"
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

// Validate checks the keys and the rules between them, without the
// database: the runtime runs it whenever a configuration is created,
// updated or started, and a database that is down then must not make the
// connector fail. ValidateLive checks against the database.
func (c *Connector) Validate(props map[string]string) []config.Result {
	results := configDef().Validate(props)
	for i := range results {
		if len(results[i].Errors) > 0 {
			return results
		}
	}
	if _, err := parseSettings(props); err != nil {
		var p problem
		key, msg := ConnectionURLKey, err.Error()
		if errors.As(err, &p) {
			key, msg = p.key, p.msg
		}
		for i := range results {
			if results[i].Name == key {
				results[i].Errors = append(results[i].Errors, msg)
			}
		}
	}
	return results
}

// ValidateLive implements connectors.LiveValidator: it connects and checks
// what the configuration names (the tables, the columns the mode needs, the
// query's result), each problem on the key to change. It returns only the
// keys with errors; a configuration Validate refuses gives none.
func (c *Connector) ValidateLive(ctx context.Context, props map[string]string) []config.Result {
	st, err := parseSettings(props)
	if err != nil {
		return nil // Validate's to report
	}
	var results []config.Result
	add := func(key, msg string) {
		for i := range results {
			if results[i].Name == key {
				results[i].Errors = append(results[i].Errors, msg)
				return
			}
		}
		results = append(results, config.Result{Name: key, Errors: []string{msg}})
	}
	ctx, cancel := context.WithTimeout(ctx, st.url.Config.Timeout+10*time.Second)
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
		add(TableWhitelistKey, fmt.Sprintf("no table %s (of type %v) in %s", m, st.tableTypes, st.databases()))
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
