package herder

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
)

// Internal request signing (KIP-507): the headers and algorithm names Kafka
// Connect uses.
const (
	SignatureHeader          = "X-Connect-Authorization"
	SignatureAlgorithmHeader = "X-Connect-Request-Signature-Algorithm"
	DefaultSignatureAlgo     = "HmacSHA256"
)

// InternalSignature is the signature an internal request carried: the
// decoded X-Connect-Authorization MAC, its algorithm and the exact body
// bytes it signs.
type InternalSignature struct {
	Algorithm string
	MAC       []byte
	Body      []byte
}

// Internal is what a cluster's herder serves on the internal endpoints
// that workers call on each other. A nil signature means the request
// carried none.
type Internal interface {
	// PutTaskConfigs stores task configurations that a connector running
	// on another worker generated (POST /connectors/{c}/tasks). Only the
	// leader writes them; others answer with a RedirectError.
	PutTaskConfigs(ctx context.Context, name string, configs []map[string]string, sig *InternalSignature) error
	// FenceZombies fences the producers of a connector's earlier task
	// generations (PUT /connectors/{c}/fence, exactly-once sources).
	FenceZombies(ctx context.Context, name string, sig *InternalSignature) error
}

// macs are the Java Mac algorithm names sluice can sign and verify with.
var macs = map[string]func() hash.Hash{
	"HmacSHA1":   sha1.New,
	"HmacSHA224": sha256.New224,
	"HmacSHA256": sha256.New,
	"HmacSHA384": sha512.New384,
	"HmacSHA512": sha512.New,
}

// SupportedSignatureAlgorithm reports whether sluice knows a Mac algorithm.
func SupportedSignatureAlgorithm(algorithm string) bool { return macs[algorithm] != nil }

// Sign returns the MAC of body under key with a Java Mac algorithm name
// (HmacSHA256, …), as the X-Connect-Authorization header carries it
// base64-encoded.
func Sign(key []byte, algorithm string, body []byte) ([]byte, error) {
	h := macs[algorithm]
	if h == nil {
		return nil, fmt.Errorf("unsupported signature algorithm %q: want one of HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384, HmacSHA512", algorithm)
	}
	m := hmac.New(h, key)
	m.Write(body)
	return m.Sum(nil), nil
}

// Verify reports whether the signature is the MAC of its body under key.
func (s *InternalSignature) Verify(key []byte) bool {
	want, err := Sign(key, s.Algorithm, s.Body)
	return err == nil && hmac.Equal(want, s.MAC)
}
