package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/sluicehq/sluice/runtime/kafka"
)

// KafkaOffsets is Kafka Connect's KafkaOffsetBackingStore: source offsets in
// a compacted topic (offset.storage.topic). A record's key is the JSON of
// ["<connector>",{<source partition>}], its value the JSON of the offset
// map; a tombstone removes the offset.
//
// Kafka Connect indexes the topic by raw key bytes, but the bytes of a
// partition map depend on the writer's map order and number types, so
// KafkaOffsets indexes by content: connector name and canonical partition.
// The last record read for a partition wins, whichever byte variant of the
// key it has. Every raw key seen for a partition is remembered, so that a
// write goes to each variant (a Java worker looking up its own bytes sees
// it too) and a removal tombstones each of them.
type KafkaOffsets struct {
	log TopicLog
	lg  *slog.Logger

	mu sync.Mutex
	// data: connector → canonical partition key → entry
	data map[string]map[string]*offsetEntry
}

// offsetEntry is what the topic says of one source partition.
type offsetEntry struct {
	partition map[string]any
	offset    map[string]any // nil: the last record read was a tombstone
	// variants holds the raw keys whose last record is not a tombstone.
	variants map[string]struct{}
}

// NewKafkaOffsets returns an offset store on the topic log that open
// returns; open receives the callback the log must hand every record to.
func NewKafkaOffsets(open func(apply func(kafka.LogRecord)) (TopicLog, error), log *slog.Logger) (*KafkaOffsets, error) {
	if log == nil {
		log = slog.Default()
	}
	o := &KafkaOffsets{lg: log, data: map[string]map[string]*offsetEntry{}}
	l, err := open(o.apply)
	if err != nil {
		return nil, fmt.Errorf("open offsets topic: %w", err)
	}
	o.log = l
	return o, nil
}

// Start reads the offsets topic to its end and keeps following it.
func (o *KafkaOffsets) Start(ctx context.Context) error {
	if err := o.log.Start(ctx); err != nil {
		return fmt.Errorf("start offsets store: %w", err)
	}
	return nil
}

// offsetKey is the semantic key of a source partition within a connector.
func offsetKey(partition map[string]any) (map[string]any, string, error) {
	return partitionKey(partition)
}

// encodeOffsetKey writes the record key Kafka Connect writes
// (OffsetStorageWriter.doFlush: keyConverter.fromConnectData(namespace,
// null, Arrays.asList(connector, partition)) with the schemaless
// JsonConverter), e.g. ["file-source",{"filename":"/tmp/in.txt"}].
func encodeOffsetKey(connector string, partition map[string]any) ([]byte, error) {
	return appendJavaJSON(nil, []any{connector, partition})
}

// apply indexes one record of the offsets topic. Records that are not
// offsets (a key other than [string, object], a value other than an
// object) are logged and skipped, as OffsetUtils.processPartitionKey does.
func (o *KafkaOffsets) apply(r kafka.LogRecord) {
	if r.Key == nil {
		o.lg.Warn("ignoring offsets topic record with a null key", "partition", r.Partition, "offset", r.Offset)
		return
	}
	k, err := decodeJSON(r.Key)
	if err != nil {
		o.lg.Warn("ignoring offsets topic record whose key is not JSON", "key", string(r.Key), "error", err)
		return
	}
	list, ok := k.([]any)
	if !ok || len(list) != 2 {
		o.lg.Warn("ignoring offsets topic record whose key is not a [connector, partition] list", "key", string(r.Key))
		return
	}
	connector, ok := list[0].(string)
	if !ok {
		o.lg.Warn("ignoring offsets topic record whose key does not start with a connector name", "key", string(r.Key))
		return
	}
	partition, ok := list[1].(map[string]any)
	if !ok {
		if list[1] != nil {
			o.lg.Warn("ignoring offsets topic record whose source partition is not an object", "key", string(r.Key))
		}
		return
	}
	var offset map[string]any
	if r.Value != nil {
		v, err := decodeJSON(r.Value)
		if m, ok := v.(map[string]any); err == nil && ok {
			offset = m
		} else {
			o.lg.Warn("ignoring offsets topic record whose value is not a JSON object", "key", string(r.Key),
				"value", string(r.Value))
			return
		}
	}
	_, sk, err := offsetKey(partition)
	if err != nil {
		o.lg.Warn("ignoring offsets topic record", "key", string(r.Key), "error", err)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.data[connector]
	if c == nil {
		c = map[string]*offsetEntry{}
		o.data[connector] = c
	}
	e := c[sk]
	if e == nil {
		e = &offsetEntry{variants: map[string]struct{}{}}
		c[sk] = e
	}
	e.partition, e.offset = partition, offset
	if offset == nil {
		delete(e.variants, string(r.Key))
		if len(e.variants) == 0 {
			delete(c, sk)
			if len(c) == 0 {
				delete(o.data, connector)
			}
		}
		return
	}
	e.variants[string(r.Key)] = struct{}{}
}

// Get implements OffsetStore: it reads the topic to its end first, as
// Kafka Connect's offset reader does.
func (o *KafkaOffsets) Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error) {
	_, sk, err := offsetKey(partition)
	if err != nil {
		return nil, err
	}
	if err := o.log.ReadToEnd(ctx); err != nil {
		return nil, fmt.Errorf("read offset of connector %s: %w", connector, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if e := o.data[connector][sk]; e != nil {
		return cloneMap(e.offset), nil
	}
	return nil, nil
}

// Offsets implements OffsetStore: it reads the topic to its end first.
func (o *KafkaOffsets) Offsets(ctx context.Context, connector string) ([]Offset, error) {
	if err := o.log.ReadToEnd(ctx); err != nil {
		return nil, fmt.Errorf("read offsets of connector %s: %w", connector, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	keys := make([]string, 0, len(o.data[connector]))
	for k, e := range o.data[connector] {
		if e.offset != nil {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]Offset, 0, len(keys))
	for _, k := range keys {
		e := o.data[connector][k]
		out = append(out, Offset{Partition: cloneMap(e.partition), Offset: cloneMap(e.offset)})
	}
	return out, nil
}

// Put implements OffsetStore: it writes one record per offset (to every
// known key variant of its partition) and returns once Kafka has
// acknowledged all of them. Kafka has no atomic multi-record write without
// transactions: after an error some records may be written, as in Kafka
// Connect.
func (o *KafkaOffsets) Put(ctx context.Context, connector string, offsets []Offset) error {
	offsets, skeys, err := validate(connector, offsets)
	if err != nil {
		return err
	}
	var records []kafka.LogRecord
	for i, off := range offsets {
		p, sk := off.Partition, skeys[i]
		var value []byte
		if off.Offset != nil {
			// OffsetStorageWriter: valueConverter.fromConnectData(namespace,
			// null, offset), e.g. {"position":30}.
			if value, err = appendJavaJSON(nil, off.Offset); err != nil {
				return fmt.Errorf("offset of connector %s partition %s: %w", connector, sk, err)
			}
		}
		o.mu.Lock()
		var keys []string
		if e := o.data[connector][sk]; e != nil {
			for k := range e.variants {
				keys = append(keys, k)
			}
		}
		o.mu.Unlock()
		if len(keys) == 0 {
			k, err := encodeOffsetKey(connector, p)
			if err != nil {
				return fmt.Errorf("offset key of connector %s partition %s: %w", connector, sk, err)
			}
			keys = []string{string(k)}
		}
		sort.Strings(keys)
		for _, k := range keys {
			records = append(records, kafka.LogRecord{Key: []byte(k), Value: value})
		}
	}
	if len(records) == 0 {
		return nil
	}
	if err := o.log.Send(ctx, records...); err != nil {
		return fmt.Errorf("write %d offsets of connector %s: %w", len(offsets), connector, err)
	}
	return nil
}

// Close implements OffsetStore: it stops following the topic and releases
// the log.
func (o *KafkaOffsets) Close() error {
	if err := o.log.Close(); err != nil {
		return fmt.Errorf("close offsets store: %w", err)
	}
	return nil
}

var _ OffsetStore = (*KafkaOffsets)(nil)
