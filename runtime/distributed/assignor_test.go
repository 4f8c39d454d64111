package distributed

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// The cooperative scenarios below port IncrementalCooperativeAssignorTest
// (apache/kafka connect/runtime): a simulated group whose members apply each
// assignment incrementally and report what they run in their next metadata.

const asgTestMaxDelay = 300 * time.Second // scheduled.rebalance.max.delay.ms default

type asgTestCluster struct {
	t          *testing.T
	assignor   Assignor
	clock      time.Time
	generation int32
	version    int16
	offset     int64
	connectors map[string]int
	running    map[string]*work // member -> what it runs
	last       map[string]Assignment
	// releasedConns and releasedTasks are reported stopped (UNASSIGNED).
	releasedConns map[string]bool
	releasedTasks map[herder.TaskID]bool
}

func newAsgTestCluster(t *testing.T, maxDelay time.Duration) *asgTestCluster {
	c := &asgTestCluster{
		t: t, clock: time.UnixMilli(1_700_000_000_000), generation: 1000, version: 2, offset: 618,
		connectors: map[string]int{"connector1": 4, "connector2": 4},
		running:    map[string]*work{},
	}
	c.newAssignor(maxDelay)
	c.addWorkers("worker1")
	return c
}

// newAssignor replaces the leader's assignor, as when leadership moves.
func (c *asgTestCluster) newAssignor(maxDelay time.Duration) {
	c.assignor = NewCooperativeAssignor(maxDelay, func() time.Time { return c.clock }, nil)
}

func (c *asgTestCluster) sleep(d time.Duration) { c.clock = c.clock.Add(d) }

func (c *asgTestCluster) addWorkers(ids ...string) {
	for _, id := range ids {
		c.addWorker(id, nil, nil)
	}
}

func (c *asgTestCluster) addWorker(id string, connectors []string, tasks []herder.TaskID) {
	c.t.Helper()
	if _, ok := c.running[id]; ok {
		c.t.Fatalf("worker %s already exists", id)
	}
	c.running[id] = &work{connectors: connectors, tasks: tasks}
}

func (c *asgTestCluster) removeWorkers(ids ...string) {
	for _, id := range ids {
		delete(c.running, id)
	}
}

func (c *asgTestCluster) members() []WorkerState {
	var ms []WorkerState
	for id, w := range c.running {
		ms = append(ms, WorkerState{ID: id, Metadata: WorkerMetadata{
			URL: "http://" + id + ":8083/", ConfigOffset: c.offset,
			Allocation: &Assignment{Version: c.version, Connectors: slices.Clone(w.connectors), Tasks: slices.Clone(w.tasks)},
		}})
	}
	return ms
}

func (c *asgTestCluster) leader() string {
	ids := slices.Sorted(maps.Keys(c.running))
	return ids[0]
}

func (c *asgTestCluster) assign() map[string]Assignment {
	c.t.Helper()
	c.generation++
	got := c.assignor.Assign(c.leader(), c.version, c.generation, c.members(), ClusterSnapshot{Offset: c.offset, Tasks: maps.Clone(c.connectors),
		ReleasedConnectors: c.releasedConns, ReleasedTasks: c.releasedTasks})
	if len(got) != len(c.running) {
		c.t.Fatalf("generation %d: %d assignments for %d members", c.generation, len(got), len(c.running))
	}
	c.last = got
	c.checkNoRedundantAssignments()
	return got
}

// rebalance runs a round whose assignment every member applies.
func (c *asgTestCluster) rebalance() {
	c.t.Helper()
	got := c.assign()
	for id, a := range got {
		w := c.running[id]
		if a.Error != NoError || a.Leader != c.leader() || a.LeaderURL != "http://"+c.leader()+":8083/" ||
			a.ConfigOffset != c.offset || a.Version != c.version {
			c.t.Fatalf("generation %d: bad header for %s: %+v", c.generation, id, a)
		}
		for _, r := range a.RevokedConnectors {
			if !slices.Contains(w.connectors, r) {
				c.t.Fatalf("generation %d: %s told to stop connector %s it does not run", c.generation, id, r)
			}
		}
		for _, r := range a.RevokedTasks {
			if !slices.Contains(w.tasks, r) {
				c.t.Fatalf("generation %d: %s told to stop task %s it does not run", c.generation, id, r)
			}
		}
		w.connectors = append(filter(w.connectors, a.RevokedConnectors, false), a.Connectors...)
		w.tasks = append(filter(w.tasks, a.RevokedTasks, false), a.Tasks...)
	}
}

// failedRebalance runs a round whose assignment never reaches the members.
func (c *asgTestCluster) failedRebalance() {
	c.t.Helper()
	c.assign()
}

// checkNoRedundantAssignments: nothing newly assigned already runs (even if
// revoked in the same round: revoked work is reassigned only in the next),
// and nothing is newly assigned twice.
func (c *asgTestCluster) checkNoRedundantAssignments() {
	c.t.Helper()
	seenC, seenT := map[string]bool{}, map[herder.TaskID]bool{}
	for _, w := range c.running {
		for _, x := range w.connectors {
			seenC[x] = true
		}
		for _, x := range w.tasks {
			seenT[x] = true
		}
	}
	for id, a := range c.last {
		for _, x := range a.Connectors {
			if seenC[x] {
				c.t.Fatalf("generation %d: connector %s assigned to %s is already running or assigned", c.generation, x, id)
			}
			seenC[x] = true
		}
		for _, x := range a.Tasks {
			if seenT[x] {
				c.t.Fatalf("generation %d: task %s assigned to %s is already running or assigned", c.generation, x, id)
			}
			seenT[x] = true
		}
	}
}

func (c *asgTestCluster) revokedConnectors() []string {
	var out []string
	for _, a := range c.last {
		out = append(out, a.RevokedConnectors...)
	}
	return out
}

func (c *asgTestCluster) revokedTasks() []herder.TaskID {
	var out []herder.TaskID
	for _, a := range c.last {
		out = append(out, a.RevokedTasks...)
	}
	return out
}

func (c *asgTestCluster) delay() time.Duration {
	c.t.Helper()
	var d time.Duration = -1
	for id, a := range c.last {
		if d >= 0 && a.Delay != d {
			c.t.Fatalf("members got different delays: %s has %v, another %v", id, a.Delay, d)
		}
		d = a.Delay
	}
	return d
}

func (c *asgTestCluster) assertDelay(want time.Duration) {
	c.t.Helper()
	if got := c.delay(); got != want {
		c.t.Fatalf("generation %d: delay %v, want %v", c.generation, got, want)
	}
}

func (c *asgTestCluster) assertWorkers(ids ...string) {
	c.t.Helper()
	if got := slices.Sorted(maps.Keys(c.last)); !slices.Equal(got, ids) {
		c.t.Fatalf("generation %d: assignments for %v, want %v", c.generation, got, ids)
	}
}

func (c *asgTestCluster) counts(f func(*work) int) []int {
	var out []int
	for _, w := range c.running {
		out = append(out, f(w))
	}
	slices.Sort(out)
	return out
}

func (c *asgTestCluster) assertConnectorAllocations(want ...int) {
	c.t.Helper()
	slices.Sort(want)
	if got := c.counts(func(w *work) int { return len(w.connectors) }); !slices.Equal(got, want) {
		c.t.Fatalf("generation %d: connectors per worker %v, want %v", c.generation, got, want)
	}
}

func (c *asgTestCluster) assertTaskAllocations(want ...int) {
	c.t.Helper()
	slices.Sort(want)
	if got := c.counts(func(w *work) int { return len(w.tasks) }); !slices.Equal(got, want) {
		c.t.Fatalf("generation %d: tasks per worker %v, want %v", c.generation, got, want)
	}
}

func (c *asgTestCluster) assertNoRevocations() {
	c.t.Helper()
	if r, t := c.revokedConnectors(), c.revokedTasks(); len(r)+len(t) > 0 {
		c.t.Fatalf("generation %d: unexpected revocations %v %v", c.generation, r, t)
	}
}

func (c *asgTestCluster) assertEmptyAssignment() {
	c.t.Helper()
	c.assertNoRevocations()
	for id, a := range c.last {
		if len(a.Connectors)+len(a.Tasks) > 0 {
			c.t.Fatalf("generation %d: unexpected new work for %s: %v %v", c.generation, id, a.Connectors, a.Tasks)
		}
	}
}

// assertBalancedAndComplete: every configured connector and task runs
// exactly once, and loads differ by at most one.
func (c *asgTestCluster) assertBalancedAndComplete() {
	c.t.Helper()
	cc := c.counts(func(w *work) int { return len(w.connectors) })
	tc := c.counts(func(w *work) int { return len(w.tasks) })
	if cc[len(cc)-1]-cc[0] > 1 || tc[len(tc)-1]-tc[0] > 1 {
		c.t.Fatalf("generation %d: imbalanced: connectors %v tasks %v", c.generation, cc, tc)
	}
	var gotC []string
	var gotT []herder.TaskID
	for _, w := range c.running {
		gotC = append(gotC, w.connectors...)
		gotT = append(gotT, w.tasks...)
	}
	slices.Sort(gotC)
	slices.SortFunc(gotT, compareTask)
	want := configuredWork(ClusterSnapshot{Tasks: c.connectors})
	if !slices.Equal(gotC, want.connectors) || !slices.Equal(gotT, want.tasks) {
		c.t.Fatalf("generation %d: running %v %v, configured %v %v", c.generation, gotC, gotT, want.connectors, want.tasks)
	}
}

func (c *asgTestCluster) snapshot() map[string]work {
	out := map[string]work{}
	for id, w := range c.running {
		out[id] = work{connectors: sortedSet(w.connectors, cmp.Compare[string]), tasks: sortedSet(w.tasks, compareTask)}
	}
	return out
}

func TestCooperativeThreeWorkersEvenSpread(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.connectors["connector3"] = 4
	c.addWorkers("worker2", "worker3")
	c.rebalance()
	c.assertDelay(0)
	c.assertWorkers("worker1", "worker2", "worker3")
	c.assertNoRevocations()
	c.assertConnectorAllocations(1, 1, 1)
	c.assertTaskAllocations(4, 4, 4)
	c.assertBalancedAndComplete()

	// A further round with nothing changed moves nothing.
	c.rebalance()
	c.assertEmptyAssignment()
}

func TestCooperativeWorkerJoins(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.rebalance()
	c.assertDelay(0)
	c.assertWorkers("worker1")
	c.assertConnectorAllocations(2)
	c.assertTaskAllocations(8)
	c.assertBalancedAndComplete()

	c.addWorkers("worker2")
	c.rebalance()
	c.assertDelay(0)
	c.assertWorkers("worker1", "worker2")
	c.assertConnectorAllocations(0, 1)
	c.assertTaskAllocations(0, 4)

	c.rebalance()
	c.assertNoRevocations()
	c.assertDelay(0)
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)
	c.assertBalancedAndComplete()

	c.rebalance()
	c.assertDelay(0)
	c.assertEmptyAssignment()
}

// A new worker gets a balanced share through revocations, and nothing moves
// but the revoked work: every other connector and task stays where it was.
func TestCooperativeNewWorkerNoUnrelatedMoves(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.connectors["connector3"] = 4
	c.addWorkers("worker2", "worker3")
	c.rebalance()
	c.assertBalancedAndComplete()
	before := c.snapshot()

	c.addWorkers("worker4")
	c.rebalance()
	// 3 connectors over 4 workers: each old worker may keep its one; 12 tasks:
	// each old worker gives up exactly one.
	for _, id := range []string{"worker1", "worker2", "worker3"} {
		a := c.last[id]
		if len(a.RevokedConnectors) != 0 || len(a.RevokedTasks) != 1 || len(a.Connectors)+len(a.Tasks) != 0 {
			t.Fatalf("%s: want exactly one task revoked and nothing new, got %+v", id, a)
		}
	}
	if a := c.last["worker4"]; len(a.Connectors)+len(a.Tasks) != 0 {
		t.Fatalf("worker4 got work before the revocations took effect: %+v", a)
	}
	revoked := c.revokedTasks()
	c.rebalance()
	c.assertNoRevocations()
	c.assertConnectorAllocations(0, 1, 1, 1)
	c.assertTaskAllocations(3, 3, 3, 3)
	c.assertBalancedAndComplete()
	after := c.snapshot()
	slices.SortFunc(revoked, compareTask)
	if !reflect.DeepEqual(after["worker4"].tasks, revoked) || len(after["worker4"].connectors) != 0 {
		t.Errorf("worker4 runs %+v, want exactly the revoked tasks %v", after["worker4"], revoked)
	}
	for _, id := range []string{"worker1", "worker2", "worker3"} {
		if !reflect.DeepEqual(after[id].connectors, before[id].connectors) {
			t.Errorf("%s connectors moved: %v -> %v", id, before[id].connectors, after[id].connectors)
		}
		if got := filter(before[id].tasks, revoked, false); !reflect.DeepEqual(after[id].tasks, got) {
			t.Errorf("%s tasks: %v -> %v, want %v", id, before[id].tasks, after[id].tasks, got)
		}
	}
}

func TestCooperativeWorkersJoinAfterRevocations(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.connectors["connector3"] = 4
	c.rebalance()
	c.assertDelay(0)
	c.assertConnectorAllocations(3)
	c.assertTaskAllocations(12)
	c.assertBalancedAndComplete()

	c.addWorkers("worker2")
	c.rebalance()
	c.assertConnectorAllocations(0, 2)
	c.assertTaskAllocations(0, 6)

	// A second revoking round in a row is postponed by the backoff.
	c.addWorkers("worker3")
	c.rebalance()
	if c.delay() <= 0 {
		t.Fatalf("want a backoff delay for consecutive revoking rounds, got %v", c.delay())
	}
	c.assertDelay(40 * time.Millisecond)
	c.assertConnectorAllocations(0, 1, 2)
	c.assertTaskAllocations(3, 3, 6)

	c.sleep(c.delay())
	c.addWorkers("worker4")
	c.rebalance()
	c.assertConnectorAllocations(0, 0, 1, 1)
	c.assertTaskAllocations(0, 3, 3, 3)

	c.addWorkers("worker5")
	c.rebalance()
	if c.delay() <= 40*time.Millisecond {
		t.Fatalf("want the backoff to grow past 40ms, got %v", c.delay())
	}
	c.assertDelay(1600 * time.Millisecond)
	c.assertConnectorAllocations(0, 0, 1, 1, 1)
	c.assertTaskAllocations(1, 2, 3, 3, 3)

	c.sleep(c.delay())
	c.addWorkers("worker6")
	c.rebalance()
	c.assertDelay(0)
	c.assertConnectorAllocations(0, 0, 0, 1, 1, 1)
	c.assertTaskAllocations(0, 1, 2, 2, 2, 2)

	c.rebalance()
	c.assertConnectorAllocations(0, 0, 0, 1, 1, 1)
	c.assertTaskAllocations(2, 2, 2, 2, 2, 2)
	c.assertBalancedAndComplete()
}

func TestCooperativeImmediateRevocationsWhenMaxDelayIs0(t *testing.T) {
	c := newAsgTestCluster(t, 0)
	c.connectors["connector3"] = 4
	c.rebalance()
	c.assertConnectorAllocations(3)
	c.assertTaskAllocations(12)

	c.addWorkers("worker2")
	c.rebalance()
	c.assertConnectorAllocations(0, 2)
	c.assertTaskAllocations(0, 6)

	c.addWorkers("worker3")
	c.rebalance()
	c.assertDelay(0)
	c.assertConnectorAllocations(0, 1, 1)
	c.assertTaskAllocations(3, 3, 4)

	c.rebalance()
	c.assertNoRevocations()
	c.assertConnectorAllocations(1, 1, 1)
	c.assertTaskAllocations(4, 4, 4)
	c.assertBalancedAndComplete()
}

func TestCooperativeSuccessiveRevocationsWithMaxDelay1ms(t *testing.T) {
	c := newAsgTestCluster(t, time.Millisecond)
	c.connectors["connector3"] = 4
	c.rebalance()
	c.addWorkers("worker2")
	c.rebalance()
	c.assertConnectorAllocations(0, 2)
	c.assertTaskAllocations(0, 6)

	c.addWorkers("worker3")
	c.rebalance()
	c.assertDelay(time.Millisecond)
	c.assertConnectorAllocations(0, 1, 2)
	c.assertTaskAllocations(3, 3, 6)
}

func TestCooperativeWorkerJoiningDuringDelayedRebalance(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.connectors["connector3"] = 4
	c.rebalance()
	c.addWorkers("worker2")
	c.rebalance()
	c.assertConnectorAllocations(0, 2)
	c.assertTaskAllocations(0, 6)

	c.addWorkers("worker3")
	c.rebalance()
	if c.delay() <= 0 {
		t.Fatal("want a delay")
	}
	c.assertNoRevocations()
	c.assertConnectorAllocations(0, 1, 2)
	c.assertTaskAllocations(3, 3, 6)

	c.sleep(c.delay() / 2)
	c.addWorkers("worker4")
	c.rebalance()
	if c.delay() <= 0 {
		t.Fatal("want the delay to stay active")
	}
	c.assertNoRevocations()
	c.assertConnectorAllocations(0, 0, 1, 2)
	c.assertTaskAllocations(0, 3, 3, 6)

	c.sleep(c.delay())
	c.addWorkers("worker5")
	c.rebalance()
	c.assertDelay(0)
	c.assertConnectorAllocations(0, 0, 0, 1, 1)
	c.assertTaskAllocations(0, 0, 2, 3, 3)

	c.rebalance()
	c.assertDelay(0)
	c.assertNoRevocations()
	c.assertConnectorAllocations(0, 0, 1, 1, 1)
	c.assertTaskAllocations(2, 2, 2, 3, 3)
	c.assertBalancedAndComplete()
}

func TestCooperativeWorkerLeavesPermanently(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2")
	c.rebalance()
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)
	c.assertBalancedAndComplete()

	// The follower leaves: its work is held and a rebalance is scheduled.
	c.removeWorkers("worker2")
	c.rebalance()
	c.assertDelay(asgTestMaxDelay)
	c.assertWorkers("worker1")
	c.assertEmptyAssignment()

	c.sleep(asgTestMaxDelay / 2)
	c.rebalance()
	c.assertDelay(asgTestMaxDelay / 2)
	c.assertEmptyAssignment()

	c.sleep(asgTestMaxDelay/2 + time.Millisecond)
	c.rebalance()
	c.assertDelay(0)
	c.assertConnectorAllocations(2)
	c.assertTaskAllocations(8)
	c.assertBalancedAndComplete()
}

// A worker that stopped its work before leaving (its statuses say
// UNASSIGNED) needs no delay: the work it released is reassigned at once,
// and only the rest waits for the delay.
func TestCooperativeReleasedWorkMovesAtOnce(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2")
	c.rebalance()
	c.assertTaskAllocations(4, 4)
	w2 := c.running["worker2"]
	c.releasedConns = map[string]bool{}
	c.releasedTasks = map[herder.TaskID]bool{}
	for _, conn := range w2.connectors {
		c.releasedConns[conn] = true
	}
	for _, tk := range w2.tasks[:2] {
		c.releasedTasks[tk] = true
	}
	c.removeWorkers("worker2")
	c.rebalance()
	c.assertDelay(asgTestMaxDelay) // two tasks were not released: they wait
	c.assertConnectorAllocations(2)
	c.assertTaskAllocations(6)

	for _, tk := range w2.tasks[2:] {
		c.releasedTasks[tk] = true
	}
	c.rebalance()
	c.assertDelay(0)
	c.assertTaskAllocations(8)
	c.assertBalancedAndComplete()
}

// The departed worker returns within the delay and gets exactly its old work
// back once the delay expires, with nothing revoked from anyone.
func TestCooperativeWorkerBounces(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2")
	c.rebalance()
	c.assertBalancedAndComplete()
	had := c.snapshot()["worker2"]

	c.removeWorkers("worker2")
	c.rebalance()
	c.assertDelay(asgTestMaxDelay)
	c.assertEmptyAssignment()

	c.sleep(asgTestMaxDelay / 2)
	c.rebalance()
	c.assertDelay(asgTestMaxDelay / 2)
	c.assertEmptyAssignment()

	c.sleep(asgTestMaxDelay / 4)
	c.addWorkers("worker2") // back, empty (a restarted process)
	c.rebalance()
	c.assertDelay(asgTestMaxDelay / 4)
	c.assertWorkers("worker1", "worker2")
	c.assertEmptyAssignment()

	c.sleep(asgTestMaxDelay / 4)
	c.rebalance()
	c.assertDelay(0)
	c.assertNoRevocations()
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)
	c.assertBalancedAndComplete()
	if got := c.snapshot()["worker2"]; !reflect.DeepEqual(got, had) {
		t.Errorf("returning worker2 runs %+v, want its old work %+v", got, had)
	}
}

func TestCooperativeLeaderLeavesPermanently(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2", "worker3")
	c.rebalance()
	c.assertConnectorAllocations(0, 1, 1)
	c.assertTaskAllocations(2, 3, 3)
	c.assertBalancedAndComplete()

	// The leader leaves; the new leader starts from a clean assignor and
	// reassigns the old leader's work at once.
	c.removeWorkers("worker1")
	c.newAssignor(asgTestMaxDelay)
	c.rebalance()
	c.assertDelay(0)
	c.assertWorkers("worker2", "worker3")
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)
	c.assertBalancedAndComplete()

	c.rebalance()
	c.assertDelay(0)
	c.assertEmptyAssignment()
}

func TestCooperativeLeaderBounces(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2", "worker3")
	c.rebalance()
	c.removeWorkers("worker1")
	c.newAssignor(asgTestMaxDelay)
	c.rebalance()
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)

	// The old leader comes back as a follower: a new worker to balance onto.
	c.addWorkers("worker1")
	c.rebalance()
	c.assertDelay(0)
	c.assertWorkers("worker1", "worker2", "worker3")
	c.assertConnectorAllocations(0, 1, 1)
	c.assertTaskAllocations(0, 3, 3)

	c.rebalance()
	c.assertDelay(0)
	c.assertNoRevocations()
	c.assertConnectorAllocations(0, 1, 1)
	c.assertTaskAllocations(2, 3, 3)
	c.assertBalancedAndComplete()
}

func TestCooperativeFirstAssignmentAttemptFails(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2")
	c.failedRebalance()
	c.assertDelay(0)
	c.assertConnectorAllocations(0, 0)
	c.assertTaskAllocations(0, 0)

	// Same members, same (empty) allocations: the missing work is treated as
	// new, without a delay.
	c.rebalance()
	c.assertDelay(0)
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)
	c.assertBalancedAndComplete()
}

func TestCooperativeSubsequentAssignmentAttemptFails(t *testing.T) {
	for _, skipGeneration := range []bool{false, true} {
		t.Run(fmt.Sprintf("skipGeneration=%v", skipGeneration), func(t *testing.T) {
			c := newAsgTestCluster(t, asgTestMaxDelay)
			c.addWorkers("worker2")
			c.rebalance()
			c.assertConnectorAllocations(1, 1)
			c.assertTaskAllocations(4, 4)

			c.addWorkers("worker3")
			c.failedRebalance()
			if skipGeneration {
				c.generation++ // the sync failed on the leader and the group moved on
			}
			c.rebalance()
			if c.delay() <= 0 {
				t.Fatalf("consecutive revoking round: want a delay, got %v", c.delay())
			}
			c.assertConnectorAllocations(0, 1, 1)
			c.assertTaskAllocations(0, 4, 4)

			c.sleep(c.delay())
			c.rebalance()
			c.assertDelay(0)
			c.assertConnectorAllocations(0, 1, 1)
			c.assertTaskAllocations(0, 3, 3)

			c.rebalance()
			c.assertConnectorAllocations(0, 1, 1)
			c.assertTaskAllocations(2, 3, 3)
			c.assertBalancedAndComplete()
		})
	}
}

func TestCooperativeConnectorDeleted(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.connectors["connector3"] = 4
	c.addWorkers("worker2")
	c.rebalance()
	c.assertConnectorAllocations(1, 2)
	c.assertTaskAllocations(6, 6)
	c.assertBalancedAndComplete()

	delete(c.connectors, "connector3")
	c.rebalance()
	c.assertDelay(0)
	var revokedC []string
	var revokedT []herder.TaskID
	for _, a := range c.last {
		revokedC = append(revokedC, a.RevokedConnectors...)
		revokedT = append(revokedT, a.RevokedTasks...)
	}
	slices.SortFunc(revokedT, compareTask)
	if !slices.Equal(revokedC, []string{"connector3"}) || len(revokedT) != 4 || revokedT[0].Connector != "connector3" || revokedT[3].Connector != "connector3" {
		t.Fatalf("want connector3 and its 4 tasks revoked, got %v %v", revokedC, revokedT)
	}
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)
	c.assertBalancedAndComplete()
}

func TestCooperativeScheduledDelayDisabled(t *testing.T) {
	c := newAsgTestCluster(t, 0)
	c.addWorkers("worker2")
	c.rebalance()
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)

	c.removeWorkers("worker2")
	c.rebalance()
	c.assertDelay(0)
	c.assertWorkers("worker1")
	c.assertConnectorAllocations(2)
	c.assertTaskAllocations(8)
	c.assertBalancedAndComplete()
}

func TestCooperativeDuplicatesRevoked(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.rebalance()
	c.assertConnectorAllocations(2)
	c.assertTaskAllocations(8)

	// worker2 joins claiming connector1 and its tasks, which worker1 runs too.
	c.addWorker("worker2", []string{"connector1"}, []herder.TaskID{
		{Connector: "connector1", Task: 0}, {Connector: "connector1", Task: 1}, {Connector: "connector1", Task: 2}, {Connector: "connector1", Task: 3}})
	c.rebalance()
	c.assertDelay(0)
	for _, id := range []string{"worker1", "worker2"} {
		a := c.last[id]
		if !slices.Equal(a.RevokedConnectors, []string{"connector1"}) || len(a.RevokedTasks) != 4 {
			t.Fatalf("%s: want every copy of the duplicates revoked, got %+v", id, a)
		}
	}
	c.assertConnectorAllocations(0, 1)
	c.assertTaskAllocations(0, 4)

	c.rebalance()
	c.assertNoRevocations()
	c.assertConnectorAllocations(1, 1)
	c.assertTaskAllocations(4, 4)
	c.assertBalancedAndComplete()

	c.rebalance()
	c.assertEmptyAssignment()
}

func TestCooperativeDuplicatesOfADeletedConnector(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.rebalance()
	delete(c.connectors, "connector1")
	c.addWorker("worker2", []string{"connector1"}, []herder.TaskID{
		{Connector: "connector1", Task: 0}, {Connector: "connector1", Task: 1}, {Connector: "connector1", Task: 2}, {Connector: "connector1", Task: 3}})
	c.rebalance()
	c.assertDelay(0)
	c.assertConnectorAllocations(0, 1)
	c.assertTaskAllocations(0, 2)

	c.rebalance()
	c.assertNoRevocations()
	c.assertConnectorAllocations(0, 1)
	c.assertTaskAllocations(2, 2)
	c.assertBalancedAndComplete()

	c.rebalance()
	c.assertEmptyAssignment()
}

// A new leader (fresh assignor) revokes deleted work its members still run,
// which Java's clean-slate leader does not.
func TestCooperativeNewLeaderRevokesDeletedWork(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2")
	c.rebalance()
	delete(c.connectors, "connector2")
	c.newAssignor(asgTestMaxDelay)
	c.rebalance()
	if r := c.revokedConnectors(); !slices.Equal(r, []string{"connector2"}) || len(c.revokedTasks()) != 4 {
		t.Fatalf("want connector2 and its tasks revoked, got %v %v", r, c.revokedTasks())
	}
	c.rebalance()
	c.assertBalancedAndComplete()
}

// A worker that comes back running a connector deleted while it was away is
// told to stop it, even though this leader never assigned it.
func TestCooperativeStaleWorkRevoked(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2")
	c.rebalance()
	c.rebalance()
	c.assertEmptyAssignment()
	c.addWorker("worker3", []string{"gone"}, []herder.TaskID{{Connector: "gone", Task: 0}, {Connector: "connector1", Task: 7}})
	c.rebalance()
	a := c.last["worker3"]
	if !slices.Equal(a.RevokedConnectors, []string{"gone"}) ||
		!slices.Equal(a.RevokedTasks, []herder.TaskID{{Connector: "connector1", Task: 7}, {Connector: "gone", Task: 0}}) {
		t.Fatalf("worker3: want the unconfigured work revoked, got %+v", a)
	}
	c.rebalance()
	c.rebalance()
	c.assertBalancedAndComplete()
}

func TestCooperativeConfigMismatch(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2")
	c.rebalance()
	before := c.snapshot()

	members := c.members()
	members[0].Metadata.ConfigOffset = c.offset + 5
	c.generation++
	got := c.assignor.Assign("worker1", 2, c.generation, members, ClusterSnapshot{Offset: c.offset, Tasks: c.connectors})
	for id, a := range got {
		want := Assignment{Version: 2, Error: ConfigMismatch, Leader: "worker1", LeaderURL: "http://worker1:8083/", ConfigOffset: c.offset + 5}
		if !reflect.DeepEqual(a, want) {
			t.Errorf("%s: got %+v, want %+v", id, a, want)
		}
	}
	// Once the leader has caught up, nothing moves.
	c.rebalance()
	c.assertEmptyAssignment()
	if !reflect.DeepEqual(c.snapshot(), before) {
		t.Errorf("work moved after a config mismatch: %v -> %v", before, c.snapshot())
	}
}

func TestCooperativeDeterministic(t *testing.T) {
	run := func() []map[string]Assignment {
		c := newAsgTestCluster(t, asgTestMaxDelay)
		c.connectors["connector3"] = 5
		var out []map[string]Assignment
		for _, step := range []func(){
			func() {}, func() { c.addWorkers("worker2", "worker3") }, func() {}, func() { c.removeWorkers("worker2") },
			func() { c.sleep(asgTestMaxDelay) }, func() { c.addWorkers("worker9") }, func() {},
		} {
			step()
			c.rebalance()
			out = append(out, c.last)
		}
		return out
	}
	if a, b := run(), run(); !reflect.DeepEqual(a, b) {
		t.Errorf("two identical runs differ:\n%v\n%v", a, b)
	}
}

func TestJavaBackoff(t *testing.T) {
	b := newJavaBackoff(1, 40, 300_000)
	for attempts, want := range map[int64]int64{1: 40, 2: 1600, 3: 64000} {
		if got := b.backoff(attempts); got != want {
			t.Errorf("backoff(%d) = %d, want %d", attempts, got, want)
		}
	}
	for _, attempts := range []int64{4, 5, 100} {
		if got := b.backoff(attempts); got < 299_999 || got > 300_000 {
			t.Errorf("backoff(%d) = %d, want the 300000 cap", attempts, got)
		}
	}
	if got := newJavaBackoff(0, 40, 0).backoff(3); got != 0 {
		t.Errorf("max delay 0: backoff = %d, want 0", got)
	}
	if got := newJavaBackoff(1, 40, 1).backoff(3); got != 1 {
		t.Errorf("max delay 1: backoff = %d, want 1", got)
	}
}

func TestEagerAssignor(t *testing.T) {
	a := NewEagerAssignor()
	members := []WorkerState{
		{ID: "w3", Metadata: WorkerMetadata{URL: "http://w3/", ConfigOffset: 10}},
		{ID: "w1", Metadata: WorkerMetadata{URL: "http://w1/", ConfigOffset: 10}},
		{ID: "w2", Metadata: WorkerMetadata{URL: "http://w2/", ConfigOffset: 9}},
	}
	snap := ClusterSnapshot{Offset: 10, Tasks: map[string]int{"b": 3, "a": 2, "empty": 0}}
	got := a.Assign("w2", 0, 7, members, snap)
	task := func(c string, n int) herder.TaskID { return herder.TaskID{Connector: c, Task: n} }
	base := Assignment{Version: 0, Leader: "w2", LeaderURL: "http://w2/", ConfigOffset: 10}
	with := func(cs []string, ts ...herder.TaskID) Assignment {
		x := base
		x.Connectors = cs
		x.Tasks = ts
		return x
	}
	// Connectors a, b, empty dealt to w1, w2, w3; the tasks continue the same
	// circle: a-0 to w1, a-1 to w2, b-0 to w3, b-1 to w1, b-2 to w2.
	want := map[string]Assignment{
		"w1": with([]string{"a"}, task("a", 0), task("b", 1)),
		"w2": with([]string{"b"}, task("a", 1), task("b", 2)),
		"w3": with([]string{"empty"}, task("b", 0)),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("eager assignment:\n got %+v\nwant %+v", got, want)
	}

	// A member ahead of the leader's snapshot: everyone gets ConfigMismatch.
	members[0].Metadata.ConfigOffset = 12
	got = a.Assign("w2", 0, 8, members, snap)
	for _, id := range []string{"w1", "w2", "w3"} {
		want := Assignment{Error: ConfigMismatch, Leader: "w2", LeaderURL: "http://w2/", ConfigOffset: 12}
		if !reflect.DeepEqual(got[id], want) {
			t.Errorf("%s: got %+v, want %+v", id, got[id], want)
		}
	}
	if len(a.Assign("w1", 0, 9, nil, snap)) != 0 {
		t.Error("no members: want no assignments")
	}
}

// The assignments survive the wire: what the leader computes encodes and
// decodes to the same work for every member.
func TestCooperativeAssignmentsEncode(t *testing.T) {
	c := newAsgTestCluster(t, asgTestMaxDelay)
	c.addWorkers("worker2", "worker3")
	c.rebalance()
	c.addWorkers("worker4")
	c.rebalance()
	for id, a := range c.last {
		back, err := DecodeAssignment(EncodeAssignment(a))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		back.Connectors = sortedSet(back.Connectors, cmp.Compare[string])
		back.Tasks = sortedSet(back.Tasks, compareTask)
		back.RevokedTasks = sortedSet(back.RevokedTasks, compareTask)
		if !reflect.DeepEqual(back, a) {
			t.Errorf("%s: %+v came back as %+v", id, a, back)
		}
	}
}
