// Package mysqlconn is what the JDBC source and sink connectors share about reaching a MySQL or
// MariaDB server: connection.url as MySQL Connector/J and MariaDB Connector/J read it, turned into
// a go-sql-driver/mysql configuration; connecting with connection.attempts; quoting identifiers;
// db.timezone as a Java ZoneId; and what a server error means (retriable or not, in words).
package mysqlconn

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sluicehq/sluice/internal/tlsconf"
)

// Flavor is the server kind a URL names: jdbc:mysql: or jdbc:mariadb:.
type Flavor string

// The flavors a connection.url can name.
const (
	MySQL   Flavor = "mysql"
	MariaDB Flavor = "mariadb"
)

// URL is a parsed connection.url.
type URL struct {
	Flavor Flavor
	// Config is the driver's configuration: address, database, credentials, TLS, timeouts.
	Config *mysql.Config
	// Ignored names the URL properties that were read and have no effect in sluice (because sluice
	// does what they ask anyway, or they tune Connector/J itself), for one INFO line.
	Ignored []string
	// Unknown names the URL properties sluice does not know; Connector/J ignores unknown
	// properties, and so does sluice, with a warning naming them.
	Unknown []string
	// ZeroDateTimeBehavior is Connector/J's zeroDateTimeBehavior, upper case: EXCEPTION (the
	// default: a zero date such as 0000-00-00 fails the read), CONVERT_TO_NULL or ROUND (to
	// 0001-01-01 00:00:00).
	ZeroDateTimeBehavior string

	names       map[string]string // property names as written, by lower-cased name
	noRetrieval bool              // the driver may not fetch the server's RSA key (applyPublicKey)
}

// name is a property's name as the URL wrote it.
func (u *URL) name(k string) string {
	if n, ok := u.names[k]; ok {
		return n
	}
	return k
}

// ignoredProps are Connector/J and MariaDB Connector/J properties that sluice accepts and needs
// not act on: statement caching and batching tunables (sluice always prepares once and batches),
// character set switches (sluice always speaks utf8mb4), time zone conversion (the connectors
// convert with db.timezone, on the wire everything is the server's text form), reconnection
// (the connectors reconnect themselves) and metadata lookups.
var ignoredProps = []string{
	"useunicode", "rewritebatchedstatements", "cacheprepstmts", "useserverprepstmts", "prepstmtcachesize",
	"prepstmtcachesqllimit", "usecursorfetch", "defaultfetchsize", "servertimezone", "connectiontimezone",
	"forceconnectiontimezonetosession", "preserveinstants", "uselegacydatetimecode", "autoreconnect",
	"failoverreadonly", "maxreconnects", "nullcatalogmeanscurrent", "databaseterm", "tinyint1isbit",
	"transformedbitisboolean", "useinformationschema", "usejdbccomplianttimezoneshift",
	"usessps", "usebulkstmts", "usebulkstmtsforinserts", "cacheresultsetmetadata",
	"elidesetautocommits", "useaffectedrows", "useoldaliasmetadatabehavior",
	"usecompression", "allowmultiqueries", "dumbquerieswithoutbackslashescapes", "pinglobalassessment",
	"tcpkeepalive", "tcpnodelay", "logger", "profilesql", "gatherperfmetrics", "maxallowedpacket",
}

// StrictSQLMode is the session sql_mode sluice sets unless connection.url says
// jdbcCompliantTruncation=false: the server's, plus STRICT_TRANS_TABLES.
const StrictSQLMode = "CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_TRANS_TABLES')"

// ParseURL reads connection.url (jdbc:mysql://host[:port][/database][?prop=value&…] or the same
// with jdbc:mariadb:) with connection.user and connection.password, which win over user and
// password properties in the URL as Connector/J's DriverManager.getConnection(url, props) does.
// Errors name the part of the URL that is wrong, never the password.
func ParseURL(raw, user, password string) (*URL, error) {
	raw = strings.TrimSpace(raw)
	var flavor Flavor
	var rest string
	switch {
	case hasPrefixFold(raw, "jdbc:mysql://"):
		flavor, rest = MySQL, raw[len("jdbc:mysql://"):]
	case hasPrefixFold(raw, "jdbc:mariadb://"):
		flavor, rest = MariaDB, raw[len("jdbc:mariadb://"):]
	case hasPrefixFold(raw, "jdbc:mysql:") || hasPrefixFold(raw, "jdbc:mariadb:"):
		return nil, fmt.Errorf("connection.url: only the plain jdbc:mysql://host:port/database and jdbc:mariadb://host:port/database forms are supported (no load-balancing, replication or X DevAPI URLs)")
	case raw == "":
		return nil, fmt.Errorf("connection.url is required: jdbc:mysql://host:port/database")
	default:
		return nil, fmt.Errorf("connection.url must start with jdbc:mysql:// or jdbc:mariadb:// (sluice's JDBC connectors speak to MySQL and MariaDB only)")
	}
	hostPart, dbPart, query := rest, "", ""
	if i := strings.IndexByte(hostPart, '?'); i >= 0 {
		hostPart, query = hostPart[:i], hostPart[i+1:]
	}
	if i := strings.IndexByte(hostPart, '/'); i >= 0 {
		hostPart, dbPart = hostPart[:i], hostPart[i+1:]
	}
	if i := strings.LastIndexByte(hostPart, '@'); i >= 0 {
		return nil, fmt.Errorf("connection.url: put the user and password in connection.user and connection.password, not before the host")
	}
	if strings.Contains(hostPart, ",") {
		return nil, fmt.Errorf("connection.url: several hosts (%s) are not supported; name one host", hostPart)
	}
	if hostPart == "" {
		hostPart = "localhost"
	}
	host, port := hostPart, "3306"
	if h, p, err := net.SplitHostPort(hostPart); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(hostPart, "[") && strings.HasSuffix(hostPart, "]") {
		host = hostPart[1 : len(hostPart)-1]
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("connection.url: port %q is not a number from 1 to 65535", port)
	}
	if host == "" {
		return nil, fmt.Errorf("connection.url: no host before the port")
	}
	db, err := url.PathUnescape(dbPart)
	if err != nil {
		return nil, fmt.Errorf("connection.url: the database name is not URL-encoded correctly: %v", err)
	}

	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort(host, port)
	cfg.DBName = db
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_general_ci"
	// Connector/J's connectTimeout default is 0 (the OS's); a bound keeps a task from hanging on
	// a host that drops packets.
	cfg.Timeout = 30 * time.Second
	cfg.Logger = driverLogger{slog.Default()}
	u := &URL{Flavor: flavor, Config: cfg}

	props := map[string]string{}
	u.names = map[string]string{}
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			k, err1 := url.QueryUnescape(k)
			v, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("connection.url: the property %q is not URL-encoded correctly", strings.SplitN(kv, "=", 2)[0])
			}
			k = strings.TrimSpace(k)
			props[strings.ToLower(k)] = v
			u.names[strings.ToLower(k)] = k
		}
	}
	cfg.User, cfg.Passwd = props["user"], props["password"]
	if user != "" {
		cfg.User = user
	}
	if password != "" {
		cfg.Passwd = password
	}
	delete(props, "user")
	delete(props, "password")
	if err := u.applyProps(props); err != nil {
		return nil, err
	}
	return u, nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// applyProps applies the URL's properties (keys lower-cased) to the driver's configuration.
func (u *URL) applyProps(props map[string]string) error {
	cfg := u.Config
	msProp := func(k string) (time.Duration, bool, error) {
		v, ok := props[k]
		if !ok {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 || n > 24*3600*1000 {
			return 0, true, fmt.Errorf("connection.url: the property %s must be milliseconds from 0 to 86400000, not %q", u.name(k), v)
		}
		return time.Duration(n) * time.Millisecond, true, nil
	}
	if d, ok, err := msProp("connecttimeout"); err != nil {
		return err
	} else if ok && d > 0 {
		cfg.Timeout = d
	}
	if d, ok, err := msProp("sockettimeout"); err != nil {
		return err
	} else if ok {
		cfg.ReadTimeout, cfg.WriteTimeout = d, d
	}
	if v, ok := props["characterencoding"]; ok {
		switch strings.ToLower(strings.ReplaceAll(v, "-", "")) {
		case "utf8", "utf8mb4", "utf8mb3":
		default:
			return fmt.Errorf("connection.url: characterEncoding %q is not supported: sluice speaks utf8mb4 to the server (UTF-8 in Java's names)", v)
		}
	}
	u.ZeroDateTimeBehavior = "EXCEPTION"
	if v, ok := props["zerodatetimebehavior"]; ok {
		switch z := strings.ToUpper(strings.TrimSpace(v)); z {
		case "EXCEPTION", "CONVERT_TO_NULL", "ROUND":
			u.ZeroDateTimeBehavior = z
		case "CONVERTTONULL":
			u.ZeroDateTimeBehavior = "CONVERT_TO_NULL"
		default:
			return fmt.Errorf("connection.url: zeroDateTimeBehavior must be EXCEPTION, CONVERT_TO_NULL or ROUND, not %q", v)
		}
	}
	// Connector/J's jdbcCompliantTruncation (default true) adds STRICT_TRANS_TABLES to the
	// session's sql_mode, so that a value too long or out of range is an error, not a warning
	// and a truncated or clamped value; go-sql-driver does not. The driver sends each Param as
	// SET name = value when it connects.
	strict := true
	if v, ok := props["jdbccomplianttruncation"]; ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "yes":
		case "false", "no":
			strict = false
		default:
			return fmt.Errorf("connection.url: %s must be true or false, not %q", u.name("jdbccomplianttruncation"), v)
		}
	}
	if strict {
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params["sql_mode"] = StrictSQLMode
	}
	if err := u.applyTLS(props); err != nil {
		return err
	}
	if err := u.applyPublicKey(props); err != nil {
		return err
	}
	for _, k := range []string{"connecttimeout", "sockettimeout", "characterencoding", "zerodatetimebehavior", "jdbccomplianttruncation",
		"allowpublickeyretrieval", "serverrsapublickeyfile"} {
		delete(props, k)
	}
	for k := range props {
		if slices.Contains(ignoredProps, k) {
			u.Ignored = append(u.Ignored, u.name(k))
		} else {
			u.Unknown = append(u.Unknown, u.name(k))
		}
	}
	slices.Sort(u.Ignored)
	slices.Sort(u.Unknown)
	return nil
}

// tlsProps are the URL properties applyTLS reads.
var tlsProps = []string{
	"sslmode", "usessl", "requiressl", "verifyservercertificate", "trustcertificatekeystoreurl",
	"trustcertificatekeystoretype", "trustcertificatekeystorepassword", "clientcertificatekeystoreurl",
	"clientcertificatekeystoretype", "clientcertificatekeystorepassword", "enabledtlsprotocols",
	"servercacert", "serversslcert", "truststore", "truststoretype", "truststorepassword", "keystore",
	"keystoretype", "keystorepassword", "keypassword", "trustservercertificate", "disablesslhostnameverification",
}

// applyTLS reads Connector/J's sslMode (DISABLED, PREFERRED: the default, REQUIRED, VERIFY_CA,
// VERIFY_IDENTITY) and its legacy useSSL/requireSSL/verifyServerCertificate, MariaDB
// Connector/J's sslMode (disable: its default, trust, verify-ca, verify-full) and its legacy
// useSsl/trustServerCertificate/disableSslHostnameVerification (see legacySSLMode), and the
// trust and key stores of both (JKS, PKCS12 or PEM files, as file: URLs or paths).
func (u *URL) applyTLS(props map[string]string) error {
	cfg := u.Config
	get := func(k string) string { return strings.TrimSpace(props[k]) }
	mode := strings.ToUpper(strings.ReplaceAll(get("sslmode"), "-", "_"))
	if mode == "" {
		mode = legacySSLMode(u.Flavor, props)
	}
	// MariaDB Connector/J's names.
	switch mode {
	case "DISABLE":
		mode = "DISABLED"
	case "TRUST":
		mode = "REQUIRED"
	case "VERIFY_FULL":
		mode = "VERIFY_IDENTITY"
	}
	for _, k := range tlsProps {
		defer delete(props, k)
	}
	if mode == "DISABLED" {
		return nil
	}
	storeProps := map[string]string{}
	location := func(k string) string {
		v := get(k)
		v = strings.TrimPrefix(v, "file://")
		return strings.TrimPrefix(v, "file:")
	}
	if v := firstNonEmpty(location("trustcertificatekeystoreurl"), location("truststore"), location("servercacert"), location("serversslcert")); v != "" {
		storeProps["ssl.truststore.location"] = v
		storeProps["ssl.truststore.type"] = firstNonEmpty(get("trustcertificatekeystoretype"), get("truststoretype"))
		storeProps["ssl.truststore.password"] = firstNonEmpty(get("trustcertificatekeystorepassword"), get("truststorepassword"))
		if storeProps["ssl.truststore.type"] == "" && (get("servercacert") != "" || get("serversslcert") != "") {
			storeProps["ssl.truststore.type"] = "PEM"
		}
	}
	if v := firstNonEmpty(location("clientcertificatekeystoreurl"), location("keystore")); v != "" {
		storeProps["ssl.keystore.location"] = v
		storeProps["ssl.keystore.type"] = firstNonEmpty(get("clientcertificatekeystoretype"), get("keystoretype"))
		storeProps["ssl.keystore.password"] = firstNonEmpty(get("clientcertificatekeystorepassword"), get("keystorepassword"))
		storeProps["ssl.key.password"] = get("keypassword")
	}
	if v := get("enabledtlsprotocols"); v != "" {
		storeProps["ssl.enabled.protocols"] = v
		storeProps["ssl.protocol"] = "TLS"
	}
	tc, err := ClientTLS(mode, storeProps, cfg.Addr)
	if err != nil {
		if errors.Is(err, errSSLMode) {
			return fmt.Errorf("connection.url: sslMode %q is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY", props["sslmode"])
		}
		return fmt.Errorf("connection.url: the TLS settings: %w", err)
	}
	cfg.TLS = tc
	cfg.AllowFallbackToPlaintext = mode == "PREFERRED"
	return nil
}

// errSSLMode is ClientTLS's error for a mode it does not know.
var errSSLMode = errors.New("not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY")

// ClientTLS returns the TLS settings of a connection to the server at addr (host:port) in
// Connector/J's sslMode (upper case: PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY; DISABLED
// gives nil) with the stores in storeProps, keyed by Kafka's ssl.* names as tlsconf reads them.
// PREFERRED and REQUIRED encrypt without verifying the server, VERIFY_CA verifies its chain (with
// the truststore, else the system's roots) but not its name, VERIFY_IDENTITY both. Falling back
// to plaintext under PREFERRED is the caller's part (the driver's AllowFallbackToPlaintext).
func ClientTLS(mode string, storeProps map[string]string, addr string) (*tls.Config, error) {
	props := maps.Clone(storeProps)
	if props == nil {
		props = map[string]string{}
	}
	switch mode {
	case "DISABLED":
		return nil, nil
	case "PREFERRED", "REQUIRED", "VERIFY_CA":
		props[tlsconf.KeyEndpointIdentificationAlgorithm] = ""
	case "VERIFY_IDENTITY":
		props[tlsconf.KeyEndpointIdentificationAlgorithm] = "https"
	default:
		return nil, fmt.Errorf("sslMode %q: %w", mode, errSSLMode)
	}
	tc, err := tlsconf.Client(props)
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	tc.ServerName = host
	if mode == "PREFERRED" || mode == "REQUIRED" {
		// Encrypted, server not verified: what these modes mean in Connector/J.
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = nil
	}
	return tc, nil
}

// legacySSLMode is the sslMode the older TLS properties stand for when sslMode is not set, as
// each driver derives it. MySQL Connector/J 8: useSSL (true by default) false is DISABLED, else
// verifyServerCertificate=true is VERIFY_CA, else requireSSL=true is REQUIRED, else PREFERRED.
// MariaDB Connector/J 3: useSsl=true is verify-full (VERIFY_IDENTITY), or trust (REQUIRED) with
// trustServerCertificate=true, or verify-ca with disableSslHostnameVerification=true; without it,
// disable.
func legacySSLMode(f Flavor, props map[string]string) string {
	if f == MariaDB {
		switch {
		case !parseBoolLoose(props["usessl"]):
			return "DISABLED"
		case parseBoolLoose(props["trustservercertificate"]):
			return "REQUIRED"
		case parseBoolLoose(props["disablesslhostnameverification"]):
			return "VERIFY_CA"
		}
		return "VERIFY_IDENTITY"
	}
	if v, ok := props["usessl"]; ok && !parseBoolLoose(v) {
		return "DISABLED"
	}
	switch {
	case parseBoolLoose(props["verifyservercertificate"]):
		return "VERIFY_CA"
	case parseBoolLoose(props["requiressl"]):
		return "REQUIRED"
	}
	return "PREFERRED"
}

// parseBoolLoose is Connector/J's reading of a boolean property: true, yes or 1.
func parseBoolLoose(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "1", "on":
		return true
	}
	return false
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// urlSecretProps are the connection.url properties that hold passwords.
var urlSecretProps = []string{"password", "trustcertificatekeystorepassword", "clientcertificatekeystorepassword",
	"truststorepassword", "keystorepassword", "keypassword"}

// URLSecrets returns the passwords written inside a connection.url (its password property, its
// key and trust store passwords, a password before the host), decoded and as written, so that
// the worker scrubs them from logs, traces and errors. It never fails: a URL it cannot read
// gives what it found.
func URLSecrets(raw string) []string {
	var out []string
	rest := raw
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	hostPart, query, _ := strings.Cut(rest, "?")
	if at := strings.LastIndexByte(hostPart, '@'); at >= 0 {
		if _, pw, ok := strings.Cut(hostPart[:at], ":"); ok && pw != "" {
			out = append(out, pw)
			if d, err := url.PathUnescape(pw); err == nil && d != pw {
				out = append(out, d)
			}
		}
	}
	for _, kv := range strings.Split(query, "&") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" {
			continue
		}
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if !slices.Contains(urlSecretProps, strings.ToLower(strings.TrimSpace(k))) {
			continue
		}
		out = append(out, v)
		if d, err := url.QueryUnescape(v); err == nil && d != v {
			out = append(out, d)
		}
	}
	return out
}
