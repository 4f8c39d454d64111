package runtime

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// fileWorker is a worker restricted to dir by file.connector.allowed.paths.
func fileWorker(t *testing.T, dir string) (*Worker, *storage.MemoryStatus) {
	t.Helper()
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
		FileConnectorAllowedPaths: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	status := storage.NewMemoryStatus()
	return NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), status, slog.New(slog.DiscardHandler)), status
}

func TestFileConnectorAllowedPathsValidation(t *testing.T) {
	dir := t.TempDir()
	w, _ := fileWorker(t, dir)
	tests := []struct {
		name, class, file string
		wantErr           bool
	}{
		{"source inside", "FileStreamSource", filepath.Join(dir, "in.txt"), false},
		{"sink inside, not created yet", "FileStreamSink", filepath.Join(dir, "sub", "out.txt"), false},
		{"source stdin", "FileStreamSource", "", false},
		{"source outside", "FileStreamSource", "/etc/passwd", true},
		{"sink outside", "FileStreamSink", "/tmp/../etc/cron.d/x", true},
		{"source escaping with ..", "FileStreamSource", dir + "/../x", true},
		{"source relative", "FileStreamSource", "in.txt", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := map[string]string{"name": "f", "connector.class": tt.class, "topic": "t", "topics": "t", "file": tt.file}
			infos, _, err := w.ValidateConnectorConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var fileErrs []string
			for _, c := range infos.Configs {
				if c.Value != nil && c.Value.Name == "file" {
					fileErrs = c.Value.Errors
				}
			}
			if got := len(fileErrs) > 0; got != tt.wantErr {
				t.Fatalf("errors on file: %v, want an error: %v (error_count %d)", fileErrs, tt.wantErr, infos.ErrorCount)
			}
			if tt.wantErr && (infos.ErrorCount != 1 || !strings.Contains(fileErrs[0], "not in "+FileConnectorAllowedPaths)) {
				t.Fatalf("error_count %d, errors %v; want one naming %s", infos.ErrorCount, fileErrs, FileConnectorAllowedPaths)
			}
		})
	}
}

// TestFileConnectorAllowedPathsAtStart: a stored configuration naming a file
// outside the allowed paths fails its connector and its task, with a trace
// naming the key and the setting, and the file is not touched.
func TestFileConnectorAllowedPathsAtStart(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	target := filepath.Join(outside, "stolen.txt")
	w, status := fileWorker(t, dir)
	raw := map[string]string{"name": "s", "connector.class": "FileStreamSink", "topics": "t", "file": target}
	if err := w.StartConnector(context.Background(), "s", raw, herder.TargetStarted, func() {}); err == nil {
		t.Fatal("the connector started")
	}
	st, _ := status.Connector("s")
	if st.State != herder.Failed || !strings.Contains(st.Trace, "Invalid value "+target+" for configuration file") || !strings.Contains(st.Trace, FileConnectorAllowedPaths) {
		t.Fatalf("connector status %+v", st)
	}
	id := herder.TaskID{Connector: "s", Task: 0}
	if err := w.StartTask(id, raw, map[string]string{"file": target, "topics": "t", "task.class": "FileStreamSinkTask"}, 1, herder.TargetStarted); err == nil {
		t.Fatal("the task started")
	}
	tasks := status.Tasks("s")
	if len(tasks) != 1 || tasks[0].State != herder.Failed || !strings.Contains(tasks[0].Trace, "for configuration file") || !strings.Contains(tasks[0].Trace, FileConnectorAllowedPaths) {
		t.Fatalf("task status %+v", tasks)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("the file outside was created: %v", err)
	}
}

func TestFileConnectorAllowedPathsSetting(t *testing.T) {
	for _, bad := range []string{"relative/dir", "/no/such/dir/for/sluice"} {
		_, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
			FileConnectorAllowedPaths: bad}, slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), "for configuration "+FileConnectorAllowedPaths) {
			t.Errorf("%s=%s: %v, want an error naming the key", FileConnectorAllowedPaths, bad, err)
		}
	}
}

// TestFileConnectorAllowedPathsProviderPath: a file read through a provider
// and outside the allowed paths is refused without the path being shown.
func TestFileConnectorAllowedPathsProviderPath(t *testing.T) {
	dir := t.TempDir()
	secretPath := filepath.Join(t.TempDir(), "hidden-dir-7d3e", "x.txt")
	t.Setenv("SLUICE_TEST_SECRET_FILE", secretPath)
	wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
		FileConnectorAllowedPaths: dir, "config.providers": "env", "config.providers.env.class": "EnvVarConfigProvider"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), storage.NewMemoryStatus(), slog.New(slog.DiscardHandler))
	infos, _, err := w.ValidateConnectorConfig(map[string]string{"name": "f", "connector.class": "FileStreamSink", "topics": "t", "file": "${env:SLUICE_TEST_SECRET_FILE}"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range infos.Configs {
		if c.Value == nil || c.Value.Name != "file" {
			continue
		}
		got := strings.Join(c.Value.Errors, "\n")
		if infos.ErrorCount != 1 || !strings.Contains(got, "Invalid value [hidden] for configuration file: path [hidden] is not in "+FileConnectorAllowedPaths) || strings.Contains(got, "hidden-dir-7d3e") {
			t.Fatalf("error_count %d, errors on file: %s", infos.ErrorCount, got)
		}
		return
	}
	t.Fatal("no file entry in the validation answer")
}
