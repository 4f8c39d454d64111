//go:build unix

package file

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// lockFile takes an exclusive flock(2) on the file, so that writers
// appending to it (other connectors, or workers on one host) never see
// each other's failed write half undone. The lock is held only around one
// write, so it is polled rather than waited for, which keeps ctx in charge.
//
// A file system without flock (NFS without lockd answers ENOLCK; some
// network and FUSE file systems EINVAL, EOPNOTSUPP or ENOSYS) has the file
// written without a lock, as where flock(2) is missing (lock_other.go),
// after one warning: failing every write would stop the task for good.
func (t *sinkTask) lockFile(ctx context.Context) (unlock func(), err error) {
	if t.noLock {
		return func() {}, nil
	}
	rc, err := t.file.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", t.filename, err)
	}
	lock := t.flock
	if lock == nil {
		lock = syscall.Flock
	}
	flock := func(how int) (ferr error) {
		if cerr := rc.Control(func(fd uintptr) { ferr = lock(int(fd), how) }); cerr != nil {
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
		if noFlock(err) {
			t.noLock = true
			t.log.Warn("the file's file system does not lock files (flock): writing it without a lock; "+
				"a write that fails part way is cut back unlocked, which could cut off lines another writer appends to the file at that moment",
				"file", t.filename, "err", err)
			return func() {}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return nil, fmt.Errorf("lock %s: %w", t.filename, err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", t.filename, ctx.Err())
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

// noFlock reports whether a flock(2) error says that the file system does
// not lock files, rather than that the lock could not be taken.
func noFlock(err error) bool {
	for _, e := range []syscall.Errno{syscall.ENOLCK, syscall.EINVAL, syscall.EOPNOTSUPP, syscall.ENOTSUP, syscall.ENOSYS} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// diskFull reports whether err says the file system (or the user's quota)
// has no room left: a write that can succeed once space is freed.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
