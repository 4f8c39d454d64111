// Package bench measures sluice's throughput against the real broker beside
// raw sarama moving the same data in the same run: 1,000,000 lines of 100
// bytes file → Kafka and Kafka → file, over the broker's PLAINTEXT listener
// and, in the *SASLSSL benchmarks, over its SASL_SSL listener (SCRAM-SHA-512
// over TLS), where raw sarama is given the same security settings. Run it
// with `make bench`.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/rcrowley/go-metrics"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/kafka"
)

const (
	records  = 1_000_000
	lineSize = 100 // bytes per line, newline included
)

var binary string

func TestMain(m *testing.M) {
	metrics.UseNilMetrics = true
	os.Exit(testkit.RunWithSluice(m, &binary))
}

func line(i int) string {
	s := fmt.Sprintf("bench line %09d ", i)
	return s + strings.Repeat("x", lineSize-1-len(s))
}

func writeInput(b *testing.B, path string) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; i < records; i++ {
		w.WriteString(line(i))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// result is one measured run.
type result struct {
	name    string
	elapsed time.Duration
	rss     int64
	n       int // records moved; 0 means records
}

// count is the records the run moved.
func (r result) count() int {
	if r.n == 0 {
		return records
	}
	return r.n
}

func (r result) recPerSec() float64 { return float64(r.count()) / r.elapsed.Seconds() }
func (r result) mbPerSec() float64  { return float64(r.count()) * lineSize / r.elapsed.Seconds() / 1e6 }

func report(b *testing.B, raw, pipe result) {
	b.Helper()
	ratio := pipe.recPerSec() / raw.recPerSec()
	b.ReportMetric(pipe.recPerSec(), "records/s")
	b.ReportMetric(pipe.mbPerSec(), "MB/s")
	b.ReportMetric(raw.recPerSec(), "raw-records/s")
	b.ReportMetric(ratio, "ratio-to-raw")
	b.ReportMetric(float64(pipe.rss)/(1<<20), "worker-peak-RSS-MiB")
	fmt.Printf("\n%-28s %12s %10s %10s\n", b.Name(), "records/s", "MB/s", "peak RSS")
	fmt.Printf("%-28s %12.0f %10.1f %10s\n", raw.name, raw.recPerSec(), raw.mbPerSec(), "-")
	fmt.Printf("%-28s %12.0f %10.1f %9.1fM\n", pipe.name, pipe.recPerSec(), pipe.mbPerSec(), float64(pipe.rss)/(1<<20))
	fmt.Printf("%-28s %11.0f%%\n\n", "sluice / raw sarama", 100*ratio)
}

// link is how the benchmark's clients reach the broker: a bootstrap address
// and the Kafka client security settings for it (none for PLAINTEXT).
type link struct {
	bootstrap string
	security  map[string]string // security.protocol, sasl.*, ssl.*: unprefixed
}

func plaintext(b *testing.B) link { return link{bootstrap: testkit.Kafka(b)} }

// saslSSL is the real broker's SASL_SSL listener, SCRAM-SHA-512, with its CA
// as a PEM truststore.
func saslSSL(b *testing.B) link {
	s := testkit.RealSecureKafka(b)
	return link{bootstrap: s.SASLSSL, security: map[string]string{
		"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
		"sasl.jaas.config": fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`,
			s.Username, s.Password),
		"ssl.truststore.type": "PEM", "ssl.truststore.location": s.CAFile,
	}}
}

// admin is the PLAINTEXT address of the same broker, for the benchmark's
// own topic creation and end-offset checks.
func (l link) admin(b *testing.B) string {
	if l.security == nil {
		return l.bootstrap
	}
	return testkit.RealKafka(b)
}

// workerProps are a worker's settings for l: the security settings for
// every client kind (top-level, producer.*, consumer.*).
func workerProps(l link, dir string) map[string]string {
	p := map[string]string{
		"bootstrap.servers":            l.bootstrap,
		"key.converter":                "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":              "org.apache.kafka.connect.storage.StringConverter",
		"offset.storage.file.filename": filepath.Join(dir, "offsets.json"),
		"offset.flush.interval.ms":     "1000",
		"listeners":                    "http://127.0.0.1:0",
	}
	for k, v := range l.security {
		p[k], p["producer."+k], p["consumer."+k] = v, v, v
	}
	return p
}

// waitFor polls cond every 10 ms: the benchmark watches external processes.
func waitFor(b *testing.B, timeout time.Duration, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func endOffset(b *testing.B, client sarama.Client, topic string) int64 {
	b.Helper()
	if err := client.RefreshMetadata(topic); err != nil {
		b.Fatal(err)
	}
	end, err := client.GetOffset(topic, 0, sarama.OffsetNewest)
	if err != nil {
		b.Fatal(err)
	}
	return end
}

// rawProduce produces the input's lines with a sarama AsyncProducer set up
// like sluice's (idempotent, acks=all, murmur2) and waits for every ack.
func rawProduce(b *testing.B, l link, topic, input string) result {
	b.Helper()
	cfg, _, err := kafka.ProducerConfig("bench-raw-producer", l.security)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	p, err := sarama.NewAsyncProducer(testkit.Addrs(l.bootstrap), cfg.Sarama)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		n := 0
		var first error
		for n < records {
			select {
			case <-p.Successes():
				n++
			case e := <-p.Errors():
				n++
				if first == nil {
					first = e
				}
			}
		}
		done <- first
	}()
	f, err := os.Open(input)
	if err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(append([]byte(nil), sc.Bytes()...))}
	}
	f.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	p.Close()
	return result{name: "raw sarama producer", elapsed: elapsed}
}

// BenchmarkFileToKafka: a source worker reading the file into a topic,
// timed from process start until the topic holds every record.
func BenchmarkFileToKafka(b *testing.B) { fileToKafka(b, plaintext(b)) }

// BenchmarkFileToKafkaSASLSSL is BenchmarkFileToKafka over SASL_SSL.
func BenchmarkFileToKafkaSASLSSL(b *testing.B) { fileToKafka(b, saslSSL(b)) }

func fileToKafka(b *testing.B, l link) {
	admin := l.admin(b)
	dir := b.TempDir()
	input := filepath.Join(dir, "in.txt")
	writeInput(b, input)
	client, err := sarama.NewClient(testkit.Addrs(admin), testkit.SaramaConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	for b.Loop() {
		raw := rawProduce(b, l, testkit.NewTopic(b, admin, 1), input)

		topic := testkit.NewTopic(b, admin, 1)
		start := time.Now()
		w := testkit.StartWorker(b, binary, dir, "source-"+topic, workerProps(l, dir), map[string]string{
			"name": "bench-source-" + topic, "connector.class": "FileStreamSource", "file": input, "topic": topic,
		})
		waitFor(b, 5*time.Minute, "every record in the topic", func() bool { return endOffset(b, client, topic) >= records })
		elapsed := time.Since(start)
		rss, err := w.PeakRSS()
		if err != nil {
			b.Fatal(err)
		}
		w.Term()
		report(b, raw, result{name: "sluice file source", elapsed: elapsed, rss: rss})
	}
}

// fillTopic produces the benchmark's records into a new topic.
func fillTopic(b *testing.B, l link, input string) string {
	b.Helper()
	topic := testkit.NewTopic(b, l.admin(b), 1)
	rawProduce(b, l, topic, input)
	return topic
}

// rawConsume reads the topic with a sarama partition consumer and writes
// each value as a line of a file, like the file sink.
func rawConsume(b *testing.B, l link, topic, output string) result {
	b.Helper()
	cfg, _, _, err := kafka.ConsumerConfig("bench-raw-consumer", l.security)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	c, err := sarama.NewConsumer(testkit.Addrs(l.bootstrap), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()
	f, err := os.Create(output)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for n := 0; n < records; n++ {
		select {
		case m := <-pc.Messages():
			w.Write(m.Value)
			w.WriteByte('\n')
		case <-ctx.Done():
			b.Fatalf("raw consumer: got %d of %d records", n, records)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Sync()
	f.Close()
	return result{name: "raw sarama consumer", elapsed: time.Since(start)}
}

// warmCoordinator waits until the broker can coordinate consumer groups. A
// new broker creates __consumer_offsets on the first group request, which
// takes about a second; every broker in use has it, so the benchmark does
// not count it against the sink.
func warmCoordinator(b *testing.B, bootstrap string) {
	b.Helper()
	client, err := sarama.NewClient(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	start := time.Now()
	deadline := start.Add(time.Minute)
	for {
		_, err := client.Coordinator("sluice-bench-warmup")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("no group coordinator: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Logf("group coordinator ready after %s", time.Since(start).Round(time.Millisecond))
}

// BenchmarkKafkaToFile: a sink worker writing a topic to a file, timed from
// process start until the file holds every record.
func BenchmarkKafkaToFile(b *testing.B) { kafkaToFile(b, plaintext(b)) }

// BenchmarkKafkaToFileSASLSSL is BenchmarkKafkaToFile over SASL_SSL.
func BenchmarkKafkaToFileSASLSSL(b *testing.B) { kafkaToFile(b, saslSSL(b)) }

func kafkaToFile(b *testing.B, l link) {
	warmCoordinator(b, l.admin(b))
	dir := b.TempDir()
	input := filepath.Join(dir, "in.txt")
	writeInput(b, input)
	for b.Loop() {
		topic := fillTopic(b, l, input)
		raw := rawConsume(b, l, topic, filepath.Join(dir, "raw-out.txt"))

		output := filepath.Join(dir, "out-"+topic+".txt")
		start := time.Now()
		w := testkit.StartWorker(b, binary, dir, "sink-"+topic, workerProps(l, dir), map[string]string{
			"name": "bench-sink-" + topic, "connector.class": "FileStreamSink", "file": output, "topics": topic,
		})
		waitFor(b, time.Minute, "the first record in the file", func() bool {
			st, err := os.Stat(output)
			return err == nil && st.Size() > 0
		})
		first := time.Since(start)
		waitFor(b, 5*time.Minute, "every record in the file", func() bool {
			st, err := os.Stat(output)
			return err == nil && st.Size() >= records*lineSize
		})
		elapsed := time.Since(start)
		b.Logf("sink: first record after %s, all after %s", first.Round(time.Millisecond), elapsed.Round(time.Millisecond))
		rss, err := w.PeakRSS()
		if err != nil {
			b.Fatal(err)
		}
		w.Term()
		report(b, raw, result{name: "sluice file sink", elapsed: elapsed, rss: rss})
	}
}
