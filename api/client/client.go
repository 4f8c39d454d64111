// Package client is a Go client for sluice's REST API, which is Kafka
// Connect's: it manages sluice workers and Kafka Connect workers alike.
//
// Every typed method maps to one route of api/openapi.yaml. An error answer
// is returned as a *herder.Error carrying the HTTP status and the message of
// the answer's ErrorMessage body, so that a caller can tell "not found" from
// "conflict" and, when forwarding a request, answer with the same status.
package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sluicehq/sluice/runtime/herder"
)

// DefaultUserAgent is the User-Agent of requests unless WithUserAgent says
// otherwise.
const DefaultUserAgent = "sluice"

// maxErrorBody caps how much of an error answer is read: enough for any
// ErrorMessage with a stack trace, not a whole misdirected download.
const maxErrorBody = 1 << 20

// maxErrorText caps the text of a non-JSON error answer (a proxy's HTML page,
// say) kept as the error message.
const maxErrorText = 2048

// Client talks to one worker's REST API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	http      *http.Client
	header    http.Header
	userAgent string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests with hc (for TLS
// settings, timeouts or a custom transport). The default client sets no
// timeout (a request's context bounds it) and does not follow redirects,
// as Kafka Connect's own forwarding client does not.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithHeader adds a header to every request, e.g. Authorization.
func WithHeader(key, value string) Option {
	return func(c *Client) { c.header.Add(key, value) }
}

// WithBasicAuth sends HTTP basic credentials with every request, as a
// worker with Kafka Connect's BasicAuthSecurityRestExtension requires.
func WithBasicAuth(user, password string) Option {
	v := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	return func(c *Client) { c.header.Set("Authorization", v) }
}

// WithUserAgent sets the User-Agent of every request.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a client of the worker at baseURL, e.g.
// "http://localhost:8083". The URL may have a path prefix (a worker behind
// a reverse proxy); it must not have a query or a fragment.
func New(baseURL string, opts ...Option) (*Client, error) {
	// Errors show the URL without the password its user information may
	// hold.
	shown := redactedURL(strings.TrimSpace(baseURL))
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // ue quotes the URL whole
		}
		return nil, fmt.Errorf("invalid worker URL %q: %w", shown, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("invalid worker URL %q: want http://host:port or https://host:port", shown)
	case u.Host == "" || u.Opaque != "":
		return nil, fmt.Errorf("invalid worker URL %q: no host", shown)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("invalid worker URL %q: it must not have a query or a fragment", shown)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	c := &Client{
		base: u,
		http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		header:    http.Header{},
		userAgent: DefaultUserAgent,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// redactedURL is raw, a URL that may not parse, with the password of its
// user information replaced by xxxxx, as url.URL's Redacted does.
func redactedURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// BaseURL returns the worker's URL as New was given it, without a trailing
// slash.
func (c *Client) BaseURL() string { return c.base.String() }

// Do sends one request and decodes a 2xx answer's JSON body into out, if out
// is not nil and the answer has a body. path is an absolute, already escaped
// path, such as "/connectors/my%20source/status"; query may be nil; body, if
// not nil, is sent as JSON (a json.RawMessage as is). Numbers decoded into
// interface values are json.Number, so offsets survive a round trip exactly.
//
// Do returns the answer's status code. For a status outside 2xx the error is
// a *herder.Error with that status and the message of the ErrorMessage body
// (or the body's text if it is not one). A transport error names the URL.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body any, out any) (int, error) {
	var raw []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("encode body of %s %s: %w", method, path, err)
		}
		raw = b
	}
	return c.doRaw(ctx, method, path, query, raw, body != nil, nil, out)
}

// doRaw is Do with the body's exact bytes (sent if hasBody) and extra
// request headers.
func (c *Client) doRaw(ctx context.Context, method, path string, query url.Values, raw []byte, hasBody bool, extra http.Header, out any) (int, error) {
	resp, where, err := c.send(ctx, method, path, query, raw, hasBody, extra)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, answerError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return resp.StatusCode, nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return resp.StatusCode, fmt.Errorf("decode answer of %s %s: %w", method, where, err)
	}
	return resp.StatusCode, nil
}

// send builds and sends a request with the body's exact bytes (if
// hasBody); where is the URL for messages, without a password.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body []byte, hasBody bool, extra http.Header) (resp *http.Response, where string, err error) {
	u := *c.base
	u.RawPath = c.base.EscapedPath() + path
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, "", fmt.Errorf("invalid request path %q: %w", path, err)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	where = u.Redacted()
	var rd io.Reader
	if hasBody {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", method, where, err)
	}
	req.Header.Set("Accept", "application/json")
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range c.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range extra {
		req.Header[k] = append([]string(nil), vs...)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err = c.http.Do(req)
	if err != nil {
		// *url.Error names the method and the (redacted) URL already.
		return nil, "", err
	}
	return resp, where, nil
}

// answerError turns a non-2xx answer into a *herder.Error.
func answerError(resp *http.Response) *herder.Error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return errorFromBody(resp.StatusCode, resp.Header.Get("Location"), b)
}

func errorFromBody(status int, location string, b []byte) *herder.Error {
	var em struct {
		Message *string `json:"message"`
	}
	if json.Unmarshal(b, &em) == nil && em.Message != nil {
		return &herder.Error{Code: status, Message: *em.Message}
	}
	msg := strings.TrimSpace(string(b))
	if len(msg) > maxErrorText {
		msg = msg[:maxErrorText] + "…"
	}
	switch {
	case status >= 300 && status < 400 && location != "":
		msg = fmt.Sprintf("redirected to %s (redirects are not followed)", location)
	case msg == "" && http.StatusText(status) != "":
		msg = http.StatusText(status)
	case msg == "":
		msg = fmt.Sprintf("unexpected status %d", status)
	}
	return &herder.Error{Code: status, Message: msg}
}

// errEmptyName is returned, before any request, for an empty connector,
// plugin or logger name: the path would name another route.
var errEmptyName = errors.New("empty name")

// segment escapes one path segment, refusing an empty one.
func segment(what, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%s: %w", what, errEmptyName)
	}
	return url.PathEscape(name), nil
}

// connectorPath returns /connectors/{name}, escaped, followed by /rest if
// rest is not empty.
func connectorPath(name, rest string) (string, error) {
	s, err := segment("connector", name)
	if err != nil {
		return "", err
	}
	p := "/connectors/" + s
	if rest != "" {
		p += "/" + rest
	}
	return p, nil
}
