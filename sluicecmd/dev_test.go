package sluicecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestDevPortTaken: a taken REST port stops sluice dev before anything is
// printed or created, with an error naming the port and the flag to pick
// another.
func TestDevPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	dir := filepath.Join(t.TempDir(), "dev")
	var out bytes.Buffer
	err = runDev(context.Background(), nil, dir, l.Addr().String(), &out, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "port "+port) || !strings.Contains(err.Error(), "--listen 127.0.0.1:8084") {
		t.Fatalf("runDev on a taken port: %v", err)
	}
	if out.Len() > 0 {
		t.Errorf("printed before failing: %s", out.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("created %s before failing: %v", dir, err)
	}
	if err := runDev(context.Background(), nil, dir, "8083", &out, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "invalid --listen") {
		t.Errorf("--listen without a host: %v", err)
	}
}

// TestDevSafeDefaults runs sluice dev and checks what a client of its REST
// API may reach: files outside its folder neither through the file
// connectors nor through ${file:…}, and no environment variable but
// SLUICE_DEV_* through ${env:…}. The REST API is on loopback.
func TestDevSafeDefaults(t *testing.T) {
	t.Setenv("SLUICE_TEST_SECRET_DEV", "dev-env-secret-4c1d")
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.properties")
	if err := os.WriteFile(outside, []byte("root=file-secret-9e2b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out testkit.LogBuffer
	var logs testkit.LogBuffer
	done := make(chan error, 1)
	go func() { done <- runDev(ctx, nil, dir, "127.0.0.1:0", &out, slog.New(slog.NewTextHandler(&logs, nil))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sluice dev: %v", err)
		}
	})
	re := regexp.MustCompile(`REST API +(http://127\.0\.0\.1:\d+) `)
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == ""; {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no REST API line in the banner:\n%s", out.String())
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, re := range []*regexp.Regexp{regexp.MustCompile(`(?m)^  broker +127\.0\.0\.1:\d+ `), regexp.MustCompile(`(?m)^  registry +http://127\.0\.0\.1:\d+ `)} {
		if !re.MatchString(out.String()) {
			t.Errorf("the banner does not show the embedded service on loopback (%s):\n%s", re, out.String())
		}
	}
	validate := func(cfg map[string]string) string {
		t.Helper()
		body, _ := json.Marshal(cfg)
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			req, _ := http.NewRequest(http.MethodPut, url+"/connector-plugins/"+cfg["connector.class"]+"/config/validate", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return string(b)
				}
				t.Fatalf("validate: %d %s", resp.StatusCode, b)
			}
			if time.Now().After(deadline) {
				t.Fatalf("validate: %v", err)
			}
		}
	}
	tests := []struct {
		name string
		cfg  map[string]string
		want string
	}{
		{"file source outside", map[string]string{"connector.class": "FileStreamSource", "topic": "t", "file": "/etc/passwd"},
			"is not in file.connector.allowed.paths [" + dir + "]"},
		{"file sink outside", map[string]string{"connector.class": "FileStreamSink", "topics": "t", "file": filepath.Join(filepath.Dir(outside), "copy")},
			"is not in file.connector.allowed.paths"},
		{"file provider outside", map[string]string{"connector.class": "FileStreamSource", "topic": "${file:" + outside + ":root}"},
			"is not in allowed.paths [" + dir + "]"},
		{"env provider outside the allowlist", map[string]string{"connector.class": "FileStreamSource", "topic": "${env:SLUICE_TEST_SECRET_DEV}"},
			"environment variable SLUICE_TEST_SECRET_DEV is not allowed by allowlist.pattern SLUICE_DEV_.*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validate(tt.cfg)
			if !strings.Contains(got, tt.want) {
				t.Errorf("validate answered %s\nwant an error with %q", got, tt.want)
			}
			for _, s := range []string{"file-secret-9e2b", "dev-env-secret-4c1d"} {
				if strings.Contains(got, s) {
					t.Errorf("validate answered a secret: %s", got)
				}
			}
		})
	}
	if got := validate(map[string]string{"name": "ok", "connector.class": "FileStreamSource", "topic": "t", "file": filepath.Join(dir, "in.txt")}); !strings.Contains(got, `"error_count":0`) {
		t.Errorf("a file in the dev folder was refused: %s", got)
	}
}
