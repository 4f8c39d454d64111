package plugins

import (
	"errors"
	"strings"
	"testing"
)

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

// versioned is a plugin of class at version whose instances say which
// version they are.
func versioned(class string, kind Kind, version string, aliases ...string) Plugin {
	return Plugin{Class: class, Kind: kind, Version: version, Aliases: aliases, New: func() any { return version }}
}

func TestSeveralVersionsOfAClass(t *testing.T) {
	r := NewRegistry()
	// Registered out of order: "1.10.0" is newer than "1.9.0" (Maven's order).
	for _, v := range []string{"1.9.0", "2.0.0-SNAPSHOT", "1.10.0", "0.5"} {
		if err := r.Add(versioned("com.example.FooConnector", Source, v)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		version string
		want    string
		err     string
	}{
		{version: "", want: "2.0.0-SNAPSHOT"},
		{version: "latest", want: "2.0.0-SNAPSHOT"},
		// Maven orders 2.0.0-SNAPSHOT before 2.0: the range holds it.
		{version: "[1.0,2.0)", want: "2.0.0-SNAPSHOT"},
		{version: "[1.0,2.0-SNAPSHOT)", want: "1.10.0"},
		{version: "[1.0,1.10)", want: "1.9.0"},
		{version: "1.9.0", want: "1.9.0"},
		{version: " 0.5 ", want: "0.5"},
		{version: "(,1.0]", want: "0.5"},
		{version: "1.9", want: "1.9.0"}, // Maven: 1.9 equals 1.9.0
		{version: "1.8.0", err: "Plugin com.example.FooConnector not found that matches the version range [1.8.0,1.8.0], available versions: [0.5, 1.9.0, 1.10.0, 2.0.0-SNAPSHOT]"},
		{version: "[3.0,)", err: "Plugin com.example.FooConnector not found that matches the version range [3.0,), available versions: [0.5, 1.9.0, 1.10.0, 2.0.0-SNAPSHOT]"},
		{version: "[1.0", err: "Unbounded range: [1.0"},
	}
	for _, tt := range tests {
		for _, name := range []string{"com.example.FooConnector", "FooConnector", "Foo"} {
			p, err := r.LookupVersion(name, tt.version, Source, Sink)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("LookupVersion(%q, %q) = %+v, %v; want error %q", name, tt.version, p, err, tt.err)
				}
				continue
			}
			if err != nil || p.Version != tt.want || p.New().(string) != tt.want {
				t.Errorf("LookupVersion(%q, %q) = %q, %v; want %s", name, tt.version, p.Version, err, tt.want)
			}
		}
	}
	var ve *VersionError
	if _, err := r.LookupVersion("Foo", "9", Source); !errors.As(err, &ve) || ve.Range != "[9,9]" {
		t.Errorf("VersionError: %#v", err)
	}
	if got := r.Versions("Foo", Source); strings.Join(got, " ") != "0.5 1.9.0 1.10.0 2.0.0-SNAPSHOT" {
		t.Errorf("Versions = %q", got)
	}
	var listed []string
	for _, p := range r.Plugins() {
		listed = append(listed, p.Version)
	}
	if strings.Join(listed, " ") != "0.5 1.9.0 1.10.0 2.0.0-SNAPSHOT" {
		t.Errorf("Plugins lists versions %q", listed)
	}
}

func TestVersionsRegisteredTwiceOrClashing(t *testing.T) {
	r := NewRegistry()
	r.Register(versioned("com.example.FooConnector", Source, "1.0.0"))
	for _, tt := range []struct {
		p    Plugin
		want string
	}{
		// 1.0 equals 1.0.0 in Maven's order.
		{versioned("com.example.FooConnector", Source, "1.0"), "version 1.0 registered twice"},
		{versioned("com.example.FooConnector", Sink, "2.0"), "the name is taken by com.example.FooConnector (source)"},
	} {
		if err := r.Add(tt.p); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Add(%s %s %s) = %v, want %q", tt.p.Class, tt.p.Kind, tt.p.Version, err, tt.want)
		}
	}
	if got := r.Versions("com.example.FooConnector", Source); len(got) != 1 {
		t.Errorf("versions after refused adds: %q", got)
	}
}

func TestClassWithoutVersionClashes(t *testing.T) {
	r := NewRegistry()
	r.Register(versioned("com.example.FooConnector", Source, "1.0.0"))
	if err := r.Add(Plugin{Class: "com.example.FooConnector", Kind: Source, New: func() any { return nil }}); err == nil || !strings.Contains(err.Error(), "registered twice") {
		t.Errorf("a version-less plugin of a registered class: %v", err)
	}
}
