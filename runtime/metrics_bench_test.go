package runtime

import (
	"testing"
	"time"

	"github.com/rcrowley/go-metrics"
)

// BenchmarkClientRequestMetrics is what a produce request costs the task's
// client registry (sarama's calls per request: request, bytes, latency,
// records sent, batch size) against sarama's own registry with its metrics
// switched on, and switched off as for every other client.
func BenchmarkClientRequestMetrics(b *testing.B) {
	request := func(r metrics.Registry) {
		metrics.GetOrRegisterMeter("request-rate", r).Mark(1)
		metrics.GetOrRegisterMeter("outgoing-byte-rate", r).Mark(16384)
		metrics.GetOrRegisterMeter("incoming-byte-rate", r).Mark(100)
		r.GetOrRegister("request-latency-in-ms", func() metrics.Histogram { return metrics.NilHistogram{} }).(metrics.Histogram).Update(3)
		metrics.GetOrRegisterMeter("record-send-rate", r).Mark(160)
		r.GetOrRegister("batch-size", func() metrics.Histogram { return metrics.NilHistogram{} }).(metrics.Histogram).Update(16384)
	}
	b.Run("sluice", func(b *testing.B) {
		r := newClientRegistry(&TaskMetrics{}, "c")
		b.ReportAllocs()
		for b.Loop() {
			request(r)
		}
	})
	b.Run("sarama-go-metrics", func(b *testing.B) {
		// sarama's metrics switched on: a meter per name, exponentially
		// decaying histograms (what sluice does not do).
		defer func(old bool) { metrics.UseNilMetrics = old }(metrics.UseNilMetrics)
		metrics.UseNilMetrics = false
		r := metrics.NewRegistry()
		hist := func() metrics.Histogram { return metrics.NewHistogram(metrics.NewExpDecaySample(1028, 0.015)) }
		b.ReportAllocs()
		for b.Loop() {
			metrics.GetOrRegisterMeter("request-rate", r).Mark(1)
			metrics.GetOrRegisterMeter("outgoing-byte-rate", r).Mark(16384)
			metrics.GetOrRegisterMeter("incoming-byte-rate", r).Mark(100)
			r.GetOrRegister("request-latency-in-ms", hist).(metrics.Histogram).Update(3)
			metrics.GetOrRegisterMeter("record-send-rate", r).Mark(160)
			r.GetOrRegister("batch-size", hist).(metrics.Histogram).Update(16384)
		}
		r.UnregisterAll()
	})
	b.Run("sarama-nil-metrics", func(b *testing.B) {
		defer func(old bool) { metrics.UseNilMetrics = old }(metrics.UseNilMetrics)
		metrics.UseNilMetrics = true
		r := metrics.NewRegistry()
		b.ReportAllocs()
		for b.Loop() {
			request(r)
		}
	})
}

// BenchmarkTaskBatchMetrics is what counting a batch costs a task: the
// counter, the batch size and time stats.
func BenchmarkTaskBatchMetrics(b *testing.B) {
	m := &TaskMetrics{}
	b.ReportAllocs()
	for b.Loop() {
		now := time.Now()
		m.add(SourceRecordPoll, 100)
		m.record(BatchSize, 100, now)
		m.record(BatchTime, 2, now)
		m.recordActive(now)
	}
}
