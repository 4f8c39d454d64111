// Package standalone is the herder of a single worker process: connector
// configurations and offsets in local files, every connector and task on
// this worker — Kafka Connect's StandaloneHerder. What it shares with the
// distributed herder is in runtime/herdercore; this package keeps the
// configuration store and the mutex that serializes changes.
package standalone

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/herdercore"
	"github.com/sluicehq/sluice/runtime/storage"
)

// Herder runs every connector on one worker. Control operations are
// serialized by a mutex; tasks run on their own goroutines. The embedded
// core answers the reads and offset requests.
type Herder struct {
	herdercore.Answers // the reads and offset requests, answered by core
	core               *herdercore.Core
	worker             *runtime.Worker
	configs            storage.ConfigStore
	status             storage.StatusStore
	log                *slog.Logger

	// Loggers sets logger levels for SetClusterLoggerLevel; nil refuses.
	Loggers herdercore.Loggers
	mu      sync.Mutex
	ctx     context.Context
	started atomic.Bool
}

var _ herder.Herder = (*Herder)(nil)

// New returns a herder over a worker and its stores.
func New(ctx context.Context, w *runtime.Worker, configs storage.ConfigStore, status storage.StatusStore, offsets storage.OffsetStore, log *slog.Logger) *Herder {
	h := &Herder{worker: w, configs: configs, status: status, log: log, ctx: context.WithoutCancel(ctx)}
	h.core = herdercore.New(w, status, offsets, log, herdercore.Store{
		Lookup:        func(_ context.Context, name string) (storage.ConnectorState, error) { return h.get(name) },
		ModifyOffsets: h.modifyOffsets,
	})
	h.Answers = h.core
	return h
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
	h.core.ReportFailed(name, cause)
	return nil
}

// MarkReady tells Ready that start-up is complete.
func (h *Herder) MarkReady() { h.started.Store(true) }

// Ready implements herder.Herder.
func (h *Herder) Ready(context.Context) error {
	if !h.started.Load() {
		return herdercore.Unavailable("The worker is starting its connectors.")
	}
	return nil
}

// Connectors implements herder.Herder.
func (h *Herder) Connectors(context.Context) ([]string, error) { return h.configs.Connectors(), nil }

func (h *Herder) get(name string) (storage.ConnectorState, error) {
	s, ok := h.configs.Get(name)
	if !ok {
		return s, herdercore.NotFound(name)
	}
	return s, nil
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
		return h.info(name), false, nil
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
		h.core.LogConfigUpdated(name)
	} else {
		h.log.Info("Connector "+name+" config created", "connector", name, "initial_state", string(target))
	}
	if err := h.startConnector(ctx, name); err != nil {
		h.log.Error("connector did not start", "connector", name, "err", err)
	}
	return h.info(name), !exists, nil
}

// info describes a stored connector.
func (h *Herder) info(name string) herder.ConnectorInfo {
	s, _ := h.configs.Get(name)
	return h.core.Info(name, s.Config, len(s.TaskConfigs))
}

// PatchConnectorConfig implements herder.Herder: the patched configuration
// is validated and applied like a PUT.
func (h *Herder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (herder.ConnectorInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.configs.Get(name)
	if !ok {
		return herder.ConnectorInfo{}, herdercore.NotFound(name)
	}
	cfg, err := h.checkConfig(name, herdercore.Patched(s.Config, patch))
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
		h.core.ReportStopped(name)
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
		h.core.ReportFailed(name, err)
		return err
	}
	// Unchanged task configurations (a restart) are not written again.
	if !herdercore.SameTaskConfigs(tasks, s.TaskConfigs) {
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
		h.core.ReportFailed(name, err)
		return false
	}
	if herdercore.SameTaskConfigs(tasks, s.TaskConfigs) {
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
	h.core.LogConfigRemoved(name)
	return nil
}

// RestartConnector implements herder.Herder with KIP-745's semantics.
func (h *Herder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (herder.ConnectorStateInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.configs.Get(name)
	if !ok {
		return herder.ConnectorStateInfo{}, herder.NotFound("Unknown connector: %s", name)
	}
	if s.Target == herder.TargetStopped {
		h.log.Info("Ignoring the restart of connector "+name+": it is STOPPED", "connector", name)
		return h.statusLocked(name), nil
	}
	// The answer is the restart plan, as Kafka Connect's: the statuses
	// before the restart, RESTARTING for what restarts.
	status := h.statusLocked(name)
	out, restartConn, restartTasks := herdercore.PlanRestart(status, includeTasks, onlyFailed)
	plan := herdercore.RestartPlan(name, restartConn, len(restartTasks), len(status.Tasks), includeTasks, onlyFailed)
	h.log.Info("Received "+plan, "connector", name)
	defer h.log.Info("Completed "+plan, "connector", name)
	// A KIP-745 restart (includeTasks or onlyFailed) reports what it
	// restarts RESTARTING once stopped; a plain one (neither) UNASSIGNED,
	// as Kafka Connect's standalone herder.
	requested := includeTasks || onlyFailed
	if restartConn {
		h.worker.StopConnector(h.ctx, name)
		h.core.ReportRestartStop(name, nil, requested)
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
	s, _ := h.configs.Get(name)
	info, _ := h.core.StatusInfo(name, s.Config)
	return info
}

// RestartTask implements herder.Herder.
func (h *Herder) RestartTask(_ context.Context, id herder.TaskID) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.configs.Get(id.Connector)
	if err := herdercore.TaskExists(id, ok, len(s.TaskConfigs)); err != nil {
		return err
	}
	h.core.LogRestartTask(id)
	h.restartTaskLocked(id, s, false)
	return nil
}

func (h *Herder) restartTaskLocked(id herder.TaskID, s storage.ConnectorState, requested bool) {
	if id.Task >= len(s.TaskConfigs) {
		return
	}
	h.worker.StopTasks([]herder.TaskID{id})
	h.core.ReportRestartStop("", &id, requested)
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
		h.core.LogTargetState(name, target)
		h.stopConnector(name)
		h.clearTaskStatus(name)
		h.configs.PutTaskConfigs(name, nil)
		h.core.ReportStopped(name)
	case s.Target == herder.TargetStopped:
		// Resuming a stopped connector starts it afresh.
		h.core.LogTargetState(name, target)
		if err := h.startConnector(ctx, name); err != nil {
			h.log.Error("resume connector", "connector", name, "err", err)
		}
	default:
		h.worker.SetConnectorTarget(name, target)
	}
	return nil
}

// modifyOffsets changes a connector's offsets under h.mu, once it is
// STOPPED.
func (h *Herder) modifyOffsets(ctx context.Context, name string, offsets []herder.PartitionOffset, reset bool) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, err := h.get(name)
	if err != nil {
		return "", err
	}
	if err := herdercore.OffsetsModifiable(name, s.Target == herder.TargetStopped, offsets, reset); err != nil {
		return "", err
	}
	return h.core.AlterOffsets(ctx, name, s.Config, offsets, reset)
}

// SetClusterLoggerLevel implements herder.Herder: in standalone mode the
// cluster is this worker.
func (h *Herder) SetClusterLoggerLevel(_ context.Context, namespace, level string) error {
	if h.Loggers == nil {
		return fmt.Errorf("this worker has no adjustable loggers")
	}
	l, err := herdercore.ParseLevel(level)
	if err != nil {
		return err
	}
	h.log.Warn("Setting logger level at cluster scope in standalone mode is equivalent to worker scope", "namespace", namespace, "level", level)
	h.Loggers.Set(namespace, l)
	return nil
}

// Stop drains and stops every task and connector (rule 7).
func (h *Herder) Stop(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.worker.Stop(ctx)
}
