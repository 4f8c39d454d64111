package runtime

import (
	"context"
	"errors"
	"fmt"
	"github.com/sluicehq/sluice/internal/logging"
	"log/slog"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// restartPolicy is a connector's task.restart.* configuration: sluice's
// automatic restart of failed tasks.
type restartPolicy struct {
	enabled     bool
	initial     time.Duration
	max         time.Duration
	maxAttempts int // < 0: no limit
}

// restartResetAfter is how long a task must have run before its failure
// counts as a new series of restarts, as Kubernetes resets a container's
// crash-loop backoff after ten minutes of running.
const restartResetAfter = 10 * time.Minute

// delay returns the wait before restart number attempt (0-based).
func (p restartPolicy) delay(attempt int) time.Duration {
	d := p.initial
	for i := 0; i < attempt && d < p.max; i++ {
		d *= 2
	}
	return min(d, p.max)
}

// startTask builds the task and runs it on a goroutine; when it fails and
// the connector asks for automatic restarts, the goroutine builds and runs
// it again after a growing delay, until it is stopped.
func (w *Worker) startTask(id herder.TaskID, rawConn, rawTask map[string]string, target herder.TargetState) error {
	log := w.log.With("task", id.String())
	// The task runs the version of the connector plugin its connector's
	// configuration selects (connector.plugin.version).
	var version herder.PluginVersion
	if keys, err := w.resolveKeys(id.Connector, rawConn, ConnectorClass, ConnectorPluginVersion); err == nil {
		if p, err := w.plugins.LookupVersion(keys[ConnectorClass], keys[ConnectorPluginVersion], plugins.Source, plugins.Sink); err == nil {
			version = herder.PluginVersion(p.Version)
		}
	}
	metrics := newTaskMetrics(time.Now())
	state := newTaskState(target, func(st herder.State, note string) {
		metrics.reported(st)
		w.status.PutTask(id, herder.TaskState{ID: id.Task, State: st, WorkerID: w.ID(), Version: version, Trace: w.cfg.Secrets.String(note)})
	})
	state.metrics = metrics
	state.onWait = func(waiting bool, since time.Time, cause error) { w.taskWaits(id, waiting, since, cause) }
	run, restart, err := w.buildTaskSafely(id, rawConn, rawTask, state, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	tr := &taskRun{cancel: cancel, done: make(chan struct{}), state: state}
	w.mu.Lock()
	if old := w.tasks[id]; old != nil {
		w.mu.Unlock()
		cancel()
		return fmt.Errorf("task %s is already running", id)
	}
	w.tasks[id] = tr
	w.mu.Unlock()
	go func() {
		defer close(tr.done)
		defer w.taskWaits(id, false, time.Time{}, nil)
		attempt := 0
		for {
			began := time.Now()
			var err error
			if run == nil {
				run, _, err = w.buildTaskSafely(id, rawConn, rawTask, state, log)
			}
			if err == nil {
				// A panic the guards around the task's plugins did not catch
				// fails the task too.
				err = safe.Do("task "+id.String(), func() error { return run(ctx) })
				run = nil
				if err == nil {
					log.Info("task stopped")
					return
				}
			}
			if ctx.Err() != nil {
				// Failed while being stopped (say, its last writes could not
				// reach Kafka): as in Kafka Connect, only the log says so. A
				// FAILED written now could land after the UNASSIGNED the
				// herder writes, or after the RUNNING of a newer instance.
				log.Warn("the task failed while it was being stopped", "err", err)
				return
			}
			log.Error("task failed", "err", err)
			if time.Since(began) >= max(restart.max, restartResetAfter) {
				attempt = 0 // it ran long enough: start the backoff over
			}
			failed := herder.TaskState{ID: id.Task, State: herder.Failed, WorkerID: w.ID(), Version: version, Trace: w.Trace(err)}
			if !restart.enabled {
				metrics.reported(herder.Failed)
				w.status.PutTask(id, failed)
				return
			}
			if restart.maxAttempts >= 0 && attempt >= restart.maxAttempts {
				failed.Trace += fmt.Sprintf("\n\nsluice gave up restarting this task automatically after %d restarts in a row (task.restart.max.attempts).", attempt)
				metrics.reported(herder.Failed)
				w.status.PutTask(id, failed)
				return
			}
			delay := restart.delay(attempt)
			attempt++
			next := time.Now().Add(delay)
			failed.Trace += fmt.Sprintf("\n\nsluice restarts this task automatically in %v (restart %d%s).", delay.Round(time.Millisecond), attempt, ofMax(restart.maxAttempts))
			failed.AutoRestart = &herder.AutoRestart{Attempt: attempt, MaxAttempts: restart.maxAttempts, At: next.UTC()}
			metrics.reported(herder.Failed)
			w.status.PutTask(id, failed)
			log.Info("restarting failed task", "after", delay, "attempt", attempt)
			timer := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
			state.forget()
		}
	}()
	return nil
}

func ofMax(n int) string {
	if n < 0 {
		return ""
	}
	return fmt.Sprintf(" of at most %d", n)
}

// buildTaskSafely is buildTask with a panic in a plugin's constructor or
// Configure returned as the error.
func (w *Worker) buildTaskSafely(id herder.TaskID, rawConn, rawTask map[string]string, state *taskState, log *slog.Logger) (func(context.Context) error, restartPolicy, error) {
	var rp restartPolicy
	run, err := safe.Call("build task "+id.String(), func() (run func(context.Context) error, err error) {
		run, rp, err = w.buildTask(id, rawConn, rawTask, state, log)
		return run, err
	})
	return run, rp, err
}

// buildTask makes a task ready to run: its configuration resolved, its
// converters, transformations, error handling and Kafka clients.
func (w *Worker) buildTask(id herder.TaskID, rawConn, rawTask map[string]string, state *taskState, log *slog.Logger) (func(context.Context) error, restartPolicy, error) {
	var rp restartPolicy
	conn, plugin, err := w.newConnector(rawConn)
	if err != nil {
		return nil, rp, err
	}
	// The task's copy of the connector's configuration has its own owner of
	// secrets: a provider's value may have changed since the connector
	// started (a rotated file), and the connector's must stay scrubbed.
	connProps, err := w.resolve(id.String()+"/connector", conn, plugin, rawConn)
	if err != nil {
		return nil, rp, fmt.Errorf("task %s: %w", id, err)
	}
	taskProps, err := w.resolve(id.String(), conn, plugin, rawTask)
	if err != nil {
		return nil, rp, fmt.Errorf("task %s: %w", id, err)
	}
	if err := w.checkFiles(conn, taskProps); err != nil {
		return nil, rp, fmt.Errorf("task %s: %w", id, err)
	}
	fw, err := FrameworkDef(plugin.Kind).Parse(connProps)
	if err != nil {
		return nil, rp, fmt.Errorf("task %s: %w", id, err)
	}
	rp = restartPolicy{enabled: fw.Bool(TaskRestartEnable), initial: time.Duration(fw.Long(TaskRestartBackoffInitial)) * time.Millisecond,
		max: time.Duration(fw.Long(TaskRestartBackoffMax)) * time.Millisecond, maxAttempts: fw.Int(TaskRestartMaxAttempts)}
	conv, err := w.converters(connProps)
	if err != nil {
		return nil, rp, fmt.Errorf("task %s: %w", id, err)
	}
	conv = conv.guarded()
	ch, err := buildChain(w.plugins, connProps)
	if err != nil {
		return nil, rp, fmt.Errorf("task %s: %w", id, err)
	}
	errs := &errorHandler{policy: parseErrorPolicy(fw), id: id, log: log, metrics: state.metrics}
	// The task's own logger (its context's Logger, or SetLogger) names the
	// connector too, as the connector's does.
	pluginLog := log.With("connector", id.Connector)
	switch c := conn.(type) {
	case connectors.SourceConnector:
		task, err := newSourceTask(c, taskClass(c, plugin.Class), pluginLog)
		if err != nil {
			ch.close()
			return nil, rp, fmt.Errorf("task %s: %w", id, err)
		}
		ps, err := w.producerSettings("connector-producer-"+id.String(), connProps, log)
		if err != nil {
			ch.close()
			return nil, rp, fmt.Errorf("task %s: %w", id, err)
		}
		topics, err := w.sourceTopics(connProps, ps.MaxBlock, log)
		if err != nil {
			ch.close()
			return nil, rp, fmt.Errorf("task %s: %w", id, err)
		}
		// The producer's figures go to the task's metrics.
		ps.Sarama.MetricRegistry = newClientRegistry(state.metrics, ps.Sarama.ClientID)
		addrs := w.cfg.BootstrapServers
		connect := func(ctx context.Context, watch *kafka.Watch) (sourceProducer, error) {
			return kafka.NewProducer(ctx, addrs, ps.Sarama, watch)
		}
		st := &sourceTask{id: id, task: task, props: taskProps, conv: conv, connect: connect, active: w.topicTracker(id), topics: topics,
			offsets: w.offsets, flushEach: w.cfg.FlushInterval, drainFor: w.cfg.FlushTimeout, log: log, state: state, chain: ch, errs: errs,
			deliveryTimeout: ps.DeliveryTimeout, maxMessageBytes: ps.Sarama.Producer.MaxMessageBytes,
			taskLog: logging.Named(pluginLog, taskClass(c, plugin.Class)), metrics: state.metrics}
		return withClose(st.run, ch.close), rp, nil
	case connectors.SinkConnector:
		if state.metrics != nil {
			state.metrics.sink.Store(true)
		}
		topics := splitList(taskProps[Topics])
		if len(topics) == 0 {
			ch.close()
			return nil, rp, fmt.Errorf("task %s: sink connectors need the topics configuration", id)
		}
		task, err := newSinkTask(c, taskClass(c, plugin.Class), pluginLog)
		if err != nil {
			ch.close()
			return nil, rp, fmt.Errorf("task %s: %w", id, err)
		}
		var openDLQ func(context.Context, *kafka.Watch) (*deadLetterQueue, error)
		if dlqTopic := strings.TrimSpace(fw.String(DLQTopicName)); dlqTopic != "" {
			replication, headers := fw.Short(DLQTopicReplication), fw.Bool(DLQContextHeadersEnable)
			ps, err := w.producerSettings("connector-dlq-producer-"+id.String(), connProps, nil)
			if err != nil {
				ch.close()
				return nil, rp, fmt.Errorf("task %s: %w", id, err)
			}
			openDLQ = func(ctx context.Context, watch *kafka.Watch) (*deadLetterQueue, error) {
				return w.deadLetterQueue(ctx, watch, dlqTopic, replication, headers, ps.Sarama, connProps)
			}
		}
		props, err := w.clientProps(w.cfg.ConsumerProps, connProps, "consumer.override.")
		groupID := w.SinkGroupID(id.Connector, connProps)
		delete(props, "group.id")
		var ccfg *sarama.Config
		var batch int
		if err == nil {
			var ignored kafka.Ignored
			ccfg, batch, ignored, err = kafka.ConsumerConfig("connector-consumer-"+id.String(), props)
			warnIgnored(log, "consumer", ignored.Unsupported)
			WarnOtherProtocol(log, "consumer", prefixer("consumer."), ignored.OtherProtocol)
		}
		var group sarama.ConsumerGroup
		var client *kafka.AbortableClient
		if err == nil {
			// The consumer's figures go to the task's metrics.
			ccfg.MetricRegistry = newClientRegistry(state.metrics, ccfg.ClientID)
			// No broker is contacted here (kafka.ConsumerConfig leaves out the
			// initial metadata fetch): the task waits for Kafka as it runs.
			client, err = kafka.NewAbortableClient(w.cfg.BootstrapServers, ccfg)
			if err == nil {
				if group, err = sarama.NewConsumerGroupFromClient(groupID, client); err != nil {
					_ = client.Close()
				}
			}
			if err != nil {
				err = fmt.Errorf("create consumer group %s: %w", groupID, err)
			}
		}
		if err != nil {
			ch.close()
			return nil, rp, fmt.Errorf("task %s: %w", id, err)
		}
		st := &sinkTask{id: id, task: task, props: taskProps, conv: conv, group: group, topics: topics, active: w.topicTracker(id),
			flushEach: w.cfg.FlushInterval, drainFor: w.cfg.FlushTimeout, batchMax: batch, log: log, state: state, chain: ch, errs: errs,
			taskClass: taskClass(c, plugin.Class), openDLQ: openDLQ, groupID: groupID, client: client,
			taskLog: logging.Named(pluginLog, taskClass(c, plugin.Class)), metrics: state.metrics}
		return withClose(st.run, ch.close), rp, nil
	default:
		ch.close()
		return nil, rp, fmt.Errorf("task %s: %s is neither a source nor a sink connector", id, plugin.Class)
	}
}

func withClose(run func(context.Context) error, closeFn func()) func(context.Context) error {
	return func(ctx context.Context) error {
		defer closeFn()
		return run(ctx)
	}
}

// sourceTopics is what makes sure a source task's topics exist: with the
// connector's topic creation groups when the worker enables topic creation
// and the connector configuration uses it (Kafka Connect's rule), else
// only a wait, up to maxBlock, for a missing topic to appear.
func (w *Worker) sourceTopics(connProps map[string]string, maxBlock time.Duration, log *slog.Logger) (*sourceTopics, error) {
	st := &sourceTopics{maxBlock: maxBlock, log: log, admin: func(ctx context.Context, f func(sarama.ClusterAdmin) error) error {
		return w.connectorAdmin(ctx, connProps, f)
	}}
	switch {
	case !w.cfg.TopicCreation:
		st.whyNot = whyNotWorker
	case !usesTopicCreation(connProps):
		st.whyNot = whyNotConnector
	default:
		tc, err := parseTopicCreation(connProps, log)
		if err != nil {
			return nil, err
		}
		st.creation = tc
	}
	return st, nil
}

// producerSettings are the settings of a connector's producer: the
// worker's producer.* and the connector's producer.override.*. log, if
// not nil, hears of the keys ignored.
func (w *Worker) producerSettings(clientID string, connProps map[string]string, log *slog.Logger) (*kafka.ProducerSettings, error) {
	props, err := w.clientProps(w.cfg.ProducerProps, connProps, "producer.override.")
	if err != nil {
		return nil, err
	}
	ps, ignored, err := kafka.ProducerConfig(clientID, props)
	if err != nil {
		return nil, err
	}
	if log != nil {
		warnIgnored(log, "producer", ignored.Unsupported)
		WarnOtherProtocol(log, "producer", prefixer("producer."), ignored.OtherProtocol)
	}
	return ps, nil
}

// deadLetterQueue creates a sink task's dead letter queue: the topic, when
// missing (one partition, as Kafka Connect), and a producer with the
// worker's producer settings and the connector's overrides. While Kafka
// cannot be reached it waits, telling watch, until ctx ends.
func (w *Worker) deadLetterQueue(ctx context.Context, watch *kafka.Watch, topic string, replication int16, headers bool, pcfg *sarama.Config, connProps map[string]string) (*deadLetterQueue, error) {
	err := kafka.RetryWatched(ctx, watch, "create the dead letter queue topic "+topic, func() error {
		return w.connectorAdmin(ctx, connProps, func(admin sarama.ClusterAdmin) error {
			err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: replication}, false)
			if errors.Is(err, sarama.ErrTopicAlreadyExists) {
				return nil
			}
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("could not initialize dead letter queue with topic=%s: %w", topic, err)
	}
	client, err := kafka.NewWaitingClient(w.cfg.BootstrapServers, pcfg, watch)
	if err != nil {
		return nil, fmt.Errorf("create dead letter queue producer: %w", err)
	}
	var p sarama.SyncProducer
	err = kafka.RetryWatched(ctx, watch, "create the dead letter queue producer", func() (err error) {
		p, err = sarama.NewSyncProducerFromClient(client)
		return client.SecurityFailure(err)
	})
	if err != nil {
		client.Abort()
		return nil, fmt.Errorf("create dead letter queue producer: %w", err)
	}
	return &deadLetterQueue{topic: topic, headers: headers, producer: p, client: client}, nil
}
