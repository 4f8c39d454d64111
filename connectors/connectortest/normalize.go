package connectortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// Normalize returns a copy of a source offset (or partition) with the
// types a task reads back after a worker restart: the map goes through
// JSON as the worker's offset stores write it, and numbers come back as
// int64 when integral, float64 otherwise (the types Kafka Connect's JSON
// converter gives). A task that stored an int and reads back an int64 must
// cope; the suite reads offsets back normalised so that a task assuming
// its own types fails here rather than after a restart in production. It
// fails on a value that is not JSON-safe (see the record rules in package
// connectors).
func Normalize(m map[string]any) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	if err := checkJSONSafe(m); err != nil {
		return nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out map[string]any
	if err := d.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode %s: %w", b, err)
	}
	for k, v := range out {
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				out[k] = i
			} else {
				f, _ := n.Float64()
				out[k] = f
			}
		}
	}
	return out, nil
}

// checkJSONSafe checks that every value of m is one the SDK allows in a
// source partition or offset: nil, a string, a bool or a finite number.
func checkJSONSafe(m map[string]any) error {
	for k, v := range m {
		switch x := v.(type) {
		case nil, string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		case float32:
			if math.IsInf(float64(x), 0) || math.IsNaN(float64(x)) {
				return fmt.Errorf("field %q is %v: JSON has no such number", k, x)
			}
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return fmt.Errorf("field %q is %v: JSON has no such number", k, x)
			}
		default:
			return fmt.Errorf("field %q holds a %T; partitions and offsets hold only strings, bools, numbers and nil", k, v)
		}
	}
	return nil
}
