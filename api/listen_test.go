package api

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// An https listener serves HTTP/1.1 only, as Kafka Connect's: a cipher
// suite list without the suites HTTP/2 requires still serves, and a
// client offering h2 is answered over HTTP/1.1.
func TestListenHTTPSServesHTTP1(t *testing.T) {
	pki := testkit.NewPKI(t, t.TempDir())
	serverTLS := &tls.Config{
		Certificates: []tls.Certificate{pki.ServerTLS},
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, // not HTTP/2's required suite
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Proto) })
	s, err := Listen([]Endpoint{{Addr: "127.0.0.1:0", TLS: serverTLS}}, h, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.Serve()
	t.Cleanup(func() { s.Shutdown(t.Context()) })

	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.CAPool, NextProtos: []string{"h2", "http/1.1"}}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(s.URLs()[0] + "/")
	if err != nil {
		t.Fatalf("GET over https: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "HTTP/1.1" {
		t.Fatalf("GET over https: %d %q, want 200 HTTP/1.1", resp.StatusCode, body)
	}
}
