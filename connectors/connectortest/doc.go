// Package connectortest is an acceptance suite for connectors written
// against the sluice SDK (package connectors). A connector author runs it
// from an ordinary test:
//
//	func TestAcceptance(t *testing.T) {
//		connectortest.Source(t, connectortest.SourceConfig{
//			Plugin: counter.Plugin,
//			Props: func(t *testing.T) map[string]string {
//				return map[string]string{"topic": "counts", "interval.ms": "1"}
//			},
//		})
//	}
//
// Source and Sink drive the connector and its tasks the way the sluice
// worker does, through the public interfaces only and with contexts of
// their own (an in-memory offset store, a sink context that records what
// the task asks for, an errant record reporter), and check the SDK's
// contract in sub-tests named after what they check:
//
//   - Plugin: the plugins.Plugin is complete and makes the right kind of
//     connector.
//   - ConfigDef: every key is documented and its default, rendered as the
//     REST API shows it, parses back.
//   - Validate: the props of Props validate without errors.
//   - BadConfig: a missing required key, a value of the wrong type, a
//     number out of range (and the BadProps given) give a validation
//     error naming the key, and Start refuses them; nothing panics.
//   - Lifecycle: Start, TaskConfigs for 1..MaxTasks tasks (never more than
//     asked, the same answer twice, maps the runtime may change), Stop, and
//     a second instance started after the first stopped.
//
// For a source, then:
//
//   - Records: Poll gives records with a topic, JSON-safe source partitions
//     and offsets, and keys, values and headers that match their schemas;
//     CommitRecord (connectors.RecordCommitter) is called on another
//     goroutine while Poll runs, as the worker does, so -race sees the
//     contract.
//   - Tasks: the tasks of TaskConfigs(MaxTasks) run side by side and never
//     share a source partition.
//   - OffsetsRoundTrip: a task is stopped and a new one started with the
//     committed offsets, read back with the types a worker restart gives
//     (integers int64, other numbers float64): it goes on where the first
//     stopped, with nothing lost and nothing repeated (unless
//     SourceConfig.Redelivers says it may repeat).
//   - PauseResume: no Poll for a while, then Poll again: nothing is lost.
//   - PollCancel: Poll returns promptly once its context is done.
//   - StopWithoutPoll: a started task stops before its first Poll.
//
// For a sink:
//
//   - PutFlush: records Put and then Flushed are what SinkConfig.Read
//     finds in the external system, each exactly once.
//   - Redelivery: a batch delivered again (as after a failed flush, or by a
//     restarted task) is tolerated: every record is there at least once.
//   - Partitions: Close then Open of some partitions, and records of the
//     partitions still open, all arrive.
//   - EmptyPut: an empty batch and a flush without new records are fine.
//   - StopWithoutOpen: a started task stops before any partition is opened.
//
// Skip names sub-tests (regular expressions matched against the sub-test's
// name) a connector cannot pass, with the reason in a comment of the
// caller's. Every failure message says which part of the contract was
// broken. The suite is -race clean, so run it with go test -race.
package connectortest
