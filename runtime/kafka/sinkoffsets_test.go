package kafka

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/sluicehq/sluice/connectors"
)

// restBody is the body of GET and PATCH /connectors/{c}/offsets
// (herder.ConnectorOffsets).
type restBody struct {
	Offsets []SinkOffset `json:"offsets"`
}

// statusOf is the HTTP status the worker answers err with: 400 for a
// *RequestError, else 500.
func statusOf(err error) int {
	var re *RequestError
	if errors.As(err, &re) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// decodeOffsets decodes a PATCH offsets body; useNumber as the REST layer
// should, or plain (numbers as float64).
func decodeOffsets(t *testing.T, body string, useNumber bool) []SinkOffset {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(body)))
	if useNumber {
		d.UseNumber()
	}
	var req restBody
	if err := d.Decode(&req); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return req.Offsets
}

func ptr(n int64) *int64 { return &n }

func TestParseSinkOffsets(t *testing.T) {
	tp := func(topic string, p int32) connectors.TopicPartition {
		return connectors.TopicPartition{Topic: topic, Partition: p}
	}
	for _, tc := range []struct {
		name, body string
		want       map[connectors.TopicPartition]*int64
	}{
		{"numbers", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":5}}]}`,
			map[connectors.TopicPartition]*int64{tp("t", 0): ptr(5)}},
		{"numeric strings", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":"10"},"offset":{"kafka_offset":"1000"}}]}`,
			map[connectors.TopicPartition]*int64{tp("t", 10): ptr(1000)}},
		{"sign accepted as by parseInt", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":"+1"},"offset":{"kafka_offset":"+2"}}]}`,
			map[connectors.TopicPartition]*int64{tp("t", 1): ptr(2)}},
		{"null offset deletes", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":1},"offset":null}]}`,
			map[connectors.TopicPartition]*int64{tp("t", 1): nil}},
		{"missing offset deletes", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":1}}]}`,
			map[connectors.TopicPartition]*int64{tp("t", 1): nil}},
		{"exact beyond 2^53", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":9007199254740993}}]}`,
			map[connectors.TopicPartition]*int64{tp("t", 0): ptr(9007199254740993)}},
		{"largest long", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":2147483647},"offset":{"kafka_offset":"9223372036854775807"}}]}`,
			map[connectors.TopicPartition]*int64{tp("t", 2147483647): ptr(9223372036854775807)}},
		{"topic as number, extra keys ignored", `{"offsets":[{"partition":{"kafka_topic":42,"kafka_partition":0,"x":[]},"offset":{"kafka_offset":1,"y":{}}}]}`,
			map[connectors.TopicPartition]*int64{tp("42", 0): ptr(1)}},
		{"later entry wins", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":1}},{"partition":{"kafka_topic":"t","kafka_partition":"0"},"offset":null},{"partition":{"kafka_topic":"u","kafka_partition":0},"offset":{"kafka_offset":0}}]}`,
			map[connectors.TopicPartition]*int64{tp("t", 0): nil, tp("u", 0): ptr(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSinkOffsets(decodeOffsets(t, tc.body, true))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", fmtOffsets(got), fmtOffsets(tc.want))
			}
		})
	}

	// Without UseNumber, integral floats still parse (exact up to 2^53).
	got, err := ParseSinkOffsets(decodeOffsets(t, `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":3},"offset":{"kafka_offset":7}}]}`, false))
	if err != nil || !reflect.DeepEqual(got, map[connectors.TopicPartition]*int64{tp("t", 3): ptr(7)}) {
		t.Fatalf("float64 input: %v, %v", fmtOffsets(got), err)
	}
}

func TestParseSinkOffsetsErrors(t *testing.T) {
	const (
		noOffsets    = "Partitions / offsets need to be provided for an alter offsets request"
		nullPart     = "The partition for a sink connector offset cannot be null or missing"
		keys         = "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"
		nullTopic    = "Kafka topic names must be valid strings and may not be null"
		nullPartNum  = "Kafka partitions must be valid numbers and may not be null"
		offsetKey    = "The offset for a sink connector should either be null or contain the key 'kafka_offset'"
		badPartition = "Failed to parse the following Kafka partition value in the provided offsets: '%s'. Partition values for sink connectors need to be integers."
		badOffset    = "Failed to parse the following Kafka offset value in the provided offsets: '%s'. Offset values for sink connectors need to be integers."
		negPartition = "Failed to parse the following Kafka partition value in the provided offsets: '%s'. Partition values for sink connectors need to be non-negative integers."
		negOffset    = "Failed to parse the following Kafka offset value in the provided offsets: '%s'. Offset values for sink connectors need to be non-negative integers."
	)
	sprintf := func(f, v string) string { return fmt.Sprintf(f, v) }
	entry := func(partition, offset string) string {
		return `{"offsets":[{"partition":` + partition + `,"offset":` + offset + `}]}`
	}
	ok := `{"kafka_offset":1}`
	for _, tc := range []struct {
		name, body, want string
	}{
		{"no offsets", `{"offsets":[]}`, noOffsets},
		{"offsets null", `{"offsets":null}`, noOffsets},
		{"empty body", `{}`, noOffsets},
		{"partition null", entry(`null`, ok), nullPart},
		{"partition missing", `{"offsets":[{"offset":{"kafka_offset":1}}]}`, nullPart},
		{"partition empty", entry(`{}`, ok), keys},
		{"no topic", entry(`{"kafka_partition":0}`, ok), keys},
		{"no partition", entry(`{"kafka_topic":"t"}`, ok), keys},
		{"misspelt key", entry(`{"kafka_topic":"t","kafka-partition":0}`, ok), keys},
		{"topic null", entry(`{"kafka_topic":null,"kafka_partition":0}`, ok), nullTopic},
		{"both null: topic first", entry(`{"kafka_topic":null,"kafka_partition":null}`, ok), nullTopic},
		{"partition null value", entry(`{"kafka_topic":"t","kafka_partition":null}`, ok), nullPartNum},
		{"partition text", entry(`{"kafka_topic":"t","kafka_partition":"zero"}`, ok), sprintf(badPartition, "zero")},
		{"partition decimal", entry(`{"kafka_topic":"t","kafka_partition":1.5}`, ok), sprintf(badPartition, "1.5")},
		{"partition 1.0", entry(`{"kafka_topic":"t","kafka_partition":1.0}`, ok), sprintf(badPartition, "1.0")},
		{"partition exponent", entry(`{"kafka_topic":"t","kafka_partition":1e3}`, ok), sprintf(badPartition, "1e3")},
		{"partition beyond int", entry(`{"kafka_topic":"t","kafka_partition":2147483648}`, ok), sprintf(badPartition, "2147483648")},
		{"partition with spaces", entry(`{"kafka_topic":"t","kafka_partition":" 1"}`, ok), sprintf(badPartition, " 1")},
		{"partition empty string", entry(`{"kafka_topic":"t","kafka_partition":""}`, ok), sprintf(badPartition, "")},
		{"partition boolean", entry(`{"kafka_topic":"t","kafka_partition":true}`, ok), sprintf(badPartition, "true")},
		{"partition list", entry(`{"kafka_topic":"t","kafka_partition":[1,"a"]}`, ok), sprintf(badPartition, "[1, a]")},
		{"partition object", entry(`{"kafka_topic":"t","kafka_partition":{"b":1,"a":null}}`, ok), sprintf(badPartition, "{a=null, b=1}")},
		{"partition negative", entry(`{"kafka_topic":"t","kafka_partition":-1}`, ok), sprintf(negPartition, "-1")},
		{"offset without key", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{}`), offsetKey},
		{"offset misspelt", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{"offset":1}`), offsetKey},
		{"offset null value", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{"kafka_offset":null}`), sprintf(badOffset, "null")},
		{"offset text", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{"kafka_offset":"not a number"}`), sprintf(badOffset, "not a number")},
		{"offset decimal", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{"kafka_offset":10.5}`), sprintf(badOffset, "10.5")},
		{"offset beyond long", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{"kafka_offset":9223372036854775808}`), sprintf(badOffset, "9223372036854775808")},
		{"offset boolean", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{"kafka_offset":false}`), sprintf(badOffset, "false")},
		{"offset negative", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{"kafka_offset":-1}`), sprintf(negOffset, "-1")},
		{"offset negative string", entry(`{"kafka_topic":"t","kafka_partition":0}`, `{"kafka_offset":"-5"}`), sprintf(negOffset, "-5")},
		{"second entry bad", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":null},{"partition":{"kafka_topic":"t"},"offset":null}]}`, keys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSinkOffsets(decodeOffsets(t, tc.body, true))
			if err == nil {
				t.Fatalf("parsed to %v", fmtOffsets(got))
			}
			if err.Error() != tc.want {
				t.Fatalf("error %q\nwant      %q", err, tc.want)
			}
			if code := statusOf(err); code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", code)
			}
		})
	}
}

// fmtOffsets renders parsed offsets with their values, not pointers.
func fmtOffsets(m map[connectors.TopicPartition]*int64) string {
	out := map[string]string{}
	for tp, off := range m {
		v := "null"
		if off != nil {
			v = fmt.Sprint(*off)
		}
		out[fmt.Sprintf("%s-%d", tp.Topic, tp.Partition)] = v
	}
	return fmt.Sprint(out)
}
