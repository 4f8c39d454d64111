//go:build !linux

package testkit

import "os/exec"

// dieWithParent does nothing where the OS has no parent-death signal: there a broker of a test
// binary that crashes or is killed outlives it until it is stopped by hand. A test that ends
// normally stops its brokers in its cleanup.
func dieWithParent(*exec.Cmd) {}
