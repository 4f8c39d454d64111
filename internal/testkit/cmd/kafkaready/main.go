// Command kafkaready waits until a Kafka broker can really serve tests, then exits 0.
//
// An open TCP port only means the JVM is listening; a freshly formatted KRaft broker may still be
// electing itself controller, registering, or unable to create topics. kafkaready therefore loops
// until Metadata lists a broker and a controller, and a probe topic can be created, gets a
// partition leader and can be deleted again. scripts/services/kafka.sh builds it and runs it after
// starting the broker (built, because go run reports every failure as exit 1):
//
//	kafkaready -bootstrap 127.0.0.1:9092 -timeout 60s -cluster-id ID -pid PID
//
// With -cluster-id it also checks that the broker answering is the one services-up formatted (its
// cluster id), and with -pid that the broker's process is still alive: when two checkouts start
// brokers at once, one may die on a taken port while the other answers on it, and a readiness check
// must not pass against someone else's broker. A round counts as ready only when the cluster-id
// check itself succeeded: a broker that cannot answer it yet, or answers without a cluster id, is
// not ready, whatever the probe says.
//
// With -sasl-plain and -sasl-ssl it also checks the broker's secured listeners: over SASL_PLAINTEXT
// it authenticates with PLAIN as $KAFKA_SASL_USERNAME / $KAFKA_SASL_PASSWORD (environment, so the
// password is not on a command line) and asks for metadata, checking the cluster id there too; on
// SASL_SSL it completes a TLS handshake that verifies the broker's certificate against -ca-file
// for the listener's address. (The SCRAM exchange over TLS is what the tests themselves check.)
//
// Exit codes:
//
//	0  ready
//	1  not ready when the timeout passed (the last error is printed), or the -pid process is gone
//	3  the broker answering has another cluster id: another broker holds the port, and the caller
//	   should stop its own broker and try other ports
//
// It imports only sarama, not package testkit, so that the services scripts keep working even
// while the test kit (or its kfake dependency) does not compile.
package main

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

func main() {
	def := os.Getenv("KAFKA_BOOTSTRAP")
	if def == "" {
		def = "127.0.0.1:9092"
	}
	bootstrap := flag.String("bootstrap", def, "broker address(es), host:port[,host:port...]")
	timeout := flag.Duration("timeout", 60*time.Second, "give up after this long")
	clusterID := flag.String("cluster-id", "", "the cluster id the broker must have (empty: not checked)")
	pid := flag.Int("pid", 0, "the broker's process id, which must stay alive (0: not checked)")
	saslPlain := flag.String("sasl-plain", "", "the broker's SASL_PLAINTEXT listener, host:port, checked with PLAIN (empty: not checked)")
	saslSSL := flag.String("sasl-ssl", "", "the broker's SASL_SSL listener, host:port, checked with a TLS handshake (empty: not checked)")
	caFile := flag.String("ca-file", "", "PEM file of the CA that signed the broker's certificate, for -sasl-ssl")
	flag.Parse()

	addrs := strings.Split(*bootstrap, ",")
	var checkID func() error
	if *clusterID != "" {
		checkID = func() error { return checkClusterID(addrs[0], *clusterID, nil) }
	}
	if *saslPlain != "" || *saslSSL != "" {
		secured, err := securedChecks(*saslPlain, *saslSSL, *caFile, *clusterID)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kafkaready: %v\n", err)
			os.Exit(exitNotReady)
		}
		plainID := checkID
		checkID = func() error {
			if plainID != nil {
				if err := plainID(); err != nil {
					return err
				}
			}
			return secured()
		}
	}
	start := time.Now()
	deadline := start.Add(*timeout)
	var lastErr error
	for attempt := 1; ; attempt++ {
		if *pid > 0 && !alive(*pid) {
			fmt.Fprintf(os.Stderr, "kafkaready: the broker process %d is gone (see its log)\n", *pid)
			os.Exit(exitNotReady)
		}
		summary, err := round(checkID, func() (string, error) { return probe(addrs) })
		if errors.Is(err, errNotOurs) {
			fmt.Fprintf(os.Stderr, "kafkaready: %v\n", err)
			os.Exit(exitNotOurs)
		}
		if err == nil {
			fmt.Printf("kafkaready: %s ready after %s (%d attempts): %s\n",
				*bootstrap, time.Since(start).Round(time.Millisecond), attempt, summary)
			return
		}
		if lastErr == nil || err.Error() != lastErr.Error() {
			// Print each new kind of failure once, so a stuck broker shows why.
			fmt.Fprintf(os.Stderr, "kafkaready: not ready yet: %v\n", err)
		}
		lastErr = err
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "kafkaready: %s not ready after %s: %v\n", *bootstrap, *timeout, lastErr)
			os.Exit(exitNotReady)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// Exit codes other than 0 (see the package documentation).
const (
	exitNotReady = 1
	exitNotOurs  = 3
)

var errNotOurs = errors.New("not our broker")

// round runs one readiness round: the cluster-id check, when there is one, and then the probe.
// The round is ready only when both succeed; a failed cluster-id check (errNotOurs or not) ends
// the round with its error and no probe.
func round(checkID func() error, probe func() (string, error)) (string, error) {
	if checkID != nil {
		if err := checkID(); err != nil {
			return "", fmt.Errorf("cluster id: %w", err)
		}
	}
	return probe()
}

// securedChecks returns the check of the secured listeners (see the package documentation).
func securedChecks(saslPlain, saslSSL, caFile, clusterID string) (func() error, error) {
	user, password := os.Getenv("KAFKA_SASL_USERNAME"), os.Getenv("KAFKA_SASL_PASSWORD")
	if saslPlain != "" && (user == "" || password == "") {
		return nil, errors.New("-sasl-plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD in the environment")
	}
	var roots *x509.CertPool
	if saslSSL != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("-ca-file: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("-ca-file %s holds no PEM certificate", caFile)
		}
	}
	return func() error {
		if saslPlain != "" {
			plain := func(c *sarama.Config) {
				c.Net.SASL.Enable = true
				c.Net.SASL.Mechanism = sarama.SASLTypePlaintext
				c.Net.SASL.User, c.Net.SASL.Password = user, password
			}
			if err := checkClusterID(saslPlain, clusterID, plain); err != nil {
				return fmt.Errorf("SASL_PLAINTEXT listener %s: %w", saslPlain, err)
			}
		}
		if saslSSL != "" {
			host, _, _ := net.SplitHostPort(saslSSL)
			d := &net.Dialer{Timeout: 3 * time.Second}
			conn, err := tls.DialWithDialer(d, "tcp", saslSSL, &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12})
			if err != nil {
				return fmt.Errorf("SASL_SSL listener %s: TLS handshake: %w", saslSSL, err)
			}
			_ = conn.Close()
		}
		return nil
	}, nil
}

// checkClusterID asks the broker at addr for its cluster id (with the client settings of
// secure, if not nil). A different id than want (when want is not empty) is errNotOurs; a broker
// that cannot answer yet, or answers without a cluster id, is another error.
func checkClusterID(addr, want string, secure func(*sarama.Config)) error {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V4_0_0_0
	cfg.ClientID = "sluice-kafkaready"
	cfg.Net.DialTimeout = 3 * time.Second
	cfg.Net.ReadTimeout = 10 * time.Second
	if secure != nil {
		secure(cfg)
	}
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		return err
	}
	defer b.Close()
	md, err := b.GetMetadata(&sarama.MetadataRequest{Version: 7})
	if err != nil {
		return err
	}
	if md.ClusterID == nil {
		return fmt.Errorf("the broker at %s reports no cluster id (want %s)", addr, want)
	}
	if want != "" && *md.ClusterID != want {
		return fmt.Errorf("%w: the broker at %s has cluster id %s, not %s: another broker holds the port",
			errNotOurs, addr, *md.ClusterID, want)
	}
	return nil
}

// probe runs one complete readiness check with a fresh client.
func probe(addrs []string) (string, error) {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V4_0_0_0 // as testkit.KafkaVersion
	cfg.ClientID = "sluice-kafkaready"
	cfg.Net.DialTimeout = 3 * time.Second
	cfg.Net.ReadTimeout = 10 * time.Second
	cfg.Net.WriteTimeout = 10 * time.Second
	cfg.Metadata.Retry.Max = 0
	cfg.Admin.Timeout = 10 * time.Second

	client, err := sarama.NewClient(addrs, cfg)
	if err != nil {
		return "", fmt.Errorf("client: %w", err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client) // closing admin closes client
	if err != nil {
		_ = client.Close()
		return "", fmt.Errorf("admin: %w", err)
	}
	defer admin.Close()

	if err := client.RefreshMetadata(); err != nil {
		return "", fmt.Errorf("metadata: %w", err)
	}
	brokers := client.Brokers()
	if len(brokers) == 0 {
		return "", errors.New("metadata lists no broker")
	}
	controller, err := client.RefreshController()
	if err != nil {
		return "", fmt.Errorf("controller: %w", err)
	}

	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	topic := "__sluice_ready_" + hex.EncodeToString(suffix[:])
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1}, false); err != nil {
		return "", fmt.Errorf("create probe topic: %w", err)
	}
	deleted := false
	defer func() {
		if !deleted { // a leftover probe topic would only be noise
			_ = admin.DeleteTopic(topic)
		}
	}()
	var leaderErr error
	for i := 0; i < 20; i++ {
		if leaderErr = client.RefreshMetadata(topic); leaderErr == nil {
			if _, leaderErr = client.Leader(topic, 0); leaderErr == nil {
				break
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	if leaderErr != nil {
		return "", fmt.Errorf("probe topic leader: %w", leaderErr)
	}
	deleted = true
	if err := admin.DeleteTopic(topic); err != nil {
		return "", fmt.Errorf("delete probe topic: %w", err)
	}
	return fmt.Sprintf("%d broker(s), controller %d, probe topic created and deleted", len(brokers), controller.ID()), nil
}
