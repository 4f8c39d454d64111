package runtime

import (
	"errors"
	"math"
	"testing"
	"time"
)

// TestTaskMetricsAllocationFree: counting a record on the hot path
// allocates nothing, and a nil TaskMetrics (a task built by a test) counts
// nothing without failing.
func TestTaskMetricsAllocationFree(t *testing.T) {
	m := &TaskMetrics{}
	if n := testing.AllocsPerRun(1000, func() {
		m.add(SinkRecordRead, 3)
		m.add(SinkRecordSend, 1)
		m.failed(true, false)
	}); n != 0 {
		t.Errorf("counting allocates %g times per record", n)
	}
	if got := m.Get(SinkRecordRead); got != 3*1001 {
		t.Errorf("sink-record-read %d, want %d", got, 3*1001)
	}
	if m.Get(RecordsSkipped) != m.Get(RecordErrors) || m.Get(ErrorsLogged) != 0 {
		t.Errorf("skipped %d errors %d logged %d", m.Get(RecordsSkipped), m.Get(RecordErrors), m.Get(ErrorsLogged))
	}
	var none *TaskMetrics
	none.add(SourceRecordPoll, 1)
	none.failed(false, true)
	if none.Get(SourceRecordPoll) != 0 || m.Get(Counter(-1)) != 0 || m.Get(numCounters) != 0 {
		t.Error("a nil or out-of-range counter reads non-zero")
	}
}

// TestPartitionLag: the lag is the high watermark less the position, never
// negative, and 0 while the position is not known yet; a released claim is
// no longer listed.
func TestPartitionLag(t *testing.T) {
	m := &TaskMetrics{}
	hwm := int64(100)
	tests := []struct {
		name      string
		next, hwm int64
		want      int64
	}{
		{"behind", 40, 100, 60},
		{"caught up", 100, 100, 0},
		{"watermark not fetched yet", 100, 90, 0},
		{"position unknown (OffsetOldest)", -2, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hwm = tt.hwm
			p := m.claim("c", "t", 3, tt.next, func() int64 { return hwm })
			if got := p.Lag(); got != tt.want {
				t.Errorf("lag %d, want %d", got, tt.want)
			}
			if ps := m.Positions(); len(ps) != 1 || ps[0] != p || ps[0].Partition != 3 || ps[0].ClientID != "c" {
				t.Errorf("positions %v, want the claim", ps)
			}
			m.release(p)
			if ps := m.Positions(); len(ps) != 0 {
				t.Errorf("positions %v after release, want none", ps)
			}
		})
	}
}

// TestRebalanceStats: a rebalance counts once it completes; its time runs
// from the assignment's arrival to the start of its work; before the first
// the times are NaN and the time since the last +Inf, as Kafka's.
func TestRebalanceStats(t *testing.T) {
	var r RebalanceStats
	t0 := time.Unix(1000, 0)
	s := r.Snapshot(t0)
	if s.Completed != 0 || !math.IsNaN(s.AvgMillis) || !math.IsNaN(s.MaxMillis) || !math.IsInf(s.SinceLastMillis, 1) || s.Rebalancing {
		t.Errorf("before any rebalance: %+v", s)
	}
	r.Started(t0, 3, "http://a:8083", "SESSIONED")
	if s := r.Snapshot(t0.Add(time.Second)); !s.Rebalancing || s.Epoch != 3 || s.LeaderURL != "http://a:8083" || s.Completed != 0 {
		t.Errorf("while rebalancing: %+v", s)
	}
	r.Succeeded(t0.Add(100 * time.Millisecond))
	r.Succeeded(t0.Add(time.Second)) // not rebalancing: nothing to count
	r.Started(t0.Add(2*time.Second), 4, "http://b:8083", "SESSIONED")
	r.Succeeded(t0.Add(2*time.Second + 300*time.Millisecond))
	s = r.Snapshot(t0.Add(5 * time.Second))
	want := RebalanceSnapshot{Protocol: "SESSIONED", LeaderURL: "http://b:8083", Epoch: 4, Completed: 2, AvgMillis: 200, MaxMillis: 300, SinceLastMillis: 2700}
	if s != want {
		t.Errorf("after two rebalances: %+v, want %+v", s, want)
	}
}

// TestStartupCounts: every attempt counts, and its outcome.
func TestStartupCounts(t *testing.T) {
	w := &Worker{}
	w.startups.countStartup(false, nil)
	w.startups.countStartup(false, errors.New("bad"))
	w.startups.countStartup(true, nil)
	want := StartupCounts{ConnectorAttempts: 2, ConnectorSuccesses: 1, ConnectorFailures: 1, TaskAttempts: 1, TaskSuccesses: 1}
	if got := w.StartupCounts(); got != want {
		t.Errorf("%+v, want %+v", got, want)
	}
}
