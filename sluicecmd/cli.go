package sluicecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/runtime/herder"
)

// defaultWorkerURL is where the client commands look for a worker unless
// --url or SLUICE_URL says otherwise: Kafka Connect's default listener.
const defaultWorkerURL = "http://localhost:8083"

// defaultTimeout bounds a client command's requests unless --timeout says
// otherwise: longer than the 90 s a Kafka Connect worker gives a request
// itself, so that the worker's own timeout answer arrives first.
const (
	defaultTimeout     = 100 * time.Second
	defaultTimeoutText = "100s"
)

const cliFlagsUsage = `
Flags (before or after the arguments):
  --url URL        the worker's REST API (default $SLUICE_URL, else ` + defaultWorkerURL + `)
  --user NAME:PASSWORD
                   HTTP basic credentials (default $SLUICE_USER; the variable
                   keeps the password out of the process list)
  --cacert FILE    PEM CA certificates to trust for an https:// URL (default
                   $SLUICE_CACERT, else the system's)
  --cert FILE --key FILE
                   PEM client certificate and key, for ssl.client.auth
  --insecure       do not verify the worker's certificate (tests only)
  --credentials-to-workers
                   sluice status: send --user's credentials to the other
                   workers named in the statuses too (their worker_id comes
                   from the status topic; without it they get none)
  --timeout DURATION
                   give up on a worker that has not answered by then (default
                   ` + defaultTimeoutText + `: longer than the worker's own 90 s request timeout)
  -o table|json|yaml
                   output format (default table); json prints the API's answer,
                   yaml the same answer as YAML
`

const connectorsUsage = `Usage:
  sluice connectors list
  sluice connectors get NAME
  sluice connectors status NAME
  sluice connectors create -f FILE    FILE: .json ({"name":…,"config":{…}} or a flat config
                                      with "name"), .properties, or - for JSON on stdin
  sluice connectors config set [NAME] -f FILE
                                      create or replace a connector's configuration (PUT); FILE
                                      as for create; NAME defaults to the file's "name"
  sluice connectors config patch NAME -f FILE
                                      change some keys (PATCH); FILE: a JSON object of
                                      "key": "value" (set) or "key": null (remove)
  sluice connectors validate -f FILE  validate a configuration without creating it; prints each
                                      key's errors and exits 1 when there are any
  sluice connectors tasks NAME        a connector's tasks and their configurations
  sluice connectors topics NAME       the topics a connector has used (KIP-558)
  sluice connectors delete NAME
  sluice connectors pause NAME
  sluice connectors resume NAME
  sluice connectors stop NAME
  sluice connectors restart NAME [--include-tasks] [--only-failed] [--task N]
` + cliFlagsUsage

const offsetsUsage = `Usage:
  sluice offsets get NAME                    a source's or a sink's committed offsets
  sluice offsets set NAME -f offsets.json    {"offsets":[{"partition":{…},"offset":{…}|null}]};
                                             - reads stdin; the connector must be stopped.
                                             A sink's: {"partition":{"kafka_topic":"t",
                                             "kafka_partition":0},"offset":{"kafka_offset":42}}
  sluice offsets reset NAME                  the connector must be stopped
` + cliFlagsUsage

const pluginsUsage = `Usage:
  sluice plugins [--all]    a worker's connector plugins; --all adds converters, transformations, predicates
  sluice plugins docs [CLASS] [-plugin-path DIRS] [-out DIR]
                            the Markdown reference of this binary's plugins, generated locally
                            (no worker, no --url; sluice plugins docs -h for details)
` + cliFlagsUsage

const statusUsage = `Usage:
  sluice status    one screen: the worker answering, the workers running connectors
                   and tasks, every connector and task with its state and worker, and
                   the first line of each failure; takes no arguments.
                   Per task, from its worker's /metrics: LAG, the records of its
                   partitions a sink has not read yet (summed; LAG MAX the most in
                   one partition), RECORDS moved (a source's written to Kafka, a
                   sink's put) and ERRORS (records that failed). Each worker is
                   asked at the host:port of its worker_id, with --url's scheme and
                   credentials, for at most 3s (6s for them all); "?" marks the
                   figures a worker did not give, with the reason below the table.
` + cliFlagsUsage

// cliAction is one action of a client command.
type cliAction struct {
	// name is the positional argument the action takes ("NAME"), if any.
	name bool
	// optName makes NAME optional.
	optName bool
	// flags are the flags beyond --url and -o that the action accepts.
	flags []string
	run   func(r *cliRun, ctx context.Context) error
}

// cliCommand is a client command: its usage and its actions ("" for a
// command without action words).
type cliCommand struct {
	usage   string
	actions map[string]cliAction
}

var cliCommands = map[string]cliCommand{
	"connectors": {usage: connectorsUsage, actions: map[string]cliAction{
		"list":         {run: (*cliRun).list},
		"get":          {name: true, run: (*cliRun).get},
		"status":       {name: true, run: (*cliRun).status},
		"create":       {flags: []string{"f"}, run: (*cliRun).create},
		"delete":       {name: true, run: (*cliRun).delete},
		"pause":        {name: true, run: (*cliRun).pause},
		"resume":       {name: true, run: (*cliRun).resume},
		"stop":         {name: true, run: (*cliRun).stop},
		"restart":      {name: true, flags: []string{"include-tasks", "only-failed", "task"}, run: (*cliRun).restart},
		"tasks":        {name: true, run: (*cliRun).tasks},
		"topics":       {name: true, run: (*cliRun).topics},
		"validate":     {flags: []string{"f"}, run: (*cliRun).validate},
		"config set":   {name: true, optName: true, flags: []string{"f"}, run: (*cliRun).configSet},
		"config patch": {name: true, flags: []string{"f"}, run: (*cliRun).configPatch},
		"__names":      {run: (*cliRun).names},
	}},
	"offsets": {usage: offsetsUsage, actions: map[string]cliAction{
		"get":   {name: true, run: (*cliRun).offsetsGet},
		"set":   {name: true, flags: []string{"f"}, run: (*cliRun).offsetsSet},
		"reset": {name: true, run: (*cliRun).offsetsReset},
	}},
	"status": {usage: statusUsage, actions: map[string]cliAction{
		"": {run: (*cliRun).overview},
	}},
	"plugins": {usage: pluginsUsage, actions: map[string]cliAction{
		"": {flags: []string{"all"}, run: (*cliRun).plugins},
	}},
}

// cliRun is one run of a client command.
type cliRun struct {
	c *client.Client
	// shownURL is the worker's URL for messages: without a password.
	shownURL string
	warn     string // said on stderr before the request, if not empty
	json     bool   // structured output: the API's answer as JSON or YAML
	yaml     bool   // structured output as YAML
	name     string
	stdin    io.Reader
	stdout   io.Writer
	// scraper reads workers' /metrics (sluice status).
	scraper scraper

	file         string
	includeTasks bool
	onlyFailed   bool
	task         int
	taskSet      bool
	all          bool
	timeout      time.Duration
	// credentialsToWorkers: sluice status sends the credentials to the
	// other workers too (--credentials-to-workers).
	credentialsToWorkers bool
}

// usageError is a mistake on the command line: exit status 2. Its message
// starts with the command ("connectors status: ...").
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// runCLI runs the client command cmd (connectors, offsets or plugins)
// against a worker's REST API and returns the exit status: 0, 1 for a
// failed request, 2 for a usage mistake.
func runCLI(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	spec, ok := cliCommands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "sluice: unknown command %q\n", cmd)
		return 2
	}
	r, act, baseURL, err := parseCLI(cmd, spec, args, stdin, stdout)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, spec.usage)
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "sluice %s\n\n%s", ue.msg, spec.usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "sluice:", err)
		return 2
	}
	if r.warn != "" {
		fmt.Fprintln(stderr, "sluice: warning:", r.warn)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, r.timeout, errTimedOut)
	defer cancel()
	if err := act.run(r, ctx); err != nil {
		if context.Cause(ctx) == errTimedOut {
			fmt.Fprintf(stderr, "sluice: the worker at %s did not answer within %v (--timeout)\n", baseURL, r.timeout)
			return 1
		}
		fmt.Fprintln(stderr, "sluice:", describeError(err, baseURL))
		return 1
	}
	return 0
}

// errTimedOut is the cause of a command's context ending at --timeout.
var errTimedOut = errors.New("--timeout")

// parseCLI parses the flags and arguments of a client command.
func parseCLI(cmd string, spec cliCommand, args []string, stdin io.Reader, stdout io.Writer) (*cliRun, cliAction, string, error) {
	r := &cliRun{stdin: stdin, stdout: stdout}
	fs := flag.NewFlagSet("sluice "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	baseURL := defaultWorkerURL
	if env := os.Getenv("SLUICE_URL"); env != "" {
		baseURL = env
	}
	output := "table"
	var conn cliConn
	conn.user = os.Getenv("SLUICE_USER")
	conn.cacert = os.Getenv("SLUICE_CACERT")
	fs.StringVar(&conn.user, "user", conn.user, "HTTP basic credentials, NAME:PASSWORD")
	fs.StringVar(&conn.cacert, "cacert", conn.cacert, "PEM CA certificates to trust")
	fs.StringVar(&conn.cert, "cert", "", "PEM client certificate")
	fs.StringVar(&conn.key, "key", "", "PEM client key")
	fs.BoolVar(&conn.insecure, "insecure", false, "do not verify the worker's certificate")
	fs.BoolVar(&r.credentialsToWorkers, "credentials-to-workers", false, "sluice status: send the credentials to the workers the statuses name")
	fs.StringVar(&baseURL, "url", baseURL, "the worker's REST API")
	fs.StringVar(&output, "o", output, "output format: table, json or yaml")
	fs.StringVar(&output, "output", output, "output format: table, json or yaml")
	fs.StringVar(&r.file, "f", "", "file to read")
	fs.BoolVar(&r.includeTasks, "include-tasks", false, "restart the tasks too")
	fs.BoolVar(&r.onlyFailed, "only-failed", false, "restart only failed instances")
	fs.IntVar(&r.task, "task", 0, "restart this task only")
	fs.BoolVar(&r.all, "all", false, "list every plugin")
	fs.DurationVar(&r.timeout, "timeout", defaultTimeout, "how long to wait for the worker")

	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, cliAction{}, "", err
		}
		return nil, cliAction{}, "", usageError{cmd + ": " + err.Error()}
	}
	if len(pos) > 0 && pos[0] == "help" {
		return nil, cliAction{}, "", flag.ErrHelp
	}
	var verb string
	act, ok := spec.actions[""]
	if !ok {
		if len(pos) == 0 {
			return nil, cliAction{}, "", usageError{cmd + ": missing action"}
		}
		verb, pos = pos[0], pos[1:]
		if len(pos) > 0 {
			// A two-word action: "config set".
			if a, two := spec.actions[verb+" "+pos[0]]; two {
				verb, pos, act, ok = verb+" "+pos[0], pos[1:], a, true
			}
		}
		if !ok {
			act, ok = spec.actions[verb]
		}
		if !ok {
			return nil, cliAction{}, "", usageError{fmt.Sprintf("%s: unknown action %q", cmd, verb)}
		}
	}
	what := strings.TrimSpace(cmd + " " + verb)
	switch {
	case act.optName && len(pos) == 0:
	case act.name && len(pos) == 0:
		return nil, cliAction{}, "", usageError{what + ": missing connector NAME"}
	case act.name && len(pos) > 1, !act.name && len(pos) > 0:
		return nil, cliAction{}, "", usageError{fmt.Sprintf("%s: unexpected argument %q", what, pos[len(pos)-1])}
	case act.name:
		r.name = pos[0]
	}
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		switch {
		case f.Name == "url" || f.Name == "o" || f.Name == "output" || f.Name == "timeout" || cliConnFlags[f.Name]:
		case slices.Contains(act.flags, f.Name):
			if f.Name == "task" {
				r.taskSet = true
			}
		case len(f.Name) == 1:
			bad = append(bad, "-"+f.Name)
		default:
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) > 0 {
		return nil, cliAction{}, "", usageError{fmt.Sprintf("%s: %s does not apply", what, strings.Join(bad, ", "))}
	}
	if slices.Contains(act.flags, "f") && r.file == "" {
		return nil, cliAction{}, "", usageError{what + ": missing -f FILE"}
	}
	if r.taskSet && (r.includeTasks || r.onlyFailed) {
		return nil, cliAction{}, "", usageError{what + ": --task restarts one task; it does not go with --include-tasks or --only-failed"}
	}
	if r.timeout <= 0 {
		return nil, cliAction{}, "", usageError{fmt.Sprintf("%s: --timeout %v: want a positive duration, such as 30s or 2m", what, r.timeout)}
	}
	if r.taskSet && r.task < 0 {
		return nil, cliAction{}, "", usageError{fmt.Sprintf("%s: --task %d: task numbers start at 0", what, r.task)}
	}
	switch output {
	case "table":
	case "json":
		r.json = true
	case "yaml":
		r.json, r.yaml = true, true
	default:
		return nil, cliAction{}, "", usageError{fmt.Sprintf("%s: -o %s: want table, json or yaml", what, output)}
	}
	opts, h, err := conn.options()
	if err != nil {
		return nil, cliAction{}, "", usageError{what + ": " + err.Error()}
	}
	c, err := client.New(baseURL, opts...)
	if err != nil {
		source := "--url"
		if !urlFlagSet(fs) {
			source = "SLUICE_URL"
		}
		return nil, cliAction{}, "", usageError{what + ": " + source + ": " + err.Error()}
	}
	r.c = c
	u, err := url.Parse(c.BaseURL())
	if err != nil {
		return nil, cliAction{}, "", fmt.Errorf("%s: worker URL: %w", what, err)
	}
	// Credentials in the URL (http://user:password@host) go with every
	// request to that worker too, and never into a message.
	if pw, ok := u.User.Password(); ok && !h.basic {
		h.user, h.password, h.basic = u.User.Username(), pw, true
	}
	r.shownURL = u.Redacted()
	r.scraper = scraper{http: h, scheme: u.Scheme, timeout: scrapeTimeout, phase: scrapePhase, credentialsToOthers: r.credentialsToWorkers}
	r.warn = plainCredentialsWarning(h.basic, c.BaseURL())
	return r, act, r.shownURL, nil
}

// urlFlagSet reports whether --url was given on the command line; when
// not, a URL other than the default came from SLUICE_URL.
func urlFlagSet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "url" })
	return set
}

// plainCredentialsWarning says, when credentials go to a worker over plain
// http beyond loopback, that anyone on the way can read them; else "".
func plainCredentialsWarning(credentials bool, baseURL string) string {
	u, err := url.Parse(baseURL)
	if !credentials || err != nil || u.Scheme != "http" {
		return ""
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("the password (--user, SLUICE_USER or the URL's) goes to %s over plain http, readable by anyone on the way; use an https:// --url", u.Host)
}

// parseInterleaved parses the flags wherever they are among args and
// returns the other arguments in order. The flag package stops at the first
// non-flag argument, so parsing resumes after each one; "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// describeError words an error for the command line: a worker's error
// with its HTTP status, an unreachable worker as such.
func describeError(err error, baseURL string) string {
	var he *herder.Error
	if errors.As(err, &he) {
		if he.Code == http.StatusUnauthorized {
			return fmt.Sprintf("%s (HTTP %d: the worker requires credentials; give them with --user NAME:PASSWORD or SLUICE_USER)", text(he.Message), he.Code)
		}
		return fmt.Sprintf("%s (HTTP %d)", text(he.Message), he.Code)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Sprintf("the worker at %s is not reachable: connection refused (is it running? set --url or SLUICE_URL)", baseURL)
		}
		return fmt.Sprintf("the worker at %s is not reachable: %v", baseURL, ue.Err)
	}
	return err.Error()
}

func (r *cliRun) list(ctx context.Context) error {
	m, err := r.c.ConnectorsExpanded(ctx, true, false)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(m)
	}
	if len(m) == 0 {
		// A sentence, as offsets get, tasks and topics print, rather
		// than a bare header.
		_, err := fmt.Fprintln(r.stdout, "No connectors.")
		return err
	}
	tw := r.table("NAME", "TYPE", "STATE", "TASKS")
	for _, name := range slices.Sorted(maps.Keys(m)) {
		st := m[name].Status
		if st == nil {
			continue
		}
		running := 0
		for _, t := range st.Tasks {
			if t.State == herder.Running {
				running++
			}
		}
		tw.row(name, string(st.Type), string(st.Connector.State), fmt.Sprintf("%d/%d", running, len(st.Tasks)))
	}
	return tw.flush()
}

func (r *cliRun) get(ctx context.Context) error {
	info, err := r.c.Connector(ctx, r.name)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(info)
	}
	tw := r.table("KEY", "VALUE")
	for _, k := range slices.Sorted(maps.Keys(info.Config)) {
		tw.row(k, info.Config[k])
	}
	return tw.flush()
}

func (r *cliRun) status(ctx context.Context) error {
	st, err := r.c.ConnectorStatus(ctx, r.name)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(st)
	}
	return r.printStatus(st)
}

// printStatus prints a connector line, the task table, then the traces of
// failed instances.
func (r *cliRun) printStatus(st herder.ConnectorStateInfo) error {
	w := r.stdout
	fmt.Fprintf(w, "Connector %s (%s): %s on %s\n", cell(st.Name), st.Type, st.Connector.State, cell(st.Connector.WorkerID))
	if len(st.Tasks) == 0 {
		fmt.Fprintln(w, "No tasks.")
	} else {
		fmt.Fprintln(w)
		tw := r.table("ID", "STATE", "WORKER")
		for _, t := range st.Tasks {
			tw.row(strconv.Itoa(t.ID), string(t.State), t.WorkerID)
		}
		if err := tw.flush(); err != nil {
			return err
		}
	}
	if st.Connector.Trace != "" {
		fmt.Fprintf(w, "\nConnector trace:\n%s\n", text(strings.TrimRight(st.Connector.Trace, "\n")))
	}
	for _, t := range st.Tasks {
		if t.Trace != "" {
			fmt.Fprintf(w, "\nTask %d trace:\n%s\n", t.ID, text(strings.TrimRight(t.Trace, "\n")))
		}
	}
	return nil
}

func (r *cliRun) create(ctx context.Context) error {
	req, err := loadCreateRequest(r.file, r.stdin)
	if err != nil {
		return err
	}
	info, err := r.c.CreateConnector(ctx, req)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(info)
	}
	_, err = fmt.Fprintf(r.stdout, "Created connector %s (%s).\n", cell(info.Name), info.Type)
	return err
}

func (r *cliRun) delete(ctx context.Context) error {
	return r.done(r.c.DeleteConnector(ctx, r.name), "Deleted connector %s.")
}

func (r *cliRun) pause(ctx context.Context) error {
	return r.done(r.c.Pause(ctx, r.name), "Pausing connector %s.")
}

func (r *cliRun) resume(ctx context.Context) error {
	return r.done(r.c.Resume(ctx, r.name), "Resuming connector %s.")
}

func (r *cliRun) stop(ctx context.Context) error {
	return r.done(r.c.Stop(ctx, r.name), "Stopping connector %s.")
}

func (r *cliRun) restart(ctx context.Context) error {
	if r.taskSet {
		err := r.c.RestartTask(ctx, r.name, r.task)
		return r.done(err, "Restarted task %s-"+strconv.Itoa(r.task)+".")
	}
	st, err := r.c.RestartConnector(ctx, r.name, r.includeTasks, r.onlyFailed)
	if err != nil {
		return err
	}
	if st == nil {
		return r.done(nil, "Restarted connector %s.")
	}
	if r.json {
		return r.printJSON(st)
	}
	return r.printStatus(*st)
}

// done reports an action whose answer has no body: msg (with the connector
// name for %s) in a table, nothing in JSON.
func (r *cliRun) done(err error, msg string) error {
	if err != nil || r.json {
		return err
	}
	_, err = fmt.Fprintf(r.stdout, msg+"\n", cell(r.name))
	return err
}

func (r *cliRun) offsetsGet(ctx context.Context) error {
	o, err := r.c.Offsets(ctx, r.name)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(o)
	}
	if len(o.Offsets) == 0 {
		_, err = fmt.Fprintf(r.stdout, "Connector %s has no offsets\n", cell(r.name))
		return err
	}
	tw := r.table("PARTITION", "OFFSET")
	for _, po := range o.Offsets {
		tw.row(compactJSON(po.Partition), compactJSON(po.Offset))
	}
	return tw.flush()
}

func (r *cliRun) offsetsSet(ctx context.Context) error {
	offsets, err := loadOffsets(r.file, r.stdin)
	if err != nil {
		return err
	}
	msg, err := r.c.AlterOffsets(ctx, r.name, offsets)
	return r.message(msg, err)
}

func (r *cliRun) offsetsReset(ctx context.Context) error {
	msg, err := r.c.ResetOffsets(ctx, r.name)
	return r.message(msg, err)
}

// message prints a Message answer.
func (r *cliRun) message(msg string, err error) error {
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(herder.Message{Message: msg})
	}
	_, err = fmt.Fprintln(r.stdout, text(msg))
	return err
}

func (r *cliRun) plugins(ctx context.Context) error {
	plugins, err := r.c.Plugins(ctx, !r.all)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(plugins)
	}
	tw := r.table("CLASS", "TYPE", "VERSION")
	for _, p := range plugins {
		tw.row(p.Class, p.Type, p.Version)
	}
	return tw.flush()
}

// loadOffsets reads a ConnectorOffsets document (or its bare "offsets"
// array) from a file, or from stdin if path is "-". Numbers are kept exact.
func loadOffsets(path string, stdin io.Reader) (herder.ConnectorOffsets, error) {
	var o herder.ConnectorOffsets
	b, err := readInput(path, stdin, `{"offsets":[{"partition":{…},"offset":{…}}]}`)
	if err != nil {
		return o, err
	}
	path = fileLabel(path)
	b = bytes.TrimSpace(b)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if len(b) > 0 && b[0] == '[' {
		err = dec.Decode(&o.Offsets)
	} else {
		err = dec.Decode(&o)
	}
	if err != nil {
		return o, fmt.Errorf(`read %s: want {"offsets":[{"partition":{…},"offset":{…}}]}: %w`, path, err)
	}
	return o, nil
}

// table is a text table: tab-separated cells, aligned on flush.
type table struct {
	tw  *tabwriter.Writer
	buf bytes.Buffer
	out io.Writer
}

// table starts a table with the given header.
func (r *cliRun) table(header ...string) *table {
	t := &table{out: r.stdout}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 8, 2, ' ', 0)
	fmt.Fprintln(t.tw, strings.Join(header, "\t"))
	return t
}

// row writes one row.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = cell(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

// flush aligns the table and prints it, without the padding an empty last
// cell leaves at the end of a line.
func (t *table) flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	lines := strings.SplitAfter(t.buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \n")
		if strings.HasSuffix(l, "\n") {
			lines[i] += "\n"
		}
	}
	_, err := io.WriteString(t.out, strings.Join(lines, ""))
	return err
}

// cell quotes a value that would break a table line or column, or that
// holds other control characters (a terminal escape sequence in a hostile
// status or trace) or bytes that are not UTF-8.
func cell(s string) string {
	if strings.IndexFunc(s, isControl) >= 0 || !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	return s
}

// isControl reports whether r is a C0 or C1 control character or DEL.
func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }

// text is a text of several lines (a trace, a worker's message) for the
// terminal: line breaks and tabs kept, other control characters and bytes
// that are not UTF-8 written as Go escapes them (\x1b), so that no escape
// sequence reaches the terminal.
func text(s string) string {
	clean := func(r rune) bool { return r != '\n' && r != '\t' && isControl(r) }
	if strings.IndexFunc(s, clean) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case clean(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// printJSON prints v as indented JSON, or as YAML with -o yaml (the same
// document: the YAML is made from the JSON, so keys and values match).
func (r *cliRun) printJSON(v any) error {
	if r.yaml {
		b, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Errorf("render YAML: %w", err)
		}
		_, err = r.stdout.Write(b)
		return err
	}
	enc := json.NewEncoder(r.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// compactJSON renders a partition or offset on one line, keys sorted.
func compactJSON(v map[string]any) string {
	if v == nil {
		return "null"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func (r *cliRun) tasks(ctx context.Context) error {
	tasks, err := r.c.Tasks(ctx, r.name)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(tasks)
	}
	if len(tasks) == 0 {
		_, err = fmt.Fprintf(r.stdout, "Connector %s has no tasks.\n", cell(r.name))
		return err
	}
	tw := r.table("TASK", "KEY", "VALUE")
	for _, t := range tasks {
		for _, k := range slices.Sorted(maps.Keys(t.Config)) {
			tw.row(strconv.Itoa(t.ID.Task), k, t.Config[k])
		}
	}
	return tw.flush()
}

func (r *cliRun) topics(ctx context.Context) error {
	topics, err := r.c.Topics(ctx, r.name)
	if err != nil {
		return err
	}
	if r.json {
		// Kafka Connect's shape: {"NAME":{"topics":[…]}}.
		type active struct {
			Topics []string `json:"topics"`
		}
		if topics == nil {
			topics = []string{}
		}
		return r.printJSON(map[string]active{r.name: {Topics: topics}})
	}
	if len(topics) == 0 {
		_, err = fmt.Fprintf(r.stdout, "Connector %s has used no topics yet.\n", cell(r.name))
		return err
	}
	tw := r.table("TOPIC")
	for _, t := range topics {
		tw.row(t)
	}
	return tw.flush()
}

// errInvalidConfig makes validate exit 1 once it has printed the errors.
var errInvalidConfig = errors.New("the configuration has errors")

func (r *cliRun) validate(ctx context.Context) error {
	req, err := loadConnectorFile(r.file, r.stdin)
	if err != nil {
		return err
	}
	class := req.Config["connector.class"]
	if strings.TrimSpace(class) == "" {
		return fmt.Errorf("read %s: no connector.class", fileLabel(r.file))
	}
	infos, err := r.c.Validate(ctx, class, req.Config)
	if err != nil {
		return err
	}
	if r.json {
		if err := r.printJSON(infos); err != nil {
			return err
		}
	} else if err := r.printValidation(infos); err != nil {
		return err
	}
	if infos.ErrorCount > 0 {
		return errInvalidConfig
	}
	return nil
}

// printValidation prints the keys with errors, one line per error, or that
// the configuration is valid.
func (r *cliRun) printValidation(infos herder.ConfigInfos) error {
	if infos.ErrorCount == 0 {
		_, err := fmt.Fprintf(r.stdout, "The configuration of %s is valid.\n", cell(infos.Name))
		return err
	}
	tw := r.table("KEY", "ERROR")
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		for _, e := range c.Value.Errors {
			tw.row(c.Value.Name, e)
		}
	}
	if err := tw.flush(); err != nil {
		return err
	}
	noun := "errors"
	if infos.ErrorCount == 1 {
		noun = "error"
	}
	_, err := fmt.Fprintf(r.stdout, "%d %s in the configuration of %s.\n", infos.ErrorCount, noun, cell(infos.Name))
	return err
}

func (r *cliRun) configSet(ctx context.Context) error {
	req, err := loadConnectorFile(r.file, r.stdin)
	if err != nil {
		return err
	}
	name := r.name
	switch {
	case name == "" && strings.TrimSpace(req.Name) == "":
		return fmt.Errorf("read %s: no connector name: give NAME or set \"name\"", fileLabel(r.file))
	case name == "":
		name = req.Name
	case req.Name != "" && req.Name != name:
		return fmt.Errorf("read %s: its name %q is not the connector %q", fileLabel(r.file), req.Name, name)
	}
	info, created, err := r.c.PutConnectorConfig(ctx, name, req.Config)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(info)
	}
	verb := "Updated"
	if created {
		verb = "Created"
	}
	_, err = fmt.Fprintf(r.stdout, "%s connector %s (%s).\n", verb, cell(info.Name), info.Type)
	return err
}

func (r *cliRun) configPatch(ctx context.Context) error {
	patch, err := loadPatch(r.file, r.stdin)
	if err != nil {
		return err
	}
	info, err := r.c.PatchConnectorConfig(ctx, r.name, patch)
	if err != nil {
		return err
	}
	if r.json {
		return r.printJSON(info)
	}
	_, err = fmt.Fprintf(r.stdout, "Patched connector %s (%s).\n", cell(info.Name), info.Type)
	return err
}

// loadPatch reads a configuration patch: a JSON object whose values are
// strings (set the key) or null (remove it), from a file or stdin ("-").
func loadPatch(path string, stdin io.Reader) (map[string]*string, error) {
	b, err := readInput(path, stdin, `a JSON object of "key": "value" or null`)
	if err != nil {
		return nil, err
	}
	src := fileLabel(path)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("read %s: not a JSON object: %w", src, err)
	}
	patch := make(map[string]*string, len(raw))
	for k, v := range raw {
		if jsonKind(v) == "null" {
			patch[k] = nil
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			// The value is not shown: it may be a secret.
			return nil, fmt.Errorf("read %s: value of %q must be a string or null, got %s", src, k, jsonKind(v))
		}
		patch[k] = &s
	}
	return patch, nil
}

// overview is what sluice status prints in JSON or YAML.
type overview struct {
	Worker     herder.ServerInfo                    `json:"worker"`
	Workers    []string                             `json:"workers"`
	Connectors map[string]herder.ConnectorStateInfo `json:"connectors"`
	// Metrics are each connector's tasks' figures, in the order of its
	// status's tasks.
	Metrics map[string][]taskFigures `json:"metrics"`
	// MetricsUnavailable says, by worker_id, why a worker's figures are
	// unknown.
	MetricsUnavailable map[string]string `json:"metrics_unavailable,omitempty"`
}

// overview prints sluice status: the worker answering, the workers the
// statuses name, a table of connectors and their tasks, and the failures.
func (r *cliRun) overview(ctx context.Context) error {
	info, err := r.c.ServerInfo(ctx)
	if err != nil {
		return err
	}
	m, err := r.c.ConnectorsExpanded(ctx, true, false)
	if err != nil {
		return err
	}
	o := overview{Worker: info, Workers: []string{}, Connectors: map[string]herder.ConnectorStateInfo{}}
	for name, e := range m {
		if e.Status != nil {
			o.Connectors[name] = *e.Status
		}
	}
	names := slices.Sorted(maps.Keys(o.Connectors))
	seen := map[string]bool{}
	addWorker := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			o.Workers = append(o.Workers, id)
		}
	}
	for _, name := range names {
		st := o.Connectors[name]
		addWorker(st.Connector.WorkerID)
		for _, t := range st.Tasks {
			addWorker(t.WorkerID)
		}
	}
	slices.Sort(o.Workers)
	o.Metrics, o.MetricsUnavailable = r.scraper.taskMetrics(ctx, r.c.BaseURL(), o.Connectors)
	if r.json {
		return r.printJSON(o)
	}
	w := r.stdout
	fmt.Fprintf(w, "Worker %s: version %s, commit %s, Kafka cluster %s\n", r.shownURL, cell(orDash(info.Version)), cell(orDash(info.Commit)), cell(orDash(info.KafkaClusterID)))
	if len(o.Workers) == 0 {
		fmt.Fprintln(w, "Workers running connectors or tasks: none")
	} else {
		fmt.Fprintf(w, "Workers running connectors or tasks (%d): %s\n", len(o.Workers), cell(strings.Join(o.Workers, ", ")))
	}
	fmt.Fprintln(w)
	if len(names) == 0 {
		_, err := fmt.Fprintln(w, "No connectors.")
		return err
	}
	tw := r.table("CONNECTOR", "TASK", "TYPE", "STATE", "WORKER", "LAG", "LAG MAX", "RECORDS", "ERRORS")
	var failures []string
	for _, name := range names {
		st := o.Connectors[name]
		// Empty cells to the end keep the columns aligned; flush drops
		// the padding they leave.
		tw.row(name, "-", string(st.Type), string(st.Connector.State), st.Connector.WorkerID, "", "", "", "")
		if st.Connector.Trace != "" {
			failures = append(failures, fmt.Sprintf("%s: %s", cell(name), firstLine(st.Connector.Trace)))
		}
		for i, t := range st.Tasks {
			f := o.Metrics[name][i]
			lag, lagMax := figure(f.Lag, f.Unavailable), figure(f.LagMax, f.Unavailable)
			if st.Type == herder.SourceType {
				lag, lagMax = "-", "-"
			}
			tw.row(name, strconv.Itoa(t.ID), string(st.Type), string(t.State), t.WorkerID,
				lag, lagMax, figure(f.Records, f.Unavailable), figure(f.Errors, f.Unavailable))
			if t.Trace != "" {
				failures = append(failures, fmt.Sprintf("%s task %d: %s", cell(name), t.ID, firstLine(t.Trace)))
			}
		}
	}
	if err := tw.flush(); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(o.MetricsUnavailable)) {
		fmt.Fprintf(w, "? worker %s %s\n", cell(id), cell(o.MetricsUnavailable[id]))
	}
	if len(failures) == 0 {
		_, err := fmt.Fprintln(w, "\nNo failures.")
		return err
	}
	fmt.Fprintln(w, "\nFailures (sluice connectors status NAME shows the whole trace):")
	for _, f := range failures {
		fmt.Fprintln(w, "  "+f)
	}
	return nil
}

// figure is a task's figure for the table: the number, "?" when its worker
// could not be asked, "-" when the worker does not give it.
func figure(v *int64, unavailable string) string {
	switch {
	case v != nil:
		return strconv.FormatInt(*v, 10)
	case unavailable != "":
		return "?"
	}
	return "-"
}

// orDash is s, or "-" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// firstLine is the first line of a trace, quoted if it holds other
// control characters.
func firstLine(trace string) string {
	line, _, _ := strings.Cut(trace, "\n")
	return cell(strings.TrimRight(line, "\r"))
}
