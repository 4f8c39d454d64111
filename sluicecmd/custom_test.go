package sluicecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins"
)

// TestCustomBinary builds testdata/counterworker, a custom worker made of
// sluicecmd.Run with one extra source connector, and runs it in standalone
// mode against the real broker: `version` prints its version and sluice's,
// GET /connector-plugins lists the extra connector, its records reach a
// FileStreamSink's file through Kafka, and -log-format json -log-level
// debug apply to its own log lines (named after its class).
func TestCustomBinary(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	bin := filepath.Join(dir, "counterworker")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/counterworker").CombinedOutput(); err != nil {
		t.Fatalf("build the custom worker: %v\n%s", err, out)
	}

	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "counterworker 0.0.1\nsluice ") {
		t.Fatalf("version: %q, %v; want the custom version, then sluice's", out, err)
	}

	listener := testkit.FreeListener(t)
	output := filepath.Join(dir, "out.txt")
	worker := write(t, dir, "worker.properties", "bootstrap.servers="+bootstrap+"\nkey.converter=StringConverter\nvalue.converter=StringConverter\n"+
		"offset.storage.file.filename="+filepath.Join(dir, "offsets.json")+"\noffset.flush.interval.ms=100\nlisteners="+listener+"\n")
	counter := write(t, dir, "counter.properties", "name=counter\nconnector.class=Counter\ntopic="+topic+"\ncount=5\n")
	// The sink's name, and so its group connect-<name>, is this run's own:
	// other packages' tests run a sink called sink at the same time.
	sink := write(t, dir, "sink.json", `{"name": "`+topic+`-sink", "config": {"connector.class": "FileStreamSink", "topics": "`+topic+`", "file": "`+output+`"}}`)
	var logs testkit.LogBuffer
	cmd := exec.Command(bin, "standalone", "-log-format", "json", "-log-level", "debug", worker, counter, sink)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("worker log:\n%s", logs.String())
		}
	})

	c, err := client.New(listener)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := []string{"0", "1", "2", "3", "4"}
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(output)
		if got := strings.Fields(string(b)); slices.Equal(got, want) {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the sink's file holds %q, want %q", got, want)
		}
		select {
		case err := <-exited:
			t.Fatalf("the worker exited: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	ps, err := c.Plugins(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range ps {
		if p.Class == "com.example.CounterSource" {
			found = p.Type == "source" && p.Version == "0.0.1"
			if !found {
				t.Errorf("GET /connector-plugins shows the custom connector as %+v", p)
			}
		}
	}
	if !found && !t.Failed() {
		t.Errorf("GET /connector-plugins does not list com.example.CounterSource: %+v", ps)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the worker exited with %v after SIGTERM", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the worker did not stop within a minute of SIGTERM")
	}
	// Its log lines are JSON, its debug lines shown, named after its class.
	polled := 0
	for _, line := range bytes.Split([]byte(logs.String()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("-log-format json: a line is not JSON: %q", line)
		}
		if rec["msg"] == "counter polled" {
			polled++
			// A task's logger is named after its connector's class + "Task", as Kafka Connect's task classes are.
			if rec["level"] != "DEBUG" || rec["logger"] != "com.example.CounterSourceTask" || rec["task"] != "counter-0" {
				t.Errorf("the connector's line is %s; want level DEBUG, logger com.example.CounterSourceTask, task counter-0", line)
			}
		}
	}
	if polled != len(want) {
		t.Errorf("%d \"counter polled\" debug lines, want %d", polled, len(want))
	}
}

// TestWithPluginsClash: a WithPlugins plugin whose class names a built-in
// stops start-up with an error naming both, not a panic; one with a new
// class does not.
func TestWithPluginsClash(t *testing.T) {
	newAny := func() any { return nil }
	tests := []struct {
		name string
		ps   []plugins.Plugin
		want []string // in the error; none: no error
	}{
		{name: "class of a built-in", ps: []plugins.Plugin{{Class: "org.apache.kafka.connect.file.FileStreamSourceConnector", Kind: plugins.Source, New: newAny}},
			want: []string{"WithPlugins", "org.apache.kafka.connect.file.FileStreamSourceConnector (source) registered twice"}},
		{name: "simple name of a built-in", ps: []plugins.Plugin{{Class: "FileStreamSink", Kind: plugins.Sink, New: newAny}},
			want: []string{"FileStreamSink (sink)", "org.apache.kafka.connect.file.FileStreamSinkConnector (sink)"}},
		{name: "given twice", ps: []plugins.Plugin{{Class: "com.example.A", Kind: plugins.Sink, New: newAny}, {Class: "com.example.A", Kind: plugins.Source, New: newAny}},
			want: []string{"com.example.A (source) registered twice", "com.example.A (sink)"}},
		{name: "no New", ps: []plugins.Plugin{{Class: "com.example.B", Kind: plugins.Sink}}, want: []string{"com.example.B", "needs a Class and New"}},
		{name: "unknown kind", ps: []plugins.Plugin{{Class: "com.example.C", Kind: "widget", New: newAny}}, want: []string{`unknown kind "widget" for com.example.C`}},
		{name: "new class", ps: []plugins.Plugin{{Class: "com.example.D", Kind: plugins.Sink, New: newAny}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := &options{}
			WithPlugins(tc.ps...)(o)
			reg, closePlugins, err := o.registry(context.Background(), nil, nil)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				defer closePlugins()
				if _, err := reg.Lookup(tc.ps[0].Class, tc.ps[0].Kind); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestAddExternal: plugin.path plugins are registered after the built-ins
// and WithPlugins; one whose class is taken is skipped with a WARN naming
// both, and the others still register.
func TestAddExternal(t *testing.T) {
	newAny := func() any { return nil }
	o := &options{}
	WithPlugins(plugins.Plugin{Class: "com.example.Linked", Kind: plugins.Source, New: newAny})(o)
	reg, closePlugins, err := o.registry(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closePlugins()
	var logs testkit.LogBuffer
	addExternal(reg, []plugins.Plugin{
		{Class: "com.example.Linked", Kind: plugins.Source, New: newAny},
		{Class: "FileStreamSink", Kind: plugins.Sink, New: newAny},
		{Class: "com.example.External", Kind: plugins.Sink, New: newAny},
	}, slog.New(slog.NewTextHandler(&logs, nil)))
	for _, w := range []string{
		`level=WARN msg="plugin.path plugin skipped" class=com.example.Linked kind=source err="plugins: com.example.Linked (source) registered twice: the name is taken by com.example.Linked (source)"`,
		`class=FileStreamSink kind=sink err="plugins: FileStreamSink (sink) registered twice: the name is taken by org.apache.kafka.connect.file.FileStreamSinkConnector (sink)"`,
		`msg="plugin.path plugins loaded" plugins=1 skipped=2`,
	} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("the log does not say %s:\n%s", w, logs.String())
		}
	}
	if p, err := reg.Lookup("com.example.External", plugins.Sink); err != nil || p.Class != "com.example.External" {
		t.Errorf("the external plugin after the clashing ones: %+v, %v", p, err)
	}
	if p, err := reg.Lookup("FileStreamSink", plugins.Sink); err != nil || p.Class != "org.apache.kafka.connect.file.FileStreamSinkConnector" {
		t.Errorf("FileStreamSink resolves to %+v, %v; want the built-in", p, err)
	}
}
