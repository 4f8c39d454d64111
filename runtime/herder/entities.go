package herder

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/internal/logging"
)

// ServerInfo is the answer of GET /.
type ServerInfo struct {
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	KafkaClusterID string `json:"kafka_cluster_id"`
}

// ConnectorType is "source", "sink" or "unknown".
type ConnectorType string

// Connector types.
const (
	SourceType  ConnectorType = "source"
	SinkType    ConnectorType = "sink"
	UnknownType ConnectorType = "unknown"
)

// TaskID identifies a task: its connector and its number.
type TaskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

// String returns Kafka Connect's form, "<connector>-<task>".
func (id TaskID) String() string { return id.Connector + "-" + strconv.Itoa(id.Task) }

// ParseTaskID parses "<connector>-<task>"; connector names may contain '-'.
func ParseTaskID(s string) (TaskID, error) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return TaskID{}, fmt.Errorf("invalid task id %q: want <connector>-<number>", s)
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 0 {
		return TaskID{}, fmt.Errorf("invalid task id %q: want <connector>-<number>", s)
	}
	return TaskID{Connector: s[:i], Task: n}, nil
}

// ConnectorInfo is a connector's configuration and tasks.
type ConnectorInfo struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Tasks  []TaskID          `json:"tasks"`
	Type   ConnectorType     `json:"type"`
}

// TaskInfo is a task's configuration.
type TaskInfo struct {
	ID     TaskID            `json:"id"`
	Config map[string]string `json:"config"`
}

// State is the runtime state of a connector or task.
type State string

// States as Kafka Connect reports them.
const (
	Unassigned State = "UNASSIGNED"
	Running    State = "RUNNING"
	Paused     State = "PAUSED"
	Failed     State = "FAILED"
	Restarting State = "RESTARTING"
	Stopped    State = "STOPPED"
)

// TargetState is the state a user asked a connector to be in.
type TargetState string

// Target states (KIP-875).
const (
	TargetStarted TargetState = "STARTED"
	TargetPaused  TargetState = "PAUSED"
	TargetStopped TargetState = "STOPPED"
)

// ParseInitialState parses KIP-980's initial_state (RUNNING, PAUSED or
// STOPPED, any case) into a target state.
func ParseInitialState(s string) (TargetState, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "RUNNING":
		return TargetStarted, nil
	case "PAUSED":
		return TargetPaused, nil
	case "STOPPED":
		return TargetStopped, nil
	}
	return "", BadRequest("Invalid initial state %q: must be one of RUNNING, PAUSED, STOPPED", s)
}

// ConnectorState is the state of a connector instance.
type ConnectorState struct {
	State    State  `json:"state"`
	WorkerID string `json:"worker_id"`
	// Version is the version of the connector plugin that runs (KIP-891);
	// null when unknown (it failed before its plugin was loaded, or the
	// status was written by a worker older than Kafka Connect 4.1).
	Version PluginVersion `json:"version"`
	Trace   string        `json:"trace,omitempty"`
}

// TaskState is the state of one task.
type TaskState struct {
	ID       int    `json:"id"`
	State    State  `json:"state"`
	WorkerID string `json:"worker_id"`
	// Version is the version of the task that runs, as in ConnectorState.
	Version PluginVersion `json:"version"`
	Trace   string        `json:"trace,omitempty"`
	// AutoRestart, a sluice addition, is set on a FAILED task that sluice
	// will restart by itself (task.restart.enable=true).
	AutoRestart *AutoRestart `json:"auto_restart,omitempty"`
}

// PluginVersion is a plugin's version in a status, null in JSON when
// empty, as Kafka Connect writes an unknown version.
type PluginVersion string

// MarshalJSON writes the version, or null when it is empty.
func (v PluginVersion) MarshalJSON() ([]byte, error) {
	if v == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(v))
}

// AutoRestart says when sluice restarts a failed task by itself.
type AutoRestart struct {
	// Attempt counts the automatic restarts in a row, this one included.
	Attempt int `json:"attempt"`
	// MaxAttempts is task.restart.max.attempts; -1 means no limit.
	MaxAttempts int `json:"max_attempts"`
	// At is when the restart happens.
	At time.Time `json:"at"`
}

// ConnectorStateInfo is the status of a connector and its tasks.
type ConnectorStateInfo struct {
	Name      string         `json:"name"`
	Connector ConnectorState `json:"connector"`
	Tasks     []TaskState    `json:"tasks"`
	Type      ConnectorType  `json:"type"`
}

// ConnectorOffsets are a connector's offsets, as GET/PATCH offsets carry them.
type ConnectorOffsets struct {
	Offsets []PartitionOffset `json:"offsets"`
}

// PartitionOffset is the offset of one source partition (or, for sinks, one
// Kafka partition); a nil Offset means "none" / "remove".
type PartitionOffset struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// CreateConnectorRequest is the body of POST /connectors.
type CreateConnectorRequest struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	// InitialState is RUNNING, PAUSED or STOPPED (KIP-980); empty means
	// RUNNING.
	InitialState string `json:"initial_state,omitempty"`
}

// ConnectorExpanded is one entry of GET /connectors?expand=status&expand=info.
type ConnectorExpanded struct {
	Status *ConnectorStateInfo `json:"status,omitempty"`
	Info   *ConnectorInfo      `json:"info,omitempty"`
}

// ActiveTopics is one entry of GET /connectors/{c}/topics.
type ActiveTopics struct {
	Topics []string `json:"topics"`
}

// PluginInfo describes an installed plugin. Type is source, sink,
// converter, header_converter, transformation or predicate.
type PluginInfo struct {
	Class   string `json:"class"`
	Type    string `json:"type"`
	Version string `json:"version,omitempty"`
}

// Message is the body of the offsets PATCH and DELETE answers.
type Message struct {
	Message string `json:"message"`
}

// ErrorMessage is the body of every error answer.
type ErrorMessage struct {
	ErrorCode int    `json:"error_code"`
	Message   string `json:"message"`
}

// WorkerStatus is the body of GET /health.
type WorkerStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// LoggerLevel is a logger's level as GET /admin/loggers shows it;
// LastModified is in Unix milliseconds, nil if never set through the API.
// internal/logging defines it, so that the logger registry need not import
// the herder contract.
type LoggerLevel = logging.LoggerLevel

// Offset messages, as Kafka Connect words them.
const (
	OffsetsAltered         = "The offsets for this connector have been altered successfully"
	OffsetsReset           = "The offsets for this connector have been reset successfully"
	OffsetsAlteredExternal = "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses."
	OffsetsResetExternal   = "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses."
)
