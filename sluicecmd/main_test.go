package sluicecmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBadConfigStopsStartup checks that a missing or malformed worker key,
// an unknown converter class, and a connector file that is not a connector
// configuration (malformed, or without a name) stop start-up with a
// message naming the key. None of these reach Kafka: validation comes
// first. (An invalid connector configuration does not stop the worker:
// see TestGivenConnectorsDoNotStopStartup.)
func TestBadConfigStopsStartup(t *testing.T) {
	const goodWorker = "bootstrap.servers=127.0.0.1:1\nkey.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=StringConverter\noffset.storage.file.filename=%s\nlisteners=http://127.0.0.1:0\n"
	tests := []struct {
		name      string
		worker    string
		connector string
		connExt   string
		want      []string
	}{
		{name: "missing key.converter", worker: "bootstrap.servers=127.0.0.1:1\nvalue.converter=StringConverter\noffset.storage.file.filename=x\n",
			want: []string{`Missing required configuration "key.converter"`}},
		{name: "malformed flush interval", worker: goodWorker + "offset.flush.interval.ms=soon\n",
			want: []string{"offset.flush.interval.ms", "soon"}},
		{name: "flush interval out of range", worker: goodWorker + "offset.flush.interval.ms=0\n",
			want: []string{"offset.flush.interval.ms", "at least 1"}},
		{name: "missing offsets file", worker: "key.converter=StringConverter\nvalue.converter=StringConverter\n",
			want: []string{"offset.storage.file.filename"}},
		{name: "unknown converter", worker: strings.Replace(goodWorker, "value.converter=StringConverter", "value.converter=com.example.Nope", 1),
			connector: "name=s\nconnector.class=FileStreamSource\ntopic=t\n",
			want:      []string{"com.example.Nope"}},
		{name: "connector JSON with a non-string value", worker: goodWorker, connExt: ".json",
			connector: `{"name":"s","connector.class":"FileStreamSource","tasks.max":1}`,
			want:      []string{`"tasks.max" must be a string`}},
		{name: "connector without name", worker: goodWorker, connector: "connector.class=FileStreamSource\ntopic=t\n",
			want: []string{`"name"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			worker := strings.Replace(tc.worker, "%s", filepath.Join(dir, "offsets.json"), 1)
			args := []string{"standalone", write(t, dir, "worker.properties", worker)}
			if tc.connector != "" {
				ext := tc.connExt
				if ext == "" {
					ext = ".properties"
				}
				args = append(args, write(t, dir, "connector"+ext, tc.connector))
			}
			var stdout, stderr bytes.Buffer
			code := Main(args, nil, &stdout, &stderr)
			if code == 0 {
				t.Fatalf("run succeeded; want a start-up error. stderr:\n%s", stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

func TestUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main(nil, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "sluice standalone") {
		t.Fatalf("no args: code %d, stderr %q", code, stderr.String())
	}
	if code := Main([]string{"frobnicate"}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: code %d, stderr %q", code, stderr.String())
	}
	stdout.Reset()
	if code := Main([]string{"version"}, nil, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "sluice ") {
		t.Fatalf("version: code %d, stdout %q", code, stdout.String())
	}
}

// TestCommandHelp checks that sluice help COMMAND and COMMAND -h|--help
// print that command's usage, with its positional arguments, on stdout and
// exit 0, and that standalone and distributed neither list nor take the
// dev-only flags.
func TestCommandHelp(t *testing.T) {
	tests := []struct {
		cmd  string
		want []string // in the usage
		not  []string // absent from it
	}{
		{"standalone", []string{"sluice standalone [flags] worker.properties [connector.properties|connector.json ...]", "worker.properties ", "-log-level"}, []string{"-dir", "-listen"}},
		{"distributed", []string{"sluice distributed [flags] worker.properties", "group.id", "-log-format"}, []string{"-dir", "-listen"}},
		{"dev", []string{"sluice dev [flags]", "-dir DIR", "-listen HOST:PORT"}, nil},
		{"version", []string{"sluice version"}, []string{"-log-level"}},
		{"connectors", []string{"sluice connectors config patch NAME -f FILE", "sluice connectors validate -f FILE", "sluice connectors tasks NAME"}, nil},
		{"offsets", []string{"sluice offsets get NAME"}, nil},
		{"plugins", []string{"sluice plugins [--all]"}, nil},
	}
	for _, tc := range tests {
		for _, args := range [][]string{{"help", tc.cmd}, {tc.cmd, "--help"}, {tc.cmd, "-h"}} {
			var stdout, stderr bytes.Buffer
			code := Main(args, nil, &stdout, &stderr)
			if code != 0 || stderr.Len() != 0 || !strings.HasPrefix(stdout.String(), "Usage:\n  sluice "+tc.cmd) {
				t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("%q: usage lacks %q:\n%s", args, w, stdout.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(stdout.String(), n) {
					t.Errorf("%q: usage lists %q:\n%s", args, n, stdout.String())
				}
			}
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "frob"}, `sluice help: unknown command "frob"`},
		{[]string{"standalone", "-dir", "x", "w.properties"}, "sluice standalone: flag provided but not defined: -dir"},
		{[]string{"distributed", "-listen", "x", "w.properties"}, "sluice distributed: flag provided but not defined: -listen"},
		{[]string{"dev", "extra"}, `sluice dev: unexpected argument "extra"`},
		{[]string{"standalone"}, "sluice standalone: missing worker.properties\n\nUsage:\n  sluice standalone"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(tc.args, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}
