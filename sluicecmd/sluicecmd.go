// Package sluicecmd is the whole sluice command (standalone, distributed and
// dev workers, the REST CLI, version, the logging flags and /admin/loggers)
// as a library, so that a worker with your own plugins compiled in is a
// ten-line program:
//
//	package main
//
//	import (
//		"github.com/sluicehq/sluice/sluicecmd"
//		"example.com/counter"
//	)
//
//	func main() { sluicecmd.Run(sluicecmd.WithPlugins(counter.Plugin)) }
//
// where counter.Plugin is a plugins.Plugin describing your connector (or
// converter, header converter, transformation or predicate). The binary
// takes the same commands, flags and configuration files as sluice:
//
//	myworker standalone [flags] worker.properties [connector.properties|connector.json ...]
//	myworker distributed [flags] worker.properties
//	myworker dev [-dir .sluice-dev] [-listen 127.0.0.1:8083]
//	myworker connectors list|get|status|create|delete|pause|resume|stop|restart ...
//	myworker connectors config set|patch ... | validate -f FILE | tasks|topics NAME
//	myworker offsets get|set|reset NAME ...
//	myworker plugins [--all]
//	myworker status
//	myworker completion bash|zsh|fish
//	myworker help [COMMAND]
//	myworker version
//
// Its plugins sit beside sluice's built-in ones: GET /connector-plugins
// lists them, connector configurations name them by class, simple class
// name or alias, and their loggers are named loggers like the built-ins',
// set by -log-level and -log-format and at run time through
// /admin/loggers. Plugins found in the worker's plugin.path directories
// (see package plugins/external) are added after them.
//
// Every worker of a distributed cluster needs the same plugins: a task of a
// connector whose class a worker lacks is FAILED on that worker, with a
// trace naming the class.
package sluicecmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rcrowley/go-metrics"

	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herdercore"
	"github.com/sluicehq/sluice/runtime/kafka"
)

const usage = `sluice: a Kafka Connect-compatible connector runtime

Usage:
  sluice standalone [flags] worker.properties [connector.properties|connector.json ...]
  sluice distributed [flags] worker.properties
                            join a cluster of workers (group.id) that keep their state in Kafka topics
  sluice dev [flags]        run an embedded broker and a demo pipeline, no setup needed
  sluice plugins docs [CLASS]
                            the Markdown reference of the plugins and their keys (no worker needed)
  sluice version

Manage a running worker (sluice or Kafka Connect) through its REST API:
  sluice connectors list|get|status|create|delete|pause|resume|stop|restart ...
  sluice connectors config set|patch ... | validate -f FILE | tasks|topics NAME
  sluice offsets get|set|reset NAME ...
  sluice plugins [--all]
  sluice status             workers, connectors, tasks (state, worker, lag, records, errors), failures
  sluice completion bash|zsh|fish
                            a shell completion script
  (sluice help COMMAND or sluice COMMAND -h for details; --url or SLUICE_URL selects the worker,
  --user or SLUICE_USER gives credentials)

Flags (standalone, distributed and dev):
  -log-level trace|debug|info|warn|error|off   (default info)
  -log-format text|json                        (default text)
Flags (dev):
  -dir DIR                                     (default .sluice-dev)
  -listen HOST:PORT                            REST API address (default 127.0.0.1:8083, loopback only)
`

const logFlagsUsage = `
Flags:
  -log-level trace|debug|info|warn|error|off   (default info)
  -log-format text|json                        (default text)
`

// workerUsages are the usages of the commands that run a worker, for
// COMMAND -h and sluice help COMMAND.
var workerUsages = map[string]string{
	"standalone": `Usage:
  sluice standalone [flags] worker.properties [connector.properties|connector.json ...]

Runs a worker alone, its source offsets in a local file
(offset.storage.file.filename), and starts the connectors given as arguments.
  worker.properties      the worker's configuration (bootstrap.servers, converters,
                         listeners, plugin.path, ...)
  connector.properties   a connector to start, as a .properties file or a .json
  connector.json         ({"name":…,"config":{…}} or a flat config with "name")
` + logFlagsUsage,
	"distributed": `Usage:
  sluice distributed [flags] worker.properties

Joins a cluster of workers (group.id) that keep their configurations, offsets
and statuses in Kafka topics; connectors are created through the REST API.
  worker.properties      the worker's configuration (bootstrap.servers, group.id,
                         config/offset/status.storage.topic, ...)
` + logFlagsUsage,
	"dev": `Usage:
  sluice dev [flags]

Runs an embedded broker and a demo pipeline, no setup needed. Takes no arguments.
` + logFlagsUsage + `  -dir DIR                                     data and demo files (default .sluice-dev)
  -listen HOST:PORT                            REST API address (default 127.0.0.1:8083, loopback only)
`,
	"version": `Usage:
  sluice version

Prints the version. Takes no arguments or flags.
`,
}

// Option customises the command Run and Main run.
type Option func(*options)

// options are what the Options set. The zero value is sluice itself.
type options struct {
	plugins []plugins.Plugin
	version string
	// history is the worker's metrics history interval (tests shorten
	// it); 0 means runtime.DefaultHistoryInterval.
	history time.Duration
}

// historyInterval is o's metrics history interval; o may be nil.
func (o *options) historyInterval() time.Duration {
	if o == nil {
		return 0
	}
	return o.history
}

// WithPlugins adds plugins (connectors, converters, header converters,
// transformations, predicates) to sluice's built-in ones. A plugin whose
// class is already the name of another (a built-in's class, simple name or
// alias, or one given earlier) stops the worker at start with an error
// naming both. It may be given more than once.
func WithPlugins(ps ...plugins.Plugin) Option {
	return func(o *options) { o.plugins = append(o.plugins, ps...) }
}

// WithVersion sets the line `version` prints before sluice's own version,
// say "myworker 1.4.0".
func WithVersion(version string) Option {
	return func(o *options) { o.version = version }
}

// Run runs the command named by the process's arguments (os.Args[1:]) and
// exits the process with its exit code: 0 on success (a worker stopped by
// SIGINT or SIGTERM after draining its tasks), 1 when it failed, 2 on a
// usage error. It does not return.
func Run(opts ...Option) {
	// sarama's go-metrics meters cost CPU and memory, and sluice does not
	// export them.
	metrics.UseNilMetrics = true
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, opts...))
}

// Main runs the command args names (args excludes the program name, as
// os.Args[1:]), reading stdin and writing stdout and stderr, and returns
// its exit code as Run describes. A worker runs until SIGINT or SIGTERM.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...Option) int {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	return run(args, stdin, stdout, stderr, o)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, o *options) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	if cmd == "plugins" && len(args) > 0 && args[0] == "docs" {
		return runDocs(context.Background(), o, args[1:], stdout, stderr)
	}
	switch cmd {
	case "completion":
		return runCompletion(args, stdout, stderr)
	case "connectors", "offsets", "plugins", "status":
		return runCLI(context.Background(), cmd, args, stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("sluice "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	level := fs.String("log-level", "info", "log level: trace, debug, info, warn, error or off")
	format := fs.String("log-format", "text", "log format: text or json")
	devDir, devListen := new(string), new(string)
	if cmd == "dev" {
		// The dev-only flags: standalone and distributed neither take nor list them.
		fs.StringVar(devDir, "dir", ".sluice-dev", "directory for the embedded broker's data and the demo files")
		fs.StringVar(devListen, "listen", defaultDevListen, "host:port of the REST API (loopback only by default; 0.0.0.0:8083 opens it to the network)")
	}
	switch cmd {
	case "version", "-version", "--version":
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, workerUsages["version"])
			return 0
		}
		if o.version != "" {
			fmt.Fprintln(stdout, o.version)
		}
		fmt.Fprintln(stdout, "sluice", herdercore.Version)
		return 0
	case "help", "-h", "--help":
		return help(args, stdout, stderr)
	case "standalone", "distributed", "dev":
	default:
		fmt.Fprintf(stderr, "sluice: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, workerUsages[cmd])
			return 0
		}
		fmt.Fprintf(stderr, "sluice %s: %v\n\n%s", cmd, err, workerUsages[cmd])
		return 2
	}
	if cmd == "dev" && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sluice dev: unexpected argument %q\n\n%s", fs.Arg(0), workerUsages[cmd])
		return 2
	}
	log, err := newLogger(stderr, *level, *format)
	if err != nil {
		fmt.Fprintln(stderr, "sluice:", err)
		return 2
	}
	kafka.SetLogger(logging.Named(log, "sarama"))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "standalone":
		if fs.NArg() < 1 {
			fmt.Fprint(stderr, "sluice standalone: missing worker.properties\n\n"+workerUsages[cmd])
			return 2
		}
		err = runStandalone(ctx, o, fs.Arg(0), fs.Args()[1:], log)
	case "distributed":
		if fs.NArg() != 1 {
			fmt.Fprint(stderr, "sluice distributed: want exactly one argument, worker.properties (connectors are created through the REST API)\n\n"+workerUsages[cmd])
			return 2
		}
		err = runDistributed(ctx, o, fs.Arg(0), log, nil)
	case "dev":
		err = runDev(ctx, o, *devDir, *devListen, stdout, log)
	}
	if err != nil {
		log.Error("sluice stopped", "err", err)
		fmt.Fprintln(stderr, "sluice:", err)
		return 1
	}
	return 0
}

// help prints the usage of the command args names (sluice help COMMAND),
// or the general usage without one.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd := args[0]
	if u, ok := workerUsages[cmd]; ok {
		fmt.Fprint(stdout, u)
		return 0
	}
	if c, ok := cliCommands[cmd]; ok {
		fmt.Fprint(stdout, c.usage)
		return 0
	}
	if cmd == "completion" {
		fmt.Fprint(stdout, completionUsage)
		return 0
	}
	fmt.Fprintf(stderr, "sluice help: unknown command %q\n\n%s", cmd, usage)
	return 2
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	l, err := logging.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("invalid -log-level %q: want trace, debug, info, warn, error or off", level)
	}
	// The inner handler lets everything through: the named loggers' levels
	// (set at run time through /admin/loggers) decide.
	opts := &slog.HandlerOptions{Level: logging.LevelAll}
	var inner slog.Handler
	switch strings.ToLower(format) {
	case "text":
		inner = slog.NewTextHandler(w, opts)
	case "json":
		inner = slog.NewJSONHandler(w, opts)
	default:
		return nil, errors.New("invalid -log-format " + format + ": want text or json")
	}
	return slog.New(logging.NewHandler(inner, logging.NewLevels(l))), nil
}
