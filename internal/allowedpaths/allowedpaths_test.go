package allowedpaths

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	allowed := filepath.Join(root, "allowed")
	other := filepath.Join(root, "other")
	for _, d := range []string{allowed, other, allowed + "c"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(other, "secret"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for target, name := range map[string]string{
		filepath.Join(other, "secret"):  "file-link",
		other:                           "dir-link",
		filepath.Join(other, "missing"): "dangling",
		filepath.Join(allowed, "in"):    "inner-link",
	} {
		if err := os.Symlink(target, filepath.Join(allowed, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(allowed, "in"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := Parse("file.connector.allowed.paths", " "+allowed+" ,")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string // "" allowed, else a part of the error
	}{
		{filepath.Join(allowed, "in"), ""},
		{allowed, ""},
		{filepath.Join(allowed, "new-file"), ""},
		{filepath.Join(allowed, "new-dir", "new-file"), ""},
		{filepath.Join(allowed, "inner-link"), ""},
		{filepath.Join(other, "secret"), "is not in file.connector.allowed.paths [" + allowed + "]"},
		{allowed + "/../other/secret", "is not in file.connector.allowed.paths"},
		{allowed + "c/x", "is not in file.connector.allowed.paths"},
		{"relative.txt", "is not in file.connector.allowed.paths"},
		{filepath.Join(allowed, "file-link"), "leads to " + filepath.Join(other, "secret") + ", which is not in"},
		{filepath.Join(allowed, "dir-link", "secret"), "leads to " + filepath.Join(other, "secret")},
		{filepath.Join(allowed, "dir-link", "new-file"), "leads to " + filepath.Join(other, "new-file")},
		{filepath.Join(allowed, "dangling"), "symbolic link to a file that does not exist"},
	}
	for _, tt := range tests {
		err := a.Check(tt.path)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(%s): %v, want allowed", tt.path, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Check(%s) = %v, want an error with %q", tt.path, err, tt.want)
		}
	}
	if err := (Paths{}).Check("/etc/shadow"); err != nil {
		t.Errorf("the zero Paths refused: %v", err)
	}
}

func TestParse(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		list, want string
		restricted bool
	}{
		{"", "", false},
		{" , ", "", false},
		{dir, "", true},
		{"relative/dir", "path relative/dir is not absolute", false},
		{filepath.Join(dir, "missing"), "does not exist", false},
	}
	for _, tt := range tests {
		a, err := Parse("k", tt.list)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Parse(%q): %v", tt.list, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Parse(%q) = %v, want an error with %q", tt.list, err, tt.want)
		case a.Restricted() != tt.restricted:
			t.Errorf("Parse(%q).Restricted() = %v", tt.list, a.Restricted())
		}
	}
}
