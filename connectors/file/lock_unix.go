//go:build unix

package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockFile takes an exclusive flock(2) on f, so that the sink tasks
// appending to one file (tasks.max > 1, or workers on one host) never see
// each other's failed write half undone. The lock is held only around one
// write, so it is polled rather than waited for, which keeps ctx in charge.
func lockFile(ctx context.Context, f *os.File) (unlock func(), err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	flock := func(how int) (ferr error) {
		if cerr := rc.Control(func(fd uintptr) { ferr = syscall.Flock(int(fd), how) }); cerr != nil {
			return cerr
		}
		return ferr
	}
	wait := time.Millisecond
	for {
		err := flock(syscall.LOCK_EX | syscall.LOCK_NB)
		if err == nil {
			return func() { _ = flock(syscall.LOCK_UN) }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", f.Name(), ctx.Err())
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

// diskFull reports whether err says the file system (or the user's quota)
// has no room left: a write that can succeed once space is freed.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
