package runtime

import (
	"context"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/simple"
	"github.com/sluicehq/sluice/transforms"
)

// twoVersionsOfFilter is the built-in registry plus a second version of
// the Filter transformation and of the RecordIsTombstone predicate, each
// instance telling its version.
func twoVersionsOfFilter(t *testing.T) *plugins.Registry {
	t.Helper()
	reg := builtin.Registry()
	for _, b := range transforms.Builtins() {
		switch b.Class {
		case "org.apache.kafka.connect.transforms.Filter":
			if err := reg.Add(plugins.Plugin{Class: b.Class, Kind: plugins.Transformation, Version: "9.0.0", New: func() any { return b.NewTransformation() }}); err != nil {
				t.Fatal(err)
			}
		case "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone":
			if err := reg.Add(plugins.Plugin{Class: b.Class, Kind: plugins.Predicate, Version: "9.0.0", New: func() any { return b.NewPredicate() }}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return reg
}

// TestTransformAndPredicateVersions: transforms.<a>.plugin.version and
// predicates.<p>.plugin.version pick the version that runs; validate
// defines them as Kafka Connect 4.4 does (order 1 after the type, the
// latest version as default) and names the installed versions when none
// satisfies the key.
func TestTransformAndPredicateVersions(t *testing.T) {
	reg := twoVersionsOfFilter(t)
	base := map[string]string{"name": "c", "connector.class": "FileStreamSink", "topics": "t",
		"transforms": "f", "transforms.f.type": "Filter", "transforms.f.predicate": "p",
		"predicates": "p", "predicates.p.type": "RecordIsTombstone"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name                    string
		props                   map[string]string
		wantFilter, wantPredict string
	}{
		{"latest", with(), "9.0.0", "9.0.0"},
		{"pinned", with("transforms.f.plugin.version", transforms.Version, "predicates.p.plugin.version", "["+transforms.Version+"]"), transforms.Version, transforms.Version},
		{"range", with("transforms.f.plugin.version", "[1.0,)", "predicates.p.plugin.version", "(,1.0)"), "9.0.0", transforms.Version},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := buildChain(reg, tc.props)
			if err != nil {
				t.Fatal(err)
			}
			defer c.close()
			if len(c.stages) != 1 || c.stages[0].pred == nil {
				t.Fatalf("chain %+v", c.stages)
			}
			if s := c.stages[0]; s.version != tc.wantFilter || s.predVer != tc.wantPredict {
				t.Errorf("chain runs Filter %s and RecordIsTombstone %s; want %s and %s", s.version, s.predVer, tc.wantFilter, tc.wantPredict)
			}
		})
	}

	missing := with("transforms.f.plugin.version", "[2.0,3.0)")
	_, err := buildChain(reg, missing)
	want := "transforms.f.plugin.version: Plugin org.apache.kafka.connect.transforms.Filter not found that matches the version range [2.0,3.0), available versions: [" + transforms.Version + ", 9.0.0]"
	if err == nil || err.Error() != want {
		t.Errorf("buildChain with an unsatisfiable version: %v; want %q", err, want)
	}

	infos, _, err := ValidateConnectorConfig(reg, nil, missing)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range infos.Configs {
		if c.Value == nil || c.Definition == nil {
			continue
		}
		switch c.Value.Name {
		case "transforms.f.plugin.version":
			if c.Definition.OrderInGroup != 1 || *c.Definition.Group != "Transforms: f" || c.Definition.DefaultValue == nil || *c.Definition.DefaultValue != "9.0.0" ||
				c.Definition.DisplayName != "Transformation version for f" || len(c.Value.Errors) != 1 || !strings.Contains(c.Value.Errors[0], "available versions: [") {
				t.Errorf("transforms.f.plugin.version: %+v %+v", *c.Definition, *c.Value)
			}
		case "predicates.p.plugin.version":
			if c.Definition.OrderInGroup != 1 || c.Definition.DefaultValue == nil || *c.Definition.DefaultValue != "9.0.0" || len(c.Value.Errors) != 0 {
				t.Errorf("predicates.p.plugin.version: %+v %+v", *c.Definition, *c.Value)
			}
		case "transforms.f.negate":
			if c.Definition.OrderInGroup < 2 {
				t.Errorf("transforms.f.negate order %d, want after type and version", c.Definition.OrderInGroup)
			}
		}
	}
	if infos.ErrorCount != 1 {
		t.Errorf("error count %d, want 1", infos.ErrorCount)
	}
}

// taggedConverter is a converter that says which version it is and what
// it was configured with.
type taggedConverter struct {
	schemas.Converter
	version string
	props   map[string]string
}

func (c *taggedConverter) Configure(props map[string]string, isKey bool) error {
	c.props = props
	return c.Converter.Configure(props, isKey)
}

// TestConverterVersions: the converter version keys pick the version a
// task's converters run, the connector's key for its own converter and
// for the worker's, else the worker's key; the version key is not passed
// to the converter; a version none installed has is an error naming the
// version key.
func TestConverterVersions(t *testing.T) {
	const class = "com.example.TaggedConverter"
	reg := builtin.Registry()
	for _, v := range []string{"1.0.0", "2.0.0"} {
		reg.Register(plugins.Plugin{Class: class, Kind: plugins.Converter, Version: v, New: func() any {
			return &taggedConverter{Converter: simple.NewStringConverter(), version: v}
		}})
	}
	for _, tc := range []struct {
		name              string
		worker, connector map[string]string
		wantKey, wantVal  string
		err               string
	}{
		{name: "latest", worker: map[string]string{}, connector: map[string]string{"key.converter": class}, wantKey: "2.0.0", wantVal: "2.0.0"},
		{name: "connector pins its own", worker: map[string]string{}, connector: map[string]string{"key.converter": class, "key.converter.plugin.version": "1.0.0"}, wantKey: "1.0.0", wantVal: "2.0.0"},
		{name: "worker pins its own", worker: map[string]string{"value.converter.plugin.version": "[1.0,2.0)"}, connector: map[string]string{}, wantKey: "2.0.0", wantVal: "1.0.0"},
		{name: "connector pins the worker's", worker: map[string]string{"value.converter.plugin.version": "2.0.0"}, connector: map[string]string{"value.converter.plugin.version": "1.0.0"}, wantKey: "2.0.0", wantVal: "1.0.0"},
		{name: "none satisfies", worker: map[string]string{}, connector: map[string]string{"key.converter": class, "key.converter.plugin.version": "[3.0,)"},
			err: "key.converter.plugin.version: Plugin " + class + " not found that matches the version range [3.0,), available versions: [1.0.0, 2.0.0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{"key.converter": class, "value.converter": class}
			maps.Copy(props, tc.worker)
			wc, err := ParseWorkerConfig(props, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			w := NewWorker(wc, reg, storage.NewMemoryOffsets(), storage.NewMemoryStatus(), slog.New(slog.DiscardHandler))
			c, err := w.converters(tc.connector)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("converters: %v; want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k, v := c.key.(*taggedConverter), c.value.(*taggedConverter)
			if k.version != tc.wantKey || v.version != tc.wantVal {
				t.Errorf("key converter %s, value converter %s; want %s, %s", k.version, v.version, tc.wantKey, tc.wantVal)
			}
			for _, conv := range []*taggedConverter{k, v} {
				if _, ok := conv.props["plugin.version"]; ok {
					t.Errorf("the converter was configured with its version key: %v", conv.props)
				}
			}
		})
	}
}

// TestConnectorVersionFromProvider: connector.plugin.version given as a
// config provider variable is read resolved when the connector runs, as
// config/validate reads it (and Kafka Connect, which transforms the whole
// configuration): a configuration validate accepts starts, at the version
// it names, and its status says that version.
func TestConnectorVersionFromProvider(t *testing.T) {
	t.Setenv("SLUICE_TEST_PLUGIN_VERSION", "[1.0,2.0)")
	reg := plugins.NewRegistry()
	for _, v := range []string{"1.5.0", "2.1.0"} {
		reg.Register(plugins.Plugin{Class: "com.example.Counting", Kind: plugins.Source, Version: v,
			New: func() any { return &countingConnector{generate: func(int) int { return 1 }} }})
	}
	log := slog.New(slog.DiscardHandler)
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
		"config.providers": "env", "config.providers.env.class": "EnvVarConfigProvider"}, log)
	if err != nil {
		t.Fatal(err)
	}
	status := storage.NewMemoryStatus()
	w := NewWorker(wc, reg, storage.NewMemoryOffsets(), status, log)
	raw := map[string]string{"name": "c", "connector.class": "com.example.Counting", "tasks.max": "1",
		"connector.plugin.version": "${env:SLUICE_TEST_PLUGIN_VERSION}"}
	infos, _, err := w.ValidateConnectorConfig(raw)
	if err != nil || infos.ErrorCount != 0 {
		t.Fatalf("validate: %v, %d errors: %+v", err, infos.ErrorCount, infos.Configs)
	}
	if err := w.StartConnector(t.Context(), "c", raw, herder.TargetStarted, func() {}); err != nil {
		t.Fatalf("StartConnector: %v", err)
	}
	t.Cleanup(func() { w.StopConnector(context.Background(), "c") })
	if st, _ := status.Connector("c"); st.Version != "1.5.0" {
		t.Fatalf("connector status %+v, want version 1.5.0", st)
	}
}
