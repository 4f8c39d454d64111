package sluicecmd

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// startStandalone runs a standalone worker in this process until the test
// ends, and returns the address of its first listener once it is ready.
func startStandalone(t *testing.T, props map[string]string, log *slog.Logger) string {
	t.Helper()
	return startStandaloneWith(t, nil, props, log)
}

// startStandaloneWith is startStandalone with options o (nil: none).
func startStandaloneWith(t *testing.T, o *options, props map[string]string, log *slog.Logger) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs, done := make(chan []string, 1), make(chan error, 1)
	go func() { done <- runWorker(ctx, o, props, nil, log, func(a []string) { addrs <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
	select {
	case a := <-addrs:
		return a[0]
	case err := <-done:
		t.Fatalf("worker did not start: %v", err)
		return ""
	}
}

// startCLIWorker starts a standalone worker on bootstrap with string
// converters and its offsets file in dir, and returns its REST URL.
func startCLIWorker(t *testing.T, bootstrap, dir string) string {
	t.Helper()
	return "http://" + startStandalone(t, stringWorkerProps(bootstrap, dir), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// stringWorkerProps is the configuration of a standalone worker on
// bootstrap with string converters, its offsets file in dir, listening on
// a free loopback port.
func stringWorkerProps(bootstrap, dir string) map[string]string {
	props := testkit.StandaloneProps(bootstrap, dir)
	props["listeners"] = "http://127.0.0.1:0"
	return props
}

// TestCLIAgainstWorker drives a real standalone worker (in this process,
// on the broker) with the CLI: create from a file, list, status, pause,
// stop, offsets get/set/reset, plugins, delete, and an error.
func TestCLIAgainstWorker(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	url := startCLIWorker(t, bootstrap, dir)

	cli := func(want int, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		args = append(args, "--url", url)
		if code := runCLI(context.Background(), args[0], args[1:], nil, &out, &errb); code != want {
			t.Fatalf("sluice %s: exit %d, want %d; stdout %q stderr %q", strings.Join(args, " "), code, want, out.String(), errb.String())
		}
		return out.String() + errb.String()
	}
	await := func(what string, args ...string) string {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			out := cli(0, args...)
			if strings.Contains(out, what) {
				return out
			}
			if time.Now().After(deadline) {
				t.Fatalf("sluice %s never showed %q; last output:\n%s", strings.Join(args, " "), what, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	file := filepath.Join(dir, "src.json")
	if err := os.WriteFile(file, []byte(`{"name":"src","config":{"connector.class":"FileStreamSource","file":"`+in+`","topic":"`+topic+`"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := cli(0, "connectors", "create", "-f", file); !strings.Contains(out, "Created connector src (source)") {
		t.Fatalf("create said %q", out)
	}
	await("src   source  RUNNING  1/1", "connectors", "list")
	status := await("Connector src (source): RUNNING", "connectors", "status", "src")
	if !strings.Contains(status, "RUNNING") {
		t.Fatalf("status %q", status)
	}
	// Both lines sent and their offset flushed before the pause: a task
	// paused before its first poll has no offsets to show.
	await(`{"position":8}`, "offsets", "get", "src")
	cli(0, "connectors", "pause", "src")
	await("PAUSED", "connectors", "status", "src")
	cli(0, "connectors", "stop", "src")
	await("STOPPED", "connectors", "status", "src")
	if out := await(`{"position":8}`, "offsets", "get", "src"); !strings.Contains(out, `{"filename":"`+in+`"}`) {
		t.Fatalf("offsets get %q", out)
	}
	offs := filepath.Join(dir, "offsets-set.json")
	if err := os.WriteFile(offs, []byte(`{"offsets":[{"partition":{"filename":"`+in+`"},"offset":{"position":4}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := cli(0, "offsets", "set", "src", "-f", offs); !strings.Contains(out, "altered successfully") {
		t.Fatalf("offsets set %q", out)
	}
	if out := cli(0, "offsets", "get", "src", "-o", "json"); !strings.Contains(out, `"position": 4`) {
		t.Fatalf("offsets after set %q", out)
	}
	if out := cli(0, "offsets", "reset", "src"); !strings.Contains(out, "reset successfully") {
		t.Fatalf("offsets reset %q", out)
	}
	if out := cli(0, "plugins", "--all"); !strings.Contains(out, "org.apache.kafka.connect.file.FileStreamSinkConnector") || !strings.Contains(out, "converter") {
		t.Fatalf("plugins --all %q", out)
	}
	if out := cli(1, "connectors", "status", "nope"); !strings.Contains(out, "No status found for connector nope (HTTP 404)") {
		t.Fatalf("error output %q", out)
	}
	cli(0, "connectors", "delete", "src")
	if out := cli(0, "connectors", "list"); strings.Contains(out, "src") {
		t.Fatalf("list after delete %q", out)
	}
}

// workerCLI runs client commands against the worker at url.
type workerCLI struct {
	t   *testing.T
	url string
}

// run runs a command and fails the test unless it exits with want.
func (c workerCLI) run(want int, args ...string) (stdout, stderr string) {
	c.t.Helper()
	var o, e bytes.Buffer
	args = append(args, "--url", c.url)
	if code := runCLI(context.Background(), args[0], args[1:], nil, &o, &e); code != want {
		c.t.Fatalf("sluice %s: exit %d, want %d; stdout %q stderr %q", strings.Join(args, " "), code, want, o.String(), e.String())
	}
	return o.String(), e.String()
}

// out runs a command that must succeed and returns its stdout.
func (c workerCLI) out(args ...string) string {
	c.t.Helper()
	o, _ := c.run(0, args...)
	return o
}

// golden runs a command that must succeed and print exactly want.
func (c workerCLI) golden(want string, args ...string) {
	c.t.Helper()
	if got := c.out(args...); got != want {
		c.t.Fatalf("sluice %s:\n got %q\nwant %q", strings.Join(args, " "), got, want)
	}
}

// await runs a command until it prints exactly want, for a minute at most.
func (c workerCLI) await(want string, args ...string) {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := c.out(args...)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("sluice %s never printed %q; last:\n%q", strings.Join(args, " "), want, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
