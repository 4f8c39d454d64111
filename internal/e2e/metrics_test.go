package e2e

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sluicehq/sluice/internal/testkit"
)

// scrape reads a worker's /metrics with Prometheus' own text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := tryScrape(base)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// tryScrape is scrape, failing with an error (a worker not listening yet).
func tryScrape(base string) (map[string]*dto.MetricFamily, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("GET /metrics: %s: %s", resp.Status, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		return nil, fmt.Errorf("GET /metrics: Content-Type %q, want Prometheus' text format", ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET /metrics: not Prometheus' text format: %w", err)
	}
	return fams, nil
}

// series returns the value of the series of family name whose labels are
// exactly labels, and whether there is one.
func series(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		if len(m.Label) != len(labels) {
			continue
		}
		for _, l := range m.Label {
			if v, ok := labels[l.GetName()]; !ok || v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// wantSeries polls the worker's /metrics until every series in want has its
// value, and fails naming those that do not after timeout.
func wantSeries(t *testing.T, w *testkit.Worker, base string, labels map[string]string, want map[string]float64) {
	t.Helper()
	eventually(t, time.Minute, "the metrics", func() (bool, string) {
		fams, err := tryScrape(base)
		if err != nil {
			return false, err.Error()
		}
		var wrong []string
		for name, v := range want {
			got, ok := series(fams, name, labels)
			if !ok {
				wrong = append(wrong, fmt.Sprintf("%s%v missing", name, labels))
			} else if got != v {
				wrong = append(wrong, fmt.Sprintf("%s%v = %g, want %g", name, labels, got, v))
			}
		}
		return len(wrong) == 0, strings.Join(wrong, "; ")
	}, w)
}

// startSinkWithMetrics runs a standalone worker with a file sink connector
// (connProps, its file added) and returns it with its REST address.
func startSinkWithMetrics(t *testing.T, bootstrap string, connProps map[string]string) (*testkit.Worker, string) {
	t.Helper()
	dir := t.TempDir()
	base := testkit.FreeListener(t)
	props := workerProps(bootstrap, filepath.Join(dir, "sink.offsets"))
	props["listeners"] = base
	connProps["file"] = filepath.Join(dir, "out.txt")
	return startWorker(t, dir, "sink", props, connProps), base
}

// TestMetricsFilePipeline moves lines file → topic → file through two
// workers and checks their /metrics: the task series exist with the
// connector and task labels, and count exactly the records moved.
func TestMetricsFilePipeline(t *testing.T) {
	const n = 2500
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	appendLines(t, in, 0, n)
	srcURL, sinkURL := testkit.FreeListener(t), testkit.FreeListener(t)
	srcProps, sinkProps := workerProps(bootstrap, filepath.Join(dir, "source.offsets")), workerProps(bootstrap, filepath.Join(dir, "sink.offsets"))
	srcProps["listeners"], sinkProps["listeners"] = srcURL, sinkURL
	srcName, sinkName := "metrics-source-"+topic, "metrics-sink-"+topic
	src := startWorker(t, dir, "source", srcProps, map[string]string{
		"name": srcName, "connector.class": "FileStreamSource", "file": in, "topic": topic,
	})
	sink := startWorker(t, dir, "sink", sinkProps, map[string]string{
		"name": sinkName, "connector.class": "FileStreamSink", "file": out, "topics": topic,
	})
	eventually(t, 2*time.Minute, "all lines in the output file", func() (bool, string) {
		c := countLines(out)
		return c >= n, fmt.Sprintf("%d of %d lines", c, n)
	}, src, sink)

	wantSeries(t, src, srcURL, map[string]string{"connector": srcName, "task": "0"}, map[string]float64{
		"kafka_connect_source_task_metrics_source_record_poll_total":  n,
		"kafka_connect_source_task_metrics_source_record_write_total": n,
		"kafka_connect_task_error_metrics_total_record_errors":        0,
		"kafka_connect_task_error_metrics_total_record_failures":      0,
	})
	wantSeries(t, sink, sinkURL, map[string]string{"connector": sinkName, "task": "0"}, map[string]float64{
		"kafka_connect_sink_task_metrics_sink_record_read_total":            n,
		"kafka_connect_sink_task_metrics_sink_record_send_total":            n,
		"kafka_connect_task_error_metrics_total_record_errors":              0,
		"kafka_connect_task_error_metrics_deadletterqueue_produce_requests": 0,
		"kafka_connect_task_error_metrics_total_records_skipped":            0,
		"kafka_connect_task_error_metrics_deadletterqueue_produce_failures": 0,
	})
	wantSeries(t, sink, sinkURL, map[string]string{"connector": sinkName, "task": "0", "status": "running"}, map[string]float64{
		"kafka_connect_connector_task_metrics_status": 1,
	})
	fams := scrape(t, srcURL)
	if _, ok := series(fams, "kafka_connect_sink_task_metrics_sink_record_read_total", map[string]string{"connector": srcName, "task": "0"}); ok {
		t.Error("a source task has sink-task-metrics")
	}
	if v, ok := series(fams, "kafka_connect_connect_worker_metrics_task_count", map[string]string{"connector": "aggregate"}); !ok || v != 1 {
		t.Errorf("kafka_connect_connect_worker_metrics_task_count = %g (present: %v), want 1", v, ok)
	}
}

// TestMetricsSinkDeadLetterQueue runs a sink whose converter fails on some
// records, tolerated and sent to a dead letter queue: the error counters
// count exactly the records the queue received.
func TestMetricsSinkDeadLetterQueue(t *testing.T) {
	const total = 17
	bootstrap := testkit.Kafka(t)
	topic, dlq := testkit.NewTopic(t, bootstrap, 1), testkit.NewTopic(t, bootstrap, 1)
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), producerConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// Every third record is not JSON: the converter fails on it.
	var msgs []*sarama.ProducerMessage
	failing := 0
	for i := range total {
		v := strconv.Itoa(i)
		if i%3 == 1 {
			v, failing = "not json "+v, failing+1
		}
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(v)})
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}

	name := "metrics-dlq-" + topic
	w, base := startSinkWithMetrics(t, bootstrap, map[string]string{
		"name": name, "connector.class": "FileStreamSink", "topics": topic,
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
		"errors.deadletterqueue.topic.replication.factor": "1",
	})
	eventually(t, time.Minute, "the dead letter queue", func() (bool, string) {
		got := len(readTopicMessages(t, bootstrap, dlq))
		return got == failing, fmt.Sprintf("%d of %d records", got, failing)
	}, w)
	wantSeries(t, w, base, map[string]string{"connector": name, "task": "0"}, map[string]float64{
		"kafka_connect_sink_task_metrics_sink_record_read_total":            float64(total),
		"kafka_connect_sink_task_metrics_sink_record_send_total":            float64(total - failing),
		"kafka_connect_task_error_metrics_total_record_errors":              float64(failing),
		"kafka_connect_task_error_metrics_total_record_failures":            float64(failing),
		"kafka_connect_task_error_metrics_total_records_skipped":            float64(failing),
		"kafka_connect_task_error_metrics_deadletterqueue_produce_requests": float64(failing),
		"kafka_connect_task_error_metrics_deadletterqueue_produce_failures": 0,
	})
	fams := scrape(t, base)
	if v, ok := series(fams, "kafka_connect_task_error_metrics_last_error_timestamp", map[string]string{"connector": name, "task": "0"}); !ok || v <= 0 {
		t.Errorf("last-error-timestamp = %g (present: %v), want the time of the last failure", v, ok)
	}
}

// TestMetricsSinkLag: a sink's consumer lag per partition, with the
// consumer's client id, is 0 once it has read everything; records produced
// while it is paused are read after the resume, and counted exactly.
func TestMetricsSinkLag(t *testing.T) {
	const first, more = 20, 30
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), producerConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	produce := func(from, to int) {
		t.Helper()
		var msgs []*sarama.ProducerMessage
		for i := from; i < to; i++ {
			msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(line(i))})
		}
		if err := p.SendMessages(msgs); err != nil {
			t.Fatal(err)
		}
	}
	produce(0, first)
	name := "metrics-lag-" + topic
	w, base := startSinkWithMetrics(t, bootstrap, map[string]string{
		"name": name, "connector.class": "FileStreamSink", "topics": topic,
	})
	task := map[string]string{"connector": name, "task": "0"}
	part := map[string]string{"client_type": "consumer", "client_id": "connector-consumer-" + name + "-0", "topic": topic, "partition": "0",
		"connector": name, "task": "0"}
	wantSeries(t, w, base, task, map[string]float64{"kafka_connect_sink_task_metrics_sink_record_read_total": first})
	wantSeries(t, w, base, part, map[string]float64{"kafka_consumer_consumer_fetch_manager_metrics_records_lag": 0})

	put := func(path string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, base+"/connectors/"+name+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("PUT %s: %s", path, resp.Status)
		}
	}
	put("/pause")
	wantSeries(t, w, base, map[string]string{"connector": name, "task": "0", "status": "paused"}, map[string]float64{
		"kafka_connect_connector_task_metrics_status": 1})
	// The lag is measured against the high watermark of the consumer's
	// last fetch, as Kafka's records-lag is: a paused task fetches
	// nothing, so records produced meanwhile show after the resume.
	produce(first, first+more)
	put("/resume")
	wantSeries(t, w, base, task, map[string]float64{
		"kafka_connect_sink_task_metrics_sink_record_read_total": first + more,
		"kafka_connect_sink_task_metrics_sink_record_lag_max":    0,
	})
	wantSeries(t, w, base, part, map[string]float64{"kafka_consumer_consumer_fetch_manager_metrics_records_lag": 0})
}
