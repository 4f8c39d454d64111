package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

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
// cannot happen). Fields are checked in sorted order, so the message is
// the same for the same input.
func checkOffsetMap(m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if what := nonPrimitive(m[k]); what != "" {
			return fmt.Errorf("Offsets may only contain primitive types as values, but field %s contains %s", k, what)
		}
	}
	return nil
}

// nonPrimitive returns "" for a primitive value, otherwise what Kafka
// Connect would name the value's type: its schema type (MAP, ARRAY) or, for
// a type without one, its class.
func nonPrimitive(v any) string {
	switch x := v.(type) {
	case json.Number:
		// An integer too large for int64 is a java.math.BigInteger to
		// Jackson, which has no Connect schema type; taking it as a float
		// would silently change the offset.
		if _, err := x.Int64(); err == nil {
			return ""
		}
		if !strings.ContainsAny(string(x), ".eE") {
			return "class java.math.BigInteger"
		}
		// Beyond float64, the number could be neither stored nor written
		// as JSON (Jackson would make it Infinity).
		if _, err := x.Float64(); err != nil {
			return "a number beyond the range of a double"
		}
		return ""
	case map[string]any:
		return "MAP"
	case []any:
		return "ARRAY"
	}
	if isPrimitive(v) {
		return ""
	}
	return fmt.Sprintf("%T", v)
}
