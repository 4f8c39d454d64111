package kafka

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

func scramJAAS(user, pass string) string {
	return ScramLoginModule + ` required username="` + user + `" password="` + pass + `";`
}

// refresh creates a WaitingClient with props and refreshes its metadata,
// giving up after limit; it returns the error and how long it took.
func refresh(t *testing.T, addr string, props map[string]string, limit time.Duration) (time.Duration, error) {
	t.Helper()
	cfg, _, err := AdminConfig("security-test", props)
	if err != nil {
		return 0, err
	}
	w := &Watch{}
	c, err := NewWaitingClient([]string{addr}, cfg, w)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	stop := time.AfterFunc(limit, c.Abort)
	defer stop.Stop()
	start := time.Now()
	err = c.RefreshMetadata()
	if _, _, cause := w.Waiting(); cause != nil {
		t.Logf("last cause: %v", cause)
	}
	return time.Since(start), err
}

func TestSecurityAgainstRealListeners(t *testing.T) {
	s := testkit.RealSecureKafka(t)
	plain := testkit.RealKafka(t)
	good := scramJAAS(s.Username, s.Password)
	plainJAAS := PlainLoginModule + ` required username="` + s.Username + `" password="` + s.Password + `";`
	sasl := func(extra map[string]string) map[string]string {
		p := map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.jaas.config": good,
			"ssl.truststore.location": s.CAFile, "ssl.truststore.type": "PEM"}
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	cases := []struct {
		name  string
		addr  string
		props map[string]string
		want  string // "" means success
	}{
		{"SASL_SSL SCRAM-SHA-512, PEM truststore", s.SASLSSL, sasl(nil), ""},
		{"SASL_SSL, JKS truststore", s.SASLSSL, sasl(map[string]string{"ssl.truststore.location": s.TruststoreJKS, "ssl.truststore.type": "JKS", "ssl.truststore.password": s.TruststorePassword}), ""},
		{"SASL_SSL, PKCS12 truststore", s.SASLSSL, sasl(map[string]string{"ssl.truststore.location": s.TruststoreP12, "ssl.truststore.type": "PKCS12", "ssl.truststore.password": s.TruststorePassword}), ""},
		{"SASL_PLAINTEXT PLAIN", s.SASLPlain, map[string]string{"security.protocol": "sasl_plaintext", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plainJAAS}, ""},
		{"wrong password", s.SASLSSL, sasl(map[string]string{"sasl.jaas.config": scramJAAS(s.Username, "wrong-"+s.Password)}), "SASL authentication failed"},
		{"wrong password PLAIN", s.SASLPlain, map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.jaas.config": PlainLoginModule + ` required username="` + s.Username + `" password="nope";`}, "SASL authentication failed"},
		{"wrong CA", s.SASLSSL, sasl(map[string]string{"ssl.truststore.location": testkit.OtherCA(t)}), "x509: certificate signed by unknown authority"},
		{"PLAINTEXT at the SASL_SSL port", s.SASLSSL, map[string]string{}, "expects TLS"},
		{"PLAINTEXT at the SASL_PLAINTEXT port", s.SASLPlain, map[string]string{}, "expects SASL authentication"},
		{"SSL at the SASL_SSL port", s.SASLSSL, map[string]string{"security.protocol": "SSL", "ssl.truststore.location": s.CAFile, "ssl.truststore.type": "PEM"}, "expects SASL authentication"},
		{"SASL_SSL at the PLAINTEXT port", plain, sasl(nil), "does not speak TLS"},
		{"SASL_PLAINTEXT at the PLAINTEXT port", plain, map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plainJAAS}, "listener does not use SASL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			took, err := refresh(t, tc.addr, tc.props, 20*time.Second)
			t.Logf("took %v: %v", took, err)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			if err == nil || errors.Is(err, ErrAborted) {
				t.Fatalf("want an error with %q within 20 s, got %v after %v", tc.want, err, took)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
			if Retriable(err) {
				t.Fatalf("%v is retriable", err)
			}
			if strings.Contains(err.Error(), s.Password) {
				t.Fatalf("the error holds the password: %v", err)
			}
		})
	}
}
