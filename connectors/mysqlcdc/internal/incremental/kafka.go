package incremental

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// The Kafka signal channel's keys, Debezium's (KafkaSignalChannel).
const (
	ChannelKafka        = "kafka"
	KafkaTopicKey       = "signal.kafka.topic"
	KafkaServersKey     = "signal.kafka.bootstrap.servers"
	KafkaGroupKey       = "signal.kafka.groupId"
	KafkaPollTimeoutKey = "signal.kafka.poll.timeout.ms"
	// KafkaConsumerPrefix passes consumer settings (security.protocol,
	// sasl.*, ssl.*) to the channel's client.
	KafkaConsumerPrefix = "signal.consumer."
)

// KafkaSettings configure the Kafka signal channel.
type KafkaSettings struct {
	// Topic is signal.kafka.topic, by default <topic.prefix>-signal; only
	// its partition 0 is read, as Debezium does.
	Topic string
	Addrs []string
	// Group is the consumer group whose committed offset says which
	// signals were handled (signal.kafka.groupId, "kafka-signal").
	Group string
	// Key is what a signal's record key must be: topic.prefix.
	Key      string
	Consumer map[string]string
}

func parseKafkaSettings(props map[string]string) (*KafkaSettings, error) {
	prefix := strings.TrimSpace(props["topic.prefix"])
	k := &KafkaSettings{Topic: strings.TrimSpace(props[KafkaTopicKey]), Group: strings.TrimSpace(props[KafkaGroupKey]),
		Key: prefix, Consumer: map[string]string{}}
	if k.Topic == "" {
		k.Topic = prefix + "-signal"
	}
	if k.Group == "" {
		k.Group = "kafka-signal"
	}
	if err := config.CheckTopicName(k.Topic); err != nil {
		key := KafkaTopicKey
		if strings.TrimSpace(props[KafkaTopicKey]) == "" {
			key = "topic.prefix"
			err = fmt.Errorf("the kafka signal channel's topic is <topic.prefix>-signal when %s is not set: %w", KafkaTopicKey, err)
		}
		return nil, &config.Error{Problems: []config.Problem{{Key: key, Message: err.Error()}}}
	}
	for _, a := range strings.Split(props[KafkaServersKey], ",") {
		if a = strings.TrimSpace(a); a != "" {
			k.Addrs = append(k.Addrs, a)
		}
	}
	if len(k.Addrs) == 0 {
		return nil, &config.Error{Problems: []config.Problem{{Key: KafkaServersKey,
			Message: fmt.Sprintf("%s is required with the kafka signal channel (%s)", KafkaServersKey, EnabledChannelsKey)}}}
	}
	for key, v := range props {
		if rest, ok := strings.CutPrefix(key, KafkaConsumerPrefix); ok {
			k.Consumer[rest] = v
		}
	}
	return k, nil
}

// done marks a signal handled; the group commits it. It never blocks: a
// later mark covers a dropped one.
func (k *kafkaChannel) done(offset int64) {
	select {
	case k.handled <- offset:
	default:
	}
}

// kafkaSignal is a signal read from the topic, with its record's offset.
type kafkaSignal struct {
	Signal
	offset int64
}

// kafkaChannel reads signals from the topic on a goroutine of its own; the
// task's reader goroutine takes them (Hooks.Idle, Hooks.Change) and marks
// them handled, which the consumer group commits.
type kafkaChannel struct {
	s       *KafkaSettings
	log     *slog.Logger
	signals chan kafkaSignal
	handled chan int64 // offsets handled, for the goroutine to mark
}

func newKafkaChannel(s *KafkaSettings, log *slog.Logger) *kafkaChannel {
	return &kafkaChannel{s: s, log: log, signals: make(chan kafkaSignal, 16), handled: make(chan int64, 16)}
}

// run reads the topic until ctx ends, reconnecting with backoff.
func (k *kafkaChannel) run(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := k.consume(ctx)
		if ctx.Err() != nil {
			return
		}
		k.log.Warn("the kafka signal channel failed; reading it again", "topic", k.s.Topic, "in", backoff, "error", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (k *kafkaChannel) consume(ctx context.Context) error {
	cfg, _, ign, err := kafka.ConsumerConfig("sluice-signal-"+k.s.Key, k.s.Consumer)
	if err != nil {
		return fmt.Errorf("%s*: %w", KafkaConsumerPrefix, err)
	}
	if len(ign.Unsupported) > 0 {
		k.log.Warn("consumer settings of the kafka signal channel ignored", "keys", ign.Unsupported)
	}
	cfg.Consumer.Offsets.AutoCommit.Enable = true
	cfg.Consumer.Offsets.AutoCommit.Interval = time.Second
	client, err := sarama.NewClient(k.s.Addrs, cfg)
	if err != nil {
		return err
	}
	defer client.Close()
	om, err := sarama.NewOffsetManagerFromClient(k.s.Group, client)
	if err != nil {
		return err
	}
	defer om.Close()
	pom, err := om.ManagePartition(k.s.Topic, 0)
	if err != nil {
		return err
	}
	defer pom.AsyncClose()
	next, _ := pom.NextOffset()
	if next < 0 {
		next = sarama.OffsetOldest
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return err
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(k.s.Topic, 0, next)
	if err != nil {
		return err
	}
	defer pc.AsyncClose()
	k.log.Info("reading signals from the kafka signal channel", "topic", k.s.Topic, "group", k.s.Group, "from", next)
	for {
		select {
		case <-ctx.Done():
			return nil
		case off := <-k.handled:
			pom.MarkOffset(off+1, "")
		case err := <-pc.Errors():
			return err
		case m := <-pc.Messages():
			s, err := k.parse(m)
			if err != nil {
				k.log.Warn("a record of the kafka signal channel is not a signal; ignored", "topic", k.s.Topic, "offset", m.Offset, "error", err)
				pom.MarkOffset(m.Offset+1, "")
				continue
			}
			if s == nil {
				pom.MarkOffset(m.Offset+1, "")
				continue
			}
			select {
			case k.signals <- *s:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// parse reads a signal record as Debezium does: key topic.prefix (other
// keys are for other connectors: nil), value {"id", "type", "data": {...}}.
func (k *kafkaChannel) parse(m *sarama.ConsumerMessage) (*kafkaSignal, error) {
	if string(m.Key) != k.s.Key {
		k.log.Info("a signal of another connector ignored", "key", string(m.Key), "topic.prefix", k.s.Key)
		return nil, nil
	}
	if len(m.Value) == 0 {
		return nil, nil
	}
	var v struct {
		ID   *string         `json:"id"`
		Type *string         `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(m.Value, &v); err != nil {
		return nil, fmt.Errorf("the value is not a JSON object: %w", err)
	}
	if v.ID == nil || v.Type == nil {
		return nil, fmt.Errorf("the value has no id or no type")
	}
	data := string(v.Data)
	if data == "null" {
		data = ""
	}
	return &kafkaSignal{Signal: Signal{ID: *v.ID, Type: *v.Type, Data: data}, offset: m.Offset}, nil
}
