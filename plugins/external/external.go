// Package external runs connectors built as their own executables: the
// plugins a worker finds in its plugin.path directories. A plugin binary
// calls Serve; the worker calls Load at start-up and gets plugins.Plugin
// values that run each connector and task in a process of its own, over
// gRPC (github.com/hashicorp/go-plugin).
//
// Process model: describing a binary at start-up, each connector instance
// and each task is one process, started by Start and ended by Stop (or on
// any failure); Config, validation and secret lookups go to one long-lived
// process per binary, started on first use and restarted if it died.
// Records cross in batches: one call per Poll result and per Put batch.
package external

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/mavenversion"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/external/internal/pb"
	"github.com/sluicehq/sluice/plugins/external/internal/wire"
)

// Loaded is the set of plugins found in plugin.path, and the processes
// running them.
type Loaded struct {
	log     *slog.Logger
	plugins []plugins.Plugin
	// stopTimeout bounds a Stop call, and a Poll's run after its
	// cancellation, before the process is killed (stopTimeout, or less in
	// tests).
	stopTimeout time.Duration

	mu     sync.Mutex
	procs  map[*proc]struct{}
	closed bool
}

// binary is one plugin executable.
type binary struct {
	path   string
	l      *Loaded
	mu     sync.Mutex
	shared *proc // for Config and validation, started lazily
}

// spec is one connector a binary holds.
type spec struct {
	bin *binary
	s   *pb.ConnectorSpec
	def *config.Def
}

// Load finds the plugin executables in the plugin.path directories, asks
// each for what it holds and returns them. Each directory's regular
// executable files are plugins, and so are those of its immediate
// subdirectories (one directory per plugin, as Kafka Connect lays them
// out). A binary that cannot be loaded (not a sluice plugin, an
// incompatible protocol version, a crash, a timeout) is logged as a WARN
// naming it and the cause, and the others load. A class found at several
// versions is loaded at each (KIP-891: connector.plugin.version picks
// one); the same version of a class found twice is loaded once (the first
// found) with a WARN. The caller skips those whose class and version its
// registry already has (plugins.Registry.Add refuses them).
func Load(ctx context.Context, dirs []string, log *slog.Logger) *Loaded {
	return load(ctx, dirs, log, describeTimeout)
}

// load is Load with the time a binary has to describe itself.
func load(ctx context.Context, dirs []string, log *slog.Logger, timeout time.Duration) *Loaded {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Loaded{log: log, procs: map[*proc]struct{}{}, stopTimeout: stopTimeout}
	var paths []string
	for _, dir := range dirs {
		if dir = strings.TrimSpace(dir); dir != "" {
			paths = append(paths, l.candidates(dir)...)
		}
	}
	// Binaries describe themselves in parallel (start-up time), and are
	// taken in plugin.path order (the first of a class wins).
	type described struct {
		d   *pb.Description
		err error
	}
	results := make([]described, len(paths))
	sem := make(chan struct{}, describeParallelism)
	var wg sync.WaitGroup
	for i, path := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d, err := l.describe(ctx, path, timeout)
			results[i] = described{d, err}
		}()
	}
	wg.Wait()
	where := map[string]string{} // class and canonical version → binary
	for i, path := range paths {
		d, err := results[i].d, results[i].err
		if err != nil {
			log.Warn("plugin.path: cannot load "+path+": "+err.Error(), "plugin", path)
			continue
		}
		bin := &binary{path: path, l: l}
		for _, cs := range d.Connectors {
			key := cs.Class + " " + mavenversion.Parse(cs.Version).Canonical()
			if prev, dup := where[key]; dup {
				log.Warn(fmt.Sprintf("plugin.path: %s %s in %s skipped: that version of the class is already loaded from %s", cs.Class, cs.Version, path, prev), "plugin", path)
				continue
			}
			p, err := bin.plugin(cs)
			if err != nil {
				log.Warn(fmt.Sprintf("plugin.path: %s in %s skipped: %v", cs.Class, path, err), "plugin", path)
				continue
			}
			where[key] = path
			l.plugins = append(l.plugins, p)
			log.Info(fmt.Sprintf("plugin.path: loaded %s %s (%s) from %s", p.Kind, p.Class, p.Version, path))
		}
	}
	return l
}

// Plugins returns the plugins found.
func (l *Loaded) Plugins() []plugins.Plugin { return l.plugins }

// Close stops every plugin process still running.
func (l *Loaded) Close() {
	l.mu.Lock()
	l.closed = true
	procs := make([]*proc, 0, len(l.procs))
	for p := range l.procs {
		procs = append(procs, p)
	}
	l.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
}

// candidates lists the plugin executables of a plugin.path directory.
func (l *Loaded) candidates(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			l.log.Warn("plugin.path: directory " + dir + " does not exist")
		} else {
			l.log.Warn("plugin.path: cannot read " + dir + ": " + err.Error())
		}
		return nil
	}
	var out []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		fi, err := os.Stat(path) // follows symlinks
		if err != nil {
			l.log.Warn("plugin.path: cannot read " + path + ": " + err.Error())
			continue
		}
		if !fi.IsDir() {
			if l.executable(path, fi) {
				out = append(out, path)
			}
			continue
		}
		sub, err := os.ReadDir(path)
		if err != nil {
			l.log.Warn("plugin.path: cannot read " + path + ": " + err.Error())
			continue
		}
		for _, s := range sub {
			p := filepath.Join(path, s.Name())
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && l.executable(p, fi) {
				out = append(out, p)
			}
		}
	}
	return out
}

func (l *Loaded) executable(path string, fi os.FileInfo) bool {
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case ext == ".jar" || ext == ".zip":
		l.log.Warn("plugin.path: " + path + " is a Java plugin; sluice runs only Go plugin binaries (see the README's plugin.path section)")
		return false
	case !fi.Mode().IsRegular():
		return false
	case fi.Mode().Perm()&0o111 == 0:
		l.log.Debug("plugin.path: " + path + " skipped: not executable")
		return false
	}
	return true
}

// describe starts a binary, asks what it holds and stops it.
func (l *Loaded) describe(ctx context.Context, path string, timeout time.Duration) (*pb.Description, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	log := l.log.With("plugin", path)
	p, err := l.start(ctx, path, timeout, func() *slog.Logger { return log })
	if err != nil {
		return nil, err
	}
	defer p.kill()
	d, err := p.rpc.Describe(ctx, &pb.Empty{})
	if err != nil {
		return nil, p.callError("", "Describe", err)
	}
	return d, nil
}

// plugin turns one described connector into a plugins.Plugin.
func (b *binary) plugin(cs *pb.ConnectorSpec) (plugins.Plugin, error) {
	kind := plugins.Kind(cs.Kind)
	if kind != plugins.Source && kind != plugins.Sink {
		return plugins.Plugin{}, fmt.Errorf("kind %q is not a connector kind", cs.Kind)
	}
	if cs.Class == "" {
		return plugins.Plugin{}, errors.New("a connector without a class")
	}
	def, err := wire.FromConfigKeys(cs.Keys)
	if err != nil {
		return plugins.Plugin{}, fmt.Errorf("its configuration definition: %w", err)
	}
	sp := &spec{bin: b, s: cs, def: def}
	p := plugins.Plugin{Class: cs.Class, Kind: kind, Version: cs.Version, Aliases: cs.Aliases}
	if kind == plugins.Source {
		p.New = func() any { return &sourceConnector{connector{sp: sp}} }
	} else {
		p.New = func() any { return &sinkConnector{connector{sp: sp}} }
	}
	return p, nil
}

// proc is one running plugin process.
type proc struct {
	l      *Loaded
	path   string
	role   string // the class it runs ("…Task" for a task); "" when shared
	client *plugin.Client
	cmd    *exec.Cmd
	rpc    pb.PluginClient
	broker *plugin.GRPCBroker
	killed bool // kill was called; guarded by l.mu
}

// start launches a plugin process; log gives the logger its stderr lines
// go to.
func (l *Loaded) start(ctx context.Context, path string, timeout time.Duration, log func() *slog.Logger) (*proc, error) {
	cmd := exec.Command(path)
	se := newStderrLogger(log)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  handshake,
		VersionedPlugins: pluginSets(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           &hclogAdapter{log: l.log.With("plugin", path)},
		Stderr:           se,
		SyncStderr:       se,
		SyncStdout:       se,
		StartTimeout:     timeout,
		GRPCDialOptions:  dialOptions(),
	})
	p := &proc{l: l, path: path, client: client, cmd: cmd}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, errors.New("the worker is shutting down")
	}
	l.procs[p] = struct{}{}
	l.mu.Unlock()
	stop := context.AfterFunc(ctx, p.kill)
	defer stop()
	cp, err := client.Client()
	if err != nil {
		p.kill()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("starting the plugin process: no answer within %v (%v)", timeout, err)
		}
		if m := pluginVersion.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("it speaks sluice plugin protocol version %s, this worker speaks version %d: rebuild it against a sluice release of this worker's protocol", m[1], ProtocolVersion)
		}
		return nil, fmt.Errorf("starting the plugin process (is it a sluice plugin?): %w", err)
	}
	raw, err := cp.Dispense(pluginName)
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("starting the plugin process: %w", err)
	}
	r, ok := raw.(*remote)
	if !ok {
		p.kill()
		return nil, fmt.Errorf("starting the plugin process: unexpected client %T", raw)
	}
	p.rpc, p.broker = r.rpc, r.broker
	// A kill before the process existed (ctx's end, Close) did nothing:
	// go-plugin kills only a started process. Kill it now.
	l.mu.Lock()
	killed := p.killed || ctx.Err() != nil
	l.mu.Unlock()
	if killed {
		p.kill()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("starting the plugin process: %w", context.Cause(ctx))
		}
		return nil, errors.New("the worker is shutting down")
	}
	return p, nil
}

// pids returns the process ids of the running processes of a role (a
// connector class, or a connector class followed by "Task"), for tests.
func (l *Loaded) pids(role string) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []int
	for p := range l.procs {
		if p.role == role {
			if pid := p.pid(); pid != 0 {
				out = append(out, pid)
			}
		}
	}
	return out
}

// pluginVersion finds the version in go-plugin's error for a plugin that
// speaks none of the worker's protocol versions.
var pluginVersion = regexp.MustCompile(`(?i)incompatible API version.*Plugin version: (\d+)`)

// kill stops the process (gracefully, then by force) and forgets it.
func (p *proc) kill() {
	p.l.mu.Lock()
	p.killed = true
	p.l.mu.Unlock()
	p.client.Kill()
	p.l.mu.Lock()
	delete(p.l.procs, p)
	p.l.mu.Unlock()
}

// Pid returns the process id, or 0 before it started.
func (p *proc) pid() int {
	if rc := p.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// callError turns the error of a call into what the worker reports: the
// connector's own error, with its class, or a failure of the process
// naming the plugin, the binary and how the process ended.
func (p *proc) callError(class, method string, err error) error {
	if appErr, ok := wire.FromStatus(err); ok {
		return appErr
	}
	name := "plugin " + p.path
	if class != "" {
		name = "plugin " + class + " (" + p.path + ")"
	}
	// A process that died closes its connection at once; its exit status
	// comes a moment later.
	deadline := time.Now().Add(2 * time.Second)
	for !p.client.Exited() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if p.client.Exited() {
		how := "exited"
		if st := p.cmd.ProcessState; st != nil {
			how = "exited (" + st.String() + ")"
		}
		return fmt.Errorf("%s: %s failed: the plugin process %s", name, method, how)
	}
	return fmt.Errorf("%s: %s: %w", name, method, err)
}

// sharedProc returns the binary's long-lived process for Config and
// validation, starting it (again) when needed: when none runs, when it
// exited, or when it is dead, the process the caller found dead. fresh
// reports whether it was started by this call.
func (b *binary) sharedProc(ctx context.Context, dead *proc) (p *proc, fresh bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shared != nil {
		if b.shared != dead && !b.shared.client.Exited() {
			return b.shared, false, nil
		}
		b.shared.kill() // forget it
		b.shared = nil
	}
	log := b.l.log.With("plugin", b.path)
	p, err = b.l.start(ctx, b.path, startTimeout, func() *slog.Logger { return log })
	if err != nil {
		return nil, false, fmt.Errorf("plugin %s: %w", b.path, err)
	}
	b.shared = p
	return p, true, nil
}
