package testkit

import (
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BuildSluice builds the sluice command into dir and returns its path.
func BuildSluice(dir string) (string, error) {
	bin := filepath.Join(dir, "sluice")
	args := []string{"build", "-o", bin}
	if os.Getenv("SLUICE_PPROF_ADDR") != "" {
		// The workers serve net/http/pprof there (cmd/sluice/pprof.go).
		args = append(args, "-tags", "pprof")
	}
	out, err := exec.Command("go", append(args, "github.com/sluicehq/sluice/cmd/sluice")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build sluice: %v\n%s", err, out)
	}
	return bin, nil
}

// RunWithSluice builds sluice into a temporary directory, stores its path
// in *bin, runs the package's tests and removes the directory: the body of a
// TestMain for packages that start worker processes.
func RunWithSluice(m *testing.M, bin *string) int {
	dir, err := os.MkdirTemp("", "sluice-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *bin, err = BuildSluice(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// Worker is a `sluice standalone` process started by a test.
type Worker struct {
	t      testing.TB
	cmd    *exec.Cmd
	log    string
	name   string
	exited chan struct{} // closed when the process has exited
	err    error         // its exit status, once exited is closed
}

// WriteProps writes a .properties file.
func WriteProps(t testing.TB, path string, props map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, props[k])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// StandaloneProps returns the settings of a standalone worker on bootstrap
// with String converters whose offsets (and connector configurations, next
// to them) are files in dir, flushing offsets every 100 ms; callers add
// what their test needs.
func StandaloneProps(bootstrap, dir string) map[string]string {
	return map[string]string{
		"bootstrap.servers":            bootstrap,
		"key.converter":                "StringConverter",
		"value.converter":              "StringConverter",
		"offset.storage.file.filename": filepath.Join(dir, "offsets.json"),
		"offset.flush.interval.ms":     "100",
	}
}

// GroupProps returns the settings that give distributed workers a group of
// their own, named after name (a unique one, such as a topic of NewTopic):
// group.id sluice-<name> and the internal topics <name>-configs,
// <name>-offsets and <name>-status, with replication factor 1 for the
// single test broker.
func GroupProps(name string) map[string]string {
	return map[string]string{
		"group.id":                          "sluice-" + name,
		"config.storage.topic":              name + "-configs",
		"offset.storage.topic":              name + "-offsets",
		"status.storage.topic":              name + "-status",
		"config.storage.replication.factor": "1",
		"offset.storage.replication.factor": "1",
		"status.storage.replication.factor": "1",
	}
}

// FreeListener returns a REST listener URI on a loopback port that was free
// a moment ago, for a worker process whose address a test must know.
func FreeListener(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String()
}

// StartWorker runs `bin standalone` with one connector (none if connProps
// is nil); dir holds its files
// and log, name tells them apart. The process is killed at the end of the
// test if it still runs, and its log is shown if the test failed.
func StartWorker(t testing.TB, bin, dir, name string, workerProps, connProps map[string]string) *Worker {
	t.Helper()
	wp, cp := filepath.Join(dir, name+"-worker.properties"), filepath.Join(dir, name+"-connector.properties")
	WriteProps(t, wp, withListener(workerProps))
	args := []string{"standalone", "-log-level", "debug", wp}
	if connProps != nil {
		WriteProps(t, cp, connProps)
		args = append(args, cp)
	}
	return startProcess(t, bin, dir, name, args)
}

// StartDistributed runs `bin distributed` with workerProps; like
// StartWorker, dir holds its files and log.
func StartDistributed(t testing.TB, bin, dir, name string, workerProps map[string]string) *Worker {
	t.Helper()
	wp := filepath.Join(dir, name+"-worker.properties")
	WriteProps(t, wp, withListener(workerProps))
	return startProcess(t, bin, dir, name, []string{"distributed", "-log-level", "debug", wp})
}

// withListener sets a free listener unless props name one: workers in
// tests must not fight over the default port 8083.
func withListener(props map[string]string) map[string]string {
	if _, ok := props["listeners"]; ok {
		return props
	}
	props = maps.Clone(props)
	props["listeners"] = "http://127.0.0.1:0"
	return props
}

func startProcess(t testing.TB, bin, dir, name string, args []string) *Worker {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	w := &Worker{t: t, cmd: cmd, log: logPath, name: name, exited: make(chan struct{})}
	go func() {
		w.err = cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-w.exited:
		default:
			w.cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() {
			t.Logf("log of %s (last 4 KiB):\n%s", name, w.logTail())
			w.keepLog(t)
		}
	})
	return w
}

// keepLog copies the worker's whole log into the test's artifact
// directory, which outlives the test with go test -artifacts: the last
// 4 KiB printed rarely hold what went wrong first.
func (w *Worker) keepLog(t testing.TB) {
	b, err := os.ReadFile(w.log)
	if err != nil {
		t.Logf("log of %s not kept: %v", w.name, err)
		return
	}
	kept := filepath.Join(t.ArtifactDir(), w.name+".log")
	if err := os.WriteFile(kept, b, 0o644); err != nil {
		t.Logf("log of %s not kept: %v", w.name, err)
		return
	}
	t.Logf("whole log of %s (%d bytes): %s", w.name, len(b), kept)
}

// Log returns the worker's log so far.
func (w *Worker) Log() string {
	b, _ := os.ReadFile(w.log)
	return string(b)
}

// Name returns the name the worker was started with.
func (w *Worker) Name() string { return w.name }

func (w *Worker) logTail() []byte {
	b, _ := os.ReadFile(w.log)
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return b
}

// Kill9 kills the worker without any chance to clean up.
func (w *Worker) Kill9() {
	w.t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		w.t.Fatal(err)
	}
	<-w.exited
}

// Alive returns an error when the worker has exited, with the end of its
// log, so a test waiting on it fails at once instead of timing out.
func (w *Worker) Alive() error {
	select {
	case <-w.exited:
		return fmt.Errorf("worker %s exited (%v); log:\n%s", w.name, w.err, w.logTail())
	default:
		return nil
	}
}

// Term sends SIGTERM and waits for a clean exit.
func (w *Worker) Term() {
	w.t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		w.t.Fatal(err)
	}
	select {
	case <-w.exited:
		if w.err != nil {
			w.t.Fatalf("worker exited with %v after SIGTERM; log:\n%s", w.err, w.logTail())
		}
	case <-time.After(60 * time.Second):
		w.t.Fatal("worker did not exit within 60 s of SIGTERM")
	}
}

// PeakRSS returns the worker's peak resident set size in bytes (Linux
// VmHWM), while it runs.
func (w *Worker) PeakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", w.cmd.Process.Pid)
}

// CPUTime returns the CPU time (user and system) the worker has used so
// far (Linux /proc/PID/stat, in the kernel's USER_HZ ticks of 1/100 s).
// On a machine shared with other work, CPU time per record is steadier
// than records per second of wall time.
func (w *Worker) CPUTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", w.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: the fields
	// follow its closing parenthesis, starting with the state (field 3).
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format %q", w.cmd.Process.Pid, b)
	}
	var ticks int64
	for _, s := range f[11:13] { // utime, stime: fields 14 and 15
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", w.cmd.Process.Pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * (time.Second / 100), nil
}
