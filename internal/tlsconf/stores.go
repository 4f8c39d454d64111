package tlsconf

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/sluicehq/sluice/internal/safe"
)

// maxStoreSize bounds what is read of a store's file or inline value.
const maxStoreSize = 10 << 20

// Store types, as Kafka names them.
const (
	typeJKS    = "JKS"
	typePKCS12 = "PKCS12"
	typePEM    = "PEM"
)

// storeType returns the value of a *.type key, upper-cased (Java's
// KeyStore.getInstance ignores case), or an error for a type sluice cannot
// read.
func (r reader) storeType(key string) (string, error) {
	t := strings.ToUpper(r.get(key))
	switch t {
	case "":
		return typeJKS, nil
	case typeJKS, typePKCS12, typePEM:
		return t, nil
	}
	return "", fmt.Errorf("%s=%s: sluice cannot read this store type (it reads JKS, PKCS12 and PEM)", key, r.get(key))
}

// keystore returns this side's certificates and keys, or nil when none is
// configured. The checks between keys are DefaultSslEngineFactory's.
func (r reader) keystore() ([]tls.Certificate, error) {
	loc, pw, keyPw := r.get(KeyKeystoreLocation), r.get(KeyKeystorePassword), r.get(KeyKeyPassword)
	inlineKey, inlineChain := r.get(KeyKeystoreKey), r.get(KeyKeystoreCertificateChain)
	if loc == "" && pw == "" && inlineKey == "" && inlineChain == "" {
		return nil, nil
	}
	typ, err := r.storeType(KeyKeystoreType)
	if err != nil {
		return nil, err
	}
	switch {
	case inlineKey != "":
		switch {
		case typ != typePEM:
			return nil, fmt.Errorf("%s can be given only with %s=PEM, but %s is %s", KeyKeystoreKey, KeyKeystoreType, KeyKeystoreType, typ)
		case inlineChain == "":
			return nil, fmt.Errorf("%s is set but %s is not", KeyKeystoreKey, KeyKeystoreCertificateChain)
		case loc != "":
			return nil, fmt.Errorf("both %s and %s are set; give one", KeyKeystoreLocation, KeyKeystoreKey)
		case pw != "":
			return nil, fmt.Errorf("%s cannot be given with %s=PEM; only %s may be", KeyKeystorePassword, KeyKeystoreType, KeyKeyPassword)
		}
		if len(inlineKey) > maxStoreSize || len(inlineChain) > maxStoreSize {
			return nil, fmt.Errorf("%s or %s is larger than %d MiB", KeyKeystoreKey, KeyKeystoreCertificateChain, maxStoreSize>>20)
		}
		c, err := pemKeyPair(inlineKey, KeyKeystoreKey, inlineChain, KeyKeystoreCertificateChain, keyPw)
		if err != nil {
			return nil, err
		}
		return []tls.Certificate{c}, nil
	case inlineChain != "":
		return nil, fmt.Errorf("%s is set but %s is not", KeyKeystoreCertificateChain, KeyKeystoreKey)
	case typ == typePEM && loc != "":
		if pw != "" {
			return nil, fmt.Errorf("%s cannot be given with %s=PEM; only %s may be", KeyKeystorePassword, KeyKeystoreType, KeyKeyPassword)
		}
		data, err := readStore(KeyKeystoreLocation, loc)
		if err != nil {
			return nil, err
		}
		where := KeyKeystoreLocation + "=" + loc
		c, err := pemKeyPair(string(data), where, string(data), where, keyPw)
		if err != nil {
			return nil, err
		}
		return []tls.Certificate{c}, nil
	case loc == "":
		return nil, fmt.Errorf("%s is set but %s is not", KeyKeystorePassword, KeyKeystoreLocation)
	case pw == "":
		return nil, fmt.Errorf("%s is set but %s is not", KeyKeystoreLocation, KeyKeystorePassword)
	}
	data, err := readStore(KeyKeystoreLocation, loc)
	if err != nil {
		return nil, err
	}
	if keyPw == "" {
		keyPw = pw
	}
	if isJKS(data) {
		return jksKeystore(data, loc, pw, keyPw)
	}
	if err := checkDER(data); err != nil {
		return nil, fmt.Errorf("%s=%s: %w", KeyKeystoreLocation, loc, err)
	}
	return pkcs12Keystore(data, loc, pw, keyPw)
}

// truststore returns the pool of trusted certificates, or nil (the system's
// roots) when none is configured. The checks between keys are
// DefaultSslEngineFactory's.
func (r reader) truststore() (*x509.CertPool, error) {
	loc, pw, inline := r.get(KeyTruststoreLocation), r.get(KeyTruststorePassword), r.get(KeyTruststoreCertificates)
	if loc == "" && pw == "" && inline == "" {
		return nil, nil
	}
	typ, err := r.storeType(KeyTruststoreType)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	switch {
	case inline != "":
		switch {
		case typ != typePEM:
			return nil, fmt.Errorf("%s can be given only with %s=PEM, but %s is %s", KeyTruststoreCertificates, KeyTruststoreType, KeyTruststoreType, typ)
		case loc != "":
			return nil, fmt.Errorf("both %s and %s are set; give one", KeyTruststoreLocation, KeyTruststoreCertificates)
		case pw != "":
			return nil, fmt.Errorf("%s cannot be given with %s=PEM", KeyTruststorePassword, KeyTruststoreType)
		case len(inline) > maxStoreSize:
			return nil, fmt.Errorf("%s is larger than %d MiB", KeyTruststoreCertificates, maxStoreSize>>20)
		}
		if certs, err = pemCertificates(inline, KeyTruststoreCertificates); err != nil {
			return nil, err
		}
	case loc == "":
		return nil, fmt.Errorf("%s is set but %s is not", KeyTruststorePassword, KeyTruststoreLocation)
	case typ == typePEM:
		if pw != "" {
			return nil, fmt.Errorf("%s cannot be given with %s=PEM", KeyTruststorePassword, KeyTruststoreType)
		}
		data, err := readStore(KeyTruststoreLocation, loc)
		if err != nil {
			return nil, err
		}
		if certs, err = pemCertificates(string(data), KeyTruststoreLocation+"="+loc); err != nil {
			return nil, err
		}
	default:
		data, err := readStore(KeyTruststoreLocation, loc)
		if err != nil {
			return nil, err
		}
		if isJKS(data) {
			certs, err = jksTruststore(data, loc, pw)
		} else if err = checkDER(data); err != nil {
			err = fmt.Errorf("%s=%s: %w", KeyTruststoreLocation, loc, err)
		} else {
			certs, err = pkcs12Truststore(data, loc, pw)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no trusted certificate found", describe(KeyTruststoreLocation, loc, KeyTruststoreCertificates))
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// describe names where a store comes from: "key=file", or the inline key.
func describe(locKey, loc, inlineKey string) string {
	if loc != "" {
		return locKey + "=" + loc
	}
	return inlineKey
}

// readStore reads the file a *.location key names, at most maxStoreSize.
func readStore(key, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStoreSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading %s: %w", key, path, err)
	}
	if len(data) > maxStoreSize {
		return nil, fmt.Errorf("%s=%s: the file is larger than %d MiB, too large for a key or trust store", key, path, maxStoreSize>>20)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s=%s: the file is empty", key, path)
	}
	return data, nil
}

// jksMagic and jceksMagic open JKS and JCEKS files.
var (
	jksMagic   = []byte{0xfe, 0xed, 0xfe, 0xed}
	jceksMagic = []byte{0xce, 0xce, 0xce, 0xce}
)

// isJKS tells a JKS file from a PKCS12 one, as Java 9 and later do when
// reading a store under either type.
func isJKS(data []byte) bool { return bytes.HasPrefix(data, jksMagic) }

// checkDER reports a file that is neither JKS nor PKCS12 (DER, opening with
// a SEQUENCE) plainly, rather than as a parser's complaint.
func checkDER(data []byte) error {
	switch {
	case bytes.HasPrefix(data, jceksMagic):
		return errors.New("a JCEKS store, which sluice cannot read (convert it to PKCS12 with keytool -importkeystore)")
	case len(data) < 2 || data[0] != 0x30:
		return errors.New("neither a JKS nor a PKCS12 file (a PEM file needs the store type PEM)")
	}
	return checkIterations(data)
}

// loadJKS reads a JKS file, checking its integrity with password. With an
// empty password (allowed for truststores only) the integrity is not
// checked, as Java does.
func loadJKS(data []byte, pwKey, loc, pw string) (keystore.KeyStore, error) {
	where := KeyKeystoreLocation
	if pwKey == KeyTruststorePassword {
		where = KeyTruststoreLocation
	}
	if err := checkJKS(data); err != nil {
		return keystore.KeyStore{}, fmt.Errorf("%s=%s: not a readable JKS store: %w", where, loc, err)
	}
	ks := keystore.New()
	err := safe.Do("reading a JKS store", func() error { return ks.Load(bytes.NewReader(data), []byte(pw)) })
	switch {
	case err == nil:
	case isDigestError(err) && pw == "":
		// No password: the entries are read, the integrity is not checked.
	case isDigestError(err):
		return keystore.KeyStore{}, fmt.Errorf("%s is wrong for %s=%s (or the file is damaged)", pwKey, where, loc)
	default:
		return keystore.KeyStore{}, fmt.Errorf("%s=%s: not a readable JKS store: %w", where, loc, err)
	}
	return ks, nil
}

// isDigestError reports whether err is keystore-go's integrity check
// failing: the password is wrong or the file was changed.
func isDigestError(err error) bool { return strings.Contains(err.Error(), "got invalid digest") }

// checkJKS walks a JKS file's structure before keystore-go reads it, so
// that a hostile length field is an error rather than a huge allocation.
func checkJKS(data []byte) error {
	if bytes.HasPrefix(data, jceksMagic) {
		return errors.New("a JCEKS store, which sluice cannot read (convert it to PKCS12 with keytool -importkeystore)")
	}
	b := data
	fail := errors.New("truncated or malformed")
	take := func(n uint64) ([]byte, bool) {
		if n > uint64(len(b)) {
			return nil, false
		}
		v := b[:n]
		b = b[n:]
		return v, true
	}
	u32 := func() (uint32, bool) {
		v, ok := take(4)
		if !ok {
			return 0, false
		}
		return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3]), true
	}
	str := func() bool {
		v, ok := take(2)
		if !ok {
			return false
		}
		_, ok = take(uint64(v[0])<<8 | uint64(v[1]))
		return ok
	}
	blob := func() bool {
		n, ok := u32()
		if !ok {
			return false
		}
		_, ok = take(uint64(n))
		return ok
	}
	cert := func(version uint32) bool {
		if version == 2 && !str() {
			return false
		}
		return blob()
	}
	if _, ok := take(4); !ok {
		return fail
	}
	version, ok := u32()
	if !ok || (version != 1 && version != 2) {
		return errors.New("unknown JKS version")
	}
	entries, ok := u32()
	if !ok {
		return fail
	}
	for range entries {
		tag, ok := u32()
		if !ok || !str() {
			return fail
		}
		if _, ok := take(8); !ok {
			return fail
		}
		switch tag {
		case 1: // private key: key, then the chain
			if !blob() {
				return fail
			}
			n, ok := u32()
			if !ok {
				return fail
			}
			for range n {
				if !cert(version) {
					return fail
				}
			}
		case 2: // trusted certificate
			if !cert(version) {
				return fail
			}
		default:
			return fmt.Errorf("unknown entry tag %d (a secret-key entry, which JKS cannot hold)", tag)
		}
	}
	if len(b) != 20 {
		return fail
	}
	return nil
}

func jksKeystore(data []byte, loc, pw, keyPw string) ([]tls.Certificate, error) {
	ks, err := loadJKS(data, KeyKeystorePassword, loc, pw)
	if err != nil {
		return nil, err
	}
	where := KeyKeystoreLocation + "=" + loc
	var out []tls.Certificate
	for _, alias := range ks.Aliases() {
		if !ks.IsPrivateKeyEntry(alias) {
			continue
		}
		e, err := safe.Call("decrypting a JKS key", func() (keystore.PrivateKeyEntry, error) { return ks.GetPrivateKeyEntry(alias, []byte(keyPw)) })
		if err != nil {
			return nil, fmt.Errorf("%s (%s when that is not set) does not decrypt the key entry %q of %s", KeyKeyPassword, KeyKeystorePassword, alias, where)
		}
		key, err := x509.ParsePKCS8PrivateKey(e.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("%s: the key entry %q holds a key sluice cannot read: %w", where, alias, err)
		}
		chain, err := jksCertificates(e.CertificateChain)
		if err != nil {
			return nil, fmt.Errorf("%s: the key entry %q: %w", where, alias, err)
		}
		c, err := keyPair(chain, key)
		if err != nil {
			return nil, fmt.Errorf("%s: the key entry %q: %w", where, alias, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no private-key entry", where)
	}
	return out, nil
}

func jksCertificates(in []keystore.Certificate) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, c := range in {
		if c.Type != "X509" && c.Type != "X.509" {
			return nil, fmt.Errorf("a certificate of type %q, not X.509", c.Type)
		}
		x, err := x509.ParseCertificate(c.Content)
		if err != nil {
			return nil, fmt.Errorf("a certificate that cannot be parsed: %w", err)
		}
		out = append(out, x)
	}
	return out, nil
}

// jksTruststore returns the trusted-certificate entries of a JKS file and
// the first certificate of each key entry, as Java's trust managers take them.
func jksTruststore(data []byte, loc, pw string) ([]*x509.Certificate, error) {
	ks, err := loadJKS(data, KeyTruststorePassword, loc, pw)
	if err != nil {
		return nil, err
	}
	where := KeyTruststoreLocation + "=" + loc
	var out []*x509.Certificate
	for _, alias := range ks.Aliases() {
		var in []keystore.Certificate
		if e, err := ks.GetTrustedCertificateEntry(alias); err == nil {
			in = []keystore.Certificate{e.Certificate}
		} else if chain, err := ks.GetPrivateKeyEntryCertificateChain(alias); err == nil && len(chain) > 0 {
			in = chain[:1]
		}
		certs, err := jksCertificates(in)
		if err != nil {
			return nil, fmt.Errorf("%s: the entry %q: %w", where, alias, err)
		}
		out = append(out, certs...)
	}
	return out, nil
}

func pkcs12Keystore(data []byte, loc, pw, keyPw string) ([]tls.Certificate, error) {
	where := KeyKeystoreLocation + "=" + loc
	if keyPw != pw {
		return nil, fmt.Errorf("%s differs from %s, but a PKCS12 store (%s) protects its key with the store's password", KeyKeyPassword, KeyKeystorePassword, where)
	}
	type decoded struct {
		key  any
		leaf *x509.Certificate
		cas  []*x509.Certificate
	}
	d, err := safe.Call("reading a PKCS12 store", func() (decoded, error) {
		k, l, c, err := pkcs12.DecodeChain(data, pw)
		return decoded{k, l, c}, err
	})
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, fmt.Errorf("%s is wrong for %s", KeyKeystorePassword, where)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable PKCS12 keystore with one private key: %w", where, err)
	}
	c, err := keyPair(append([]*x509.Certificate{d.leaf}, d.cas...), d.key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return []tls.Certificate{c}, nil
}

func pkcs12Truststore(data []byte, loc, pw string) ([]*x509.Certificate, error) {
	where := KeyTruststoreLocation + "=" + loc
	certs, err := safe.Call("reading a PKCS12 store", func() ([]*x509.Certificate, error) { return pkcs12.DecodeTrustStore(data, pw) })
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword) && pw == "":
		return nil, fmt.Errorf("%s: the PKCS12 truststore is protected by a password; set %s", where, KeyTruststorePassword)
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return nil, fmt.Errorf("%s is wrong for %s", KeyTruststorePassword, where)
	case err != nil && isPKCS12Keystore(data, pw):
		return nil, fmt.Errorf("%s: a PKCS12 keystore (it holds a private key); sluice reads a PKCS12 truststore only when it holds only trusted certificates, as keytool -importcert makes them: import the CA certificates into a truststore, or use %s=PEM",
			where, KeyTruststoreType)
	case err != nil:
		return nil, fmt.Errorf("%s: not a readable PKCS12 truststore (it must hold only certificates marked trusted, as keytool -importcert makes them; or use %s=PEM): %w",
			where, KeyTruststoreType, err)
	}
	return certs, nil
}

// isPKCS12Keystore reports whether data is a PKCS12 file holding a key.
func isPKCS12Keystore(data []byte, pw string) bool {
	_, err := safe.Call("reading a PKCS12 store", func() (any, error) {
		k, _, _, err := pkcs12.DecodeChain(data, pw)
		return k, err
	})
	return err == nil
}

// keyPair makes a tls.Certificate of a chain (leaf first) and the leaf's key.
func keyPair(chain []*x509.Certificate, key any) (tls.Certificate, error) {
	if len(chain) == 0 || chain[0] == nil {
		return tls.Certificate{}, errors.New("no certificate for the private key")
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return tls.Certificate{}, fmt.Errorf("a private key of type %T, which TLS cannot use", key)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(chain[0].PublicKey) {
		return tls.Certificate{}, errors.New("the private key does not match the first certificate of the chain")
	}
	c := tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, x := range chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c, nil
}
