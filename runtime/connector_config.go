package runtime

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/plugins"
)

// Connector configuration keys the framework owns, as Kafka Connect names
// them.
const (
	ConnectorName  = "name"
	ConnectorClass = "connector.class"
	TasksMax       = "tasks.max"
	Topics         = "topics"
	TopicsRegex    = "topics.regex"
	groupConnector = "Common"
)

// ConnectorDef is the framework's definition of the keys every connector
// configuration has; sink connectors add SinkDef's.
func ConnectorDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: ConnectorName, Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyStringWithoutControlChars(), Importance: config.High, Group: groupConnector, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Connector name",
			Doc: "Globally unique name to use for this connector."}).
		Define(config.Key{Name: ConnectorClass, Type: config.String, Default: config.NoDefault, Importance: config.High, Group: groupConnector, OrderInGroup: 2, Width: config.WidthLong, DisplayName: "Connector class",
			Doc: "Name or alias of the class for this connector, e.g. org.apache.kafka.connect.file.FileStreamSinkConnector or FileStreamSink."}).
		Define(config.Key{Name: TasksMax, Type: config.Int, Default: int32(1), Validator: config.AtLeast(1), Importance: config.High, Group: groupConnector, OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Tasks max",
			Doc: "Maximum number of tasks to use for this connector."}).
		Define(config.Key{Name: KeyConverter, Type: config.Class, Default: nil, Importance: config.Low, Group: groupConnector, OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Key converter class",
			Doc: "Converter class for record keys; overrides the worker's key.converter."}).
		Define(config.Key{Name: ValueConverter, Type: config.Class, Default: nil, Importance: config.Low, Group: groupConnector, OrderInGroup: 5, Width: config.WidthShort, DisplayName: "Value converter class",
			Doc: "Converter class for record values; overrides the worker's value.converter."}).
		Define(config.Key{Name: HeaderConverter, Type: config.Class, Default: nil, Importance: config.Low, Group: groupConnector, OrderInGroup: 6, Width: config.WidthShort, DisplayName: "Header converter class",
			Doc: "HeaderConverter class for record headers; overrides the worker's header.converter."})
}

// SinkDef adds the keys of sink connectors to ConnectorDef's.
func SinkDef() *config.Def {
	return ConnectorDef().
		Define(config.Key{Name: Topics, Type: config.List, Default: "", Importance: config.High, Group: groupConnector, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Topics",
			Doc: "List of topics to consume, separated by commas."}).
		Define(config.Key{Name: TopicsRegex, Type: config.String, Default: "", Importance: config.High, Group: groupConnector, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Topics regex",
			Doc: "Regular expression giving topics to consume; not supported yet by sluice (use topics)."})
}

// FrameworkDef is the framework's definition for a connector of kind:
// SinkDef for sinks, ConnectorDef otherwise.
func FrameworkDef(kind plugins.Kind) *config.Def {
	if kind == plugins.Sink {
		return SinkDef()
	}
	return ConnectorDef()
}
