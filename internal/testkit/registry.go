package testkit

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// EnvSchemaRegistryURL is the environment variable (and .services.env key) holding the base URL
// of the real Schema Registry's Confluent-compatible API, for example
// http://127.0.0.1:8081/apis/ccompat/v7 (Apicurio Registry, started by scripts/services-up.sh).
// Paths such as /subjects and /schemas/ids/1 are relative to it.
const EnvSchemaRegistryURL = "SCHEMA_REGISTRY_URL"

// EnvSchemaRegistryHTTPSURL is the environment variable (and .services.env key) holding the same
// registry's Confluent-compatible API over https, for example
// https://localhost:8082/apis/ccompat/v7. Its certificate is for localhost only and is signed by
// the CA of [EnvKafkaSSLCAFile] (scripts/services/tls.sh).
const EnvSchemaRegistryHTTPSURL = "SCHEMA_REGISTRY_HTTPS_URL"

// EnvInteropPython is the environment variable (and .services.env key) holding the path of a
// Python interpreter that has Confluent's confluent-kafka client with its Avro serializer
// installed (internal/interop/requirements.txt), for running [InteropScript].
const EnvInteropPython = "INTEROP_PYTHON"

// InteropScript is the path, relative to the repository root, of the command that serializes
// and deserializes records with Confluent's own Avro serializer; [RunInterop] runs it. Its
// docstring describes the arguments and the JSON form of each Avro type.
const InteropScript = "internal/interop/confluent_avro.py"

// interopTimeout bounds one run of the interop script: a Python start (~0.5 s) and a few
// registry requests, each of which the script itself gives up on after 20 s and retries.
const interopTimeout = 2 * time.Minute

// SchemaRegistryURL returns the base URL of the real Schema Registry (Confluent's REST API) for t,
// from $SCHEMA_REGISTRY_URL or .services.env. There is no fallback: without one, t is skipped, or
// fails when CI is true. A configured registry that does not answer fails t.
func SchemaRegistryURL(t testing.TB) string {
	t.Helper()
	url, source, err := lookup(EnvSchemaRegistryURL)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	if url == "" {
		if inCI() {
			t.Fatalf("testkit: no Schema Registry: %s is not set and there is no %s; run `make services-up` "+
				"(or `make test`) first", EnvSchemaRegistryURL, ServicesEnvFile)
		}
		t.Skipf("testkit: needs a real Schema Registry (%s unset, no %s): run `make services-up`",
			EnvSchemaRegistryURL, ServicesEnvFile)
	}
	url = strings.TrimRight(url, "/")
	if err := registryAnswers(http.DefaultTransport, url); err != nil {
		t.Fatalf("testkit: Schema Registry at %s (%s from %s) does not answer: %v; run `make services-up`",
			url, EnvSchemaRegistryURL, source, err)
	}
	return url
}

// SecureRegistry is the real Schema Registry's https port: the same registry as
// [SchemaRegistryURL], with a certificate for localhost signed by the CA the broker's certificate
// is signed by.
type SecureRegistry struct {
	// URL is the base URL of the Confluent-compatible API over https (host localhost).
	URL string
	// CAFile is the PEM file of the CA; TruststoreJKS and TruststoreP12 hold it as Java
	// truststores made by keytool, both with the password TruststorePassword.
	CAFile, TruststoreJKS, TruststoreP12, TruststorePassword string
}

// RealSecureRegistry returns the real Schema Registry's https port. Without it (an old
// .services.env, no services) t is skipped, or fails when CI is true; a port that is configured
// but does not answer over TLS with a certificate of the CA fails t.
func RealSecureRegistry(t testing.TB) SecureRegistry {
	t.Helper()
	vals := lookupAll(t, "the real Schema Registry's https port", EnvSchemaRegistryHTTPSURL,
		EnvKafkaSSLCAFile, EnvKafkaTruststoreJKS, EnvKafkaTruststoreP12, EnvKafkaTruststorePassword)
	r := SecureRegistry{URL: strings.TrimRight(vals[EnvSchemaRegistryHTTPSURL], "/"), CAFile: vals[EnvKafkaSSLCAFile],
		TruststoreJKS: vals[EnvKafkaTruststoreJKS], TruststoreP12: vals[EnvKafkaTruststoreP12],
		TruststorePassword: vals[EnvKafkaTruststorePassword]}
	pem, err := os.ReadFile(r.CAFile)
	if err != nil {
		t.Fatalf("testkit: the registry's CA (%s): %v; run `make services-up`", EnvKafkaSSLCAFile, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("testkit: %s (%s) holds no PEM certificate", r.CAFile, EnvKafkaSSLCAFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	defer tr.CloseIdleConnections()
	if err := registryAnswers(tr, r.URL); err != nil {
		t.Fatalf("testkit: Schema Registry at %s (%s) does not answer over TLS with a certificate of %s: %v; run `make services-up`",
			r.URL, EnvSchemaRegistryHTTPSURL, r.CAFile, err)
	}
	return r
}

// registryAnswers checks that GET {url}/subjects returns 200, as every Confluent-compatible
// registry does.
func registryAnswers(tr http.RoundTripper, url string) error {
	c := http.Client{Transport: tr, Timeout: 5 * time.Second}
	resp, err := c.Get(url + "/subjects")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET /subjects: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return nil
}

// InteropPython returns the path of the Python interpreter with Confluent's Avro serializer, from
// $INTEROP_PYTHON or .services.env. Without one, t is skipped, or fails when CI is true; a
// configured path that does not exist fails t.
func InteropPython(t testing.TB) string {
	t.Helper()
	python, source, err := lookup(EnvInteropPython)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	if python == "" {
		if inCI() {
			t.Fatalf("testkit: no interop Python: %s is not set and there is no %s; run `make services-up` "+
				"(or `make test`) first", EnvInteropPython, ServicesEnvFile)
		}
		t.Skipf("testkit: needs the Python interop venv (%s unset, no %s): run `make services-up`",
			EnvInteropPython, ServicesEnvFile)
	}
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("testkit: interop Python (%s from %s): %v; run `make services-up`", EnvInteropPython, source, err)
	}
	return python
}

// RunInterop runs [InteropScript] with args under the [InteropPython] interpreter, feeds it stdin
// and returns what it wrote to stdout. The script's arguments come first in args, for example
//
//	out := testkit.RunInterop(t, []string{"serialize", "--registry", url, "--topic", topic,
//		"--schema-file", schemaFile}, `{"id": 1}`+"\n")
//
// A non-zero exit fails t with the script's stderr. After two minutes the script is stopped with
// SIGABRT, which makes Python print every thread's stack to stderr, and t fails with that.
func RunInterop(t testing.TB, args []string, stdin string) string {
	t.Helper()
	python := InteropPython(t)
	root, err := moduleRoot()
	if err != nil || root == "" {
		t.Fatalf("testkit: no go.mod above the working directory to find %s (err %v)", InteropScript, err)
	}
	script := filepath.Join(root, InteropScript)

	ctx, cancel := context.WithTimeout(context.Background(), interopTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONFAULTHANDLER=1")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGABRT) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %v (%v)", interopTimeout, err)
	}
	if err != nil {
		t.Fatalf("testkit: %s %s: %v\nstderr:\n%s", InteropScript, strings.Join(args, " "), err, stderr.String())
	}
	if len(args) > 0 {
		t.Logf("testkit: %s %s: %v", InteropScript, args[0], time.Since(start).Round(time.Millisecond))
	}
	return stdout.String()
}
