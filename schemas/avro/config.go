package avro

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	cfgdef "github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/tlsconf"
	"github.com/sluicehq/sluice/schemas"
)

// The configuration keys of AvroConverter, as Confluent's (without the
// key.converter. / value.converter. prefix).
const (
	SchemaRegistryURLConfig      = "schema.registry.url"
	BasicAuthCredentialsSource   = "basic.auth.credentials.source"
	BasicAuthUserInfoConfig      = "basic.auth.user.info"
	legacyUserInfoConfig         = "schema.registry.basic.auth.user.info"
	BearerAuthCredentialsSource  = "bearer.auth.credentials.source"
	BearerAuthTokenConfig        = "bearer.auth.token"
	AutoRegisterSchemasConfig    = "auto.register.schemas"
	UseLatestVersionConfig       = "use.latest.version"
	LatestCompatibilityStrict    = "latest.compatibility.strict"
	LatestCacheTTLConfig         = "latest.cache.ttl.sec"
	KeySubjectNameStrategyConfig = "key.subject.name.strategy"
	ValSubjectNameStrategyConfig = "value.subject.name.strategy"
	ConnectMetaDataConfig        = "connect.meta.data"
	EnhancedAvroSchemaSupport    = "enhanced.avro.schema.support"
	ScrubInvalidNamesConfig      = "scrub.invalid.names"
	AllowOptionalMapKeysConfig   = "allow.optional.map.keys"
	FlattenSingletonUnionsConfig = "flatten.singleton.unions"
	IgnoreDefaultForNullables    = "ignore.default.for.nullables"
	SchemasCacheConfig           = "schemas.cache.config"
	MaxSchemasPerSubjectConfig   = "max.schemas.per.subject"
	HTTPConnectTimeoutConfig     = "http.connect.timeout.ms"
	HTTPReadTimeoutConfig        = "http.read.timeout.ms"
	MaxRetriesConfig             = "max.retries"
	RetriesWaitConfig            = "retries.wait.ms"
	RetriesMaxWaitConfig         = "retries.max.wait.ms"
	RequestHeaderPrefix          = "request.header."
	// RegistrySSLPrefix prefixes Kafka's ssl.* names (SslConfigs) for the
	// TLS settings of the registry client, as Confluent's
	// SchemaRegistryClientConfig.CLIENT_NAMESPACE does:
	// schema.registry.ssl.truststore.location, ...
	RegistrySSLPrefix            = "schema.registry."
	topicNameStrategyClass       = "io.confluent.kafka.serializers.subject.TopicNameStrategy"
	recordNameStrategyClass      = "io.confluent.kafka.serializers.subject.RecordNameStrategy"
	topicRecordNameStrategyClass = "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"
	defaultHTTPTimeoutMillis     = 60000
	defaultRetriesWaitMillis     = 1000
	defaultRetriesMaxWaitMillis  = 20000
	defaultMaxRetries            = 3
	defaultMaxSchemasPerSubject  = 1000
	defaultSchemasCacheSize      = 1000
	credentialsSourceURL         = "URL"
	credentialsSourceUserInfo    = "USER_INFO"
	credentialsSourceSASLInherit = "SASL_INHERIT"
	bearerSourceStaticToken      = "STATIC_TOKEN"
	strategyTopicName            = "TopicNameStrategy"
	strategyRecordName           = "RecordNameStrategy"
	strategyTopicRecordName      = "TopicRecordNameStrategy"
)

var strategies = []string{topicNameStrategyClass, recordNameStrategyClass, topicRecordNameStrategyClass}

// Def describes the keys Configure accepts (Confluent's AvroConverterConfig
// and its schema registry client's, as far as sluice reads them), with the
// schema.registry.ssl.* keys. It returns a new Def each time.
func Def() *cfgdef.Def {
	type key struct {
		name  string
		typ   cfgdef.Type
		def   any
		imp   cfgdef.Importance
		valid cfgdef.Validator
		doc   string
	}
	strategyNames := append(slices.Clone(strategies), strategyTopicName, strategyRecordName, strategyTopicRecordName)
	keys := []key{
		{SchemaRegistryURLConfig, cfgdef.List, cfgdef.NoDefault, cfgdef.High, nil,
			"Comma-separated list of URLs for schema registry instances that can be used to register or look up schemas. Required. Tried in order: the next one is used when one cannot be reached."},
		{BasicAuthCredentialsSource, cfgdef.String, credentialsSourceURL, cfgdef.Medium, cfgdef.CaseInsensitiveValidString(credentialsSourceURL, credentialsSourceUserInfo),
			"Where the Basic Auth credentials for the registry come from: URL (user:password@ in schema.registry.url) or USER_INFO (basic.auth.user.info). SASL_INHERIT is not supported."},
		{BasicAuthUserInfoConfig, cfgdef.Password, nil, cfgdef.Medium, nil,
			"The user info for Basic Auth, in the form {username}:{password}; used when basic.auth.credentials.source is USER_INFO. schema.registry.basic.auth.user.info is accepted too."},
		{BearerAuthCredentialsSource, cfgdef.String, bearerSourceStaticToken, cfgdef.Medium, cfgdef.CaseInsensitiveValidString(bearerSourceStaticToken),
			"Where the bearer token comes from: STATIC_TOKEN (bearer.auth.token)."},
		{BearerAuthTokenConfig, cfgdef.Password, nil, cfgdef.Medium, nil,
			"A bearer token to send to the registry, when no Basic Auth credentials are set."},
		{AutoRegisterSchemasConfig, cfgdef.Boolean, true, cfgdef.Medium, nil,
			"Register the schema of each record with the registry. When false, the schema must already be registered under the subject; it is looked up."},
		{UseLatestVersionConfig, cfgdef.Boolean, false, cfgdef.Low, nil,
			"Write records with the latest registered version of the subject instead of the schema made from the record. Fields are matched by name; a field the record lacks is written with its default. Only with auto.register.schemas=false."},
		{LatestCompatibilityStrict, cfgdef.Boolean, true, cfgdef.Low, nil,
			"With use.latest.version, check that the latest version can read records of the record's own schema (backward compatibility) before using it."},
		{LatestCacheTTLConfig, cfgdef.Long, -1, cfgdef.Low, cfgdef.AtLeast(-1),
			"How long, in seconds, the latest version of a subject is cached for use.latest.version; -1 keeps it until the worker restarts."},
		{KeySubjectNameStrategyConfig, cfgdef.Class, topicNameStrategyClass, cfgdef.Medium, cfgdef.ValidString(strategyNames...),
			"How the subject of record keys is named: TopicNameStrategy (<topic>-key), RecordNameStrategy (the record's full name) or TopicRecordNameStrategy (<topic>-<full name>)."},
		{ValSubjectNameStrategyConfig, cfgdef.Class, topicNameStrategyClass, cfgdef.Medium, cfgdef.ValidString(strategyNames...),
			"How the subject of record values is named: TopicNameStrategy (<topic>-value), RecordNameStrategy or TopicRecordNameStrategy."},
		{ConnectMetaDataConfig, cfgdef.Boolean, true, cfgdef.Low, nil,
			"Add the Connect schema's name, version, doc, parameters and defaults to the Avro schema (connect.name, connect.version, ...) and read them back."},
		{EnhancedAvroSchemaSupport, cfgdef.Boolean, false, cfgdef.Medium, nil,
			"Keep Avro enums as enums when writing back what was read, and name union branches of named types by their full names."},
		{ScrubInvalidNamesConfig, cfgdef.Boolean, false, cfgdef.Medium, nil,
			"Replace characters Avro names cannot hold in record, field and type names."},
		{AllowOptionalMapKeysConfig, cfgdef.Boolean, false, cfgdef.Medium, nil,
			"Write maps with optional string keys as Avro maps rather than arrays of key/value records."},
		{FlattenSingletonUnionsConfig, cfgdef.Boolean, true, cfgdef.Medium, nil,
			"Read an Avro union of a single type as that type."},
		{IgnoreDefaultForNullables, cfgdef.Boolean, false, cfgdef.Low, nil,
			"Write a null optional field as null even when its schema has a default; when false, it is written as its default (a CDC event's NULL in a nullable column with a DEFAULT would arrive as the default)."},
		{SchemasCacheConfig, cfgdef.Int, defaultSchemasCacheSize, cfgdef.Low, cfgdef.AtLeast(1),
			"The size of each schema cache of the converter (Connect to Avro and Avro to Connect)."},
		{MaxSchemasPerSubjectConfig, cfgdef.Int, defaultMaxSchemasPerSubject, cfgdef.Low, cfgdef.AtLeast(1),
			"The number of schemas, ids and versions the registry client caches."},
		{HTTPConnectTimeoutConfig, cfgdef.Int, defaultHTTPTimeoutMillis, cfgdef.Low, cfgdef.AtLeast(0),
			"The timeout, in milliseconds, for connecting to the registry."},
		{HTTPReadTimeoutConfig, cfgdef.Int, defaultHTTPTimeoutMillis, cfgdef.Low, cfgdef.AtLeast(0),
			"The timeout, in milliseconds, for the registry's answer."},
		{MaxRetriesConfig, cfgdef.Int, defaultMaxRetries, cfgdef.Low, cfgdef.AtLeast(0),
			"How many times a registry request that failed for a passing reason (network, timeout, HTTP 5xx, 408, 429) is retried."},
		{RetriesWaitConfig, cfgdef.Int, defaultRetriesWaitMillis, cfgdef.Low, cfgdef.AtLeast(0),
			"The wait, in milliseconds, before the first retry; it doubles after each retry, with jitter."},
		{RetriesMaxWaitConfig, cfgdef.Int, defaultRetriesMaxWaitMillis, cfgdef.Low, cfgdef.AtLeast(0),
			"The longest wait, in milliseconds, between retries."},
	}
	// The schema.registry.ssl.* keys: Kafka's ssl.* client keys
	// (internal/tlsconf reads them) with the registry's prefix.
	for _, k := range []struct {
		name string
		typ  cfgdef.Type
		def  any
		doc  string
	}{
		{tlsconf.KeyTruststoreLocation, cfgdef.String, nil, "The truststore holding the CA certificates trusted to sign the registry's certificate (JKS, PKCS12 or PEM). Without one, the system's CA certificates are trusted."},
		{tlsconf.KeyTruststorePassword, cfgdef.Password, nil, "The truststore's password."},
		{tlsconf.KeyTruststoreType, cfgdef.String, "JKS", "The truststore's format: JKS, PKCS12 or PEM."},
		{tlsconf.KeyTruststoreCertificates, cfgdef.Password, nil, "Trusted certificates inline, in PEM (with schema.registry.ssl.truststore.type=PEM)."},
		{tlsconf.KeyKeystoreLocation, cfgdef.String, nil, "The keystore holding the client's certificate and key, for registries that require a client certificate (JKS, PKCS12 or PEM)."},
		{tlsconf.KeyKeystorePassword, cfgdef.Password, nil, "The keystore's password."},
		{tlsconf.KeyKeystoreType, cfgdef.String, "JKS", "The keystore's format: JKS, PKCS12 or PEM."},
		{tlsconf.KeyKeyPassword, cfgdef.Password, nil, "The password of the private key in the keystore (default: the keystore's password), or of an encrypted PEM key."},
		{tlsconf.KeyKeystoreKey, cfgdef.Password, nil, "The client's private key inline, in PEM (with schema.registry.ssl.keystore.type=PEM)."},
		{tlsconf.KeyKeystoreCertificateChain, cfgdef.Password, nil, "The client's certificate chain inline, in PEM (with schema.registry.ssl.keystore.type=PEM)."},
		{tlsconf.KeyEndpointIdentificationAlgorithm, cfgdef.String, "https", "https checks the registry's host name against its certificate; empty checks the certificate but not the host name."},
		{tlsconf.KeyProtocol, cfgdef.String, "TLSv1.3", "The newest TLS version used: TLSv1.2 keeps TLS 1.3 from being used."},
		{tlsconf.KeyEnabledProtocols, cfgdef.List, "TLSv1.2,TLSv1.3", "The TLS versions offered."},
		{tlsconf.KeyCipherSuites, cfgdef.List, nil, "The cipher suites offered, by their IANA names (default: Go's)."},
		{tlsconf.KeyKeymanagerAlgorithm, cfgdef.String, "SunX509", "Java's key manager algorithm; only Java's defaults are accepted."},
		{tlsconf.KeyTrustmanagerAlgorithm, cfgdef.String, "PKIX", "Java's trust manager algorithm; only Java's defaults are accepted."},
		{tlsconf.KeyProvider, cfgdef.String, nil, "Java's security provider; only SunJSSE is accepted."},
		{tlsconf.KeySecureRandomImplementation, cfgdef.String, nil, "Java's SecureRandom implementation; only Java's defaults are accepted."},
		{tlsconf.KeyEngineFactoryClass, cfgdef.Class, nil, "Kafka's SSL engine factory; only Kafka's DefaultSslEngineFactory is accepted."},
	} {
		keys = append(keys, key{RegistrySSLPrefix + k.name, k.typ, k.def, cfgdef.Low, nil, k.doc})
	}
	d := cfgdef.NewDef()
	for _, k := range keys {
		d.Define(cfgdef.Key{Name: k.name, Type: k.typ, Default: k.def, Importance: k.imp, Validator: k.valid, Doc: k.doc})
	}
	return d
}

// config is the parsed converter configuration.
type config struct {
	registry      registryConfig
	tls           *tls.Config // the registry client's TLS settings, nil: Go's defaults
	autoRegister  bool
	useLatest     bool
	latestStrict  bool
	keyStrategy   string
	valueStrategy string
	data          DataConfig
	maxPerSubject int
}

func parseConfig(props map[string]string) (config, error) {
	c := config{autoRegister: true, latestStrict: true, data: DefaultDataConfig(),
		keyStrategy: strategyTopicName, valueStrategy: strategyTopicName}
	urls := strings.TrimSpace(props[SchemaRegistryURLConfig])
	if urls == "" {
		return c, &schemas.ConfigError{Key: SchemaRegistryURLConfig, Value: "\"\"",
			Reason: "Missing required configuration \"schema.registry.url\" which has no default value."}
	}
	for _, u := range strings.Split(urls, ",") {
		u = strings.TrimSpace(u)
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return c, &schemas.ConfigError{Key: SchemaRegistryURLConfig, Value: urls,
				Reason: fmt.Sprintf("%q is not an http:// or https:// URL", u)}
		}
	}
	c.registry.urls = urls
	var err error
	bools := []struct {
		key string
		dst *bool
	}{
		{AutoRegisterSchemasConfig, &c.autoRegister},
		{UseLatestVersionConfig, &c.useLatest},
		{LatestCompatibilityStrict, &c.latestStrict},
		{ConnectMetaDataConfig, &c.data.ConnectMetaData},
		{EnhancedAvroSchemaSupport, &c.data.EnhancedSchemaSupport},
		{ScrubInvalidNamesConfig, &c.data.ScrubInvalidNames},
		{AllowOptionalMapKeysConfig, &c.data.AllowOptionalMapKeys},
		{FlattenSingletonUnionsConfig, &c.data.FlattenSingletonUnions},
		{IgnoreDefaultForNullables, &c.data.IgnoreDefaultForNullables},
	}
	for _, b := range bools {
		if v, ok := props[b.key]; ok {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				*b.dst = true
			case "false":
				*b.dst = false
			default:
				return c, &schemas.ConfigError{Key: b.key, Value: v, Reason: "Expected value to be either true or false"}
			}
		}
	}
	ints := []struct {
		key string
		def int
		min int
		dst *int
	}{
		{SchemasCacheConfig, defaultSchemasCacheSize, 1, &c.data.CacheSize},
		{MaxSchemasPerSubjectConfig, defaultMaxSchemasPerSubject, 1, &c.maxPerSubject},
	}
	for _, i := range ints {
		if *i.dst, err = intConfig(props, i.key, i.def, i.min); err != nil {
			return c, err
		}
	}
	c.registry.cacheSize = c.maxPerSubject
	millis := []struct {
		key string
		def int
		dst *time.Duration
	}{
		{HTTPConnectTimeoutConfig, defaultHTTPTimeoutMillis, &c.registry.connectTimeout},
		{HTTPReadTimeoutConfig, defaultHTTPTimeoutMillis, &c.registry.readTimeout},
		{RetriesWaitConfig, defaultRetriesWaitMillis, &c.registry.retryWait},
		{RetriesMaxWaitConfig, defaultRetriesMaxWaitMillis, &c.registry.retryMaxWait},
	}
	for _, m := range millis {
		n, err := intConfig(props, m.key, m.def, 0)
		if err != nil {
			return c, err
		}
		*m.dst = time.Duration(n) * time.Millisecond
	}
	if c.registry.maxRetries, err = intConfig(props, MaxRetriesConfig, defaultMaxRetries, 0); err != nil {
		return c, err
	}
	ttl, err := intConfig(props, LatestCacheTTLConfig, -1, -1)
	if err != nil {
		return c, err
	}
	c.registry.latestTTL = time.Duration(ttl) * time.Second
	if ttl < 0 {
		c.registry.latestTTL = -1
	}

	switch src := strings.ToUpper(strings.TrimSpace(valueOr(props, BasicAuthCredentialsSource, credentialsSourceURL))); src {
	case credentialsSourceURL:
	case credentialsSourceUserInfo:
		info := valueOr(props, BasicAuthUserInfoConfig, props[legacyUserInfoConfig])
		if !strings.Contains(info, ":") {
			return c, &schemas.ConfigError{Key: BasicAuthUserInfoConfig, Value: "[hidden]",
				Reason: "basic.auth.credentials.source is USER_INFO, so this must be {username}:{password}"}
		}
		c.registry.userInfo = info
	case credentialsSourceSASLInherit:
		return c, &schemas.ConfigError{Key: BasicAuthCredentialsSource, Value: props[BasicAuthCredentialsSource],
			Reason: "SASL_INHERIT is not supported by sluice; use USER_INFO with basic.auth.user.info"}
	default:
		return c, &schemas.ConfigError{Key: BasicAuthCredentialsSource, Value: props[BasicAuthCredentialsSource],
			Reason: "String must be one of: URL, USER_INFO"}
	}
	if src := strings.ToUpper(valueOr(props, BearerAuthCredentialsSource, bearerSourceStaticToken)); src != bearerSourceStaticToken {
		return c, &schemas.ConfigError{Key: BearerAuthCredentialsSource, Value: props[BearerAuthCredentialsSource],
			Reason: "only STATIC_TOKEN is supported"}
	}
	c.registry.bearerToken = props[BearerAuthTokenConfig]
	var headers []string
	for k, v := range props {
		if name, ok := strings.CutPrefix(k, RequestHeaderPrefix); ok && name != "" {
			headers = append(headers, name+"="+v)
		}
	}
	slices.Sort(headers)
	c.registry.headers = strings.Join(headers, "\n")
	if c.registry.ssl, c.tls, err = sslConfig(props); err != nil {
		return c, err
	}

	if c.keyStrategy, err = strategyConfig(props, KeySubjectNameStrategyConfig); err != nil {
		return c, err
	}
	if c.valueStrategy, err = strategyConfig(props, ValSubjectNameStrategyConfig); err != nil {
		return c, err
	}
	if c.useLatest && c.autoRegister {
		// Confluent's serializer ignores use.latest.version when it
		// registers schemas; saying so beats surprising.
		return c, &schemas.ConfigError{Key: UseLatestVersionConfig, Value: "true",
			Reason: "use.latest.version needs auto.register.schemas=false"}
	}
	return c, nil
}

// sslConfig reads the schema.registry.ssl.* keys into the registry client's
// TLS settings (nil without any) and their identity: sorted key=value lines.
// As Confluent's client, it reads them whatever the URLs' scheme (a
// truststore that cannot be read is an error), and http:// URLs do not use
// them. A schema.registry.ssl.* key sluice does not read, or a value it
// cannot honour, is an error naming the key: sluice never talks to the
// registry with less security than configured.
func sslConfig(props map[string]string) (string, *tls.Config, error) {
	known := tlsconf.Keys()
	ssl := map[string]string{}
	var lines []string
	for k, v := range props {
		key, ok := strings.CutPrefix(k, RegistrySSLPrefix)
		if !ok || !strings.HasPrefix(key, "ssl.") {
			continue
		}
		if key == tlsconf.KeyClientAuth {
			continue // a server's key; clients ignore it, as Kafka's do
		}
		if !slices.Contains(known, key) {
			// The value is not shown: a misspelt password key holds a password.
			return "", nil, &schemas.ConfigError{Key: k, Value: "[hidden]",
				Reason: "sluice does not support this key for the schema registry client (it reads " +
					RegistrySSLPrefix + "ssl.truststore.*, " + RegistrySSLPrefix + "ssl.keystore.*, ... as Kafka's ssl.* client keys)"}
		}
		ssl[key] = v
		lines = append(lines, key+"="+v)
	}
	if len(ssl) == 0 {
		return "", nil, nil
	}
	slices.Sort(lines)
	cfg, err := tlsconf.Client(ssl)
	if err != nil {
		key := firstKey(err.Error())
		return "", nil, &schemas.ConfigError{Key: RegistrySSLPrefix + key, Value: sslValue(key, ssl[key]),
			Reason: prefixKeys(err.Error())}
	}
	return strings.Join(lines, "\n"), cfg, nil
}

// sslValue is how a schema.registry.ssl.* value appears in an error.
func sslValue(key, v string) string {
	if tlsconf.IsPasswordKey(key) {
		return "[hidden]"
	}
	return v
}

// sslKeysLongestFirst are tlsconf's keys, the longest first, so that a
// key that begins another is not matched inside it.
func sslKeysLongestFirst() []string {
	keys := tlsconf.Keys()
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	return keys
}

// firstKey returns the ssl.* key that a tlsconf error names first.
func firstKey(msg string) string {
	best, at := tlsconf.KeyTruststoreLocation, len(msg)+1
	for _, k := range sslKeysLongestFirst() {
		if i := strings.Index(msg, k); i >= 0 && i < at {
			best, at = k, i
		}
	}
	return best
}

// prefixKeys names the ssl.* keys in a tlsconf error as the converter's
// user wrote them: schema.registry.ssl.*.
func prefixKeys(msg string) string {
	var pairs []string
	for _, k := range sslKeysLongestFirst() {
		pairs = append(pairs, k, RegistrySSLPrefix+k)
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

func valueOr(props map[string]string, key, def string) string {
	if v, ok := props[key]; ok && strings.TrimSpace(v) != "" {
		return v
	}
	return def
}

func intConfig(props map[string]string, key string, def, min int) (int, error) {
	v, ok := props[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, &schemas.ConfigError{Key: key, Value: v, Reason: "Not a number of type INT"}
	}
	if n < min {
		return 0, &schemas.ConfigError{Key: key, Value: v, Reason: fmt.Sprintf("Value must be at least %d", min)}
	}
	return n, nil
}

func strategyConfig(props map[string]string, key string) (string, error) {
	v, ok := props[key]
	if !ok {
		return strategyTopicName, nil
	}
	name := strings.TrimSpace(v)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		if !strings.HasPrefix(name, "io.confluent.kafka.serializers.subject.") {
			return "", &schemas.ConfigError{Key: key, Value: v,
				Reason: "Class " + name + " could not be found; sluice provides TopicNameStrategy, RecordNameStrategy and TopicRecordNameStrategy"}
		}
		name = name[i+1:]
	}
	switch name {
	case strategyTopicName, strategyRecordName, strategyTopicRecordName:
		return name, nil
	}
	return "", &schemas.ConfigError{Key: key, Value: v,
		Reason: "Class " + v + " could not be found; sluice provides TopicNameStrategy, RecordNameStrategy and TopicRecordNameStrategy"}
}
