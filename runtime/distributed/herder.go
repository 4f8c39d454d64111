package distributed

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/herdercore"
	"github.com/sluicehq/sluice/runtime/storage"
)

// Forwarder sends a follower's requests to the leader: the task
// configurations a connector generated here (POST /connectors/{c}/tasks,
// signed with the session key when key is not nil).
type Forwarder interface {
	PutTaskConfigs(ctx context.Context, leaderURL, name string, configs []map[string]string, key []byte, algorithm string) error
}

// Stores are the three Kafka-backed stores of a cluster.
type Stores struct {
	Configs *storage.KafkaConfigs
	Offsets *storage.KafkaOffsets
	Status  *storage.KafkaStatus
	// listener passes the config store's changes to the herder created
	// after the store.
	listener *listenerProxy
	cfg      *Config
	log      *slog.Logger
	// startup says what the starting worker waits for; the logs report
	// the errors they wait out to it.
	startup *startup
}

// Herder is the herder of one worker of a cluster. One goroutine (the
// loop) owns the worker's assignment and applies rebalances, config
// changes and the requests that need the leader; REST reads are answered
// from the stores directly, so a long operation never blocks them. The
// embedded core answers the reads and offset requests.
type Herder struct {
	herdercore.Answers // the reads and offset requests, answered by core
	core               *herdercore.Core
	cfg                *Config
	worker             *runtime.Worker
	stores             *Stores
	configs            *storage.KafkaConfigs
	offsets            *storage.KafkaOffsets
	status             *storage.KafkaStatus
	forwarder          Forwarder
	startup            *startup
	log                *slog.Logger

	// Loggers sets logger levels for cluster-scope logger changes; nil
	// ignores them.
	Loggers herdercore.Loggers

	group       *Group
	eager       Assignor
	cooperative Assignor

	queue chan func()
	wake  chan struct{}
	ready atomic.Bool
	// started is closed once the stores have read their topics: the REST
	// reads served from them wait for it.
	started chan struct{}
	// drained is closed once the loop has ended and Run has stopped all
	// work: onLoop no longer waits for a loop that will never come back.
	drained chan struct{}

	// mu guards what the REST goroutines, the group's goroutine and the
	// stores' listeners share with the loop.
	mu         sync.Mutex
	pending    pendingUpdates
	membership membership
	assigned   workSet // what the group assigned to this worker (all of it, not the increments)
	sessionKey *storage.SessionKey
	// lostSinceJoin: the group said the membership was lost, and the
	// worker has not sent a JoinGroup since.
	lostSinceJoin bool
	owners        map[string]string // leader only: connector or task id → owner URL, from the last assignment
	lastOwners    map[string]string // leader only: owners, plus the last owner of work nobody holds now
	// knownConnectors are the connectors the config listener has seen, to
	// tell a new connector (a rebalance assigns it) from a changed one
	// (its owner restarts it); configOffset mirrors the loop's snapshot.
	knownConnectors map[string]bool
	configOffset    int64
	// rebalances are the figures of connect-worker-rebalance-metrics.
	rebalances runtime.RebalanceStats

	// Loop-only state.
	snap      storage.ConfigSnapshot
	running   workSet
	instances map[string]herder.TargetState // connector instances started here, with the target they run in
	ctx       context.Context
}

// RebalanceMetrics returns the worker's rebalance figures
// (connect-worker-rebalance-metrics).
func (h *Herder) RebalanceMetrics() runtime.RebalanceSnapshot {
	return h.rebalances.Snapshot(time.Now())
}

// protocolName names a group protocol as Kafka Connect's
// ConnectProtocolCompatibility does.
func protocolName(protocol string) string {
	if protocol == ProtocolDefault {
		return "EAGER"
	}
	return strings.ToUpper(protocol)
}

// membership is what the last completed rebalance said.
type membership struct {
	joined     bool
	memberID   string
	leaderID   string
	leaderURL  string
	generation int32
	protocol   string
}

// workSet is a set of connectors and tasks.
type workSet struct {
	connectors map[string]bool
	tasks      map[herder.TaskID]bool
}

func newWork() workSet {
	return workSet{connectors: map[string]bool{}, tasks: map[herder.TaskID]bool{}}
}

func (w workSet) clone() workSet {
	return workSet{connectors: maps.Clone(w.connectors), tasks: maps.Clone(w.tasks)}
}

func (w workSet) empty() bool { return len(w.connectors) == 0 && len(w.tasks) == 0 }

// pendingUpdates are changes read from the config topic and group events
// that the loop has not handled yet.
type pendingUpdates struct {
	joins       []joinedAssignment
	lost        error
	rebalance   bool
	connectors  map[string]bool // config changed (restart on its owner)
	targets     map[string]bool
	taskConfigs map[string]bool // connectors whose task configs were committed
	restarts    []storage.RestartRequest
	reconfigure map[string]bool // connectors that asked for new task configs
}

// New returns the herder of a worker of the cluster cfg describes, over
// stores from NewStores (the worker runs on the same offset and status
// stores). Run starts the stores.
func New(cfg *Config, w *runtime.Worker, stores *Stores, forwarder Forwarder, log *slog.Logger) (*Herder, error) {
	h := &Herder{cfg: cfg, worker: w, stores: stores, configs: stores.Configs, offsets: stores.Offsets, status: stores.Status,
		forwarder: forwarder, log: log, startup: stores.startup, started: make(chan struct{}),
		eager: NewEagerAssignor(), cooperative: NewCooperativeAssignor(cfg.MaxDelay, time.Now, logging.Named(log, "sluice.assignor")),
		queue: make(chan func()), wake: make(chan struct{}, 1), drained: make(chan struct{}), assigned: newWork(), running: newWork(),
		instances: map[string]herder.TargetState{}, knownConnectors: map[string]bool{}, ctx: context.Background()}
	h.core = herdercore.New(w, stores.Status, stores.Offsets, log, herdercore.Store{
		Started: h.awaitStarted, Lookup: h.get, ModifyOffsets: h.modifyOffsets})
	h.Answers = h.core
	stores.listener.h.Store(h)
	base, err := saramaBase(cfg, "connect-"+cfg.WorkerID)
	if err != nil {
		return nil, err
	}
	g, err := NewGroup(GroupConfig{GroupID: cfg.GroupID, Brokers: cfg.BootstrapServers, Sarama: base,
		SessionTimeout: cfg.SessionTimeout, HeartbeatInterval: cfg.HeartbeatInterval, RebalanceTimeout: cfg.RebalanceTimeout,
		Log: logging.Named(log, "sluice.group")}, (*groupHandler)(h))
	if err != nil {
		return nil, err
	}
	h.group = g
	return h, nil
}

// configListener returns the listener of the config store's changes.
func (h *Herder) configListener() storage.ConfigListener {
	return storage.ConfigListener{
		ConnectorUpdated: func(name string) {
			// A new connector needs a rebalance to be assigned; a changed
			// one is restarted by its owner.
			h.update(func(p *pendingUpdates) {
				p.rebalance = p.rebalance || !h.knownConnectors[name]
				h.knownConnectors[name] = true
				setAdd(&p.connectors, name)
			})
		},
		ConnectorRemoved: func(name string) {
			h.update(func(p *pendingUpdates) {
				delete(h.knownConnectors, name)
				p.rebalance = true
				setAdd(&p.connectors, name)
			})
		},
		TasksUpdated: func(tasks []herder.TaskID) {
			h.update(func(p *pendingUpdates) {
				p.rebalance = true
				for _, t := range tasks {
					setAdd(&p.taskConfigs, t.Connector)
				}
			})
		},
		TargetChanged: func(name string) { h.update(func(p *pendingUpdates) { setAdd(&p.targets, name) }) },
		SessionKeyUpdated: func(k storage.SessionKey) {
			h.mu.Lock()
			h.sessionKey = &k
			h.mu.Unlock()
			h.log.Info("session key updated", "algorithm", k.Algorithm, "created", k.Created)
		},
		RestartRequested: func(r storage.RestartRequest) {
			h.update(func(p *pendingUpdates) { p.restarts = append(p.restarts, r) })
		},
		LoggerLevel: func(namespace, level string) {
			if h.Loggers == nil {
				return
			}
			if l, err := herdercore.ParseLevel(level); err == nil {
				h.log.Info("cluster-wide logger level change", "namespace", namespace, "level", level)
				h.Loggers.Set(namespace, l)
			}
		},
	}
}

func setAdd(m *map[string]bool, k string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[k] = true
}

// update changes the pending updates and wakes the loop.
func (h *Herder) update(f func(*pendingUpdates)) {
	h.mu.Lock()
	f(&h.pending)
	h.mu.Unlock()
	h.poke()
}

func (h *Herder) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run creates or checks the internal topics, starts the stores, joins the
// group and runs the loop until ctx ends; then it drains every task and
// connector (rule 7) and leaves the group. It waits out retriable Kafka
// errors (brokers unreachable, metadata lagging, the coordinator loading)
// as long as it takes; it returns an error only for one retrying cannot
// fix, such as a misconfigured internal topic or a fatal group error.
func (h *Herder) Run(ctx context.Context) error {
	h.ctx = context.WithoutCancel(ctx)
	if err := h.start(ctx); err != nil {
		close(h.drained)
		if ctx.Err() != nil {
			h.log.Info("stopped while starting", "stage", h.startup.summary())
			return nil
		}
		return err
	}
	h.startup.begin(fmt.Sprintf("joining the group %s", h.cfg.GroupID))
	close(h.started)
	h.refreshSnapshot()
	h.mu.Lock()
	if k := h.snap.SessionKey; k != nil {
		h.sessionKey = k
	}
	for name := range h.snap.Configs {
		h.knownConnectors[name] = true
	}
	h.mu.Unlock()
	groupCtx, stopGroup := context.WithCancel(context.WithoutCancel(ctx))
	groupDone := make(chan error, 1)
	go func() { groupDone <- h.group.Run(groupCtx) }()
	fatal := h.loop(ctx, groupDone)
	// Stop the work before leaving the group, so that the workers that
	// take it over never run it at the same time as this one.
	h.stopAll("worker shutting down")
	// The group's goroutine may be in Protocols, waiting on the loop for
	// revoked work to stop (settle): all work has stopped, so let it go
	// on, or leaving the group would wait rebalance.timeout.ms for it.
	close(h.drained)
	stopGroup()
	if fatal == nil {
		if err := <-groupDone; err != nil {
			h.log.Warn("leave the group", "err", err)
		}
	}
	h.worker.Stop(h.ctx)
	return fatal
}

// loop runs queued requests and pending updates until ctx ends, or until
// the group's Run ends on an error retrying cannot fix, which it returns.
func (h *Herder) loop(ctx context.Context, groupDone <-chan error) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := h.tick()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
		select {
		case <-ctx.Done():
			return nil
		case err := <-groupDone:
			if err == nil { // only when ctx ended
				return nil
			}
			return fmt.Errorf("the worker cannot stay in its group: %w", err)
		case f := <-h.queue:
			f()
		case <-h.wake:
		case <-timer.C:
		}
	}
}

// errStopping answers the requests that arrive once the loop has ended.
var errStopping = herdercore.Unavailable("The worker is shutting down.")

// onLoop runs f on the loop and returns its error, or ctx's, or
// errStopping once the worker has stopped its work for good. A panic in f
// is its error: the loop goes on.
func (h *Herder) onLoop(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	select {
	case h.queue <- func() { done <- safe.Do("request on the herder's loop", f) }:
	case <-ctx.Done():
		return ctx.Err()
	case <-h.drained:
		return errStopping
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// refreshSnapshot takes a new snapshot of the config topic for the loop.
func (h *Herder) refreshSnapshot() {
	h.snap = h.configs.Snapshot()
	h.mu.Lock()
	h.configOffset = h.snap.Offset
	h.mu.Unlock()
}

// tick handles what is pending and returns how long the loop may sleep.
func (h *Herder) tick() time.Duration {
	h.mu.Lock()
	p := h.pending
	h.pending = pendingUpdates{}
	m := h.membership
	h.mu.Unlock()

	if p.lost != nil {
		h.log.Warn("lost group membership: stopping all work until the next assignment", "err", p.lost)
		// OnLost has emptied the assignment; a join that came after it
		// (handled next) holds what this worker runs from now on.
		h.stopAll("lost group membership")
	}
	if len(p.joins) > 0 {
		h.handleRebalance(p.joins)
		h.mu.Lock()
		m = h.membership
		h.mu.Unlock()
	}
	if len(p.connectors) > 0 || len(p.targets) > 0 || len(p.taskConfigs) > 0 || p.rebalance {
		h.refreshSnapshot()
	}
	if p.rebalance {
		h.group.Rejoin("configuration changed")
	}
	for name := range p.connectors {
		h.connectorConfigChanged(name)
	}
	for name := range p.targets {
		h.targetStateChanged(name)
	}
	for name := range p.taskConfigs {
		h.stopReconfiguredTasks(name)
	}
	for _, r := range p.restarts {
		h.processRestart(r)
	}
	for name := range p.reconfigure {
		h.reconfigureTasks(name)
	}
	next := time.Hour
	if m.joined && m.leaderID == m.memberID && m.protocol == ProtocolSessioned {
		if d := h.ensureSessionKey(); d < next {
			next = d
		}
	}
	return next
}

// stopAll stops every connector and task this worker runs.
func (h *Herder) stopAll(reason string) {
	if h.running.empty() {
		return
	}
	h.log.Info("stopping all connectors and tasks", "reason", reason)
	h.stopWork(h.running.clone())
	h.log.Info("stopped all connectors and tasks", "reason", reason)
}

// Ready implements herder.Herder: the worker is ready once it has read the
// internal topics and completed its first rebalance. Until then the error
// says what it is doing and, when it waits for Kafka, why.
func (h *Herder) Ready(context.Context) error {
	if !h.ready.Load() {
		if s := h.StageSummary(); s != "" {
			return herdercore.Unavailable(s)
		}
		return herdercore.Unavailable("The worker has not joined the cluster yet.")
	}
	return nil
}

// StageSummary says what the worker does while it starts, in Kafka
// Connect's words ("The worker is currently ..., which began at ...."),
// with the Kafka error it waits out; "" once it has started.
func (h *Herder) StageSummary() string {
	if h.ready.Load() {
		return ""
	}
	s := h.startup.summary()
	select {
	case <-h.started:
		if err := h.group.LastError(); err != nil && s != "" {
			s += " Last error, retried until it succeeds: " + err.Error()
		}
	default:
	}
	return s
}

// awaitStarted waits until the stores have read their topics: before
// that, what they hold is not the cluster's state. A request waiting here
// times out in the REST layer as one waiting for Kafka Connect's herder
// thread does.
func (h *Herder) awaitStarted(ctx context.Context) error {
	select {
	case <-h.started:
		return nil
	case <-h.drained:
		return errStopping
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Connectors implements herder.Herder.
func (h *Herder) Connectors(ctx context.Context) ([]string, error) {
	if err := h.awaitStarted(ctx); err != nil {
		return nil, err
	}
	return h.configs.Snapshot().Connectors(), nil
}

// get returns a connector's configuration as the config topic holds it,
// once the stores have read their topics.
func (h *Herder) get(ctx context.Context, name string) (storage.ConnectorState, error) {
	if err := h.awaitStarted(ctx); err != nil {
		return storage.ConnectorState{}, err
	}
	s := h.configs.Snapshot()
	cfg, ok := s.Configs[name]
	if !ok {
		return storage.ConnectorState{}, herdercore.NotFound(name)
	}
	return storage.ConnectorState{Config: cfg, Target: s.Targets[name], TaskConfigs: s.TaskConfigs[name]}, nil
}

// leaderOnly returns nil on the leader, else the redirect to it. Callers
// run on the loop.
func (h *Herder) leaderOnly(what string) error {
	h.mu.Lock()
	m := h.membership
	h.mu.Unlock()
	if m.joined && m.leaderID == m.memberID {
		return nil
	}
	return herder.NotLeader(m.leaderURL, "Only the leader can %s.", what)
}

// PutConnectorConfig implements herder.Herder: the configuration is
// validated here, then written to the config topic by the leader.
func (h *Herder) PutConnectorConfig(ctx context.Context, name string, cfg map[string]string, allowReplace bool, initial herder.TargetState) (herder.ConnectorInfo, bool, error) {
	name = strings.TrimSpace(name)
	cfg, err := h.worker.CheckConnectorConfig(name, maps.Clone(cfg))
	if err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	var info herder.ConnectorInfo
	var created bool
	err = h.onLoop(ctx, func() error {
		if err := h.leaderOnly("create or reconfigure connectors"); err != nil {
			return err
		}
		h.refreshSnapshot()
		_, exists := h.snap.Configs[name]
		if exists && !allowReplace {
			return herder.AlreadyExists("Connector %s already exists", name)
		}
		if !exists {
			if err := h.worker.CheckNewConnector(len(h.snap.Configs), "cluster"); err != nil {
				return err
			}
		}
		target := herder.TargetState("")
		if !exists {
			target = initial
			// As Kafka Connect, no target-state record unless the request
			// gave an initial state (KIP-980), except over a stale one: a
			// pause or stop written for the name after its deletion would
			// otherwise apply to the new connector.
			if prev, ok := h.snap.Targets[name]; target == "" && ok && prev != herder.TargetStarted {
				target = herder.TargetStarted
			}
		}
		if err := h.configs.PutConnectorConfig(ctx, name, cfg, target); err != nil {
			return fmt.Errorf("write the configuration of connector %s to the config topic: %w", name, err)
		}
		info, created = h.core.Info(name, cfg, h.snap.TaskCount(name)), !exists
		return nil
	})
	return info, created, err
}

// PatchConnectorConfig implements herder.Herder.
func (h *Herder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (herder.ConnectorInfo, error) {
	var info herder.ConnectorInfo
	err := h.onLoop(ctx, func() error {
		if err := h.leaderOnly("create or reconfigure connectors"); err != nil {
			return err
		}
		h.refreshSnapshot()
		cur, ok := h.snap.Configs[name]
		if !ok {
			return herdercore.NotFound(name)
		}
		cfg, err := h.worker.CheckConnectorConfig(name, herdercore.Patched(cur, patch))
		if err != nil {
			return err
		}
		if err := h.configs.PutConnectorConfig(ctx, name, cfg, ""); err != nil {
			return fmt.Errorf("write the configuration of connector %s to the config topic: %w", name, err)
		}
		info = h.core.Info(name, cfg, h.snap.TaskCount(name))
		return nil
	})
	return info, err
}

// DeleteConnector implements herder.Herder.
func (h *Herder) DeleteConnector(ctx context.Context, name string) error {
	return h.onLoop(ctx, func() error {
		if err := h.leaderOnly("delete connectors"); err != nil {
			return err
		}
		h.refreshSnapshot()
		if !h.snap.Contains(name) {
			return herdercore.NotFound(name)
		}
		if err := h.configs.RemoveConnectorConfig(ctx, name); err != nil {
			return fmt.Errorf("remove connector %s from the config topic: %w", name, err)
		}
		return nil
	})
}

// RestartConnector implements herder.Herder. The plain restart runs on
// the connector's owner; with includeTasks or onlyFailed (KIP-745) the
// leader writes a restart request that every owner applies.
func (h *Herder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (herder.ConnectorStateInfo, error) {
	var out herder.ConnectorStateInfo
	err := h.onLoop(ctx, func() error {
		h.refreshSnapshot()
		if !h.snap.Contains(name) {
			return herder.NotFound("Unknown connector: %s", name)
		}
		if !includeTasks && !onlyFailed {
			if h.assignedConnector(name) {
				h.restartHere(name, nil, false)
				out, _ = h.ConnectorStatus(ctx, name)
				return nil
			}
			return h.redirectToOwner(name, "restart connector "+name)
		}
		if err := h.leaderOnly("process restart requests"); err != nil {
			return err
		}
		status, ok := h.core.StatusInfo(name, h.snap.Configs[name])
		if !ok {
			return herder.NotFound("Status for connector %s not found", name)
		}
		req := storage.RestartRequest{Connector: name, OnlyFailed: onlyFailed, IncludeTasks: includeTasks}
		if err := h.configs.PutRestartRequest(ctx, req); err != nil {
			return fmt.Errorf("write the restart request of connector %s: %w", name, err)
		}
		out, _, _ = herdercore.PlanRestart(status, includeTasks, onlyFailed)
		return nil
	})
	return out, err
}

// redirectToOwner answers a request that must run where a connector or
// task runs: the leader knows the owner, the others send it to the leader.
func (h *Herder) redirectToOwner(id, what string) error {
	h.mu.Lock()
	m, owner := h.membership, h.owners[id]
	h.mu.Unlock()
	if m.joined && m.leaderID == m.memberID {
		if owner == "" {
			return herder.Conflict("Cannot %s: it is not assigned to any worker at the moment, likely because a rebalance is underway", what)
		}
		return herder.NotAssigned(owner, "Cannot %s since it is not assigned to this member", what)
	}
	return herder.NotLeader(m.leaderURL, "Only the leader can process restart requests.")
}

// RestartTask implements herder.Herder.
func (h *Herder) RestartTask(ctx context.Context, id herder.TaskID) error {
	return h.onLoop(ctx, func() error {
		h.refreshSnapshot()
		if err := herdercore.TaskExists(id, h.snap.Contains(id.Connector), h.snap.TaskCount(id.Connector)); err != nil {
			return err
		}
		if h.assignedTask(id) {
			h.restartHere("", []herder.TaskID{id}, false)
			return nil
		}
		return h.redirectToOwner(id.String(), "restart task "+id.String())
	})
}

// SetTargetState implements herder.Herder: any worker writes pause and
// resume; stopping needs the leader, which first writes zero task
// configurations (KIP-875).
func (h *Herder) SetTargetState(ctx context.Context, name string, target herder.TargetState) error {
	return h.onLoop(ctx, func() error {
		h.refreshSnapshot()
		if !h.snap.Contains(name) {
			return herder.NotFound("Unknown connector %s", name)
		}
		if target == herder.TargetStopped {
			if err := h.leaderOnly("stop connectors"); err != nil {
				return err
			}
			if err := h.configs.PutTaskConfigs(ctx, name, nil); err != nil {
				return fmt.Errorf("write the task configurations of connector %s: %w", name, err)
			}
		}
		if err := h.configs.PutTargetState(ctx, name, target); err != nil {
			return fmt.Errorf("write the target state of connector %s: %w", name, err)
		}
		return nil
	})
}

// modifyOffsets runs on the leader, for a STOPPED connector with no tasks
// (DistributedHerder.modifyConnectorOffsetsChecks).
func (h *Herder) modifyOffsets(ctx context.Context, name string, offsets []herder.PartitionOffset, reset bool) (string, error) {
	var msg string
	err := h.onLoop(ctx, func() error {
		h.refreshSnapshot()
		cfg, ok := h.snap.Configs[name]
		if !ok {
			return herdercore.NotFound(name)
		}
		if err := h.leaderOnly("modify the offsets of connectors"); err != nil {
			return err
		}
		stopped := h.snap.Targets[name] == herder.TargetStopped && h.snap.TaskCount(name) == 0
		if err := herdercore.OffsetsModifiable(name, stopped, offsets, reset); err != nil {
			return err
		}
		var err error
		msg, err = h.core.AlterOffsets(ctx, name, cfg, offsets, reset)
		return err
	})
	return msg, err
}

// SetClusterLoggerLevel implements herder.Herder: any worker writes the
// level to the config topic and every worker applies it.
func (h *Herder) SetClusterLoggerLevel(ctx context.Context, namespace, level string) error {
	if _, err := herdercore.ParseLevel(level); err != nil {
		return err
	}
	if err := h.awaitStarted(ctx); err != nil {
		return err
	}
	return h.configs.PutLoggerLevel(ctx, namespace, strings.ToUpper(level))
}

// PutTaskConfigs implements herder.Internal: the leader writes task
// configurations a connector generated on another worker.
func (h *Herder) PutTaskConfigs(ctx context.Context, name string, configs []map[string]string, sig *herder.InternalSignature) error {
	if err := h.checkSignature(sig); err != nil {
		return err
	}
	return h.onLoop(ctx, func() error {
		if err := h.leaderOnly("write task configurations"); err != nil {
			return err
		}
		h.refreshSnapshot()
		if !h.snap.Contains(name) {
			return herdercore.NotFound(name)
		}
		return h.configs.PutTaskConfigs(ctx, name, configs)
	})
}

// FenceZombies implements herder.Internal. Exactly-once sources are not
// supported yet, so there is never anything to fence.
func (h *Herder) FenceZombies(_ context.Context, name string, sig *herder.InternalSignature) error {
	if err := h.checkSignature(sig); err != nil {
		return err
	}
	return herder.BadRequest("Cannot fence zombie tasks of connector %s: exactly.once.source.support is disabled on this cluster", name)
}

// checkSignature verifies an internal request's signature when the group
// runs the sessioned protocol (DistributedHerder.requestNotSignedProperly).
func (h *Herder) checkSignature(sig *herder.InternalSignature) error {
	h.mu.Lock()
	protocol, key := h.membership.protocol, h.sessionKey
	h.mu.Unlock()
	if protocol == "" {
		// Not joined yet: as Kafka Connect's WorkerCoordinator, assume the
		// configured protocol, so a sessioned worker never takes an
		// unsigned request.
		protocol = h.cfg.Protocol
	}
	if protocol != ProtocolSessioned {
		return nil
	}
	switch {
	case sig == nil:
		return herder.BadRequest("Internal request missing required signature")
	case !slices.Contains(h.cfg.VerificationAlgorithms, sig.Algorithm):
		return herder.BadRequest("This worker does not support the '%s' key signing algorithm used by other workers. This worker is currently configured to use: %v. Check that all workers' configuration files permit the same set of signature algorithms, and correct any misconfigured worker and restart it.",
			sig.Algorithm, h.cfg.VerificationAlgorithms)
	case key == nil:
		return herdercore.Unavailable("This worker is still starting up and has not been able to read a session key from the config topic yet")
	case !sig.Verify(key.Key):
		return &herder.Error{Code: http.StatusForbidden, Message: "Internal request contained invalid signature."}
	}
	return nil
}
