package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// Kafka's own clients wait out what a broker outage, a leader election or
// a topic that is still being created look like: the Java producer blocks
// in send() for max.block.ms until it has metadata, and retries a batch
// until delivery.timeout.ms (Kafka Connect sets both to "forever" for its
// workers). sarama instead fails a message as soon as a metadata refresh
// fails (a few hundred milliseconds without brokers), and then sends the
// messages behind it, so a short outage both failed source tasks and
// wrote later records before earlier ones.
//
// WaitingClient restores the Java behaviour underneath sarama's producer
// and consumer: every metadata lookup they make (RefreshMetadata, Leader,
// Partitions) retries a retriable failure with a capped exponential
// backoff until it succeeds, the client is aborted, or the error is not
// retriable. sarama makes those lookups from the one goroutine that owns a
// partition's queue, so while it waits the partition's later messages wait
// behind it, in order, and nothing is lost or reordered. Waits are
// reported to a Watch, which tells the task's status and log. They back off
// as Retry does.

// ErrAborted is what a WaitingClient's lookups return once it is aborted.
var ErrAborted = fmt.Errorf("%w: the client was aborted", sarama.ErrClosedClient)

// WaitingClient is a sarama.Client whose metadata lookups wait out
// retriable failures; see above.
type WaitingClient struct {
	sarama.Client
	addrs     []string
	diagnosed sync.Once
	watch     *Watch
	dialer    *abortDialer
	aborted   chan struct{}
	once      sync.Once
}

// NewWaitingClient creates a client for addrs. It does not contact Kafka
// (cfg.Metadata.Full is turned off), so it cannot fail for want of a
// broker: the first lookup waits for one. watch may be nil.
func NewWaitingClient(addrs []string, cfg *sarama.Config, watch *Watch) (*WaitingClient, error) {
	c := *cfg
	c.Metadata.Full = false
	dialer := useAbortDialer(&c)
	inner, err := sarama.NewClient(addrs, &c)
	if err != nil {
		return nil, err
	}
	return &WaitingClient{Client: inner, addrs: addrs, watch: watch, dialer: dialer, aborted: make(chan struct{})}, nil
}

// Abort ends every wait at once with ErrAborted and closes the client's
// connections (and those being opened), so that requests in flight fail
// at once instead of completing later: a producer whose task has stopped
// must never write again.
func (c *WaitingClient) Abort() {
	c.once.Do(func() {
		close(c.aborted)
		c.dialer.abort()
		_ = c.Client.Close()
	})
}

// Aborted reports whether Abort was called.
func (c *WaitingClient) Aborted() bool {
	select {
	case <-c.aborted:
		return true
	default:
		return false
	}
}

// Close closes the client; closing an aborted client is not an error.
func (c *WaitingClient) Close() error {
	if c.Aborted() {
		return nil
	}
	err := c.Client.Close()
	if errors.Is(err, sarama.ErrClosedClient) {
		return nil
	}
	return err
}

// SecurityFailure returns err explained when it is a security failure, or
// (once per client: it opens connections) the security failure a fresh
// connection finds behind a connection error; else err. For what a
// WaitingClient does not wait out itself: creating a producer.
func (c *WaitingClient) SecurityFailure(err error) error {
	if err == nil || IsSecurityError(err) {
		return ExplainSecurity(err, c.Client.Config().ClientID)
	}
	out := err
	if worthDiagnosing(err) {
		c.diagnosed.Do(func() { out = WithDiagnosis(err, c.addrs, c.Client.Config(), c.aborted) })
	}
	return out
}

// RefreshMetadata refreshes the metadata of topics, waiting while Kafka
// cannot be reached.
func (c *WaitingClient) RefreshMetadata(topics ...string) error {
	return c.wait(func() string { return fmt.Sprintf("metadata of %v", topics) }, func() error { return c.Client.RefreshMetadata(topics...) })
}

// Leader returns the leader of a partition, waiting while it has none or
// the topic is not known yet.
func (c *WaitingClient) Leader(topic string, partition int32) (*sarama.Broker, error) {
	var b *sarama.Broker
	err := c.wait(func() string { return fmt.Sprintf("leader of %s-%d", topic, partition) }, func() (err error) {
		b, err = c.Client.Leader(topic, partition)
		if err != nil && Retriable(err) {
			_ = c.Client.RefreshMetadata(topic)
		}
		return err
	})
	return b, err
}

// Partitions returns a topic's partitions, waiting while the topic is
// unknown (being created, or not yet visible to the broker asked).
// sarama's producer asks for every record: the answer in the client's
// cache comes first, without a wait being set up.
func (c *WaitingClient) Partitions(topic string) ([]int32, error) {
	if ps, err := c.Client.Partitions(topic); err == nil {
		return ps, nil
	}
	var ps []int32
	err := c.wait(func() string { return "partitions of " + topic }, func() (err error) {
		ps, err = c.Client.Partitions(topic)
		return err
	})
	return ps, err
}

// WritablePartitions returns the partitions of a topic that have a
// leader, waiting while there are none; the cache's answer comes first, as
// for Partitions.
func (c *WaitingClient) WritablePartitions(topic string) ([]int32, error) {
	if ps, err := c.Client.WritablePartitions(topic); err == nil && len(ps) > 0 {
		return ps, nil
	}
	var ps []int32
	err := c.wait(func() string { return "writable partitions of " + topic }, func() (err error) {
		ps, err = c.Client.WritablePartitions(topic)
		if err == nil && len(ps) == 0 {
			_ = c.Client.RefreshMetadata(topic)
			err = sarama.ErrLeaderNotAvailable
		}
		return err
	})
	return ps, err
}

// wait calls op until it succeeds, fails for good, or the client is
// aborted, backing off between attempts and telling the watch what it
// waits for (what, called only then: sarama's producer looks a topic's
// partitions up for every record).
func (c *WaitingClient) wait(what func() string, op func() error) (err error) {
	var waiting bool
	defer func() {
		if waiting {
			c.watch.end(errors.Is(err, ErrAborted))
		}
	}()
	backoff := retryBackoffMin
	for {
		if c.Aborted() {
			return ErrAborted
		}
		err = op()
		if err == nil || !Retriable(err) {
			if err != nil && c.Aborted() {
				return ErrAborted
			}
			return ExplainSecurity(err, c.Client.Config().ClientID)
		}
		if !waiting {
			// Before waiting, once: is it a security failure that looks
			// like an outage?
			if worthDiagnosing(err) {
				if serr := Diagnose(c.addrs, c.Client.Config(), c.aborted); serr != nil {
					return ExplainSecurity(serr, c.Client.Config().ClientID)
				}
			}
			waiting = true
			c.watch.begin(fmt.Errorf("%s: %w", what(), err))
		} else {
			c.watch.cause(fmt.Errorf("%s: %w", what(), err))
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-c.aborted:
			t.Stop()
			return ErrAborted
		}
		backoff = nextBackoff(backoff, retryBackoffMin, retryBackoffMax)
	}
}

// RetryWatched is Retry for a task's Kafka clients: while op fails with
// retriable errors it is retried with the same backoff until it succeeds,
// fails for good, or ctx ends, and watch (which may be nil) is told that
// the task waits, which its status and log then say, once. It is for what
// a WaitingClient cannot wait out by itself: creating a producer (its
// producer id) or a dead letter queue's topic.
func RetryWatched(ctx context.Context, watch *Watch, what string, op func() error) (err error) {
	var waiting bool
	defer func() {
		if waiting {
			watch.end(ctx.Err() != nil)
		}
	}()
	backoff := retryBackoffMin
	for {
		err = op()
		if err == nil || !Retriable(err) {
			return ExplainSecurity(err, "")
		}
		if !waiting {
			waiting = true
			watch.begin(fmt.Errorf("%s: %w", what, err))
		} else {
			watch.cause(fmt.Errorf("%s: %w", what, err))
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (last error: %w)", what, ctx.Err(), err)
		}
		backoff = nextBackoff(backoff, retryBackoffMin, retryBackoffMax)
	}
}

// Watch follows the waits of a task's Kafka clients: it calls OnChange
// when the first wait begins and when the last one ends, never for each
// attempt, so that a task's status and log change once per outage rather
// than once per retry. The zero Watch and a nil *Watch ignore everything.
type Watch struct {
	// OnChange is called, outside the watch's lock and never concurrently
	// with itself, on every change between waiting and not waiting.
	OnChange func(WaitChange)

	mu      sync.Mutex
	waiters int
	since   time.Time
	last    error

	notify sync.Mutex // serialises OnChange calls in the order of changes
}

// WaitChange is a change of a Watch: a wait began, or the last one ended.
type WaitChange struct {
	// Waiting is true when the first wait began, false when the last ended.
	Waiting bool
	// Since is when the wait began; Cause is its latest reason.
	Since time.Time
	Cause error
	// GaveUp, when Waiting is false, says that the last wait ended because
	// it was given up (its client aborted, its task stopping), not because
	// Kafka answered.
	GaveUp bool
}

// Begin records that a wait began, for cause. Every Begin is followed by
// one End.
func (w *Watch) Begin(cause error) { w.begin(cause) }

// Cause records the latest reason of a wait under way.
func (w *Watch) Cause(cause error) { w.cause(cause) }

// End records that a wait ended: Kafka answered, or (gaveUp) the wait was
// given up.
func (w *Watch) End(gaveUp bool) { w.end(gaveUp) }

func (w *Watch) begin(cause error) {
	if w == nil {
		return
	}
	w.notify.Lock()
	defer w.notify.Unlock()
	w.mu.Lock()
	w.waiters++
	w.last = cause
	first := w.waiters == 1
	if first {
		w.since = time.Now()
	}
	since := w.since
	w.mu.Unlock()
	if first && w.OnChange != nil {
		w.OnChange(WaitChange{Waiting: true, Since: since, Cause: cause})
	}
}

func (w *Watch) cause(cause error) {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.last = cause
	w.mu.Unlock()
}

func (w *Watch) end(gaveUp bool) {
	if w == nil {
		return
	}
	w.notify.Lock()
	defer w.notify.Unlock()
	w.mu.Lock()
	w.waiters--
	last := w.waiters == 0
	since, cause := w.since, w.last
	w.mu.Unlock()
	if last && w.OnChange != nil {
		w.OnChange(WaitChange{Since: since, Cause: cause, GaveUp: gaveUp})
	}
}

// Waiting reports whether a wait is under way, since when, and its latest
// cause.
func (w *Watch) Waiting() (bool, time.Time, error) {
	if w == nil {
		return false, time.Time{}, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waiters > 0, w.since, w.last
}
