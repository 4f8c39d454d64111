// Package connectors is the SDK a connector author implements: connectors,
// source and sink tasks, the records they exchange with the runtime, and the
// contexts through which tasks talk back to it.
//
// The semantics follow Kafka Connect's API (org.apache.kafka.connect.connector,
// .source and .sink), made idiomatic for Go:
//   - every call that may block takes a context.Context, and the runtime
//     cancels it to interrupt the call (Kafka Connect calls stop() from another
//     thread instead; here Stop is only called once Poll or Put has returned);
//   - optional behaviour (commit callbacks, pre-commit, validation, version) is
//     expressed as small optional interfaces that a task or connector may
//     implement, not as base classes;
//   - a task returns errors; wrap one with Retriable (or connerr.Retriable) to
//     ask the runtime to retry the same call, after a backoff, instead of
//     failing the task.
//
// Concurrency, in short (each method's comment says it precisely): a task's
// own methods are called from one goroutine, one at a time, except a source
// task's CommitRecord, which runs concurrently with Poll; the contexts, the
// OffsetReader, the ErrantRecordReporter and the loggers may be used from
// any goroutine. What Poll returns belongs to the runtime: do not change a
// record, its SourcePartition or its SourceOffset afterwards.
//
// Logging: use the context's Logger (ConnectorContext, SourceTaskContext,
// SinkTaskContext). It is named after the plugin's class, so that the
// worker's /admin/loggers sets its level, writes in the worker's format and
// names the connector or task in every line.
package connectors
