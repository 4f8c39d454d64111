package kafka

import (
	"context"
	"net"
	"sync"

	"github.com/IBM/sarama"
)

// abortDialer dials a client's broker connections with the client's own
// settings and keeps them, so that aborting the client closes them at once.
// sarama holds a broker's lock while it connects and asks the broker for
// its API versions, and closing the broker waits for that lock: against a
// broker that accepts connections but does not answer yet (one that is
// starting), an abort would wait Net.ReadTimeout (30 s) for it. Closing the
// connection ends the read, and cancelling the dial ends a connect under
// way.
type abortDialer struct {
	dialer contextDialer
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	conns   map[*abortConn]struct{}
	aborted bool
}

// contextDialer dials with a context, as net.Dialer does.
type contextDialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// useAbortDialer makes cfg's clients dial through a new abortDialer, and
// returns it.
func useAbortDialer(cfg *sarama.Config) *abortDialer {
	ctx, cancel := context.WithCancel(context.Background())
	var base contextDialer = &net.Dialer{Timeout: cfg.Net.DialTimeout, KeepAlive: cfg.Net.KeepAlive, LocalAddr: cfg.Net.LocalAddr}
	if cd, ok := cfg.Net.Proxy.Dialer.(contextDialer); ok && cfg.Net.Proxy.Enable {
		base = cd // the security settings' dialer (mismatchDialer)
	}
	d := &abortDialer{dialer: base, ctx: ctx, cancel: cancel, conns: map[*abortConn]struct{}{}}
	cfg.Net.Proxy.Enable = true
	cfg.Net.Proxy.Dialer = d
	return d
}

// Dial connects to addr, unless the dialer is aborted.
func (d *abortDialer) Dial(network, addr string) (net.Conn, error) {
	c, err := d.dialer.DialContext(d.ctx, network, addr)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.aborted {
		c.Close()
		return nil, ErrAborted
	}
	ac := &abortConn{Conn: c, d: d}
	d.conns[ac] = struct{}{}
	return ac, nil
}

// abort fails the dials under way and closes every connection made.
func (d *abortDialer) abort() {
	d.cancel()
	d.mu.Lock()
	d.aborted = true
	conns := d.conns
	d.conns = map[*abortConn]struct{}{}
	d.mu.Unlock()
	for c := range conns {
		c.Conn.Close()
	}
}

// abortConn is a connection an abortDialer keeps until it is closed.
type abortConn struct {
	net.Conn
	d    *abortDialer
	once sync.Once
}

func (c *abortConn) Close() error {
	c.once.Do(func() {
		c.d.mu.Lock()
		delete(c.d.conns, c)
		c.d.mu.Unlock()
	})
	return c.Conn.Close()
}

// AbortableClient is a sarama client whose connections Abort closes at
// once, and whose connection attempts it ends: the client of a consumer
// group that must leave promptly even when the broker it talks to has
// stopped answering.
type AbortableClient struct {
	sarama.Client
	addrs  []string
	dialer *abortDialer
}

// NewAbortableClient creates a client for addrs with cfg (which it does
// not change).
func NewAbortableClient(addrs []string, cfg *sarama.Config) (*AbortableClient, error) {
	c := *cfg
	d := useAbortDialer(&c)
	inner, err := sarama.NewClient(addrs, &c)
	if err != nil {
		return nil, err
	}
	return &AbortableClient{Client: inner, addrs: addrs, dialer: d}, nil
}

// SecurityFailure returns err explained when it is a security failure
// (authentication, TLS, security.protocol), or the security failure a
// fresh connection finds behind a connection error (see Diagnose); nil
// when there is none. It takes at most diagnoseLimit.
func (c *AbortableClient) SecurityFailure(err error) error {
	if d := WithDiagnosis(err, c.addrs, c.Config(), nil); IsSecurityError(d) {
		return d
	}
	return nil
}

// Abort closes the client's connections and ends its connection attempts;
// requests under way fail. Close must still be called.
func (c *AbortableClient) Abort() { c.dialer.abort() }

// AbortOnDone returns a copy of cfg whose clients' connections close, and
// whose connection attempts end, when ctx ends; stop disarms that, and
// reports whether it did so before ctx ended (as context.AfterFunc's stop).
// Creating a client or an admin with it makes the creation follow ctx.
func AbortOnDone(ctx context.Context, cfg *sarama.Config) (_ *sarama.Config, stop func() bool) {
	c := *cfg
	d := useAbortDialer(&c)
	return &c, context.AfterFunc(ctx, d.abort)
}
