package history

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/kafka"
)

func freshTopic(t *testing.T, bootstrap string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sluice-ddl-history-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		admin, err := sarama.NewClusterAdmin(testkit.Addrs(bootstrap), testkit.SaramaConfig())
		if err == nil {
			_ = admin.DeleteTopic(name)
			_ = admin.Close()
		}
	})
	return name
}

func newStore(t *testing.T, bootstrap, topic string, extra map[string]string) *KafkaStore {
	t.Helper()
	props := map[string]string{KeyTopic: topic, KeyBootstrapServers: bootstrap, KeyRecoveryAttempts: "50"}
	for k, v := range extra {
		props[k] = v
	}
	k, err := NewKafkaStore(props, "mariadb", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Close() })
	return k
}

func TestKafkaStoreRealBroker(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	topic := freshTopic(t, bootstrap)
	k := newStore(t, bootstrap, topic, map[string]string{ProducerPrefix + "key.serializer": "org.apache.kafka.common.serialization.StringSerializer"})

	if ok, err := k.Exists(ctx); err != nil || ok {
		t.Fatalf("Exists before the topic: %v %v", ok, err)
	}
	if err := k.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k.Init(ctx); err != nil {
		t.Fatalf("Init of an existing topic: %v", err)
	}
	admin, err := sarama.NewClusterAdmin(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	md, err := admin.DescribeTopics([]string{topic})
	if err != nil || len(md) != 1 || len(md[0].Partitions) != 1 {
		t.Fatalf("topic %s: %+v %v", topic, md, err)
	}
	cfg, err := kafka.DescribeTopicConfig(admin, topic)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range cfg {
		got[e.Name] = e.Value
	}
	if got["cleanup.policy"] != "delete" || got["retention.ms"] != "9223372036854775807" || got["retention.bytes"] != "-1" {
		t.Errorf("topic settings: cleanup.policy=%s retention.ms=%s retention.bytes=%s", got["cleanup.policy"], got["retention.ms"], got["retention.bytes"])
	}
	if ok, err := k.Exists(ctx); err != nil || ok {
		t.Fatalf("Exists of an empty topic: %v %v", ok, err)
	}

	// Ten records at positions 100..1000 of one file.
	for i := 1; i <= 10; i++ {
		tbl := &tables.Table{ID: tables.ID{DB: "db", Table: fmt.Sprintf("t%d", i)},
			Columns: []tables.Column{{Name: "a", Position: 1, TypeName: "INT", TypeExpression: "INT", JDBCType: 4, Length: -1, Optional: true}}}
		r := NewRecord("srv", map[string]any{"file": "mysql-bin.000001", "pos": int64(100 * i)}, time.Now().UnixMilli(),
			tables.Change{Type: tables.ChangeCreate, DB: "db", DDL: "CREATE TABLE t" + fmt.Sprint(i) + " (a INT)", ID: tbl.ID, Table: tbl})
		if err := k.Store(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := k.Exists(ctx); err != nil || !ok {
		t.Fatalf("Exists after Store: %v %v", ok, err)
	}
	var seen []string
	err = newStore(t, bootstrap, topic, nil).Recover(ctx, map[string]any{"file": "mysql-bin.000001", "pos": int64(500)}, func(r Record) error {
		seen = append(seen, r.TableChanges[0].ID.Table)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, ",") != "t1,t2,t3,t4,t5" {
		t.Fatalf("recovered %v, want t1..t5 in order", seen)
	}

	// A null record is skipped; a record that is not one fails recovery,
	// naming its offset.
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic}); err != nil {
		t.Fatal(err)
	}
	seen = nil
	apply := func(r Record) error { seen = append(seen, r.TableChanges[0].ID.Table); return nil }
	if err := k.Recover(ctx, map[string]any{"file": "mysql-bin.000002"}, apply); err != nil || len(seen) != 10 {
		t.Fatalf("with a null record: %v, %v", err, seen)
	}
	if _, off, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(`{"source":`)}); err != nil {
		t.Fatal(err)
	} else {
		err := k.Recover(ctx, map[string]any{"file": "mysql-bin.000002"}, func(Record) error { return nil })
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("offset %d", off)) || !strings.Contains(err.Error(), topic) {
			t.Fatalf("a corrupt record: %v, want an error naming %s offset %d", err, topic, off)
		}
	}
}

func TestKafkaStoreRefusesPartitionedTopic(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	topic := testkit.NewTopic(t, bootstrap, 2)
	err := newStore(t, bootstrap, topic, nil).Init(context.Background())
	if err == nil || !strings.Contains(err.Error(), "2 partitions") || !strings.Contains(err.Error(), KeyTopic) {
		t.Fatalf("want a refusal naming the partitions and %s, got %v", KeyTopic, err)
	}
}

func TestNewKafkaStoreConfig(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{KeyBootstrapServers: "h:9092"}, KeyTopic},
		{map[string]string{KeyTopic: "t"}, KeyBootstrapServers},
		{map[string]string{KeyTopic: "a b", KeyBootstrapServers: "h:9092"}, "not a valid topic"},
		{map[string]string{KeyTopic: "t", KeyBootstrapServers: "h:9092", KeyRecoveryPollMs: "-1"}, KeyRecoveryPollMs},
		{map[string]string{KeyTopic: "t", KeyBootstrapServers: "h:9092", KeyRecoveryAttempts: "x"}, KeyRecoveryAttempts},
		{map[string]string{KeyTopic: "t", KeyBootstrapServers: "h:9092", ProducerPrefix + "security.protocol": "NOPE"}, ProducerPrefix},
	} {
		if _, err := NewKafkaStore(tc.props, "mariadb", nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.props, err, tc.want)
		}
	}
	k, err := NewKafkaStore(map[string]string{KeyTopic: "t", KeyBootstrapServers: "h:9092", KeyRecoveryPollMs: "250",
		ConsumerPrefix + "security.protocol": "SASL_PLAINTEXT", ConsumerPrefix + "sasl.mechanism": "PLAIN",
		ConsumerPrefix + "sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`}, "mysql", nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.pollInterval != 250*time.Millisecond || !k.consumerCfg.Net.SASL.Enable || k.consumerCfg.Net.SASL.User != "u" {
		t.Errorf("settings not applied: poll %v sasl %v", k.pollInterval, k.consumerCfg.Net.SASL.Enable)
	}
}
