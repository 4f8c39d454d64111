package storage

import (
	"errors"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/runtime/herder"
)

// Messages of Kafka Connect's checks on an alter offsets request
// (ConnectorsResource.alterConnectorOffsets, OffsetUtils.validateFormat).
const (
	msgNoOffsets = "Partitions / offsets need to be provided for an alter offsets request"
	// Kafka Connect takes a null source partition and writes the key
	// [connector, null]; no connector can ever read that offset back, so
	// sluice refuses it. The wording follows the sink connector check.
	msgNullSourcePartition = "The partition for a source connector offset cannot be null or missing"
)

// ValidateSourceOffsets checks the body of a PATCH /connectors/{c}/offsets
// request for a source connector as Kafka Connect does: at least one entry,
// and partitions and offsets whose values are all primitive (string, number,
// boolean or null). A nil Offset (reset that partition) is allowed; a nil
// Partition is not. Failures are herder.BadRequest with Kafka's messages.
//
// Kafka Connect answers its format errors (a DataException) with 500; sluice
// answers 400 because the request is at fault. Callers should decode
// request bodies with json.Decoder.UseNumber so that integers beyond 2^53
// stay exact; the offset stores turn json.Number into int64 or float64, as
// Kafka's JSON round trip of altered offsets does.
func ValidateSourceOffsets(offsets []herder.PartitionOffset) error {
	if len(offsets) == 0 {
		return herder.BadRequest(msgNoOffsets)
	}
	for _, o := range offsets {
		if err := checkSourceOffset(o.Partition, o.Offset); err != nil {
			return herder.BadRequest("%s", err.Error())
		}
	}
	return nil
}

// checkSourceOffset checks one source partition and its offset the way
// Kafka Connect's OffsetUtils.validateFormat does, with its messages.
func checkSourceOffset(partition, offset map[string]any) error {
	if partition == nil {
		return errors.New(msgNullSourcePartition)
	}
	if err := checkOffsetMap(partition); err != nil {
		return err
	}
	return checkOffsetMap(offset)
}

// checkOffsetMap checks the values of a partition or offset map; keys are
// strings by construction (Kafka's "Offsets may only use String keys"
// cannot happen).
func checkOffsetMap(m map[string]any) error {
	_, err := normalizeOffsetMap(m)
	return err
}

// normalizeOffsetMap is connectors.NormalizeOffset: a copy of a source
// partition or offset with its values as they read back after a restart.
func normalizeOffsetMap(m map[string]any) (map[string]any, error) {
	return connectors.NormalizeOffset(m)
}

// CheckSourceOffset reports whether the offset stores take a source offset
// (see OffsetStore.Put), without copying it: the runtime checks each
// record's offset when the task hands it over, so that a value JSON cannot
// carry fails the task at once, naming the field, rather than every later
// offset flush. It is connectors.CheckOffset.
func CheckSourceOffset(offset map[string]any) error { return connectors.CheckOffset(offset) }
