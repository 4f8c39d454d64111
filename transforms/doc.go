// Package transforms holds the contracts of single message transforms
// (Transformation) and their predicates (Predicate), and the built-in ones of
// Kafka Connect, under the same Java class names and config keys: Cast,
// DropHeaders, ExtractField, Filter, Flatten, HeaderFrom, HoistField,
// InsertField, InsertHeader, MaskField, RegexRouter, ReplaceField,
// SetSchemaMetadata, TimestampConverter, TimestampRouter, ValueToKey, and the
// predicates TopicNameMatches, HasHeaderKey and RecordIsTombstone; and
// Debezium's event flattening SMT, io.debezium.transforms.ExtractNewRecordState,
// which turns change events into the rows a sink writes.
//
// A transformation that works on the key or on the value of a record comes
// in two variants, as Kafka Connect's nested classes X$Key and X$Value.
// Every built-in works on records with a schema (Struct values) and on
// schemaless records (map[string]any values), as Kafka Connect's do.
//
// Each task gets its own instances, so a transformation is used by one
// goroutine at a time and needs no locking.
package transforms
