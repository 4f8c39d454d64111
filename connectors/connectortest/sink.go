package connectortest

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/schemas"
)

// SinkConfig configures Sink. Plugin, Props and Read are required.
type SinkConfig struct {
	// Plugin is the connector's plugin, as registered with a worker.
	Plugin plugins.Plugin
	// Props returns a good connector configuration (without the worker's
	// keys such as name, connector.class or topics). It is called once per
	// sub-test and must point the connector at an empty destination of its
	// own (a new temporary file, a new table): Read must find only what
	// that sub-test wrote.
	Props func(t *testing.T) map[string]string
	// Read returns every record found in the external system the
	// connector configured with props writes to, in any order. Fields the
	// system does not keep may be left zero; Equal compares what it keeps.
	Read func(t *testing.T, props map[string]string) []connectors.Record
	// Records is how many records a sub-test writes (default 20).
	Records int
	// Generate returns record i (from 0); Topic and Partition are set by
	// the suite. The default is a string key "key-i" and a string value
	// "value-i", with string schemas.
	Generate func(i int) connectors.Record
	// Equal reports whether got, read back, is the record want (default:
	// their values are reflect.DeepEqual).
	Equal func(want connectors.Record, got connectors.Record) bool
	// Topic is the topic the records come from (default "connectortest").
	Topic string
	// MaxTasks is the largest maxTasks the suite asks TaskConfigs for
	// (default 3).
	MaxTasks int
	// BadProps are configurations Validate and Start must refuse, beyond
	// those the suite derives from the connector's definition.
	BadProps []BadProps
	// Skip holds regular expressions; sub-tests whose name (for example
	// "Redelivery") matches one are skipped.
	Skip []string
	// Timeout bounds each call (default 30s).
	Timeout time.Duration
}

// Sink runs the acceptance suite against a sink connector. See the package
// documentation for the sub-tests. A task with connectors.PreCommitter is
// flushed through PreCommit, as the worker does, and its records must be
// visible afterwards too.
func Sink(t *testing.T, cfg SinkConfig) {
	t.Helper()
	if cfg.Props == nil || cfg.Read == nil {
		t.Fatal("connectortest: SinkConfig needs Props and Read")
	}
	s := &sinkSuite{cfg: cfg, common: common{
		plugin: cfg.Plugin, kind: plugins.Sink, props: cfg.Props, maxTasks: cfg.MaxTasks,
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
	if s.cfg.Generate == nil {
		s.cfg.Generate = defaultRecord
	}
	if s.cfg.Equal == nil {
		s.cfg.Equal = func(want, got connectors.Record) bool { return reflect.DeepEqual(want.Value, got.Value) }
	}
	if s.cfg.Topic == "" {
		s.cfg.Topic = "connectortest"
	}
	s.testConnector(t)
	s.run(t, "PutFlush", s.testPutFlush)
	s.run(t, "Redelivery", s.testRedelivery)
	s.run(t, "Partitions", s.testPartitions)
	s.run(t, "EmptyPut", s.testEmptyPut)
	s.run(t, "StopWithoutOpen", s.testStopWithoutOpen)
}

func defaultRecord(i int) connectors.Record {
	return connectors.Record{
		KeySchema: schemas.StringSchema, Key: fmt.Sprintf("key-%d", i),
		ValueSchema: schemas.StringSchema, Value: fmt.Sprintf("value-%d", i),
	}
}

type sinkSuite struct {
	common
	cfg SinkConfig
}

// records returns the suite's records: record i on partition i%2 of the
// topic, at offset i/2 there.
func (s *sinkSuite) records(t *testing.T) []connectors.SinkRecord {
	out := make([]connectors.SinkRecord, s.cfg.Records)
	base := time.Now().Truncate(time.Millisecond)
	for i := range out {
		rec := s.cfg.Generate(i)
		p := int32(i % 2)
		rec.Topic, rec.Partition = s.cfg.Topic, connectors.Partition(p)
		if rec.Timestamp.IsZero() {
			rec.Timestamp = base.Add(time.Duration(i) * time.Millisecond)
		}
		if rec.ValueSchema != nil {
			if err := rec.ValueSchema.Validate(rec.Value); err != nil {
				t.Fatalf("connectortest: Generate(%d) gave a value that does not match its schema: %v", i, err)
			}
		}
		out[i] = connectors.SinkRecord{
			Record: rec, Offset: int64(i / 2), TimestampType: connectors.CreateTime,
			OriginalTopic: s.cfg.Topic, OriginalPartition: p, OriginalOffset: int64(i / 2),
		}
	}
	return out
}

func (s *sinkSuite) tp(p int32) connectors.TopicPartition {
	return connectors.TopicPartition{Topic: s.cfg.Topic, Partition: p}
}

// sinkRun is one sink task driven as the worker drives it.
type sinkRun struct {
	s       *sinkSuite
	t       *testing.T
	task    connectors.SinkTask
	tc      *SinkTaskContext
	next    map[connectors.TopicPartition]int64 // offset after the last record put
	stopped bool
}

func (s *sinkSuite) startTask(t *testing.T, conn connectors.Connector, props map[string]string) *sinkRun {
	t.Helper()
	var task connectors.SinkTask
	if err := safely(func() error { task = conn.(connectors.SinkConnector).NewTask(); return nil }); err != nil || task == nil {
		t.Fatalf("contract: NewTask returned no task: %v", err)
	}
	if l, ok := task.(connectors.Logging); ok {
		l.SetLogger(logger(t, "task"))
	}
	tc := NewSinkTaskContext(t)
	if err := within(t, s.timeout, "task Start", func() error { return task.Start(s.ctx(t), tc, maps.Clone(props)) }); err != nil {
		t.Fatalf("contract: task Start with the connector's task configuration: %v", err)
	}
	r := &sinkRun{s: s, t: t, task: task, tc: tc, next: map[connectors.TopicPartition]int64{}}
	t.Cleanup(r.stop)
	return r
}

func (r *sinkRun) call(what string, f func(ctx context.Context) error) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), r.s.timeout)
	defer cancel()
	if err := within(r.t, r.s.timeout+5*time.Second, what, func() error { return f(ctx) }); err != nil {
		r.t.Fatalf("contract: %s: %v", what, err)
	}
	if reports := r.tc.Reported(); len(reports) > 0 {
		r.t.Fatalf("contract: %s: the task reported a good record as errant: %v (record %+v)", what, reports[0].Err, reports[0].Record.Record)
	}
}

func (r *sinkRun) open(tps ...connectors.TopicPartition) {
	r.t.Helper()
	r.tc.open(tps)
	r.call(fmt.Sprintf("Open(%v)", tps), func(ctx context.Context) error { return r.task.Open(ctx, tps) })
}

func (r *sinkRun) close(tps ...connectors.TopicPartition) {
	r.t.Helper()
	r.call(fmt.Sprintf("Close(%v)", tps), func(ctx context.Context) error { return r.task.Close(ctx, tps) })
	r.tc.close(tps)
	for _, tp := range tps {
		delete(r.next, tp)
	}
}

// put delivers recs in batches of up to 7, a copy each time: a task may
// keep what it is given but not expect the worker to leave it unchanged.
func (r *sinkRun) put(recs []connectors.SinkRecord) {
	r.t.Helper()
	for len(recs) > 0 {
		n := min(7, len(recs))
		batch := append([]connectors.SinkRecord(nil), recs[:n]...)
		recs = recs[n:]
		r.call(fmt.Sprintf("Put of %d records", n), func(ctx context.Context) error { return r.task.Put(ctx, batch) })
		for _, rec := range batch {
			r.next[connectors.TopicPartition{Topic: rec.OriginalTopic, Partition: rec.OriginalPartition}] = rec.OriginalOffset + 1
		}
	}
}

// flush flushes what was put, through PreCommit when the task has it.
func (r *sinkRun) flush() {
	r.t.Helper()
	offsets := maps.Clone(r.next)
	if pc, ok := r.task.(connectors.PreCommitter); ok {
		r.call("PreCommit", func(ctx context.Context) error {
			got, err := pc.PreCommit(ctx, offsets)
			for tp, o := range got {
				if o > offsets[tp] {
					return fmt.Errorf("PreCommit returned offset %d for %v, beyond the %d consumed", o, tp, offsets[tp])
				}
			}
			return err
		})
		return
	}
	r.call("Flush", func(ctx context.Context) error { return r.task.Flush(ctx, offsets) })
}

func (r *sinkRun) stop() {
	r.t.Helper()
	if r.stopped {
		return
	}
	r.stopped = true
	if tps := r.tc.Assignment(); len(tps) > 0 {
		r.close(tps...)
	}
	r.call("task Stop", r.task.Stop)
}

// expect checks what Read finds against want: every record of want
// present exactly once (at least once unless exactly), and nothing else.
func (s *sinkSuite) expect(t *testing.T, props map[string]string, want []connectors.SinkRecord, exactly bool) {
	t.Helper()
	got := s.cfg.Read(t, props)
	used := make([]bool, len(got))
	for _, w := range want {
		n := 0
		for j, g := range got {
			if s.cfg.Equal(w.Record, g) {
				n++
				used[j] = true
			}
		}
		switch {
		case n == 0:
			t.Errorf("contract: the record at %s/%d offset %d (value %v) is missing from the external system after Put and Flush", w.OriginalTopic, w.OriginalPartition, w.OriginalOffset, w.Value)
		case n > 1 && exactly:
			t.Errorf("contract: the record at %s/%d offset %d (value %v) was written %d times though it was put once", w.OriginalTopic, w.OriginalPartition, w.OriginalOffset, w.Value, n)
		}
	}
	for j, g := range got {
		if !used[j] {
			t.Errorf("contract: the external system holds a record nobody put: %+v", g)
		}
	}
}

func (s *sinkSuite) startConnectorTask(t *testing.T) (connectors.Connector, map[string]string, map[string]string) {
	props := s.props(t)
	conn, cfgs := s.startConnector(t, props, 1)
	return conn, props, cfgs[0]
}

func (s *sinkSuite) testPutFlush(t *testing.T) {
	conn, props, taskProps := s.startConnectorTask(t)
	recs := s.records(t)
	r := s.startTask(t, conn, taskProps)
	r.open(s.tp(0), s.tp(1))
	r.put(recs)
	r.flush()
	s.expect(t, props, recs, true)
	r.stop()
	s.expect(t, props, recs, true)
}

func (s *sinkSuite) testRedelivery(t *testing.T) {
	conn, props, taskProps := s.startConnectorTask(t)
	recs := s.records(t)
	half := len(recs) / 2
	r := s.startTask(t, conn, taskProps)
	r.open(s.tp(0), s.tp(1))
	r.put(recs[:half])
	r.flush()
	r.put(recs[half:])
	// The flush failed: the worker rewinds to the committed offsets and
	// delivers the rest again.
	r.put(recs[half:])
	r.flush()
	s.expect(t, props, recs, false)
	r.stop()
	// A new task (the old one failed) gets them once more.
	r2 := s.startTask(t, conn, taskProps)
	r2.open(s.tp(0), s.tp(1))
	r2.put(recs[half:])
	r2.flush()
	r2.stop()
	s.expect(t, props, recs, false)
}

func (s *sinkSuite) testPartitions(t *testing.T) {
	conn, props, taskProps := s.startConnectorTask(t)
	recs := s.records(t)
	third := len(recs) / 3
	of := func(recs []connectors.SinkRecord, p int32) []connectors.SinkRecord {
		var out []connectors.SinkRecord
		for _, rec := range recs {
			if rec.OriginalPartition == p {
				out = append(out, rec)
			}
		}
		return out
	}
	r := s.startTask(t, conn, taskProps)
	r.open(s.tp(0), s.tp(1))
	r.put(recs[:third])
	r.flush()
	r.close(s.tp(0))
	r.put(of(recs[third:2*third], 1))
	r.flush()
	r.open(s.tp(0))
	r.put(of(recs[third:], 0))
	r.put(of(recs[2*third:], 1))
	r.flush()
	s.expect(t, props, recs, true)
}

func (s *sinkSuite) testEmptyPut(t *testing.T) {
	conn, props, taskProps := s.startConnectorTask(t)
	r := s.startTask(t, conn, taskProps)
	r.open(s.tp(0), s.tp(1))
	r.call("Put of no records (nil)", func(ctx context.Context) error { return r.task.Put(ctx, nil) })
	r.call("Put of no records", func(ctx context.Context) error { return r.task.Put(ctx, []connectors.SinkRecord{}) })
	r.flush()
	r.call("Flush of no offsets", func(ctx context.Context) error {
		return r.task.Flush(ctx, map[connectors.TopicPartition]int64{})
	})
	r.stop()
	s.expect(t, props, nil, true)
}

func (s *sinkSuite) testStopWithoutOpen(t *testing.T) {
	conn, _, taskProps := s.startConnectorTask(t)
	r := s.startTask(t, conn, taskProps)
	r.stop()
}
