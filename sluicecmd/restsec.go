package sluicecmd

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/internal/tlsconf"
	"github.com/sluicehq/sluice/runtime"
)

// restSecurity is what secures a worker's REST API: its basic
// authentication, the TLS of its https listeners, and the client with
// which it sends requests to other workers.
type restSecurity struct {
	auth *api.BasicAuth // nil: none
	// listeners and admin are the endpoints of listeners and
	// admin.listeners.
	listeners, admin []api.Endpoint
	// client sends forwarded and internal requests to other workers:
	// over https with the top-level ssl.* settings, as Kafka Connect's
	// RestClient. It follows no redirects.
	client *http.Client
}

// newRESTSecurity reads the REST security of a worker configuration:
// the JAAS file of basic authentication (rest.basic.auth.jaas.config.file,
// else the -Djava.security.auth.login.config=… in kafkaOpts, the
// KAFKA_OPTS environment variable), the keystores of https listeners and
// of the worker's own requests. Anything missing or unreadable is an
// error. It warns once on log when the REST API is reachable beyond
// loopback without authentication.
func newRESTSecurity(wc *runtime.WorkerConfig, kafkaOpts string, log *slog.Logger) (*restSecurity, error) {
	rs := &restSecurity{}
	if wc.RestBasicAuth {
		file := wc.RestJAASFile
		if file == "" {
			file = api.JAASFileFromKafkaOpts(kafkaOpts)
		}
		if file == "" {
			return nil, fmt.Errorf("%s names %s but no JAAS configuration file is given: set %s, or -D%s=… in the KAFKA_OPTS environment variable",
				runtime.RestExtensionClasses, runtime.BasicAuthExtension, runtime.RestJAASFile, api.JAASSystemProperty)
		}
		auth, err := api.LoadBasicAuth(file, log)
		if err != nil {
			return nil, err
		}
		rs.auth = auth
	}
	var err error
	if rs.listeners, err = endpoints(wc.Listeners, wc.ListenersHTTPS, wc.ListenersSSL, runtime.Listeners, runtime.ListenersHTTPSPrefix); err != nil {
		return nil, err
	}
	if rs.admin, err = endpoints(wc.AdminListeners, wc.AdminListenersHTTPS, wc.AdminListenersSSL, runtime.AdminListeners, runtime.AdminListenersHTTPSPrefix); err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if slices.Contains(wc.ListenersHTTPS, true) || wc.AdvertisedScheme == "https" || len(wc.ClientSSL) > 0 {
		cfg, err := tlsconf.Client(wc.ClientSSL)
		if err != nil {
			return nil, fmt.Errorf("TLS settings (ssl.*) of the worker's requests to other workers: %w", err)
		}
		tr.TLSClientConfig = cfg
	}
	rs.client = &http.Client{Transport: tr, Timeout: api.DefaultRequestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if open := wc.UnauthenticatedListeners(); len(open) > 0 {
		log.Warn(fmt.Sprintf("the REST API on %s accepts requests from the network without authentication: anyone who reaches it can create connectors and read their configurations; set %s=%s (HTTP basic authentication), or https listeners with ssl.client.auth=required and a truststore of their own, or listen on 127.0.0.1 only",
			strings.Join(open, ", "), runtime.RestExtensionClasses, runtime.BasicAuthExtension))
	}
	return rs, nil
}

// endpoints are the endpoints of listener addresses, with the server TLS
// of the ssl settings for the https ones.
func endpoints(addrs []string, https []bool, ssl map[string]string, key, prefix string) ([]api.Endpoint, error) {
	out := api.Endpoints(addrs...)
	var cfg *tls.Config
	for i := range out {
		if !https[i] {
			continue
		}
		if cfg == nil {
			var err error
			if cfg, err = tlsconf.Server(ssl); err != nil {
				return nil, fmt.Errorf("TLS settings of the https %s (%sssl.*, else ssl.*): %w", key, prefix, err)
			}
		}
		out[i].TLS = cfg
	}
	return out, nil
}
