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
		Define(config.Key{Name: PluginPath, Type: config.List, Default: nil, Importance: config.Low, Group: groupCommon,
			Doc: "Accepted for compatibility. sluice's plugins are compiled in; Java plugin directories are not loaded."}).
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
}

// ParseWorkerConfig parses and validates a worker configuration. An error
// names every key that is missing or malformed.
func ParseWorkerConfig(props map[string]string, log *slog.Logger) (*WorkerConfig, error) {
	v, err := WorkerDef().Parse(props)
	if err != nil {
		return nil, err
	}
	wc := &WorkerConfig{
		Values:           v,
		BootstrapServers: v.List(BootstrapServers),
		OffsetFile:       v.String(OffsetFileName),
		FlushInterval:    time.Duration(v.Long(OffsetFlushInterval)) * time.Millisecond,
		FlushTimeout:     time.Duration(v.Long(OffsetFlushTimeout)) * time.Millisecond,
		ShutdownTimeout:  time.Duration(v.Long(TaskShutdownTimeout)) * time.Millisecond,
		ClientID:         v.String(ClientID),
		AllowOverrides:   v.String(ClientOverridePolicy) == "All",
		ProducerProps:    v.OriginalsWithPrefix("producer."),
		ConsumerProps:    v.OriginalsWithPrefix("consumer."),
	}
	if len(wc.BootstrapServers) == 0 {
		return nil, &config.Error{Problems: []config.Problem{{Key: BootstrapServers, Message: "Invalid value for configuration bootstrap.servers: at least one host:port is required"}}}
	}
	if len(v.List(PluginPath)) > 0 {
		log.Warn("plugin.path is ignored: sluice's connectors are compiled in", "plugin.path", v.List(PluginPath))
	}
	host, port, err := listenerHostPort(v.List(Listeners))
	if err != nil {
		return nil, &config.Error{Problems: []config.Problem{{Key: Listeners, Message: err.Error()}}}
	}
	wc.ListenAddress = net.JoinHostPort(host, strconv.Itoa(port))
	advHost, advPort := host, port
	if h := v.String(RestAdvertisedHost); h != "" {
		advHost = h
	}
	if p, ok := v.Get(RestAdvertisedPort).(int32); ok {
		advPort = int(p)
	}
	if advHost == "" {
		advHost = "localhost"
	}
	wc.WorkerID = net.JoinHostPort(advHost, strconv.Itoa(advPort))
	return wc, nil
}

// listenerHostPort parses the first listener URI, e.g. http://:8083.
func listenerHostPort(listeners []string) (string, int, error) {
	if len(listeners) == 0 {
		return "", 0, fmt.Errorf("Invalid value for configuration listeners: at least one listener is required")
	}
	u, err := url.Parse(strings.TrimSpace(listeners[0]))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Port() == "" {
		return "", 0, fmt.Errorf("Invalid value %s for configuration listeners: must be a URI like http://host:8083", listeners[0])
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil || p < 0 || p > 65535 {
		return "", 0, fmt.Errorf("Invalid value %s for configuration listeners: bad port", listeners[0])
	}
	return u.Hostname(), p, nil
}
