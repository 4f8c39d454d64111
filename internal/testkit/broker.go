package testkit

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// EnvKafkaLibs is the environment variable (and .services.env key) naming the directory of Apache
// Kafka's jars that scripts/services-up.sh downloaded, from which [StartBroker] runs brokers of
// its own.
const EnvKafkaLibs = "KAFKA_LIBS"

// Broker is an Apache Kafka broker (KRaft, combined broker and controller) that one test owns:
// unlike the shared broker of [Kafka], a test may kill it and start it again, to prove that
// sluice rides out a broker outage. It keeps its log directory and its ports across restarts,
// so clients reconnect to the same address and find their topics again.
type Broker struct {
	t       testing.TB
	dir     string
	libs    string
	port    int
	cport   int
	cluster string
	// autoCreate is the broker's auto.create.topics.enable.
	autoCreate bool

	process
}

// BrokerOption changes how [StartBroker] configures its broker.
type BrokerOption func(*Broker)

// NoAutoCreateTopics turns the broker's auto.create.topics.enable off, as
// most production clusters have it: a client asking for a topic that does
// not exist gets UNKNOWN_TOPIC_OR_PARTITION instead of a new topic.
func NoAutoCreateTopics() BrokerOption {
	return func(b *Broker) { b.autoCreate = false }
}

// StartBroker starts a broker of the test's own on free loopback ports, from the Kafka jars of
// $KAFKA_LIBS (or .services.env), and waits until it can serve: its cluster id is the one it was
// formatted with, and metadata names a broker and a controller. It is killed when t ends, and its
// log is shown if t failed. Without the jars t is skipped, or fails when CI is true. The broker
// creates topics automatically unless opts say otherwise ([NoAutoCreateTopics]).
func StartBroker(t testing.TB, opts ...BrokerOption) *Broker {
	t.Helper()
	libs, source, err := lookup(EnvKafkaLibs)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	if libs == "" {
		if inCI() {
			t.Fatalf("testkit: no Kafka jars: %s is not set and .services.env does not name them; run `make services-up`", EnvKafkaLibs)
		}
		t.Skipf("testkit: needs Kafka's jars to run a broker of its own (%s unset): run `make services-up`", EnvKafkaLibs)
	}
	if jars, _ := filepath.Glob(filepath.Join(libs, "kafka_*.jar")); len(jars) == 0 {
		t.Fatalf("testkit: %s=%s (from %s) holds no kafka_*.jar", EnvKafkaLibs, libs, source)
	}
	if _, err := exec.LookPath("java"); err != nil {
		t.Fatalf("testkit: a broker of the test's own needs java on PATH: %v", err)
	}
	b := &Broker{t: t, dir: t.TempDir(), libs: libs, autoCreate: true}
	for _, o := range opts {
		o(b)
	}
	t.Cleanup(func() {
		b.kill()
		if t.Failed() {
			t.Logf("testkit: last lines of the broker's log %s:\n%s", b.logPath(), b.logTail(60))
		}
	})
	// Two brokers started at once may pick the same free ports; the loser exits at once with a
	// bind error and is started again on others. Any other failure fails the test.
	for attempt := 1; ; attempt++ {
		b.port, b.cport = freePort(t), freePort(t)
		b.writeConfig()
		b.format()
		err := b.start()
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || attempt == 3 {
			t.Fatalf("testkit: broker: %v\n%s", err, b.logTail(40))
		}
		t.Logf("testkit: broker ports %d/%d were taken; trying others", b.port, b.cport)
		if err := os.RemoveAll(filepath.Join(b.dir, "logs")); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// Addr returns the broker's bootstrap address, the same across restarts.
func (b *Broker) Addr() string { return fmt.Sprintf("127.0.0.1:%d", b.port) }

// ClusterID returns the id the broker's storage was formatted with.
func (b *Broker) ClusterID() string { return b.cluster }

// Kill9 kills the broker with SIGKILL, as a crash would, and waits until the process is gone:
// its clients see connections refused from then on.
func (b *Broker) Kill9() {
	b.t.Helper()
	if !b.kill() {
		b.t.Fatalf("testkit: broker at %s was not running", b.Addr())
	}
}

// Restart starts the broker again on the same log directory and ports, after [Broker.Kill9],
// and waits until it serves again with the topics it had.
func (b *Broker) Restart() {
	b.t.Helper()
	if err := b.start(); err != nil {
		b.t.Fatalf("testkit: restart broker: %v\n%s", err, b.logTail(40))
	}
}

// Running reports whether the broker process is alive.
func (b *Broker) Running() bool { return b.running() }

func (b *Broker) logPath() string { return filepath.Join(b.dir, "broker.log") }

func (b *Broker) logTail(n int) string { return tailLines(b.logPath(), n) }

// tailLines returns the last n lines of the file at path, or why it cannot be read.
func tailLines(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (b *Broker) writeConfig() {
	b.t.Helper()
	props := fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:%[2]d
listeners=PLAINTEXT://127.0.0.1:%[1]d,CONTROLLER://127.0.0.1:%[2]d
advertised.listeners=PLAINTEXT://127.0.0.1:%[1]d
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=%[3]s
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=%[4]t
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
`, b.port, b.cport, filepath.Join(b.dir, "logs"), b.autoCreate)
	log4j := `status=warn
appender.c.type=Console
appender.c.name=STDOUT
appender.c.layout.type=PatternLayout
appender.c.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.s.ref=STDOUT
logger.k.name=kafka
logger.k.level=WARN
logger.o.name=org.apache.kafka
logger.o.level=WARN
logger.s.name=state.change.logger
logger.s.level=WARN
logger.server.name=kafka.server.KafkaServer
logger.server.level=INFO
logger.raft.name=kafka.server.BrokerServer
logger.raft.level=INFO
`
	for name, text := range map[string]string{"server.properties": props, "log4j2.properties": log4j} {
		if err := os.WriteFile(filepath.Join(b.dir, name), []byte(text), 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

func (b *Broker) java(main string, args ...string) *exec.Cmd {
	full := append([]string{
		"-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
		"-Dlog4j2.configurationFile=" + filepath.Join(b.dir, "log4j2.properties"),
		"-cp", filepath.Join(b.libs, "*"), main,
	}, args...)
	return exec.Command("java", full...)
}

// format formats the log directory with a new random cluster id (Kafka's Uuid form: 16 random
// bytes, URL-safe base64 without padding, never starting with '-').
func (b *Broker) format() {
	b.t.Helper()
	for b.cluster = "-"; strings.HasPrefix(b.cluster, "-"); {
		var id [16]byte
		_, _ = rand.Read(id[:])
		b.cluster = base64.RawURLEncoding.EncodeToString(id[:])
	}
	cmd := b.java("kafka.tools.StorageTool", "format", "-t", b.cluster, "-c", filepath.Join(b.dir, "server.properties"), "--ignore-formatted")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.t.Fatalf("testkit: format broker storage: %v\n%s", err, out)
	}
}

var errPortTaken = errors.New("port taken")

// start runs the broker process and waits until it serves, or until it exits.
func (b *Broker) start() error {
	exited, err := b.launch(func(n int) (*exec.Cmd, func(), error) {
		logf, err := os.OpenFile(b.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(logf, "==== testkit: start %d of the broker at %s ====\n", n, b.Addr())
		cmd := b.java("kafka.Kafka", filepath.Join(b.dir, "server.properties"))
		cmd.Stdout, cmd.Stderr = logf, logf
		return cmd, func() { logf.Close() }, nil
	})
	if err != nil {
		return fmt.Errorf("start java: %w", err)
	}

	deadline := time.Now().Add(90 * time.Second)
	var last error
	for {
		select {
		case <-exited:
			if strings.Contains(b.logTail(200), "Address already in use") {
				return fmt.Errorf("broker exited at start: %w", errPortTaken)
			}
			return fmt.Errorf("broker exited at start (last readiness error: %v)", last)
		default:
		}
		if last = b.ready(); last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			b.kill()
			return fmt.Errorf("broker at %s not ready after 90s: %w", b.Addr(), last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ready checks that the broker at Addr is this one (its cluster id) and serves: metadata lists a
// broker and a controller, and every partition of every topic has a leader.
func (b *Broker) ready() error {
	cfg := sarama.NewConfig()
	cfg.Version = KafkaVersion
	cfg.ClientID = "sluice-testkit-broker"
	cfg.Net.DialTimeout = 2 * time.Second
	cfg.Net.ReadTimeout = 5 * time.Second
	conn := sarama.NewBroker(b.Addr())
	if err := conn.Open(cfg); err != nil {
		return err
	}
	defer conn.Close()
	md, err := conn.GetMetadata(&sarama.MetadataRequest{Version: 7, AllowAutoTopicCreation: false})
	if err != nil {
		return err
	}
	if md.ClusterID == nil || *md.ClusterID != b.cluster {
		got := "none"
		if md.ClusterID != nil {
			got = *md.ClusterID
		}
		return fmt.Errorf("the broker at %s has cluster id %s, not %s: another broker holds the port", b.Addr(), got, b.cluster)
	}
	if len(md.Brokers) == 0 || md.ControllerID < 0 {
		return errors.New("no broker or no controller in the metadata yet")
	}
	for _, tm := range md.Topics {
		if !errors.Is(tm.Err, sarama.ErrNoError) {
			return fmt.Errorf("topic %s: %w", tm.Name, tm.Err)
		}
		for _, p := range tm.Partitions {
			if p.Leader < 0 || !errors.Is(p.Err, sarama.ErrNoError) {
				return fmt.Errorf("topic %s partition %d has no leader yet", tm.Name, p.ID)
			}
		}
	}
	return nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
