package testkit

import "testing"

// OtherCA returns the PEM file of a CA minted for the test, which signed
// neither the broker's nor the registry's certificate: a truststore a
// client must refuse them with.
func OtherCA(t testing.TB) string {
	t.Helper()
	return NewPKI(t, t.TempDir()).CA
}
