package testkit

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// Tmpfs mounts a tmpfs of the given size (mount's size=, e.g. "256k") on a fresh temporary
// directory and returns it, for tests that need a file system that really fills up (ENOSPC). The
// mount is removed when the test ends. Mounting needs root: when the test runs as another user,
// or the mount fails (no mount(8), no CAP_SYS_ADMIN in a container), Tmpfs returns "" and the
// caller falls back to something weaker, except when CI=true, where t fails.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	dir, err := mountTmpfs(t, size)
	if err == nil {
		return dir
	}
	if inCI() {
		t.Fatalf("tmpfs: %v; CI=true runs as root and needs a real full file system", err)
	}
	t.Logf("tmpfs: %v; falling back", err)
	return ""
}

func mountTmpfs(t testing.TB, size string) (string, error) {
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("mounting needs root, the test runs as uid %d", os.Geteuid())
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0755", "tmpfs", dir).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("mount -t tmpfs on %s: %w: %s", dir, err, strings.TrimSpace(string(out)))
	}
	// Registered after TempDir's clean-up, so it runs before it.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, strings.TrimSpace(string(out)))
		}
	})
	return dir, nil
}

// FillUp writes the file path until its file system is full (ENOSPC), then frees room bytes of it
// again (rounded to the file system's blocks), so that the next writes there fail part way.
// Removing the file frees the space.
func FillUp(t testing.TB, path string, room int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", path, err)
			}
			break
		}
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < room {
		t.Fatalf("fill %s: the file system had only %d bytes free, fewer than the %d to leave", path, fi.Size(), room)
	}
	if err := f.Truncate(fi.Size() - room); err != nil {
		t.Fatal(err)
	}
}
