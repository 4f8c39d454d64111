package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/youmark/pkcs8"

	"github.com/sluicehq/sluice/internal/safe"
)

// pemBlock is one "-----BEGIN label-----" … "-----END label-----" block.
type pemBlock struct {
	label     string
	encrypted bool // an OpenSSL "Proc-Type: 4,ENCRYPTED" header
	der       []byte
}

// parsePEM finds the PEM blocks of text as Kafka's PemParser does: text
// around the blocks is ignored, header lines ("Name: value") are skipped,
// and whitespace inside the base64 is ignored, so a value whose lines were
// joined (a properties file's continued line) still reads. where names the
// key (and file) in errors.
func parsePEM(text, where string) ([]pemBlock, error) {
	var out []pemBlock
	for {
		i := strings.Index(text, "-----BEGIN")
		if i < 0 {
			return out, nil
		}
		text = text[i+len("-----BEGIN"):]
		j := strings.Index(text, "-----")
		if j < 0 {
			return nil, fmt.Errorf("%s: a PEM BEGIN line without its closing dashes", where)
		}
		label := strings.TrimSpace(text[:j])
		text = strings.TrimLeft(text[j:], "-")
		end := "-----END " + label
		k := strings.Index(text, end)
		if k < 0 {
			return nil, fmt.Errorf("%s: a PEM block %q without its END line", where, label)
		}
		body := text[:k]
		text = strings.TrimLeft(text[k+len(end):], "-")

		b := pemBlock{label: label}
		var b64 strings.Builder
		for _, line := range strings.Split(body, "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok {
				if strings.EqualFold(strings.TrimSpace(name), "Proc-Type") && strings.Contains(value, "ENCRYPTED") {
					b.encrypted = true
				}
				continue
			}
			for _, r := range line {
				if r != ' ' && r != '\t' && r != '\r' && r != '\f' && r != '\v' {
					b64.WriteRune(r)
				}
			}
		}
		der, err := base64.StdEncoding.DecodeString(b64.String())
		if err != nil {
			return nil, fmt.Errorf("%s: the PEM block %q is not valid base64: %w", where, label, err)
		}
		b.der = der
		out = append(out, b)
	}
}

// pemCertificates returns the certificates of text's CERTIFICATE blocks;
// other blocks are ignored. At least one is required.
func pemCertificates(text, where string) ([]*x509.Certificate, error) {
	blocks, err := parsePEM(text, where)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for _, b := range blocks {
		if b.label != "CERTIFICATE" && b.label != "X509 CERTIFICATE" && b.label != "TRUSTED CERTIFICATE" {
			continue
		}
		der := b.der
		if b.label == "TRUSTED CERTIFICATE" {
			// OpenSSL's form: the certificate, then its trust settings.
			var first asn1.RawValue
			if _, err := asn1.Unmarshal(der, &first); err == nil {
				der = first.FullBytes
			}
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%s: a certificate that cannot be parsed: %w", where, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM CERTIFICATE block found", where)
	}
	return out, nil
}

// pemKeyPair reads one private key from keyText and the certificate chain
// (leaf first) from chainText; keyPw decrypts an encrypted PKCS#8 key.
func pemKeyPair(keyText, keyWhere, chainText, chainWhere, keyPw string) (tls.Certificate, error) {
	blocks, err := parsePEM(keyText, keyWhere)
	if err != nil {
		return tls.Certificate{}, err
	}
	var keys []pemBlock
	for _, b := range blocks {
		if strings.HasSuffix(b.label, "PRIVATE KEY") {
			keys = append(keys, b)
		}
	}
	switch len(keys) {
	case 0:
		return tls.Certificate{}, fmt.Errorf("%s: no PEM PRIVATE KEY block found", keyWhere)
	case 1:
	default:
		return tls.Certificate{}, fmt.Errorf("%s: expected one private key, found %d", keyWhere, len(keys))
	}
	key, err := parseKey(keys[0], keyWhere, keyPw)
	if err != nil {
		return tls.Certificate{}, err
	}
	chain, err := pemCertificates(chainText, chainWhere)
	if err != nil {
		return tls.Certificate{}, err
	}
	c, err := keyPair(chain, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", chainWhere, err)
	}
	return c, nil
}

func parseKey(b pemBlock, where, keyPw string) (any, error) {
	if b.encrypted {
		return nil, fmt.Errorf("%s: the private key is encrypted in OpenSSL's legacy format, which Kafka and sluice cannot read; convert it to encrypted PKCS#8 (openssl pkcs8 -topk8)", where)
	}
	var (
		key any
		err error
	)
	switch b.label {
	case "ENCRYPTED PRIVATE KEY":
		if keyPw == "" {
			return nil, fmt.Errorf("%s: the private key is encrypted; set %s", where, KeyKeyPassword)
		}
		if err := checkIterations(b.der); err != nil {
			return nil, fmt.Errorf("%s: the encrypted private key: %w", where, err)
		}
		key, err = safe.Call("decrypting a PKCS#8 key", func() (any, error) { return pkcs8.ParsePKCS8PrivateKey(b.der, []byte(keyPw)) })
		if err != nil {
			if strings.Contains(err.Error(), "incorrect password") {
				return nil, fmt.Errorf("%s is wrong for the private key of %s", KeyKeyPassword, where)
			}
			return nil, fmt.Errorf("%s: the encrypted private key cannot be read (sluice reads PKCS#8 with PBES2): %w", where, err)
		}
		return key, nil
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(b.der)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.der)
	default:
		return nil, fmt.Errorf("%s: a %q block, which sluice cannot read (it reads PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY)", where, b.label)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: the private key cannot be parsed: %w", where, err)
	}
	return key, nil
}
