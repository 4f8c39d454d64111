//go:build !unix

package file

import (
	"context"
	"errors"
	"syscall"
)

// lockFile does nothing where flock(2) is missing: writers that share a
// file there must not fail a write at the same time.
func (*sinkTask) lockFile(context.Context) (unlock func(), err error) { return func() {}, nil }

// diskFull reports whether err says the file system has no room left.
func diskFull(err error) bool { return errors.Is(err, syscall.ENOSPC) }
