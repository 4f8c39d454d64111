package distributed

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/herdercore"
	"github.com/sluicehq/sluice/runtime/storage"
)

// groupHandler is the herder as the group's handler; its methods run on
// the group's goroutine.
type groupHandler Herder

// joinedAssignment is a decoded assignment waiting for the loop.
type joinedAssignment struct {
	Joined
	Assignment
}

// Protocols implements GroupHandler. It is called before every JoinGroup,
// and first makes sure that this worker runs nothing it no longer owns:
// revoked work is stopped before the leader can hand it to another worker
// (and, with the eager protocol, all work is, as Kafka Connect's
// onJoinPrepare does).
func (g *groupHandler) Protocols() []GroupProtocol {
	h := (*Herder)(g)
	h.mu.Lock()
	if h.membership.protocol == ProtocolDefault {
		h.assigned = newWork()
	}
	lost := h.lostSinceJoin
	h.lostSinceJoin = false
	h.mu.Unlock()
	h.settle()
	if lost {
		// What stopped when the membership was lost, most likely while
		// Kafka was away, reaches the status topic before the work can
		// start elsewhere, as stopWork does when Kafka is there: once this
		// worker is in a new generation its older statuses are dropped
		// (Kafka Connect's KafkaStatusBackingStore), and the topic would
		// never say the work stopped here. Only then: a member in the group
		// must not keep the coordinator waiting.
		h.flushStatuses("statuses of stopped work not written before rejoining")
	}
	names, err := Protocols(h.cfg.Protocol)
	if err != nil {
		// connect.protocol was validated at start-up.
		panic(err)
	}
	h.mu.Lock()
	offset, m := h.configOffset, h.membership
	alloc := h.assigned.clone()
	h.mu.Unlock()
	out := make([]GroupProtocol, 0, len(names))
	for _, n := range names {
		v, _ := ProtocolVersion(n)
		md := WorkerMetadata{URL: h.cfg.URL, ConfigOffset: offset}
		if v > 0 && !alloc.empty() {
			a := Assignment{Version: v, Leader: m.leaderID, LeaderURL: m.leaderURL, ConfigOffset: offset}
			a.Connectors, a.Tasks = alloc.sorted()
			md.Allocation = &a
		}
		out = append(out, GroupProtocol{Name: n, Metadata: EncodeMetadata(v, md)})
	}
	return out
}

// settle waits until the loop runs nothing outside the assignment, at most
// the rebalance timeout.
func (h *Herder) settle() {
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.RebalanceTimeout)
	defer cancel()
	err := h.onLoop(ctx, func() error {
		h.reconcile(false)
		return nil
	})
	if err != nil && err != errStopping { // errStopping: Run has stopped all the work
		h.log.Warn("revoked work did not stop before the rebalance timeout", "err", err)
	}
}

// sorted returns the connectors and tasks of w in a stable order.
func (w workSet) sorted() ([]string, []herder.TaskID) {
	conns := slices.Sorted(maps.Keys(w.connectors))
	tasks := slices.Collect(maps.Keys(w.tasks))
	sort.Slice(tasks, func(i, j int) bool {
		if tasks[i].Connector != tasks[j].Connector {
			return tasks[i].Connector < tasks[j].Connector
		}
		return tasks[i].Task < tasks[j].Task
	})
	return conns, tasks
}

// Assign implements GroupHandler: the leader catches up with the config
// topic if a member has read further, and runs the assignor of the
// negotiated protocol.
func (g *groupHandler) Assign(ctx context.Context, protocol string, generation int32, leaderID string, members []RawMember) (map[string][]byte, error) {
	h := (*Herder)(g)
	version, err := ProtocolVersion(protocol)
	if err != nil {
		return nil, err
	}
	states := make([]WorkerState, 0, len(members))
	var maxOffset int64 = -1
	for _, m := range members {
		md, err := DecodeMetadata(m.Metadata)
		if err != nil {
			return nil, fmt.Errorf("metadata of group member %s: %w", m.ID, err)
		}
		states = append(states, WorkerState{ID: m.ID, Metadata: md})
		maxOffset = max(maxOffset, md.ConfigOffset)
	}
	snap := h.configs.Snapshot()
	if snap.Offset < maxOffset {
		rctx, cancel := context.WithTimeout(ctx, h.cfg.SyncTimeout)
		if err := h.configs.ReadToEnd(rctx); err != nil {
			h.log.Warn("the leader could not catch up with the config topic before assigning", "err", err)
		}
		cancel()
		snap = h.configs.Snapshot()
	}
	// The statuses tell which work a departed worker stopped before it
	// left; a worker writes them before it leaves, so read up to now.
	sctx, cancel := context.WithTimeout(ctx, h.cfg.SyncTimeout)
	if err := h.status.ReadToEnd(sctx); err != nil {
		h.log.Warn("the leader could not read the status topic to its end before assigning", "err", err)
	}
	cancel()
	// Work counts as released only when the worker this leader last gave
	// it to reported it UNASSIGNED: an older UNASSIGNED from another worker
	// says nothing about the last owner. A new leader knows no owners and
	// so holds lost work for the delay, as Kafka Connect does.
	h.mu.Lock()
	last := h.lastOwners
	h.mu.Unlock()
	releasedBy := func(id, workerID string) bool { return ownedBy(last[id], workerID) }
	cs := ClusterSnapshot{Offset: snap.Offset, Tasks: map[string]int{},
		ReleasedConnectors: map[string]bool{}, ReleasedTasks: map[herder.TaskID]bool{}}
	for _, name := range snap.Connectors() {
		cs.Tasks[name] = snap.TaskCount(name)
		if st, ok := h.status.Connector(name); ok && st.State == herder.Unassigned && releasedBy(name, st.WorkerID) {
			cs.ReleasedConnectors[name] = true
		}
		for _, t := range h.status.Tasks(name) {
			id := herder.TaskID{Connector: name, Task: t.ID}
			if t.State == herder.Unassigned && releasedBy(id.String(), t.WorkerID) {
				cs.ReleasedTasks[id] = true
			}
		}
	}
	assignor := h.cooperative
	if version == 0 {
		assignor = h.eager
	}
	assignments := assignor.Assign(leaderID, version, generation, states, cs)
	out := make(map[string][]byte, len(assignments))
	owners := map[string]string{}
	for _, st := range states {
		a := assignments[st.ID]
		out[st.ID] = EncodeAssignment(a)
		held := newWork()
		if version > 0 && st.Metadata.Allocation != nil {
			held.add(st.Metadata.Allocation.Connectors, st.Metadata.Allocation.Tasks)
		}
		held.remove(a.RevokedConnectors, a.RevokedTasks)
		held.add(a.Connectors, a.Tasks)
		for c := range held.connectors {
			owners[c] = st.Metadata.URL
		}
		for t := range held.tasks {
			owners[t.String()] = st.Metadata.URL
		}
	}
	// lastOwners keeps, for work nobody holds now (a departed worker's,
	// held for the delay), the worker that held it last.
	nextLast := map[string]string{}
	for id, url := range last {
		if ownedWorkConfigured(cs, id) {
			nextLast[id] = url
		}
	}
	maps.Copy(nextLast, owners)
	h.mu.Lock()
	h.owners, h.lastOwners = owners, nextLast
	h.mu.Unlock()
	h.log.Info("assigned work to the group", "generation", generation, "protocol", protocol, "members", len(members), "config_offset", cs.Offset)
	return out, nil
}

// ownedWorkConfigured reports whether an owners key (a connector name or a
// task id) names configured work.
func ownedWorkConfigured(cs ClusterSnapshot, id string) bool {
	if _, ok := cs.Tasks[id]; ok {
		return true
	}
	t, err := herder.ParseTaskID(id)
	return err == nil && t.Task < cs.Tasks[t.Connector]
}

func (w workSet) add(conns []string, tasks []herder.TaskID) {
	for _, c := range conns {
		w.connectors[c] = true
	}
	for _, t := range tasks {
		w.tasks[t] = true
	}
}

func (w workSet) remove(conns []string, tasks []herder.TaskID) {
	for _, c := range conns {
		delete(w.connectors, c)
	}
	for _, t := range tasks {
		delete(w.tasks, t)
	}
}

// OnJoined implements GroupHandler: the assignment becomes this worker's
// at once (so that the next JoinGroup reports it), and the loop starts and
// stops work to match.
func (g *groupHandler) OnJoined(j Joined) {
	h := (*Herder)(g)
	a, err := DecodeAssignment(j.Assignment)
	if err != nil {
		h.log.Error("undecodable assignment; rejoining", "generation", j.Generation, "err", err)
		h.group.Rejoin("undecodable assignment")
		return
	}
	h.status.SetGeneration(j.Generation)
	h.mu.Lock()
	h.membership = membership{joined: true, memberID: j.MemberID, leaderID: a.Leader, leaderURL: a.LeaderURL, generation: j.Generation, protocol: j.Protocol}
	if a.Error == NoError {
		if a.Version == 0 {
			h.assigned = newWork()
		}
		h.assigned.remove(a.RevokedConnectors, a.RevokedTasks)
		h.assigned.add(a.Connectors, a.Tasks)
	}
	h.pending.joins = append(h.pending.joins, joinedAssignment{Joined: j, Assignment: a})
	h.mu.Unlock()
	h.rebalances.Started(time.Now(), j.Generation, a.LeaderURL, protocolName(j.Protocol))
	h.log.Info(fmt.Sprintf("Joined group at generation %d with protocol version %d and got assignment: %s with rebalance delay: %d",
		j.Generation, a.Version, a, a.Delay.Milliseconds()),
		"generation", j.Generation, "member", j.MemberID, "leader", a.Leader, "leader_url", a.LeaderURL, "protocol", j.Protocol)
	h.poke()
}

// OnLost implements GroupHandler: another worker may take this worker's
// work, so it stops all of it (KAFKA-9184).
func (g *groupHandler) OnLost(err error) {
	h := (*Herder)(g)
	// Statuses of the work written from now on would say it runs here
	// when it may run elsewhere already.
	h.status.Fence()
	h.mu.Lock()
	h.assigned = newWork()
	h.membership.joined = false
	h.pending.lost = err
	h.lostSinceJoin = true
	h.mu.Unlock()
	h.poke()
}

// handleRebalance applies completed rebalances on the loop
// (DistributedHerder.handleRebalanceCompleted).
func (h *Herder) handleRebalance(joins []joinedAssignment) {
	last := joins[len(joins)-1]
	for _, j := range joins {
		if j.Delay > 0 {
			h.group.RejoinAfter(j.Delay)
		}
	}
	revoked := false
	for _, j := range joins {
		revoked = revoked || len(j.RevokedConnectors) > 0 || len(j.RevokedTasks) > 0
	}
	a := last.Assignment
	h.refreshSnapshot()
	if a.Error != NoError || h.snap.Offset < a.ConfigOffset {
		ctx, cancel := context.WithTimeout(h.ctx, h.cfg.SyncTimeout)
		err := h.configs.ReadToEnd(ctx)
		cancel()
		h.refreshSnapshot()
		if err != nil {
			h.log.Warn("could not catch up with the config topic: leaving the group for a while", "err", err, "backoff", h.cfg.UnsyncBackoff)
			h.reconcile(false)
			h.group.PauseFor(h.cfg.UnsyncBackoff)
			return
		}
		if a.Error != NoError {
			h.log.Info("the leader's config offset was behind this worker's: rejoining", "assignment_offset", a.ConfigOffset, "local_offset", h.snap.Offset)
			h.group.Rejoin("config mismatch")
			return
		}
	}
	h.refreshSnapshot()
	if h.snap.Offset != a.ConfigOffset {
		h.log.Info("the config offset does not match the assignment's: rejoining", "assignment_offset", a.ConfigOffset, "local_offset", h.snap.Offset)
		h.reconcile(false)
		h.group.Rejoin("config offset mismatch")
		return
	}
	h.reconcile(true)
	h.rebalances.Succeeded(time.Now())
	h.ready.Store(true)
	if revoked {
		h.group.Rejoin("work was revoked")
	}
}

// reconcile stops what runs here but is no longer assigned and, with
// start, starts what is assigned but does not run.
func (h *Herder) reconcile(start bool) {
	h.mu.Lock()
	a := h.assigned.clone()
	h.mu.Unlock()
	stop := newWork()
	for c := range h.running.connectors {
		if !a.connectors[c] {
			stop.connectors[c] = true
		}
	}
	for t := range h.running.tasks {
		if !a.tasks[t] {
			stop.tasks[t] = true
		}
	}
	if !stop.empty() {
		h.stopWork(stop)
		conns, tasks := stop.sorted()
		h.log.Info("Finished stopping tasks in preparation for rebalance", "revoked_connectors", javafmt.Value(conns), "revoked_tasks", taskList(tasks))
	}
	if !start {
		return
	}
	conns, tasks := a.sorted()
	for _, c := range conns {
		if !h.running.connectors[c] {
			h.startConnector(c)
		}
	}
	for _, t := range tasks {
		if !h.running.tasks[t] {
			h.startTask(t)
		}
	}
}

// stopWork stops connectors and tasks, draining the tasks, and reports
// them UNASSIGNED, as Kafka Connect's onShutdown does. Work that no longer
// exists (a deleted connector, tasks dropped by a reconfiguration or a
// stop) then loses its records in the status topic, as in Kafka Connect:
// the active-topic records of a deleted connector (KIP-558), then the
// status records of the work stopped here. The UNASSIGNED records are
// written first, so that a reader of the status topic (another worker,
// a monitoring tool) sees the work stop before its records go.
func (h *Herder) stopWork(w workSet) {
	conns, ids := w.sorted()
	if len(ids) > 0 {
		h.worker.StopTasks(ids)
	}
	for _, id := range ids {
		delete(h.running.tasks, id)
	}
	for _, c := range conns {
		h.worker.StopConnector(h.ctx, c)
		delete(h.running.connectors, c)
		delete(h.instances, c)
	}
	// The connectors' records first, as in Kafka Connect's status topic.
	var deleted, goneConns []string // deleted: connectors removed from the config topic
	for _, c := range conns {
		h.status.PutConnector(c, herder.ConnectorState{State: herder.Unassigned, WorkerID: h.worker.ID()})
		if !h.snap.Contains(c) {
			goneConns = append(goneConns, c)
			deleted = append(deleted, c)
		}
	}
	var goneTasks []herder.TaskID
	for _, id := range ids {
		h.status.PutTask(id, herder.TaskState{ID: id.Task, State: herder.Unassigned, WorkerID: h.worker.ID()})
		if !h.snap.Contains(id.Connector) || id.Task >= h.snap.TaskCount(id.Connector) {
			goneTasks = append(goneTasks, id)
			if !h.snap.Contains(id.Connector) && !slices.Contains(deleted, id.Connector) {
				deleted = append(deleted, id.Connector)
			}
		}
	}
	if len(goneTasks) > 0 || len(goneConns) > 0 {
		// A status write still queued when its entry is deleted is
		// dropped: the UNASSIGNED records go out first.
		h.flushStatuses("statuses of stopped work not written before their removal")
		if h.worker.Config().TopicTracking {
			slices.Sort(deleted)
			for _, c := range deleted {
				h.worker.ResetTopics(c)
			}
		}
		for _, id := range goneTasks {
			h.status.DeleteTask(id)
		}
		for _, c := range goneConns {
			h.status.Delete(c)
		}
	}
	// The statuses reach the topic before this worker rejoins the group
	// and the work can start elsewhere, so that the status topic shows the
	// work stopping here before it runs there.
	h.flushStatuses("statuses of stopped work not written yet")
}

// flushStatuses waits, at most statusFlushTimeout, until the statuses
// written so far have reached the status topic.
func (h *Herder) flushStatuses(warning string) {
	ctx, cancel := context.WithTimeout(h.ctx, statusFlushTimeout)
	defer cancel()
	if err := h.status.Flush(ctx); err != nil {
		h.log.Warn(warning, "err", err)
	}
}

// statusFlushTimeout bounds the wait for status writes after work stopped.
const statusFlushTimeout = 5 * time.Second

// startConnector starts an assigned connector per its target state and,
// when it runs, has it generate its task configurations.
func (h *Herder) startConnector(name string) {
	cfg, ok := h.snap.Configs[name]
	if !ok {
		return // deleted; the leader revokes it
	}
	h.running.connectors[name] = true
	target := h.snap.Targets[name]
	if target == herder.TargetStopped {
		h.core.ReportStopped(name)
		return
	}
	reconfigure := func() { h.update(func(p *pendingUpdates) { setAdd(&p.reconfigure, name) }) }
	if err := h.worker.StartConnector(h.ctx, name, cfg, target, reconfigure); err != nil {
		return // reported FAILED by the worker
	}
	h.instances[name] = target
	if target == herder.TargetStarted {
		h.reconfigureTasks(name)
	}
}

// startTask starts an assigned task with its committed configuration.
func (h *Herder) startTask(id herder.TaskID) {
	cfg, ok := h.snap.Configs[id.Connector]
	tcs := h.snap.TaskConfigs[id.Connector]
	if !ok || id.Task >= len(tcs) {
		return // gone; the leader revokes it
	}
	h.running.tasks[id] = true
	// A task that fails to start is reported FAILED by the worker.
	_ = h.worker.StartTask(id, cfg, tcs[id.Task], len(tcs), h.snap.Targets[id.Connector])
}

// reconfigureTasks asks a connector running here for its task
// configurations and, when they differ from the committed ones, has the
// leader write them (directly, or through a signed request to it).
func (h *Herder) reconfigureTasks(name string) {
	if h.instances[name] != herder.TargetStarted {
		return
	}
	tasks, err := h.worker.TaskConfigs(name)
	if err != nil {
		h.log.Error("generate task configurations", "connector", name, "err", err)
		h.core.ReportFailed(name, err)
		return
	}
	if !tasksChanged(h.snap, name, tasks) {
		return
	}
	h.mu.Lock()
	m, key := h.membership, h.sessionKey
	h.mu.Unlock()
	if m.joined && m.leaderID == m.memberID {
		if err := h.configs.PutTaskConfigs(h.ctx, name, tasks); err != nil {
			h.log.Error("write task configurations; retrying", "connector", name, "err", err)
			h.retryReconfigure(name)
		}
		return
	}
	if m.leaderURL == "" {
		h.retryReconfigure(name)
		return
	}
	var k []byte
	if m.protocol == ProtocolSessioned {
		if key == nil {
			h.retryReconfigure(name)
			return
		}
		k = key.Key
	}
	go func() {
		ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
		defer cancel()
		if err := h.forwarder.PutTaskConfigs(ctx, m.leaderURL, name, tasks, k, h.cfg.SignatureAlgorithm); err != nil {
			h.log.Warn("forward task configurations to the leader; retrying", "connector", name, "leader", m.leaderURL, "err", err)
			h.retryReconfigure(name)
		}
	}()
}

// reconfigureBackoff is the wait before generating task configurations
// again after a failure to write them.
const reconfigureBackoff = 250 * time.Millisecond

func (h *Herder) retryReconfigure(name string) {
	time.AfterFunc(reconfigureBackoff, func() {
		h.update(func(p *pendingUpdates) { setAdd(&p.reconfigure, name) })
	})
}

// tasksChanged reports whether a connector's new task configurations
// must be written, as Kafka Connect's AbstractHerder.taskConfigsChanged
// decides: when the committed set is unusable (inconsistent), when they
// differ from the committed ones as maps (tasks, like the committed
// ones, carry config provider variables, not their values: Worker.
// TaskConfigs reverses them), or when the connector's config changed
// since the last commit (so that its tasks restart with it even if the
// connector copies none of the change into them). Equal configurations
// are not written again: the tasks keep running, whichever worker wrote
// them, Kafka Connect's or this one.
func tasksChanged(snap storage.ConfigSnapshot, name string, tasks []map[string]string) bool {
	if snap.Inconsistent[name] {
		return true
	}
	if !herdercore.SameTaskConfigs(tasks, snap.TaskConfigs[name]) {
		return true
	}
	return !maps.Equal(snap.AppliedConfigs[name], snap.Configs[name])
}

// connectorConfigChanged restarts a connector running here with its new
// configuration, or stops it when it was removed.
func (h *Herder) connectorConfigChanged(name string) {
	if !h.running.connectors[name] {
		return
	}
	if !h.snap.Contains(name) {
		w := newWork()
		w.connectors[name] = true
		for t := range h.running.tasks {
			if t.Connector == name {
				w.tasks[t] = true
			}
		}
		h.stopWork(w)
		h.core.LogConfigRemoved(name)
		return
	}
	h.core.LogConfigUpdated(name)
	h.worker.StopConnector(h.ctx, name)
	delete(h.instances, name)
	delete(h.running.connectors, name)
	h.startConnector(name)
}

// targetStateChanged applies a connector's new target state to what runs
// here.
func (h *Herder) targetStateChanged(name string) {
	target, ok := h.snap.Targets[name]
	if !ok {
		return
	}
	if h.running.connectors[name] {
		prev, started := h.instances[name]
		switch {
		case target == herder.TargetStopped:
			h.core.LogTargetState(name, target)
			if started {
				h.worker.StopConnector(h.ctx, name)
				delete(h.instances, name)
			}
			h.core.ReportStopped(name)
		case !started:
			h.core.LogTargetState(name, target)
			delete(h.running.connectors, name)
			h.startConnector(name)
		case prev != target:
			h.instances[name] = target
			h.worker.SetConnectorTarget(name, target)
			if target == herder.TargetStarted {
				h.reconfigureTasks(name)
			}
		}
		return
	}
	h.worker.SetConnectorTarget(name, target)
}

// stopReconfiguredTasks stops the tasks of a connector whose task
// configurations changed; the rebalance that follows starts them again
// with the new ones.
func (h *Herder) stopReconfiguredTasks(name string) {
	w := newWork()
	for t := range h.running.tasks {
		if t.Connector == name {
			w.tasks[t] = true
		}
	}
	if !w.empty() {
		h.log.Info("task configurations changed: stopping the connector's tasks until the rebalance", "connector", name, "tasks", len(w.tasks))
		h.stopWork(w)
	}
}

// processRestart applies a KIP-745 restart request to what runs here.
func (h *Herder) processRestart(r storage.RestartRequest) {
	if !h.snap.Contains(r.Connector) {
		return
	}
	conn := ""
	if h.running.connectors[r.Connector] {
		cs, _ := h.status.Connector(r.Connector)
		if !r.OnlyFailed || cs.State == herder.Failed {
			conn = r.Connector
		}
	}
	var tasks []herder.TaskID
	if r.IncludeTasks {
		for _, t := range h.status.Tasks(r.Connector) {
			id := herder.TaskID{Connector: r.Connector, Task: t.ID}
			if h.running.tasks[id] && (!r.OnlyFailed || t.State == herder.Failed) {
				tasks = append(tasks, id)
			}
		}
	}
	h.restartHere(conn, tasks, true)
}

// restartHere restarts a connector (unless conn is empty) and tasks that
// run here, writing what Kafka Connect writes to the status topic: each
// stopped instance UNASSIGNED, then, for a KIP-745 restart request
// (requested), RESTARTING, the connector's records before the tasks';
// then the statuses of the instances started again (a plain restart goes
// from UNASSIGNED to RUNNING). The status store drops a queued UNASSIGNED
// that a later status of the same entry supersedes before it is sent
// (generation-guarded writes), so the UNASSIGNED records are flushed
// before the next status of their entries.
func (h *Herder) restartHere(conn string, tasks []herder.TaskID, requested bool) {
	if conn == "" && len(tasks) == 0 {
		return
	}
	if conn != "" {
		h.log.Info("Restarting connector "+conn, "connector", conn)
		h.worker.StopConnector(h.ctx, conn)
		delete(h.instances, conn)
		delete(h.running.connectors, conn)
		h.core.ReportRestartStop(conn, nil, false)
		h.flushStatuses("status of the restarted connector not written before it restarts")
		if requested {
			h.core.ReportRestartStop(conn, nil, true)
		}
	}
	if len(tasks) > 0 {
		for _, id := range tasks {
			h.core.LogRestartTask(id)
		}
		h.worker.StopTasks(tasks)
		for _, id := range tasks {
			delete(h.running.tasks, id)
			h.core.ReportRestartStop("", &id, false)
		}
		h.flushStatuses("statuses of the restarted tasks not written before they restart")
		if requested {
			for _, id := range tasks {
				h.core.ReportRestartStop("", &id, true)
			}
		}
	}
	if conn != "" {
		h.startConnector(conn)
	}
	for _, id := range tasks {
		h.startTask(id)
	}
}

func (h *Herder) assignedConnector(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.assigned.connectors[name]
}

func (h *Herder) assignedTask(id herder.TaskID) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.assigned.tasks[id]
}

// ensureSessionKey has the leader write a new session key when there is
// none, it has expired or the configuration asks for another kind; it
// returns the time until the key expires.
func (h *Herder) ensureSessionKey() time.Duration {
	h.mu.Lock()
	key := h.sessionKey
	h.mu.Unlock()
	now := time.Now()
	if key != nil && key.Algorithm == h.cfg.KeyAlgorithm && len(key.Key)*8 == h.cfg.KeySize && now.Before(key.Created.Add(h.cfg.KeyTTL)) {
		return key.Created.Add(h.cfg.KeyTTL).Sub(now)
	}
	b := make([]byte, h.cfg.KeySize/8)
	if _, err := rand.Read(b); err != nil {
		h.log.Error("generate a session key", "err", err)
		return time.Second
	}
	k := storage.SessionKey{Key: b, Algorithm: h.cfg.KeyAlgorithm, Created: now}
	if err := h.configs.PutSessionKey(h.ctx, k); err != nil {
		h.log.Error("write the session key to the config topic; retrying", "err", err)
		return time.Second
	}
	h.mu.Lock()
	h.sessionKey = &k
	h.mu.Unlock()
	h.log.Info("distributed a new session key", "algorithm", k.Algorithm)
	return h.cfg.KeyTTL
}

// ownedBy reports whether ownerURL, the URL of the worker the leader last
// gave some work to (http:// or https://, as it advertises itself), is
// that of the worker workerID (host:port, as statuses name it).
func ownedBy(ownerURL, workerID string) bool {
	_, owner, ok := strings.Cut(ownerURL, "://")
	return ok && owner == workerID
}
