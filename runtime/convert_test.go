package runtime

import (
	"context"
	"errors"
	"log/slog"
	"strings"
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

// flakyConverter is a StringConverter each of whose conversions fails
// retriably fails times in a row before it succeeds, or fails for good when
// permanent is set; it counts the calls of each method.
type flakyConverter struct {
	fails     int
	permanent bool
	calls     map[string]int
	streak    map[string]int // failures in a row
}

func (c *flakyConverter) fail(method string) error {
	c.calls[method]++
	if c.permanent {
		return errors.New(method + " refused")
	}
	if c.streak[method] < c.fails {
		c.streak[method]++
		return connectors.Retriable(errors.New(method + " not yet"))
	}
	c.streak[method] = 0
	return nil
}

func (c *flakyConverter) Configure(map[string]string, bool) error { return nil }
func (c *flakyConverter) ConfigureHeader(map[string]string) error { return nil }
func (c *flakyConverter) FromConnectData(_ string, _ *schemas.Schema, v any) ([]byte, error) {
	if err := c.fail("FromConnectData"); err != nil {
		return nil, err
	}
	return []byte(v.(string)), nil
}
func (c *flakyConverter) ToConnectData(_ string, b []byte) (*schemas.Schema, any, error) {
	if err := c.fail("ToConnectData"); err != nil {
		return nil, nil, err
	}
	return schemas.StringSchema, string(b), nil
}
func (c *flakyConverter) FromConnectHeader(_, _ string, _ *schemas.Schema, v any) ([]byte, error) {
	if err := c.fail("FromConnectHeader"); err != nil {
		return nil, err
	}
	return []byte(v.(string)), nil
}
func (c *flakyConverter) ToConnectHeader(_, _ string, b []byte) (*schemas.Schema, any, error) {
	if err := c.fail("ToConnectHeader"); err != nil {
		return nil, nil, err
	}
	return schemas.StringSchema, string(b), nil
}

// TestConvertersRetried: each converter call of both record paths,
// written once inside the error handler's try, is retried while it fails
// retriably and its result is the one of the call that succeeded; a
// permanent failure is not retried and names its stage.
func TestConvertersRetried(t *testing.T) {
	ctx := context.Background()
	flaky := func(tb testing.TB, fails int, permanent bool) (*sourceTask, *sinkTask, *flakyConverter) {
		src, sink := convertTasks(tb)
		c := &flakyConverter{fails: fails, permanent: permanent, calls: map[string]int{}, streak: map[string]int{}}
		cv := converters{key: c, value: c, header: c, keyClass: "K", valueClass: "V", headerClass: "H"}
		src.conv, sink.conv = cv, cv
		// Retry at once: the test is about what is called, not when.
		src.errs.policy.maxDelay, sink.errs.policy.maxDelay = time.Nanosecond, time.Nanosecond
		return src, sink, c
	}
	rec := func() *connectors.SourceRecord {
		r := &connectors.SourceRecord{Record: connectors.Record{Topic: "orders", KeySchema: schemas.StringSchema, Key: "k1",
			ValueSchema: schemas.StringSchema, Value: "value one"}}
		r.Headers.Add("h", schemas.StringSchema, "hv")
		return r
	}
	msg := func() *sarama.ConsumerMessage {
		return &sarama.ConsumerMessage{Topic: "orders", Key: []byte("k1"), Value: []byte("value one"),
			Headers: []*sarama.RecordHeader{{Key: []byte("h"), Value: []byte("hv")}}}
	}

	src, sink, c := flaky(t, 2, false)
	m, _, f := src.process(ctx, rec())
	if f != nil {
		t.Fatalf("source process failed: %v", f.err)
	}
	k, _ := m.Key.Encode()
	v, _ := m.Value.Encode()
	if string(k) != "k1" || string(v) != "value one" || len(m.Headers) != 1 || string(m.Headers[0].Value) != "hv" {
		t.Errorf("source record after retries: key %q value %q headers %v", k, v, m.Headers)
	}
	var r connectors.SinkRecord
	part := int32(0)
	if ok, err := sink.process(ctx, msg(), &r, &part); err != nil || !ok {
		t.Fatalf("sink process = %v, %v", ok, err)
	}
	if r.Key != "k1" || r.Value != "value one" || len(r.Headers) != 1 || r.Headers[0].Value != "hv" {
		t.Errorf("sink record after retries: %+v", r)
	}
	// Key and value: 3 calls each (2 failures, then success) per path, in
	// one method; the header likewise in its own.
	for method, want := range map[string]int{"FromConnectData": 6, "FromConnectHeader": 3, "ToConnectData": 6, "ToConnectHeader": 3} {
		if c.calls[method] != want {
			t.Errorf("%s called %d times, want %d", method, c.calls[method], want)
		}
	}

	src, sink, c = flaky(t, 0, true)
	if _, _, f := src.process(ctx, rec()); f == nil || f.stage != "KEY_CONVERTER" {
		t.Errorf("source with a converter that refuses: failure %+v, want stage KEY_CONVERTER", f)
	}
	if ok, err := sink.process(ctx, msg(), &r, &part); err == nil || ok || !strings.Contains(err.Error(), "KEY_CONVERTER") {
		t.Errorf("sink with a converter that refuses: %v, %v; want a KEY_CONVERTER failure", ok, err)
	}
	if c.calls["FromConnectData"] != 1 || c.calls["ToConnectData"] != 1 {
		t.Errorf("a permanent failure was retried: %v", c.calls)
	}
}
