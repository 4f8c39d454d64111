package distributed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/runtime/herder"
)

// The sub-protocol names a Connect worker advertises in JoinGroup, as Kafka
// Connect's ConnectProtocolCompatibility names them.
const (
	ProtocolDefault    = "default"    // EAGER, v0
	ProtocolCompatible = "compatible" // COMPATIBLE, v1
	ProtocolSessioned  = "sessioned"  // SESSIONED, v2
)

// The error codes of an assignment.
const (
	NoError        int16 = 0 // the assignment is valid
	ConfigMismatch int16 = 1 // the leader is behind a member's config offset: read the config topic and rejoin
)

// connectorTask is the task number that stands for the Connector instance
// itself in the per-connector task arrays on the wire.
const connectorTask = -1

// ProtocolVersion returns the protocol version of a sub-protocol name.
func ProtocolVersion(name string) (int16, error) {
	switch strings.ToLower(name) {
	case ProtocolDefault:
		return 0, nil
	case ProtocolCompatible:
		return 1, nil
	case ProtocolSessioned:
		return 2, nil
	}
	return 0, fmt.Errorf("unknown connect sub-protocol %q: want %q, %q or %q",
		name, ProtocolDefault, ProtocolCompatible, ProtocolSessioned)
}

// Protocols returns the sub-protocol names a worker with
// connect.protocol=mode (eager|compatible|sessioned) advertises, preferred first.
func Protocols(mode string) ([]string, error) {
	switch strings.ToLower(mode) {
	case "eager":
		return []string{ProtocolDefault}, nil
	case "compatible":
		return []string{ProtocolCompatible, ProtocolDefault}, nil
	case "sessioned":
		return []string{ProtocolSessioned, ProtocolCompatible, ProtocolDefault}, nil
	}
	return nil, fmt.Errorf("connect.protocol: unknown mode %q: want eager, compatible or sessioned", mode)
}

// WorkerMetadata is a member's JoinGroup metadata.
type WorkerMetadata struct {
	URL          string
	ConfigOffset int64
	Allocation   *Assignment // what the worker runs now (v1+); nil if none
}

// Assignment is a member's SyncGroup assignment.
type Assignment struct {
	Version           int16
	Error             int16
	Leader            string // leader member id
	LeaderURL         string
	ConfigOffset      int64
	Connectors        []string
	Tasks             []herder.TaskID
	RevokedConnectors []string
	RevokedTasks      []herder.TaskID
	Delay             time.Duration // int32 ms on the wire
}

// String describes the assignment as Kafka Connect's ExtendedAssignment
// does in its "Joined group" log line.
func (a Assignment) String() string {
	return fmt.Sprintf("Assignment{error=%d, leader='%s', leaderUrl='%s', offset=%d, connectorIds=%s, taskIds=%s, revokedConnectorIds=%s, revokedTaskIds=%s, delay=%d}",
		a.Error, a.Leader, a.LeaderURL, a.ConfigOffset, javafmt.Value(a.Connectors), taskList(a.Tasks), javafmt.Value(a.RevokedConnectors), taskList(a.RevokedTasks), a.Delay.Milliseconds())
}

// taskList renders task ids as Java's List.toString: [conn-0, conn-1].
func taskList(ids []herder.TaskID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return javafmt.Value(s)
}

// EncodeMetadata serializes m as JoinGroup metadata of the given protocol
// version. Version 0 carries only the URL and config offset; versions 1 and
// 2 add the current allocation, written with the metadata's own version in
// its header (as Java does) and as null bytes when Allocation is nil. A
// non-nil empty Allocation is written in full, as a Java worker writes the
// assignment it received even when empty.
//
// Strings longer than 32767 bytes cannot be represented in the protocol;
// encoding one panics.
func EncodeMetadata(version int16, m WorkerMetadata) []byte {
	var w protoWriter
	w.int16(version)
	w.string(m.URL)
	w.int64(m.ConfigOffset)
	if version >= 1 {
		if m.Allocation == nil {
			w.int32(-1)
		} else {
			a := *m.Allocation
			a.Version = version
			b := EncodeAssignment(a)
			w.int32(int32(len(b)))
			w.buf = append(w.buf, b...)
		}
	}
	return w.buf
}

// DecodeMetadata parses JoinGroup metadata of any version: like Java it reads
// every version with the v1 layout and tolerates a missing allocation.
func DecodeMetadata(b []byte) (WorkerMetadata, error) {
	r := protoReader{buf: b}
	version := r.int16("version")
	if r.err == nil && version < 0 {
		return WorkerMetadata{}, fmt.Errorf("decode connect metadata: unsupported version %d", version)
	}
	m := WorkerMetadata{URL: r.string("url"), ConfigOffset: r.int64("config-offset")}
	if r.err != nil {
		return WorkerMetadata{}, fmt.Errorf("decode connect metadata: %w", r.err)
	}
	if r.remaining() == 0 {
		return m, nil
	}
	alloc, isNull := r.nullableBytes("allocation")
	if r.err != nil {
		return WorkerMetadata{}, fmt.Errorf("decode connect metadata: %w", r.err)
	}
	if isNull {
		return m, nil
	}
	a, err := DecodeAssignment(alloc)
	if err != nil {
		return WorkerMetadata{}, fmt.Errorf("decode connect metadata allocation: %w", err)
	}
	m.Allocation = &a
	return m, nil
}

// EncodeAssignment serializes a SyncGroup assignment: the v0 layout when
// Version is 0, else the v1/v2 layout with revocations and the delay. The
// per-connector arrays are grouped and ordered as Java's Assignment.asMap and
// ExtendedAssignment.revokedAsMap order them, so the bytes equal a Java
// worker's for the same lists.
//
// Strings longer than 32767 bytes cannot be represented in the protocol;
// encoding one panics.
func EncodeAssignment(a Assignment) []byte {
	var w protoWriter
	w.int16(a.Version)
	w.int16(a.Error)
	w.string(a.Leader)
	w.string(a.LeaderURL)
	w.int64(a.ConfigOffset)
	w.connectorArray(groupAssigned(a.Connectors, a.Tasks))
	if a.Version == 0 {
		return w.buf
	}
	w.connectorArray(groupRevoked(a.RevokedConnectors, a.RevokedTasks))
	w.int32(int32(min(max(a.Delay.Milliseconds(), math.MinInt32), math.MaxInt32)))
	return w.buf
}

// DecodeAssignment parses a SyncGroup assignment of any version with the v1
// layout, leniently like Java: the revocations and delay may be missing (v0)
// and trailing bytes are ignored. Truncated or malformed input is an error.
func DecodeAssignment(b []byte) (Assignment, error) {
	r := protoReader{buf: b}
	a := Assignment{Version: r.int16("version")}
	if r.err == nil && a.Version < 0 {
		return Assignment{}, fmt.Errorf("decode connect assignment: unsupported version %d", a.Version)
	}
	a.Error = r.int16("error")
	a.Leader = r.string("leader")
	a.LeaderURL = r.string("leader-url")
	a.ConfigOffset = r.int64("config-offset")
	if r.remaining() > 0 {
		a.Connectors, a.Tasks = r.connectorArray("assignment")
	}
	if r.err == nil && r.remaining() > 0 {
		a.RevokedConnectors, a.RevokedTasks = r.connectorArray("revoked")
	}
	if r.err == nil && r.remaining() > 0 {
		a.Delay = time.Duration(r.int32("delay")) * time.Millisecond
	}
	if r.err != nil {
		return Assignment{}, fmt.Errorf("decode connect assignment: %w", r.err)
	}
	return a, nil
}

// connectorEntry is one element of a wire assignment array: a connector and
// its task numbers, -1 standing for the Connector instance.
type connectorEntry struct {
	connector string
	tasks     []int32
}

// groupAssigned groups like Java's Assignment.asMap: first the distinct
// connectors in java.util.HashSet iteration order, each with -1, then every
// task appended to its connector's entry in list order (connectors without
// an instance entry are added in order of their first task).
func groupAssigned(connectors []string, tasks []herder.TaskID) []connectorEntry {
	return groupEntries(javaHashSetOrder(connectors), tasks)
}

// groupRevoked groups like Java's ExtendedAssignment.revokedAsMap: distinct
// connectors in list order, then tasks in list order.
func groupRevoked(connectors []string, tasks []herder.TaskID) []connectorEntry {
	seen := make(map[string]bool, len(connectors))
	distinct := make([]string, 0, len(connectors))
	for _, c := range connectors {
		if !seen[c] {
			seen[c] = true
			distinct = append(distinct, c)
		}
	}
	return groupEntries(distinct, tasks)
}

func groupEntries(distinctConnectors []string, tasks []herder.TaskID) []connectorEntry {
	entries := make([]connectorEntry, 0, len(distinctConnectors))
	index := make(map[string]int, len(distinctConnectors))
	for _, c := range distinctConnectors {
		index[c] = len(entries)
		entries = append(entries, connectorEntry{connector: c, tasks: []int32{connectorTask}})
	}
	for _, t := range tasks {
		i, ok := index[t.Connector]
		if !ok {
			i = len(entries)
			index[t.Connector] = i
			entries = append(entries, connectorEntry{connector: t.Connector})
		}
		entries[i].tasks = append(entries[i].tasks, int32(t.Task))
	}
	return entries
}

// javaHashSetOrder returns the distinct names in the iteration order of a
// Java 17 `new HashSet<>(names)`: buckets of String.hashCode (spread as
// HashMap.hash does) in ascending index, insertion order within a bucket.
// Only the byte layout depends on it; every reader accepts any order.
func javaHashSetOrder(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	// HashSet(Collection c) sizes its map with max((int)(c.size()/.75f)+1, 16),
	// rounded up to a power of two by HashMap.tableSizeFor.
	capacity := max(int(float32(len(names))/0.75)+1, 16)
	table := 1
	for table < capacity {
		table <<= 1
	}
	type entry struct {
		name   string
		bucket int
		order  int
	}
	seen := make(map[string]bool, len(names))
	entries := make([]entry, 0, len(names))
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		h := javaStringHash(n)
		h ^= int32(uint32(h) >> 16)
		entries = append(entries, entry{name: n, bucket: int(h) & (table - 1), order: len(entries)})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].bucket < entries[j].bucket })
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.name
	}
	return out
}

// javaStringHash is java.lang.String.hashCode: over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// protoWriter appends Kafka protocol primitives (big-endian).
type protoWriter struct{ buf []byte }

func (w *protoWriter) int16(v int16) { w.buf = binary.BigEndian.AppendUint16(w.buf, uint16(v)) }
func (w *protoWriter) int32(v int32) { w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(v)) }
func (w *protoWriter) int64(v int64) { w.buf = binary.BigEndian.AppendUint64(w.buf, uint64(v)) }

func (w *protoWriter) string(s string) {
	if len(s) > math.MaxInt16 {
		panic(fmt.Sprintf("connect protocol: string of %d bytes is longer than the %d a protocol string can hold", len(s), math.MaxInt16))
	}
	w.int16(int16(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *protoWriter) connectorArray(entries []connectorEntry) {
	w.int32(int32(len(entries)))
	for _, e := range entries {
		w.string(e.connector)
		w.int32(int32(len(e.tasks)))
		for _, t := range e.tasks {
			w.int32(t)
		}
	}
}

// protoReader reads Kafka protocol primitives; the first failure sticks in
// err and later reads return zero values.
type protoReader struct {
	buf []byte
	pos int
	err error
}

var errTruncated = errors.New("truncated")

func (r *protoReader) remaining() int { return len(r.buf) - r.pos }

func (r *protoReader) take(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > r.remaining() {
		r.err = fmt.Errorf("field %q: %w: need %d bytes, %d left", field, errTruncated, n, r.remaining())
		return nil
	}
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	return b
}

func (r *protoReader) int16(field string) int16 {
	if b := r.take(field, 2); b != nil {
		return int16(binary.BigEndian.Uint16(b))
	}
	return 0
}

func (r *protoReader) int32(field string) int32 {
	if b := r.take(field, 4); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

func (r *protoReader) int64(field string) int64 {
	if b := r.take(field, 8); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

func (r *protoReader) string(field string) string {
	n := r.int16(field)
	if r.err != nil {
		return ""
	}
	if n < 0 {
		r.err = fmt.Errorf("field %q: string length %d is negative", field, n)
		return ""
	}
	return string(r.take(field, int(n)))
}

// nullableBytes reads Int32 length + bytes; length -1 is null.
func (r *protoReader) nullableBytes(field string) (b []byte, isNull bool) {
	n := r.int32(field)
	if r.err != nil {
		return nil, false
	}
	if n < 0 {
		return nil, true
	}
	return r.take(field, int(n)), false
}

// arrayLen reads an array count; null (-1) reads as 0 when nullable and is
// an error otherwise.
func (r *protoReader) arrayLen(field string, nullable bool) int {
	n := r.int32(field)
	if r.err != nil {
		return 0
	}
	if n < 0 {
		if !nullable {
			r.err = fmt.Errorf("field %q: array size %d is negative", field, n)
		}
		return 0
	}
	if int(n) > r.remaining() {
		r.err = fmt.Errorf("field %q: %w: array of %d elements, %d bytes left", field, errTruncated, n, r.remaining())
		return 0
	}
	return int(n)
}

// connectorArray reads an array of connector assignments, splitting it into
// connector instances (task -1) and tasks, in wire order.
func (r *protoReader) connectorArray(field string) ([]string, []herder.TaskID) {
	var connectors []string
	var tasks []herder.TaskID
	n := r.arrayLen(field, true)
	for i := 0; i < n && r.err == nil; i++ {
		c := r.string(field + ".connector")
		m := r.arrayLen(field+".tasks", false)
		for j := 0; j < m && r.err == nil; j++ {
			t := r.int32(field + ".tasks")
			if r.err != nil {
				break
			}
			if t == connectorTask {
				connectors = append(connectors, c)
			} else {
				tasks = append(tasks, herder.TaskID{Connector: c, Task: int(t)})
			}
		}
	}
	if r.err != nil {
		return nil, nil
	}
	return connectors, tasks
}
