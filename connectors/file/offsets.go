package file

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/connectors"
)

// AlterOffsets implements connectors.SourceOffsetAlterer with the checks of
// Kafka Connect's FileStreamSourceConnector.alterOffsets, and its
// messages: the connector must read a file (stdin has no offsets), and
// every offset is null or holds a non-negative integer position, its
// partition naming its file (with a string: Kafka Connect takes any
// value). A null offset (a reset) is taken for any partition, as in Kafka
// Connect, so that offsets left by mistake can be removed through the
// REST API. The task checks the position against the file when it starts.
func (*Source) AlterOffsets(_ context.Context, props map[string]string, offsets []connectors.SourceOffset) (bool, error) {
	if strings.TrimSpace(props[FileKey]) == "" {
		return false, fmt.Errorf("Offsets cannot be modified if the '%s' configuration is unspecified. This is because stdin is used for input and offsets are not tracked.", FileKey)
	}
	for _, o := range offsets {
		if o.Offset == nil {
			continue
		}
		pos, ok := o.Offset[PositionField]
		if !ok {
			return false, fmt.Errorf("Offset objects should either be null or contain the key '%s'", PositionField)
		}
		p, ok := pos.(int64)
		if !ok {
			return false, fmt.Errorf("The value for the '%s' key in the offset is expected to be a Long value", PositionField)
		}
		if p < 0 {
			return false, fmt.Errorf("The value for the '%s' key in the offset should be a non-negative value", PositionField)
		}
		name, ok := o.Partition[FilenameField]
		if !ok {
			return false, fmt.Errorf("Partition objects should contain the key '%s'", FilenameField)
		}
		if _, ok := name.(string); !ok {
			return false, fmt.Errorf("The value for the '%s' key in the partition is expected to be a String value, the file's name", FilenameField)
		}
	}
	return true, nil
}

// AlterOffsets implements connectors.SinkOffsetAlterer: the file sink keeps
// no offsets of its own, so the framework's change is the whole change.
func (*Sink) AlterOffsets(context.Context, map[string]string, map[connectors.TopicPartition]*int64) (bool, error) {
	return true, nil
}
