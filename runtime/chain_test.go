package runtime

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/transforms"
)

func TestBuildChainErrors(t *testing.T) {
	reg := builtin.Registry()
	base := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"unknown class", base("transforms", "a", "transforms.a.type", "NoSuch"),
			"transforms.a.type: Failed to find any class that implements Transformation and which name matches NoSuch"},
		{"missing type", base("transforms", "a"),
			"transforms.a.type: Failed to find any class that implements Transformation and which name matches , available"},
		{"negate without predicate", base("transforms", "a", "transforms.a.type", "Filter", "transforms.a.negate", "true"),
			"Config 'transforms.a.negate' was provided but there is no config 'transforms.a.predicate' defining a predicate to be negated."},
		{"predicate not listed", base("transforms", "a", "transforms.a.type", "Filter", "transforms.a.predicate", "p"),
			"Invalid value p for configuration transforms.a.predicate: There is no predicate with this alias in predicates"},
		{"bad negate", base("transforms", "a", "transforms.a.type", "Filter", "transforms.a.predicate", "p", "transforms.a.negate", "yes", "predicates", "p", "predicates.p.type", "RecordIsTombstone"),
			"Invalid value yes for configuration transforms.a.negate: Expected value to be either true or false"},
		{"unknown predicate class", base("transforms", "a", "transforms.a.type", "Filter", "transforms.a.predicate", "p", "predicates", "p", "predicates.p.type", "Nope"),
			"predicates.p.type: Failed to find any class that implements Predicate and which name matches Nope"},
		{"transformation config", base("transforms", "a", "transforms.a.type", "org.apache.kafka.connect.transforms.RegexRouter", "transforms.a.regex", "x"),
			`transformation a (org.apache.kafka.connect.transforms.RegexRouter): Missing required configuration "replacement" which has no default value.`},
		{"predicate config", base("transforms", "a", "transforms.a.type", "Filter", "transforms.a.predicate", "p", "predicates", "p", "predicates.p.type", "HasHeaderKey"),
			`predicate p (org.apache.kafka.connect.transforms.predicates.HasHeaderKey): Missing required configuration "name" which has no default value.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := buildChain(reg, tc.props)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("buildChain = %v, %v; want an error containing %q", c, err, tc.want)
			}
		})
	}
}

// TestChainPredicates: a transformation applies when its predicate matches,
// or, negated, when it does not; a dropping transformation ends the chain.
func TestChainPredicates(t *testing.T) {
	reg := builtin.Registry()
	c, err := buildChain(reg, map[string]string{
		"transforms":                        "tag,dropUnmarked",
		"transforms.tag.type":               "InsertHeader",
		"transforms.tag.header":             "seen",
		"transforms.tag.value.literal":      "yes",
		"transforms.tag.predicate":          "isTomb",
		"transforms.tag.negate":             "true",
		"transforms.dropUnmarked.type":      "Filter",
		"transforms.dropUnmarked.predicate": "marked",
		"transforms.dropUnmarked.negate":    "true",
		"predicates":                        "isTomb,marked",
		"predicates.isTomb.type":            "RecordIsTombstone",
		"predicates.marked.type":            "HasHeaderKey",
		"predicates.marked.name":            "seen",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	// A record with a value gets the header, so it is kept.
	r := transforms.Record{Record: connectors.Record{Topic: "t", ValueSchema: schemas.StringSchema, Value: "v"}}
	keep, _, err := c.apply(&r)
	if err != nil || !keep {
		t.Fatalf("apply = %v, %v; want kept", keep, err)
	}
	if h, ok := r.Headers.Last("seen"); !ok || h.Value != "yes" {
		t.Fatalf("headers %+v; want seen=yes", r.Headers)
	}
	// A tombstone gets no header, so the negated Filter drops it.
	tomb := transforms.Record{Record: connectors.Record{Topic: "t"}}
	if keep, _, err := c.apply(&tomb); err != nil || keep {
		t.Fatalf("tombstone: apply = %v, %v; want dropped", keep, err)
	}
}

func TestChainNamesFailingClass(t *testing.T) {
	c, err := buildChain(builtin.Registry(), map[string]string{
		"transforms": "meta", "transforms.meta.type": "SetSchemaMetadata$Value", "transforms.meta.schema.name": "x",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := transforms.Record{Record: connectors.Record{Topic: "t", Value: map[string]any{"a": 1}}}
	_, class, err := c.apply(&r)
	if err == nil || class != "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value" {
		t.Fatalf("apply: class %q, err %v", class, err)
	}
}

func TestValidateTransforms(t *testing.T) {
	reg := builtin.Registry()
	props := map[string]string{
		"name": "c", "connector.class": "FileStreamSink", "topics": "t",
		"transforms":            "route,route,ins,bad",
		"transforms.route.type": "RegexRouter", "transforms.route.regex": "(.*)", "transforms.route.replacement": "$1-x",
		"transforms.route.predicate": "nope",
		"transforms.ins.type":        "InsertField$Value",
		"transforms.bad.type":        "NoSuchTransform",
		"predicates":                 "p",
		"predicates.p.type":          "TopicNameMatches",
		"predicates.p.pattern":       "(?=x)",
	}
	infos, _, err := ValidateConnectorConfig(reg, nil, props)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]string{}
	groups := map[string]string{}
	for _, c := range infos.Configs {
		if c.Value != nil {
			byName[c.Value.Name] = c.Value.Errors
		}
		if c.Definition != nil && c.Definition.Group != nil {
			groups[c.Definition.Name] = *c.Definition.Group
		}
	}
	for key, want := range map[string]string{
		"transforms":                 "Duplicate alias provided.",
		"transforms.route.predicate": "There is no predicate with this alias in predicates",
		"transforms.ins.type":        "No field insertion configured",
		"transforms.bad.type":        "Failed to find any class that implements Transformation and which name matches NoSuchTransform",
		"predicates.p.pattern":       "lookahead",
	} {
		if got := strings.Join(byName[key], "; "); !strings.Contains(got, want) {
			t.Errorf("errors of %s = %q; want %q", key, got, want)
		}
	}
	for key, group := range map[string]string{
		"transforms.route.type": "Transforms: route", "transforms.route.regex": "Transforms: route", "transforms.route.negate": "Transforms: route",
		"predicates.p.type": "Predicates: p", "predicates.p.pattern": "Predicates: p", "errors.tolerance": "Error Handling",
		"errors.deadletterqueue.topic.name": "Error Handling",
	} {
		if groups[key] != group {
			t.Errorf("group of %s = %q; want %q", key, groups[key], group)
		}
	}
	if len(byName["transforms.route.regex"]) != 0 || len(byName["transforms.route.replacement"]) != 0 {
		t.Errorf("valid keys have errors: %v %v", byName["transforms.route.regex"], byName["transforms.route.replacement"])
	}
	if infos.ErrorCount != 5 {
		t.Errorf("error count %d; want 5", infos.ErrorCount)
	}
}

func TestRestartDelay(t *testing.T) {
	p := restartPolicy{initial: time.Second, max: 5 * time.Second}
	var got []time.Duration
	for i := range 5 {
		got = append(got, p.delay(i))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v; want %v", got, want)
		}
	}
}

func TestRetry(t *testing.T) {
	h := &errorHandler{policy: errorPolicy{retryTimeout: time.Second, maxDelay: time.Millisecond}, log: discardLog(), metrics: &TaskMetrics{}}
	calls := 0
	op := func() error {
		calls++
		if calls < 3 {
			return connectors.Retriable(errors.New("try again"))
		}
		return nil
	}
	if err := h.retry(context.Background(), op(), op); err != nil || calls != 3 {
		t.Fatalf("retry = %v after %d calls; want success after 3", err, calls)
	}
	if got := h.metrics.Get(Retries); got != 2 {
		t.Errorf("total-retries %d, want 2 (the first call is no retry)", got)
	}
	// A non-retriable error is not retried; without a retry timeout nothing is.
	calls = 0
	if err := h.retry(context.Background(), errors.New("bad"), op); err == nil || calls != 0 {
		t.Fatalf("retried a non-retriable error: %v, %d calls", err, calls)
	}
	h.policy.retryTimeout = 0
	if err := h.retry(context.Background(), connectors.Retriable(errors.New("x")), op); err == nil || calls != 0 {
		t.Fatalf("retried with errors.retry.timeout=0: %v, %d calls", err, calls)
	}
	// The timeout ends retries of an error that stays.
	h.policy.retryTimeout = 50 * time.Millisecond
	always := func() error { calls++; return connectors.Retriable(errors.New("down")) }
	start := time.Now()
	if err := h.retry(context.Background(), always(), always); !connectors.IsRetriable(err) || time.Since(start) > 5*time.Second {
		t.Fatalf("retry = %v after %v", err, time.Since(start))
	}
}

func TestExceptionClass(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{schemas.DataErrorf("x"), "org.apache.kafka.connect.errors.DataException"},
		{connectors.Retriable(errors.New("x")), "org.apache.kafka.connect.errors.RetriableException"},
		{errors.New("x"), "*errors.errorString"},
	} {
		if got := exceptionClass(tc.err); got != tc.want {
			t.Errorf("exceptionClass(%v) = %q; want %q", tc.err, got, tc.want)
		}
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestValidateDLQNotConsumed(t *testing.T) {
	infos, _, err := ValidateConnectorConfig(builtin.Registry(), nil, map[string]string{
		"name": "c", "connector.class": "FileStreamSink", "topics": "a, dlq", "errors.deadletterqueue.topic.name": "dlq",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "The DLQ topic 'dlq' may not be included in the list of topics ('topics=[a, dlq]') consumed by the connector"
	for _, c := range infos.Configs {
		if c.Value != nil && c.Value.Name == "topics" {
			if len(c.Value.Errors) != 1 || c.Value.Errors[0] != want {
				t.Fatalf("topics errors %q; want %q", c.Value.Errors, want)
			}
			return
		}
	}
	t.Fatal("no topics entry")
}
