package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
)

const (
	zombieAlter = "Failed to alter consumer group offsets for connector %s either because its tasks haven't stopped completely yet or the connector was resumed before the request to alter its offsets could be successfully completed. If the connector is in a stopped state, this operation can be safely retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid of the zombie sink tasks."
	zombieReset = "Failed to reset consumer group offsets for connector %s either because its tasks haven't stopped completely yet or the connector was resumed before the request to reset its offsets could be successfully completed. If the connector is in a stopped state, this operation can be safely retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid of the zombie sink tasks."
)

func newAdmin(t *testing.T, bootstrap string, version sarama.KafkaVersion) sarama.ClusterAdmin {
	t.Helper()
	cfg := testkit.SaramaConfig()
	cfg.Version = version
	admin, err := sarama.NewClusterAdmin(testkit.Addrs(bootstrap), cfg)
	if err != nil {
		t.Fatalf("admin client: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	return admin
}

// commitAsMember commits offsets for group as a sink task does: it joins
// the group as the only member, marks the offsets of its claims, commits and
// leaves. It is independent of the code under test.
func commitAsMember(t *testing.T, bootstrap, group string, offsets map[string]map[int32]int64) {
	t.Helper()
	var topics []string
	for topic := range offsets {
		topics = append(topics, topic)
	}
	h := &joinHandler{joined: make(chan struct{}), setup: func(s sarama.ConsumerGroupSession) {
		for topic, parts := range offsets {
			for p, off := range parts {
				s.MarkOffset(topic, p, off, "")
			}
		}
		s.Commit()
	}}
	m := join(t, bootstrap, group, topics, h)
	m.leave()
	if err := <-m.errs; err != nil {
		t.Fatalf("commit: %v", err)
	}
}

// wantOffsets compares offsets with the JSON the REST API would serve.
func wantOffsets(t *testing.T, got []SinkOffset, want string) {
	t.Helper()
	b, err := json.Marshal(restBody{Offsets: got})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Fatalf("offsets\n got %s\nwant %s", b, want)
	}
}

func sinkOffsets(t *testing.T, body string) []SinkOffset {
	t.Helper()
	return decodeOffsets(t, body, true)
}

func groupName(t *testing.T) string {
	return "connect-" + strings.ReplaceAll(t.Name(), "/", "_") + fmt.Sprint(time.Now().UnixNano())
}

func TestGroupOffsets(t *testing.T) {
	ctx := context.Background()
	bootstrap := testkit.Kafka(t)
	a := testkit.NewTopic(t, bootstrap, 3)
	b := testkit.NewTopic(t, bootstrap, 1)
	group := groupName(t)
	// The topic names are the test name plus a random suffix, so their order
	// is not known in advance.
	first, second := a, b
	if b < a {
		first, second = b, a
	}
	commitAsMember(t, bootstrap, group, map[string]map[int32]int64{
		a: {2: 7, 0: 5},
		b: {0: 9007199254740993},
	})
	entry := func(topic string, p int32, off int64) string {
		return fmt.Sprintf(`{"partition":{"kafka_partition":%d,"kafka_topic":%q},"offset":{"kafka_offset":%d}}`, p, topic, off)
	}
	offs := map[string]string{a: entry(a, 0, 5) + "," + entry(a, 2, 7), b: entry(b, 0, 9007199254740993)}
	want := `{"offsets":[` + offs[first] + "," + offs[second] + `]}`

	// Version 8 of OffsetFetch answers per group; older versions do not.
	for _, v := range []sarama.KafkaVersion{testkit.KafkaVersion, Version, sarama.V2_8_0_0} {
		t.Run(v.String(), func(t *testing.T) {
			admin := newAdmin(t, bootstrap, v)
			got, err := GroupOffsets(ctx, admin, group)
			if err != nil {
				t.Fatal(err)
			}
			wantOffsets(t, got, want)
			got, err = GroupOffsets(ctx, admin, group+"-unknown")
			if err != nil {
				t.Fatal(err)
			}
			wantOffsets(t, got, `{"offsets":[]}`)
		})
	}
}

func TestAlterAndResetGroupOffsets(t *testing.T) {
	ctx := context.Background()
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 3)
	group := groupName(t)
	admin := newAdmin(t, bootstrap, Version)
	entry := func(p int32, off string) string {
		return fmt.Sprintf(`{"partition":{"kafka_topic":%q,"kafka_partition":%d},"offset":%s}`, topic, p, off)
	}
	read := func(t *testing.T, want string) {
		t.Helper()
		got, err := GroupOffsets(ctx, admin, group)
		if err != nil {
			t.Fatal(err)
		}
		wantOffsets(t, got, want)
	}
	have := func(p int32, off int64) string {
		return fmt.Sprintf(`{"partition":{"kafka_partition":%d,"kafka_topic":%q},"offset":{"kafka_offset":%d}}`, p, topic, off)
	}

	// A null offset for a group that does not exist yet: nothing to delete.
	if err := AlterGroupOffsets(ctx, admin, "c", group, sinkOffsets(t, `{"offsets":[`+entry(0, "null")+`]}`)); err != nil {
		t.Fatalf("delete from an unknown group: %v", err)
	}
	commitAsMember(t, bootstrap, group, map[string]map[int32]int64{topic: {0: 5, 1: 6, 2: 7}})
	read(t, `{"offsets":[`+have(0, 5)+","+have(1, 6)+","+have(2, 7)+`]}`)

	// Partition as a numeric string, offset as a string, one deletion.
	body := `{"offsets":[` +
		fmt.Sprintf(`{"partition":{"kafka_topic":%q,"kafka_partition":"0"},"offset":{"kafka_offset":"100"}}`, topic) + "," +
		entry(1, "null") + "," + entry(2, `{"kafka_offset":0}`) + `]}`
	if err := AlterGroupOffsets(ctx, admin, "c", group, sinkOffsets(t, body)); err != nil {
		t.Fatal(err)
	}
	read(t, `{"offsets":[`+have(0, 100)+","+have(2, 0)+`]}`)

	// A bad body changes nothing.
	err := AlterGroupOffsets(ctx, admin, "c", group, sinkOffsets(t, `{"offsets":[`+entry(0, `{"kafka_offset":1}`)+`,{"partition":{"kafka_topic":"x"},"offset":null}]}`))
	if statusOf(err) != http.StatusBadRequest {
		t.Fatalf("bad body: %v", err)
	}
	read(t, `{"offsets":[`+have(0, 100)+","+have(2, 0)+`]}`)

	// Topics and partitions that do not exist on the broker are the
	// client's mistake, named in a 400; nothing changes.
	nope := `{"partition":{"kafka_topic":"` + topic + `-nope","kafka_partition":0},"offset":%s}`
	for _, tc := range []struct{ body, want string }{
		{`{"offsets":[` + entry(0, `{"kafka_offset":1}`) + `,` + entry(3, `{"kafka_offset":1}`) + `]}`,
			fmt.Sprintf("Failed to alter consumer group offsets for connector c: topic '%s' has no partition 3 (it has 3 partitions, numbered from 0)", topic)},
		{`{"offsets":[` + entry(0, `{"kafka_offset":1}`) + `,` + fmt.Sprintf(nope, `{"kafka_offset":1}`) + `]}`,
			fmt.Sprintf("Failed to alter consumer group offsets for connector c: topic '%s-nope' does not exist", topic)},
		{`{"offsets":[` + fmt.Sprintf(nope, "null") + `]}`,
			fmt.Sprintf("Failed to alter consumer group offsets for connector c: topic '%s-nope' does not exist", topic)},
	} {
		err := AlterGroupOffsets(ctx, admin, "c", group, sinkOffsets(t, tc.body))
		if statusOf(err) != http.StatusBadRequest || err.Error() != tc.want {
			t.Fatalf("%s: %v (status %d), want %q", tc.body, err, statusOf(err), tc.want)
		}
	}
	read(t, `{"offsets":[`+have(0, 100)+","+have(2, 0)+`]}`)

	if err := ResetGroupOffsets(ctx, admin, "c", group); err != nil {
		t.Fatal(err)
	}
	read(t, `{"offsets":[]}`)
	if err := ResetGroupOffsets(ctx, admin, "c", group); err != nil {
		t.Fatalf("second reset: %v", err)
	}

	// Offsets can be set on a group that no longer exists.
	if err := AlterGroupOffsets(ctx, admin, "c", group, sinkOffsets(t, `{"offsets":[`+entry(1, `{"kafka_offset":3}`)+`]}`)); err != nil {
		t.Fatal(err)
	}
	read(t, `{"offsets":[`+have(1, 3)+`]}`)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := AlterGroupOffsets(cancelled, admin, "c", group, sinkOffsets(t, `{"offsets":[`+entry(1, `{"kafka_offset":4}`)+`]}`)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	read(t, `{"offsets":[`+have(1, 3)+`]}`)
}

// member joins group as a consumer of topic and stays until the test ends
// or leave is called.
type member struct {
	cancel context.CancelFunc
	done   chan struct{}
	group  sarama.ConsumerGroup
	errs   chan error // the first error the group reported, or nil
}

// joinHandler signals the first Setup, after calling setup if set.
type joinHandler struct {
	once   sync.Once
	joined chan struct{}
	setup  func(sarama.ConsumerGroupSession)
}

func (h *joinHandler) Setup(s sarama.ConsumerGroupSession) error {
	h.once.Do(func() {
		if h.setup != nil {
			h.setup(s)
		}
		close(h.joined)
	})
	return nil
}
func (h *joinHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *joinHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for {
		select {
		case <-s.Context().Done():
			return nil
		case _, ok := <-c.Messages():
			if !ok {
				return nil
			}
		}
	}
}

// join makes a member of group consuming topics and waits until it has
// its assignment.
func join(t *testing.T, bootstrap, group string, topics []string, h *joinHandler) *member {
	t.Helper()
	cfg := testkit.SaramaConfig()
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Return.Errors = true
	cg, err := sarama.NewConsumerGroup(testkit.Addrs(bootstrap), group, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &member{cancel: cancel, done: make(chan struct{}), group: cg, errs: make(chan error, 1)}
	go func() {
		var first error
		for err := range cg.Errors() {
			if first == nil {
				first = err
			}
		}
		m.errs <- first
	}()
	go func() {
		defer close(m.done)
		for ctx.Err() == nil {
			if err := cg.Consume(ctx, topics, h); err != nil && ctx.Err() == nil {
				t.Logf("consume: %v", err)
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	t.Cleanup(m.leave)
	select {
	case <-h.joined:
	case <-time.After(60 * time.Second):
		t.Fatal("the consumer did not join the group in 60s")
	}
	return m
}

// leave closes the member: it leaves the group. Safe to call twice.
func (m *member) leave() {
	m.cancel()
	<-m.done
	_ = m.group.Close()
}

// TestGroupOffsetsRefusedWhileMembers checks that offsets of a group with a
// member are neither altered nor reset, with Kafka Connect's message, and
// that the broker's own refusals map to the same error.
func TestGroupOffsetsRefusedWhileMembers(t *testing.T) {
	ctx := context.Background()
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 2)
	group := groupName(t)
	admin := newAdmin(t, bootstrap, Version)
	commitAsMember(t, bootstrap, group, map[string]map[int32]int64{topic: {0: 1, 1: 2}})
	m := join(t, bootstrap, group, []string{topic}, &joinHandler{joined: make(chan struct{})})

	refused := func(t *testing.T, err error, format string) {
		t.Helper()
		if err == nil {
			t.Fatal("no error while the group has a member")
		}
		if want := fmt.Sprintf(format, "my-sink"); err.Error() != want {
			t.Fatalf("error %q\nwant  %q", err, want)
		}
		if !errors.Is(err, ErrGroupActive) {
			t.Fatalf("error does not match ErrGroupActive: %v", err)
		}
		if code := statusOf(err); code != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500 as Kafka Connect", code)
		}
	}
	commit := fmt.Sprintf(`{"offsets":[{"partition":{"kafka_topic":%q,"kafka_partition":0},"offset":{"kafka_offset":10}}]}`, topic)
	del := fmt.Sprintf(`{"offsets":[{"partition":{"kafka_topic":%q,"kafka_partition":1},"offset":null}]}`, topic)
	t.Run("alter", func(t *testing.T) {
		refused(t, AlterGroupOffsets(ctx, admin, "my-sink", group, sinkOffsets(t, commit)), zombieAlter)
	})
	t.Run("delete", func(t *testing.T) {
		refused(t, AlterGroupOffsets(ctx, admin, "my-sink", group, sinkOffsets(t, del)), zombieAlter)
	})
	t.Run("reset", func(t *testing.T) {
		err := ResetGroupOffsets(ctx, admin, "my-sink", group)
		refused(t, err, zombieReset)
		if !errors.Is(err, sarama.ErrNonEmptyGroup) {
			t.Fatalf("reset error does not carry the broker's: %v", err)
		}
	})
	// What the broker itself answers, should a member join between the
	// check and the change.
	t.Run("broker refuses commit", func(t *testing.T) {
		resp, err := admin.AlterConsumerGroupOffsets(group, map[string]map[int32]sarama.OffsetAndMetadata{
			topic: {0: {Offset: 10, LeaderEpoch: -1}},
		}, nil)
		if err == nil {
			t.Logf("broker answered the commit with %v", resp.Errors)
		}
		refused(t, commitError("my-sink", resp, err), zombieAlter)
	})
	t.Run("broker refuses delete", func(t *testing.T) {
		err := admin.DeleteConsumerGroupOffset(group, topic, 1)
		t.Logf("broker answered the offset deletion with %v", err)
		refused(t, deleteOffsetError("my-sink", connectorsTP(topic, 1), err), zombieAlter)
	})

	got, err := GroupOffsets(ctx, admin, group)
	if err != nil {
		t.Fatal(err)
	}
	wantOffsets(t, got, fmt.Sprintf(`{"offsets":[{"partition":{"kafka_partition":0,"kafka_topic":%q},"offset":{"kafka_offset":1}},{"partition":{"kafka_partition":1,"kafka_topic":%q},"offset":{"kafka_offset":2}}]}`, topic, topic))

	// Once the member has left, the same requests go through.
	m.leave()
	if err := AlterGroupOffsets(ctx, admin, "my-sink", group, sinkOffsets(t, commit)); err != nil {
		t.Fatalf("alter after the member left: %v", err)
	}
	if err := AlterGroupOffsets(ctx, admin, "my-sink", group, sinkOffsets(t, del)); err != nil {
		t.Fatalf("delete after the member left: %v", err)
	}
	got, err = GroupOffsets(ctx, admin, group)
	if err != nil {
		t.Fatal(err)
	}
	wantOffsets(t, got, fmt.Sprintf(`{"offsets":[{"partition":{"kafka_partition":0,"kafka_topic":%q},"offset":{"kafka_offset":10}}]}`, topic))
	if err := ResetGroupOffsets(ctx, admin, "my-sink", group); err != nil {
		t.Fatalf("reset after the member left: %v", err)
	}
}

func connectorsTP(topic string, p int32) connectors.TopicPartition {
	return connectors.TopicPartition{Topic: topic, Partition: p}
}
