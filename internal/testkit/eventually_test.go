package testkit

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// fatalTB records the first Fatalf and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runEventually runs Eventually on a fatalTB and returns what it failed with ("" if it returned).
func runEventually(t *testing.T, timeout time.Duration, cond func() (bool, string), alive ...func() error) string {
	t.Helper()
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Eventually(f, timeout, "the thing", cond, alive...)
	}()
	<-done
	return f.msg
}

func TestEventually(t *testing.T) {
	calls := 0
	third := func() (bool, string) { calls++; return calls == 3, fmt.Sprint(calls) }
	if msg := runEventually(t, time.Minute, third); msg != "" || calls != 3 {
		t.Fatalf("holds on the third call: failed %q after %d calls", msg, calls)
	}
	never := func() (bool, string) { return false, "still not" }
	if msg := runEventually(t, 0, never); msg != "timed out after 0s waiting for the thing (still not)" {
		t.Fatalf("timeout: %q", msg)
	}
	dead := func() error { return errors.New("worker w1 exited") }
	start := time.Now()
	if msg := runEventually(t, time.Minute, never, func() error { return nil }, dead); msg != "while waiting for the thing: worker w1 exited" {
		t.Fatalf("dead worker: %q", msg)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a dead worker failed the wait only after %s", d)
	}
}
