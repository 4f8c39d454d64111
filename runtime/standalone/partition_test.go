package standalone_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/schemas"
)

// choosingSource writes n records to its topic, record i to the partition
// partition(i), keyed so that the key's hash would choose another one.
type choosingSource struct {
	n         int
	partition func(i int) int32
	topic     string
}

func (s *choosingSource) Config() *config.Def { return config.NewDef() }
func (s *choosingSource) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	s.topic = props["topic"]
	return nil
}
func (s *choosingSource) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{{"topic": s.topic}}, nil
}
func (s *choosingSource) Stop(context.Context) error { return nil }
func (s *choosingSource) NewTask() connectors.SourceTask {
	return &choosingTask{n: s.n, partition: s.partition}
}

type choosingTask struct {
	n         int
	partition func(i int) int32
	topic     string
	sent      bool
}

func (t *choosingTask) Start(_ context.Context, _ connectors.SourceTaskContext, props map[string]string) error {
	t.topic = props["topic"]
	return nil
}

func (t *choosingTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if t.sent {
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
		return nil, nil
	}
	t.sent = true
	recs := make([]connectors.SourceRecord, t.n)
	for i := range recs {
		p := t.partition(i)
		recs[i] = connectors.SourceRecord{
			Record: connectors.Record{Topic: t.topic, Partition: &p, KeySchema: schemas.OptionalStringSchema, Key: "same key",
				ValueSchema: schemas.OptionalStringSchema, Value: strconv.Itoa(i)},
			SourcePartition: map[string]any{"p": "x"}, SourceOffset: map[string]any{"i": int64(i)},
		}
	}
	return recs, nil
}

func (t *choosingTask) Stop(context.Context) error { return nil }

// TestSourceRecordsGoToTheirChosenPartition: a record whose connector set
// its Kafka partition is written there, whatever its key's hash says (as
// SourceRecord.kafkaPartition in Kafka Connect); a partition the topic
// does not have, or a negative one, fails the task with a message that
// says so.
func TestSourceRecordsGoToTheirChosenPartition(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	reg := builtin.Registry()
	const n = 30
	register := func(class string, partition func(int) int32) {
		reg.Register(plugins.Plugin{Class: class, Kind: plugins.Source,
			New: func() any { return &choosingSource{n: n, partition: partition} }})
	}
	register("com.example.RoundRobinSourceConnector", func(i int) int32 { return int32(i % 3) })
	register("com.example.NoSuchPartitionSourceConnector", func(int) int32 { return 7 })
	register("com.example.NegativePartitionSourceConnector", func(int) int32 { return -1 })
	h := newHerderWith(t, bootstrap, nil, reg)
	ctx := context.Background()
	create := func(name, class, topic string) {
		t.Helper()
		if _, _, err := h.PutConnectorConfig(ctx, name, map[string]string{"connector.class": class, "topic": topic,
			"key.converter": "StringConverter", "value.converter": "StringConverter"}, false, ""); err != nil {
			t.Fatal(err)
		}
	}

	topic := testkit.NewTopic(t, bootstrap, 3)
	create("round-robin", "RoundRobinSource", topic)
	got := readPartitions(t, bootstrap, topic, 3, n)
	for p, values := range got {
		for _, v := range values {
			i, _ := strconv.Atoi(v)
			if int32(i%3) != p {
				t.Fatalf("record %d is in partition %d, want %d; partitions hold %v", i, p, i%3, got)
			}
		}
	}

	small := testkit.NewTopic(t, bootstrap, 3)
	for name, want := range map[string]string{
		"NoSuchPartitionSource":   fmt.Sprintf("partition 7 of topic %s, which has 3 partitions", small),
		"NegativePartitionSource": "Invalid partition: -1. Partition number should always be non-negative or null.",
	} {
		create(strings.ToLower(name), name, small)
		ts := awaitTask(t, h, strings.ToLower(name), herder.Failed)
		if !strings.Contains(ts.Trace, want) {
			t.Fatalf("%s failed with\n%s\nwant a trace with %q", name, ts.Trace, want)
		}
	}
}

// readPartitions reads n records from the partitions of topic and returns
// their values by partition.
func readPartitions(t *testing.T, bootstrap, topic string, partitions int32, n int) map[int32][]string {
	t.Helper()
	c, err := sarama.NewConsumer(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	type rec struct {
		p int32
		v string
	}
	recs := make(chan rec, n)
	for p := range partitions {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		go func() {
			for m := range pc.Messages() {
				recs <- rec{p, string(m.Value)}
			}
		}()
	}
	got := map[int32][]string{}
	timeout := time.After(time.Minute)
	for range n {
		select {
		case r := <-recs:
			got[r.p] = append(got[r.p], r.v)
		case <-timeout:
			t.Fatalf("read %v of %d records from %s", got, n, topic)
		}
	}
	return got
}
