//go:build !unix

package main

import "os"

// alive reports whether the process pid exists, as far as the OS tells: on Windows finding a
// process opens it, which fails once it has gone; elsewhere it may always succeed, and then
// only the cluster-id check guards against another broker.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
