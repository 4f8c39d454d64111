// Package e2e runs sluice as real worker processes against Kafka: the file
// pipeline end to end, and crashes (kill -9) of source and sink workers.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
)

// binary is the sluice executable built once for the package.
var binary string

func TestMain(m *testing.M) {
	code := testkit.RunWithSluice(m, &binary)
	if examplesDir != "" {
		os.RemoveAll(examplesDir)
	}
	os.Exit(code)
}

// eventually polls cond until it holds, failing after timeout. The
// conditions are states of external processes (files, Kafka) that offer no
// notification to wait on.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string), watch ...*testkit.Worker) {
	t.Helper()
	alive := make([]func() error, len(watch))
	for i, w := range watch {
		alive[i] = w.Alive
	}
	testkit.Eventually(t, timeout, what, cond, alive...)
}

// line returns the i-th test line: 99 bytes and a newline, unique per i.
func line(i int) string {
	s := fmt.Sprintf("line %09d ", i)
	return s + strings.Repeat("x", 99-len(s))
}

// appendLines appends lines [from, to) to path.
func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	if err := writeLines(path, from, to); err != nil {
		t.Fatal(err)
	}
}

// writeLines appends lines [from, to) to path; it is appendLines for
// goroutines other than the test's.
func writeLines(path string, from, to int) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := from; i < to; i++ {
		w.WriteString(line(i))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// countLines counts the complete lines of a file (0 if it does not exist).
func countLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte{'\n'})
}

// readLines returns the lines of a file.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s ends with a torn line %q", path, tail(b, 120))
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// topicEnd returns the high watermark of partition 0 of a topic.
func topicEnd(t *testing.T, client sarama.Client, topic string) int64 {
	t.Helper()
	end, err := client.GetOffset(topic, 0, sarama.OffsetNewest)
	if err != nil {
		t.Fatalf("end offset of %s: %v", topic, err)
	}
	return end
}

// readTopic returns the values of partition 0 of a topic, up to its end.
func readTopic(t *testing.T, bootstrap, topic string) []string {
	t.Helper()
	msgs := readTopicMessages(t, bootstrap, topic)
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m.Value)
	}
	return out
}

// readTopicMessages returns the records of partition 0 of a topic, up to
// its end.
func readTopicMessages(t *testing.T, bootstrap, topic string) []*sarama.ConsumerMessage {
	t.Helper()
	client, err := sarama.NewClient(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	end := topicEnd(t, client, topic)
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	out := make([]*sarama.ConsumerMessage, 0, end)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for int64(len(out)) < end {
		select {
		case m := <-pc.Messages():
			out = append(out, m)
			if m.Offset >= end-1 {
				return out
			}
		case <-ctx.Done():
			t.Fatalf("read %s: got %d of %d records", topic, len(out), end)
		}
	}
	return out
}

// workerProps are the worker settings the tests share.
func workerProps(bootstrap, offsetsFile string) map[string]string {
	return map[string]string{
		"bootstrap.servers":            bootstrap,
		"key.converter":                "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":              "org.apache.kafka.connect.storage.StringConverter",
		"offset.storage.file.filename": offsetsFile,
		"offset.flush.interval.ms":     "200",
		"listeners":                    "http://127.0.0.1:0",
		// A killed sink's group member is evicted after this, so the
		// restarted worker gets its partitions back quickly.
		"consumer.session.timeout.ms":    "6000",
		"consumer.heartbeat.interval.ms": "1000",
	}
}

// newClient returns a REST client for a listener.
func newClient(t *testing.T, listener string) *client.Client {
	t.Helper()
	c, err := client.New(listener)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startWorker runs a worker with the package's binary.
func startWorker(t *testing.T, dir, name string, workerProps, connProps map[string]string) *testkit.Worker {
	t.Helper()
	return testkit.StartWorker(t, binary, dir, name, workerProps, connProps)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// lineProducer sends line(i) records to a topic, in order, acked by all
// replicas.
type lineProducer struct {
	t        *testing.T
	p        sarama.SyncProducer
	topic    string
	produced int // lines [0, produced) are sent
}

func newLineProducer(t *testing.T, bootstrap, topic string) *lineProducer {
	t.Helper()
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), producerConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &lineProducer{t: t, p: p, topic: topic}
}

// to sends lines [produced, n).
func (lp *lineProducer) to(n int) {
	lp.t.Helper()
	msgs := make([]*sarama.ProducerMessage, 0, n-lp.produced)
	for i := lp.produced; i < n; i++ {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: lp.topic, Value: sarama.StringEncoder(line(i))})
	}
	if err := lp.p.SendMessages(msgs); err != nil {
		lp.t.Fatal(err)
	}
	lp.produced = n
}

// sinkCommitted returns the offset sink connector name's group has
// committed for partition 0 of topic, -1 if none.
func sinkCommitted(t *testing.T, bootstrap, name, topic string) int64 {
	t.Helper()
	off, err := testkit.GroupOffset(bootstrap, "connect-"+name, topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	return off
}
