package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestDistributedSimultaneousStart starts three workers at the same
// instant on fresh internal topics and a fresh group, ten times over, as
// an orchestrator starts a cluster: every time, each of them creates or
// finds the topics another has just created, every one joins, all three
// agree on the leader, and a connector created through one of them runs
// with its tasks spread over all three.
func TestDistributedSimultaneousStart(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	began := time.Now()
	for round := range 10 {
		cl := newClusterOn(t, bootstrap)
		cl.props["scheduled.rebalance.max.delay.ms"] = "0"
		roundAt := time.Now()
		nodes := cl.startAll("a", "b", "c")
		joined := time.Since(roundAt)
		lead := cl.leader()
		via := nodes[round%len(nodes)]
		name := fmt.Sprintf("spread-%d", round)
		if _, err := via.c.CreateConnector(context.Background(), herder.CreateConnectorRequest{Name: name, Config: map[string]string{
			// Datagen runs as many tasks as tasks.max says (the file sink runs one).
			"connector.class": "Datagen", "tasks.max": "3", "kafka.topic": testkit.NewTopic(t, bootstrap, 3),
			"quickstart": "users", "max.interval": "1000", "iterations": "10"}}); err != nil {
			t.Fatalf("round %d: create %s through %s: %v", round, name, via.id, err)
		}
		var spread map[string]bool
		eventually(t, 30*time.Second, fmt.Sprintf("round %d: %s's three tasks RUNNING on three workers", round, name), func() (bool, string) {
			spread = map[string]bool{}
			for _, tid := range []int{0, 1, 2} {
				st, err := via.c.TaskStatus(context.Background(), name, tid)
				if err != nil || st.State != herder.Running {
					return false, fmt.Sprint(st, err)
				}
				spread[st.WorkerID] = true
			}
			return len(spread) == 3, fmt.Sprintf("tasks on %v", spread)
		}, cl.live()...)
		t.Logf("round %d: all three joined %s after they started; leader %s; tasks of a connector created through %s on %d workers (%s in all)",
			round, joined.Round(time.Millisecond), lead.id, via.id, len(spread), time.Since(roundAt).Round(time.Millisecond))
		for _, n := range nodes {
			cl.kill9(n)
		}
	}
	t.Logf("10 rounds of three workers started at once: %s", time.Since(began).Round(time.Millisecond))
}

// logLinesSince counts the lines of a worker's log that match re and
// were logged at or after since.
func logLinesSince(log string, re *regexp.Regexp, since time.Time) int {
	n := 0
	for _, l := range strings.Split(log, "\n") {
		if !re.MatchString(l) {
			continue
		}
		ts, _, ok := strings.Cut(strings.TrimPrefix(l, "time="), " ")
		at, err := time.Parse(time.RFC3339Nano, ts)
		if ok && err == nil && !at.Before(since) {
			n++
		}
	}
	return n
}

var (
	joinedRe       = regexp.MustCompile(`msg="Joined group at generation.* leader_url=`)
	lostRe         = regexp.MustCompile(`msg="lost group membership: stopping all work`)
	tailWarnRe     = regexp.MustCompile(`level=WARN msg="reading internal topic failed`)
	groupWarnRe    = regexp.MustCompile(`level=WARN msg="group coordinator request failed`)
	statusWarnRe   = regexp.MustCompile(`level=WARN msg="writing status updates failed`)
	anyWarnRe      = regexp.MustCompile(`level=WARN `)
	tailRecoveryRe = regexp.MustCompile(`msg="reading internal topic again"`)
	stoppedAllRe   = regexp.MustCompile(`msg="stopped all connectors and tasks" .*reason="lost group membership"`)
)

// TestDistributedBrokerOutage kills the only broker of a two-worker
// cluster (kill -9) twice while a file → topic → file pipeline runs, and
// restarts it on the same log directory after a while each time. The
// workers never exit and their REST API answers throughout; they stop
// their work when they lose the group (KAFKA-9184), rejoin once the
// coordinator is back, and run the connectors and tasks again; the logs
// say so once per change of state rather than once per retry; at the end
// every line is in the output at least once, the status topic never
// shows work on two workers at once, and nothing was ever FAILED.
func TestDistributedBrokerOutage(t *testing.T) {
	b := testkit.StartBroker(t)
	cl := newClusterOn(t, b.Addr())
	ctx := context.Background()
	nodes := cl.startAll("w1", "w2")
	p := cl.newPipeline(0, nodes[0])
	names := []string{p.src, p.sink}
	cl.awaitRunning(60*time.Second, names, 1)
	cl.awaitComplete([]*pipeline{p})

	// The broker is down for this long plus the 10-20 s its restart takes.
	const outage = 6 * time.Second
	for round := 1; round <= 2; round++ {
		p.grow(t, 500)
		killedAt := time.Now()
		joinsBefore := map[string]int{}
		for _, n := range nodes {
			joinsBefore[n.id] = len(joinedRe.FindAllString(n.w.Log(), -1))
		}
		b.Kill9()
		grown := false
		// While the broker is down every worker stays up and its REST API
		// answers from what it knows.
		for time.Since(killedAt) < outage {
			for _, n := range nodes {
				if err := n.w.Alive(); err != nil {
					t.Fatalf("round %d, %s into the outage: %v", round, time.Since(killedAt).Round(time.Second), err)
				}
				rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				got, err := n.c.Connectors(rctx)
				cancel()
				if err != nil || len(got) != len(names) {
					t.Fatalf("round %d: GET /connectors on %s during the outage: %v %v", round, n.id, got, err)
				}
			}
			if !grown && time.Since(killedAt) > outage/2 {
				p.grow(t, 300) // input the source can deliver only once Kafka is back
				grown = true
			}
			time.Sleep(500 * time.Millisecond)
		}
		b.Restart()
		restartedAt := time.Now()
		t.Logf("round %d: broker down for %s", round, restartedAt.Sub(killedAt).Round(time.Millisecond))

		// Every worker lost the group, rejoined it, and the work runs again.
		eventually(t, 90*time.Second, fmt.Sprintf("round %d: every worker rejoined", round), func() (bool, string) {
			for _, n := range nodes {
				if got := len(joinedRe.FindAllString(n.w.Log(), -1)); got <= joinsBefore[n.id] {
					return false, n.id + " has not rejoined"
				}
			}
			return true, ""
		}, cl.live()...)
		cl.awaitRunning(90*time.Second, names, 1)
		cl.awaitComplete([]*pipeline{p})
		t.Logf("round %d: every line in the output %s after the broker restarted", round, time.Since(restartedAt).Round(time.Millisecond))

		for _, n := range nodes {
			log := n.w.Log()
			lost := logLinesSince(log, lostRe, killedAt)
			tail, group, status := logLinesSince(log, tailWarnRe, killedAt), logLinesSince(log, groupWarnRe, killedAt),
				logLinesSince(log, statusWarnRe, killedAt)
			t.Logf("round %d, %s: lost membership %d time(s); warnings: %d tail, %d group, %d status, %d in all; %d tail recoveries",
				round, n.id, lost, tail, group, status, logLinesSince(log, anyWarnRe, killedAt), logLinesSince(log, tailRecoveryRe, killedAt))
			if lost == 0 {
				t.Errorf("round %d: %s never stopped its work though the coordinator was away longer than session.timeout.ms", round, n.id)
			}
			// Three internal topics; the group may fail in two ways (coordinator
			// unreachable, then loading) and a status write once.
			if tail > 3 || group > 3 || status > 2 {
				t.Errorf("round %d: %s logged %d tail, %d group and %d status warnings for one outage; want one per change of state",
					round, n.id, tail, group, status)
			}
		}
	}
	dups := checkAtLeastOnce(t, p.out, p.written)
	t.Logf("%d lines in, every one out at least once (%d duplicates)", p.written, dups)
	// A worker that lost the group stopped all its work (its log says when)
	// before any other could be given it; its UNASSIGNED statuses may never
	// reach the topic (they are dropped once another worker of a newer
	// generation owns the work, as in Kafka Connect).
	stops := map[string][]time.Time{}
	for _, n := range nodes {
		for _, l := range strings.Split(n.w.Log(), "\n") {
			if !stoppedAllRe.MatchString(l) {
				continue
			}
			ts, _, _ := strings.Cut(strings.TrimPrefix(l, "time="), " ")
			if at, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				stops[n.id] = append(stops[n.id], at)
			}
		}
	}
	statuses := cl.readStatusTopic()
	if o := overlapping(statuses, stops); len(o) > 0 {
		t.Errorf("the status topic shows work on two workers at once:\n%s", strings.Join(o, "\n"))
	}
	// Nothing failed: the tasks waited for Kafka, or were stopped with
	// the membership, and ran again.
	for _, r := range statuses {
		if r.state == string(herder.Failed) {
			t.Errorf("%s was FAILED on %s at %s", r.key, r.workerID, r.at.Format(time.RFC3339Nano))
		}
	}
}
