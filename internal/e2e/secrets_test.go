package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// secret returns a unique random string, so that finding it anywhere can
// only mean it leaked.
func secret(t *testing.T, label string) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "sek-" + label + "-" + hex.EncodeToString(b)
}

// restLog records every REST answer of a test.
type restLog struct {
	t    *testing.T
	base string
	all  []restAnswer
}

type restAnswer struct {
	call   string // method and path
	status int
	body   string
	echoes bool // the answer shows a connector configuration as submitted
}

// do sends a request and records its answer; echoes marks answers that
// show a configuration as submitted (where a literal secret, unlike a
// resolved one, belongs, as in Kafka Connect).
func (l *restLog) do(method, path string, body any, echoes bool) restAnswer {
	l.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			l.t.Fatal(err)
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, l.base+path, r)
	if err != nil {
		l.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		l.t.Fatal(err)
	}
	a := restAnswer{call: method + " " + path, status: resp.StatusCode, body: string(b), echoes: echoes}
	l.all = append(l.all, a)
	return a
}

// want fails unless a has status code.
func (a restAnswer) want(t *testing.T, code int) restAnswer {
	t.Helper()
	if a.status != code {
		t.Fatalf("%s: %d %s; want %d", a.call, a.status, a.body, code)
	}
	return a
}

// TestSecretsNeverLeak runs a worker process configured with secrets
// (worker settings, config provider values from the environment and a file,
// literal secret-keyed connector settings; its Kafka clients use the
// broker's SASL_SSL listener with the SCRAM and truststore passwords read
// through providers, at the worker and in connector overrides), through validation failures, a
// connector that runs, a task that fails with its secret in the error, and
// the REST calls a user makes (create, validate, status, restart, config,
// tasks, offsets, topics, update), and reads every log line and REST
// answer: no secret is in clear anywhere, except literal secrets in the
// answers that show a configuration as it was submitted; GET …/config keeps
// the variables.
func TestSecretsNeverLeak(t *testing.T) {
	for _, mode := range []string{"standalone", "distributed"} {
		t.Run(mode, func(t *testing.T) { testSecretsNeverLeak(t, mode) })
	}
}

func testSecretsNeverLeak(t *testing.T, mode string) {
	// The worker's every Kafka client uses the broker's SASL_SSL listener,
	// with its SCRAM password and truststore password read through
	// providers; the test's own clients use the PLAINTEXT listener.
	secure := testkit.RealSecureKafka(t)
	bootstrap := testkit.RealKafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()

	// Secrets from providers and worker settings: never to be seen.
	hidden := map[string]string{
		"Kafka SASL password":       secure.Password,
		"Kafka truststore password": secure.TruststorePassword,
		"worker basic.auth secret":  secret(t, "wbasic"),
		"env connection.password":   secret(t, "envpw"),
		"env errors.tolerance":      secret(t, "envtol"),
		"env producer acks":         secret(t, "envacks") + "\"q\\b\tx", // quoted (%q) in the task's error
		"file ssl.key.password":     secret(t, "filekey"),
		"file jaas password":        secret(t, "filejaas"),
		"file tasks.max":            secret(t, "fileint"),
	}
	missingDir := secret(t, "pathdir")
	hidden["env sink file path"] = filepath.Join(dir, missingDir, "out.txt")
	hidden["env sink path element"] = missingDir
	// Literal secret-keyed connector settings: shown only where the
	// configuration is echoed as submitted.
	literal := map[string]string{
		"literal registry truststore password": secret(t, "littrust"),
		"literal connection.password":          secret(t, "litpw"),
	}

	envPrefix := "SLUICE_TEST_SECRET_" + strings.ToUpper(mode) + "_"
	t.Setenv(envPrefix+"PW", hidden["env connection.password"])
	t.Setenv(envPrefix+"TOL", hidden["env errors.tolerance"])
	t.Setenv(envPrefix+"ACKS", hidden["env producer acks"])
	t.Setenv(envPrefix+"PATH", hidden["env sink file path"])
	t.Setenv(envPrefix+"TRUST", secure.TruststorePassword)
	secretsFile := filepath.Join(dir, "secrets.properties")
	if err := os.WriteFile(secretsFile, []byte(fmt.Sprintf("sslkey=%s\njaas=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"%s\";\nnotint=%s\nkafkajaas=%s\n",
		hidden["file ssl.key.password"], hidden["file jaas password"], hidden["file tasks.max"],
		secureProps(secure, "", "", secure.Password)["sasl.jaas.config"])), 0o600); err != nil {
		t.Fatal(err)
	}
	fileVar := func(key string) string { return "${file:" + secretsFile + ":" + key + "}" }

	props := workerProps(secure.SASLSSL, filepath.Join(dir, "offsets.json"))
	listener := testkit.FreeListener(t)
	maps.Copy(props, map[string]string{
		"listeners":                            listener,
		"value.converter.basic.auth.user.info": "user:" + hidden["worker basic.auth secret"],
		"config.providers":                     "env,file",
		"config.providers.env.class":           "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
		"config.providers.file.class":          "org.apache.kafka.common.config.provider.FileConfigProvider",
	})
	for _, prefix := range []string{"", "producer.", "consumer."} {
		maps.Copy(props, secureProps(secure, prefix, "JKS", secure.Password))
		props[prefix+"sasl.jaas.config"] = fileVar("kafkajaas")
		props[prefix+"ssl.truststore.password"] = "${env:" + envPrefix + "TRUST}"
	}
	var w *testkit.Worker
	if mode == "standalone" {
		w = testkit.StartWorker(t, binary, dir, mode, props, nil)
	} else {
		delete(props, "offset.storage.file.filename")
		maps.Copy(props, testkit.GroupProps(topic))
		w = testkit.StartDistributed(t, binary, dir, mode, props)
	}
	rest := &restLog{t: t, base: listener}
	eventually(t, time.Minute, "GET /health to answer 200", func() (bool, string) {
		resp, err := http.Get(listener + "/health")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	}, w)

	in := filepath.Join(dir, "in.txt")
	appendLines(t, in, 0, 10)
	src := map[string]string{
		"connector.class":                    "FileStreamSource",
		"tasks.max":                          "1",
		"file":                               in,
		"topic":                              topic,
		"connection.password":                "${env:" + envPrefix + "PW}",
		"producer.override.ssl.key.password": fileVar("sslkey"), // no keystore: unused
		"producer.override.sasl.jaas.config": fileVar("kafkajaas"),
		"value.converter.schema.registry.ssl.truststore.password": literal["literal registry truststore password"],
	}
	snk := map[string]string{
		"connector.class":                    "FileStreamSink",
		"tasks.max":                          "1",
		"topics":                             topic,
		"file":                               "${env:" + envPrefix + "PATH}",
		"consumer.override.sasl.jaas.config": fileVar("kafkajaas"),
		"connection.password":                literal["literal connection.password"],
	}

	// Validation fails on values read through providers; so does a create.
	bad := maps.Clone(src)
	bad["name"], bad["tasks.max"], bad["errors.tolerance"] = "bad", fileVar("notint"), "${env:"+envPrefix+"TOL}"
	bad["consumer.override.sasl.jaas.config"] = fileVar("jaas")
	v := rest.do(http.MethodPut, "/connector-plugins/FileStreamSource/config/validate", bad, false).want(t, http.StatusOK)
	var infos struct {
		ErrorCount int `json:"error_count"`
	}
	// Three errors, as Kafka Connect counts them: tasks.max does not parse
	// and is then judged null ("Value must be non-null"); errors.tolerance.
	if err := json.Unmarshal([]byte(v.body), &infos); err != nil || infos.ErrorCount != 3 || strings.Count(v.body, "[hidden]") < 2 {
		t.Fatalf("validate: %v, %s; want 3 errors showing [hidden] for the values", err, v.body)
	}
	rest.do(http.MethodPost, "/connectors", map[string]any{"name": "bad", "config": bad}, false).want(t, http.StatusBadRequest)

	rest.do(http.MethodPost, "/connectors", map[string]any{"name": "leaky-src", "config": src}, true).want(t, http.StatusCreated)
	rest.do(http.MethodPost, "/connectors", map[string]any{"name": "leaky-snk", "config": snk}, true).want(t, http.StatusCreated)

	status := func(name string) string {
		return rest.do(http.MethodGet, "/connectors/"+name+"/status", nil, false).body
	}
	await := func(name, what string, cond func(status string) bool) {
		t.Helper()
		eventually(t, time.Minute, name+": "+what, func() (bool, string) {
			s := status(name)
			return cond(s), s
		}, w)
	}
	running := func(s string) bool { return strings.Count(s, `"RUNNING"`) == 2 }
	failed := func(s string) bool { return strings.Contains(s, `"FAILED"`) }
	await("leaky-src", "task RUNNING", running)
	// A task whose producer setting from a provider is invalid fails with
	// an error that quotes the value, escaped.
	acks := maps.Clone(src)
	acks["producer.override.acks"] = "${env:" + envPrefix + "ACKS}"
	rest.do(http.MethodPost, "/connectors", map[string]any{"name": "leaky-acks", "config": acks}, true).want(t, http.StatusCreated)
	await("leaky-acks", "task FAILED", failed)
	await("leaky-snk", "task FAILED", failed)
	trace := rest.do(http.MethodGet, "/connectors/leaky-snk/tasks/0/status", nil, false).want(t, http.StatusOK).body
	if !strings.Contains(trace, "open [hidden] for appending") {
		t.Errorf("the failed task's trace should say which operation failed, with the path hidden: %s", trace)
	}
	eventually(t, time.Minute, "the source's lines in the topic", func() (bool, string) {
		n := len(readTopic(t, bootstrap, topic))
		return n == 10, fmt.Sprint(n, " records")
	}, w)

	rest.do(http.MethodPost, "/connectors/leaky-snk/restart?includeTasks=true&onlyFailed=true", nil, false)
	await("leaky-snk", "task FAILED again", failed)
	for _, name := range []string{"leaky-src", "leaky-snk"} {
		cfg := rest.do(http.MethodGet, "/connectors/"+name+"/config", nil, true).want(t, http.StatusOK).body
		for _, k := range []string{"${env:" + envPrefix, "${file:" + secretsFile} {
			if !strings.Contains(cfg, k) {
				t.Errorf("GET /connectors/%s/config should keep the variables as submitted (%s): %s", name, k, cfg)
			}
		}
		rest.do(http.MethodGet, "/connectors/"+name, nil, true).want(t, http.StatusOK)
		// Task configurations hold the connector's configuration as
		// submitted (the file connectors', as Kafka Connect's): literal
		// secrets as in GET config, variables never resolved.
		tasks := rest.do(http.MethodGet, "/connectors/"+name+"/tasks", nil, true).want(t, http.StatusOK).body
		if !strings.Contains(tasks, "${env:"+envPrefix) {
			t.Errorf("GET /connectors/%s/tasks should keep the variables as submitted: %s", name, tasks)
		}
		rest.do(http.MethodGet, "/connectors/"+name+"/topics", nil, false).want(t, http.StatusOK)
		rest.do(http.MethodGet, "/connectors/"+name+"/offsets", nil, false).want(t, http.StatusOK)
	}
	rest.do(http.MethodGet, "/connectors?expand=status&expand=info", nil, true).want(t, http.StatusOK)
	updated := maps.Clone(src)
	updated["batch.size"] = "100"
	rest.do(http.MethodPut, "/connectors/leaky-src/config", updated, true).want(t, http.StatusOK)
	await("leaky-src", "RUNNING after the update", running)
	rest.do(http.MethodPut, "/connectors/leaky-src/stop", nil, false)
	await("leaky-src", "STOPPED", func(s string) bool { return strings.Contains(s, `"STOPPED"`) })
	rest.do(http.MethodDelete, "/connectors/leaky-src/offsets", nil, false)
	rest.do(http.MethodGet, "/connectors/leaky-src/offsets", nil, false)
	w.Term()

	logs := w.Log()
	if !strings.Contains(logs, "starting connector") || !strings.Contains(logs, "connection.password=[hidden]") {
		t.Errorf("the log should show the starting connector's config with its password hidden")
	}
	check := func(what, s string, echoOK bool) {
		t.Helper()
		for label, v := range hidden {
			if shows(s, v) {
				t.Errorf("%s (%s) found in %s", label, v, what)
			}
		}
		if echoOK {
			return
		}
		for label, v := range literal {
			if strings.Contains(s, v) {
				t.Errorf("%s (%s) found in %s", label, v, what)
			}
		}
	}
	check("the worker's log", logs, false)
	for _, a := range rest.all {
		check(fmt.Sprintf("the answer to %s (%d %s)", a.call, a.status, a.body), a.body, a.echoes)
	}
	if t.Failed() {
		t.Logf("worker log:\n%s", logs)
	}
}

// shows reports whether text holds v as it is or escaped: as Go's %q
// quotes it in an error message, as a JSON string holds it, or both (a
// quoting error message in a JSON answer). A secret with a quote or a
// backslash in it shows only escaped there.
func shows(text, v string) bool {
	inner := func(quoted string) string { return quoted[1 : len(quoted)-1] }
	q := inner(strconv.Quote(v))
	for _, f := range []string{v, q} {
		j, _ := json.Marshal(f)
		if strings.Contains(text, f) || strings.Contains(text, inner(string(j))) {
			return true
		}
	}
	return false
}
