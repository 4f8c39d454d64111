package runtime

import (
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/transforms"
)

// Connector configuration keys the framework owns, as Kafka Connect names
// them.
const (
	ConnectorName   = "name"
	ConnectorClass  = "connector.class"
	TasksMax        = "tasks.max"
	TasksMaxEnforce = "tasks.max.enforce"
	Topics          = "topics"
	TopicsRegex     = "topics.regex"
	groupConnector  = "Common"

	Transforms  = "transforms"
	Predicates  = "predicates"
	groupErrors = "Error Handling"

	ErrorsRetryTimeout        = "errors.retry.timeout"
	ErrorsRetryMaxDelay       = "errors.retry.delay.max.ms"
	ErrorsTolerance           = "errors.tolerance"
	ErrorsLogEnable           = "errors.log.enable"
	ErrorsLogIncludeMessages  = "errors.log.include.messages"
	DLQTopicName              = "errors.deadletterqueue.topic.name"
	DLQTopicReplication       = "errors.deadletterqueue.topic.replication.factor"
	DLQContextHeadersEnable   = "errors.deadletterqueue.context.headers.enable"
	TaskRestartEnable         = "task.restart.enable"
	TaskRestartBackoffInitial = "task.restart.backoff.initial.ms"
	TaskRestartBackoffMax     = "task.restart.backoff.max.ms"
	TaskRestartMaxAttempts    = "task.restart.max.attempts"
	groupRestart              = "Task Restart"
)

// config.action.reload and its values (Kafka Connect's Herder.ConfigReloadAction).
const (
	ConfigActionReload        = "config.action.reload"
	ConfigActionReloadNone    = "none"
	ConfigActionReloadRestart = "restart"
)

// The keys Kafka Connect defines for source connectors besides
// ConnectorDef's (SourceConnectorConfig): exactly-once support (KIP-618)
// and a connector's own offsets topic. sluice accepts their defaults and
// refuses, naming the key, the values it does not support yet.
const (
	ExactlyOnceSupport            = "exactly.once.support"
	TransactionBoundary           = "transaction.boundary"
	TransactionBoundaryIntervalMs = "transaction.boundary.interval.ms"
	OffsetsStorageTopic           = "offsets.storage.topic"
	groupExactlyOnce              = "Exactly Once Support"
	groupOffsetsTopic             = "offsets.topic"
)

// uniqueAliases rejects a list of aliases that names one twice.
func uniqueAliases(kind string) config.Validator {
	return config.ValidatorFunc(func(name string, value any) error {
		l, _ := value.([]string)
		seen := map[string]bool{}
		for _, a := range l {
			if seen[a] {
				return &config.ValueError{Name: name, Value: value, Reason: "Duplicate alias provided."}
			}
			seen[a] = true
		}
		return nil
	}, "unique "+kind+" aliases")
}

// ConnectorDef is the framework's definition of the keys every connector
// configuration has; sink connectors add SinkDef's.
func ConnectorDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: ConnectorName, Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyStringWithoutControlChars(), Importance: config.High, Group: groupConnector, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Connector name",
			Doc: "Globally unique name to use for this connector."}).
		Define(config.Key{Name: ConnectorClass, Type: config.String, Default: config.NoDefault, Importance: config.High, Group: groupConnector, OrderInGroup: 2, Width: config.WidthLong, DisplayName: "Connector class",
			Doc: "Name or alias of the class for this connector, e.g. org.apache.kafka.connect.file.FileStreamSinkConnector or FileStreamSink."}).
		Define(config.Key{Name: ConnectorPluginVersion, Type: config.String, Default: nil, Validator: versionValidator(), Importance: config.Medium, Group: groupConnector, OrderInGroup: 3, Width: config.WidthMedium, DisplayName: "Connector version",
			Doc: "Version of the connector. " + versionDoc}).
		Define(config.Key{Name: TasksMax, Type: config.Int, Default: int32(1), Validator: config.AtLeast(1), Importance: config.High, Group: groupConnector, OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Tasks max",
			Doc: "Maximum number of tasks to use for this connector."}).
		Define(config.Key{Name: TasksMaxEnforce, Type: config.Boolean, Default: true, Importance: config.Low, Group: groupConnector, OrderInGroup: 5, Width: config.WidthShort, DisplayName: "Enforce tasks max",
			Doc: "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release. sluice never runs more tasks than the worker's tasks.max.limit either way."}).
		Define(config.Key{Name: KeyConverter, Type: config.Class, Default: nil, Importance: config.Low, Group: groupConnector, OrderInGroup: 6, Width: config.WidthShort, DisplayName: "Key converter class",
			Doc: "Converter class for record keys; overrides the worker's key.converter."}).
		Define(config.Key{Name: KeyConverterVersion, Type: config.String, Default: nil, Validator: versionValidator(), Importance: config.Low, Group: groupConnector, OrderInGroup: 7, Width: config.WidthShort, DisplayName: "Key converter version",
			Doc: "Version of the key converter. " + versionDoc}).
		Define(config.Key{Name: ValueConverter, Type: config.Class, Default: nil, Importance: config.Low, Group: groupConnector, OrderInGroup: 8, Width: config.WidthShort, DisplayName: "Value converter class",
			Doc: "Converter class for record values; overrides the worker's value.converter."}).
		Define(config.Key{Name: ValueConverterVersion, Type: config.String, Default: nil, Validator: versionValidator(), Importance: config.Low, Group: groupConnector, OrderInGroup: 9, Width: config.WidthShort, DisplayName: "Value converter version",
			Doc: "Version of the value converter. " + versionDoc}).
		Define(config.Key{Name: HeaderConverter, Type: config.Class, Default: nil, Importance: config.Low, Group: groupConnector, OrderInGroup: 10, Width: config.WidthShort, DisplayName: "Header converter class",
			Doc: "HeaderConverter class for record headers; overrides the worker's header.converter."}).
		Define(config.Key{Name: HeaderConverterVersion, Type: config.String, Default: nil, Validator: versionValidator(), Importance: config.Low, Group: groupConnector, OrderInGroup: 11, Width: config.WidthShort, DisplayName: "Header converter version",
			Doc: "Version of the header converter. " + versionDoc}).
		Define(config.Key{Name: Transforms, Type: config.List, Default: []string{}, Validator: uniqueAliases("transformation"), Importance: config.Low, Group: "Transforms", OrderInGroup: 12, Width: config.WidthLong, DisplayName: "Transforms",
			Doc: "Aliases of the transformations applied to records, in order. Each alias is configured by transforms.<alias>.type and the transformation's own keys under transforms.<alias>., plus transforms.<alias>.predicate and transforms.<alias>.negate."}).
		Define(config.Key{Name: Predicates, Type: config.List, Default: []string{}, Validator: uniqueAliases("predicate"), Importance: config.Low, Group: "Predicates", OrderInGroup: 13, Width: config.WidthLong, DisplayName: "Predicates",
			Doc: "Aliases of the predicates transformations refer to. Each alias is configured by predicates.<alias>.type and the predicate's own keys under predicates.<alias>.."}).
		Define(config.Key{Name: ConfigActionReload, Type: config.String, Default: ConfigActionReloadRestart, Validator: config.ValidString(ConfigActionReloadNone, ConfigActionReloadRestart), Importance: config.Low, Group: groupConnector, OrderInGroup: 14, Width: config.WidthMedium, DisplayName: "Reload Action",
			Doc: "What to do when a config provider's value in this configuration changes: 'restart' (the default) or 'none'. sluice reads config provider values when the connector and its tasks start and is not told of later changes, so both values behave alike: a changed value is read at the next restart."}).
		Define(config.Key{Name: ErrorsRetryTimeout, Type: config.Long, Default: int64(0), Validator: config.AtLeast(-1), Importance: config.Medium, Group: groupErrors, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Retry Timeout for Errors",
			Doc: "How long, in milliseconds, a converter or transformation that fails with a retriable error is tried again. 0 (the default) means no retries; -1 retries without end."}).
		Define(config.Key{Name: ErrorsRetryMaxDelay, Type: config.Long, Default: int64(60000), Validator: config.AtLeast(1), Importance: config.Medium, Group: groupErrors, OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "Maximum Delay Between Retries for Errors",
			Doc: "The longest wait, in milliseconds, between two retries. Waits start at 300 ms and double; past this limit they are random up to it, so that many tasks do not retry together."}).
		Define(config.Key{Name: ErrorsTolerance, Type: config.String, Default: "none", Validator: config.ValidString("none", "all"), Importance: config.Medium, Group: groupErrors, OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Error Tolerance",
			Doc: "What a record that cannot be converted or transformed does: 'none' (the default) fails the task; 'all' skips the record, reports it (log and, for sinks, the dead letter queue) and goes on."}).
		Define(config.Key{Name: ErrorsLogEnable, Type: config.Boolean, Default: false, Importance: config.Medium, Group: groupErrors, OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Log Errors",
			Doc: "Whether every failed operation, with its stage, class and record coordinates, is written to the worker log, also when it is tolerated."}).
		Define(config.Key{Name: ErrorsLogIncludeMessages, Type: config.Boolean, Default: false, Importance: config.Medium, Group: groupErrors, OrderInGroup: 5, Width: config.WidthShort, DisplayName: "Log Error Details",
			Doc: "Whether the error log includes the record itself: key, value, headers and their schemas for source records. Off by default, so that record contents stay out of log files."}).
		Define(config.Key{Name: TaskRestartEnable, Type: config.Boolean, Default: false, Importance: config.Medium, Group: groupRestart, OrderInGroup: 1, Width: config.WidthShort, DisplayName: "Restart Failed Tasks",
			Doc: "sluice only: restart a FAILED task automatically, waiting longer after each failure. Off (the default) keeps Kafka Connect's behaviour: a failed task waits for a restart request."}).
		Define(config.Key{Name: TaskRestartBackoffInitial, Type: config.Long, Default: int64(1000), Validator: config.AtLeast(1), Importance: config.Low, Group: groupRestart, OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "First Restart Delay",
			Doc: "sluice only: milliseconds before the first automatic restart; each further restart waits twice as long, up to task.restart.backoff.max.ms."}).
		Define(config.Key{Name: TaskRestartBackoffMax, Type: config.Long, Default: int64(300000), Validator: config.AtLeast(1), Importance: config.Low, Group: groupRestart, OrderInGroup: 3, Width: config.WidthMedium, DisplayName: "Longest Restart Delay",
			Doc: "sluice only: the longest wait, in milliseconds, before an automatic restart. A task that ran this long, and at least ten minutes, before it failed starts again from the first delay."}).
		Define(config.Key{Name: TaskRestartMaxAttempts, Type: config.Int, Default: int32(-1), Validator: config.AtLeast(-1), Importance: config.Low, Group: groupRestart, OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Restart Attempts",
			Doc: "sluice only: how many automatic restarts in a row are made before the task stays FAILED; -1 (the default) means no limit."})
}

// SinkDef adds the keys of sink connectors to ConnectorDef's.
func SinkDef() *config.Def {
	return ConnectorDef().
		Define(config.Key{Name: Topics, Type: config.List, Default: "", Validator: config.TopicNames(), Importance: config.High, Group: groupConnector, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Topics",
			Doc: "List of topics to consume, separated by commas."}).
		Define(config.Key{Name: TopicsRegex, Type: config.String, Default: "", Validator: transforms.RegexValidator(), Importance: config.High, Group: groupConnector, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Topics regex",
			Doc: "Regular expression giving topics to consume; not supported yet by sluice (use topics)."}).
		Define(config.Key{Name: DLQTopicName, Type: config.String, Default: "", Validator: config.TopicName(true), Importance: config.Medium, Group: groupErrors, OrderInGroup: 6, Width: config.WidthMedium, DisplayName: "Dead Letter Queue Topic Name",
			Doc: "The topic that receives, as consumed, the records this sink could not convert or transform or that its task reported as errant. Empty (the default) means no dead letter queue. The topic is created if missing."}).
		Define(config.Key{Name: DLQTopicReplication, Type: config.Short, Default: int16(3), Importance: config.Medium, Group: groupErrors, OrderInGroup: 7, Width: config.WidthMedium, DisplayName: "Dead Letter Queue Topic Replication Factor",
			Doc: "The replication factor of the dead letter queue topic when sluice creates it."}).
		Define(config.Key{Name: DLQContextHeadersEnable, Type: config.Boolean, Default: false, Importance: config.Medium, Group: groupErrors, OrderInGroup: 8, Width: config.WidthMedium, DisplayName: "Enable Error Context Headers",
			Doc: "Whether dead letter queue records carry __connect.errors.* headers saying where the record came from and why it failed."})
}

// SourceDef adds the keys of source connectors to ConnectorDef's. Their
// groups and orders are Kafka Connect 4.4's (its topic.creation.groups is
// order 1 of "Topic Creation", shared with the exactly-once keys' count).
func SourceDef() *config.Def {
	return ConnectorDef().
		Define(topicCreationGroupsKey()).
		Define(config.Key{Name: ExactlyOnceSupport, Type: config.String, Default: "requested", Validator: config.All(config.CaseInsensitiveValidString("requested", "required"), notRequired()), Importance: config.Medium, Group: groupExactlyOnce, OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Exactly once support",
			Doc: "requested or required. 'required' makes creating or validating the connector fail unless exactly-once semantics can be guaranteed; sluice does not support exactly-once source connectors yet, so only 'requested' (the default, which asks for no guarantee) is accepted."}).
		Define(config.Key{Name: TransactionBoundary, Type: config.String, Default: "poll", Validator: config.All(config.CaseInsensitiveValidString("poll", "interval", "connector"), pollOnly()), Importance: config.Medium, Group: groupExactlyOnce, OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Transaction Boundary",
			Doc: "poll, interval or connector: where an exactly-once source's producer transactions begin and end: every batch a task polls ('poll'), after transaction.boundary.interval.ms ('interval'), or where the connector says ('connector'). sluice does not support exactly-once source connectors yet, so only 'poll' (the default) is accepted."}).
		Define(config.Key{Name: TransactionBoundaryIntervalMs, Type: config.Long, Default: nil, Validator: nullOr(config.AtLeast(0)), Importance: config.Low, Group: groupExactlyOnce, OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Transaction boundary interval",
			Doc: "With transaction.boundary=interval, how often, in milliseconds, an exactly-once source's tasks commit their producer transactions; unset means the worker's offset.flush.interval.ms. Any other transaction.boundary ignores it."}).
		Define(config.Key{Name: OffsetsStorageTopic, Type: config.String, Default: nil, Validator: config.All(config.NonEmptyString(), noOwnOffsetsTopic()), Importance: config.Low, Group: groupOffsetsTopic, OrderInGroup: 1, Width: config.WidthLong, DisplayName: "Offsets topic",
			Doc: "The name of a separate offsets topic for this connector. sluice does not support a connector's own offsets topic yet: the key must be left unset, and the worker's offsets topic (offset.storage.topic, or offset.storage.file.filename in standalone mode) holds the connector's offsets."})
}

// refuseUnbuilt refuses the values refuse picks, of a key whose feature
// sluice does not have yet, with reason; desc names what it accepts.
func refuseUnbuilt(refuse func(s string) bool, reason, desc string) config.Validator {
	return config.ValidatorFunc(func(name string, value any) error {
		if s, _ := value.(string); refuse(s) {
			return &config.ValueError{Name: name, Value: value, Reason: reason}
		}
		return nil
	}, desc)
}

// notRequired refuses exactly.once.support=required: sluice has no
// exactly-once source support, which Kafka Connect then reports as "This
// worker does not have exactly-once source support enabled."
func notRequired() config.Validator {
	return refuseUnbuilt(func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "required") },
		"This worker does not have exactly-once source support enabled: sluice does not support exactly-once source connectors yet; use requested",
		"not required yet")
}

// pollOnly refuses a transaction.boundary other than poll: transactions
// only exist with exactly-once source support.
func pollOnly() config.Validator {
	return refuseUnbuilt(func(s string) bool { return !strings.EqualFold(strings.TrimSpace(s), "poll") },
		"sluice does not support exactly-once source connectors yet, so there are no producer transactions to bound; use poll",
		"only poll yet")
}

// noOwnOffsetsTopic refuses offsets.storage.topic when set: sluice keeps
// every source connector's offsets in the worker's offsets store.
func noOwnOffsetsTopic() config.Validator {
	return refuseUnbuilt(func(s string) bool { return s != "" },
		"sluice does not support a connector's own offsets topic yet; remove the key to keep the connector's offsets in the worker's offsets topic",
		"unset yet")
}

// nullOr applies v to values other than null, which it accepts.
func nullOr(v config.Validator) config.Validator {
	return config.ValidatorFunc(func(name string, value any) error {
		if value == nil {
			return nil
		}
		return v.Validate(name, value)
	}, v.String())
}

// FrameworkDef is the framework's definition for a connector of kind:
// SinkDef for sinks, SourceDef for sources, ConnectorDef otherwise.
func FrameworkDef(kind plugins.Kind) *config.Def {
	switch kind {
	case plugins.Sink:
		return SinkDef()
	case plugins.Source:
		return SourceDef()
	}
	return ConnectorDef()
}
