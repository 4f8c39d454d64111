package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/api"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestConfigSizeLimits: a request body larger than a connector
// configuration may take is a 413 before it is read, and so is a
// configuration larger than connector.config.max.bytes, on every endpoint
// that takes one, in Kafka Connect's error shape naming the limit and the
// key that raises it. Nothing is created or changed.
func TestConfigSizeLimits(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	const maxConfig = 4096
	w := startWorker(t, bootstrap, map[string]string{"connector.config.max.bytes": fmt.Sprint(maxConfig)})
	sink := func(extra string) map[string]string {
		return map[string]string{"connector.class": "FileStreamSink", "topics": "t", "file": filepath.Join(w.dir, "out.txt"), "extra": extra}
	}
	body := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if r := w.do(t, "POST", "/connectors", body(herder.CreateConnectorRequest{Name: "small", Config: sink("x")})); r.status != 201 {
		t.Fatalf("create small: %d %s", r.status, r.body)
	}

	huge := strings.Repeat("h", int(api.ConfigBodyLimit(maxConfig)))
	over := strings.Repeat("o", maxConfig) // fits the body, not the configuration
	bodyLimit := fmt.Sprintf("Request body is larger than %d bytes, the most this worker accepts for a connector configuration of at most %d bytes of keys and values; raise connector.config.max.bytes in the worker configuration to accept larger ones",
		api.ConfigBodyLimit(maxConfig), maxConfig)
	configLimit := "The connector configuration has … bytes of keys and values, more than the 4096 this worker accepts; shorten it, or raise connector.config.max.bytes in the worker configuration"
	for _, tc := range []struct {
		name, method, path, body, message string
	}{
		{"create, body", "POST", "/connectors", body(herder.CreateConnectorRequest{Name: "big", Config: sink(huge)}), bodyLimit},
		{"put, body", "PUT", "/connectors/big/config", body(sink(huge)), bodyLimit},
		{"patch, body", "PATCH", "/connectors/small/config", body(map[string]string{"extra": huge}), bodyLimit},
		{"validate, body", "PUT", "/connector-plugins/FileStreamSink/config/validate", body(sink(huge)), bodyLimit},
		{"create, config", "POST", "/connectors", body(herder.CreateConnectorRequest{Name: "big", Config: sink(over)}), configLimit},
		{"put, config", "PUT", "/connectors/big/config", body(sink(over)), configLimit},
		{"patch, config", "PATCH", "/connectors/small/config", body(map[string]string{"extra": over}), configLimit},
		{"validate, config", "PUT", "/connector-plugins/FileStreamSink/config/validate", body(sink(over)), configLimit},
		{"create with a null, config", "POST", "/connectors", `{"name":"big","config":{"connector.class":"FileStreamSink","topics":null,"extra":"` + over + `"}}`, configLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, tc.method, tc.path, tc.body)
			if r.status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413; body %.300s", r.status, r.body)
			}
			e := r.errorMessage(t)
			if before, after, ok := strings.Cut(tc.message, "…"); ok {
				if !strings.HasPrefix(e.Message, before) || !strings.HasSuffix(e.Message, after) {
					t.Fatalf("message %q, want %q", e.Message, tc.message)
				}
			} else if e.Message != tc.message {
				t.Fatalf("message\n%q\nwant\n%q", e.Message, tc.message)
			}
		})
	}

	// Without a Content-Length (chunked), the body is read up to the limit.
	req, err := http.NewRequest("POST", w.url+"/connectors", io.MultiReader(strings.NewReader(`{"name":"big","config":{"x":"`), strings.NewReader(huge)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || req.ContentLength != 0 || !strings.Contains(string(b), "connector.config.max.bytes") {
		t.Fatalf("chunked: %d %s (Content-Length %d)", resp.StatusCode, b, req.ContentLength)
	}

	// Bodies that are not configurations have their own, larger limit.
	r := w.do(t, "PATCH", "/connectors/small/offsets", `{"offsets":[{"partition":{"x":"`+strings.Repeat("p", 16<<20)+`"}}]}`)
	if r.status != http.StatusRequestEntityTooLarge || r.errorMessage(t).Message != "Request body is larger than 16777216 bytes, the most this worker accepts" {
		t.Fatalf("offsets: %d %.300s", r.status, r.body)
	}

	var names []string
	w.do(t, "GET", "/connectors", "").json(t, &names)
	if len(names) != 1 || names[0] != "small" {
		t.Fatalf("connectors %v, want [small]", names)
	}
	var cfg map[string]string
	w.do(t, "GET", "/connectors/small/config", "").json(t, &cfg)
	if cfg["extra"] != "x" {
		t.Fatalf("small's config changed: %v", cfg)
	}
}

// TestConnectorsMax: connectors.max bounds how many connectors the worker
// holds; replacing one is still allowed, and deleting one makes room.
func TestConnectorsMax(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	w := startWorker(t, bootstrap, map[string]string{"connectors.max": "2"})
	create := func(name string) response {
		return w.do(t, "PUT", "/connectors/"+name+"/config",
			`{"connector.class":"FileStreamSink","topics":"t","file":"`+filepath.Join(w.dir, name+".txt")+`"}`)
	}
	for _, n := range []string{"a", "b"} {
		if r := create(n); r.status != 201 {
			t.Fatalf("create %s: %d %s", n, r.status, r.body)
		}
	}
	r := create("c")
	want := "This worker already has 2 connectors, the most connectors.max=2 allows; delete one, or raise connectors.max in the worker configuration"
	if r.status != 400 || r.errorMessage(t).Message != want {
		t.Fatalf("third connector: %d %s", r.status, r.body)
	}
	if r := create("a"); r.status != 200 {
		t.Fatalf("replace a: %d %s", r.status, r.body)
	}
	if r := w.do(t, "DELETE", "/connectors/b", ""); r.status != 204 {
		t.Fatalf("delete b: %d %s", r.status, r.body)
	}
	if r := create("c"); r.status != 201 {
		t.Fatalf("c after deleting b: %d %s", r.status, r.body)
	}
}

// TestTasksMaxLimit: a tasks.max above the worker's tasks.max.limit is an
// error on tasks.max in validation, and a 400 on create and update, for a
// sink and for a source that would generate a task per requested task.
func TestTasksMaxLimit(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	w := startWorker(t, bootstrap, nil)
	const absurd = "2147483647"
	tasksMaxError := "Invalid value 2147483647 for configuration tasks.max: Value must be no more than 1000, this worker's tasks.max.limit"
	for _, tc := range []struct {
		plugin string
		config map[string]string
	}{
		{"FileStreamSink", map[string]string{"name": "boom", "connector.class": "FileStreamSink", "topics": "t", "tasks.max": absurd}},
		{"DatagenConnector", map[string]string{"name": "boom", "connector.class": "Datagen", "kafka.topic": "t", "quickstart": "users", "tasks.max": absurd}},
	} {
		t.Run(tc.plugin, func(t *testing.T) {
			b, _ := json.Marshal(tc.config)
			var infos herder.ConfigInfos
			r := w.do(t, "PUT", "/connector-plugins/"+tc.plugin+"/config/validate", string(b))
			if r.status != 200 {
				t.Fatalf("validate: %d %s", r.status, r.body)
			}
			r.json(t, &infos)
			var errs []string
			for _, c := range infos.Configs {
				if c.Value != nil && c.Value.Name == "tasks.max" {
					errs = c.Value.Errors
				}
			}
			if infos.ErrorCount != 1 || len(errs) != 1 || errs[0] != tasksMaxError {
				t.Fatalf("validate: error_count %d, tasks.max errors %q", infos.ErrorCount, errs)
			}
			want := "Connector configuration is invalid and contains the following 1 error(s):\n" + tasksMaxError + "\n" +
				"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
			for _, req := range []struct{ method, path, body string }{
				{"POST", "/connectors", `{"name":"boom","config":` + string(b) + `}`},
				{"PUT", "/connectors/boom/config", string(b)},
			} {
				r := w.do(t, req.method, req.path, req.body)
				if r.status != 400 || r.errorMessage(t).Message != want {
					t.Fatalf("%s %s: %d %s", req.method, req.path, r.status, r.body)
				}
			}
		})
	}
	if r := w.do(t, "GET", "/connectors/boom", ""); r.status != 404 {
		t.Fatalf("boom exists: %d %s", r.status, r.body)
	}
}
