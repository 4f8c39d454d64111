package archtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/sluicehq/sluice"

// root is the repository's top directory (this package is internal/archtest).
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod two levels up from the test: %v", err)
	}
	return dir
}

type pkg struct {
	ImportPath string
	Imports    []string
}

// packages lists the module's packages with their non-test imports, both
// relative to the module path ("runtime/kafka"; "" for a package outside it).
func packages(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports", "./...")
	cmd.Dir = root(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.Bytes())
	}
	pkgs := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		var own []string
		for _, imp := range p.Imports {
			if rel, ok := rel(imp); ok {
				own = append(own, rel)
			}
		}
		r, _ := rel(p.ImportPath)
		pkgs[r] = own
	}
	return pkgs
}

func rel(path string) (string, bool) {
	if path == module {
		return ".", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

// under reports whether p is dir or a package below it.
func under(p string, dirs ...string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// The layers of ARCHITECTURE.md's package list.
var (
	// contracts know nothing of the runtime or of any implementation.
	contracts = []string{"connerr", "config", "schemas/internal/order"}
	// contractsExact are contracts whose subpackages are implementations.
	contractsExact = []string{"schemas", "connectors", "transforms"}
	// testOnly packages serve tests and benchmarks and are imported by no
	// other package's code.
	testOnly = []string{"internal/testkit", "internal/e2e", "internal/interop", "internal/archtest", "bench", "scripts"}
	// edges serve the user: REST, the command.
	edges = []string{"api", "sluicecmd", "cmd"}
)

func isContract(p string) bool {
	return under(p, contracts...) || slices.Contains(contractsExact, p)
}

// isHelper reports whether p is one of the shared helpers under internal/.
// internal/promexport is not one: it is the /metrics collector over the
// runtime, an edge kept internal so that only the command wires it.
func isHelper(p string) bool {
	return under(p, "internal") && !under(p, testOnly...) && !under(p, "internal/promexport")
}

// TestLayers checks the import direction ARCHITECTURE.md describes: contracts
// below implementations below the runtime below the edges, the shared
// helpers under internal/ below all of them.
func TestLayers(t *testing.T) {
	pkgs := packages(t)
	if len(pkgs) < 50 {
		t.Fatalf("go list found %d packages: is the test running in the repository?", len(pkgs))
	}
	rules := []struct {
		name    string
		applies func(p string) bool
		allowed func(p, imp string) bool
	}{
		{"a contract imports only contracts and internal helpers",
			isContract,
			func(_, imp string) bool { return isContract(imp) || isHelper(imp) }},
		{"an internal helper imports only internal helpers and contracts",
			isHelper,
			func(_, imp string) bool { return isHelper(imp) || isContract(imp) }},
		{"runtime/herder, the control-plane contract, imports only contracts and internal helpers",
			func(p string) bool { return p == "runtime/herder" },
			func(_, imp string) bool { return isContract(imp) || isHelper(imp) }},
		{"runtime/kafka imports no other runtime package",
			func(p string) bool { return p == "runtime/kafka" },
			func(_, imp string) bool { return !under(imp, "runtime") }},
		{"the runtime imports no implementation but the plugin registry, and no edge",
			func(p string) bool { return under(p, "runtime") },
			func(_, imp string) bool {
				return isContract(imp) || isHelper(imp) || under(imp, "runtime") || imp == "plugins"
			}},
		// runtime/kafka is the Kafka client layer (sarama settings, client
		// security, waiting clients, compacted-topic logs): the CDC
		// connector's schema history topic is such a log.
		{"an implementation (connector, converter, plugin) imports no runtime but the herder contract and the Kafka client layer, and no edge",
			func(p string) bool {
				return !isContract(p) && !under(p, "internal", "runtime", "bench", "scripts", ".") && !under(p, edges...)
			},
			func(_, imp string) bool {
				return !under(imp, edges...) && (!under(imp, "runtime") || imp == "runtime/herder" || imp == "runtime/kafka")
			}},
		{"api knows the herder contract, not the runtime",
			func(p string) bool { return under(p, "api") },
			func(_, imp string) bool { return !under(imp, "runtime") || imp == "runtime/herder" }},
		{"only cmd/sluice imports sluicecmd, and nothing imports cmd/",
			func(p string) bool { return true },
			func(p, imp string) bool {
				return !under(imp, "cmd") && (imp != "sluicecmd" || under(p, "cmd/sluice"))
			}},
		{"test-only packages are imported only by tests and other test-only packages",
			func(p string) bool { return !under(p, testOnly...) },
			func(_, imp string) bool { return !under(imp, testOnly...) }},
	}
	for _, r := range rules {
		for p, imps := range pkgs {
			if !r.applies(p) {
				continue
			}
			for _, imp := range imps {
				if !r.allowed(p, imp) {
					t.Errorf("%s imports %s, but %s", p, imp, r.name)
				}
			}
		}
	}
}

// ruleSection returns the numbered data-integrity rules of ARCHITECTURE.md,
// each with its text.
func ruleSection(t *testing.T) map[int]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Data-integrity rules\n")
	if !ok {
		t.Fatal(`ARCHITECTURE.md has no "## Data-integrity rules" section`)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	rules := map[int]string{}
	item := regexp.MustCompile(`(?m)^(\d+)\. `)
	locs := item.FindAllStringSubmatchIndex(sec, -1)
	for i, loc := range locs {
		n, _ := strconv.Atoi(sec[loc[2]:loc[3]])
		end := len(sec)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		rules[n] = sec[loc[0]:end]
	}
	if len(rules) == 0 {
		t.Fatal("the data-integrity rules section numbers no rule")
	}
	return rules
}

// goFiles returns the repository's Go files (those git tracks, and new ones
// it does not ignore) with their contents.
func goFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := root(t)
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "*.go")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	files := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		b, err := os.ReadFile(filepath.Join(dir, sc.Text()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		files[sc.Text()] = string(b)
	}
	return files
}

// TestIntegrityRulesResolve checks that every "rule N" a Go comment cites is
// a data-integrity rule of ARCHITECTURE.md, and that every rule names at
// least one test that exists.
func TestIntegrityRulesResolve(t *testing.T) {
	rules := ruleSection(t)
	files := goFiles(t)
	cite := regexp.MustCompile(`//.*\brules? (\d+)(?: and (\d+))?`)
	cited := 0
	for path, src := range files {
		for i, line := range strings.Split(src, "\n") {
			for _, m := range cite.FindAllStringSubmatch(line, -1) {
				for _, s := range m[1:] {
					if s == "" {
						continue
					}
					cited++
					n, _ := strconv.Atoi(s)
					if _, ok := rules[n]; !ok {
						t.Errorf("%s:%d cites rule %d, which ARCHITECTURE.md's data-integrity rules do not have", path, i+1, n)
					}
				}
			}
		}
	}
	if cited == 0 {
		t.Error("no comment cites a rule: the pattern no longer matches how comments cite them")
	}
	defined := map[string]bool{}
	fn := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	for path, src := range files {
		if strings.HasSuffix(path, "_test.go") {
			for _, m := range fn.FindAllStringSubmatch(src, -1) {
				defined[m[1]] = true
			}
		}
	}
	named := regexp.MustCompile("`(Test\\w+)`")
	for n, text := range rules {
		tests := named.FindAllStringSubmatch(text, -1)
		if len(tests) == 0 {
			t.Errorf("data-integrity rule %d names no test that proves it", n)
		}
		for _, m := range tests {
			if !defined[m[1]] {
				t.Errorf("data-integrity rule %d names %s, which no test file defines", n, m[1])
			}
		}
	}
}

// TestDocumentedFilesExist checks that every Go file ARCHITECTURE.md and the
// README name in backquotes (`worker.go`, `runtime/storage/atomic.go`) and
// every package directory ARCHITECTURE.md names (`runtime/storage`) exists.
// A file named with a directory must be at that path (or at its end, as
// `storage/atomic.go`): a file that moved to another package while keeping
// its name is drift.
func TestDocumentedFilesExist(t *testing.T) {
	dir := root(t)
	files := goFiles(t)
	for _, doc := range []string{"ARCHITECTURE.md", "README.md"} {
		b, err := os.ReadFile(filepath.Join(dir, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range documentedGoFiles(string(b)) {
			if !fileNamed(files, name) {
				t.Errorf("%s names %s, which is not in the repository", doc, name)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for path := range files {
		for d := filepath.Dir(path); d != "."; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	// A package named by its path from the top (`runtime/storage`) or,
	// within a paragraph about its parent, by the end of it
	// (`internal/wire` of plugins/external).
	pkgPath := regexp.MustCompile("`((?:api|config|connectors|internal|plugins|runtime|schemas|sluicecmd|transforms|cmd)(?:/[a-z0-9_]+)+)`")
	for _, m := range pkgPath.FindAllStringSubmatch(string(b), -1) {
		found := dirs[m[1]]
		for d := range dirs {
			found = found || strings.HasSuffix(d, "/"+m[1])
		}
		if !found {
			t.Errorf("ARCHITECTURE.md names the package %s, which is not a directory of the repository", m[1])
		}
	}
}

// documentedGoFiles returns the Go files a document names in backquotes.
func documentedGoFiles(doc string) []string {
	var out []string
	for _, m := range regexp.MustCompile("`([A-Za-z0-9_./-]+\\.go)`").FindAllStringSubmatch(doc, -1) {
		out = append(out, m[1])
	}
	return out
}

// fileNamed reports whether a document's name of a Go file (a base name, or
// a path from the top or from a directory of the repository) is a file of
// files.
func fileNamed[V any](files map[string]V, name string) bool {
	for path := range files {
		if path == name || strings.HasSuffix(path, "/"+name) {
			return true
		}
	}
	return false
}

// TestFileNamed: a name with a directory must match the file's path, not
// only its base name.
func TestFileNamed(t *testing.T) {
	files := map[string]bool{"plugins/builtin/builtin.go": true, "runtime/storage/atomic.go": true, "main.go": true}
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"builtin.go", true},
		{"plugins/builtin/builtin.go", true},
		{"builtin/builtin.go", true},
		{"plugins/builtin.go", false}, // moved: the base name alone must not pass
		{"storage/atomic.go", true},
		{"orage/atomic.go", false},
		{"main.go", true},
		{"missing.go", false},
	} {
		if got := fileNamed(files, tt.name); got != tt.want {
			t.Errorf("fileNamed(%q) = %t, want %t", tt.name, got, tt.want)
		}
	}
}

// TestCitedDocumentsExist checks that every Markdown document a Go file names
// (`ARCHITECTURE.md`, `testdata/README.md`) is in the repository: a comment
// must not send a reader to a document only its author had.
func TestCitedDocumentsExist(t *testing.T) {
	files := goFiles(t)
	dir := root(t)
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	docs := map[string]bool{}
	for _, path := range strings.Fields(string(out)) {
		docs[path] = true
		docs[filepath.Base(path)] = true
	}
	md := regexp.MustCompile(`([A-Za-z0-9_./-]+\.md)\b`)
	for path, src := range files {
		for i, line := range strings.Split(src, "\n") {
			for _, m := range md.FindAllStringSubmatch(line, -1) {
				name := strings.TrimPrefix(m[1], "./")
				if strings.HasPrefix(name, "../") || strings.Contains(name, "/../") {
					t.Errorf("%s:%d names %s, outside the repository", path, i+1, m[1])
					continue
				}
				if !docs[name] && !docs[filepath.Base(name)] && !writesDocs(path) {
					t.Errorf("%s:%d names %s, which is not in the repository", path, i+1, m[1])
				}
			}
		}
	}
}

// writesDocs reports whether a Go file writes the documents it names rather
// than cites them: sluice plugins docs and its test write the plugin
// reference.
func writesDocs(path string) bool {
	return strings.HasPrefix(path, "sluicecmd/docs")
}
