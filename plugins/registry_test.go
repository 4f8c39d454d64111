package plugins

import (
	"strings"
	"testing"
)

func TestLookupByClassSimpleNameAndAlias(t *testing.T) {
	r := Builtin()
	for _, name := range []string{
		"org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSourceConnector", "FileStreamSource", " FileStreamSource ",
		"io.confluent.kafka.connect.datagen.DatagenConnector", "DatagenConnector", "Datagen",
	} {
		c, p, err := r.NewConnector(name)
		if err != nil || c == nil || p.Kind != Source {
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
	r := Builtin()
	_, _, err := r.NewConnector("com.example.Missing")
	if err == nil {
		t.Fatal("unknown class found")
	}
	for _, want := range []string{"com.example.Missing", SourceClassForTest, SinkClassForTest} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := r.NewConverter("FileStreamSource"); err == nil {
		t.Error("a connector was found as a converter")
	}
}

func TestAmbiguousAlias(t *testing.T) {
	r := NewRegistry()
	r.Register(Plugin{Class: "a.FooConnector", Kind: Source, New: func() any { return nil }})
	r.Register(Plugin{Class: "b.FooConnector", Kind: Sink, New: func() any { return nil }})
	if _, err := r.Lookup("Foo", Source, Sink); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("ambiguous alias: %v", err)
	}
	if p, err := r.Lookup("b.FooConnector", Source, Sink); err != nil || p.Kind != Sink {
		t.Fatalf("full name: %+v %v", p, err)
	}
}

const (
	SourceClassForTest = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	SinkClassForTest   = "org.apache.kafka.connect.file.FileStreamSinkConnector"
)
