package distributed

import (
	"cmp"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// WorkerState is one member as the leader sees it.
type WorkerState struct {
	ID       string
	Metadata WorkerMetadata
}

// ClusterSnapshot is what the assignor needs of the config topic.
type ClusterSnapshot struct {
	Offset int64          // the leader's config offset
	Tasks  map[string]int // every configured connector -> its committed task count (0 allowed)
	// ReleasedConnectors and ReleasedTasks are work known to run nowhere:
	// its last status is UNASSIGNED, which a worker writes once it has
	// stopped it. The cooperative assignor hands such work out at once
	// when its worker left, instead of holding it for
	// scheduled.rebalance.max.delay.ms as it must for a worker that may
	// have crashed (a sluice addition: Kafka Connect waits either way).
	ReleasedConnectors map[string]bool
	ReleasedTasks      map[herder.TaskID]bool
}

// Assignor is the group leader's assignment strategy.
type Assignor interface {
	// Assign computes every member's assignment for a generation. version is the negotiated protocol version.
	Assign(leaderID string, version int16, generation int32, members []WorkerState, snap ClusterSnapshot) map[string]Assignment
}

// prepareAssign sorts the members by id and finds the leader's URL; when a
// member has read further in the config topic than the leader's snapshot it
// returns the ConfigMismatch assignments to send instead (carrying the
// highest member offset, as Java does, so lagging members know how far to
// read).
func prepareAssign(leaderID string, version int16, members []WorkerState, snap ClusterSnapshot) (sorted []WorkerState, leaderURL string, mismatch map[string]Assignment) {
	sorted = slices.Clone(members)
	slices.SortFunc(sorted, func(a, b WorkerState) int { return cmp.Compare(a.ID, b.ID) })
	maxOffset := int64(math.MinInt64)
	for _, m := range sorted {
		if m.ID == leaderID {
			leaderURL = m.Metadata.URL
		}
		maxOffset = max(maxOffset, m.Metadata.ConfigOffset)
	}
	if len(sorted) == 0 || maxOffset <= snap.Offset {
		return sorted, leaderURL, nil
	}
	mismatch = make(map[string]Assignment, len(sorted))
	for _, m := range sorted {
		mismatch[m.ID] = Assignment{Version: version, Error: ConfigMismatch, Leader: leaderID, LeaderURL: leaderURL, ConfigOffset: maxOffset}
	}
	return sorted, leaderURL, mismatch
}

// configuredWork lists the configured connectors and their tasks, sorted.
func configuredWork(snap ClusterSnapshot) work {
	var w work
	for c := range snap.Tasks {
		w.connectors = append(w.connectors, c)
	}
	slices.Sort(w.connectors)
	for _, c := range w.connectors {
		for i := range snap.Tasks[c] {
			w.tasks = append(w.tasks, herder.TaskID{Connector: c, Task: i})
		}
	}
	return w
}

// NewEagerAssignor returns the assignor of the eager protocol (v0, Java's
// EagerAssignor): every generation each member gets its complete work,
// connectors then tasks dealt round robin over the members sorted by id.
func NewEagerAssignor() Assignor { return eagerAssignor{} }

type eagerAssignor struct{}

func (eagerAssignor) Assign(leaderID string, version int16, _ int32, members []WorkerState, snap ClusterSnapshot) map[string]Assignment {
	members, leaderURL, mismatch := prepareAssign(leaderID, version, members, snap)
	if mismatch != nil {
		return mismatch
	}
	out := make(map[string]Assignment, len(members))
	if len(members) == 0 {
		return out
	}
	assigned := make([]Assignment, len(members))
	configured := configuredWork(snap)
	next := 0 // one circular iterator for connectors and tasks, as Java does
	for _, c := range configured.connectors {
		assigned[next].Connectors = append(assigned[next].Connectors, c)
		next = (next + 1) % len(members)
	}
	for _, t := range configured.tasks {
		assigned[next].Tasks = append(assigned[next].Tasks, t)
		next = (next + 1) % len(members)
	}
	for i, m := range members {
		a := assigned[i]
		a.Version, a.Error, a.Leader, a.LeaderURL, a.ConfigOffset = version, NoError, leaderID, leaderURL, snap.Offset
		out[m.ID] = a
	}
	return out
}

// NewCooperativeAssignor returns the incremental cooperative assignor
// (KIP-415, Java's IncrementalCooperativeAssignor). It keeps the previous
// assignment between calls, so one instance must serve every generation a
// worker leads. maxDelay is scheduled.rebalance.max.delay.ms: how long the
// work of a departed worker waits for it to come back (0 reassigns at once).
// now is the clock (time.Now if nil); log may be nil.
func NewCooperativeAssignor(maxDelay time.Duration, now func() time.Time, log *slog.Logger) Assignor {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	maxMs := maxDelay.Milliseconds()
	initial := int64(1)
	if maxMs == 0 {
		initial = 0
	}
	return &cooperativeAssignor{
		maxDelay:           maxMs,
		now:                now,
		log:                log,
		previousGeneration: -1,
		backoff:            newJavaBackoff(initial, 40, maxMs),
	}
}

// cooperativeAssignor holds the leader's view across generations. Times and
// delays are in milliseconds, like Java's, so delays computed here match a
// Java leader's.
type cooperativeAssignor struct {
	maxDelay int64
	now      func() time.Time
	log      *slog.Logger
	backoff  javaBackoff

	mu                 sync.Mutex
	previous           work // what the last round left assigned (and lost work held back)
	previousRevocation work // what the last round revoked
	previousGeneration int32
	previousMembers    []string
	revokedInPrevious  bool
	numRevokingRounds  int64    // consecutive revoking rounds (KAFKA-12495)
	candidates         []string // workers that joined empty while lost work waits
	scheduledRebalance int64    // ms since the epoch; 0 = none
	delay              int64    // ms until the scheduled rebalance; 0 = none
}

// work is a set of connectors and tasks kept in a deterministic order.
type work struct {
	connectors []string
	tasks      []herder.TaskID
}

func (w work) empty() bool { return len(w.connectors) == 0 && len(w.tasks) == 0 }

// workerLoad is one member's connectors and tasks during a computation.
type workerLoad struct {
	worker string
	work
}

func (a *cooperativeAssignor) Assign(leaderID string, version int16, generation int32, members []WorkerState, snap ClusterSnapshot) map[string]Assignment {
	a.mu.Lock()
	defer a.mu.Unlock()
	members, leaderURL, mismatch := prepareAssign(leaderID, version, members, snap)
	if mismatch != nil {
		a.log.Info("a member is ahead of the leader's config snapshot; asking every member to read the config topic and rejoin",
			"generation", generation, "leaderOffset", snap.Offset)
		return mismatch
	}
	out := make(map[string]Assignment, len(members))
	if len(members) == 0 {
		return out
	}

	// Each member's current work, deduplicated and sorted.
	memberWork := make([]work, len(members))
	for i, m := range members {
		if al := m.Metadata.Allocation; al != nil {
			memberWork[i] = work{connectors: sortedSet(al.Connectors, cmp.Compare), tasks: sortedSet(al.Tasks, compareTask)}
		}
	}
	active := unionWork(memberWork)
	configured := configuredWork(snap)

	if a.previousGeneration < 0 || generation != a.previousGeneration+1 {
		// A new leader, or generations passed that another leader assigned:
		// what this instance remembers is stale. Start from what the members
		// run (Java starts from nothing, which leaves deleted work running).
		a.log.Debug("rebuilding the previous assignment from the members' allocations",
			"generation", generation, "previousGeneration", a.previousGeneration)
		a.previous = active
	}
	if !a.previousRevocation.empty() {
		// A revocation that did not take effect: trust what runs now.
		if intersects(a.previousRevocation, active) {
			a.previous = active
		}
		a.previousRevocation = work{}
	}

	// Java takes only previous − configured; work a member runs that is not
	// configured (say, a worker that rejoins with a connector deleted while it
	// was away) is deleted too, or it would run on unnoticed.
	deleted := diffWork(unionWork([]work{a.previous, active}), configured)
	duplicated := duplicatedWork(memberWork)
	lost := diffWork(a.previous, active, deleted)
	created := diffWork(configured, a.previous, active)
	a.log.Debug("cooperative assignment", "generation", generation, "configured", len(configured.connectors)+len(configured.tasks),
		"deleted", deleted, "duplicated", duplicated, "lost", lost, "created", created)

	toRevoke := make(map[string]*work, len(members))
	current := make([]workerLoad, len(members))
	next := make([]*workerLoad, len(members))
	for i, m := range members {
		current[i] = workerLoad{worker: m.ID, work: minusWork(memberWork[i], deleted)}
		// Deleted and duplicated work is revoked (every copy of a duplicate,
		// KAFKA-9841; it is then assigned afresh in the next round).
		revoke := work{
			connectors: append(filter(memberWork[i].connectors, deleted.connectors, true), filter(memberWork[i].connectors, duplicated.connectors, true)...),
			tasks:      append(filter(memberWork[i].tasks, deleted.tasks, true), filter(memberWork[i].tasks, duplicated.tasks, true)...),
		}
		addRevocation(toRevoke, m.ID, revoke)
		next[i] = &workerLoad{worker: m.ID, work: minusWork(memberWork[i], revoke)}
	}

	// Lost work that its worker stopped before leaving (a clean shutdown)
	// runs nowhere: it needs no delay.
	released := work{connectors: filterFunc(lost.connectors, func(c string) bool { return snap.ReleasedConnectors[c] }),
		tasks: filterFunc(lost.tasks, func(t herder.TaskID) bool { return snap.ReleasedTasks[t] })}
	if !released.empty() {
		a.log.Debug("lost work was stopped by its worker: reassigning it now", "released", released)
		lost = minusWork(lost, released)
	}
	lostToReassign := a.handleLostAssignments(lost, next)
	lostToReassign = unionWork([]work{lostToReassign, released})

	if a.delay == 0 {
		balancing := performLoadBalancingRevocations(configured, next)
		switch {
		case a.revokedInPrevious && len(balancing) > 0:
			a.numRevokingRounds++
			a.delay = a.backoff.backoff(a.numRevokingRounds)
			if a.delay != 0 {
				a.scheduledRebalance = a.nowMs() + a.delay
				a.log.Debug("consecutive revoking rebalance: postponing load-balancing revocations",
					"delayMs", a.delay, "round", a.numRevokingRounds)
			} else {
				a.applyRevocations(toRevoke, next, balancing)
			}
		case len(balancing) > 0:
			a.applyRevocations(toRevoke, next, balancing)
			a.revokedInPrevious = true
		case a.revokedInPrevious:
			// Converged: reset the backoff of revoking rounds.
			a.revokedInPrevious = false
			a.numRevokingRounds = 0
		}
	} else {
		a.log.Debug("delayed rebalance active: no load-balancing revocations", "delayMs", a.delay)
		a.revokedInPrevious = false
	}

	// The assign functions reorder the slice they get; next stays in member order.
	loads := slices.Clone(next)
	assignConnectors(loads, append(slices.Clone(created.connectors), lostToReassign.connectors...))
	assignTasks(loads, append(slices.Clone(created.tasks), lostToReassign.tasks...))

	// The next previous assignment: all that is assigned after this round,
	// minus revocations, plus lost work still held back.
	var nextAll work
	for _, w := range next {
		nextAll.connectors = append(nextAll.connectors, w.connectors...)
		nextAll.tasks = append(nextAll.tasks, w.tasks...)
	}
	var revokedAll work
	for _, r := range toRevoke {
		revokedAll.connectors = append(revokedAll.connectors, r.connectors...)
		revokedAll.tasks = append(revokedAll.tasks, r.tasks...)
	}
	revokedAll = work{connectors: sortedSet(revokedAll.connectors, cmp.Compare), tasks: sortedSet(revokedAll.tasks, compareTask)}
	prev := minusWork(work{connectors: sortedSet(nextAll.connectors, cmp.Compare), tasks: sortedSet(nextAll.tasks, compareTask)}, revokedAll)
	a.previous = unionWork([]work{prev, lost})
	a.previousRevocation = revokedAll
	a.previousGeneration = generation
	a.previousMembers = a.previousMembers[:0]
	for _, m := range members {
		a.previousMembers = append(a.previousMembers, m.ID)
	}

	for i, m := range members {
		assigned := minusWork(next[i].work, current[i].work)
		as := Assignment{
			Version: version, Error: NoError, Leader: leaderID, LeaderURL: leaderURL, ConfigOffset: snap.Offset,
			Connectors: sortedSet(assigned.connectors, cmp.Compare),
			Tasks:      sortedSet(assigned.tasks, compareTask),
			Delay:      time.Duration(a.delay) * time.Millisecond,
		}
		if r := toRevoke[m.ID]; r != nil {
			as.RevokedConnectors = sortedSet(r.connectors, cmp.Compare)
			as.RevokedTasks = sortedSet(r.tasks, compareTask)
		}
		out[m.ID] = as
	}
	return out
}

func (a *cooperativeAssignor) nowMs() int64 { return a.now().UnixMilli() }

func (a *cooperativeAssignor) applyRevocations(toRevoke map[string]*work, next []*workerLoad, revocations map[string]work) {
	for _, w := range next {
		if r, ok := revocations[w.worker]; ok {
			addRevocation(toRevoke, w.worker, r)
			w.work = minusWork(w.work, r)
		}
	}
}

// handleLostAssignments decides what to do with work whose worker is gone:
// reassign it now (returned), hand it to workers that joined empty once the
// delay expired (assigned into next), or hold it and schedule a rebalance.
func (a *cooperativeAssignor) handleLostAssignments(lost work, next []*workerLoad) work {
	if lost.empty() && !a.revokedInPrevious {
		a.resetDelay()
		return work{}
	}
	now := a.nowMs()
	a.log.Debug("connectors and tasks missing from the previous assignment", "lost", lost)

	active := make(map[string]bool, len(next))
	for _, w := range next {
		active[w.worker] = true
	}
	allStayed := true
	for _, m := range a.previousMembers {
		allStayed = allStayed && active[m]
	}
	if a.scheduledRebalance <= 0 && allStayed {
		// No worker left: the previous assignment probably did not reach
		// some members. Treat the missing work as new.
		return lost
	}
	if a.maxDelay == 0 {
		return lost
	}

	if a.scheduledRebalance > 0 && now >= a.scheduledRebalance {
		a.log.Debug("scheduled rebalance delay expired: reassigning lost work")
		var candidates []*workerLoad
		for _, c := range a.candidates {
			for _, w := range next {
				if w.worker == c {
					candidates = append(candidates, w)
				}
			}
		}
		var reassign work
		if len(candidates) > 0 {
			for i, c := range lost.connectors {
				candidates[i%len(candidates)].connectors = append(candidates[i%len(candidates)].connectors, c)
			}
			for i, t := range lost.tasks {
				candidates[i%len(candidates)].tasks = append(candidates[i%len(candidates)].tasks, t)
			}
		} else {
			reassign = lost
		}
		a.resetDelay()
		a.revokedInPrevious = false
		return reassign
	}

	for _, w := range next {
		if w.empty() && !slices.Contains(a.candidates, w.worker) {
			a.candidates = append(a.candidates, w.worker)
		}
	}
	if now < a.scheduledRebalance {
		a.delay = min(a.scheduledRebalance-now, a.maxDelay)
	} else {
		a.delay = a.maxDelay
	}
	a.scheduledRebalance = now + a.delay
	a.log.Debug("holding lost work for its worker to return", "delayMs", a.delay, "candidates", a.candidates)
	return work{}
}

func (a *cooperativeAssignor) resetDelay() {
	a.candidates = nil
	a.scheduledRebalance = 0
	a.delay = 0
}

// performLoadBalancingRevocations revokes connectors and tasks from workers
// running more than a balanced share of the configured work.
func performLoadBalancingRevocations(configured work, workers []*workerLoad) map[string]work {
	allEmpty := true
	for _, w := range workers {
		allEmpty = allEmpty && w.empty()
	}
	if allEmpty || configured.empty() {
		return nil
	}
	conns := balancingRevocations(len(configured.connectors), workers, func(w *workerLoad) []string { return w.connectors })
	tasks := balancingRevocations(len(configured.tasks), workers, func(w *workerLoad) []herder.TaskID { return w.tasks })
	if len(conns) == 0 && len(tasks) == 0 {
		return nil
	}
	out := make(map[string]work)
	for w, c := range conns {
		r := out[w]
		r.connectors = c
		out[w] = r
	}
	for w, t := range tasks {
		r := out[w]
		r.tasks = t
		out[w] = r
	}
	return out
}

func balancingRevocations[E any](total int, workers []*workerLoad, alloc func(*workerLoad) []E) map[string][]E {
	minPer := total / len(workers)
	extras := total % len(workers)
	atMin, atMinPlusOne := 0, 0
	for _, w := range workers {
		switch len(alloc(w)) {
		case minPer:
			atMin++
		case minPer + 1:
			atMinPlusOne++
		}
	}
	if atMinPlusOne == extras && atMin+atMinPlusOne == len(workers) {
		return nil
	}
	out := make(map[string][]E)
	allocatedExtras := 0
	for _, w := range workers {
		n := len(alloc(w))
		if n <= minPer {
			continue
		}
		limit := minPer
		if allocatedExtras < extras {
			allocatedExtras++
			if n == minPer+1 {
				continue
			}
			limit = minPer + 1
		}
		out[w.worker] = slices.Clone(alloc(w)[:n-limit])
	}
	return out
}

// assignConnectors deals connectors round robin over the least loaded
// workers first, as Java's assignConnectors does.
func assignConnectors(workers []*workerLoad, connectors []string) {
	slices.SortFunc(workers, func(x, y *workerLoad) int {
		return cmp.Or(cmp.Compare(len(x.connectors), len(y.connectors)), cmp.Compare(x.worker, y.worker))
	})
	roundRobin(workers, connectors, func(w *workerLoad) *[]string { return &w.connectors })
}

// assignTasks deals tasks like assignConnectors.
func assignTasks(workers []*workerLoad, tasks []herder.TaskID) {
	slices.SortFunc(workers, func(x, y *workerLoad) int {
		return cmp.Or(cmp.Compare(len(x.tasks), len(y.tasks)), cmp.Compare(x.worker, y.worker))
	})
	roundRobin(workers, tasks, func(w *workerLoad) *[]herder.TaskID { return &w.tasks })
}

// roundRobin gives one item to each worker as loaded as the first (least
// loaded) one, repeatedly, so loads even out before anyone gets more.
func roundRobin[E any](workers []*workerLoad, items []E, list func(*workerLoad) *[]E) {
	if len(workers) == 0 {
		return
	}
	first := workers[0]
	for i := 0; i < len(items); {
		firstLoad := len(*list(first))
		upTo := len(workers)
		for j, w := range workers {
			if len(*list(w)) > firstLoad {
				upTo = j
				break
			}
		}
		for _, w := range workers[:upTo] {
			l := list(w)
			*l = append(*l, items[i])
			i++
			if i == len(items) {
				break
			}
		}
	}
}

// javaBackoff is Kafka's ExponentialBackoff without jitter.
type javaBackoff struct {
	initial, max int64
	multiplier   float64
	expMax       float64
}

func newJavaBackoff(initial int64, multiplier int, maxInterval int64) javaBackoff {
	b := javaBackoff{initial: min(maxInterval, initial), max: maxInterval, multiplier: float64(multiplier)}
	if maxInterval > b.initial {
		b.expMax = math.Log(float64(maxInterval)/float64(max(b.initial, 1))) / math.Log(b.multiplier)
	}
	return b
}

func (b javaBackoff) backoff(attempts int64) int64 {
	if b.expMax == 0 {
		return b.initial
	}
	exp := math.Min(float64(attempts), b.expMax)
	return min(int64(float64(b.initial)*math.Pow(b.multiplier, exp)), b.max)
}

func compareTask(x, y herder.TaskID) int {
	return cmp.Or(cmp.Compare(x.Connector, y.Connector), cmp.Compare(x.Task, y.Task))
}

// sortedSet returns the distinct elements of s, sorted; nil when empty.
func sortedSet[E comparable](s []E, compare func(E, E) int) []E {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.SortFunc(out, compare)
	return slices.CompactFunc(out, func(x, y E) bool { return x == y })
}

// filter returns the elements of s that are (keep=true) or are not
// (keep=false) in set, in s's order.
func filter[E comparable](s, set []E, keep bool) []E {
	if len(s) == 0 {
		return nil
	}
	in := make(map[E]bool, len(set))
	for _, v := range set {
		in[v] = true
	}
	var out []E
	for _, v := range s {
		if in[v] == keep {
			out = append(out, v)
		}
	}
	return out
}

// minusWork removes sub from w, keeping w's order.
// filterFunc returns the elements of s for which keep is true.
func filterFunc[E any](s []E, keep func(E) bool) []E {
	var out []E
	for _, e := range s {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

func minusWork(w, sub work) work {
	return work{connectors: filter(w.connectors, sub.connectors, false), tasks: filter(w.tasks, sub.tasks, false)}
}

// diffWork is base minus every sub, sorted (Java's TreeSet diff).
func diffWork(base work, subs ...work) work {
	out := work{connectors: sortedSet(base.connectors, cmp.Compare), tasks: sortedSet(base.tasks, compareTask)}
	for _, s := range subs {
		out = minusWork(out, s)
	}
	return out
}

// unionWork is the distinct connectors and tasks of all of ws, sorted.
func unionWork(ws []work) work {
	var out work
	for _, w := range ws {
		out.connectors = append(out.connectors, w.connectors...)
		out.tasks = append(out.tasks, w.tasks...)
	}
	return work{connectors: sortedSet(out.connectors, cmp.Compare), tasks: sortedSet(out.tasks, compareTask)}
}

func intersects(a, b work) bool {
	return len(filter(a.connectors, b.connectors, true)) > 0 || len(filter(a.tasks, b.tasks, true)) > 0
}

// duplicatedWork is what more than one member runs.
func duplicatedWork(members []work) work {
	conns := map[string]int{}
	tasks := map[herder.TaskID]int{}
	for _, m := range members {
		for _, c := range m.connectors {
			conns[c]++
		}
		for _, t := range m.tasks {
			tasks[t]++
		}
	}
	var out work
	for c, n := range conns {
		if n > 1 {
			out.connectors = append(out.connectors, c)
		}
	}
	for t, n := range tasks {
		if n > 1 {
			out.tasks = append(out.tasks, t)
		}
	}
	return work{connectors: sortedSet(out.connectors, cmp.Compare), tasks: sortedSet(out.tasks, compareTask)}
}

func addRevocation(toRevoke map[string]*work, worker string, r work) {
	if r.empty() {
		return
	}
	w := toRevoke[worker]
	if w == nil {
		w = &work{}
		toRevoke[worker] = w
	}
	w.connectors = append(w.connectors, r.connectors...)
	w.tasks = append(w.tasks, r.tasks...)
}
