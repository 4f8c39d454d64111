package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/sluicehq/sluice/runtime/herder"
)

// TestConfigStores runs the ConfigStore contract against both stores.
func TestConfigStores(t *testing.T) {
	stores := map[string]func(t *testing.T) ConfigStore{
		"memory": func(*testing.T) ConfigStore { return NewMemoryConfigs() },
		"file": func(t *testing.T) ConfigStore {
			f, err := OpenFileConfigs(filepath.Join(t.TempDir(), "configs.json"))
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if got := s.Connectors(); len(got) != 0 {
				t.Fatalf("new store lists %v", got)
			}
			cfg := map[string]string{"connector.class": "FileStreamSource", "file": "${file:/etc/secrets:path}"}
			must(t, s.PutConfig("b", cfg, ""))
			must(t, s.PutConfig("a", map[string]string{"k": "v"}, herder.TargetPaused))
			cfg["file"] = "changed by the caller"
			if got := s.Connectors(); !reflect.DeepEqual(got, []string{"a", "b"}) {
				t.Fatalf("Connectors = %v", got)
			}
			b, ok := s.Get("b")
			if !ok || b.Target != herder.TargetStarted || b.Config["file"] != "${file:/etc/secrets:path}" {
				t.Fatalf("Get(b) = %+v, %v: want STARTED and the config as submitted", b, ok)
			}
			b.Config["file"] = "changed through Get"
			if b, _ := s.Get("b"); b.Config["file"] != "${file:/etc/secrets:path}" {
				t.Fatalf("Get returned the store's own map: %v", b.Config)
			}

			// A new config keeps the target state unless one is given.
			must(t, s.PutConfig("a", map[string]string{"k": "v2"}, ""))
			if a, _ := s.Get("a"); a.Target != herder.TargetPaused || a.Config["k"] != "v2" {
				t.Fatalf("after PutConfig without target: %+v", a)
			}
			must(t, s.PutTargetState("a", herder.TargetStopped))
			must(t, s.PutTaskConfigs("b", []map[string]string{{"task": "0"}, {"task": "1"}}))
			if b, _ := s.Get("b"); len(b.TaskConfigs) != 2 || b.TaskConfigs[1]["task"] != "1" {
				t.Fatalf("tasks of b: %v", b.TaskConfigs)
			}
			must(t, s.PutTaskConfigs("b", nil))
			if b, _ := s.Get("b"); b.TaskConfigs != nil {
				t.Fatalf("tasks of b after clearing: %v", b.TaskConfigs)
			}
			must(t, s.Delete("b"))
			if _, ok := s.Get("b"); ok {
				t.Fatal("b still there after Delete")
			}
			if a, _ := s.Get("a"); a.Target != herder.TargetStopped {
				t.Fatalf("a: %+v", a)
			}
		})
	}
}

func TestFileConfigsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "connectors.json")
	f, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("opening a missing file created it: %v", err)
	}
	raw := map[string]string{
		"connector.class":                 "org.apache.kafka.connect.file.FileStreamSinkConnector",
		"topics":                          "t",
		"file":                            "${env:SINK_FILE}",
		"consumer.override.sasl.password": "${vault:secret/kafka:password}",
	}
	must(t, f.PutConfig("sink", raw, herder.TargetStarted))
	must(t, f.PutTaskConfigs("sink", []map[string]string{{"task.class": "T", "file": "${env:SINK_FILE}"}}))
	must(t, f.PutConfig("paused", map[string]string{"k": "v"}, herder.TargetPaused))
	must(t, f.PutConfig("stopped", map[string]string{"k": "v"}, ""))
	must(t, f.PutTargetState("stopped", herder.TargetStopped))
	must(t, f.PutConfig("gone", map[string]string{"k": "v"}, ""))
	must(t, f.Delete("gone"))

	g, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Connectors(); !reflect.DeepEqual(got, []string{"paused", "sink", "stopped"}) {
		t.Fatalf("after reopen: Connectors = %v", got)
	}
	for _, name := range []string{"sink", "paused", "stopped"} {
		want, _ := f.Get(name)
		got, _ := g.Get(name)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after reopen: %s = %+v, want %+v", name, got, want)
		}
	}
	if s, _ := g.Get("stopped"); s.Target != herder.TargetStopped || s.TaskConfigs != nil {
		t.Errorf("stopped after reopen: %+v", s)
	}
	if s, _ := g.Get("sink"); s.Config["consumer.override.sasl.password"] != "${vault:secret/kafka:password}" {
		t.Errorf("a config provider placeholder was not kept raw: %v", s.Config)
	}

	// The documented format: version, sorted keys, indentation, tasks always a list.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"{\n \"version\": 1,\n \"connectors\": {\n  \"paused\": {\n   \"config\": {\n    \"k\": \"v\"\n   },\n   \"target_state\": \"PAUSED\",\n   \"tasks\": []\n  },",
		"\"target_state\": \"STOPPED\"",
		"\"file\": \"${env:SINK_FILE}\"",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("file lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "gone") {
		t.Errorf("deleted connector still in the file:\n%s", b)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm()&0o077 != 0 {
		t.Errorf("configs (which may hold secrets) are readable by others: %v, %v", info.Mode(), err)
	}
}

func TestFileConfigsBadFiles(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":          "{\"version\":1,\"connectors\":{\"a\":",
		"empty":             "",
		"wrong version":     `{"version":2,"connectors":{}}`,
		"no version":        `{"connectors":{}}`,
		"unknown field":     `{"version":1,"connectors":{"a":{"config":{},"target-state":"PAUSED"}}}`,
		"bad target state":  `{"version":1,"connectors":{"a":{"config":{},"target_state":"RUNNING"}}}`,
		"trailing data":     `{"version":1,"connectors":{}} {}`,
		"not a config map":  `{"version":1,"connectors":{"a":{"config":{"k":1}}}}`,
		"empty name":        `{"version":1,"connectors":{"":{"config":{}}}}`,
		"an offsets file":   `{"version":1,"connectors":{"a":[{"partition":{},"offset":{}}]}}`,
		"version as string": `{"version":"1","connectors":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "connectors.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := OpenFileConfigs(path)
			if err == nil {
				t.Fatal("opened without error")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name the file: %v", err)
			}
			t.Log(err)
		})
	}

	t.Run("no target state means STARTED", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "connectors.json")
		if err := os.WriteFile(path, []byte(`{"version":1,"connectors":{"a":{"config":{"k":"v"}}}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := OpenFileConfigs(path)
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := f.Get("a"); !ok || a.Target != herder.TargetStarted || a.Config["k"] != "v" {
			t.Fatalf("a = %+v, %v", a, ok)
		}
	})
}

// TestFileConfigsFailedWrite checks that a change that cannot be written is
// not made: the store never shows what the file does not hold.
func TestFileConfigsFailedWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "connectors.json")
	f, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, f.PutConfig("a", map[string]string{"k": "v"}, ""))
	// Replace the directory by a file: every later write fails.
	must(t, os.RemoveAll(filepath.Join(dir, "sub")))
	must(t, os.WriteFile(filepath.Join(dir, "sub"), nil, 0o600))
	for name, change := range map[string]func() error{
		"PutConfig":      func() error { return f.PutConfig("a", map[string]string{"k": "v2"}, herder.TargetPaused) },
		"PutTargetState": func() error { return f.PutTargetState("a", herder.TargetStopped) },
		"PutTaskConfigs": func() error { return f.PutTaskConfigs("a", []map[string]string{{"t": "0"}}) },
		"Delete":         func() error { return f.Delete("a") },
	} {
		err := change()
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s", name, err, path)
		}
	}
	a, ok := f.Get("a")
	want := ConnectorState{Config: map[string]string{"k": "v"}, Target: herder.TargetStarted}
	if !ok || !reflect.DeepEqual(a, want) {
		t.Fatalf("after failed writes: %+v, %v; want %+v", a, ok, want)
	}
}

// TestFileConfigsConcurrent changes and reads the store from many
// goroutines (run with -race); the file then holds the final state.
func TestFileConfigsConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connectors.json")
	f, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("c%d", w)
			for i := range rounds {
				errs <- f.PutConfig(name, map[string]string{"round": fmt.Sprint(i)}, "")
				errs <- f.PutTaskConfigs(name, []map[string]string{{"round": fmt.Sprint(i)}})
				errs <- f.PutTargetState(name, herder.TargetPaused)
				f.Connectors()
				f.Get(name)
			}
			errs <- f.PutConfig(name+"-tmp", map[string]string{}, "")
			errs <- f.Delete(name + "-tmp")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	g, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Connectors(); len(got) != workers {
		t.Fatalf("reopened store lists %v", got)
	}
	for _, name := range f.Connectors() {
		want, _ := f.Get(name)
		got, _ := g.Get(name)
		if !reflect.DeepEqual(got, want) || got.Config["round"] != fmt.Sprint(rounds-1) || got.Target != herder.TargetPaused {
			t.Errorf("%s: file has %+v, memory %+v", name, got, want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
