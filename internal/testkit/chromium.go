package testkit

import (
	"os"
	"os/exec"
	"testing"
)

// EnvChromium names a Chromium (or Chrome) executable for the browser tests;
// unset, Debian's /usr/bin/chromium, else chromium on the PATH, is used.
const EnvChromium = "SLUICE_CHROMIUM"

// Chromium returns the path of the Chromium executable the browser tests
// drive. Without one, t is skipped, or fails when CI is true
// (scripts/services-up.sh installs Debian's chromium package).
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvChromium); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("testkit: %s=%s: %v", EnvChromium, p, err)
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if inCI() {
		t.Fatalf("testkit: no Chromium (not at /usr/bin/chromium nor on the PATH, %s unset): "+
			"run `make services-up` (it installs Debian's chromium package); CI=true requires it", EnvChromium)
	}
	t.Skipf("testkit: the browser test needs Chromium: install Debian's chromium package "+
		"(`make services-up` does), or set %s to a Chromium executable", EnvChromium)
	return ""
}
