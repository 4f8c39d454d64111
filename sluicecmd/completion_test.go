package sluicecmd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
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
	dir, scriptFile, path := completionFixture(t, "bash")
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
		{"sluice connectors status x", `x\$\(touch\$\{IFS\}pwned\)`},    // quoted for the command line
	}
	for _, tc := range tests {
		words := strings.Fields(tc.line)
		if strings.HasSuffix(tc.line, " ") {
			words = append(words, "")
		}
		cmd := exec.Command(bash, "--norc", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _sluice; echo "${COMPREPLY[*]}"`, "bash", scriptFile)
		cmd.Args = append(cmd.Args, words...)
		cmd.Env = append(os.Environ(), "PATH="+path)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		notRun(t, dir, tc.line)
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

// hostileName is a connector name a worker may hold: completion offers it
// as a name, and never runs the command in it (which would create the file
// pwned in the shell's directory).
const hostileName = "x$(touch${IFS}pwned)"

// completionFixture writes shell's completion script, a stand-in sluice
// that answers "connectors __names" with orders, other and hostileName,
// and conn.json
// into a temporary directory; it returns the directory, the script and
// the PATH that finds the stand-in first.
func completionFixture(t *testing.T, shell string) (dir, script, path string) {
	t.Helper()
	dir = t.TempDir()
	var out bytes.Buffer
	if code := Main([]string{"completion", shell}, nil, &out, os.Stderr); code != 0 {
		t.Fatalf("completion %s: exit %d", shell, code)
	}
	script = filepath.Join(dir, "sluice."+shell)
	stub := filepath.Join(dir, "bin", "sluice")
	if err := os.MkdirAll(filepath.Dir(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	for p, content := range map[string]string{
		script:                          out.String(),
		stub:                            "#!/bin/sh\n[ \"$1 $2\" = \"connectors __names\" ] && printf 'orders\\nother\\n" + hostileName + "\\n'\n",
		filepath.Join(dir, "conn.json"): "{}",
	} {
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, script, filepath.Dir(stub) + string(os.PathListSeparator) + os.Getenv("PATH")
}

// shellCompletionCases are lines typed and the words completion offers for
// their last word (sorted; files by their base name): commands, actions,
// "connectors config" actions, connector names, flags, files after -f.
// quoted is how the shell shows hostileName: as it inserts it on the
// command line (zsh), or as the name (fish).
func shellCompletionCases(dir, quoted string) []struct{ line, want string } {
	return []struct{ line, want string }{
		{"sluice st", "standalone status"},
		{"sluice connectors t", "tasks topics"},
		{"sluice connectors config p", "patch"},
		{"sluice connectors status o", "orders other"},
		{"sluice offsets get or", "orders"},
		{"sluice connectors config patch o", "orders other"},
		{"sluice connectors list --in", "--include-tasks --insecure"},
		{"sluice completion f", "fish"},
		{"sluice help sta", "standalone status"},
		{"sluice connectors create -f " + filepath.Join(dir, "co"), "conn.json"},
		{"sluice connectors status x", quoted},
	}
}

// notRun fails the test if completing ran the command in hostileName.
func notRun(t *testing.T, dir, line string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Fatalf("%q: completion ran the command in a connector's name", line)
	}
}

// sortedWords sorts the words of s, files by their base name.
func sortedWords(s string) string {
	w := strings.Fields(s)
	for i := range w {
		if strings.Contains(w[i], "/") {
			w[i] = filepath.Base(w[i])
		}
	}
	slices.Sort(w)
	return strings.Join(slices.Compact(w), " ")
}

// zshComplete types a line into an interactive zsh (in a pseudo-terminal,
// zsh's zpty module) that sourced the script, presses Tab, and prints all
// the terminal showed; compadd, wrapped, shows each set of matches it adds
// between <hit> and </hit>. The line is typed once the prompt shows (zle
// reads the terminal then, not the terminal's line editing, which would
// take Ctrl-U itself); it is then cleared and a marker printed, whose output
// (not its echo) ends the reading.
const zshComplete = `zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "source ${(q)1}; "'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -A hits "$@"; (( $#hits )) && print -r -- "<hit>${(j: :)hits}</hit>"; builtin compadd "$@"; }; zstyle ":completion:*" insert-tab false; PS1="<pro""mpt>"'
zpty -r z out '*<prompt>*' || exit 4
zpty -w -n z "$2"$'\t'$'\C-u''print -r -- "<do""ne>"'$'\n'
zpty -r z out '*<done>*' || exit 5
print -r -- "$out"
zpty -d z
`

// TestCompletionZsh loads the zsh script in a real interactive zsh and
// completes each line of shellCompletionCases with Tab.
func TestCompletionZsh(t *testing.T) {
	zsh := testkit.Tool(t, "zsh", "scripts/services-up.sh (apt-get install zsh)")
	dir, script, path := completionFixture(t, "zsh")
	driver := filepath.Join(dir, "drive.zsh") // not a match of "co"
	if err := os.WriteFile(driver, []byte(zshComplete), 0o644); err != nil {
		t.Fatal(err)
	}
	hit := regexp.MustCompile(`<hit>(.*?)</hit>`)
	for _, tc := range shellCompletionCases(dir, `x\$\(touch\$\{IFS\}pwned\)`) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, zsh, "-f", driver, script, tc.line)
		// HOME: compinit writes its dump there.
		cmd.Env = append(os.Environ(), "PATH="+path, "HOME="+dir, "ZDOTDIR="+dir)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		notRun(t, dir, tc.line)
		var got []string
		for _, m := range hit.FindAllStringSubmatch(string(out), -1) {
			got = append(got, m[1])
		}
		if err != nil || sortedWords(strings.Join(got, " ")) != tc.want {
			t.Errorf("%q: completed %q (%v), want %q; terminal:\n%q", tc.line, got, err, tc.want, out)
		}
	}
}

// TestCompletionFish loads the fish script in a real fish and asks it for
// each line's completions (complete -C).
func TestCompletionFish(t *testing.T) {
	fish := testkit.Tool(t, "fish", "scripts/services-up.sh (apt-get install fish)")
	dir, script, path := completionFixture(t, "fish")
	for _, tc := range shellCompletionCases(dir, hostileName) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, fish, "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, script, tc.line)
		cmd.Env = append(os.Environ(), "PATH="+path, "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		notRun(t, dir, tc.line)
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			w, _, _ := strings.Cut(l, "\t") // a description follows a tab
			got = append(got, w)
		}
		if err != nil || sortedWords(strings.Join(got, " ")) != tc.want {
			t.Errorf("%q: completed %q (%v), want %q", tc.line, got, err, tc.want)
		}
	}
}
