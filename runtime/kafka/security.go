package kafka

import (
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"

	"github.com/sluicehq/sluice/internal/jaas"
	"github.com/sluicehq/sluice/internal/javaprops"
)

// Kafka's security protocols (security.protocol).
const (
	ProtocolPlaintext     = "PLAINTEXT"
	ProtocolSSL           = "SSL"
	ProtocolSASLPlaintext = "SASL_PLAINTEXT"
	ProtocolSASLSSL       = "SASL_SSL"
)

// Login modules and callback handlers of Kafka's SASL mechanisms, as a
// sasl.jaas.config line names them.
const (
	PlainLoginModule     = "org.apache.kafka.common.security.plain.PlainLoginModule"
	ScramLoginModule     = "org.apache.kafka.common.security.scram.ScramLoginModule"
	OAuthBearerModule    = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
	Krb5LoginModule      = "com.sun.security.auth.module.Krb5LoginModule"
	OAuthLoginHandler    = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler"
	oauthLoginHandlerOld = "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler"
	jwtRetrieverDefault  = "org.apache.kafka.common.security.oauthbearer.ClientCredentialsJwtRetriever"
)

// Security configuration keys.
const (
	SecurityProtocolKey = "security.protocol"
	SASLMechanismKey    = "sasl.mechanism"
	SASLJAASConfigKey   = "sasl.jaas.config"
)

// PrincipalOverrideKeys are the client keys connector.client.config.override.policy=Principal lets a
// connector override (Kafka's PrincipalConnectorClientConfigOverridePolicy).
var PrincipalOverrideKeys = []string{SASLJAASConfigKey, SASLMechanismKey, SecurityProtocolKey}

// saslKeys are the SASL client keys sluice knows, and what it does with
// them: use means honoured (by the mechanism that reads it; others ignore
// it, as Kafka does), accept means Kafka's client does nothing with it
// either (broker-side validation settings) or it is Kerberos ticket
// renewal, which sarama's Kerberos client does itself; refuse means any
// non-empty value is an error, since sluice cannot run a Java class.
var saslKeys = map[string]saslKeyUse{
	SASLMechanismKey:                                      use,
	SASLJAASConfigKey:                                     use,
	"sasl.kerberos.service.name":                          use,
	"sasl.kerberos.kinit.cmd":                             accept,
	"sasl.kerberos.ticket.renew.window.factor":            accept,
	"sasl.kerberos.ticket.renew.jitter":                   accept,
	"sasl.kerberos.min.time.before.relogin":               accept,
	"sasl.login.refresh.window.factor":                    use,
	"sasl.login.refresh.window.jitter":                    accept,
	"sasl.login.refresh.min.period.seconds":               use,
	"sasl.login.refresh.buffer.seconds":                   use,
	"sasl.login.connect.timeout.ms":                       use,
	"sasl.login.read.timeout.ms":                          use,
	"sasl.login.retry.backoff.ms":                         accept,
	"sasl.login.retry.backoff.max.ms":                     accept,
	"sasl.login.callback.handler.class":                   use,
	"sasl.login.class":                                    refuse,
	"sasl.client.callback.handler.class":                  refuse,
	"sasl.oauthbearer.token.endpoint.url":                 use,
	"sasl.oauthbearer.scope.claim.name":                   accept,
	"sasl.oauthbearer.sub.claim.name":                     accept,
	"sasl.oauthbearer.client.credentials.client.id":       use,
	"sasl.oauthbearer.client.credentials.client.secret":   use,
	"sasl.oauthbearer.scope":                              use,
	"sasl.oauthbearer.header.urlencode":                   use,
	"sasl.oauthbearer.jwt.retriever.class":                use,
	"sasl.oauthbearer.jwt.validator.class":                accept,
	"sasl.oauthbearer.jwks.endpoint.url":                  accept,
	"sasl.oauthbearer.jwks.endpoint.refresh.ms":           accept,
	"sasl.oauthbearer.jwks.endpoint.retry.backoff.ms":     accept,
	"sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms": accept,
	"sasl.oauthbearer.clock.skew.seconds":                 accept,
	"sasl.oauthbearer.expected.audience":                  accept,
	"sasl.oauthbearer.expected.issuer":                    accept,
}

type saslKeyUse int

const (
	use saslKeyUse = iota
	accept
	refuse
)

// IsSecurityKey reports whether k is a client security key: security.protocol, sasl.* or ssl.*.
func IsSecurityKey(k string) bool {
	return k == SecurityProtocolKey || strings.HasPrefix(k, "sasl.") || strings.HasPrefix(k, "ssl.")
}

// ApplySecurity applies Kafka's client security keys in props
// (security.protocol, ssl.*, sasl.*; other keys are left alone) to c, as
// Kafka's clients read them. It returns the keys of a protocol not in use
// (ssl.* without SSL, sasl.* without SASL), which Kafka ignores too, for
// the caller to warn about. A key or value sluice cannot honour is an
// error naming it: a client never connects with less security than
// configured. Errors never quote a value: many are secrets.
func ApplySecurity(c *sarama.Config, props map[string]string) (unused []string, err error) {
	return applySecurity(c, props, os.Getenv)
}

func applySecurity(c *sarama.Config, props map[string]string, getenv func(string) string) (unused []string, err error) {
	protocol := strings.ToUpper(strings.TrimSpace(props[SecurityProtocolKey]))
	switch protocol {
	case "":
		protocol = ProtocolPlaintext
	case ProtocolPlaintext, ProtocolSSL, ProtocolSASLPlaintext, ProtocolSASLSSL:
	default:
		return nil, fmt.Errorf("invalid value %s for configuration %s: must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL",
			strings.TrimSpace(props[SecurityProtocolKey]), SecurityProtocolKey)
	}
	useTLS := protocol == ProtocolSSL || protocol == ProtocolSASLSSL
	useSASL := protocol == ProtocolSASLPlaintext || protocol == ProtocolSASLSSL
	ssl := map[string]string{}
	for _, k := range sortedKeys(props) {
		switch {
		case strings.HasPrefix(k, "ssl."):
			if !useTLS {
				unused = append(unused, k)
				continue
			}
			ssl[k] = props[k]
		case strings.HasPrefix(k, "sasl."):
			if !useSASL {
				unused = append(unused, k)
				continue
			}
			u, known := saslKeys[k]
			if !known {
				return nil, fmt.Errorf("configuration %s is not supported by sluice (security.protocol=%s)", k, protocol)
			}
			if u == refuse && strings.TrimSpace(props[k]) != "" {
				return nil, fmt.Errorf("configuration %s is not supported by sluice: it names a Java class, which sluice cannot load; remove it", k)
			}
		}
	}
	if useTLS {
		tc, err := clientTLS(ssl)
		if err != nil {
			return nil, err
		}
		c.Net.TLS.Enable = true
		c.Net.TLS.Config = tc
	}
	if useSASL {
		if err := applySASL(c, props, getenv); err != nil {
			return nil, err
		}
	}
	installMismatchDetector(c, protocol)
	return unused, nil
}

// applySASL sets c's SASL settings from sasl.mechanism and sasl.jaas.config.
func applySASL(c *sarama.Config, props map[string]string, getenv func(string) string) error {
	mechanism := strings.TrimSpace(props[SASLMechanismKey])
	if mechanism == "" {
		mechanism = sarama.SASLTypeGSSAPI // Kafka's default
	}
	var wantModule string
	switch mechanism {
	case sarama.SASLTypePlaintext:
		wantModule = PlainLoginModule
	case sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512:
		wantModule = ScramLoginModule
	case sarama.SASLTypeOAuth:
		wantModule = OAuthBearerModule
	case sarama.SASLTypeGSSAPI:
		wantModule = Krb5LoginModule
	default:
		return fmt.Errorf("invalid value %s for configuration %s: sluice supports PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER and GSSAPI", mechanism, SASLMechanismKey)
	}
	if h := strings.TrimSpace(props["sasl.login.callback.handler.class"]); h != "" &&
		(mechanism != sarama.SASLTypeOAuth || (h != OAuthLoginHandler && h != oauthLoginHandlerOld)) {
		return fmt.Errorf("invalid value %s for configuration sasl.login.callback.handler.class: sluice supports only %s, with sasl.mechanism=OAUTHBEARER", h, OAuthLoginHandler)
	}
	raw := props[SASLJAASConfigKey]
	if strings.TrimSpace(raw) == "" {
		return fmt.Errorf("configuration %s is required with sasl.mechanism=%s: sluice does not read a static JAAS file's KafkaClient section; give e.g. %s required ...;", SASLJAASConfigKey, mechanism, wantModule)
	}
	entries, err := jaas.ParseLine(raw)
	if err != nil {
		return fmt.Errorf("invalid value for configuration %s: %w", SASLJAASConfigKey, err)
	}
	if len(entries) != 1 {
		return fmt.Errorf("invalid value for configuration %s: JAAS config property contains %d login modules, should be 1 module", SASLJAASConfigKey, len(entries))
	}
	e := entries[0]
	if e.Class != wantModule {
		return fmt.Errorf("invalid value for configuration %s: login module %s does not match sasl.mechanism=%s, which needs %s", SASLJAASConfigKey, e.Class, mechanism, wantModule)
	}
	c.Net.SASL.Enable = true
	c.Net.SASL.Handshake = true
	c.Net.SASL.Version = sarama.SASLHandshakeV1
	c.Net.SASL.Mechanism = sarama.SASLMechanism(mechanism)
	switch mechanism {
	case sarama.SASLTypePlaintext, sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512:
		user, pass := e.Options["username"], e.Options["password"]
		if user == "" || pass == "" {
			return fmt.Errorf("invalid value for configuration %s: %s needs the options username and password", SASLJAASConfigKey, e.Class)
		}
		if strings.EqualFold(e.Options["tokenauth"], "true") {
			return fmt.Errorf("invalid value for configuration %s: tokenauth=true (delegation tokens) is not supported by sluice", SASLJAASConfigKey)
		}
		c.Net.SASL.User, c.Net.SASL.Password = user, pass
		switch mechanism {
		case sarama.SASLTypeSCRAMSHA256:
			c.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.HashGeneratorFcn(sha256.New)} }
		case sarama.SASLTypeSCRAMSHA512:
			c.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.HashGeneratorFcn(sha512.New)} }
		}
	case sarama.SASLTypeOAuth:
		p, err := newTokenProvider(props, e.Options, getenv)
		if err != nil {
			return err
		}
		c.Net.SASL.TokenProvider = p
	case sarama.SASLTypeGSSAPI:
		g, err := gssapiConfig(props, e.Options, getenv)
		if err != nil {
			return err
		}
		c.Net.SASL.GSSAPI = g
	}
	return nil
}

// gssapiConfig reads Krb5LoginModule's options as Java does for a client
// that logs in with a keytab or a ticket cache (a password prompt is
// impossible here).
func gssapiConfig(props, opts map[string]string, getenv func(string) string) (sarama.GSSAPIConfig, error) {
	g := sarama.GSSAPIConfig{DisablePAFXFAST: true}
	g.ServiceName = strings.TrimSpace(props["sasl.kerberos.service.name"])
	if g.ServiceName == "" {
		g.ServiceName = opts["serviceName"]
	}
	if g.ServiceName == "" {
		return g, errors.New("configuration sasl.kerberos.service.name is required with sasl.mechanism=GSSAPI (the broker's Kerberos principal name, e.g. kafka)")
	}
	principal := opts["principal"]
	at := strings.LastIndexByte(principal, '@')
	if principal == "" || at <= 0 || at == len(principal)-1 {
		return g, fmt.Errorf("invalid value for configuration %s: Krb5LoginModule needs principal=\"name@REALM\"", SASLJAASConfigKey)
	}
	g.Username, g.Realm = principal[:at], principal[at+1:]
	switch {
	case strings.EqualFold(opts["useKeyTab"], "true"):
		g.AuthType = sarama.KRB5_KEYTAB_AUTH
		g.KeyTabPath = opts["keyTab"]
		if g.KeyTabPath == "" {
			return g, fmt.Errorf("invalid value for configuration %s: useKeyTab=true needs keyTab=\"/path/to/file.keytab\"", SASLJAASConfigKey)
		}
		if _, err := os.Stat(g.KeyTabPath); err != nil {
			return g, fmt.Errorf("the keyTab of configuration %s cannot be read: %w", SASLJAASConfigKey, err)
		}
	case strings.EqualFold(opts["useTicketCache"], "true"):
		g.AuthType = sarama.KRB5_CCACHE_AUTH
		g.CCachePath = opts["ticketCache"]
		if g.CCachePath == "" {
			g.CCachePath = strings.TrimPrefix(getenv("KRB5CCNAME"), "FILE:")
		}
		if g.CCachePath == "" {
			g.CCachePath = fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
		}
	default:
		return g, fmt.Errorf("invalid value for configuration %s: Krb5LoginModule needs useKeyTab=true with keyTab and principal (or useTicketCache=true)", SASLJAASConfigKey)
	}
	g.KerberosConfigPath = krb5ConfPath(getenv)
	if _, err := os.Stat(g.KerberosConfigPath); err != nil {
		return g, fmt.Errorf("the Kerberos configuration for sasl.mechanism=GSSAPI (-Djava.security.krb5.conf in KAFKA_OPTS, else /etc/krb5.conf) cannot be read: %w", err)
	}
	return g, nil
}

// krb5ConfPath is where the JVM reads Kerberos settings: the
// java.security.krb5.conf system property (as Kafka's scripts pass it, in
// KAFKA_OPTS), else /etc/krb5.conf.
func krb5ConfPath(getenv func(string) string) string {
	if p := javaprops.SystemProperty(getenv("KAFKA_OPTS"), "java.security.krb5.conf"); p != "" {
		return p
	}
	return "/etc/krb5.conf"
}

// scramClient is sarama's SCRAMClient on github.com/xdg-go/scram, as
// sarama's own SCRAM example does it.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (s *scramClient) Begin(user, password, authzID string) error {
	c, err := s.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	s.conv = c.NewConversation()
	return nil
}

func (s *scramClient) Step(challenge string) (string, error) { return s.conv.Step(challenge) }

func (s *scramClient) Done() bool { return s.conv.Done() }

// commonKeys are connection keys every Kafka client takes.
var commonKeys = map[string]setter{
	"socket.connection.setup.timeout.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		if err == nil && d == 0 {
			err = errors.New("must be a positive number of milliseconds")
		}
		c.Net.DialTimeout = d
		return err
	},
	"metadata.max.age.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		c.Metadata.RefreshFrequency = d
		return err
	},
	// How long a request waits for its answer (the producer's own setter
	// sets the broker's wait for acks instead).
	"request.timeout.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		if err == nil && d == 0 {
			err = errors.New("must be a positive number of milliseconds")
		}
		c.Net.ReadTimeout, c.Net.WriteTimeout = d, d
		return err
	},
	// The wait before a failed metadata or admin request is tried again.
	"retry.backoff.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		c.Metadata.Retry.Backoff, c.Admin.Retry.Backoff = d, d
		return err
	},
	"retry.backoff.max.ms": func(_ *sarama.Config, v string) error {
		_, err := millis(v) // applied with retry.backoff.ms, after every key
		return err
	},
}

// unhonouredKeys are client connection keys Kafka's clients read that
// sarama has no setting for: its connections are not closed when idle,
// are retried at Metadata.Retry.Backoff, use the system's socket buffers
// and try every address a name resolves to. They are reported apart from
// unknown keys, once per worker.
var unhonouredKeys = []string{
	"socket.connection.setup.timeout.max.ms", "connections.max.idle.ms", "reconnect.backoff.ms",
	"reconnect.backoff.max.ms", "send.buffer.bytes", "receive.buffer.bytes", "client.dns.lookup",
}

// applyClient applies security keys, then keys (with commonKeys) to c:
// the shared part of every client's settings. It returns the keys sluice
// does not know (ignored) and those of a protocol not in use.
func applyClient(c *sarama.Config, props map[string]string, keys map[string]setter) (Ignored, error) {
	var ig Ignored
	rest := map[string]string{}
	for k, v := range props {
		if !IsSecurityKey(k) {
			rest[k] = v
		}
	}
	all := make(map[string]setter, len(keys)+len(commonKeys))
	for k, v := range commonKeys {
		all[k] = v
	}
	for k, v := range keys {
		all[k] = v
	}
	unsupported, err := apply(rest, all, c)
	if err != nil {
		return ig, err
	}
	for _, k := range unsupported {
		if slices.Contains(unhonouredKeys, k) {
			ig.Unhonoured = append(ig.Unhonoured, k)
		} else {
			ig.Unsupported = append(ig.Unsupported, k)
		}
	}
	if _, ok := props["retry.backoff.max.ms"]; ok {
		most, _ := millis(strings.TrimSpace(props["retry.backoff.max.ms"])) // checked by apply
		c.Metadata.Retry.BackoffFunc = retryBackoff(c.Metadata.Retry.Backoff, max(most, c.Metadata.Retry.Backoff))
	}
	// Security last: it installs a dialer with the dial settings set above.
	ig.OtherProtocol, err = ApplySecurity(c, props)
	return ig, err
}

// Ignored are the keys of a client's configuration that it left unused.
type Ignored struct {
	// Unsupported are keys sluice does not know or cannot apply to sarama.
	Unsupported []string
	// Unhonoured are connection keys Kafka's clients read that sarama has
	// no setting for (unhonouredKeys): the same for every client built
	// from the worker's settings, to report once.
	Unhonoured []string
	// OtherProtocol are security keys of a protocol not in use (ssl.*
	// without SSL, sasl.* without SASL): Kafka's clients ignore them too.
	OtherProtocol []string
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// parseSeconds and parseFraction read numeric SASL login settings.
func parseSeconds(props map[string]string, key string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(props[key])
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid value %s for configuration %s: must be a non-negative number of seconds", v, key)
	}
	return time.Duration(n) * time.Second, nil
}

func parseMillis(props map[string]string, key string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(props[key])
	if v == "" {
		return def, nil
	}
	d, err := millis(v)
	if err != nil {
		return 0, fmt.Errorf("invalid value %s for configuration %s: %w", v, key, err)
	}
	return d, nil
}

func parseFraction(props map[string]string, key string, def, lo, hi float64) (float64, error) {
	v := strings.TrimSpace(props[key])
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < lo || f > hi {
		return 0, fmt.Errorf("invalid value %s for configuration %s: must be a number between %g and %g", v, key, lo, hi)
	}
	return f, nil
}

// AllowedOAuthURLsProperty is the JVM system property (given as
// -D…=… in KAFKA_OPTS) listing, comma-separated, the
// sasl.oauthbearer.token.endpoint.url values a client may use. As in
// Kafka 4.0 and later (CVE-2025-27817), an URL not listed is refused, and
// none is listed by default: a connector override could otherwise make
// the worker read a local file or call a cloud metadata endpoint.
const AllowedOAuthURLsProperty = "org.apache.kafka.sasl.oauthbearer.allowed.urls"

// tokenEndpoint checks sasl.oauthbearer.token.endpoint.url: an http(s)
// or file: URL listed, as written, in AllowedOAuthURLsProperty.
func tokenEndpoint(props map[string]string, getenv func(string) string) (*url.URL, error) {
	const key = "sasl.oauthbearer.token.endpoint.url"
	raw := strings.TrimSpace(props[key])
	if raw == "" {
		return nil, fmt.Errorf("configuration %s is required with sasl.mechanism=OAUTHBEARER and sasl.login.callback.handler.class=%s", key, OAuthLoginHandler)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") {
		return nil, fmt.Errorf("invalid value for configuration %s: must be an https://, http:// or file: URL", key)
	}
	allowed := false
	for _, a := range strings.Split(javaprops.SystemProperty(getenv("KAFKA_OPTS"), AllowedOAuthURLsProperty), ",") {
		if strings.TrimSpace(a) == raw {
			allowed = true
		}
	}
	if !allowed {
		return nil, fmt.Errorf("invalid value %s for configuration %s: the URL cannot be accessed due to restrictions; list it in the system property %s (-D%s=<url>,… in KAFKA_OPTS) to allow it",
			u.Redacted(), key, AllowedOAuthURLsProperty, AllowedOAuthURLsProperty)
	}
	return u, nil
}
