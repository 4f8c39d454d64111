package runtime

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
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

// TestConverterPluginConfig: GET /connector-plugins/{converter}/config
// shows each built-in converter's config.Def: types, defaults, docs,
// secrets hidden.
func TestConverterPluginConfig(t *testing.T) {
	reg := builtin.Registry()
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		plugin string
		n      int // the number of keys; -1: at least the ones checked
		want   map[string]config.KeyInfo
	}{
		{"JsonConverter", 6, map[string]config.KeyInfo{
			"schemas.enable": {Type: "BOOLEAN", DefaultValue: str("true"), Importance: "HIGH"},
			"schema.content": {Type: "STRING", Importance: "HIGH"},
			"decimal.format": {Type: "STRING", DefaultValue: str("BASE64"), Importance: "LOW"},
		}},
		{"io.confluent.connect.avro.AvroConverter", -1, map[string]config.KeyInfo{
			"schema.registry.url":                     {Type: "LIST", Required: true, Importance: "HIGH"},
			"bearer.auth.credentials.source":          {Type: "STRING", DefaultValue: str("STATIC_TOKEN"), Importance: "MEDIUM"},
			"bearer.auth.token":                       {Type: "PASSWORD", Importance: "MEDIUM"},
			"basic.auth.credentials.source":           {Type: "STRING", DefaultValue: str("URL"), Importance: "MEDIUM"},
			"basic.auth.user.info":                    {Type: "PASSWORD", Importance: "MEDIUM"},
			"latest.cache.ttl.sec":                    {Type: "LONG", DefaultValue: str("-1"), Importance: "LOW"},
			"value.subject.name.strategy":             {Type: "CLASS", DefaultValue: str("io.confluent.kafka.serializers.subject.TopicNameStrategy"), Importance: "MEDIUM"},
			"schema.registry.ssl.truststore.password": {Type: "PASSWORD", Importance: "LOW"},
			"schema.registry.ssl.enabled.protocols":   {Type: "LIST", DefaultValue: str("TLSv1.2,TLSv1.3"), Importance: "LOW"},
		}},
		{"StringConverter", 2, map[string]config.KeyInfo{
			"converter.encoding": {Type: "STRING", DefaultValue: str("UTF-8"), Importance: "HIGH"},
		}},
		{"ByteArrayConverter", 1, nil},
		{"org.apache.kafka.connect.converters.LongConverter", 1, nil},
		{"Boolean", 1, nil},
		{"SimpleHeaderConverter", 0, nil},
	} {
		t.Run(tc.plugin, func(t *testing.T) {
			infos, err := PluginConfig(reg, tc.plugin)
			if err != nil {
				t.Fatal(err)
			}
			if tc.n >= 0 && len(infos) != tc.n {
				t.Errorf("%d keys, want %d: %+v", len(infos), tc.n, infos)
			}
			got := map[string]config.KeyInfo{}
			for _, k := range infos {
				if k.Documentation == "" {
					t.Errorf("%s has no documentation", k.Name)
				}
				got[k.Name] = k
			}
			for name, w := range tc.want {
				g, ok := got[name]
				if !ok {
					t.Errorf("%s is not described", name)
					continue
				}
				if g.Type != w.Type || g.Required != w.Required || g.Importance != w.Importance ||
					(g.DefaultValue == nil) != (w.DefaultValue == nil) || (w.DefaultValue != nil && *g.DefaultValue != *w.DefaultValue) {
					t.Errorf("%s = %s %v default %v %s, want %s %v default %v %s", name, g.Type, g.Required, deref(g.DefaultValue), g.Importance,
						w.Type, w.Required, deref(w.DefaultValue), w.Importance)
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

// The classes Kafka Connect 4.4 lists under org.apache.kafka.connect.converters
// besides ByteArrayConverter, each a converter and a header converter.
var numericConverters = []string{
	"org.apache.kafka.connect.converters.BooleanConverter",
	"org.apache.kafka.connect.converters.DoubleConverter",
	"org.apache.kafka.connect.converters.FloatConverter",
	"org.apache.kafka.connect.converters.IntegerConverter",
	"org.apache.kafka.connect.converters.LongConverter",
	"org.apache.kafka.connect.converters.ShortConverter",
}

// TestBuiltinNumericConverters: GET /connector-plugins?connectorsOnly=false
// lists the numeric converters and BooleanConverter as converter and as
// header_converter, and the registry finds them by class, simple name and
// alias (LongConverter, Long), as key/value and as header converters.
func TestBuiltinNumericConverters(t *testing.T) {
	reg := builtin.Registry()
	infos := PluginInfos(reg, false)
	for _, class := range numericConverters {
		for _, typ := range []string{"converter", "header_converter"} {
			if !slices.ContainsFunc(infos, func(p herder.PluginInfo) bool { return p.Class == class && p.Type == typ }) {
				t.Errorf("%s is not listed as %s", class, typ)
			}
		}
		simpleName := class[len("org.apache.kafka.connect.converters."):]
		for _, name := range []string{class, simpleName, simpleName[:len(simpleName)-len("Converter")]} {
			if _, err := reg.NewConverter(name); err != nil {
				t.Errorf("NewConverter(%s): %v", name, err)
			}
			if _, err := reg.NewHeaderConverter(name); err != nil {
				t.Errorf("NewHeaderConverter(%s): %v", name, err)
			}
		}
	}
}

// TestValidateRecommendsConverters: validate's key.converter and
// value.converter entries recommend every installed converter, and
// header.converter every header converter (converters that convert headers
// included), sorted, as Kafka Connect 4.4.0's answer shows them
// (api/testdata/kc-4.4.0/validate-source-valid.json), with sluice's
// AvroConverter, which that worker did not have, among the converters.
func TestValidateRecommendsConverters(t *testing.T) {
	b, err := os.ReadFile("../api/testdata/kc-4.4.0/validate-source-valid.json")
	if err != nil {
		t.Fatal(err)
	}
	var java herder.ConfigInfos
	if err := json.Unmarshal(b, &java); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, c := range java.Configs {
		switch name := c.Value.Name; name {
		case "key.converter", "value.converter":
			want[name] = append([]string{"io.confluent.connect.avro.AvroConverter"}, c.Value.RecommendedValues...)
		case "header.converter":
			want[name] = c.Value.RecommendedValues
		}
	}
	if len(want) != 3 || !slices.Contains(want["header.converter"], "org.apache.kafka.connect.converters.LongConverter") {
		t.Fatalf("the capture lacks the converter keys: %v", want)
	}
	infos, _, err := ValidateConnectorConfig(builtin.Registry(), nil, map[string]string{
		"name": "c", "connector.class": "FileStreamSource", "topic": "t", "key.converter": "LongConverter"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		if w, ok := want[c.Value.Name]; ok {
			if !slices.Equal(c.Value.RecommendedValues, w) {
				t.Errorf("%s recommended_values = %q, want %q", c.Value.Name, c.Value.RecommendedValues, w)
			}
			if len(c.Value.Errors) != 0 {
				t.Errorf("%s errors = %q", c.Value.Name, c.Value.Errors)
			}
			delete(want, c.Value.Name)
		}
	}
	if len(want) != 0 {
		t.Errorf("no entries for %v", want)
	}
}

// TestConverterTypeAsKafkaConnect: the converters whose Java config extends
// ConverterConfig list converter.type first, defined as Kafka Connect
// 4.4.0 answers it for IntegerConverter and JsonConverter
// (api/testdata/kc-4.4.0/plugin-config-*.json); SimpleHeaderConverter and
// AvroConverter, whose Java configs do not, have none.
func TestConverterTypeAsKafkaConnect(t *testing.T) {
	// asMap renders a key's definition as JSON fields, the order field
	// under one name whichever Kafka Connect version's name it has.
	asMap := func(v any) map[string]any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if o, ok := m["order_in_group"]; ok {
			m["order"] = o
			delete(m, "order_in_group")
		}
		return m
	}
	var want []map[string]any
	for _, f := range []string{"plugin-config-IntegerConverter.json", "plugin-config-JsonConverter.json"} {
		b, err := os.ReadFile("../api/testdata/kc-4.4.0/" + f)
		if err != nil {
			t.Fatal(err)
		}
		var keys []map[string]any
		if err := json.Unmarshal(b, &keys); err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 || keys[0]["name"] != "converter.type" {
			t.Fatalf("%s does not start with converter.type", f)
		}
		want = append(want, asMap(keys[0]))
	}
	if !reflect.DeepEqual(want[0], want[1]) {
		t.Fatalf("the captures differ: %v", want)
	}
	reg := builtin.Registry()
	for _, class := range append([]string{"JsonConverter", "StringConverter", "ByteArrayConverter"}, numericConverters...) {
		infos, err := PluginConfig(reg, class)
		if err != nil {
			t.Fatal(err)
		}
		if len(infos) == 0 || !reflect.DeepEqual(asMap(infos[0]), want[0]) {
			t.Errorf("%s: first key %+v, want %v", class, infos, want[0])
		}
	}
	for _, class := range []string{"SimpleHeaderConverter", "AvroConverter"} {
		infos, err := PluginConfig(reg, class)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range infos {
			if k.Name == "converter.type" {
				t.Errorf("%s defines converter.type", class)
			}
		}
	}
}
