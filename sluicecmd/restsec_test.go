package sluicecmd

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
)

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// workerTLSProps are the worker keys of https listeners with mutual TLS
// and of the worker's own requests, from pki.
func workerTLSProps(pki *testkit.PKI) map[string]string {
	return map[string]string{
		"ssl.keystore.type":       "PEM",
		"ssl.keystore.location":   pki.Server,
		"ssl.truststore.type":     "PEM",
		"ssl.truststore.location": pki.CA,
		"ssl.client.auth":         "required",
	}
}

// writeBasicAuth writes a JAAS file whose KafkaConnect entry names a
// credentials file with users, and returns the JAAS file.
func writeBasicAuth(t *testing.T, dir string, users string) string {
	t.Helper()
	creds := filepath.Join(dir, "credentials.properties")
	if err := os.WriteFile(creds, []byte(users), 0o600); err != nil {
		t.Fatal(err)
	}
	jaas := filepath.Join(dir, "connect_jaas.conf")
	text := "// the REST API's users\nKafkaConnect {\n  " + api.PropertyFileLoginModule + " required\n  file=\"" + creds + "\";\n};\n"
	if err := os.WriteFile(jaas, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return jaas
}

// httpsClient is an http.Client trusting pki's CA, with cert as its
// client certificate if not nil.
func httpsClient(pki *testkit.PKI, cert *tls.Certificate) *http.Client {
	cfg := &tls.Config{RootCAs: pki.CAPool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

func get(t *testing.T, hc *http.Client, url, authz string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func basicHeader(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// TestRESTSecurityStandalone runs a standalone worker whose only listener
// is https with mutual TLS required and basic authentication, and reaches
// it without and with a client certificate, without and with credentials,
// through the CLI too.
func TestRESTSecurityStandalone(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	dir := t.TempDir()
	pki := testkit.NewPKI(t, dir)
	props := workerTLSProps(pki)
	for k, v := range map[string]string{
		"bootstrap.servers":            bootstrap,
		"key.converter":                "StringConverter",
		"value.converter":              "StringConverter",
		"offset.storage.file.filename": filepath.Join(dir, "offsets.json"),
		"listeners":                    "https://127.0.0.1:0",
		"rest.extension.classes":       runtime.BasicAuthExtension,
		// The admin listener's own TLS settings, all or nothing: no
		// truststore and no client certificate asked for there.
		"admin.listeners":                             "https://" + freeAddr(t),
		"admin.listeners.https.ssl.keystore.type":     "PEM",
		"admin.listeners.https.ssl.keystore.location": pki.Server,
	} {
		props[k] = v
	}
	// The JAAS file as Kafka Connect's start scripts pass it.
	t.Setenv("KAFKA_OPTS", "-Xmx256m -Djava.security.auth.login.config="+writeBasicAuth(t, dir, "alice=wonder land\nbob: builder\n"))

	var logs testkit.LogBuffer
	// A logging handler with levels, which /admin/loggers serves.
	log := slog.New(logging.NewHandler(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}), logging.NewLevels(slog.LevelInfo)))
	base := "https://" + startStandalone(t, props, log)

	// No client certificate: the handshake fails, nothing is answered.
	if code, body, err := get(t, httpsClient(pki, nil), base+"/connectors", basicHeader("alice", "wonder land")); err == nil {
		t.Fatalf("without a client certificate: %d %s, want a failed handshake", code, body)
	}
	// Plain http to the https port gets no answer of the API.
	if code, _, err := get(t, &http.Client{Timeout: 10 * time.Second}, "http://"+strings.TrimPrefix(base, "https://")+"/connectors", basicHeader("alice", "wonder land")); err == nil && code != http.StatusBadRequest {
		t.Fatalf("plain http: %d, want a failure or Go's 400 for http to an https port", code)
	}
	hc := httpsClient(pki, &pki.ClientTLS)
	for _, tc := range []struct {
		name, authz string
		want        int
	}{
		{"no credentials", "", http.StatusUnauthorized},
		{"wrong password", basicHeader("alice", "wonder"), http.StatusUnauthorized},
		{"alice", basicHeader("alice", "wonder land"), http.StatusOK},
		{"bob", basicHeader("bob", "builder"), http.StatusOK},
	} {
		code, body, err := get(t, hc, base+"/connectors", tc.authz)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if code != tc.want {
			t.Fatalf("%s: %d %s, want %d", tc.name, code, body, tc.want)
		}
		if code == http.StatusUnauthorized && body != api.MsgUnauthorized {
			t.Fatalf("%s: body %q, want %q", tc.name, body, api.MsgUnauthorized)
		}
		if code == http.StatusOK && body != "[]\n" {
			t.Fatalf("%s: body %q, want []", tc.name, body)
		}
	}

	// The admin listener: https without a client certificate, basic
	// authentication all the same (Kafka Connect's extension leaves
	// separate admin listeners open; sluice does not).
	admin := "https://" + props["admin.listeners"][len("https://"):] + "/admin/loggers"
	if code, body, err := get(t, httpsClient(pki, nil), admin, basicHeader("alice", "wonder land")); err != nil || code != http.StatusOK {
		t.Fatalf("admin listener with credentials, no client certificate: %d %s %v", code, body, err)
	}
	if code, body, err := get(t, httpsClient(pki, nil), admin, ""); err != nil || code != http.StatusUnauthorized || body != api.MsgUnauthorized {
		t.Fatalf("admin listener without credentials: %d %s %v", code, body, err)
	}
	if code, _, err := get(t, hc, base+"/admin/loggers", basicHeader("alice", "wonder land")); err != nil || code != http.StatusNotFound {
		t.Fatalf("/admin/loggers on the main listener: %d %v, want 404", code, err)
	}

	cli := func(want int, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		args = append(args, "--url", base, "--cacert", pki.CA, "--cert", pki.Client, "--key", pki.ClientKey)
		if code := runCLI(context.Background(), args[0], args[1:], nil, &out, &errb); code != want {
			t.Fatalf("sluice %s: exit %d, want %d; stdout %q stderr %q", strings.Join(args, " "), code, want, out.String(), errb.String())
		}
		return out.String() + errb.String()
	}
	// No connector yet: the list says so (it answered, with credentials).
	if out := cli(0, "connectors", "list", "--user", "alice:wonder land"); out != "No connectors.\n" {
		t.Errorf("connectors list: %q", out)
	}
	if out := cli(1, "connectors", "list"); !strings.Contains(out, "User cannot access the resource. (HTTP 401: the worker requires credentials") {
		t.Errorf("connectors list without credentials: %q", out)
	}
	if out := cli(1, "connectors", "list", "--user", "alice:wrong"); !strings.Contains(out, "(HTTP 401") || strings.Contains(out, "wrong") {
		t.Errorf("connectors list with a wrong password: %q", out)
	}
	t.Setenv("SLUICE_USER", "bob:builder")
	cli(0, "plugins")
	if strings.Contains(logs.String(), "without authentication") {
		t.Errorf("a worker on loopback with authentication warned:\n%s", logs.String())
	}
}

// TestNewRESTSecurity checks what start-up makes of the REST security keys:
// where the JAAS file comes from, errors for what is missing, and the one
// WARN for a REST API open to the network.
func TestNewRESTSecurity(t *testing.T) {
	dir := t.TempDir()
	jaas := writeBasicAuth(t, dir, "alice=pw\n")
	other := filepath.Join(dir, "other.conf")
	if err := os.WriteFile(other, []byte("KafkaServer { m required; };"), 0o600); err != nil {
		t.Fatal(err)
	}
	pki := testkit.NewPKI(t, dir)
	auth := map[string]string{"rest.extension.classes": runtime.BasicAuthExtension}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter", "listeners": "http://127.0.0.1:8083"}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name      string
		props     map[string]string
		kafkaOpts string
		err       string
		warn      bool
		auth      bool
	}{
		{name: "no security on loopback"},
		{name: "every interface without authentication", props: with(nil, "listeners", "http://:8083"), warn: true},
		{name: "admin listener on the network", props: with(nil, "admin.listeners", "http://0.0.0.0:9090"), warn: true},
		{name: "JAAS file from the key", props: with(auth, "listeners", "http://:8083", runtime.RestJAASFile, jaas), auth: true},
		{name: "JAAS file from KAFKA_OPTS", props: with(auth), kafkaOpts: "-Djava.security.auth.login.config=" + jaas, auth: true},
		{name: "the key wins over KAFKA_OPTS", props: with(auth, runtime.RestJAASFile, jaas), kafkaOpts: "-Djava.security.auth.login.config=" + other, auth: true},
		{name: "KAFKA_OPTS naming a file without KafkaConnect", props: with(auth), kafkaOpts: "-Djava.security.auth.login.config=" + other, err: "has no KafkaConnect entry"},
		{name: "no JAAS file", props: with(auth), err: "rest.extension.classes names " + runtime.BasicAuthExtension + " but no JAAS configuration file is given: set rest.basic.auth.jaas.config.file, or -Djava.security.auth.login.config=… in the KAFKA_OPTS environment variable"},
		{name: "mutual TLS on the network", props: with(workerTLSProps(pki), "listeners", "https://:8443")},
		{name: "https without a keystore", props: with(nil, "listeners", "https://127.0.0.1:8443"), err: "TLS settings of the https listeners (listeners.https.ssl.*, else ssl.*)"},
		{name: "admin https with its own keystore missing", props: with(workerTLSProps(pki), "admin.listeners", "https://127.0.0.1:9443", "admin.listeners.https.ssl.keystore.location", filepath.Join(dir, "nope.jks")),
			err: "TLS settings of the https admin.listeners (admin.listeners.https.ssl.*, else ssl.*)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := tt.props
			if props == nil {
				props = with(nil)
			}
			wc, err := runtime.ParseWorkerConfig(props, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			rs, err := newRESTSecurity(wc, tt.kafkaOpts, slog.New(slog.NewTextHandler(&logs, nil)))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (rs.auth != nil) != tt.auth {
				t.Errorf("auth %v, want %v", rs.auth != nil, tt.auth)
			}
			if got := strings.Count(logs.String(), "accepts requests from the network without authentication"); got != map[bool]int{true: 1}[tt.warn] {
				t.Errorf("%d WARNs about an open REST API, want warn=%v; log:\n%s", got, tt.warn, logs.String())
			}
		})
	}
}

// TestDistributedHTTPSBasicAuth runs three distributed workers with https
// listeners (mutual TLS) and basic authentication: a create sent to a
// follower is forwarded to the leader with its credentials and over https,
// the connector's task configurations reach the leader over https (an
// internal request, signed, without credentials), and a request without
// credentials gets a 401 at the follower.
func TestDistributedHTTPSBasicAuth(t *testing.T) {
	cl := newInProcCluster(t)
	pki := testkit.NewPKI(t, cl.dir)
	for k, v := range workerTLSProps(pki) {
		cl.props[k] = v
	}
	cl.props["listeners"] = "https://127.0.0.1:0"
	cl.props["rest.extension.classes"] = runtime.BasicAuthExtension
	cl.props[runtime.RestJAASFile] = writeBasicAuth(t, cl.dir, "admin=s3cret\n")
	cl.scheme = "https://"
	cl.clientOpts = []client.Option{client.WithBasicAuth("admin", "s3cret"), client.WithHTTPClient(httpsClient(pki, &pki.ClientTLS))}
	for _, n := range []string{"w1", "w2", "w3"} {
		cl.start(n)
	}
	lead := cl.leader()
	var via *inProcWorker
	for _, w := range cl.workers {
		if w != lead {
			via = w
			break
		}
	}
	if !strings.Contains(lead.log.String(), "leader_url=https://"+lead.id) {
		t.Fatalf("the leader does not advertise https://%s:\n%s", lead.id, lead.log.String())
	}
	in := filepath.Join(cl.dir, "in.txt")
	appendTestLines(t, in, 0, 3)
	topic := testkit.NewTopic(t, cl.bootstrap, 1)
	cfg := map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": topic, "tasks.max": "1"}

	noCreds, err := client.New("https://"+via.id, client.WithHTTPClient(httpsClient(pki, &pki.ClientTLS)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = noCreds.CreateConnector(context.Background(), herder.CreateConnectorRequest{Name: "src0", Config: cfg})
	var he *herder.Error
	if !errors.As(err, &he) || he.Code != http.StatusUnauthorized || he.Message != api.MsgUnauthorized {
		t.Fatalf("create without credentials through the follower: %v, want a 401", err)
	}
	// Only the leader creates connectors: the follower forwards. Three
	// connectors spread over the three workers: those on followers send
	// their task configurations to the leader (internal requests).
	names := []string{"src0", "src1", "src2"}
	for _, n := range names {
		if _, err := via.c.CreateConnector(context.Background(), herder.CreateConnectorRequest{Name: n, Config: cfg}); err != nil {
			t.Fatalf("create %s through the follower %s: %v", n, via.name, err)
		}
	}
	onFollower := false
	for _, n := range names {
		placement := cl.awaitState(via, n, herder.Running, 1)
		onFollower = onFollower || placement[n] != lead.id
	}
	if !onFollower {
		t.Fatalf("every connector runs on the leader: no internal request was made")
	}
	if _, err := lead.c.ConnectorConfig(context.Background(), "src2"); err != nil {
		t.Fatalf("the leader does not have the connector: %v", err)
	}
}
