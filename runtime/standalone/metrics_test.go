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
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/standalone"
)

// TestMetricsOfFailedStarts: a connector whose Start fails counts as a
// failed connector startup and shows in connector-metrics as failed, with
// its class; a task whose Start fails counts as a failed task startup (as
// in Kafka Connect, whose task counts as started only once its start
// returned), then as a failed task of its connector; a healthy connector
// beside them counts as started and running; a connector that started but
// cannot give its task configurations (REST: FAILED) is failed in
// connector-metrics too.
func TestMetricsOfFailedStarts(t *testing.T) {
	ctx := context.Background()
	h, w, topic := panickyHerder(t)
	for name, panicOn := range map[string]string{"connector-start": "connector.Start", "task-start": "task.Start", "task-configs": "connector.TaskConfigs", "healthy": ""} {
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
		{"kafka_connect_connect_worker_metrics_connector_startup_attempts_total", agg, 4},
		{"kafka_connect_connect_worker_metrics_connector_startup_failure_total", agg, 1},
		{"kafka_connect_connect_worker_metrics_connector_startup_success_total", agg, 3},
		{"kafka_connect_connect_worker_metrics_task_startup_attempts_total", agg, 2},
		{"kafka_connect_connect_worker_metrics_task_startup_success_total", agg, 1},
		{"kafka_connect_connect_worker_metrics_task_startup_failure_total", agg, 1},
		{"kafka_connect_connect_worker_metrics_connector_count", agg, 4},
		{"kafka_connect_connect_worker_metrics_connector_failed_task_count", map[string]string{"connector": "task-start"}, 1},
		{"kafka_connect_connect_worker_metrics_connector_running_task_count", map[string]string{"connector": "healthy"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "connector-start", "status": "failed"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "connector-start", "connector_class": panicky.SourceClass}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "task-start", "status": "running"}, 1},
		{"kafka_connect_connector_metrics", map[string]string{"connector": "task-configs", "status": "failed"}, 1},
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

// panickyHerder starts a standalone herder on the broker whose worker has
// the panicky plugins, and makes a topic for its connectors.
func panickyHerder(t *testing.T) (*standalone.Herder, *runtime.Worker, string) {
	t.Helper()
	bootstrap := testkit.Kafka(t)
	reg := builtin.Registry()
	panicky.Register(reg, &panicky.Sunk{})
	h, w := fileHerderWorker(t, bootstrap, t.TempDir(), nil, reg, &testkit.LogBuffer{})
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.MarkReady()
	return h, w, testkit.NewTopic(t, bootstrap, 1)
}

// TestSourceActiveCountAfterRestarts: records a source task polled but
// never wrote, because it failed (here converting the second of three),
// are no longer in flight once it has failed: its automatic restarts
// (whose metrics carry on) and its final FAILED state show
// source-record-active-count 0, not the sum of every run's leftovers.
func TestSourceActiveCountAfterRestarts(t *testing.T) {
	ctx := context.Background()
	h, w, topic := panickyHerder(t)
	cfg := map[string]string{"connector.class": panicky.SourceClass, "topic": topic, panicky.Values: "a,bad,c",
		"value.converter": panicky.ConverterClass, "value.converter." + panicky.PanicOnValue: "bad",
		"task.restart.enable": "true", "task.restart.backoff.initial.ms": "10", "task.restart.backoff.max.ms": "10", "task.restart.max.attempts": "2"}
	if _, _, err := h.PutConnectorConfig(ctx, "act", cfg, false, ""); err != nil {
		t.Fatal(err)
	}
	metrics := promexport.Handler(w, nil)
	task := map[string]string{"connector": "act", "task": "0"}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		rec := httptest.NewRecorder()
		metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		fams, err := testkit.ParseMetrics(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		failed, _ := testkit.Series(fams, "kafka_connect_connector_task_metrics_status", map[string]string{"connector": "act", "task": "0", "status": "failed"})
		polled, _ := testkit.Series(fams, "kafka_connect_source_task_metrics_source_record_poll_total", task)
		active, _ := testkit.Series(fams, "kafka_connect_source_task_metrics_source_record_active_count", task)
		if failed == 1 && polled >= 3 {
			// Gave up after its restarts: nothing is in flight.
			if active != 0 {
				t.Fatalf("FAILED task after %g records polled: source-record-active-count %g, want 0", polled, active)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the task never failed for good: failed %g, polled %g, active %g", failed, polled, active)
		}
	}
}
