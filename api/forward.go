package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// ForwardUserAgent is the User-Agent of requests forwarded to another
// worker: Kafka Connect's, so that both kinds of workers look alike to
// proxies and logs.
const ForwardUserAgent = "kafka-connect"

// Kafka Connect's 409 messages for a request that cannot be forwarded
// (HerderRequestHandler.completeOrForwardRequest).
const (
	msgForwardHops     = "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
	msgForwardNoLeader = "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
)

// maxForwardAnswer bounds the answer of a forwarded request that is read
// and relayed.
const maxForwardAnswer = 64 << 20

// newForwardClient returns the client of Options.ForwardClient, or a
// default one bounded by the request timeout; neither follows redirects.
func newForwardClient(opts Options) *http.Client {
	var c http.Client
	if opts.ForwardClient != nil {
		c = *opts.ForwardClient
	} else {
		c.Timeout = opts.RequestTimeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// bodyChunk is the most a request body's buffer holds before its bytes
// arrive: it grows with the bytes received, so that a client announcing a
// large Content-Length and sending nothing costs no more than this.
const bodyChunk = 64 << 10

// bufferBody reads the request body whole, at most limit bytes, so that it
// can be decoded, be checked against a signature, and be resent as is when
// the request is forwarded; r.Body is replaced by a reader of the same
// bytes, which readJSON and rawBody take without copying them. A body over
// the limit is a 413 (what says what the limit is for), refused from its
// Content-Length before it is read when that is given. A body that stops
// coming for idle is a 408: each read must get a byte within idle, as with
// Jetty's idle timeout in Kafka Connect (when w lets a read deadline be
// set). After an error the rest of the body is not read: the connection is
// closed once answered.
func bufferBody(w http.ResponseWriter, r *http.Request, limit int64, what string, idle time.Duration) (raw []byte, err error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	defer func() {
		if err != nil {
			w.Header().Set("Connection", "close")
		}
	}()
	tooLarge := func() error {
		return herder.TooLarge("Request body is larger than %d bytes, the most this worker accepts%s", limit, what)
	}
	if r.ContentLength > limit {
		return nil, tooLarge()
	}
	body := io.Reader(http.MaxBytesReader(nil, r.Body, limit))
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(idle)); err == nil {
		body = &idleReader{r: body, rc: rc, idle: idle}
	} else if !errors.Is(err, http.ErrNotSupported) {
		return nil, herder.BadRequest("Could not read the request body: %v", err)
	}
	raw, err = readBody(body, r.ContentLength, limit)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, &herder.Error{Code: http.StatusRequestTimeout, Message: fmt.Sprintf(
				"Timed out reading the request body: no byte came for %s", idle)}
		}
		return nil, herder.BadRequest("Could not read the request body: %v", err)
	}
	// The body has ended: the server clears the read deadline as it reads
	// on to see the client go away, so a long call is not cut off.
	r.Body = &bufferedBody{Reader: bytes.NewReader(raw), raw: raw}
	return raw, nil
}

// boundUnreadBody bounds, by a read deadline idle from now, how long the
// server waits for the body of a request whose route takes none: it reads
// what is left of a body (up to 256 KiB) before it answers. A request
// without a body has no deadline set, since the server then reads on
// during the handler, to see the client go away.
func boundUnreadBody(w http.ResponseWriter, r *http.Request, idle time.Duration) {
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(idle))
	}
}

// readBody reads r to its end, or to its announced length (-1: unknown),
// at most limit bytes (r stops there), into a buffer that starts at
// bodyChunk at most and grows with the bytes received, twice as large each
// time and never past the announced length.
func readBody(r io.Reader, announced, limit int64) ([]byte, error) {
	bound := limit + 1 // room to see r stop at its limit
	if announced >= 0 {
		bound = announced
	}
	buf := make([]byte, 0, min(bodyChunk, bound))
	for int64(len(buf)) < bound {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), len(buf)+int(min(int64(max(cap(buf), 512)), bound-int64(len(buf)))))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			if announced >= 0 && int64(len(buf)) < announced {
				return nil, io.ErrUnexpectedEOF
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil // the announced length: the server ends the body there
}

// idleReader sets a read deadline idle from now before each read of r.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (ir *idleReader) Read(p []byte) (int, error) {
	if err := ir.rc.SetReadDeadline(time.Now().Add(ir.idle)); err != nil {
		return 0, err
	}
	return ir.r.Read(p)
}

// bufferedBody is a request body bufferBody read.
type bufferedBody struct {
	*bytes.Reader
	raw []byte
}

func (*bufferedBody) Close() error { return nil }

// bodyBytes returns the body bufferBody read: nil when the request has
// none, or its route takes none (route.body).
func bodyBytes(r *http.Request) []byte {
	if b, ok := r.Body.(*bufferedBody); ok {
		return b.raw
	}
	return nil
}

// forward carries out Kafka Connect's forwarding of a request that another
// worker must handle (HerderRequestHandler.completeOrForwardRequest): with
// no forward parameter the request goes to the target with forward=true
// (it may be forwarded once more), with forward=true it goes with
// forward=false, and with forward=false the answer is a 409. The target's
// answer is relayed: status, body and Location.
func (s *server) forward(w http.ResponseWriter, r *http.Request, body []byte, re *herder.RedirectError) {
	again, err := boolParam(r, "forward", true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, present := r.URL.Query()["forward"]
	if !again {
		s.Log.Error("request could not find its target worker within two hops between workers", "method", r.Method, "path", r.URL.EscapedPath(), "reason", re.Message)
		s.writeError(w, r, herder.Conflict(msgForwardHops))
		return
	}
	if re.URL == "" {
		s.writeError(w, r, herder.Conflict(msgForwardNoLeader))
		return
	}
	target, err := forwardURL(re.URL, r, !present)
	if err != nil {
		s.writeError(w, r, &herder.Error{Code: http.StatusInternalServerError, Message: "Error trying to forward REST request: " + err.Error()})
		return
	}
	s.Log.Debug("forwarding request", "method", r.Method, "url", target.Redacted(), "leader", re.Leader, "reason", re.Message)

	ctx, cancel := context.WithTimeout(r.Context(), s.RequestTimeout)
	defer cancel()
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target.String(), rd)
	if err != nil {
		s.writeError(w, r, &herder.Error{Code: http.StatusInternalServerError, Message: "Error trying to forward REST request: " + err.Error()})
		return
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", ForwardUserAgent)
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	// Only the credentials go along, as in Kafka Connect's RestClient,
	// and the KIP-507 signature of an internal request: the body is
	// forwarded byte for byte, so the signature still holds. (Kafka
	// Connect drops it, so an internal request sent to a worker that has
	// just lost the leadership fails until the sender learns the new
	// leader.)
	for _, h := range []string{"Authorization", herder.SignatureHeader, herder.SignatureAlgorithmHeader} {
		if v := r.Header.Values(h); len(v) > 0 {
			req.Header[http.CanonicalHeaderKey(h)] = append([]string(nil), v...)
		}
	}
	resp, err := s.forwardHTTP.Do(req)
	if err != nil {
		s.writeError(w, r, &herder.Error{Code: http.StatusInternalServerError, Message: "IO Error trying to forward REST request: " + err.Error()})
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxForwardAnswer+1))
	switch {
	case err != nil:
		s.writeError(w, r, &herder.Error{Code: http.StatusInternalServerError, Message: "IO Error trying to forward REST request: reading the answer of " + target.Redacted() + ": " + err.Error()})
		return
	case len(answer) > maxForwardAnswer:
		s.writeError(w, r, &herder.Error{Code: http.StatusInternalServerError, Message: fmt.Sprintf("Error trying to forward REST request: the answer of %s is larger than %d bytes", target.Redacted(), maxForwardAnswer)})
		return
	}
	relayAnswer(s, w, r, target, resp, answer)
}

// relayAnswer writes the answer of a forwarded request.
func relayAnswer(s *server, w http.ResponseWriter, r *http.Request, target *url.URL, resp *http.Response, answer []byte) {
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		if loc := resp.Header.Get("Location"); loc != "" {
			w.Header().Set("Location", loc)
		}
		if len(answer) > 0 {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		if len(answer) > 0 {
			_, _ = w.Write(answer)
		}
	case code >= 400:
		var em struct {
			ErrorCode *int    `json:"error_code"`
			Message   *string `json:"message"`
		}
		if json.Unmarshal(answer, &em) != nil || em.Message == nil {
			text := strings.TrimSpace(string(answer))
			if len(text) > 200 {
				text = text[:200] + "…"
			}
			s.writeError(w, r, &herder.Error{Code: http.StatusInternalServerError, Message: fmt.Sprintf(
				"Error trying to forward REST request: %s answered HTTP %d without a Kafka Connect error message (body %q)", target.Redacted(), code, text)})
			return
		}
		ec := code
		if em.ErrorCode != nil {
			ec = *em.ErrorCode
		}
		if code >= 500 {
			s.Log.Error("forwarded request failed", "method", r.Method, "url", target.Redacted(), "status", code, "err", *em.Message)
		}
		_ = writeJSON(w, code, herder.ErrorMessage{ErrorCode: ec, Message: *em.Message})
	default:
		s.writeError(w, r, &herder.Error{Code: http.StatusInternalServerError, Message: "Unexpected status code when handling forwarded request: " + strconv.Itoa(code)})
	}
}

// forwardURL is base followed by the request's path and its query with
// forward set: true when the request had no forward parameter (one more hop
// is allowed), false otherwise.
func forwardURL(base string, r *http.Request, again bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return nil, fmt.Errorf("invalid worker URL %q: %w", base, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("invalid worker URL %q: want http://host:port or https://host:port", base)
	}
	prefix := strings.TrimSuffix(u.EscapedPath(), "/")
	u.RawPath = prefix + r.URL.EscapedPath()
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, fmt.Errorf("invalid path %q: %w", u.RawPath, err)
	}
	q := r.URL.Query()
	q.Set("forward", strconv.FormatBool(again))
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u, nil
}
