package api

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// The http.Server's own messages are WARN, but failed TLS handshakes,
// which anyone who reaches the port can cause, are DEBUG.
func TestServerErrorLog(t *testing.T) {
	for _, tc := range []struct{ msg, level string }{
		{"http: TLS handshake error from 10.0.0.1:5555: remote error: tls: bad certificate\n", "DEBUG"},
		{"http: TLS handshake error from 10.0.0.1:5556: client sent an HTTP request to an HTTPS server\n", "DEBUG"},
		{"http: Accept error: too many open files; retrying in 5ms\n", "WARN"},
	} {
		var buf bytes.Buffer
		l := serverErrorLog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
		l.Print(tc.msg)
		want := "level=" + tc.level + " msg=\"" + strings.TrimSuffix(tc.msg, "\n") + "\""
		if got := strings.TrimSpace(buf.String()); !strings.Contains(got, want) {
			t.Errorf("logged %q, want %q", got, want)
		}
	}
}
