package distributed

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// The golden bytes below were produced by Apache Kafka's own classes
// (ConnectProtocol, IncrementalCooperativeConnectProtocol, ExtendedAssignment
// at apache/kafka 1eb7644, compiled against kafka-clients 4.4.0, run on
// OpenJDK 17) from the same inputs as the Go values beside them.
const (
	protoTestMetaV0           = "0000000f687474703a2f2f77313a383038332f000000000000002a"
	protoTestMetaV1Null       = "0001000f687474703a2f2f77313a383038332f000000000000002affffffff"
	protoTestMetaV1EmptyAlloc = "0001000f687474703a2f2f77313a383038332f000000000000002a000000320001000000086c65616465722d31000e687474703a2f2f6c3a383038332f0000000000000029000000000000000000000000"
	protoTestMetaV2Alloc      = "0002000f687474703a2f2f77323a383038332fffffffffffffffff000000810002000000086c65616465722d31000e687474703a2f2f6c3a383038332f000000000000002900000003000673696e6b2d6200000002ffffffff000000000008736f757263652d6100000003ffffffff000000010000000000056f746865720000000100000003000000010004676f6e6500000002ffffffff00000000000005dc"
	protoTestMetaV1Alloc      = "0001000f687474703a2f2f77323a383038332f0000000000000007000000810001000000086c65616465722d31000e687474703a2f2f6c3a383038332f000000000000002900000003000673696e6b2d6200000002ffffffff000000000008736f757263652d6100000003ffffffff000000010000000000056f746865720000000100000003000000010004676f6e6500000002ffffffff00000000000005dc"
	protoTestAssignV0         = "0000000000086c65616465722d31000e687474703a2f2f6c3a383038332f000000000000026a0000000400047a65746100000002ffffffff000000010005616c70686100000003ffffffff000000000000000100036d696400000001ffffffff0004626574610000000100000000"
	protoTestAssignV0Mismatch = "0000000100086c65616465722d31000e687474703a2f2f6c3a383038332f000000000000006300000000"
	protoTestAssignV1         = "0001000000086c65616465722d31000e687474703a2f2f6c3a383038332f000000000000026a0000000200047a65746100000002ffffffff000000000005616c70686100000002ffffffff000000020000000200036d696400000002ffffffff0000000000046265746100000003ffffffff0000000100000000000493e0"
	protoTestAssignV2Empty    = "0002000000086c65616465722d31000e687474703a2f2f6c3a383038332f0000000000000003000000000000000000000000"
	protoTestAssignV2Many     = "0002000000016c00017500000000000000050000001f000c636f6e6e6563746f722d323100000001ffffffff000c636f6e6e6563746f722d323000000001ffffffff000c636f6e6e6563746f722d313600000001ffffffff000c636f6e6e6563746f722d313500000001ffffffff000c636f6e6e6563746f722d313800000001ffffffff000c636f6e6e6563746f722d313700000001ffffffff000c636f6e6e6563746f722d313200000001ffffffff000c636f6e6e6563746f722d313100000001ffffffff000c636f6e6e6563746f722d313400000001ffffffff000c636f6e6e6563746f722d313300000001ffffffff000c636f6e6e6563746f722d313900000001ffffffff000c636f6e6e6563746f722d313000000001ffffffff000c636f6e6e6563746f722d323700000001ffffffff000c636f6e6e6563746f722d323600000001ffffffff000c636f6e6e6563746f722d323900000001ffffffff000c636f6e6e6563746f722d323800000001ffffffff000c636f6e6e6563746f722d323300000001ffffffff000c636f6e6e6563746f722d323200000001ffffffff000c636f6e6e6563746f722d323500000001ffffffff000b636f6e6e6563746f722d3800000001ffffffff000c636f6e6e6563746f722d323400000001ffffffff000b636f6e6e6563746f722d3900000001ffffffff000b636f6e6e6563746f722d3600000001ffffffff000b636f6e6e6563746f722d3700000001ffffffff000b636f6e6e6563746f722d3400000001ffffffff000b636f6e6e6563746f722d3500000001ffffffff000b636f6e6e6563746f722d3200000001ffffffff000b636f6e6e6563746f722d3300000002ffffffff00000000000ec39c6ec3af636f64652df09f9a8000000001ffffffff000b636f6e6e6563746f722d3000000001ffffffff000b636f6e6e6563746f722d3100000001ffffffff0000000000000028"
	protoTestAssignV0Twelve   = "0000000000016c00017500000000000000050000000c000363343200000001ffffffff000363363300000001ffffffff000363373700000001ffffffff000363323100000001ffffffff000363333500000001ffffffff000363353600000001ffffffff000363313400000001ffffffff000363323800000001ffffffff000363343900000001ffffffff0002633000000001ffffffff0002633700000001ffffffff000363373000000001ffffffff"
)

func protoTestHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad golden hex: %v", err)
	}
	return b
}

func protoTestTask(connector string, task int) herder.TaskID {
	return herder.TaskID{Connector: connector, Task: task}
}

// protoTestAlloc is the allocation behind protoTestMetaV1Alloc and
// protoTestMetaV2Alloc (Java built it with version 1; the metadata's version
// wins in the header).
func protoTestAlloc() *Assignment {
	return &Assignment{
		Version: 1, Leader: "leader-1", LeaderURL: "http://l:8083/", ConfigOffset: 41,
		Connectors:        []string{"sink-b", "source-a"},
		Tasks:             []herder.TaskID{protoTestTask("source-a", 1), protoTestTask("sink-b", 0), protoTestTask("source-a", 0), protoTestTask("other", 3)},
		RevokedConnectors: []string{"gone"},
		RevokedTasks:      []herder.TaskID{protoTestTask("gone", 0)},
		Delay:             1500 * time.Millisecond,
	}
}

func TestProtocolNames(t *testing.T) {
	for name, want := range map[string]int16{"default": 0, "compatible": 1, "sessioned": 2, "SESSIONED": 2} {
		got, err := ProtocolVersion(name)
		if err != nil || got != want {
			t.Errorf("ProtocolVersion(%q) = %d, %v; want %d", name, got, err, want)
		}
	}
	if _, err := ProtocolVersion("eager"); err == nil || !strings.Contains(err.Error(), `"eager"`) {
		t.Errorf("ProtocolVersion(eager): want an error naming it, got %v", err)
	}
	for mode, want := range map[string][]string{
		"eager":      {"default"},
		"compatible": {"compatible", "default"},
		"sessioned":  {"sessioned", "compatible", "default"},
	} {
		got, err := Protocols(mode)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Protocols(%q) = %v, %v; want %v", mode, got, err, want)
		}
	}
	if _, err := Protocols("cooperative"); err == nil || !strings.Contains(err.Error(), "connect.protocol") {
		t.Errorf("Protocols(cooperative): want an error naming connect.protocol, got %v", err)
	}
}

func TestMetadataGolden(t *testing.T) {
	decodedAlloc := func(version int16) *Assignment {
		return &Assignment{
			Version: version, Leader: "leader-1", LeaderURL: "http://l:8083/", ConfigOffset: 41,
			Connectors: []string{"sink-b", "source-a"},
			// Java groups tasks under their connector: the wire order.
			Tasks:             []herder.TaskID{protoTestTask("sink-b", 0), protoTestTask("source-a", 1), protoTestTask("source-a", 0), protoTestTask("other", 3)},
			RevokedConnectors: []string{"gone"},
			RevokedTasks:      []herder.TaskID{protoTestTask("gone", 0)},
			Delay:             1500 * time.Millisecond,
		}
	}
	cases := []struct {
		name    string
		version int16
		in      WorkerMetadata
		golden  string
		decoded WorkerMetadata
	}{
		{"v0", 0, WorkerMetadata{URL: "http://w1:8083/", ConfigOffset: 42}, protoTestMetaV0,
			WorkerMetadata{URL: "http://w1:8083/", ConfigOffset: 42}},
		{"v0 drops the allocation", 0, WorkerMetadata{URL: "http://w1:8083/", ConfigOffset: 42, Allocation: protoTestAlloc()}, protoTestMetaV0,
			WorkerMetadata{URL: "http://w1:8083/", ConfigOffset: 42}},
		{"v1 null allocation", 1, WorkerMetadata{URL: "http://w1:8083/", ConfigOffset: 42}, protoTestMetaV1Null,
			WorkerMetadata{URL: "http://w1:8083/", ConfigOffset: 42}},
		{"v1 empty allocation", 1, WorkerMetadata{URL: "http://w1:8083/", ConfigOffset: 42,
			Allocation: &Assignment{Version: 1, Leader: "leader-1", LeaderURL: "http://l:8083/", ConfigOffset: 41}},
			protoTestMetaV1EmptyAlloc,
			WorkerMetadata{URL: "http://w1:8083/", ConfigOffset: 42,
				Allocation: &Assignment{Version: 1, Leader: "leader-1", LeaderURL: "http://l:8083/", ConfigOffset: 41}}},
		{"v1 allocation", 1, WorkerMetadata{URL: "http://w2:8083/", ConfigOffset: 7, Allocation: protoTestAlloc()}, protoTestMetaV1Alloc,
			WorkerMetadata{URL: "http://w2:8083/", ConfigOffset: 7, Allocation: decodedAlloc(1)}},
		{"v2 allocation", 2, WorkerMetadata{URL: "http://w2:8083/", ConfigOffset: -1, Allocation: protoTestAlloc()}, protoTestMetaV2Alloc,
			WorkerMetadata{URL: "http://w2:8083/", ConfigOffset: -1, Allocation: decodedAlloc(2)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := protoTestHex(t, c.golden)
			if got := EncodeMetadata(c.version, c.in); !bytes.Equal(got, want) {
				t.Errorf("EncodeMetadata:\n got %x\nwant %x", got, want)
			}
			got, err := DecodeMetadata(want)
			if err != nil {
				t.Fatalf("DecodeMetadata: %v", err)
			}
			if !reflect.DeepEqual(got, c.decoded) {
				t.Errorf("DecodeMetadata:\n got %+v (alloc %+v)\nwant %+v (alloc %+v)", got, got.Allocation, c.decoded, c.decoded.Allocation)
			}
		})
	}
}

func TestAssignmentGolden(t *testing.T) {
	leader := Assignment{Leader: "leader-1", LeaderURL: "http://l:8083/"}
	with := func(f func(*Assignment)) Assignment { a := leader; f(&a); return a }
	many := make([]string, 0, 31)
	for i := range 30 {
		many = append(many, fmt.Sprintf("connector-%d", 29-i))
	}
	many = append(many, "Ünïcode-🚀")
	twelve := make([]string, 0, 12)
	for i := range 12 {
		twelve = append(twelve, fmt.Sprintf("c%d", i*7))
	}
	cases := []struct {
		name    string
		in      Assignment
		golden  string
		decoded *Assignment // nil: check only that re-encoding the decoded value gives the golden bytes
	}{
		{"v0", with(func(a *Assignment) {
			a.ConfigOffset = 618
			a.Connectors = []string{"zeta", "alpha", "mid"}
			a.Tasks = []herder.TaskID{protoTestTask("alpha", 0), protoTestTask("zeta", 1), protoTestTask("alpha", 1), protoTestTask("beta", 0)}
			a.RevokedConnectors = []string{"ignored in v0"}
			a.Delay = time.Second
		}), protoTestAssignV0, protoTestPtr(with(func(a *Assignment) {
			a.ConfigOffset = 618
			a.Connectors = []string{"zeta", "alpha", "mid"}
			a.Tasks = []herder.TaskID{protoTestTask("zeta", 1), protoTestTask("alpha", 0), protoTestTask("alpha", 1), protoTestTask("beta", 0)}
		}))},
		{"v0 config mismatch", with(func(a *Assignment) { a.Error = ConfigMismatch; a.ConfigOffset = 99 }),
			protoTestAssignV0Mismatch, protoTestPtr(with(func(a *Assignment) { a.Error = ConfigMismatch; a.ConfigOffset = 99 }))},
		{"v1 with revocations and delay", with(func(a *Assignment) {
			a.Version = 1
			a.ConfigOffset = 618
			a.Connectors = []string{"zeta", "alpha"}
			a.Tasks = []herder.TaskID{protoTestTask("alpha", 2), protoTestTask("zeta", 0)}
			a.RevokedConnectors = []string{"mid", "beta", "mid"}
			a.RevokedTasks = []herder.TaskID{protoTestTask("beta", 1), protoTestTask("mid", 0), protoTestTask("beta", 0)}
			a.Delay = 5 * time.Minute
		}), protoTestAssignV1, protoTestPtr(with(func(a *Assignment) {
			a.Version = 1
			a.ConfigOffset = 618
			a.Connectors = []string{"zeta", "alpha"}
			a.Tasks = []herder.TaskID{protoTestTask("zeta", 0), protoTestTask("alpha", 2)}
			a.RevokedConnectors = []string{"mid", "beta"}
			a.RevokedTasks = []herder.TaskID{protoTestTask("mid", 0), protoTestTask("beta", 1), protoTestTask("beta", 0)}
			a.Delay = 5 * time.Minute
		}))},
		{"v2 empty", with(func(a *Assignment) { a.Version = 2; a.ConfigOffset = 3 }), protoTestAssignV2Empty,
			protoTestPtr(with(func(a *Assignment) { a.Version = 2; a.ConfigOffset = 3 }))},
		{"v2 Java HashSet order of 31 connectors", Assignment{Version: 2, Leader: "l", LeaderURL: "u", ConfigOffset: 5,
			Connectors: many, Tasks: []herder.TaskID{protoTestTask("connector-3", 0)}, Delay: 40 * time.Millisecond},
			protoTestAssignV2Many, nil},
		{"v0 Java HashSet order of 12 connectors", Assignment{Leader: "l", LeaderURL: "u", ConfigOffset: 5, Connectors: twelve},
			protoTestAssignV0Twelve, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := protoTestHex(t, c.golden)
			if got := EncodeAssignment(c.in); !bytes.Equal(got, want) {
				t.Errorf("EncodeAssignment:\n got %x\nwant %x", got, want)
			}
			got, err := DecodeAssignment(want)
			if err != nil {
				t.Fatalf("DecodeAssignment: %v", err)
			}
			if c.decoded != nil && !reflect.DeepEqual(got, *c.decoded) {
				t.Errorf("DecodeAssignment:\n got %+v\nwant %+v", got, *c.decoded)
			}
			if again := EncodeAssignment(got); !bytes.Equal(again, want) {
				t.Errorf("re-encoding the decoded assignment:\n got %x\nwant %x", again, want)
			}
		})
	}
}

func protoTestPtr[T any](v T) *T { return &v }

func TestDecodeAssignmentLenient(t *testing.T) {
	// A v1 reader given only the fields up to the config offset, or up to the
	// assignment array, fills the rest with defaults, as Java does.
	full := protoTestHex(t, protoTestAssignV1)
	headerLen := 2 + 2 + 10 + 16 + 8 // version, error, leader, leader url, config offset
	a, err := DecodeAssignment(full[:headerLen])
	if err != nil {
		t.Fatalf("decode up to the config offset: %v", err)
	}
	if a.Version != 1 || a.ConfigOffset != 618 || a.Connectors != nil || a.RevokedTasks != nil || a.Delay != 0 {
		t.Errorf("decode up to the config offset: got %+v", a)
	}
	// Null arrays (-1) are empty.
	nulls := append(append([]byte{}, full[:headerLen]...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 7)
	a, err = DecodeAssignment(nulls)
	if err != nil || a.Connectors != nil || a.RevokedConnectors != nil || a.Delay != 7*time.Millisecond {
		t.Errorf("null arrays: got %+v, %v", a, err)
	}
	// Trailing bytes are ignored.
	if _, err := DecodeAssignment(append(append([]byte{}, full...), 1, 2, 3)); err != nil {
		t.Errorf("trailing bytes: %v", err)
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	v1 := protoTestHex(t, protoTestAssignV1)
	headerLen := 2 + 2 + 10 + 16 + 8
	cases := map[string][]byte{
		"empty":             {},
		"negative version":  {0xff, 0xfe, 0, 0},
		"negative string":   {0, 1, 0, 0, 0x80, 0x00},
		"string too long":   {0, 1, 0, 0, 0x00, 0x10, 'a'},
		"huge array":        append(append([]byte{}, v1[:headerLen]...), 0x7f, 0xff, 0xff, 0xff),
		"null task array":   append(append([]byte{}, v1[:headerLen]...), 0, 0, 0, 1, 0, 1, 'c', 0xff, 0xff, 0xff, 0xff),
		"cut in the delay":  v1[:len(v1)-2],
		"cut in an array":   v1[:headerLen+9],
		"cut in the offset": v1[:headerLen-3],
	}
	for name, b := range cases {
		if a, err := DecodeAssignment(b); err == nil {
			t.Errorf("DecodeAssignment(%s): want an error, got %+v", name, a)
		}
	}
	meta := protoTestHex(t, protoTestMetaV2Alloc)
	for name, b := range map[string][]byte{
		"empty":                {},
		"negative version":     {0x80, 0, 0, 0},
		"cut in the url":       meta[:8],
		"cut in the offset":    meta[:20],
		"cut in the alloc len": meta[:29],
		"cut in the alloc":     meta[:len(meta)-1],
		"bad allocation":       append(append([]byte{}, meta[:27]...), 0, 0, 0, 2, 0xff, 0xff),
	} {
		if m, err := DecodeMetadata(b); err == nil {
			t.Errorf("DecodeMetadata(%s): want an error, got %+v", name, m)
		}
	}
}

// TestDecodeNeverPanics feeds every truncation, single-byte corruptions and
// random bytes to both decoders: they may fail but never panic, and what they
// accept re-encodes without panicking.
func TestDecodeNeverPanics(t *testing.T) {
	var inputs [][]byte
	for _, g := range []string{protoTestMetaV0, protoTestMetaV1Null, protoTestMetaV1EmptyAlloc, protoTestMetaV2Alloc,
		protoTestAssignV0, protoTestAssignV0Mismatch, protoTestAssignV1, protoTestAssignV2Empty, protoTestAssignV2Many} {
		b := protoTestHex(t, g)
		for n := 0; n <= len(b); n++ {
			inputs = append(inputs, b[:n])
		}
		for i := range b {
			for _, v := range []byte{0x00, 0x7f, 0x80, 0xff} {
				c := append([]byte{}, b...)
				c[i] = v
				inputs = append(inputs, c)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		b := make([]byte, rng.IntN(64))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		inputs = append(inputs, b)
	}
	for _, b := range inputs {
		protoTestDecodeBoth(t, b)
	}
}

func protoTestDecodeBoth(t *testing.T, b []byte) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic on %x: %v", b, r)
		}
	}()
	if a, err := DecodeAssignment(b); err == nil {
		EncodeAssignment(a)
	}
	if m, err := DecodeMetadata(b); err == nil {
		EncodeMetadata(1, m)
	}
}

func FuzzDecodeAssignment(f *testing.F) {
	for _, g := range []string{protoTestAssignV0, protoTestAssignV1, protoTestMetaV2Alloc} {
		b, _ := hex.DecodeString(g)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		protoTestDecodeBoth(t, b)
		a, err := DecodeAssignment(b)
		if err != nil {
			return
		}
		// What decodes re-encodes to bytes that decode to the same work
		// (connector instances deduplicated, as Java's HashSet does).
		again, err := DecodeAssignment(EncodeAssignment(a))
		if err != nil {
			t.Fatalf("re-decode of %x: %v", b, err)
		}
		if !reflect.DeepEqual(protoTestSet(again.Connectors), protoTestSet(a.Connectors)) || len(again.Tasks) != len(a.Tasks) {
			t.Fatalf("re-decode of %x changed the work: %+v vs %+v", b, again, a)
		}
	})
}

func protoTestSet(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

func TestJavaHashSetOrderDedupes(t *testing.T) {
	got := javaHashSetOrder([]string{"b", "a", "b", "c", "a"})
	// "a" (97), "b" (98), "c" (99) fall into buckets 1, 2, 3 of 16.
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("javaHashSetOrder = %v, want %v", got, want)
	}
	if javaStringHash("🚀") != int32(0xD83D)*31+int32(0xDE80) {
		t.Errorf("javaStringHash must hash UTF-16 code units")
	}
}
