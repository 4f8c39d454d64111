package builtin

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/plugins"
)

const (
	sourceClass = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	sinkClass   = "org.apache.kafka.connect.file.FileStreamSinkConnector"
)

func TestLookupByClassSimpleNameAndAlias(t *testing.T) {
	r := Registry()
	for _, name := range []string{
		"org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSourceConnector", "FileStreamSource", " FileStreamSource ",
		"io.confluent.kafka.connect.datagen.DatagenConnector", "DatagenConnector", "Datagen",
	} {
		c, p, err := r.NewConnector(name)
		if err != nil || c == nil || p.Kind != plugins.Source {
			t.Errorf("NewConnector(%q) = %v, %+v, %v", name, c, p, err)
		}
	}
	for _, name := range []string{"org.apache.kafka.connect.json.JsonConverter", "JsonConverter", "Json", "StringConverter", "String", "ByteArray"} {
		if _, err := r.NewConverter(name); err != nil {
			t.Errorf("NewConverter(%q): %v", name, err)
		}
	}
	// Converters that convert headers too are header converters, as in Kafka Connect.
	for _, name := range []string{"SimpleHeaderConverter", "JsonConverter", "StringConverter"} {
		if _, err := r.NewHeaderConverter(name); err != nil {
			t.Errorf("NewHeaderConverter(%q): %v", name, err)
		}
	}
}

func TestLookupUnknownListsAvailable(t *testing.T) {
	r := Registry()
	_, _, err := r.NewConnector("com.example.Missing")
	if err == nil {
		t.Fatal("unknown class found")
	}
	for _, want := range []string{"com.example.Missing", sourceClass, sinkClass} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := r.NewConverter("FileStreamSource"); err == nil {
		t.Error("a connector was found as a converter")
	}
}

func TestVersionFromInstance(t *testing.T) {
	r := Registry()
	// The built-in connectors report their version through Version(), the
	// converters through Plugin.Version.
	for _, name := range []string{"FileStreamSource", "JsonConverter", "SimpleHeaderConverter", "org.apache.kafka.connect.transforms.InsertField$Value"} {
		p, err := r.Lookup(name, plugins.Source, plugins.Converter, plugins.HeaderConverter, plugins.Transformation)
		if err != nil || p.Version == "" {
			t.Errorf("Lookup(%q) = version %q, %v", name, p.Version, err)
		}
	}
}

// TestEveryBuiltinHasAVersion: every built-in plugin has a version, which
// GET /connector-plugins shows and the plugin version keys match.
func TestEveryBuiltinHasAVersion(t *testing.T) {
	for _, p := range Registry().Plugins() {
		if p.Version == "" {
			t.Errorf("%s (%s) has no version", p.Class, p.Kind)
		}
	}
}
