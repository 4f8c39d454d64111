// Package promexport serves a worker's metrics in Prometheus' text format.
//
// The names are those the JMX exporter gives Kafka Connect's MBeans under
// the rules of Confluent's jmx-monitoring-stacks (kafka_connect.yml): the
// MBean type is kept, hyphens become underscores, and the connector and
// task tags become labels, so kafka.connect:type=source-task-metrics,
// connector=c,task=0 attribute source-record-poll-total is
// kafka_connect_source_task_metrics_source_record_poll_total{connector="c",task="0"}.
//
// Nothing is recorded here: a Collector reads the tasks' counters
// (runtime.TaskMetrics, atomic integers the tasks add to) when /metrics is
// scraped.
package promexport

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
)

// Tasks lists a worker's tasks and their counters (*runtime.Worker).
type Tasks interface {
	TaskMetrics() []runtime.TaskSnapshot
}

// Connectors is what a worker (*runtime.Worker) tells of its connectors
// and startups; when the Tasks given to NewCollector is one too, the
// connector-metrics group and the rest of connect-worker-metrics are
// exported.
type Connectors interface {
	ConnectorMetrics() []runtime.ConnectorSnapshot
	StartupCounts() runtime.StartupCounts
}

// Rebalance is what a distributed worker's herder tells of its rebalances
// (*distributed.Herder): connect-worker-rebalance-metrics, which a
// standalone worker does not have.
type Rebalance interface {
	RebalanceMetrics() runtime.RebalanceSnapshot
}

// taskStates are the states connect-worker-metrics counts a connector's
// tasks in (connector-<state>-task-count). Kafka Connect's DESTROYED (a
// task of a deleted connector, for the moment before its metrics go) is
// not a state sluice reports: its count is always 0.
var taskStates = [...]herder.State{herder.Running, herder.Paused, herder.Failed, herder.Unassigned, "DESTROYED", herder.Restarting}

// name is the exported name of a Kafka Connect metric of a group.
func name(group, metric string) string {
	return "kafka_connect_" + strings.ReplaceAll(group+"_"+metric, "-", "_")
}

type taskMetric struct {
	desc    *prometheus.Desc
	counter runtime.Counter
	kind    prometheus.ValueType
	sink    int // 1: sink tasks only, -1: source tasks only, 0: both
}

// figure computes a task figure when scraped.
type figure func(m *runtime.TaskMetrics, w runtime.Window, now time.Time) float64

// total is a counter's value.
func total(c runtime.Counter) figure {
	return func(m *runtime.TaskMetrics, _ runtime.Window, _ time.Time) float64 { return float64(m.Get(c)) }
}

// rate is a counter's rate over the metric window.
func rate(c runtime.Counter) figure {
	return func(_ *runtime.TaskMetrics, w runtime.Window, _ time.Time) float64 { return w.Rate(c) }
}

// avg is a stat's average over the metric window.
func avg(s runtime.Stat) figure {
	return func(m *runtime.TaskMetrics, _ runtime.Window, now time.Time) float64 {
		a, _ := m.Stat(s, now)
		return a
	}
}

// most is a stat's maximum over the metric window.
func most(s runtime.Stat) figure {
	return func(m *runtime.TaskMetrics, _ runtime.Window, now time.Time) float64 {
		_, x := m.Stat(s, now)
		return x
	}
}

// applies says whether a series for the kind of task sink says (1: sink
// tasks, -1: source tasks, 0: both) applies to a task.
func applies(sink int, isSink bool) bool {
	return sink == 0 || (sink == 1) == isSink
}

// taskFigure is a task figure computed when scraped: a windowed average,
// maximum, rate or ratio, or a gauge.
type taskFigure struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	sink  int // as taskMetric's
	value figure
}

// Collector is a prometheus.Collector over a worker's tasks.
type Collector struct {
	tasks       Tasks
	taskMetrics []taskMetric
	taskFigures []taskFigure
	clientFigs  []taskFigure // labelled client_type, client_id, connector, task
	taskCount   *prometheus.Desc
	taskStates  *prometheus.Desc
	taskStatus  *prometheus.Desc
	lagMax      *prometheus.Desc
	recordsLag  *prometheus.Desc

	connectors     Connectors // nil: not exported
	connectorCount *prometheus.Desc
	startups       []startupMetric
	tasksIn        []*prometheus.Desc // per taskStates
}

// startupMetric is one of connect-worker-metrics' startup figures.
type startupMetric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(runtime.StartupCounts) float64
}

// fraction is part/whole, 0 when whole is 0 (Kafka's Frequencies with no
// sample).
func fraction(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// NewCollector returns a Collector reading tasks at every scrape.
func NewCollector(tasks Tasks) *Collector {
	tags := []string{"connector", "task"}
	m := func(group, metric, help string, c runtime.Counter, kind prometheus.ValueType, sink int) taskMetric {
		return taskMetric{desc: prometheus.NewDesc(name(group, metric), help, tags, nil), counter: c, kind: kind, sink: sink}
	}
	const src, snk, errs = "source-task-metrics", "sink-task-metrics", "task-error-metrics"
	const worker = "connect-worker-metrics"
	aggregate := prometheus.Labels{"connector": "aggregate"}
	c := &Collector{
		tasks: tasks,
		taskMetrics: []taskMetric{
			m(src, "source-record-poll-total", "Records the task's Poll returned.", runtime.SourceRecordPoll, prometheus.CounterValue, -1),
			m(src, "source-record-write-total", "Records of the task Kafka acknowledged.", runtime.SourceRecordWrite, prometheus.CounterValue, -1),
			m(snk, "sink-record-read-total", "Records the task read from Kafka.", runtime.SinkRecordRead, prometheus.CounterValue, 1),
			m(snk, "sink-record-send-total", "Records handed to the task's Put after the transformations.", runtime.SinkRecordSend, prometheus.CounterValue, 1),
			m(errs, "total-record-failures", "Failed operations on records.", runtime.RecordFailures, prometheus.CounterValue, 0),
			m(errs, "total-record-errors", "Records that failed.", runtime.RecordErrors, prometheus.CounterValue, 0),
			m(errs, "total-records-skipped", "Failed records skipped under errors.tolerance=all.", runtime.RecordsSkipped, prometheus.CounterValue, 0),
			m(errs, "total-errors-logged", "Failures logged (errors.log.enable).", runtime.ErrorsLogged, prometheus.CounterValue, 0),
			m(errs, "total-retries", "Operations retried after a retriable error (errors.retry.timeout).", runtime.Retries, prometheus.CounterValue, 0),
			m(errs, "deadletterqueue-produce-requests", "Records sent to the dead letter queue.", runtime.DLQProduceRequests, prometheus.CounterValue, 1),
			m(errs, "deadletterqueue-produce-failures", "Records the dead letter queue did not take.", runtime.DLQProduceFailures, prometheus.CounterValue, 1),
			m(errs, "last-error-timestamp", "Time of the last failure, Unix milliseconds (0: none).", runtime.LastErrorMillis, prometheus.GaugeValue, 0),
		},
		// The worker-wide figures of connect-worker-metrics carry
		// connector="aggregate", as the rules label them.
		taskCount:  prometheus.NewDesc(name("connect-worker-metrics", "task-count"), "Tasks running on this worker.", nil, prometheus.Labels{"connector": "aggregate"}),
		taskStates: prometheus.NewDesc(name("connect-worker-metrics", "connector-total-task-count"), "Tasks of the connector on this worker.", []string{"connector"}, nil),
		// status is a string attribute, which the rules do not export for
		// tasks: this series is sluice's, shaped as the rules shape
		// connector-metrics' status (1, the state as a label).
		lagMax: prometheus.NewDesc(name("sink-task-metrics", "sink-record-lag-max"), "The most records the task is behind the end of any partition it consumes.", tags, nil),
		// The consumer's kafka.consumer:type=consumer-fetch-manager-metrics,
		// client-id,topic,partition records-lag, as the rules name it,
		// with the task's connector and task labels besides.
		recordsLag: prometheus.NewDesc("kafka_consumer_consumer_fetch_manager_metrics_records_lag", "Records of the partition the consumer has not read yet (high watermark - position).",
			[]string{"client_type", "client_id", "topic", "partition", "connector", "task"}, nil),
		taskStatus:     prometheus.NewDesc(name("connector-task-metrics", "status"), "The task's state: 1 for the state labelled.", []string{"connector", "task", "status"}, nil),
		connectorCount: prometheus.NewDesc(name(worker, "connector-count"), "Connectors running on this worker.", nil, aggregate),
	}
	// connector- and task-startup-{attempts,success,failure}-total and
	// -{success,failure}-percentage.
	for _, what := range []struct {
		prefix, plural string
		counts         func(runtime.StartupCounts) (attempts, successes, failures int64)
	}{
		{"connector", "Connector", func(s runtime.StartupCounts) (int64, int64, int64) {
			return s.ConnectorAttempts, s.ConnectorSuccesses, s.ConnectorFailures
		}},
		{"task", "Task", func(s runtime.StartupCounts) (int64, int64, int64) {
			return s.TaskAttempts, s.TaskSuccesses, s.TaskFailures
		}},
	} {
		add := func(metric, help string, kind prometheus.ValueType, value func(attempts, successes, failures int64) float64) {
			c.startups = append(c.startups, startupMetric{desc: prometheus.NewDesc(name(worker, what.prefix+"-startup-"+metric), what.plural+" "+help, nil, aggregate),
				kind: kind, value: func(s runtime.StartupCounts) float64 { return value(what.counts(s)) }})
		}
		add("attempts-total", "starts this worker attempted.", prometheus.CounterValue, func(a, _, _ int64) float64 { return float64(a) })
		add("success-total", "starts that succeeded.", prometheus.CounterValue, func(_, s, _ int64) float64 { return float64(s) })
		add("failure-total", "starts that failed.", prometheus.CounterValue, func(_, _, f int64) float64 { return float64(f) })
		add("success-percentage", "starts that succeeded, a fraction (0 to 1).", prometheus.GaugeValue, func(a, s, _ int64) float64 { return fraction(s, a) })
		add("failure-percentage", "starts that failed, a fraction (0 to 1).", prometheus.GaugeValue, func(a, _, f int64) float64 { return fraction(f, a) })
	}
	c.taskFigures = taskFigures()
	c.clientFigs = clientFigures()
	for _, st := range taskStates {
		state := strings.ToLower(string(st))
		c.tasksIn = append(c.tasksIn, prometheus.NewDesc(name(worker, "connector-"+state+"-task-count"), "Tasks of the connector on this worker in the "+state+" state.", []string{"connector"}, nil))
	}
	c.connectors, _ = tasks.(Connectors)
	return c
}

// taskFigures are the task figures computed when scraped: Kafka Connect's
// averages, maxima, rates and ratios over its metric window (the last 30
// to 60 s), which Confluent's Connect dashboard queries besides the totals.
func taskFigures() []taskFigure {
	tags := []string{"connector", "task"}
	const tsk, src, snk = "connector-task-metrics", "source-task-metrics", "sink-task-metrics"
	var out []taskFigure
	add := func(group, metric, help string, kind prometheus.ValueType, sink int, value figure) {
		out = append(out, taskFigure{desc: prometheus.NewDesc(name(group, metric), help, tags, nil), kind: kind, sink: sink, value: value})
	}
	gauge := prometheus.GaugeValue
	add(tsk, "batch-size-avg", "Average size of the batches Poll returned or Put took (metric window).", gauge, 0, avg(runtime.BatchSize))
	add(tsk, "batch-size-max", "Largest batch Poll returned or Put took (metric window).", gauge, 0, most(runtime.BatchSize))
	add(tsk, "offset-commit-avg-time-ms", "Average time of the task's offset commits, ms (metric window).", gauge, 0, avg(runtime.OffsetCommitTime))
	add(tsk, "offset-commit-max-time-ms", "Longest of the task's offset commits, ms (metric window).", gauge, 0, most(runtime.OffsetCommitTime))
	add(tsk, "offset-commit-success-percentage", "Fraction (0 to 1) of the offset commits that succeeded (metric window).", gauge, 0,
		func(_ *runtime.TaskMetrics, w runtime.Window, _ time.Time) float64 {
			return w.Fraction(runtime.OffsetCommitSuccess, runtime.OffsetCommitFailure)
		})
	add(tsk, "offset-commit-failure-percentage", "Fraction (0 to 1) of the offset commits that failed (metric window).", gauge, 0,
		func(_ *runtime.TaskMetrics, w runtime.Window, _ time.Time) float64 {
			return w.Fraction(runtime.OffsetCommitFailure, runtime.OffsetCommitSuccess)
		})
	add(tsk, "running-ratio", "Fraction (0 to 1) of the metric window the task spent running.", gauge, 0,
		func(_ *runtime.TaskMetrics, w runtime.Window, _ time.Time) float64 { return w.RunningRatio })
	add(tsk, "pause-ratio", "Fraction (0 to 1) of the metric window the task spent paused.", gauge, 0,
		func(_ *runtime.TaskMetrics, w runtime.Window, _ time.Time) float64 { return w.PauseRatio })

	add(src, "source-record-poll-rate", "Records per second Poll returned (metric window).", gauge, -1, rate(runtime.SourceRecordPoll))
	add(src, "source-record-write-rate", "Records per second Kafka acknowledged (metric window).", gauge, -1, rate(runtime.SourceRecordWrite))
	add(src, "poll-batch-avg-time-ms", "Average time Poll took, ms (metric window).", gauge, -1, avg(runtime.BatchTime))
	add(src, "poll-batch-max-time-ms", "Longest time Poll took, ms (metric window).", gauge, -1, most(runtime.BatchTime))
	add(src, "source-record-active-count", "Records polled but not yet written or dropped.", gauge, -1,
		func(m *runtime.TaskMetrics, _ runtime.Window, _ time.Time) float64 { return float64(m.Active()) })
	add(src, "source-record-active-count-avg", "Average of the records in flight after each batch (metric window).", gauge, -1, avg(runtime.ActiveCount))
	add(src, "source-record-active-count-max", "Most records in flight after a batch (metric window).", gauge, -1, most(runtime.ActiveCount))

	add(snk, "sink-record-read-rate", "Records per second read from Kafka (metric window).", gauge, 1, rate(runtime.SinkRecordRead))
	add(snk, "sink-record-send-rate", "Records per second handed to Put (metric window).", gauge, 1, rate(runtime.SinkRecordSend))
	add(snk, "put-batch-avg-time-ms", "Average time Put took, ms (metric window).", gauge, 1, avg(runtime.BatchTime))
	add(snk, "put-batch-max-time-ms", "Longest time Put took, ms (metric window).", gauge, 1, most(runtime.BatchTime))
	add(snk, "sink-record-active-count", "Records read whose offsets are not committed yet.", gauge, 1,
		func(m *runtime.TaskMetrics, _ runtime.Window, _ time.Time) float64 { return float64(m.Active()) })
	add(snk, "sink-record-active-count-avg", "Average of the records read and not committed, after each Put (metric window).", gauge, 1, avg(runtime.ActiveCount))
	add(snk, "sink-record-active-count-max", "Most records read and not committed after a Put (metric window).", gauge, 1, most(runtime.ActiveCount))
	add(snk, "partition-count", "Partitions the task's consumer is assigned.", gauge, 1,
		func(m *runtime.TaskMetrics, _ runtime.Window, _ time.Time) float64 {
			return float64(len(m.Positions()))
		})
	add(snk, "offset-commit-completion-total", "Offset commits that completed.", prometheus.CounterValue, 1,
		func(m *runtime.TaskMetrics, _ runtime.Window, _ time.Time) float64 {
			return float64(m.Get(runtime.OffsetCommitSuccess))
		})
	add(snk, "offset-commit-completion-rate", "Offset commits per second that completed (metric window).", gauge, 1, rate(runtime.OffsetCommitSuccess))
	// sluice commits a sink's offsets synchronously: no commit is ever
	// overtaken by a newer one and skipped.
	zero := func(*runtime.TaskMetrics, runtime.Window, time.Time) float64 { return 0 }
	add(snk, "offset-commit-skip-total", "Offset commits skipped (always 0: sluice commits synchronously).", prometheus.CounterValue, 1, zero)
	add(snk, "offset-commit-skip-rate", "Offset commits per second skipped (always 0).", gauge, 1, zero)
	add(snk, "offset-commit-seq-no", "Offset commits begun.", gauge, 1, func(m *runtime.TaskMetrics, _ runtime.Window, _ time.Time) float64 {
		return float64(m.Get(runtime.OffsetCommitSuccess) + m.Get(runtime.OffsetCommitFailure))
	})
	return out
}

// clientFigures are the figures of a task's Kafka client (a source task's
// producer, a sink task's consumer), named as the rules name Kafka's
// kafka.producer and kafka.consumer MBeans (kafka_<client type>_<MBean
// type>_<attribute>, labels client_type and client_id), with the task's
// connector and task labels besides.
func clientFigures() []taskFigure {
	labels := []string{"client_type", "client_id", "connector", "task"}
	var out []taskFigure
	add := func(family, help string, kind prometheus.ValueType, sink int, value figure) {
		out = append(out, taskFigure{desc: prometheus.NewDesc(family, help, labels, nil), kind: kind, sink: sink, value: value})
	}
	counter, gauge := prometheus.CounterValue, prometheus.GaugeValue
	for _, cl := range []struct {
		group string
		sink  int
	}{{"kafka_producer_producer_metrics_", -1}, {"kafka_consumer_consumer_metrics_", 1}} {
		add(cl.group+"request_total", "Requests the client sent.", counter, cl.sink, total(runtime.ClientRequests))
		add(cl.group+"request_rate", "Requests per second the client sent (metric window).", gauge, cl.sink, rate(runtime.ClientRequests))
		add(cl.group+"outgoing_byte_total", "Bytes the client sent.", counter, cl.sink, total(runtime.ClientOutgoingBytes))
		add(cl.group+"outgoing_byte_rate", "Bytes per second the client sent (metric window).", gauge, cl.sink, rate(runtime.ClientOutgoingBytes))
		add(cl.group+"incoming_byte_total", "Bytes the client received.", counter, cl.sink, total(runtime.ClientIncomingBytes))
		add(cl.group+"incoming_byte_rate", "Bytes per second the client received (metric window).", gauge, cl.sink, rate(runtime.ClientIncomingBytes))
		add(cl.group+"request_latency_avg", "Average time of the client's requests, ms (metric window).", gauge, cl.sink, avg(runtime.RequestLatency))
		add(cl.group+"request_latency_max", "Longest of the client's requests, ms (metric window).", gauge, cl.sink, most(runtime.RequestLatency))
	}
	const prod, fetch = "kafka_producer_producer_metrics_", "kafka_consumer_consumer_fetch_manager_metrics_"
	add(prod+"record_send_total", "Records the producer sent, retries included.", counter, -1, total(runtime.ProducerRecordSend))
	add(prod+"record_send_rate", "Records per second the producer sent (metric window).", gauge, -1, rate(runtime.ProducerRecordSend))
	add(prod+"record_error_total", "Records the producer could not deliver.", counter, -1, total(runtime.ProducerRecordError))
	add(prod+"record_error_rate", "Records per second the producer could not deliver (metric window).", gauge, -1, rate(runtime.ProducerRecordError))
	add(prod+"batch_size_avg", "Average size of the producer's partition batches, bytes (metric window).", gauge, -1, avg(runtime.ProducerBatchSize))
	add(prod+"batch_size_max", "Largest of the producer's partition batches, bytes (metric window).", gauge, -1, most(runtime.ProducerBatchSize))
	add(prod+"records_per_request_avg", "Average records per produce request (metric window).", gauge, -1, avg(runtime.ProducerRecordsPerRequest))
	add(fetch+"records_consumed_total", "Records the consumer fetched.", counter, 1, total(runtime.ConsumerRecords))
	add(fetch+"records_consumed_rate", "Records per second the consumer fetched (metric window).", gauge, 1, rate(runtime.ConsumerRecords))
	add(fetch+"fetch_total", "Fetch requests the consumer sent.", counter, 1, total(runtime.ConsumerFetches))
	add(fetch+"fetch_rate", "Fetch requests per second (metric window).", gauge, 1, rate(runtime.ConsumerFetches))
	add(fetch+"fetch_size_avg", "Average size of the fetch responses, bytes (metric window).", gauge, 1, avg(runtime.ConsumerFetchSize))
	add(fetch+"fetch_size_max", "Largest fetch response, bytes (metric window).", gauge, 1, most(runtime.ConsumerFetchSize))
	return out
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.taskMetrics {
		ch <- m.desc
	}
	for _, f := range c.taskFigures {
		ch <- f.desc
	}
	for _, f := range c.clientFigs {
		ch <- f.desc
	}
	ch <- c.taskCount
	ch <- c.taskStates
	ch <- c.taskStatus
	ch <- c.lagMax
	ch <- c.recordsLag
	if c.connectors != nil {
		ch <- c.connectorCount
		for _, m := range c.startups {
			ch <- m.desc
		}
	}
	for _, d := range c.tasksIn {
		ch <- d
	}
}

// Collect reads the tasks' counters.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	tasks := c.tasks.TaskMetrics()
	now := time.Now()
	ch <- constMetric(c.taskCount, prometheus.GaugeValue, float64(len(tasks)))
	type counts struct {
		total int
		in    [len(taskStates)]int
	}
	perConnector := map[string]*counts{}
	for _, t := range tasks {
		n := perConnector[t.ID.Connector]
		if n == nil {
			n = &counts{}
			perConnector[t.ID.Connector] = n
		}
		n.total++
		for i, st := range taskStates {
			if t.State == st {
				n.in[i]++
			}
		}
		task := strconv.Itoa(t.ID.Task)
		for _, m := range c.taskMetrics {
			if !applies(m.sink, t.Sink) {
				continue
			}
			ch <- constMetric(m.desc, m.kind, float64(t.Metrics.Get(m.counter)), t.ID.Connector, task)
		}
		w := t.Metrics.Window(now)
		for _, f := range c.taskFigures {
			if !applies(f.sink, t.Sink) {
				continue
			}
			ch <- constMetric(f.desc, f.kind, f.value(t.Metrics, w, now), t.ID.Connector, task)
		}
		if id := t.Metrics.ClientID(); id != "" {
			clientType := "producer"
			if t.Sink {
				clientType = "consumer"
			}
			for _, f := range c.clientFigs {
				if !applies(f.sink, t.Sink) {
					continue
				}
				ch <- constMetric(f.desc, f.kind, f.value(t.Metrics, w, now), clientType, id, t.ID.Connector, task)
			}
		}
		if t.Sink {
			var most int64
			for _, p := range t.Metrics.Positions() {
				lag := p.Lag()
				most = max(most, lag)
				ch <- constMetric(c.recordsLag, prometheus.GaugeValue, float64(lag),
					"consumer", p.ClientID, p.Topic, strconv.Itoa(int(p.Partition)), t.ID.Connector, task)
			}
			ch <- constMetric(c.lagMax, prometheus.GaugeValue, float64(most), t.ID.Connector, task)
		}
		if t.State != "" {
			ch <- constMetric(c.taskStatus, prometheus.GaugeValue, 1, t.ID.Connector, task, strings.ToLower(string(t.State)))
		}
	}
	for conn, n := range perConnector {
		ch <- constMetric(c.taskStates, prometheus.GaugeValue, float64(n.total), conn)
		for i, d := range c.tasksIn {
			ch <- constMetric(d, prometheus.GaugeValue, float64(n.in[i]), conn)
		}
	}
	if c.connectors != nil {
		ch <- constMetric(c.connectorCount, prometheus.GaugeValue, float64(len(c.connectors.ConnectorMetrics())))
		counts := c.connectors.StartupCounts()
		for _, m := range c.startups {
			ch <- constMetric(m.desc, m.kind, m.value(counts))
		}
	}
}

// connectorInfo exports the connector-metrics group as the rules export
// its string attributes: kafka_connect_connector_metrics = 1 with the
// connector label and one more, named after the attribute (status,
// connector_class, connector_type, connector_version), whose value is the
// attribute's. The series of one family carry different label names, so
// the collector is unchecked (Describe sends nothing).
type connectorInfo struct {
	connectors Connectors
	descs      map[string]*prometheus.Desc // by attribute label
}

// connectorAttributes are connector-metrics' attributes, as labels.
var connectorAttributes = []string{"connector_class", "connector_type", "connector_version", "status"}

func newConnectorInfo(connectors Connectors) *connectorInfo {
	ci := &connectorInfo{connectors: connectors, descs: map[string]*prometheus.Desc{}}
	for _, a := range connectorAttributes {
		ci.descs[a] = prometheus.NewDesc("kafka_connect_connector_metrics", "A connector on this worker: 1, with an attribute of it (class, type, version or status) as a label.",
			[]string{"connector", a}, nil)
	}
	return ci
}

// Describe sends nothing: see connectorInfo.
func (ci *connectorInfo) Describe(chan<- *prometheus.Desc) {}

// Collect sends four series per connector.
func (ci *connectorInfo) Collect(ch chan<- prometheus.Metric) {
	for _, cs := range ci.connectors.ConnectorMetrics() {
		values := []string{cs.Class, string(cs.Type), cs.Version, strings.ToLower(string(cs.State))}
		for i, a := range connectorAttributes {
			ch <- constMetric(ci.descs[a], prometheus.UntypedValue, 1, cs.Name, values[i])
		}
	}
}

// rebalanceCollector exports connect-worker-rebalance-metrics. The rules
// export numbers only; the two string attributes, leader-name and
// connect-protocol, are sluice's series shaped as connector-metrics' (1,
// the value as a label named after the attribute).
type rebalanceCollector struct {
	r                                               Rebalance
	epoch, completed, rebalancing, avg, maxT, since *prometheus.Desc
	leader, protocol                                *prometheus.Desc
}

func newRebalanceCollector(r Rebalance) *rebalanceCollector {
	const group = "connect-worker-rebalance-metrics"
	d := func(metric, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name(group, metric), help, labels, nil)
	}
	return &rebalanceCollector{r: r,
		epoch:       d("epoch", "The group's generation this worker is in."),
		completed:   d("completed-rebalances-total", "Rebalances this worker completed."),
		rebalancing: d("rebalancing", "1 while this worker is rebalancing (from an assignment's arrival to the start of its work), else 0."),
		avg:         d("rebalance-avg-time-ms", "Average time of this worker's rebalances, ms (since it started)."),
		maxT:        d("rebalance-max-time-ms", "Longest of this worker's rebalances, ms (since it started)."),
		since:       d("time-since-last-rebalance-ms", "Time since this worker's last completed rebalance, ms (+Inf: none yet)."),
		leader:      d("leader-name", "The group leader's REST URL, as the label.", "leader_name"),
		protocol:    d("connect-protocol", "The group protocol in use (EAGER, COMPATIBLE, SESSIONED), as the label.", "connect_protocol"),
	}
}

// Describe sends every metric's description.
func (rc *rebalanceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{rc.epoch, rc.completed, rc.rebalancing, rc.avg, rc.maxT, rc.since, rc.leader, rc.protocol} {
		ch <- d
	}
}

// Collect reads the herder's figures.
func (rc *rebalanceCollector) Collect(ch chan<- prometheus.Metric) {
	s := rc.r.RebalanceMetrics()
	rebalancing := 0.0
	if s.Rebalancing {
		rebalancing = 1
	}
	ch <- constMetric(rc.epoch, prometheus.GaugeValue, float64(s.Epoch))
	ch <- constMetric(rc.completed, prometheus.CounterValue, float64(s.Completed))
	ch <- constMetric(rc.rebalancing, prometheus.GaugeValue, rebalancing)
	ch <- constMetric(rc.avg, prometheus.GaugeValue, s.AvgMillis)
	ch <- constMetric(rc.maxT, prometheus.GaugeValue, s.MaxMillis)
	ch <- constMetric(rc.since, prometheus.GaugeValue, s.SinceLastMillis)
	if s.LeaderURL != "" {
		ch <- constMetric(rc.leader, prometheus.GaugeValue, 1, s.LeaderURL)
	}
	if s.Protocol != "" {
		ch <- constMetric(rc.protocol, prometheus.GaugeValue, 1, s.Protocol)
	}
}

// Handler serves the worker's metrics, and Go's process and runtime
// metrics, in Prometheus' text format; rebalance, when not nil (a
// distributed worker), adds connect-worker-rebalance-metrics.
func Handler(tasks Tasks, rebalance Rebalance) http.Handler {
	reg := prometheus.NewRegistry()
	c := NewCollector(tasks)
	reg.MustRegister(c, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if c.connectors != nil {
		reg.MustRegister(newConnectorInfo(c.connectors))
	}
	if rebalance != nil {
		reg.MustRegister(newRebalanceCollector(rebalance))
	}
	// A series that cannot be built is left out and the others are
	// served, rather than the whole scrape failing.
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// constMetric is prometheus.MustNewConstMetric without its panic: label
// values come from outside (connector names and client ids from configs a
// properties file or a config-topic record gave), so bytes that are not
// UTF-8 become U+FFFD, and a metric that still cannot be built is sent as
// an invalid metric, which the handler leaves out. A panic in a
// collector's goroutine would end the worker.
func constMetric(desc *prometheus.Desc, kind prometheus.ValueType, v float64, labels ...string) prometheus.Metric {
	for i, l := range labels {
		if !utf8.ValidString(l) {
			labels[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
	}
	m, err := prometheus.NewConstMetric(desc, kind, v, labels...)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}
