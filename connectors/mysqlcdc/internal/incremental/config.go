package incremental

import (
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/config"
)

// The configuration keys of incremental snapshots and signals, Debezium's.
// signal.data.collection itself is the connector's key.
const (
	ChunkSizeKey       = "incremental.snapshot.chunk.size"
	EnabledChannelsKey = "signal.enabled.channels"
	WatermarkingKey    = "incremental.snapshot.watermarking.strategy"
)

// ChannelSource is the signal channel of the signal table. sluice reads it
// and the kafka channel; Debezium's others (file, jmx, in-process) are
// accepted in signal.enabled.channels and ignored with a WARN.
const ChannelSource = "source"

// Keys returns the definitions of the keys above, for the connector's
// config.Def.
func Keys() []config.Key {
	return []config.Key{
		{Name: ChunkSizeKey, Type: config.Int, Default: DefaultChunkSize, Validator: config.Range(1, MaxChunkSize),
			Importance: config.Medium, Width: config.WidthMedium,
			Doc: "The number of rows an incremental snapshot reads per chunk (per watermark window), at most 100000: a chunk's rows are held in memory."},
		{Name: EnabledChannelsKey, Type: config.List, Default: ChannelSource,
			Importance: config.Medium, Width: config.WidthLong,
			Doc: "The signal channels read: source (rows inserted into signal.data.collection) and kafka (signal.kafka.topic); " +
				"Debezium's file, jmx and in-process channels are not implemented and are ignored with a warning. " +
				"Without source, rows of the signal table are not acted on, as in Debezium, and incremental snapshots cannot run."},
		{Name: KafkaTopicKey, Type: config.String, Default: nil, Importance: config.Medium, Width: config.WidthLong,
			Doc: "The topic of the kafka signal channel (partition 0 is read); <topic.prefix>-signal when not set. " +
				"A signal is a record keyed by topic.prefix with a value {\"id\": ..., \"type\": ..., \"data\": {...}}."},
		{Name: KafkaServersKey, Type: config.String, Default: nil, Importance: config.Medium, Width: config.WidthLong,
			Doc: "The Kafka brokers (host:port,...) of the signal topic; required with the kafka channel. " +
				"signal.consumer.* keys (security.protocol, sasl.*, ssl.*) configure its client."},
		{Name: KafkaGroupKey, Type: config.String, Default: "kafka-signal", Importance: config.Low, Width: config.WidthMedium,
			Doc: "The consumer group whose committed offset on the signal topic says which signals were handled."},
		{Name: KafkaPollTimeoutKey, Type: config.Int, Default: 0, Validator: config.AtLeast(0), Importance: config.Low, Width: config.WidthShort,
			Doc: "Accepted for Debezium's configurations; sluice's channel reads continuously."},
		{Name: WatermarkingKey, Type: config.String, Default: "insert_insert",
			Validator:  config.CaseInsensitiveValidString("insert_insert"),
			Importance: config.Low, Width: config.WidthShort,
			Doc: "How the incremental snapshot marks its windows in the signal table: insert_insert (an open and a close row). " +
				"Debezium's insert_delete is not implemented."},
	}
}

// Settings are the parsed keys.
type Settings struct {
	ChunkSize int
	// SourceChannel is set when signal.enabled.channels names source.
	SourceChannel bool
	// Kafka is set when signal.enabled.channels names kafka.
	Kafka *KafkaSettings
	// Ignored lists the other channels named, which sluice does not read.
	Ignored []string
}

// ParseSettings reads the keys from a connector's properties.
func ParseSettings(props map[string]string) (Settings, error) {
	def := config.NewDef()
	for _, k := range Keys() {
		def.Define(k)
	}
	sub := map[string]string{}
	for _, k := range Keys() {
		if v, ok := props[k.Name]; ok {
			sub[k.Name] = v
		}
	}
	v, err := def.Parse(sub)
	if err != nil {
		return Settings{}, fmt.Errorf("incremental snapshot configuration: %w", err)
	}
	s := Settings{ChunkSize: v.Int(ChunkSizeKey)}
	for _, c := range v.List(EnabledChannelsKey) {
		c = strings.ToLower(strings.TrimSpace(c))
		switch c {
		case "":
		case ChannelSource:
			s.SourceChannel = true
		case ChannelKafka:
			if s.Kafka, err = parseKafkaSettings(props); err != nil {
				return Settings{}, err
			}
		default:
			s.Ignored = append(s.Ignored, c)
		}
	}
	return s, nil
}
