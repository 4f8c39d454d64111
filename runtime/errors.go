package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/schemas"
)

// Stages of a record's journey, as Kafka Connect's errors.Stage names them
// in logs and dead letter queue headers.
const (
	stageTaskPut        = "TASK_PUT"
	stageTransformation = "TRANSFORMATION"
	stageKeyConverter   = "KEY_CONVERTER"
	stageValueConverter = "VALUE_CONVERTER"
	stageHeaderConv     = "HEADER_CONVERTER"
	stageKafkaProduce   = "KAFKA_PRODUCE"
)

// producerClass names the producer in failures of stage KAFKA_PRODUCE.
const producerClass = "github.com/IBM/sarama.AsyncProducer"

// retryDelayMin is the first wait before retrying a retriable failure
// (Kafka Connect's RETRIES_DELAY_MIN_MS).
const retryDelayMin = 300 * time.Millisecond

// errorPolicy is a connector's errors.* configuration.
type errorPolicy struct {
	tolerateAll  bool
	retryTimeout time.Duration // < 0: retry without end
	maxDelay     time.Duration
	logErrors    bool
	logRecords   bool
}

func parseErrorPolicy(v *config.Values) errorPolicy {
	p := errorPolicy{
		tolerateAll: v.String(ErrorsTolerance) == "all",
		maxDelay:    time.Duration(v.Long(ErrorsRetryMaxDelay)) * time.Millisecond,
		logErrors:   v.Bool(ErrorsLogEnable),
		logRecords:  v.Bool(ErrorsLogIncludeMessages),
	}
	if t := v.Long(ErrorsRetryTimeout); t < 0 {
		p.retryTimeout = -1
	} else {
		p.retryTimeout = time.Duration(t) * time.Millisecond
	}
	return p
}

// failure is one failed operation on one record: where it failed, in which
// class, why, and the record (as consumed for sinks, as polled for sources).
type failure struct {
	stage    string
	class    string
	err      error
	consumed *sarama.ConsumerMessage
	source   *connectors.SourceRecord
}

// describe renders the failure's context as Kafka Connect's
// ProcessingContext does: "Executing stage 'S' with class 'C', where
// consumed record is {topic='t', partition=0, offset=5}". withRecord adds a
// source record's key, value and headers; a consumed record is only ever
// named by its coordinates.
func (f *failure) describe(withRecord bool) string {
	var b strings.Builder
	b.WriteString("Executing stage '" + f.stage + "' with class '" + f.class + "'")
	switch {
	case f.consumed != nil:
		m := f.consumed
		fmt.Fprintf(&b, ", where consumed record is {topic='%s', partition=%d, offset=%d", m.Topic, m.Partition, m.Offset)
		if !m.Timestamp.IsZero() {
			fmt.Fprintf(&b, ", timestamp=%d, timestampType=CreateTime", m.Timestamp.UnixMilli())
		}
		b.WriteByte('}')
	case f.source != nil:
		r := f.source
		fmt.Fprintf(&b, ", where source record is {topic='%s', sourcePartition=%s, sourceOffset=%s", r.Topic, javafmt.Map(r.SourcePartition), javafmt.Map(r.SourceOffset))
		if withRecord {
			fmt.Fprintf(&b, ", keySchema=%v, key=%s, valueSchema=%v, value=%s, headers=%s", r.KeySchema, formatAny(r.KeySchema, r.Key), r.ValueSchema, formatAny(r.ValueSchema, r.Value), formatHeaders(r.Headers))
		}
		b.WriteByte('}')
	}
	return b.String()
}

func formatAny(s *schemas.Schema, v any) string {
	out, err := schemas.FormatValue(s, v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return out
}

func formatHeaders(h connectors.Headers) string {
	parts := make([]string, len(h))
	for i, x := range h {
		parts[i] = x.Key + "=" + formatAny(x.Schema, x.Value)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// toleranceExceeded is the error that fails a task when a record fails and
// errors.tolerance is none (or a failure no tolerance covers).
type toleranceExceeded struct {
	f *failure
}

func (e *toleranceExceeded) Error() string {
	return "Tolerance exceeded in error handler: " + e.f.describe(false) + ": " + e.f.err.Error()
}

func (e *toleranceExceeded) Unwrap() error { return e.f.err }

// errorHandler is a task's Kafka Connect RetryWithToleranceOperator with
// its reporters: it retries retriable failures, logs failures, sends failed
// sink records to the dead letter queue, and decides whether the task goes
// on. handle and flush may be called from any goroutine (a sink task's
// errant record reports).
type errorHandler struct {
	policy errorPolicy
	id     herder.TaskID
	log    *slog.Logger
	dlq    *deadLetterQueue // nil without one
	// metrics count the failures (task-error-metrics); nil counts none.
	metrics *TaskMetrics

	mu     sync.Mutex
	failed int64 // failures so far
}

// retry calls op again while it fails with a retriable error, waiting 300
// ms, then twice as long each time up to errors.retry.delay.max.ms (then a
// random wait up to it), until errors.retry.timeout has passed or ctx ends.
// It returns op's last error. first is op's first error.
func (h *errorHandler) retry(ctx context.Context, first error, op func() error) error {
	err := first
	if err == nil || !connectors.IsRetriable(err) || h.policy.retryTimeout == 0 {
		return err
	}
	start := time.Now()
	for attempt := 0; ; attempt++ {
		delay := retryDelayMin << min(attempt, 30)
		if delay > h.policy.maxDelay || delay <= 0 {
			delay = time.Duration(rand.Int64N(int64(h.policy.maxDelay) + 1))
		}
		if h.policy.retryTimeout > 0 {
			left := h.policy.retryTimeout - time.Since(start)
			if left <= 0 {
				return err
			}
			delay = min(delay, left)
		}
		h.log.Debug("retrying after a retriable error", "err", err, "after", delay)
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return err
		case <-timer.C:
		}
		h.metrics.add(Retries, 1)
		if err = op(); err == nil || !connectors.IsRetriable(err) {
			return err
		}
	}
}

// try calls op and, while it fails with a retriable error, calls it again
// as retry does; it returns op's last error. op stores the call's results
// in its caller's variables, so that each call is written once. op does not
// escape: try allocates nothing when op succeeds.
func (h *errorHandler) try(ctx context.Context, op func() error) error {
	if err := op(); err != nil {
		return h.retry(ctx, err, op)
	}
	return nil
}

// handle reports a failure (log, dead letter queue) and returns nil when
// the record may be skipped, or the error that fails the task. tolerable is
// false for stages errors.tolerance does not cover.
func (h *errorHandler) handle(f *failure, tolerable bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failed++
	if h.policy.logErrors {
		h.log.Error("Error encountered in task "+h.id.String()+". "+f.describe(h.policy.logRecords)+".", "err", f.err)
	}
	if h.dlq != nil && f.consumed != nil {
		h.dlq.add(f, h.id)
	}
	skipped := tolerable && h.policy.tolerateAll
	h.metrics.failed(skipped, h.policy.logErrors)
	if !skipped {
		return &toleranceExceeded{f: f}
	}
	return nil
}

// deadLetterQueue collects the raw records a sink task failed on and writes
// them to the errors.deadletterqueue.topic.name topic. flush writes them
// synchronously, before the offsets covering them are committed, so a
// failed record is never lost between the source topic and the queue.
type deadLetterQueue struct {
	topic    string
	headers  bool
	producer sarama.SyncProducer
	client   *kafka.WaitingClient // the producer's; Abort ends its waits
	pending  []*sarama.ProducerMessage
}

// Header names of the error context (Kafka Connect's
// DeadLetterQueueReporter).
const errHeaderPrefix = "__connect.errors."

func (d *deadLetterQueue) add(f *failure, id herder.TaskID) {
	m := f.consumed
	msg := &sarama.ProducerMessage{Topic: d.topic, Timestamp: m.Timestamp}
	if m.Key != nil {
		msg.Key = sarama.ByteEncoder(m.Key)
	}
	if m.Value != nil {
		msg.Value = sarama.ByteEncoder(m.Value)
	}
	for _, h := range m.Headers {
		if h != nil {
			msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: h.Key, Value: h.Value})
		}
	}
	if d.headers {
		add := func(k, v string) {
			msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: []byte(errHeaderPrefix + k), Value: []byte(v)})
		}
		add("topic", m.Topic)
		add("partition", strconv.Itoa(int(m.Partition)))
		add("offset", strconv.FormatInt(m.Offset, 10))
		add("connector.name", id.Connector)
		add("task.id", strconv.Itoa(id.Task))
		add("stage", f.stage)
		add("class.name", f.class)
		add("exception.class.name", exceptionClass(f.err))
		add("exception.message", f.err.Error())
		add("exception.stacktrace", errorChain(f.err))
	}
	d.pending = append(d.pending, msg)
}

// flush writes the failed records waiting for the dead letter queue and
// waits for Kafka's acknowledgement.
func (h *errorHandler) flush() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	if h.dlq != nil {
		n = len(h.dlq.pending)
	}
	err := h.dlq.flush()
	h.metrics.add(DLQProduceRequests, n)
	if err != nil {
		h.metrics.add(DLQProduceFailures, n)
	}
	return err
}

func (d *deadLetterQueue) flush() error {
	if d == nil || len(d.pending) == 0 {
		return nil
	}
	err := d.producer.SendMessages(d.pending)
	n := len(d.pending)
	clear(d.pending)
	d.pending = d.pending[:0]
	if err != nil {
		return fmt.Errorf("could not produce %d records to dead letter queue topic %s: %w", n, d.topic, err)
	}
	return nil
}

func (d *deadLetterQueue) close() {
	if d != nil {
		d.producer.Close()
		_ = d.client.Close()
	}
}

// abort makes a flush that waits for Kafka fail at once.
func (d *deadLetterQueue) abort() {
	if d != nil {
		d.client.Abort()
	}
}

// exceptionClass names an error the way a Java consumer of the dead letter
// queue expects: Kafka Connect's exception classes for sluice's data,
// config and retriable errors, else the Go type.
func exceptionClass(err error) string {
	var de *schemas.DataError
	var ce *config.Error
	var ve *config.ValueError
	switch {
	case connectors.IsRetriable(err):
		return "org.apache.kafka.connect.errors.RetriableException"
	case errors.As(err, &de):
		return "org.apache.kafka.connect.errors.DataException"
	case errors.As(err, &ce), errors.As(err, &ve):
		return "org.apache.kafka.common.config.ConfigException"
	}
	return fmt.Sprintf("%T", err)
}

// errorChain renders an error and the errors it wraps, one per line, in
// the place of Java's stack trace.
func errorChain(err error) string {
	var b strings.Builder
	for i := 0; err != nil; i++ {
		if i > 0 {
			b.WriteString("\nCaused by: ")
		}
		fmt.Fprintf(&b, "%T: %s", err, err.Error())
		err = errors.Unwrap(err)
	}
	return b.String()
}
