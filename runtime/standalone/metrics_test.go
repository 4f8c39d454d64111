package standalone_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/promexport"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/internal/testkit/panicky"
	"github.com/sluicehq/sluice/plugins"
)

// TestMetricsOfFailedStarts: a connector whose Start fails counts as a
// failed connector startup and shows in connector-metrics as failed, with
// its class; a task that fails as it starts counts as started (it was
// built), then as a failed task of its connector; a healthy connector
// beside them counts as started and running.
func TestMetricsOfFailedStarts(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	ctx := context.Background()
	reg := plugins.Builtin()
	panicky.Register(reg, &panicky.Sunk{})
	h, w := fileHerderWorker(t, bootstrap, t.TempDir(), nil, reg, &testkit.LogBuffer{})
	if err := h.Start(ctx); err != nil {
		t.Fatal(err)
	}
	h.MarkReady()
	topic := testkit.NewTopic(t, bootstrap, 1)
	for name, panicOn := range map[string]string{"connector-start": "connector.Start", "task-start": "task.Start", "healthy": ""} {
		cfg := map[string]string{"connector.class": panicky.SourceClass, "topic": topic, panicky.PanicOn: panicOn}
		if _, _, err := h.PutConnectorConfig(ctx, name, cfg, false, ""); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	metrics := promexport.Handler(w, nil)
	agg := map[string]string{"connector": "aggregate"}
	want := []struct {
		family string
		labels map[string]string
		value  float64
	}{
		{"kafka_connect_connect_worker_metrics_connector_startup_attempts_total", agg, 3},
		{"kafka_connect_connect_worker_metrics_connector_startup_failure_total", agg, 1},
		{"kafka_connect_connect_worker_metrics_connector_startup_success_total", agg, 2},
		{"kafka_connect_connect_worker_metrics_task_startup_success_total", agg, 2},
		{"kafka_connect_connect_worker_metrics_task_startup_failure_total", agg, 0},
		{"kafka_connect_connect_worker_metrics_connector_count", agg, 3},
		{"kafka_connect_connect_worker_metrics_connector_failed_task_count", map[string]string{"connector": "task-start"}, 1},
		{"kafka_connect_connect_worker_metrics_connector_running_task_count", map[string]string{"connector": "healthy"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "connector-start", "status": "failed"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "connector-start", "connector_class": panicky.SourceClass}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "task-start", "status": "running"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "healthy", "connector_type": "source"}, 1},
	}
	deadline := time.Now().Add(time.Minute)
	for {
		rec := httptest.NewRecorder()
		metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		fams, err := testkit.ParseMetrics(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		var wrong []string
		for _, x := range want {
			if got, ok := testkit.Series(fams, x.family, x.labels); !ok || got != x.value {
				wrong = append(wrong, fmt.Sprintf("%s%v = %g (present: %v), want %g", x.family, x.labels, got, ok, x.value))
			}
		}
		if len(wrong) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", strings.Join(wrong, "; "))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
