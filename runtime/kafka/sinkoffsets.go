package kafka

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/connectors"
)

// Keys of a sink connector's partitions and offsets in the offsets REST API
// (Kafka Connect's SinkUtils).
const (
	KafkaTopicKey     = "kafka_topic"
	KafkaPartitionKey = "kafka_partition"
	KafkaOffsetKey    = "kafka_offset"
)

// SinkOffset is a sink connector's partition and offset in the offsets
// REST API's form: {"kafka_topic":…,"kafka_partition":…} and
// {"kafka_offset":…}, or a nil Offset. It has herder.PartitionOffset's
// fields, so either converts to the other, and this package need not
// import the herder contract.
type SinkOffset struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// RequestError is an offsets request refused for what it asks (a
// malformed partition or offset, a topic or partition that does not
// exist), with Kafka Connect's message: the worker answers it with 400.
type RequestError struct {
	Message string
}

func (e *RequestError) Error() string { return e.Message }

// badRequest returns a *RequestError.
func badRequest(format string, args ...any) error {
	return &RequestError{Message: fmt.Sprintf(format, args...)}
}

// ParseSinkOffsets parses the body of a PATCH /connectors/{c}/offsets
// request for a sink connector as Kafka Connect's
// SinkUtils.parseSinkConnectorOffsets does: each partition needs
// kafka_topic and kafka_partition, each offset is null (delete that
// partition's committed offset, a nil value in the result) or holds
// kafka_offset; partitions and offsets may be JSON numbers or numeric
// strings. Failures are *RequestError with Kafka's messages. When two
// entries name the same partition, the later one wins.
//
// Unlike Kafka Connect, a negative partition or offset is refused here with
// a 400; Kafka passes it on and fails later with a 500.
func ParseSinkOffsets(offsets []SinkOffset) (map[connectors.TopicPartition]*int64, error) {
	if len(offsets) == 0 {
		return nil, badRequest("Partitions / offsets need to be provided for an alter offsets request")
	}
	out := make(map[connectors.TopicPartition]*int64, len(offsets))
	for _, o := range offsets {
		p := o.Partition
		if p == nil {
			return nil, badRequest("The partition for a sink connector offset cannot be null or missing")
		}
		topicValue, hasTopic := p[KafkaTopicKey]
		partitionValue, hasPartition := p[KafkaPartitionKey]
		if !hasTopic || !hasPartition {
			return nil, badRequest("The partition for a sink connector offset must contain the keys '%s' and '%s'", KafkaTopicKey, KafkaPartitionKey)
		}
		if topicValue == nil {
			return nil, badRequest("Kafka topic names must be valid strings and may not be null")
		}
		if partitionValue == nil {
			return nil, badRequest("Kafka partitions must be valid numbers and may not be null")
		}
		partition, ok := parseInteger(partitionValue, 32)
		if !ok {
			return nil, badRequest("Failed to parse the following Kafka partition value in the provided offsets: '%s'. Partition values for sink connectors need to be integers.", javaString(partitionValue))
		}
		if partition < 0 {
			return nil, badRequest("Failed to parse the following Kafka partition value in the provided offsets: '%s'. Partition values for sink connectors need to be non-negative integers.", javaString(partitionValue))
		}
		// Kafka takes String.valueOf of whatever kafka_topic holds.
		tp := connectors.TopicPartition{Topic: javaString(topicValue), Partition: int32(partition)}
		if o.Offset == nil {
			out[tp] = nil
			continue
		}
		offsetValue, ok := o.Offset[KafkaOffsetKey]
		if !ok {
			return nil, badRequest("The offset for a sink connector should either be null or contain the key '%s'", KafkaOffsetKey)
		}
		offset, ok := parseInteger(offsetValue, 64)
		if !ok {
			return nil, badRequest("Failed to parse the following Kafka offset value in the provided offsets: '%s'. Offset values for sink connectors need to be integers.", javaString(offsetValue))
		}
		if offset < 0 {
			return nil, badRequest("Failed to parse the following Kafka offset value in the provided offsets: '%s'. Offset values for sink connectors need to be non-negative integers.", javaString(offsetValue))
		}
		out[tp] = &offset
	}
	return out, nil
}

// parseInteger reads a partition or offset as Kafka's
// Integer.parseInt/Long.parseLong(String.valueOf(v)) does: a JSON integer
// or a string of decimal digits with an optional sign. A float64 (a body
// decoded without UseNumber) counts when it is integral, since the
// literal most likely was.
func parseInteger(v any, bits int) (int64, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = string(x)
	case int:
		s = strconv.Itoa(x)
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, uint:
		s = fmt.Sprint(x)
	case float64:
		if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
			return 0, false
		}
		s = strconv.FormatInt(int64(x), 10)
	case float32:
		return parseInteger(float64(x), bits)
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, bits)
	return n, err == nil
}

// javaString renders a decoded JSON value roughly as Java's String.valueOf
// renders what Jackson decodes it to, for messages and topic names given as
// numbers. Map keys are sorted.
func javaString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return string(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e21 {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + javaString(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = javaString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}
