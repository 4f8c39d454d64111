package avro

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/riferrei/srclient"

	"github.com/sluicehq/sluice/connerr"
	"github.com/sluicehq/sluice/internal/tlsconf"
)

// registryConfig is what a registry client is made from; equal configs
// share one client and its caches within a worker.
type registryConfig struct {
	urls           string // comma-separated, as configured
	userInfo       string // user:password for basic auth, or ""
	bearerToken    string
	headers        string // request.header.* as k=v lines, sorted
	ssl            string // schema.registry.ssl.* (prefix stripped) as k=v lines, sorted
	connectTimeout time.Duration
	readTimeout    time.Duration
	maxRetries     int
	retryWait      time.Duration
	retryMaxWait   time.Duration
	cacheSize      int
	latestTTL      time.Duration // <0: no expiry
}

// registry talks to a Confluent-compatible Schema Registry through srclient,
// with what srclient lacks: several URLs tried in turn, timeouts, retries
// with backoff, and bounded caches (srclient's own are unbounded and its
// "latest" cache never expires, so they are off).
type registry struct {
	cfg     registryConfig
	clients []*srclient.SchemaRegistryClient
	urls    []string

	// ids: schema id → schema text.
	ids *lru.Cache[int, string]
	// registered: subject + "\x00" + schema text → id.
	registered *lru.Cache[string, int]
	// versions: subject + "\x00" + id → version (-1: unknown).
	versions *lru.Cache[string, int]
	latestMu sync.Mutex
	latest   map[string]latestEntry

	sleep func(time.Duration) // tests shorten it
}

type latestEntry struct {
	id      int
	schema  string
	fetched time.Time
}

var (
	registriesMu sync.Mutex
	registries   = map[registryConfig]*registry{}
)

// sharedRegistry returns the worker's client for cfg; tlsCfg is what
// cfg.ssl was built into.
func sharedRegistry(cfg registryConfig, tlsCfg *tls.Config) *registry {
	registriesMu.Lock()
	defer registriesMu.Unlock()
	if r, ok := registries[cfg]; ok {
		return r
	}
	r := newRegistry(cfg, tlsCfg)
	registries[cfg] = r
	return r
}

// newRegistry makes a client for cfg, with tlsCfg (nil: Go's defaults) for
// https URLs.
func newRegistry(cfg registryConfig, tlsCfg *tls.Config) *registry {
	size := cfg.cacheSize
	if size <= 0 {
		size = 1000
	}
	r := &registry{cfg: cfg, latest: map[string]latestEntry{}, sleep: time.Sleep}
	r.ids, _ = lru.New[int, string](size)
	r.registered, _ = lru.New[string, int](size)
	r.versions, _ = lru.New[string, int](size)
	headers := map[string]string{}
	for _, line := range strings.Split(cfg.headers, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			headers[k] = v
		}
	}
	for _, raw := range strings.Split(cfg.urls, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		base, user, pass := splitUserInfo(raw)
		transport := &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: cfg.connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			ResponseHeaderTimeout: cfg.readTimeout,
			TLSClientConfig:       tlsCfg.Clone(),
			TLSHandshakeTimeout:   cfg.connectTimeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		}
		hc := &http.Client{
			Transport: headerTransport{base: transport, headers: headers},
			Timeout:   cfg.connectTimeout + cfg.readTimeout,
		}
		c := srclient.NewSchemaRegistryClient(strings.TrimRight(base, "/"), srclient.WithClient(hc))
		c.CachingEnabled(false)
		c.CodecCreationEnabled(false)
		switch {
		case cfg.userInfo != "":
			u, p, _ := strings.Cut(cfg.userInfo, ":")
			c.SetCredentials(u, p)
		case user != "":
			c.SetCredentials(user, pass)
		case cfg.bearerToken != "":
			c.SetBearerToken(cfg.bearerToken)
		}
		r.clients = append(r.clients, c)
		r.urls = append(r.urls, base)
	}
	return r
}

// splitUserInfo takes user:password out of a URL (basic.auth.credentials.
// source=URL).
func splitUserInfo(raw string) (base, user, pass string) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw, "", ""
	}
	user = u.User.Username()
	pass, _ = u.User.Password()
	u.User = nil
	return u.String(), user, pass
}

type headerTransport struct {
	base    http.RoundTripper
	headers map[string]string
}

func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(t.headers) > 0 {
		req = req.Clone(req.Context())
		for k, v := range t.headers {
			req.Header.Set(k, v)
		}
	}
	return t.base.RoundTrip(req)
}

// RegistryError is an answer of the registry that is not a success.
type RegistryError struct {
	// Status is the HTTP status class of the answer (404, 409, 422, 500...),
	// derived from Confluent's error_code (40403 → 404) when there is one.
	Status int
	// Code is the registry's error_code, or the HTTP status.
	Code    int
	Message string
}

func (e *RegistryError) Error() string {
	return fmt.Sprintf("%s (error code %d)", e.Message, e.Code)
}

// classify turns a srclient error into a *RegistryError, or a retriable
// error for failures that may pass: the network, timeouts, 5xx, 408, 429.
// A registry certificate that fails verification is neither.
func classify(base string, err error) error {
	var se srclient.Error
	if errors.As(err, &se) {
		status := se.Code
		for status >= 1000 {
			status /= 10
		}
		re := &RegistryError{Status: status, Code: se.Code, Message: se.Message}
		if retriableStatus(status) {
			return connerr.Retriable(fmt.Errorf("schema registry %s: %w", base, re))
		}
		return re
	}
	// srclient returns the bare HTTP status when the body is not JSON.
	msg := err.Error()
	if len(msg) >= 3 {
		if status, convErr := strconv.Atoi(msg[:3]); convErr == nil && status >= 100 && status < 600 && (len(msg) == 3 || msg[3] == ' ') {
			re := &RegistryError{Status: status, Code: status, Message: msg}
			if retriableStatus(status) {
				return connerr.Retriable(fmt.Errorf("schema registry %s: %w", base, re))
			}
			return re
		}
	}
	if hint := tlsHint(err); hint != "" {
		// A certificate that fails verification is a configuration to
		// fix, not a failure that passes: not retried.
		return fmt.Errorf("schema registry %s: %w; %s", base, err, hint)
	}
	// Network failures, timeouts, malformed answers.
	return connerr.Retriable(fmt.Errorf("schema registry %s unreachable: %w", base, err))
}

// tlsHint says which schema.registry.ssl.* key to look at when err is the
// registry's certificate failing verification, or "" for other errors.
func tlsHint(err error) string {
	var host x509.HostnameError
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &host):
		var names []string
		if c := host.Certificate; c != nil {
			names = append(names, c.DNSNames...)
			for _, ip := range c.IPAddresses {
				names = append(names, ip.String())
			}
		}
		return fmt.Sprintf("the registry's certificate is not for this host name (it is for %s): use one of its names in %s, or set %s empty to skip the host-name check",
			strings.Join(names, ", "), SchemaRegistryURLConfig, RegistrySSLPrefix+tlsconf.KeyEndpointIdentificationAlgorithm)
	case errors.As(err, &unknown), errors.As(err, &invalid), errors.As(err, &verify):
		return "the registry's certificate was not verified: set " + RegistrySSLPrefix + tlsconf.KeyTruststoreLocation +
			" (and " + RegistrySSLPrefix + tlsconf.KeyTruststoreType + ", " + RegistrySSLPrefix + tlsconf.KeyTruststorePassword +
			") to a truststore holding the CA that signed it"
	}
	return ""
}

func retriableStatus(status int) bool {
	return status >= 500 || status == 408 || status == 429
}

// call runs op against each URL in turn, retrying retriable failures with
// exponential backoff and jitter (retries.wait.ms doubling up to
// retries.max.wait.ms, max.retries times).
func (r *registry) call(op func(c *srclient.SchemaRegistryClient) error) error {
	if len(r.clients) == 0 {
		return errors.New("no schema registry URL configured")
	}
	wait := r.cfg.retryWait
	var err error
	for attempt := 0; ; attempt++ {
		for i, c := range r.clients {
			err = op(c)
			if err == nil {
				return nil
			}
			err = classify(r.urls[i], err)
			if !connerr.IsRetriable(err) {
				return err
			}
		}
		if attempt >= r.cfg.maxRetries {
			return err
		}
		d := wait
		if d > 0 {
			d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
		}
		r.sleep(d)
		if wait *= 2; wait > r.cfg.retryMaxWait {
			wait = r.cfg.retryMaxWait
		}
	}
}

// register returns the id of schema under subject, registering it if
// needed (auto.register.schemas) or looking it up.
func (r *registry) register(subject, schema string, autoRegister bool) (int, error) {
	key := subject + "\x00" + schema
	if id, ok := r.registered.Get(key); ok {
		return id, nil
	}
	var id, version int
	err := r.call(func(c *srclient.SchemaRegistryClient) error {
		var s *srclient.Schema
		var err error
		if autoRegister {
			s, err = c.CreateSchema(subject, schema, srclient.Avro)
		} else {
			s, err = c.LookupSchema(subject, schema, srclient.Avro)
		}
		if err != nil {
			return err
		}
		id, version = s.ID(), s.Version()
		return nil
	})
	if err != nil {
		return 0, err
	}
	r.registered.Add(key, id)
	r.ids.Add(id, schema)
	if version > 0 {
		r.versions.Add(subject+"\x00"+strconv.Itoa(id), version)
	}
	return id, nil
}

// schemaByID returns the text of schema id.
func (r *registry) schemaByID(id int) (string, error) {
	if s, ok := r.ids.Get(id); ok {
		return s, nil
	}
	var text string
	err := r.call(func(c *srclient.SchemaRegistryClient) error {
		s, err := c.GetSchema(id)
		if err != nil {
			return err
		}
		text = s.Schema()
		return nil
	})
	if err != nil {
		return "", err
	}
	r.ids.Add(id, text)
	return text, nil
}

// version returns the version of schema id under subject, or -1 when the
// registry does not know it there (another subject name strategy wrote it).
func (r *registry) version(subject string, id int, schema string) (int, error) {
	key := subject + "\x00" + strconv.Itoa(id)
	if v, ok := r.versions.Get(key); ok {
		return v, nil
	}
	version := -1
	err := r.call(func(c *srclient.SchemaRegistryClient) error {
		s, err := c.LookupSchema(subject, schema, srclient.Avro)
		if err != nil {
			return err
		}
		if s.ID() == id {
			version = s.Version()
		}
		return nil
	})
	var re *RegistryError
	if errors.As(err, &re) && re.Status == 404 {
		err = nil
	}
	if err != nil {
		return -1, err
	}
	r.versions.Add(key, version)
	return version, nil
}

// latestSchema returns the latest version of subject (use.latest.version),
// cached for latest.cache.ttl.sec.
func (r *registry) latestSchema(subject string) (int, string, error) {
	r.latestMu.Lock()
	e, ok := r.latest[subject]
	r.latestMu.Unlock()
	if ok && (r.cfg.latestTTL < 0 || time.Since(e.fetched) < r.cfg.latestTTL) {
		return e.id, e.schema, nil
	}
	err := r.call(func(c *srclient.SchemaRegistryClient) error {
		s, err := c.GetLatestSchema(subject)
		if err != nil {
			return err
		}
		e = latestEntry{id: s.ID(), schema: s.Schema(), fetched: time.Now()}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	r.latestMu.Lock()
	r.latest[subject] = e
	r.latestMu.Unlock()
	r.ids.Add(e.id, e.schema)
	return e.id, e.schema, nil
}
