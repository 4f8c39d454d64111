package history

import "testing"

// TestDropAnonymous: the zero server UUID of MySQL's anonymous GTIDs is
// no part of a GTID set; other UUIDs and MariaDB GTIDs are kept.
func TestDropAnonymous(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"00000000-0000-0000-0000-000000000000:0", ""},
		{"00000000-0000-0000-0000-000000000000:0,3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"},
		{"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"},
		{"0-1-10,1-2-3", "0-1-10,1-2-3"},
		{"", ""},
	} {
		if got := dropAnonymous(tc.in); got != tc.want {
			t.Errorf("dropAnonymous(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
