// Package herder is the control-plane contract: what the REST API asks of a
// worker (standalone or distributed), and the entities it answers with, in
// Kafka Connect's REST shapes.
package herder

import (
	"context"
	"strings"

	"github.com/sluicehq/sluice/config"
)

// Herder manages the connectors of a worker or of a group of workers.
// Every method is safe for concurrent use. Errors that a client caused are
// *Error values carrying the HTTP status Kafka Connect answers with.
type Herder interface {
	// ServerInfo describes the worker.
	ServerInfo(ctx context.Context) (ServerInfo, error)
	// Ready reports whether the worker has finished starting up.
	Ready(ctx context.Context) error

	// Connectors lists the connector names, sorted.
	Connectors(ctx context.Context) ([]string, error)
	// ConnectorInfo returns a connector's configuration and tasks.
	ConnectorInfo(ctx context.Context, name string) (ConnectorInfo, error)
	// ConnectorConfig returns a connector's configuration as submitted.
	ConnectorConfig(ctx context.Context, name string) (map[string]string, error)
	// PutConnectorConfig creates a connector or, with allowReplace, replaces
	// its configuration. initial applies to a new connector only (KIP-980;
	// "" means STARTED). created is true when the connector is new.
	PutConnectorConfig(ctx context.Context, name string, cfg map[string]string, allowReplace bool, initial TargetState) (info ConnectorInfo, created bool, err error)
	// PatchConnectorConfig applies a partial update to an existing
	// connector's configuration: a nil value removes the key.
	PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (ConnectorInfo, error)
	// DeleteConnector stops and removes a connector.
	DeleteConnector(ctx context.Context, name string) error
	// Tasks returns a connector's task configurations.
	Tasks(ctx context.Context, name string) ([]TaskInfo, error)

	// ConnectorStatus returns the state of a connector and its tasks.
	ConnectorStatus(ctx context.Context, name string) (ConnectorStateInfo, error)
	// TaskStatus returns the state of one task.
	TaskStatus(ctx context.Context, id TaskID) (TaskState, error)

	// RestartConnector restarts a connector and, per the flags, its tasks
	// (KIP-745); it returns the status with the restarting instances marked.
	RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (ConnectorStateInfo, error)
	// RestartTask restarts one task.
	RestartTask(ctx context.Context, id TaskID) error
	// SetTargetState pauses, resumes or stops a connector.
	SetTargetState(ctx context.Context, name string, state TargetState) error

	// ConnectorOffsets returns a connector's committed offsets.
	ConnectorOffsets(ctx context.Context, name string) (ConnectorOffsets, error)
	// AlterConnectorOffsets writes offsets of a STOPPED connector; a nil
	// Offset removes that partition's offset. It returns the message to show.
	AlterConnectorOffsets(ctx context.Context, name string, offsets ConnectorOffsets) (string, error)
	// ResetConnectorOffsets removes every offset of a STOPPED connector.
	ResetConnectorOffsets(ctx context.Context, name string) (string, error)

	// ValidateConnectorConfig validates a configuration without creating it.
	ValidateConnectorConfig(ctx context.Context, cfg map[string]string) (ConfigInfos, error)

	// ConnectorTopics returns the topics a connector's tasks have used since
	// its creation or the last reset (KIP-558), sorted.
	ConnectorTopics(ctx context.Context, name string) ([]string, error)
	// ResetConnectorTopics forgets a connector's active topics.
	ResetConnectorTopics(ctx context.Context, name string) error

	// ConnectorPlugins lists the installed plugins: connectors only, or
	// every kind (converters, header converters, transformations,
	// predicates) when connectorsOnly is false.
	ConnectorPlugins(ctx context.Context, connectorsOnly bool) ([]PluginInfo, error)
	// PluginConfig returns a plugin's configuration keys; for a connector,
	// the framework's keys come first. name is a class name or an alias;
	// version a version or Maven version range (KIP-891), blank for the
	// latest installed version.
	PluginConfig(ctx context.Context, name, version string) ([]config.KeyInfo, error)

	// SetClusterLoggerLevel sets a logger level on every worker of the
	// cluster (KIP-976 scope=cluster); a standalone worker sets its own.
	SetClusterLoggerLevel(ctx context.Context, namespace, level string) error
}

// ConfigInfos is the result of validating a connector configuration, in the
// shape of Kafka Connect's ConfigInfos.
type ConfigInfos struct {
	Name       string       `json:"name"`
	ErrorCount int          `json:"error_count"`
	Groups     []string     `json:"groups"`
	Configs    []ConfigInfo `json:"configs"`
}

// ConfigInfo is the definition of one key and the validation of its value;
// Definition is nil for a key no definition knows.
type ConfigInfo struct {
	Definition *config.KeyInfo  `json:"definition"`
	Value      *ConfigValueInfo `json:"value"`
}

// ConfigValueInfo is the validation result of one value.
type ConfigValueInfo struct {
	Name              string   `json:"name"`
	Value             *string  `json:"value"`
	RecommendedValues []string `json:"recommended_values"`
	Errors            []string `json:"errors"`
	Visible           bool     `json:"visible"`
}

// InvalidConfig turns validation results with errors into Kafka
// Connect's 400 message, or returns nil when there are none. Kafka Connect
// lists the errors as they are; an error that does not name its key
// ("Null value can not be supplied as the configuration value.") is
// prefixed with it ("topic: "), and one that does is left as Kafka Connect
// words it.
func InvalidConfig(infos ConfigInfos) error {
	if infos.ErrorCount == 0 {
		return nil
	}
	var msgs []string
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		for _, e := range c.Value.Errors {
			if !namesKey(e, c.Value.Name) {
				e = c.Value.Name + ": " + e
			}
			msgs = append(msgs, e)
		}
	}
	return BadRequest("Connector configuration is invalid and contains the following %d error(s):\n%s\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
		len(msgs), strings.Join(msgs, "\n"))
}

// namesKey reports whether msg names the configuration key name as a whole
// word: `Missing required configuration "topic" …` names topic, `Invalid
// value x for configuration topics.regex: …` names topics.regex but not
// topics.
func namesKey(msg, name string) bool {
	if name == "" {
		return false
	}
	keyByte := func(b byte) bool {
		return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '$'
	}
	for i := 0; ; {
		j := strings.Index(msg[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		before := start == 0 || !keyByte(msg[start-1]) && msg[start-1] != '.'
		// A '.' after the name ends the sentence unless a key goes on.
		after := end == len(msg) || !keyByte(msg[end]) && (msg[end] != '.' || end+1 == len(msg) || !keyByte(msg[end+1]))
		if before && after {
			return true
		}
		i = start + 1
	}
}
