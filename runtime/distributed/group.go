package distributed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
)

// GroupProtocolType is the protocol type every Kafka Connect worker group uses.
const GroupProtocolType = "connect"

// Kafka Connect's defaults (session.timeout.ms, heartbeat.interval.ms, rebalance.timeout.ms).
const (
	defaultSessionTimeout    = 10 * time.Second
	defaultHeartbeatInterval = 3 * time.Second
	defaultRebalanceTimeout  = 60 * time.Second
)

const (
	// coordReadMargin is added to the rebalance timeout for Net.ReadTimeout of the coordinator
	// connection: a JoinGroup legitimately blocks for up to the rebalance timeout (IBM/sarama#2820).
	coordReadMargin = 10 * time.Second
	// coordLeaveTimeout bounds the LeaveGroup sent when Run ends or the member pauses.
	coordLeaveTimeout = 5 * time.Second
	// coordBackoffMin and coordBackoffMax bound the wait between failed coordinator attempts
	// (retry.backoff.ms and retry.backoff.max.ms of the Java client).
	coordBackoffMin = 100 * time.Millisecond
	coordBackoffMax = time.Second
	// noGeneration is the generation of a member outside any generation (Java's NO_GENERATION).
	noGeneration = -1
)

// GroupConfig configures a [Group].
type GroupConfig struct {
	// GroupID is the Kafka group id (group.id).
	GroupID string
	// Brokers are the bootstrap brokers, "host:port".
	Brokers []string
	// Sarama holds the base client settings (Version, security, ClientID); the group copies it and never mutates it. Nil means sarama.NewConfig().
	Sarama *sarama.Config
	// SessionTimeout is session.timeout.ms; zero means 10 s.
	SessionTimeout time.Duration
	// HeartbeatInterval is heartbeat.interval.ms; zero means 3 s.
	HeartbeatInterval time.Duration
	// RebalanceTimeout is rebalance.timeout.ms; zero means 60 s.
	RebalanceTimeout time.Duration
	// Log receives the group's logs; nil means slog.Default().
	Log *slog.Logger
}

// GroupProtocol is one protocol a member advertises: its name and this member's raw metadata for it.
type GroupProtocol struct {
	Name     string
	Metadata []byte
}

// RawMember is one member of the group as the leader sees it: its id and raw metadata for the chosen protocol.
type RawMember struct {
	ID       string
	Metadata []byte
}

// Joined is the outcome of a completed rebalance for this member.
type Joined struct {
	Generation int32
	MemberID   string
	LeaderID   string
	Protocol   string
	Assignment []byte
}

// GroupHandler is what a [Group] calls as the membership changes; all calls come from Run's goroutine.
type GroupHandler interface {
	// Protocols returns the protocols to advertise, preferred first; called before every JoinGroup.
	Protocols() []GroupProtocol
	// Assign runs on the leader between JoinGroup and SyncGroup (members' raw metadata for the chosen protocol); returns raw assignments by member id.
	Assign(ctx context.Context, protocol string, generation int32, leaderID string, members []RawMember) (map[string][]byte, error)
	// OnJoined delivers this member's assignment after SyncGroup. Must return quickly (the handler queues work).
	OnJoined(j Joined)
	// OnLost: this member may no longer be in the group (session timeout elapsed without a successful heartbeat, UnknownMemberId/IllegalGeneration/fenced, PauseFor), so another worker may take its work; the handler must stop all its work. Must return quickly.
	OnLost(err error)
}

// Group is this worker's membership in a Kafka group with protocol type "connect": it joins,
// syncs, heartbeats and rejoins on a dedicated coordinator connection, moving the members'
// metadata and assignments as raw bytes.
//
// A single goroutine (Run's) owns the coordinator connection, so the handler is only ever called
// from it, and a heartbeat is never sent while a JoinGroup is outstanding. Run's end is not
// reported through OnLost: whoever ends Run stops the work itself.
type Group struct {
	cfg        GroupConfig
	h          GroupHandler
	log        *slog.Logger
	clientCfg  *sarama.Config // for the client that finds the coordinator
	coordCfg   *sarama.Config // for the dedicated coordinator connection
	running    atomic.Bool
	lastErr    atomic.Pointer[error] // the error being retried; nil once a rebalance completes
	memberID   atomic.Pointer[string]
	generation atomic.Int32

	mu      sync.Mutex
	pending groupPending
	rawConn net.Conn // the TCP connection under coord, to abort a blocked request
	wake    chan struct{}

	// Owned by Run's goroutine.
	client      sarama.Client
	coord       *sarama.Broker
	needJoin    bool      // the next step is a JoinGroup
	holding     bool      // the handler got an assignment and has not been told it is lost
	lastOK      time.Time // last response proving this member is in the group
	nextBeat    time.Time
	backoff     time.Duration
	lastReason  string // why the next JoinGroup is sent
	unreachable bool   // the last attempt to connect failed

	// testCutOff, when set, makes every coordinator request fail as if the network were down
	// (tests use it to freeze a member).
	testCutOff atomic.Bool
}

// groupPending holds the requests other goroutines make of Run's loop.
type groupPending struct {
	rejoin   bool
	reason   string
	rejoinAt time.Time // zero: none scheduled
	pause    time.Duration
}

// errCoordCutOff is the simulated network failure of the testCutOff hook.
var errCoordCutOff = errors.New("coordinator unreachable (cut off by test hook)")

// NewGroup checks cfg and returns a member that joins when Run is called.
func NewGroup(cfg GroupConfig, h GroupHandler) (*Group, error) {
	if cfg.GroupID == "" {
		return nil, errors.New("group: group.id is empty; expected the id of the worker group")
	}
	if len(cfg.Brokers) == 0 {
		return nil, fmt.Errorf("group %q: no bootstrap brokers; expected at least one host:port", cfg.GroupID)
	}
	if h == nil {
		return nil, fmt.Errorf("group %q: nil GroupHandler", cfg.GroupID)
	}
	if cfg.SessionTimeout == 0 {
		cfg.SessionTimeout = defaultSessionTimeout
	}
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = defaultHeartbeatInterval
	}
	if cfg.RebalanceTimeout == 0 {
		cfg.RebalanceTimeout = defaultRebalanceTimeout
	}
	if cfg.SessionTimeout < 0 || cfg.HeartbeatInterval < 0 || cfg.RebalanceTimeout < 0 {
		return nil, fmt.Errorf("group %q: negative timeout (session %v, heartbeat %v, rebalance %v)",
			cfg.GroupID, cfg.SessionTimeout, cfg.HeartbeatInterval, cfg.RebalanceTimeout)
	}
	if cfg.HeartbeatInterval >= cfg.SessionTimeout {
		return nil, fmt.Errorf("group %q: heartbeat.interval.ms (%v) must be lower than session.timeout.ms (%v)",
			cfg.GroupID, cfg.HeartbeatInterval, cfg.SessionTimeout)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	var base sarama.Config
	if cfg.Sarama != nil {
		base = *cfg.Sarama
	} else {
		base = *sarama.NewConfig()
	}
	if !base.Version.IsAtLeast(sarama.V0_10_1_0) {
		return nil, fmt.Errorf("group %q: Kafka version %s is too old; expected at least 0.10.1 (JoinGroup with a rebalance timeout)",
			cfg.GroupID, base.Version)
	}
	clientCfg := base
	if err := clientCfg.Validate(); err != nil {
		return nil, fmt.Errorf("group %q: sarama config: %w", cfg.GroupID, err)
	}
	g := &Group{
		cfg:       cfg,
		h:         h,
		log:       cfg.Log.With("group", cfg.GroupID),
		clientCfg: &clientCfg,
		wake:      make(chan struct{}, 1),
	}
	coordCfg := base
	if min := cfg.RebalanceTimeout + coordReadMargin; coordCfg.Net.ReadTimeout < min {
		coordCfg.Net.ReadTimeout = min
	}
	// Route the dial through coordDialer to keep the raw connection: closing it is the only way
	// to abort a request sarama is blocked on (it holds the broker lock until the answer).
	var dialer coordDialerBase
	if base.Net.Proxy.Enable && base.Net.Proxy.Dialer != nil {
		dialer = base.Net.Proxy.Dialer
	} else {
		dialer = &net.Dialer{Timeout: base.Net.DialTimeout, KeepAlive: base.Net.KeepAlive, LocalAddr: base.Net.LocalAddr}
	}
	coordCfg.Net.Proxy.Enable = true
	coordCfg.Net.Proxy.Dialer = &coordDialer{base: dialer, g: g}
	if err := coordCfg.Validate(); err != nil {
		return nil, fmt.Errorf("group %q: coordinator connection config: %w", cfg.GroupID, err)
	}
	g.coordCfg = &coordCfg
	g.setMember("", noGeneration)
	return g, nil
}

// coordDialerBase is the Dial method of golang.org/x/net/proxy.Dialer, which sarama's config uses.
type coordDialerBase interface {
	Dial(network, addr string) (net.Conn, error)
}

// coordDialer dials the coordinator connection and remembers it in its Group.
type coordDialer struct {
	base coordDialerBase
	g    *Group
}

// Dial dials addr and records the connection.
func (d *coordDialer) Dial(network, addr string) (net.Conn, error) {
	c, err := d.base.Dial(network, addr)
	if err != nil {
		return nil, err
	}
	d.g.mu.Lock()
	d.g.rawConn = c
	d.g.mu.Unlock()
	return c, nil
}

// LastError returns the error the member is retrying since its last completed rebalance, or nil.
func (g *Group) LastError() error {
	if p := g.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// MemberID returns the member id the coordinator gave this member, or "" outside the group.
func (g *Group) MemberID() string { return *g.memberID.Load() }

// Generation returns the generation of the last JoinGroup, or -1 outside the group.
func (g *Group) Generation() int32 { return g.generation.Load() }

// Rejoin asks for a rebalance soon; it does not block, and requests made before the next
// JoinGroup coalesce into it. Kafka's coordinator starts a new generation only when the leader
// rejoins or a follower's metadata changed; otherwise it answers with the current generation and
// OnJoined comes again with the same generation and assignment.
func (g *Group) Rejoin(reason string) {
	g.mu.Lock()
	if !g.pending.rejoin {
		g.pending.rejoin, g.pending.reason = true, reason
	}
	g.mu.Unlock()
	g.poke()
}

// RejoinAfter schedules a rebalance in d (the assignment's delay); the earliest pending one wins.
// A rebalance that starts earlier for any reason satisfies it.
func (g *Group) RejoinAfter(d time.Duration) {
	at := time.Now().Add(d)
	g.mu.Lock()
	if g.pending.rejoinAt.IsZero() || at.Before(g.pending.rejoinAt) {
		g.pending.rejoinAt = at
	}
	g.mu.Unlock()
	g.poke()
}

// PauseFor leaves the group now, stays out for d, then rejoins (worker.unsync.backoff.ms). A
// member holding an assignment gets OnLost, since its work may move to another worker.
func (g *Group) PauseFor(d time.Duration) {
	if d <= 0 {
		d = time.Nanosecond
	}
	g.mu.Lock()
	g.pending.pause = max(g.pending.pause, d)
	g.mu.Unlock()
	g.poke()
}

func (g *Group) poke() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

func (g *Group) setMember(id string, generation int32) {
	g.memberID.Store(&id)
	g.generation.Store(generation)
}

// Run joins the group, syncs, heartbeats and rejoins as needed until ctx ends; then it leaves
// the group and returns nil. It returns an error only for a condition retrying cannot fix (no
// protocol in common with the other members, group full, not authorized, the handler's Assign
// failed); the member has then left the group.
func (g *Group) Run(ctx context.Context) error {
	if !g.running.CompareAndSwap(false, true) {
		return fmt.Errorf("group %q: Run is already running", g.cfg.GroupID)
	}
	defer g.running.Store(false)
	defer g.closeClient()
	g.needJoin, g.holding, g.backoff = true, false, 0
	g.lastReason = "starting"

	for {
		if ctx.Err() != nil {
			g.leave("the worker is stopping")
			return nil
		}
		if d := g.takePause(); d > 0 {
			g.pauseOut(ctx, d)
			continue
		}
		if g.coord == nil {
			if err := g.connect(); err != nil {
				g.retryLater(ctx, err)
				continue
			}
		}
		var err error
		if g.needJoin {
			err = g.joinAndSync(ctx)
		} else {
			err = g.stable(ctx)
		}
		if err == nil {
			g.backoff = 0
			continue
		}
		if fatal := g.onError(ctx, err); fatal != nil {
			g.leave("fatal error")
			return fatal
		}
	}
}

// onError sorts err from the coordinator: it returns err back when Run must end, and otherwise
// adjusts the state (rejoin, reset member id, reconnect after a backoff).
func (g *Group) onError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	var fatal *groupFatalError
	if errors.As(err, &fatal) {
		return fatal.err
	}
	var kerr sarama.KError
	if !errors.As(err, &kerr) {
		// A network error or a timeout: the request already dropped the connection.
		g.retryLater(ctx, err)
		return nil
	}
	switch kerr {
	case sarama.ErrRebalanceInProgress:
		// A normal (cooperative) rebalance: keep the assignment and rejoin.
		g.log.Info("rebalance in progress; rejoining", "member", g.MemberID(), "generation", g.Generation())
		g.needJoin, g.lastReason = true, "rebalance in progress"
		return nil
	case sarama.ErrUnknownMemberId, sarama.ErrIllegalGeneration, sarama.ErrFencedInstancedId:
		g.log.Warn("member is no longer in the group; rejoining as a new member",
			"member", g.MemberID(), "generation", g.Generation(), "error", err)
		g.setMember("", noGeneration)
		g.lose(err)
		g.needJoin, g.lastReason = true, kerr.Error()
		return nil
	case sarama.ErrNotCoordinatorForConsumer, sarama.ErrConsumerCoordinatorNotAvailable:
		g.disconnect()
		g.retryLater(ctx, err)
		return nil
	case sarama.ErrOffsetsLoadInProgress:
		g.retryLater(ctx, err)
		return nil
	case sarama.ErrRequestTimedOut, sarama.ErrNetworkException, sarama.ErrLeaderNotAvailable,
		sarama.ErrNotLeaderForPartition, sarama.ErrUnknownTopicOrPartition, sarama.ErrKafkaStorageError:
		// Retriable errors the coordinator may answer while it moves or
		// restarts (the Java client's RetriableException).
		g.disconnect()
		g.retryLater(ctx, err)
		return nil
	case sarama.ErrInconsistentGroupProtocol:
		var names []string
		for _, p := range g.h.Protocols() {
			names = append(names, p.Name)
		}
		return fmt.Errorf("group %q: the coordinator found no protocol of type %q that every member supports "+
			"(this member offers %v), or the group is used by another kind of client: %w",
			g.cfg.GroupID, GroupProtocolType, names, err)
	default:
		return fmt.Errorf("group %q: %w", g.cfg.GroupID, err)
	}
}

// retryLater notes a failed attempt, tells the handler its work is lost once no heartbeat
// succeeded for a session timeout (KAFKA-9184), and waits the backoff.
func (g *Group) retryLater(ctx context.Context, err error) {
	g.lastErr.Store(&err)
	if g.backoff == 0 {
		g.log.Warn("group coordinator request failed; retrying", "error", err)
	} else {
		g.log.Debug("group coordinator request failed again; retrying", "error", err, "backoff", g.backoff)
	}
	if g.holding && time.Since(g.lastOK) > g.cfg.SessionTimeout {
		g.lose(fmt.Errorf("group %q: no successful heartbeat for %v, longer than session.timeout.ms %v: %w",
			g.cfg.GroupID, time.Since(g.lastOK).Round(time.Millisecond), g.cfg.SessionTimeout, err))
		g.needJoin, g.lastReason = true, "session lost"
	}
	g.backoff = min(max(2*g.backoff, coordBackoffMin), coordBackoffMax)
	wait := g.backoff
	if g.holding {
		// Wake up in time to report a lost session.
		wait = min(wait, max(time.Until(g.lastOK.Add(g.cfg.SessionTimeout))+time.Millisecond, time.Millisecond))
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// lose tells the handler it must stop its work, once per assignment.
func (g *Group) lose(err error) {
	if !g.holding {
		return
	}
	g.holding = false
	g.log.Warn("assignment lost; the worker must stop its work", "error", err)
	g.h.OnLost(err)
}

func (g *Group) takePause() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	d := g.pending.pause
	g.pending.pause = 0
	return d
}

// pauseOut leaves the group, stays out for d (or until ctx ends), then rejoins.
func (g *Group) pauseOut(ctx context.Context, d time.Duration) {
	g.log.Info("leaving the group for a while", "pause", d)
	// Stop the work before leaving, so that it never runs on two workers.
	g.lose(fmt.Errorf("group %q: leaving the group for %v on request", g.cfg.GroupID, d))
	g.leave(fmt.Sprintf("pausing for %v", d))
	g.disconnect()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	g.needJoin, g.lastReason = true, "pause over"
}

// connect finds the coordinator and opens the dedicated connection to it.
func (g *Group) connect() error {
	err := g.dial()
	g.unreachable = err != nil
	return err
}

func (g *Group) dial() error {
	if g.testCutOff.Load() {
		return errCoordCutOff
	}
	if g.client == nil {
		c, err := sarama.NewClient(g.cfg.Brokers, g.clientCfg)
		if err != nil {
			return fmt.Errorf("group %q: connect to brokers %v: %w", g.cfg.GroupID, g.cfg.Brokers, err)
		}
		g.client = c
	}
	if err := g.client.RefreshCoordinator(g.cfg.GroupID); err != nil {
		return fmt.Errorf("group %q: find coordinator: %w", g.cfg.GroupID, err)
	}
	shared, err := g.client.Coordinator(g.cfg.GroupID)
	if err != nil {
		return fmt.Errorf("group %q: find coordinator: %w", g.cfg.GroupID, err)
	}
	b := sarama.NewBroker(shared.Addr())
	if err := b.Open(g.coordCfg); err != nil {
		return fmt.Errorf("group %q: open connection to coordinator %s: %w", g.cfg.GroupID, shared.Addr(), err)
	}
	if ok, err := b.Connected(); !ok {
		if err == nil {
			err = sarama.ErrNotConnected
		}
		_ = b.Close()
		return fmt.Errorf("group %q: connect to coordinator %s: %w", g.cfg.GroupID, shared.Addr(), err)
	}
	g.coord = b
	g.log.Debug("connected to the group coordinator", "coordinator", shared.Addr(), "id", shared.ID())
	return nil
}

func (g *Group) disconnect() {
	if g.coord == nil {
		return
	}
	_ = g.coord.Close()
	g.coord = nil
	g.mu.Lock()
	g.rawConn = nil
	g.mu.Unlock()
}

func (g *Group) closeClient() {
	g.disconnect()
	if g.client != nil {
		_ = g.client.Close()
		g.client = nil
	}
}

// request runs one request on the coordinator connection; ctx's end or the timeout aborts it by
// closing the connection. Any failure drops the connection.
func (g *Group) request(ctx context.Context, what string, timeout time.Duration, fn func(*sarama.Broker) error) error {
	if g.testCutOff.Load() {
		g.disconnect()
		return fmt.Errorf("group %q: %s: %w", g.cfg.GroupID, what, errCoordCutOff)
	}
	if g.coord == nil {
		return fmt.Errorf("group %q: %s: %w", g.cfg.GroupID, what, sarama.ErrNotConnected)
	}
	addr := g.coord.Addr()
	g.mu.Lock()
	conn := g.rawConn
	g.mu.Unlock()
	abort := func() {
		if conn != nil {
			_ = conn.Close()
		}
	}
	var timedOut atomic.Bool
	timer := time.AfterFunc(timeout, func() { timedOut.Store(true); abort() })
	stopCtx := context.AfterFunc(ctx, abort)
	err := fn(g.coord)
	aborted := !timer.Stop()
	aborted = !stopCtx() || aborted
	if err != nil || aborted {
		g.disconnect()
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("group %q: %s to coordinator %s: %w", g.cfg.GroupID, what, addr, ctx.Err())
	case timedOut.Load():
		return fmt.Errorf("group %q: %s to coordinator %s: no answer within %v: %w",
			g.cfg.GroupID, what, addr, timeout, err)
	default:
		return fmt.Errorf("group %q: %s to coordinator %s: %w", g.cfg.GroupID, what, addr, err)
	}
}

// joinAndSync runs one rebalance: JoinGroup (twice with KIP-394), Assign on the leader,
// SyncGroup, OnJoined.
func (g *Group) joinAndSync(ctx context.Context) error {
	reason := g.takeRejoin()
	protocols := g.h.Protocols()
	if len(protocols) == 0 {
		return fmt.Errorf("group %q: the handler advertises no protocol: %w", g.cfg.GroupID, sarama.ErrInconsistentGroupProtocol)
	}
	version := g.coordCfg.Version
	var jresp *sarama.JoinGroupResponse
	for {
		req := sarama.NewJoinGroupRequest(version)
		req.GroupId = g.cfg.GroupID
		req.MemberId = g.MemberID()
		req.ProtocolType = GroupProtocolType
		req.SessionTimeout = int32(g.cfg.SessionTimeout.Milliseconds())
		req.RebalanceTimeout = int32(g.cfg.RebalanceTimeout.Milliseconds())
		if req.Version >= 8 {
			req.Reason = &reason
		}
		for _, p := range protocols {
			req.AddGroupProtocol(p.Name, p.Metadata)
		}
		g.log.Debug("joining the group", "member", req.MemberId, "reason", reason)
		err := g.request(ctx, "JoinGroup", g.cfg.RebalanceTimeout+coordReadMargin, func(b *sarama.Broker) error {
			var err error
			jresp, err = b.JoinGroup(req)
			return err
		})
		if err != nil {
			return err
		}
		if jresp.Err == sarama.ErrMemberIdRequired {
			// KIP-394: the coordinator hands out the id first; join again with it.
			g.setMember(jresp.MemberId, noGeneration)
			continue
		}
		if jresp.Err != sarama.ErrNoError {
			return fmt.Errorf("group %q: JoinGroup: %w", g.cfg.GroupID, jresp.Err)
		}
		break
	}
	g.lastOK = time.Now()
	g.setMember(jresp.MemberId, jresp.GenerationId)

	sreq := &sarama.SyncGroupRequest{
		Version:      syncGroupVersion(version),
		GroupId:      g.cfg.GroupID,
		GenerationId: jresp.GenerationId,
		MemberId:     jresp.MemberId,
	}
	if sreq.Version >= 5 {
		ptype, pname := GroupProtocolType, jresp.GroupProtocol
		sreq.ProtocolType, sreq.ProtocolName = &ptype, &pname
	}
	if jresp.LeaderId == jresp.MemberId {
		members := make([]RawMember, len(jresp.Members))
		for i, m := range jresp.Members {
			members[i] = RawMember{ID: m.MemberId, Metadata: m.Metadata}
		}
		assignments, err := g.h.Assign(ctx, jresp.GroupProtocol, jresp.GenerationId, jresp.LeaderId, members)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &groupFatalError{fmt.Errorf("group %q: assign generation %d (protocol %q, %d members): %w",
				g.cfg.GroupID, jresp.GenerationId, jresp.GroupProtocol, len(members), err)}
		}
		for _, id := range slices.Sorted(maps.Keys(assignments)) {
			sreq.AddGroupAssignment(id, assignments[id])
		}
	}
	var sresp *sarama.SyncGroupResponse
	err := g.request(ctx, "SyncGroup", g.cfg.RebalanceTimeout+coordReadMargin, func(b *sarama.Broker) error {
		var err error
		sresp, err = b.SyncGroup(sreq)
		return err
	})
	if err != nil {
		return err
	}
	if sresp.Err != sarama.ErrNoError {
		return fmt.Errorf("group %q: SyncGroup generation %d: %w", g.cfg.GroupID, jresp.GenerationId, sresp.Err)
	}
	now := time.Now()
	g.lastOK, g.nextBeat = now, now.Add(g.cfg.HeartbeatInterval)
	g.needJoin, g.holding = false, true
	g.lastErr.Store(nil)
	g.log.Info("joined the group", "generation", jresp.GenerationId, "member", jresp.MemberId,
		"leader", jresp.LeaderId, "protocol", jresp.GroupProtocol, "members", len(jresp.Members),
		"isLeader", jresp.LeaderId == jresp.MemberId, "reason", reason)
	g.h.OnJoined(Joined{
		Generation: jresp.GenerationId,
		MemberID:   jresp.MemberId,
		LeaderID:   jresp.LeaderId,
		Protocol:   jresp.GroupProtocol,
		Assignment: sresp.MemberAssignment,
	})
	return nil
}

// groupFatalError marks an error that ends Run.
type groupFatalError struct{ err error }

func (e *groupFatalError) Error() string { return e.err.Error() }
func (e *groupFatalError) Unwrap() error { return e.err }

// takeRejoin clears the pending rebalance requests, which the JoinGroup about to be sent
// satisfies, and returns why it is sent.
func (g *Group) takeRejoin() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	reason := g.lastReason
	if g.pending.rejoin {
		reason = g.pending.reason
	}
	g.pending.rejoin, g.pending.reason, g.pending.rejoinAt = false, "", time.Time{}
	return reason
}

// stable waits while the member is in a generation: it heartbeats, and returns when a rebalance
// is asked for or a heartbeat fails.
func (g *Group) stable(ctx context.Context) error {
	g.mu.Lock()
	p := g.pending
	g.mu.Unlock()
	now := time.Now()
	switch {
	case p.pause > 0:
		return nil
	case p.rejoin:
		g.log.Info("rebalance requested", "reason", p.reason)
		g.needJoin = true
		return nil
	case !p.rejoinAt.IsZero() && !now.Before(p.rejoinAt):
		g.mu.Lock()
		g.pending.rejoin, g.pending.reason = true, "scheduled rebalance"
		g.mu.Unlock()
		g.log.Info("scheduled rebalance is due")
		g.needJoin = true
		return nil
	}
	if now.Before(g.nextBeat) {
		wait := g.nextBeat.Sub(now)
		if !p.rejoinAt.IsZero() {
			wait = min(wait, p.rejoinAt.Sub(now))
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-g.wake:
		case <-t.C:
		}
		return nil
	}
	return g.heartbeat(ctx)
}

// heartbeat sends one heartbeat; it must be answered before the session would expire.
func (g *Group) heartbeat(ctx context.Context) error {
	g.nextBeat = time.Now().Add(g.cfg.HeartbeatInterval)
	timeout := max(time.Until(g.lastOK.Add(g.cfg.SessionTimeout)), coordBackoffMin)
	req := &sarama.HeartbeatRequest{
		Version:      heartbeatVersion(g.coordCfg.Version),
		GroupId:      g.cfg.GroupID,
		GenerationId: g.Generation(),
		MemberId:     g.MemberID(),
	}
	var resp *sarama.HeartbeatResponse
	err := g.request(ctx, "Heartbeat", timeout, func(b *sarama.Broker) error {
		var err error
		resp, err = b.Heartbeat(req)
		return err
	})
	if err != nil {
		return err
	}
	if resp.Err != sarama.ErrNoError {
		return fmt.Errorf("group %q: Heartbeat generation %d: %w", g.cfg.GroupID, req.GenerationId, resp.Err)
	}
	g.lastOK = time.Now()
	return nil
}

// leave sends LeaveGroup if this member has an id, and forgets the id either way.
func (g *Group) leave(reason string) {
	id := g.MemberID()
	if id == "" {
		return
	}
	g.setMember("", noGeneration)
	g.needJoin = true
	if g.coord == nil {
		if g.unreachable {
			// Trying again could hold up the shutdown for a dial timeout or more.
			g.log.Warn("could not leave the group: the coordinator is unreachable; it drops this member after session.timeout.ms",
				"member", id)
			return
		}
		if err := g.connect(); err != nil {
			g.log.Warn("could not leave the group; the coordinator drops this member after session.timeout.ms",
				"member", id, "error", err)
			return
		}
	}
	req := &sarama.LeaveGroupRequest{
		Version:  leaveGroupVersion(g.coordCfg.Version),
		GroupId:  g.cfg.GroupID,
		MemberId: id,
		Members:  []sarama.MemberIdentity{{MemberId: id, Reason: &reason}},
	}
	var resp *sarama.LeaveGroupResponse
	err := g.request(context.Background(), "LeaveGroup", coordLeaveTimeout, func(b *sarama.Broker) error {
		var err error
		resp, err = b.LeaveGroup(req)
		return err
	})
	if err == nil && resp.Err != sarama.ErrNoError {
		err = resp.Err
	}
	if err == nil {
		for _, m := range resp.Members {
			if m.Err != sarama.ErrNoError {
				err = m.Err
			}
		}
	}
	if err != nil {
		g.log.Warn("LeaveGroup failed; the coordinator drops this member after session.timeout.ms",
			"member", id, "error", err)
		return
	}
	g.log.Info("left the group", "member", id, "reason", reason)
}

// syncGroupVersion, heartbeatVersion and leaveGroupVersion pick the newest request version the
// configured Kafka version allows, as sarama's consumer group does; sarama clamps them further
// to what the broker advertises.
func syncGroupVersion(v sarama.KafkaVersion) int16 {
	switch {
	case v.IsAtLeast(sarama.V2_5_0_0):
		return 5
	case v.IsAtLeast(sarama.V2_4_0_0):
		return 4
	case v.IsAtLeast(sarama.V2_3_0_0):
		return 3
	case v.IsAtLeast(sarama.V2_0_0_0):
		return 2
	case v.IsAtLeast(sarama.V0_11_0_0):
		return 1
	}
	return 0
}

func heartbeatVersion(v sarama.KafkaVersion) int16 {
	switch {
	case v.IsAtLeast(sarama.V2_4_0_0):
		return 4
	case v.IsAtLeast(sarama.V2_3_0_0):
		return 3
	case v.IsAtLeast(sarama.V2_0_0_0):
		return 2
	case v.IsAtLeast(sarama.V0_11_0_0):
		return 1
	}
	return 0
}

func leaveGroupVersion(v sarama.KafkaVersion) int16 {
	switch {
	case v.IsAtLeast(sarama.V3_2_0_0):
		return 5
	case v.IsAtLeast(sarama.V2_4_0_0):
		return 4
	case v.IsAtLeast(sarama.V2_0_0_0):
		return 2
	case v.IsAtLeast(sarama.V0_11_0_0):
		return 1
	}
	return 0
}
