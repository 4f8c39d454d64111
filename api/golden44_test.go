package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/internal/testkit"
)

// golden44 is the capture of a real Kafka Connect 4.4.0 worker
// (testdata/kc-4.4.0/README.md).
const golden44 = "testdata/kc-4.4.0"

// golden44Call is one call of the capture's index.
type golden44Call struct {
	Name        string          `json:"name"`
	Method      string          `json:"method"`
	Path        string          `json:"path"`
	RequestBody json.RawMessage `json:"request_body"`
	Status      int             `json:"status"`
	File        string          `json:"file"`
}

// golden44Calls reads the capture's index; every name in want must be in
// it, so that a capture taken again without one of them fails here rather
// than skipping its comparison.
func golden44Calls(t *testing.T, want ...string) map[string]golden44Call {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(golden44, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Calls []golden44Call `json:"calls"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	calls := map[string]golden44Call{}
	for _, c := range idx.Calls {
		calls[c.Name] = c
	}
	for _, n := range want {
		if _, ok := calls[n]; !ok {
			t.Fatalf("the capture has no call %s", n)
		}
	}
	return calls
}

// knownDifference is a difference from Kafka Connect 4.4's answer that is
// deliberate or not built yet, each written in the README's differences
// section. A
// difference is known when its path contains Path in the call named Call
// ("*" for every call); the first entry that matches counts.
type knownDifference struct {
	Call, Path, Why string
}

// golden44Known lists every difference the comparisons below accept. A
// difference not listed fails the test, and so does a listed one that no
// longer occurs: the list stays exact.
var golden44Known = []knownDifference{
	// Documentation texts are sluice's own, everywhere: compared nowhere.
	{"*", "/documentation", "sluice's documentation texts are its own"},

	// sluice's additions (README: automatic task restarts).
	{"*", "/groups", "sluice's Task Restart group"},
	{"*", "[task.restart.enable]", "sluice only: automatic task restarts"},
	{"*", "[task.restart.backoff.initial.ms]", "sluice only: automatic task restarts"},
	{"*", "[task.restart.backoff.max.ms]", "sluice only: automatic task restarts"},
	{"*", "[task.restart.max.attempts]", "sluice only: automatic task restarts"},

	// The converters' recommended values: sluice lists its own converters
	// (AvroConverter among them).
	{"*", "[key.converter]/value/recommended_values", "sluice's converters are not Java's set"},
	{"*", "[value.converter]/value/recommended_values", "sluice's converters are not Java's set"},

	// The capture's worker had IntegerConverter twice on its class path:
	// its error lists the one version twice ("[4.4.0, 4.4.0]").
	{"validate-source-key-converter-version-missing", "[key.converter]/value/errors", "Kafka Connect listed its one IntegerConverter twice"},
	{"validate-source-key-converter-version-missing", "[key.converter.plugin.version]/value/errors", "Kafka Connect listed its one IntegerConverter twice"},
	// validate lists a converter's own keys under its prefix
	// (key.converter.converter.type); sluice does not yet.
	{"validate-source-key-converter-version", "[key.converter.converter.type]", "sluice's validate does not list a converter's own keys"},

	// README (topic creation, and keys no definition knows): a creation
	// group's keys are listed with definition null, and their errors are
	// reported by validate (Kafka Connect finds them only at start).
	{"*", "[topic.creation.default.", "topic creation keys: listed, and checked at validate"},
	{"*", "[topic.creation.compacted.", "topic creation keys: listed, and checked at validate"},
	{"validate-source-topic-creation-no-default", "/error_count", "topic creation keys checked at validate"},
	{"validate-source-topic-creation-partitions-0", "/error_count", "topic creation keys checked at validate"},

	// README: exactly-once sources and a connector's own offsets topic are
	// not built; sluice refuses them with its own messages.
	{"validate-source-eos", "[exactly.once.support]/value/errors", "sluice's message says exactly-once is not available"},
	{"validate-source-eos", "[transaction.boundary]/value/errors", "sluice refuses every boundary but poll"},
	{"validate-source-eos", "[offsets.storage.topic]/value/errors", "sluice refuses a connector's own offsets topic"},
	{"validate-source-eos", "/error_count", "offsets.storage.topic is refused"},

	// README (REST, the file source): refusals worded by sluice after
	// Kafka Connect's words.
	{"create-no-connector-class", "/message", "names the missing key after Kafka Connect's words"},
	{"create-unknown-class", "/message", "lists the installed classes by name, not PluginDesc objects"},
	{"create-bad-value", "/message", "the file source's batch.size has a validator: 2 errors"},
}

// golden44Diff appends to out one "path: kc=… sluice=…" line per
// difference of g (Kafka Connect) and s (sluice), comparing objects field
// by field and lists of named objects (config entries, keys, tasks) by
// name, then their order.
func golden44Diff(path string, g, s any, out *[]string) {
	switch gv := g.(type) {
	case map[string]any:
		sv, ok := s.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", path, jsonOf(g), jsonOf(s)))
			return
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range gv {
				if !yield(k) {
					return
				}
			}
			for k := range sv {
				if _, dup := gv[k]; !dup && !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			gx, gok := gv[k]
			sx, sok := sv[k]
			switch {
			case !sok:
				*out = append(*out, fmt.Sprintf("%s/%s: missing in sluice (kc=%s)", path, k, jsonOf(gx)))
			case !gok:
				*out = append(*out, fmt.Sprintf("%s/%s: only in sluice (%s)", path, k, jsonOf(sx)))
			default:
				golden44Diff(path+"/"+k, gx, sx, out)
			}
		}
	case []any:
		sv, ok := s.([]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", path, jsonOf(g), jsonOf(s)))
			return
		}
		gNames, sNames := entryNames(gv), entryNames(sv)
		if gNames == nil || sNames == nil {
			if jsonOf(g) != jsonOf(s) {
				*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", path, jsonOf(g), jsonOf(s)))
			}
			return
		}
		var gCommon, sCommon []string
		for i, n := range gNames {
			j := slices.Index(sNames, n)
			if j < 0 {
				*out = append(*out, fmt.Sprintf("%s[%s]: missing in sluice", path, n))
				continue
			}
			gCommon = append(gCommon, n)
			golden44Diff(path+"["+n+"]", gv[i], sv[j], out)
		}
		for _, n := range sNames {
			if !slices.Contains(gNames, n) {
				*out = append(*out, fmt.Sprintf("%s[%s]: only in sluice", path, n))
			} else {
				sCommon = append(sCommon, n)
			}
		}
		if !slices.Equal(gCommon, sCommon) {
			*out = append(*out, fmt.Sprintf("%s: order kc=%v sluice=%v", path, gCommon, sCommon))
		}
	default:
		if jsonOf(g) != jsonOf(s) {
			*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", path, jsonOf(g), jsonOf(s)))
		}
	}
}

// entryNames names the elements of a list of objects (by "name", a config
// entry's definition or value name, or a task's "id"), nil when they are
// not all named or two share a name.
func entryNames(l []any) []string {
	if len(l) == 0 {
		return nil
	}
	var names []string
	for _, e := range l {
		o, ok := e.(map[string]any)
		if !ok {
			return nil
		}
		var n string
		switch {
		case o["definition"] != nil:
			n, _ = o["definition"].(map[string]any)["name"].(string)
		case o["value"] != nil:
			n, _ = o["value"].(map[string]any)["name"].(string)
		case o["class"] != nil:
			c, _ := o["class"].(string)
			typ, _ := o["type"].(string)
			n = typ + ":" + c
		case o["name"] != nil:
			n, _ = o["name"].(string)
		case o["id"] != nil:
			n = jsonOf(o["id"])
		}
		if n == "" || slices.Contains(names, n) {
			return nil
		}
		names = append(names, n)
	}
	return names
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// capturedVersion is the version of every plugin in the capture.
const capturedVersion = "4.4.0"

// sameVersions replaces, in sluice's answer v, the version strings of
// sluice's plugins (versions), which differ by nature from Kafka's 4.4.0,
// by the capture's: a status's or plugin's "version", and the values of
// *.plugin.version keys in definitions and validation results. Other
// strings (a version a request asked for) and nulls stay as they are, so
// that they are still compared.
func sameVersions(v any, versions map[string]bool) {
	fix := func(x any) any {
		if s, ok := x.(string); ok && versions[s] {
			return capturedVersion
		}
		return x
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			sameVersions(e, versions)
		}
	case map[string]any:
		keys := []string{"version"}
		if name, _ := x["name"].(string); strings.HasSuffix(name, ".plugin.version") {
			keys = append(keys, "default_value", "value")
			if rv, ok := x["recommended_values"].([]any); ok {
				for i := range rv {
					rv[i] = fix(rv[i])
				}
			}
		}
		for _, k := range keys {
			if _, ok := x[k]; ok {
				x[k] = fix(x[k])
			}
		}
		for _, e := range x {
			sameVersions(e, versions)
		}
	}
}

// golden44Check compares sluice's answer with the capture's file for call,
// and returns the differences no known entry accepts; used records the
// known entries that accepted one.
func golden44Check(t *testing.T, call, file string, got []byte, versions map[string]bool, used map[int]bool) []string {
	t.Helper()
	want, err := os.ReadFile(filepath.Join(golden44, file))
	if err != nil {
		t.Fatal(err)
	}
	return golden44Compare(t, call, file, want, got, versions, used)
}

// golden44Compare is golden44Check with the capture's answer (want, from
// file) read.
func golden44Compare(t *testing.T, call, file string, want, got []byte, versions map[string]bool, used map[int]bool) []string {
	t.Helper()
	var g, s any
	if err := json.Unmarshal(want, &g); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if err := json.Unmarshal(got, &s); err != nil {
		t.Fatalf("%s: sluice's answer is not JSON: %v: %s", call, err, got)
	}
	sameVersions(s, versions)
	versionTexts44(s)
	var diffs []string
	golden44Diff("", g, s, &diffs)
	var unknown []string
	for _, d := range diffs {
		path, _, _ := strings.Cut(d, ": ")
		// The first entry that accepts it counts, so that a broad entry
		// (documentation) does not keep a narrower one alive.
		known := false
		for i, k := range golden44Known {
			if (k.Call == "*" || k.Call == call) && strings.Contains(path, k.Path) {
				used[i] = true
				known = true
				t.Logf("known difference (%s): %s: %s", k.Why, call, d)
				break
			}
		}
		if !known {
			unknown = append(unknown, call+": "+d)
		}
	}
	return unknown
}

// versionTexts44 writes Kafka Connect's version, 4.4.0, for sluice's
// built-in plugins' version inside the texts of the plugin version keys'
// entries that sameVersions, which replaces whole values, leaves: a range
// asked for ("[0.1.0]") and the version errors of every entry ("available
// versions: [0.1.0]").
func versionTexts44(v any) {
	switch x := v.(type) {
	case map[string]any:
		if configs, ok := x["configs"].([]any); ok {
			for _, c := range configs {
				versionTexts44(c)
			}
			return
		}
		val, _ := x["value"].(map[string]any)
		if val == nil {
			return
		}
		if errs, ok := val["errors"].([]any); ok {
			for i, e := range errs {
				if s, ok := e.(string); ok && strings.Contains(s, "not found that matches the version range") {
					errs[i] = strings.ReplaceAll(s, file.Version, capturedVersion)
				}
			}
		}
		if name, _ := val["name"].(string); strings.HasSuffix(name, ".plugin.version") {
			if s, ok := val["value"].(string); ok {
				val["value"] = strings.ReplaceAll(s, file.Version, capturedVersion) // "[0.1.0]"
			}
		}
	case []any:
		for _, e := range x {
			versionTexts44(e)
		}
	}
}

// capturedWorker returns the JSON answer b with every worker_id replaced by
// the capture's worker's (the worker id is the worker's address).
func capturedWorker(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "worker_id" {
					x[k] = "127.0.0.1:18444"
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return []byte(jsonOf(v))
}

// golden44CheckPart is golden44Check for the member key of the capture's
// answer (an object keyed by connector).
func golden44CheckPart(t *testing.T, call, file, key string, got []byte, versions map[string]bool, used map[int]bool) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(golden44, file))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil || all[key] == nil {
		t.Fatalf("%s: no member %s: %v", file, key, err)
	}
	return golden44Compare(t, call, file+" "+key, all[key], got, versions, used)
}

// TestGolden44 compares sluice's answers with Kafka Connect 4.4.0's
// captured ones, field by field: the validate answers for the FileStream
// configurations the capture holds, the plugin config definitions of
// FileStreamSource, FileStreamSink, JsonConverter, IntegerConverter and
// Cast$Value, refused creations, the plugin lists, and a running source's statuses (connector
// and tasks, with their versions: /status, /tasks/0/status,
// ?expand=status, the restart 202 body). Every
// difference must be one golden44Known lists, and every listed one must
// still occur.
func TestGolden44(t *testing.T) {
	validates := []string{"validate-source-valid", "validate-source-no-name", "validate-sink-valid",
		"validate-source-tasks-max-x", "validate-source-missing-topic", "validate-source-eos",
		"validate-source-eos-bad-values", "validate-source-tasks-max-enforce", "validate-source-converter-unknown",
		"validate-source-topic-creation", "validate-source-topic-creation-no-default", "validate-source-topic-creation-partitions-0",
		"validate-source-plugin-version-range", "validate-source-plugin-version-missing",
		"validate-source-key-converter-version", "validate-source-key-converter-version-missing"}
	definitions := []string{"plugin-config-FileStreamSource", "plugin-config-FileStreamSink", "plugin-config-JsonConverter",
		"plugin-config-IntegerConverter", "plugin-config-Cast-Value"}
	// Refused creations (nothing is created).
	creates := []string{"create-no-connector-class", "create-bad-value", "create-tasks-max-x", "create-unknown-class"}
	statuses := []string{"connector-source-status", "connector-source-task-0-status", "connectors-expand-status", "connector-source-restart-include-tasks"}
	calls := golden44Calls(t, slices.Concat(validates, definitions, creates, statuses, []string{"connector-plugins", "connector-plugins-all"})...)
	// The capture's worker: JsonConverter keys and values.
	w := startWorker(t, testkit.Kafka(t), map[string]string{
		"key.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter": "org.apache.kafka.connect.json.JsonConverter"})
	// The versions sluice's plugins have, which sameVersions replaces.
	var installed []struct {
		Version string `json:"version"`
	}
	w.do(t, "GET", "/connector-plugins?connectorsOnly=false", "").json(t, &installed)
	sluiceVersions := map[string]bool{}
	for _, p := range installed {
		if p.Version != "" {
			sluiceVersions[p.Version] = true
		}
	}
	used := map[int]bool{}
	var unknown []string
	for _, name := range slices.Concat(validates, definitions, creates) {
		c := calls[name]
		// Versions asked for are Kafka Connect's, 4.4.0: ask sluice for its own.
		r := w.do(t, c.Method, c.Path, strings.ReplaceAll(string(c.RequestBody), "4.4.0", file.Version))
		if r.status != c.Status {
			unknown = append(unknown, fmt.Sprintf("%s: status kc=%d sluice=%d: %s", name, c.Status, r.status, r.body))
			continue
		}
		unknown = append(unknown, golden44Check(t, name, c.File, r.body, sluiceVersions, used)...)
	}

	// The plugin lists. Normalised by nature: sluice's own plugins (the
	// ones not in Apache Kafka's packages) are not Kafka Connect's, and
	// version strings are each runtime's; that a version is there is
	// compared.
	for _, name := range []string{"connector-plugins", "connector-plugins-all"} {
		c := calls[name]
		r := w.do(t, c.Method, c.Path, "")
		if r.status != c.Status {
			unknown = append(unknown, fmt.Sprintf("%s: status kc=%d sluice=%d: %s", name, c.Status, r.status, r.body))
			continue
		}
		var list []map[string]any
		if err := json.Unmarshal(r.body, &list); err != nil {
			t.Fatalf("%s: %v: %s", name, err, r.body)
		}
		list = slices.DeleteFunc(list, func(p map[string]any) bool {
			c, _ := p["class"].(string)
			return !strings.HasPrefix(c, "org.apache.kafka.connect.")
		})
		for _, p := range list {
			if v, ok := p["version"].(string); ok && v != "" {
				p["version"] = "4.4.0"
			}
		}
		unknown = append(unknown, golden44Check(t, name, c.File, []byte(jsonOf(list)), sluiceVersions, used)...)
	}

	// A running FileStreamSource, named and hosted as in the capture.
	c := calls["connector-source-status"]
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const conn = "kc44cap4-src"
	body := fmt.Sprintf(`{"name":%q,"config":{"connector.class":"FileStreamSource","tasks.max":"1","file":%q,"topic":%q}}`, conn, in, testkit.NewTopic(t, testkit.Kafka(t), 1))
	if r := w.do(t, "POST", "/connectors", body); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var status []byte
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := w.do(t, "GET", "/connectors/"+conn+"/status", "")
		if r.status == 200 && bytes.Count(r.body, []byte(`"RUNNING"`)) == 2 {
			status = r.body
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the source is not RUNNING with its task: %d %s", r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	unknown = append(unknown, golden44Check(t, "status", c.File, capturedWorker(t, status), sluiceVersions, used)...)

	// The same source's task status, its entry of ?expand=status, and the
	// 202 of a restart with its tasks (RESTARTING, with the version).
	c = calls["connector-source-task-0-status"]
	if r := w.do(t, c.Method, c.Path, ""); r.status != c.Status {
		unknown = append(unknown, fmt.Sprintf("%s: status kc=%d sluice=%d: %s", c.Name, c.Status, r.status, r.body))
	} else {
		unknown = append(unknown, golden44Check(t, c.Name, c.File, capturedWorker(t, r.body), sluiceVersions, used)...)
	}
	c = calls["connectors-expand-status"]
	if r := w.do(t, c.Method, c.Path, ""); r.status != c.Status {
		unknown = append(unknown, fmt.Sprintf("%s: status kc=%d sluice=%d: %s", c.Name, c.Status, r.status, r.body))
	} else {
		// Only the source: the capture's sink is not created here.
		var all map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &all); err != nil {
			t.Fatalf("%s: %v: %s", c.Name, err, r.body)
		}
		unknown = append(unknown, golden44CheckPart(t, c.Name, c.File, conn, capturedWorker(t, all[conn]), sluiceVersions, used)...)
	}
	c = calls["connector-source-restart-include-tasks"]
	if r := w.do(t, c.Method, c.Path, ""); r.status != c.Status {
		unknown = append(unknown, fmt.Sprintf("%s: status kc=%d sluice=%d: %s", c.Name, c.Status, r.status, r.body))
	} else {
		unknown = append(unknown, golden44Check(t, c.Name, c.File, capturedWorker(t, r.body), sluiceVersions, used)...)
	}

	sort.Strings(unknown)
	for _, d := range unknown {
		t.Errorf("difference from Kafka Connect 4.4.0 not fixed nor listed: %s", d)
	}
	for i, k := range golden44Known {
		if !used[i] {
			t.Errorf("known difference %s %s (%s) no longer occurs: remove it from golden44Known (and the README if it is listed there)", k.Call, k.Path, k.Why)
		}
	}
}
