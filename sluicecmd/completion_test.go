package sluicecmd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionBash loads the bash script in a real bash and completes
// words at each level: commands, actions, "connectors config" actions,
// connector names (from a stand-in sluice on PATH that answers
// "connectors __names"), flags, and files after -f.
func TestCompletionBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	dir := t.TempDir()
	var script bytes.Buffer
	if code := Main([]string{"completion", "bash"}, nil, &script, os.Stderr); code != 0 {
		t.Fatalf("completion bash: exit %d", code)
	}
	scriptFile := filepath.Join(dir, "sluice.bash")
	stub := filepath.Join(dir, "bin", "sluice")
	if err := os.MkdirAll(filepath.Dir(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	for p, content := range map[string]string{
		scriptFile:                      script.String(),
		stub:                            "#!/bin/sh\n[ \"$1 $2\" = \"connectors __names\" ] && printf 'orders\\nother\\n'\n",
		filepath.Join(dir, "conn.json"): "{}",
	} {
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		line string // the words typed; the last is being completed
		want string
	}{
		{"sluice st", "standalone status"},
		{"sluice connectors t", "tasks topics"},
		{"sluice connectors config p", "patch"},
		{"sluice connectors status o", "orders other"},
		{"sluice offsets get or", "orders"},
		{"sluice connectors config patch o", "orders other"},
		{"sluice connectors list --in", "--insecure --include-tasks"},
		{"sluice completion f", "fish"},
		{"sluice help sta", "standalone status"},
		{"sluice connectors create -f " + filepath.Join(dir, "co"), ""}, // -o default completes files
	}
	for _, tc := range tests {
		words := strings.Fields(tc.line)
		if strings.HasSuffix(tc.line, " ") {
			words = append(words, "")
		}
		cmd := exec.Command(bash, "--norc", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _sluice; echo "${COMPREPLY[*]}"`, "bash", scriptFile)
		cmd.Args = append(cmd.Args, words...)
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(stub)+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != tc.want {
			t.Errorf("%q: completed %q (%v), want %q", tc.line, out, err, tc.want)
		}
	}
}

// TestCompletionScripts checks each shell's script names the commands and
// the connector-name helper, and that a bad shell is a usage error.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out, errOut bytes.Buffer
		if code := Main([]string{"completion", shell}, nil, &out, &errOut); code != 0 || errOut.Len() != 0 {
			t.Fatalf("%s: exit %d, stderr %q", shell, code, errOut.String())
		}
		for _, w := range []string{"standalone", "validate", "topics", "sluice connectors __names"} {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s script lacks %q", shell, w)
			}
		}
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"completion", "tcsh"}, nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), `unknown shell "tcsh"`) {
		t.Errorf("tcsh: exit %d, stderr %q", code, errOut.String())
	}
	base, _ := fakeConnect(t, map[string]canned{"GET /connectors": {200, `["b","a"]`}})
	if code, out, _ := cli(t, "", "connectors", "__names", "--url", base); code != 0 || out != "a\nb\n" {
		t.Errorf("__names: exit %d, %q", code, out)
	}
}
