package tlsconf

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Object identifiers of PKCS#5 and PKCS#12, to build hostile files.
var (
	oidPBES2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidAES256CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidData      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSHA1      = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
)

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encryptedKey returns an "ENCRYPTED PRIVATE KEY" PEM whose key derivation
// is kdf with params.
func encryptedKey(t *testing.T, kdf asn1.ObjectIdentifier, params any) string {
	t.Helper()
	type pbes2 struct {
		KDF, Enc pkix.AlgorithmIdentifier
	}
	type info struct {
		Alg  pkix.AlgorithmIdentifier
		Data []byte
	}
	der := mustMarshal(t, info{
		Alg: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, pbes2{
			KDF: pkix.AlgorithmIdentifier{Algorithm: kdf, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, params)}},
			Enc: pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, make([]byte, 16))}},
		})}},
		Data: make([]byte, 64),
	})
	return string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}))
}

// pfxWithMACIterations returns a PKCS#12 file (empty authenticated safe)
// whose MAC claims n iterations.
func pfxWithMACIterations(t *testing.T, n int) []byte {
	t.Helper()
	type contentInfo struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"tag:0,explicit"`
	}
	type digestInfo struct {
		Alg    pkix.AlgorithmIdentifier
		Digest []byte
	}
	type macData struct {
		Mac        digestInfo
		Salt       []byte
		Iterations int
	}
	type pfx struct {
		Version  int
		AuthSafe contentInfo
		Mac      macData
	}
	safe := mustMarshal(t, []contentInfo{})
	return mustMarshal(t, pfx{
		Version:  3,
		AuthSafe: contentInfo{Type: oidData, Content: asn1.RawValue{FullBytes: mustMarshal(t, safe)}},
		Mac:      macData{Mac: digestInfo{Alg: pkix.AlgorithmIdentifier{Algorithm: oidSHA1}, Digest: make([]byte, 20)}, Salt: make([]byte, 8), Iterations: n},
	})
}

// TestHostileDerivations checks that key derivations a file could make
// endless are refused quickly.
func TestHostileDerivations(t *testing.T) {
	type pbkdf2 struct {
		Salt       []byte
		Iterations int
	}
	type scrypt struct {
		Salt    []byte
		N, R, P int
	}
	chain := read(t, "server.chain")
	p12 := filepath.Join(t.TempDir(), "hostile.p12")
	if err := os.WriteFile(p12, pfxWithMACIterations(t, 1<<31-1), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		client bool
		props  map[string]string
		want   []string
	}{
		{"PBKDF2 with 2^31 iterations", false, map[string]string{KeyKeystoreType: "PEM", KeyKeyPassword: "keypass", KeyKeystoreCertificateChain: chain,
			KeyKeystoreKey: encryptedKey(t, oidPBKDF2, pbkdf2{make([]byte, 8), 1<<31 - 1})}, []string{KeyKeystoreKey, "iteration count of 2147483647"}},
		{"scrypt", false, map[string]string{KeyKeystoreType: "PEM", KeyKeyPassword: "keypass", KeyKeystoreCertificateChain: chain,
			KeyKeystoreKey: encryptedKey(t, oidScrypt, scrypt{make([]byte, 8), 1 << 30, 8, 1})}, []string{KeyKeystoreKey, "scrypt"}},
		{"PKCS12 keystore MAC with 2^31 iterations", false, map[string]string{KeyKeystoreLocation: p12, KeyKeystorePassword: "storepass"},
			[]string{KeyKeystoreLocation, p12, "iteration count"}},
		{"PKCS12 truststore MAC with 2^31 iterations", true, map[string]string{KeyTruststoreLocation: p12, KeyTruststorePassword: "trustpass"},
			[]string{KeyTruststoreLocation, p12, "iteration count"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			build := Server
			if tt.client {
				build = Client
			}
			start := time.Now()
			_, err := build(tt.props)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestIterationsAtTheBound checks that a count of maxIterations passes the
// check (the bound is inclusive) and one more does not.
func TestIterationsAtTheBound(t *testing.T) {
	if err := checkIterations(pfxWithMACIterations(t, maxIterations)); err != nil {
		t.Errorf("%d iterations: %v", maxIterations, err)
	}
	if err := checkIterations(pfxWithMACIterations(t, maxIterations+1)); err == nil {
		t.Errorf("%d iterations: no error", maxIterations+1)
	}
	deep := []byte{}
	for range 100 {
		deep = append([]byte{0x30, byte(len(deep))}, deep...)
		if len(deep) > 120 {
			break
		}
	}
	if err := checkIterations(deep); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("deep nesting: %v, want an error", err)
	}
}
