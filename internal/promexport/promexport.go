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

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluicehq/sluice/runtime"
)

// Tasks lists a worker's tasks and their counters (*runtime.Worker).
type Tasks interface {
	TaskMetrics() []runtime.TaskSnapshot
}

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

// Collector is a prometheus.Collector over a worker's tasks.
type Collector struct {
	tasks       Tasks
	taskMetrics []taskMetric
	taskCount   *prometheus.Desc
	taskStates  *prometheus.Desc
	taskStatus  *prometheus.Desc
	lagMax      *prometheus.Desc
	recordsLag  *prometheus.Desc
}

// NewCollector returns a Collector reading tasks at every scrape.
func NewCollector(tasks Tasks) *Collector {
	tags := []string{"connector", "task"}
	m := func(group, metric, help string, c runtime.Counter, kind prometheus.ValueType, sink int) taskMetric {
		return taskMetric{desc: prometheus.NewDesc(name(group, metric), help, tags, nil), counter: c, kind: kind, sink: sink}
	}
	const src, snk, errs = "source-task-metrics", "sink-task-metrics", "task-error-metrics"
	return &Collector{
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
		taskStatus: prometheus.NewDesc(name("connector-task-metrics", "status"), "The task's state: 1 for the state labelled.", []string{"connector", "task", "status"}, nil),
	}
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.taskMetrics {
		ch <- m.desc
	}
	ch <- c.taskCount
	ch <- c.taskStates
	ch <- c.taskStatus
	ch <- c.lagMax
	ch <- c.recordsLag
}

// Collect reads the tasks' counters.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	tasks := c.tasks.TaskMetrics()
	ch <- prometheus.MustNewConstMetric(c.taskCount, prometheus.GaugeValue, float64(len(tasks)))
	perConnector := map[string]int{}
	for _, t := range tasks {
		perConnector[t.ID.Connector]++
		task := strconv.Itoa(t.ID.Task)
		for _, m := range c.taskMetrics {
			if m.sink == 1 && !t.Sink || m.sink == -1 && t.Sink {
				continue
			}
			ch <- prometheus.MustNewConstMetric(m.desc, m.kind, float64(t.Metrics.Get(m.counter)), t.ID.Connector, task)
		}
		if t.Sink {
			var most int64
			for _, p := range t.Metrics.Positions() {
				lag := p.Lag()
				most = max(most, lag)
				ch <- prometheus.MustNewConstMetric(c.recordsLag, prometheus.GaugeValue, float64(lag),
					"consumer", p.ClientID, p.Topic, strconv.Itoa(int(p.Partition)), t.ID.Connector, task)
			}
			ch <- prometheus.MustNewConstMetric(c.lagMax, prometheus.GaugeValue, float64(most), t.ID.Connector, task)
		}
		if t.State != "" {
			ch <- prometheus.MustNewConstMetric(c.taskStatus, prometheus.GaugeValue, 1, t.ID.Connector, task, strings.ToLower(string(t.State)))
		}
	}
	for conn, n := range perConnector {
		ch <- prometheus.MustNewConstMetric(c.taskStates, prometheus.GaugeValue, float64(n), conn)
	}
}

// Handler serves the worker's metrics, and Go's process and runtime
// metrics, in Prometheus' text format.
func Handler(tasks Tasks) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(tasks), prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
