package api_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// objectKeys returns the keys of a JSON object in the order they are
// written.
func objectKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not an object", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// checkState checks a connector or task state as Kafka Connect 4.4
// answers it (its captured connector-source-status.json): the fields in
// that order, version the running plugin's.
func checkState(t *testing.T, what string, raw json.RawMessage, wantKeys []string, version string) {
	t.Helper()
	if got := objectKeys(t, raw); !slices.Equal(got, wantKeys) {
		t.Errorf("%s: fields %q, want %q (%s)", what, got, wantKeys, raw)
	}
	var st struct{ Version *string }
	if err := json.Unmarshal(raw, &st); err != nil || st.Version == nil || *st.Version != version {
		t.Errorf("%s: version %v in %s, want %q", what, st.Version, raw, version)
	}
}

// TestPluginVersionsREST: statuses carry version in connector and tasks
// (status, task status, ?expand=status, the restart 202 body) in Kafka
// Connect 4.4's field order; the plugin list gives converters a version;
// connector.plugin.version and the converter version keys are validated
// and answered as Kafka Connect 4.4 does; /config?version= picks a version.
func TestPluginVersionsREST(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	w := startWorker(t, bootstrap, nil)
	in := filepath.Join(w.dir, "in.txt")
	if err := os.WriteFile(in, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": topic}

	// A version nothing installed satisfies: refused, naming the key's problem.
	bad := map[string]any{"name": "src", "config": merge(cfg, map[string]string{"connector.plugin.version": "9.9.9"})}
	r := w.do(t, "POST", "/connectors", mustJSON(bad))
	want := "Plugin " + file.SourceClass + " not found that matches the version range [9.9.9,9.9.9], available versions: [" + file.Version + "]"
	if r.status != 400 || !strings.Contains(r.errorMessage(t).Message, want) {
		t.Fatalf("create with connector.plugin.version=9.9.9: %d %s; want 400 with %q", r.status, r.body, want)
	}

	good := map[string]any{"name": "src", "config": merge(cfg, map[string]string{"connector.plugin.version": "[" + file.Version + "]"})}
	if r := w.do(t, "POST", "/connectors", mustJSON(good)); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	w.awaitStatus(t, "src", "RUNNING", running(1))

	stateKeys := []string{"state", "worker_id", "version"}
	taskKeys := []string{"id", "state", "worker_id", "version"}
	var status struct {
		Connector json.RawMessage
		Tasks     []json.RawMessage
	}
	w.do(t, "GET", "/connectors/src/status", "").json(t, &status)
	checkState(t, "status connector", status.Connector, stateKeys, file.Version)
	if len(status.Tasks) != 1 {
		t.Fatalf("tasks %s", status.Tasks)
	}
	checkState(t, "status task", status.Tasks[0], taskKeys, file.Version)
	checkState(t, "task status", w.do(t, "GET", "/connectors/src/tasks/0/status", "").body, taskKeys, file.Version)
	var expanded map[string]struct {
		Status struct {
			Connector json.RawMessage
			Tasks     []json.RawMessage
		}
	}
	w.do(t, "GET", "/connectors?expand=status", "").json(t, &expanded)
	checkState(t, "expand=status connector", expanded["src"].Status.Connector, stateKeys, file.Version)
	checkState(t, "expand=status task", expanded["src"].Status.Tasks[0], taskKeys, file.Version)
	r = w.do(t, "POST", "/connectors/src/restart?includeTasks=true", "")
	if r.status != 202 {
		t.Fatalf("restart: %d %s", r.status, r.body)
	}
	r.json(t, &status)
	checkState(t, "restart 202 connector", status.Connector, stateKeys, file.Version)
	checkState(t, "restart 202 task", status.Tasks[0], taskKeys, file.Version)

	// The plugin list: every converter and header converter has a version.
	var plugs []herder.PluginInfo
	w.do(t, "GET", "/connector-plugins?connectorsOnly=false", "").json(t, &plugs)
	for _, p := range plugs {
		if (p.Type == "converter" || p.Type == "header_converter") && p.Version != builtin.ConverterVersion {
			t.Errorf("%s %s listed with version %q, want %s", p.Type, p.Class, p.Version, builtin.ConverterVersion)
		}
	}

	// Validate, as Kafka Connect 4.4 answers (its captured
	// validate-source-plugin-version-*.json).
	var infos herder.ConfigInfos
	w.do(t, "PUT", "/connector-plugins/FileStreamSource/config/validate", mustJSON(merge(cfg, map[string]string{"name": "v", "connector.plugin.version": "9.9.9"}))).json(t, &infos)
	// Kafka Connect's four common groups, and sluice's Task Restart.
	if infos.ErrorCount != 2 || !slices.Equal(infos.Groups, []string{"Common", "Transforms", "Predicates", "Error Handling", "Task Restart"}) {
		t.Errorf("validate 9.9.9: %d errors, groups %q; want 2 and the common groups", infos.ErrorCount, infos.Groups)
	}
	for _, key := range []string{"connector.class", "connector.plugin.version"} {
		c := configOf(t, infos, key)
		if !slices.Equal(c.Value.Errors, []string{want}) {
			t.Errorf("validate 9.9.9: %s errors %q, want %q", key, c.Value.Errors, want)
		}
	}
	if c := configOf(t, infos, "connector.plugin.version"); !slices.Equal(c.Value.RecommendedValues, []string{file.Version}) ||
		c.Definition.DefaultValue == nil || *c.Definition.DefaultValue != file.Version {
		t.Errorf("validate 9.9.9: connector.plugin.version %s", mustJSON(c))
	}
	if _, found := findConfig(infos, "file"); found {
		t.Error("validate 9.9.9 validated the connector's own keys")
	}

	w.do(t, "PUT", "/connector-plugins/FileStreamSource/config/validate", mustJSON(merge(cfg, map[string]string{"name": "v",
		"key.converter": "StringConverter", "key.converter.plugin.version": "[2.0,)"}))).json(t, &infos)
	missing := "Plugin org.apache.kafka.connect.storage.StringConverter not found that matches the version range [2.0,), available versions: [" + builtin.ConverterVersion + "]"
	if infos.ErrorCount != 2 {
		t.Errorf("validate key.converter.plugin.version=[2.0,): %d errors, want 2", infos.ErrorCount)
	}
	for _, key := range []string{"key.converter", "key.converter.plugin.version"} {
		if c := configOf(t, infos, key); !slices.Equal(c.Value.Errors, []string{missing}) {
			t.Errorf("validate: %s errors %q, want %q", key, c.Value.Errors, missing)
		}
	}
	w.do(t, "PUT", "/connector-plugins/FileStreamSource/config/validate", mustJSON(merge(cfg, map[string]string{"name": "v"}))).json(t, &infos)
	if infos.ErrorCount != 0 {
		t.Errorf("validate: %d errors: %s", infos.ErrorCount, mustJSON(infos))
	}
	for key, version := range map[string]string{"connector.plugin.version": file.Version, "key.converter.plugin.version": builtin.ConverterVersion,
		"value.converter.plugin.version": builtin.ConverterVersion, "header.converter.plugin.version": builtin.ConverterVersion} {
		c := configOf(t, infos, key)
		if c.Value.Value == nil || *c.Value.Value != version || !slices.Equal(c.Value.RecommendedValues, []string{version}) {
			t.Errorf("validate: %s %s; want value and recommended %s", key, mustJSON(c), version)
		}
	}
	w.do(t, "PUT", "/connector-plugins/FileStreamSource/config/validate", mustJSON(merge(cfg, map[string]string{"name": "v", "connector.plugin.version": "[1.0"}))).json(t, &infos)
	if c := configOf(t, infos, "connector.plugin.version"); len(c.Value.Errors) != 1 || !strings.Contains(c.Value.Errors[0], "Unbounded range: [1.0") {
		t.Errorf("validate [1.0: %s", mustJSON(c))
	}
	if infos.ErrorCount != 2 {
		t.Errorf("validate [1.0: %d errors, want 2 (connector.class and connector.plugin.version)", infos.ErrorCount)
	}

	// GET /connector-plugins/{p}/config?version=
	if r := w.do(t, "GET", "/connector-plugins/FileStreamSource/config?version=%5B"+file.Version+"%5D", ""); r.status != 200 {
		t.Errorf("config?version=[%s]: %d %s", file.Version, r.status, r.body)
	}
	for version, msg := range map[string]string{
		"9.9.9":  "Plugin " + file.SourceClass + " not found that matches the version range [9.9.9,9.9.9], available versions: [" + file.Version + "]",
		"%5B1.0": "Invalid version specification: [1.0",
	} {
		r := w.do(t, "GET", "/connector-plugins/FileStreamSource/config?version="+version, "")
		if r.status != 400 || r.errorMessage(t).Message != msg {
			t.Errorf("config?version=%s: %d %s; want 400 %q", version, r.status, r.body, msg)
		}
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func findConfig(infos herder.ConfigInfos, key string) (herder.ConfigInfo, bool) {
	for _, c := range infos.Configs {
		if c.Value != nil && c.Value.Name == key {
			return c, true
		}
	}
	return herder.ConfigInfo{}, false
}

func configOf(t *testing.T, infos herder.ConfigInfos, key string) herder.ConfigInfo {
	t.Helper()
	c, ok := findConfig(infos, key)
	if !ok || c.Definition == nil {
		t.Fatalf("validate answer has no definition of %s", key)
	}
	return c
}
