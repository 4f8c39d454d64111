package sluicecmd

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
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

// cliHTTP is how a client command's requests go out: the HTTP client (with
// the TLS settings) and the basic credentials, if any. sluice status sends
// its /metrics scrapes with them too.
type cliHTTP struct {
	hc             *http.Client
	user, password string
	basic          bool
}

// options returns the client options of c, and the HTTP client and
// credentials they carry. Errors name the flag and never quote the
// password.
func (c cliConn) options() ([]client.Option, cliHTTP, error) {
	h, err := c.transport()
	if err != nil {
		return nil, cliHTTP{}, err
	}
	opts := []client.Option{client.WithHTTPClient(h.hc)}
	if h.basic {
		opts = append(opts, client.WithBasicAuth(h.user, h.password))
	}
	return opts, h, nil
}

// transport builds the HTTP client and credentials of c. The client does
// not follow redirects, as api/client's default does not.
func (c cliConn) transport() (cliHTTP, error) {
	h := cliHTTP{hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if c.user != "" {
		name, password, ok := strings.Cut(c.user, ":")
		if !ok || name == "" {
			return h, fmt.Errorf("--user (or SLUICE_USER): want NAME:PASSWORD")
		}
		h.user, h.password, h.basic = name, password, true
	}
	if c.cacert == "" && c.cert == "" && c.key == "" && !c.insecure {
		return h, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.insecure} // --insecure asks for it
	if c.cacert != "" {
		pem, err := readInput(c.cacert, nil, "PEM certificates")
		if err != nil {
			return h, fmt.Errorf("--cacert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return h, fmt.Errorf("--cacert: %s has no PEM certificate", c.cacert)
		}
		cfg.RootCAs = pool
	}
	if (c.cert == "") != (c.key == "") {
		return h, fmt.Errorf("--cert and --key go together")
	}
	if c.cert != "" {
		pair, err := tls.LoadX509KeyPair(c.cert, c.key)
		if err != nil {
			return h, fmt.Errorf("--cert/--key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	h.hc.Transport = tr
	return h, nil
}
