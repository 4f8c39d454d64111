package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/config/provider"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/redact"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// fileSecrets writes a properties file of secrets and returns its path and a
// transformer with the file and env providers.
func fileSecrets(t *testing.T, props string) (string, *provider.Transformer) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "secrets.properties")
	if err := os.WriteFile(f, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	tr, err := provider.NewTransformer(map[string]string{"config.providers": "file,env",
		"config.providers.file.class": "FileConfigProvider", "config.providers.env.class": "EnvVarConfigProvider"})
	if err != nil {
		t.Fatal(err)
	}
	return f, tr
}

// TestValidationNeverEchoesProviderValues reproduces the issue's
// ${file:/etc/shadow:root}: a value read through a provider into a key
// whose validator quotes the value came back resolved in the error.
func TestValidationNeverEchoesProviderValues(t *testing.T) {
	const shadow = "$6$rounds=5000$shadow-hash-1f3a9"
	const jaas = `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="jaas-pw-77c1";`
	f, tr := fileSecrets(t, "root="+strings.ReplaceAll(shadow, "$", `\u0024`)+"\n")
	t.Setenv("SLUICE_TEST_SECRET_VALIDATE", "env-secret-0b7e")
	tests := []struct {
		name      string
		cfg       map[string]string
		errorsOn  string // the key that must have an error
		shownAs   map[string]string
		badStatus bool // the whole request is refused
	}{
		{
			name:     "file value in tasks.max",
			cfg:      map[string]string{"connector.class": "FileStreamSource", "topic": "t", "tasks.max": "${file:" + f + ":root}"},
			errorsOn: "tasks.max",
			shownAs:  map[string]string{"tasks.max": "${file:" + f + ":root}"},
		},
		{
			name:     "env value in an enum and a literal JAAS line",
			cfg:      map[string]string{"connector.class": "FileStreamSource", "topic": "t", "errors.tolerance": "${env:SLUICE_TEST_SECRET_VALIDATE}", "consumer.override.sasl.jaas.config": jaas},
			errorsOn: "errors.tolerance",
			shownAs:  map[string]string{"consumer.override.sasl.jaas.config": "[hidden]"},
		},
		{
			name:      "file value as the connector class",
			cfg:       map[string]string{"connector.class": "${file:" + f + ":root}", "topic": "t"},
			badStatus: true,
		},
	}
	secrets := []string{shadow, "shadow-hash-1f3a9", "env-secret-0b7e", "jaas-pw-77c1"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			infos, _, err := ValidateConnectorConfig(builtin.Registry(), tr, tt.cfg)
			if tt.badStatus {
				if err == nil {
					t.Fatal("validation of an unknown class passed")
				}
				for _, s := range secrets {
					if strings.Contains(err.Error(), s) {
						t.Fatalf("error echoes the secret %q: %v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(infos)
			for _, s := range secrets {
				if strings.Contains(string(b), s) {
					t.Errorf("validation answer holds the secret %q:\n%s", s, b)
				}
			}
			found := false
			for _, c := range infos.Configs {
				if c.Value == nil {
					continue
				}
				if c.Value.Name == tt.errorsOn {
					found = len(c.Value.Errors) > 0
					if found && !strings.Contains(strings.Join(c.Value.Errors, " "), "[hidden]") {
						t.Errorf("error on %s does not show [hidden] where the value was: %v", tt.errorsOn, c.Value.Errors)
					}
				}
				if want, ok := tt.shownAs[c.Value.Name]; ok && (c.Value.Value == nil || *c.Value.Value != want) {
					t.Errorf("%s shown as %v, want %q", c.Value.Name, c.Value.Value, want)
				}
			}
			if !found {
				t.Errorf("no error on %s:\n%s", tt.errorsOn, b)
			}
		})
	}
}

// leakyConnector fails to start with an error that quotes its settings, as
// a careless connector might.
type leakyConnector struct{ secretConnector }

func (c *leakyConnector) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	return fmt.Errorf("cannot log in with %s / %s / %s", props["db.password"], props["db.url"], props["producer.override.sasl.jaas.config"])
}

// TestSecretsScrubbedFromTracesAndLogs: a connector whose error quotes a
// value from a provider, a PASSWORD value and a value of a secret-named key
// fails with those values [hidden] in its status trace and in every log
// line; the worker's own secret settings are hidden too.
func TestSecretsScrubbedFromTracesAndLogs(t *testing.T) {
	t.Setenv("SLUICE_TEST_SECRET_URL", "jdbc://db-host-9f2c/prod")
	reg := plugins.NewRegistry()
	reg.Register(plugins.Plugin{Class: "com.example.Leaky", Kind: plugins.Source, New: func() any { return &leakyConnector{} }})
	var logs bytes.Buffer
	wc, err := ParseWorkerConfig(map[string]string{
		"key.converter": "StringConverter", "value.converter": "StringConverter",
		"config.providers": "env", "config.providers.env.class": "EnvVarConfigProvider",
		"producer.ssl.truststore.password": "worker-trust-pw-51",
	}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	log := logging.Wrap(slog.New(slog.NewTextHandler(&logs, nil)), func(h slog.Handler) slog.Handler { return redact.NewHandler(h, wc.Secrets) })
	status := storage.NewMemoryStatus()
	w := NewWorker(wc, reg, storage.NewMemoryOffsets(), status, log)
	raw := map[string]string{"name": "c", "connector.class": "com.example.Leaky", "db.password": "db-pw-literal-3a",
		"db.url": "${env:SLUICE_TEST_SECRET_URL}", "producer.override.sasl.jaas.config": "jaas-line-77"}
	if err := w.StartConnector(context.Background(), "c", raw, herder.TargetStarted, func() {}); err == nil {
		t.Fatal("the connector started")
	}
	log.Info("a later line quoting the worker's secret", "v", "worker-trust-pw-51")
	st, ok := status.Connector("c")
	if !ok || st.State != herder.Failed {
		t.Fatalf("status %+v, want FAILED", st)
	}
	if want := "cannot log in with [hidden] / [hidden] / [hidden]"; !strings.Contains(st.Trace, want) {
		t.Errorf("trace %q, want it to hold %q", st.Trace, want)
	}
	for _, s := range []string{"db-pw-literal-3a", "db-host-9f2c", "jaas-line-77", "worker-trust-pw-51"} {
		if strings.Contains(logs.String(), s) || strings.Contains(st.Trace, s) {
			t.Errorf("secret %q leaked:\ntrace: %s\nlogs:\n%s", s, st.Trace, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "db.url=${env:SLUICE_TEST_SECRET_URL}") {
		t.Errorf("the start-up log should show the variable as submitted:\n%s", logs.String())
	}
}

// urlConnector keeps a password inside its db.url (as a JDBC URL can) and fails to start with an
// error quoting the URL.
type urlConnector struct{ leakyConnector }

func (c *urlConnector) EmbeddedSecrets(props map[string]string) []string {
	_, pw, _ := strings.Cut(props["db.url"], "password=")
	return []string{pw}
}

func (c *urlConnector) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	return fmt.Errorf("cannot connect to %s", props["db.url"])
}

// TestEmbeddedSecretsScrubbed: a secret a connectors.SecretHolder finds inside a value is hidden
// in the status trace, the log and the config/validate answer, the rest of the value shown.
func TestEmbeddedSecretsScrubbed(t *testing.T) {
	reg := plugins.NewRegistry()
	reg.Register(plugins.Plugin{Class: "com.example.URL", Kind: plugins.Source, New: func() any { return &urlConnector{} }})
	var logs bytes.Buffer
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"},
		slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	log := logging.Wrap(slog.New(slog.NewTextHandler(&logs, nil)), func(h slog.Handler) slog.Handler { return redact.NewHandler(h, wc.Secrets) })
	status := storage.NewMemoryStatus()
	w := NewWorker(wc, reg, storage.NewMemoryOffsets(), status, log)
	raw := map[string]string{"name": "c", "connector.class": "com.example.URL", "db.password": "unused-pw",
		"db.url": "jdbc:x://h/db?password=inside-pw-4711"}
	infos, _, err := w.ValidateConnectorConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	shown := ""
	for _, c := range infos.Configs {
		if c.Value != nil && c.Value.Name == "db.url" && c.Value.Value != nil {
			shown = *c.Value.Value
		}
	}
	if shown != "jdbc:x://h/db?password=[hidden]" {
		t.Errorf("validate shows db.url as %q", shown)
	}
	if err := w.StartConnector(context.Background(), "c", raw, herder.TargetStarted, func() {}); err == nil {
		t.Fatal("the connector started")
	}
	st, _ := status.Connector("c")
	if !strings.Contains(st.Trace, "cannot connect to jdbc:x://h/db?password=[hidden]") {
		t.Errorf("trace %q", st.Trace)
	}
	if strings.Contains(logs.String(), "inside-pw-4711") || strings.Contains(st.Trace, "inside-pw-4711") {
		t.Errorf("the password inside the URL leaked:\ntrace: %s\nlogs:\n%s", st.Trace, logs.String())
	}
}

// TestValidatePluginVersionsHideProviderValues: the plugin version keys
// (KIP-891) are checked with their provider variables resolved, as every
// other key, and no answer shows a value a provider gave: neither when the
// connector is not installed at the version asked for (only the common
// keys are validated then) nor in a converter version's error.
func TestValidatePluginVersionsHideProviderValues(t *testing.T) {
	reg := builtin.Registry()
	installed := reg.Versions("StringConverter", plugins.Converter)
	if len(installed) == 0 {
		t.Fatal("StringConverter has no version")
	}
	f, _ := fileSecrets(t, "root=shadow-5ec2e7\nver=9.9.9-secret-81aa\nok="+installed[0]+"\n")
	t.Setenv("SLUICE_TEST_SECRET_VERSIONS", "env-secret-4d0c")
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
		"config.providers": "file,env", "config.providers.file.class": "FileConfigProvider",
		"config.providers.env.class": "EnvVarConfigProvider"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(wc, reg, storage.NewMemoryOffsets(), storage.NewMemoryStatus(), slog.New(slog.DiscardHandler))
	file := func(key string) string { return "${file:" + f + ":" + key + "}" }
	src := func(kv ...string) map[string]string {
		m := map[string]string{"name": "v", "connector.class": "FileStreamSource", "topic": "t"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		cfg    map[string]string
		errors []string // the keys with errors, sorted
		shown  map[string]string
	}{
		{"connector not at the version: provider values in common keys",
			src("connector.plugin.version", "9.9.9", "tasks.max", file("root"), "errors.tolerance", "${env:SLUICE_TEST_SECRET_VERSIONS}"),
			[]string{"connector.class", "connector.plugin.version", "errors.tolerance", "tasks.max"},
			map[string]string{"tasks.max": file("root"), "errors.tolerance": "${env:SLUICE_TEST_SECRET_VERSIONS}"}},
		{"connector version from a provider", src("connector.plugin.version", file("ver")),
			[]string{"connector.class", "connector.plugin.version"}, map[string]string{"connector.plugin.version": file("ver")}},
		{"converter version from a provider, not installed", src("key.converter", "StringConverter", "key.converter.plugin.version", file("ver")),
			[]string{"key.converter", "key.converter.plugin.version"}, map[string]string{"key.converter.plugin.version": file("ver")}},
		{"converter version from a provider, installed", src("value.converter.plugin.version", file("ok")),
			nil, map[string]string{"value.converter.plugin.version": file("ok")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			infos, _, err := w.ValidateConnectorConfig(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(infos)
			for _, s := range []string{"shadow-5ec2e7", "secret-81aa", "env-secret-4d0c"} {
				if strings.Contains(string(b), s) {
					t.Errorf("the answer holds the secret %q:\n%s", s, b)
				}
			}
			var got []string
			n := 0
			for _, c := range infos.Configs {
				if c.Value == nil {
					continue
				}
				if len(c.Value.Errors) > 0 {
					got = append(got, c.Value.Name)
					n += len(c.Value.Errors)
				}
				if want, ok := tc.shown[c.Value.Name]; ok && (c.Value.Value == nil || *c.Value.Value != want) {
					t.Errorf("%s shown as %v, want %q", c.Value.Name, c.Value.Value, want)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.errors) || n != infos.ErrorCount {
				t.Errorf("errors on %q (%d, error_count %d), want on %q:\n%s", got, n, infos.ErrorCount, tc.errors, b)
			}
		})
	}
}
