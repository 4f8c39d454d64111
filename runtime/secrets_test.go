package runtime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/config/provider"
	"github.com/sluicehq/sluice/plugins"
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
			infos, _, err := ValidateConnectorConfig(plugins.Builtin(), tr, tt.cfg)
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
