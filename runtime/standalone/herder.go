// Package standalone is the herder of a single worker process: connector
// configurations and offsets in local files, every connector and task on
// this worker — Kafka Connect's StandaloneHerder.
package standalone

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/logging"

	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// Version is reported by GET /.
var Version = "0.1.0-dev"

// Herder runs every connector on one worker. Control operations are
// serialized by a mutex; tasks run on their own goroutines.
type Herder struct {
	worker  *runtime.Worker
	configs storage.ConfigStore
	status  storage.StatusStore
	offsets storage.OffsetStore
	log     *slog.Logger

	// Loggers sets logger levels for SetClusterLoggerLevel; nil refuses.
	Loggers interface {
		Set(namespace string, level slog.Level) []string
	}
	mu      sync.Mutex
	ctx     context.Context
	started atomic.Bool
}

var _ herder.Herder = (*Herder)(nil)

// New returns a herder over a worker and its stores.
func New(ctx context.Context, w *runtime.Worker, configs storage.ConfigStore, status storage.StatusStore, offsets storage.OffsetStore, log *slog.Logger) *Herder {
	return &Herder{worker: w, configs: configs, status: status, offsets: offsets, log: log, ctx: context.WithoutCancel(ctx)}
}

// ServerInfo implements herder.Herder.
func (h *Herder) ServerInfo(context.Context) (herder.ServerInfo, error) {
	id, err := h.worker.ClusterID()
	if err != nil {
		return herder.ServerInfo{}, fmt.Errorf("read the Kafka cluster id: %w", err)
	}
	return herder.ServerInfo{Version: Version, Commit: Commit(), KafkaClusterID: id}, nil
}

// commit, when set at link time (go build -ldflags "-X
// github.com/sluicehq/sluice/runtime/standalone.commit=REV"), is the
// commit GET / reports, ahead of what the build info says.
var commit string

// Commit is the revision sluice was built from, as GET / reports it: the
// -X stamp when set, else the VCS revision go build records in a git
// checkout (with "-dirty" when the tree had changes), else the main
// module's version (go install …@version records no VCS revision), else "".
func Commit() string {
	bi, _ := debug.ReadBuildInfo()
	return commitOf(commit, bi)
}

// commitOf picks the commit from a link-time stamp and the build info (nil
// when unavailable).
func commitOf(stamp string, bi *debug.BuildInfo) string {
	if stamp != "" {
		return stamp
	}
	if bi == nil {
		return ""
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev != "" && dirty:
		return rev + "-dirty"
	case rev != "":
		return rev
	case bi.Main.Version != "" && bi.Main.Version != "(devel)":
		return bi.Main.Version
	}
	return ""
}

// Start starts every stored connector (those created through the REST API
// before a restart), each in its stored target state, then the connectors
// given (connect-standalone's connector files, each with its name), which
// replace stored ones of the same name. A connector that cannot start, or
// a given one whose configuration is invalid, is FAILED with the reason
// as its trace; the others start. Returned, and so stopping start-up, are
// only a failure to store a configuration and a given connector, valid or
// not, that would make more than connectors.max (counting the stored
// ones). Until MarkReady, Ready reports the worker as starting.
func (h *Herder) Start(ctx context.Context, given ...map[string]string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	replaced := map[string]bool{}
	for _, c := range given {
		replaced[strings.TrimSpace(c[runtime.ConnectorName])] = true
	}
	for _, name := range h.configs.Connectors() {
		if replaced[name] {
			continue // started below, as given
		}
		if err := h.startConnector(ctx, name); err != nil {
			h.log.Error("stored connector did not start", "connector", name, "err", err)
		}
	}
	for _, c := range given {
		if err := h.putGiven(ctx, strings.TrimSpace(c[runtime.ConnectorName]), c); err != nil {
			return err
		}
	}
	return nil
}

// putGiven stores and starts a connector given at start-up. A stored
// configuration equal to it starts as stored (in its stored target state).
// An invalid one is stored too, and FAILED with the validation errors as
// its trace: one bad file does not stop the worker, and the connector can
// be fixed through the REST API. Callers hold h.mu.
func (h *Herder) putGiven(ctx context.Context, name string, given map[string]string) error {
	cfg, err := h.checkConfig(name, maps.Clone(given))
	if err != nil {
		h.log.Error("connector configuration is invalid; the connector is FAILED", "connector", name, "err", err)
		return h.storeFailed(name, given, err)
	}
	if s, ok := h.configs.Get(name); ok && maps.Equal(s.Config, cfg) {
		if err := h.startConnector(ctx, name); err != nil {
			h.log.Error("connector did not start", "connector", name, "err", err)
		}
		return nil
	}
	_, _, err = h.putLocked(ctx, name, cfg, true, "")
	return err
}

// storeFailed stores a configuration that cannot run and reports the
// connector FAILED with cause as its trace, with no tasks. A new connector
// beyond connectors.max is refused, as putLocked refuses a valid one.
// Callers hold h.mu.
func (h *Herder) storeFailed(name string, cfg map[string]string, cause error) error {
	target := herder.TargetState("")
	if _, exists := h.configs.Get(name); !exists {
		if err := h.worker.CheckNewConnector(len(h.configs.Connectors()), "worker"); err != nil {
			return err
		}
		target = herder.TargetStarted
	}
	if err := h.configs.PutConfig(name, cfg, target); err != nil {
		return fmt.Errorf("store config of %s: %w", name, err)
	}
	if err := h.configs.PutTaskConfigs(name, nil); err != nil {
		return fmt.Errorf("store task configs of %s: %w", name, err)
	}
	h.clearTaskStatus(name)
	h.status.PutConnector(name, herder.ConnectorState{State: herder.Failed, WorkerID: h.worker.ID(), Trace: h.worker.Trace(cause)})
	return nil
}

// MarkReady tells Ready that start-up is complete.
func (h *Herder) MarkReady() { h.started.Store(true) }

// Ready implements herder.Herder.
func (h *Herder) Ready(context.Context) error {
	if !h.started.Load() {
		return &herder.Error{Code: http.StatusServiceUnavailable, Message: "The worker is starting its connectors."}
	}
	return nil
}

// WaitNote says which tasks wait for Kafka ("" when none does); GET
// /health adds it to its message.
func (h *Herder) WaitNote() string { return h.worker.WaitNote() }

// Connectors implements herder.Herder.
func (h *Herder) Connectors(context.Context) ([]string, error) { return h.configs.Connectors(), nil }

func (h *Herder) get(name string) (storage.ConnectorState, error) {
	s, ok := h.configs.Get(name)
	if !ok {
		return s, herder.NotFound("Connector %s not found", name)
	}
	return s, nil
}

// ConnectorInfo implements herder.Herder.
func (h *Herder) ConnectorInfo(_ context.Context, name string) (herder.ConnectorInfo, error) {
	s, err := h.get(name)
	if err != nil {
		return herder.ConnectorInfo{}, err
	}
	return h.info(name, s), nil
}

func (h *Herder) info(name string, s storage.ConnectorState) herder.ConnectorInfo {
	tasks := make([]herder.TaskID, len(s.TaskConfigs))
	for i := range tasks {
		tasks[i] = herder.TaskID{Connector: name, Task: i}
	}
	return herder.ConnectorInfo{Name: name, Config: s.Config, Tasks: tasks, Type: h.kindOf(s.Config)}
}

// kindOf tells a source from a sink by the configuration's connector
// class; unknown if the class is not installed.
func (h *Herder) kindOf(cfg map[string]string) herder.ConnectorType {
	return h.worker.ConnectorType(cfg)
}

// kind is kindOf for a stored connector.
func (h *Herder) kind(name string) herder.ConnectorType {
	s, _ := h.configs.Get(name)
	return h.kindOf(s.Config)
}

// ConnectorConfig implements herder.Herder.
func (h *Herder) ConnectorConfig(_ context.Context, name string) (map[string]string, error) {
	s, err := h.get(name)
	return s.Config, err
}

// PutConnectorConfig implements herder.Herder: it validates, stores and
// (re)starts the connector and its tasks.
func (h *Herder) PutConnectorConfig(ctx context.Context, name string, cfg map[string]string, allowReplace bool, initial herder.TargetState) (herder.ConnectorInfo, bool, error) {
	name = strings.TrimSpace(name)
	cfg, err := h.checkConfig(name, maps.Clone(cfg))
	if err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.putLocked(ctx, name, cfg, allowReplace, initial)
}

// checkConfig applies Kafka Connect's name rule and validates cfg.
func (h *Herder) checkConfig(name string, cfg map[string]string) (map[string]string, error) {
	return h.worker.CheckConnectorConfig(name, cfg)
}

// putLocked stores a validated configuration and (re)starts the connector.
// Callers hold h.mu.
func (h *Herder) putLocked(ctx context.Context, name string, cfg map[string]string, allowReplace bool, initial herder.TargetState) (herder.ConnectorInfo, bool, error) {
	old, exists := h.configs.Get(name)
	if exists && !allowReplace {
		return herder.ConnectorInfo{}, false, herder.AlreadyExists("Connector %s already exists", name)
	}
	if exists && maps.Equal(old.Config, cfg) && h.worker.ConnectorRunning(name) {
		// As Kafka Connect's: the same configuration again restarts the
		// connector, and its tasks only if their configurations changed.
		h.log.Info("Connector "+name+" config unchanged: restarting the connector", "connector", name)
		h.restartConnectorOnly(ctx, name, old)
		s, _ := h.configs.Get(name)
		return h.info(name, s), false, nil
	}
	if !exists {
		if err := h.worker.CheckNewConnector(len(h.configs.Connectors()), "worker"); err != nil {
			return herder.ConnectorInfo{}, false, err
		}
	}
	if exists {
		h.stopConnector(name)
	}
	target := herder.TargetState("")
	if !exists {
		target = initial
		if target == "" {
			target = herder.TargetStarted
		}
	}
	if err := h.configs.PutConfig(name, cfg, target); err != nil {
		return herder.ConnectorInfo{}, false, fmt.Errorf("store config of %s: %w", name, err)
	}
	if exists {
		h.log.Info("Connector "+name+" config updated", "connector", name)
	} else {
		h.log.Info("Connector "+name+" config created", "connector", name, "initial_state", string(target))
	}
	if err := h.startConnector(ctx, name); err != nil {
		h.log.Error("connector did not start", "connector", name, "err", err)
	}
	s, _ := h.configs.Get(name)
	return h.info(name, s), !exists, nil
}

// PatchConnectorConfig implements herder.Herder: the patched configuration
// is validated and applied like a PUT.
func (h *Herder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (herder.ConnectorInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.configs.Get(name)
	if !ok {
		return herder.ConnectorInfo{}, herder.NotFound("Connector %s not found", name)
	}
	cfg := s.Config
	for k, v := range patch {
		if v == nil {
			delete(cfg, k)
		} else {
			cfg[k] = *v
		}
	}
	cfg, err := h.checkConfig(name, cfg)
	if err != nil {
		return herder.ConnectorInfo{}, err
	}
	info, _, err := h.putLocked(ctx, name, cfg, true, "")
	return info, err
}

// startConnector starts a stored connector per its target state, generates
// its task configurations and starts its tasks. Callers hold h.mu.
func (h *Herder) startConnector(ctx context.Context, name string) error {
	s, _ := h.configs.Get(name)
	if s.Target == herder.TargetStopped {
		if len(s.TaskConfigs) > 0 {
			if err := h.configs.PutTaskConfigs(name, nil); err != nil {
				return err
			}
		}
		h.status.PutConnector(name, herder.ConnectorState{State: herder.Stopped, WorkerID: h.worker.ID()})
		return nil
	}
	reconfigure := func() { go h.reconfigure(name) }
	if err := h.worker.StartConnector(ctx, name, s.Config, s.Target, reconfigure); err != nil {
		return err
	}
	return h.startTasks(name)
}

func (h *Herder) startTasks(name string) error {
	s, _ := h.configs.Get(name)
	tasks, err := h.worker.TaskConfigs(name)
	if err != nil {
		h.status.PutConnector(name, herder.ConnectorState{State: herder.Failed, WorkerID: h.worker.ID(), Trace: h.worker.Trace(err)})
		return err
	}
	// Unchanged task configurations (a restart) are not written again.
	if !equalConfigs(tasks, s.TaskConfigs) {
		if err := h.configs.PutTaskConfigs(name, tasks); err != nil {
			return err
		}
	}
	for i, tc := range tasks {
		// A failed task is reported in its status; the others still start.
		_ = h.worker.StartTask(herder.TaskID{Connector: name, Task: i}, s.Config, tc, len(tasks), s.Target)
	}
	return nil
}

// reconfigure regenerates task configurations when a connector asks for it.
func (h *Herder) reconfigure(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.updateTasks(name)
}

// updateTasks asks a connector running here for its task configurations
// and, when they changed, restarts its tasks with them; it reports whether
// it did. A connector that fails to generate them is FAILED. Callers hold
// h.mu.
func (h *Herder) updateTasks(name string) bool {
	s, ok := h.configs.Get(name)
	if !ok || s.Target == herder.TargetStopped || !h.worker.ConnectorRunning(name) {
		return false
	}
	tasks, err := h.worker.TaskConfigs(name)
	if err != nil {
		h.log.Error("reconfigure tasks", "connector", name, "err", err)
		h.status.PutConnector(name, herder.ConnectorState{State: herder.Failed, WorkerID: h.worker.ID(), Trace: h.worker.Trace(err)})
		return false
	}
	if equalConfigs(tasks, s.TaskConfigs) {
		return false
	}
	h.worker.StopTasks(h.worker.Tasks(name))
	h.clearTaskStatus(name)
	if err := h.configs.PutTaskConfigs(name, tasks); err != nil {
		h.log.Error("store task configs", "connector", name, "err", err)
		return false
	}
	for i, tc := range tasks {
		_ = h.worker.StartTask(herder.TaskID{Connector: name, Task: i}, s.Config, tc, len(tasks), s.Target)
	}
	return true
}

func equalConfigs(a, b []map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !maps.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// stopConnector stops a connector's tasks (draining them) and instance.
// Callers hold h.mu.
func (h *Herder) stopConnector(name string) {
	h.worker.StopTasks(h.worker.Tasks(name))
	h.worker.StopConnector(h.ctx, name)
}

func (h *Herder) clearTaskStatus(name string) {
	for _, t := range h.status.Tasks(name) {
		h.status.DeleteTask(herder.TaskID{Connector: name, Task: t.ID})
	}
}

// DeleteConnector implements herder.Herder.
func (h *Herder) DeleteConnector(_ context.Context, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, err := h.get(name); err != nil {
		return err
	}
	h.stopConnector(name)
	if err := h.configs.Delete(name); err != nil {
		return err
	}
	h.status.Delete(name)
	h.worker.ResetTopics(name)
	h.log.Info("Connector "+name+" config removed", "connector", name)
	return nil
}

// Tasks implements herder.Herder.
func (h *Herder) Tasks(_ context.Context, name string) ([]herder.TaskInfo, error) {
	s, err := h.get(name)
	if err != nil {
		return nil, err
	}
	out := make([]herder.TaskInfo, len(s.TaskConfigs))
	for i, c := range s.TaskConfigs {
		out[i] = herder.TaskInfo{ID: herder.TaskID{Connector: name, Task: i}, Config: c}
	}
	return out, nil
}

// ConnectorStatus implements herder.Herder.
func (h *Herder) ConnectorStatus(_ context.Context, name string) (herder.ConnectorStateInfo, error) {
	cs, ok := h.status.Connector(name)
	if !ok {
		return herder.ConnectorStateInfo{}, herder.NotFound("No status found for connector %s", name)
	}
	return herder.ConnectorStateInfo{Name: name, Connector: cs, Tasks: h.status.Tasks(name), Type: h.kind(name)}, nil
}

// TaskStatus implements herder.Herder.
func (h *Herder) TaskStatus(_ context.Context, id herder.TaskID) (herder.TaskState, error) {
	for _, t := range h.status.Tasks(id.Connector) {
		if t.ID == id.Task {
			return t, nil
		}
	}
	return herder.TaskState{}, herder.NotFound("No status found for task %s", id)
}

// RestartConnector implements herder.Herder with KIP-745's semantics.
func (h *Herder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (herder.ConnectorStateInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.configs.Get(name)
	if !ok {
		return herder.ConnectorStateInfo{}, herder.NotFound("Unknown connector: %s", name)
	}
	cs, _ := h.status.Connector(name)
	restartConn := !onlyFailed || cs.State == herder.Failed
	var restartTasks []herder.TaskID
	if includeTasks {
		for _, t := range h.status.Tasks(name) {
			if !onlyFailed || t.State == herder.Failed {
				restartTasks = append(restartTasks, herder.TaskID{Connector: name, Task: t.ID})
			}
		}
	}
	if s.Target == herder.TargetStopped {
		h.log.Info("Ignoring the restart of connector "+name+": it is STOPPED", "connector", name)
		return h.statusLocked(name), nil
	}
	plan := restartPlan(name, restartConn, len(restartTasks), len(h.status.Tasks(name)), includeTasks, onlyFailed)
	h.log.Info("Received "+plan, "connector", name)
	defer h.log.Info("Completed "+plan, "connector", name)
	// The answer is the restart plan, as Kafka Connect's: the statuses
	// before the restart, RESTARTING for what restarts.
	out := h.statusLocked(name)
	if restartConn {
		out.Connector.State = herder.Restarting
	}
	for i, t := range out.Tasks {
		if slices.Contains(restartTasks, herder.TaskID{Connector: name, Task: t.ID}) {
			out.Tasks[i].State = herder.Restarting
		}
	}
	// A KIP-745 restart (includeTasks or onlyFailed) reports what it
	// restarts RESTARTING once stopped; a plain one (neither) UNASSIGNED,
	// as Kafka Connect's standalone herder.
	requested := includeTasks || onlyFailed
	if restartConn {
		h.worker.StopConnector(h.ctx, name)
		h.reportRestartStop(name, nil, requested)
		if h.restartConnectorOnly(ctx, name, s) {
			// Every task has just started with new configurations.
			restartTasks = nil
		}
	}
	for _, id := range restartTasks {
		h.restartTaskLocked(id, s, requested)
	}
	return out, nil
}

// reportRestartStop reports a connector (name, when id is nil) or a task
// stopped for a restart: RESTARTING for a KIP-745 restart (requested), else
// UNASSIGNED (Kafka Connect's onShutdown).
func (h *Herder) reportRestartStop(name string, id *herder.TaskID, requested bool) {
	state := herder.Unassigned
	if requested {
		state = herder.Restarting
	}
	if id != nil {
		h.status.PutTask(*id, herder.TaskState{ID: id.Task, State: state, WorkerID: h.worker.ID()})
		return
	}
	h.status.PutConnector(name, herder.ConnectorState{State: state, WorkerID: h.worker.ID()})
}

// restartConnectorOnly restarts a connector's instance and, as Kafka
// Connect does, generates its task configurations again: the tasks restart
// only when these changed, and then it reports true. Callers hold h.mu.
func (h *Herder) restartConnectorOnly(ctx context.Context, name string, s storage.ConnectorState) bool {
	h.worker.StopConnector(h.ctx, name)
	reconfigure := func() { go h.reconfigure(name) }
	if err := h.worker.StartConnector(ctx, name, s.Config, s.Target, reconfigure); err != nil {
		h.log.Error("restart connector", "connector", name, "err", err)
		return false
	}
	return h.updateTasks(name)
}

func (h *Herder) statusLocked(name string) herder.ConnectorStateInfo {
	cs, _ := h.status.Connector(name)
	return herder.ConnectorStateInfo{Name: name, Connector: cs, Tasks: h.status.Tasks(name), Type: h.kind(name)}
}

// RestartTask implements herder.Herder.
func (h *Herder) RestartTask(_ context.Context, id herder.TaskID) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.configs.Get(id.Connector)
	if !ok {
		return herder.NotFound("Unknown connector: %s", id.Connector)
	}
	if id.Task < 0 || id.Task >= len(s.TaskConfigs) {
		return herder.NotFound("Unknown task: %s", id)
	}
	h.log.Info("Restarting task "+id.String(), "task", id.String())
	h.restartTaskLocked(id, s, false)
	return nil
}

// restartPlan describes a restart as Kafka Connect's RestartPlan does in
// its log lines.
func restartPlan(name string, conn bool, tasks, total int, includeTasks, onlyFailed bool) string {
	request := fmt.Sprintf("restart request for {connectorName='%s', onlyFailed=%t, includeTasks=%t}", name, onlyFailed, includeTasks)
	if conn {
		return fmt.Sprintf("plan to restart connector and %d of %d tasks for %s", tasks, total, request)
	}
	return fmt.Sprintf("plan to restart %d of %d tasks for %s", tasks, total, request)
}

func (h *Herder) restartTaskLocked(id herder.TaskID, s storage.ConnectorState, requested bool) {
	if id.Task >= len(s.TaskConfigs) {
		return
	}
	h.worker.StopTasks([]herder.TaskID{id})
	h.reportRestartStop("", &id, requested)
	_ = h.worker.StartTask(id, s.Config, s.TaskConfigs[id.Task], len(s.TaskConfigs), s.Target)
}

// SetTargetState implements herder.Herder: pause, resume or stop.
func (h *Herder) SetTargetState(ctx context.Context, name string, target herder.TargetState) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.configs.Get(name)
	if !ok {
		return herder.NotFound("Unknown connector %s", name)
	}
	if s.Target == target {
		return nil
	}
	if err := h.configs.PutTargetState(name, target); err != nil {
		return err
	}
	switch {
	case target == herder.TargetStopped:
		h.log.Info("Setting connector "+name+" state to "+string(target), "connector", name)
		h.stopConnector(name)
		h.clearTaskStatus(name)
		h.configs.PutTaskConfigs(name, nil)
		h.status.PutConnector(name, herder.ConnectorState{State: herder.Stopped, WorkerID: h.worker.ID()})
	case s.Target == herder.TargetStopped:
		// Resuming a stopped connector starts it afresh.
		h.log.Info("Setting connector "+name+" state to "+string(target), "connector", name)
		if err := h.startConnector(ctx, name); err != nil {
			h.log.Error("resume connector", "connector", name, "err", err)
		}
	default:
		h.worker.SetConnectorTarget(name, target)
	}
	return nil
}

// ConnectorOffsets implements herder.Herder: a source connector's offsets
// from the offset store, a sink connector's from its consumer group.
func (h *Herder) ConnectorOffsets(ctx context.Context, name string) (herder.ConnectorOffsets, error) {
	s, err := h.get(name)
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	if h.kindOf(s.Config) == herder.SinkType {
		offs, err := h.worker.SinkOffsets(ctx, name, s.Config)
		return herder.ConnectorOffsets{Offsets: offs}, err
	}
	offs, err := h.offsets.Offsets(ctx, name)
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	out := herder.ConnectorOffsets{Offsets: make([]herder.PartitionOffset, len(offs))}
	for i, o := range offs {
		out.Offsets[i] = herder.PartitionOffset{Partition: o.Partition, Offset: o.Offset}
	}
	return out, nil
}

// stopped returns a connector's state if it is STOPPED (KIP-875's rule for
// changing offsets). Callers hold h.mu.
func (h *Herder) stopped(name string) (storage.ConnectorState, error) {
	s, err := h.get(name)
	if err != nil {
		return s, err
	}
	if s.Target != herder.TargetStopped {
		return s, herder.BadRequest("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
	}
	return s, nil
}

// AlterConnectorOffsets implements herder.Herder.
func (h *Herder) AlterConnectorOffsets(ctx context.Context, name string, offsets herder.ConnectorOffsets) (string, error) {
	return h.modifyOffsets(ctx, name, offsets.Offsets, false)
}

// ResetConnectorOffsets implements herder.Herder.
func (h *Herder) ResetConnectorOffsets(ctx context.Context, name string) (string, error) {
	return h.modifyOffsets(ctx, name, nil, true)
}

func (h *Herder) modifyOffsets(ctx context.Context, name string, offsets []herder.PartitionOffset, reset bool) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, err := h.stopped(name)
	if err != nil {
		return "", err
	}
	if !reset && len(offsets) == 0 {
		return "", herder.BadRequest("Partitions / offsets need to be provided for an alter offsets request")
	}
	if h.kindOf(s.Config) == herder.SinkType {
		return h.worker.AlterSinkOffsets(ctx, name, s.Config, offsets, reset)
	}
	return h.worker.AlterSourceOffsets(ctx, name, s.Config, offsets, reset)
}

// ConnectorTopics implements herder.Herder.
func (h *Herder) ConnectorTopics(_ context.Context, name string) ([]string, error) {
	if _, err := h.get(name); err != nil {
		return nil, err
	}
	return h.status.Topics(name), nil
}

// ResetConnectorTopics implements herder.Herder.
func (h *Herder) ResetConnectorTopics(_ context.Context, name string) error {
	if _, err := h.get(name); err != nil {
		return err
	}
	h.worker.ResetTopics(name)
	return nil
}

// ConnectorPlugins implements herder.Herder.
func (h *Herder) ConnectorPlugins(_ context.Context, connectorsOnly bool) ([]herder.PluginInfo, error) {
	return runtime.PluginInfos(h.worker.Plugins(), connectorsOnly), nil
}

// PluginConfig implements herder.Herder.
func (h *Herder) PluginConfig(_ context.Context, name, version string) ([]config.KeyInfo, error) {
	return runtime.PluginConfigVersion(h.worker.Plugins(), name, version)
}

// SetClusterLoggerLevel implements herder.Herder: in standalone mode the
// cluster is this worker.
func (h *Herder) SetClusterLoggerLevel(_ context.Context, namespace, level string) error {
	if h.Loggers == nil {
		return fmt.Errorf("this worker has no adjustable loggers")
	}
	l, err := logging.ParseLevel(level)
	if err != nil {
		return herder.NotFound("invalid log level '%s'.", level)
	}
	h.log.Warn("Setting logger level at cluster scope in standalone mode is equivalent to worker scope", "namespace", namespace, "level", level)
	h.Loggers.Set(namespace, l)
	return nil
}

// ValidateConnectorConfig implements herder.Herder.
func (h *Herder) ValidateConnectorConfig(ctx context.Context, cfg map[string]string) (herder.ConfigInfos, error) {
	infos, err := h.worker.ValidateConnectorConfigLive(ctx, cfg)
	return infos, err
}

// Stop drains and stops every task and connector (rule 7).
func (h *Herder) Stop(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.worker.Stop(ctx)
}
