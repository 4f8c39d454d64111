package runtime

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The worker's own configuration resolves its config providers' variables,
// as Kafka's AbstractConfig does, and what they give counts as a secret; a
// variable that cannot be resolved stops start-up naming the key, never a
// value.
func TestWorkerConfigResolvesProviders(t *testing.T) {
	dir := t.TempDir()
	jaas := `org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="s3cr3t-from-file";`
	secrets := filepath.Join(dir, "kafka.properties")
	if err := os.WriteFile(secrets, []byte("jaas="+strings.ReplaceAll(jaas, `"`, `\"`)+"\nuser=connect\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SLUICE_TEST_TRUSTSTORE_PASSWORD", "pw-from-env-42")
	base := map[string]string{
		"config.providers":                          "file,env",
		"config.providers.file.class":               "org.apache.kafka.common.config.provider.FileConfigProvider",
		"config.providers.file.param.allowed.paths": dir,
		"config.providers.env.class":                "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
		"security.protocol":                         "SASL_SSL",
		"sasl.mechanism":                            "SCRAM-SHA-512",
		"sasl.jaas.config":                          "${file:" + secrets + ":jaas}",
		"producer.ssl.truststore.password":          "${env:SLUICE_TEST_TRUSTSTORE_PASSWORD}",
		"client.id":                                 "connect-${file:" + secrets + ":user}",
	}
	wc, err := parseRest(t, base)
	if err != nil {
		t.Fatal(err)
	}
	if got := wc.ClientProps["sasl.jaas.config"]; got != jaas {
		t.Errorf("sasl.jaas.config = %q, want the file's value", got)
	}
	if got := wc.ProducerProps["ssl.truststore.password"]; got != "pw-from-env-42" {
		t.Errorf("producer.ssl.truststore.password = %q, want the environment's value", got)
	}
	if wc.ClientID != "connect-connect" {
		t.Errorf("client.id = %q, want connect-connect", wc.ClientID)
	}
	scrubbed := wc.Secrets.String("jaas " + jaas + " env pw-from-env-42")
	if strings.Contains(scrubbed, "s3cr3t-from-file") || strings.Contains(scrubbed, "pw-from-env-42") {
		t.Errorf("the worker's secrets do not scrub the provider values: %q", scrubbed)
	}

	base["sasl.jaas.config"] = "${file:" + secrets + ":missing}"
	_, err = parseRest(t, base)
	if err == nil || !strings.Contains(err.Error(), "sasl.jaas.config") {
		t.Fatalf("an unresolvable variable: err %v, want an error naming sasl.jaas.config", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %q holds a value of the file", err)
	}
}

// An error about a worker setting whose value came from a provider does not
// give the value away, nor does a log line written while parsing.
func TestWorkerConfigErrorsHideProviderValues(t *testing.T) {
	const value = "TopSecretValue-7f3a"
	t.Setenv("SLUICE_TEST_WORKER_SECRET", value)
	for _, key := range []string{"offset.flush.interval.ms", "ssl.client.auth", "listeners", "plugin.path"} {
		t.Run(key, func(t *testing.T) {
			var log strings.Builder
			_, err := ParseWorkerConfig(map[string]string{
				"key.converter": "StringConverter", "value.converter": "StringConverter",
				"config.providers":           "env",
				"config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
				key:                          "${env:SLUICE_TEST_WORKER_SECRET}",
			}, slog.New(slog.NewTextHandler(&log, nil)))
			if key != "plugin.path" && err == nil {
				t.Fatal("no error")
			}
			if err != nil && strings.Contains(err.Error(), value) {
				t.Errorf("the error shows the provider's value: %v", err)
			}
			if strings.Contains(log.String(), value) {
				t.Errorf("the log shows the provider's value: %s", log.String())
			}
		})
	}
}
