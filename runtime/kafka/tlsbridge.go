package kafka

import (
	"crypto/tls"
	"errors"
)

// clientTLS builds a client's TLS settings from its ssl.* keys.
// Placeholder until internal/tlsconf lands (branch sec-tls).
func clientTLS(props map[string]string) (*tls.Config, error) {
	return nil, errors.New("TLS to Kafka is not available in this build yet")
}
