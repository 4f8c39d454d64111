package tlsconf

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestRealBroker completes TLS handshakes with the real broker's SASL_SSL
// listener (a Java server) from Client configurations reading the broker's
// own truststores, made by keytool, and its CA's PEM file.
func TestRealBroker(t *testing.T) {
	k := testkit.RealSecureKafka(t)
	host, _, err := net.SplitHostPort(k.SASLSSL)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		props map[string]string
		want  string // substring of the handshake's error; "" for none
	}{
		{"JKS truststore", map[string]string{KeyTruststoreLocation: k.TruststoreJKS, KeyTruststorePassword: k.TruststorePassword}, ""},
		{"PKCS12 truststore", map[string]string{KeyTruststoreType: "PKCS12", KeyTruststoreLocation: k.TruststoreP12, KeyTruststorePassword: k.TruststorePassword}, ""},
		{"PEM CA", map[string]string{KeyTruststoreType: "PEM", KeyTruststoreLocation: k.CAFile}, ""},
		{"PEM CA, TLS 1.2", map[string]string{KeyTruststoreType: "PEM", KeyTruststoreLocation: k.CAFile, KeyProtocol: "TLSv1.2"}, ""},
		{"PEM CA, no host-name check", map[string]string{KeyTruststoreType: "PEM", KeyTruststoreLocation: k.CAFile, KeyEndpointIdentificationAlgorithm: ""}, ""},
		{"another CA", map[string]string{KeyTruststoreLocation: path("trust.jks"), KeyTruststorePassword: "trustpass"}, "unknown authority"},
		{"another CA, no host-name check", map[string]string{KeyTruststoreLocation: path("trust.jks"), KeyTruststorePassword: "trustpass", KeyEndpointIdentificationAlgorithm: ""}, "unknown authority"},
		{"system roots", nil, "unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Client(tt.props)
			if err != nil {
				t.Fatal(err)
			}
			var version uint16
			verify := cfg.VerifyConnection
			cfg.VerifyConnection = func(cs tls.ConnectionState) error {
				version = cs.Version
				if verify != nil {
					return verify(cs)
				}
				return nil
			}
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", k.SASLSSL, cfg)
			if err == nil {
				conn.Close()
			}
			check(t, "handshake with "+host, err, tt.want)
			if err == nil && tt.props[KeyProtocol] == "TLSv1.2" && version != tls.VersionTLS12 {
				t.Errorf("version %s, want TLS 1.2", tls.VersionName(version))
			}
		})
	}
	if _, err := Client(map[string]string{KeyTruststoreLocation: k.TruststoreJKS, KeyTruststorePassword: "wrong-" + k.TruststorePassword}); err == nil ||
		!strings.Contains(err.Error(), KeyTruststorePassword+" is wrong") || strings.Contains(err.Error(), k.TruststorePassword) {
		t.Errorf("wrong password for the broker's truststore: %v", err)
	}
}
