// Package kafka builds the sarama clients the worker uses, with these
// settings: idempotent producer, Java-compatible murmur2
// partitioner, bounded buffers, manual sink commits. Kafka Connect's
// producer./consumer. keys map to sarama settings where sarama has them.
package kafka

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// Version is the Kafka protocol version sarama is configured for; sarama
// lowers each request to what the broker supports.
var Version = sarama.V3_9_0_0

// ProducerSettings are a producer's sarama settings and what sluice
// enforces around sarama.
type ProducerSettings struct {
	Sarama *sarama.Config
	// DeliveryTimeout is Kafka's delivery.timeout.ms: how long a record may
	// wait for Kafka's acknowledgement, through every retry and outage,
	// before its task fails. Kafka Connect's worker default is
	// Integer.MAX_VALUE ms (about 25 days): in effect, wait.
	DeliveryTimeout time.Duration
	// MaxBlock is max.block.ms as a source task honours it: how long a
	// task waits for a topic that does not exist (and that it may not
	// create) to appear before it fails. Kafka Connect's producers wait
	// for ever (Long.MAX_VALUE); sluice's default is DefaultMaxBlock.
	MaxBlock time.Duration
}

// DefaultMaxBlock is how long a source task waits, by default, for a
// missing topic it may not create to appear.
const DefaultMaxBlock = 60 * time.Second

// DefaultDeliveryTimeout is Kafka Connect's delivery.timeout.ms for the
// producers of its workers (Worker.baseProducerConfigs).
const DefaultDeliveryTimeout = math.MaxInt32 * time.Millisecond

// ProducerConfig returns the settings of a source task's producer:
// acks=all, idempotent, murmur2 partitioner, successes returned for offset
// tracking. props are Kafka producer keys (the worker's producer.* and the
// connector's producer.override.*, prefixes stripped); keys sarama cannot
// honour are returned in ignored. Security keys (security.protocol, ssl.*,
// sasl.*) are applied by ApplySecurity.
func ProducerConfig(clientID string, props map[string]string) (s *ProducerSettings, ignored Ignored, err error) {
	s = &ProducerSettings{DeliveryTimeout: DefaultDeliveryTimeout, MaxBlock: DefaultMaxBlock}
	c := sarama.NewConfig()
	s.Sarama = c
	c.Version = Version
	c.ClientID = clientID
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Idempotent = true
	c.Net.MaxOpenRequests = 1
	// A produce request that fails is retried (retry.backoff.ms 100,
	// doubling up to retry.backoff.max.ms 1000, as Java's producer) at
	// least 20 minutes before sarama gives the record up. An unreachable
	// broker costs no retries: the client waits for metadata instead
	// (WaitingClient), so only a broker that answers and refuses counts.
	// sarama keeps Retry.Max+1 retry slots (32 bytes each) per partition it
	// produces to, so a value like Java's retries=2147483647 would reserve
	// gigabytes (maxRetries). delivery.timeout.ms is enforced by the task.
	c.Producer.Retry.Max = 1200
	c.Producer.Retry.Backoff = 100 * time.Millisecond
	c.Producer.Retry.BackoffFunc = retryBackoff(c.Producer.Retry.Backoff, time.Second)
	// Creating the producer asks Kafka for a producer id; a WaitingClient's
	// owner retries that (kafka.Retry), so sarama need not retry for long.
	c.Producer.Transaction.Retry.Max = 3
	c.Producer.Retry.MaxBufferLength = 100000
	c.Producer.Retry.MaxBufferBytes = 64 << 20
	c.Producer.Partitioner = NewPartitioner
	c.Producer.Return.Successes = true
	c.Producer.Return.Errors = true
	c.Producer.Flush.Bytes = 1 << 20
	c.Producer.Flush.Frequency = 5 * time.Millisecond
	c.Producer.MaxMessageBytes = 1 << 20
	c.ChannelBufferSize = 4096
	keys := maps.Clone(producerKeys)
	keys["delivery.timeout.ms"] = func(_ *sarama.Config, v string) error {
		d, err := millis(v)
		if err == nil && d == 0 {
			err = fmt.Errorf("must be a positive number of milliseconds")
		}
		s.DeliveryTimeout = d
		return err
	}
	keys["max.block.ms"] = func(_ *sarama.Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("must be a non-negative number of milliseconds")
		}
		// Kafka Connect's Long.MAX_VALUE does not fit a Duration.
		s.MaxBlock = time.Duration(min(n, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond
		return nil
	}
	ignored, err = applyClient(c, props, keys)
	if err != nil {
		return nil, ignored, err
	}
	if b, ok := props["retry.backoff.max.ms"]; ok {
		d, _ := millis(strings.TrimSpace(b)) // checked by apply
		c.Producer.Retry.BackoffFunc = retryBackoff(c.Producer.Retry.Backoff, max(d, c.Producer.Retry.Backoff))
	} else {
		c.Producer.Retry.BackoffFunc = retryBackoff(c.Producer.Retry.Backoff, max(time.Second, c.Producer.Retry.Backoff))
	}
	if err := c.Validate(); err != nil {
		return nil, ignored, fmt.Errorf("producer settings: %w", err)
	}
	return s, ignored, nil
}

// retryBackoff is Java's exponential retry backoff: first, doubling per
// retry, at most most.
func retryBackoff(first, most time.Duration) func(retries, maxRetries int) time.Duration {
	return func(retries, _ int) time.Duration {
		d := first
		for i := 1; i < retries && d < most; i++ {
			d *= 2
		}
		return min(d, most)
	}
}

// ConsumerConfig returns the settings of a sink task's consumer: manual
// commits, earliest offset when the group has none. maxPollRecords is
// Kafka's max.poll.records, the largest batch handed to Put.
func ConsumerConfig(clientID string, props map[string]string) (c *sarama.Config, maxPollRecords int, ignored Ignored, err error) {
	c = sarama.NewConfig()
	c.Version = Version
	c.ClientID = clientID
	c.Consumer.Offsets.AutoCommit.Enable = false
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Return.Errors = true
	c.Consumer.Group.Session.Timeout = 45 * time.Second
	c.Consumer.Group.Heartbeat.Interval = 3 * time.Second
	c.Consumer.Group.ResetInvalidOffsets = true
	c.Consumer.Fetch.Default = 1 << 20
	c.ChannelBufferSize = 4096
	// Creating the group contacts no broker; joining it does, and a sink
	// task retries the join while Kafka cannot be reached.
	c.Metadata.Full = false
	maxPollRecords = 500
	keys := map[string]setter{}
	for k, v := range consumerKeys {
		keys[k] = v
	}
	keys["max.poll.records"] = func(_ *sarama.Config, v string) error {
		n, err := positiveInt(v)
		maxPollRecords = n
		return err
	}
	ignored, err = applyClient(c, props, keys)
	if err != nil {
		return nil, 0, ignored, err
	}
	if _, ok := props["request.timeout.ms"]; ok {
		// sarama waits Net.ReadTimeout for every answer, a JoinGroup's
		// too, which the coordinator holds until the rebalance ends; Java's
		// consumer waits at least the rebalance timeout + 5 s for it, so a
		// short request.timeout.ms must not cut a rebalance.
		c.Net.ReadTimeout = max(c.Net.ReadTimeout, c.Consumer.Group.Rebalance.Timeout+5*time.Second)
	}
	if err := c.Validate(); err != nil {
		return nil, 0, ignored, fmt.Errorf("consumer settings: %w", err)
	}
	return c, maxPollRecords, ignored, nil
}

// AdminConfig returns the settings of an admin client (or of another
// client that takes the worker's top-level keys: the internal topics'
// clients, the group member) with props: security keys and the connection
// keys every client takes.
func AdminConfig(clientID string, props map[string]string) (*sarama.Config, Ignored, error) {
	c := sarama.NewConfig()
	c.Version = Version
	c.ClientID = clientID
	ignored, err := applyClient(c, props, map[string]setter{
		"client.id": func(c *sarama.Config, v string) error { c.ClientID = v; return nil },
	})
	if err != nil {
		return nil, ignored, err
	}
	if err := c.Validate(); err != nil {
		return nil, ignored, fmt.Errorf("admin settings: %w", err)
	}
	return c, ignored, nil
}

// ClientLevelKeys are the keys besides security.protocol, ssl.* and sasl.*
// that Kafka's clients read and that Kafka Connect passes from the worker's
// top level (unprefixed) to its admin clients and its internal clients.
var ClientLevelKeys = []string{
	"socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms", "metadata.max.age.ms",
	"connections.max.idle.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms", "request.timeout.ms",
	"retry.backoff.ms", "retry.backoff.max.ms", "send.buffer.bytes", "receive.buffer.bytes", "client.dns.lookup",
}

// TopLevelClientProps returns the client keys among a worker's top-level
// keys: security.protocol, ssl.*, sasl.* and ClientLevelKeys. Kafka
// Connect hands all its top-level keys to those clients, which ignore the
// rest.
func TopLevelClientProps(worker map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range worker {
		if IsSecurityKey(k) || slices.Contains(ClientLevelKeys, k) {
			out[k] = v
		}
	}
	return out
}

// maxRetries caps retries: sarama reserves a slot per retry for every
// partition a producer writes to, and Kafka Connect users often set
// retries=2147483647 (Java's default), which sarama would take literally.
const maxRetries = 10000

type setter func(c *sarama.Config, v string) error

// apply sets each known key; unknown keys are returned sorted, and a bad
// value is an error naming the key.
func apply(props map[string]string, keys map[string]setter, c *sarama.Config) ([]string, error) {
	var ignored []string
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		set, ok := keys[k]
		if !ok {
			ignored = append(ignored, k)
			continue
		}
		if err := set(c, strings.TrimSpace(props[k])); err != nil {
			return nil, fmt.Errorf("invalid value %q for configuration %s: %w", props[k], k, err)
		}
	}
	return ignored, nil
}

var producerKeys = map[string]setter{
	"acks": func(c *sarama.Config, v string) error {
		switch v {
		case "all", "-1":
			c.Producer.RequiredAcks = sarama.WaitForAll
		case "1":
			c.Producer.RequiredAcks, c.Producer.Idempotent = sarama.WaitForLocal, false
		case "0":
			c.Producer.RequiredAcks, c.Producer.Idempotent = sarama.NoResponse, false
		default:
			return fmt.Errorf("must be one of all, -1, 0, 1")
		}
		return nil
	},
	"enable.idempotence": func(c *sarama.Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.Producer.Idempotent = b
		if !b {
			// Without idempotence sarama may reorder on retry (IBM/sarama#2619);
			// one request in flight keeps per-partition order (rule 4).
			c.Net.MaxOpenRequests = 1
		}
		return err
	},
	"compression.type": func(c *sarama.Config, v string) error {
		var codec sarama.CompressionCodec
		if err := codec.UnmarshalText([]byte(v)); err != nil {
			return fmt.Errorf("must be one of none, gzip, snappy, lz4, zstd")
		}
		c.Producer.Compression = codec
		return nil
	},
	"linger.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		if d == 0 {
			d = time.Millisecond
		}
		c.Producer.Flush.Frequency = d
		return err
	},
	"batch.size": func(c *sarama.Config, v string) error {
		n, err := positiveInt(v)
		c.Producer.Flush.Bytes = n
		return err
	},
	"max.request.size": func(c *sarama.Config, v string) error {
		n, err := positiveInt(v)
		c.Producer.MaxMessageBytes = n
		return err
	},
	"retries": func(c *sarama.Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("must be a non-negative integer")
		}
		c.Producer.Retry.Max = min(n, maxRetries)
		return nil
	},
	"retry.backoff.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		c.Producer.Retry.Backoff, c.Metadata.Retry.Backoff = d, d
		return err
	},
	"request.timeout.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		c.Producer.Timeout = d
		return err
	},
	"client.id": func(c *sarama.Config, v string) error { c.ClientID = v; return nil },
}

var consumerKeys = map[string]setter{
	"auto.offset.reset": func(c *sarama.Config, v string) error {
		switch v {
		case "earliest":
			c.Consumer.Offsets.Initial = sarama.OffsetOldest
		case "latest":
			c.Consumer.Offsets.Initial = sarama.OffsetNewest
		default:
			return fmt.Errorf("must be earliest or latest")
		}
		return nil
	},
	"session.timeout.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		c.Consumer.Group.Session.Timeout = d
		return err
	},
	"heartbeat.interval.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		c.Consumer.Group.Heartbeat.Interval = d
		return err
	},
	"max.poll.interval.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		c.Consumer.Group.Rebalance.Timeout = d
		return err
	},
	"fetch.min.bytes": func(c *sarama.Config, v string) error {
		n, err := positiveInt(v)
		c.Consumer.Fetch.Min = int32(n)
		return err
	},
	"fetch.max.wait.ms": func(c *sarama.Config, v string) error {
		d, err := millis(v)
		c.Consumer.MaxWaitTime = d
		return err
	},
	"max.partition.fetch.bytes": func(c *sarama.Config, v string) error {
		n, err := positiveInt(v)
		c.Consumer.Fetch.Default = int32(n)
		return err
	},
	"fetch.max.bytes": func(c *sarama.Config, v string) error {
		n, err := positiveInt(v)
		c.Consumer.Fetch.Max = int32(n)
		return err
	},
	"isolation.level": func(c *sarama.Config, v string) error {
		switch v {
		case "read_uncommitted":
			c.Consumer.IsolationLevel = sarama.ReadUncommitted
		case "read_committed":
			c.Consumer.IsolationLevel = sarama.ReadCommitted
		default:
			return fmt.Errorf("must be read_uncommitted or read_committed")
		}
		return nil
	},
	"client.id": func(c *sarama.Config, v string) error { c.ClientID = v; return nil },
}

func millis(v string) (time.Duration, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("must be a non-negative number of milliseconds")
	}
	return time.Duration(n) * time.Millisecond, nil
}

func positiveInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("must be a positive integer")
	}
	return n, nil
}
