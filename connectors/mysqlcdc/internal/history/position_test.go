package history

import (
	"strings"
	"testing"
)

type pos = map[string]any

func TestAtOrBefore(t *testing.T) {
	const u1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	const u2 = "5f11fa47-71ca-11e1-9e33-c80aa9429562"
	tests := []struct {
		name              string
		flavor            string
		recorded, desired pos
		want              bool
	}{
		{"file before", "mariadb", pos{"file": "b.000002", "pos": 900}, pos{"file": "b.000003", "pos": 4}, true},
		{"file after", "mariadb", pos{"file": "b.000010", "pos": 4}, pos{"file": "b.000009", "pos": 900}, false},
		{"file numbers, not text", "mariadb", pos{"file": "b.000009"}, pos{"file": "b.000010"}, true},
		{"pos before", "mariadb", pos{"file": "b.1", "pos": 100}, pos{"file": "b.1", "pos": 200}, true},
		{"pos after", "mariadb", pos{"file": "b.1", "pos": 300}, pos{"file": "b.1", "pos": 200}, false},
		{"same position", "mariadb", pos{"file": "b.1", "pos": 200}, pos{"file": "b.1", "pos": 200}, true},
		{"event before", "mariadb", pos{"file": "b.1", "pos": 200, "event": 1}, pos{"file": "b.1", "pos": 200, "event": 2}, true},
		{"event after", "mariadb", pos{"file": "b.1", "pos": 200, "event": 3}, pos{"file": "b.1", "pos": 200, "event": 2}, false},
		{"row after", "mariadb", pos{"file": "b.1", "pos": 200, "event": 2, "row": 5}, pos{"file": "b.1", "pos": 200, "event": 2, "row": 4}, false},
		{"row at", "mariadb", pos{"file": "b.1", "pos": 200, "event": 2, "row": 4}, pos{"file": "b.1", "pos": 200, "event": 2, "row": 4}, true},
		{"other base name", "mariadb", pos{"file": "old.000009", "pos": 9}, pos{"file": "new.000001", "pos": 4}, true},
		{"other server: time", "mariadb", pos{"file": "b.9", "server_id": 1, "ts_sec": 100}, pos{"file": "b.1", "server_id": 2, "ts_sec": 200}, true},
		{"other server: later", "mariadb", pos{"file": "b.1", "server_id": 1, "ts_sec": 300}, pos{"file": "b.9", "server_id": 2, "ts_sec": 200}, false},
		{"gtid contained", "mariadb", pos{"gtids": "0-1-5", "file": "b.9"}, pos{"gtids": "0-1-7", "file": "b.1"}, true},
		{"gtid after", "mariadb", pos{"gtids": "0-1-8"}, pos{"gtids": "0-1-7"}, false},
		{"gtid per domain, any server", "mariadb", pos{"gtids": "0-2-5"}, pos{"gtids": "0-1-7"}, true},
		{"gtid domain missing", "mariadb", pos{"gtids": "0-1-5,1-1-3"}, pos{"gtids": "0-1-7"}, false},
		{"gtid two domains", "mariadb", pos{"gtids": "0-1-5,1-1-3"}, pos{"gtids": "1-1-4,0-1-7"}, true},
		{"gtid equal, events", "mariadb", pos{"gtids": "0-1-7", "event": 2}, pos{"gtids": "0-1-7", "event": 1}, false},
		{"gtid equal, events 2", "mariadb", pos{"gtids": "0-1-7", "event": 1}, pos{"gtids": "0-1-7", "event": 2}, true},
		{"gtid equal, desired in snapshot", "mariadb", pos{"gtids": "0-1-7"}, pos{"gtids": "0-1-7", "snapshot": true}, false},
		{"gtid equal, both in snapshot", "mariadb", pos{"gtids": "0-1-7", "snapshot": true}, pos{"gtids": "0-1-7", "snapshot": true}, true},
		{"no gtid before gtid", "mariadb", pos{"file": "b.9"}, pos{"gtids": "0-1-1", "file": "b.1"}, true},
		{"gtid after no gtid", "mariadb", pos{"gtids": "0-1-1", "file": "b.1"}, pos{"file": "b.9"}, false},
		{"mysql contained", "mysql", pos{"gtids": u1 + ":1-5"}, pos{"gtids": u1 + ":1-9," + u2 + ":1-3"}, true},
		{"mysql not contained", "mysql", pos{"gtids": u1 + ":1-5," + u2 + ":1"}, pos{"gtids": u1 + ":1-9"}, false},
		{"mysql gap", "mysql", pos{"gtids": u1 + ":1-5:7"}, pos{"gtids": u1 + ":1-6"}, false},
		{"mysql set over lines", "mysql", pos{"gtids": u1 + ":1-5,\n" + u2 + ":1-2"}, pos{"gtids": u2 + ":1-3," + u1 + ":1-9"}, true},
		{"mysql equal", "mysql", pos{"gtids": u1 + ":1-5", "event": 0}, pos{"gtids": u1 + ":1-5", "event": 0}, true},
		{"numbers of any type", "mariadb", pos{"file": "b.1", "pos": int64(200)}, pos{"file": "b.1", "pos": float64(300)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AtOrBefore(tc.flavor, tc.recorded, tc.desired)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("AtOrBefore(%v, %v) = %v, want %v", tc.recorded, tc.desired, got, tc.want)
			}
		})
	}
}

func TestAtOrBeforeErrors(t *testing.T) {
	for _, tc := range []struct {
		flavor            string
		recorded, desired pos
		want              string
	}{
		{"mariadb", pos{"file": "nodot"}, pos{"file": "b.1"}, `file "nodot"`},
		{"mariadb", pos{"file": "b.1", "pos": "x"}, pos{"file": "b.1", "pos": 1}, `"pos"`},
		{"mariadb", pos{"file": "b.1", "pos": 1.5}, pos{"file": "b.1", "pos": 1}, "not an integer"},
		{"mariadb", pos{"file": 7}, pos{"file": "b.1"}, "not a string"},
		{"mariadb", pos{"gtids": "0-1"}, pos{"gtids": "0-1-2"}, "domain-server-sequence"},
		{"mysql", pos{"gtids": "nonsense"}, pos{"gtids": "3e11fa47-71ca-11e1-9e33-c80aa9429562:1"}, "GTID set"},
	} {
		_, err := AtOrBefore(tc.flavor, tc.recorded, tc.desired)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("AtOrBefore(%v, %v): %v, want an error with %s", tc.recorded, tc.desired, err, tc.want)
		}
	}
}
