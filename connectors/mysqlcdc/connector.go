package mysqlcdc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/incremental"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// The connectors' Java class names: Debezium 3.x has one for MySQL and one
// for MariaDB.
const (
	MySQLClass   = "io.debezium.connector.mysql.MySqlConnector"
	MariaDBClass = "io.debezium.connector.mariadb.MariaDbConnector"
)

// Version is the version the connector reports: the Debezium release
// whose formats it follows (the one source.version names).
const Version = events.DefaultVersion + "-sluice"

// Connector is the MySQL or MariaDB change data capture connector.
type Connector struct {
	// flavor is the class's: "" for MySqlConnector, which detects it.
	flavor Flavor
	log    *slog.Logger
	props  map[string]string
}

var (
	_ connectors.SourceConnector = (*Connector)(nil)
	_ connectors.Validator       = (*Connector)(nil)
	_ connectors.LiveValidator   = (*Connector)(nil)
	_ connectors.Versioned       = (*Connector)(nil)
	_ connectors.Logging         = (*Connector)(nil)
	_ connectors.TaskClassNamer  = (*Connector)(nil)
)

// NewMySQL returns Debezium's MySqlConnector: it reads MySQL, and MariaDB
// too (the flavor is detected from the server's version); its events name
// the connector "mysql".
func NewMySQL() *Connector { return &Connector{} }

// NewMariaDB returns Debezium's MariaDbConnector: events name the
// connector "mariadb".
func NewMariaDB() *Connector { return &Connector{flavor: MariaDB} }

// Version implements connectors.Versioned.
func (*Connector) Version() string { return Version }

// TaskClass implements connectors.TaskClassNamer: Debezium's task classes
// are MySqlConnectorTask and MariaDbConnectorTask.
func (c *Connector) TaskClass() string {
	if c.flavor == MariaDB {
		return "io.debezium.connector.mariadb.MariaDbConnectorTask"
	}
	return "io.debezium.connector.mysql.MySqlConnectorTask"
}

// Config implements connectors.Connector.
func (*Connector) Config() *config.Def { return configDef() }

// SetLogger implements connectors.Logging.
func (c *Connector) SetLogger(log *slog.Logger) { c.log = log }

// NewTask implements connectors.SourceConnector.
func (c *Connector) NewTask() connectors.SourceTask { return &Task{classFlavor: c.flavor} }

// Start checks the configuration. The database is not needed: the task
// reports what is wrong with it.
func (c *Connector) Start(_ context.Context, cc connectors.ConnectorContext, props map[string]string) error {
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
		if cc != nil {
			c.log = cc.Logger()
		}
	}
	if _, err := parseSettings(props); err != nil {
		return fmt.Errorf("MySQL CDC connector configuration: %w", err)
	}
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs returns one task configuration whatever tasks.max is: a
// binlog has one reader, as with Debezium.
func (c *Connector) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(c.props)}, nil
}

// Stop implements connectors.Connector.
func (*Connector) Stop(context.Context) error { return nil }

// Validate checks the keys and the rules between them, without the
// database. As Debezium's, it reports one problem per key.
func (c *Connector) Validate(props map[string]string) []config.Result {
	results := configDef().ValidateOnce(props)
	for i := range results {
		if len(results[i].Errors) > 0 {
			return results
		}
	}
	if _, err := parseSettings(props); err != nil {
		var p problem
		if !errors.As(err, &p) {
			p = problem{TopicPrefixKey, err.Error()}
		}
		found := false
		for i := range results {
			if results[i].Name == p.key {
				results[i].Errors = append(results[i].Errors, p.msg)
				found = true
			}
		}
		if !found {
			results = append(results, config.Result{Name: p.key, Errors: []string{p.msg}, Visible: true})
		}
	}
	return results
}

// ValidateLive connects and checks the binlog settings and the user's
// privileges, each problem on the key to change.
func (c *Connector) ValidateLive(ctx context.Context, props map[string]string) []config.Result {
	st, err := parseSettings(props)
	if err != nil {
		return nil
	}
	var results []config.Result
	add := func(key, msg string) {
		results = append(results, config.Result{Name: key, Errors: []string{msg}, Visible: true})
	}
	ctx, cancel := context.WithTimeout(ctx, st.connTimeout+10e9)
	defer cancel()
	db, err := openDB(st)
	if err != nil {
		add(HostnameKey, err.Error())
		return results
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		err = describe(err, st)
		switch mysqlconn.Code(err) {
		case mysqlconn.ErAccessDenied:
			add(UserKey, err.Error())
			add(PasswordKey, err.Error())
		default:
			if tlsProblem(err, st) != "" {
				add(SSLModeKey, err.Error())
				break
			}
			add(HostnameKey, err.Error())
		}
		return results
	}
	info, err := detectFlavor(ctx, db)
	if err != nil {
		add(HostnameKey, err.Error())
		return results
	}
	b, err := readBinlogSettings(ctx, db)
	if err == nil {
		err = b.check()
	}
	if err != nil {
		add(HostnameKey, err.Error())
	}
	g, err := readGrants(ctx, db)
	if err != nil {
		add(UserKey, err.Error())
	} else if m := g.missing(c.flavorOr(info.flavor), st.snapshotLocks()); len(m) > 0 {
		for _, p := range m {
			add(UserKey, "missing privilege "+p)
		}
	}
	if err == nil && st.signalTable != "" {
		// The incremental snapshot writes its watermarks into the signal
		// table (with the source channel, the one it reads).
		if is, perr := incremental.ParseSettings(props); perr == nil && is.SourceChannel {
			db, table, _ := strings.Cut(st.signalTable, ".")
			if !g.grantedOn("INSERT", db, table) {
				add(SignalCollectionKey, fmt.Sprintf("the user %s may not INSERT into the signal table %s (incremental snapshots write their watermarks there): GRANT INSERT ON %s TO the user", st.user, st.signalTable, quoteID(tables.ID{DB: db, Table: table})))
			}
		}
	}
	return results
}

func (c *Connector) flavorOr(f Flavor) Flavor {
	if c.flavor != "" {
		return c.flavor
	}
	return f
}

// openDB returns a connection pool for the settings (no connection yet).
func openDB(st *settings) (*sql.DB, error) {
	mc, err := mysql.NewConnector(driverConfig(st))
	if err != nil {
		return nil, fmt.Errorf("database connection: %w", err)
	}
	return sql.OpenDB(mc), nil
}

// driverConfig is the driver's configuration for the settings.
func driverConfig(st *settings) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = st.user, st.password
	cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(st.host, strconv.Itoa(st.port))
	cfg.Timeout = st.connTimeout
	cfg.Loc = time.UTC
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	cfg.AllowNativePasswords = true
	if st.tls != nil {
		cfg.TLS = st.tls.Clone()
		cfg.AllowFallbackToPlaintext = st.sslMode == "preferred"
	}
	return cfg
}

// describe names the server in a connection error, never the password.
func describe(err error, st *settings) error {
	if err == nil {
		return nil
	}
	if msg := tlsProblem(err, st); msg != "" {
		return tlsError{msg: fmt.Sprintf("database %s:%d as %s: %s", st.host, st.port, st.user, msg), err: err}
	}
	return fmt.Errorf("database %s:%d as %s: %w", st.host, st.port, st.user, err)
}

// tlsError is a TLS failure said in words; the message leaves out the
// layers of the TLS library's error (which name Kafka's ssl.* keys the
// connector does not have) and ends with the verification's own reason.
type tlsError struct {
	msg string
	err error
}

func (e tlsError) Error() string { return e.msg }
func (e tlsError) Unwrap() error { return e.err }

// tlsProblem says in words what a TLS failure means under
// database.ssl.mode, or "" when err is no TLS failure.
func tlsProblem(err error, st *settings) string {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		verifyErr  *tls.CertificateVerificationError
		alertErr   tls.AlertError
		recordErr  tls.RecordHeaderError
		noTLS      = errors.Is(err, mysql.ErrNoTLS)
		truststore = "the system's roots"
	)
	if st.tls != nil && st.tls.RootCAs != nil {
		truststore = SSLTruststoreKey
	}
	switch {
	case noTLS:
		return fmt.Sprintf("the server offers no TLS, which %s=%s requires (enable TLS on the server, or set %s=preferred to accept plaintext)", SSLModeKey, st.sslMode, SSLModeKey)
	case errors.As(err, &hostname):
		return fmt.Sprintf("the server's certificate does not name %q, which %s=verify_identity requires (use the name the certificate holds, or verify_ca): %v", st.host, SSLModeKey, hostname)
	case errors.As(err, &unknownCA):
		return fmt.Sprintf("the server's certificate is not signed by a certificate authority of %s (%s=%s): %v", truststore, SSLModeKey, st.sslMode, unknownCA)
	case errors.As(err, &invalid):
		return fmt.Sprintf("the server's certificate is not valid (%s=%s): %v", SSLModeKey, st.sslMode, invalid)
	case errors.As(err, &verifyErr):
		return fmt.Sprintf("the server's certificate does not verify against %s (%s=%s): %v", truststore, SSLModeKey, st.sslMode, verifyErr.Err)
	case errors.As(err, &alertErr), errors.As(err, &recordErr):
		return fmt.Sprintf("the TLS handshake failed (%s=%s): %v", SSLModeKey, st.sslMode, err)
	}
	return ""
}
