package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSoak (make test-soak; SLUICE_SOAK=<duration> to run, e.g. 3m) runs
// three workers and ten connectors (five file pipelines) while it kills
// workers with kill -9 or stops them with SIGTERM and starts new ones. At
// the end no line is lost, and the status topic shows no task or connector
// ever running on two workers at once.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("SLUICE_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("soak test: set SLUICE_SOAK to a duration (make test-soak)")
	}
	seed := time.Now().UnixNano()
	if s, err := strconv.ParseInt(os.Getenv("SLUICE_SOAK_SEED"), 10, 64); err == nil {
		seed = s
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d (SLUICE_SOAK_SEED to repeat)", seed)
	cl := newCluster(t)
	var started int
	startOne := func() *node {
		started++
		return cl.start(fmt.Sprintf("w%d", started))
	}
	for range 3 {
		startOne()
	}
	var ps []*pipeline
	var names []string
	for i := range 5 {
		p := cl.newPipeline(i, cl.any())
		ps = append(ps, p)
		names = append(names, p.src, p.sink)
	}
	cl.awaitRunning(90*time.Second, names, 1)
	deaths := map[string][]time.Time{} // worker id → when it was killed or stopped
	end := time.Now().Add(d)
	rounds := 0
	for time.Now().Before(end) {
		rounds++
		for _, p := range ps {
			p.grow(t, 200+rng.IntN(800))
		}
		ids := mapsKeys(cl.nodes)
		sort.Strings(ids)
		victim := cl.nodes[ids[rng.IntN(len(ids))]]
		if rng.IntN(3) == 0 {
			victim.w.Term()
			delete(cl.nodes, victim.id)
			deaths[victim.id] = []time.Time{time.Now()}
			t.Logf("round %d: stopped %s (SIGTERM)", rounds, victim.id)
		} else {
			deaths[victim.id] = []time.Time{cl.kill9(victim)}
			t.Logf("round %d: killed %s (kill -9)", rounds, victim.id)
		}
		startOne()
		cl.awaitRunning(90*time.Second, names, 1)
	}
	cl.awaitComplete(ps)
	total := 0
	for _, p := range ps {
		total += checkAtLeastOnce(t, p.out, p.written)
	}
	overlaps := overlapping(cl.readStatusTopic(), deaths)
	if len(overlaps) > 0 {
		t.Errorf("work ran on two workers at once:\n%s", strings.Join(overlaps, "\n"))
	}
	t.Logf("%d rounds of kills and restarts, %d lines in, %d duplicate lines out, no overlap in %d status records", rounds,
		func() int {
			n := 0
			for _, p := range ps {
				n += p.written
			}
			return n
		}(), total, len(cl.readStatusTopic()))
}

// overlapping replays the status topic: a connector or task runs on a
// worker from its RUNNING (or PAUSED) record until that worker reports it
// UNASSIGNED, FAILED or removed, or dies, or stops all its work (deaths
// holds these times per worker id). Another worker's RUNNING record inside
// that span is an overlap.
func overlapping(recs []statusRecord, deaths map[string][]time.Time) []string {
	type span struct {
		worker string
		since  time.Time
	}
	open := map[string]span{}
	var out []string
	for _, r := range recs {
		if !strings.HasPrefix(r.key, "status-task-") && !strings.HasPrefix(r.key, "status-connector-") {
			continue
		}
		cur, ok := open[r.key]
		if ok {
			for _, died := range deaths[cur.worker] {
				if !died.Before(cur.since) && !died.After(r.at) {
					delete(open, r.key)
					ok = false
					break
				}
			}
		}
		switch r.state {
		case "RUNNING", "PAUSED", "RESTARTING":
			if ok && cur.worker != r.workerID {
				out = append(out, fmt.Sprintf("%s: RUNNING on %s at %s while running on %s since %s", r.key, r.workerID,
					r.at.Format("15:04:05.000"), cur.worker, cur.since.Format("15:04:05.000")))
			}
			if !ok || cur.worker != r.workerID {
				open[r.key] = span{worker: r.workerID, since: r.at}
			}
		default: // UNASSIGNED, FAILED, STOPPED, tombstone
			if ok && (cur.worker == r.workerID || r.state == "") {
				delete(open, r.key)
			}
		}
	}
	return out
}

// TestOverlapping checks the soak test's checker on made-up status
// records: it must see an overlap, and only a real one.
func TestOverlapping(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	rec := func(s int, state, worker string) statusRecord {
		return statusRecord{key: "status-task-c-0", state: state, workerID: worker, at: at(s)}
	}
	for _, tc := range []struct {
		name   string
		recs   []statusRecord
		deaths map[string][]time.Time
		want   int
	}{
		{"moved after stopping", []statusRecord{rec(1, "RUNNING", "a"), rec(2, "UNASSIGNED", "a"), rec(3, "RUNNING", "b")}, nil, 0},
		{"moved after its worker died", []statusRecord{rec(1, "RUNNING", "a"), rec(3, "RUNNING", "b")}, map[string][]time.Time{"a": {at(2)}}, 0},
		{"runs on two workers", []statusRecord{rec(1, "RUNNING", "a"), rec(3, "RUNNING", "b")}, nil, 1},
		{"worker died after the other started", []statusRecord{rec(1, "RUNNING", "a"), rec(3, "RUNNING", "b")}, map[string][]time.Time{"a": {at(4)}}, 1},
		{"another worker's UNASSIGNED does not end the span", []statusRecord{rec(1, "RUNNING", "a"), rec(2, "UNASSIGNED", "b"), rec(3, "RUNNING", "b")}, nil, 1},
		{"restarted in place", []statusRecord{rec(1, "RUNNING", "a"), rec(2, "RESTARTING", "a"), rec(3, "RUNNING", "a")}, nil, 0},
		{"moved after its worker stopped all its work", []statusRecord{rec(1, "RUNNING", "a"), rec(3, "RUNNING", "b")}, map[string][]time.Time{"a": {at(0), at(2)}}, 0},
		{"a stop before the span does not end it", []statusRecord{rec(1, "RUNNING", "a"), rec(3, "RUNNING", "b")}, map[string][]time.Time{"a": {at(0)}}, 1},
		{"deleted then recreated elsewhere", []statusRecord{rec(1, "RUNNING", "a"), rec(2, "", ""), rec(3, "RUNNING", "b")}, nil, 0},
	} {
		if got := overlapping(tc.recs, tc.deaths); len(got) != tc.want {
			t.Errorf("%s: %d overlaps %v, want %d", tc.name, len(got), got, tc.want)
		}
	}
}
