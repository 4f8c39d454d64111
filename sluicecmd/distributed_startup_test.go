package sluicecmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// awaitStarting waits until the worker's /health answers 503 "starting"
// with a message that contains every one of want, and returns it.
func (cl *inProcCluster) awaitStarting(w *inProcWorker, want ...string) string {
	cl.t.Helper()
	var msg string
	cl.eventually(30*time.Second, w.name+"'s /health saying what it waits for", func() (bool, string) {
		st, err := w.c.Health(context.Background())
		var he *herder.Error
		if !errors.As(err, &he) || he.Code != 503 || st.Status != "starting" {
			return false, fmt.Sprintf("%+v %v", st, err)
		}
		msg = st.Message
		for _, s := range want {
			if !strings.Contains(msg, s) {
				return false, msg
			}
		}
		return true, ""
	})
	return msg
}

// TestDistributedStartsWhenBrokerUnreachable starts a worker while its
// only broker is down: the worker stays up, its REST server answers
// (/health 503 "starting" with what it waits for and the error it waits
// out, the plugin list at once, reads of the cluster's state only once it
// has read the internal topics), it logs the wait once rather than per
// attempt, and once the broker is back it completes its start-up and runs
// a connector.
func TestDistributedStartsWhenBrokerUnreachable(t *testing.T) {
	b := testkit.StartBroker(t)
	cl := newInProcClusterOn(t, b.Addr())
	ctx := context.Background()
	b.Kill9()
	launched := time.Now()
	w := cl.launch("w1")

	msg := cl.awaitStarting(w, "Worker is still starting up. The worker is currently creating or checking the internal topics",
		cl.props["config.storage.topic"], "which began at ", "Last error, retried until it succeeds: ")
	t.Logf("/health while the broker is down: %s", msg)
	if ps, err := w.c.Plugins(ctx, true); err != nil || len(ps) == 0 {
		t.Errorf("GET /connector-plugins while starting: %d plugins, %v; want the list at once", len(ps), err)
	}
	// A read of the cluster's state waits for the internal topics rather
	// than answering from empty stores.
	listed := make(chan error, 1)
	go func() {
		names, err := w.c.Connectors(ctx)
		if err == nil && len(names) != 0 {
			err = fmt.Errorf("connectors %v on a new cluster", names)
		}
		listed <- err
	}()
	// Let the worker retry for a while: it must neither exit nor log a
	// warning per attempt.
	cl.eventually(30*time.Second, "the worker retrying several times", func() (bool, string) {
		select {
		case err := <-listed:
			t.Fatalf("GET /connectors answered (%v) before the worker could read the config topic", err)
		default:
		}
		return time.Since(launched) > 4*time.Second, "still waiting for the broker"
	})

	b.Restart()
	cl.eventually(60*time.Second, "w1 healthy once the broker is back", func() (bool, string) {
		st, err := w.c.Health(ctx)
		return err == nil && st.Status == "healthy", fmt.Sprint(st, err)
	})
	select {
	case err := <-listed:
		if err != nil {
			t.Errorf("GET /connectors issued while starting: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("GET /connectors issued while starting did not answer once the worker had started")
	}
	logs := w.log.String()
	warnings := regexp.MustCompile(`level=WARN msg="creating or checking the internal topics[^"]*failed; retrying until it succeeds"`).FindAllString(logs, -1)
	m := regexp.MustCompile(`msg="creating or checking the internal topics[^"]* succeeded after failing"[^\n]* attempts=(\d+)`).FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("no line saying the topics step succeeded after failing in the log:\n%s", logs)
	}
	var attempts int
	fmt.Sscan(m[1], &attempts)
	if attempts < 4 || len(warnings) > 2 {
		t.Errorf("%d attempts to reach the broker logged %d warnings; want several attempts and at most 2 warnings", attempts, len(warnings))
	}
	t.Logf("%d attempts while the broker was down, %d warnings logged", attempts, len(warnings))

	topic := testkit.NewTopic(t, b.Addr(), 1)
	if _, err := w.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "sink", Config: map[string]string{
		"connector.class": "FileStreamSink", "file": cl.dir + "/out.txt", "topics": topic}}); err != nil {
		t.Fatalf("create a connector once started: %v", err)
	}
	cl.awaitState(w, "sink", herder.Running, 1)
}

// TestDistributedStartupStops: a worker waiting for a broker nobody runs
// stops promptly and cleanly when asked to (SIGTERM); a worker whose config
// topic has three partitions does not wait: it stops start-up with Kafka
// Connect's message.
func TestDistributedStartupStops(t *testing.T) {
	t.Run("signal while waiting", func(t *testing.T) {
		cl := newInProcCluster(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		nobody := l.Addr().String()
		l.Close()
		cl.props["bootstrap.servers"] = nobody
		w := cl.launch("w1")
		cl.awaitStarting(w, "creating or checking the internal topics", nobody)
		w.cancel()
		stopAt := time.Now()
		if err := cl.wait(w, 10*time.Second); err != nil {
			t.Fatalf("runDistributed returned %v when stopped while waiting for Kafka, want nil", err)
		}
		if d := time.Since(stopAt); d > 5*time.Second {
			t.Errorf("stopping a worker waiting for Kafka took %s", d)
		}
	})
	t.Run("signal while a broker does not answer", func(t *testing.T) {
		// A broker that takes connections and never answers (one that is
		// starting, or a black hole): the worker's request waits on it
		// until the stop closes the connection, not for its timeout.
		cl := newInProcCluster(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		accepted := make(chan net.Conn, 16)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				accepted <- c
			}
		}()
		t.Cleanup(func() {
			l.Close()
			for {
				select {
				case c := <-accepted:
					c.Close()
				default:
					return
				}
			}
		})
		cl.props["bootstrap.servers"] = l.Addr().String()
		w := cl.launch("w1")
		select {
		case c := <-accepted:
			accepted <- c // closed by the cleanup
		case <-time.After(30 * time.Second):
			t.Fatal("the worker did not connect to the broker")
		}
		cl.awaitStarting(w, "creating or checking the internal topics")
		w.cancel()
		stopAt := time.Now()
		if err := cl.wait(w, 20*time.Second); err != nil {
			t.Fatalf("runDistributed returned %v when stopped while waiting for Kafka, want nil", err)
		}
		if d := time.Since(stopAt); d > 5*time.Second {
			t.Errorf("stopping a worker waiting for a silent broker took %s", d)
		}
	})
	t.Run("config topic with three partitions", func(t *testing.T) {
		cl := newInProcCluster(t)
		admin, err := sarama.NewClusterAdmin(testkit.Addrs(cl.bootstrap), testkit.SaramaConfig())
		if err != nil {
			t.Fatal(err)
		}
		name, compact := cl.props["config.storage.topic"], "compact"
		if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1,
			ConfigEntries: map[string]*string{"cleanup.policy": &compact}}, false); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = admin.DeleteTopic(name)
			_ = admin.Close()
		})
		w := cl.launch("w1")
		err = cl.wait(w, 90*time.Second)
		want := fmt.Sprintf("Topic '%s' supplied via the 'config.storage.topic' property is required to have a single partition "+
			"in order to guarantee consistency of connector configurations, but found 3 partitions.", name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("runDistributed = %v, want an error with %q", err, want)
		}
	})
}
