package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Kafka's names of the keys Client and Server read.
const (
	KeyProtocol                        = "ssl.protocol"
	KeyEnabledProtocols                = "ssl.enabled.protocols"
	KeyCipherSuites                    = "ssl.cipher.suites"
	KeyKeystoreType                    = "ssl.keystore.type"
	KeyKeystoreLocation                = "ssl.keystore.location"
	KeyKeystorePassword                = "ssl.keystore.password"
	KeyKeyPassword                     = "ssl.key.password"
	KeyKeystoreKey                     = "ssl.keystore.key"
	KeyKeystoreCertificateChain        = "ssl.keystore.certificate.chain"
	KeyTruststoreType                  = "ssl.truststore.type"
	KeyTruststoreLocation              = "ssl.truststore.location"
	KeyTruststorePassword              = "ssl.truststore.password"
	KeyTruststoreCertificates          = "ssl.truststore.certificates"
	KeyEndpointIdentificationAlgorithm = "ssl.endpoint.identification.algorithm"
	KeyClientAuth                      = "ssl.client.auth"
	KeyKeymanagerAlgorithm             = "ssl.keymanager.algorithm"
	KeyTrustmanagerAlgorithm           = "ssl.trustmanager.algorithm"
	KeyProvider                        = "ssl.provider"
	KeySecureRandomImplementation      = "ssl.secure.random.implementation"
	KeyEngineFactoryClass              = "ssl.engine.factory.class"
)

// Keys returns every key Client and Server read, in a new slice.
// ssl.client.auth is read by Server only.
func Keys() []string {
	return []string{
		KeyProtocol, KeyEnabledProtocols, KeyCipherSuites,
		KeyKeystoreType, KeyKeystoreLocation, KeyKeystorePassword, KeyKeyPassword,
		KeyKeystoreKey, KeyKeystoreCertificateChain,
		KeyTruststoreType, KeyTruststoreLocation, KeyTruststorePassword, KeyTruststoreCertificates,
		KeyEndpointIdentificationAlgorithm, KeyClientAuth,
		KeyKeymanagerAlgorithm, KeyTrustmanagerAlgorithm, KeyProvider,
		KeySecureRandomImplementation, KeyEngineFactoryClass,
	}
}

// PasswordKeys returns, in a new slice, the keys among Keys whose values are
// secrets: those Kafka defines with type PASSWORD (the inline PEM keys
// included, as Kafka types them).
func PasswordKeys() []string {
	return []string{
		KeyKeystorePassword, KeyKeyPassword, KeyTruststorePassword,
		KeyKeystoreKey, KeyKeystoreCertificateChain, KeyTruststoreCertificates,
	}
}

// IsPasswordKey reports whether key (without prefix) is one of PasswordKeys.
func IsPasswordKey(key string) bool { return slices.Contains(PasswordKeys(), key) }

// Client returns the TLS settings of a client (a Kafka client, or the REST
// client forwarding to another worker) from props keyed by Kafka's names
// without any prefix ("ssl.truststore.location", …). The caller (or
// crypto/tls from the dialled address) sets ServerName.
func Client(props map[string]string) (*tls.Config, error) {
	return build(props, false)
}

// Server returns the TLS settings of a server (the REST API's https
// listeners), honouring ssl.client.auth none|requested|required (requested:
// verify a certificate if one is given). A server needs a keystore.
func Server(props map[string]string) (*tls.Config, error) {
	return build(props, true)
}

// acceptedJavaDefaults are, per key, the values that name what sluice does
// anyway: Java's defaults and their aliases. Compared case-insensitively; the
// empty value is always accepted.
var acceptedJavaDefaults = map[string][]string{
	// SunX509 is KeyManagerFactory's default; NewSunX509 (alias PKIX) picks
	// among several keys by the peer's needs, as Go does.
	KeyKeymanagerAlgorithm: {"SunX509", "NewSunX509", "PKIX"},
	// PKIX is TrustManagerFactory's default; the others are its aliases.
	KeyTrustmanagerAlgorithm: {"PKIX", "SunPKIX", "X509", "X.509"},
	// SunJSSE is the JDK's default provider of SSLContext.
	KeyProvider: {"SunJSSE"},
	// What the JDK's default SecureRandom is on Linux and elsewhere; Go reads
	// the system's random source as these do.
	KeySecureRandomImplementation: {"NativePRNG", "NativePRNGNonBlocking", "DRBG"},
	KeyEngineFactoryClass:         {"org.apache.kafka.common.security.ssl.DefaultSslEngineFactory"},
}

func build(props map[string]string, server bool) (*tls.Config, error) {
	p := reader(props)
	for _, key := range []string{KeyKeymanagerAlgorithm, KeyTrustmanagerAlgorithm, KeyProvider, KeySecureRandomImplementation, KeyEngineFactoryClass} {
		v := p.get(key)
		if v == "" || slices.ContainsFunc(acceptedJavaDefaults[key], func(a string) bool { return strings.EqualFold(a, v) }) {
			continue
		}
		return nil, fmt.Errorf("%s=%s: sluice cannot honour this value (it accepts empty or %s); sluice does not connect with less security than configured",
			key, v, strings.Join(acceptedJavaDefaults[key], ", "))
	}

	cfg := &tls.Config{}
	if err := p.versionsAndSuites(cfg); err != nil {
		return nil, err
	}

	certs, err := p.keystore()
	if err != nil {
		return nil, err
	}
	cfg.Certificates = certs

	roots, err := p.truststore()
	if err != nil {
		return nil, err
	}

	if server {
		if len(certs) == 0 {
			return nil, fmt.Errorf("%s (or %s and %s) is required for a TLS server", KeyKeystoreLocation, KeyKeystoreKey, KeyKeystoreCertificateChain)
		}
		cfg.ClientCAs = roots // nil: the system's roots, as Java would use cacerts
		switch auth := p.get(KeyClientAuth); strings.ToLower(auth) {
		case "", "none":
			cfg.ClientAuth = tls.NoClientCert
		case "requested":
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
		case "required":
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		default:
			return nil, fmt.Errorf("%s=%s: expected one of none, requested, required", KeyClientAuth, auth)
		}
		return cfg, nil
	}

	cfg.RootCAs = roots // nil: the system's roots
	switch alg := p.getDefault(KeyEndpointIdentificationAlgorithm, "https"); {
	case strings.EqualFold(alg, "https"):
		// crypto/tls verifies the chain and the host name.
	case alg == "":
		// Verify the chain but not the host name: crypto/tls's own check
		// is off, and VerifyConnection does the chain's.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = verifyChainOnly(roots)
	default:
		return nil, fmt.Errorf("%s=%s: sluice cannot honour this value (it accepts https, or empty to skip the host-name check)", KeyEndpointIdentificationAlgorithm, alg)
	}
	return cfg, nil
}

// verifyChainOnly verifies the server's certificate chain against roots (nil:
// the system's) for server authentication, without checking its names.
func verifyChainOnly(roots *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: the server sent no certificate")
		}
		opts := x509.VerifyOptions{
			Roots:         roots,
			Intermediates: x509.NewCertPool(),
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			return fmt.Errorf("tls: verifying the server's certificate chain (host name not checked, %s is empty): %w", KeyEndpointIdentificationAlgorithm, err)
		}
		return nil
	}
}

// reader reads props as Kafka's ConfigDef does: values trimmed, an empty
// value the same as an absent one.
type reader map[string]string

func (r reader) get(key string) string { return strings.TrimSpace(r[key]) }

func (r reader) getDefault(key, def string) string {
	v, ok := r[key]
	if !ok {
		return def
	}
	return strings.TrimSpace(v)
}

// list splits a LIST value on commas, trimming the elements and dropping
// empty ones.
func (r reader) list(key string) []string {
	var out []string
	for _, e := range strings.Split(r.get(key), ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
