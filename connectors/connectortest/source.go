package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/schemas"
)

// SourceConfig configures Source. Plugin and Props are required.
type SourceConfig struct {
	// Plugin is the connector's plugin, as registered with a worker.
	Plugin plugins.Plugin
	// Props returns a good connector configuration (without the worker's
	// keys such as name or connector.class). It is called once per
	// sub-test, so each can get fresh external state (a new temporary
	// file, a new table); t is the sub-test's.
	Props func(t *testing.T) map[string]string
	// Records is how many records a task run reads (default 20); a run
	// across a restart reads twice as many. The source must be able to
	// give them: prepare the external system in Props when it does not
	// generate data itself.
	Records int
	// MaxTasks is the largest maxTasks the suite asks TaskConfigs for
	// (default 3).
	MaxTasks int
	// BadProps are configurations Validate and Start must refuse, beyond
	// those the suite derives from the connector's definition.
	BadProps []BadProps
	// Skip holds regular expressions; sub-tests whose name (for example
	// "OffsetsRoundTrip") matches one are skipped.
	Skip []string
	// Timeout bounds each step: a call, or reading Records records
	// (default 30s).
	Timeout time.Duration
	// PauseFor is how long PauseResume waits between polls (default
	// 200ms).
	PauseFor time.Duration
	// RecordID identifies a record, to compare runs: two runs from the
	// same offsets must give records with the same IDs in the same order
	// per source partition. The default is the source partition with the
	// record's key and value; set it when values differ from run to run
	// (random data, timestamps).
	RecordID func(rec connectors.SourceRecord) string
	// Redelivers says the connector may deliver records again after a
	// restart although their offsets were committed; OffsetsRoundTrip
	// then tolerates repeats but still requires that nothing is lost.
	Redelivers bool
}

// Source runs the acceptance suite against a source connector. See the
// package documentation for the sub-tests.
func Source(t *testing.T, cfg SourceConfig) {
	t.Helper()
	if cfg.Props == nil {
		t.Fatal("connectortest: SourceConfig.Props is nil")
	}
	s := &sourceSuite{cfg: cfg, common: common{
		plugin: cfg.Plugin, kind: plugins.Source, props: cfg.Props, maxTasks: cfg.MaxTasks,
		bad: cfg.BadProps, skip: compileSkip(t, cfg.Skip), timeout: cfg.Timeout,
	}}
	if s.maxTasks <= 0 {
		s.maxTasks = 3
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if s.cfg.Records <= 0 {
		s.cfg.Records = 20
	}
	if s.cfg.PauseFor <= 0 {
		s.cfg.PauseFor = 200 * time.Millisecond
	}
	if s.cfg.RecordID == nil {
		s.cfg.RecordID = defaultRecordID
	}
	s.testConnector(t)
	s.run(t, "Records", s.testRecords)
	s.run(t, "Tasks", s.testTasks)
	s.run(t, "OffsetsRoundTrip", s.testOffsetsRoundTrip)
	s.run(t, "PauseResume", s.testPauseResume)
	s.run(t, "PollCancel", s.testPollCancel)
	s.run(t, "StopWithoutPoll", s.testStopWithoutPoll)
}

func defaultRecordID(rec connectors.SourceRecord) string {
	p, _ := json.Marshal(rec.SourcePartition)
	return fmt.Sprintf("%s key=%v value=%v", p, rec.Key, rec.Value)
}

type sourceSuite struct {
	common
	cfg SourceConfig
}

// sourceRun is one source task driven as the worker drives it: Poll on one
// goroutine, acknowledgements (CommitRecord, then the offset commit) on
// another.
type sourceRun struct {
	s       *sourceSuite
	t       *testing.T
	task    connectors.SourceTask
	offsets *Offsets
	acks    chan []polled
	held    []polled // the last batch, acknowledged after the next Poll
	acked   sync.WaitGroup
	got     []connectors.SourceRecord
	stopped bool
}

// polled is a record with the JSON of its partition and offset when Poll
// returned it.
type polled struct {
	rec        *connectors.SourceRecord
	coordinate string
}

func coordinates(rec *connectors.SourceRecord) string {
	p, _ := json.Marshal(rec.SourcePartition)
	o, _ := json.Marshal(rec.SourceOffset)
	return string(p) + " " + string(o)
}

// startTask starts a task of the connector with task configuration props,
// reading offsets from offsets.
func (s *sourceSuite) startTask(t *testing.T, conn connectors.Connector, props map[string]string, offsets *Offsets) *sourceRun {
	t.Helper()
	var task connectors.SourceTask
	if err := safely(func() error { task = conn.(connectors.SourceConnector).NewTask(); return nil }); err != nil || task == nil {
		t.Fatalf("contract: NewTask returned no task: %v", err)
	}
	if l, ok := task.(connectors.Logging); ok {
		l.SetLogger(logger(t, "task"))
	}
	tc := NewSourceTaskContext(t, offsets)
	if err := within(t, s.timeout, "task Start", func() error { return task.Start(s.ctx(t), tc, props) }); err != nil {
		t.Fatalf("contract: task Start with the connector's task configuration: %v", err)
	}
	r := &sourceRun{s: s, t: t, task: task, offsets: offsets, acks: make(chan []polled, 16)}
	r.acked.Add(1)
	go r.ack()
	t.Cleanup(func() { r.stop() })
	return r
}

// ack acknowledges records as the worker does once Kafka stored them:
// CommitRecord, then the record's offset becomes committable.
func (r *sourceRun) ack() {
	defer r.acked.Done()
	rc, _ := r.task.(connectors.RecordCommitter)
	for batch := range r.acks {
		for i, p := range batch {
			if now := coordinates(p.rec); now != p.coordinate {
				r.t.Errorf("contract: the source partition or offset of a record changed after Poll returned it (was %s, now %s); the worker reads them after Poll", p.coordinate, now)
			}
			if rc != nil {
				md := &connectors.RecordMetadata{Topic: p.rec.Topic, Offset: int64(i), Timestamp: time.Now()}
				if err := safely(func() error { return rc.CommitRecord(p.rec, md) }); err != nil {
					r.t.Errorf("contract: CommitRecord: %v", err)
				}
			}
			if p.rec.SourcePartition != nil {
				if err := r.offsets.Commit(p.rec.SourcePartition, p.rec.SourceOffset); err != nil {
					r.t.Errorf("contract: committing a record's offset: %v", err)
				}
			}
		}
	}
}

// poll calls Poll once with ctx, checks what it returns and hands the
// records to the acknowledger. The worker sends the records Poll returns
// even when ctx is done, and so does poll.
func (r *sourceRun) poll(ctx context.Context, grace time.Duration) []connectors.SourceRecord {
	r.t.Helper()
	var recs []connectors.SourceRecord
	wait := grace
	if d, ok := ctx.Deadline(); ok {
		wait += time.Until(d)
	}
	err := within(r.t, wait, "Poll (after its context was done)", func() error {
		var err error
		recs, err = r.task.Poll(ctx)
		return err
	})
	switch {
	case err == nil:
	case connectors.IsRetriable(err):
		r.t.Logf("Poll returned a retriable error (retried): %v", err)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		// Returning the context's error once it is done is fine.
	default:
		r.t.Fatalf("contract: Poll failed: %v", err)
	}
	batch := make([]polled, len(recs))
	for i := range recs {
		r.checkRecord(&recs[i])
		batch[i] = polled{rec: &recs[i], coordinate: coordinates(&recs[i])}
	}
	r.got = append(r.got, recs...)
	// Kafka acknowledges a batch while the next Poll runs, so the
	// acknowledgement lags a batch behind: a task that changes a record's
	// partition or offset map in its next Poll is caught.
	if len(r.held) > 0 {
		r.acks <- r.held
	}
	r.held = batch
	return recs
}

// pollUntil polls until the run holds n records.
func (r *sourceRun) pollUntil(n int) {
	r.t.Helper()
	deadline := time.Now().Add(r.s.timeout)
	for len(r.got) < n {
		if time.Now().After(deadline) {
			r.t.Fatalf("the task gave %d records within %v, %d wanted; set SourceConfig.Records lower or prepare more data", len(r.got), r.s.timeout, n)
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		r.poll(ctx, 5*time.Second)
		cancel()
	}
}

// stop waits for the acknowledgements, calls Commit and stops the task.
func (r *sourceRun) stop() {
	r.t.Helper()
	if r.stopped {
		return
	}
	r.stopped = true
	if len(r.held) > 0 {
		r.acks <- r.held
	}
	close(r.acks)
	r.acked.Wait()
	if c, ok := r.task.(connectors.Committer); ok {
		if err := within(r.t, r.s.timeout, "Commit", func() error { return c.Commit(context.Background()) }); err != nil {
			r.t.Errorf("contract: Commit after the offsets were committed: %v", err)
		}
	}
	if err := within(r.t, r.s.timeout, "task Stop", func() error { return r.task.Stop(context.Background()) }); err != nil {
		r.t.Errorf("contract: task Stop: %v", err)
	}
}

// checkRecord checks one record against the SDK's rules.
func (r *sourceRun) checkRecord(rec *connectors.SourceRecord) {
	t := r.t
	t.Helper()
	if strings.TrimSpace(rec.Topic) == "" {
		t.Errorf("contract: a record has no Topic: %+v", rec.Record)
	}
	if rec.Partition != nil && *rec.Partition < 0 {
		t.Errorf("contract: a record has Kafka partition %d; nil lets the producer choose", *rec.Partition)
	}
	if err := checkJSONSafe(rec.SourcePartition); err != nil {
		t.Errorf("contract: SourcePartition %v: %v", rec.SourcePartition, err)
	}
	if err := checkJSONSafe(rec.SourceOffset); err != nil {
		t.Errorf("contract: SourceOffset %v: %v", rec.SourceOffset, err)
	}
	if rec.SourcePartition == nil && rec.SourceOffset != nil {
		t.Errorf("contract: a record has a SourceOffset %v but no SourcePartition: the offset could never be read back", rec.SourceOffset)
	}
	check := func(what string, s *schemas.Schema, v any) {
		if s == nil {
			return
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("contract: a record's %s does not match its schema %v: %v (value %#v)", what, s.Type, err, v)
		}
	}
	check("key", rec.KeySchema, rec.Key)
	check("value", rec.ValueSchema, rec.Value)
	for _, h := range rec.Headers {
		check("header "+h.Key, h.Schema, h.Value)
	}
}

func (s *sourceSuite) testRecords(t *testing.T) {
	conn, cfgs := s.startConnector(t, s.props(t), 1)
	r := s.startTask(t, conn, cfgs[0], NewOffsets())
	r.pollUntil(s.cfg.Records)
	r.stop()
}

func (s *sourceSuite) testTasks(t *testing.T) {
	conn, cfgs := s.startConnector(t, s.props(t), s.maxTasks)
	offsets := NewOffsets()
	runs := make([]*sourceRun, len(cfgs))
	for i, cfg := range cfgs {
		runs[i] = s.startTask(t, conn, cfg, offsets)
	}
	// Round robin: the tasks run side by side (their acknowledgements on
	// goroutines of their own), each Poll bounded by a short deadline.
	deadline := time.Now().Add(s.timeout)
	for time.Now().Before(deadline) {
		waiting := false
		for _, r := range runs {
			if len(r.got) > 0 {
				continue
			}
			waiting = true
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			r.poll(ctx, 5*time.Second)
			cancel()
		}
		if !waiting {
			break
		}
	}
	owner := map[string]int{}
	for i, r := range runs {
		if len(r.got) == 0 {
			t.Errorf("task %d of %d gave no record within %v (Skip \"Tasks\" if a task may have nothing to do)", i, len(runs), s.timeout)
		}
		for _, rec := range r.got {
			if rec.SourcePartition == nil {
				continue
			}
			p, _ := json.Marshal(rec.SourcePartition)
			if j, ok := owner[string(p)]; ok && j != i {
				t.Errorf("contract: tasks %d and %d both read source partition %s; their offsets would overwrite each other", j, i, p)
			}
			owner[string(p)] = i
		}
	}
}

// reference reads n records from a task started without offsets.
func (s *sourceSuite) reference(t *testing.T, conn connectors.Connector, props map[string]string, n int) []connectors.SourceRecord {
	r := s.startTask(t, conn, props, NewOffsets())
	r.pollUntil(n)
	r.stop()
	return r.got
}

// sequences groups record IDs by source partition, in order.
func (s *sourceSuite) sequences(recs []connectors.SourceRecord) map[string][]string {
	out := map[string][]string{}
	for _, rec := range recs {
		p, _ := json.Marshal(rec.SourcePartition)
		out[string(p)] = append(out[string(p)], s.cfg.RecordID(rec))
	}
	return out
}

// compare checks that, per source partition, got and want agree on their
// common length.
func compare(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	for p, g := range got {
		w := want[p]
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Errorf("contract: %s: source partition %s, record %d is %s where a run without interruption gave %s: records lost, repeated or reordered", what, p, i, g[i], w[i])
				break
			}
		}
	}
}

func (s *sourceSuite) testOffsetsRoundTrip(t *testing.T) {
	conn, cfgs := s.startConnector(t, s.props(t), 1)
	n := s.cfg.Records
	want := s.sequences(s.reference(t, conn, cfgs[0], 2*n))

	offsets := NewOffsets()
	first := s.startTask(t, conn, cfgs[0], offsets)
	first.pollUntil(n)
	first.stop()
	if offsets.Len() == 0 {
		t.Log("the task committed no offsets (its records have no source partition); a restart starts over")
	}
	second := s.startTask(t, conn, cfgs[0], offsets)
	second.pollUntil(n)
	second.stop()

	seen := map[string]bool{}
	for _, rec := range first.got {
		seen[s.cfg.RecordID(rec)] = true
	}
	var after []connectors.SourceRecord
	for _, rec := range second.got {
		id := s.cfg.RecordID(rec)
		if seen[id] {
			if !s.cfg.Redelivers {
				t.Errorf("contract: after a restart from the committed offsets the task read %s again (set Redelivers if it may)", id)
			}
			continue
		}
		after = append(after, rec)
	}
	compare(t, "across a restart", s.sequences(append(append([]connectors.SourceRecord{}, first.got...), after...)), want)
}

func (s *sourceSuite) testPauseResume(t *testing.T) {
	conn, cfgs := s.startConnector(t, s.props(t), 1)
	n := s.cfg.Records
	want := s.sequences(s.reference(t, conn, cfgs[0], 2*n))
	r := s.startTask(t, conn, cfgs[0], NewOffsets())
	r.pollUntil(n)
	// Paused: the worker calls no Poll for a while.
	time.Sleep(s.cfg.PauseFor)
	r.pollUntil(2 * n)
	r.stop()
	compare(t, "across a pause", s.sequences(r.got), want)
}

func (s *sourceSuite) testPollCancel(t *testing.T) {
	conn, cfgs := s.startConnector(t, s.props(t), 1)
	r := s.startTask(t, conn, cfgs[0], NewOffsets())
	r.pollUntil(1)
	const grace = time.Second
	// Cancelled at once, soon, later; then soon again and again, so that
	// the task runs out of data ready at hand and Poll has to wait.
	afters := []time.Duration{0, 10 * time.Millisecond, 100 * time.Millisecond}
	for range 20 {
		afters = append(afters, 10*time.Millisecond)
	}
	for _, after := range afters {
		ctx, cancel := context.WithCancel(context.Background())
		if after == 0 {
			cancel()
		} else {
			time.AfterFunc(after, cancel)
		}
		start := time.Now()
		r.poll(ctx, after+grace) // fails when Poll outlives its context by grace
		cancel()
		if d := time.Since(start); d > after+grace {
			t.Errorf("contract: Poll returned %v after its context was cancelled; it must return at once", d-after)
		}
	}
	r.stop()
}

func (s *sourceSuite) testStopWithoutPoll(t *testing.T) {
	conn, cfgs := s.startConnector(t, s.props(t), 1)
	r := s.startTask(t, conn, cfgs[0], NewOffsets())
	r.stop()
}
