package datagen

import (
	"context"
	"fmt"
	"maps"
	"strconv"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
)

// Connector is the datagen source connector.
type Connector struct{ props map[string]string }

var (
	_ connectors.SourceConnector     = (*Connector)(nil)
	_ connectors.Validator           = (*Connector)(nil)
	_ connectors.Versioned           = (*Connector)(nil)
	_ connectors.SourceOffsetAlterer = (*Connector)(nil)
)

// New returns a datagen connector.
func New() *Connector { return &Connector{} }

// Version implements connectors.Versioned.
func (*Connector) Version() string { return Version }

// Config implements connectors.Connector.
func (*Connector) Config() *config.Def { return configDef() }

// Validate implements connectors.Validator: each key, then exactly one
// schema source, then a key field the schema has.
func (*Connector) Validate(props map[string]string) []config.Result { return validate(props) }

// Start implements connectors.Connector. Unlike kafka-connect-datagen, it
// refuses what Validate refuses (say, no schema source) rather than leaving
// it to fail the tasks.
func (c *Connector) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	if _, err := parseSettings(props); err != nil {
		return fmt.Errorf("Datagen connector could not start because of an error in the configuration: %w", err)
	}
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs implements connectors.Connector: maxTasks tasks, each with the
// connector's configuration and its task.id.
func (c *Connector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	out := make([]map[string]string, maxTasks)
	for i := range out {
		tc := maps.Clone(c.props)
		tc[TaskIDKey] = strconv.Itoa(i)
		out[i] = tc
	}
	return out, nil
}

// Stop implements connectors.Connector.
func (*Connector) Stop(context.Context) error { return nil }

// NewTask implements connectors.SourceConnector.
func (*Connector) NewTask() connectors.SourceTask { return &task{} }

// AlterOffsets implements connectors.SourceOffsetAlterer: the offsets are the
// whole state, so an alteration is complete once it is checked. A partition
// must name its task; an offset must count its records, and may give the
// generation and the seed of the next record.
func (*Connector) AlterOffsets(_ context.Context, _ map[string]string, offsets []connectors.SourceOffset) (bool, error) {
	for _, o := range offsets {
		if id, ok := toInt64(o.Partition[TaskIDKey]); !ok || id < 0 {
			return false, fmt.Errorf("Partition objects should contain the key '%s' with a task number", TaskIDKey)
		}
		if o.Offset == nil {
			continue
		}
		if n, ok := toInt64(o.Offset[CurrentIterationKey]); !ok || n < 0 {
			return false, fmt.Errorf("Offset objects should either be null or contain the key '%s' with a non-negative count", CurrentIterationKey)
		}
		for _, k := range []string{TaskGenerationKey, RandomSeedField} {
			if v, ok := o.Offset[k]; ok && v != nil {
				if _, ok := toInt64(v); !ok {
					return false, fmt.Errorf("The value for the '%s' key in the offset is expected to be a Long value", k)
				}
			}
		}
	}
	return true, nil
}
