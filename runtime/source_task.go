package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"golang.org/x/sync/semaphore"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/runtime/storage"
	"github.com/sluicehq/sluice/transforms"
)

// sourceTask runs one SourceTask: poll → convert → produce; on ack the
// record's offset becomes committable; every flush interval committable
// offsets are written to the offset store and the task's Commit is called.
//
// Kafka outages are waited out, not failed: the producer's client holds a
// partition's records, in order, while Kafka cannot take them (see
// kafka.WaitingClient), Poll waits for room in the in-flight budget, and
// the task's status says it is waiting. A record fails only when Kafka
// refuses it for good, or when it waited longer than delivery.timeout.ms;
// then the producer is aborted at once, so nothing polled after it is
// written before the restart sends it again from the committed offset
// (data-integrity rule 4).
type sourceTask struct {
	id        herder.TaskID
	task      connectors.SourceTask
	props     map[string]string
	conv      converters
	connect   func(context.Context, *kafka.Watch) (sourceProducer, error) // creates producer
	producer  sourceProducer
	offsets   storage.OffsetStore
	flushEach time.Duration
	drainFor  time.Duration // how long shutdown waits for outstanding acks
	log       *slog.Logger
	// taskLog is the task's own logger (named after its class), handed to
	// it through its context.
	taskLog *slog.Logger
	state   *taskState
	active  *topicTracker // KIP-558 active topics
	// topics makes sure a topic exists before the task's first record to
	// it (KIP-158 topic creation); nil checks nothing.
	topics  *sourceTopics
	chain   *chain
	errs    *errorHandler
	scratch transforms.Record // the record a chain works on, reused

	// deliveryTimeout is delivery.timeout.ms; maxMessageBytes the
	// producer's max.request.size, checked before a record is handed over
	// so that a record too large fails in order.
	deliveryTimeout time.Duration
	maxMessageBytes int

	tracker         *submitted
	recordCommitter connectors.RecordCommitter // nil unless the task is one
	budget          *semaphore.Weighted        // bounds bytes in flight (producer buffer.memory)

	// failed ends, with the failure as its cause, when the producer reports
	// a record it could not deliver; fail ends it.
	failed context.Context
	fail   context.CancelCauseFunc
	// gone ends when the task must stop handing records to the producer:
	// on a failure, or when a stopping task has waited drainFor for Kafka
	// (cause errHalted).
	gone context.Context
	halt context.CancelCauseFunc
	// aborted is set once the producer is aborted: the errors it reports
	// from then on are records it dropped, not records Kafka refused. pmu
	// guards producer against an abort from the drain timer.
	aborted atomic.Bool
	pmu     sync.Mutex

	// unflushed are committable offsets a failed write left to the next
	// flush; flushFailing says the last write failed. Owned by run.
	unflushed    []storage.Offset
	flushFailing bool

	// pollRetry is the backoff after retriable Poll errors; owned by run.
	pollRetry *taskRetry
	// rcMu serialises the calls of the task's CommitRecord (from the ack
	// goroutine and the poll goroutine); rcStopped ends them before Stop.
	rcMu      sync.Mutex
	rcStopped bool

	// headerKeys are the header keys as bytes (see headerKey); owned by
	// the poll loop, which converts the records.
	headerKeys map[string][]byte

	// metrics are the task's counters (source-task-metrics); nil counts
	// none.
	metrics *TaskMetrics
}

// sourceProducer is what a source task needs of its producer
// (*kafka.Producer).
type sourceProducer interface {
	Input() chan<- *sarama.ProducerMessage
	Successes() <-chan *sarama.ProducerMessage
	Errors() <-chan *sarama.ProducerError
	AsyncClose()
	Abort()
	Release()
}

// brokerGiver is a producer that gives a broker of its client
// (kafka.Producer), for the topic lookups its task makes.
type brokerGiver interface {
	Broker() (*sarama.Broker, error)
}

// abortGrace is how long a stopping task waits, after aborting its
// producer, for the producer to hand back the records it still held.
const abortGrace = time.Second

// errHalted ends the sending of a stopping task that waited drainFor.
var errHalted = errors.New("stopped before Kafka took every record")

// budgetBytes is Kafka's default producer buffer.memory: the most record
// bytes a source task has in flight before Poll waits.
const budgetBytes = 32 << 20

func (t *sourceTask) run(ctx context.Context) error {
	t.tracker = newSubmitted()
	t.recordCommitter, _ = t.task.(connectors.RecordCommitter)
	if t.pollRetry == nil {
		t.pollRetry = newTaskRetry(t.log, "poll of task "+t.id.String())
	}
	t.budget = semaphore.NewWeighted(budgetBytes)
	t.failed, t.fail = context.WithCancelCause(context.Background())
	t.gone, t.halt = context.WithCancelCause(t.failed)
	defer t.fail(nil)
	// A stopping task gives Kafka drainFor to take what it has; then it
	// stops sending, and aborts what is in flight, even when the task's own
	// code (Poll, Stop) has not returned yet.
	drain := newDrainTimer(ctx, t.drainFor, func() {
		t.halt(errHalted)
		t.abort()
	})
	defer drain.close()

	if err := t.task.Start(ctx, sourceContext{t}, t.props); err != nil {
		return fmt.Errorf("start task %s: %w", t.id, err)
	}
	// RUNNING once the producer is there (Kafka answered), or as soon as
	// the task has to wait for Kafka, with a note saying so (the watch).
	watch := newKafkaWatch(t.state, t.log)
	if t.topics != nil {
		t.topics.watch, t.topics.state = watch, t.state
	}
	cctx, cancelConnect := context.WithCancel(t.gone)
	stopConnect := context.AfterFunc(ctx, cancelConnect)
	producer, err := t.connect(cctx, watch)
	stopConnect()
	cancelConnect()
	if err != nil {
		t.stopTask(context.WithoutCancel(ctx))
		if ctx.Err() != nil {
			return nil // stopped while waiting for Kafka
		}
		return fmt.Errorf("task %s: %w", t.id, err)
	}
	if b, ok := producer.(brokerGiver); ok && t.topics != nil {
		t.topics.broker = b.Broker
	}
	t.pmu.Lock()
	t.producer = producer
	t.pmu.Unlock()
	if t.aborted.Load() {
		producer.Abort() // the drain ended while it was being created
	}
	t.state.running()
	acksDone := make(chan struct{})
	go t.handleAcks(acksDone)
	defer func() {
		t.producer.AsyncClose()
		if t.aborted.Load() {
			// An aborted producer writes nothing more (its connections are
			// closed); what it still holds fails in the background.
			go func() {
				<-acksDone
				t.producer.Release()
			}()
			return
		}
		<-acksDone
		t.producer.Release()
	}()
	expiryDone := make(chan struct{})
	defer close(expiryDone)
	go t.expireRecords(expiryDone)

	err = t.pollLoop(ctx)
	// Drain: wait for outstanding acks, then commit (rule 7).
	drain.start()
	t.awaitAcks(err)
	// The last offsets get what is left of drainFor (at least a second),
	// so that the task stops within the time the worker waits for it.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), max(drain.left(), time.Second))
	t.commitOffsets(fctx)
	cancel()
	if len(t.unflushed) > 0 {
		t.log.Warn("the task stops with source offsets not committed; the records after the last committed offset are sent again when it restarts",
			"partitions", len(t.unflushed))
	}
	t.stopTask(context.WithoutCancel(ctx))
	return err
}

// abort makes the producer drop what it still holds; see sourceTask.
func (t *sourceTask) abort() {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	if t.aborted.CompareAndSwap(false, true) && t.producer != nil {
		t.producer.Abort()
	}
}

func (t *sourceTask) pollLoop(ctx context.Context) error {
	nextFlush := time.Now().Add(t.flushEach)
	var died <-chan error // the task failing on its own, while paused
	if f, ok := t.task.(interface{ failures() <-chan error }); ok {
		died = f.failures()
	}
	for {
		if err := t.state.awaitRunnable(ctx, died); err != nil {
			var d *diedError
			if errors.As(err, &d) {
				return d.err
			}
			return nil // stopped
		}
		select {
		case <-t.gone.Done():
			return t.goneErr()
		default:
		}
		if time.Now().After(nextFlush) {
			t.commitOffsets(ctx)
			nextFlush = time.Now().Add(t.flushEach)
		}
		pollCtx, cancel := context.WithDeadline(ctx, nextFlush)
		began := time.Now()
		recs, err := t.task.Poll(pollCtx)
		expired := errors.Is(pollCtx.Err(), context.DeadlineExceeded)
		cancel()
		if ctx.Err() != nil {
			// Records returned along with the shutdown are still sent: the
			// task considers them delivered to us.
			if len(recs) > 0 {
				t.metrics.add(SourceRecordPoll, len(recs))
				if serr := t.send(context.WithoutCancel(ctx), recs); serr != nil && !errors.Is(serr, errHalted) {
					return serr
				}
			}
			return nil
		}
		if err != nil && expired && errors.Is(err, context.DeadlineExceeded) {
			// The deadline is the runtime's (the next offset flush; Kafka
			// Connect's poll has none), not the task's: a wait of the task
			// that ran into it, such as the file source's read of its
			// committed offset while the offsets topic catches up after a
			// broker outage, is no failure. Poll is called again after the
			// flush; what it returned is sent.
			t.log.Debug("poll ended at the offset flush deadline; polling again", "err", err)
			err = nil
		}
		if err != nil {
			if connectors.IsRetriable(err) {
				// Records returned with a retriable error are dropped, as
				// Kafka Connect drops them: Poll is called again.
				// A producer failure (t.gone) does not wait either.
				t.state.awaitRetry(ctx, t.pollRetry.failed(err, 0), t.gone.Done())
				continue
			}
			return fmt.Errorf("poll: %w", err)
		}
		t.pollRetry.succeeded()
		t.metrics.add(SourceRecordPoll, len(recs))
		if recs != nil {
			// As Kafka Connect records a poll that returned a list, even
			// an empty one.
			now := time.Now()
			t.metrics.record(BatchSize, int64(len(recs)), now)
			t.metrics.record(BatchTime, now.Sub(began).Milliseconds(), now)
		}
		if err := t.send(ctx, recs); err != nil {
			if errors.Is(err, errHalted) {
				return nil
			}
			return err
		}
		if recs != nil {
			t.metrics.recordActive(time.Now())
		}
	}
}

// goneErr is why t.gone ended: errHalted when a stopping task gave up
// waiting for Kafka (not a failure), else the failure.
func (t *sourceTask) goneErr() error {
	if err := context.Cause(t.failed); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return errHalted
}

// send transforms, converts and produces a batch of records in order.
func (t *sourceTask) send(ctx context.Context, recs []connectors.SourceRecord) error {
	for i := range recs {
		rec := &recs[i]
		msg, size, f := t.process(ctx, rec)
		if f != nil {
			if err := t.errs.handle(f, true); err != nil {
				return err
			}
		}
		if msg == nil {
			if err := t.dropped(rec); err != nil {
				return err
			}
			continue
		}
		if n := msg.ByteSize(2); n > t.maxMessageBytes {
			// sarama would fail it asynchronously, after records behind it
			// may have been written; failing it here keeps the order.
			f := &failure{stage: stageKafkaProduce, class: producerClass, source: rec,
				err: fmt.Errorf("the record for topic %s is %d bytes, more than max.request.size=%d (producer.max.request.size, or producer.override.max.request.size)", rec.Topic, n, t.maxMessageBytes)}
			if err := t.errs.handle(f, true); err != nil {
				return err
			}
			if err := t.dropped(rec); err != nil {
				return err
			}
			continue
		}
		if t.topics != nil && msg.Topic != t.topics.last {
			if err := t.topics.ensure(ctx, t.gone, msg.Topic); err != nil {
				if ctx.Err() != nil || t.gone.Err() != nil {
					return t.goneErr()
				}
				return err
			}
		}
		// A record larger than the whole budget (max.request.size raised past
		// it) takes all of it, rather than waiting for room that never comes.
		weight := min(int64(size+64), budgetBytes)
		if err := t.acquire(weight); err != nil {
			return err
		}
		sr, err := t.tracker.add(rec, msg.Topic, t.recordCommitter != nil)
		if err != nil {
			t.budget.Release(weight)
			return fmt.Errorf("record for topic %s: %w", rec.Topic, err)
		}
		msg.Metadata = inflight{sr: sr, weight: weight, partition: msg.Partition}
		select {
		case t.producer.Input() <- msg:
		case <-t.gone.Done():
			// Never sent: it is not in flight, and stays unacked so no later
			// offset of its partition is committed.
			t.tracker.fail(sr)
			t.budget.Release(weight)
			return t.goneErr()
		}
	}
	return nil
}

// process transforms and converts a record into a producer message. A nil
// message and failure mean a transformation dropped the record.
func (t *sourceTask) process(ctx context.Context, rec *connectors.SourceRecord) (*sarama.ProducerMessage, int, *failure) {
	out := &rec.Record
	if !t.chain.empty() {
		tr := &t.scratch
		var keep bool
		var class string
		err := t.errs.try(ctx, func() (err error) {
			*tr = transforms.Record{Record: rec.Record}
			keep, class, err = t.chain.apply(tr)
			return err
		})
		if err != nil {
			return nil, 0, &failure{stage: stageTransformation, class: class, err: err, source: rec}
		}
		if !keep {
			return nil, 0, nil
		}
		out = &tr.Record
	}
	msg, size, f := t.convert(ctx, out)
	if f != nil {
		f.source = rec
	}
	return msg, size, f
}

// dropped handles a record that is not sent (a transformation dropped it,
// or it failed and is tolerated): its offset is committable once the
// records before it are, and a RecordCommitter hears of it with no
// metadata, as in Kafka Connect.
func (t *sourceTask) dropped(rec *connectors.SourceRecord) error {
	sr, err := t.tracker.add(rec, rec.Topic, false)
	if err != nil {
		return fmt.Errorf("record for topic %s: %w", rec.Topic, err)
	}
	t.tracker.ack(sr)
	t.metrics.add(SourceRecordDone, 1)
	t.commitRecord(rec, nil)
	return nil
}

// commitRecord calls the task's CommitRecord, if it has one: one call at a
// time (the ack goroutine and the poll goroutine both call it), and none
// once the task is being stopped.
func (t *sourceTask) commitRecord(rec *connectors.SourceRecord, md *connectors.RecordMetadata) {
	if t.recordCommitter == nil {
		return
	}
	t.rcMu.Lock()
	defer t.rcMu.Unlock()
	if t.rcStopped {
		return
	}
	if err := t.recordCommitter.CommitRecord(rec, md); err != nil {
		t.log.Warn("commit record", "err", err)
	}
}

// stopTask ends the CommitRecord calls, then stops the task.
func (t *sourceTask) stopTask(ctx context.Context) {
	t.rcMu.Lock()
	t.rcStopped = true
	t.rcMu.Unlock()
	if err := t.task.Stop(ctx); err != nil {
		t.log.Warn("stop task", "err", err)
	}
}

// acquire waits for room in the in-flight budget. A shutdown while waiting
// still sends (the records were polled) until drainFor has passed; a
// producer failure does not.
func (t *sourceTask) acquire(weight int64) error {
	if err := t.budget.Acquire(t.gone, weight); err != nil {
		return t.goneErr()
	}
	return nil
}

type inflight struct {
	sr        *submittedRecord
	weight    int64
	partition int32 // the connector's choice, or -1
}

var _ kafka.PartitionChooser = inflight{}

// ChosenPartition implements kafka.PartitionChooser.
func (in inflight) ChosenPartition() (int32, bool) { return in.partition, in.partition >= 0 }

// convert turns a record into a producer message and returns its size in
// bytes; a failure says which converter failed.
func (t *sourceTask) convert(ctx context.Context, rec *connectors.Record) (*sarama.ProducerMessage, int, *failure) {
	if rec.Topic == "" {
		return nil, 0, &failure{stage: stageKafkaProduce, class: producerClass, err: errors.New("source record has no topic")}
	}
	t.active.use(rec.Topic)
	// msg.Partition is the connector's choice, or -1 (the partitioner
	// chooses); inflight hands it to kafka.NewPartitioner.
	msg := &sarama.ProducerMessage{Topic: rec.Topic, Timestamp: rec.Timestamp, Partition: -1}
	if rec.Partition != nil {
		if *rec.Partition < 0 {
			// ProducerRecord's own check, with its message.
			return nil, 0, &failure{stage: stageKafkaProduce, class: producerClass,
				err: fmt.Errorf("Invalid partition: %d. Partition number should always be non-negative or null.", *rec.Partition)}
		}
		msg.Partition = *rec.Partition
	}
	var k, v []byte
	if err := t.errs.try(ctx, func() (err error) { k, err = t.conv.key.FromConnectData(rec.Topic, rec.KeySchema, rec.Key); return err }); err != nil {
		return nil, 0, &failure{stage: stageKeyConverter, class: t.conv.keyClass, err: err}
	}
	if err := t.errs.try(ctx, func() (err error) {
		v, err = t.conv.value.FromConnectData(rec.Topic, rec.ValueSchema, rec.Value)
		return err
	}); err != nil {
		return nil, 0, &failure{stage: stageValueConverter, class: t.conv.valueClass, err: err}
	}
	size := len(k) + len(v)
	if k != nil {
		msg.Key = sarama.ByteEncoder(k)
	}
	if v != nil {
		msg.Value = sarama.ByteEncoder(v)
	}
	if len(rec.Headers) > 0 {
		msg.Headers = make([]sarama.RecordHeader, 0, len(rec.Headers))
	}
	for _, h := range rec.Headers {
		var b []byte
		if err := t.errs.try(ctx, func() (err error) {
			b, err = t.conv.header.FromConnectHeader(rec.Topic, h.Key, h.Schema, h.Value)
			return err
		}); err != nil {
			return nil, 0, &failure{stage: stageHeaderConv, class: t.conv.headerClass, err: fmt.Errorf("header %s: %w", h.Key, err)}
		}
		msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: t.headerKey(h.Key), Value: b})
		size += len(h.Key) + len(b)
	}
	return msg, size, nil
}

// handleAcks drains the producer's success and error channels until both
// close; sarama deadlocks if they are not drained.
func (t *sourceTask) handleAcks(done chan<- struct{}) {
	defer close(done)
	rc := t.recordCommitter
	succ, errs := t.producer.Successes(), t.producer.Errors()
	for succ != nil || errs != nil {
		select {
		case m, ok := <-succ:
			if !ok {
				succ = nil
				continue
			}
			in := m.Metadata.(inflight)
			t.tracker.ack(in.sr)
			t.budget.Release(in.weight)
			t.metrics.add(SourceRecordWrite, 1)
			if rc != nil {
				md := &connectors.RecordMetadata{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Timestamp: m.Timestamp}
				t.commitRecord(in.sr.rec, md)
			}
		case pe, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			in := pe.Msg.Metadata.(inflight)
			t.budget.Release(in.weight)
			if t.aborted.Load() {
				// Dropped by the abort, not refused by Kafka: never
				// acknowledged, so sent again after a restart.
				t.tracker.fail(in.sr)
				continue
			}
			t.metrics.add(ProducerRecordError, 1)
			f := &failure{stage: stageKafkaProduce, class: producerClass, err: fmt.Errorf("topic %s partition %d: %w", pe.Msg.Topic, pe.Msg.Partition, pe.Err), source: in.sr.rec}
			if t.errs.policy.tolerateAll {
				// Kafka Connect skips records the producer gave up on when
				// errors.tolerance=all.
				t.errs.handle(f, true)
				t.tracker.ack(in.sr)
				t.metrics.add(SourceRecordDone, 1)
				t.commitRecord(in.sr.rec, nil)
				continue
			}
			t.tracker.fail(in.sr)
			// The first failure is the cause; later calls change nothing.
			// Nothing the producer still holds may be written after the
			// record it could not deliver.
			t.fail(t.errs.handle(f, false))
			t.abort()
		}
	}
}

// expireRecords fails the task when a record has waited for Kafka's
// acknowledgement longer than delivery.timeout.ms, as Kafka's producer
// expires its batches; it returns when done closes.
func (t *sourceTask) expireRecords(done <-chan struct{}) {
	every := min(time.Second, max(t.deliveryTimeout/10, time.Millisecond))
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		topic, at, ok := t.tracker.oldest()
		if !ok {
			continue
		}
		if waited := time.Since(at); waited > t.deliveryTimeout {
			t.fail(fmt.Errorf("Expiring records: a record for topic %s has waited %v for Kafka to acknowledge it, longer than delivery.timeout.ms=%d; %d records are in flight",
				topic, waited.Round(time.Millisecond), t.deliveryTimeout.Milliseconds(), t.tracker.inFlight()))
			t.abort()
			return
		}
	}
}

// awaitAcks waits until every sent record is acked or failed, at most
// until the task's sending is halted (drainFor after the stop) or it
// failed; then it aborts the producer, so that nothing it still holds is
// written later. why is how the poll loop ended.
func (t *sourceTask) awaitAcks(why error) {
	done := make(chan struct{})
	go func() {
		t.tracker.awaitDrained()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-t.gone.Done():
	}
	n := t.tracker.inFlight()
	t.abort()
	// The abort fails what is left, mostly at once; what sarama still holds
	// after abortGrace is not waited for: it can no longer be written, and
	// it is not committed.
	select {
	case <-done:
	case <-time.After(abortGrace):
	}
	if n > 0 {
		reason := "the task is stopping"
		if why != nil {
			reason = "the task failed"
		}
		t.log.Warn("Kafka did not acknowledge every record before the task stopped; their offsets are not committed, so they are sent again when the task restarts",
			"why", reason, "unacknowledged", n, "waited", t.drainFor)
	}
}

// commitOffsets writes the committable offsets and calls the task's
// Commit. A write that fails, or takes longer than offset.flush.timeout.ms
// (Kafka away, in distributed mode), does not fail the task: as in Kafka
// Connect, the offsets are written at the next flush, together with newer
// ones, and the log says so once per run of failures. Offsets not written
// when the task stops are not committed: the records after the last
// committed offset are sent again when it restarts (rule 3).
func (t *sourceTask) commitOffsets(ctx context.Context) {
	began := time.Now()
	offs := mergeOffsets(t.unflushed, t.tracker.committable())
	if len(offs) == 0 {
		// Kafka Connect counts a commit with nothing to write a success.
		t.metrics.committed(began, nil)
		return
	}
	wctx, cancel := context.WithTimeout(ctx, max(t.drainFor, time.Second))
	err := t.offsets.Put(wctx, t.id.Connector, offs)
	cancel()
	t.metrics.committed(began, err)
	if err != nil {
		t.unflushed = offs
		if !t.flushFailing {
			t.flushFailing = true
			t.log.Warn("could not commit source offsets; they are committed at the next flush", "partitions", len(offs), "err", err)
		} else {
			t.log.Debug("could not commit source offsets", "partitions", len(offs), "err", err)
		}
		return
	}
	t.unflushed = nil
	if t.flushFailing {
		t.flushFailing = false
		t.log.Info("committed source offsets again", "partitions", len(offs))
	}
	t.log.Debug("committed offsets", "partitions", len(offs))
	if c, ok := t.task.(connectors.Committer); ok {
		if err := c.Commit(ctx); err != nil {
			t.log.Warn("task commit", "err", err)
		}
	}
}

// mergeOffsets returns older's offsets with newer's in the place of those
// of the same source partition (newer offsets follow older ones: the
// records they cover were all acknowledged).
func mergeOffsets(older, newer []storage.Offset) []storage.Offset {
	if len(older) == 0 {
		return newer
	}
	index := make(map[string]int, len(older)+len(newer))
	out := make([]storage.Offset, 0, len(older)+len(newer))
	for _, list := range [][]storage.Offset{older, newer} {
		for _, o := range list {
			key, err := storage.PartitionKey(o.Partition)
			if err != nil { // keys were computed for these partitions before
				out = append(out, o)
				continue
			}
			if i, ok := index[key]; ok {
				out[i] = o
				continue
			}
			index[key] = len(out)
			out = append(out, o)
		}
	}
	return out
}

// sourceContext is the SourceTaskContext handed to the task.
type sourceContext struct{ t *sourceTask }

func (c sourceContext) Offsets() connectors.OffsetReader { return offsetReader(c) }
func (c sourceContext) Logger() *slog.Logger             { return orDiscard(c.t.taskLog) }

type offsetReader struct{ t *sourceTask }

func (r offsetReader) Offset(ctx context.Context, partition map[string]any) (map[string]any, error) {
	return r.t.offsets.Get(ctx, r.t.id.Connector, partition)
}

// maxHeaderKeys bounds the header keys a source task keeps as bytes.
const maxHeaderKeys = 64

// headerKey returns key as bytes, shared between the task's messages for
// the first maxHeaderKeys keys: a connector sets the same few header keys
// on every record (Debezium's context headers), and sarama only reads them.
func (t *sourceTask) headerKey(key string) []byte {
	if b, ok := t.headerKeys[key]; ok {
		return b
	}
	b := []byte(key)
	if len(t.headerKeys) < maxHeaderKeys {
		if t.headerKeys == nil {
			t.headerKeys = make(map[string][]byte)
		}
		t.headerKeys[key] = b
	}
	return b
}
