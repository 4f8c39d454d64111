package runtime

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestRuntimeImportsNoPluginImplementation: the runtime packages build
// against the plugin registry (package plugins) only, never against a
// connector or converter implementation: the built-ins are listed in
// plugins/builtin, which the sluice command (not the runtime) imports, and
// the worker gets every converter from the registry. A runtime import of a
// built-in would pull datagen, the JDBC and CDC connectors and hamba/avro
// into every program that embeds the runtime.
func TestRuntimeImportsNoPluginImplementation(t *testing.T) {
	forbidden := regexp.MustCompile(`datagen|hamba/avro|connectors/(file|jdbc|mysqlcdc)|schemas/(avro|json|simple)|plugins/builtin`)
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps ./...: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps ./... listed nothing")
	}
	found := false
	for _, dep := range deps {
		if dep == "github.com/sluicehq/sluice/plugins" {
			found = true
		}
		if forbidden.MatchString(dep) {
			t.Errorf("the runtime packages depend on %s", dep)
		}
	}
	if !found {
		t.Errorf("go list -deps ./... does not list the registry package plugins: %q", deps)
	}
}
