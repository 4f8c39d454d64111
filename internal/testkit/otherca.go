package testkit

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// OtherCA makes, with openssl, a CA that did not sign the broker's
// certificate, and returns its PEM file: a truststore a client must refuse
// the broker with.
func OtherCA(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	ca := filepath.Join(dir, "other-ca.pem")
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", filepath.Join(dir, "other-ca.key"),
		"-out", ca, "-subj", "/CN=not the broker's CA", "-days", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("testkit: openssl: %v: %s", err, out)
	}
	return ca
}
