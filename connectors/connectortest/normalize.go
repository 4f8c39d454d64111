package connectortest

import "github.com/sluicehq/sluice/connectors"

// Normalize returns a copy of a source offset (or partition) with the
// types a task reads back from the worker, before and after a restart:
// connectors.NormalizeOffset, the rule the worker's offset stores apply
// (every integer as int64, every float as float64). A task that stored an int and reads back an int64 must
// cope; the suite reads offsets back normalised so that a task assuming
// its own types fails here rather than after a restart in production. It
// fails on a value that is not JSON-safe (see the record rules in package
// connectors).
func Normalize(m map[string]any) (map[string]any, error) {
	return connectors.NormalizeOffset(m)
}

// checkJSONSafe checks that every value of m is one the SDK allows in a
// source partition or offset (connectors.CheckOffset, the worker's check).
func checkJSONSafe(m map[string]any) error { return connectors.CheckOffset(m) }
