// Package runtime is the worker: it runs connector instances and their
// source and sink tasks, converts records, and tracks and commits offsets
// under the data-integrity rules of ARCHITECTURE.md.
package runtime

import (
	"context"
	"fmt"
	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/internal/logging"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// Worker runs connectors and tasks on this process. A herder tells it what
// to run; the worker reports states to the status store.
type Worker struct {
	cfg     *WorkerConfig
	plugins *plugins.Registry
	offsets storage.OffsetStore
	status  storage.StatusStore
	log     *slog.Logger

	mu          sync.Mutex
	connectors  map[string]*connectorRun
	tasks       map[herder.TaskID]*taskRun
	topicEpochs map[string]*atomic.Int64 // bumped when a connector's active topics are reset
	// adminMu guards admin, created on first use; not under mu, since
	// creating it waits for Kafka.
	adminMu sync.Mutex
	admin   sarama.ClusterAdmin

	clusterMu sync.Mutex
	clusterID string // read from Kafka on first use

	waitMu sync.Mutex
	waits  map[herder.TaskID]kafkaWait // tasks waiting for Kafka now

	histMu sync.Mutex
	hist   *historySampler // nil until StartMetricsHistory

	startups   startupCounts
	connStatus map[string]ConnectorSnapshot // under mu: connectors for ConnectorMetrics
}

// kafkaWait is a task's wait for Kafka: since when, and why.
type kafkaWait struct {
	since time.Time
	cause error
}

type connectorRun struct {
	conn   connectors.Connector
	plugin plugins.Plugin
	props  map[string]string // resolved
	raw    map[string]string // as submitted, with config provider variables
}

type taskRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	state  *taskState
}

// NewWorker returns a worker that runs plugins from reg.
func NewWorker(cfg *WorkerConfig, reg *plugins.Registry, offsets storage.OffsetStore, status storage.StatusStore, log *slog.Logger) *Worker {
	return &Worker{cfg: cfg, plugins: reg, offsets: offsets, status: status, log: log,
		connectors: map[string]*connectorRun{}, tasks: map[herder.TaskID]*taskRun{}, topicEpochs: map[string]*atomic.Int64{},
		waits: map[herder.TaskID]kafkaWait{}, connStatus: map[string]ConnectorSnapshot{}}
}

// taskWaits records whether a task is waiting for Kafka, for WaitNote.
func (w *Worker) taskWaits(id herder.TaskID, waiting bool, since time.Time, cause error) {
	w.waitMu.Lock()
	defer w.waitMu.Unlock()
	if waiting {
		w.waits[id] = kafkaWait{since: since, cause: cause}
	} else {
		delete(w.waits, id)
	}
}

// WaitNote says which of this worker's tasks wait for Kafka, since when
// and why, or "" when none does. GET /health adds it to its message.
func (w *Worker) WaitNote() string {
	w.waitMu.Lock()
	defer w.waitMu.Unlock()
	if len(w.waits) == 0 {
		return ""
	}
	var first herder.TaskID
	var oldest kafkaWait
	for id, kw := range w.waits {
		if oldest.since.IsZero() || kw.since.Before(oldest.since) || (kw.since.Equal(oldest.since) && id.String() < first.String()) {
			first, oldest = id, kw
		}
	}
	return fmt.Sprintf("%d task(s) wait for Kafka, %s the longest (since %s): %v",
		len(w.waits), first, oldest.since.UTC().Format(time.RFC3339), oldest.cause)
}

// CheckConverters builds and configures the worker's default converters,
// so that a bad class or setting stops start-up instead of failing every
// task later.
func (w *Worker) CheckConverters() error {
	_, err := safe.Call("configuring the worker's converters", func() (converters, error) { return w.converters(nil) })
	return err
}

// ID returns the worker id shown in statuses (advertised host:port).
func (w *Worker) ID() string { return w.cfg.WorkerID }

// Config returns the worker configuration.
func (w *Worker) Config() *WorkerConfig { return w.cfg }

// ValidateConnectorConfig validates a connector configuration with this
// worker's plugins and config providers, and its limits: a configuration
// larger than connector.config.max.bytes is a 413, a tasks.max above
// tasks.max.limit an error on tasks.max. A panic in a plugin's code
// (Validate, Config, a transformation's Configure…) is a 500 naming the
// class, not a crash.
func (w *Worker) ValidateConnectorConfig(props map[string]string) (herder.ConfigInfos, plugins.Kind, error) {
	if err := w.checkConfigSize(props); err != nil {
		return herder.ConfigInfos{}, "", err
	}
	var kind plugins.Kind
	what := "validating a " + strings.TrimSpace(props[ConnectorClass]) + " configuration"
	infos, err := safe.Call(what, func() (infos herder.ConfigInfos, err error) {
		infos, kind, err = ValidateConnectorConfig(w.plugins, w.cfg.Providers, props)
		if err == nil {
			infos.ErrorCount += w.checkFilesValid(props, &infos)
			// The version keys' values, like every other's, are checked
			// resolved; the errors show no value a provider gave.
			resolved, _, secrets := resolveEach(w.cfg.Providers, props)
			infos.ErrorCount += checkPluginVersions(w.plugins, resolved, w.cfg, &infos, secrets)
			if !connectorNotLoaded(&infos) {
				w.showConverterDefaults(props, &infos)
			}
		}
		return infos, err
	})
	if err == nil {
		infos.ErrorCount += w.checkTasksMaxLimit(&infos)
		infos.ErrorCount += w.checkOverridePolicy(&infos)
		infos.ErrorCount += w.checkTopicCreation(kind, props, &infos)
	}
	return infos, kind, err
}

// ValidateConnectorConfigLive is ValidateConnectorConfig for the REST API's
// config/validate endpoint: when the configuration has no error and the
// connector is a connectors.LiveValidator, its checks against the external
// system are added (see LiveValidator for why only here).
func (w *Worker) ValidateConnectorConfigLive(ctx context.Context, props map[string]string) (herder.ConfigInfos, error) {
	infos, _, err := w.ValidateConnectorConfig(props)
	if err != nil || infos.ErrorCount > 0 {
		return infos, err
	}
	what := "validating a " + strings.TrimSpace(props[ConnectorClass]) + " configuration against its external system"
	err = safe.Do(what, func() error { return validateLive(ctx, w.plugins, w.cfg.Providers, props, &infos) })
	return infos, err
}

// CheckConnectorConfig applies Kafka Connect's name rule to a connector
// configuration (its name, if any, must be the connector's; it is added
// when absent) and validates it; it returns cfg with the name, or the 400
// listing every invalid key.
func (w *Worker) CheckConnectorConfig(name string, cfg map[string]string) (map[string]string, error) {
	if n, ok := cfg[ConnectorName]; ok && strings.TrimSpace(n) != name {
		return nil, herder.BadRequest("Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, name)
	}
	cfg[ConnectorName] = name
	infos, _, err := w.ValidateConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	return cfg, herder.InvalidConfig(infos)
}

// ConnectorType tells a source from a sink by a configuration's
// connector class; unknown if the class is not installed.
func (w *Worker) ConnectorType(cfg map[string]string) herder.ConnectorType {
	p, err := w.plugins.Lookup(cfg[ConnectorClass], plugins.Source, plugins.Sink)
	switch {
	case err != nil:
		return herder.UnknownType
	case p.Kind == plugins.Sink:
		return herder.SinkType
	}
	return herder.SourceType
}

// Plugins returns the plugin registry.
func (w *Worker) Plugins() *plugins.Registry { return w.plugins }

// connectorContext forwards a connector's requests to the herder.
type connectorContext struct {
	reconfigure func()
	fail        func(error)
	log         *slog.Logger
}

func (c connectorContext) Logger() *slog.Logger { return orDiscard(c.log) }

// orDiscard returns log, or a logger that discards everything when log is
// nil (a task built by a test without one).
func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}

func (c connectorContext) RequestTaskReconfiguration() { c.reconfigure() }
func (c connectorContext) RaiseError(err error)        { c.fail(err) }

// StartConnector starts a connector instance. reconfigure is called when the
// connector asks for new task configurations. A failure to start, a panic
// in the connector's code included, is reported as FAILED status and
// returned.
func (w *Worker) StartConnector(ctx context.Context, name string, raw map[string]string, target herder.TargetState, reconfigure func()) error {
	err := safe.Do("start connector "+name, func() error { return w.startConnector(ctx, name, raw, reconfigure) })
	w.startups.countStartup(false, err)
	if err != nil {
		w.connectorStatus(name, herder.Failed, raw)
		w.connectorFailed(name, err)
		return err
	}
	state := herder.Running
	if target == herder.TargetPaused {
		state = herder.Paused
	}
	w.connectorStatus(name, state, raw)
	w.status.PutConnector(name, herder.ConnectorState{State: state, WorkerID: w.ID(), Version: w.connectorVersion(name)})
	return nil
}

// newConnector makes an instance of the connector class and version
// (connector.plugin.version) a configuration names; a version that none
// installed satisfies is an error naming the key.
// Both keys are read with their config provider variables resolved, as
// validation reads them.
func (w *Worker) newConnector(raw map[string]string) (connectors.Connector, plugins.Plugin, error) {
	keys, err := w.resolveKeys(raw[ConnectorName], raw, ConnectorClass, ConnectorPluginVersion)
	if err != nil {
		return nil, plugins.Plugin{}, err
	}
	class, version := keys[ConnectorClass], keys[ConnectorPluginVersion]
	conn, plugin, err := w.plugins.NewConnectorVersion(class, version)
	if err != nil && strings.TrimSpace(version) != "" && versionProblem(w.plugins, class, err, plugins.Source, plugins.Sink) {
		return nil, plugins.Plugin{}, fmt.Errorf("%s: %w", ConnectorPluginVersion, err)
	}
	return conn, plugin, err
}

// connectorVersion returns the version of the connector plugin running
// here as name, "" when none runs.
func (w *Worker) connectorVersion(name string) herder.PluginVersion {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.connectors[name]; c != nil {
		return herder.PluginVersion(c.plugin.Version)
	}
	return ""
}

func (w *Worker) startConnector(ctx context.Context, name string, raw map[string]string, reconfigure func()) error {
	conn, plugin, err := w.newConnector(raw)
	if err != nil {
		return err
	}
	props, err := w.resolve(name, conn, plugin, raw)
	if err != nil {
		return fmt.Errorf("start connector %s: %w", name, err)
	}
	if err := w.checkFiles(conn, props); err != nil {
		return fmt.Errorf("start connector %s: %w", name, err)
	}
	if plugin.Kind == plugins.Source && w.cfg.TopicCreation && usesTopicCreation(props) {
		// Kafka Connect's Worker.startConnector reads the topic creation
		// groups, failing the connector on a bad one.
		if _, err := parseTopicCreation(props, w.log.With("connector", name)); err != nil {
			return fmt.Errorf("start connector %s: %w", name, err)
		}
	}
	w.log.Info("starting connector", "connector", name, "class", plugin.Class, "config", javafmt.Props(w.masked(conn, plugin, raw)))
	cc := connectorContext{reconfigure: reconfigure, fail: func(err error) { w.connectorFailed(name, err) },
		log: logging.Named(w.log.With("connector", name), plugin.Class)}
	if err := setLogger(conn, plugin.Class, w.log.With("connector", name)); err != nil {
		return fmt.Errorf("start connector %s: %w", name, err)
	}
	guarded := guardedConnector{Connector: conn, class: plugin.Class}
	if err := guarded.Start(ctx, cc, maps.Clone(props)); err != nil {
		return fmt.Errorf("start connector %s: %w", name, err)
	}
	w.mu.Lock()
	w.connectors[name] = &connectorRun{conn: guarded, plugin: plugin, props: props, raw: maps.Clone(raw)}
	w.mu.Unlock()
	w.log.Info("connector started", "connector", name, "class", plugin.Class)
	return nil
}

// ConnectorRunning reports whether a connector instance runs here.
func (w *Worker) ConnectorRunning(name string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.connectors[name] != nil
}

func (w *Worker) connectorFailed(name string, err error) {
	w.connectorStatus(name, herder.Failed, nil)
	w.log.Error("connector failed", "connector", name, "err", err)
	w.status.PutConnector(name, herder.ConnectorState{State: herder.Failed, WorkerID: w.ID(), Version: w.connectorVersion(name), Trace: w.Trace(err)})
}

// Trace renders an error as the status trace. Go errors carry no stack
// trace, and a wrapped error's message already holds its causes, so the
// message is the trace, with the secrets this worker knows hidden.
func (w *Worker) Trace(err error) string { return w.cfg.Secrets.String(err.Error()) }

// TaskConfigs asks a running connector for its task configurations and adds
// what the framework puts in every task configuration.
func (w *Worker) TaskConfigs(name string) ([]map[string]string, error) {
	w.mu.Lock()
	run := w.connectors[name]
	w.mu.Unlock()
	if run == nil {
		return nil, fmt.Errorf("connector %s is not running on this worker", name)
	}
	max, err := w.taskCount(name, run.props)
	if err != nil {
		return nil, err
	}
	cfgs, err := run.conn.TaskConfigs(max)
	if err != nil {
		return nil, fmt.Errorf("task configs of connector %s: %w", name, err)
	}
	if err := w.checkTaskCount(name, run.props, len(cfgs), max); err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(cfgs))
	for i, c := range cfgs {
		c = maps.Clone(c)
		if c == nil {
			c = map[string]string{}
		}
		c["task.class"] = taskClass(run.conn, run.plugin.Class)
		// Kafka Connect's Worker.connectorTaskConfigs copies topics and
		// topics.regex from the connector's configuration whatever the
		// connector's kind.
		for _, k := range []string{Topics, TopicsRegex} {
			if v, ok := run.props[k]; ok {
				c[k] = v
			}
		}
		// Task configurations are stored and shown: put the variables
		// back where the connector copied resolved values (Kafka
		// Connect's reverseTransform).
		out[i] = w.cfg.Providers.Reverse(run.raw, c)
	}
	return out, nil
}

// taskClass names a connector's task class: what a
// connectors.TaskClassNamer says, else as Kafka Connect's built-ins do:
// FileStreamSourceConnector → FileStreamSourceTask.
func taskClass(conn connectors.Connector, connectorClass string) string {
	if g, ok := conn.(guardedConnector); ok {
		conn = g.Connector
	}
	if n, ok := conn.(connectors.TaskClassNamer); ok {
		name, err := safe.CallMethod(connectorClass, "TaskClass", func() (string, error) { return n.TaskClass(), nil })
		if err == nil && name != "" {
			return name
		}
	}
	if s, ok := strings.CutSuffix(connectorClass, "Connector"); ok {
		return s + "Task"
	}
	return connectorClass + "Task"
}

// StopConnector stops a connector instance (not its tasks).
func (w *Worker) StopConnector(ctx context.Context, name string) {
	w.mu.Lock()
	run := w.connectors[name]
	delete(w.connectors, name)
	delete(w.connStatus, name)
	w.mu.Unlock()
	if run == nil {
		return
	}
	if err := run.conn.Stop(ctx); err != nil {
		w.log.Warn("stop connector", "connector", name, "err", err)
	}
	w.log.Info("connector stopped", "connector", name)
}

// SetConnectorTarget applies a target state to a running connector and its
// tasks on this worker.
func (w *Worker) SetConnectorTarget(name string, target herder.TargetState) {
	w.mu.Lock()
	c, running := w.connectors[name]
	var states []*taskState
	for id, t := range w.tasks {
		if id.Connector == name {
			states = append(states, t.state)
		}
	}
	w.mu.Unlock()
	if running || len(states) > 0 {
		w.log.Info("Setting connector "+name+" state to "+string(target), "connector", name)
	}
	if running {
		st := herder.Running
		if target == herder.TargetPaused {
			st = herder.Paused
		}
		w.connectorStatus(name, st, nil)
		w.status.PutConnector(name, herder.ConnectorState{State: st, WorkerID: w.ID(), Version: herder.PluginVersion(c.plugin.Version)})
	}
	for _, s := range states {
		s.setTarget(target)
	}
}

// StartTask starts a task with its task configuration; connProps is the
// connector's configuration (for converters and client overrides), and
// tasks the number of task configurations the connector has stored. As in
// Kafka Connect, a task of a set larger than tasks.max fails to start
// unless tasks.max.enforce is false (and one larger than tasks.max.limit
// always does).
func (w *Worker) StartTask(id herder.TaskID, connProps, taskProps map[string]string, tasks int, target herder.TargetState) error {
	err := w.checkStoredTaskCount(id.Connector, connProps, tasks)
	if err == nil {
		err = w.startTask(id, connProps, taskProps, target)
	}
	w.startups.countStartup(true, err)
	if err != nil {
		w.log.Error("task failed to start", "task", id.String(), "err", err)
		w.status.PutTask(id, herder.TaskState{ID: id.Task, State: herder.Failed, WorkerID: w.ID(), Trace: w.Trace(err)})
	}
	return err
}

func warnIgnored(log *slog.Logger, client string, keys []string) {
	if len(keys) > 0 {
		log.Warn("Kafka client settings sluice does not support were ignored", "client", client, "keys", keys)
	}
}

// converters builds a task's converters: the connector's own when its
// configuration names them, else the worker's, each with its own settings.
func (w *Worker) converters(connProps map[string]string) (converters, error) {
	var c converters
	var err error
	for _, x := range []struct {
		key    string
		isKey  bool
		header bool
	}{{KeyConverter, true, false}, {ValueConverter, false, false}, {HeaderConverter, false, true}} {
		class, props := connProps[x.key], prefixed(connProps, x.key+".")
		version := connProps[converterVersionKey(x.key)]
		if strings.TrimSpace(class) == "" {
			class, props = w.cfg.Values.Class(x.key), w.cfg.Values.OriginalsWithPrefix(x.key+".")
			// The connector's version key applies to the worker's
			// converter too; unset, the worker's does.
			if strings.TrimSpace(version) == "" {
				version = props[pluginVersionSuffix]
			}
		}
		// The version key selects the plugin; it is not the converter's.
		delete(props, pluginVersionSuffix)
		kinds := []plugins.Kind{plugins.Converter}
		if x.header {
			kinds = append(kinds, plugins.HeaderConverter)
		}
		name := strings.TrimSpace(class)
		if p, lerr := w.plugins.Lookup(class, kinds...); lerr == nil {
			name = p.Class
		}
		if x.header {
			c.headerClass = name
			hc, _, herr := w.plugins.NewHeaderConverterVersion(class, version)
			if herr != nil {
				return c, fmt.Errorf("%s: %w", converterKeyOf(w.plugins, x.key, class, herr, kinds), herr)
			}
			if err = hc.ConfigureHeader(props); err != nil {
				return c, fmt.Errorf("configure %s %s: %w", x.key, class, err)
			}
			c.header = hc
			continue
		}
		conv, _, cerr := w.plugins.NewConverterVersion(class, version)
		if cerr != nil {
			return c, fmt.Errorf("%s: %w", converterKeyOf(w.plugins, x.key, class, cerr, kinds), cerr)
		}
		if err = conv.Configure(props, x.isKey); err != nil {
			return c, fmt.Errorf("configure %s %s: %w", x.key, class, err)
		}
		if x.isKey {
			c.key, c.keyClass = conv, name
		} else {
			c.value, c.valueClass = conv, name
		}
	}
	return c, nil
}

func prefixed(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// StopTasks stops tasks and waits for each to drain (flush and commit), at
// most the worker's task.shutdown.graceful.timeout.ms plus its offset flush
// timeout.
func (w *Worker) StopTasks(ids []herder.TaskID) {
	var runs []*taskRun
	w.mu.Lock()
	for _, id := range ids {
		if t := w.tasks[id]; t != nil {
			runs = append(runs, t)
			delete(w.tasks, id)
		}
	}
	w.mu.Unlock()
	for _, t := range runs {
		// A stopping task reports no more states: the herder reports what
		// becomes of it (UNASSIGNED, or nothing once it moved on).
		t.state.close()
		t.cancel()
	}
	deadline := time.After(w.cfg.ShutdownTimeout + w.cfg.FlushTimeout)
	for _, t := range runs {
		select {
		case <-t.done:
		case <-deadline:
			w.log.Warn("tasks did not stop in time; abandoning them", "timeout", w.cfg.ShutdownTimeout+w.cfg.FlushTimeout)
			return
		}
	}
}

// Tasks returns the ids of the tasks of a connector running here.
func (w *Worker) Tasks(connector string) []herder.TaskID {
	w.mu.Lock()
	defer w.mu.Unlock()
	var ids []herder.TaskID
	for id := range w.tasks {
		if id.Connector == connector {
			ids = append(ids, id)
		}
	}
	return ids
}

// Stop stops every task and connector, draining tasks first (rule 7).
func (w *Worker) Stop(ctx context.Context) {
	w.stopMetricsHistory()
	w.mu.Lock()
	ids := make([]herder.TaskID, 0, len(w.tasks))
	for id := range w.tasks {
		ids = append(ids, id)
	}
	names := make([]string, 0, len(w.connectors))
	for n := range w.connectors {
		names = append(names, n)
	}
	w.mu.Unlock()
	w.StopTasks(ids)
	for _, n := range names {
		w.StopConnector(ctx, n)
	}
	w.adminMu.Lock()
	admin := w.admin
	w.admin = nil
	w.adminMu.Unlock()
	if admin != nil {
		_ = admin.Close()
	}
}

// SinkGroupID is the consumer group of a sink connector: connect-<name>,
// or consumer.override.group.id where the override policy allows it.
func (w *Worker) SinkGroupID(connector string, connProps map[string]string) string {
	if g := strings.TrimSpace(connProps["consumer.override.group.id"]); g != "" && w.overrideAllowed("group.id") {
		return g
	}
	return "connect-" + connector
}

// topicTracker returns a tracker recording a task's active topics in the
// status store, or a disabled one when topic.tracking.enable is false.
func (w *Worker) topicTracker(id herder.TaskID) *topicTracker {
	connector := id.Connector
	w.mu.Lock()
	defer w.mu.Unlock()
	e := w.topicEpochs[connector]
	if e == nil {
		e = new(atomic.Int64)
		w.topicEpochs[connector] = e
	}
	var record func(string)
	if w.cfg.TopicTracking {
		record = func(topic string) { w.status.PutTopic(connector, topic, id.Task) }
	}
	return newTopicTracker(e, record)
}

// ResetTopics forgets a connector's active topics; its running tasks record
// topics again as they use them.
func (w *Worker) ResetTopics(connector string) {
	w.mu.Lock()
	e := w.topicEpochs[connector]
	w.mu.Unlock()
	w.status.DeleteTopics(connector)
	if e != nil {
		e.Add(1)
	}
}

// masked renders a connector configuration for logs: values of secret keys
// (config.IsSecret: by name, or PASSWORD in the framework's, the
// transformations' or the connector's definition) are [hidden], and long
// values are cut short (see shortened).
func (w *Worker) masked(conn connectors.Connector, plugin plugins.Plugin, props map[string]string) map[string]string {
	return shortened(config.MaskSecrets(props, w.secretDefs(conn, plugin, props)...))
}

// secretDefs are the definitions whose PASSWORD keys are secrets in a
// connector configuration.
func (w *Worker) secretDefs(conn connectors.Connector, plugin plugins.Plugin, props map[string]string) []*config.Def {
	return []*config.Def{enrich(w.plugins, FrameworkDef(plugin.Kind), props), conn.Config()}
}

// resolveKeys returns the keys of raw named (those it has) with their
// config provider variables resolved, for what the worker reads before it
// resolves a whole configuration; the values the providers gave become
// secrets of owner.
func (w *Worker) resolveKeys(owner string, raw map[string]string, names ...string) (map[string]string, error) {
	keys := make(map[string]string, len(names))
	for _, k := range names {
		if v, ok := raw[k]; ok {
			keys[k] = v
		}
	}
	props, values, err := w.cfg.Providers.Resolve(keys)
	if err != nil {
		return nil, err
	}
	w.cfg.Secrets.Add(owner, values...)
	return props, nil
}

// resolve resolves the config provider variables of raw, a configuration
// of conn, and makes the values the providers gave and the values of its
// secret keys the secrets of owner (a connector or a task), to be scrubbed
// from logs, traces and errors from now on.
func (w *Worker) resolve(owner string, conn connectors.Connector, plugin plugins.Plugin, raw map[string]string) (map[string]string, error) {
	props, values, err := w.cfg.Providers.Resolve(raw)
	if err != nil {
		return nil, err
	}
	defs := w.secretDefs(conn, plugin, props)
	for k, v := range props {
		if config.IsSecret(k, defs...) {
			values = append(values, v)
		}
	}
	values = append(values, embeddedSecrets(conn, props)...)
	w.cfg.Secrets.Put(owner, values...)
	return props, nil
}

// embeddedSecrets returns what a connectors.SecretHolder finds in props
// (nothing when conn is not one, or when it panics: the panic is not the
// caller's failure, and its message may hold the very secrets).
func embeddedSecrets(conn connectors.Connector, props map[string]string) []string {
	sh, ok := conn.(connectors.SecretHolder)
	if !ok {
		return nil
	}
	vals, _ := safe.Call("EmbeddedSecrets", func() ([]string, error) { return sh.EmbeddedSecrets(props), nil })
	return vals
}
