package herdercore

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCommitOf(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	tests := []struct {
		name  string
		stamp string
		bi    *debug.BuildInfo
		want  string
	}{
		{"no build info", "", nil, ""},
		{"stamp wins", "abc123", &debug.BuildInfo{Settings: settings("vcs.revision", "def456")}, "abc123"},
		{"vcs revision", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: settings("vcs.revision", "def456", "vcs.modified", "false")}, "def456"},
		{"dirty tree", "", &debug.BuildInfo{Settings: settings("vcs.revision", "def456", "vcs.modified", "true")}, "def456-dirty"},
		{"go install of a version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"go install of a pseudo-version", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261206214400-0123456789ab"}}, "v0.0.0-20261206214400-0123456789ab"},
		{"devel without vcs", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := commitOf(tc.stamp, tc.bi); got != tc.want {
				t.Errorf("commitOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCommitStampedByLdflags builds a program that prints Commit with the
// -X stamp the README documents, and checks the stamp is what it reports.
func TestCommitStampedByLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	main := filepath.Join(dir, "main.go")
	src := "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/sluicehq/sluice/runtime/herdercore\"\n)\n\nfunc main() { fmt.Print(herdercore.Commit()) }\n"
	if err := os.WriteFile(main, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "commit")
	build := exec.Command("go", "build", "-ldflags", "-X github.com/sluicehq/sluice/runtime/herdercore.commit=stamped0123", "-o", bin, main)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "stamped0123" {
		t.Errorf("Commit() = %q, want the -X stamp", got)
	}
}
