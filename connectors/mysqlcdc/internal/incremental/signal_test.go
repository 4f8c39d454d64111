package incremental

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestLogMessageCapped: a log signal's message of megabytes is logged cut
// to maxLogMessage bytes (on a character boundary) with its full length;
// a short one as it is.
func TestLogMessageCapped(t *testing.T) {
	data := func(msg string) string {
		b, err := json.Marshal(map[string]string{"message": msg})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got, err := logMessage(data("hello")); err != nil || got != "hello" {
		t.Fatalf("logMessage(hello) = %q, %v", got, err)
	}
	huge := "x" + strings.Repeat("é", 4<<20) // 8 MiB + 1 byte, a 2-byte rune at the cut
	got, err := logMessage(data(huge))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > maxLogMessage+64 || !utf8.ValidString(got) || !strings.HasPrefix(got, "xé") || !strings.HasSuffix(got, "(8388609 bytes in all)") {
		t.Errorf("logMessage of 8 MiB: %d bytes, valid UTF-8 %v, ends %q", len(got), utf8.ValidString(got), got[max(0, len(got)-40):])
	}
}

// FuzzParseSnapshotRequest: the data of a signal row is anyone's who may
// insert into the signal table: any data is parsed or refused, never a
// panic, and an accepted execute-snapshot names at least one collection.
func FuzzParseSnapshotRequest(f *testing.F) {
	for _, s := range []string{
		`{"data-collections": ["db.t"]}`,
		`{"data-collections": ["db\\.t.*"], "type": "blocking", "surrogate-key": "k"}`,
		`{"data-collections": ["db.t"], "additional-conditions": [{"data-collection": "db.t", "filter": "a > 1"}]}`,
		`{"data-collections": [1, null]}`, `{"additional-conditions": [{"data-collection": "("}]}`, `[]`, `null`, ``,
		`{"message": "hello"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		for _, stop := range []bool{false, true} {
			req, err := ParseSnapshotRequest(data, stop)
			if err == nil && !stop && len(req.Collections) == 0 {
				t.Fatalf("execute-snapshot %q accepted without collections", data)
			}
		}
		_, _ = logMessage(data)
	})
}
