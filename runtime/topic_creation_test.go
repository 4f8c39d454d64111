package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// A topic takes the first listed group whose include matches all of it and
// whose exclude does not, else the default group; groups inherit the
// default group's partitions and replication factor; the default group's
// own include and exclude, and a group named default in the list, are
// ignored, as in Kafka Connect's TopicCreation.findFirstGroup.
func TestTopicCreationGroupOf(t *testing.T) {
	props := map[string]string{
		"topic.creation.groups":                     "compacted, default, wide, compacted, none",
		"topic.creation.default.replication.factor": "-1",
		"topic.creation.default.partitions":         "1",
		"topic.creation.default.retention.ms":       "60000",
		"topic.creation.default.include":            "never",
		"topic.creation.default.exclude":            ".*",
		"topic.creation.compacted.include":          `orders\..*, audit`,
		"topic.creation.compacted.exclude":          `orders\.tmp.*`,
		"topic.creation.compacted.partitions":       "3",
		"topic.creation.compacted.cleanup.policy":   "compact",
		"topic.creation.wide.include":               `wide-\p{Alpha}+`,
		"topic.creation.wide.replication.factor":    "1",
		"topic.creation.none.partitions":            "7",
	}
	tc, err := parseTopicCreation(props, nil)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		group       string
		partitions  int32
		replication int16
		configs     map[string]string
	}
	compacted := want{"compacted", 3, -1, map[string]string{"cleanup.policy": "compact"}}
	fallback := want{"default", 1, -1, map[string]string{"retention.ms": "60000"}}
	for topic, w := range map[string]want{
		"orders.eu":    compacted,
		"audit":        compacted,
		"auditing":     fallback, // include matches whole names only
		"orders.tmp.1": fallback, // excluded from compacted
		"wide-abc":     {"wide", 1, 1, map[string]string{}},
		"wide-123":     fallback,
		"never":        fallback,
		"":             fallback, // "none" has no include: it matches no topic
	} {
		g := tc.group(topic)
		got := want{g.name, g.partitions, g.replication, g.configs}
		if got.group != w.group || got.partitions != w.partitions || got.replication != w.replication || !maps.Equal(got.configs, w.configs) {
			t.Errorf("topic %q: group %+v, want %+v", topic, got, w)
		}
	}
	var names []string
	for _, g := range tc.groups {
		names = append(names, g.name)
	}
	if strings.Join(names, ",") != "compacted,wide,none" {
		t.Errorf("groups %v, want compacted,wide,none (listed order, default and duplicates dropped)", names)
	}
}

// Bad topic creation settings are refused with Kafka Connect's messages,
// naming the key.
func TestTopicCreationProblems(t *testing.T) {
	base := func(kv ...string) map[string]string {
		m := map[string]string{"topic.creation.default.replication.factor": "1", "topic.creation.default.partitions": "1"}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "<unset>" {
				delete(m, kv[i])
				continue
			}
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		props map[string]string
		key   string
		want  string // a trailing … means a prefix
	}{
		{"default replication factor missing", base("topic.creation.default.replication.factor", "<unset>"),
			"topic.creation.default.replication.factor", `Missing required configuration "topic.creation.default.replication.factor" which has no default value.`},
		{"default partitions missing", base("topic.creation.default.partitions", "<unset>"),
			"topic.creation.default.partitions", `Missing required configuration "topic.creation.default.partitions" which has no default value.`},
		{"partitions 0", base("topic.creation.default.partitions", "0"),
			"topic.creation.default.partitions", "Invalid value 0 for configuration topic.creation.default.partitions: Number of partitions must be positive, or -1 to use the broker's default"},
		{"replication factor -2", base("topic.creation.default.replication.factor", "-2"),
			"topic.creation.default.replication.factor", "Invalid value -2 for configuration topic.creation.default.replication.factor: Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default"},
		{"replication factor not a number", base("topic.creation.default.replication.factor", "three"),
			"topic.creation.default.replication.factor", "Invalid value three for configuration topic.creation.default.replication.factor: Not a number of type SHORT"},
		{"replication factor too large for a short", base("topic.creation.default.replication.factor", "40000"),
			"topic.creation.default.replication.factor", "Invalid value 40000 for configuration topic.creation.default.replication.factor: Not a number of type SHORT"},
		{"group partitions 0", base("topic.creation.groups", "g", "topic.creation.g.include", "a.*", "topic.creation.g.partitions", "0"),
			"topic.creation.g.partitions", "Invalid value 0 for configuration topic.creation.g.partitions: Number of partitions must be positive, or -1 to use the broker's default"},
		{"group bad include regex", base("topic.creation.groups", "g", "topic.creation.g.include", "ok, ("),
			"topic.creation.g.include", "Invalid value [ok, (] for configuration topic.creation.g.include: Syntax error in regular expression: …"},
		{"group bad exclude regex", base("topic.creation.groups", "g", "topic.creation.g.exclude", "a(?<=b)"),
			"topic.creation.g.exclude", "Invalid value [a(?<=b)] for configuration topic.creation.g.exclude: Syntax error in regular expression: …"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTopicCreation(tc.props, nil)
			var ce *config.Error
			if !errors.As(err, &ce) || len(ce.Problems) != 1 {
				t.Fatalf("error %v, want one problem", err)
			}
			p := ce.Problems[0]
			if p.Key != tc.key {
				t.Errorf("key %s, want %s", p.Key, tc.key)
			}
			if prefix, ok := strings.CutSuffix(tc.want, "…"); ok {
				if !strings.HasPrefix(p.Message, prefix) {
					t.Errorf("message %q, want prefix %q", p.Message, prefix)
				}
			} else if p.Message != tc.want {
				t.Errorf("message\n%q\nwant\n%q", p.Message, tc.want)
			}
		})
	}
	// -1 (the broker's default) is accepted for both.
	if _, err := parseTopicCreation(base("topic.creation.default.replication.factor", "-1", "topic.creation.default.partitions", "-1"), nil); err != nil {
		t.Fatal(err)
	}
}

// Any key starting with topic.creation. makes a configuration use topic
// creation (SourceConnectorConfig.usesTopicCreation).
func TestUsesTopicCreation(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  bool
	}{
		{map[string]string{"topic.creation.groups": ""}, true},
		{map[string]string{"topic.creation.default.partitions": "1", "name": "c"}, true},
		{map[string]string{"topic.creation.x.cleanup.policy": "compact"}, true},
		{map[string]string{"topic.creationx": "1", "topic": "a"}, false},
		{map[string]string{}, false},
	} {
		if got := usesTopicCreation(tc.props); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.props, got, tc.want)
		}
	}
}

// validate reports topic creation problems on their keys, for sources on
// a worker that enables topic creation; topic.creation.groups is the only
// key of the "Topic Creation" group, as in Kafka Connect 4.4.
func TestValidateTopicCreation(t *testing.T) {
	src := map[string]string{"name": "c", "connector.class": "Datagen", "kafka.topic": "t", "quickstart": "users",
		"topic.creation.default.partitions": "0", "topic.creation.groups": "g", "topic.creation.g.include": "("}
	for _, tc := range []struct {
		name   string
		worker map[string]string
		conn   map[string]string
		errs   map[string]string // key → error prefix
	}{
		{"source", nil, src, map[string]string{
			"topic.creation.default.replication.factor": `Missing required configuration "topic.creation.default.replication.factor"`,
			"topic.creation.default.partitions":         "Invalid value 0 for configuration topic.creation.default.partitions: Number of partitions",
			"topic.creation.g.include":                  "Invalid value [(] for configuration topic.creation.g.include: Syntax error in regular expression",
		}},
		{"source, replication factor given", nil, with(src, "topic.creation.default.replication.factor", "1"), map[string]string{
			"topic.creation.default.partitions": "Invalid value 0 for configuration topic.creation.default.partitions: Number of partitions",
			"topic.creation.g.include":          "Invalid value [(] for configuration topic.creation.g.include: Syntax error in regular expression",
		}},
		{"worker disables topic creation", map[string]string{"topic.creation.enable": "false"}, src, nil},
		{"sink", nil, with(src, "connector.class", "FileStreamSink", "topics", "t"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wc, err := ParseWorkerConfig(with(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"}, flat(tc.worker)...), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), storage.NewMemoryStatus(), slog.New(slog.DiscardHandler))
			infos, kind, err := w.ValidateConnectorConfig(maps.Clone(tc.conn))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			var groups *herder.ConfigInfo
			for i, c := range infos.Configs {
				if c.Value != nil && len(c.Value.Errors) > 0 {
					got[c.Value.Name] = c.Value.Errors
				}
				if c.Definition != nil && c.Definition.Name == TopicCreationGroups {
					groups = &infos.Configs[i]
				}
			}
			if infos.ErrorCount != len(tc.errs) || len(got) != len(tc.errs) {
				t.Fatalf("error_count %d, errors %v; want %v", infos.ErrorCount, got, tc.errs)
			}
			for k, prefix := range tc.errs {
				if len(got[k]) != 1 || !strings.HasPrefix(got[k][0], prefix) {
					t.Errorf("%s: errors %q, want one starting %q", k, got[k], prefix)
				}
			}
			if (kind == plugins.Source) != (groups != nil) {
				t.Fatalf("kind %s: topic.creation.groups defined: %v", kind, groups != nil)
			}
			if groups != nil && (groups.Definition.Group == nil || *groups.Definition.Group != "Topic Creation") {
				t.Errorf("topic.creation.groups in group %v, want \"Topic Creation\"", groups.Definition.Group)
			}
		})
	}
}

// with returns a copy of m with the key/value pairs kv set.
func with(m map[string]string, kv ...string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// flat returns m's pairs as a key/value list.
func flat(m map[string]string) []string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k, v)
	}
	return kv
}

// topicAdmin is an admin client whose topics are a map; create answers
// createErr when set.
type topicAdmin struct {
	sarama.ClusterAdmin
	topics    map[string]*sarama.TopicDetail
	createErr error
	describes int
	creates   int
}

func (a *topicAdmin) DescribeTopics(names []string) ([]*sarama.TopicMetadata, error) {
	a.describes++
	var out []*sarama.TopicMetadata
	for _, n := range names {
		m := &sarama.TopicMetadata{Name: n}
		if _, ok := a.topics[n]; !ok {
			m.Err = sarama.ErrUnknownTopicOrPartition
		}
		out = append(out, m)
	}
	return out, nil
}

func (a *topicAdmin) CreateTopic(name string, d *sarama.TopicDetail, _ bool) error {
	a.creates++
	if a.createErr != nil {
		return a.createErr
	}
	if _, ok := a.topics[name]; ok {
		return sarama.ErrTopicAlreadyExists
	}
	a.topics[name] = d
	return nil
}

// A source task's topics are looked up once each: a missing one is
// created with its group's settings; one that already exists, or that
// another worker creates at the same moment, is taken; a creation the
// broker refuses fails with the broker's error.
func TestSourceTopicsEnsure(t *testing.T) {
	tc, err := parseTopicCreation(map[string]string{
		"topic.creation.default.replication.factor": "-1", "topic.creation.default.partitions": "2",
		"topic.creation.groups": "c", "topic.creation.c.include": "c-.*", "topic.creation.c.partitions": "3",
		"topic.creation.c.cleanup.policy": "compact",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	newTopics := func(a *topicAdmin) *sourceTopics {
		return &sourceTopics{creation: tc, log: slog.New(slog.NewTextHandler(&logs, nil)),
			admin: func(_ context.Context, f func(sarama.ClusterAdmin) error) error { return f(a) }}
	}
	ctx := context.Background()
	a := &topicAdmin{topics: map[string]*sarama.TopicDetail{"there": {NumPartitions: 1}}}
	s := newTopics(a)
	for _, topic := range []string{"c-1", "c-1", "plain", "c-1", "there", "plain", "there"} {
		if err := s.ensure(ctx, ctx, topic); err != nil {
			t.Fatalf("%s: %v", topic, err)
		}
	}
	if a.describes != 3 || a.creates != 2 {
		t.Errorf("%d lookups and %d creations, want 3 and 2 (once per topic)", a.describes, a.creates)
	}
	if d := a.topics["c-1"]; d.NumPartitions != 3 || d.ReplicationFactor != -1 || d.ConfigEntries["cleanup.policy"] == nil || *d.ConfigEntries["cleanup.policy"] != "compact" {
		t.Errorf("c-1 created as %+v", d)
	}
	if d := a.topics["plain"]; d.NumPartitions != 2 || len(d.ConfigEntries) != 0 {
		t.Errorf("plain created as %+v", d)
	}
	for _, want := range []string{"Created topic 'c-1' using creation group c", "Created topic 'plain' using creation group default", "Topic 'there' already exists."} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log does not say %q:\n%s", want, logs.String())
		}
	}

	// Records to topics seen before make no request and allocate nothing.
	before := a.describes
	topics := []string{"c-1", "c-1", "plain", "there"}
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		_ = s.ensure(ctx, ctx, topics[i%len(topics)])
		i++
	}); n != 0 || a.describes != before {
		t.Errorf("%v allocations per record, %d lookups; want none", n, a.describes-before)
	}

	// Created by another worker between the lookup and the creation.
	raced := &topicAdmin{topics: map[string]*sarama.TopicDetail{}, createErr: sarama.ErrTopicAlreadyExists}
	if err := newTopics(raced).ensure(ctx, ctx, "raced"); err != nil || !strings.Contains(logs.String(), "Found existing topic 'raced'") {
		t.Errorf("raced creation: %v\n%s", err, logs.String())
	}

	denied := &topicAdmin{topics: map[string]*sarama.TopicDetail{},
		createErr: &sarama.TopicError{Err: sarama.ErrTopicAuthorizationFailed, ErrMsg: new(string)}}
	err = newTopics(denied).ensure(ctx, ctx, "c-secret")
	if err == nil || !errors.Is(err, sarama.ErrTopicAuthorizationFailed) ||
		!strings.Contains(err.Error(), "Task failed to create new topic c-secret with topic creation group c") {
		t.Fatalf("denied creation: %v", err)
	}
}

// A source whose stored configuration has bad topic creation settings (it
// was not validated by this worker: written by another, or before topic
// creation was enabled) fails when it starts, as Kafka Connect's
// Worker.startConnector makes it; with topic creation disabled on the
// worker the keys are not read.
func TestStartConnectorTopicCreation(t *testing.T) {
	conn := map[string]string{"name": "c", "connector.class": "Datagen", "kafka.topic": "t", "quickstart": "users",
		"topic.creation.default.replication.factor": "1", "topic.creation.default.partitions": "0"}
	for _, tc := range []struct {
		enable string
		want   herder.State
	}{{"true", herder.Failed}, {"false", herder.Running}} {
		t.Run("topic.creation.enable="+tc.enable, func(t *testing.T) {
			wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
				"topic.creation.enable": tc.enable}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			status := storage.NewMemoryStatus()
			w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), status, slog.New(slog.DiscardHandler))
			err = w.StartConnector(context.Background(), "c", conn, herder.TargetStarted, func() {})
			t.Cleanup(func() { w.StopConnector(context.Background(), "c") })
			st, _ := status.Connector("c")
			if st.State != tc.want {
				t.Fatalf("connector %+v (err %v), want %s", st, err, tc.want)
			}
			if tc.want == herder.Failed && !strings.Contains(st.Trace, "Invalid value 0 for configuration topic.creation.default.partitions: Number of partitions must be positive") {
				t.Errorf("trace %q", st.Trace)
			}
		})
	}
}

// topic.creation.groups is defined as Kafka Connect 4.4's validate answer
// shows it (captured from Kafka Connect 4.4.0: type LIST, default "",
// LOW, group "Topic Creation", order 1, width LONG).
func TestTopicCreationGroupsDefinition(t *testing.T) {
	k, ok := SourceDef().Key(TopicCreationGroups)
	if !ok {
		t.Fatal("sources have no topic.creation.groups")
	}
	if k.Type != config.List || k.Importance != config.Low || k.Group != "Topic Creation" || k.OrderInGroup != 1 ||
		k.Width != config.WidthLong || k.DisplayName != "Topic Creation Groups" || k.Required() ||
		k.Doc != "Groups of configurations for topics created by source connectors" {
		t.Errorf("topic.creation.groups: %+v", k)
	}
	if _, ok := SinkDef().Key(TopicCreationGroups); ok {
		t.Error("sinks define topic.creation.groups")
	}
	res := SourceDef().Validate(map[string]string{"name": "c", "connector.class": "Datagen", TopicCreationGroups: "a,b,a"})
	var errs []string
	for _, r := range res {
		if r.Name == TopicCreationGroups {
			errs = r.Errors
		}
	}
	if len(errs) != 1 || errs[0] != "Invalid value [a, b, a] for configuration topic.creation.groups: Duplicate alias provided." {
		t.Errorf("duplicate group: %q", errs)
	}
}

// The topic.creation.groups entry of a validate answer is Kafka Connect
// 4.4.0's, field by field (api/testdata/kc-4.4.0, captured from a real
// worker with the same configuration), but for the name of the order
// field.
func TestValidateTopicCreationGolden(t *testing.T) {
	data, err := os.ReadFile("../api/testdata/kc-4.4.0/validate-source-topic-creation.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Groups  []string                    `json:"groups"`
		Configs []map[string]map[string]any `json:"configs"`
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]string{"connector.class": "FileStreamSource", "name": "kc44cap4-v", "tasks.max": "1",
		"file": "/work/kc44-scratch/files/kc44cap4-in.txt", "topic": "kc44cap4-lines", "topic.creation.groups": "compacted",
		"topic.creation.default.replication.factor": "1", "topic.creation.default.partitions": "1",
		"topic.creation.compacted.include": "kc44cap4-.*", "topic.creation.compacted.partitions": "3",
		"topic.creation.compacted.cleanup.policy": "compact"}
	infos, _, err := ValidateConnectorConfig(builtin.Registry(), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if infos.ErrorCount != 0 {
		t.Fatalf("error_count %d", infos.ErrorCount)
	}
	entry := func(configs []map[string]map[string]any) map[string]map[string]any {
		for _, c := range configs {
			if c["definition"] != nil && c["definition"]["name"] == TopicCreationGroups {
				return c
			}
		}
		return nil
	}
	var ours struct {
		Configs []map[string]map[string]any `json:"configs"`
	}
	b, err := json.Marshal(infos)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ours); err != nil {
		t.Fatal(err)
	}
	// "Topic Creation" comes after the groups Kafka Connect lists before
	// it (sluice's own groups may come between).
	at := slices.Index(infos.Groups, groupTopicCreation)
	for _, g := range golden.Groups[:slices.Index(golden.Groups, groupTopicCreation)] {
		if i := slices.Index(infos.Groups, g); i < 0 || i > at {
			t.Errorf("groups %v: %q not before %q", infos.Groups, g, groupTopicCreation)
		}
	}
	want, got := entry(golden.Configs), entry(ours.Configs)
	if want == nil || got == nil {
		t.Fatalf("topic.creation.groups: golden %v, ours %v", want, got)
	}
	for _, part := range []string{"definition", "value"} {
		w, g := want[part], got[part]
		for _, m := range []map[string]any{w, g} {
			if o, ok := m["order"]; ok {
				m["order_in_group"] = o
				delete(m, "order")
			}
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("%s:\n got %v\nwant %v", part, g, w)
		}
	}
}

// TestTopicCreationManyGroups: a configuration with thousands of groups
// (within connector.config.max.bytes) is read whole; each group gets the
// keys with its prefix, as in Kafka Connect, also when group names share a
// prefix (a and a.b). How long it takes is BenchmarkTopicCreationManyGroups'
// business (six thousand groups once took over ten seconds, in every
// validation and at every task start).
func TestTopicCreationManyGroups(t *testing.T) {
	const n = 6000
	props := manyTopicCreationGroups(n)
	if size := ConfigSize(props); size > DefaultConnectorConfigMaxBytes {
		t.Fatalf("the configuration has %d bytes, more than a worker takes", size)
	}
	tc, err := parseTopicCreation(props, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tc.groups) != n+2 {
		t.Fatalf("%d groups, want %d", len(tc.groups), n+2)
	}
	for _, tt := range []struct {
		group   *topicGroup
		configs map[string]string
	}{
		{tc.fallback, map[string]string{"cleanup.policy": "compact"}},
		{tc.groups[0], map[string]string{"b.c": "x", "retention.ms": "5", "b.partitions": "7"}},
		{tc.groups[1], map[string]string{"c": "x"}},
		{tc.groups[n+1], map[string]string{"max.message.bytes": "1000"}},
	} {
		if !maps.Equal(tt.group.configs, tt.configs) {
			t.Errorf("group %s: configs %v, want %v", tt.group.name, tt.group.configs, tt.configs)
		}
	}
	if tc.groups[1].partitions != 7 {
		t.Errorf("group a.b: %d partitions, want 7", tc.groups[1].partitions)
	}
	if g := tc.group(fmt.Sprintf("g%d-12", n-1)); g != tc.groups[n+1] {
		t.Errorf("topic g%d-12 is in group %s", n-1, g.name)
	}
}

// manyTopicCreationGroups is a configuration with groups a, a.b and n
// more, each including its own topics.
func manyTopicCreationGroups(n int) map[string]string {
	props := map[string]string{"topic.creation.default.replication.factor": "1", "topic.creation.default.partitions": "1",
		"topic.creation.default.cleanup.policy": "compact", "topic.creation.a.b.c": "x", "topic.creation.a.retention.ms": "5",
		"topic.creation.a.b.partitions": "7", "topic.creation.unlisted.d": "y"}
	names := []string{"a", "a.b"}
	for i := range n {
		g := fmt.Sprintf("g%d", i)
		names = append(names, g)
		props["topic.creation."+g+".include"] = g + `-\d+`
		props["topic.creation."+g+".max.message.bytes"] = "1000"
	}
	props["topic.creation.groups"] = strings.Join(names, ",")
	return props
}

// BenchmarkTopicCreationManyGroups reads a configuration of 6,000 topic
// creation groups, the most a worker's default connector.config.max.bytes
// lets through (about 0.4 s on a 2-core machine): a cost that grew with
// the square of the groups would show here. It is a benchmark, not a
// limit in TestTopicCreationManyGroups, so that a loaded machine cannot
// fail the tests.
func BenchmarkTopicCreationManyGroups(b *testing.B) {
	props := manyTopicCreationGroups(6000)
	for b.Loop() {
		if _, err := parseTopicCreation(props, nil); err != nil {
			b.Fatal(err)
		}
	}
}
