package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server serves a handler on a set of listeners (the worker's listeners or
// admin.listeners).
type Server struct {
	log       *slog.Logger
	listeners []net.Listener
	servers   []*http.Server
}

// Listen binds every address (host:port; an empty host is every
// interface) before serving any, so that a port in use stops start-up with
// an error naming it.
func Listen(addrs []string, h http.Handler, log *slog.Logger) (*Server, error) {
	s := &Server{log: log}
	for _, a := range addrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("REST API: listen on %s: %w", a, err)
		}
		s.listeners = append(s.listeners, l)
		s.servers = append(s.servers, &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 30 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		})
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
