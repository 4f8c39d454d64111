package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"
)

// A client whose security.protocol does not match the broker's listener
// does not get a clear answer from the broker: a PLAINTEXT client at a TLS
// listener reads a TLS alert where it expects a Kafka response, a TLS
// client at a PLAINTEXT listener has its handshake cut, and a client
// without SASL at a SASL listener has its connection closed after its
// first request. Each looks like a broker that went away, which a
// WaitingClient would wait out forever. mismatchDialer tells them apart:
// its connections recognise a TLS record where a Kafka response should
// be, and when the broker closes a connection it asks the broker (on a
// connection of its own) whether the listener speaks TLS or wants SASL.

// MismatchError says that a broker's listener expects another
// security.protocol than the client's.
type MismatchError struct {
	// Addr is the broker's address.
	Addr string
	// ExpectsTLS: the listener speaks TLS, the client does not.
	ExpectsTLS bool
	// NoTLS: the client speaks TLS, the listener does not.
	NoTLS bool
	// Mechanisms: the listener wants SASL, the client does not use it; these
	// are the mechanisms it offers.
	Mechanisms []string
	// ExpectsSASL: the listener wants SASL, the client does not use it.
	ExpectsSASL bool
}

func (e *MismatchError) Error() string {
	switch {
	case e.ExpectsTLS:
		return fmt.Sprintf("the broker at %s expects TLS: set security.protocol=SSL or SASL_SSL", e.Addr)
	case e.NoTLS:
		return fmt.Sprintf("the broker at %s does not speak TLS: set security.protocol=PLAINTEXT or SASL_PLAINTEXT", e.Addr)
	default:
		offers := ""
		if len(e.Mechanisms) > 0 {
			offers = " (it offers " + strings.Join(e.Mechanisms, ", ") + ")"
		}
		return fmt.Sprintf("the broker at %s expects SASL authentication%s: set security.protocol=SASL_PLAINTEXT or SASL_SSL, sasl.mechanism and sasl.jaas.config", e.Addr, offers)
	}
}

// installMismatchDetector makes c dial through a mismatchDialer.
func installMismatchDetector(c *sarama.Config, protocol string) {
	d := &mismatchDialer{
		tls:    protocol == ProtocolSSL || protocol == ProtocolSASLSSL,
		sasl:   protocol == ProtocolSASLPlaintext || protocol == ProtocolSASLSSL,
		dialer: net.Dialer{Timeout: c.Net.DialTimeout, KeepAlive: c.Net.KeepAlive, LocalAddr: c.Net.LocalAddr},
	}
	if d.tls {
		d.tlsConfig = c.Net.TLS.Config
	}
	c.Net.Proxy.Enable = true
	c.Net.Proxy.Dialer = d
}

type mismatchDialer struct {
	tls, sasl bool
	tlsConfig *tls.Config
	dialer    net.Dialer
}

func (d *mismatchDialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

func (d *mismatchDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	closed, cancel := context.WithCancel(context.Background())
	return &mismatchConn{Conn: c, d: d, addr: addr, closed: closed, cancel: cancel}, nil
}

// probeLimit bounds a probe of a listener (dial, TLS handshake, request
// and answer): a probe runs inside a Read that holds the connection's
// lock, and sarama's DialTimeout (30 s by default) per step would stall
// the client for a minute against a host that accepts and stays silent.
const probeLimit = 3 * time.Second

type mismatchConn struct {
	net.Conn
	d    *mismatchDialer
	addr string
	// closed ends when the connection is closed (as an abortDialer's
	// abort does): a probe under way ends with it.
	closed context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	read    bool // some bytes were read
	probed  bool
	verdict error
}

func (c *mismatchConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.verdict != nil {
		return 0, c.verdict
	}
	if !c.read && n > 0 && !c.d.tls && looksLikeTLS(p[:n]) {
		c.verdict = &MismatchError{Addr: c.addr, ExpectsTLS: true}
		return 0, c.verdict
	}
	if n > 0 {
		c.read = true
	}
	if err != nil && closedByPeer(err) && !c.probed {
		c.probed = true
		// A TLS client whose handshake was cut asks in plaintext; one that
		// had answers asks over TLS, as its own connection did.
		useTLS := c.d.tls && c.read
		ctx, cancel := context.WithTimeout(c.closed, probeLimit)
		f := probeListener(ctx, c.addr, useTLS, c.d.tlsConfig)
		cancel()
		if v := c.diagnose(f); v != nil {
			c.verdict = v
			return 0, v
		}
	}
	return n, err
}

// Close closes the connection and ends a probe under way.
func (c *mismatchConn) Close() error {
	c.cancel()
	return c.Conn.Close()
}

// diagnose turns a probe's finding into the mismatch it shows, if any.
func (c *mismatchConn) diagnose(f probeFinding) error {
	switch {
	case f.tls && !c.d.tls:
		return &MismatchError{Addr: c.addr, ExpectsTLS: true}
	case f.kafka && c.d.tls && !c.read:
		return &MismatchError{Addr: c.addr, NoTLS: true}
	case f.sasl && !c.d.sasl:
		return &MismatchError{Addr: c.addr, ExpectsSASL: true, Mechanisms: f.mechanisms}
	}
	return nil
}

// looksLikeTLS reports whether b starts like a TLS record (an alert or a
// handshake, version 3.x): a Kafka response's first bytes are its size,
// which would be hundreds of megabytes.
func looksLikeTLS(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03
}

func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// probeFinding is what a probe learnt of a listener.
type probeFinding struct {
	tls        bool // it answered with a TLS record
	kafka      bool // it answered a Kafka request in plaintext (or over TLS when asked so)
	sasl       bool // it wants SASL
	mechanisms []string
}

// probeListener sends a SaslHandshake request (v1, mechanism PLAIN) to
// addr, over TLS when useTLS, and reads the answer: a listener without
// SASL answers ILLEGAL_SASL_STATE; one with SASL answers with the
// mechanisms it has enabled; a TLS listener asked in plaintext answers
// with a TLS alert (or nothing). It gives up, finding nothing, when ctx
// ends.
func probeListener(ctx context.Context, addr string, useTLS bool, tc *tls.Config) probeFinding {
	var f probeFinding
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return f
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	var rw net.Conn = conn
	if useTLS {
		cfg := &tls.Config{}
		if tc != nil {
			cfg = tc.Clone()
		}
		if cfg.ServerName == "" {
			host, _, _ := net.SplitHostPort(addr)
			cfg.ServerName = host
		}
		tconn := tls.Client(conn, cfg)
		if tconn.HandshakeContext(ctx) != nil {
			return f
		}
		rw = tconn
	}
	const clientID, mechanism = "sluice-probe", "PLAIN"
	body := binary.BigEndian.AppendUint16(nil, 17) // SaslHandshake
	body = binary.BigEndian.AppendUint16(body, 1)
	body = binary.BigEndian.AppendUint32(body, 1) // correlation id
	body = binary.BigEndian.AppendUint16(body, uint16(len(clientID)))
	body = append(body, clientID...)
	body = binary.BigEndian.AppendUint16(body, uint16(len(mechanism)))
	body = append(body, mechanism...)
	req := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	if _, err := rw.Write(append(req, body...)); err != nil {
		return f
	}
	head := make([]byte, 4)
	if n, _ := io.ReadFull(rw, head); n >= 2 && !useTLS && looksLikeTLS(head[:n]) {
		f.tls = true
		return f
	} else if n < 4 {
		return f
	}
	size := binary.BigEndian.Uint32(head)
	if size < 10 || size > 64<<10 {
		return f
	}
	resp := make([]byte, size)
	if _, err := io.ReadFull(rw, resp); err != nil {
		return f
	}
	f.kafka = true
	code := int16(binary.BigEndian.Uint16(resp[4:6]))
	switch sarama.KError(code) {
	case sarama.ErrNoError, sarama.ErrUnsupportedSASLMechanism:
		f.sasl = true
	default:
		return f
	}
	count := int(int32(binary.BigEndian.Uint32(resp[6:10])))
	rest := resp[10:]
	for i := 0; i < count && len(rest) >= 2; i++ {
		l := int(binary.BigEndian.Uint16(rest))
		if len(rest) < 2+l {
			break
		}
		f.mechanisms = append(f.mechanisms, string(rest[2:2+l]))
		rest = rest[2+l:]
	}
	return f
}

// securityHint returns what a non-retriable security failure means and
// which keys to check, or "" when err is no such failure.
func securityHint(err error) string {
	var mm *MismatchError
	if errors.As(err, &mm) {
		return "wrong security.protocol"
	}
	var unknownCA x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var alert tls.AlertError
	var record tls.RecordHeaderError
	var oauth *oauthError
	var krb krberror.Krberror
	var kdc messages.KRBError
	switch {
	case errors.As(err, &unknownCA):
		return "TLS: the broker's certificate is not signed by a CA this client trusts; check ssl.truststore.location, ssl.truststore.type and ssl.truststore.password (or ssl.truststore.certificates)"
	case errors.As(err, &host):
		return "TLS: the broker's certificate is not valid for the broker's host name; check bootstrap.servers and the certificate, or set ssl.endpoint.identification.algorithm= (empty) to skip the host name check"
	case errors.As(err, &invalid), errors.As(err, &verify):
		return "TLS: the broker's certificate was refused; check ssl.truststore.* and the broker's certificate"
	case errors.As(err, &alert), tlsAlertReceived(err):
		return "TLS: the broker refused the handshake; check ssl.keystore.* (the client certificate), ssl.enabled.protocols and ssl.cipher.suites"
	case errors.As(err, &record):
		return "TLS: the broker did not answer with TLS; check security.protocol (PLAINTEXT or SASL_PLAINTEXT for a listener without TLS)"
	case errors.As(err, &krb), errors.As(err, &kdc):
		return "SASL/GSSAPI: Kerberos login failed; check keyTab and principal of sasl.jaas.config, sasl.kerberos.service.name and krb5.conf"
	case errors.As(err, &oauth) && oauth.refused():
		return "SASL/OAUTHBEARER: the token endpoint refused the client; check the clientId and clientSecret of sasl.jaas.config and sasl.oauthbearer.token.endpoint.url"
	// sarama wraps a SASL error with the broker's message in a value that
	// errors.Is finds and errors.As does not.
	case errors.Is(err, sarama.ErrSASLAuthenticationFailed):
		return "SASL authentication failed; check the username and password of sasl.jaas.config and sasl.mechanism"
	case errors.Is(err, sarama.ErrUnsupportedSASLMechanism):
		return "SASL: the broker does not offer this sasl.mechanism"
	case errors.Is(err, sarama.ErrIllegalSASLState):
		return "SASL: the broker's listener does not use SASL; check security.protocol"
	}
	return ""
}

// tlsAlertReceived reports whether err is a TLS alert the peer sent:
// crypto/tls returns it as a *net.OpError with Op "remote error" and an
// unexported alert type.
func tlsAlertReceived(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error" && op.Err != nil && strings.HasPrefix(op.Err.Error(), "tls: ")
}

// IsSecurityError reports whether err is a security failure: refused
// authentication, an untrusted certificate, a listener of another
// security.protocol.
func IsSecurityError(err error) bool { return securityHint(err) != "" }

// SecurityFailure is a failure to connect securely: authentication
// refused, a certificate not trusted, a listener of another
// security.protocol. It is never retried.
type SecurityFailure struct {
	// Client is the client's id (client.id), if known.
	Client string
	Hint   string
	Err    error
}

func (e *SecurityFailure) Error() string {
	who := "Kafka client"
	if e.Client != "" {
		who += " " + e.Client
	}
	var mm *MismatchError
	if errors.As(e.Err, &mm) {
		return fmt.Sprintf("%s: %v", who, mm)
	}
	return fmt.Sprintf("%s: %s: %v", who, e.Hint, e.Err)
}

func (e *SecurityFailure) Unwrap() error { return e.Err }

// ExplainSecurity returns err as a *SecurityFailure naming client and the
// keys to check when it is one, else err unchanged.
func ExplainSecurity(err error, client string) error {
	if err == nil {
		return nil
	}
	var sf *SecurityFailure
	if errors.As(err, &sf) {
		return err
	}
	if h := securityHint(err); h != "" {
		return &SecurityFailure{Client: client, Hint: h, Err: err}
	}
	return err
}

// diagnoseLimit bounds how long Diagnose may take.
const diagnoseLimit = 10 * time.Second

// Diagnose looks for the security failure behind a retriable connection
// error (ErrOutOfBrokers, a closed connection): sarama drops some broker
// errors (a SASL handshake refused, as any error answered with a Kafka
// error code, leaves ErrOutOfBrokers wrapping nothing), and a listener
// that wants SASL closes the connection of a client without it after its
// first request, with a TLS close_notify when it speaks TLS. It opens a
// connection to each of addrs with cfg and returns the first security
// failure found, or nil. It takes at most diagnoseLimit, or until stop is
// closed.
func Diagnose(addrs []string, cfg *sarama.Config, stop <-chan struct{}) error {
	done := make(chan error, 1)
	go func() { done <- diagnose(addrs, cfg) }()
	t := time.NewTimer(diagnoseLimit)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
	case <-stop:
	}
	return nil
}

// WithDiagnosis returns the security failure behind err, explained for
// the client cfg describes: err itself when it is one, else what Diagnose
// finds when err looks like a connection failure. Otherwise it returns err.
func WithDiagnosis(err error, addrs []string, cfg *sarama.Config, stop <-chan struct{}) error {
	if err == nil {
		return nil
	}
	if IsSecurityError(err) {
		return ExplainSecurity(err, cfg.ClientID)
	}
	if worthDiagnosing(err) {
		if serr := Diagnose(addrs, cfg, stop); serr != nil {
			return ExplainSecurity(serr, cfg.ClientID)
		}
	}
	return err
}

// worthDiagnosing reports whether err is the kind of failure that a
// security mismatch looks like.
func worthDiagnosing(err error) bool {
	return errors.Is(err, sarama.ErrOutOfBrokers) || errors.Is(err, sarama.ErrNotConnected) || closedByPeer(err) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

func diagnose(addrs []string, cfg *sarama.Config) error {
	for _, addr := range addrs {
		c := *cfg
		b := sarama.NewBroker(addr)
		if b.Open(&c) != nil {
			continue
		}
		ok, err := b.Connected() // waits for the connection, its ApiVersions and SASL
		_ = b.Close()
		if err != nil {
			if securityHint(err) != "" {
				return err
			}
			continue
		}
		if !ok {
			continue
		}
		// sarama keeps a connection whose ApiVersions failed (a TLS alert
		// read as a response): ask the listener.
		useTLS := c.Net.TLS.Enable
		f := probe(addr, useTLS, c.Net.TLS.Config)
		switch {
		case useTLS && !f.kafka && probe(addr, false, nil).kafka:
			return &MismatchError{Addr: addr, NoTLS: true}
		case f.tls && !useTLS:
			return &MismatchError{Addr: addr, ExpectsTLS: true}
		case f.sasl && !c.Net.SASL.Enable:
			return &MismatchError{Addr: addr, ExpectsSASL: true, Mechanisms: f.mechanisms}
		}
	}
	return nil
}

// probe is probeListener within probeLimit.
func probe(addr string, useTLS bool, tc *tls.Config) probeFinding {
	ctx, cancel := context.WithTimeout(context.Background(), probeLimit)
	defer cancel()
	return probeListener(ctx, addr, useTLS, tc)
}
