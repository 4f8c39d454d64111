package distributed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
)

// Short timeouts keep the tests quick; 6 s is the broker's group.min.session.timeout.ms.
const (
	groupTestSession   = 6 * time.Second
	groupTestHeartbeat = 500 * time.Millisecond
	groupTestRebalance = 10 * time.Second
	groupTestWait      = 20 * time.Second
)

// groupTestHandler records what a Group tells it. Its Assign gives every member its own id as
// the assignment and records the members it saw.
type groupTestHandler struct {
	protocols []GroupProtocol

	mu       sync.Mutex
	joins    []Joined
	lost     []error
	assigned map[int32][]RawMember // by generation, on the leader
	assignP  map[int32]string      // protocol Assign got, by generation
}

func (h *groupTestHandler) Protocols() []GroupProtocol {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.protocols)
}

// bumpMetadata changes the member's metadata, as a worker's does when it has read further in
// the config topic.
func (h *groupTestHandler) bumpMetadata() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.protocols {
		h.protocols[i].Metadata = append(slices.Clone(h.protocols[i].Metadata), '+')
	}
}

func (h *groupTestHandler) joinCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.joins)
}

func (h *groupTestHandler) Assign(_ context.Context, protocol string, generation int32, _ string, members []RawMember) (map[string][]byte, error) {
	out := make(map[string][]byte, len(members))
	for _, m := range members {
		out[m.ID] = []byte(m.ID)
	}
	h.mu.Lock()
	h.assigned[generation] = slices.Clone(members)
	h.assignP[generation] = protocol
	h.mu.Unlock()
	return out, nil
}

func (h *groupTestHandler) OnJoined(j Joined) {
	h.mu.Lock()
	h.joins = append(h.joins, j)
	h.mu.Unlock()
}

func (h *groupTestHandler) OnLost(err error) {
	h.mu.Lock()
	h.lost = append(h.lost, err)
	h.mu.Unlock()
}

func (h *groupTestHandler) last() (Joined, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.joins) == 0 {
		return Joined{}, false
	}
	return h.joins[len(h.joins)-1], true
}

func (h *groupTestHandler) lostErrs() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.lost)
}

// groupTestMember is one running Group.
type groupTestMember struct {
	name   string
	g      *Group
	h      *groupTestHandler
	cancel context.CancelFunc
	done   chan error
}

// stop ends Run and returns its result.
func (m *groupTestMember) stop(t *testing.T) error {
	t.Helper()
	m.cancel()
	select {
	case err := <-m.done:
		m.done <- err // keep it for the cleanup
		return err
	case <-time.After(groupTestWait):
		t.Fatalf("%s: Run did not return %v after its context ended", m.name, groupTestWait)
		return nil
	}
}

func groupTestID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "sluice-test-" + strings.ReplaceAll(t.Name(), "/", "_") + "-" + hex.EncodeToString(b)
}

func groupTestNew(t *testing.T, bootstrap, groupID, name string, protocols ...string) *groupTestMember {
	t.Helper()
	if len(protocols) == 0 {
		protocols = []string{"default"}
	}
	h := &groupTestHandler{assigned: map[int32][]RawMember{}, assignP: map[int32]string{}}
	for _, p := range protocols {
		h.protocols = append(h.protocols, GroupProtocol{Name: p, Metadata: []byte(name + "/" + p)})
	}
	sc := testkit.SaramaConfig()
	sc.ClientID = "sluice-group-test-" + name
	g, err := NewGroup(GroupConfig{
		GroupID:           groupID,
		Brokers:           testkit.Addrs(bootstrap),
		Sarama:            sc,
		SessionTimeout:    groupTestSession,
		HeartbeatInterval: groupTestHeartbeat,
		RebalanceTimeout:  groupTestRebalance,
		Log:               slog.New(slog.NewTextHandler(t.Output(), nil)).With("member", name),
	}, h)
	if err != nil {
		t.Fatalf("NewGroup %s: %v", name, err)
	}
	return &groupTestMember{name: name, g: g, h: h, done: make(chan error, 1)}
}

func groupTestRun(t *testing.T, m *groupTestMember) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go func() { m.done <- m.g.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-m.done:
		case <-time.After(groupTestWait):
			t.Errorf("%s: Run did not return after its context ended", m.name)
		}
	})
}

func groupTestStart(t *testing.T, bootstrap, groupID string, names ...string) []*groupTestMember {
	t.Helper()
	var ms []*groupTestMember
	for _, n := range names {
		m := groupTestNew(t, bootstrap, groupID, n)
		groupTestRun(t, m)
		ms = append(ms, m)
	}
	return ms
}

// groupTestStable waits until every member of ms is in the same generation, newer than after,
// whose leader (one of ms) assigned exactly ms, and every member got its own id as assignment.
// It returns that generation.
func groupTestStable(t *testing.T, ms []*groupTestMember, after int32) int32 {
	t.Helper()
	deadline := time.Now().Add(groupTestWait)
	var why string
	for time.Now().Before(deadline) {
		why = groupTestCheckStable(ms, after)
		if why == "" {
			j, _ := ms[0].h.last()
			return j.Generation
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("group not stable with %d members after generation %d within %v: %s", len(ms), after, groupTestWait, why)
	return 0
}

// groupTestPoll waits until cond holds.
func groupTestPoll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(groupTestWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, groupTestWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func groupTestCheckStable(ms []*groupTestMember, after int32) string {
	var gen int32 = -1
	var leader *groupTestMember
	ids := map[string]bool{}
	for _, m := range ms {
		j, ok := m.h.last()
		switch {
		case !ok:
			return m.name + " has not joined"
		case j.Generation <= after:
			return fmt.Sprintf("%s is at generation %d", m.name, j.Generation)
		case gen != -1 && j.Generation != gen:
			return fmt.Sprintf("%s is at generation %d, others at %d", m.name, j.Generation, gen)
		case string(j.Assignment) != j.MemberID:
			return fmt.Sprintf("%s got assignment %q, want its member id %q", m.name, j.Assignment, j.MemberID)
		case m.g.MemberID() != j.MemberID || m.g.Generation() != j.Generation:
			return fmt.Sprintf("%s reports member %q generation %d, joined as %q in %d",
				m.name, m.g.MemberID(), m.g.Generation(), j.MemberID, j.Generation)
		}
		gen = j.Generation
		ids[j.MemberID] = true
		if j.LeaderID == j.MemberID {
			if leader != nil {
				return fmt.Sprintf("two leaders: %s and %s", leader.name, m.name)
			}
			leader = m
		}
	}
	if len(ids) != len(ms) {
		return fmt.Sprintf("%d distinct member ids for %d members", len(ids), len(ms))
	}
	if leader == nil {
		return "no leader among the members"
	}
	lj, _ := leader.h.last()
	for _, m := range ms {
		if j, _ := m.h.last(); j.LeaderID != lj.MemberID {
			return fmt.Sprintf("%s sees leader %q, not %s (%q)", m.name, j.LeaderID, leader.name, lj.MemberID)
		}
	}
	leader.h.mu.Lock()
	members := leader.h.assigned[gen]
	leader.h.mu.Unlock()
	if len(members) != len(ms) {
		return fmt.Sprintf("leader %s assigned %d members in generation %d, want %d", leader.name, len(members), gen, len(ms))
	}
	for _, rm := range members {
		if !ids[rm.ID] {
			return fmt.Sprintf("leader %s assigned unknown member %q", leader.name, rm.ID)
		}
	}
	return ""
}

func TestGroupNewGroupChecksConfig(t *testing.T) {
	h := &groupTestHandler{}
	base := sarama.NewConfig()
	base.Version = sarama.V3_6_0_0
	base.ClientID = "worker-1"
	readTimeout := base.Net.ReadTimeout
	for _, tc := range []struct {
		name string
		cfg  GroupConfig
		want string
	}{
		{"no group", GroupConfig{Brokers: []string{"x:9092"}}, "group.id is empty"},
		{"no brokers", GroupConfig{GroupID: "g"}, "no bootstrap brokers"},
		{"heartbeat too long", GroupConfig{GroupID: "g", Brokers: []string{"x:9092"},
			SessionTimeout: time.Second, HeartbeatInterval: 2 * time.Second}, "must be lower than session.timeout.ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewGroup(tc.cfg, h)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewGroup: got error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := NewGroup(GroupConfig{GroupID: "g", Brokers: []string{"x:9092"}}, nil); err == nil {
		t.Fatal("NewGroup accepted a nil handler")
	}

	g, err := NewGroup(GroupConfig{GroupID: "g", Brokers: []string{"x:9092"}, Sarama: base}, h)
	if err != nil {
		t.Fatal(err)
	}
	if g.cfg.SessionTimeout != 10*time.Second || g.cfg.HeartbeatInterval != 3*time.Second || g.cfg.RebalanceTimeout != 60*time.Second {
		t.Errorf("defaults: session %v heartbeat %v rebalance %v, want Kafka Connect's 10s 3s 60s",
			g.cfg.SessionTimeout, g.cfg.HeartbeatInterval, g.cfg.RebalanceTimeout)
	}
	if g.coordCfg.Net.ReadTimeout <= g.cfg.RebalanceTimeout {
		t.Errorf("coordinator Net.ReadTimeout %v is not above the rebalance timeout %v", g.coordCfg.Net.ReadTimeout, g.cfg.RebalanceTimeout)
	}
	if g.coordCfg.ClientID != "worker-1" {
		t.Errorf("coordinator ClientID %q, want the base config's worker-1", g.coordCfg.ClientID)
	}
	if base.Net.ReadTimeout != readTimeout || base.Net.Proxy.Enable || base.Net.Proxy.Dialer != nil {
		t.Errorf("NewGroup mutated the caller's sarama config: ReadTimeout %v, Proxy %+v", base.Net.ReadTimeout, base.Net.Proxy)
	}
	if g.MemberID() != "" || g.Generation() != -1 {
		t.Errorf("before Run: member %q generation %d, want \"\" and -1", g.MemberID(), g.Generation())
	}
}

// TestGroupJoinRejoinLeave: three members join and each gets its own id; Rejoin and RejoinAfter
// start new generations for all; a member whose Run ends leaves, and the others rebalance long
// before the session timeout.
func TestGroupJoinRejoinLeave(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	group := groupTestID(t)
	ms := groupTestStart(t, bootstrap, group, "a", "b", "c")

	gen := groupTestStable(t, ms, -1)
	for _, m := range ms {
		if j, _ := m.h.last(); j.Protocol != "default" {
			t.Errorf("%s: protocol %q, want default", m.name, j.Protocol)
		}
	}

	leader, follower := ms[0], ms[1]
	for _, m := range ms {
		if j, _ := m.h.last(); j.LeaderID == j.MemberID {
			leader = m
		} else {
			follower = m
		}
	}

	// Kafka's coordinator answers a follower that rejoins with unchanged metadata with the
	// current generation: OnJoined comes again, with the same generation.
	n := follower.h.joinCount()
	follower.g.Rejoin("unchanged metadata")
	groupTestPoll(t, "a second OnJoined for the follower", func() bool { return follower.h.joinCount() > n })
	if j, _ := follower.h.last(); j.Generation != gen || string(j.Assignment) != j.MemberID {
		t.Errorf("follower rejoined with unchanged metadata: %+v, want generation %d again", j, gen)
	}

	// A follower with new metadata, or the leader, starts a new generation for all.
	follower.h.bumpMetadata()
	follower.g.Rejoin("test asks")
	follower.g.Rejoin("coalesced")
	gen = groupTestStable(t, ms, gen)
	leader.g.Rejoin("leader asks")
	gen = groupTestStable(t, ms, gen)

	for _, m := range ms {
		if j, _ := m.h.last(); j.LeaderID == j.MemberID {
			leader = m
		}
	}
	start := time.Now()
	leader.g.RejoinAfter(time.Hour)
	leader.g.RejoinAfter(300 * time.Millisecond) // the earliest wins
	gen2 := groupTestStable(t, ms, gen)
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Errorf("RejoinAfter(300ms) rebalanced after %v", el)
	}
	// The scheduled rebalance was consumed: no further generation follows on its own.
	time.Sleep(2 * groupTestHeartbeat)
	if j, _ := ms[0].h.last(); j.Generation != gen2 {
		t.Errorf("generation moved on to %d without a request", j.Generation)
	}

	start = time.Now()
	if err := ms[0].stop(t); err != nil {
		t.Fatalf("Run of a: %v, want nil after its context ended", err)
	}
	if ms[0].g.MemberID() != "" || ms[0].g.Generation() != -1 {
		t.Errorf("a after leaving: member %q generation %d", ms[0].g.MemberID(), ms[0].g.Generation())
	}
	groupTestStable(t, ms[1:], gen2)
	if el := time.Since(start); el > groupTestSession/2 {
		t.Errorf("the others rebalanced %v after a left; want well before the session timeout %v", el, groupTestSession)
	}
	for _, m := range ms {
		if lost := m.h.lostErrs(); len(lost) != 0 {
			t.Errorf("%s got OnLost %v in normal rebalances", m.name, lost)
		}
	}
}

// TestGroupCutOffMemberIsLost: a member that cannot reach the coordinator gets OnLost once the
// session timeout passes without a heartbeat, the broker evicts it, and when it can reach the
// coordinator again it joins as a new member.
func TestGroupCutOffMemberIsLost(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	group := groupTestID(t)
	ms := groupTestStart(t, bootstrap, group, "a", "b")
	gen := groupTestStable(t, ms, -1)
	oldID := ms[1].g.MemberID()

	start := time.Now()
	ms[1].g.testCutOff.Store(true)
	groupTestPoll(t, "OnLost for the cut-off member", func() bool { return len(ms[1].h.lostErrs()) > 0 })
	el := time.Since(start)
	if el < groupTestSession-groupTestHeartbeat || el > groupTestSession+2*time.Second {
		t.Errorf("OnLost came %v after the cut-off; want about the session timeout %v", el, groupTestSession)
	}
	if err := ms[1].h.lostErrs()[0]; !errors.Is(err, errCoordCutOff) || !strings.Contains(err.Error(), group) {
		t.Errorf("OnLost error %q: want the group name and the cause", err)
	}
	gen = groupTestStable(t, ms[:1], gen) // the broker evicted b

	ms[1].g.testCutOff.Store(false)
	groupTestStable(t, ms, gen)
	if ms[1].g.MemberID() == oldID {
		t.Errorf("b rejoined with its evicted member id %q", oldID)
	}
	if n := len(ms[1].h.lostErrs()); n != 1 {
		t.Errorf("b got OnLost %d times, want 1", n)
	}
	if n := len(ms[0].h.lostErrs()); n != 0 {
		t.Errorf("a got OnLost %d times, want 0", n)
	}
}

// TestGroupPauseFor: a pausing member leaves at once (OnLost), the other rebalances without it,
// and it comes back after the pause.
func TestGroupPauseFor(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	group := groupTestID(t)
	ms := groupTestStart(t, bootstrap, group, "a", "b")
	gen := groupTestStable(t, ms, -1)

	start := time.Now()
	ms[1].g.PauseFor(time.Second)
	gen = groupTestStable(t, ms[:1], gen)
	if len(ms[1].h.lostErrs()) != 1 {
		t.Fatalf("b: OnLost %v, want one call when it leaves", ms[1].h.lostErrs())
	}
	groupTestStable(t, ms, gen)
	if el := time.Since(start); el < time.Second {
		t.Errorf("b was back after %v, before its 1s pause ended", el)
	}
}

// TestGroupProtocolNegotiation: the coordinator picks the first protocol every member supports
// and the leader gets each member's metadata for it; a member with no protocol in common is
// refused with InconsistentGroupProtocol.
func TestGroupProtocolNegotiation(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	group := groupTestID(t)
	a := groupTestNew(t, bootstrap, group, "a", "sessioned", "compatible", "default")
	b := groupTestNew(t, bootstrap, group, "b", "compatible", "default")
	groupTestRun(t, a)
	groupTestRun(t, b)
	ms := []*groupTestMember{a, b}
	gen := groupTestStable(t, ms, -1)

	leader := a
	if j, _ := b.h.last(); j.LeaderID == j.MemberID {
		leader = b
	}
	for _, m := range ms {
		if j, _ := m.h.last(); j.Protocol != "compatible" {
			t.Errorf("%s: protocol %q, want compatible", m.name, j.Protocol)
		}
	}
	leader.h.mu.Lock()
	proto, members := leader.h.assignP[gen], leader.h.assigned[gen]
	leader.h.mu.Unlock()
	if proto != "compatible" {
		t.Errorf("Assign got protocol %q, want compatible", proto)
	}
	want := map[string]string{a.g.MemberID(): "a/compatible", b.g.MemberID(): "b/compatible"}
	for _, rm := range members {
		if string(rm.Metadata) != want[rm.ID] {
			t.Errorf("Assign got metadata %q for %s, want %q", rm.Metadata, rm.ID, want[rm.ID])
		}
	}

	c := groupTestNew(t, bootstrap, group, "c", "eager-only")
	ctx, cancel := context.WithTimeout(context.Background(), groupTestWait)
	defer cancel()
	err := c.g.Run(ctx)
	if !errors.Is(err, sarama.ErrInconsistentGroupProtocol) || !strings.Contains(err.Error(), group) {
		t.Fatalf("Run with no protocol in common: %v; want InconsistentGroupProtocol naming group %s", err, group)
	}
	if ctx.Err() != nil {
		t.Fatalf("Run returned only when its context ended: %v", err)
	}
	if j, _ := a.h.last(); j.Generation != gen {
		t.Errorf("the refused member moved the group to generation %d", j.Generation)
	}
}

// TestGroupReconnectKeepsGeneration: a dropped coordinator connection is reopened and the
// member goes on heartbeating in the same generation, without OnLost.
func TestGroupReconnectKeepsGeneration(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	group := groupTestID(t)
	ms := groupTestStart(t, bootstrap, group, "a", "b")
	gen := groupTestStable(t, ms, -1)

	a := ms[0].g
	a.mu.Lock()
	old := a.rawConn
	a.mu.Unlock()
	if old == nil {
		t.Fatal("no coordinator connection after joining")
	}
	_ = old.Close()
	groupTestPoll(t, "new coordinator connection", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.rawConn != nil && a.rawConn != old
	})
	// A few heartbeats on the new connection: still the same generation, nothing lost.
	time.Sleep(3 * groupTestHeartbeat)
	for _, m := range ms {
		if j, _ := m.h.last(); j.Generation != gen || m.g.Generation() != gen {
			t.Errorf("%s moved to generation %d after a reconnect, want %d", m.name, j.Generation, gen)
		}
		if lost := m.h.lostErrs(); len(lost) != 0 {
			t.Errorf("%s got OnLost %v after a reconnect", m.name, lost)
		}
	}
}

// TestGroupCancelAbortsJoin: a JoinGroup blocked on a member that does not rejoin is abandoned
// as soon as Run's context ends.
func TestGroupCancelAbortsJoin(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	group := groupTestID(t)
	a := groupTestStart(t, bootstrap, group, "a")[0]
	groupTestStable(t, []*groupTestMember{a}, -1)
	a.g.testCutOff.Store(true) // a no longer rejoins: b's JoinGroup waits for it

	b := groupTestNew(t, bootstrap, group, "b")
	groupTestRun(t, b)
	// b's JoinGroup has reached the coordinator once the group is rebalancing with b in it.
	admin, err := sarama.NewClusterAdmin(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	groupTestPoll(t, "group rebalancing with b's pending join", func() bool {
		ds, err := admin.DescribeConsumerGroups([]string{group})
		if err != nil || len(ds) != 1 || ds[0].State != "PreparingRebalance" {
			return false
		}
		_, ok := ds[0].Members[b.g.MemberID()]
		return ok
	})
	start := time.Now()
	if err := b.stop(t); err != nil {
		t.Fatalf("Run of b: %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Run took %v to return after cancel while joining; want it to abort the JoinGroup", el)
	}
	if b.h.joinCount() != 0 {
		t.Errorf("b joined although a never rejoined")
	}
}
