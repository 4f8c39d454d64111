package runtime

import (
	"context"
	"slices"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/schemas/simple"
)

// versionedSource is a source connector that may report a version.
type versionedSource struct{ version string }

func (*versionedSource) Config() *config.Def { return config.NewDef() }
func (*versionedSource) Start(context.Context, connectors.ConnectorContext, map[string]string) error {
	return nil
}
func (*versionedSource) TaskConfigs(int) ([]map[string]string, error) { return nil, nil }
func (*versionedSource) Stop(context.Context) error                   { return nil }
func (*versionedSource) NewTask() connectors.SourceTask               { return nil }

type reportsVersion struct{ versionedSource }

func (r *reportsVersion) Version() string {
	if r.version == "panic" {
		panic("no version")
	}
	return r.version
}

// versionedConverter is a converter (and header converter) that reports
// its version.
type versionedConverter struct{ *simple.StringConverter }

func (versionedConverter) Version() string { return "3.1.4" }

// TestPluginInfosVersion: GET /connector-plugins reports the version a
// plugin's instances report (connectors.Versioned), for connectors and
// converters alike, and plugins.Plugin.Version when they report none.
func TestPluginInfosVersion(t *testing.T) {
	reg := plugins.NewRegistry()
	reg.Register(plugins.Plugin{Class: "x.Versioned", Kind: plugins.Source, Version: "0.0.1",
		New: func() any { return &reportsVersion{versionedSource{"2.1.0"}} }})
	reg.Register(plugins.Plugin{Class: "x.Plain", Kind: plugins.Source, Version: "0.0.2",
		New: func() any { return &versionedSource{} }})
	reg.Register(plugins.Plugin{Class: "x.Empty", Kind: plugins.Source, Version: "0.0.3",
		New: func() any { return &reportsVersion{versionedSource{""}} }})
	reg.Register(plugins.Plugin{Class: "x.Panics", Kind: plugins.Source, Version: "0.0.4",
		New: func() any { return &reportsVersion{versionedSource{"panic"}} }})
	reg.Register(plugins.Plugin{Class: "x.Conv", Kind: plugins.Converter, Version: "0.0.5",
		New: func() any { return versionedConverter{simple.NewStringConverter()} }})
	want := map[herder.PluginInfo]bool{
		{Class: "x.Versioned", Type: "source", Version: "2.1.0"}:      true,
		{Class: "x.Plain", Type: "source", Version: "0.0.2"}:          true,
		{Class: "x.Empty", Type: "source", Version: "0.0.3"}:          true,
		{Class: "x.Panics", Type: "source", Version: "0.0.4"}:         true,
		{Class: "x.Conv", Type: "converter", Version: "3.1.4"}:        true,
		{Class: "x.Conv", Type: "header_converter", Version: "3.1.4"}: true,
	}
	got := PluginInfos(reg, false)
	if len(got) != len(want) {
		t.Fatalf("PluginInfos = %+v, want %d entries", got, len(want))
	}
	for _, p := range got {
		if !want[p] {
			t.Errorf("unexpected %+v", p)
		}
	}
	only := PluginInfos(reg, true)
	if len(only) != 4 || !slices.Contains(only, herder.PluginInfo{Class: "x.Versioned", Type: "source", Version: "2.1.0"}) {
		t.Errorf("connectors only: %+v", only)
	}
}
