package testkit

import (
	"fmt"
	"runtime/metrics"
	"testing"
	"time"
)

// HeapAllocated returns how many bytes the process has allocated on the heap so far (a cumulative
// count, cheap to read: no stop-the-world). Fuzz targets compare it before and after a call to
// hold hostile input to a bounded allocation; other goroutines' allocations count too, so bounds
// must leave room for them.
func HeapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// HangGuard crashes the process when the fuzz input it is called for takes longer than d: the
// fuzzing engine has no timeout of its own, so an input that loops forever would only stall it.
// A crash makes the engine record and minimize the input. Call it as defer testkit.HangGuard(t, d)().
func HangGuard(t testing.TB, d time.Duration) (stop func()) {
	name := t.Name()
	timer := time.AfterFunc(d, func() { panic(fmt.Sprintf("%s: one input took longer than %v", name, d)) })
	return func() { timer.Stop() }
}
