package kafka

import (
	"crypto/tls"
	"fmt"
	"slices"

	"github.com/sluicehq/sluice/internal/tlsconf"
)

// clientTLS builds a Kafka client's TLS settings from its ssl.* keys
// (internal/tlsconf reads them as Kafka does). An ssl.* key tlsconf does
// not read is an error naming it, except ssl.client.auth, a server key
// that Kafka's clients ignore too (a worker's top-level ssl.* keys serve
// its REST listeners as well).
func clientTLS(props map[string]string) (*tls.Config, error) {
	known := tlsconf.Keys()
	in := make(map[string]string, len(props))
	for _, k := range sortedKeys(props) {
		switch {
		case k == tlsconf.KeyClientAuth:
			continue
		case !slices.Contains(known, k):
			return nil, fmt.Errorf("configuration %s is not supported by sluice", k)
		}
		in[k] = props[k]
	}
	c, err := tlsconf.Client(in)
	if err != nil {
		return nil, fmt.Errorf("TLS settings: %w", err)
	}
	return c, nil
}
