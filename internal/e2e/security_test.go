package e2e

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// secureProps are a client's settings for the broker's SASL_SSL listener
// (SCRAM-SHA-512), under prefix ("", "producer.", "consumer.", "admin."),
// with the truststore of the given kind: PEM, JKS or PKCS12.
func secureProps(s testkit.SecureKafka, prefix, store, password string) map[string]string {
	p := map[string]string{
		"security.protocol": "SASL_SSL",
		"sasl.mechanism":    "SCRAM-SHA-512",
		"sasl.jaas.config":  fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`, s.Username, password),
	}
	switch store {
	case "PEM":
		p["ssl.truststore.type"], p["ssl.truststore.location"] = "PEM", s.CAFile
	case "JKS":
		p["ssl.truststore.type"], p["ssl.truststore.location"], p["ssl.truststore.password"] = "JKS", s.TruststoreJKS, s.TruststorePassword
	case "PKCS12":
		p["ssl.truststore.type"], p["ssl.truststore.location"], p["ssl.truststore.password"] = "PKCS12", s.TruststoreP12, s.TruststorePassword
	}
	out := map[string]string{}
	for k, v := range p {
		out[prefix+k] = v
	}
	return out
}

// secureWorker are the settings of a worker whose every client uses the
// SASL_SSL listener: the admin clients (top-level keys) with a JKS
// truststore, producers with PEM, consumers with PKCS12.
func secureWorker(s testkit.SecureKafka, base map[string]string) map[string]string {
	p := maps.Clone(base)
	p["bootstrap.servers"] = s.SASLSSL
	maps.Copy(p, secureProps(s, "", "JKS", s.Password))
	maps.Copy(p, secureProps(s, "producer.", "PEM", s.Password))
	maps.Copy(p, secureProps(s, "consumer.", "PKCS12", s.Password))
	return p
}

// dlqInput writes n lines: JSON numbers, and every third one not JSON,
// for a sink with the JsonConverter to send to its dead letter queue. It
// returns the good and the bad lines.
func dlqInput(t *testing.T, path string, n int) (good, bad []string) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		l := fmt.Sprint(i)
		if i%3 == 0 {
			l = fmt.Sprintf("not-json-%d", i)
			bad = append(bad, l)
		} else {
			good = append(good, l)
		}
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return good, bad
}

func fileLines(path string) []string {
	b, _ := os.ReadFile(path)
	return strings.Fields(string(b))
}

// TestSecureStandalonePipeline moves lines file → topic → file through
// two standalone workers over the broker's SASL_SSL listener, with a dead
// letter queue (created and written over SASL_SSL): every line ends in the
// output or the dead letter queue, none lost. The sink worker's JAAS lines
// come from a file through a config provider.
func TestSecureStandalonePipeline(t *testing.T) {
	s := testkit.RealSecureKafka(t)
	plain := testkit.RealKafka(t)
	topic, dlq := testkit.NewTopic(t, plain, 1), testkit.NewTopic(t, plain, 1)+"-dlq"
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	good, bad := dlqInput(t, in, 3000)

	start := time.Now()
	src := startWorker(t, dir, "source", secureWorker(s, workerProps(s.SASLSSL, filepath.Join(dir, "source.offsets"))), map[string]string{
		"name": "secure-source", "connector.class": "FileStreamSource", "file": in, "topic": topic,
	})
	// The sink worker reads its JAAS line through a config provider, as the
	// README's worked example: the password is in no worker setting.
	secrets := filepath.Join(dir, "kafka.properties")
	if err := os.WriteFile(secrets, []byte("jaas="+secureProps(s, "", "", s.Password)["sasl.jaas.config"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sinkProps := secureWorker(s, workerProps(s.SASLSSL, filepath.Join(dir, "sink.offsets")))
	for _, prefix := range []string{"", "producer.", "consumer."} {
		sinkProps[prefix+"sasl.jaas.config"] = "${file:" + secrets + ":jaas}"
	}
	maps.Copy(sinkProps, map[string]string{"config.providers": "file",
		"config.providers.file.class": "org.apache.kafka.common.config.provider.FileConfigProvider", "config.providers.file.param.allowed.paths": secrets})
	sink := startWorker(t, dir, "sink", sinkProps, map[string]string{
		"name": topic + "-secure-sink", "connector.class": "FileStreamSink", "file": out, "topics": topic, // its group is this run's own
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq, "errors.deadletterqueue.topic.replication.factor": "1",
	})
	eventually(t, 90*time.Second, "every good line in the output", func() (bool, string) {
		n := len(fileLines(out))
		return n >= len(good), fmt.Sprintf("%d of %d lines", n, len(good))
	}, src, sink)
	t.Logf("%d lines through SASL_SSL in %s", len(good), time.Since(start).Round(time.Millisecond))
	if got := fileLines(out); !slices.Equal(got, good) {
		t.Fatalf("output holds %d lines, want the %d good ones in order", len(got), len(good))
	}
	eventually(t, 30*time.Second, "every bad line in the dead letter queue", func() (bool, string) {
		n := len(readTopic(t, plain, dlq))
		return n >= len(bad), fmt.Sprintf("%d of %d records", n, len(bad))
	}, sink)
	if got := readTopic(t, plain, dlq); !slices.Equal(got, bad) {
		t.Fatalf("dead letter queue holds %d records, want the %d bad lines in order", len(got), len(bad))
	}
	for _, w := range []*testkit.Worker{src, sink} {
		if strings.Contains(w.Log(), s.Password) {
			t.Fatalf("the log of %s shows the SASL password", w.Name())
		}
	}
	src.Term()
	sink.Term()
}

// TestSecureStandaloneFailures: a task whose client cannot connect
// securely fails within seconds with a trace naming the cause (a wrong
// password, a CA that did not sign the broker's certificate, a PLAINTEXT
// client at a SASL or TLS listener) instead of waiting for Kafka forever;
// and a SASL_PLAINTEXT PLAIN producer delivers.
func TestSecureStandaloneFailures(t *testing.T) {
	s := testkit.RealSecureKafka(t)
	plain := testkit.RealKafka(t)
	plainJAAS := fmt.Sprintf(`org.apache.kafka.common.security.plain.PlainLoginModule required username="%s" password="%s";`, s.Username, s.Password)
	cases := []struct {
		name      string
		bootstrap string
		props     map[string]string // worker props
		sink      bool
		want      string // in the task's trace; "" means RUNNING and delivering
	}{
		{name: "wrong password", bootstrap: s.SASLSSL, props: secureProps(s, "producer.", "PEM", "wrong-"+s.Password), want: "SASL authentication failed"},
		{name: "wrong CA", bootstrap: s.SASLSSL, sink: true, props: func() map[string]string {
			p := secureProps(s, "consumer.", "PEM", s.Password)
			p["consumer.ssl.truststore.location"] = testkit.OtherCA(t)
			return p
		}(), want: "x509: certificate signed by unknown authority"},
		{name: "PLAINTEXT at the SASL_SSL listener", bootstrap: s.SASLSSL, props: map[string]string{},
			want: "the broker at " + s.SASLSSL + " expects TLS: set security.protocol=SSL or SASL_SSL"},
		{name: "PLAINTEXT at the SASL_PLAINTEXT listener", bootstrap: s.SASLPlain, props: map[string]string{},
			want: "the broker at " + s.SASLPlain + " expects SASL authentication (it offers PLAIN)"},
		{name: "SASL_PLAINTEXT with PLAIN", bootstrap: s.SASLPlain, props: map[string]string{"producer.security.protocol": "SASL_PLAINTEXT",
			"producer.sasl.mechanism": "PLAIN", "producer.sasl.jaas.config": plainJAAS}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			topic := testkit.NewTopic(t, plain, 1)
			in := filepath.Join(dir, "in.txt")
			appendLines(t, in, 0, 100)
			listener := testkit.FreeListener(t)
			props := workerProps(tc.bootstrap, filepath.Join(dir, "offsets"))
			props["listeners"] = listener
			maps.Copy(props, tc.props)
			name := fmt.Sprintf("conn-%d", i)
			conn := map[string]string{"name": name, "connector.class": "FileStreamSource", "file": in, "topic": topic}
			if tc.sink {
				conn = map[string]string{"name": name, "connector.class": "FileStreamSink", "file": filepath.Join(dir, "out.txt"), "topics": topic}
			}
			w := startWorker(t, dir, "worker", props, conn)
			c := newClient(t, listener)
			start := time.Now()
			if tc.want == "" {
				eventually(t, 30*time.Second, "every line in the topic", func() (bool, string) {
					n := len(readTopic(t, plain, topic))
					return n >= 100, fmt.Sprintf("%d of 100", n)
				}, w)
				return
			}
			var trace string
			eventually(t, 30*time.Second, "the task FAILED", func() (bool, string) {
				st, err := c.TaskStatus(context.Background(), name, 0)
				if err != nil {
					return false, err.Error()
				}
				trace = st.Trace
				return st.State == herder.Failed, fmt.Sprintf("%s: %s", st.State, st.Trace)
			}, w)
			took := time.Since(start)
			t.Logf("FAILED after %s: %s", took.Round(time.Millisecond), firstLine(trace))
			if !strings.Contains(trace, tc.want) {
				t.Fatalf("trace does not say %q:\n%s", tc.want, trace)
			}
			if took > 15*time.Second {
				t.Fatalf("the task took %s to fail", took)
			}
			if strings.Contains(trace, s.Password) || strings.Contains(w.Log(), s.Password) {
				t.Fatal("the trace or the log shows the SASL password")
			}
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// TestSecureDistributed runs a distributed cluster of two workers whose
// internal topics' clients, group membership, tasks, dead letter queue and
// admin all use the SASL_SSL listener: a source and a sink with a dead
// letter queue lose nothing. Workers with a wrong password, a wrong CA or
// no security at all stop their start-up at once with the cause.
func TestSecureDistributed(t *testing.T) {
	s := testkit.RealSecureKafka(t)
	plain := testkit.RealKafka(t)
	cl := newClusterOn(t, plain) // topics are created and read through plain
	cl.props = secureWorker(s, cl.props)
	w1 := cl.startAll("w1", "w2")[0]
	topic, dlq := testkit.NewTopic(t, plain, 1), testkit.NewTopic(t, plain, 1)+"-dlq"
	in, out := filepath.Join(cl.dir, "in.txt"), filepath.Join(cl.dir, "out.txt")
	good, bad := dlqInput(t, in, 3000)
	ctx := context.Background()
	for name, cfg := range map[string]map[string]string{
		"secure-src": {"connector.class": "FileStreamSource", "file": in, "topic": topic},
		topic + "-secure-sink": {"connector.class": "FileStreamSink", "file": out, "topics": topic,
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
			"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq, "errors.deadletterqueue.topic.replication.factor": "1"},
	} {
		if _, err := w1.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: name, Config: cfg}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	cl.awaitRunning(60*time.Second, []string{"secure-src", topic + "-secure-sink"}, 1)
	eventually(t, 90*time.Second, "every good line in the output", func() (bool, string) {
		n := len(fileLines(out))
		return n >= len(good), fmt.Sprintf("%d of %d lines", n, len(good))
	}, cl.live()...)
	if got := fileLines(out); !slices.Equal(got, good) {
		t.Fatalf("output holds %d lines, want the %d good ones in order", len(got), len(good))
	}
	eventually(t, 30*time.Second, "every bad line in the dead letter queue", func() (bool, string) {
		n := len(readTopic(t, plain, dlq))
		return n >= len(bad), fmt.Sprintf("%d of %d records", n, len(bad))
	}, cl.live()...)
	if got := readTopic(t, plain, dlq); !slices.Equal(got, bad) {
		t.Fatalf("dead letter queue holds %d records, want the %d bad lines in order", len(got), len(bad))
	}
	for _, n := range cl.nodes {
		if strings.Contains(n.w.Log(), s.Password) {
			t.Fatalf("the log of %s shows the SASL password", n.w.Name())
		}
	}

	// Workers that cannot connect securely: their start-up error names the cause.
	insecure := maps.Clone(cl.props)
	for k := range insecure {
		if strings.HasPrefix(k, "sasl.") || strings.HasPrefix(k, "ssl.") || k == "security.protocol" {
			delete(insecure, k)
		}
	}
	wrongCA := maps.Clone(cl.props)
	wrongCA["ssl.truststore.type"], wrongCA["ssl.truststore.location"] = "PEM", testkit.OtherCA(t)
	delete(wrongCA, "ssl.truststore.password")
	wrongPassword := maps.Clone(cl.props)
	maps.Copy(wrongPassword, secureProps(s, "", "JKS", "wrong-"+s.Password))
	for _, tc := range []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"wrong-password", wrongPassword, "SASL authentication failed"},
		{"wrong-ca", wrongCA, "x509: certificate signed by unknown authority"},
		{"plaintext", insecure, "the broker at " + s.SASLSSL + " expects TLS: set security.protocol=SSL or SASL_SSL"},
	} {
		tc.props["listeners"] = testkit.FreeListener(t)
		start := time.Now()
		w := testkit.StartDistributed(t, binary, cl.dir, tc.name, tc.props)
		eventually(t, 30*time.Second, "the worker "+tc.name+" exits", func() (bool, string) {
			return w.Alive() != nil, "still running"
		})
		log := w.Log()
		t.Logf("%s exited after %s", tc.name, time.Since(start).Round(time.Millisecond))
		if !strings.Contains(log, tc.want) || !strings.Contains(log, "creating or checking the internal topics") {
			t.Fatalf("the start-up error of %s does not say %q:\n%s", tc.name, tc.want, tail([]byte(log), 2000))
		}
		if strings.Contains(log, s.Password) {
			t.Fatalf("the log of %s shows the SASL password", tc.name)
		}
	}
}
