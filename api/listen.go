package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Server serves a handler on a set of listeners (the worker's listeners or
// admin.listeners).
type Server struct {
	log       *slog.Logger
	listeners []net.Listener
	servers   []*http.Server
	https     []bool // servers[i] serves TLS (listeners[i] is a TLS listener)
}

// Endpoint is an address to serve (host:port; an empty host is every
// interface): https with TLS, if not nil, else http.
type Endpoint struct {
	Addr string
	TLS  *tls.Config
}

// Endpoints are the http endpoints of addrs.
func Endpoints(addrs ...string) []Endpoint {
	out := make([]Endpoint, len(addrs))
	for i, a := range addrs {
		out[i] = Endpoint{Addr: a}
	}
	return out
}

// Listen binds every endpoint before serving any, so that a port in use
// stops start-up with an error naming it.
func Listen(endpoints []Endpoint, h http.Handler, log *slog.Logger) (*Server, error) {
	s := &Server{log: log}
	for _, e := range endpoints {
		l, err := net.Listen("tcp", e.Addr)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("REST API: listen on %s: %w", e.Addr, err)
		}
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 30 * time.Second,
			ErrorLog:          serverErrorLog(log),
		}
		if e.TLS != nil {
			// HTTP/1.1 only, as Kafka Connect's REST server: Go's HTTP/2
			// would refuse at serve time, after start-up succeeded, an
			// ssl.cipher.suites without the suites HTTP/2 requires. The TLS
			// listener is set up here so that Serve cannot fail on it.
			srv.TLSConfig = e.TLS.Clone()
			srv.TLSConfig.NextProtos = []string{"http/1.1"}
			srv.Protocols = new(http.Protocols)
			srv.Protocols.SetHTTP1(true)
			l = tls.NewListener(l, srv.TLSConfig)
		}
		s.listeners = append(s.listeners, l)
		s.servers = append(s.servers, srv)
		s.https = append(s.https, e.TLS != nil)
	}
	return s, nil
}

// Serve serves requests in the background until Shutdown.
func (s *Server) Serve() {
	for i, srv := range s.servers {
		go func() {
			if err := srv.Serve(s.listeners[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("REST API server stopped", "addr", s.listeners[i].Addr().String(), "err", err)
			}
		}()
	}
}

// Addrs returns the bound addresses (with the ports chosen for port 0).
func (s *Server) Addrs() []string {
	out := make([]string, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.Addr().String()
	}
	return out
}

// URLs returns the base URLs of the bound addresses: http:// or https://
// and the address.
func (s *Server) URLs() []string {
	out := make([]string, len(s.listeners))
	for i, l := range s.listeners {
		scheme := "http://"
		if s.https[i] {
			scheme = "https://"
		}
		out[i] = scheme + l.Addr().String()
	}
	return out
}

// Shutdown stops accepting requests and waits for those in progress, at
// most until ctx ends.
func (s *Server) Shutdown(ctx context.Context) {
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
}

func (s *Server) close() {
	for _, l := range s.listeners {
		_ = l.Close()
	}
}

// serverErrorLog is the http.Server's own log: WARN, but a failed TLS
// handshake (a client without an accepted certificate, a port scan,
// plain http to an https port) is DEBUG, as Jetty logs it in Kafka
// Connect: anyone who reaches the port could fill the log otherwise.
func serverErrorLog(log *slog.Logger) *stdlog.Logger {
	return stdlog.New(serverLogWriter{log}, "", 0)
}

type serverLogWriter struct{ log *slog.Logger }

func (w serverLogWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSuffix(string(p), "\n")
	level := slog.LevelWarn
	if strings.HasPrefix(msg, "http: TLS handshake error") {
		level = slog.LevelDebug
	}
	w.log.Log(context.Background(), level, msg)
	return len(p), nil
}
