package testkit

import (
	"testing"
	"time"
)

// Eventually polls cond every 50 ms until it holds. It fails the test
// after timeout, naming what it waited for and the status cond gave last,
// or as soon as one of alive returns an error (a worker the test needs has
// stopped), so that a test waiting on a dead worker fails at once.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() (ok bool, status string), alive ...func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, a := range alive {
			if err := a(); err != nil {
				t.Fatalf("while waiting for %s: %v", what, err)
			}
		}
		ok, status := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s (%s)", timeout, what, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
