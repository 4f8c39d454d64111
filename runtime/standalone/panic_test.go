package standalone_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/internal/testkit/panicky"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// instance is what the status of a connector or a task shows: its state
// and the first line of its trace (the rest are the panic's frames).
type instance struct {
	state herder.State
	trace string
}

// picture is every connector's status and its tasks', by name.
type picture map[string][]instance

func headline(trace string) string {
	first, _, _ := strings.Cut(trace, "\n")
	return first
}

func pictureOf(t *testing.T, h herder.Herder) picture {
	t.Helper()
	names, err := h.Connectors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p := picture{}
	for _, n := range names {
		st, err := h.ConnectorStatus(context.Background(), n)
		if err != nil {
			p[n] = nil
			continue
		}
		p[n] = []instance{{st.Connector.State, headline(st.Connector.Trace)}}
		for _, ts := range st.Tasks {
			p[n] = append(p[n], instance{ts.State, headline(ts.Trace)})
		}
	}
	return p
}

// expect is a connector's wanted status: its state and its tasks' states,
// and what the trace of each FAILED one must say.
type expect struct {
	name  string
	cfg   map[string]string
	state []herder.State // the connector's, then its tasks'
	trace []string       // for each FAILED one, in order: what its headline says
}

// matches reports whether a connector's status is as expected, and why not.
func (e expect) matches(p picture) (bool, string) {
	got := p[e.name]
	if len(got) != len(e.state) {
		return false, fmt.Sprintf("%s: %+v, want states %v", e.name, got, e.state)
	}
	traces := e.trace
	for i, in := range got {
		if in.state != e.state[i] {
			return false, fmt.Sprintf("%s: %+v, want states %v", e.name, got, e.state)
		}
		if in.state == herder.Failed {
			if len(traces) == 0 || !strings.Contains(in.trace, traces[0]) {
				return false, fmt.Sprintf("%s: trace %q does not say %q", e.name, in.trace, traces)
			}
			traces = traces[1:]
		}
	}
	return true, ""
}

// awaitPicture waits until every connector's status is as expected.
func awaitPicture(t *testing.T, h herder.Herder, want []expect) picture {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		p := pictureOf(t, h)
		ok, why := true, ""
		for _, e := range want {
			if ok, why = e.matches(p); !ok {
				break
			}
		}
		if ok {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkFrames checks that the full trace of each FAILED instance lists the
// frames of the panicking plugin code.
func checkFrames(t *testing.T, h herder.Herder, names ...string) {
	t.Helper()
	for _, n := range names {
		st, err := h.ConnectorStatus(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		traces := []string{st.Connector.Trace}
		for _, ts := range st.Tasks {
			traces = append(traces, ts.Trace)
		}
		for _, tr := range traces {
			if tr != "" && !strings.Contains(tr, "\n\tat github.com/sluicehq/sluice/internal/testkit/panicky.") {
				t.Errorf("%s: trace has no frame of the plugin:\n%s", n, tr)
			}
		}
	}
}

// TestPanickingPluginsFailOnlyTheirConnector: connectors and tasks that
// panic in Start, TaskConfigs, Poll, Put and Flush are FAILED with a trace
// naming the method, the panic and its frames, while the worker and a
// healthy pipeline beside them run on. Validate's panic answers the
// request with a 500; Stop's is logged. A herder started again on the same
// files comes back with the same picture.
func TestPanickingPluginsFailOnlyTheirConnector(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	ctx := context.Background()
	dir := t.TempDir()
	sunk := &panicky.Sunk{}
	reg := builtin.Registry()
	panicky.Register(reg, sunk)
	log := &testkit.LogBuffer{}
	h := fileHerder(t, bootstrap, dir, nil, reg, log)
	if err := h.Start(ctx); err != nil {
		t.Fatal(err)
	}
	h.MarkReady()

	healthyTopic := testkit.NewTopic(t, bootstrap, 1)
	sinkTopic := testkit.NewTopic(t, bootstrap, 1)
	produce(t, bootstrap, sinkTopic, "x", "y", "z")
	source := func(panicOn string) map[string]string {
		return map[string]string{"connector.class": panicky.SourceClass, "topic": healthyTopic, panicky.PanicOn: panicOn}
	}
	sink := func(panicOn string) map[string]string {
		return map[string]string{"connector.class": panicky.SinkClass, "topics": sinkTopic, panicky.PanicOn: panicOn}
	}
	const srcTask, sinkTask = "test.sluice.PanickySourceTask", "test.sluice.PanickySinkTask"
	r, f := herder.Running, herder.Failed
	want := []expect{
		{name: "connector-start", cfg: source("connector.Start"), state: []herder.State{f},
			trace: []string{"start connector connector-start: " + panicky.SourceClass + ".Start panicked: boom in connector.Start"}},
		{name: "connector-taskconfigs", cfg: sink("connector.TaskConfigs"), state: []herder.State{f},
			trace: []string{panicky.SinkClass + ".TaskConfigs panicked: boom in connector.TaskConfigs"}},
		{name: "task-start", cfg: sink("task.Start"), state: []herder.State{r, f}, trace: []string{sinkTask + ".Start panicked: boom in task.Start"}},
		{name: "task-poll", cfg: source("task.Poll"), state: []herder.State{r, f}, trace: []string{"poll: " + srcTask + ".Poll panicked: boom in task.Poll"}},
		{name: "task-put", cfg: sink("task.Put"), state: []herder.State{r, f}, trace: []string{"put: " + sinkTask + ".Put panicked: boom in task.Put"}},
		{name: "task-flush", cfg: sink("task.Flush"), state: []herder.State{r, f}, trace: []string{"flush: " + sinkTask + ".Flush panicked: boom in task.Flush"}},
		{name: "healthy-source", cfg: map[string]string{"connector.class": panicky.SourceClass, "topic": healthyTopic, panicky.Values: "a,b,c"},
			state: []herder.State{r, r}},
		{name: "healthy-sink", cfg: map[string]string{"connector.class": panicky.SinkClass, "topics": healthyTopic}, state: []herder.State{r, r}},
	}
	// The sinks' consumer groups are this run's own: runtime/distributed's
	// test runs a healthy-sink at the same time on the same broker, and
	// earlier runs leave their groups behind.
	for _, e := range want {
		if _, ok := e.cfg["topics"]; ok {
			e.cfg["consumer.override.group.id"] = "connect-" + e.name + "-" + sinkTopic
		}
	}
	for _, e := range want {
		if _, created, err := h.PutConnectorConfig(ctx, e.name, e.cfg, false, ""); err != nil || !created {
			t.Fatalf("create %s: created %v, %v", e.name, created, err)
		}
	}
	// A connector that panics only when stopped runs, and is deleted.
	if _, _, err := h.PutConnectorConfig(ctx, "stop-panics", source("connector.Stop,task.Stop"), false, ""); err != nil {
		t.Fatal(err)
	}
	// Validate's panic is the answer to the request; nothing is created.
	for _, validate := range []func() error{
		func() error {
			_, _, err := h.PutConnectorConfig(ctx, "validate", source("connector.Validate"), false, "")
			return err
		},
		func() error { _, err := h.ValidateConnectorConfig(ctx, source("connector.Validate")); return err },
	} {
		err := validate()
		if herder.StatusCode(err) != 500 || !strings.Contains(err.Error(), panicky.SourceClass+" configuration panicked: boom in connector.Validate") {
			t.Fatalf("validate with a panic: %v", err)
		}
	}
	if _, err := h.ConnectorStatus(ctx, "validate"); herder.StatusCode(err) != 404 {
		t.Fatalf("a connector whose validation panicked has a status: %v", err)
	}

	before := awaitPicture(t, h, append(want, expect{name: "stop-panics", state: []herder.State{r, r}}))
	checkFrames(t, h, "connector-start", "connector-taskconfigs", "task-start", "task-poll", "task-put", "task-flush")
	if err := h.DeleteConnector(ctx, "stop-panics"); err != nil {
		t.Fatalf("delete a connector whose Stop panics: %v", err)
	}
	for _, s := range []string{panicky.SourceClass + ".Stop panicked: boom in connector.Stop", srcTask + ".Stop panicked: boom in task.Stop"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("the log does not say %q", s)
		}
	}
	delete(before, "stop-panics")
	awaitSunk(t, sunk, "healthy-sink", "a", "b", "c")

	// Restarts through the API fail the same way, and the worker runs on.
	starts := func(name string) int {
		return strings.Count(log.String(), `msg="starting connector" connector=`+name+" ")
	}
	startsBefore := starts("connector-start") + starts("connector-taskconfigs")
	if _, err := h.RestartConnector(ctx, "connector-start", true, false); err != nil {
		t.Fatal(err)
	}
	if _, err := h.RestartConnector(ctx, "connector-taskconfigs", false, false); err != nil {
		t.Fatal(err)
	}
	if err := h.RestartTask(ctx, herder.TaskID{Connector: "task-poll", Task: 0}); err != nil {
		t.Fatal(err)
	}
	if again := awaitPicture(t, h, want); !reflect.DeepEqual(before, again) {
		t.Fatalf("after restarts the connectors are\n%v\nwere\n%v", again, before)
	}
	if n := starts("connector-start") + starts("connector-taskconfigs"); n != startsBefore+2 {
		t.Fatalf("the two connectors were started %d times after %d; want 2 restarts", n, startsBefore)
	}

	// The worker restarts on the same files with the same picture.
	h.Stop(ctx)
	h2 := fileHerder(t, bootstrap, dir, nil, reg, log)
	if err := h2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	h2.MarkReady()
	after := awaitPicture(t, h2, want)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("after a restart the connectors are\n%v\nwere\n%v", after, before)
	}
	checkFrames(t, h2, "connector-start", "connector-taskconfigs", "task-start", "task-poll", "task-put", "task-flush")
}

// awaitSunk waits until a panicky sink connector has put exactly want.
func awaitSunk(t *testing.T, sunk *panicky.Sunk, connector string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := sunk.Values(connector)
		if slices.Equal(got, want) {
			return
		}
		if len(got) > len(want) || time.Now().After(deadline) {
			t.Fatalf("%s put %q, want %q", connector, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPanicsInRecordStagesAreTolerated: a converter, transformation or
// predicate that panics on one record fails that record in its stage (as
// any error there would): with errors.tolerance=all it is skipped and
// reported (error log, dead letter queue) and the others are delivered;
// with none it fails the task with a trace naming the stage and the panic.
func TestPanicsInRecordStagesAreTolerated(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	ctx := context.Background()
	sunk := &panicky.Sunk{}
	reg := builtin.Registry()
	panicky.Register(reg, sunk)
	log := &testkit.LogBuffer{}
	h := fileHerder(t, bootstrap, t.TempDir(), nil, reg, log)
	if err := h.Start(ctx); err != nil {
		t.Fatal(err)
	}

	tolerateAll := map[string]string{"errors.tolerance": "all", "errors.log.enable": "true",
		"errors.deadletterqueue.topic.replication.factor": "1", "errors.deadletterqueue.context.headers.enable": "true"}
	converter := map[string]string{"value.converter": panicky.ConverterClass, "value.converter." + panicky.PanicOnValue: "bad"}
	transform := map[string]string{"transforms": "p", "transforms.p.type": panicky.TransformClass, "transforms.p." + panicky.PanicOnValue: "bad"}
	predicate := map[string]string{"transforms": "p", "transforms.p.type": panicky.TransformClass, "transforms.p.predicate": "q",
		"predicates": "q", "predicates.q.type": panicky.PredicateClass, "predicates.q." + panicky.PanicOnValue: "bad"}

	sinkCases := []struct {
		name   string
		cfg    map[string]string
		stage  string
		class  string
		panics string
	}{
		{name: "converter", cfg: converter, stage: "VALUE_CONVERTER", class: panicky.ConverterClass,
			panics: panicky.ConverterClass + ".ToConnectData panicked: boom in ToConnectData"},
		{name: "transform", cfg: transform, stage: "TRANSFORMATION", class: panicky.TransformClass,
			panics: panicky.TransformClass + ".Apply panicked: boom in Apply"},
		{name: "predicate", cfg: predicate, stage: "TRANSFORMATION", class: panicky.TransformClass,
			panics: panicky.PredicateClass + ".Test panicked: boom in Test"},
	}
	for _, tc := range sinkCases {
		t.Run("sink "+tc.name, func(t *testing.T) {
			topic := testkit.NewTopic(t, bootstrap, 1)
			produce(t, bootstrap, topic, "a", "bad", "b", "bad", "c")
			dlq := topic + "-dlq"
			name := "sink-" + tc.name
			cfg := map[string]string{"connector.class": panicky.SinkClass, "topics": topic, "errors.deadletterqueue.topic.name": dlq}
			for _, m := range []map[string]string{tolerateAll, tc.cfg} {
				for k, v := range m {
					cfg[k] = v
				}
			}
			if _, _, err := h.PutConnectorConfig(ctx, name, cfg, false, ""); err != nil {
				t.Fatal(err)
			}
			awaitSunk(t, sunk, name, "a", "b", "c")
			for i, m := range awaitMessages(t, bootstrap, dlq, 2) {
				hs := map[string]string{}
				for _, h := range m.Headers {
					hs[string(h.Key)] = string(h.Value)
				}
				if string(m.Value) != "bad" || hs["__connect.errors.stage"] != tc.stage || hs["__connect.errors.class.name"] != tc.class ||
					hs["__connect.errors.offset"] != fmt.Sprint(1+2*i) || !strings.HasPrefix(hs["__connect.errors.exception.message"], tc.panics+"\n\tat ") {
					t.Errorf("dead letter queue record %q with headers %v", m.Value, hs)
				}
			}
			if want := fmt.Sprintf("Executing stage '%s' with class '%s', where consumed record is {topic='%s', partition=0, offset=3", tc.stage, tc.class, topic); !strings.Contains(log.String(), want) {
				t.Errorf("the log does not report %q", want)
			}
			awaitTask(t, h, name, herder.Running)
		})
	}

	t.Run("source converter", func(t *testing.T) {
		topic := testkit.NewTopic(t, bootstrap, 1)
		cfg := map[string]string{"connector.class": panicky.SourceClass, "topic": topic, panicky.Values: "a,bad,b,bad,c",
			"value.converter": panicky.ConverterClass, "value.converter." + panicky.PanicOnValue: "bad"}
		for k, v := range tolerateAll {
			cfg[k] = v
		}
		if _, _, err := h.PutConnectorConfig(ctx, "source-converter", cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range awaitMessages(t, bootstrap, topic, 3) {
			got = append(got, string(m.Value))
		}
		if !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("topic holds %q", got)
		}
		want := "Executing stage 'VALUE_CONVERTER' with class '" + panicky.ConverterClass + "', where source record is {topic='" + topic + "'"
		if !strings.Contains(log.String(), want) || !strings.Contains(log.String(), "FromConnectData panicked: boom in FromConnectData") {
			t.Errorf("the log does not report %q and the panic", want)
		}
		awaitTask(t, h, "source-converter", herder.Running)
	})

	t.Run("tolerance none", func(t *testing.T) {
		topic := testkit.NewTopic(t, bootstrap, 1)
		produce(t, bootstrap, topic, "a", "bad", "b")
		cfg := map[string]string{"connector.class": panicky.SinkClass, "topics": topic}
		for k, v := range transform {
			cfg[k] = v
		}
		if _, _, err := h.PutConnectorConfig(ctx, "tolerance-none", cfg, false, ""); err != nil {
			t.Fatal(err)
		}
		ts := awaitTask(t, h, "tolerance-none", herder.Failed)
		for _, want := range []string{"Tolerance exceeded in error handler: Executing stage 'TRANSFORMATION' with class '" + panicky.TransformClass + "'",
			"{topic='" + topic + "', partition=0, offset=1", panicky.TransformClass + ".Apply panicked: boom in Apply\n\tat "} {
			if !strings.Contains(ts.Trace, want) {
				t.Errorf("trace lacks %q:\n%s", want, ts.Trace)
			}
		}
	})
}
