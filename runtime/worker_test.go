package runtime

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// secretConnector is a source connector with a PASSWORD key; it records
// the configuration it was started with and copies the password into its
// task configuration, as connectors do.
type secretConnector struct{ started map[string]string }

func (c *secretConnector) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "db.password", Type: config.Password, Default: config.NoDefault, Importance: config.High})
}
func (c *secretConnector) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	c.started = props
	return nil
}
func (c *secretConnector) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{{"db.password": c.started["db.password"]}}, nil
}
func (c *secretConnector) Stop(context.Context) error     { return nil }
func (c *secretConnector) NewTask() connectors.SourceTask { return nil }

// TestSecretsResolvedAtStartNeverShown: a config provider variable is
// resolved for the connector, put back in its task configurations, and a
// PASSWORD value is [hidden] in the start-up log.
func TestSecretsResolvedAtStartNeverShown(t *testing.T) {
	t.Setenv("SLUICE_TEST_SECRET", "s3cr3t")
	conn := &secretConnector{}
	reg := plugins.NewRegistry()
	reg.Register(plugins.Plugin{Class: "com.example.SecretSource", Kind: plugins.Source, New: func() any { return conn }})
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	wc, err := ParseWorkerConfig(map[string]string{
		"key.converter": "StringConverter", "value.converter": "StringConverter",
		"config.providers": "env", "config.providers.env.class": "EnvVarConfigProvider",
	}, log)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(wc, reg, storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
	raw := map[string]string{"name": "c", "connector.class": "com.example.SecretSource", "db.password": "${env:SLUICE_TEST_SECRET}"}
	if err := w.StartConnector(context.Background(), "c", raw, herder.TargetStarted, func() {}); err != nil {
		t.Fatal(err)
	}
	if conn.started["db.password"] != "s3cr3t" {
		t.Fatalf("connector started with %q, want the resolved secret", conn.started["db.password"])
	}
	tasks, err := w.TaskConfigs("c")
	if err != nil {
		t.Fatal(err)
	}
	if tasks[0]["db.password"] != "${env:SLUICE_TEST_SECRET}" {
		t.Fatalf("task config holds %q, want the variable back", tasks[0]["db.password"])
	}
	if strings.Contains(logs.String(), "s3cr3t") || !strings.Contains(logs.String(), "db.password=[hidden]") {
		t.Fatalf("start-up log must hide the password:\n%s", logs.String())
	}

	// A variable that cannot be resolved fails the connector, naming the
	// key and the cause.
	raw["db.password"] = "${env:SLUICE_TEST_MISSING}"
	err = w.StartConnector(context.Background(), "d", raw, herder.TargetStarted, func() {})
	if err == nil || !strings.Contains(err.Error(), `"db.password"`) || !strings.Contains(err.Error(), "SLUICE_TEST_MISSING is not set") {
		t.Fatalf("unresolvable variable: %v", err)
	}
}

// loggingConnector is a source connector that logs (connectors.Logging).
type loggingConnector struct {
	secretConnector
	log *slog.Logger
}

func (c *loggingConnector) SetLogger(log *slog.Logger) { c.log = log }

// TestConnectorsThatLogGetTheirLogger: a connector that implements
// connectors.Logging is given, before Start, a logger named after its
// class and naming the connector.
func TestConnectorsThatLogGetTheirLogger(t *testing.T) {
	conn := &loggingConnector{}
	reg := plugins.NewRegistry()
	reg.Register(plugins.Plugin{Class: "com.example.LoggingSource", Kind: plugins.Source, New: func() any { return conn }})
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"}, log)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(wc, reg, storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
	raw := map[string]string{"name": "lc", "connector.class": "com.example.LoggingSource", "db.password": "x"}
	if err := w.StartConnector(context.Background(), "lc", raw, herder.TargetStarted, func() {}); err != nil {
		t.Fatal(err)
	}
	if conn.log == nil {
		t.Fatal("the connector was given no logger")
	}
	logs.Reset()
	conn.log.Warn("hello")
	if line := logs.String(); !strings.Contains(line, "logger=com.example.LoggingSource") || !strings.Contains(line, "connector=lc") {
		t.Fatalf("the connector logs %q, want its class as the logger and its name", line)
	}
}
