package sluicecmd

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// FuzzConnectorFile reads arbitrary bytes as a connector's .properties and
// .json file (and as JSON on stdin): no panic, errors name the file, stdin
// reads what a file reads, and a JSON configuration read writes back as a
// CreateConnectorRequest and reads back the same. (internal/javaprops's
// FuzzLoad holds the .properties reading to Java's escapes.)
func FuzzConnectorFile(f *testing.F) {
	for _, s := range []string{
		"name=local-file-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile=/tmp/test.txt\ntopic=connect-test\n",
		"# comment\n! comment\nkey with\\ spaces = value \\\n   continued\nempty=\nunicode=\\u00e9\\u0000\nsecret=${file:/etc/s.properties:pw}\n",
		"a:b\nc d\ne\\=f=g\n\\u12",
		`{"name":"c","config":{"connector.class":"FileStreamSink","topics":"t","name":"c"},"initial_state":"PAUSED"}`,
		`{"name":"c","config":{"name":"other"}}`,
		`{"connector.class":"FileStreamSink","tasks.max":1}`,
		`{"config":null}`,
		`{"name":5,"config":{}}`,
		`[1,2]`,
		"\xef\xbb\xbfname=bom\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content []byte) {
		defer testkit.HangGuard(t, 20*time.Second)()
		props := filepath.Join(dir, "c.properties")
		js := filepath.Join(dir, "c.json")
		for _, p := range []string{props, js} {
			if err := os.WriteFile(p, content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := loadConnectorConfig(props); err != nil && !strings.Contains(err.Error(), props) {
			t.Fatalf("error does not name the file: %v", err)
		}
		cfg, err := loadConnectorConfig(js)
		if err != nil && !strings.Contains(err.Error(), js) {
			t.Fatalf("error does not name the file: %v", err)
		}
		if req, err := loadCreateRequest("-", bytes.NewReader(content)); err == nil {
			if cfg == nil {
				t.Fatalf("stdin reads %q, the same JSON in a file does not", content)
			}
			out, err := json.Marshal(map[string]any{"name": req.Name, "config": req.Config})
			if err != nil {
				t.Fatal(err)
			}
			again, err := loadCreateRequest("-", bytes.NewReader(out))
			if err != nil || again.Name != req.Name || !maps.Equal(again.Config, req.Config) {
				t.Fatalf("%q read as %+v, written as %s, read back as %+v, %v", content, req, out, again, err)
			}
		}

	})
}
