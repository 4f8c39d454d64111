package testkit

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// The secured listeners are the real broker's: PLAIN authenticates the user over SASL_PLAINTEXT,
// a wrong password is refused, and the SASL_SSL listener's certificate verifies against the CA
// for its address.
func TestRealSecureKafka(t *testing.T) {
	s := RealSecureKafka(t)

	open := func(password string) error {
		c := SaramaConfig()
		c.Net.SASL.Enable = true
		c.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		c.Net.SASL.User, c.Net.SASL.Password = s.Username, password
		c.Net.DialTimeout = 5 * time.Second
		b := sarama.NewBroker(s.SASLPlain)
		if err := b.Open(c); err != nil {
			return err
		}
		defer b.Close()
		_, err := b.GetMetadata(&sarama.MetadataRequest{Version: 7})
		return err
	}
	if err := open(s.Password); err != nil {
		t.Fatalf("PLAIN with the right password: %v", err)
	}
	if err := open(s.Password + "-wrong"); err == nil {
		t.Fatal("PLAIN with a wrong password: no error")
	}

	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", s.CAFile)
	}
	host, _, _ := net.SplitHostPort(s.SASLSSL)
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.SASLSSL,
		&tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS handshake with %s: %v", s.SASLSSL, err)
	}
	_ = conn.Close()
	for _, f := range []string{s.TruststoreJKS, s.TruststoreP12} {
		st, err := os.Stat(f)
		if err != nil {
			t.Errorf("truststore: %v", err)
		} else if st.Size() == 0 {
			t.Errorf("truststore %s is empty", f)
		}
	}
}

// The registry's https port answers with a certificate of the CA, for localhost, and its
// truststores are there.
func TestRealSecureRegistry(t *testing.T) {
	r := RealSecureRegistry(t)
	if !strings.HasPrefix(r.URL, "https://localhost:") || !strings.HasSuffix(r.URL, "/apis/ccompat/v7") {
		t.Errorf("URL %s, want https://localhost:PORT/apis/ccompat/v7", r.URL)
	}
	for _, f := range []string{r.TruststoreJKS, r.TruststoreP12} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("truststore %s: %v", f, err)
		}
	}
}
