package kafka

// LogRecord is one record of a compacted internal topic (the config,
// offsets and status topics). A nil Value is a tombstone.
type LogRecord struct {
	Key   []byte
	Value []byte
	// Partition and Offset are where the record was read from; they are
	// ignored when sending (the key's murmur2 hash picks the partition).
	Partition int32
	Offset    int64
}
