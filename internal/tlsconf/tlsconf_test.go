package tlsconf

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dir holds the stores testdata/mkstores.sh makes once for the package.
var dir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	d, err := os.MkdirTemp("", "tlsconf-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(d)
	out, err := exec.Command("bash", "testdata/mkstores.sh", d).CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "making the test stores with openssl and keytool: %v\n%s", err, out)
		return 1
	}
	dir = d
	return m.Run()
}

func path(name string) string { return filepath.Join(dir, name) }

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(path(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// merge returns the union of maps, later ones winning.
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func jksTrust() map[string]string {
	return map[string]string{KeyTruststoreLocation: path("trust.jks"), KeyTruststorePassword: "trustpass"}
}

func jksStore(name string) map[string]string {
	return map[string]string{KeyKeystoreLocation: path(name), KeyKeystorePassword: "storepass"}
}

func pemKeystore(name string) map[string]string {
	return map[string]string{KeyKeystoreType: "PEM", KeyKeystoreLocation: path(name + ".pem")}
}

// handshake runs a TLS handshake between server and client over net.Pipe,
// then one byte from server to client (so that a client certificate the
// server refuses after a TLS 1.3 handshake fails the client too), and
// returns each side's error.
func handshake(t *testing.T, server, client *tls.Config, serverName string) (serverErr, clientErr error) {
	t.Helper()
	client = client.Clone()
	client.ServerName = serverName
	sc, cc := net.Pipe()
	deadline := time.Now().Add(20 * time.Second)
	_ = sc.SetDeadline(deadline)
	_ = cc.SetDeadline(deadline)
	done := make(chan error, 1)
	go func() {
		defer sc.Close()
		s := tls.Server(sc, server)
		if err := s.Handshake(); err != nil {
			done <- err
			return
		}
		_, err := s.Write([]byte{1})
		done <- err
	}()
	c := tls.Client(cc, client)
	clientErr = c.Handshake()
	if clientErr == nil {
		_, clientErr = io.ReadFull(c, make([]byte, 1))
	}
	cc.Close()
	return <-done, clientErr
}

func TestHandshake(t *testing.T) {
	serverJKS := merge(jksStore("server.jks"), jksTrust())
	noHostCheck := map[string]string{KeyEndpointIdentificationAlgorithm: ""}
	tests := []struct {
		name       string
		server     map[string]string
		client     map[string]string
		serverName string
		wantServer string // substring of the server's error; "" for none
		wantClient string // substring of the client's error; "" for none
	}{
		{name: "JKS both sides", server: serverJKS, client: jksTrust(), serverName: "localhost"},
		{name: "keytool PKCS12 keystore, PKCS12 truststore",
			server:     map[string]string{KeyKeystoreType: "PKCS12", KeyKeystoreLocation: path("server-keytool.p12"), KeyKeystorePassword: "storepass"},
			client:     map[string]string{KeyTruststoreType: "PKCS12", KeyTruststoreLocation: path("trust.p12"), KeyTruststorePassword: "trustpass"},
			serverName: "localhost"},
		{name: "openssl PKCS12 keystore under the default type JKS",
			server: jksStore("server-openssl.p12"), client: jksTrust(), serverName: "localhost"},
		{name: "PEM files", server: pemKeystore("server"),
			client:     map[string]string{KeyTruststoreType: "PEM", KeyTruststoreLocation: path("ca.crt")},
			serverName: "localhost"},
		{name: "PEM truststore in OpenSSL's TRUSTED CERTIFICATE form", server: pemKeystore("server"),
			client:     map[string]string{KeyTruststoreType: "PEM", KeyTruststoreLocation: path("ca-trusted.crt")},
			serverName: "localhost"},
		{name: "inline PEM",
			server: map[string]string{KeyKeystoreType: "PEM", KeyKeystoreKey: read(t, "server.key"), KeyKeystoreCertificateChain: read(t, "server.chain")},
			client: map[string]string{KeyTruststoreType: "PEM", KeyTruststoreCertificates: read(t, "ca.crt")}, serverName: "localhost"},
		{name: "inline PEM joined on one line, as a continued properties line gives it",
			server: map[string]string{KeyKeystoreType: "PEM",
				KeyKeystoreKey:              strings.ReplaceAll(read(t, "server.key"), "\n", ""),
				KeyKeystoreCertificateChain: strings.ReplaceAll(read(t, "server.chain"), "\n", "")},
			client: map[string]string{KeyTruststoreType: "PEM", KeyTruststoreCertificates: strings.ReplaceAll(read(t, "ca.crt"), "\n", " ")}, serverName: "localhost"},
		{name: "encrypted PKCS#8 key", server: merge(pemKeystore("server-enc"), map[string]string{KeyKeyPassword: "keypass"}),
			client: jksTrust(), serverName: "localhost"},
		{name: "JKS with its own key password", server: merge(jksStore("server-keypass.jks"), map[string]string{KeyKeyPassword: "keypass"}),
			client: jksTrust(), serverName: "127.0.0.1"},
		{name: "host name checked by default", server: merge(jksStore("wrongname-openssl.p12"), jksTrust()), client: jksTrust(),
			serverName: "localhost", wantServer: "bad certificate", wantClient: "certificate is valid for other.example, not localhost"},
		{name: "host name checked with https", server: merge(jksStore("wrongname-openssl.p12"), jksTrust()),
			client:     merge(jksTrust(), map[string]string{KeyEndpointIdentificationAlgorithm: "HTTPS"}),
			serverName: "localhost", wantServer: "bad certificate", wantClient: "not localhost"},
		{name: "host name not checked when empty", server: merge(jksStore("wrongname-openssl.p12"), jksTrust()),
			client: merge(jksTrust(), noHostCheck), serverName: "localhost"},
		{name: "another CA fails with the host-name check", server: jksStore("otherserver-openssl.p12"), client: jksTrust(),
			serverName: "localhost", wantServer: "bad certificate", wantClient: "certificate signed by unknown authority"},
		{name: "another CA fails without the host-name check", server: jksStore("otherserver-openssl.p12"), client: merge(jksTrust(), noHostCheck),
			serverName: "localhost", wantServer: "bad certificate", wantClient: "certificate signed by unknown authority"},
		{name: "client cert as server cert fails without the host-name check (extended key usage)", server: jksStore("client-openssl.p12"),
			client: merge(jksTrust(), noHostCheck), serverName: "localhost", wantServer: "bad certificate", wantClient: "incompatible key usage"},
		{name: "trusting another CA fails", server: serverJKS,
			client:     map[string]string{KeyTruststoreLocation: path("othertrust.jks"), KeyTruststorePassword: "trustpass"},
			serverName: "localhost", wantServer: "bad certificate", wantClient: "unknown authority"},
		{name: "mutual TLS required, with a certificate", server: merge(serverJKS, map[string]string{KeyClientAuth: "required"}),
			client: merge(jksTrust(), jksStore("client.jks")), serverName: "localhost"},
		{name: "mutual TLS required, without a certificate", server: merge(serverJKS, map[string]string{KeyClientAuth: "required"}),
			client: jksTrust(), serverName: "localhost", wantServer: "client didn't provide a certificate", wantClient: "certificate required"},
		{name: "mutual TLS required, certificate of another CA", server: merge(serverJKS, map[string]string{KeyClientAuth: "REQUIRED"}),
			client: merge(jksTrust(), jksStore("otherclient-openssl.p12")), serverName: "localhost", wantServer: "unknown authority", wantClient: "unknown certificate authority"},
		{name: "mutual TLS requested, without a certificate", server: merge(serverJKS, map[string]string{KeyClientAuth: "requested"}),
			client: jksTrust(), serverName: "localhost"},
		{name: "mutual TLS requested, with a certificate", server: merge(serverJKS, map[string]string{KeyClientAuth: "requested"}),
			client: merge(jksTrust(), jksStore("client.jks")), serverName: "localhost"},
		{name: "mutual TLS requested, certificate of another CA", server: merge(serverJKS, map[string]string{KeyClientAuth: "requested"}),
			client: merge(jksTrust(), jksStore("otherclient-openssl.p12")), serverName: "localhost", wantServer: "unknown authority", wantClient: "unknown certificate authority"},
		{name: "TLS 1.2 only on the server", server: merge(serverJKS, map[string]string{KeyEnabledProtocols: "TLSv1.2"}),
			client: jksTrust(), serverName: "localhost"},
		{name: "no common version", server: merge(serverJKS, map[string]string{KeyEnabledProtocols: "TLSv1.3"}),
			client: merge(jksTrust(), map[string]string{KeyProtocol: "TLSv1.2"}), serverName: "localhost", wantServer: "unsupported versions", wantClient: "protocol version"},
		{name: "cipher suite chosen", server: merge(serverJKS, map[string]string{KeyCipherSuites: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}),
			client: merge(jksTrust(), map[string]string{KeyCipherSuites: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}), serverName: "localhost"},
		{name: "no common cipher suite", server: merge(serverJKS, map[string]string{KeyCipherSuites: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}),
			client: merge(jksTrust(), map[string]string{KeyCipherSuites: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}), serverName: "localhost",
			wantServer: "no cipher suite supported by both", wantClient: "handshake failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, err := Server(tt.server)
			if err != nil {
				t.Fatalf("Server: %v", err)
			}
			client, err := Client(tt.client)
			if err != nil {
				t.Fatalf("Client: %v", err)
			}
			serverErr, clientErr := handshake(t, server, client, tt.serverName)
			check(t, "server", serverErr, tt.wantServer)
			check(t, "client", clientErr, tt.wantClient)
		})
	}
}

func check(t *testing.T, side string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: %v, want no error", side, err)
	case want != "" && err == nil:
		t.Errorf("%s: no error, want one containing %q", side, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s: %v, want an error containing %q", side, err, want)
	}
}

// TestNegotiated checks the versions and suites a handshake settles on.
func TestNegotiated(t *testing.T) {
	server, err := Server(merge(jksStore("server.jks"), map[string]string{KeyEnabledProtocols: "TLSv1.2,TLSv1.3"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		client      map[string]string
		wantVersion uint16
		wantSuite   uint16
	}{
		{"defaults", jksTrust(), tls.VersionTLS13, 0},
		{"ssl.protocol=TLSv1.2 caps the version", merge(jksTrust(), map[string]string{KeyProtocol: "TLSv1.2"}), tls.VersionTLS12, 0},
		{"TLS 1.2 suites only leave TLS 1.3 out", merge(jksTrust(), map[string]string{KeyCipherSuites: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"}),
			tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
		{"all TLS 1.3 suites", merge(jksTrust(), map[string]string{KeyCipherSuites: "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256"}),
			tls.VersionTLS13, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			client, err := Client(tt.client)
			if err != nil {
				t.Fatal(err)
			}
			var state tls.ConnectionState
			client.VerifyConnection = func(cs tls.ConnectionState) error { state = cs; return nil }
			if serr, cerr := handshake(t, server, client, "localhost"); serr != nil || cerr != nil {
				t.Fatalf("server: %v, client: %v", serr, cerr)
			}
			if state.Version != tt.wantVersion {
				t.Errorf("version %s, want %s", tls.VersionName(state.Version), tls.VersionName(tt.wantVersion))
			}
			if tt.wantSuite != 0 && state.CipherSuite != tt.wantSuite {
				t.Errorf("suite %s, want %s", tls.CipherSuiteName(state.CipherSuite), tls.CipherSuiteName(tt.wantSuite))
			}
		})
	}
}

func TestVersionsAndSuites(t *testing.T) {
	tests := []struct {
		name     string
		props    map[string]string
		min, max uint16
		suites   []uint16
	}{
		{"defaults", nil, tls.VersionTLS12, tls.VersionTLS13, nil},
		{"TLSv1 only when asked", map[string]string{KeyEnabledProtocols: "TLSv1, TLSv1.1,TLSv1.2"}, tls.VersionTLS10, tls.VersionTLS12, nil},
		{"TLSv1.3 only", map[string]string{KeyEnabledProtocols: "TLSv1.3"}, tls.VersionTLS13, tls.VersionTLS13, nil},
		{"empty list is the default", map[string]string{KeyEnabledProtocols: " "}, tls.VersionTLS12, tls.VersionTLS13, nil},
		{"SSLv2Hello ignored", map[string]string{KeyEnabledProtocols: "SSLv2Hello,TLSv1.2"}, tls.VersionTLS12, tls.VersionTLS12, nil},
		{"ssl.protocol TLS caps nothing", map[string]string{KeyProtocol: "TLS"}, tls.VersionTLS12, tls.VersionTLS13, nil},
		{"ssl.protocol TLSv1.2 caps", map[string]string{KeyProtocol: "TLSv1.2"}, tls.VersionTLS12, tls.VersionTLS12, nil},
		{"Java's SSL_ prefix and an insecure suite named",
			map[string]string{KeyCipherSuites: "SSL_RSA_WITH_3DES_EDE_CBC_SHA,TLS_EMPTY_RENEGOTIATION_INFO_SCSV,TLS_RSA_WITH_AES_128_GCM_SHA256"},
			tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}},
		{"TLS 1.3 suites only raise the minimum", map[string]string{KeyCipherSuites: "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256"},
			tls.VersionTLS13, tls.VersionTLS13, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Client(tt.props)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MinVersion != tt.min || cfg.MaxVersion != tt.max {
				t.Errorf("versions %s..%s, want %s..%s", tls.VersionName(cfg.MinVersion), tls.VersionName(cfg.MaxVersion), tls.VersionName(tt.min), tls.VersionName(tt.max))
			}
			if fmt.Sprint(cfg.CipherSuites) != fmt.Sprint(tt.suites) && !(len(cfg.CipherSuites) == 0 && len(tt.suites) == 0) {
				t.Errorf("suites %v, want %v", cfg.CipherSuites, tt.suites)
			}
			if cfg.InsecureSkipVerify || cfg.RootCAs != nil {
				t.Errorf("InsecureSkipVerify %v, RootCAs %v: want the system roots with full verification", cfg.InsecureSkipVerify, cfg.RootCAs)
			}
		})
	}
}

// TestErrors checks that each bad configuration is an error naming the key
// (and the file) and never any password's value.
func TestErrors(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.jks")
	if err := os.WriteFile(big, make([]byte, maxStoreSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage")
	if err := os.WriteFile(garbage, []byte("this is not a store\x00\x01"), 0o600); err != nil {
		t.Fatal(err)
	}
	hostileJKS := filepath.Join(t.TempDir(), "hostile.jks")
	// A JKS header, one entry, a private-key entry claiming a 4 GiB key.
	hj := append([]byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 0}, 0xff, 0xff, 0xff, 0xff)
	if err := os.WriteFile(hostileJKS, hj, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.jks")
	const secret = "s3cr3t-Value"
	tests := []struct {
		name   string
		client bool // Client instead of Server
		props  map[string]string
		want   []string // substrings of the error
	}{
		{"missing keystore", false, map[string]string{KeyKeystoreLocation: missing, KeyKeystorePassword: secret}, []string{KeyKeystoreLocation, missing, "no such file"}},
		{"missing truststore", true, map[string]string{KeyTruststoreLocation: missing, KeyTruststorePassword: secret}, []string{KeyTruststoreLocation, missing}},
		{"wrong JKS keystore password", false, map[string]string{KeyKeystoreLocation: path("server.jks"), KeyKeystorePassword: secret}, []string{KeyKeystorePassword + " is wrong", path("server.jks")}},
		{"wrong JKS key password", false, merge(jksStore("server-keypass.jks"), map[string]string{KeyKeyPassword: secret}), []string{KeyKeyPassword, "does not decrypt", path("server-keypass.jks")}},
		{"JKS key password needed", false, jksStore("server-keypass.jks"), []string{KeyKeyPassword, "does not decrypt"}},
		{"wrong PKCS12 keystore password", false, map[string]string{KeyKeystoreType: "PKCS12", KeyKeystoreLocation: path("server-keytool.p12"), KeyKeystorePassword: secret},
			[]string{KeyKeystorePassword + " is wrong", path("server-keytool.p12")}},
		{"wrong openssl PKCS12 keystore password", false, map[string]string{KeyKeystoreLocation: path("server-openssl.p12"), KeyKeystorePassword: secret},
			[]string{KeyKeystorePassword + " is wrong", path("server-openssl.p12")}},
		{"PKCS12 key password differs", false, merge(jksStore("server-keytool.p12"), map[string]string{KeyKeyPassword: secret}), []string{KeyKeyPassword, "differs"}},
		{"wrong JKS truststore password", true, map[string]string{KeyTruststoreLocation: path("trust.jks"), KeyTruststorePassword: secret}, []string{KeyTruststorePassword + " is wrong", path("trust.jks")}},
		{"wrong PKCS12 truststore password", true, map[string]string{KeyTruststoreLocation: path("trust.p12"), KeyTruststorePassword: secret}, []string{KeyTruststorePassword + " is wrong", path("trust.p12")}},
		{"PKCS12 truststore without password", true, map[string]string{KeyTruststoreLocation: path("trust.p12")}, []string{"set " + KeyTruststorePassword}},
		{"openssl PKCS12 truststore without Java's trust mark", true, map[string]string{KeyTruststoreLocation: path("trust-openssl.p12"), KeyTruststorePassword: "trustpass"},
			[]string{KeyTruststoreLocation, "marked trusted"}},
		{"keystore used as truststore in PKCS12", true, map[string]string{KeyTruststoreLocation: path("server-keytool.p12"), KeyTruststorePassword: "storepass"}, []string{KeyTruststoreLocation, "holds a private key"}},
		{"PEM truststore without certificates", true, map[string]string{KeyTruststoreType: "PEM", KeyTruststoreLocation: path("server.key")}, []string{KeyTruststoreLocation, "no PEM CERTIFICATE"}},
		{"garbage truststore", true, map[string]string{KeyTruststoreLocation: garbage, KeyTruststorePassword: secret}, []string{KeyTruststoreLocation, garbage}},
		{"garbage keystore", false, map[string]string{KeyKeystoreLocation: garbage, KeyKeystorePassword: secret}, []string{KeyKeystoreLocation, garbage}},
		{"garbage PEM keystore", false, map[string]string{KeyKeystoreType: "PEM", KeyKeystoreLocation: garbage}, []string{KeyKeystoreLocation, garbage, "no PEM PRIVATE KEY"}},
		{"hostile JKS lengths", true, map[string]string{KeyTruststoreLocation: hostileJKS, KeyTruststorePassword: secret}, []string{KeyTruststoreLocation, "malformed"}},
		{"huge file", true, map[string]string{KeyTruststoreLocation: big, KeyTruststorePassword: secret}, []string{KeyTruststoreLocation, "larger than 10 MiB"}},
		{"directory", true, map[string]string{KeyTruststoreLocation: dir, KeyTruststorePassword: secret}, []string{KeyTruststoreLocation}},
		{"keystore without password", false, map[string]string{KeyKeystoreLocation: path("server.jks")}, []string{KeyKeystoreLocation + " is set but " + KeyKeystorePassword + " is not"}},
		{"keystore password without keystore", true, map[string]string{KeyKeystorePassword: secret}, []string{KeyKeystorePassword + " is set but " + KeyKeystoreLocation}},
		{"truststore password without truststore", true, map[string]string{KeyTruststorePassword: secret}, []string{KeyTruststorePassword + " is set but"}},
		{"PEM keystore with a store password", false, merge(pemKeystore("server"), map[string]string{KeyKeystorePassword: secret}), []string{KeyKeystorePassword, "PEM"}},
		{"PEM truststore with a password", true, map[string]string{KeyTruststoreType: "PEM", KeyTruststoreLocation: path("ca.crt"), KeyTruststorePassword: secret}, []string{KeyTruststorePassword, "PEM"}},
		{"inline key without PEM type", false, map[string]string{KeyKeystoreKey: read(t, "server.key"), KeyKeystoreCertificateChain: read(t, "server.chain")}, []string{KeyKeystoreKey, "PEM", "JKS"}},
		{"inline key without chain", false, map[string]string{KeyKeystoreType: "PEM", KeyKeystoreKey: read(t, "server.key")}, []string{KeyKeystoreCertificateChain}},
		{"inline chain without key", false, map[string]string{KeyKeystoreType: "PEM", KeyKeystoreCertificateChain: read(t, "server.chain")}, []string{KeyKeystoreKey}},
		{"inline key and location", false, merge(pemKeystore("server"), map[string]string{KeyKeystoreKey: read(t, "server.key"), KeyKeystoreCertificateChain: read(t, "server.chain")}),
			[]string{KeyKeystoreLocation, KeyKeystoreKey}},
		{"inline truststore without PEM type", true, map[string]string{KeyTruststoreCertificates: read(t, "ca.crt")}, []string{KeyTruststoreCertificates, "PEM"}},
		{"inline truststore and location", true, map[string]string{KeyTruststoreType: "PEM", KeyTruststoreCertificates: read(t, "ca.crt"), KeyTruststoreLocation: path("ca.crt")},
			[]string{KeyTruststoreLocation, KeyTruststoreCertificates}},
		{"key and chain that do not match", false, map[string]string{KeyKeystoreType: "PEM", KeyKeystoreKey: read(t, "client.key"), KeyKeystoreCertificateChain: read(t, "server.chain")},
			[]string{KeyKeystoreCertificateChain, "does not match"}},
		{"encrypted key without password", false, pemKeystore("server-enc"), []string{KeyKeystoreLocation, "encrypted; set " + KeyKeyPassword}},
		{"encrypted key, wrong password", false, merge(pemKeystore("server-enc"), map[string]string{KeyKeyPassword: secret}), []string{KeyKeyPassword + " is wrong", path("server-enc.pem")}},
		{"legacy encrypted key", false, map[string]string{KeyKeystoreType: "PEM", KeyKeystoreKey: read(t, "server-legacy.key"), KeyKeystoreCertificateChain: read(t, "server.chain"), KeyKeyPassword: secret},
			[]string{KeyKeystoreKey, "legacy", "PKCS#8"}},
		{"two keys", false, map[string]string{KeyKeystoreType: "PEM", KeyKeystoreKey: read(t, "server.key") + read(t, "client.key"), KeyKeystoreCertificateChain: read(t, "server.chain")},
			[]string{KeyKeystoreKey, "found 2"}},
		{"bad base64", false, map[string]string{KeyKeystoreType: "PEM", KeyKeystoreKey: "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----", KeyKeystoreCertificateChain: read(t, "server.chain")},
			[]string{KeyKeystoreKey, "base64"}},
		{"unterminated PEM", true, map[string]string{KeyTruststoreType: "PEM", KeyTruststoreCertificates: "-----BEGIN CERTIFICATE-----\nAAAA"}, []string{KeyTruststoreCertificates, "END"}},
		{"unknown keystore type", false, map[string]string{KeyKeystoreType: "JCEKS", KeyKeystoreLocation: path("server.jks"), KeyKeystorePassword: secret}, []string{KeyKeystoreType, "JCEKS"}},
		{"server without keystore", false, jksTrust(), []string{KeyKeystoreLocation, "required"}},
		{"unknown client auth", false, merge(jksStore("server.jks"), map[string]string{KeyClientAuth: "always"}), []string{KeyClientAuth, "always"}},
		{"unknown cipher", true, map[string]string{KeyCipherSuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_BOGUS_SUITE"}, []string{KeyCipherSuites, "TLS_BOGUS_SUITE"}},
		{"cipher Go lacks", true, map[string]string{KeyCipherSuites: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}, []string{KeyCipherSuites, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}},
		{"some TLS 1.3 suites", true, map[string]string{KeyCipherSuites: "TLS_AES_256_GCM_SHA384"}, []string{KeyCipherSuites, "TLS 1.3"}},
		{"TLS 1.3 suites without TLSv1.3", true, map[string]string{KeyEnabledProtocols: "TLSv1.2", KeyCipherSuites: "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256"}, []string{KeyCipherSuites}},
		{"TLS 1.2 suites with TLSv1.3 only", true, map[string]string{KeyEnabledProtocols: "TLSv1.3", KeyCipherSuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, []string{KeyCipherSuites}},
		{"SSLv3", true, map[string]string{KeyEnabledProtocols: "SSLv3,TLSv1.2"}, []string{KeyEnabledProtocols, "SSLv3"}},
		{"version gap", true, map[string]string{KeyEnabledProtocols: "TLSv1.1,TLSv1.3"}, []string{KeyEnabledProtocols, "gap"}},
		{"ssl.protocol SSL", true, map[string]string{KeyProtocol: "SSL"}, []string{KeyProtocol, "SSL"}},
		{"ssl.protocol below the enabled ones", true, map[string]string{KeyProtocol: "TLSv1.1"}, []string{KeyProtocol}},
		{"other endpoint identification", true, map[string]string{KeyEndpointIdentificationAlgorithm: "ldaps"}, []string{KeyEndpointIdentificationAlgorithm, "ldaps"}},
		{"other provider", true, map[string]string{KeyProvider: "Conscrypt"}, []string{KeyProvider, "Conscrypt", "cannot honour"}},
		{"other key manager", true, map[string]string{KeyKeymanagerAlgorithm: "Custom"}, []string{KeyKeymanagerAlgorithm, "cannot honour"}},
		{"other trust manager", true, map[string]string{KeyTrustmanagerAlgorithm: "Custom"}, []string{KeyTrustmanagerAlgorithm, "cannot honour"}},
		{"other random", true, map[string]string{KeySecureRandomImplementation: "SHA1PRNG"}, []string{KeySecureRandomImplementation, "cannot honour"}},
		{"other engine factory", true, map[string]string{KeyEngineFactoryClass: "com.example.Factory"}, []string{KeyEngineFactoryClass, "cannot honour"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			build := Server
			if tt.client {
				build = Client
			}
			cfg, err := build(tt.props)
			if err == nil {
				t.Fatalf("no error (config %v), want one containing %q", cfg != nil, tt.want)
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, k := range PasswordKeys() {
				if v := tt.props[k]; len(v) > 4 && strings.Contains(err.Error(), v) {
					t.Errorf("error %q shows the value of %s", err, k)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q shows a password", err)
			}
		})
	}
}

func TestAccepted(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
	}{
		{"Java's defaults", map[string]string{KeyKeymanagerAlgorithm: "SunX509", KeyTrustmanagerAlgorithm: "PKIX", KeyProvider: "",
			KeySecureRandomImplementation: "", KeyEngineFactoryClass: "org.apache.kafka.common.security.ssl.DefaultSslEngineFactory",
			KeyProtocol: "TLSv1.3", KeyEnabledProtocols: "TLSv1.2,TLSv1.3", KeyKeystoreType: "JKS", KeyTruststoreType: "JKS", KeyEndpointIdentificationAlgorithm: "https"}},
		{"JKS truststore without password", map[string]string{KeyTruststoreLocation: path("trust.jks")}},
		{"JKS keystore as truststore trusts its leaf", map[string]string{KeyTruststoreLocation: path("server.jks"), KeyTruststorePassword: "storepass"}},
		{"keystore type pkcs12 reading a JKS file", merge(jksStore("server.jks"), map[string]string{KeyKeystoreType: "pkcs12"})},
		{"values trimmed", map[string]string{KeyTruststoreLocation: " " + path("trust.jks") + " ", KeyTruststorePassword: " trustpass ", KeyKeystoreType: " JKS "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Client(tt.props); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestKeystoreAsTruststore checks that the leaf of a JKS key entry is
// trusted, as Java's trust managers trust it.
func TestKeystoreAsTruststore(t *testing.T) {
	server, err := Server(jksStore("server.jks"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := Client(map[string]string{KeyTruststoreLocation: path("server.jks"), KeyTruststorePassword: "storepass"})
	if err != nil {
		t.Fatal(err)
	}
	serr, cerr := handshake(t, server, client, "localhost")
	check(t, "server", serr, "")
	check(t, "client", cerr, "")
}

func TestKeys(t *testing.T) {
	keys := Keys()
	for _, k := range PasswordKeys() {
		if !strings.HasPrefix(k, "ssl.") || !IsPasswordKey(k) {
			t.Errorf("%s: not a password key", k)
		}
		found := false
		for _, kk := range keys {
			found = found || kk == k
		}
		if !found {
			t.Errorf("password key %s not in Keys", k)
		}
	}
	if IsPasswordKey(KeyTruststoreLocation) {
		t.Errorf("%s is not a password key", KeyTruststoreLocation)
	}
	keys[0] = "changed"
	if Keys()[0] == "changed" {
		t.Error("Keys returns a shared slice")
	}
	if len(keys) != 20 {
		t.Errorf("%d keys, want 20", len(keys))
	}
}

// FuzzStores feeds arbitrary bytes to every store reader: errors, never
// panics.
func FuzzStores(f *testing.F) {
	for _, name := range []string{"server.jks", "trust.jks", "trust.p12", "server-keytool.p12", "server-enc.pem"} {
		b, err := os.ReadFile(path(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(t.TempDir(), "store")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, props := range []map[string]string{
			{KeyKeystoreLocation: file, KeyKeystorePassword: "storepass"},
			{KeyKeystoreLocation: file, KeyKeystorePassword: "storepass", KeyKeyPassword: "keypass"},
			{KeyKeystoreType: "PEM", KeyKeystoreLocation: file, KeyKeyPassword: "keypass"},
		} {
			_, _ = Server(props)
		}
		for _, props := range []map[string]string{
			{KeyTruststoreLocation: file, KeyTruststorePassword: "trustpass"},
			{KeyTruststoreLocation: file},
			{KeyTruststoreType: "PEM", KeyTruststoreLocation: file},
		} {
			_, _ = Client(props)
		}
	})
}

// TestTruncatedStores reads every prefix (in steps) of real stores: each is
// an error or a configuration, never a panic or a hang.
func TestTruncatedStores(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "store")
	for _, name := range []string{"server.jks", "trust.jks", "trust.p12", "server-keytool.p12", "server-openssl.p12", "server-enc.pem"} {
		data, err := os.ReadFile(path(name))
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut < len(data); cut += 11 {
			// A PEM prefix whose every block has its END label (the closing
			// dashes are not needed), with the key and a certificate, is a
			// shorter chain: valid.
			p := string(data[:cut])
			ends := strings.Count(p, "-----END CERTIFICATE") + strings.Count(p, "-----END ENCRYPTED PRIVATE KEY")
			pemValid := strings.HasSuffix(name, ".pem") && strings.Count(p, "-----BEGIN") == ends &&
				strings.Contains(p, "-----END CERTIFICATE") && strings.Contains(p, "-----END ENCRYPTED PRIVATE KEY")
			if err := os.WriteFile(dst, data[:cut], 0o600); err != nil {
				t.Fatal(err)
			}
			_, errS := Server(map[string]string{KeyKeystoreLocation: dst, KeyKeystorePassword: "storepass"})
			_, errP := Server(map[string]string{KeyKeystoreType: "PEM", KeyKeystoreLocation: dst, KeyKeyPassword: "keypass"})
			_, errC := Client(map[string]string{KeyTruststoreLocation: dst, KeyTruststorePassword: "trustpass"})
			if errS == nil || errC == nil {
				t.Errorf("%s cut at %d of %d bytes: errors %v, %v; want two", name, cut, len(data), errS, errC)
			}
			if (errP == nil) != pemValid {
				t.Errorf("%s cut at %d of %d bytes as a PEM keystore: error %v, want one: %v", name, cut, len(data), errP, !pemValid)
			}
		}
	}
}
