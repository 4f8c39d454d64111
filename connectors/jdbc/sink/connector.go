// Package sink is the JDBC sink connector for MySQL and MariaDB: Confluent's
// io.confluent.connect.jdbc.JdbcSinkConnector, with its keys, defaults, SQL and type mapping.
// Each Put is written in one transaction with multi-row statements prepared once per table,
// column set and row count.
package sink

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/jdbc/internal/mysqlconn"
)

// Class is the Java class name the sink answers to.
const Class = "io.confluent.connect.jdbc.JdbcSinkConnector"

// Version is the connector's version.
const Version = "10.9.7-sluice"

// Connector is the JDBC sink connector.
type Connector struct{ props map[string]string }

var (
	_ connectors.SinkConnector = (*Connector)(nil)
	_ connectors.Validator     = (*Connector)(nil)
	_ connectors.Logging       = (*task)(nil)
)

// New returns a JDBC sink connector.
func New() *Connector { return &Connector{} }

// Version implements connectors.Versioned.
func (*Connector) Version() string { return Version }

// Config implements connectors.Connector.
func (*Connector) Config() *config.Def { return configDef() }

// Start implements connectors.Connector.
func (c *Connector) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	if _, err := parse(props); err != nil {
		return err
	}
	c.props = props
	return nil
}

// TaskConfigs implements connectors.Connector: tasks.max copies of the configuration, as
// Confluent's.
func (c *Connector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	out := make([]map[string]string, max(maxTasks, 1))
	for i := range out {
		out[i] = make(map[string]string, len(c.props))
		for k, v := range c.props {
			out[i][k] = v
		}
	}
	return out, nil
}

// Stop implements connectors.Connector.
func (*Connector) Stop(context.Context) error { return nil }

// NewTask implements connectors.SinkConnector.
func (*Connector) NewTask() connectors.SinkTask { return &task{} }

// validateTimeout bounds how long Validate waits for the database.
const validateTimeout = 15 * time.Second

// Validate implements connectors.Validator: each key, the rules between keys, then a connection
// to the database, whose failure (unreachable, access denied, no such database) is reported on
// the key to fix.
func (*Connector) Validate(props map[string]string) []config.Result {
	results := configDef().Validate(props)
	byName := map[string]*config.Result{}
	for i := range results {
		if len(results[i].Errors) > 0 {
			return results
		}
		byName[results[i].Name] = &results[i]
	}
	cfg, err := parse(props)
	if err != nil {
		r := byName[keyOf(err)]
		r.Errors = append(r.Errors, err.Error())
		return results
	}
	ctx, cancel := context.WithTimeout(context.Background(), validateTimeout)
	defer cancel()
	db, err := mysqlconn.Connect(ctx, cfg.url, 1, 0, nil)
	if err != nil {
		key := ConnectionURLKey
		if mysqlconn.Code(err) == mysqlconn.ErAccessDenied {
			key = ConnectionPasswordKey
		}
		byName[key].Errors = append(byName[key].Errors, err.Error())
		return results
	}
	defer db.Close()
	if cfg.url.Config.DBName == "" && !strings.Contains(cfg.tableFormat, ".") {
		byName[ConnectionURLKey].Errors = append(byName[ConnectionURLKey].Errors,
			fmt.Sprintf("connection.url names no database; tables are written to the database it names (or to the database in %s)", TableNameFormatKey))
		return results
	}
	// The tables of the listed topics (topics.regex cannot be known in advance).
	r := byName[TableNameFormatKey]
	for _, topic := range strings.Split(props["topics"], ",") {
		if topic = strings.TrimSpace(topic); topic == "" {
			continue
		}
		name := strings.ReplaceAll(cfg.tableFormat, "${topic}", topic)
		id, err := mysqlconn.ParseTableID(name, cfg.url.Config.DBName)
		if err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("topic %s: %v", topic, err))
			continue
		}
		if cfg.autoCreate {
			continue
		}
		info, err := readTable(ctx, db, id)
		switch {
		case err != nil:
			r.Errors = append(r.Errors, fmt.Sprintf("topic %s: %v", topic, err))
		case info == nil:
			r.Errors = append(r.Errors, fmt.Sprintf("table %s (for topic %s) does not exist and %s is false", id, topic, AutoCreateKey))
		}
	}
	return results
}
