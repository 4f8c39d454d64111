package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/runtime/herder"
)

// TestWriteStateIsMarshalIndent: the state a compaction writes connector by
// connector is byte for byte the document json.MarshalIndent writes, the
// format earlier versions wrote and read.
func TestWriteStateIsMarshalIndent(t *testing.T) {
	for name, data := range map[string]map[string]ConnectorState{
		"empty": {},
		"one":   {"a": {Config: map[string]string{"k": "v"}, Target: herder.TargetStarted}},
		"several": {
			"b <&> é": {Config: map[string]string{"x\n": "\"quoted\" <tag>", "": ""}, Target: herder.TargetPaused,
				TaskConfigs: []map[string]string{{"t": "0"}, {}}},
			"a":  {Config: map[string]string{}, Target: herder.TargetStopped},
			"z9": {Config: nil, Target: herder.TargetStarted, TaskConfigs: []map[string]string{{"file": "/tmp/x"}}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := writeState(&got, data); err != nil {
				t.Fatal(err)
			}
			doc := configsFile{Version: configsFileVersion, Connectors: map[string]connectorRecord{}}
			for n, s := range data {
				doc.Connectors[n] = *record(s)
			}
			want, err := json.MarshalIndent(doc, "", " ")
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, '\n')
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("writeState wrote\n%s\nMarshalIndent\n%s", got.Bytes(), want)
			}
		})
	}
}

// bigConfig is a connector configuration of about n bytes.
func bigConfig(i, n int) map[string]string {
	return map[string]string{"connector.class": "FileStreamSink", "topics": "t", "i": fmt.Sprint(i), "padding": strings.Repeat("p", n)}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestFileConfigsChangeCostsOneConnector: with many connectors stored, a
// change appends that connector's state, not every connector's, and leaves
// the bytes already in the file as they are; reopening gives the same
// state, as one document again.
func TestFileConfigsChangeCostsOneConnector(t *testing.T) {
	const connectors, size = 200, 10 << 10
	path := filepath.Join(t.TempDir(), "connectors.json")
	f, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range connectors {
		must(t, f.PutConfig(fmt.Sprintf("c%03d", i), bigConfig(i, size), ""))
	}
	state := fileSize(t, path)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, change := range []struct {
		name string
		do   func() error
	}{
		{"pause", func() error { return f.PutTargetState("c007", herder.TargetPaused) }},
		{"task configs", func() error { return f.PutTaskConfigs("c008", []map[string]string{{"task": "0"}}) }},
		{"new config", func() error { return f.PutConfig("c009", bigConfig(9, size), "") }},
		{"delete", func() error { return f.Delete("c010") }},
	} {
		n := fileSize(t, path)
		must(t, change.do())
		grown := fileSize(t, path) - n
		if grown <= 0 || grown > 2*size {
			t.Errorf("%s: the file grew by %d bytes, want at most one connector's (%d) with %d connectors and %d bytes stored",
				change.name, grown, 2*size, connectors, state)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(after, before) {
		t.Fatal("a change rewrote what the file already held")
	}

	g, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStores(t, g, f)
	if s, _ := g.Get("c007"); s.Target != herder.TargetPaused {
		t.Errorf("c007 after reopen: %v", s.Target)
	}
	if _, ok := g.Get("c010"); ok {
		t.Error("c010 is back after reopen")
	}
	// Opening rewrote the file as one document.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc configsFile
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Connectors) != connectors-1 {
		t.Fatalf("after reopen the file is not one document of %d connectors: %v", connectors-1, err)
	}
}

func assertSameStores(t *testing.T, got, want ConfigStore) {
	t.Helper()
	if g, w := got.Connectors(), want.Connectors(); !reflect.DeepEqual(g, w) {
		t.Fatalf("connectors %v, want %v", g, w)
	}
	for _, name := range want.Connectors() {
		g, _ := got.Get(name)
		w, _ := want.Get(name)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %+v, want %+v", name, g, w)
		}
	}
}

// TestFileConfigsCompaction: appended changes never outgrow the state (or
// 1 MiB) for long: the file is then rewritten as the state alone, so its
// size stays within a small multiple of the state's. Each change here is a
// new configuration of 100 KiB for one of five connectors.
func TestFileConfigsCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connectors.json")
	f, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	const size = 100 << 10
	for i := range 5 {
		must(t, f.PutConfig(fmt.Sprintf("c%d", i), bigConfig(i, size), ""))
	}
	compactions, largest := 0, int64(0)
	for round := range 60 {
		n := fileSize(t, path)
		cfg := bigConfig(round, size)
		cfg["round"] = fmt.Sprint(round)
		must(t, f.PutConfig(fmt.Sprintf("c%d", round%5), cfg, ""))
		m := fileSize(t, path)
		if m < n {
			compactions++
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var doc configsFile
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("after a compaction the file is not one document: %v", err)
			}
			if got := doc.Connectors[fmt.Sprintf("c%d", round%5)].Config["round"]; got != fmt.Sprint(round) {
				t.Fatalf("the compacted state lacks the change that compacted it: round %q", got)
			}
		}
		largest = max(largest, m)
	}
	if compactions == 0 {
		t.Fatal("60 changes of 100 KiB each never rewrote the file")
	}
	// The state is about 500 KiB; appended changes are compacted past 1 MiB.
	if limit := int64(5*size + minJournal + 2*size); largest > limit {
		t.Errorf("the file reached %d bytes, more than %d", largest, limit)
	}
	g, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStores(t, g, f)
}

// TestFileConfigsCrashDuringAppend cuts the file at every byte of an
// appended change, as a crash during the append may: every cut opens, with
// the state before the change or after it, never anything else, and the
// file is whole again after opening.
func TestFileConfigsCrashDuringAppend(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "connectors.json")
	f, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, f.PutConfig("a", map[string]string{"k": "v"}, ""))
	must(t, f.PutConfig("b", map[string]string{"k": "v"}, herder.TargetPaused))
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, f.PutConfig("a", map[string]string{"k": "new"}, herder.TargetStopped))
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) <= len(old) || !bytes.HasPrefix(whole, old) {
		t.Fatal("the change was not appended")
	}
	for cut := len(old); cut <= len(whole); cut++ {
		p := filepath.Join(dir, fmt.Sprintf("cut-%d.json", cut))
		if err := os.WriteFile(p, whole[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		g, err := OpenFileConfigs(p)
		if err != nil {
			t.Fatalf("cut at %d of %d: %v", cut, len(whole), err)
		}
		a, _ := g.Get("a")
		complete := cut >= len(whole)-1 // the newline may be all that is missing
		switch {
		case complete && (a.Config["k"] != "new" || a.Target != herder.TargetStopped):
			t.Fatalf("cut at %d of %d: a = %+v, want the change", cut, len(whole), a)
		case !complete && (a.Config["k"] != "v" || a.Target != herder.TargetStarted):
			t.Fatalf("cut at %d of %d: a = %+v, want the state before the change", cut, len(whole), a)
		}
		if b, _ := g.Get("b"); b.Target != herder.TargetPaused {
			t.Fatalf("cut at %d: b = %+v", cut, b)
		}
		if dropped := g.DroppedBytes(); (dropped > 0) != (cut > len(old) && !complete) {
			t.Errorf("cut at %d of %d: DroppedBytes %d", cut, len(whole), dropped)
		}
		// The torn line is gone: a change now appends after whole lines.
		must(t, g.PutTargetState("b", herder.TargetStarted))
		h, err := OpenFileConfigs(p)
		if err != nil {
			t.Fatalf("cut at %d, after a change: %v", cut, err)
		}
		assertSameStores(t, h, g)
	}
}

// TestFileConfigsCorruptChange: a line that does not decode in the middle of
// the appended changes is no crash's doing; the file is refused, naming it.
func TestFileConfigsCorruptChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connectors.json")
	openWith(t, path, "a", "b", "c")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, corrupt := range map[string]func([]byte) []byte{
		"garbage line": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`{"name":"b"`), []byte(`{"nom":"b"`), 1)
		},
		"unknown field": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`{"name":"b","config"`), []byte(`{"name":"b","x":1,"config"`), 1)
		},
		"nothing changed": func(b []byte) []byte {
			i := bytes.Index(b, []byte(`{"name":"b"`))
			j := i + bytes.IndexByte(b[i:], '\n')
			return append(append(b[:i:i], `{"name":"b"}`...), b[j:]...)
		},
		"both deleted and changed": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`{"name":"b","config"`), []byte(`{"name":"b","deleted":true,"config"`), 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "connectors.json")
			c := corrupt(bytes.Clone(b))
			if bytes.Equal(c, b) {
				t.Fatal("nothing corrupted")
			}
			if err := os.WriteFile(p, c, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := OpenFileConfigs(p)
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "appended change 1") {
				t.Fatalf("err = %v, want one naming %s and the change", err, p)
			}
		})
	}
}

// TestFileConfigsFileReplaced: when the file is deleted or changed behind
// the store's back, the next change writes the whole state again rather
// than appending to a file that does not hold it.
func TestFileConfigsFileReplaced(t *testing.T) {
	for name, meddle := range map[string]func(path string) error{
		"deleted":   os.Remove,
		"truncated": func(path string) error { return os.Truncate(path, 10) },
		"replaced": func(path string) error {
			return os.WriteFile(path, []byte(`{"version":1,"connectors":{"intruder":{"config":{}}}}`), 0o600)
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "connectors.json")
			f := openWith(t, path, "a", "b")
			must(t, meddle(path))
			must(t, f.PutTargetState("b", herder.TargetPaused))
			g, err := OpenFileConfigs(path)
			if err != nil {
				t.Fatal(err)
			}
			assertSameStores(t, g, f)
		})
	}
}

// openWith opens a store at path and creates connectors with a small
// configuration each.
func openWith(t *testing.T, path string, names ...string) *FileConfigs {
	t.Helper()
	f, err := OpenFileConfigs(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		must(t, f.PutConfig(n, map[string]string{"k": "v"}, ""))
	}
	return f
}

// TestFileConfigsHandWritten: a file written by hand, or by another tool,
// need not end with a newline or be indented; changes to it are kept.
func TestFileConfigsHandWritten(t *testing.T) {
	for name, content := range map[string]string{
		"no final newline": `{"version":1,"connectors":{"a":{"config":{"k":"v"},"target_state":"STARTED","tasks":[]}}}`,
		"one line":         "{\"version\":1,\"connectors\":{\"a\":{\"config\":{\"k\":\"v\"}}}}\n",
		"blank lines":      "{\"version\":1,\"connectors\":{\"a\":{\"config\":{\"k\":\"v\"}}}}\n\n\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "connectors.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := OpenFileConfigs(path)
			if err != nil {
				t.Fatal(err)
			}
			must(t, f.PutTargetState("a", herder.TargetPaused))
			must(t, f.PutConfig("b", map[string]string{"k": "v"}, ""))
			g, err := OpenFileConfigs(path)
			if err != nil {
				t.Fatal(err)
			}
			assertSameStores(t, g, f)
			if a, _ := g.Get("a"); a.Target != herder.TargetPaused || a.Config["k"] != "v" {
				t.Fatalf("a = %+v", a)
			}
		})
	}
}
