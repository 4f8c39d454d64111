package runtime

import (
	"bytes"
	"context"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

func testWorker(t *testing.T, props map[string]string) (*Worker, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	all := map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"}
	maps.Copy(all, props)
	wc, err := ParseWorkerConfig(all, log)
	if err != nil {
		t.Fatal(err)
	}
	return NewWorker(wc, plugins.NewRegistry(), storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log), &logs
}

// connector.client.config.override.policy decides which overrides a
// connector may make, as Kafka Connect's All, None and Principal policies.
func TestClientOverridePolicy(t *testing.T) {
	conn := map[string]string{"producer.override.acks": "1", "producer.override.security.protocol": "SASL_SSL",
		"producer.override.sasl.jaas.config": "x", "producer.override.sasl.mechanism": "PLAIN"}
	cases := []struct {
		policy string
		err    string
	}{
		{"All", ""},
		{"None", "The 'None' policy does not allow 'acks' to be overridden in the connector configuration."},
		{"Principal", "The 'Principal' policy does not allow 'acks' to be overridden in the connector configuration."},
	}
	for _, tc := range cases {
		t.Run(tc.policy, func(t *testing.T) {
			w, _ := testWorker(t, map[string]string{"connector.client.config.override.policy": tc.policy, "producer.linger.ms": "5"})
			props, err := w.clientProps(w.cfg.ProducerProps, conn, "producer.override.")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
			} else if err != nil || props["acks"] != "1" || props["security.protocol"] != "SASL_SSL" || props["linger.ms"] != "5" {
				t.Fatalf("props %v, err %v", props, err)
			}
			// Validation shows the same error on each key the policy forbids.
			infos := herder.ConfigInfos{}
			for _, k := range []string{"producer.override.acks", "producer.override.sasl.jaas.config", "admin.override.request.timeout.ms", "acks"} {
				v := "1"
				infos.Configs = append(infos.Configs, herder.ConfigInfo{Value: &herder.ConfigValueInfo{Name: k, Value: &v}})
			}
			n := w.checkOverridePolicy(&infos)
			want := map[string]int{"All": 0, "None": 3, "Principal": 2}[tc.policy]
			if n != want {
				t.Fatalf("%d errors, want %d: %+v", n, want, infos.Configs)
			}
			if tc.policy == "Principal" && len(infos.Configs[1].Value.Errors) != 0 {
				t.Fatalf("Principal refused sasl.jaas.config: %v", infos.Configs[1].Value.Errors)
			}
		})
	}
	w, _ := testWorker(t, map[string]string{"connector.client.config.override.policy": "Principal"})
	props, err := w.clientProps(nil, map[string]string{"consumer.override.sasl.mechanism": "PLAIN", "consumer.override.security.protocol": "SASL_SSL",
		"consumer.override.sasl.jaas.config": "j"}, "consumer.override.")
	if err != nil || len(props) != 3 {
		t.Fatalf("Principal: %v, %v", props, err)
	}
}

// Admin clients take the worker's top-level client keys, then admin.*;
// producers and consumers never take the top-level ones.
func TestWorkerClientKeys(t *testing.T) {
	w, logs := testWorker(t, map[string]string{
		"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
		"sasl.jaas.config":                 `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="top-secret";`,
		"admin.sasl.mechanism":             "SCRAM-SHA-256",
		"admin.sasl.jaas.config":           `org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="admin-secret";`,
		"producer.ssl.truststore.location": "/nowhere", "ssl.truststore.location": "/nowhere",
	})
	admin := w.cfg.AdminClientProps()
	if admin["security.protocol"] != "SASL_PLAINTEXT" || admin["sasl.mechanism"] != "SCRAM-SHA-256" || !strings.Contains(admin["sasl.jaas.config"], "admin-secret") {
		t.Fatalf("admin props %v", admin)
	}
	if _, ok := w.cfg.ProducerProps["security.protocol"]; ok {
		t.Fatalf("producer props took a top-level key: %v", w.cfg.ProducerProps)
	}
	if w.cfg.ClientProps["sasl.mechanism"] != "PLAIN" || w.cfg.ClientProps["key.converter"] != "" {
		t.Fatalf("top-level client props %v", w.cfg.ClientProps)
	}
	// One WARN per client kind names the ssl.* keys SASL_PLAINTEXT ignores; never a value.
	out := logs.String()
	for _, want := range []string{"client=producer keys=[producer.ssl.truststore.location]", "client=admin keys=[ssl.truststore.location]",
		"client=worker keys=[ssl.truststore.location]"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret") || strings.Contains(out, "/nowhere") {
		t.Fatalf("log shows a value:\n%s", out)
	}
}

// The worker's connection keys sarama has no setting for are reported in
// one WARN when the worker starts, not each time an admin client is built;
// those it has one for are applied.
func TestWorkerClientKeysUnhonoured(t *testing.T) {
	w, logs := testWorker(t, map[string]string{"connections.max.idle.ms": "540000", "reconnect.backoff.ms": "50",
		"request.timeout.ms": "40000", "retry.backoff.ms": "100", "bootstrap.servers": "127.0.0.1:1"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 2 {
		if a, err := w.newAdmin(ctx, "connector-adminclient-x", w.cfg.AdminClientProps()); err == nil {
			_ = a.Close()
		}
	}
	out := logs.String()
	if n := strings.Count(out, "sarama has no such setting"); n != 1 ||
		!strings.Contains(out, "client=admin keys=\"[connections.max.idle.ms reconnect.backoff.ms]\"") {
		t.Fatalf("want one WARN naming connections.max.idle.ms and reconnect.backoff.ms, got %d:\n%s", n, out)
	}
	if strings.Contains(out, "does not support were ignored") {
		t.Fatalf("an admin client's build warns:\n%s", out)
	}
}

// A security setting sluice cannot honour fails the worker's start,
// naming the key and the client, never the value.
func TestWorkerClientKeysRefused(t *testing.T) {
	cases := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.client.callback.handler.class": "com.example.H",
			"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p-secret";`},
			"Kafka admin client settings (worker keys admin.*): configuration sasl.client.callback.handler.class is not supported"},
		{map[string]string{"producer.security.protocol": "SASL_SSL", "producer.sasl.mechanism": "SCRAM-SHA-512",
			"producer.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p-secret";`},
			"Kafka producer client settings (worker keys producer.*): invalid value for configuration sasl.jaas.config: login module"},
		{map[string]string{"consumer.security.protocol": "SSL", "consumer.ssl.truststore.location": "/does/not/exist"},
			"Kafka consumer client settings (worker keys consumer.*): TLS settings"},
		{map[string]string{"connector.client.config.override.policy": "Some"}, "connector.client.config.override.policy"},
	}
	for _, tc := range cases {
		all := map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"}
		maps.Copy(all, tc.props)
		_, err := ParseWorkerConfig(all, slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("error = %v, want %q", err, tc.want)
		}
		if strings.Contains(err.Error(), "p-secret") {
			t.Fatalf("the error shows the password: %v", err)
		}
	}
}

// The top-level ssl.* keys serve https listeners too: the Kafka clients that
// ignore them (PLAINTEXT) do not warn about them then.
func TestWorkerClientKeysHTTPSListener(t *testing.T) {
	_, logs := testWorker(t, map[string]string{"listeners": "https://127.0.0.1:0", "ssl.keystore.type": "PEM",
		"ssl.keystore.location": "/nowhere", "admin.ssl.truststore.location": "/nowhere"})
	out := logs.String()
	if strings.Contains(out, "keys=[ssl.keystore") || !strings.Contains(out, "keys=[admin.ssl.truststore.location]") {
		t.Fatalf("want a WARN for admin.ssl.truststore.location only:\n%s", out)
	}
}
