package runtime

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/runtime/herder"
)

// The worker's limits on what it accepts (tasks.max.limit,
// connector.config.max.bytes, connectors.max). A zero in WorkerConfig
// means the default, so that a hand-built configuration is usable.

func (w *Worker) tasksMaxLimit() int { return orDefault(w.cfg.TasksMaxLimit, DefaultTasksMaxLimit) }

// ConfigMaxBytes is the largest connector configuration this worker
// accepts, in bytes of its keys and values (connector.config.max.bytes).
func (w *Worker) ConfigMaxBytes() int {
	return orDefault(w.cfg.ConfigMaxBytes, DefaultConnectorConfigMaxBytes)
}

func (w *Worker) connectorsMax() int { return orDefault(w.cfg.ConnectorsMax, DefaultConnectorsMax) }

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// ConfigSize is the size of a connector configuration as
// connector.config.max.bytes counts it: the bytes of its keys and values.
func ConfigSize(cfg map[string]string) int {
	n := 0
	for k, v := range cfg {
		n += len(k) + len(v)
	}
	return n
}

// checkConfigSize refuses, with 413, a connector configuration larger than
// connector.config.max.bytes.
func (w *Worker) checkConfigSize(cfg map[string]string) error {
	if n, limit := ConfigSize(cfg), w.ConfigMaxBytes(); n > limit {
		return herder.TooLarge("The connector configuration has %d bytes of keys and values, more than the %d this worker accepts; "+
			"shorten it, or raise %s in the worker configuration", n, limit, ConnectorConfigMaxBytes)
	}
	return nil
}

// CheckNewConnector refuses, with 400, to add a connector to the existing
// ones when they already number connectors.max. scope names what holds
// them in the message: "worker" or "cluster".
func (w *Worker) CheckNewConnector(existing int, scope string) error {
	if limit := w.connectorsMax(); existing >= limit {
		return herder.BadRequest("This %s already has %d connectors, the most %s=%d allows; delete one, or raise %s in the worker configuration",
			scope, existing, ConnectorsMax, limit, ConnectorsMax)
	}
	return nil
}

// checkTasksMaxLimit adds an error to the tasks.max entry of validation
// results whose value is above tasks.max.limit, and returns the number of
// errors added (0 or 1). A value that does not parse was reported already.
func (w *Worker) checkTasksMaxLimit(infos *herder.ConfigInfos) int {
	limit := w.tasksMaxLimit()
	for _, c := range infos.Configs {
		if c.Value == nil || c.Value.Name != TasksMax || c.Value.Value == nil || len(c.Value.Errors) > 0 {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(*c.Value.Value), 10, 64)
		if err != nil || n <= int64(limit) {
			return 0
		}
		c.Value.Errors = append(c.Value.Errors, "Invalid value "+*c.Value.Value+" for configuration "+TasksMax+
			": Value must be no more than "+strconv.Itoa(limit)+", this worker's "+TasksMaxLimit)
		return 1
	}
	return 0
}

// taskCount reads a running connector's tasks.max and refuses one above
// tasks.max.limit, before the connector is asked for task configurations:
// a connector may allocate per requested task.
func (w *Worker) taskCount(name string, props map[string]string) (int, error) {
	s, ok := props[TasksMax]
	if !ok || strings.TrimSpace(s) == "" {
		return 1, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("Invalid value %s for configuration %s: must be an integer of at least 1", s, TasksMax)
	}
	if limit := w.tasksMaxLimit(); n > int64(limit) {
		return 0, fmt.Errorf("Connector %s has %s=%s, more than this worker's %s of %d: lower %s in the connector configuration, or raise %s in the worker configuration",
			name, TasksMax, strings.TrimSpace(s), TasksMaxLimit, limit, TasksMax, TasksMaxLimit)
	}
	return int(n), nil
}

// checkTaskCount applies tasks.max.enforce to the task configurations a
// connector generated (Kafka Connect's Worker.checkTasksMax): more than
// tasks.max fails the connector unless tasks.max.enforce is false, and then
// is only logged. More than tasks.max.limit always fails it.
func (w *Worker) checkTaskCount(name string, props map[string]string, generated, max int) error {
	if generated <= max {
		return nil
	}
	if generated > w.tasksMaxLimit() {
		return fmt.Errorf("The connector %s has generated %d tasks, more than this worker's %s of %d", name, generated, TasksMaxLimit, w.tasksMaxLimit())
	}
	if strings.EqualFold(strings.TrimSpace(props[TasksMaxEnforce]), "false") {
		w.log.Warn("The connector has generated more tasks than tasks.max, the maximum number of tasks it is configured to create. "+
			"This behavior should be considered a bug; please report it to the maintainers of the connector.",
			"connector", name, "tasks", generated, "tasks.max", max)
		return nil
	}
	// Kafka Connect's TooManyTasksException.
	return fmt.Errorf("The connector %s has generated %d tasks, which is greater than %d, the maximum number of tasks it is configured to create. "+
		"This behaviour should be considered a bug and is disallowed. If necessary, it can be permitted by reconfiguring the connector with '%s' "+
		"set to false; however, this option will be removed in a future release of Kafka Connect.", name, generated, max, TasksMaxEnforce)
}

// checkStoredTaskCount applies checkTaskCount at a task's start to the set
// of task configurations stored for its connector, as Kafka Connect's
// Worker does: a set written before tasks.max was lowered, or by a worker
// that did not enforce it, fails its tasks unless tasks.max.enforce is
// false. connProps is the stored configuration: the config provider
// variables of both keys are resolved first, as the connector read them
// (the values the providers gave are the connector's secrets already).
func (w *Worker) checkStoredTaskCount(name string, connProps map[string]string, tasks int) error {
	props, err := w.resolveKeys(name, connProps, TasksMax, TasksMaxEnforce)
	if err != nil {
		return fmt.Errorf("connector %s: %w", name, err)
	}
	max, err := w.taskCount(name, props)
	if err != nil {
		return err
	}
	return w.checkTaskCount(name, props, tasks, max)
}

// maxLoggedValue is the longest configuration value written to a log line
// whole.
const maxLoggedValue = 1024

// shortened cuts values longer than maxLoggedValue bytes, in place, to
// their start and their length, so that a large configuration (an inline
// schema, say) does not make every log line about it as large.
func shortened(props map[string]string) map[string]string {
	for k, v := range props {
		if len(v) > maxLoggedValue {
			cut := maxLoggedValue
			for cut > 0 && !utf8.RuneStart(v[cut]) {
				cut--
			}
			props[k] = fmt.Sprintf("%s… (%d bytes)", v[:cut], len(v))
		}
	}
	return props
}
