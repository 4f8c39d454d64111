package testkit

import (
	"net"
	"testing"
	"time"
)

// The .services.env keys (and environment variables) describing the real broker's secured
// listeners, written by scripts/services/kafka.sh.
const (
	EnvKafkaSASLSSL            = "KAFKA_BOOTSTRAP_SASL_SSL"
	EnvKafkaSASLPlain          = "KAFKA_BOOTSTRAP_SASL_PLAIN"
	EnvKafkaSASLUsername       = "KAFKA_SASL_USERNAME"
	EnvKafkaSASLPassword       = "KAFKA_SASL_PASSWORD"
	EnvKafkaSSLCAFile          = "KAFKA_SSL_CA_FILE"
	EnvKafkaTruststoreJKS      = "KAFKA_SSL_TRUSTSTORE_JKS"
	EnvKafkaTruststoreP12      = "KAFKA_SSL_TRUSTSTORE_P12"
	EnvKafkaTruststorePassword = "KAFKA_SSL_TRUSTSTORE_PASSWORD"
)

// SecureKafka is the real broker's secured listeners: the same broker as [RealKafka], reached
// through a SASL_SSL listener (SCRAM-SHA-512 over TLS) or a SASL_PLAINTEXT listener (PLAIN), with
// one user known to both.
type SecureKafka struct {
	// SASLSSL and SASLPlain are the bootstrap addresses of the two listeners.
	SASLSSL, SASLPlain string
	// Username and Password are the SASL user's credentials.
	Username, Password string
	// CAFile is the PEM file of the CA that signed the broker's certificate (for 127.0.0.1 and
	// localhost); TruststoreJKS and TruststoreP12 hold the same CA as Java truststores made by
	// keytool, both with the password TruststorePassword.
	CAFile, TruststoreJKS, TruststoreP12, TruststorePassword string
}

// RealSecureKafka returns the real broker's secured listeners. Without them (an old
// .services.env, no services) t is skipped, or fails when CI is true; a listener that is
// configured but does not accept connections fails t.
func RealSecureKafka(t testing.TB) SecureKafka {
	t.Helper()
	vals := lookupAll(t, "the real broker's secured listeners", EnvKafkaSASLSSL, EnvKafkaSASLPlain,
		EnvKafkaSASLUsername, EnvKafkaSASLPassword, EnvKafkaSSLCAFile, EnvKafkaTruststoreJKS,
		EnvKafkaTruststoreP12, EnvKafkaTruststorePassword)
	s := SecureKafka{
		SASLSSL: vals[EnvKafkaSASLSSL], SASLPlain: vals[EnvKafkaSASLPlain],
		Username: vals[EnvKafkaSASLUsername], Password: vals[EnvKafkaSASLPassword],
		CAFile: vals[EnvKafkaSSLCAFile], TruststoreJKS: vals[EnvKafkaTruststoreJKS],
		TruststoreP12: vals[EnvKafkaTruststoreP12], TruststorePassword: vals[EnvKafkaTruststorePassword],
	}
	for _, addr := range []string{s.SASLSSL, s.SASLPlain} {
		conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			t.Fatalf("testkit: the broker's secured listener %s is not reachable: %v; run `make services-up`", addr, err)
		}
		_ = conn.Close()
	}
	return s
}

// lookupAll returns the values of keys (environment, else .services.env). When one is unset, t is
// skipped, or fails when CI is true, saying that it needs what.
func lookupAll(t testing.TB, what string, keys ...string) map[string]string {
	t.Helper()
	vals := make(map[string]string, len(keys))
	for _, k := range keys {
		v, _, err := lookup(k)
		if err != nil {
			t.Fatalf("testkit: %v", err)
		}
		if v == "" {
			if inCI() {
				t.Fatalf("testkit: needs %s: %s is not set and not in %s; run `make services-up` "+
					"(or `make test`) first", what, k, ServicesEnvFile)
			}
			t.Skipf("testkit: needs %s (%s unset): run `make services-up`", what, k)
		}
		vals[k] = v
	}
	return vals
}
