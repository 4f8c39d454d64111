package runtime

import "testing"

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
