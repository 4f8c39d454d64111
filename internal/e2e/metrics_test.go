package e2e

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	dto "github.com/prometheus/client_model/go"

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
	fams, err := testkit.ParseMetrics(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET /metrics: %w", err)
	}
	return fams, nil
}

// wantSeries polls the worker's /metrics until every series in want has its
// value, and fails naming those that do not after timeout.
func wantSeries(t *testing.T, w *testkit.Worker, base string, labels map[string]string, want map[string]float64) {
	t.Helper()
	checks := map[string]func(float64) bool{}
	for name, v := range want {
		checks[name+fmt.Sprintf(" (want %g)", v)] = eq(v)
	}
	wantFigures(t, w, base, labels, checks)
}

func eq(v float64) func(float64) bool { return func(x float64) bool { return x == v } }
func gt(v float64) func(float64) bool { return func(x float64) bool { return x > v } }
func ge(v float64) func(float64) bool { return func(x float64) bool { return x >= v } }
func between(lo, hi float64) func(float64) bool {
	return func(x float64) bool { return x >= lo && x <= hi }
}

// wantFigures polls the worker's /metrics until every series in want (its
// family name, then optionally a space and a note for the failure message)
// passes its check, and fails naming those that do not after a minute.
func wantFigures(t *testing.T, w *testkit.Worker, base string, labels map[string]string, want map[string]func(float64) bool) {
	t.Helper()
	eventually(t, time.Minute, "the metrics", func() (bool, string) {
		fams, err := tryScrape(base)
		if err != nil {
			return false, err.Error()
		}
		var wrong []string
		for check, ok := range want {
			name, _, _ := strings.Cut(check, " ")
			got, found := testkit.Series(fams, name, labels)
			if !found || !ok(got) {
				wrong = append(wrong, fmt.Sprintf("%s%v = %g (present: %v)", check, labels, got, found))
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
		"kafka_connect_task_error_metrics_total_retries":              0,
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
	if _, ok := testkit.Series(fams, "kafka_connect_sink_task_metrics_sink_record_read_total", map[string]string{"connector": srcName, "task": "0"}); ok {
		t.Error("a source task has sink-task-metrics")
	}
	if v, ok := testkit.Series(fams, "kafka_connect_connect_worker_metrics_task_count", map[string]string{"connector": "aggregate"}); !ok || v != 1 {
		t.Errorf("kafka_connect_connect_worker_metrics_task_count = %g (present: %v), want 1", v, ok)
	}

	// The windowed figures: every record written (none in flight), batches
	// seen, commits made, one partition consumed, the tasks running.
	task := func(name string) map[string]string { return map[string]string{"connector": name, "task": "0"} }
	wantFigures(t, src, srcURL, task(srcName), map[string]func(float64) bool{
		"kafka_connect_source_task_metrics_source_record_active_count":          eq(0),
		"kafka_connect_source_task_metrics_source_record_poll_rate":             gt(0),
		"kafka_connect_source_task_metrics_source_record_write_rate":            gt(0),
		"kafka_connect_source_task_metrics_poll_batch_max_time_ms":              ge(0),
		"kafka_connect_source_task_metrics_source_record_active_count_max":      ge(0),
		"kafka_connect_connector_task_metrics_batch_size_max":                   between(1, n),
		"kafka_connect_connector_task_metrics_batch_size_avg":                   between(1, n),
		"kafka_connect_connector_task_metrics_offset_commit_success_percentage": eq(1),
		"kafka_connect_connector_task_metrics_offset_commit_failure_percentage": eq(0),
		"kafka_connect_connector_task_metrics_offset_commit_max_time_ms":        ge(0),
		"kafka_connect_connector_task_metrics_running_ratio":                    between(0.01, 1),
		"kafka_connect_connector_task_metrics_pause_ratio":                      eq(0),
	})
	wantFigures(t, sink, sinkURL, task(sinkName), map[string]func(float64) bool{
		"kafka_connect_sink_task_metrics_partition_count":                       eq(1),
		"kafka_connect_sink_task_metrics_sink_record_active_count":              eq(0), // every offset committed
		"kafka_connect_sink_task_metrics_sink_record_active_count_max":          between(0, n),
		"kafka_connect_sink_task_metrics_sink_record_read_rate":                 gt(0),
		"kafka_connect_sink_task_metrics_sink_record_send_rate":                 gt(0),
		"kafka_connect_sink_task_metrics_put_batch_max_time_ms":                 ge(0),
		"kafka_connect_sink_task_metrics_offset_commit_completion_total":        ge(1),
		"kafka_connect_sink_task_metrics_offset_commit_seq_no":                  ge(1),
		"kafka_connect_sink_task_metrics_offset_commit_skip_total":              eq(0),
		"kafka_connect_connector_task_metrics_batch_size_max":                   between(1, n),
		"kafka_connect_connector_task_metrics_offset_commit_success_percentage": eq(1),
	})

	// The tasks' Kafka clients, with their client ids and the task labels.
	client := func(typ, name string) map[string]string {
		return map[string]string{"client_type": typ, "client_id": "connector-" + typ + "-" + name + "-0", "connector": name, "task": "0"}
	}
	wantFigures(t, src, srcURL, client("producer", srcName), map[string]func(float64) bool{
		"kafka_producer_producer_metrics_record_send_total":       ge(n), // retries count too
		"kafka_producer_producer_metrics_record_send_rate":        gt(0),
		"kafka_producer_producer_metrics_record_error_total":      eq(0),
		"kafka_producer_producer_metrics_request_total":           gt(0),
		"kafka_producer_producer_metrics_request_latency_avg":     ge(0),
		"kafka_producer_producer_metrics_request_latency_max":     ge(0),
		"kafka_producer_producer_metrics_outgoing_byte_total":     gt(n * 100), // the lines' bytes, and more
		"kafka_producer_producer_metrics_batch_size_max":          gt(0),
		"kafka_producer_producer_metrics_records_per_request_avg": between(1, n),
	})
	wantFigures(t, sink, sinkURL, client("consumer", sinkName), map[string]func(float64) bool{
		"kafka_consumer_consumer_fetch_manager_metrics_records_consumed_total": eq(n),
		"kafka_consumer_consumer_fetch_manager_metrics_fetch_total":            gt(0),
		"kafka_consumer_consumer_fetch_manager_metrics_fetch_size_max":         gt(0),
		"kafka_consumer_consumer_metrics_request_total":                        gt(0),
		"kafka_consumer_consumer_metrics_request_latency_max":                  ge(0),
		"kafka_consumer_consumer_metrics_incoming_byte_total":                  gt(n * 100),
	})

	// connect-worker-metrics: one connector and one task started, each
	// at the first attempt.
	wantSeries(t, src, srcURL, map[string]string{"connector": "aggregate"}, map[string]float64{
		"kafka_connect_connect_worker_metrics_connector_count":                      1,
		"kafka_connect_connect_worker_metrics_connector_startup_attempts_total":     1,
		"kafka_connect_connect_worker_metrics_connector_startup_success_total":      1,
		"kafka_connect_connect_worker_metrics_connector_startup_failure_total":      0,
		"kafka_connect_connect_worker_metrics_connector_startup_success_percentage": 1,
		"kafka_connect_connect_worker_metrics_task_startup_attempts_total":          1,
		"kafka_connect_connect_worker_metrics_task_startup_success_total":           1,
		"kafka_connect_connect_worker_metrics_task_startup_failure_total":           0,
		"kafka_connect_connect_worker_metrics_task_startup_failure_percentage":      0,
	})
	wantSeries(t, sink, sinkURL, map[string]string{"connector": sinkName}, map[string]float64{
		"kafka_connect_connect_worker_metrics_connector_total_task_count":      1,
		"kafka_connect_connect_worker_metrics_connector_running_task_count":    1,
		"kafka_connect_connect_worker_metrics_connector_paused_task_count":     0,
		"kafka_connect_connect_worker_metrics_connector_failed_task_count":     0,
		"kafka_connect_connect_worker_metrics_connector_unassigned_task_count": 0,
		"kafka_connect_connect_worker_metrics_connector_restarting_task_count": 0,
		"kafka_connect_connect_worker_metrics_connector_destroyed_task_count":  0,
	})
	// connector-metrics: each string attribute a series of value 1.
	for _, attr := range []map[string]string{
		{"connector": srcName, "connector_class": "org.apache.kafka.connect.file.FileStreamSourceConnector"},
		{"connector": srcName, "connector_type": "source"},
		{"connector": srcName, "status": "running"},
	} {
		if v, ok := testkit.Series(fams, "kafka_connect_connector_metrics", attr); !ok || v != 1 {
			t.Errorf("kafka_connect_connector_metrics%v = %g (present: %v), want 1", attr, v, ok)
		}
	}
	if v, ok := testkit.Labelled(fams, "kafka_connect_connector_metrics", map[string]string{"connector": srcName}, "connector_version"); !ok || v == "" {
		t.Errorf("kafka_connect_connector_metrics{connector_version} = %q (present: %v), want the plugin's version", v, ok)
	}
	wantSeries(t, sink, sinkURL, map[string]string{"connector": sinkName, "connector_type": "sink"}, map[string]float64{
		"kafka_connect_connector_metrics": 1})
	// A standalone worker has no group: no rebalance metrics, as in
	// Kafka Connect.
	for name := range fams {
		if strings.HasPrefix(name, "kafka_connect_connect_worker_rebalance_metrics_") {
			t.Errorf("standalone worker exports %s", name)
		}
	}
}

// TestMetricsDistributedRebalance: a distributed worker exports
// connect-worker-rebalance-metrics; completed-rebalances-total grows when
// a second worker joins, both name the same leader (one of the two), are
// in the same epoch, and say which protocol the group speaks.
func TestMetricsDistributedRebalance(t *testing.T) {
	cl := newCluster(t)
	a := cl.start("a")
	aURL := "http://" + a.id
	const group = "kafka_connect_connect_worker_rebalance_metrics_"
	var before float64
	eventually(t, time.Minute, "a's first rebalance in its metrics", func() (bool, string) {
		fams, err := tryScrape(aURL)
		if err != nil {
			return false, err.Error()
		}
		v, ok := testkit.Series(fams, group+"completed_rebalances_total", nil)
		rebalancing, _ := testkit.Series(fams, group+"rebalancing", nil)
		before = v
		return ok && v >= 1 && rebalancing == 0, fmt.Sprintf("completed %g (present %v), rebalancing %g", v, ok, rebalancing)
	}, a.w)
	fams := scrape(t, aURL)
	if v, ok := testkit.Series(fams, group+"leader_name", map[string]string{"leader_name": aURL}); !ok || v != 1 {
		t.Errorf("alone, a does not name itself the leader: %v", fams[group+"leader_name"])
	}
	if v, ok := testkit.Series(fams, group+"connect_protocol", map[string]string{"connect_protocol": "SESSIONED"}); !ok || v != 1 {
		t.Errorf("connect_protocol: %v, want SESSIONED", fams[group+"connect_protocol"])
	}
	for _, name := range []string{"epoch", "rebalance_avg_time_ms", "rebalance_max_time_ms", "time_since_last_rebalance_ms"} {
		if v, ok := testkit.Series(fams, group+name, nil); !ok || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			t.Errorf("%s%s = %g (present: %v), want a figure once a rebalance completed", group, name, v, ok)
		}
	}

	b := cl.start("b")
	bURL := "http://" + b.id
	eventually(t, time.Minute, "the rebalance of b's joining in a's and b's metrics", func() (bool, string) {
		fa, err := tryScrape(aURL)
		if err != nil {
			return false, err.Error()
		}
		fb, err := tryScrape(bURL)
		if err != nil {
			return false, err.Error()
		}
		completed, _ := testkit.Series(fa, group+"completed_rebalances_total", nil)
		la, _ := testkit.Labelled(fa, group+"leader_name", nil, "leader_name")
		lb, _ := testkit.Labelled(fb, group+"leader_name", nil, "leader_name")
		ea, _ := testkit.Series(fa, group+"epoch", nil)
		eb, _ := testkit.Series(fb, group+"epoch", nil)
		ok := completed > before && la == lb && (la == aURL || la == bURL) && ea == eb && ea > 0
		return ok, fmt.Sprintf("a: %g rebalances (before b: %g), leader %q epoch %g; b: leader %q epoch %g", completed, before, la, ea, lb, eb)
	}, a.w, b.w)
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
	if v, ok := testkit.Series(fams, "kafka_connect_task_error_metrics_last_error_timestamp", map[string]string{"connector": name, "task": "0"}); !ok || v <= 0 {
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

// TestMetricsFailingSink: a sink whose converter fails on a record, with
// errors.tolerance=none, fails its task: the worker's per-state task
// counts, the task's status series and the error counters say so, and
// the connector itself still runs.
func TestMetricsFailingSink(t *testing.T) {
	const good = 5
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	var values []string
	for i := range good {
		values = append(values, strconv.Itoa(i))
	}
	produceValues(t, bootstrap, topic, append(values, "not json"))
	name := "metrics-failing-" + topic
	w, base := startSinkWithMetrics(t, bootstrap, map[string]string{
		"name": name, "connector.class": "FileStreamSink", "topics": topic,
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
	})
	wantSeries(t, w, base, map[string]string{"connector": name}, map[string]float64{
		"kafka_connect_connect_worker_metrics_connector_failed_task_count":  1,
		"kafka_connect_connect_worker_metrics_connector_running_task_count": 0,
		"kafka_connect_connect_worker_metrics_connector_total_task_count":   1,
	})
	task := map[string]string{"connector": name, "task": "0"}
	wantSeries(t, w, base, task, map[string]float64{
		"kafka_connect_task_error_metrics_total_record_failures": 1,
		"kafka_connect_task_error_metrics_total_record_errors":   1,
		"kafka_connect_task_error_metrics_total_records_skipped": 0,
		"kafka_connect_sink_task_metrics_sink_record_read_total": good + 1,
	})
	fams := scrape(t, base)
	if v, ok := testkit.Series(fams, "kafka_connect_connector_task_metrics_status", map[string]string{"connector": name, "task": "0", "status": "failed"}); !ok || v != 1 {
		t.Errorf("task status: %v, want failed", fams["kafka_connect_connector_task_metrics_status"])
	}
	if v, ok := testkit.Series(fams, "kafka_connect_connector_metrics", map[string]string{"connector": name, "status": "running"}); !ok || v != 1 {
		t.Errorf("connector status: %v, want running", fams["kafka_connect_connector_metrics"])
	}
	agg := map[string]string{"connector": "aggregate"}
	for family, want := range map[string]float64{
		"kafka_connect_connect_worker_metrics_task_startup_success_total":      1, // it started, then failed
		"kafka_connect_connect_worker_metrics_connector_startup_success_total": 1,
	} {
		if v, ok := testkit.Series(fams, family, agg); !ok || v != want {
			t.Errorf("%s = %g (present: %v), want %g", family, v, ok, want)
		}
	}
	if v, ok := testkit.Series(fams, "kafka_connect_task_error_metrics_last_error_timestamp", task); !ok || v <= 0 {
		t.Errorf("last-error-timestamp = %g (present: %v), want the failure's time", v, ok)
	}
}

// produceValues writes one record per value to topic.
func produceValues(t *testing.T, bootstrap, topic string, values []string) {
	t.Helper()
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), producerConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	msgs := make([]*sarama.ProducerMessage, len(values))
	for i, v := range values {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(v)}
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
}
