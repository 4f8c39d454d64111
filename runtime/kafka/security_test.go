package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

const secret = "pa55-w0rd-never-shown"

func env(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

func TestApplySecurity(t *testing.T) {
	dir := t.TempDir()
	keytab, krb5 := filepath.Join(dir, "connect.keytab"), filepath.Join(dir, "krb5.conf")
	for _, f := range []string{keytab, krb5} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	scram := ScramLoginModule + ` required username="alice" password="` + secret + `";`
	plain := PlainLoginModule + ` required username="alice" password="` + secret + `";`
	cases := []struct {
		name   string
		props  map[string]string
		env    map[string]string
		err    string // a part of the error; "" means none
		unused []string
		check  func(t *testing.T, c *sarama.Config)
	}{
		{name: "nothing is PLAINTEXT", props: map[string]string{}, check: func(t *testing.T, c *sarama.Config) {
			if c.Net.TLS.Enable || c.Net.SASL.Enable {
				t.Fatal("TLS or SASL enabled")
			}
		}},
		{name: "PLAINTEXT ignores ssl.* and sasl.* and names them", props: map[string]string{"security.protocol": "plaintext",
			"ssl.truststore.location": "/nowhere", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plain, "sasl.login.class": "x.Y"},
			unused: []string{"sasl.jaas.config", "sasl.login.class", "sasl.mechanism", "ssl.truststore.location"}},
		{name: "SASL_SSL with SCRAM-SHA-256, case-insensitive protocol", props: map[string]string{"security.protocol": "Sasl_Ssl",
			"sasl.mechanism": "SCRAM-SHA-256", "sasl.jaas.config": scram, "ssl.client.auth": "required"}, check: func(t *testing.T, c *sarama.Config) {
			if !c.Net.TLS.Enable || c.Net.TLS.Config == nil || !c.Net.SASL.Enable || c.Net.SASL.Mechanism != sarama.SASLTypeSCRAMSHA256 ||
				c.Net.SASL.User != "alice" || c.Net.SASL.Password != secret || c.Net.SASL.SCRAMClientGeneratorFunc == nil ||
				c.Net.SASL.Version != sarama.SASLHandshakeV1 {
				t.Fatalf("settings: %+v", c.Net.SASL)
			}
			if err := c.Net.SASL.SCRAMClientGeneratorFunc().Begin("alice", secret, ""); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "SASL_PLAINTEXT PLAIN ignores ssl.*", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": plain, "ssl.keystore.password": secret}, unused: []string{"ssl.keystore.password"}, check: func(t *testing.T, c *sarama.Config) {
			if c.Net.TLS.Enable || c.Net.SASL.Mechanism != sarama.SASLTypePlaintext || c.Net.SASL.Password != secret {
				t.Fatalf("settings: %+v", c.Net)
			}
		}},
		{name: "SSL ignores sasl.*", props: map[string]string{"security.protocol": "SSL", "sasl.jaas.config": scram},
			unused: []string{"sasl.jaas.config"}, check: func(t *testing.T, c *sarama.Config) {
				if !c.Net.TLS.Enable || c.Net.SASL.Enable {
					t.Fatal("want TLS without SASL")
				}
			}},
		{name: "unknown protocol", props: map[string]string{"security.protocol": "TLS"}, err: "invalid value TLS for configuration security.protocol"},
		{name: "unknown sasl key", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plain,
			"sasl.oauthbearer.assertion.file": "/x"}, err: "sasl.oauthbearer.assertion.file is not supported"},
		{name: "client callback handler", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plain,
			"sasl.client.callback.handler.class": "com.example.Handler"}, err: "sasl.client.callback.handler.class is not supported"},
		{name: "custom login class", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plain,
			"sasl.login.class": "com.example.Login"}, err: "sasl.login.class is not supported"},
		{name: "login callback handler with PLAIN", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": plain, "sasl.login.callback.handler.class": OAuthLoginHandler}, err: "sasl.login.callback.handler.class"},
		{name: "unknown ssl key", props: map[string]string{"security.protocol": "SSL", "ssl.truststore.flavour": "x"}, err: "ssl.truststore.flavour is not supported"},
		{name: "ssl value tlsconf cannot honour", props: map[string]string{"security.protocol": "SSL", "ssl.provider": "BouncyCastle"}, err: "ssl.provider"},
		{name: "mechanism and module disagree", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.jaas.config": plain},
			err: "login module " + PlainLoginModule + " does not match sasl.mechanism=SCRAM-SHA-512, which needs " + ScramLoginModule},
		{name: "no jaas config", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN"}, err: "sasl.jaas.config is required"},
		{name: "two login modules", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plain + plain},
			err: "contains 2 login modules"},
		{name: "bad jaas line", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": PlainLoginModule + ` required password="` + secret + `"`}, err: "not terminated by semi-colon"},
		{name: "unsupported mechanism", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "AWS_MSK_IAM", "sasl.jaas.config": plain},
			err: "invalid value AWS_MSK_IAM for configuration sasl.mechanism"},
		{name: "PLAIN without a password", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": PlainLoginModule + ` required username="alice";`}, err: "needs the options username and password"},
		{name: "SCRAM delegation token", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
			"sasl.jaas.config": ScramLoginModule + ` required username="a" password="b" tokenauth="true";`}, err: "tokenauth"},
		{name: "default mechanism is GSSAPI", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.jaas.config": scram},
			err: "does not match sasl.mechanism=GSSAPI"},
		{name: "GSSAPI with a keytab", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.kerberos.service.name": "kafka",
			"sasl.jaas.config": Krb5LoginModule + ` required useKeyTab=true storeKey=true keyTab="` + keytab + `" principal="connect/host1@EXAMPLE.COM";`},
			env: map[string]string{"KAFKA_OPTS": "-Xmx1g -Djava.security.krb5.conf=" + krb5 + " -Dother=1"}, check: func(t *testing.T, c *sarama.Config) {
				g := c.Net.SASL.GSSAPI
				want := sarama.GSSAPIConfig{AuthType: sarama.KRB5_KEYTAB_AUTH, KeyTabPath: keytab, KerberosConfigPath: krb5,
					ServiceName: "kafka", Username: "connect/host1", Realm: "EXAMPLE.COM", DisablePAFXFAST: true}
				if c.Net.SASL.Mechanism != sarama.SASLTypeGSSAPI || fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", want) {
					t.Fatalf("GSSAPI = %+v, want %+v", g, want)
				}
			}},
		{name: "GSSAPI with a ticket cache, service name from JAAS", props: map[string]string{"security.protocol": "SASL_PLAINTEXT",
			"sasl.mechanism": "GSSAPI", "sasl.jaas.config": Krb5LoginModule + ` required useTicketCache=true serviceName=kafka principal="me@R";`},
			env: map[string]string{"KRB5CCNAME": "FILE:/tmp/cc", "KAFKA_OPTS": "-Djava.security.krb5.conf='" + krb5 + "'"}, check: func(t *testing.T, c *sarama.Config) {
				g := c.Net.SASL.GSSAPI
				if g.AuthType != sarama.KRB5_CCACHE_AUTH || g.CCachePath != "/tmp/cc" || g.ServiceName != "kafka" || g.KerberosConfigPath != krb5 {
					t.Fatalf("GSSAPI = %+v", g)
				}
			}},
		{name: "GSSAPI with a keytab that is not there", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.kerberos.service.name": "kafka",
			"sasl.jaas.config": Krb5LoginModule + ` required useKeyTab=true keyTab="` + dir + `/missing.keytab" principal="c@R";`},
			env: map[string]string{"KAFKA_OPTS": "-Djava.security.krb5.conf=" + krb5}, err: "the keyTab of configuration sasl.jaas.config cannot be read"},
		{name: "GSSAPI without krb5.conf", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.kerberos.service.name": "kafka",
			"sasl.jaas.config": Krb5LoginModule + ` required useKeyTab=true keyTab="` + keytab + `" principal="c@R";`},
			env: map[string]string{"KAFKA_OPTS": "-Djava.security.krb5.conf=" + dir + "/none.conf"}, err: "the Kerberos configuration for sasl.mechanism=GSSAPI"},
		{name: "GSSAPI without a service name", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "GSSAPI",
			"sasl.jaas.config": Krb5LoginModule + ` required useKeyTab=true keyTab="/k" principal="me@R";`}, err: "sasl.kerberos.service.name is required"},
		{name: "GSSAPI without a keytab or cache", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "GSSAPI",
			"sasl.kerberos.service.name": "kafka", "sasl.jaas.config": Krb5LoginModule + ` required principal="me@R";`}, err: "useKeyTab=true"},
		{name: "GSSAPI principal without realm", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "GSSAPI",
			"sasl.kerberos.service.name": "kafka", "sasl.jaas.config": Krb5LoginModule + ` required useKeyTab=true keyTab="/k" principal="me";`}, err: "name@REALM"},
		{name: "OAUTHBEARER without the login handler", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.jaas.config": OAuthBearerModule + " required;"}, err: "sasl.login.callback.handler.class must be " + OAuthLoginHandler},
		{name: "OAUTHBEARER without an endpoint", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.jaas.config": OAuthBearerModule + " required;"}, err: "sasl.oauthbearer.token.endpoint.url is required"},
		{name: "OAUTHBEARER without a secret", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class": oauthLoginHandlerOld, "sasl.oauthbearer.token.endpoint.url": "https://idp.example/token",
			"sasl.jaas.config": OAuthBearerModule + ` required clientId="c";`}, env: map[string]string{"KAFKA_OPTS": "-Xmx1g -D" + AllowedOAuthURLsProperty + "=https://other.example/t,https://idp.example/token"}, err: "clientId and clientSecret"},
		{name: "OAUTHBEARER with client credentials", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": "https://idp.example/token",
			"sasl.jaas.config": OAuthBearerModule + ` required clientId="c" clientSecret="` + secret + `" scope="kafka" extension_logicalCluster="lkc-1";`},
			env: map[string]string{"KAFKA_OPTS": "-Xmx1g -D" + AllowedOAuthURLsProperty + "=https://other.example/t,https://idp.example/token"},
			check: func(t *testing.T, c *sarama.Config) {
				p, ok := c.Net.SASL.TokenProvider.(*tokenProvider)
				if !ok || c.Net.SASL.Mechanism != sarama.SASLTypeOAuth || p.extensions["logicalCluster"] != "lkc-1" {
					t.Fatalf("token provider %#v", c.Net.SASL.TokenProvider)
				}
			}},
		{name: "OAUTHBEARER with an ftp endpoint", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": "ftp://idp/x",
			"sasl.jaas.config": OAuthBearerModule + ` required clientId="c" clientSecret="s";`}, err: "must be an https://"},
		// CVE-2025-27817: only the URLs listed in the system property, none by default.
		{name: "OAUTHBEARER endpoint without an allow-list", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": "https://idp.example/token",
			"sasl.jaas.config": OAuthBearerModule + ` required clientId="c" clientSecret="s";`},
			err: "configuration sasl.oauthbearer.token.endpoint.url: the URL cannot be accessed due to restrictions; list it in the system property " + AllowedOAuthURLsProperty},
		{name: "OAUTHBEARER file endpoint not allowed", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": "file:///etc/shadow",
			"sasl.jaas.config": OAuthBearerModule + ` required;`}, env: map[string]string{"KAFKA_OPTS": "-Xmx1g -D" + AllowedOAuthURLsProperty + "=https://other.example/t,https://idp.example/token"},
			err: "invalid value file:///etc/shadow for configuration sasl.oauthbearer.token.endpoint.url: the URL cannot be accessed"},
		{name: "OAUTHBEARER metadata endpoint not allowed", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": "http://169.254.169.254/latest/meta-data/",
			"sasl.jaas.config": OAuthBearerModule + ` required clientId="c" clientSecret="s";`}, env: map[string]string{"KAFKA_OPTS": "-Xmx1g -D" + AllowedOAuthURLsProperty + "=https://other.example/t,https://idp.example/token"},
			err: AllowedOAuthURLsProperty},
		{name: "OAUTHBEARER endpoint allowed only as written", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": "https://idp.example/token/",
			"sasl.jaas.config": OAuthBearerModule + ` required clientId="c" clientSecret="s";`}, env: map[string]string{"KAFKA_OPTS": "-Xmx1g -D" + AllowedOAuthURLsProperty + "=https://other.example/t,https://idp.example/token"},
			err: AllowedOAuthURLsProperty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := sarama.NewConfig()
			unused, err := applySecurity(c, tc.props, env(tc.env))
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Fatalf("the error shows a secret: %v", err)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(unused, tc.unused) {
				t.Fatalf("unused = %v, want %v", unused, tc.unused)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("sarama refuses the settings: %v", err)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// Each kind of client takes the security keys of its own props, and the
// connection keys every client takes.
func TestClientConfigsApplySecurity(t *testing.T) {
	props := map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
		"sasl.jaas.config": ScramLoginModule + ` required username="u" password="p";`, "ssl.truststore.location": "/x",
		"socket.connection.setup.timeout.ms": "7000", "metadata.max.age.ms": "60000", "no.such.key": "1",
		"request.timeout.ms": "20000", "retry.backoff.ms": "200", "retry.backoff.max.ms": "5000", "connections.max.idle.ms": "1"}
	ps, pig, err := ProducerConfig("p", props)
	if err != nil {
		t.Fatal(err)
	}
	cc, _, cig, err := ConsumerConfig("c", props)
	if err != nil {
		t.Fatal(err)
	}
	ac, aig, err := AdminConfig("a", props)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []*sarama.Config{ps.Sarama, cc, ac} {
		if !c.Net.SASL.Enable || c.Net.SASL.Mechanism != sarama.SASLTypeSCRAMSHA512 || c.Net.TLS.Enable ||
			c.Net.DialTimeout != 7*time.Second || c.Metadata.RefreshFrequency != time.Minute || !c.Net.Proxy.Enable {
			t.Fatalf("client %d: %+v", i, c.Net)
		}
		if c.Metadata.Retry.Backoff != 200*time.Millisecond || c.Metadata.Retry.BackoffFunc(5, 10) != 3200*time.Millisecond ||
			c.Metadata.Retry.BackoffFunc(8, 10) != 5*time.Second {
			t.Fatalf("client %d: metadata retry backoff %v", i, c.Metadata.Retry.Backoff)
		}
	}
	// request.timeout.ms: how long a consumer's or admin's request waits
	// (a consumer's at least its rebalance timeout + 5 s: a JoinGroup is
	// answered when the rebalance ends); the producer's is the broker's
	// wait for acks.
	if cc.Net.ReadTimeout != cc.Consumer.Group.Rebalance.Timeout+5*time.Second || cc.Net.WriteTimeout != 20*time.Second || ac.Net.ReadTimeout != 20*time.Second ||
		ac.Admin.Retry.Backoff != 200*time.Millisecond || ps.Sarama.Producer.Timeout != 20*time.Second || ps.Sarama.Net.ReadTimeout != 30*time.Second {
		t.Fatalf("timeouts: consumer %v, admin %v, producer %v/%v", cc.Net.ReadTimeout, ac.Net.ReadTimeout, ps.Sarama.Producer.Timeout, ps.Sarama.Net.ReadTimeout)
	}
	for i, ig := range []Ignored{pig, cig, aig} {
		if !slices.Equal(ig.Unsupported, []string{"no.such.key"}) || !slices.Equal(ig.OtherProtocol, []string{"ssl.truststore.location"}) ||
			!slices.Equal(ig.Unhonoured, []string{"connections.max.idle.ms"}) {
			t.Fatalf("client %d: ignored %+v", i, ig)
		}
	}
	long, _, _, err := ConsumerConfig("c", map[string]string{"request.timeout.ms": "600000", "max.poll.interval.ms": "300000"})
	if err != nil || long.Net.ReadTimeout != 10*time.Minute {
		t.Fatalf("a consumer's request.timeout.ms above its rebalance timeout: %v, %v", long.Net.ReadTimeout, err)
	}
	for _, k := range []string{"socket.connection.setup.timeout.ms", "request.timeout.ms"} {
		if _, _, err := AdminConfig("a", map[string]string{k: "0"}); err == nil || !strings.Contains(err.Error(), k) {
			t.Fatalf("a zero %s: error %v", k, err)
		}
	}
}

func TestTopLevelClientProps(t *testing.T) {
	got := TopLevelClientProps(map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "/t", "sasl.mechanism": "PLAIN",
		"metadata.max.age.ms": "1", "key.converter": "x", "producer.security.protocol": "SASL_SSL", "admin.sasl.mechanism": "PLAIN", "group.id": "g"})
	want := map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "/t", "sasl.mechanism": "PLAIN", "metadata.max.age.ms": "1"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// The token provider fetches a token with the client credentials, sends
// the JAAS line's extensions, caches the token until its refresh time, and
// hides the secret when the endpoint refuses it.
func TestOAuthTokenProvider(t *testing.T) {
	var calls atomic.Int32
	var refuse atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		id, pw, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || !ok || id != "client-1" || pw != secret || r.Form.Get("grant_type") != "client_credentials" ||
			r.Form.Get("scope") != "kafka other" || refuse.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"bad secret ` + pw + `"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok-" + string(rune('0'+calls.Load())), "token_type": "bearer", "expires_in": 3600})
	}))
	defer srv.Close()
	props := map[string]string{"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": srv.URL + "/token"}
	p, err := newTokenProvider(props, map[string]string{"clientId": "client-1", "clientSecret": secret, "scope": "kafka other", "extension_a": "b"},
		env(map[string]string{"KAFKA_OPTS": "-D" + AllowedOAuthURLsProperty + "=" + srv.URL + "/token"}))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	p.now = func() time.Time { return now }
	tok, err := p.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.Token != "tok-1" || tok.Extensions["a"] != "b" {
		t.Fatalf("token %+v", tok)
	}
	// Refreshed at 80 % of its lifetime (sasl.login.refresh.window.factor).
	now = now.Add(47 * time.Minute)
	if tok, _ = p.Token(); tok.Token != "tok-1" || calls.Load() != 1 {
		t.Fatalf("token %q after %d calls: want the cached one", tok.Token, calls.Load())
	}
	now = now.Add(2 * time.Minute)
	if tok, _ = p.Token(); tok.Token != "tok-2" {
		t.Fatalf("token %q: want a new one", tok.Token)
	}
	// A refresh that fails keeps the token while it is valid. (The
	// oauth2 package computes the expiry with the real clock: tok-2 expires
	// an hour after the test began, and is due for refresh 5 minutes
	// before, sasl.login.refresh.buffer.seconds.)
	refuse.Store(true)
	now = now.Add(8 * time.Minute)
	if tok, err = p.Token(); err != nil || tok.Token != "tok-2" {
		t.Fatalf("token %v, %v: want the cached one", tok, err)
	}
	now = now.Add(4 * time.Minute)
	_, err = p.Token()
	if err == nil || !strings.Contains(err.Error(), "HTTP 401, invalid_client") || strings.Contains(err.Error(), secret) {
		t.Fatalf("error = %v, want HTTP 401 invalid_client without the secret", err)
	}
	if !IsSecurityError(err) || Retriable(err) {
		t.Fatalf("a refused client is retriable or not a security error: %v", err)
	}
}

func TestJWTExpiry(t *testing.T) {
	// {"alg":"none"}.{"sub":"x","exp":1700000000}.
	tok := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiZXhwIjoxNzAwMDAwMDAwfQ."
	if got := jwtExpiry(tok + "sig"); !got.Equal(time.Unix(1700000000, 0)) {
		t.Fatalf("exp = %v", got)
	}
	for _, bad := range []string{"", "opaque", "a.b.c", "a.!!!.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.x"} {
		if got := jwtExpiry(bad); !got.IsZero() {
			t.Fatalf("%q: exp = %v", bad, got)
		}
	}
}

func TestKrb5ConfPath(t *testing.T) {
	for opts, want := range map[string]string{
		"": "/etc/krb5.conf", "-Xmx1g": "/etc/krb5.conf", "-Djava.security.krb5.conf=/a/k.conf": "/a/k.conf",
		"-Dx=1 -Djava.security.krb5.conf=\"/b.conf\" -Dy": "/b.conf", "-Djava.security.krb5.realm=R": "/etc/krb5.conf",
	} {
		if got := krb5ConfPath(env(map[string]string{"KAFKA_OPTS": opts})); got != want {
			t.Errorf("KAFKA_OPTS=%q: %s, want %s", opts, got, want)
		}
	}
}

// Each kind of security failure is told apart from an outage, and an
// outage's errors are not taken for one.
func TestSecurityErrorsAreNotRetriable(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		security bool
	}{
		{"SASL authentication failed", sarama.Wrap(sarama.ErrOutOfBrokers, sarama.Wrap(sarama.ErrSASLAuthenticationFailed, errors.New("Invalid username or password"))), true},
		{"unknown CA", fmt.Errorf("x: %w", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), true},
		{"host name", x509.HostnameError{Host: "h", Certificate: &x509.Certificate{}}, true},
		{"alert from the broker", &net.OpError{Op: "remote error", Err: errors.New("tls: bad certificate")}, true},
		{"mismatch", &MismatchError{Addr: "h:1", ExpectsTLS: true}, true},
		{"illegal SASL state", sarama.ErrIllegalSASLState, true},
		{"out of brokers", sarama.ErrOutOfBrokers, false},
		{"connection refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, false},
		{"EOF", io.EOF, false},
	}
	for _, tc := range cases {
		if got := IsSecurityError(tc.err); got != tc.security {
			t.Errorf("%s: IsSecurityError = %v", tc.name, got)
		}
		if tc.security && Retriable(tc.err) {
			t.Errorf("%s: retriable", tc.name)
		}
		if !tc.security && !Retriable(tc.err) {
			t.Errorf("%s: not retriable", tc.name)
		}
		explained := ExplainSecurity(tc.err, "client-1")
		if tc.security != strings.HasPrefix(explained.Error(), "Kafka client client-1: ") {
			t.Errorf("%s: explained as %v", tc.name, explained)
		}
	}
}

// newTestTokenProvider is a token provider for the endpoint at url, which
// the allow-list lets it use.
func newTestTokenProvider(t *testing.T, url string, opts map[string]string) *tokenProvider {
	t.Helper()
	props := map[string]string{"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": url}
	p, err := newTokenProvider(props, opts, env(map[string]string{"KAFKA_OPTS": "-D" + AllowedOAuthURLsProperty + "=" + url}))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Only a 4xx other than 408 and 429 is a refusal that fails the client for
// good, as in Kafka's HttpAccessTokenRetriever; the identity provider's
// other errors, and a network error, are waited out.
func TestOAuthEndpointFailures(t *testing.T) {
	cases := []struct {
		status  int
		refused bool
	}{
		{http.StatusBadRequest, true}, {http.StatusUnauthorized, true}, {http.StatusForbidden, true},
		{http.StatusRequestTimeout, false}, {http.StatusTooManyRequests, false},
		{http.StatusInternalServerError, false}, {http.StatusBadGateway, false}, {http.StatusServiceUnavailable, false},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"error":"some_error"}`))
			}))
			defer srv.Close()
			p := newTestTokenProvider(t, srv.URL+"/token", map[string]string{"clientId": "c", "clientSecret": secret})
			_, err := p.Token()
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("HTTP %d, some_error", tc.status)) {
				t.Fatalf("error = %v, want one with the status", err)
			}
			// sarama hands the error on as the broker connection's.
			wrapped := sarama.Wrap(sarama.ErrOutOfBrokers, err)
			for _, e := range []error{err, wrapped} {
				if IsSecurityError(e) != tc.refused || Retriable(e) == tc.refused {
					t.Fatalf("%v: security error %v, retriable %v; want refused=%v", e, IsSecurityError(e), Retriable(e), tc.refused)
				}
			}
		})
	}
	t.Run("redirect", func(t *testing.T) {
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("the redirect was followed to %s", r.URL)
		}))
		defer other.Close()
		srv := httptest.NewServer(http.RedirectHandler(other.URL+"/token", http.StatusTemporaryRedirect))
		defer srv.Close()
		p := newTestTokenProvider(t, srv.URL+"/token", map[string]string{"clientId": "c", "clientSecret": secret})
		_, err := p.Token()
		if err == nil || !strings.Contains(err.Error(), "follows no redirect") || !IsSecurityError(err) || Retriable(err) {
			t.Fatalf("error = %v: want a security failure saying no redirect is followed", err)
		}
	})
	t.Run("network error", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL + "/token"
		srv.Close()
		p := newTestTokenProvider(t, url, map[string]string{"clientId": "c", "clientSecret": secret})
		_, err := p.Token()
		if err == nil || IsSecurityError(err) || !Retriable(err) {
			t.Fatalf("error = %v: want a retriable error that is no security failure", err)
		}
	})
}

// The client credentials go in the Basic header as they are by default,
// URL-encoded (as Java's URLEncoder does) with
// sasl.oauthbearer.header.urlencode=true, as Kafka's client sends them.
func TestOAuthHeaderURLEncode(t *testing.T) {
	const id, pw = "my client", "a+b/c=d%e~f*"
	cases := []struct {
		value            string
		wantID, wantPass string
		err              string
	}{
		{"", id, pw, ""},
		{"false", id, pw, ""},
		{"TRUE", "my+client", "a%2Bb%2Fc%3Dd%25e%7Ef*", ""},
		{"yes", "", "", "invalid value yes for configuration sasl.oauthbearer.header.urlencode"},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			var gotID, gotPass atomic.Value
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				raw, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
				b, _ := base64.StdEncoding.DecodeString(raw)
				u, p, _ := strings.Cut(string(b), ":")
				gotID.Store(u)
				gotPass.Store(p)
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok", "token_type": "bearer", "expires_in": 3600})
			}))
			defer srv.Close()
			url := srv.URL + "/token"
			props := map[string]string{"sasl.login.callback.handler.class": OAuthLoginHandler, "sasl.oauthbearer.token.endpoint.url": url,
				"sasl.oauthbearer.header.urlencode": tc.value}
			p, err := newTokenProvider(props, map[string]string{"clientId": id, "clientSecret": pw},
				env(map[string]string{"KAFKA_OPTS": "-D" + AllowedOAuthURLsProperty + "=" + url}))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Token(); err != nil {
				t.Fatal(err)
			}
			if gotID.Load() != tc.wantID || gotPass.Load() != tc.wantPass {
				t.Fatalf("Basic credentials %q:%q, want %q:%q", gotID.Load(), gotPass.Load(), tc.wantID, tc.wantPass)
			}
		})
	}
}

// A probe after a peer's close is bounded by probeLimit even with
// sarama's 30 s dial timeout, against a host that accepts and stays
// silent, and ends at once when the client is aborted.
func TestMismatchProbeIsBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	probed := make(chan struct{}, 4)
	var held []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for i := 0; ; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if i%2 == 0 {
				c.Close() // the client's connection: closed by the peer
				continue
			}
			held = append(held, c) // the probe's: accepted, never answered
			probed <- struct{}{}
		}
	}()
	defer func() {
		ln.Close()
		<-accepted
		for _, c := range held {
			c.Close()
		}
	}()
	cfg := sarama.NewConfig()
	cfg.Net.DialTimeout = 30 * time.Second
	installMismatchDetector(cfg, ProtocolPlaintext)
	read := func(c net.Conn) <-chan time.Time {
		done := make(chan time.Time, 1)
		go func() {
			_, _ = c.Read(make([]byte, 8))
			done <- time.Now()
		}()
		return done
	}

	t.Run("bounded", func(t *testing.T) {
		c, err := cfg.Net.Proxy.Dialer.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		select {
		case end := <-read(c):
			if d := end.Sub(start); d > probeLimit+time.Second {
				t.Fatalf("the read took %v", d)
			}
			<-probed // this probe's connection
		case <-time.After(10 * time.Second):
			t.Fatal("the read still waits for the probe after 10 s")
		}
	})
	t.Run("aborted", func(t *testing.T) {
		acfg := *cfg
		d := useAbortDialer(&acfg)
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		done := read(c)
		<-probed
		aborted := time.Now()
		d.abort()
		select {
		case end := <-done:
			if dur := end.Sub(aborted); dur > probeLimit/2 {
				t.Fatalf("the read ended %v after the abort", dur)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the read still waits for the probe 10 s after the abort")
		}
	})
}
