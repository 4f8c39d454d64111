package mysqlconn

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/go-sql-driver/mysql"
)

// maxKeyFile bounds a serverRSAPublicKeyFile: a public key in PEM is a few hundred bytes.
const maxKeyFile = 64 << 10

// noRetrievalKey is the name under which a public key whose private key nobody has is registered
// with the driver (see applyPublicKey).
const noRetrievalKey = "sluice-no-public-key-retrieval"

var registerNoRetrieval = sync.OnceValue(func() error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	mysql.RegisterServerPubKey(noRetrievalKey, &k.PublicKey) // the private key is dropped here
	return nil
})

// applyPublicKey reads Connector/J's allowPublicKeyRetrieval (false by default) and
// serverRSAPublicKeyFile. A caching_sha2_password or sha256_password login that needs the full
// exchange over a connection without TLS sends the password encrypted with the server's RSA
// public key. go-sql-driver asks the server for that key when it has none; a man in the middle
// can answer with its own and read the password. Connector/J refuses to ask unless
// allowPublicKeyRetrieval=true, and so does sluice: unless the URL allows it, the driver is given
// a key nobody can decrypt with, so such a login fails (Describe says why) instead of giving the
// password away. serverRSAPublicKeyFile names the server's real key (a PEM file).
func (u *URL) applyPublicKey(props map[string]string) error {
	if path := strings.TrimSpace(props["serverrsapublickeyfile"]); path != "" {
		path = strings.TrimPrefix(strings.TrimPrefix(path, "file://"), "file:")
		key, err := readPublicKey(path)
		if err != nil {
			return fmt.Errorf("connection.url: %s: %w", u.name("serverrsapublickeyfile"), err)
		}
		sum := sha256.Sum256(x509.MarshalPKCS1PublicKey(key))
		name := "sluice-" + hex.EncodeToString(sum[:8])
		mysql.RegisterServerPubKey(name, key)
		u.Config.ServerPubKey = name
		return nil
	}
	if v, ok := props["allowpublickeyretrieval"]; ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "yes":
			return nil
		case "false", "no":
		default:
			return fmt.Errorf("connection.url: %s must be true or false, not %q", u.name("allowpublickeyretrieval"), v)
		}
	}
	if err := registerNoRetrieval(); err != nil {
		return fmt.Errorf("connection.url: %w", err)
	}
	u.Config.ServerPubKey = noRetrievalKey
	u.noRetrieval = true
	return nil
}

// readPublicKey reads an RSA public key in PEM ("PUBLIC KEY" or "RSA PUBLIC KEY").
func readPublicKey(path string) (*rsa.PublicKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a public key", path, maxKeyFile)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM block", path)
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%s holds a %T, not an RSA public key", path, k)
		}
		return rk, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("%s holds a %q PEM block, not a public key", path, block.Type)
}
