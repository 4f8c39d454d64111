package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/transforms"
)

// sinkTask runs one SinkTask: a member of consumer group connect-<name>
// whose partition claims feed one goroutine that converts records, calls Put
// in batches and, every flush interval, Flush (or PreCommit) and only then
// commits the consumed offsets (data-integrity rule 2).
type sinkTask struct {
	id        herder.TaskID
	task      connectors.SinkTask
	props     map[string]string
	conv      converters
	group     sarama.ConsumerGroup
	topics    []string
	flushEach time.Duration
	drainFor  time.Duration // how long a stopping task waits for Kafka
	batchMax  int
	log       *slog.Logger
	// taskLog is the task's own logger (named after its class), handed to
	// it through its context.
	taskLog   *slog.Logger
	state     *taskState
	active    *topicTracker // KIP-558 active topics
	chain     *chain
	errs      *errorHandler
	taskClass string // for errant record reports
	// openDLQ creates the dead letter queue, waiting for Kafka; nil
	// without one.
	openDLQ func(context.Context, *kafka.Watch) (*deadLetterQueue, error)
	// client is the consumer group's client (nil in tests): a stopping
	// task aborts it after drainFor, so that leaving the group cannot hang
	// on a broker that does not answer.
	client  *kafka.AbortableClient
	dlqMu   sync.Mutex   // guards errs.dlq against abortClients
	watch   *kafka.Watch // the task's waits for Kafka, shown in its status
	waiting atomic.Bool  // the consume loop is waiting for Kafka
	groupID string
	// metrics are the task's counters (sink-task-metrics); nil counts
	// none.
	metrics *TaskMetrics
	// consumeRetry is the longest wait before joining the group again
	// after a failed session; 0 means a second.
	consumeRetry time.Duration

	msgs   chan []*sarama.ConsumerMessage // batches from one partition each
	events chan sessionEvent

	// Owned by the run goroutine.
	sess       sarama.ConsumerGroupSession
	scratch    transforms.Record                   // the record a chain works on, reused
	assigned   []connectors.TopicPartition         // written under ctxMu (Assignment reads it)
	current    map[connectors.TopicPartition]int64 // next offset after the last record Put
	committed  map[connectors.TopicPartition]int64
	restartSes context.CancelFunc
	// pending is a batch whose Put failed with a retriable error, put
	// again when its backoff has passed; no other record is delivered
	// before it. putRetry is the backoff.
	pending  *pendingPut
	putRetry *taskRetry

	// reportMu serialises errant record reports (from any of the task's
	// goroutines) and the conversion of a batch (a report may convert a
	// record back, and converters need not be safe for concurrent use). It
	// guards batch, the batch being put or last put, and prev, the one put
	// before it, which reports search: a task may report a record after
	// its Put returned (until the Flush that covers it returns), and a
	// plugin.path task's Put runs on while the runtime converts the next
	// batch.
	reportMu sync.Mutex
	batch    []*sarama.ConsumerMessage
	prev     []*sarama.ConsumerMessage

	// Set by the task through its context, from its own calls.
	ctxMu           sync.Mutex
	rewinds         map[connectors.TopicPartition]int64
	retryAfter      time.Duration
	commitRequested bool
}

// pendingPut is a batch to put again after a retriable error.
type pendingPut struct {
	batch []*sarama.ConsumerMessage
	recs  []connectors.SinkRecord
	retry <-chan time.Time // fires when its backoff has passed
}

type sessionEvent struct {
	sess     sarama.ConsumerGroupSession
	assigned bool // false: revoked
	done     chan error
}

func (t *sinkTask) run(ctx context.Context) error {
	t.msgs = make(chan []*sarama.ConsumerMessage, 16)
	t.events = make(chan sessionEvent)
	t.current = map[connectors.TopicPartition]int64{}
	t.committed = map[connectors.TopicPartition]int64{}
	if t.putRetry == nil {
		t.putRetry = newTaskRetry(t.log, "put of task "+t.id.String())
	}

	if err := t.task.Start(ctx, sinkContext{t}, t.props); err != nil {
		t.closeGroup()
		return fmt.Errorf("start task %s: %w", t.id, err)
	}
	// A stopping task leaves its group and writes what it has for the
	// dead letter queue within drainFor; then its clients are aborted, so
	// that a broker that does not answer cannot hold it.
	drain := newDrainTimer(ctx, t.drainFor, t.abortClients)
	defer drain.close()
	t.state.running()
	t.watch = newKafkaWatch(t.state, t.log)
	if t.openDLQ != nil {
		dlq, err := t.openDLQ(ctx, t.watch)
		if err != nil {
			t.closeGroup()
			if serr := t.task.Stop(context.WithoutCancel(ctx)); serr != nil {
				t.log.Warn("stop task", "err", serr)
			}
			if ctx.Err() != nil {
				return nil // stopped while waiting for Kafka
			}
			return fmt.Errorf("task %s: %w", t.id, err)
		}
		t.dlqMu.Lock()
		t.errs.dlq = dlq
		t.dlqMu.Unlock()
		defer dlq.close()
	}

	consumeCtx, stopConsuming := context.WithCancel(context.WithoutCancel(ctx))
	// consumed carries consume's error to loop or to the drain below,
	// whichever takes it; consumeEnded tells the drain consume is over
	// even when loop took the error.
	consumed, consumeEnded := make(chan error, 1), make(chan struct{})
	go func() {
		consumed <- t.consume(consumeCtx)
		close(consumeEnded)
	}()
	go t.logGroupErrors()

	err := t.loop(ctx, consumed)
	// Leave the group: Cleanup of the last session flushes and commits.
	drain.start()
	stopConsuming()
	for done := false; !done; {
		select {
		case ev := <-t.events:
			t.handleEvent(context.WithoutCancel(ctx), ev)
		case <-consumeEnded:
			select {
			case cerr := <-consumed:
				if err == nil && cerr != nil {
					err = cerr
				}
			default: // loop took it
			}
			done = true
		}
	}
	t.closeGroup()
	if serr := t.task.Stop(context.WithoutCancel(ctx)); serr != nil {
		t.log.Warn("stop task", "err", serr)
	}
	return err
}

// closeGroup leaves the consumer group and closes its client.
func (t *sinkTask) closeGroup() {
	if err := t.group.Close(); err != nil {
		t.log.Warn("close consumer group", "err", err)
	}
	if t.client != nil {
		_ = t.client.Close()
	}
}

// abortClients makes the consumer group's and the dead letter queue's
// requests under way fail at once; see run.
func (t *sinkTask) abortClients() {
	if t.client != nil {
		t.client.Abort()
	}
	t.dlqMu.Lock()
	dlq := t.errs.dlq
	t.dlqMu.Unlock()
	dlq.abort()
}

// consume keeps the task in its group until ctx ends. An error no retry
// can cure (a topic Kafka finds invalid, an authorization it denies) ends
// it, which fails the task. While other errors last (Kafka unreachable,
// the group coordinator moving) it tries again with a capped backoff, and
// the task's status says it is waiting until a session begins; the log
// says so when the wait begins and when it ends, not at every retry.
func (t *sinkTask) consume(ctx context.Context) error {
	most := t.consumeRetry
	if most <= 0 {
		most = consumeBackoffMax
	}
	backoff := min(consumeBackoffMin, most)
	defer t.endWait(true)
	for ctx.Err() == nil {
		sctx, cancel := context.WithCancel(ctx)
		t.ctxMu.Lock()
		t.restartSes = cancel
		t.ctxMu.Unlock()
		err := t.group.Consume(sctx, t.topics, groupHandler{t})
		cancel()
		switch {
		case errors.Is(err, sarama.ErrClosedConsumerGroup), ctx.Err() != nil:
			return nil
		case err == nil:
			// A session began and ended: the wait, if any, is over.
			t.endWait(false)
			backoff = min(consumeBackoffMin, most)
			continue
		case fatalConsumeError(err):
			return fmt.Errorf("task %s cannot consume topics %v: %w", t.id, t.topics, kafka.ExplainSecurity(err, t.clientID()))
		}
		t.log.Debug("consumer group session ended", "err", err)
		if !t.waiting.Load() && t.client != nil {
			// Before waiting, once: authentication, TLS or security.protocol
			// failures look like an outage but never end.
			if serr := t.client.SecurityFailure(err); serr != nil {
				return fmt.Errorf("task %s cannot consume topics %v: %w", t.id, t.topics, serr)
			}
		}
		cause := fmt.Errorf("join consumer group %s: %w", t.groupID, err)
		if t.waiting.CompareAndSwap(false, true) {
			t.watch.Begin(cause)
		} else {
			t.watch.Cause(cause)
		}
		timer := time.NewTimer(backoff)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
		}
		backoff = min(2*backoff, most)
	}
	return nil
}

// Kafka's retry.backoff.ms and retry.backoff.max.ms.
const (
	consumeBackoffMin = 100 * time.Millisecond
	consumeBackoffMax = time.Second
)

// endWait ends the task's wait for Kafka, if it is waiting: a session
// began, or (gaveUp) the task stops.
func (t *sinkTask) endWait(gaveUp bool) {
	if t.waiting.CompareAndSwap(true, false) {
		t.watch.End(gaveUp)
	}
}

// fatalConsumeError reports the errors of joining a group and consuming
// that retrying cannot cure, as Kafka's consumer throws them out of poll
// (InvalidTopicException, the authorization exceptions).
func fatalConsumeError(err error) bool {
	for _, kerr := range []error{sarama.ErrInvalidTopic, sarama.ErrTopicAuthorizationFailed, sarama.ErrGroupAuthorizationFailed,
		sarama.ErrClusterAuthorizationFailed, sarama.ErrInvalidGroupId} {
		if errors.Is(err, kerr) {
			return true
		}
	}
	var cerr sarama.ConfigurationError
	return errors.As(err, &cerr) || kafka.IsSecurityError(err)
}

// clientID is the consumer's client id, or "".
func (t *sinkTask) clientID() string {
	if t.client == nil {
		return ""
	}
	return t.client.Config().ClientID
}

// logGroupErrors logs the errors the consumer group reports on its own
// (failed commits, heartbeats, fetches). Errors Kafka's clients retry are
// expected while Kafka is away, and the task's status and log already say
// it waits: they are logged at debug level. Others are warnings; the same
// one again at most once a minute, with how often it came, so that a
// problem that stays does not fill the log.
func (t *sinkTask) logGroupErrors() {
	last, since, repeats := "", time.Time{}, 0
	for err := range t.group.Errors() {
		if kafka.Retriable(err) {
			t.log.Debug("consumer group", "err", err)
			continue
		}
		msg := err.Error()
		switch {
		case msg != last:
			t.log.Warn("consumer group", "err", err)
			last, since, repeats = msg, time.Now(), 0
		case time.Since(since) >= time.Minute:
			t.log.Warn("consumer group: the same error again", "err", err, "times", repeats+1, "since", since)
			since, repeats = time.Now(), 0
		default:
			repeats++
		}
	}
}

func (t *sinkTask) loop(ctx context.Context, consumed <-chan error) error {
	ticker := time.NewTicker(t.flushEach)
	defer ticker.Stop()
	pausedGroup := false
	var died <-chan error // the task failing on its own, between calls
	if f, ok := t.task.(interface{ failures() <-chan error }); ok {
		died = f.failures()
	}
	for {
		paused, changed := t.state.paused()
		if paused != pausedGroup {
			if paused {
				t.group.PauseAll()
				t.state.setCurrent(herder.Paused)
			} else {
				t.group.ResumeAll()
				t.state.setCurrent(herder.Running)
			}
			pausedGroup = paused
		}
		msgs := t.msgs
		var retry <-chan time.Time
		switch {
		case paused:
			msgs = nil // records already fetched wait until resume
		case t.pending != nil:
			// The failed batch first; a pause or a stop does not wait
			// for its backoff.
			msgs, retry = nil, t.pending.retry
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-consumed:
			return err
		case err := <-died:
			return err
		case <-changed:
		case ev := <-t.events:
			if err := t.handleEvent(ctx, ev); err != nil {
				return err
			}
		case m := <-msgs:
			if err := t.deliver(ctx, m); err != nil {
				return err
			}
		case <-retry:
			p := t.pending
			t.pending = nil
			if err := t.put(ctx, p.batch, p.recs); err != nil {
				return err
			}
		case <-ticker.C:
			if err := t.commit(ctx); err != nil {
				return err
			}
		}
		if t.takeCommitRequest() {
			if err := t.commit(ctx); err != nil {
				return err
			}
		}
	}
}

// deliver converts a batch, adding batches already waiting up to
// max.poll.records, and puts it.
func (t *sinkTask) deliver(ctx context.Context, batch []*sarama.ConsumerMessage) error {
more:
	for len(batch) < t.batchMax {
		select {
		case b := <-t.msgs:
			batch = append(batch, b...)
		default:
			break more
		}
	}
	t.metrics.add(SinkRecordRead, len(batch))
	recs, err := t.convertBatch(ctx, batch)
	if err != nil {
		// A failure that fails the task still reaches the dead letter
		// queue, as in Kafka Connect.
		if ferr := t.errs.flush(); ferr != nil {
			t.log.Error("dead letter queue", "err", ferr)
		}
		return err
	}
	return t.put(ctx, batch, recs)
}

// convertBatch converts and transforms the records of batch, those to put.
// Reports wait meanwhile (see reportMu).
func (t *sinkTask) convertBatch(ctx context.Context, batch []*sarama.ConsumerMessage) ([]connectors.SinkRecord, error) {
	t.reportMu.Lock()
	defer t.reportMu.Unlock()
	recs := make([]connectors.SinkRecord, len(batch))
	parts := make([]int32, len(batch))
	n := 0
	for _, m := range batch {
		parts[n] = m.Partition
		keep, err := t.process(ctx, m, &recs[n], &parts[n])
		if err != nil {
			return nil, err
		}
		if keep {
			n++
		}
	}
	return recs[:n], nil
}

// put calls Put with the records of batch. After a retriable error the
// batch becomes pending, to be put again after a backoff (SinkTaskContext's
// Timeout, if the task set one); a task stopped meanwhile has not put it,
// and its offsets are not committed.
func (t *sinkTask) put(ctx context.Context, batch []*sarama.ConsumerMessage, recs []connectors.SinkRecord) error {
	if len(recs) > 0 {
		t.setBatch(batch)
		began := time.Now()
		err := t.task.Put(ctx, recs)
		if err != nil {
			if !connectors.IsRetriable(err) {
				if ferr := t.errs.flush(); ferr != nil {
					t.log.Error("dead letter queue", "err", ferr)
				}
				return fmt.Errorf("put: %w", err)
			}
			if ctx.Err() == nil {
				t.pending = &pendingPut{batch: batch, recs: recs, retry: t.putRetry.failed(err, t.putTimeout())}
			}
			return nil
		}
		t.putRetry.succeeded()
		t.metrics.add(SinkRecordSend, len(recs))
		now := time.Now()
		t.metrics.record(BatchSize, int64(len(recs)), now)
		t.metrics.record(BatchTime, now.Sub(began).Milliseconds(), now)
		t.metrics.recordActive(now)
	}
	// Failed records reach the dead letter queue before their offsets can
	// be committed.
	if err := t.errs.flush(); err != nil {
		return err
	}
	for i, m := range batch {
		// Batches hold runs of one partition: record each run's last offset.
		if i+1 == len(batch) || batch[i+1].Partition != m.Partition || batch[i+1].Topic != m.Topic {
			t.current[connectors.TopicPartition{Topic: m.Topic, Partition: m.Partition}] = m.Offset + 1
		}
	}
	t.applyRewinds()
	return nil
}

func (t *sinkTask) setBatch(batch []*sarama.ConsumerMessage) {
	t.reportMu.Lock()
	t.prev, t.batch = t.batch, batch
	t.reportMu.Unlock()
}

// process converts and transforms m into r. It reports false when r is not
// to be put: a transformation dropped it, or it failed and errors.tolerance
// lets the task skip it (after it was reported). An error fails the task.
func (t *sinkTask) process(ctx context.Context, m *sarama.ConsumerMessage, r *connectors.SinkRecord, part *int32) (bool, error) {
	f := t.convert(ctx, m, r, part)
	if f == nil && !t.chain.empty() {
		tr := &t.scratch
		var keep bool
		var class string
		err := t.errs.try(ctx, func() (err error) {
			*tr = transforms.Record{Record: r.Record, Offset: r.Offset, Sink: true}
			keep, class, err = t.chain.apply(tr)
			return err
		})
		switch {
		case err != nil:
			f = &failure{stage: stageTransformation, class: class, err: err, consumed: m}
		case !keep:
			return false, nil
		default:
			r.Record = tr.Record
		}
		*tr = transforms.Record{} // hold no record's values
	}
	if f != nil {
		return false, t.errs.handle(f, true)
	}
	return true, nil
}

// convert turns m into a Connect record; a failure says which converter
// failed.
func (t *sinkTask) convert(ctx context.Context, m *sarama.ConsumerMessage, r *connectors.SinkRecord, part *int32) *failure {
	fail := func(stage, class string, err error) *failure {
		return &failure{stage: stage, class: class, err: err, consumed: m}
	}
	t.active.use(m.Topic)
	var ks, vs *schemas.Schema
	var k, v any
	if err := t.errs.try(ctx, func() (err error) { ks, k, err = t.conv.key.ToConnectData(m.Topic, m.Key); return err }); err != nil {
		return fail(stageKeyConverter, t.conv.keyClass, err)
	}
	if err := t.errs.try(ctx, func() (err error) { vs, v, err = t.conv.value.ToConnectData(m.Topic, m.Value); return err }); err != nil {
		return fail(stageValueConverter, t.conv.valueClass, err)
	}
	*r = connectors.SinkRecord{
		Record: connectors.Record{Topic: m.Topic, Partition: part, KeySchema: ks, Key: k, ValueSchema: vs, Value: v, Timestamp: m.Timestamp},
		Offset: m.Offset, TimestampType: connectors.CreateTime,
		OriginalTopic: m.Topic, OriginalPartition: m.Partition, OriginalOffset: m.Offset,
	}
	if m.Timestamp.IsZero() {
		r.TimestampType = connectors.NoTimestampType
	}
	for _, h := range m.Headers {
		if h == nil {
			continue
		}
		key := string(h.Key)
		var hs *schemas.Schema
		var hv any
		if err := t.errs.try(ctx, func() (err error) { hs, hv, err = t.conv.header.ToConnectHeader(m.Topic, key, h.Value); return err }); err != nil {
			return fail(stageHeaderConv, t.conv.headerClass, fmt.Errorf("header %s: %w", key, err))
		}
		r.Headers.Add(key, hs, hv)
	}
	return nil
}

// report is the errant record reporter's work: it finds the record as
// consumed (or, for a record no longer in the batch being put, converts it
// back) and hands it to the error handler.
func (t *sinkTask) report(rec *connectors.SinkRecord, err error) error {
	if rec == nil {
		return fmt.Errorf("report of a nil record")
	}
	if err == nil {
		err = errors.New("reported without an error")
	}
	// One report at a time: the converters that reconvert may not be
	// safe for concurrent use.
	t.reportMu.Lock()
	defer t.reportMu.Unlock()
	var m *sarama.ConsumerMessage
	for _, x := range slices.Concat(t.batch, t.prev) {
		if x.Offset == rec.OriginalOffset && x.Partition == rec.OriginalPartition && x.Topic == rec.OriginalTopic {
			m = x
			break
		}
	}
	if m == nil {
		m = t.reconvert(rec)
	}
	return t.errs.handle(&failure{stage: stageTaskPut, class: t.taskClass, err: err, consumed: m}, true)
}

// reconvert turns a record back into what was consumed, as well as the
// converters can, for a record reported after its batch was put.
func (t *sinkTask) reconvert(rec *connectors.SinkRecord) *sarama.ConsumerMessage {
	m := &sarama.ConsumerMessage{Topic: rec.OriginalTopic, Partition: rec.OriginalPartition, Offset: rec.OriginalOffset, Timestamp: rec.Timestamp}
	var err error
	if m.Key, err = t.conv.key.FromConnectData(rec.Topic, rec.KeySchema, rec.Key); err != nil {
		t.log.Warn("errant record: cannot convert its key back", "err", err)
	}
	if m.Value, err = t.conv.value.FromConnectData(rec.Topic, rec.ValueSchema, rec.Value); err != nil {
		t.log.Warn("errant record: cannot convert its value back", "err", err)
	}
	for _, h := range rec.Headers {
		if b, err := t.conv.header.FromConnectHeader(rec.Topic, h.Key, h.Schema, h.Value); err == nil {
			m.Headers = append(m.Headers, &sarama.RecordHeader{Key: []byte(h.Key), Value: b})
		}
	}
	return m
}

// commit flushes the task and commits what it says is safe, and counts the
// commit (offset-commit-* metrics).
func (t *sinkTask) commit(ctx context.Context) error {
	began := time.Now()
	err := t.commitOffsets(ctx)
	t.metrics.committed(began, err)
	if errors.Is(err, errCommitLater) {
		return nil // a failed commit, as Kafka Connect counts it, but not the task's failure
	}
	return err
}

// errCommitLater: the task's Flush or PreCommit failed with a retriable
// error; the offsets are committed at a later flush.
var errCommitLater = errors.New("retriable flush error: offsets committed later")

func (t *sinkTask) commitOffsets(ctx context.Context) error {
	if t.sess == nil || len(t.current) == 0 {
		return nil
	}
	dirty := false
	for tp, off := range t.current {
		if t.committed[tp] != off {
			dirty = true
			break
		}
	}
	if !dirty {
		return nil
	}
	offsets := maps.Clone(t.current)
	var safe map[connectors.TopicPartition]int64
	var err error
	if pc, ok := t.task.(connectors.PreCommitter); ok {
		safe, err = pc.PreCommit(ctx, offsets)
	} else {
		err = t.task.Flush(ctx, offsets)
		safe = offsets
	}
	if err != nil {
		if connectors.IsRetriable(err) {
			t.log.Info("retriable flush error; offsets will be committed later", "err", err)
			return errCommitLater
		}
		return fmt.Errorf("flush: %w", err)
	}
	// Records the task reported until Flush returned reach the dead letter
	// queue before the offsets that cover them are committed.
	if err := t.errs.flush(); err != nil {
		return err
	}
	for tp, off := range safe {
		if off > t.committed[tp] {
			t.sess.MarkOffset(tp.Topic, tp.Partition, off, "")
		}
	}
	t.sess.Commit()
	for tp, off := range safe {
		t.committed[tp] = off
	}
	t.metrics.committedAt(t.committed)
	t.log.Debug("committed offsets", "partitions", len(safe))
	return nil
}

// handleEvent opens newly assigned partitions, or flushes, commits and
// closes revoked ones. The Kafka commit must happen here: after Cleanup
// the session can no longer commit.
func (t *sinkTask) handleEvent(ctx context.Context, ev sessionEvent) error {
	var err error
	if ev.assigned {
		t.sess = ev.sess
		var assigned []connectors.TopicPartition
		for topic, ps := range ev.sess.Claims() {
			for _, p := range ps {
				assigned = append(assigned, connectors.TopicPartition{Topic: topic, Partition: p})
			}
		}
		slices.SortFunc(assigned, compareTP)
		t.setAssigned(assigned)
		t.log.Debug("partitions assigned", "generation", ev.sess.GenerationID(), "partitions", t.assigned)
		t.committed = map[connectors.TopicPartition]int64{}
		t.current = map[connectors.TopicPartition]int64{}
		t.pending = nil
		err = t.task.Open(ctx, slices.Clone(t.assigned))
		if err != nil {
			err = fmt.Errorf("open partitions: %w", err)
		}
	} else {
		t.log.Debug("partitions revoked", "generation", ev.sess.GenerationID())
		// A batch waiting to be put again is dropped with them: not put,
		// not committed, so the next owner reads it again.
		t.pending = nil
		// Records fetched in this session but not yet put are dropped: their
		// offsets are not committed, so the next owner reads them again.
	drain:
		for {
			select {
			case <-t.msgs:
			default:
				break drain
			}
		}
		err = t.commit(ctx)
		if cerr := t.task.Close(ctx, slices.Clone(t.assigned)); cerr != nil && err == nil {
			err = fmt.Errorf("close partitions: %w", cerr)
		}
		t.sess = nil
		t.setAssigned(nil)
	}
	ev.done <- err
	return err
}

func compareTP(a, b connectors.TopicPartition) int {
	if a.Topic != b.Topic {
		if a.Topic < b.Topic {
			return -1
		}
		return 1
	}
	return int(a.Partition - b.Partition)
}

// applyRewinds performs the seeks a task asked for with SinkTaskContext
// Offset: it commits the requested offsets and restarts the session, so the
// claims resume from them.
func (t *sinkTask) applyRewinds() {
	t.ctxMu.Lock()
	rw := t.rewinds
	t.rewinds = nil
	restart := t.restartSes
	t.ctxMu.Unlock()
	if len(rw) == 0 || t.sess == nil {
		return
	}
	for tp, off := range rw {
		t.sess.ResetOffset(tp.Topic, tp.Partition, off, "")
		t.current[tp] = off
		t.committed[tp] = off
	}
	t.sess.Commit()
	if restart != nil {
		restart()
	}
}

// setAssigned sets the partitions the task owns; the run goroutine reads
// them without the lock, Assignment (any goroutine) with it.
func (t *sinkTask) setAssigned(tps []connectors.TopicPartition) {
	t.ctxMu.Lock()
	defer t.ctxMu.Unlock()
	t.assigned = tps
}

func (t *sinkTask) takeCommitRequest() bool {
	t.ctxMu.Lock()
	defer t.ctxMu.Unlock()
	r := t.commitRequested
	t.commitRequested = false
	return r
}

// putTimeout is the wait the task chose with SinkTaskContext.Timeout, or 0.
func (t *sinkTask) putTimeout() time.Duration {
	t.ctxMu.Lock()
	defer t.ctxMu.Unlock()
	return t.retryAfter
}

// groupHandler adapts the task to sarama's ConsumerGroupHandler.
type groupHandler struct{ t *sinkTask }

func (h groupHandler) Setup(sess sarama.ConsumerGroupSession) error {
	h.t.endWait(false)
	return h.t.sessionEvent(sess, true)
}

func (h groupHandler) Cleanup(sess sarama.ConsumerGroupSession) error {
	return h.t.sessionEvent(sess, false)
}

func (t *sinkTask) sessionEvent(sess sarama.ConsumerGroupSession, assigned bool) error {
	ev := sessionEvent{sess: sess, assigned: assigned, done: make(chan error, 1)}
	t.events <- ev
	return <-ev.done
}

// ConsumeClaim hands the claim's records to the task goroutine in batches
// of what is already fetched, up to max.poll.records: one channel send per
// batch rather than per record.
func (h groupHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	in := claim.Messages()
	pos := h.t.metrics.claim(h.t.clientID(), claim.Topic(), claim.Partition(), claim.InitialOffset(), claim.HighWaterMarkOffset)
	defer h.t.metrics.release(pos)
	for {
		var batch []*sarama.ConsumerMessage
		select {
		case m, ok := <-in:
			if !ok {
				return nil
			}
			batch = append(make([]*sarama.ConsumerMessage, 0, 64), m)
		case <-sess.Context().Done():
			return nil
		}
	fill:
		for len(batch) < h.t.batchMax {
			select {
			case m, ok := <-in:
				if !ok {
					break fill
				}
				batch = append(batch, m)
			default:
				break fill
			}
		}
		pos.read(batch[0].Offset, batch[len(batch)-1].Offset+1)
		select {
		case h.t.msgs <- batch:
		case <-sess.Context().Done():
			return nil
		}
	}
}

// sinkContext is the SinkTaskContext handed to the task.
type sinkContext struct{ t *sinkTask }

func (c sinkContext) Logger() *slog.Logger { return orDiscard(c.t.taskLog) }

func (c sinkContext) Offset(tp connectors.TopicPartition, offset int64) {
	c.t.ctxMu.Lock()
	defer c.t.ctxMu.Unlock()
	if c.t.rewinds == nil {
		c.t.rewinds = map[connectors.TopicPartition]int64{}
	}
	c.t.rewinds[tp] = offset
}

func (c sinkContext) Timeout(d time.Duration) {
	c.t.ctxMu.Lock()
	defer c.t.ctxMu.Unlock()
	c.t.retryAfter = d
}

// Assignment may be called from any of the task's goroutines.
func (c sinkContext) Assignment() []connectors.TopicPartition {
	c.t.ctxMu.Lock()
	defer c.t.ctxMu.Unlock()
	return slices.Clone(c.t.assigned)
}

func (c sinkContext) Pause(tps ...connectors.TopicPartition) {
	c.t.group.Pause(byTopic(tps))
}

func (c sinkContext) Resume(tps ...connectors.TopicPartition) {
	c.t.group.Resume(byTopic(tps))
}

func (c sinkContext) RequestCommit() {
	c.t.ctxMu.Lock()
	defer c.t.ctxMu.Unlock()
	c.t.commitRequested = true
}

func (c sinkContext) ErrantRecordReporter() connectors.ErrantRecordReporter {
	return errantReporter(c)
}

// errantReporter is the ErrantRecordReporter handed to the task.
type errantReporter struct{ t *sinkTask }

func (r errantReporter) Report(rec *connectors.SinkRecord, err error) error {
	return r.t.report(rec, err)
}

func byTopic(tps []connectors.TopicPartition) map[string][]int32 {
	m := map[string][]int32{}
	for _, tp := range tps {
		m[tp.Topic] = append(m[tp.Topic], tp.Partition)
	}
	return m
}
