// Package datagen is a source connector that generates records for demos,
// tests and benchmarks, compatible with Confluent's kafka-connect-datagen
// (io.confluent.kafka.connect.datagen.DatagenConnector): the same config
// keys, quickstarts, keys, headers and source offsets.
//
// The records' shape comes from an Avro schema: one of the bundled
// quickstarts (users, orders, pageviews, stock_trades, …), a schema given
// as a string, or a schema file. Their values come from the schema's
// "arg.properties" annotations, as Confluent's avro-random-generator reads
// them (see Generator): options to pick from, ranges, iterations, regular
// expressions, lengths. Records are converted to Connect data as
// Confluent's AvroData does, so any converter can write them.
//
// Each of tasks.max tasks generates on its own: its records carry the
// source partition {"task.id": n} and the offset {"task.generation",
// "current.iteration", "random.seed"}, so a restarted task resumes its
// count (and its iterations), and with random.seed its exact sequence. The
// headers task.generation, task.id and current.iteration (int64) tell where
// a record came from. The key is the value of the schema.keyfield field
// (or the quickstart's key field), with that field's schema; without one,
// a null key with an optional string schema.
//
// Differences from kafka-connect-datagen:
//   - A task that has generated its "iterations" records stays RUNNING and
//     idle, where Java fails it ("Stopping connector: generated the
//     configured N number of messages"), which left demos in a degraded
//     state.
//   - Generated data follow the same rules but not the same random sequence:
//     the same seed gives the same records in sluice, not Java's records.
//   - Annotations are checked when the connector is validated or started,
//     with the path of the field at fault, rather than when a task reaches
//     them; a schema that is not a record is rejected then too.
//   - Regular expressions have Go's RE2 syntax (no lookaround or
//     backreferences), where Java used dk.brics automata (whose "@", "&",
//     "~", "<n-m>" and "#" operators are not available here).
//   - A length {"min": n} without "max" stays below n+16, where Java picks
//     up to 2^31 characters.
//   - A string with logicalType uuid and no annotation is a random UUID.
//   - Decimals honour a "range" annotation (min inclusive, max exclusive).
//   - Annotation numbers pass through hamba/avro as float64: integers beyond
//     2^53 lose precision, and 10.0 counts as an integer. Options convert
//     recursively and leniently (an integral number is a valid double, a
//     record option may leave out fields that have defaults).
//   - An options file in "json" encoding holds plain JSON values (a union
//     value may be wrapped as {"branch": value}, as in Avro's JSON
//     encoding); strings for bytes are taken as UTF-8.
//   - A schema without a Connect equivalent (a recursive record) is refused
//     at validation.
package datagen

// Class is the Java class name the connector answers to.
const Class = "io.confluent.kafka.connect.datagen.DatagenConnector"

// Version is the version the connector reports.
const Version = "0.1.0"

// Config keys, as kafka-connect-datagen names them.
const (
	KafkaTopicKey     = "kafka.topic"
	MaxIntervalKey    = "max.interval"
	IterationsKey     = "iterations"
	SchemaStringKey   = "schema.string"
	SchemaFilenameKey = "schema.filename"
	SchemaKeyfieldKey = "schema.keyfield"
	QuickstartKey     = "quickstart"
	RandomSeedKey     = "random.seed"
)

// Task configuration, source partition, source offset and header keys.
const (
	// TaskIDKey is the task number in a task's configuration, its source
	// partition {"task.id": n} and a record header.
	TaskIDKey = "task.id"
	// TaskGenerationKey counts a task's restarts: in the offset the next
	// run's, in the header the record's.
	TaskGenerationKey = "task.generation"
	// CurrentIterationKey counts a task's records: in the offset how many
	// were generated, in the header the record's number from 0.
	CurrentIterationKey = "current.iteration"
	// RandomSeedField is the seed of the next record, in the offset.
	RandomSeedField = "random.seed"
)
