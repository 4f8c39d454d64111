// Package testkit finds the external services sluice's tests run against, or stands in for them.
//
// Real services (an Apache Kafka broker in KRaft mode and Apicurio Registry, a Schema Registry with
// Confluent's API) run outside the test binary. They are started by `make services-up`
// (scripts/services-up.sh), which writes their addresses to .services.env at the repository root,
// one KEY=VALUE line per setting, for example
//
//	KAFKA_BOOTSTRAP=127.0.0.1:9092
//	SCHEMA_REGISTRY_URL=http://127.0.0.1:8081/apis/ccompat/v7
//	INTEROP_PYTHON=/path/to/sluice/.cache/python-interop/venv/bin/python
//
// The same broker's secured listeners (SASL_SSL with SCRAM-SHA-512, SASL_PLAINTEXT with PLAIN),
// their user, CA and truststores are KAFKA_BOOTSTRAP_SASL_SSL, KAFKA_BOOTSTRAP_SASL_PLAIN,
// KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE, KAFKA_SSL_TRUSTSTORE_JKS,
// KAFKA_SSL_TRUSTSTORE_P12 and KAFKA_SSL_TRUSTSTORE_PASSWORD (see [RealSecureKafka]).
//
// MariaDB is MYSQL_DSN (go-sql-driver/mysql's form), MYSQL_JDBC_URL, MYSQL_USER and MYSQL_PASSWORD
// (see [MySQL] and [NewDatabase], which gives a test a database of its own).
//
// INTEROP_PYTHON is not a service but a Python with Confluent's own Avro serializer installed, for
// the interoperability tests (see [RunInterop]).
//
// `make test` starts them, exports that file into the environment, runs `go test ./...` and stops
// them again. A test asks for an address with [Kafka], [RealKafka], [SchemaRegistryURL] or
// [InteropPython]; all look first at the environment variable, then at .services.env (found by
// walking up from the working directory to the directory holding go.mod), so `go test` run by hand
// after `make services-up` uses the real services too.
//
// Without a real broker, [Kafka] falls back to an in-process fake (kfake) so that a developer can
// run the tests with nothing installed, except when CI=true: there a missing broker is a setup
// error and the test fails. Tests that depend on semantics the fake does not have (config
// validation, real compaction, quotas, replication) use [RealKafka], which never falls back. The
// others have no fake either: without the service they skip the test, or fail it when CI=true.
package testkit

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

// EnvKafkaBootstrap is the environment variable (and .services.env key) holding the bootstrap
// address of the real Kafka broker, "host:port" or a comma-separated list of them.
const EnvKafkaBootstrap = "KAFKA_BOOTSTRAP"

// ServicesEnvFile is the name of the file, at the repository root, that scripts/services-up.sh
// writes the service addresses to.
const ServicesEnvFile = ".services.env"

// KafkaVersion is the protocol version testkit's sarama clients announce. The real broker is
// Apache Kafka 4.x (infra/kafka-pom.xml); sarama clamps each request to the versions the broker
// advertises, so the same setting also works against kfake.
var KafkaVersion = sarama.V4_0_0_0

// Kafka returns the bootstrap address of a Kafka broker for t.
//
// It is the real broker from $KAFKA_BOOTSTRAP or .services.env if there is one. Otherwise, when
// the environment variable CI is true, t fails; elsewhere Kafka starts an in-process kfake cluster
// with one broker and automatic topic creation, closes it when t ends, logs that it did so and
// returns its address.
func Kafka(t testing.TB) string {
	t.Helper()
	if addr, ok := realKafka(t); ok {
		return addr
	}
	if inCI() {
		t.Fatalf("testkit: no Kafka: %s is not set and there is no %s; run `make services-up` "+
			"(or `make test`) first; CI=true forbids the in-process fake", EnvKafkaBootstrap, ServicesEnvFile)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatalf("testkit: starting in-process kfake: %v", err)
	}
	t.Cleanup(c.Close)
	addr := strings.Join(c.ListenAddrs(), ",")
	t.Logf("testkit: no real Kafka (%s unset, no %s): using in-process kfake at %s; run `make services-up` for a real broker",
		EnvKafkaBootstrap, ServicesEnvFile, addr)
	return addr
}

// RealKafka returns the bootstrap address of the real Kafka broker, for tests that need real-broker
// semantics. It never falls back to kfake: without a broker, t is skipped, or fails when CI is true.
func RealKafka(t testing.TB) string {
	t.Helper()
	if addr, ok := realKafka(t); ok {
		return addr
	}
	if inCI() {
		t.Fatalf("testkit: no Kafka: %s is not set and there is no %s; run `make services-up` "+
			"(or `make test`) first", EnvKafkaBootstrap, ServicesEnvFile)
	}
	t.Skipf("testkit: needs a real Kafka broker (%s unset, no %s): run `make services-up`",
		EnvKafkaBootstrap, ServicesEnvFile)
	return ""
}

// Addrs splits a bootstrap address as returned by [Kafka] into the list sarama expects.
func Addrs(bootstrap string) []string {
	var addrs []string
	for _, a := range strings.Split(bootstrap, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// SaramaConfig returns a sarama configuration suited to tests: Version set to [KafkaVersion], a
// recognisable client id, producers that return successes (as SyncProducer requires) and
// consumers that start at the oldest offset. Each call returns a new value the caller may change.
func SaramaConfig() *sarama.Config {
	c := sarama.NewConfig()
	c.Version = KafkaVersion
	c.ClientID = "sluice-testkit"
	c.Producer.Return.Successes = true
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Metadata.Retry.Backoff = 100 * time.Millisecond
	return c
}

// NewTopic creates a topic with the given number of partitions (replication factor 1) on the
// broker at bootstrap and returns its name: t.Name() reduced to legal topic characters plus a
// random suffix, so tests never share topics. It waits until every partition has a leader, and
// deletes the topic when t ends.
func NewTopic(t testing.TB, bootstrap string, partitions int32) string {
	t.Helper()
	name := topicName(t.Name())
	client, err := sarama.NewClient(Addrs(bootstrap), SaramaConfig())
	if err != nil {
		t.Fatalf("testkit: client for %s: %v", bootstrap, err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client) // closing admin closes client
	if err != nil {
		_ = client.Close()
		t.Fatalf("testkit: admin client for %s: %v", bootstrap, err)
	}
	err = admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false)
	if err != nil {
		_ = admin.Close()
		t.Fatalf("testkit: creating topic %s with %d partitions: %v", name, partitions, err)
	}
	t.Cleanup(func() {
		// Best effort: the broker is thrown away after the run anyway; this only keeps it small.
		_ = admin.DeleteTopic(name)
		_ = admin.Close()
	})

	// CreateTopics returns once the controller has the topic; the broker serving metadata and
	// produce requests learns of it a moment later, and may name a leader in metadata before that
	// leader serves the partition (a consumer's first ListOffsets then fails with
	// NOT_LEADER_OR_FOLLOWER): ready means every partition's leader answers ListOffsets.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err = topicReady(admin, client, name, partitions)
		if err == nil {
			return name
		}
		if time.Now().After(deadline) {
			t.Fatalf("testkit: topic %s not ready after 30s: %v", name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func topicReady(admin sarama.ClusterAdmin, client sarama.Client, name string, partitions int32) error {
	md, err := admin.DescribeTopics([]string{name})
	if err != nil {
		return err
	}
	if len(md) != 1 {
		return fmt.Errorf("metadata for %d topics", len(md))
	}
	if md[0].Err != sarama.ErrNoError {
		return md[0].Err
	}
	if int32(len(md[0].Partitions)) != partitions {
		return fmt.Errorf("%d of %d partitions", len(md[0].Partitions), partitions)
	}
	for _, p := range md[0].Partitions {
		if p.Err != sarama.ErrNoError {
			return fmt.Errorf("partition %d: %w", p.ID, p.Err)
		}
		if p.Leader < 0 {
			return fmt.Errorf("partition %d has no leader", p.ID)
		}
	}
	if err := client.RefreshMetadata(name); err != nil {
		return err
	}
	for p := range partitions {
		if _, err := client.GetOffset(name, p, sarama.OffsetNewest); err != nil {
			return fmt.Errorf("partition %d: list offsets: %w", p, err)
		}
	}
	return nil
}

// topicName turns a test name into a unique legal topic name ([a-zA-Z0-9._-], at most 249 chars).
func topicName(testName string) string {
	var b strings.Builder
	for _, r := range testName {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			// '.' is legal too, but Kafka warns when topic names differ only in '.' versus '_'.
			b.WriteByte('_')
		}
	}
	base := b.String()
	if len(base) > 200 {
		base = base[:200]
	}
	if base == "" {
		base = "test"
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	return base + "-" + hex.EncodeToString(suffix[:])
}

// realKafka returns the configured real broker, failing t if one is configured but unreachable:
// a stale .services.env or a dead broker should say so rather than surface as client timeouts.
func realKafka(t testing.TB) (string, bool) {
	t.Helper()
	addr, source, err := lookup(EnvKafkaBootstrap)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	if addr == "" {
		return "", false
	}
	addrs := Addrs(addr)
	if len(addrs) == 0 {
		t.Fatalf("testkit: %s=%q (from %s) holds no address", EnvKafkaBootstrap, addr, source)
	}
	conn, err := net.DialTimeout("tcp", addrs[0], 3*time.Second)
	if err != nil {
		t.Fatalf("testkit: Kafka at %s (%s from %s) is not reachable: %v; run `make services-up`",
			addrs[0], EnvKafkaBootstrap, source, err)
	}
	_ = conn.Close()
	return addr, true
}

// lookup returns the value of key from the environment or, if unset there, from the
// .services.env of the enclosing module, with a description of where it came from. A missing
// key is not an error.
func lookup(key string) (value, source string, err error) {
	if v := strings.TrimSpace(os.Getenv(key)); v != "" {
		return v, "the environment", nil
	}
	path, err := servicesEnvPath()
	if err != nil || path == "" {
		return "", "", err
	}
	vars, err := readEnvFile(path)
	if err != nil {
		return "", "", err
	}
	return vars[key], path, nil
}

// servicesEnvPath returns the .services.env beside the go.mod enclosing the working directory,
// or "" if there is none.
func servicesEnvPath() (string, error) {
	root, err := moduleRoot()
	if err != nil || root == "" {
		return "", err
	}
	p := filepath.Join(root, ServicesEnvFile)
	if _, err := os.Stat(p); err != nil {
		return "", nil
	}
	return p, nil
}

// moduleRoot returns the directory holding the go.mod that encloses the working directory, or ""
// if there is none. `go test` runs each package in its own directory, so for sluice's tests this
// is the repository root.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// readEnvFile parses the shell-sourceable KEY=VALUE lines services-up writes. Blank lines and
// '#' comments are skipped; an "export " prefix and matching outer quotes are tolerated.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: not KEY=VALUE: %q", path, n, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vars[strings.TrimSpace(k)] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vars, nil
}

// inCI reports whether the CI environment variable is set to a true value ("true", "1", ...).
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Tool returns the path of the program name, which the test needs (a shell,
// say). When it is not installed the test skips, naming what installs it,
// or with CI=true fails.
func Tool(t testing.TB, name, installedBy string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if inCI() {
		t.Fatalf("testkit: %s is not installed (CI=true: required): %s installs it", name, installedBy)
	}
	t.Skipf("testkit: %s is not installed: %s installs it", name, installedBy)
	return ""
}
