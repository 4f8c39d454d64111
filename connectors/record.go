package connectors

import (
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// Record is what source and sink records have in common: Kafka Connect's
// ConnectRecord. Transformations operate on it.
type Record struct {
	// Topic is the Kafka topic the record is written to or was read from.
	Topic string
	// Partition is the Kafka partition; nil on a source record lets the
	// producer's partitioner choose (Java-compatible murmur2 of the key).
	Partition   *int32
	KeySchema   *schemas.Schema
	Key         any
	ValueSchema *schemas.Schema
	Value       any
	// Timestamp is the record's timestamp; the zero time means none.
	Timestamp time.Time
	Headers   Headers
}

// SourceRecord is a record produced by a source task. SourcePartition and
// SourceOffset say where in the external system the record came from.
//
// Their values must be JSON primitives: nil, string, bool, any Go integer
// type (an unsigned one up to math.MaxInt64) or float32/float64 (not NaN
// or an infinity); no maps, slices or structs. A record with any other
// value fails the task, with an error naming the field. The runtime stores
// them as JSON, and the offset a task reads back (OffsetReader) has every
// integer as int64 and every float as float64, whether or not the worker
// restarted in between: store an int, read an int64.
//
// Records of one partition should share one SourcePartition map (cheaper
// for the runtime), and neither map may be changed once Poll has returned
// the record: the runtime keeps them, without copying, until the record's
// offset is committed.
type SourceRecord struct {
	Record
	SourcePartition map[string]any
	SourceOffset    map[string]any
}

// TimestampType says where a Kafka record's timestamp came from.
type TimestampType int8

// Timestamp types of Kafka records.
const (
	NoTimestampType TimestampType = iota
	CreateTime
	LogAppendTime
)

// SinkRecord is a record consumed from Kafka and handed to a sink task.
// Partition is never nil. The Original fields keep the Kafka coordinates the
// record was read at, before transformations changed Topic or Partition;
// offsets are committed for them.
type SinkRecord struct {
	Record
	Offset            int64
	TimestampType     TimestampType
	OriginalTopic     string
	OriginalPartition int32
	OriginalOffset    int64
}

// Partition returns a pointer to p, for setting Record.Partition.
func Partition(p int32) *int32 { return &p }

// TopicPartition names one partition of a Kafka topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// RecordMetadata describes where Kafka stored a source record.
type RecordMetadata struct {
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
}
