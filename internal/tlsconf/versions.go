package tlsconf

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
)

// javaVersions are Java's names of the TLS versions Go speaks.
var javaVersions = map[string]uint16{
	"TLSv1":   tls.VersionTLS10,
	"TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12,
	"TLSv1.3": tls.VersionTLS13,
}

// versionsAndSuites sets cfg's MinVersion, MaxVersion and CipherSuites from
// ssl.enabled.protocols, ssl.protocol and ssl.cipher.suites.
func (r reader) versionsAndSuites(cfg *tls.Config) error {
	enabled := r.list(KeyEnabledProtocols)
	if len(enabled) == 0 {
		enabled = []string{"TLSv1.2", "TLSv1.3"}
	}
	var versions []uint16
	for _, name := range enabled {
		if name == "SSLv2Hello" {
			continue // only lets Java read SSLv2-format hellos; Go never does
		}
		v, ok := javaVersions[name]
		if !ok {
			return fmt.Errorf("%s: sluice cannot honour protocol %q (it accepts TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)", KeyEnabledProtocols, name)
		}
		if !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
	}
	if len(versions) == 0 {
		return fmt.Errorf("%s lists no TLS version", KeyEnabledProtocols)
	}
	slices.Sort(versions)
	minV, maxV := versions[0], versions[len(versions)-1]
	if int(maxV-minV) != len(versions)-1 {
		return fmt.Errorf("%s=%s: Go offers a range of TLS versions, so sluice cannot honour a list with a gap (it would offer the versions in between too)",
			KeyEnabledProtocols, strings.Join(enabled, ","))
	}

	switch proto := r.getDefault(KeyProtocol, "TLSv1.3"); proto {
	case "TLS", "TLSv1.3", "":
	default:
		capV, ok := javaVersions[proto]
		if !ok {
			return fmt.Errorf("%s=%s: sluice cannot honour this protocol (it accepts TLS, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)", KeyProtocol, proto)
		}
		if capV < minV {
			return fmt.Errorf("%s=%s is older than every version %s lists", KeyProtocol, proto, KeyEnabledProtocols)
		}
		maxV = min(maxV, capV)
	}

	names := r.list(KeyCipherSuites)
	if len(names) > 0 {
		ids, tls13, err := cipherSuites(names)
		if err != nil {
			return err
		}
		switch {
		case tls13 == 0 && len(ids) == 0:
			return fmt.Errorf("%s names no usable cipher suite", KeyCipherSuites)
		case tls13 == 0:
			// Java would find no suite for TLS 1.3 and not use it.
			if minV > tls.VersionTLS12 {
				return fmt.Errorf("%s names no TLS 1.3 suite but %s enables only TLSv1.3", KeyCipherSuites, KeyEnabledProtocols)
			}
			maxV = min(maxV, tls.VersionTLS12)
		case tls13 != len(tls13Suites()):
			return fmt.Errorf("%s: Go cannot restrict TLS 1.3's cipher suites, so sluice cannot honour a list naming some of them; name all of %s or none",
				KeyCipherSuites, strings.Join(tls13Suites(), ", "))
		}
		if len(ids) == 0 {
			// Only TLS 1.3 suites: Java would have none for older versions.
			if maxV < tls.VersionTLS13 {
				return fmt.Errorf("%s names only TLS 1.3 suites but TLSv1.3 is not enabled", KeyCipherSuites)
			}
			minV = tls.VersionTLS13
		}
		cfg.CipherSuites = ids
	}
	cfg.MinVersion, cfg.MaxVersion = minV, maxV
	return nil
}

// tls13Suites are the names of Go's TLS 1.3 cipher suites.
func tls13Suites() []string {
	var out []string
	for _, s := range tls.CipherSuites() {
		if slices.Equal(s.SupportedVersions, []uint16{tls.VersionTLS13}) {
			out = append(out, s.Name)
		}
	}
	return out
}

// cipherSuites maps Java's (IANA) names to Go's ids of suites for TLS 1.2 and
// older, and counts the distinct TLS 1.3 suites named.
func cipherSuites(names []string) (ids []uint16, tls13 int, err error) {
	known := map[string]*tls.CipherSuite{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		known[s.Name] = s
	}
	seen13 := map[uint16]bool{}
	for _, name := range names {
		if name == "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" {
			continue // Go always signals secure renegotiation
		}
		goName := name
		if rest, ok := strings.CutPrefix(name, "SSL_"); ok {
			goName = "TLS_" + rest
		}
		s, ok := known[goName]
		if !ok {
			return nil, 0, fmt.Errorf("%s: unknown or unsupported cipher suite %q", KeyCipherSuites, name)
		}
		if slices.Equal(s.SupportedVersions, []uint16{tls.VersionTLS13}) {
			seen13[s.ID] = true
			continue
		}
		if !slices.Contains(ids, s.ID) {
			ids = append(ids, s.ID)
		}
	}
	return ids, len(seen13), nil
}
