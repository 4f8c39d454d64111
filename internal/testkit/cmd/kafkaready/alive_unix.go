//go:build unix

package main

import "syscall"

// alive reports whether the process pid exists (signal 0 checks without signalling).
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }
