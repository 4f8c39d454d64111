// Package herdercore is what the standalone and the distributed herder
// share, as Kafka Connect's AbstractHerder: every REST answer that does not
// depend on where connector configurations live (statuses, offsets,
// active topics, plugins, validation, server info), and the pieces both
// herders build their own operations from (restart plans, the statuses a
// restart reports, task configuration comparison, configuration patches,
// lifecycle log lines), plus the version and commit GET / reports.
//
// A herder holds a *Core, made by New over its worker, status and offset
// stores and a Store telling the core how to read its configurations, and
// embeds it as Answers, the REST methods it answers; the herder keeps only
// what differs: where configurations are stored, how changes
// are serialized (a mutex, or the distributed herder's loop), and the
// redirects to the leader or a connector's owner.
package herdercore

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// Store is how a herder's configurations are read, and how it changes
// offsets. Lookup and ModifyOffsets are required; Started may be nil.
type Store struct {
	// Started waits until the stores hold the worker's state, so that
	// reads may answer from them (nil: at once).
	Started func(ctx context.Context) error
	// Lookup returns a connector's stored configuration, target state and
	// task configurations, or NotFound's error.
	Lookup func(ctx context.Context, name string) (storage.ConnectorState, error)
	// ModifyOffsets alters (reset: deletes) a connector's offsets where
	// the herder serializes such changes: it checks them with
	// OffsetsModifiable and applies them with AlterOffsets.
	ModifyOffsets func(ctx context.Context, name string, offsets []herder.PartitionOffset, reset bool) (string, error)
}

// Loggers sets the level of a logger and its descendants
// (internal/logging's Levels): a herder's cluster-scope logger changes.
type Loggers interface {
	Set(namespace string, level slog.Level) []string
}

// Core implements the herder.Herder methods that read the stores and the
// worker the same way in both modes (Answers); the herder holding it
// implements the others.
type Core struct {
	worker  *runtime.Worker
	status  storage.StatusStore
	offsets storage.OffsetStore
	log     *slog.Logger
	store   Store
}

// New returns the core of a herder over its worker and stores; log is the
// herder's logger (the lifecycle lines are logged with it).
func New(w *runtime.Worker, status storage.StatusStore, offsets storage.OffsetStore, log *slog.Logger, store Store) *Core {
	return &Core{worker: w, status: status, offsets: offsets, log: log, store: store}
}

// Answers are the herder.Herder methods the core answers for both herders,
// whatever they keep their configurations in. A herder embeds its core as
// Answers, so that only these are promoted to its method set; it calls the
// core's other methods (Info, AlterOffsets, the Report and Log helpers:
// pieces of its own operations, which skip its locking and checks) through
// a field of its own.
type Answers interface {
	ServerInfo(ctx context.Context) (herder.ServerInfo, error)
	WaitNote() string
	ConnectorInfo(ctx context.Context, name string) (herder.ConnectorInfo, error)
	ConnectorConfig(ctx context.Context, name string) (map[string]string, error)
	Tasks(ctx context.Context, name string) ([]herder.TaskInfo, error)
	ConnectorStatus(ctx context.Context, name string) (herder.ConnectorStateInfo, error)
	TaskStatus(ctx context.Context, id herder.TaskID) (herder.TaskState, error)
	ConnectorOffsets(ctx context.Context, name string) (herder.ConnectorOffsets, error)
	AlterConnectorOffsets(ctx context.Context, name string, offsets herder.ConnectorOffsets) (string, error)
	ResetConnectorOffsets(ctx context.Context, name string) (string, error)
	ConnectorTopics(ctx context.Context, name string) ([]string, error)
	ResetConnectorTopics(ctx context.Context, name string) error
	ConnectorPlugins(ctx context.Context, connectorsOnly bool) ([]herder.PluginInfo, error)
	PluginConfig(ctx context.Context, name, version string) ([]config.KeyInfo, error)
	ValidateConnectorConfig(ctx context.Context, cfg map[string]string) (herder.ConfigInfos, error)
}

var _ Answers = (*Core)(nil)

// NotFound is the 404 for a connector that does not exist.
func NotFound(name string) error { return herder.NotFound("Connector %s not found", name) }

// TaskExists refuses, with Kafka Connect's 404s, a request for a task of a
// connector that does not exist, or beyond the tasks tasks it has.
func TaskExists(id herder.TaskID, connectorExists bool, tasks int) error {
	if !connectorExists {
		return herder.NotFound("Unknown connector: %s", id.Connector)
	}
	if id.Task < 0 || id.Task >= tasks {
		return herder.NotFound("Unknown task: %s", id)
	}
	return nil
}

// Unavailable is a 503 with message.
func Unavailable(message string) error {
	return &herder.Error{Code: http.StatusServiceUnavailable, Message: message}
}

func (c *Core) started(ctx context.Context) error {
	if c.store.Started == nil {
		return nil
	}
	return c.store.Started(ctx)
}

// ServerInfo implements herder.Herder.
func (c *Core) ServerInfo(context.Context) (herder.ServerInfo, error) {
	id, err := c.worker.ClusterID()
	if err != nil {
		return herder.ServerInfo{}, fmt.Errorf("read the Kafka cluster id: %w", err)
	}
	return herder.ServerInfo{Version: Version, Commit: Commit(), KafkaClusterID: id}, nil
}

// WaitNote says which of this worker's tasks wait for Kafka ("" when none
// does); GET /health adds it to its message.
func (c *Core) WaitNote() string { return c.worker.WaitNote() }

// KindOf tells a source from a sink by the configuration's connector
// class; unknown if the class is not installed.
func (c *Core) KindOf(cfg map[string]string) herder.ConnectorType {
	return c.worker.ConnectorType(cfg)
}

// Info is a connector's REST description with tasks task ids.
func (c *Core) Info(name string, cfg map[string]string, tasks int) herder.ConnectorInfo {
	ids := make([]herder.TaskID, tasks)
	for i := range ids {
		ids[i] = herder.TaskID{Connector: name, Task: i}
	}
	return herder.ConnectorInfo{Name: name, Config: cfg, Tasks: ids, Type: c.KindOf(cfg)}
}

// ConnectorInfo implements herder.Herder.
func (c *Core) ConnectorInfo(ctx context.Context, name string) (herder.ConnectorInfo, error) {
	s, err := c.store.Lookup(ctx, name)
	if err != nil {
		return herder.ConnectorInfo{}, err
	}
	return c.Info(name, s.Config, len(s.TaskConfigs)), nil
}

// ConnectorConfig implements herder.Herder.
func (c *Core) ConnectorConfig(ctx context.Context, name string) (map[string]string, error) {
	s, err := c.store.Lookup(ctx, name)
	return s.Config, err
}

// Tasks implements herder.Herder.
func (c *Core) Tasks(ctx context.Context, name string) ([]herder.TaskInfo, error) {
	s, err := c.store.Lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	out := make([]herder.TaskInfo, len(s.TaskConfigs))
	for i, tc := range s.TaskConfigs {
		out[i] = herder.TaskInfo{ID: herder.TaskID{Connector: name, Task: i}, Config: tc}
	}
	return out, nil
}

// StatusInfo is a connector's status with its tasks' (ok is false when
// the status store holds none for the connector); cfg gives its type.
func (c *Core) StatusInfo(name string, cfg map[string]string) (info herder.ConnectorStateInfo, ok bool) {
	cs, ok := c.status.Connector(name)
	return herder.ConnectorStateInfo{Name: name, Connector: cs, Tasks: c.status.Tasks(name), Type: c.KindOf(cfg)}, ok
}

// ConnectorStatus implements herder.Herder.
func (c *Core) ConnectorStatus(ctx context.Context, name string) (herder.ConnectorStateInfo, error) {
	if err := c.started(ctx); err != nil {
		return herder.ConnectorStateInfo{}, err
	}
	if _, ok := c.status.Connector(name); !ok {
		return herder.ConnectorStateInfo{}, herder.NotFound("No status found for connector %s", name)
	}
	s, _ := c.store.Lookup(ctx, name)
	info, _ := c.StatusInfo(name, s.Config)
	return info, nil
}

// TaskStatus implements herder.Herder.
func (c *Core) TaskStatus(ctx context.Context, id herder.TaskID) (herder.TaskState, error) {
	if err := c.started(ctx); err != nil {
		return herder.TaskState{}, err
	}
	for _, t := range c.status.Tasks(id.Connector) {
		if t.ID == id.Task {
			return t, nil
		}
	}
	return herder.TaskState{}, herder.NotFound("No status found for task %s", id)
}

// ConnectorOffsets implements herder.Herder: a source connector's offsets
// from the offset store, a sink connector's from its consumer group.
func (c *Core) ConnectorOffsets(ctx context.Context, name string) (herder.ConnectorOffsets, error) {
	s, err := c.store.Lookup(ctx, name)
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	if c.KindOf(s.Config) == herder.SinkType {
		offs, err := c.worker.SinkOffsets(ctx, name, s.Config)
		return herder.ConnectorOffsets{Offsets: offs}, err
	}
	offs, err := c.offsets.Offsets(ctx, name)
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	out := herder.ConnectorOffsets{Offsets: make([]herder.PartitionOffset, len(offs))}
	for i, o := range offs {
		out.Offsets[i] = herder.PartitionOffset{Partition: o.Partition, Offset: o.Offset}
	}
	return out, nil
}

// AlterConnectorOffsets implements herder.Herder.
func (c *Core) AlterConnectorOffsets(ctx context.Context, name string, offsets herder.ConnectorOffsets) (string, error) {
	return c.store.ModifyOffsets(ctx, name, offsets.Offsets, false)
}

// ResetConnectorOffsets implements herder.Herder.
func (c *Core) ResetConnectorOffsets(ctx context.Context, name string) (string, error) {
	return c.store.ModifyOffsets(ctx, name, nil, true)
}

// OffsetsModifiable refuses a change of offsets unless the connector is
// stopped (KIP-875's rule), and an alter request that gives none.
func OffsetsModifiable(name string, stopped bool, offsets []herder.PartitionOffset, reset bool) error {
	if !stopped {
		return herder.BadRequest("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
	}
	if !reset && len(offsets) == 0 {
		return herder.BadRequest("Partitions / offsets need to be provided for an alter offsets request")
	}
	return nil
}

// AlterOffsets alters (reset: deletes) the offsets of a stopped connector
// whose configuration is cfg: a sink's in its consumer group, a source's
// in the offset store.
func (c *Core) AlterOffsets(ctx context.Context, name string, cfg map[string]string, offsets []herder.PartitionOffset, reset bool) (string, error) {
	if c.KindOf(cfg) == herder.SinkType {
		return c.worker.AlterSinkOffsets(ctx, name, cfg, offsets, reset)
	}
	return c.worker.AlterSourceOffsets(ctx, name, cfg, offsets, reset)
}

// ConnectorTopics implements herder.Herder.
func (c *Core) ConnectorTopics(ctx context.Context, name string) ([]string, error) {
	if _, err := c.store.Lookup(ctx, name); err != nil {
		return nil, err
	}
	return c.status.Topics(name), nil
}

// ResetConnectorTopics implements herder.Herder.
func (c *Core) ResetConnectorTopics(ctx context.Context, name string) error {
	if _, err := c.store.Lookup(ctx, name); err != nil {
		return err
	}
	c.worker.ResetTopics(name)
	return nil
}

// ConnectorPlugins implements herder.Herder.
func (c *Core) ConnectorPlugins(_ context.Context, connectorsOnly bool) ([]herder.PluginInfo, error) {
	return runtime.PluginInfos(c.worker.Plugins(), connectorsOnly), nil
}

// PluginConfig implements herder.Herder.
func (c *Core) PluginConfig(_ context.Context, name, version string) ([]config.KeyInfo, error) {
	return runtime.PluginConfigVersion(c.worker.Plugins(), name, version)
}

// ValidateConnectorConfig implements herder.Herder.
func (c *Core) ValidateConnectorConfig(ctx context.Context, cfg map[string]string) (herder.ConfigInfos, error) {
	return c.worker.ValidateConnectorConfigLive(ctx, cfg)
}

// ParseLevel parses a cluster logger level as PUT
// /admin/loggers/{logger}?scope=cluster takes it; an unknown one is a 404,
// as Kafka Connect answers it.
func ParseLevel(level string) (slog.Level, error) {
	l, err := logging.ParseLevel(level)
	if err != nil {
		return l, herder.NotFound("invalid log level '%s'.", level)
	}
	return l, nil
}

// PlanRestart applies KIP-745's selection to a connector's status: whether
// the connector restarts, and which tasks do. The answer is the status with
// what restarts marked RESTARTING, as Kafka Connect answers the request.
func PlanRestart(status herder.ConnectorStateInfo, includeTasks, onlyFailed bool) (answer herder.ConnectorStateInfo, conn bool, tasks []herder.TaskID) {
	answer = status
	answer.Tasks = slices.Clone(status.Tasks)
	conn = !onlyFailed || status.Connector.State == herder.Failed
	if conn {
		answer.Connector.State = herder.Restarting
	}
	if !includeTasks {
		return answer, conn, nil
	}
	for i, t := range answer.Tasks {
		if !onlyFailed || t.State == herder.Failed {
			tasks = append(tasks, herder.TaskID{Connector: status.Name, Task: t.ID})
			answer.Tasks[i].State = herder.Restarting
		}
	}
	return answer, conn, tasks
}

// RestartPlan describes a restart as Kafka Connect's RestartPlan does in
// its log lines.
func RestartPlan(name string, conn bool, tasks, total int, includeTasks, onlyFailed bool) string {
	request := fmt.Sprintf("restart request for {connectorName='%s', onlyFailed=%t, includeTasks=%t}", name, onlyFailed, includeTasks)
	if conn {
		return fmt.Sprintf("plan to restart connector and %d of %d tasks for %s", tasks, total, request)
	}
	return fmt.Sprintf("plan to restart %d of %d tasks for %s", tasks, total, request)
}

// ReportRestartStop reports a connector (name, when id is nil) or a task
// stopped for a restart: RESTARTING for a KIP-745 restart (requested), else
// UNASSIGNED (Kafka Connect's onShutdown).
func (c *Core) ReportRestartStop(name string, id *herder.TaskID, requested bool) {
	state := herder.Unassigned
	if requested {
		state = herder.Restarting
	}
	if id != nil {
		c.status.PutTask(*id, herder.TaskState{ID: id.Task, State: state, WorkerID: c.worker.ID()})
		return
	}
	c.status.PutConnector(name, herder.ConnectorState{State: state, WorkerID: c.worker.ID()})
}

// ReportStopped reports a connector STOPPED on this worker.
func (c *Core) ReportStopped(name string) {
	c.status.PutConnector(name, herder.ConnectorState{State: herder.Stopped, WorkerID: c.worker.ID()})
}

// ReportFailed reports a connector FAILED on this worker, with err (its
// secrets scrubbed) as the trace.
func (c *Core) ReportFailed(name string, err error) {
	c.status.PutConnector(name, herder.ConnectorState{State: herder.Failed, WorkerID: c.worker.ID(), Trace: c.worker.Trace(err)})
}

// SameTaskConfigs reports whether two lists of task configurations are
// equal, task by task, as maps.
func SameTaskConfigs(a, b []map[string]string) bool {
	return slices.EqualFunc(a, b, maps.Equal)
}

// Patched returns a copy of cfg with a PATCH /connectors/{c}/config body
// applied: a nil value removes its key.
func Patched(cfg map[string]string, patch map[string]*string) map[string]string {
	out := maps.Clone(cfg)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	return out
}

// LogConfigUpdated logs, as Kafka Connect does, that a connector's
// configuration changed.
func (c *Core) LogConfigUpdated(name string) {
	c.log.Info("Connector "+name+" config updated", "connector", name)
}

// LogConfigRemoved logs, as Kafka Connect does, that a connector was
// deleted.
func (c *Core) LogConfigRemoved(name string) {
	c.log.Info("Connector "+name+" config removed", "connector", name)
}

// LogTargetState logs, as Kafka Connect does, a connector's change of
// target state.
func (c *Core) LogTargetState(name string, target herder.TargetState) {
	c.log.Info("Setting connector "+name+" state to "+string(target), "connector", name)
}

// LogRestartTask logs, as Kafka Connect does, a task's restart.
func (c *Core) LogRestartTask(id herder.TaskID) {
	c.log.Info("Restarting task "+id.String(), "task", id.String())
}
