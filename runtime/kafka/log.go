package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/eapache/go-resiliency/breaker"
)

// LogConfig configures a Log: the topic, how to reach the brokers and where
// the records read go.
type LogConfig struct {
	// Topic is the compacted topic the log reads and writes.
	Topic string
	// Brokers are the bootstrap addresses.
	Brokers []string
	// Sarama holds the base client settings (version, security, ClientID);
	// nil means sarama's defaults with Version. It is copied, never changed.
	Sarama *sarama.Config
	// ClientID overrides the client id, e.g. "<group.id>-configs".
	ClientID string
	// Apply is called for every record read, from one goroutine, in offset
	// order per partition.
	Apply func(LogRecord)
	// Log receives the log's diagnostics; nil means slog.Default().
	Log *slog.Logger
	// OnRetry, if not nil, sees every retriable error Start waits out
	// (e.g. to say what a starting worker waits for).
	OnRetry func(error)
}

// Log is Kafka Connect's KafkaBasedLog on sarama: it reads every partition
// of a compacted topic from its beginning without a consumer group, hands
// each record to Apply, keeps tailing the topic, and writes records with a
// producer that keeps per-key order.
//
// A partition is caught up when Apply has seen every record below the end
// offset captured by ReadToEnd. sarama never delivers control records
// (transaction markers) nor offsets compaction removed, so a partition whose
// tail is one of those would never reach its end offset by counting
// delivered records; when a partition stalls below its end, Log asks the
// partition leader directly whether any data record lies between its
// position and the end offset, and treats the partition as caught up when
// none does.
//
// Kafka's metadata lags: a topic another worker has just created may be
// unknown to the broker asked, and a broker may name a partition's leader
// in its metadata a moment before that leader serves it. Start and
// ReadToEnd therefore retry what fails with a retriable error (no broker
// reachable, unknown topic or partition, not the leader, ...), refreshing
// the topic's metadata between attempts, until their context ends; while
// the brokers are away the tail waits for them, and both log once per
// change of state, not per attempt.
type Log struct {
	topic   string
	brokers []string
	ccfg    *sarama.Config // consumer side
	pcfg    *sarama.Config // producer side: one request in flight
	apply   func(LogRecord)
	log     *slog.Logger
	onRetry func(error)

	// Set up by Start, under mu; read without it once ready is true.
	cclient    sarama.Client
	pclient    sarama.Client
	consumer   sarama.Consumer
	producer   sarama.SyncProducer
	partitions []int32
	fetchVer   int16

	mu       sync.Mutex
	position map[int32]int64 // next offset Apply has not seen, per partition
	progress chan struct{}   // closed and replaced whenever position moves
	started  bool            // Start was called
	ready    bool            // Start has set up the clients and the partition consumers
	closed   bool
	closing  chan struct{} // closed by Close: ends Start's and ReadToEnd's waits
	pcs      []sarama.PartitionConsumer
	tail     tailHealth

	msgs    chan *sarama.ConsumerMessage
	forward sync.WaitGroup // partition forwarders, and Start while it adds them
	applied chan struct{}  // closed when the apply goroutine ends

	sendMu sync.Mutex // one Send at a time keeps the order of concurrent callers' batches
}

// tailHealth is whether the partition consumers are failing, for logging
// the change of state once; Log.mu guards it.
type tailHealth struct {
	failing   bool
	since     time.Time
	lastError time.Time
	errors    int
}

// sendRetries and sendBackoff bound how long the producer retries a record.
const sendRetries = 1000

func sendBackoff(retries, _ int) time.Duration {
	if retries >= 4 {
		return time.Second
	}
	return 100 * time.Millisecond << retries
}

// logMaxWait caps the consumer's fetch long poll.
const logMaxWait = 100 * time.Millisecond

// stallProbe is how long a lagging partition may go without progress before
// ReadToEnd asks its leader whether records are still to come.
const stallProbe = 200 * time.Millisecond

// tailProbe is how often a failing tail checks whether the topic's
// partitions can be read again; tailQuiet is how long no partition consumer
// may have reported an error before the tail counts as recovered (sarama's
// partition consumers retry every Consumer.Retry.Backoff, 2 s by default).
const (
	tailProbe = time.Second
	tailQuiet = 3 * time.Second
)

// metadataLagQuiet is how long Start and ReadToEnd retry before they warn:
// right after a topic is created its metadata lags for a moment.
const metadataLagQuiet = 2 * time.Second

// errLogClosed ends the waits of a log that is being closed.
var errLogClosed = errors.New("log closed")

// OpenLog prepares the log's clients. It does not connect: Start does,
// and waits for the brokers and the topic. It never creates the topic:
// EnsureTopic does.
func OpenLog(cfg LogConfig) (*Log, error) {
	if cfg.Topic == "" {
		return nil, errors.New("open log: no topic")
	}
	if cfg.Apply == nil {
		return nil, fmt.Errorf("open log of topic %s: no Apply callback", cfg.Topic)
	}
	if len(cfg.Brokers) == 0 {
		return nil, fmt.Errorf("open log of topic %s: no bootstrap brokers", cfg.Topic)
	}
	lg := cfg.Log
	if lg == nil {
		lg = slog.Default()
	}
	base := sarama.NewConfig()
	base.Version = Version
	if cfg.Sarama != nil {
		c := *cfg.Sarama
		base = &c
	}
	if cfg.ClientID != "" {
		base.ClientID = cfg.ClientID
	}
	// Never create the topic by asking for its metadata: EnsureTopic
	// creates it with the right settings.
	base.Metadata.AllowAutoTopicCreation = false

	ccfg := *base
	ccfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	ccfg.Consumer.Return.Errors = true
	ccfg.Consumer.IsolationLevel = sarama.ReadUncommitted
	// A partition consumer retries for as long as the log is open.
	ccfg.Consumer.Retry.Max = 0
	// Measured against Kafka 4: a sarama long poll is not always woken by
	// new records, so ReadToEnd after a write waited up to two
	// MaxWaitTimes (1 s at the default 500 ms). Internal topics are small;
	// a short poll keeps read-after-write fast.
	if ccfg.Consumer.MaxWaitTime > logMaxWait || ccfg.Consumer.MaxWaitTime <= 0 {
		ccfg.Consumer.MaxWaitTime = logMaxWait
	}

	pcfg := *base
	// Kafka Connect's KafkaBasedLog producers: enable.idempotence=false
	// (KafkaOffsetBackingStore.configure, KafkaStatusBackingStore.configure),
	// acks=all and long retries (delivery.timeout.ms=Integer.MAX_VALUE); one
	// request in flight keeps per-partition order across retries.
	pcfg.Producer.Idempotent = false
	pcfg.Producer.Transaction.ID = ""
	pcfg.Producer.RequiredAcks = sarama.WaitForAll
	pcfg.Net.MaxOpenRequests = 1
	// sarama keeps a slice of Retry.Max+1 entries per partition, so "retry
	// forever" is spelt as many retries with a capped exponential backoff:
	// about a quarter of an hour before Send gives up.
	pcfg.Producer.Retry.Max = sendRetries
	pcfg.Producer.Retry.BackoffFunc = sendBackoff
	pcfg.Producer.Partitioner = sarama.NewMurmur2Partitioner
	pcfg.Producer.Return.Successes = true
	pcfg.Producer.Return.Errors = true
	for _, c := range []*sarama.Config{&ccfg, &pcfg} {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("open log of topic %s: client settings: %w", cfg.Topic, err)
		}
	}

	l := &Log{
		topic: cfg.Topic, brokers: cfg.Brokers, ccfg: &ccfg, pcfg: &pcfg, apply: cfg.Apply, log: lg, onRetry: cfg.OnRetry,
		fetchVer: fetchVersion(ccfg.Version),
		position: make(map[int32]int64),
		progress: make(chan struct{}),
		closing:  make(chan struct{}),
		msgs:     make(chan *sarama.ConsumerMessage, 256),
		applied:  make(chan struct{}),
	}
	return l, nil
}

// Partitions returns the number of partitions of the topic, once Start
// has found them.
func (l *Log) Partitions() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.partitions)
}

// Start connects to the brokers, assigns every partition from its oldest
// offset, reads the topic to its end and keeps tailing it. It waits out
// retriable errors (see Log) until ctx ends; another error ends it at once.
func (l *Log) Start(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return fmt.Errorf("start log of topic %s: closed", l.topic)
	}
	if l.started {
		l.mu.Unlock()
		return fmt.Errorf("start log of topic %s: already started", l.topic)
	}
	l.started = true
	// Hold the forwarders' group open while partitions are added, so that
	// the apply goroutine ends only after Start and every forwarder have.
	l.forward.Add(1)
	l.mu.Unlock()
	go func() {
		l.forward.Wait()
		close(l.msgs)
	}()
	go l.applyLoop()

	rl := &RetryLog{Log: l.log, What: "start reading internal topic " + l.topic, Quiet: metadataLagQuiet}
	err := Retry(ctx, l.closing, rl, l.onRetry, l.setUp)
	l.forward.Done()
	if err != nil {
		return fmt.Errorf("start log of topic %s: %w", l.topic, err)
	}
	if err := l.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("start log of topic %s: %w", l.topic, err)
	}
	return nil
}

// setUp is one attempt at what Start sets up; it goes on from where the
// previous attempt failed.
func (l *Log) setUp() error {
	if l.cclient == nil {
		c, err := sarama.NewClient(l.brokers, l.ccfg)
		if err != nil {
			return fmt.Errorf("connect to the brokers at %s: %w", strings.Join(l.brokers, ","), err)
		}
		l.mu.Lock()
		l.cclient = c
		l.mu.Unlock()
	}
	if l.partitions == nil {
		// KafkaBasedLog.start: the topic may have been created a moment
		// ago, by this worker or another, and not be known to the broker
		// asked yet.
		if err := l.cclient.RefreshMetadata(l.topic); err != nil {
			return fmt.Errorf("metadata of the topic: %w", err)
		}
		parts, err := l.cclient.Partitions(l.topic)
		if err == nil && len(parts) == 0 {
			err = sarama.ErrUnknownTopicOrPartition
		}
		if err != nil {
			return fmt.Errorf("partitions of the topic: %w", err)
		}
		l.mu.Lock()
		l.partitions = parts
		l.mu.Unlock()
	}
	if l.consumer == nil {
		c, err := sarama.NewConsumerFromClient(l.cclient)
		if err != nil {
			return fmt.Errorf("consumer: %w", err)
		}
		l.mu.Lock()
		l.consumer = c
		l.mu.Unlock()
	}
	for _, p := range l.partitions[len(l.pcs):] {
		// The partition's leader may not serve it yet though the metadata
		// names it (NOT_LEADER_OR_FOLLOWER while the broker applies the
		// change): refresh the metadata and try again.
		pc, err := l.consumer.ConsumePartition(l.topic, p, sarama.OffsetOldest)
		if err != nil {
			_ = l.cclient.RefreshMetadata(l.topic)
			return fmt.Errorf("consume partition %d: %w", p, err)
		}
		l.mu.Lock()
		l.pcs = append(l.pcs, pc)
		if l.closed {
			pc.AsyncClose()
		}
		l.mu.Unlock()
		l.forward.Add(1)
		go l.forwardPartition(pc, p)
	}
	if l.pclient == nil {
		c, err := sarama.NewClient(l.brokers, l.pcfg)
		if err != nil {
			return fmt.Errorf("connect the producer to the brokers at %s: %w", strings.Join(l.brokers, ","), err)
		}
		l.mu.Lock()
		l.pclient = c
		l.mu.Unlock()
	}
	if l.producer == nil {
		p, err := sarama.NewSyncProducerFromClient(l.pclient)
		if err != nil {
			return fmt.Errorf("producer: %w", err)
		}
		l.mu.Lock()
		l.producer = p
		l.mu.Unlock()
	}
	l.mu.Lock()
	l.ready = true
	l.mu.Unlock()
	return nil
}

// forwardPartition hands one partition's records, in order, to the apply
// goroutine, and notes consumer errors.
func (l *Log) forwardPartition(pc sarama.PartitionConsumer, p int32) {
	defer l.forward.Done()
	msgs, errs := pc.Messages(), pc.Errors()
	for msgs != nil || errs != nil {
		select {
		case m, ok := <-msgs:
			if !ok {
				msgs = nil
				continue
			}
			l.msgs <- m
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			l.tailFailed(p, err)
		}
	}
}

// tailFailed notes a partition consumer's error. sarama's partition
// consumer retries by itself, reporting an error per attempt while the
// brokers are away; the first one is a WARN, the others DEBUG, and a probe
// logs when the topic can be read again.
func (l *Log) tailFailed(p int32, err error) {
	l.mu.Lock()
	t := &l.tail
	now := time.Now()
	t.lastError = now
	t.errors++
	first := !t.failing && !l.closed
	if first {
		t.failing, t.since, t.errors = true, now, 1
	}
	l.mu.Unlock()
	if !first {
		l.log.Debug("reading internal topic failed again; retrying", "topic", l.topic, "partition", p, "error", err)
		return
	}
	l.log.Warn("reading internal topic failed; retrying until it can be read again", "topic", l.topic, "partition", p, "error", err)
	go l.watchTail()
}

// watchTail probes a failing tail until the topic can be read again and
// no partition consumer has failed for tailQuiet, then logs the recovery.
func (l *Log) watchTail() {
	tick := time.NewTicker(tailProbe)
	defer tick.Stop()
	for {
		select {
		case <-l.closing:
			return
		case <-tick.C:
		}
		l.mu.Lock()
		quiet := time.Since(l.tail.lastError) >= tailQuiet
		l.mu.Unlock()
		if !quiet || l.probe() != nil {
			continue
		}
		l.mu.Lock()
		t := l.tail
		l.tail = tailHealth{}
		l.mu.Unlock()
		l.log.Info("reading internal topic again", "topic", l.topic, "failing_for", time.Since(t.since).Round(time.Millisecond),
			"errors", t.errors)
		return
	}
}

// probe asks the partition leaders for the end offsets of every partition.
func (l *Log) probe() error {
	if err := l.cclient.RefreshMetadata(l.topic); err != nil {
		return err
	}
	for _, p := range l.partitions {
		if _, err := l.cclient.GetOffset(l.topic, p, sarama.OffsetNewest); err != nil {
			return err
		}
	}
	return nil
}

// applyLoop calls Apply for every record, from this one goroutine, and
// advances the partition positions.
func (l *Log) applyLoop() {
	defer close(l.applied)
	for m := range l.msgs {
		l.apply(LogRecord{Key: m.Key, Value: m.Value, Partition: m.Partition, Offset: m.Offset})
		l.advance(m.Partition, m.Offset+1)
	}
}

func (l *Log) advance(p int32, next int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if next > l.position[p] {
		l.position[p] = next
		close(l.progress)
		l.progress = make(chan struct{})
	}
}

// ReadToEnd captures the end offsets of every partition and returns once
// Apply has been called for every record below them, or when ctx ends. It
// waits out retriable errors while it asks for the end offsets.
func (l *Log) ReadToEnd(ctx context.Context) error {
	l.mu.Lock()
	ready, closed := l.ready, l.closed
	l.mu.Unlock()
	if closed {
		return fmt.Errorf("read topic %s to its end: %w", l.topic, errLogClosed)
	}
	if !ready {
		return fmt.Errorf("read topic %s to its end: log not started", l.topic)
	}
	end := make(map[int32]int64, len(l.partitions))
	rl := &RetryLog{Log: l.log, What: "read the end offsets of internal topic " + l.topic, Quiet: metadataLagQuiet}
	err := Retry(ctx, l.closing, rl, nil, func() error {
		for _, p := range l.partitions {
			if _, ok := end[p]; ok {
				continue
			}
			// OffsetNewest is the high watermark (ListOffsets, read
			// uncommitted), as KafkaBasedLog's endOffsets with the default
			// isolation level.
			hwm, err := l.cclient.GetOffset(l.topic, p, sarama.OffsetNewest)
			if err != nil {
				_ = l.cclient.RefreshMetadata(l.topic)
				return fmt.Errorf("end offset of partition %d: %w", p, err)
			}
			end[p] = hwm
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read topic %s to its end: %w", l.topic, err)
	}
	lastProgress := time.Now()
	probe := time.NewTimer(stallProbe)
	defer probe.Stop()
	for {
		l.mu.Lock()
		var lagging []int32
		for _, p := range l.partitions {
			if l.position[p] < end[p] {
				lagging = append(lagging, p)
			}
		}
		progress := l.progress
		closed := l.closed
		l.mu.Unlock()
		if len(lagging) == 0 {
			return nil
		}
		if closed {
			return fmt.Errorf("read topic %s to its end: %w", l.topic, errLogClosed)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("read topic %s to its end: %w", l.topic, ctx.Err())
		case <-progress:
			lastProgress = time.Now()
		case <-probe.C:
			probe.Reset(stallProbe)
			if time.Since(lastProgress) < stallProbe {
				continue
			}
			for _, p := range lagging {
				l.mu.Lock()
				pos := l.position[p]
				l.mu.Unlock()
				pending, err := l.dataBelow(p, pos, end[p])
				if err != nil {
					l.log.Debug("probing internal topic partition", "topic", l.topic, "partition", p, "error", err)
					continue
				}
				if !pending {
					// Only control records or compacted-away offsets
					// remain below the end offset.
					l.advance(p, end[p])
				}
			}
		}
	}
}

// dataBelow reports whether partition p holds a data record (one the
// consumer will deliver) at an offset in [from, end). It fetches directly
// from the partition leader, where control batches are visible.
func (l *Log) dataBelow(p int32, from, end int64) (bool, error) {
	for from < end {
		broker, err := l.cclient.Leader(l.topic, p)
		if err != nil {
			return false, err
		}
		req := &sarama.FetchRequest{Version: l.fetchVer, MaxWaitTime: 0, MinBytes: 1, MaxBytes: 1 << 20,
			Isolation: sarama.ReadUncommitted, SessionID: 0, SessionEpoch: -1}
		req.AddBlock(l.topic, p, from, 1<<20, -1)
		resp, err := broker.Fetch(req)
		if err != nil {
			return false, err
		}
		block := resp.GetBlock(l.topic, p)
		if block == nil {
			return false, errors.New("no fetch response for the partition")
		}
		if errors.Is(block.Err, sarama.ErrOffsetOutOfRange) && block.LogStartOffset > from {
			// Records below the log start offset were deleted.
			from = block.LogStartOffset
			continue
		}
		if !errors.Is(block.Err, sarama.ErrNoError) {
			return false, block.Err
		}
		next := from
		for _, recs := range block.RecordsSet {
			switch {
			case recs.RecordBatch != nil:
				b := recs.RecordBatch
				if !b.Control {
					for _, r := range b.Records {
						if off := b.FirstOffset + r.OffsetDelta; off >= from && off < end {
							return true, nil
						}
					}
				}
				if last := b.FirstOffset + int64(b.LastOffsetDelta) + 1; last > next {
					next = last
				}
			case recs.MsgSet != nil:
				for _, m := range recs.MsgSet.Messages {
					if m.Offset >= from && m.Offset < end {
						return true, nil
					}
					if m.Offset+1 > next {
						next = m.Offset + 1
					}
				}
			}
		}
		if block.Partial {
			// A record too large for the probe: it is data.
			return true, nil
		}
		if next == from {
			// Nothing at or after from: the offsets up to the high
			// watermark were compacted away.
			return false, nil
		}
		from = next
	}
	return false, nil
}

// fetchVersion picks the Fetch request version sarama's own consumer uses
// for the configured Kafka version; the broker connection lowers it
// further to what the broker supports.
func fetchVersion(v sarama.KafkaVersion) int16 {
	switch {
	case v.IsAtLeast(sarama.V2_7_0_0):
		return 12
	case v.IsAtLeast(sarama.V2_3_0_0):
		return 11
	case v.IsAtLeast(sarama.V2_1_0_0):
		return 10
	case v.IsAtLeast(sarama.V2_0_0_0):
		return 8
	case v.IsAtLeast(sarama.V1_1_0_0):
		return 7
	case v.IsAtLeast(sarama.V0_11_0_0):
		return 5
	default:
		return 4
	}
}

// Send writes records in order, each to the partition the Java murmur2
// partitioner picks for its key, and returns once Kafka has acknowledged
// all of them (acks=all). If ctx ends first, Send returns ctx's error; the
// records may still be written.
func (l *Log) Send(ctx context.Context, records ...LogRecord) error {
	if len(records) == 0 {
		return nil
	}
	l.mu.Lock()
	ready, closed := l.ready, l.closed
	l.mu.Unlock()
	if closed {
		return fmt.Errorf("write to topic %s: %w", l.topic, errLogClosed)
	}
	if !ready {
		return fmt.Errorf("write to topic %s: log not started", l.topic)
	}
	msgs := make([]*sarama.ProducerMessage, len(records))
	for i, r := range records {
		m := &sarama.ProducerMessage{Topic: l.topic}
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(r.Key)
		}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		msgs[i] = m
	}
	done := make(chan error, 1)
	go func() {
		l.sendMu.Lock()
		defer l.sendMu.Unlock()
		err := l.producer.SendMessages(msgs)
		if err != nil && errors.Is(firstProducerError(err), breaker.ErrBreakerOpen) {
			l.renewProducer()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("write %d records to topic %s: %w", len(records), l.topic, firstProducerError(err))
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("write %d records to topic %s: %w", len(records), l.topic, ctx.Err())
	}
}

// renewProducer replaces the producer whose circuit breaker opened: after
// three failures to find a partition's leader (the brokers away), sarama's
// breaker fails every record at once for ten seconds, which would hold up
// writes that long after the brokers are back. The new producer, on the
// same client, starts with its breakers closed. sendMu is held.
func (l *Log) renewProducer() {
	p, err := sarama.NewSyncProducerFromClient(l.pclient)
	if err != nil {
		l.log.Debug("renewing the producer of internal topic", "topic", l.topic, "error", err)
		return
	}
	l.mu.Lock()
	old := l.producer
	l.producer = p
	l.mu.Unlock()
	if err := old.Close(); err != nil {
		l.log.Debug("closing the previous producer of internal topic", "topic", l.topic, "error", err)
	}
}

// firstProducerError unpacks sarama's ProducerErrors into the first
// record's error, so that errors.Is sees the Kafka error code.
func firstProducerError(err error) error {
	var pe sarama.ProducerErrors
	if errors.As(err, &pe) && len(pe) > 0 {
		return fmt.Errorf("%d failed, first: %w", len(pe), pe[0].Err)
	}
	return err
}

// Close stops tailing the topic and releases the clients. It ends Start's
// and ReadToEnd's waits and waits for the apply goroutine to finish its
// current record.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.closing)
	close(l.progress)
	l.progress = make(chan struct{})
	pcs, started := l.pcs, l.started
	l.mu.Unlock()

	for _, pc := range pcs {
		pc.AsyncClose()
	}
	if started {
		// Start has returned by then: it adds no partition consumer
		// after this.
		<-l.applied
	}
	l.mu.Lock()
	consumer, pclient, cclient := l.consumer, l.pclient, l.cclient
	l.mu.Unlock()
	var errs []error
	if consumer != nil {
		if err := consumer.Close(); err != nil {
			errs = append(errs, fmt.Errorf("consumer: %w", err))
		}
	}
	l.sendMu.Lock()
	l.mu.Lock()
	producer := l.producer // renewProducer may have replaced it until sendMu was ours
	l.mu.Unlock()
	if producer != nil {
		if err := producer.Close(); err != nil {
			errs = append(errs, fmt.Errorf("producer: %w", err))
		}
	}
	l.sendMu.Unlock()
	for _, c := range []sarama.Client{pclient, cclient} {
		if c == nil {
			continue
		}
		if err := c.Close(); err != nil && !errors.Is(err, sarama.ErrClosedClient) {
			errs = append(errs, fmt.Errorf("client: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close log of topic %s: %w", l.topic, err)
	}
	return nil
}

// Retriable reports whether a Send error may succeed when tried again, as
// Kafka's RetriableException does: a Kafka error code marked retriable, a
// network error (a connection refused, reset or closed under a request),
// no reachable broker, or sarama's producer circuit breaker open after
// such errors. Closed clients and ended contexts are not. An internal
// topic's creation refused for a replication factor larger than the
// brokers up is retriable too (see EnsureTopic), and so is an OAuth
// token endpoint's failure other than a refusal (a 5xx, 408 or 429).
func Retriable(err error) bool {
	if err == nil || securityHint(err) != "" {
		return false // authentication, TLS or security.protocol: another attempt fails the same way
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, sarama.ErrClosedClient) || errors.Is(err, sarama.ErrShuttingDown) {
		return false
	}
	var marked retriableTopicError
	if errors.As(err, &marked) {
		return true // see EnsureTopic
	}
	var oauth *oauthError
	if errors.As(err, &oauth) {
		return true // not refused (securityHint): the identity provider's 5xx, 408 or 429
	}
	var kerr sarama.KError
	if errors.As(err, &kerr) {
		switch kerr {
		case sarama.ErrUnknownTopicOrPartition, sarama.ErrLeaderNotAvailable, sarama.ErrNotLeaderForPartition,
			sarama.ErrRequestTimedOut, sarama.ErrNetworkException, sarama.ErrNotEnoughReplicas,
			sarama.ErrNotEnoughReplicasAfterAppend, sarama.ErrInvalidMessage, sarama.ErrKafkaStorageError,
			sarama.ErrOffsetsLoadInProgress, sarama.ErrConsumerCoordinatorNotAvailable,
			sarama.ErrNotCoordinatorForConsumer, sarama.ErrFencedLeaderEpoch, sarama.ErrUnknownLeaderEpoch,
			sarama.ErrOffsetNotAvailable, sarama.ErrPreferredLeaderNotAvailable, sarama.ErrEligibleLeadersNotAvailable,
			sarama.ErrThrottlingQuotaExceeded:
			return true
		}
		return false
	}
	var nerr net.Error
	if errors.As(err, &nerr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true // the connection broke: another attempt opens a new one
	}
	return errors.Is(err, sarama.ErrOutOfBrokers) || errors.Is(err, sarama.ErrNotConnected) ||
		errors.Is(err, breaker.ErrBreakerOpen)
}
