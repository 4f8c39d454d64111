// Package sink is the JDBC sink connector for MySQL and MariaDB: Confluent's
// io.confluent.connect.jdbc.JdbcSinkConnector, with its keys, defaults, SQL and type mapping.
// Each Put is written in one transaction with multi-row statements prepared once per table,
// column set and row count (batch.size or a power of two below it).
package sink

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// Class is the Java class name the sink answers to.
const Class = "io.confluent.connect.jdbc.JdbcSinkConnector"

// Version is the version the connector reports: the Confluent JDBC
// connector release whose behaviour it follows.
const Version = "10.9.7-sluice"

// Connector is the JDBC sink connector.
type Connector struct{ props map[string]string }

var (
	_ connectors.SinkConnector = (*Connector)(nil)
	_ connectors.Validator     = (*Connector)(nil)
	_ connectors.LiveValidator = (*Connector)(nil)
	_ connectors.Logging       = (*task)(nil)
)

// New returns a JDBC sink connector.
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

// Validate implements connectors.Validator: each key, then the rules between keys (Confluent's).
// It never talks to the database: the runtime validates on every create, update and start, and
// these must not depend on the database being up (see ValidateLive).
func (*Connector) Validate(props map[string]string) []config.Result {
	results := configDef().Validate(props)
	for i := range results {
		if len(results[i].Errors) > 0 {
			return results
		}
	}
	if _, err := parse(props); err != nil {
		k := keyOf(err)
		for i := range results {
			if results[i].Name == k {
				results[i].Errors = append(results[i].Errors, err.Error())
			}
		}
	}
	return results
}

// validateTimeout bounds how long ValidateLive waits for the database.
const validateTimeout = 15 * time.Second

// ValidateLive implements connectors.LiveValidator (the REST config/validate endpoint only): it
// connects to the database, whose failure (unreachable, access denied, no such database) is
// reported on the key to fix, and checks the tables of the listed topics (topics.regex cannot
// be known in advance) on table.name.format: a name that does not parse or names no database
// (a topic db.t names one, so connection.url need not), or a missing table without auto.create.
func (*Connector) ValidateLive(ctx context.Context, props map[string]string) []config.Result {
	cfg, err := parse(props)
	if err != nil {
		return nil // Validate reports it
	}
	ctx, cancel := context.WithTimeout(ctx, validateTimeout)
	defer cancel()
	db, err := mysqlconn.Connect(ctx, cfg.url, 1, 0, nil)
	if err != nil {
		key := ConnectionURLKey
		if mysqlconn.Code(err) == mysqlconn.ErAccessDenied {
			key = ConnectionPasswordKey
		}
		return []config.Result{{Name: key, Errors: []string{err.Error()}}}
	}
	defer db.Close()
	var errs []string
	for _, topic := range strings.Split(props["topics"], ",") {
		if topic = strings.TrimSpace(topic); topic == "" {
			continue
		}
		name := strings.ReplaceAll(cfg.tableFormat, "${topic}", topic)
		id, err := mysqlconn.ParseTableID(name, cfg.url.Config.DBName)
		if err != nil {
			errs = append(errs, fmt.Sprintf("topic %s: %v", topic, err))
			continue
		}
		if id.Database == "" {
			// A topic named db.t supplies its database: connection.url need not name one.
			errs = append(errs, fmt.Sprintf("table %s (for topic %s): no database: name one in %s or in %s (database.table)", id, topic, ConnectionURLKey, TableNameFormatKey))
			continue
		}
		if cfg.autoCreate {
			continue
		}
		info, err := readTable(ctx, db, id)
		switch {
		case err != nil:
			errs = append(errs, fmt.Sprintf("topic %s: %v", topic, err))
		case info == nil:
			errs = append(errs, fmt.Sprintf("table %s (for topic %s) does not exist and %s is false", id, topic, AutoCreateKey))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return []config.Result{{Name: TableNameFormatKey, Errors: errs}}
}
