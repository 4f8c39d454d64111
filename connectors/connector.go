package connectors

import (
	"context"
	"log/slog"

	"github.com/sluicehq/sluice/config"
)

// Connector manages the integration with one external system: it validates
// its configuration and splits the work into task configurations.
// The runtime calls Start, then TaskConfigs any number of times, then Stop.
//
// Concurrency: the runtime makes these calls one at a time, but not always
// from the same goroutine. The ConnectorContext may be used from any
// goroutine (one the connector starts to watch its external system, say)
// from Start until Stop returns. Validate, ValidateLive and Config are
// called on other instances, made for the purpose, possibly concurrently.
type Connector interface {
	// Config describes the connector's own configuration keys.
	Config() *config.Def
	// Start starts the connector with its configuration. cc lets the
	// connector ask for new task configurations or report a fatal error.
	Start(ctx context.Context, cc ConnectorContext, props map[string]string) error
	// TaskConfigs returns at most maxTasks task configurations. A connector
	// that stands in for a Java one should return what that one returns
	// (usually its configuration as given, plus task keys): new task
	// configurations are stored, and the tasks restarted, only when they
	// differ from the stored ones, so that equal ones written by Kafka
	// Connect are taken over as they are.
	TaskConfigs(maxTasks int) ([]map[string]string, error)
	// Stop stops the connector; it is called once, after Start succeeded.
	Stop(ctx context.Context) error
}

// SourceConnector is a connector whose tasks read from an external system
// and write to Kafka.
type SourceConnector interface {
	Connector
	// NewTask returns a new, unstarted task.
	NewTask() SourceTask
}

// SinkConnector is a connector whose tasks read from Kafka and write to an
// external system.
type SinkConnector interface {
	Connector
	// NewTask returns a new, unstarted task.
	NewTask() SinkTask
}

// Validator is implemented by a connector that validates more than its
// Config definition can express (for example dependencies between keys).
// Without it the runtime validates props against Config alone.
type Validator interface {
	Validate(props map[string]string) []config.Result
}

// LiveValidator is implemented by a connector that can also check its
// configuration against the external system: connect to a database with the
// credentials, look the tables up. The runtime calls ValidateLive only to
// answer the REST API's config/validate endpoint, and only when Validate found
// no error; it returns results (by key) holding only the errors found, which
// are added to Validate's. Creating, updating or starting a connector never
// calls it, so that a connector does not depend on the external system being
// reachable at that moment (a database down while a worker restarts would
// otherwise leave the connector FAILED until someone restarts it); its tasks
// report such problems when they run. ctx bounds the checks.
type LiveValidator interface {
	ValidateLive(ctx context.Context, props map[string]string) []config.Result
}

// FileUser is implemented by a connector whose configuration names local
// files to read or write (the file connectors). When the worker sets
// file.connector.allowed.paths, the value of each of its FileKeys must lie
// in the allowed directories: validation reports an error on the key, and
// the connector or its task fails to start with a stored configuration
// that breaks the rule. An empty value (no file) is not checked.
type FileUser interface {
	FileKeys() []string
}

// SecretHolder is implemented by a connector whose configuration can hold
// secrets inside values that are not secret as a whole: a password written
// in a JDBC connection.url. The runtime adds what EmbeddedSecrets returns to
// the values it scrubs from log lines, status traces and error messages, as
// it does for PASSWORD values (a configuration is still shown as written by
// GET /connectors/{name}/config, as in Kafka Connect). props are resolved
// (config provider variables replaced); EmbeddedSecrets must not fail on an
// invalid configuration: it returns what it can find.
type SecretHolder interface {
	EmbeddedSecrets(props map[string]string) []string
}

// Versioned is implemented by plugins (connectors, converters,
// transformations, predicates) that report a version. GET /connector-plugins
// shows what Version returns, or plugins.Plugin.Version when the plugin does
// not implement Versioned or returns "". The runtime calls it on a fresh
// instance, before Start or Configure.
type Versioned interface {
	Version() string
}

// TaskClassNamer is implemented by a connector whose Java counterpart's
// task class is not its own class name with "Connector" replaced by "Task"
// (Debezium's MySqlConnector has MySqlConnectorTask). The runtime writes
// the name in every task configuration's task.class, as Kafka Connect
// does, so that task configurations written by Kafka Connect and by the
// runtime are equal.
type TaskClassNamer interface {
	TaskClass() string
}

// Logging is implemented by a task or a connector that logs. The runtime
// calls SetLogger before Start with its logger: the same one its context's
// Logger returns, named after the plugin's class (as Java's loggers are, so
// that /admin/loggers sets its level) and naming the task or connector in
// every line. New code should use the context's Logger instead; Logging
// stays for code written before contexts had one, and for tests that give a
// task a logger without a context.
type Logging interface {
	SetLogger(log *slog.Logger)
}

// ConnectorContext is how a connector talks to the runtime. Its methods
// may be called from any goroutine, Start included, and return at once.
type ConnectorContext interface {
	// RequestTaskReconfiguration asks the runtime to call TaskConfigs again
	// (later, on another goroutine) and restart the tasks if their
	// configurations changed.
	RequestTaskReconfiguration()
	// RaiseError fails the connector with err.
	RaiseError(err error)
	// Logger returns the connector's logger: named after the connector's
	// class (so /admin/loggers sets its level), written in the worker's
	// -log-format, naming the connector in every line, with secrets
	// scrubbed. Never nil.
	Logger() *slog.Logger
}

// SourceOffsetAlterer is implemented by a source connector that checks, or
// applies in its external system, offsets a user alters through the REST
// API (KIP-875's SourceConnector.alterOffsets). It is called with the
// connector's configuration while the connector is STOPPED, before the
// runtime writes the offsets; an error rejects the request (400). A nil
// Offset means the partition's offset is being reset. It returns true when
// the connector handled the change in full (the runtime then answers that
// the offsets were altered) and false when offsets it manages elsewhere may
// need a manual change.
type SourceOffsetAlterer interface {
	AlterOffsets(ctx context.Context, props map[string]string, offsets []SourceOffset) (bool, error)
}

// SourceOffset is one source partition's offset in an alter request.
type SourceOffset struct {
	Partition map[string]any
	Offset    map[string]any
}

// SinkOffsetAlterer is SourceOffsetAlterer for sink connectors (KIP-875's
// SinkConnector.alterOffsets): offsets maps each partition to its new
// offset, nil for a reset.
type SinkOffsetAlterer interface {
	AlterOffsets(ctx context.Context, props map[string]string, offsets map[TopicPartition]*int64) (bool, error)
}
