package mysqlcdc

import (
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
)

// TestStaleSkipDropped: a stored offset that says to skip events of the
// transaction at its position skips nothing of a transaction that starts
// elsewhere (it would lose that transaction's changes), and says so.
func TestStaleSkipDropped(t *testing.T) {
	for _, tc := range []struct {
		name      string
		file      string
		pos       int64
		wantSkip  bool
		wantStale bool
	}{
		{"at the stored position", "bin.000001", 100, true, false},
		{"elsewhere in the file", "bin.000001", 300, false, true},
		{"in another file", "bin.000002", 100, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := mysql.ParseGTIDSet(mysql.MariaDBFlavor, "0-1-10")
			if err != nil {
				t.Fatal(err)
			}
			tr := newTracker(offset{File: "bin.000001", Pos: 100, GTIDs: "0-1-10", Event: 3, Row: 1}, set)
			tr.file = tc.file
			tr.event(tc.pos, 50, 1, time.Unix(1, 0))
			tr.begin(false)
			if got := tr.skipEvent(); got != tc.wantSkip {
				t.Errorf("skipEvent() = %v, want %v", got, tc.wantSkip)
			}
			if got := tr.staleSkip != nil; got != tc.wantStale {
				t.Errorf("stale skip noted = %v, want %v", got, tc.wantStale)
			}
			if o := tr.offset(); !tc.wantSkip && (o.Event != 0 || o.Row != 0) {
				t.Errorf("offset after a dropped skip: event %d row %d, want 0 0", o.Event, o.Row)
			}
		})
	}
}
