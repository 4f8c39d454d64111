package history

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/runtime/kafka"
)

// The connector keys of the Kafka schema history (Debezium's
// KafkaSchemaHistory).
const (
	KeyTopic            = "schema.history.internal.kafka.topic"
	KeyBootstrapServers = "schema.history.internal.kafka.bootstrap.servers"
	KeyRecoveryPollMs   = "schema.history.internal.kafka.recovery.poll.interval.ms"
	KeyRecoveryAttempts = "schema.history.internal.kafka.recovery.attempts"
	KeyQueryTimeoutMs   = "schema.history.internal.kafka.query.timeout.ms"
	KeyCreateTimeoutMs  = "schema.history.internal.kafka.create.timeout.ms"
	// ProducerPrefix and ConsumerPrefix carry the Kafka client settings
	// (security.protocol, ssl.*, sasl.*...) of the store's producer and
	// consumer, prefix stripped.
	ProducerPrefix = "schema.history.internal.producer."
	ConsumerPrefix = "schema.history.internal.consumer."
)

// Debezium's defaults for the keys above.
const (
	defaultRecoveryPoll     = 100 * time.Millisecond
	defaultRecoveryAttempts = 100
	defaultQueryTimeout     = 3 * time.Second
	defaultCreateTimeout    = 30 * time.Second
)

// KafkaStore keeps schema history records in a single-partition Kafka
// topic, as Debezium's KafkaSchemaHistory does: records without a key in
// partition 0, their value the record's JSON.
type KafkaStore struct {
	topic         string
	addrs         []string
	flavor        string
	log           *slog.Logger
	producerCfg   *sarama.Config
	consumerCfg   *sarama.Config
	pollInterval  time.Duration
	attempts      int
	queryTimeout  time.Duration
	createTimeout time.Duration

	mu       sync.Mutex
	client   sarama.Client
	producer sarama.SyncProducer
	inited   bool
}

// NewKafkaStore reads the store's settings from the connector's
// properties (the keys above; security settings from the producer. and
// consumer. prefixed keys). flavor is "mysql" or "mariadb", for the
// position comparison. It contacts no broker.
func NewKafkaStore(props map[string]string, flavor string, log *slog.Logger) (*KafkaStore, error) {
	if log == nil {
		log = slog.Default()
	}
	k := &KafkaStore{flavor: flavor, log: log, pollInterval: defaultRecoveryPoll, attempts: defaultRecoveryAttempts,
		queryTimeout: defaultQueryTimeout, createTimeout: defaultCreateTimeout}
	k.topic = strings.TrimSpace(props[KeyTopic])
	if k.topic == "" {
		return nil, fmt.Errorf("%s is required: the topic that keeps the schema history", KeyTopic)
	}
	if err := validTopic(k.topic); err != nil {
		return nil, fmt.Errorf("%s: %w", KeyTopic, err)
	}
	for _, a := range strings.Split(props[KeyBootstrapServers], ",") {
		if a = strings.TrimSpace(a); a != "" {
			k.addrs = append(k.addrs, a)
		}
	}
	if len(k.addrs) == 0 {
		return nil, fmt.Errorf("%s is required: the Kafka brokers of the schema history topic", KeyBootstrapServers)
	}
	var err error
	if k.pollInterval, err = millisKey(props, KeyRecoveryPollMs, k.pollInterval, true); err != nil {
		return nil, err
	}
	if k.queryTimeout, err = millisKey(props, KeyQueryTimeoutMs, k.queryTimeout, false); err != nil {
		return nil, err
	}
	if k.createTimeout, err = millisKey(props, KeyCreateTimeoutMs, k.createTimeout, false); err != nil {
		return nil, err
	}
	if v, ok := props[KeyRecoveryAttempts]; ok && strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s: %q is not a non-negative integer", KeyRecoveryAttempts, v)
		}
		k.attempts = n
	}
	clientID := "sluice-schema-history-" + k.topic
	ps, ign, err := kafka.ProducerConfig(clientID, subset(props, ProducerPrefix))
	if err != nil {
		return nil, fmt.Errorf("%s*: %w", ProducerPrefix, err)
	}
	k.warnIgnored(ProducerPrefix, ign)
	k.producerCfg = ps.Sarama
	cc, _, ign, err := kafka.ConsumerConfig(clientID, subset(props, ConsumerPrefix))
	if err != nil {
		return nil, fmt.Errorf("%s*: %w", ConsumerPrefix, err)
	}
	k.warnIgnored(ConsumerPrefix, ign)
	k.consumerCfg = cc
	// A metadata request must not create the topic with the broker's
	// defaults (auto.create.topics.enable): Init creates it as it must be.
	k.producerCfg.Metadata.AllowAutoTopicCreation = false
	k.consumerCfg.Metadata.AllowAutoTopicCreation = false
	return k, nil
}

// javaOnlyKeys are client keys Debezium's documentation has users set
// that mean nothing to sarama (serializers, Java classes).
var javaOnlyKeys = map[string]bool{
	"key.serializer": true, "value.serializer": true, "key.deserializer": true, "value.deserializer": true,
	"group.id": true, "client.id": true, "enable.auto.commit": true, "auto.offset.reset": true,
}

func (k *KafkaStore) warnIgnored(prefix string, ign kafka.Ignored) {
	for _, key := range ign.Unsupported {
		if !javaOnlyKeys[key] {
			k.log.Warn("schema history: Kafka client setting not supported, ignored", "key", prefix+key)
		}
	}
}

func subset(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for key, v := range props {
		if rest, ok := strings.CutPrefix(key, prefix); ok && rest != "" {
			out[rest] = v
		}
	}
	return out
}

func millisKey(props map[string]string, key string, def time.Duration, zeroOK bool) (time.Duration, error) {
	v, ok := props[key]
	if !ok || strings.TrimSpace(v) == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 || (n == 0 && !zeroOK) || n > math.MaxInt64/int64(time.Millisecond) {
		return 0, fmt.Errorf("%s: %q is not a valid number of milliseconds", key, v)
	}
	return time.Duration(n) * time.Millisecond, nil
}

func validTopic(t string) error {
	if len(t) > 249 || t == "." || t == ".." {
		return fmt.Errorf("%q is not a valid topic name", t)
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("%q is not a valid topic name (letters, digits, '.', '_', '-')", t)
		}
	}
	return nil
}

// Topic is the history topic's name.
func (k *KafkaStore) Topic() string { return k.topic }

func (k *KafkaStore) ensureClient() (sarama.Client, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.client != nil && !k.client.Closed() {
		return k.client, nil
	}
	c, err := sarama.NewClient(k.addrs, k.producerCfg)
	if err != nil {
		return nil, fmt.Errorf("schema history: connecting to Kafka at %s: %w", strings.Join(k.addrs, ","), err)
	}
	k.client = c
	return c, nil
}

// withTimeout runs f, giving up when ctx ends or after d; f keeps
// running in the background then (sarama calls take no context).
func withTimeout(ctx context.Context, d time.Duration, what string, f func() error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
}

// Init creates the topic if it is missing (1 partition, the broker's
// default replication factor, cleanup.policy=delete, unlimited
// retention) and refuses a topic with more than one partition: the
// history must keep one global order.
func (k *KafkaStore) Init(ctx context.Context) error {
	c, err := k.ensureClient()
	if err != nil {
		return err
	}
	admin, err := sarama.NewClusterAdminFromClient(c)
	if err != nil {
		return fmt.Errorf("schema history: admin client: %w", err)
	}
	// Closing admin would close the shared client: it is not closed.
	n, err := k.partitions(ctx, admin)
	if err != nil {
		return err
	}
	if n == 0 {
		retMs, retBytes, policy := strconv.FormatInt(math.MaxInt64, 10), "-1", "delete"
		err := withTimeout(ctx, k.createTimeout, "schema history: creating topic "+k.topic, func() error {
			return admin.CreateTopic(k.topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: -1,
				ConfigEntries: map[string]*string{"cleanup.policy": &policy, "retention.ms": &retMs, "retention.bytes": &retBytes}}, false)
		})
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("schema history: creating topic %s (%s): %w; create it by hand with 1 partition", k.topic, KeyTopic, err)
		}
		if err == nil {
			k.log.Info("schema history topic created", "topic", k.topic)
		}
		// The controller has the topic; the broker may learn of it a
		// moment later.
		deadline := time.Now().Add(k.createTimeout)
		for {
			if n, err = k.partitions(ctx, admin); err != nil {
				return err
			}
			if n > 0 || time.Now().After(deadline) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("schema history: waiting for topic %s: %w", k.topic, context.Cause(ctx))
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	if n != 1 {
		return fmt.Errorf("schema history topic %s (%s) has %d partitions; it must have exactly 1 so that the history keeps its order", k.topic, KeyTopic, n)
	}
	k.mu.Lock()
	k.inited = true
	k.mu.Unlock()
	return nil
}

// partitions returns the topic's partition count, 0 when it is missing.
func (k *KafkaStore) partitions(ctx context.Context, admin sarama.ClusterAdmin) (int, error) {
	var n int
	err := withTimeout(ctx, k.queryTimeout+k.createTimeout, "schema history: describing topic "+k.topic, func() error {
		md, err := admin.DescribeTopics([]string{k.topic})
		if err != nil {
			return err
		}
		for _, t := range md {
			if t.Name != k.topic {
				continue
			}
			if errors.Is(t.Err, sarama.ErrUnknownTopicOrPartition) {
				return nil
			}
			if t.Err != sarama.ErrNoError {
				return t.Err
			}
			n = len(t.Partitions)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("schema history: describing topic %s: %w", k.topic, err)
	}
	return n, nil
}

type partition0 struct{}

func (partition0) ChosenPartition() (int32, bool) { return 0, true }

// Store writes r and returns once Kafka has acknowledged it (acks=all).
// The first Store runs Init if it has not run.
func (k *KafkaStore) Store(ctx context.Context, r Record) error {
	b, err := Encode(r)
	if err != nil {
		return err
	}
	k.mu.Lock()
	p, inited := k.producer, k.inited
	k.mu.Unlock()
	if !inited {
		if err := k.Init(ctx); err != nil {
			return err
		}
	}
	if p == nil {
		c, err := k.ensureClient()
		if err != nil {
			return err
		}
		if p, err = sarama.NewSyncProducerFromClient(c); err != nil {
			return fmt.Errorf("schema history: producer: %w", err)
		}
		k.mu.Lock()
		k.producer = p
		k.mu.Unlock()
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: k.topic, Value: sarama.ByteEncoder(b), Metadata: partition0{}})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("schema history: writing to topic %s: %w", k.topic, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("schema history: writing to topic %s: %w", k.topic, context.Cause(ctx))
	}
}

// Recover reads the topic from its beginning to its end (the end when
// Recover began) and calls apply for each record whose position is at or
// before offset, in order. Null values are skipped, as are records
// without source or position (Debezium skips those too, with a
// warning); a record that is not a history record fails Recover with its
// offset. It gives up when recovery.attempts polls of
// recovery.poll.interval.ms in a row bring nothing.
func (k *KafkaStore) Recover(ctx context.Context, offset map[string]any, apply func(Record) error) error {
	client, err := sarama.NewClient(k.addrs, k.consumerCfg)
	if err != nil {
		return fmt.Errorf("schema history: connecting to Kafka at %s: %w", strings.Join(k.addrs, ","), err)
	}
	defer client.Close()
	var oldest, end int64
	err = withTimeout(ctx, k.queryTimeout+k.createTimeout, "schema history: reading the offsets of "+k.topic, func() error {
		var err error
		if end, err = client.GetOffset(k.topic, 0, sarama.OffsetNewest); err != nil {
			return err
		}
		oldest, err = client.GetOffset(k.topic, 0, sarama.OffsetOldest)
		return err
	})
	if err != nil {
		return fmt.Errorf("schema history: topic %s: %w", k.topic, err)
	}
	if end <= oldest {
		return nil
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return fmt.Errorf("schema history: consumer: %w", err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(k.topic, 0, oldest)
	if err != nil {
		return fmt.Errorf("schema history: reading topic %s: %w", k.topic, err)
	}
	defer pc.AsyncClose()
	idle := 0
	timer := time.NewTimer(k.pollInterval)
	defer timer.Stop()
	for {
		timer.Reset(k.pollInterval)
		select {
		case <-ctx.Done():
			return fmt.Errorf("schema history: recovering from topic %s: %w", k.topic, context.Cause(ctx))
		case cerr := <-pc.Errors():
			if cerr != nil {
				return fmt.Errorf("schema history: reading topic %s: %w", k.topic, cerr.Err)
			}
		case m := <-pc.Messages():
			idle = 0
			if err := k.recoverOne(m, offset, apply); err != nil {
				return err
			}
			if m.Offset >= end-1 {
				return nil
			}
		case <-timer.C:
			idle++
			if idle > k.attempts {
				return fmt.Errorf("schema history: topic %s gave no record for %d polls of %v before its end offset %d was read; "+
					"raise %s or %s", k.topic, idle, k.pollInterval, end, KeyRecoveryPollMs, KeyRecoveryAttempts)
			}
		}
	}
}

var errNotValid = errors.New(`no "source" or "position"`)

func (k *KafkaStore) recoverOne(m *sarama.ConsumerMessage, offset map[string]any, apply func(Record) error) error {
	if m.Value == nil {
		k.log.Warn("schema history: skipping a null record", "topic", k.topic, "offset", m.Offset)
		return nil
	}
	r, err := Decode(m.Value)
	if errors.Is(err, errNotValid) {
		k.log.Warn("schema history: skipping an invalid record", "topic", k.topic, "offset", m.Offset, "error", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("schema history: topic %s offset %d: %w", k.topic, m.Offset, err)
	}
	ok, err := AtOrBefore(k.flavor, r.Position, offset)
	if err != nil {
		return fmt.Errorf("schema history: topic %s offset %d: comparing its position with the offset: %w", k.topic, m.Offset, err)
	}
	if !ok {
		return nil
	}
	if err := apply(r); err != nil {
		return fmt.Errorf("schema history: topic %s offset %d: %w", k.topic, m.Offset, err)
	}
	return nil
}

// Exists says whether the topic exists and holds at least one record.
func (k *KafkaStore) Exists(ctx context.Context) (bool, error) {
	c, err := k.ensureClient()
	if err != nil {
		return false, err
	}
	var exists bool
	err = withTimeout(ctx, k.queryTimeout+k.createTimeout, "schema history: looking for topic "+k.topic, func() error {
		if err := c.RefreshMetadata(k.topic); err != nil && !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return err
		}
		parts, err := c.Partitions(k.topic)
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) || len(parts) == 0 {
			return nil
		}
		if err != nil {
			return err
		}
		newest, err := c.GetOffset(k.topic, 0, sarama.OffsetNewest)
		if err != nil {
			return err
		}
		oldest, err := c.GetOffset(k.topic, 0, sarama.OffsetOldest)
		if err != nil {
			return err
		}
		exists = newest > oldest
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("schema history: topic %s: %w", k.topic, err)
	}
	return exists, nil
}

// Close releases the store's clients.
func (k *KafkaStore) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	var errs []error
	if k.producer != nil {
		errs = append(errs, k.producer.Close())
		k.producer = nil
	}
	if k.client != nil {
		errs = append(errs, k.client.Close())
		k.client = nil
	}
	return errors.Join(errs...)
}
