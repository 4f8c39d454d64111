package mysqlconn

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sluicehq/sluice/internal/testkit"
)

func TestParseURL(t *testing.T) {
	u, err := ParseURL("jdbc:mysql://db.example:3307/shop?user=u&password=p&connectTimeout=2000&useUnicode=true&fancy=1&sslMode=DISABLED", "", "")
	if err != nil {
		t.Fatal(err)
	}
	c := u.Config
	if u.Flavor != MySQL || c.Addr != "db.example:3307" || c.DBName != "shop" || c.User != "u" || c.Passwd != "p" ||
		c.Timeout != 2*time.Second || c.TLS != nil {
		t.Fatalf("got %+v", c)
	}
	if strings.Join(u.Ignored, ",") != "useUnicode" || strings.Join(u.Unknown, ",") != "fancy" {
		t.Fatalf("ignored %v unknown %v", u.Ignored, u.Unknown)
	}
	// connection.user and .password win; default port; MariaDB's default is no TLS.
	u, err = ParseURL("jdbc:mariadb://h/d%20b?user=x", "me", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if u.Flavor != MariaDB || u.Config.Addr != "h:3306" || u.Config.DBName != "d b" || u.Config.User != "me" ||
		u.Config.Passwd != "secret" || u.Config.TLS != nil {
		t.Fatalf("got %+v", u.Config)
	}
	// Connector/J's default sslMode is PREFERRED: TLS when the server offers it, unverified.
	u, err = ParseURL("jdbc:mysql://[::1]:3306/", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if u.Config.Addr != "[::1]:3306" || u.Config.TLS == nil || !u.Config.TLS.InsecureSkipVerify || !u.Config.AllowFallbackToPlaintext {
		t.Fatalf("got %+v", u.Config)
	}
	u, err = ParseURL("jdbc:mysql://h/?sslMode=VERIFY_IDENTITY", "", "")
	if err != nil || u.Config.TLS == nil || u.Config.TLS.InsecureSkipVerify || u.Config.AllowFallbackToPlaintext || u.Config.TLS.ServerName != "h" {
		t.Fatalf("VERIFY_IDENTITY: %+v %v", u, err)
	}
	for _, bad := range []struct{ url, want string }{
		{"", "connection.url is required"},
		{"jdbc:postgresql://h/db", "must start with jdbc:mysql://"},
		{"jdbc:mysql:loadbalance://h1,h2/db", "only the plain"},
		{"jdbc:mysql://h1,h2/db", "several hosts"},
		{"jdbc:mysql://h:99999/db", "port \"99999\""},
		{"jdbc:mysql://u:pw@h/db", "connection.user"},
		{"jdbc:mysql://h/db?connectTimeout=soon", "connectTimeout"},
		{"jdbc:mysql://h/db?sslMode=SOMETIMES", "sslMode"},
		{"jdbc:mysql://h/db?characterEncoding=latin1", "characterEncoding"},
		{"jdbc:mysql://h/db?sslMode=VERIFY_CA&trustCertificateKeyStoreUrl=file:/nonexistent.jks", "TLS settings"},
	} {
		_, err := ParseURL(bad.url, "", "secret-pw")
		if err == nil || !strings.Contains(err.Error(), bad.want) || strings.Contains(err.Error(), "secret-pw") {
			t.Errorf("%q: got %v, want an error containing %q", bad.url, err, bad.want)
		}
	}
}

func TestZone(t *testing.T) {
	for id, want := range map[string]int{"UTC": 0, "Z": 0, "+01:00": 3600, "-05": -5 * 3600, "GMT+0530": 5*3600 + 1800, "UTC-01:30": -5400} {
		loc, err := Zone(id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone(); off != want {
			t.Errorf("%s: offset %d, want %d", id, off, want)
		}
	}
	if loc, err := Zone("Europe/Paris"); err != nil || loc.String() != "Europe/Paris" {
		t.Fatalf("Europe/Paris: %v %v", loc, err)
	}
	for _, bad := range []string{"", "Mars/Olympus", "+19:00", "../../etc/passwd", "+1:2:3:4"} {
		if _, err := Zone(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseTableID(t *testing.T) {
	for in, want := range map[string]TableID{"t": {"d", "t"}, "db.t": {"db", "t"}, "`my.db`.`t`": {"my.db", "t"}, `"a"."b"`: {"a", "b"}} {
		got, err := ParseTableID(in, "d")
		if err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"a.b.c", "a.", "`a", ""} {
		if _, err := ParseTableID(bad, "d"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if got := (TableID{"a`b", "t"}).Quoted(true); got != "`a``b`.`t`" {
		t.Errorf("Quoted: %s", got)
	}
}

// TestConnect connects to the real server, and says what is wrong when it cannot.
func TestConnect(t *testing.T) {
	d := testkit.NewDatabase(t)
	ctx := context.Background()
	u, err := ParseURL(d.JDBCURL, d.User, d.Password)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Connect(ctx, u, 1, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	u, _ = ParseURL(d.JDBCURL, d.User, "wrong-password")
	_, err = Connect(ctx, u, 3, time.Hour, nil) // not retriable: returns at once
	if err == nil || !strings.Contains(err.Error(), "access denied; check connection.user and connection.password") ||
		strings.Contains(err.Error(), "wrong-password") || Retriable(err) || Code(err) != ErAccessDenied {
		t.Fatalf("wrong password: %v", err)
	}
	u, _ = ParseURL("jdbc:mysql://"+d.Addr+"/no_such_db_here", d.User, d.Password)
	if _, err = Connect(ctx, u, 1, 0, nil); err == nil || !strings.Contains(err.Error(), `has no database "no_such_db_here"`) {
		t.Fatalf("missing database: %v", err)
	}
	// A port nobody listens on: refused, retried connection.attempts times.
	u, _ = ParseURL("jdbc:mysql://127.0.0.1:1/x", d.User, d.Password)
	start := time.Now()
	_, err = Connect(ctx, u, 2, 10*time.Millisecond, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot reach MySQL at 127.0.0.1:1 (connection.url): connection refused (after 2 attempts)") ||
		!Retriable(err) || time.Since(start) > 10*time.Second {
		t.Fatalf("unreachable: %v", err)
	}
}

func TestJDBCCompliantTruncation(t *testing.T) {
	for _, tt := range []struct {
		query      string
		wantStrict bool
		wantErr    string
	}{
		{"", true, ""},
		{"?jdbcCompliantTruncation=true", true, ""},
		{"?jdbcCompliantTruncation=false", false, ""},
		{"?JDBCCOMPLIANTTRUNCATION=no", false, ""},
		{"?jdbcCompliantTruncation=maybe", false, "jdbcCompliantTruncation must be true or false"},
	} {
		u, err := ParseURL("jdbc:mysql://h/db"+tt.query, "", "")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err %v, want %q", tt.query, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		if got := u.Config.Params["sql_mode"] == StrictSQLMode; got != tt.wantStrict || len(u.Unknown) != 0 {
			t.Errorf("%q: strict %v (params %v), unknown %v; want strict %v", tt.query, got, u.Config.Params, u.Unknown, tt.wantStrict)
		}
	}
}

func TestIsDataError(t *testing.T) {
	state := func(s string) (b [5]byte) { copy(b[:], s); return b }
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&mysql.MySQLError{Number: ErDupEntry, SQLState: state("23000")}, true},
		{&mysql.MySQLError{Number: 1644, SQLState: state("45000"), Message: "refused by a trigger"}, true},
		{&mysql.MySQLError{Number: 1644, SQLState: state("22003")}, true},
		{&mysql.MySQLError{Number: 1644, SQLState: state("23513")}, true},
		{fmt.Errorf("table t: %w", &mysql.MySQLError{Number: 1644, SQLState: state("45000")}), true},
		{&mysql.MySQLError{Number: ErNoSuchTable, SQLState: state("42S02")}, false},
		{&mysql.MySQLError{Number: ErLockDeadlock, SQLState: state("40001")}, false},
		{&mysql.MySQLError{Number: 1644, SQLState: state("HY000")}, false},
		{errors.New("22000 looks like a state"), false},
	} {
		if got := IsDataError(tt.err); got != tt.want {
			t.Errorf("IsDataError(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestLegacySSLProperties: without sslMode, the older properties mean what each driver makes of
// them; none of them gives less than the driver would.
func TestLegacySSLProperties(t *testing.T) {
	for _, tt := range []struct {
		url            string
		tls, skipCheck bool // TLS configured; server certificate not checked
		fallback       bool // plaintext when the server offers no TLS
		hostCheck      bool // VERIFY_IDENTITY
	}{
		{"jdbc:mysql://h/db", true, true, true, false},
		{"jdbc:mysql://h/db?useSSL=false", false, false, false, false},
		{"jdbc:mysql://h/db?useSSL=true", true, true, true, false},
		{"jdbc:mysql://h/db?useSSL=true&requireSSL=true", true, true, false, false},
		{"jdbc:mysql://h/db?useSSL=true&verifyServerCertificate=true", true, false, false, false},
		{"jdbc:mysql://h/db?verifyServerCertificate=true", true, false, false, false},
		{"jdbc:mysql://h/db?useSSL=false&verifyServerCertificate=true", false, false, false, false},
		{"jdbc:mariadb://h/db", false, false, false, false},
		{"jdbc:mariadb://h/db?useSsl=true", true, false, false, true},
		{"jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=true", true, true, false, false},
		{"jdbc:mariadb://h/db?useSsl=true&disableSslHostnameVerification=true", true, false, false, false},
		{"jdbc:mariadb://h/db?sslMode=verify-full", true, false, false, true},
	} {
		u, err := ParseURL(tt.url, "", "")
		if err != nil {
			t.Fatalf("%s: %v", tt.url, err)
		}
		c := u.Config
		if (c.TLS != nil) != tt.tls {
			t.Errorf("%s: TLS %v, want %v", tt.url, c.TLS != nil, tt.tls)
			continue
		}
		if c.TLS == nil {
			continue
		}
		// VERIFY_CA checks the chain in VerifyConnection with InsecureSkipVerify set; only the
		// unverified modes have both InsecureSkipVerify and no VerifyConnection.
		skip := c.TLS.InsecureSkipVerify && c.TLS.VerifyConnection == nil
		host := !c.TLS.InsecureSkipVerify
		if skip != tt.skipCheck || c.AllowFallbackToPlaintext != tt.fallback || host != tt.hostCheck {
			t.Errorf("%s: unverified %v (want %v), fallback %v (want %v), host check %v (want %v)",
				tt.url, skip, tt.skipCheck, c.AllowFallbackToPlaintext, tt.fallback, host, tt.hostCheck)
		}
		if len(u.Unknown) != 0 {
			t.Errorf("%s: unknown %v", tt.url, u.Unknown)
		}
	}
}

// TestPublicKeyRetrieval: the driver may fetch the server's RSA key only when the URL allows it;
// otherwise it holds a key nobody can decrypt with (or the one serverRSAPublicKeyFile names).
func TestPublicKeyRetrieval(t *testing.T) {
	u, err := ParseURL("jdbc:mysql://h/db", "", "")
	if err != nil || u.Config.ServerPubKey != noRetrievalKey {
		t.Fatalf("default: %q, %v", u.Config.ServerPubKey, err)
	}
	u, err = ParseURL("jdbc:mysql://h/db?allowPublicKeyRetrieval=true", "", "")
	if err != nil || u.Config.ServerPubKey != "" {
		t.Fatalf("allowed: %q, %v", u.Config.ServerPubKey, err)
	}
	if _, err = ParseURL("jdbc:mysql://h/db?allowPublicKeyRetrieval=maybe", "", ""); err == nil || !strings.Contains(err.Error(), "allowPublicKeyRetrieval") {
		t.Fatalf("a bad value: %v", err)
	}
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	path := filepath.Join(t.TempDir(), "server.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	u, err = ParseURL("jdbc:mysql://h/db?serverRSAPublicKeyFile="+path, "", "")
	if err != nil || u.Config.ServerPubKey == "" || u.Config.ServerPubKey == noRetrievalKey {
		t.Fatalf("key file: %q, %v", u.Config.ServerPubKey, err)
	}
	if _, err = ParseURL("jdbc:mysql://h/db?serverRSAPublicKeyFile=/nonexistent.pem", "", ""); err == nil || !strings.Contains(err.Error(), "serverRSAPublicKeyFile") {
		t.Fatalf("a missing key file: %v", err)
	}
	// Properties are separated by & only: a ';' belongs to the value, as in Connector/J.
	u, err = ParseURL("jdbc:mysql://h/db?user=a;b&&sslMode=DISABLED", "", "")
	if err != nil || u.Config.User != "a;b" || u.Config.TLS != nil {
		t.Fatalf("';' in a value: %+v, %v", u, err)
	}
}

// TestURLSecrets finds the passwords written inside a URL, as written and decoded, and nothing
// else; a URL it cannot parse gives what it found.
func TestURLSecrets(t *testing.T) {
	got := URLSecrets("jdbc:mysql://h:3306/db?user=me&password=p%40ss-w0rd&sslMode=VERIFY_CA&trustCertificateKeyStorePassword=store-pw-1&keyPassword=")
	want := []string{"p%40ss-w0rd", "p@ss-w0rd", "store-pw-1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := URLSecrets("jdbc:mysql://me:hunter22@h/db"); strings.Join(got, "|") != "hunter22" {
		t.Fatalf("user:password@host: %q", got)
	}
	if got := URLSecrets("not a url ?password=x%zz&PASSWORD=abcd"); strings.Join(got, "|") != "x%zz|abcd" {
		t.Fatalf("a broken URL: %q", got)
	}
	if got := URLSecrets("jdbc:mysql://h/db?user=me"); len(got) != 0 {
		t.Fatalf("no password: %q", got)
	}
}
