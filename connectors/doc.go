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
//   - a task returns errors; wrap one with Retriable to ask the runtime to retry
//     the same call instead of failing the task.
package connectors
