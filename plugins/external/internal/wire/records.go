package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"
	"unsafe"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins/external/internal/pb"
	"github.com/sluicehq/sluice/schemas"
)

// The records of a batch travel in one bytes field, in this format (all
// integers varints, zigzag for signed; strings and byte strings are a
// length and the bytes):
//
//	record:  topic, flags (1 partition, 2 timestamp), [partition],
//	         key schema ref, key value, value schema ref, value,
//	         [seconds, nanos], header count, (key, schema ref, value)*
//	source:  record, partition ref (0 nil, else index+1 into the maps the
//	         batch carried so far; a new one is written where first used as
//	         max ref + 1 followed by the map), offset map
//	sink:    record, offset, timestamp type, original topic, partition, offset
//	map:     count+1 (0 = nil map), (key, value)*
//	value:   a tag byte, then its payload (see the tag constants)
//
// Schema refs index the batch's protobuf schema table (0 = nil).

const (
	tagNull byte = iota
	tagInt8
	tagInt16
	tagInt32
	tagInt64
	tagFloat32
	tagFloat64
	tagFalse
	tagTrue
	tagString
	tagBytes
	tagArray
	tagStringMap
	tagAnyMap
	tagStruct
	tagDecimal
	tagTime
)

// MaxBatchBytes bounds the encoded records of one batch, below the gRPC
// message limit; encoding stops as soon as a batch grows past it.
const MaxBatchBytes = 60 << 20

const (
	flagPartition = 1 << iota
	flagTimestamp
)

// maxValueDepth bounds the nesting of values, so that hostile input cannot
// exhaust the stack.
const maxValueDepth = 1000

type writer struct {
	e     *Encoder
	b     []byte
	depth int
}

func (w *writer) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *writer) str(s string)     { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }

func (w *writer) schema(s *schemas.Schema) error {
	ref, err := w.e.Schema(s)
	w.uvarint(uint64(ref))
	return err
}

func (w *writer) value(v any) error {
	switch x := v.(type) {
	case nil:
		w.b = append(w.b, tagNull)
	case int8:
		w.b = append(w.b, tagInt8, byte(x))
	case int16:
		w.b = append(w.b, tagInt16)
		w.varint(int64(x))
	case int32:
		w.b = append(w.b, tagInt32)
		w.varint(int64(x))
	case int64:
		w.b = append(w.b, tagInt64)
		w.varint(x)
	case int:
		w.b = append(w.b, tagInt64)
		w.varint(int64(x))
	case uint8:
		w.b = append(w.b, tagInt64)
		w.varint(int64(x))
	case uint16:
		w.b = append(w.b, tagInt64)
		w.varint(int64(x))
	case uint32:
		w.b = append(w.b, tagInt64)
		w.varint(int64(x))
	case uint:
		if uint64(x) > math.MaxInt64 {
			return fmt.Errorf("integer %d does not fit in an int64", x)
		}
		w.b = append(w.b, tagInt64)
		w.varint(int64(x))
	case uint64:
		if x > math.MaxInt64 {
			return fmt.Errorf("integer %d does not fit in an int64", x)
		}
		w.b = append(w.b, tagInt64)
		w.varint(int64(x))
	case float32:
		w.b = append(w.b, tagFloat32)
		w.b = binary.LittleEndian.AppendUint32(w.b, math.Float32bits(x))
	case float64:
		w.b = append(w.b, tagFloat64)
		w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(x))
	case bool:
		if x {
			w.b = append(w.b, tagTrue)
		} else {
			w.b = append(w.b, tagFalse)
		}
	case string:
		w.b = append(w.b, tagString)
		w.str(x)
	case []byte:
		w.b = append(w.b, tagBytes)
		w.uvarint(uint64(len(x)))
		w.b = append(w.b, x...)
	case []any:
		if err := w.enter(); err != nil {
			return err
		}
		defer w.leave()
		w.b = append(w.b, tagArray)
		w.uvarint(uint64(len(x)))
		for i, it := range x {
			if err := w.value(it); err != nil {
				return fmt.Errorf("array element %d: %w", i, err)
			}
		}
	case map[string]any:
		if err := w.enter(); err != nil {
			return err
		}
		defer w.leave()
		w.b = append(w.b, tagStringMap)
		w.uvarint(uint64(len(x)))
		for k, it := range x {
			w.str(k)
			if err := w.value(it); err != nil {
				return fmt.Errorf("map entry %q: %w", k, err)
			}
		}
	case map[any]any:
		if err := w.enter(); err != nil {
			return err
		}
		defer w.leave()
		w.b = append(w.b, tagAnyMap)
		w.uvarint(uint64(len(x)))
		for k, it := range x {
			if err := w.value(k); err != nil {
				return fmt.Errorf("map key %v: %w", k, err)
			}
			if err := w.value(it); err != nil {
				return fmt.Errorf("map entry %v: %w", k, err)
			}
		}
	case *schemas.Struct:
		if x == nil {
			w.b = append(w.b, tagNull)
			break
		}
		if err := w.enter(); err != nil {
			return err
		}
		defer w.leave()
		w.b = append(w.b, tagStruct)
		if err := w.schema(x.Schema()); err != nil {
			return err
		}
		n := len(x.Schema().Fields)
		w.uvarint(uint64(n))
		for i := range n {
			if err := w.value(x.At(i)); err != nil {
				return fmt.Errorf("field %s: %w", x.Schema().Fields[i].Name, err)
			}
		}
	case *big.Rat:
		if x == nil {
			w.b = append(w.b, tagNull)
			break
		}
		w.b = append(w.b, tagDecimal)
		w.str(x.String())
	case time.Time:
		w.b = append(w.b, tagTime)
		w.varint(x.Unix())
		w.uvarint(uint64(x.Nanosecond()))
	default:
		return fmt.Errorf("a value of Go type %T is not part of the Connect data model", v)
	}
	return nil
}

func (w *writer) enter() error {
	w.depth++
	if w.depth > maxValueDepth {
		return fmt.Errorf("value nested more than %d levels deep", maxValueDepth)
	}
	return nil
}

func (w *writer) leave() { w.depth-- }

// offsetMap writes a source partition or offset, normalised as the offset
// stores normalise it: every integer becomes int64, every float float64.
func (w *writer) offsetMap(m map[string]any) error {
	if m == nil {
		w.uvarint(0)
		return nil
	}
	w.uvarint(uint64(len(m)) + 1)
	for k, v := range m {
		w.str(k)
		var err error
		switch x := v.(type) {
		case int8:
			err = w.value(int64(x))
		case int16:
			err = w.value(int64(x))
		case int32:
			err = w.value(int64(x))
		case float32:
			err = w.value(float64(x))
		default:
			err = w.value(v)
		}
		if err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
	}
	return nil
}

func (w *writer) record(r *connectors.Record) error {
	w.str(r.Topic)
	var flags byte
	if r.Partition != nil {
		flags |= flagPartition
	}
	if !r.Timestamp.IsZero() {
		flags |= flagTimestamp
	}
	w.b = append(w.b, flags)
	if r.Partition != nil {
		w.varint(int64(*r.Partition))
	}
	if err := w.schema(r.KeySchema); err != nil {
		return fmt.Errorf("key schema: %w", err)
	}
	if err := w.value(r.Key); err != nil {
		return fmt.Errorf("key: %w", err)
	}
	if err := w.schema(r.ValueSchema); err != nil {
		return fmt.Errorf("value schema: %w", err)
	}
	if err := w.value(r.Value); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	if !r.Timestamp.IsZero() {
		w.varint(r.Timestamp.Unix())
		w.uvarint(uint64(r.Timestamp.Nanosecond()))
	}
	w.uvarint(uint64(len(r.Headers)))
	for _, h := range r.Headers {
		w.str(h.Key)
		if err := w.schema(h.Schema); err != nil {
			return fmt.Errorf("header %s schema: %w", h.Key, err)
		}
		if err := w.value(h.Value); err != nil {
			return fmt.Errorf("header %s: %w", h.Key, err)
		}
	}
	return nil
}

// EncodeSourceBatch encodes records polled from a source task; they are
// numbered from firstSeq for CommitRecords. Records that share a source
// partition map (by identity) share it again when decoded.
func EncodeSourceBatch(recs []connectors.SourceRecord, firstSeq uint64) (*pb.SourceBatch, error) {
	w := &writer{e: NewEncoder(), b: make([]byte, 0, 64*len(recs))}
	partitions := map[uintptr]uint64{} // by map identity; the maps live through the call
	for i := range recs {
		if err := w.record(&recs[i].Record); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if sp := recs[i].SourcePartition; sp == nil {
			w.uvarint(0)
		} else if ref, ok := partitions[reflect.ValueOf(sp).Pointer()]; ok {
			w.uvarint(ref)
		} else {
			ref = uint64(len(partitions)) + 1
			partitions[reflect.ValueOf(sp).Pointer()] = ref
			w.uvarint(ref)
			if err := w.offsetMap(sp); err != nil {
				return nil, fmt.Errorf("record %d: source partition: %w", i, err)
			}
		}
		if err := w.offsetMap(recs[i].SourceOffset); err != nil {
			return nil, fmt.Errorf("record %d: source offset: %w", i, err)
		}
		if len(w.b) > MaxBatchBytes {
			return nil, tooBig(len(recs), i)
		}
	}
	return &pb.SourceBatch{Schemas: w.e.table, Count: uint32(len(recs)), FirstSeq: firstSeq, Data: w.b}, nil
}

// EncodeSinkBatch encodes records for a sink task's Put.
func EncodeSinkBatch(recs []connectors.SinkRecord) (*pb.SinkBatch, error) {
	w := &writer{e: NewEncoder(), b: make([]byte, 0, 64*len(recs))}
	for i := range recs {
		r := &recs[i]
		if err := w.record(&r.Record); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		w.varint(r.Offset)
		w.varint(int64(r.TimestampType))
		w.str(r.OriginalTopic)
		w.varint(int64(r.OriginalPartition))
		w.varint(r.OriginalOffset)
		if len(w.b) > MaxBatchBytes {
			return nil, tooBig(len(recs), i)
		}
	}
	return &pb.SinkBatch{Schemas: w.e.table, Count: uint32(len(recs)), Data: w.b}, nil
}

func tooBig(n, at int) error {
	return fmt.Errorf("a batch of %d records passes the %d MiB a batch may carry between the worker and a plugin at record %d", n, MaxBatchBytes>>20, at)
}

var errShort = errors.New("truncated")

type reader struct {
	d     *Decoder
	b     []byte
	depth int
	// all, when set, is the whole input as a string (b is a suffix of
	// it): decoded strings (topics, keys, values) are substrings of it
	// rather than copies, one allocation fewer each.
	all string
	// parts, when set, holds the records' partitions, one allocation for
	// the batch rather than one per record.
	parts []int32
}

// newBatchReader reads a batch's data. The strings it decodes share data's
// memory, which must not change afterwards (a decoded message's bytes never
// do); they keep it alive as long as one of them is.
func newBatchReader(d *Decoder, data []byte) *reader {
	r := &reader{d: d, b: data}
	if len(data) > 0 {
		r.all = unsafe.String(&data[0], len(data))
	}
	return r
}

func (r *reader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		return 0, errShort
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) varint() (int64, error) {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		return 0, errShort
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) int32() (int32, error) {
	v, err := r.varint()
	if err == nil && (v < math.MinInt32 || v > math.MaxInt32) {
		err = fmt.Errorf("%d out of the int32 range", v)
	}
	return int32(v), err
}

func (r *reader) raw() ([]byte, error) {
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(r.b)) {
		return nil, errShort
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out, nil
}

func (r *reader) str() (string, error) {
	b, err := r.raw()
	if err != nil || r.all == "" {
		return string(b), err
	}
	end := len(r.all) - len(r.b)
	return r.all[end-len(b) : end], nil
}

// count reads a number of elements, each at least one byte long.
func (r *reader) count() (int, error) {
	n, err := r.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(r.b)) {
		return 0, errShort
	}
	return int(n), nil
}

func (r *reader) byte() (byte, error) {
	if len(r.b) == 0 {
		return 0, errShort
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c, nil
}

func (r *reader) schema() (*schemas.Schema, error) {
	ref, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if ref > math.MaxUint32 {
		return nil, fmt.Errorf("schema reference %d out of range", ref)
	}
	return r.d.Schema(uint32(ref))
}

func (r *reader) time() (time.Time, error) {
	sec, err := r.varint()
	if err != nil {
		return time.Time{}, err
	}
	ns, err := r.uvarint()
	if err != nil {
		return time.Time{}, err
	}
	if ns >= 1e9 {
		return time.Time{}, fmt.Errorf("time nanos %d out of range", ns)
	}
	return time.Unix(sec, int64(ns)).UTC(), nil
}

func (r *reader) value() (any, error) {
	tag, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch tag {
	case tagNull:
		return nil, nil
	case tagInt8:
		c, err := r.byte()
		return int8(c), err
	case tagInt16:
		v, err := r.varint()
		if err == nil && (v < math.MinInt16 || v > math.MaxInt16) {
			err = fmt.Errorf("int16 value %d out of range", v)
		}
		return int16(v), err
	case tagInt32:
		v, err := r.int32()
		return v, err
	case tagInt64:
		return r.varint()
	case tagFloat32:
		if len(r.b) < 4 {
			return nil, errShort
		}
		v := math.Float32frombits(binary.LittleEndian.Uint32(r.b))
		r.b = r.b[4:]
		return v, nil
	case tagFloat64:
		if len(r.b) < 8 {
			return nil, errShort
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
		r.b = r.b[8:]
		return v, nil
	case tagFalse:
		return false, nil
	case tagTrue:
		return true, nil
	case tagString:
		return r.str()
	case tagBytes:
		b, err := r.raw()
		if err != nil {
			return nil, err
		}
		return append([]byte{}, b...), nil
	case tagDecimal:
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		return decodeDecimal(s)
	case tagTime:
		return r.time()
	}
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxValueDepth {
		return nil, fmt.Errorf("value nested more than %d levels deep", maxValueDepth)
	}
	switch tag {
	case tagArray:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = r.value(); err != nil {
				return nil, fmt.Errorf("array element %d: %w", i, err)
			}
		}
		return out, nil
	case tagStringMap:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, n)
		for range n {
			k, err := r.str()
			if err != nil {
				return nil, err
			}
			if out[k], err = r.value(); err != nil {
				return nil, fmt.Errorf("map entry %q: %w", k, err)
			}
		}
		return out, nil
	case tagAnyMap:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		out := make(map[any]any, n)
		for range n {
			k, err := r.value()
			if err != nil {
				return nil, fmt.Errorf("map key: %w", err)
			}
			if !hashable(k) {
				return nil, fmt.Errorf("map key of Go type %T cannot be a Go map key", k)
			}
			if out[k], err = r.value(); err != nil {
				return nil, fmt.Errorf("map entry %v: %w", k, err)
			}
		}
		return out, nil
	case tagStruct:
		s, err := r.schema()
		if err != nil {
			return nil, err
		}
		if s == nil || s.Type != schemas.TypeStruct {
			return nil, fmt.Errorf("struct value with schema %v", s)
		}
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		if n != len(s.Fields) {
			return nil, fmt.Errorf("struct of %v has %d values for %d fields", s, n, len(s.Fields))
		}
		st := schemas.NewStruct(s)
		for i := range n {
			v, err := r.value()
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", s.Fields[i].Name, err)
			}
			if v == nil {
				continue
			}
			if err := st.PutAt(i, v); err != nil {
				return nil, fmt.Errorf("field %s: %w", s.Fields[i].Name, err)
			}
		}
		return st, nil
	}
	return nil, fmt.Errorf("unknown value tag %d", tag)
}

func (r *reader) offsetMap() (map[string]any, error) {
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	n--
	if n > uint64(len(r.b)) {
		return nil, errShort
	}
	out := make(map[string]any, n)
	for range n {
		k, err := r.str()
		if err != nil {
			return nil, err
		}
		if out[k], err = r.value(); err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
	}
	return out, nil
}

func (r *reader) record(out *connectors.Record) error {
	var err error
	if out.Topic, err = r.str(); err != nil {
		return err
	}
	flags, err := r.byte()
	if err != nil {
		return err
	}
	if flags&flagPartition != 0 {
		p, err := r.int32()
		if err != nil {
			return fmt.Errorf("partition: %w", err)
		}
		if len(r.parts) > 0 {
			r.parts[0] = p
			out.Partition, r.parts = &r.parts[0], r.parts[1:]
		} else {
			out.Partition = &p
		}
	}
	if out.KeySchema, err = r.schema(); err != nil {
		return fmt.Errorf("key schema: %w", err)
	}
	if out.Key, err = r.value(); err != nil {
		return fmt.Errorf("key: %w", err)
	}
	if out.ValueSchema, err = r.schema(); err != nil {
		return fmt.Errorf("value schema: %w", err)
	}
	if out.Value, err = r.value(); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	if flags&flagTimestamp != 0 {
		if out.Timestamp, err = r.time(); err != nil {
			return fmt.Errorf("timestamp: %w", err)
		}
	}
	n, err := r.count()
	if err != nil {
		return fmt.Errorf("headers: %w", err)
	}
	if n > 0 {
		out.Headers = make(connectors.Headers, n)
		for i := range out.Headers {
			h := &out.Headers[i]
			if h.Key, err = r.str(); err != nil {
				return err
			}
			if h.Schema, err = r.schema(); err != nil {
				return fmt.Errorf("header %s schema: %w", h.Key, err)
			}
			if h.Value, err = r.value(); err != nil {
				return fmt.Errorf("header %s: %w", h.Key, err)
			}
		}
	}
	return nil
}

// batchCount checks a batch's record count against its data (each record
// takes several bytes), so that a hostile count cannot allocate much.
func batchCount(count uint32, data []byte) (int, error) {
	if uint64(count)*4 > uint64(len(data)) {
		return 0, fmt.Errorf("%d records announced in %d bytes", count, len(data))
	}
	return int(count), nil
}

// DecodeSourceBatch decodes a batch of source records.
func DecodeSourceBatch(b *pb.SourceBatch) ([]connectors.SourceRecord, error) {
	d, err := NewDecoder(b.GetSchemas())
	if err != nil {
		return nil, err
	}
	n, err := batchCount(b.GetCount(), b.GetData())
	if err != nil {
		return nil, err
	}
	r := newBatchReader(d, b.GetData())
	var partitions []map[string]any
	out := make([]connectors.SourceRecord, n)
	for i := range out {
		if err := r.record(&out[i].Record); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		ref, err := r.uvarint()
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		switch {
		case ref == 0:
		case ref <= uint64(len(partitions)):
			out[i].SourcePartition = partitions[ref-1]
		case ref == uint64(len(partitions))+1:
			m, err := r.offsetMap()
			if err != nil {
				return nil, fmt.Errorf("record %d: source partition: %w", i, err)
			}
			partitions = append(partitions, m)
			out[i].SourcePartition = m
		default:
			return nil, fmt.Errorf("record %d: source partition reference %d out of order", i, ref)
		}
		if out[i].SourceOffset, err = r.offsetMap(); err != nil {
			return nil, fmt.Errorf("record %d: source offset: %w", i, err)
		}
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the last record", len(r.b))
	}
	return out, nil
}

// DecodeSinkBatch decodes a batch of sink records.
func DecodeSinkBatch(b *pb.SinkBatch) ([]connectors.SinkRecord, error) {
	d, err := NewDecoder(b.GetSchemas())
	if err != nil {
		return nil, err
	}
	n, err := batchCount(b.GetCount(), b.GetData())
	if err != nil {
		return nil, err
	}
	r := newBatchReader(d, b.GetData())
	r.parts = make([]int32, n)
	out := make([]connectors.SinkRecord, n)
	for i := range out {
		s := &out[i]
		if err := r.record(&s.Record); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if s.Partition == nil {
			return nil, fmt.Errorf("record %d: sink record without a partition", i)
		}
		tt, err := r.varint()
		if err == nil {
			s.Offset = tt
			tt, err = r.varint()
			s.TimestampType = connectors.TimestampType(tt)
		}
		if err == nil {
			s.OriginalTopic, err = r.str()
		}
		if err == nil {
			s.OriginalPartition, err = r.int32()
		}
		if err == nil {
			s.OriginalOffset, err = r.varint()
		}
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the last record", len(r.b))
	}
	return out, nil
}
