package runtime

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/schemas"
)

// convertTasks returns a source and a sink task with StringConverters
// (key, value and headers) and a one-transformation chain, as far as
// process and convert need them, and an error handler that retries
// retriable failures for up to a minute.
func convertTasks(tb testing.TB) (*sourceTask, *sinkTask) {
	tb.Helper()
	reg := builtin.Registry()
	conv, err := reg.NewConverter("StringConverter")
	if err != nil {
		tb.Fatal(err)
	}
	if err := conv.Configure(map[string]string{}, false); err != nil {
		tb.Fatal(err)
	}
	c, err := buildChain(reg, map[string]string{
		"transforms":                   "route",
		"transforms.route.type":        "org.apache.kafka.connect.transforms.RegexRouter",
		"transforms.route.regex":       "(.*)",
		"transforms.route.replacement": "$1-out",
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.close)
	cv := converters{key: conv, value: conv, header: conv.(schemas.HeaderConverter), keyClass: "K", valueClass: "V", headerClass: "H"}
	errs := &errorHandler{policy: errorPolicy{retryTimeout: time.Minute, maxDelay: time.Minute}, log: slog.New(slog.DiscardHandler)}
	return &sourceTask{conv: cv, chain: c, errs: errs}, &sinkTask{conv: cv, chain: c, errs: errs}
}

// BenchmarkSourceProcess transforms and converts one source record with a
// header (the per-record work of a source task before the producer). It
// reports ns and allocations per record.
func BenchmarkSourceProcess(b *testing.B) {
	src, _ := convertTasks(b)
	ctx := context.Background()
	rec := &connectors.SourceRecord{Record: connectors.Record{Topic: "orders", KeySchema: schemas.StringSchema, Key: "k1",
		ValueSchema: schemas.StringSchema, Value: "value one"}}
	rec.Headers.Add("h", schemas.StringSchema, "v")
	b.ReportAllocs()
	for b.Loop() {
		msg, _, f := src.process(ctx, rec)
		if f != nil || msg == nil {
			b.Fatal(msg, f)
		}
	}
}

// BenchmarkSinkProcess converts and transforms one consumed message with a
// header (the per-record work of a sink task before Put). It reports ns
// and allocations per record.
func BenchmarkSinkProcess(b *testing.B) {
	_, sink := convertTasks(b)
	ctx := context.Background()
	m := &sarama.ConsumerMessage{Topic: "orders", Partition: 0, Offset: 7, Key: []byte("k1"), Value: []byte("value one"),
		Headers: []*sarama.RecordHeader{{Key: []byte("h"), Value: []byte("v")}}}
	var r connectors.SinkRecord
	part := int32(0)
	b.ReportAllocs()
	for b.Loop() {
		ok, err := sink.process(ctx, m, &r, &part)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// TestTryCostsNoAllocation: a converter call written once, inside the
// error handler's try (its retry), allocates nothing more than the call
// alone when it succeeds.
func TestTryCostsNoAllocation(t *testing.T) {
	_, sink := convertTasks(t)
	ctx := context.Background()
	conv := sink.conv.value
	data := []byte("value")
	raw := testing.AllocsPerRun(200, func() { _, _, _ = conv.ToConnectData("t", data) })
	got := testing.AllocsPerRun(200, func() {
		var s *schemas.Schema
		var v any
		if err := sink.errs.try(ctx, func() (err error) { s, v, err = conv.ToConnectData("t", data); return err }); err != nil || s == nil || v == nil {
			t.Fatal(s, v, err)
		}
	})
	if got != raw {
		t.Errorf("ToConnectData in try allocates %v times, alone %v", got, raw)
	}
	raw = testing.AllocsPerRun(200, func() { _, _ = conv.FromConnectData("t", schemas.StringSchema, "value") })
	got = testing.AllocsPerRun(200, func() {
		var b []byte
		if err := sink.errs.try(ctx, func() (err error) { b, err = conv.FromConnectData("t", schemas.StringSchema, "value"); return err }); err != nil || b == nil {
			t.Fatal(b, err)
		}
	})
	if got != raw {
		t.Errorf("FromConnectData in try allocates %v times, alone %v", got, raw)
	}
}
