package sluicecmd

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/sluicehq/sluice/api/client"
)

// cliConnFlags are the flags of how the client commands reach a worker,
// which every action takes.
var cliConnFlags = map[string]bool{"user": true, "cacert": true, "cert": true, "key": true, "insecure": true}

// cliConn is how a client command reaches a worker: its credentials and
// TLS settings.
type cliConn struct {
	user      string // NAME:PASSWORD
	cacert    string
	cert, key string
	insecure  bool
}

// options returns the client options of c. Errors name the flag and never
// quote the password.
func (c cliConn) options() ([]client.Option, error) {
	var opts []client.Option
	if c.user != "" {
		name, password, ok := strings.Cut(c.user, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("--user (or SLUICE_USER): want NAME:PASSWORD")
		}
		opts = append(opts, client.WithBasicAuth(name, password))
	}
	if c.cacert == "" && c.cert == "" && c.key == "" && !c.insecure {
		return opts, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.insecure} // --insecure asks for it
	if c.cacert != "" {
		pem, err := os.ReadFile(c.cacert)
		if err != nil {
			return nil, fmt.Errorf("--cacert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert: %s has no PEM certificate", c.cacert)
		}
		cfg.RootCAs = pool
	}
	if (c.cert == "") != (c.key == "") {
		return nil, fmt.Errorf("--cert and --key go together")
	}
	if c.cert != "" {
		pair, err := tls.LoadX509KeyPair(c.cert, c.key)
		if err != nil {
			return nil, fmt.Errorf("--cert/--key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	opts = append(opts, client.WithHTTPClient(&http.Client{Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}))
	return opts, nil
}
