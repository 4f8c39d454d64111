package promexport

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
)

type fakeTasks []runtime.TaskSnapshot

func (f fakeTasks) TaskMetrics() []runtime.TaskSnapshot { return f }

// TestNames: the families are named as the JMX exporter's Kafka Connect
// rules name them (type kept, hyphens as underscores), sink series only for
// sink tasks, and every task series carries the connector and task labels.
func TestNames(t *testing.T) {
	src, snk := &runtime.TaskMetrics{}, &runtime.TaskMetrics{}
	tasks := fakeTasks{
		{ID: herder.TaskID{Connector: "src", Task: 0}, State: herder.Running, Metrics: src},
		{ID: herder.TaskID{Connector: "snk", Task: 2}, Sink: true, State: herder.Paused, Metrics: snk},
	}
	rec := httptest.NewRecorder()
	Handler(tasks, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		family, connector, task string
		want                    int // series of the family for that task
	}{
		{"kafka_connect_source_task_metrics_source_record_poll_total", "src", "0", 1},
		{"kafka_connect_source_task_metrics_source_record_write_total", "src", "0", 1},
		{"kafka_connect_source_task_metrics_source_record_poll_total", "snk", "2", 0},
		{"kafka_connect_sink_task_metrics_sink_record_read_total", "snk", "2", 1},
		{"kafka_connect_sink_task_metrics_sink_record_send_total", "snk", "2", 1},
		{"kafka_connect_sink_task_metrics_sink_record_read_total", "src", "0", 0},
		{"kafka_connect_task_error_metrics_total_record_errors", "src", "0", 1},
		{"kafka_connect_task_error_metrics_total_record_errors", "snk", "2", 1},
		{"kafka_connect_task_error_metrics_total_retries", "src", "0", 1},
		{"kafka_connect_task_error_metrics_deadletterqueue_produce_requests", "snk", "2", 1},
		{"kafka_connect_task_error_metrics_deadletterqueue_produce_requests", "src", "0", 0},
		{"kafka_connect_connector_task_metrics_status", "snk", "2", 1},
		{"kafka_connect_source_task_metrics_source_record_poll_rate", "src", "0", 1},
		{"kafka_connect_source_task_metrics_source_record_poll_rate", "snk", "2", 0},
		{"kafka_connect_source_task_metrics_poll_batch_avg_time_ms", "src", "0", 1},
		{"kafka_connect_sink_task_metrics_put_batch_max_time_ms", "snk", "2", 1},
		{"kafka_connect_sink_task_metrics_partition_count", "snk", "2", 1},
		{"kafka_connect_sink_task_metrics_partition_count", "src", "0", 0},
		{"kafka_connect_sink_task_metrics_offset_commit_completion_total", "snk", "2", 1},
		{"kafka_connect_connector_task_metrics_running_ratio", "src", "0", 1},
		{"kafka_connect_connector_task_metrics_batch_size_max", "snk", "2", 1},
	}
	for _, tt := range tests {
		got := 0
		if f := fams[tt.family]; f != nil {
			for _, m := range f.Metric {
				l := map[string]string{}
				for _, p := range m.Label {
					l[p.GetName()] = p.GetValue()
				}
				if l["connector"] == tt.connector && l["task"] == tt.task {
					got++
					if tt.family == "kafka_connect_connector_task_metrics_status" && l["status"] != "paused" {
						t.Errorf("status label %q, want paused", l["status"])
					}
				}
			}
		}
		if got != tt.want {
			t.Errorf("%s{connector=%q,task=%q}: %d series, want %d", tt.family, tt.connector, tt.task, got, tt.want)
		}
	}
	if f := fams["kafka_connect_connect_worker_metrics_task_count"]; f == nil || len(f.Metric) != 1 || f.Metric[0].GetGauge().GetValue() != 2 ||
		len(f.Metric[0].Label) != 1 || f.Metric[0].Label[0].GetName() != "connector" || f.Metric[0].Label[0].GetValue() != "aggregate" {
		t.Errorf("task-count: %v, want 2 with connector=\"aggregate\"", f)
	}
}

// fakeWorker is a worker with connectors.
type fakeWorker struct {
	fakeTasks
	connectors []runtime.ConnectorSnapshot
	startups   runtime.StartupCounts
}

func (f fakeWorker) ConnectorMetrics() []runtime.ConnectorSnapshot { return f.connectors }
func (f fakeWorker) StartupCounts() runtime.StartupCounts          { return f.startups }

// scrape serves h once and parses the answer with Prometheus' parser.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	fams, err := testkit.ParseMetrics(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// TestWorkerAndConnectorNames: connect-worker-metrics' figures carry
// connector="aggregate" (the per-connector task counts the connector),
// and connector-metrics' string attributes are each a series of value 1
// with the attribute as a label, as the rules export them.
func TestWorkerAndConnectorNames(t *testing.T) {
	w := fakeWorker{
		fakeTasks: fakeTasks{
			{ID: herder.TaskID{Connector: "a", Task: 0}, State: herder.Running, Metrics: &runtime.TaskMetrics{}},
			{ID: herder.TaskID{Connector: "a", Task: 1}, State: herder.Failed, Metrics: &runtime.TaskMetrics{}},
			{ID: herder.TaskID{Connector: "b", Task: 0}, Sink: true, State: herder.Paused, Metrics: &runtime.TaskMetrics{}},
		},
		connectors: []runtime.ConnectorSnapshot{
			{Name: "a", Class: "org.example.A", Type: herder.SourceType, Version: "1.2", State: herder.Running},
			{Name: "b", Class: "org.example.B", Type: herder.SinkType, Version: "", State: herder.Paused},
		},
		startups: runtime.StartupCounts{ConnectorAttempts: 3, ConnectorSuccesses: 2, ConnectorFailures: 1, TaskAttempts: 4, TaskSuccesses: 4},
	}
	fams := scrape(t, Handler(w, nil))
	agg := map[string]string{"connector": "aggregate"}
	tests := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"kafka_connect_connect_worker_metrics_connector_count", agg, 2},
		{"kafka_connect_connect_worker_metrics_task_count", agg, 3},
		{"kafka_connect_connect_worker_metrics_connector_startup_attempts_total", agg, 3},
		{"kafka_connect_connect_worker_metrics_connector_startup_success_total", agg, 2},
		{"kafka_connect_connect_worker_metrics_connector_startup_failure_total", agg, 1},
		{"kafka_connect_connect_worker_metrics_connector_startup_failure_percentage", agg, 1.0 / 3},
		{"kafka_connect_connect_worker_metrics_task_startup_attempts_total", agg, 4},
		{"kafka_connect_connect_worker_metrics_task_startup_success_percentage", agg, 1},
		{"kafka_connect_connect_worker_metrics_task_startup_failure_percentage", agg, 0},
		{"kafka_connect_connect_worker_metrics_connector_total_task_count", map[string]string{"connector": "a"}, 2},
		{"kafka_connect_connect_worker_metrics_connector_running_task_count", map[string]string{"connector": "a"}, 1},
		{"kafka_connect_connect_worker_metrics_connector_failed_task_count", map[string]string{"connector": "a"}, 1},
		{"kafka_connect_connect_worker_metrics_connector_paused_task_count", map[string]string{"connector": "a"}, 0},
		{"kafka_connect_connect_worker_metrics_connector_paused_task_count", map[string]string{"connector": "b"}, 1},
		{"kafka_connect_connect_worker_metrics_connector_unassigned_task_count", map[string]string{"connector": "b"}, 0},
		{"kafka_connect_connect_worker_metrics_connector_destroyed_task_count", map[string]string{"connector": "b"}, 0},
		{"kafka_connect_connect_worker_metrics_connector_restarting_task_count", map[string]string{"connector": "b"}, 0},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "a", "connector_class": "org.example.A"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "a", "connector_type": "source"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "a", "connector_version": "1.2"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "a", "status": "running"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "b", "connector_type": "sink"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "b", "status": "paused"}, 1},
	}
	for _, tt := range tests {
		got, ok := testkit.Series(fams, tt.family, tt.labels)
		if !ok || got != tt.want {
			t.Errorf("%s%v = %g (found %t), want %g", tt.family, tt.labels, got, ok, tt.want)
		}
	}
	// A worker without connectors (a plain Tasks) exports no
	// connector-metrics and no startup figures.
	fams = scrape(t, Handler(fakeTasks{}, nil))
	for _, f := range []string{"kafka_connect_connector_metrics", "kafka_connect_connect_worker_metrics_connector_count"} {
		if fams[f] != nil {
			t.Errorf("%s exported for a Tasks that is no Connectors", f)
		}
	}
}

// TestScrapeCostIndependentOfRecords: a scrape's allocations depend on the
// tasks, not on the records they moved: the same before and after a
// million records per task.
func TestScrapeCostIndependentOfRecords(t *testing.T) {
	tasks := manyTasks(200)
	h := Handler(tasks, nil)
	scrapeOnce := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	}
	scrapeOnce()
	before := testing.AllocsPerRun(5, scrapeOnce)
	for _, task := range tasks {
		for range 1000 {
			task.Metrics.Add(runtime.SinkRecordRead, 1000)
			task.Metrics.Add(runtime.SourceRecordPoll, 1000)
		}
	}
	after := testing.AllocsPerRun(5, scrapeOnce)
	if after > before*1.01 {
		t.Errorf("a scrape allocates %g times after a million records per task, %g before", after, before)
	}
	t.Logf("%g allocations per scrape of %d tasks", after, len(tasks))
}

// BenchmarkScrape2000Tasks scrapes a worker running 2,000 tasks, half of
// them sinks.
func BenchmarkScrape2000Tasks(b *testing.B) {
	h := Handler(manyTasks(2000), nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b.SetBytes(int64(rec.Body.Len()))
	}
}

// manyTasks returns n running tasks, four per connector, half of them
// sinks.
func manyTasks(n int) fakeTasks {
	tasks := make(fakeTasks, n)
	for i := range tasks {
		tasks[i] = runtime.TaskSnapshot{ID: herder.TaskID{Connector: fmt.Sprintf("c%d", i/4), Task: i % 4}, Sink: i%2 == 0,
			State: herder.Running, Metrics: &runtime.TaskMetrics{}}
	}
	return tasks
}
