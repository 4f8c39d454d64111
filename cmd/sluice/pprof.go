//go:build pprof

package main

import (
	"fmt"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
)

// With the pprof build tag (testkit.BuildSluice adds it when
// SLUICE_PPROF_ADDR is set, for benchmarks), sluice serves net/http/pprof
// on the address in SLUICE_PPROF_ADDR. Release builds have no such
// listener.
func init() {
	addr := os.Getenv("SLUICE_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			fmt.Fprintf(os.Stderr, "pprof listener on %s: %v\n", addr, err)
		}
	}()
}
