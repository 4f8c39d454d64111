package runtime

import (
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/runtime/storage"
)

func srcRec(part map[string]any, pos int64) *connectors.SourceRecord {
	return &connectors.SourceRecord{SourcePartition: part, SourceOffset: map[string]any{"position": pos}}
}

// TestSubmittedCommitsOnlyContiguousAcks checks data-integrity rule 1: an
// offset is committable only when every earlier record of its source
// partition is acknowledged, and partitions do not hold each other back.
func TestSubmittedCommitsOnlyContiguousAcks(t *testing.T) {
	s := newSubmitted()
	a := map[string]any{"filename": "a"}
	var ra, rb []*submittedRecord
	for i := int64(1); i <= 3; i++ {
		r, err := s.add(srcRec(a, i), "t", false)
		if err != nil {
			t.Fatal(err)
		}
		ra = append(ra, r)
		// a fresh but equal map: partitions compare by content
		r, err = s.add(srcRec(map[string]any{"filename": "b"}, 10*i), "t", false)
		if err != nil {
			t.Fatal(err)
		}
		rb = append(rb, r)
	}
	s.ack(ra[1])
	s.ack(ra[2])
	if got := s.committable(); len(got) != 0 {
		t.Fatalf("committable with the first record unacked: %v", got)
	}
	s.ack(ra[0])
	s.ack(rb[0])
	got := offsetsByFile(s.committable())
	if got["a"] != 3 || got["b"] != 10 || len(got) != 2 {
		t.Fatalf("committable = %v, want a:3 b:10", got)
	}
	if got := s.committable(); len(got) != 0 {
		t.Fatalf("offsets committed twice: %v", got)
	}
	s.fail(rb[1])
	s.ack(rb[2])
	if got := s.committable(); len(got) != 0 {
		t.Fatalf("an offset after a failed record became committable: %v", got)
	}
	if n := s.inFlight(); n != 0 {
		t.Fatalf("in flight = %d, want 0", n)
	}
}

func TestSubmittedWithoutPartition(t *testing.T) {
	s := newSubmitted()
	r, err := s.add(&connectors.SourceRecord{}, "t", false)
	if err != nil {
		t.Fatal(err)
	}
	if s.inFlight() != 1 {
		t.Fatal("record not counted")
	}
	s.ack(r)
	if got := s.committable(); len(got) != 0 || s.inFlight() != 0 {
		t.Fatalf("committable %v, in flight %d", got, s.inFlight())
	}
}

func TestSubmittedRejectsNonJSONPartition(t *testing.T) {
	s := newSubmitted()
	if _, err := s.add(srcRec(map[string]any{"f": func() {}}, 1), "t", false); err == nil {
		t.Fatal("want an error for a partition that is not JSON")
	}
	if s.inFlight() != 0 {
		t.Fatal("rejected record still counted")
	}
}

func offsetsByFile(offs []storage.Offset) map[string]int64 {
	out := map[string]int64{}
	for _, o := range offs {
		out[o.Partition["filename"].(string)] = o.Offset["position"].(int64)
	}
	return out
}
