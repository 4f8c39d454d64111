package testkit

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestProduceConsume proves the kit end to end against whatever Kafka returns: a fresh topic,
// ten records through a SyncProducer, the same ten read back in order.
func TestProduceConsume(t *testing.T) {
	bootstrap := Kafka(t)
	topic := NewTopic(t, bootstrap, 1)
	const n = 10

	producer, err := sarama.NewSyncProducer(Addrs(bootstrap), SaramaConfig())
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	defer producer.Close()
	for i := 0; i < n; i++ {
		part, off, err := producer.SendMessage(&sarama.ProducerMessage{
			Topic: topic,
			Key:   sarama.StringEncoder(fmt.Sprintf("k%d", i)),
			Value: sarama.StringEncoder(fmt.Sprintf("v%d", i)),
		})
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if part != 0 || off != int64(i) {
			t.Fatalf("send %d: got partition %d offset %d, want 0/%d", i, part, off, i)
		}
	}

	consumer, err := sarama.NewConsumer(Addrs(bootstrap), SaramaConfig())
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatalf("consume partition: %v", err)
	}
	defer pc.Close()
	timeout := time.After(30 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case m := <-pc.Messages():
			if m.Offset != int64(i) || string(m.Key) != fmt.Sprintf("k%d", i) || string(m.Value) != fmt.Sprintf("v%d", i) {
				t.Fatalf("record %d: got offset %d %s=%s", i, m.Offset, m.Key, m.Value)
			}
		case err := <-pc.Errors():
			t.Fatalf("consume: %v", err)
		case <-timeout:
			t.Fatalf("got %d of %d records after 30s", i, n)
		}
	}
}

// TestNewTopicPartitions checks that NewTopic creates the requested partitions, all led.
func TestNewTopicPartitions(t *testing.T) {
	bootstrap := Kafka(t)
	topic := NewTopic(t, bootstrap, 3)
	client, err := sarama.NewClient(Addrs(bootstrap), SaramaConfig())
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		t.Fatalf("partitions: %v", err)
	}
	if len(parts) != 3 {
		t.Fatalf("got %d partitions, want 3", len(parts))
	}
	for _, p := range parts {
		if _, err := client.Leader(topic, p); err != nil {
			t.Fatalf("partition %d leader: %v", p, err)
		}
	}
}

func TestTopicName(t *testing.T) {
	legal := regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)
	for _, name := range []string{"TestX", "TestX/sub case #1", strings.Repeat("y", 400), "", "Ünïcode/√"} {
		a, b := topicName(name), topicName(name)
		if !legal.MatchString(a) {
			t.Errorf("topicName(%q) = %q: not a legal topic name", name, a)
		}
		if a == b {
			t.Errorf("topicName(%q) twice gave %q both times", name, a)
		}
	}
}

// TestLookup checks the .services.env discovery: found from a subdirectory of the module,
// overridden by the environment, absent outside it.
func TestLookup(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/x\n")
	write(ServicesEnvFile, "# written by services-up\nOTHER=1\nexport KAFKA_BOOTSTRAP=\"127.0.0.1:19092\"\n\n")
	t.Chdir(sub)

	t.Setenv(EnvKafkaBootstrap, "")
	v, src, err := lookup(EnvKafkaBootstrap)
	if err != nil || v != "127.0.0.1:19092" || src != filepath.Join(root, ServicesEnvFile) {
		t.Fatalf("from file: got %q from %q, err %v", v, src, err)
	}

	t.Setenv(EnvKafkaBootstrap, "10.0.0.1:9092")
	if v, _, _ := lookup(EnvKafkaBootstrap); v != "10.0.0.1:9092" {
		t.Fatalf("environment should win, got %q", v)
	}

	t.Setenv(EnvKafkaBootstrap, "")
	if err := os.Remove(filepath.Join(root, ServicesEnvFile)); err != nil {
		t.Fatal(err)
	}
	if v, _, err := lookup(EnvKafkaBootstrap); v != "" || err != nil {
		t.Fatalf("without file: got %q, err %v", v, err)
	}
}

func TestAddrs(t *testing.T) {
	got := Addrs(" a:1, b:2 ,,")
	if len(got) != 2 || got[0] != "a:1" || got[1] != "b:2" {
		t.Fatalf("Addrs = %q", got)
	}
}

// TestRealKafkaRejectsUnknownTopicConfig shows what RealKafka is for: the real broker validates
// topic configs, kfake stores any key. Skipped without a real broker (fails in CI).
func TestRealKafkaRejectsUnknownTopicConfig(t *testing.T) {
	bootstrap := RealKafka(t)
	admin, err := sarama.NewClusterAdmin(Addrs(bootstrap), SaramaConfig())
	if err != nil {
		t.Fatalf("admin: %v", err)
	}
	defer admin.Close()
	bogus := "no.such.config"
	err = admin.CreateTopic(topicName(t.Name()), &sarama.TopicDetail{
		NumPartitions: 1, ReplicationFactor: 1, ConfigEntries: map[string]*string{bogus: &bogus},
	}, true)
	if err == nil {
		t.Fatal("CreateTopic with an unknown config key succeeded; want INVALID_CONFIG")
	}
	t.Logf("rejected as expected: %v", err)
}

// TestSchemaRegistryURL checks that a configured registry is returned without a trailing slash
// once it answers GET /subjects.
func TestSchemaRegistryURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/apis/ccompat/v7/subjects" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[]"))
	}))
	defer srv.Close()
	t.Setenv(EnvSchemaRegistryURL, srv.URL+"/apis/ccompat/v7/")
	if got, want := SchemaRegistryURL(t), srv.URL+"/apis/ccompat/v7"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if err := registryAnswers(http.DefaultTransport, srv.URL); err == nil {
		t.Fatalf("registryAnswers(%s) without the API path: want an error", srv.URL)
	}
}
