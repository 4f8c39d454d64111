package runtime

import (
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/config/provider"
	"github.com/sluicehq/sluice/internal/allowedpaths"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/redact"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// connector.client.config.override.policy's values.
const (
	PolicyAll       = "All"
	PolicyNone      = "None"
	PolicyPrincipal = "Principal"
)

// Worker configuration keys, as Kafka Connect names them.
const (
	BootstrapServers         = "bootstrap.servers"
	KeyConverter             = "key.converter"
	ValueConverter           = "value.converter"
	HeaderConverter          = "header.converter"
	OffsetFileName           = "offset.storage.file.filename"
	OffsetFlushInterval      = "offset.flush.interval.ms"
	OffsetFlushTimeout       = "offset.flush.timeout.ms"
	TaskShutdownTimeout      = "task.shutdown.graceful.timeout.ms"
	ClientID                 = "client.id"
	Listeners                = "listeners"
	RestAdvertisedHost       = "rest.advertised.host.name"
	RestAdvertisedPort       = "rest.advertised.port"
	RestAdvertisedListener   = "rest.advertised.listener"
	PluginPath               = "plugin.path"
	PluginDiscovery          = "plugin.discovery"
	ClientOverridePolicy     = "connector.client.config.override.policy"
	ConfigFileName           = "config.storage.file.filename"
	TopicTrackingEnable      = "topic.tracking.enable"
	TopicTrackingAllowReset  = "topic.tracking.allow.reset"
	TopicCreationEnable      = "topic.creation.enable"
	ConfigProviders          = "config.providers"
	AdminListeners           = "admin.listeners"
	AllowOrigin              = "access.control.allow.origin"
	AllowMethods             = "access.control.allow.methods"
	TasksMaxLimit            = "tasks.max.limit"
	ConnectorConfigMaxBytes  = "connector.config.max.bytes"
	ConnectorsMax            = "connectors.max"
	RestExtensionClasses     = "rest.extension.classes"
	RestJAASFile             = "rest.basic.auth.jaas.config.file"
	RestConsoleEnable        = "rest.console.enable"
	SSLClientAuth            = "ssl.client.auth"
	defaultHeaderConverter   = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
	groupCommon, groupRest   = "Common", "REST"
	groupOffsets, groupKafka = "Offsets", "Kafka"
)

// BasicAuthExtension is Kafka Connect's REST extension for HTTP basic
// authentication, the one rest.extension.classes may name.
const BasicAuthExtension = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"

// The prefixes of the SSL settings of https listeners and admin
// listeners: if any key has the prefix, only those keys are used (Kafka
// Connect's valuesWithPrefixAllOrNothing); else the top-level ssl.* keys.
const (
	ListenersHTTPSPrefix      = "listeners.https."
	AdminListenersHTTPSPrefix = "admin.listeners.https."
)

// WorkerDef is the definition of the worker configuration keys sluice
// shares with Kafka Connect's WorkerConfig and StandaloneConfig.
func WorkerDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: BootstrapServers, Type: config.List, Default: "localhost:9092", Importance: config.High, Group: groupKafka,
			Doc: "A list of host:port pairs to use for establishing the initial connection to the Kafka cluster."}).
		Define(config.Key{Name: KeyConverter, Type: config.Class, Default: config.NoDefault, Importance: config.High, Group: groupCommon,
			Doc: "Converter class for record keys, e.g. org.apache.kafka.connect.json.JsonConverter. Its settings are given as key.converter.<setting>."}).
		Define(config.Key{Name: ValueConverter, Type: config.Class, Default: config.NoDefault, Importance: config.High, Group: groupCommon,
			Doc: "Converter class for record values. Its settings are given as value.converter.<setting>."}).
		Define(config.Key{Name: HeaderConverter, Type: config.Class, Default: defaultHeaderConverter, Importance: config.Low, Group: groupCommon,
			Doc: "HeaderConverter class for record headers."}).
		Define(config.Key{Name: KeyConverterVersion, Type: config.String, Default: nil, Validator: versionValidator(), Importance: config.Low, Group: groupCommon,
			Doc: "Version of the key converter. " + versionDoc}).
		Define(config.Key{Name: ValueConverterVersion, Type: config.String, Default: nil, Validator: versionValidator(), Importance: config.Low, Group: groupCommon,
			Doc: "Version of the value converter. " + versionDoc}).
		Define(config.Key{Name: HeaderConverterVersion, Type: config.String, Default: nil, Validator: versionValidator(), Importance: config.Low, Group: groupCommon,
			Doc: "Version of the header converter. " + versionDoc}).
		Define(config.Key{Name: OffsetFileName, Type: config.String, Default: "", Importance: config.High, Group: groupOffsets,
			Doc: "File to store source connector offsets in (standalone mode); written atomically as JSON."}).
		Define(config.Key{Name: ConfigFileName, Type: config.String, Default: "", Importance: config.High, Group: groupOffsets,
			Doc: "File to store connector configurations in (standalone mode), so that connectors created through the REST API survive a restart; written atomically as JSON. Empty means offset.storage.file.filename with .connectors.json appended. sluice only: Kafka Connect's standalone mode keeps them in memory."}).
		Define(config.Key{Name: OffsetFlushInterval, Type: config.Long, Default: int64(60000), Validator: config.AtLeast(1), Importance: config.Low, Group: groupOffsets,
			Doc: "Interval at which to commit task offsets, in milliseconds."}).
		Define(config.Key{Name: OffsetFlushTimeout, Type: config.Long, Default: int64(5000), Validator: config.AtLeast(1), Importance: config.Low, Group: groupOffsets,
			Doc: "Milliseconds to wait for records to be acknowledged by Kafka when a source task stops, before giving up on committing their offsets."}).
		Define(config.Key{Name: TaskShutdownTimeout, Type: config.Long, Default: int64(5000), Validator: config.AtLeast(0), Importance: config.Low, Group: groupCommon,
			Doc: "Milliseconds to wait for tasks to shut down gracefully."}).
		Define(config.Key{Name: ClientID, Type: config.String, Default: "", Importance: config.Low, Group: groupKafka,
			Doc: "An id string to pass to the Kafka brokers with requests."}).
		Define(config.Key{Name: Listeners, Type: config.List, Default: "http://:8083", Importance: config.Low, Group: groupRest,
			Doc: "List of comma-separated URIs the REST API will listen on."}).
		Define(config.Key{Name: RestAdvertisedHost, Type: config.String, Default: nil, Importance: config.Low, Group: groupRest,
			Doc: "Hostname given out to other workers to connect to."}).
		Define(config.Key{Name: RestAdvertisedPort, Type: config.Int, Default: nil, Importance: config.Low, Group: groupRest,
			Doc: "Port given out to other workers to connect to."}).
		Define(config.Key{Name: RestAdvertisedListener, Type: config.String, Default: nil, Importance: config.Low, Group: groupRest,
			Doc: "Advertised listener scheme (HTTP or HTTPS)."}).
		Define(config.Key{Name: AdminListeners, Type: config.List, Default: nil, Importance: config.Low, Group: groupRest,
			Doc: "List of comma-separated URIs the admin REST API (/admin/loggers) listens on. Unset: the admin endpoints are served on listeners. Empty: they are disabled."}).
		Define(config.Key{Name: RestExtensionClasses, Type: config.List, Default: "", Importance: config.Low, Group: groupRest,
			Doc: "Comma-separated REST extension classes. sluice has one, " + BasicAuthExtension + ": HTTP basic authentication of every request but the two signed internal ones, against the users of the PropertyFileLoginModule file named in the KafkaConnect entry of a JAAS configuration file (" + RestJAASFile + ", else -Djava.security.auth.login.config=... in the KAFKA_OPTS environment variable). Any other class is a start-up error."}).
		Define(config.Key{Name: RestJAASFile, Type: config.String, Default: "", Importance: config.Low, Group: groupRest,
			Doc: "sluice only: the JAAS configuration file of " + BasicAuthExtension + "; it wins over -Djava.security.auth.login.config=... in KAFKA_OPTS. Set without the extension in rest.extension.classes, it is a start-up error."}).
		Define(config.Key{Name: RestConsoleEnable, Type: config.Boolean, Default: true, Importance: config.Low, Group: groupRest,
			Doc: "sluice only: whether the REST listeners serve the web console at /ui/ (connectors, tasks, throughput and lag charts, actions, offsets, configuration editing with live validation), behind the same authentication as the REST API. false: /ui/ is an unknown path (404)."}).
		Define(config.Key{Name: SSLClientAuth, Type: config.String, Default: "none", Validator: config.ValidString("none", "requested", "required"), Importance: config.Low, Group: groupRest,
			Doc: "Whether https REST listeners ask clients for a certificate: none, requested (checked if given) or required (mutual TLS). listeners.https.ssl.client.auth (admin.listeners.https.ssl.client.auth) sets it for listeners (admin listeners) alone."}).
		Define(config.Key{Name: AllowOrigin, Type: config.String, Default: "", Importance: config.Low, Group: groupRest,
			Doc: "Value to set the Access-Control-Allow-Origin header to for REST API requests. To enable cross origin access, set this to the domain of the application that should be permitted to access the API, or '*' to allow access from any domain. The default value only allows access from the domain of the REST API."}).
		Define(config.Key{Name: AllowMethods, Type: config.String, Default: "", Importance: config.Low, Group: groupRest,
			Doc: "Sets the methods supported for cross origin requests by setting the Access-Control-Allow-Methods header. The default value of the Access-Control-Allow-Methods header allows cross origin requests for GET, POST and HEAD."}).
		Define(config.Key{Name: TopicTrackingEnable, Type: config.Boolean, Default: true, Importance: config.Low, Group: groupCommon,
			Doc: "Enable tracking the set of active topics per connector during runtime."}).
		Define(config.Key{Name: TopicTrackingAllowReset, Type: config.Boolean, Default: true, Importance: config.Low, Group: groupCommon,
			Doc: "If set to true, it allows user requests to reset the set of active topics per connector."}).
		Define(config.Key{Name: TopicCreationEnable, Type: config.Boolean, Default: true, Importance: config.Low, Group: groupCommon,
			Doc: "Whether source connectors whose configuration has topic.creation.* keys create the topics they write to: each task creates a missing topic with an admin client, as the connector's topic creation groups say, instead of relying on the brokers' automatic topic creation."}).
		Define(config.Key{Name: ConfigProviders, Type: config.List, Default: "", Importance: config.Low, Group: groupCommon,
			Doc: "Comma-separated names of ConfigProvider classes, loaded and used in the order specified. Each is configured with config.providers.<name>.class and config.providers.<name>.param.<key>; connector configurations then refer to values as ${<name>:[path:]key}, resolved when connectors and tasks start and never stored resolved. sluice provides EnvVarConfigProvider, FileConfigProvider and DirectoryConfigProvider."}).
		Define(config.Key{Name: FileConnectorAllowedPaths, Type: config.String, Default: "", Importance: config.Medium, Group: groupCommon,
			Doc: "sluice only: comma-separated absolute directories (or files) that must exist, to which the file connectors (FileStreamSource, FileStreamSink) are restricted, in the spirit of the file config providers' allowed.paths (KIP-993). A file outside them is an error on the connector's file key in validation (400), and a stored configuration naming one fails the connector and its tasks at start. Paths are compared with . and .. removed and symbolic links resolved. An empty file (stdin, stdout) stays allowed. Empty (the default): no restriction, as in Kafka Connect; sluice dev sets its own folder."}).
		Define(config.Key{Name: PluginPath, Type: config.List, Default: nil, Importance: config.Low, Group: groupCommon,
			Doc: "Comma-separated directories holding plugin executables (connectors built with the SDK's serve function, each its own program), found at start-up and run out of process. A relative directory is taken relative to the worker's working directory. A file in them that is not a sluice plugin is skipped with a warning; a class already compiled into the worker is skipped with a warning. Java plugin directories and JARs are not loaded."}).
		Define(config.Key{Name: PluginDiscovery, Type: config.String, Default: "hybrid_warn",
			Validator: config.CaseInsensitiveValidString("only_scan", "hybrid_warn", "hybrid_fail", "service_load"), Importance: config.Low, Group: groupCommon,
			Doc: "Accepted for compatibility and ignored: sluice has no class scanning; every plugin.path executable describes its own plugins."}).
		Define(config.Key{Name: TasksMaxLimit, Type: config.Int, Default: int32(DefaultTasksMaxLimit), Validator: config.AtLeast(1), Importance: config.Medium, Group: groupCommon,
			Doc: "sluice only: the largest tasks.max a connector may have on this worker. A configuration above it is refused by validation (400 naming tasks.max), and a stored one makes its connector FAILED before the connector is asked for task configurations, so an absurd tasks.max never allocates per requested task."}).
		Define(config.Key{Name: ConnectorConfigMaxBytes, Type: config.Int, Default: int32(DefaultConnectorConfigMaxBytes), Validator: config.AtLeast(1024), Importance: config.Medium, Group: groupCommon,
			Doc: "sluice only: the largest connector configuration this worker accepts, in bytes of its keys and values together. A larger one is refused with 413. In distributed mode a configuration is one record of the config topic, which the producer (max.request.size) and the broker (message.max.bytes) limit to about 1 MB by default."}).
		Define(config.Key{Name: ConnectorsMax, Type: config.Int, Default: int32(DefaultConnectorsMax), Validator: config.AtLeast(1), Importance: config.Medium, Group: groupCommon,
			Doc: "sluice only: the most connectors this worker (standalone) or cluster (distributed) holds; creating one more is refused with 400."}).
		Define(config.Key{Name: ClientOverridePolicy, Type: config.String, Default: "All", Validator: config.ValidString(PolicyAll, PolicyNone, PolicyPrincipal), Importance: config.Medium, Group: groupCommon,
			Doc: "Which client settings connectors may override with producer.override.*, consumer.override.* and admin.override.*: All; None; or Principal, only sasl.jaas.config, sasl.mechanism and security.protocol."}).
		Define(config.Key{Name: kafka.SecurityProtocolKey, Type: config.String, Default: kafka.ProtocolPlaintext, Importance: config.Medium, Group: groupKafka,
			Doc: "Protocol used to communicate with brokers: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. Taken by the admin clients and, in distributed mode, the internal topics' clients and the group member; the producers and consumers of tasks take producer.security.protocol and consumer.security.protocol."}).
		Define(config.Key{Name: kafka.SASLMechanismKey, Type: config.String, Default: "GSSAPI", Importance: config.Medium, Group: groupKafka,
			Doc: "SASL mechanism used for client connections: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI."}).
		Define(config.Key{Name: kafka.SASLJAASConfigKey, Type: config.Password, Default: nil, Importance: config.Medium, Group: groupKafka,
			Doc: "JAAS login context parameters for SASL connections, in the format used by JAAS configuration files: loginModuleClass controlFlag (optionName=optionValue)*;"}).
		Define(config.Key{Name: "sasl.oauthbearer.client.credentials.client.secret", Type: config.Password, Default: nil, Importance: config.Medium, Group: groupKafka,
			Doc: "The OAuth client secret of the client credentials grant (OAUTHBEARER); the JAAS option clientSecret is read when it is not set."})
}

// WorkerConfig is a parsed worker configuration.
type WorkerConfig struct {
	Values           *config.Values
	BootstrapServers []string
	OffsetFile       string
	FlushInterval    time.Duration
	FlushTimeout     time.Duration
	ShutdownTimeout  time.Duration
	ClientID         string
	// OverridePolicy is connector.client.config.override.policy: All,
	// None or Principal.
	OverridePolicy string
	WorkerID       string
	ListenAddress  string // host:port of the advertised listener
	ProducerProps  map[string]string
	ConsumerProps  map[string]string
	AdminProps     map[string]string
	// ClientProps are the worker's top-level client keys (security and
	// connection keys, unprefixed): what Kafka Connect's admin clients
	// (under admin.*) and its internal clients take.
	ClientProps map[string]string
	ConfigFile  string
	// TopicTracking and TopicTrackingReset are topic.tracking.enable and
	// topic.tracking.allow.reset.
	TopicTracking, TopicTrackingReset bool
	// TopicCreation is topic.creation.enable: source tasks create their
	// topics as their connectors' topic.creation.* keys say (KIP-158).
	TopicCreation bool
	// Secrets are the secret values this worker knows (its own secret
	// settings; the connectors' provider values and secret settings as they
	// start): scrubbed out of logs, status traces and REST errors.
	Secrets *redact.Set
	// FileAllowedPaths is file.connector.allowed.paths.
	FileAllowedPaths allowedpaths.Paths
	// Providers resolves config provider variables; nil if none are set.
	Providers *provider.Transformer
	// PluginPath is plugin.path: absolute directories (a relative one
	// resolved against the working directory), empty entries dropped.
	PluginPath []string
	// Listeners are the REST listeners' host:port addresses;
	// ListenersHTTPS tells which of them are https.
	Listeners      []string
	ListenersHTTPS []bool
	// AdminListeners are admin.listeners' addresses; AdminListenersSet
	// tells unset (admin endpoints on Listeners) from empty (disabled).
	AdminListeners      []string
	AdminListenersHTTPS []bool
	AdminListenersSet   bool
	// ListenersSSL and AdminListenersSSL are the ssl.* settings of https
	// listeners and https admin listeners (keys without the listener
	// prefix); ClientSSL those of the worker's requests to other workers
	// (the top-level ssl.* keys, as Kafka Connect's RestClient takes).
	ListenersSSL, AdminListenersSSL, ClientSSL map[string]string
	// RestBasicAuth is rest.extension.classes naming
	// BasicAuthExtension; RestJAASFile is rest.basic.auth.jaas.config.file.
	RestBasicAuth bool
	RestJAASFile  string
	// Console is rest.console.enable: the REST listeners serve the web
	// console at /ui/.
	Console bool
	// AdvertisedScheme is http or https: rest.advertised.listener, else
	// http if a listener is http. AdvertisedListener is the index in
	// Listeners of the first listener of that scheme (0 if none is),
	// whose host and port are advertised unless rest.advertised.host.name
	// and rest.advertised.port say otherwise.
	AdvertisedScheme   string
	AdvertisedListener int
	// TasksMaxLimit, ConfigMaxBytes and ConnectorsMax are tasks.max.limit,
	// connector.config.max.bytes and connectors.max.
	TasksMaxLimit  int
	ConfigMaxBytes int
	ConnectorsMax  int
}

// Defaults of the worker's limits (sluice only).
//
// 1000 tasks per connector is more than any topic's partitions a sink could
// spread over and than any source's partitions in practice, while each task
// costs a goroutine set and a Kafka client of its own. A connector
// configuration of 512 KiB is far beyond real ones (a few KiB; tens with an
// inline schema) and fits, with room for JSON escaping, in one record of the
// distributed config topic, which Kafka's producer and broker bound to about
// 1 MB. 1000 connectors bound a worker's stored configurations to 500 MiB at
// worst.
const (
	DefaultTasksMaxLimit           = 1000
	DefaultConnectorConfigMaxBytes = 512 << 10
	DefaultConnectorsMax           = 1000
)

// ParseWorkerConfig parses and validates a worker configuration: the keys
// of WorkerDef and those of extra (distributed mode's). An error names
// every key that is missing or malformed.
func ParseWorkerConfig(props map[string]string, log *slog.Logger, extra ...*config.Def) (*WorkerConfig, error) {
	def := WorkerDef()
	for _, d := range extra {
		def = def.Merge(d)
	}
	// The worker's own configuration may refer to its config providers, as
	// Kafka's (AbstractConfig resolves them): sasl.jaas.config=${file:…}
	// keeps a password out of worker.properties. Where Kafka leaves a
	// variable it cannot resolve in place, start-up stops naming the key.
	providers, err := provider.NewTransformer(props)
	if err != nil {
		return nil, err
	}
	props, resolved, err := providers.Resolve(props)
	if err != nil {
		return nil, fmt.Errorf("worker configuration: %w", err)
	}
	// The worker's secrets (what providers gave, values of secret keys) are
	// known from here on: every message below, logged or returned, is
	// scrubbed of them (an "Invalid value …" error quotes the value).
	secrets := redact.NewSet()
	values := resolved
	for k, val := range props {
		if config.IsSecret(k, def) {
			values = append(values, val)
		}
	}
	secrets.Put("worker", values...)
	log = logging.Wrap(log, func(h slog.Handler) slog.Handler { return redact.NewHandler(h, secrets) })
	wc, err := parseWorkerConfig(props, def, log)
	if err != nil {
		return nil, secrets.Error(err)
	}
	wc.Providers, wc.Secrets = providers, secrets
	return wc, nil
}

// parseWorkerConfig is ParseWorkerConfig once config provider variables
// are resolved.
func parseWorkerConfig(props map[string]string, def *config.Def, log *slog.Logger) (*WorkerConfig, error) {
	v, err := def.Parse(props)
	if err != nil {
		return nil, err
	}
	wc := &WorkerConfig{
		Values:             v,
		BootstrapServers:   v.List(BootstrapServers),
		OffsetFile:         v.String(OffsetFileName),
		FlushInterval:      time.Duration(v.Long(OffsetFlushInterval)) * time.Millisecond,
		FlushTimeout:       time.Duration(v.Long(OffsetFlushTimeout)) * time.Millisecond,
		ShutdownTimeout:    time.Duration(v.Long(TaskShutdownTimeout)) * time.Millisecond,
		ClientID:           v.String(ClientID),
		OverridePolicy:     v.String(ClientOverridePolicy),
		ProducerProps:      v.OriginalsWithPrefix("producer."),
		ConsumerProps:      v.OriginalsWithPrefix("consumer."),
		AdminProps:         v.OriginalsWithPrefix("admin."),
		ClientProps:        kafka.TopLevelClientProps(v.Originals()),
		ConfigFile:         v.String(ConfigFileName),
		TopicTracking:      v.Bool(TopicTrackingEnable),
		TopicTrackingReset: v.Bool(TopicTrackingAllowReset),
		TopicCreation:      v.Bool(TopicCreationEnable),
		TasksMaxLimit:      v.Int(TasksMaxLimit),
		ConfigMaxBytes:     v.Int(ConnectorConfigMaxBytes),
		ConnectorsMax:      v.Int(ConnectorsMax),
		Console:            v.Bool(RestConsoleEnable),
	}
	if wc.ConfigFile == "" && wc.OffsetFile != "" {
		wc.ConfigFile = wc.OffsetFile + ".connectors.json"
	}
	// admin.listeners and its SSL settings are the REST admin server's.
	for k := range wc.AdminProps {
		if k == "listeners" || strings.HasPrefix(k, "listeners.") {
			delete(wc.AdminProps, k)
		}
	}
	https := false
	for _, l := range append(v.List(Listeners), v.List(AdminListeners)...) {
		https = https || strings.HasPrefix(strings.ToLower(strings.TrimSpace(l)), "https:")
	}
	if err := wc.checkClients(log, https); err != nil {
		return nil, err
	}
	if wc.FileAllowedPaths, err = allowedpaths.Parse(FileConnectorAllowedPaths, v.String(FileConnectorAllowedPaths)); err != nil {
		return nil, &config.ValueError{Name: FileConnectorAllowedPaths, Value: v.String(FileConnectorAllowedPaths), Reason: err.Error()}
	}
	if len(wc.BootstrapServers) == 0 {
		return nil, &config.Error{Problems: []config.Problem{{Key: BootstrapServers, Message: "Invalid value for configuration bootstrap.servers: at least one host:port is required"}}}
	}
	for _, k := range []string{"response.http.headers.config"} {
		if props[k] != "" {
			log.Warn("worker setting not supported by sluice; ignored", "key", k)
		}
	}
	if err := wc.parseRestSecurity(v, props); err != nil {
		return nil, err
	}
	if wc.PluginPath, err = ParsePluginPath(v.List(PluginPath)); err != nil {
		return nil, err
	}
	if _, ok := props[PluginDiscovery]; ok {
		log.Info("plugin.discovery is ignored: sluice has no class scanning; each plugin.path executable describes its own plugins",
			"plugin.discovery", v.String(PluginDiscovery))
	}
	if wc.Listeners, wc.ListenersHTTPS, err = listenerAddrs(Listeners, v.List(Listeners)); err != nil {
		return nil, err
	}
	if len(wc.Listeners) == 0 {
		return nil, &config.Error{Problems: []config.Problem{{Key: Listeners, Message: "Invalid value for configuration listeners: at least one listener is required"}}}
	}
	if _, ok := props[AdminListeners]; ok {
		wc.AdminListenersSet = true
		if wc.AdminListeners, wc.AdminListenersHTTPS, err = listenerAddrs(AdminListeners, v.List(AdminListeners)); err != nil {
			return nil, err
		}
	}
	// The advertised scheme: rest.advertised.listener, else http if a
	// listener is http, else https; the host and port are those of the
	// first listener of that scheme (RestServer.advertisedUrl).
	wc.AdvertisedScheme = "https"
	if slices.Contains(wc.ListenersHTTPS, false) {
		wc.AdvertisedScheme = "http"
	}
	if l := v.String(RestAdvertisedListener); l != "" {
		switch strings.ToLower(l) {
		case "http", "https":
			wc.AdvertisedScheme = strings.ToLower(l)
		default:
			return nil, &config.Error{Problems: []config.Problem{{Key: RestAdvertisedListener, Message: fmt.Sprintf("Invalid value %s for configuration %s: must be http or https", l, RestAdvertisedListener)}}}
		}
	}
	wc.AdvertisedListener = max(0, slices.Index(wc.ListenersHTTPS, wc.AdvertisedScheme == "https"))
	host, port, _ := net.SplitHostPort(wc.Listeners[wc.AdvertisedListener])
	wc.ListenAddress = wc.Listeners[wc.AdvertisedListener]
	advHost, advPort := host, port
	if h := v.String(RestAdvertisedHost); h != "" {
		advHost = h
	}
	if p, ok := v.Get(RestAdvertisedPort).(int32); ok {
		advPort = strconv.Itoa(int(p))
	}
	if advHost == "" {
		advHost = "localhost"
	}
	wc.WorkerID = net.JoinHostPort(advHost, advPort)
	return wc, nil
}

// AdvertisedURL is the REST URL given out to other workers: Kafka
// Connect's RestServer.advertisedUrl, the advertised scheme, host and port.
func (wc *WorkerConfig) AdvertisedURL() string { return wc.AdvertisedScheme + "://" + wc.WorkerID }

// parseRestSecurity reads rest.extension.classes, the JAAS file key and
// the SSL settings of https listeners.
func (wc *WorkerConfig) parseRestSecurity(v *config.Values, props map[string]string) error {
	var problems []config.Problem
	for _, c := range v.List(RestExtensionClasses) {
		if c == BasicAuthExtension {
			wc.RestBasicAuth = true
			continue
		}
		problems = append(problems, config.Problem{Key: RestExtensionClasses, Message: fmt.Sprintf(
			"Invalid value %s for configuration %s: sluice has no such REST extension; it has %s only", c, RestExtensionClasses, BasicAuthExtension)})
	}
	wc.RestJAASFile = strings.TrimSpace(v.String(RestJAASFile))
	if wc.RestJAASFile != "" && !wc.RestBasicAuth {
		problems = append(problems, config.Problem{Key: RestJAASFile, Message: fmt.Sprintf(
			"%s is set but %s does not name %s: the REST API would not check credentials; add the extension or remove the key", RestJAASFile, RestExtensionClasses, BasicAuthExtension)})
	}
	wc.ClientSSL = sslProps(props, "")
	wc.ListenersSSL = listenerSSLProps(props, ListenersHTTPSPrefix)
	wc.AdminListenersSSL = listenerSSLProps(props, AdminListenersHTTPSPrefix)
	for _, m := range []struct {
		prefix string
		props  map[string]string
	}{{ListenersHTTPSPrefix, wc.ListenersSSL}, {AdminListenersHTTPSPrefix, wc.AdminListenersSSL}} {
		if ca, ok := m.props[SSLClientAuth]; ok && ca != "none" && ca != "requested" && ca != "required" {
			problems = append(problems, config.Problem{Key: m.prefix + SSLClientAuth, Message: fmt.Sprintf(
				"Invalid value %s for configuration %s%s: must be none, requested or required", ca, m.prefix, SSLClientAuth)})
		}
	}
	if len(problems) > 0 {
		return &config.Error{Problems: problems}
	}
	return nil
}

// sslProps returns the ssl.* keys of props that follow prefix, without
// prefix.
func sslProps(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, val := range props {
		if rest, ok := strings.CutPrefix(k, prefix); ok && strings.HasPrefix(rest, "ssl.") {
			out[rest] = val
		}
	}
	return out
}

// listenerSSLProps returns the SSL settings of listeners with prefix, all
// or nothing as Kafka Connect takes them: the prefixed ones if any key has
// the prefix, else the top-level ones. ssl.client.auth has its default.
func listenerSSLProps(props map[string]string, prefix string) map[string]string {
	out := sslProps(props, "")
	for k := range props {
		if strings.HasPrefix(k, prefix) {
			out = sslProps(props, prefix)
			break
		}
	}
	if _, ok := out[SSLClientAuth]; !ok {
		out[SSLClientAuth] = "none"
	}
	return out
}

// UnauthenticatedListeners returns the REST listeners (admin listeners
// included) that accept requests from beyond the machine without any
// authentication: neither basic authentication nor an https listener
// that requires a client certificate signed by a CA of its own truststore
// (without one, any certificate a public CA issued for client
// authentication passes, as the system's roots are used), on an address
// that is not loopback. An empty host (every interface) is shown as
// 0.0.0.0.
func (wc *WorkerConfig) UnauthenticatedListeners() []string {
	if wc.RestBasicAuth {
		return nil
	}
	var out []string
	check := func(addrs []string, https []bool, ssl map[string]string) {
		for i, a := range addrs {
			host, port, _ := net.SplitHostPort(a)
			if isLoopback(host) || https[i] && ssl[SSLClientAuth] == "required" && (ssl["ssl.truststore.location"] != "" || ssl["ssl.truststore.certificates"] != "") {
				continue
			}
			if host == "" {
				host = "0.0.0.0"
			}
			out = append(out, net.JoinHostPort(host, port))
		}
	}
	check(wc.Listeners, wc.ListenersHTTPS, wc.ListenersSSL)
	if wc.AdminListenersSet {
		check(wc.AdminListeners, wc.AdminListenersHTTPS, wc.AdminListenersSSL)
	}
	return out
}

// isLoopback reports whether a listener host binds loopback only:
// localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// listenerAddrs parses listener URIs (http://host:port, https://host:port)
// into host:port addresses and whether each is https, naming the key in
// errors.
func listenerAddrs(key string, listeners []string) ([]string, []bool, error) {
	var out []string
	var https []bool
	for _, l := range listeners {
		host, port, tls, err := listenerHostPort(l)
		if err != nil {
			return nil, nil, &config.Error{Problems: []config.Problem{{Key: key, Message: strings.ReplaceAll(err.Error(), "configuration listeners", "configuration "+key)}}}
		}
		out = append(out, net.JoinHostPort(host, strconv.Itoa(port)))
		https = append(https, tls)
	}
	return out, https, nil
}

// listenerHostPort parses one listener URI, e.g. http://:8083 or
// https://host:8443.
func listenerHostPort(listener string) (host string, port int, https bool, err error) {
	u, err := url.Parse(strings.TrimSpace(listener))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Port() == "" {
		return "", 0, false, fmt.Errorf("Invalid value %s for configuration listeners: must be a URI like http://host:8083 or https://host:8443", listener)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil || p < 0 || p > 65535 {
		return "", 0, false, fmt.Errorf("Invalid value %s for configuration listeners: bad port", listener)
	}
	return u.Hostname(), p, u.Scheme == "https", nil
}

// AdminClientProps are the settings of the worker's admin clients, as
// Kafka Connect's Worker.adminConfigs: the top-level client keys, then
// admin.*.
func (c *WorkerConfig) AdminClientProps() map[string]string {
	out := maps.Clone(c.ClientProps)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, c.AdminProps)
	return out
}

// checkClients builds the settings of every kind of Kafka client the
// worker makes from its keys, so that a security setting sluice cannot
// honour fails the start, naming the key; it warns once per client kind
// about the security keys of a protocol not in use, except the top-level
// ssl.* keys when https listeners use them, and about the connection keys
// sarama has no setting for.
func (c *WorkerConfig) checkClients(log *slog.Logger, https bool) error {
	adminPrefix := func(k string) string {
		if _, ok := c.AdminProps[k]; ok {
			return "admin." + k
		}
		return k
	}
	for _, x := range []struct {
		client, prefix string
		name           func(string) string
		build          func() (kafka.Ignored, error)
	}{
		{"producer", "producer.", nil, func() (kafka.Ignored, error) {
			_, ig, err := kafka.ProducerConfig("check", c.ProducerProps)
			return ig, err
		}},
		{"consumer", "consumer.", nil, func() (kafka.Ignored, error) {
			_, _, ig, err := kafka.ConsumerConfig("check", c.ConsumerProps)
			return ig, err
		}},
		{"admin", "admin.", adminPrefix, func() (kafka.Ignored, error) {
			_, ig, err := kafka.AdminConfig("check", c.AdminClientProps())
			return ig, err
		}},
		{"worker", "", nil, func() (kafka.Ignored, error) {
			_, ig, err := kafka.AdminConfig("check", c.ClientProps)
			return ig, err
		}},
	} {
		ig, err := x.build()
		if err != nil {
			return fmt.Errorf("Kafka %s client settings (worker keys %s*): %w", x.client, x.prefix, err)
		}
		name := x.name
		if name == nil {
			name = prefixer(x.prefix)
		}
		unused := ig.OtherProtocol
		if https {
			unused = slices.DeleteFunc(slices.Clone(unused), func(k string) bool {
				return strings.HasPrefix(name(k), "ssl.")
			})
		}
		WarnOtherProtocol(log, x.client, name, unused)
		if x.client != "worker" { // the worker's keys are the admin clients' too
			warnUnhonoured(log, x.client, name, ig.Unhonoured)
		}
	}
	return nil
}

// warnUnhonoured logs, once per worker, the connection keys of a client
// kind that sarama has no setting for: every client built from the
// worker's settings would report the same.
func warnUnhonoured(log *slog.Logger, client string, name func(string) string, keys []string) {
	if len(keys) > 0 {
		log.Warn("Kafka client settings sluice cannot honour were ignored (sarama has no such setting)", "client", client, "keys", named(name, keys))
	}
}

// named spells keys as name does.
func named(name func(string) string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = name(k)
	}
	return out
}

// WarnOtherProtocol logs, once, the security keys a client ignores because
// its security.protocol does not use them (as Kafka's clients ignore
// them), naming the keys (as name spells them), never their values.
func WarnOtherProtocol(log *slog.Logger, client string, name func(string) string, keys []string) {
	if len(keys) > 0 {
		log.Warn("Kafka client security settings ignored: its security.protocol does not use them", "client", client, "keys", named(name, keys))
	}
}

// prefixer spells a client key with its prefix, for the log.
func prefixer(prefix string) func(string) string { return func(k string) string { return prefix + k } }

// ParsePluginPath returns plugin.path's directories (entries) made
// absolute against the working directory, as Kafka Connect resolves them,
// blank entries dropped; whether each is a directory is checked when the
// plugins are loaded.
func ParsePluginPath(entries []string) ([]string, error) {
	var dirs []string
	for _, e := range entries {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		abs, err := filepath.Abs(e)
		if err != nil {
			return nil, &config.ValueError{Name: PluginPath, Value: e, Reason: err.Error()}
		}
		dirs = append(dirs, abs)
	}
	return dirs, nil
}
