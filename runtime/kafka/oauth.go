package kafka

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenProvider is sarama's AccessTokenProvider for OAUTHBEARER with
// Kafka's OAuthBearerLoginCallbackHandler (KIP-768): a token from the
// OAuth client credentials grant at sasl.oauthbearer.token.endpoint.url
// (or read from a file: URL), cached, and fetched again once
// sasl.login.refresh.window.factor of its lifetime has passed (but at
// least sasl.login.refresh.buffer.seconds before it expires).
type tokenProvider struct {
	fetch      func(ctx context.Context) (token string, expiry time.Time, err error)
	timeout    time.Duration
	extensions map[string]string
	factor     float64
	buffer     time.Duration
	minPeriod  time.Duration
	now        func() time.Time

	mu        sync.Mutex
	token     string
	expiry    time.Time
	refreshAt time.Time
}

func newTokenProvider(props, opts map[string]string, getenv func(string) string) (*tokenProvider, error) {
	if strings.TrimSpace(props["sasl.login.callback.handler.class"]) == "" {
		return nil, fmt.Errorf("configuration sasl.login.callback.handler.class must be %s with sasl.mechanism=OAUTHBEARER: sluice does not support Kafka's unsecured (test-only) OAUTHBEARER tokens", OAuthLoginHandler)
	}
	if r := strings.TrimSpace(props["sasl.oauthbearer.jwt.retriever.class"]); r != "" && r != jwtRetrieverDefault {
		return nil, fmt.Errorf("invalid value %s for configuration sasl.oauthbearer.jwt.retriever.class: sluice supports only %s", r, jwtRetrieverDefault)
	}
	u, err := tokenEndpoint(props, getenv)
	if err != nil {
		return nil, err
	}
	p := &tokenProvider{extensions: map[string]string{}, now: time.Now}
	if p.factor, err = parseFraction(props, "sasl.login.refresh.window.factor", 0.8, 0.5, 1.0); err != nil {
		return nil, err
	}
	if p.buffer, err = parseSeconds(props, "sasl.login.refresh.buffer.seconds", 300*time.Second); err != nil {
		return nil, err
	}
	if p.minPeriod, err = parseSeconds(props, "sasl.login.refresh.min.period.seconds", 60*time.Second); err != nil {
		return nil, err
	}
	connect, err := parseMillis(props, "sasl.login.connect.timeout.ms", 10*time.Second)
	if err != nil {
		return nil, err
	}
	read, err := parseMillis(props, "sasl.login.read.timeout.ms", 10*time.Second)
	if err != nil {
		return nil, err
	}
	p.timeout = connect + read
	for k, v := range opts {
		if name, ok := strings.CutPrefix(k, "extension_"); ok {
			if name == "auth" || name == "" {
				return nil, fmt.Errorf("invalid value for configuration %s: SASL extension name %q is reserved or empty", SASLJAASConfigKey, name)
			}
			p.extensions[name] = v
		}
	}
	if u.Scheme == "file" {
		path := u.Path
		p.fetch = func(context.Context) (string, time.Time, error) {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", time.Time{}, fmt.Errorf("read the OAuth token file named by sasl.oauthbearer.token.endpoint.url: %w", err)
			}
			tok := strings.TrimSpace(string(b))
			return tok, jwtExpiry(tok), nil
		}
		return p, nil
	}
	id := firstNonEmpty(props["sasl.oauthbearer.client.credentials.client.id"], opts["clientId"])
	secret := firstNonEmpty(props["sasl.oauthbearer.client.credentials.client.secret"], opts["clientSecret"])
	if id == "" || secret == "" {
		return nil, fmt.Errorf("invalid value for configuration %s: OAuthBearerLoginModule needs the options clientId and clientSecret (or sasl.oauthbearer.client.credentials.client.id and .client.secret)", SASLJAASConfigKey)
	}
	var scopes []string
	if s := firstNonEmpty(props["sasl.oauthbearer.scope"], opts["scope"]); s != "" {
		scopes = strings.Fields(s)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ResponseHeaderTimeout = read
	if sslOpts := jaasSSLOptions(opts); len(sslOpts) > 0 {
		tc, err := clientTLS(sslOpts)
		if err != nil {
			return nil, fmt.Errorf("the ssl.* options of %s (for the token endpoint): %w", SASLJAASConfigKey, err)
		}
		transport.TLSClientConfig = tc
	}
	const urlencodeKey = "sasl.oauthbearer.header.urlencode"
	urlencode := false
	switch v := strings.ToLower(strings.TrimSpace(props[urlencodeKey])); v {
	case "", "false":
	case "true":
		urlencode = true
	default:
		return nil, fmt.Errorf("invalid value %s for configuration %s: expected value to be either true or false", strings.TrimSpace(props[urlencodeKey]), urlencodeKey)
	}
	// No redirect is followed: the endpoint is the one URL allowed.urls
	// lets the worker reach; a 3xx answer is a refusal naming its status.
	hc := &http.Client{Transport: &basicAuthTransport{next: transport, id: id, secret: secret, urlencode: urlencode}, Timeout: p.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cc := &clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: u.String(), Scopes: scopes, AuthStyle: oauth2.AuthStyleInHeader}
	p.fetch = func(ctx context.Context) (string, time.Time, error) {
		t, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
		if err != nil {
			return "", time.Time{}, fmt.Errorf("get an OAuth token from sasl.oauthbearer.token.endpoint.url %s: %w", u.Redacted(), redactOAuthError(err))
		}
		exp := t.Expiry
		if exp.IsZero() {
			exp = jwtExpiry(t.AccessToken)
		}
		return t.AccessToken, exp, nil
	}
	return p, nil
}

// basicAuthTransport sends the client credentials in the token request's
// Basic Authorization header as Kafka's client does: as they are, or
// URL-encoded with sasl.oauthbearer.header.urlencode=true. (oauth2's
// AuthStyleInHeader always URL-encodes them, which an identity provider
// that does not decode them refuses for a secret with '+', '/' or '='.)
type basicAuthTransport struct {
	next       http.RoundTripper
	id, secret string
	urlencode  bool
}

func (t *basicAuthTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") == "" {
		// A redirect to another host: net/http dropped the credentials.
		return t.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	if t.urlencode {
		req.SetBasicAuth(javaURLEncode(t.id), javaURLEncode(t.secret))
	} else {
		req.SetBasicAuth(t.id, t.secret)
	}
	return t.next.RoundTrip(req)
}

// javaURLEncode encodes s as Java's URLEncoder.encode(s, UTF_8) does:
// letters, digits and ".-*_" as they are, ' ' as '+', every other byte
// as %XX.
func javaURLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// Token returns the cached token, fetching a new one when none is cached
// or the cached one is due for refresh. A failed refresh returns the
// cached token while it is still valid.
func (p *tokenProvider) Token() (*sarama.AccessToken, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.token != "" && now.Before(p.refreshAt) {
		return p.access(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	tok, exp, err := p.fetch(ctx)
	if err != nil {
		if p.token != "" && (p.expiry.IsZero() || now.Before(p.expiry)) {
			return p.access(), nil
		}
		return nil, err
	}
	if tok == "" {
		return nil, errors.New("the OAuth token endpoint returned an empty access token")
	}
	p.token, p.expiry = tok, exp
	p.refreshAt = p.refreshTime(now, exp)
	return p.access(), nil
}

// refreshTime is when a token fetched at now and expiring at exp is
// fetched again, as Kafka's ExpiringCredentialRefreshingLogin computes it
// (without its jitter).
func (p *tokenProvider) refreshTime(now, exp time.Time) time.Time {
	if exp.IsZero() {
		return now.Add(p.minPeriod)
	}
	life := exp.Sub(now)
	at := now.Add(time.Duration(float64(life) * p.factor))
	if exp.Sub(at) < p.buffer {
		at = exp.Add(-p.buffer)
	}
	if at.Sub(now) < p.minPeriod {
		at = now.Add(min(p.minPeriod, life))
	}
	return at
}

func (p *tokenProvider) access() *sarama.AccessToken {
	ext := make(map[string]string, len(p.extensions))
	for k, v := range p.extensions {
		ext[k] = v
	}
	return &sarama.AccessToken{Token: p.token, Extensions: ext}
}

// jwtExpiry returns the exp claim of a JWT, or the zero time.
func jwtExpiry(tok string) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return time.Time{}
	}
	f, err := claims.Exp.Float64()
	if err != nil || f <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(f), 0)
}

// jaasSSLOptions are the ssl.* options of an OAuthBearerLoginModule line:
// Kafka configures the token endpoint's HTTPS client with them.
func jaasSSLOptions(opts map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range opts {
		if strings.HasPrefix(k, "ssl.") {
			out[k] = v
		}
	}
	return out
}

// redactOAuthError keeps an OAuth error's status and error code but not
// the response body, which could echo credentials.
func redactOAuthError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" {
			code = "no error code"
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &oauthError{status: status, code: code}
	}
	return err
}

// oauthError is the token endpoint's error answer, without its body.
type oauthError struct {
	status int
	code   string
}

// refused reports whether the endpoint refused the client for good: as
// Kafka's HttpAccessTokenRetriever has it, a 4xx status other than 408
// (request timeout) and 429 (too many requests); and a redirect, which
// sluice does not follow. Any other answer (a 5xx, 408, 429) is the
// identity provider's trouble, tried again.
func (e *oauthError) refused() bool {
	return e.status >= 300 && e.status < 500 && e.status != http.StatusRequestTimeout && e.status != http.StatusTooManyRequests
}

func (e *oauthError) Error() string {
	if e.status >= 300 && e.status < 400 {
		return fmt.Sprintf("the token endpoint redirected (HTTP %d), and sluice follows no redirect: set sasl.oauthbearer.token.endpoint.url to the URL that answers", e.status)
	}
	if e.refused() {
		return fmt.Sprintf("the token endpoint refused the client credentials: HTTP %d, %s", e.status, e.code)
	}
	return fmt.Sprintf("the token endpoint failed: HTTP %d, %s", e.status, e.code)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
