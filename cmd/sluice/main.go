// Command sluice is a Kafka Connect-compatible connector runtime.
//
//	sluice standalone worker.properties [connector.properties|connector.json ...]
//	sluice distributed worker.properties
//	sluice dev [-dir .sluice-dev] [-listen 127.0.0.1:8083]
//	sluice connectors list|get|status|create|delete|pause|resume|stop|restart ...
//	sluice offsets get|set|reset NAME ...
//	sluice plugins [--all]
//	sluice version
package main

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

	"github.com/rcrowley/go-metrics"

	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/runtime/standalone"
)

const usage = `sluice: a Kafka Connect-compatible connector runtime

Usage:
  sluice standalone [flags] worker.properties [connector.properties|connector.json ...]
  sluice distributed [flags] worker.properties
                            join a cluster of workers (group.id) that keep their state in Kafka topics
  sluice dev [flags]        run an embedded broker and a demo pipeline, no setup needed
  sluice version

Manage a running worker (sluice or Kafka Connect) through its REST API:
  sluice connectors list|get|status|create|delete|pause|resume|stop|restart ...
  sluice offsets get|set|reset NAME ...
  sluice plugins [--all]
  (sluice COMMAND -h for details; --url or SLUICE_URL selects the worker,
  --user or SLUICE_USER gives credentials)

Flags (standalone, distributed and dev):
  -log-level trace|debug|info|warn|error|off   (default info)
  -log-format text|json                        (default text)
Flags (dev):
  -dir DIR                                     (default .sluice-dev)
  -listen HOST:PORT                            REST API address (default 127.0.0.1:8083, loopback only)
`

func main() {
	// sarama's go-metrics meters cost CPU and memory, and sluice does not
	// export them.
	metrics.UseNilMetrics = true
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "connectors", "offsets", "plugins":
		return runCLI(context.Background(), cmd, args, os.Stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("sluice "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := fs.String("log-level", "info", "log level: trace, debug, info, warn, error or off")
	format := fs.String("log-format", "text", "log format: text or json")
	devDir := fs.String("dir", ".sluice-dev", "dev: directory for the embedded broker's data and the demo files")
	devListen := fs.String("listen", defaultDevListen, "dev: host:port of the REST API (loopback only by default; 0.0.0.0:8083 opens it to the network)")
	switch cmd {
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "sluice", standalone.Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "standalone", "distributed", "dev":
	default:
		fmt.Fprintf(stderr, "sluice: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
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
			fmt.Fprint(stderr, "sluice standalone: missing worker.properties\n\n"+usage)
			return 2
		}
		err = runStandalone(ctx, fs.Arg(0), fs.Args()[1:], log)
	case "distributed":
		if fs.NArg() != 1 {
			fmt.Fprint(stderr, "sluice distributed: want exactly one argument, worker.properties (connectors are created through the REST API)\n\n"+usage)
			return 2
		}
		err = runDistributed(ctx, fs.Arg(0), log, nil)
	case "dev":
		err = runDev(ctx, *devDir, *devListen, stdout, log)
	}
	if err != nil {
		log.Error("sluice stopped", "err", err)
		fmt.Fprintln(stderr, "sluice:", err)
		return 1
	}
	return 0
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
