package mysqlcdc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/sluicehq/sluice/internal/testkit"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{cert: cert, key: key}
}

// issue returns a certificate signed by ca for cn (a server's for the DNS
// names given, else a client's) and its key.
func (ca testCA) issue(t *testing.T, cn string, serial int64, dns ...string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	usage := x509.ExtKeyUsageClientAuth
	if len(dns) > 0 {
		usage = x509.ExtKeyUsageServerAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, DNSNames: dns,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func writePEM(t *testing.T, path, typ string, der []byte) string {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tlsServer is a MariaDB of the test's own with TLS from a CA made for the
// test (server certificate for localhost only), a user that must connect
// with TLS and a client certificate of that CA (REQUIRE X509), and the
// stores to connect with.
type tlsServer struct {
	d                  testkit.Database
	caPEM, wrongCAPEM  string
	clientP12, p12Pass string
}

func startTLSServer(t *testing.T) tlsServer {
	t.Helper()
	dir := t.TempDir()
	ca := newTestCA(t, "sluice test CA")
	srvCert, srvKey := ca.issue(t, "localhost", 2, "localhost")
	srvKeyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	s := tlsServer{
		caPEM:      writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.cert.Raw),
		wrongCAPEM: writePEM(t, filepath.Join(dir, "wrong-ca.pem"), "CERTIFICATE", newTestCA(t, "another CA").cert.Raw),
		clientP12:  filepath.Join(dir, "client.p12"),
		p12Pass:    "st0re-Secret!",
	}
	cliCert, cliKey := ca.issue(t, "sluice client", 3)
	p12, err := pkcs12.Modern.Encode(cliKey, cliCert, []*x509.Certificate{ca.cert}, s.p12Pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.clientP12, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	m := testkit.StartMariaDBWith(t, testkit.MariaDBOptions{Args: []string{
		"--ssl-ca=" + s.caPEM,
		"--ssl-cert=" + writePEM(t, filepath.Join(dir, "server.pem"), "CERTIFICATE", srvCert.Raw),
		"--ssl-key=" + writePEM(t, filepath.Join(dir, "server-key.pem"), "PRIVATE KEY", srvKeyDER),
	}})
	root, err := sql.Open("mysql", m.RootDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	const user, pw = "tls_cdc", "tls-pw"
	for _, q := range []string{
		"CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + pw + "' REQUIRE X509",
		"GRANT ALL PRIVILEGES ON *.* TO '" + user + "'@'%'",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := m.MySQLServer
	srv.User, srv.Password = user, pw
	s.d = testkit.Database{MySQLServer: srv, Name: "sluice", DB: db}
	s.d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a'),(2,'b')")
	return s
}

// TestTLSStreamsAndSnapshots: with database.ssl.mode required (a PKCS12
// client keystore) and verify_identity (a PEM truststore, the host name
// the certificate names) and verify_ca (the certificate's host name is not
// the one connected to), the snapshot and the binlog read a server whose
// user may only connect with TLS and a client certificate; the server says
// the task's SQL session is encrypted.
func TestTLSStreamsAndSnapshots(t *testing.T) {
	s := startTLSServer(t)
	keystore := map[string]string{SSLKeystoreKey: s.clientP12, SSLKeystorePasswordKey: s.p12Pass}
	with := func(m map[string]string) map[string]string {
		for k, v := range keystore {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		props map[string]string
	}{
		{"required", with(map[string]string{SSLModeKey: "required"})},
		{"verify_identity", with(map[string]string{SSLModeKey: "verify_identity", SSLTruststoreKey: s.caPEM, HostnameKey: "localhost"})},
		{"verify_ca at an address the certificate does not name", with(map[string]string{SSLModeKey: "VERIFY_CA", SSLTruststoreKey: s.caPEM})},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, s.d, tt.props)
			got := h.startStreaming()
			if ids := ids(t, only(got, dataTopic(s.d, "t"))); ids != "r1 r2" {
				t.Fatalf("snapshot records %s, want r1 r2", ids)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cipher, err := sessionCipher(ctx, h.task.db)
			if err != nil || cipher == "" {
				t.Fatalf("the server says the task's session cipher is %q (%v), want TLS", cipher, err)
			}
			if !h.task.binlogTLS {
				t.Fatal("the binlog connection does not use TLS")
			}
			id := 10 + i
			s.d.Exec(t, "INSERT INTO t VALUES ("+strconv.Itoa(id)+",'c')", "DELETE FROM t WHERE id = "+strconv.Itoa(id))
			if got := ids(t, h.poll(3, dataTopic(s.d, "t"))); got != "c"+strconv.Itoa(id)+" d"+strconv.Itoa(id)+" tombstone"+strconv.Itoa(id) {
				t.Fatalf("streamed %s", got)
			}
		})
	}
}

// TestTLSFailsClearly: what fails says why in words, under the key
// ValidateLive names, and never shows the store's password.
func TestTLSFailsClearly(t *testing.T) {
	s := startTLSServer(t)
	plain := testkit.NewDatabase(t)
	tests := []struct {
		name  string
		d     testkit.Database
		props map[string]string
		says  string
	}{
		{"verify_ca with another CA", s.d, map[string]string{SSLModeKey: "verify_ca", SSLTruststoreKey: s.wrongCAPEM},
			"the server's certificate is not signed by a certificate authority of database.ssl.truststore (database.ssl.mode=verify_ca)"},
		{"verify_identity at 127.0.0.1", s.d, map[string]string{SSLModeKey: "verify_identity", SSLTruststoreKey: s.caPEM},
			`the server's certificate does not name "127.0.0.1"`},
		{"required against a server without TLS", plain, map[string]string{SSLModeKey: "required"},
			"the server offers no TLS, which database.ssl.mode=required requires"},
		{"no client certificate for a REQUIRE X509 user", s.d, map[string]string{SSLModeKey: "required"},
			"Access denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.props[ConnectTimeoutKey] = "5000"
			tt.props[SSLKeystoreKey], tt.props[SSLKeystorePasswordKey] = "", ""
			if tt.d.DB == s.d.DB && !strings.Contains(tt.name, "no client certificate") {
				tt.props[SSLKeystoreKey], tt.props[SSLKeystorePasswordKey] = s.clientP12, s.p12Pass
			}
			h := newHarness(t, tt.d, tt.props)
			task := &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := task.Start(ctx, taskContext{t: t, offsets: h.offsets}, h.props)
			if err == nil {
				_ = task.Stop(ctx)
				t.Fatal("Start succeeded")
			}
			t.Logf("Start: %v", err)
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Start: %v\nwant it to say %q", err, tt.says)
			}
			shown := []string{err.Error()}
			key := ""
			for _, r := range NewMariaDB().ValidateLive(ctx, h.props) {
				for _, e := range r.Errors {
					key = r.Name
					shown = append(shown, e)
				}
			}
			if want := SSLModeKey; tt.says != "Access denied" && key != want {
				t.Errorf("ValidateLive: errors on %q (%q), want on %s", key, shown[1:], want)
			}
			for _, m := range shown {
				if strings.Contains(m, s.p12Pass) {
					t.Errorf("the store password shows in %s", m)
				}
			}
		})
	}
}

// TestTLSPreferredFallsBack: preferred (the default) connects to a server
// without TLS in plaintext, snapshot and binlog.
func TestTLSPreferredFallsBack(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY)", "INSERT INTO t VALUES (1)")
	h := newHarness(t, d, map[string]string{SSLModeKey: "preferred"})
	got := h.startStreaming()
	if s := ids(t, only(got, dataTopic(d, "t"))); s != "r1" {
		t.Fatalf("snapshot %s, want r1", s)
	}
	if h.task.binlogTLS {
		t.Fatal("binlogTLS is set against a server without TLS")
	}
	d.Exec(t, "INSERT INTO t VALUES (2)")
	if s := ids(t, h.poll(1, dataTopic(d, "t"))); s != "c2" {
		t.Fatalf("streamed %s, want c2", s)
	}
}

// TestSSLSettings: the database.ssl.* keys as parseSettings reads them:
// the mode's verification, the stores by their content, and errors naming
// the key, never the store's password.
func TestSSLSettings(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, "unit CA")
	caPEM := writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.cert.Raw)
	cert, key := ca.issue(t, "client", 2)
	const pw = "unit-st0re-pw"
	p12, err := pkcs12.Modern.Encode(key, cert, nil, pw)
	if err != nil {
		t.Fatal(err)
	}
	p12Path := filepath.Join(dir, "client.p12")
	if err := os.WriteFile(p12Path, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	trust, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{ca.cert}, pw)
	if err != nil {
		t.Fatal(err)
	}
	trustPath := filepath.Join(dir, "trust.p12")
	if err := os.WriteFile(trustPath, trust, 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{HostnameKey: "db.example", UserKey: "u", ServerIDKey: "1", TopicPrefixKey: "p", HistoryTopicKey: "h", HistoryServersKey: "k:1"}
	tests := []struct {
		name       string
		set        map[string]string
		key, says  string // the error's key and words; "" for valid
		tls        bool   // a TLS configuration
		skipVerify bool   // InsecureSkipVerify without a chain check
		roots      bool   // the truststore's roots
		certs      int
	}{
		{"default is preferred", nil, "", "", true, true, false, 0},
		{"disabled", map[string]string{SSLModeKey: "disabled"}, "", "", false, false, false, 0},
		{"disabled ignores stores", map[string]string{SSLModeKey: "DISABLED", SSLTruststoreKey: "/nonexistent"}, "", "", false, false, false, 0},
		{"required with a PKCS12 keystore", map[string]string{SSLModeKey: "required", SSLKeystoreKey: p12Path, SSLKeystorePasswordKey: pw}, "", "", true, true, false, 1},
		{"verify_ca with a PEM truststore", map[string]string{SSLModeKey: "verify_ca", SSLTruststoreKey: caPEM}, "", "", true, false, true, 0},
		{"verify_identity with a PKCS12 truststore", map[string]string{SSLModeKey: "verify_identity", SSLTruststoreKey: trustPath, SSLTruststorePasswordKey: pw}, "", "", true, false, true, 0},
		{"verify_identity with the system's roots", map[string]string{SSLModeKey: "verify_identity"}, "", "", true, false, false, 0},
		{"unknown mode", map[string]string{SSLModeKey: "sometimes"}, SSLModeKey, "sometimes", false, false, false, 0},
		{"password without store", map[string]string{SSLModeKey: "required", SSLTruststorePasswordKey: pw}, SSLTruststorePasswordKey, "database.ssl.truststore is not", false, false, false, 0},
		{"missing truststore", map[string]string{SSLModeKey: "verify_ca", SSLTruststoreKey: filepath.Join(dir, "none.jks")}, SSLTruststoreKey, "none.jks", false, false, false, 0},
		{"wrong keystore password", map[string]string{SSLKeystoreKey: p12Path, SSLKeystorePasswordKey: "not-" + pw}, SSLKeystoreKey, "database.ssl.keystore", false, false, false, 0},
		{"a certificate as keystore", map[string]string{SSLKeystoreKey: caPEM}, SSLKeystoreKey, "database.ssl.keystore", false, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := maps.Clone(base)
			maps.Copy(props, tt.set)
			st, err := parseSettings(props)
			if tt.says != "" {
				t.Logf("parseSettings: %v", err)
				if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.says) {
					t.Fatalf("error %v, want one on %s saying %q", err, tt.key, tt.says)
				}
				if strings.Contains(err.Error(), pw) {
					t.Errorf("the password shows in %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (st.tls != nil) != tt.tls {
				t.Fatalf("tls %v, want %v", st.tls != nil, tt.tls)
			}
			if st.tls == nil {
				return
			}
			if st.tls.ServerName != "db.example" {
				t.Errorf("ServerName %q", st.tls.ServerName)
			}
			if got := st.tls.InsecureSkipVerify && st.tls.VerifyConnection == nil; got != tt.skipVerify {
				t.Errorf("no verification %v, want %v", got, tt.skipVerify)
			}
			if (st.tls.RootCAs != nil) != tt.roots {
				t.Errorf("truststore roots %v, want %v", st.tls.RootCAs != nil, tt.roots)
			}
			if len(st.tls.Certificates) != tt.certs {
				t.Errorf("%d client certificates, want %d", len(st.tls.Certificates), tt.certs)
			}
		})
	}
}
