// Package storage holds the worker's state stores: source offsets, connector
// configurations and statuses, each behind an interface with in-memory and
// file implementations (Kafka-topic implementations come with distributed
// mode).
package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"
)

// Offset is the committed offset of one source partition; a nil Offset
// means the partition has none (written: the offset is removed).
type Offset struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// OffsetStore keeps source offsets per connector and source partition.
// Partitions are compared by content, as Kafka Connect's offsets topic keys
// should be. Implementations are safe for concurrent use.
type OffsetStore interface {
	// Get returns the committed offset of a partition, or nil.
	Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error)
	// Offsets returns every committed offset of a connector, sorted by
	// partition.
	Offsets(ctx context.Context, connector string) ([]Offset, error)
	// Put stores offsets: when it returns nil, all of them are durable. On
	// an error the file and memory stores have stored none of them; the
	// Kafka store (one record per partition, as Kafka Connect's) may have
	// stored some. Each offset is safe on its own (rule 1), so a caller
	// writes the failed ones again, with newer ones, at its next flush.
	Put(ctx context.Context, connector string, offsets []Offset) error
	// Close releases the store.
	Close() error
}

// PartitionKey returns the canonical key of a source partition: the JSON,
// with sorted keys, of its values as a store keeps them (int32(3) and
// int64(3) are the same partition). Equal maps give equal keys. A value JSON
// cannot carry is an error naming its field.
func PartitionKey(partition map[string]any) (string, error) {
	if encodesAsStored(partition) {
		// The common case, once per record whose partition map is new:
		// no normalised copy to encode.
		b, err := json.Marshal(partition)
		if err != nil {
			return "", fmt.Errorf("source partition %v is not JSON: %w", partition, err)
		}
		return string(b), nil
	}
	_, k, err := partitionKey(partition)
	return k, err
}

// encodesAsStored reports whether json.Marshal writes m as it writes m's
// normalised copy (connectors.NormalizeOffset): its values are JSON
// primitives whose encoding normalising does not change.
func encodesAsStored(m map[string]any) bool {
	for _, v := range m {
		switch x := v.(type) {
		case nil, string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32:
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// partitionKey returns the partition as a store keeps it and its key.
func partitionKey(partition map[string]any) (map[string]any, string, error) {
	p, err := normalizeOffsetMap(partition)
	if err != nil {
		return nil, "", fmt.Errorf("source partition: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, "", fmt.Errorf("source partition %v is not JSON: %w", partition, err)
	}
	return p, string(b), nil
}

// MemoryOffsets is an in-memory OffsetStore.
type MemoryOffsets struct {
	mu sync.RWMutex
	// data: connector → partition key → offset
	data map[string]map[string]Offset
}

// NewMemoryOffsets returns an empty in-memory offset store.
func NewMemoryOffsets() *MemoryOffsets {
	return &MemoryOffsets{data: map[string]map[string]Offset{}}
}

// Get implements OffsetStore.
func (m *MemoryOffsets) Get(_ context.Context, connector string, partition map[string]any) (map[string]any, error) {
	k, err := PartitionKey(partition)
	if err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return cloneMap(m.data[connector][k].Offset), nil
}

// Offsets implements OffsetStore.
func (m *MemoryOffsets) Offsets(_ context.Context, connector string) ([]Offset, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	keys := make([]string, 0, len(m.data[connector]))
	for k := range m.data[connector] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Offset, 0, len(keys))
	for _, k := range keys {
		o := m.data[connector][k]
		out = append(out, Offset{Partition: cloneMap(o.Partition), Offset: cloneMap(o.Offset)})
	}
	return out, nil
}

// Put implements OffsetStore.
func (m *MemoryOffsets) Put(_ context.Context, connector string, offsets []Offset) error {
	offsets, keys, err := validate(connector, offsets)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.apply(connector, keys, offsets)
	return nil
}

// apply stores offsets, which validate returned (the store keeps them).
func (m *MemoryOffsets) apply(connector string, keys []string, offsets []Offset) {
	c := m.data[connector]
	if c == nil {
		c = map[string]Offset{}
		m.data[connector] = c
	}
	for i, o := range offsets {
		if o.Offset == nil {
			delete(c, keys[i])
			continue
		}
		c[keys[i]] = o
	}
	if len(c) == 0 {
		delete(m.data, connector)
	}
}

// Close implements OffsetStore.
func (m *MemoryOffsets) Close() error { return nil }

// validate checks the offsets a connector stores and returns them as a
// store keeps them, each a copy with its values as they read back after a
// restart (see offsetValue), with their partition keys. The error names
// the connector and the field.
func validate(connector string, offsets []Offset) ([]Offset, []string, error) {
	out := make([]Offset, len(offsets))
	keys := make([]string, len(offsets))
	for i, o := range offsets {
		if o.Partition == nil {
			return nil, nil, fmt.Errorf("offsets of connector %s: %s", connector, msgNullSourcePartition)
		}
		p, k, err := partitionKey(o.Partition)
		if err != nil {
			return nil, nil, fmt.Errorf("offsets of connector %s: %w", connector, err)
		}
		off, err := normalizeOffsetMap(o.Offset)
		if err != nil {
			return nil, nil, fmt.Errorf("offsets of connector %s: source offset of partition %s: %w", connector, k, err)
		}
		out[i], keys[i] = Offset{Partition: p, Offset: off}, k
	}
	return out, keys, nil
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// DecodeJSONMap decodes a JSON object the way Kafka Connect's schemaless
// JsonConverter does: integral numbers become int64, others float64.
func DecodeJSONMap(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	normalizeNumbers(m)
	return m, nil
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return v
}

// NormalizeNumbers turns json.Number values in m (deeply) into int64, or
// float64 when not integral, in place, and returns m: the types offsets
// have after a round trip through an offset store.
func NormalizeNumbers(m map[string]any) map[string]any {
	normalizeNumbers(m)
	return m
}
