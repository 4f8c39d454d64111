package promexport

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

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
	Handler(tasks).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
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
		{"kafka_connect_task_error_metrics_deadletterqueue_produce_requests", "snk", "2", 1},
		{"kafka_connect_task_error_metrics_deadletterqueue_produce_requests", "src", "0", 0},
		{"kafka_connect_connector_task_metrics_status", "snk", "2", 1},
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
