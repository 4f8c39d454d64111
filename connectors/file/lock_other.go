//go:build !unix

package file

import (
	"context"
	"errors"
	"os"
	"syscall"
)

// lockFile does nothing where flock(2) is missing: tasks that share a file
// there must not fail a write at the same time.
func lockFile(context.Context, *os.File) (unlock func(), err error) { return func() {}, nil }

// diskFull reports whether err says the file system has no room left.
func diskFull(err error) bool { return errors.Is(err, syscall.ENOSPC) }
