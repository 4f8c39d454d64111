package runtime

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/config/provider"
	"github.com/sluicehq/sluice/internal/allowedpaths"
	"github.com/sluicehq/sluice/internal/redact"
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
	ClientOverridePolicy     = "connector.client.config.override.policy"
	ConfigFileName           = "config.storage.file.filename"
	TopicTrackingEnable      = "topic.tracking.enable"
	TopicTrackingAllowReset  = "topic.tracking.allow.reset"
	ConfigProviders          = "config.providers"
	AdminListeners           = "admin.listeners"
	AllowOrigin              = "access.control.allow.origin"
	AllowMethods             = "access.control.allow.methods"
	TasksMaxLimit            = "tasks.max.limit"
	ConnectorConfigMaxBytes  = "connector.config.max.bytes"
	ConnectorsMax            = "connectors.max"
	defaultHeaderConverter   = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
	groupCommon, groupRest   = "Common", "REST"
	groupOffsets, groupKafka = "Offsets", "Kafka"
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
		Define(config.Key{Name: AllowOrigin, Type: config.String, Default: "", Importance: config.Low, Group: groupRest,
			Doc: "Value to set the Access-Control-Allow-Origin header to for REST API requests. To enable cross origin access, set this to the domain of the application that should be permitted to access the API, or '*' to allow access from any domain. The default value only allows access from the domain of the REST API."}).
		Define(config.Key{Name: AllowMethods, Type: config.String, Default: "", Importance: config.Low, Group: groupRest,
			Doc: "Sets the methods supported for cross origin requests by setting the Access-Control-Allow-Methods header. The default value of the Access-Control-Allow-Methods header allows cross origin requests for GET, POST and HEAD."}).
		Define(config.Key{Name: TopicTrackingEnable, Type: config.Boolean, Default: true, Importance: config.Low, Group: groupCommon,
			Doc: "Enable tracking the set of active topics per connector during runtime."}).
		Define(config.Key{Name: TopicTrackingAllowReset, Type: config.Boolean, Default: true, Importance: config.Low, Group: groupCommon,
			Doc: "If set to true, it allows user requests to reset the set of active topics per connector."}).
		Define(config.Key{Name: ConfigProviders, Type: config.List, Default: "", Importance: config.Low, Group: groupCommon,
			Doc: "Comma-separated names of ConfigProvider classes, loaded and used in the order specified. Each is configured with config.providers.<name>.class and config.providers.<name>.param.<key>; connector configurations then refer to values as ${<name>:[path:]key}, resolved when connectors and tasks start and never stored resolved. sluice provides EnvVarConfigProvider, FileConfigProvider and DirectoryConfigProvider."}).
		Define(config.Key{Name: FileConnectorAllowedPaths, Type: config.String, Default: "", Importance: config.Medium, Group: groupCommon,
			Doc: "sluice only: comma-separated absolute directories (or files) that must exist, to which the file connectors (FileStreamSource, FileStreamSink) are restricted, in the spirit of the file config providers' allowed.paths (KIP-993). A file outside them is an error on the connector's file key in validation (400), and a stored configuration naming one fails the connector and its tasks at start. Paths are compared with . and .. removed and symbolic links resolved. An empty file (stdin, stdout) stays allowed. Empty (the default): no restriction, as in Kafka Connect; sluice dev sets its own folder."}).
		Define(config.Key{Name: PluginPath, Type: config.List, Default: nil, Importance: config.Low, Group: groupCommon,
			Doc: "Accepted for compatibility. sluice's plugins are compiled in; Java plugin directories are not loaded."}).
		Define(config.Key{Name: TasksMaxLimit, Type: config.Int, Default: int32(DefaultTasksMaxLimit), Validator: config.AtLeast(1), Importance: config.Medium, Group: groupCommon,
			Doc: "sluice only: the largest tasks.max a connector may have on this worker. A configuration above it is refused by validation (400 naming tasks.max), and a stored one makes its connector FAILED before the connector is asked for task configurations, so an absurd tasks.max never allocates per requested task."}).
		Define(config.Key{Name: ConnectorConfigMaxBytes, Type: config.Int, Default: int32(DefaultConnectorConfigMaxBytes), Validator: config.AtLeast(1024), Importance: config.Medium, Group: groupCommon,
			Doc: "sluice only: the largest connector configuration this worker accepts, in bytes of its keys and values together. A larger one is refused with 413. In distributed mode a configuration is one record of the config topic, which the producer (max.request.size) and the broker (message.max.bytes) limit to about 1 MB by default."}).
		Define(config.Key{Name: ConnectorsMax, Type: config.Int, Default: int32(DefaultConnectorsMax), Validator: config.AtLeast(1), Importance: config.Medium, Group: groupCommon,
			Doc: "sluice only: the most connectors this worker (standalone) or cluster (distributed) holds; creating one more is refused with 400."}).
		Define(config.Key{Name: ClientOverridePolicy, Type: config.String, Default: "All", Validator: config.ValidString("All", "None"), Importance: config.Medium, Group: groupCommon,
			Doc: "Whether connectors may override producer/consumer settings with producer.override.* and consumer.override.*: All or None."})
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
	AllowOverrides   bool
	WorkerID         string
	ListenAddress    string // host:port of the first listener
	ProducerProps    map[string]string
	ConsumerProps    map[string]string
	AdminProps       map[string]string
	ConfigFile       string
	// TopicTracking and TopicTrackingReset are topic.tracking.enable and
	// topic.tracking.allow.reset.
	TopicTracking, TopicTrackingReset bool
	// Secrets are the secret values this worker knows (its own secret
	// settings; the connectors' provider values and secret settings as they
	// start): scrubbed out of logs, status traces and REST errors.
	Secrets *redact.Set
	// FileAllowedPaths is file.connector.allowed.paths.
	FileAllowedPaths allowedpaths.Paths
	// Providers resolves config provider variables; nil if none are set.
	Providers *provider.Transformer
	// Listeners are the REST listeners' host:port addresses.
	Listeners []string
	// AdminListeners are admin.listeners' addresses; AdminListenersSet
	// tells unset (admin endpoints on Listeners) from empty (disabled).
	AdminListeners    []string
	AdminListenersSet bool
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
		AllowOverrides:     v.String(ClientOverridePolicy) == "All",
		ProducerProps:      v.OriginalsWithPrefix("producer."),
		ConsumerProps:      v.OriginalsWithPrefix("consumer."),
		AdminProps:         v.OriginalsWithPrefix("admin."),
		ConfigFile:         v.String(ConfigFileName),
		TopicTracking:      v.Bool(TopicTrackingEnable),
		TopicTrackingReset: v.Bool(TopicTrackingAllowReset),
		TasksMaxLimit:      v.Int(TasksMaxLimit),
		ConfigMaxBytes:     v.Int(ConnectorConfigMaxBytes),
		ConnectorsMax:      v.Int(ConnectorsMax),
	}
	if wc.ConfigFile == "" && wc.OffsetFile != "" {
		wc.ConfigFile = wc.OffsetFile + ".connectors.json"
	}
	delete(wc.AdminProps, "listeners") // admin.listeners is the REST admin server's
	if wc.Providers, err = provider.NewTransformer(props); err != nil {
		return nil, err
	}
	if wc.FileAllowedPaths, err = allowedpaths.Parse(FileConnectorAllowedPaths, v.String(FileConnectorAllowedPaths)); err != nil {
		return nil, &config.ValueError{Name: FileConnectorAllowedPaths, Value: v.String(FileConnectorAllowedPaths), Reason: err.Error()}
	}
	wc.Secrets = redact.NewSet()
	var secrets []string
	for k, val := range props {
		if config.IsSecret(k, def) {
			secrets = append(secrets, val)
		}
	}
	wc.Secrets.Put("worker", secrets...)
	if len(wc.BootstrapServers) == 0 {
		return nil, &config.Error{Problems: []config.Problem{{Key: BootstrapServers, Message: "Invalid value for configuration bootstrap.servers: at least one host:port is required"}}}
	}
	for _, k := range []string{"rest.extension.classes", "response.http.headers.config", "admin.listeners.https.ssl.keystore.location"} {
		if props[k] != "" {
			log.Warn("worker setting not supported by sluice; ignored", "key", k)
		}
	}
	if len(v.List(PluginPath)) > 0 {
		log.Warn("plugin.path is ignored: sluice's connectors are compiled in", "plugin.path", v.List(PluginPath))
	}
	if wc.Listeners, err = listenerAddrs(Listeners, v.List(Listeners)); err != nil {
		return nil, err
	}
	if len(wc.Listeners) == 0 {
		return nil, &config.Error{Problems: []config.Problem{{Key: Listeners, Message: "Invalid value for configuration listeners: at least one listener is required"}}}
	}
	if _, ok := props[AdminListeners]; ok {
		wc.AdminListenersSet = true
		if wc.AdminListeners, err = listenerAddrs(AdminListeners, v.List(AdminListeners)); err != nil {
			return nil, err
		}
	}
	host, port, _ := net.SplitHostPort(wc.Listeners[0])
	wc.ListenAddress = wc.Listeners[0]
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

// listenerAddrs parses listener URIs (http://host:port) into host:port
// addresses, naming the key in errors.
func listenerAddrs(key string, listeners []string) ([]string, error) {
	var out []string
	for _, l := range listeners {
		host, port, err := listenerHostPort(l)
		if err != nil {
			return nil, &config.Error{Problems: []config.Problem{{Key: key, Message: strings.ReplaceAll(err.Error(), "configuration listeners", "configuration "+key)}}}
		}
		out = append(out, net.JoinHostPort(host, strconv.Itoa(port)))
	}
	return out, nil
}

// listenerHostPort parses one listener URI, e.g. http://:8083.
func listenerHostPort(listener string) (string, int, error) {
	u, err := url.Parse(strings.TrimSpace(listener))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Port() == "" {
		return "", 0, fmt.Errorf("Invalid value %s for configuration listeners: must be a URI like http://host:8083", listener)
	}
	if u.Scheme == "https" {
		return "", 0, fmt.Errorf("Invalid value %s for configuration listeners: HTTPS listeners are not supported by sluice yet; use http:// (behind a TLS-terminating proxy if needed)", listener)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil || p < 0 || p > 65535 {
		return "", 0, fmt.Errorf("Invalid value %s for configuration listeners: bad port", listener)
	}
	return u.Hostname(), p, nil
}
