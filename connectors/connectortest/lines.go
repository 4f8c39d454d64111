package connectortest

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"testing"
)

// Lines returns the lines of the file name, without their terminators,
// and none when the file does not exist (yet): the Read of a sink that
// writes to files. It fails t on any other error.
func Lines(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatalf("read what the sink wrote: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read what the sink wrote: %s: %v", name, err)
	}
	return out
}
