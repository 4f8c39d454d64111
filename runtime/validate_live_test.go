package runtime

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/storage"
)

// liveConnector checks its password against an "external system" and counts the checks.
type liveConnector struct {
	secretConnector
	calls *atomic.Int32
}

func (c *liveConnector) ValidateLive(ctx context.Context, props map[string]string) []config.Result {
	c.calls.Add(1)
	if ctx.Err() != nil || props["db.password"] != "right" {
		return []config.Result{{Name: "db.password", Errors: []string{"access denied with password " + props["db.password"]}},
			{Name: "db.table", Errors: []string{"no table t"}}}
	}
	return []config.Result{{Name: "db.password"}}
}

// TestValidateLive: the config/validate path adds a LiveValidator's errors (scrubbed of the
// secret), only when the static checks pass; creating or updating a connector never runs them.
func TestValidateLive(t *testing.T) {
	calls := &atomic.Int32{}
	reg := plugins.NewRegistry()
	reg.Register(plugins.Plugin{Class: "com.example.Live", Kind: plugins.Source, New: func() any { return &liveConnector{calls: calls} }})
	log := slog.New(slog.DiscardHandler)
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"}, log)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(wc, reg, storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
	cfg := map[string]string{"name": "c", "connector.class": "com.example.Live", "db.password": "wrong-pw-93"}

	infos, err := w.ValidateConnectorConfigLive(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]string{}
	for _, c := range infos.Configs {
		if c.Value != nil && len(c.Value.Errors) > 0 {
			errs[c.Value.Name] = strings.Join(c.Value.Errors, "; ")
		}
	}
	if infos.ErrorCount != 2 || errs["db.password"] != "access denied with password [hidden]" || errs["db.table"] != "no table t" {
		t.Fatalf("error_count %d, errors %q", infos.ErrorCount, errs)
	}
	if _, err := w.CheckConnectorConfig("c", cfg); err != nil {
		t.Fatalf("creating the connector ran the live checks: %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d live checks, want 1 (config/validate only)", calls.Load())
	}
	cfg["db.password"] = "right"
	if infos, err := w.ValidateConnectorConfigLive(context.Background(), cfg); err != nil || infos.ErrorCount != 0 {
		t.Fatalf("a good configuration: %v, %d errors", err, infos.ErrorCount)
	}
	// A configuration with static errors is not checked against the external system.
	delete(cfg, "db.password")
	if infos, err := w.ValidateConnectorConfigLive(context.Background(), cfg); err != nil || infos.ErrorCount != 1 || calls.Load() != 2 {
		t.Fatalf("missing password: %v, %d errors, %d live checks", err, infos.ErrorCount, calls.Load())
	}
}
