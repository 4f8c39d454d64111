package sluicecmd

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/plugins/builtin"
)

// TestPluginDocsUpToDate regenerates the plugin reference in memory and
// compares it with docs/plugins: a plugin or key changed without `make
// docs` fails here.
func TestPluginDocsUpToDate(t *testing.T) {
	files, err := pluginDocs(builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "docs", "plugins")
	have, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range have {
		have[i] = filepath.Base(f)
	}
	var want []string
	for name, content := range files {
		want = append(want, name)
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("docs/plugins/%s: %v; run make docs", name, err)
			continue
		}
		if string(b) != content {
			t.Errorf("docs/plugins/%s is not what the plugins' definitions give; run make docs", name)
		}
	}
	sort.Strings(want)
	sort.Strings(have)
	if !slices.Equal(have, want) {
		t.Errorf("docs/plugins holds %v, the reference is %v; run make docs", have, want)
	}
}

// TestPluginsDocsCommand: `plugins docs` needs no worker; it prints one
// plugin's reference by any of its names, the whole reference, or writes
// it into a directory (removing the pages it generated before and no
// longer does, never another file), and says what is wrong with
// an unknown class or bad arguments.
func TestPluginsDocsCommand(t *testing.T) {
	files, err := pluginDocs(builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, "stale.md", docsHeader+"a page of a plugin gone since")
	write(t, dir, "guide.md", "# A page of the user's own")
	write(t, dir, "keep.txt", "not a page")
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err []string // in stdout, stderr
	}{
		{name: "one by alias", args: []string{"FileStreamSink"}, out: []string{"## `org.apache.kafka.connect.file.FileStreamSinkConnector`\n\nSink connector · version ",
			"| `file` | string |", "| `topics` | list |", "| `errors.deadletterqueue.topic.name` |"}},
		{name: "a converter", args: []string{"JsonConverter"}, out: []string{"Converter and header converter", "| `decimal.format` | string | BASE64 | (case insensitive) [NUMERIC, BASE64] |"}},
		{name: "a predicate", args: []string{"TopicNameMatches"}, out: []string{"Predicate · version", "| `pattern` |"}},
		{name: "everything", args: nil, out: []string{"# Connectors", "# Converters and header converters", "# Transformations", "# Predicates"}},
		{name: "unknown", args: []string{"com.example.Nope"}, code: 1, err: []string{"com.example.Nope", "FileStreamSinkConnector"}},
		{name: "two classes", args: []string{"a", "b"}, code: 2, err: []string{"at most one CLASS", "Usage:"}},
		{name: "out with a class", args: []string{"-out", dir, "FileStreamSink"}, code: 2, err: []string{"takes no CLASS"}},
		{name: "help", args: []string{"-h"}, out: []string{"sluice plugins docs [flags] [CLASS]", "-plugin-path"}},
		{name: "out", args: []string{"-out", dir}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"plugins", "docs"}, tc.args...), nil, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			for _, w := range tc.out {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout does not hold %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tc.err {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not hold %q:\n%s", w, stderr.String())
				}
			}
		})
	}
	for name, content := range files {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != content {
			t.Errorf("-out: %s is not the generated page (%v)", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.md")); !os.IsNotExist(err) {
		t.Errorf("-out left a stale page: %v", err)
	}
	for _, f := range []string{"keep.txt", "guide.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("-out removed %s, which it did not generate: %v", f, err)
		}
	}
}
