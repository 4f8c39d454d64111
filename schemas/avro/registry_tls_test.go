package avro

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/connerr"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/internal/tlsconf"
	"github.com/sluicehq/sluice/schemas"
)

// TestRegistryOverTLS registers and fetches a schema through the real
// registry's https port with the schema.registry.ssl.* keys, and checks that
// a certificate that cannot be verified fails with an error naming the
// registry and the key to set. The registry's certificate is for localhost
// only, so 127.0.0.1 is a name it is not for.
func TestRegistryOverTLS(t *testing.T) {
	reg := testkit.RealSecureRegistry(t)
	byIP := strings.Replace(reg.URL, "://localhost:", "://127.0.0.1:", 1)
	if byIP == reg.URL {
		t.Fatalf("%s: want a URL with host localhost", reg.URL)
	}
	const p = RegistrySSLPrefix
	pemCA := []string{p + "ssl.truststore.type", "PEM", p + "ssl.truststore.location", reg.CAFile}
	tests := []struct {
		name  string
		url   string
		props []string
		want  []string // substrings of the error; none for a round trip
	}{
		{"PEM CA", reg.URL, pemCA, nil},
		{"JKS truststore", reg.URL, []string{p + "ssl.truststore.location", reg.TruststoreJKS, p + "ssl.truststore.password", reg.TruststorePassword}, nil},
		{"PKCS12 truststore", reg.URL, []string{p + "ssl.truststore.type", "PKCS12", p + "ssl.truststore.location", reg.TruststoreP12,
			p + "ssl.truststore.password", reg.TruststorePassword, p + "ssl.protocol", "TLSv1.2"}, nil},
		{"another name, no host-name check", byIP, append(pemCA, p+"ssl.endpoint.identification.algorithm", ""), nil},
		{"another name, host-name check", byIP, pemCA,
			[]string{"schema registry " + byIP, "x509", "it is for localhost", p + "ssl.endpoint.identification.algorithm"}},
		{"system roots", reg.URL, nil,
			[]string{"schema registry " + reg.URL, "x509", p + "ssl.truststore.location"}},
		{"another CA, no host-name check", reg.URL, []string{p + "ssl.truststore.type", "PEM", p + "ssl.truststore.location", testkit.OtherCA(t),
			p + "ssl.endpoint.identification.algorithm", ""}, []string{"schema registry " + reg.URL, "x509", p + "ssl.truststore.location"}},
	}
	s := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Tls").Version(1).
		Field("id", schemas.Int64Schema).Field("name", schemas.OptionalStringSchema).MustBuild()
	v := schemas.NewStruct(s).MustPut("id", int64(7)).MustPut("name", "over TLS")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topic := "tls-" + uniqueName()
			extra := append([]string{MaxRetriesConfig, "0"}, tt.props...)
			w := newConverter(t, tt.url, false, extra...)
			data, err := w.FromConnectData(topic, s, v)
			if tt.want != nil {
				if err == nil {
					t.Fatal("no error")
				}
				for _, want := range tt.want {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				if strings.Contains(err.Error(), reg.TruststorePassword) {
					t.Errorf("error %q holds the truststore password", err)
				}
				if connerr.IsRetriable(err) {
					t.Errorf("error %q is retriable: a certificate that fails verification does not pass", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Another registry client (a request header makes its
			// configuration differ), so the schema is fetched by id over TLS.
			r := newConverter(t, tt.url, false, append(extra, RequestHeaderPrefix+"X-Sluice-Test", topic)...)
			if r.reg == w.reg {
				t.Fatal("the reader shares the writer's registry client")
			}
			gotSchema, got, err := r.ToConnectData(topic, data)
			if err != nil {
				t.Fatal(err)
			}
			if !gotSchema.Equal(s) {
				t.Fatalf("read back schema %v, want %v", gotSchema, s)
			}
			for _, f := range s.Fields {
				if g := got.(*schemas.Struct).Get(f.Name); !schemas.EqualValues(g, v.Get(f.Name)) {
					t.Errorf("field %s: got %#v, want %#v", f.Name, g, v.Get(f.Name))
				}
			}
		})
	}
}

// TestRegistryTruststorePassword checks that a wrong password for the real
// registry's JKS truststore (made by keytool) is a ConfigError naming the
// key, without either password.
func TestRegistryTruststorePassword(t *testing.T) {
	reg := testkit.RealSecureRegistry(t)
	wrong := "wrong-" + reg.TruststorePassword
	err := New().Configure(map[string]string{SchemaRegistryURLConfig: reg.URL,
		RegistrySSLPrefix + "ssl.truststore.location": reg.TruststoreJKS, RegistrySSLPrefix + "ssl.truststore.password": wrong}, false)
	var ce *schemas.ConfigError
	if !errors.As(err, &ce) || ce.Key != RegistrySSLPrefix+"ssl.truststore.password" || !strings.Contains(err.Error(), "is wrong") {
		t.Fatalf("got %v, want a ConfigError naming %sssl.truststore.password", err, RegistrySSLPrefix)
	}
	if strings.Contains(err.Error(), reg.TruststorePassword) {
		t.Errorf("error %q holds a password", err)
	}
}

// TestRegistrySSLConfig checks the schema.registry.ssl.* keys at Configure:
// a value sluice cannot use is a ConfigError naming the full key and never
// a password; SSL settings are part of a registry client's identity; and
// with http:// URLs they are read but unused.
func TestRegistrySSLConfig(t *testing.T) {
	const p = RegistrySSLPrefix
	const secret = "s3cret-Pa55word"
	dir := t.TempDir()
	notAStore := filepath.Join(dir, "not-a-store.jks")
	if err := os.WriteFile(notAStore, []byte("not a keystore at all, not even close to one"), 0o600); err != nil {
		t.Fatal(err)
	}
	inlineKey := "-----BEGIN PRIVATE KEY-----\n" + secret + "\n-----END PRIVATE KEY-----\n"
	tests := []struct {
		name    string
		props   map[string]string
		key     string // the key the ConfigError names
		reasons []string
	}{
		{"missing truststore", map[string]string{p + "ssl.truststore.location": filepath.Join(dir, "absent.jks"), p + "ssl.truststore.password": secret},
			p + "ssl.truststore.location", []string{"absent.jks"}},
		{"not a truststore", map[string]string{p + "ssl.truststore.location": notAStore, p + "ssl.truststore.password": secret},
			p + "ssl.truststore.location", []string{notAStore}},
		{"unknown protocol", map[string]string{p + "ssl.protocol": "SSLv3"}, p + "ssl.protocol", nil},
		{"unknown host-name check", map[string]string{p + "ssl.endpoint.identification.algorithm": "ldaps"},
			p + "ssl.endpoint.identification.algorithm", nil},
		{"engine factory sluice cannot honour", map[string]string{p + "ssl.engine.factory.class": "com.example.Weak"},
			p + "ssl.engine.factory.class", []string{"cannot honour"}},
		{"inline key that is no key", map[string]string{p + "ssl.keystore.type": "PEM", p + "ssl.keystore.key": inlineKey,
			p + "ssl.keystore.certificate.chain": inlineKey}, "", nil},
		{"misspelt password key", map[string]string{p + "ssl.truststore.passwd": secret}, p + "ssl.truststore.passwd", []string{"does not support"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := map[string]string{SchemaRegistryURLConfig: "https://registry.invalid:8081"}
			for k, v := range tt.props {
				props[k] = v
			}
			err := New().Configure(props, false)
			var ce *schemas.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a ConfigError", err)
			}
			if tt.key != "" && ce.Key != tt.key {
				t.Errorf("error %q names %q, want %q", err, ce.Key, tt.key)
			}
			if !strings.HasPrefix(ce.Key, p+"ssl.") {
				t.Errorf("error %q names %q, want a %sssl.* key", err, ce.Key, p)
			}
			for _, r := range tt.reasons {
				if !strings.Contains(err.Error(), r) {
					t.Errorf("error %q does not contain %q", err, r)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q holds a secret", err)
			}
			for _, k := range tlsconf.Keys() {
				if strings.Contains(strings.ReplaceAll(err.Error(), p+k, ""), k) {
					t.Errorf("error %q names %s without its %s prefix", err, k, p)
				}
			}
		})
	}

	// With http:// URLs the keys are read (a bad one is an error, above)
	// but unused: the plain registry is reached as without them.
	reg := fakeRegistry(t)
	trust := testkit.OtherCA(t)
	c := newConverter(t, reg.URL(), false, p+"ssl.truststore.type", "PEM", p+"ssl.truststore.location", trust)
	data, err := c.FromConnectData("plain-"+uniqueName(), schemas.StringSchema, "x")
	if err != nil {
		t.Fatalf("http:// URL with SSL keys: %v", err)
	}
	if _, v, err := c.ToConnectData("plain", data); err != nil || v != "x" {
		t.Fatalf("read back %v, %v", v, err)
	}
	// SSL settings are part of the client's identity: other settings, other
	// client; the same settings, the same client.
	same := newConverter(t, reg.URL(), false, p+"ssl.truststore.type", "PEM", p+"ssl.truststore.location", trust)
	other := newConverter(t, reg.URL(), false, p+"ssl.truststore.type", "PEM", p+"ssl.truststore.location", testkit.OtherCA(t))
	none := newConverter(t, reg.URL(), false)
	if same.reg != c.reg || other.reg == c.reg || none.reg == c.reg {
		t.Errorf("registry clients shared wrongly: same %v, other %v, none %v", same.reg == c.reg, other.reg == c.reg, none.reg == c.reg)
	}

	// Every schema.registry.ssl.* key is described, passwords as PASSWORD.
	described := map[string]string{}
	for _, k := range Def().Keys() {
		described[k.Name] = k.Type.String()
	}
	for _, k := range []string{"ssl.truststore.location", "ssl.truststore.type", "ssl.keystore.location", "ssl.endpoint.identification.algorithm", "ssl.protocol"} {
		if described[p+k] == "" {
			t.Errorf("%s%s is not in ConfigKeys", p, k)
		}
	}
	for _, k := range []string{"ssl.truststore.password", "ssl.keystore.password", "ssl.key.password", "ssl.keystore.key"} {
		if described[p+k] != "PASSWORD" {
			t.Errorf("%s%s has type %q in ConfigKeys, want PASSWORD", p, k, described[p+k])
		}
	}
}
