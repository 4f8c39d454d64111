package runtime

import (
	"time"

	"github.com/rcrowley/go-metrics"
)

// clientRegistry is the go-metrics registry of a task's Kafka client (its
// sarama Config.MetricRegistry): the few meters and histograms sarama
// keeps that Kafka's producer-metrics and consumer-fetch-manager-metrics
// have a figure for become counters and stats of the task's TaskMetrics;
// every other one is go-metrics' nil metric. Nothing is registered, locked
// or allocated: a sarama call costs a map lookup and an atomic add, where
// sarama's own registry (its metrics switched off with
// metrics.UseNilMetrics) takes a lock and a map lookup. The process's
// other clients (the stores', the admin clients, dead letter queues) keep
// sarama's registry with its nil metrics.
type clientRegistry struct {
	metrics map[string]any // by sarama's name; built once, so that a call does not allocate
}

// newClientRegistry returns the registry for a task client named
// clientID, counting into m.
func newClientRegistry(m *TaskMetrics, clientID string) metrics.Registry {
	r := clientRegistry{metrics: map[string]any{}}
	if m == nil {
		return r
	}
	m.client.Store(&clientID)
	for name, c := range saramaMeters {
		r.metrics[name] = counterMeter{m: m, c: c}
	}
	for name, st := range saramaHistograms {
		r.metrics[name] = statHistogram{m: m, s: st}
	}
	for name, c := range saramaSums {
		r.metrics[name] = sumHistogram{m: m, c: c}
	}
	return r
}

// ClientID is the client id of the task's producer or consumer, "" when
// its figures are not gathered.
func (m *TaskMetrics) ClientID() string {
	if m == nil {
		return ""
	}
	if id := m.client.Load(); id != nil {
		return *id
	}
	return ""
}

// counterMeter is a go-metrics Meter adding its marks to a counter.
type counterMeter struct {
	metrics.NilMeter
	m *TaskMetrics
	c Counter
}

func (cm counterMeter) Mark(n int64) { cm.m.add(cm.c, int(n)) }

// statHistogram is a go-metrics Histogram recording into a stat.
type statHistogram struct {
	metrics.NilHistogram
	m *TaskMetrics
	s Stat
}

func (sh statHistogram) Update(v int64) { sh.m.record(sh.s, v, time.Now()) }

// sumHistogram is a go-metrics Histogram adding its values to a counter.
type sumHistogram struct {
	metrics.NilHistogram
	m *TaskMetrics
	c Counter
}

func (sh sumHistogram) Update(v int64) { sh.m.add(sh.c, int(v)) }

// The meters and histograms of sarama's that sluice reads, by the names
// sarama gives them. The per-broker and per-topic ones ("…-for-broker-1",
// "…-for-topic-t") are left out: the client's figures are the sums.
var (
	// saramaMeters add their marks to a counter.
	saramaMeters = map[string]Counter{
		"request-rate":        ClientRequests,
		"outgoing-byte-rate":  ClientOutgoingBytes,
		"incoming-byte-rate":  ClientIncomingBytes,
		"record-send-rate":    ProducerRecordSend,
		"consumer-fetch-rate": ConsumerFetches,
	}
	// saramaHistograms record their values into a stat.
	saramaHistograms = map[string]Stat{
		"request-latency-in-ms":        RequestLatency,
		"batch-size":                   ProducerBatchSize,
		"records-per-request":          ProducerRecordsPerRequest,
		"consumer-fetch-response-size": ConsumerFetchSize,
	}
	// saramaSums add their values to a counter: the records of one
	// partition in a fetch response, whose sum is the records consumed.
	saramaSums = map[string]Counter{
		"consumer-batch-size": ConsumerRecords,
	}
)

// GetOrRegister returns the metric sluice keeps for name, else the nil
// metric of the kind constructor makes.
func (r clientRegistry) GetOrRegister(name string, constructor any) any {
	if m, ok := r.metrics[name]; ok {
		return m
	}
	return nilMetric(constructor)
}

// nilMetric is go-metrics' nil metric of the kind constructor makes (or
// is).
func nilMetric(constructor any) any {
	switch constructor.(type) {
	case func() metrics.Meter, metrics.Meter:
		return metrics.NilMeter{}
	case func() metrics.Histogram, metrics.Histogram:
		return metrics.NilHistogram{}
	case func() metrics.Counter, metrics.Counter:
		return metrics.NilCounter{}
	case func() metrics.Gauge, metrics.Gauge:
		return metrics.NilGauge{}
	case func() metrics.Timer, metrics.Timer:
		return metrics.NilTimer{}
	}
	return nil
}

// Each calls nothing: nothing is registered.
func (clientRegistry) Each(func(string, any)) {}

// Get returns nil: nothing is registered.
func (clientRegistry) Get(string) any { return nil }

// GetAll returns nothing: nothing is registered.
func (clientRegistry) GetAll() map[string]map[string]any { return nil }

// Register registers nothing.
func (clientRegistry) Register(string, any) error { return nil }

// RunHealthchecks runs nothing.
func (clientRegistry) RunHealthchecks() {}

// Unregister has nothing to remove.
func (clientRegistry) Unregister(string) {}

// UnregisterAll has nothing to remove.
func (clientRegistry) UnregisterAll() {}
