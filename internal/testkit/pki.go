package testkit

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a CA and the certificates it signed, minted for a test (ECDSA
// P-256, valid for an hour around now), as PEM files and in memory.
type PKI struct {
	// CA is the CA certificate's PEM file; CAPool holds it.
	CA     string
	CAPool *x509.CertPool
	// Server is the PEM file of a certificate for 127.0.0.1 and localhost
	// (server and client authentication), its chain and its key
	// (ssl.keystore.type=PEM); ServerTLS is the same in memory.
	Server    string
	ServerTLS tls.Certificate
	// Client and ClientKey are the PEM files of a client certificate and its
	// key; ClientTLS is the same in memory.
	Client, ClientKey string
	ClientTLS         tls.Certificate
}

// NewPKI mints a PKI into dir.
func NewPKI(t testing.TB, dir string) *PKI {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	serial := int64(1)
	sign := func(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey) *x509.Certificate {
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	certPEM := func(c *x509.Certificate) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	keyPEM := func(k *ecdsa.PrivateKey) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	write := func(name string, parts ...[]byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Join(parts, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pair := func(cert, key []byte) tls.Certificate {
		c, err := tls.X509KeyPair(cert, key)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	caKey := newKey()
	caTmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "sluice test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	ca := sign(caTmpl, caTmpl, &caKey.PublicKey, caKey)
	srvKey := newKey()
	srv := sign(&x509.Certificate{Subject: pkix.Name{CommonName: "worker"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}, ca, &srvKey.PublicKey, caKey)
	cliKey := newKey()
	cli := sign(&x509.Certificate{Subject: pkix.Name{CommonName: "operator"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, &cliKey.PublicKey, caKey)
	p := &PKI{
		CA:        write("ca.pem", certPEM(ca)),
		CAPool:    x509.NewCertPool(),
		Server:    write("server.pem", certPEM(srv), certPEM(ca), keyPEM(srvKey)),
		ServerTLS: pair(append(certPEM(srv), certPEM(ca)...), keyPEM(srvKey)),
		Client:    write("client.pem", certPEM(cli)),
		ClientKey: write("client-key.pem", keyPEM(cliKey)),
		ClientTLS: pair(certPEM(cli), keyPEM(cliKey)),
	}
	p.CAPool.AddCert(ca)
	return p
}
