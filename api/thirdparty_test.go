// This file drives sluice's REST API with a published, third-party Kafka
// Connect REST client, used exactly as its users use it: no fork, no wrapper
// around its HTTP layer, only its exported API.
//
// Client: github.com/cloudhut/connect-client
// Version: v0.0.0-20240523140316-27c93e339567 (commit 27c93e3, 2024-05-23,
// the newest; the repository has no release tags, so Go knows it only by this
// pseudo-version). It pulls in github.com/go-resty/resty/v2 v2.7.0 and nothing else
// at build time.
//
// Why this one: it is the Kafka Connect client of Redpanda Console (its
// backend go.mod pins this very version), so it runs against real Kafka
// Connect clusters everywhere Console is deployed; it was the most recently
// maintained of the Go candidates; and its API covers every call this flow
// needs: create, list (plain and ?expand=info&expand=status), get, status,
// config get/put, pause, resume, stop, restart (KIP-745 flags) and delete. It
// decodes Kafka Connect's error body {"error_code","message"} into a typed
// connect.ApiError, so "not found" and "already exists" can be asserted as the
// client reports them.
//
// Rejected: github.com/ricardo-ch/go-kafka-connect/v3 (the library behind the
// Mongey Terraform provider) has been unchanged since 2022-11, its tags are
// not semver so it too exists only as pseudo-versions, it depends on
// gopkg.in/resty.v1 v1.11.0 from 2018, it retries every 409 five times (which
// would hide a wrong conflict), and it reports errors as formatted strings and
// a 404 as a status code with no error, so the error mapping cannot be checked
// through it. github.com/go-kafka/connect's only release is v0.9.0 from 2016
// (unmaintained since 2019, no go.mod in that release): no stop, no KIP-745
// restart flags, no ?expand, and it does not escape connector names in paths.
//
// What the client relies on (the server must provide it, as Kafka Connect does):
//   - Responses that carry JSON are labelled "Content-Type: application/json";
//     resty decodes a body only when the Content-Type says JSON, so an
//     unlabelled body reads as empty.
//   - Every 4xx/5xx body is {"error_code": <non-zero int>, "message": "..."};
//     without a non-zero error_code the client reports only "unknown error".
//   - Every request carries "Content-Type: application/json" (GETs, DELETEs
//     and the bodiless PUT pause/resume too) and "Authorization: Basic Og=="
//     (empty user and password: the client always sets basic auth); a server
//     without authentication must ignore both.
//   - Paths have no trailing slash; restart always sends
//     ?includeTasks=false&onlyFailed=false.
//   - Success is any 2xx: 201 vs 200 on create, 202 vs 204 on pause/resume
//     and 204 on delete are not distinguished, and a 204 body is not read.

package api_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	connect "github.com/cloudhut/connect-client"
)

const (
	thirdPartyConnectorName = "thirdparty-source"
	// Status is polled this often, for at most this long, per expected state.
	thirdPartyPollInterval = 100 * time.Millisecond
	thirdPartyPollTimeout  = 30 * time.Second
)

// thirdPartyClientFlow creates a FileStreamSource connector through the
// third-party client against the Kafka Connect REST API at baseURL, lists it,
// waits for it and its one task to run, reads back and replaces its
// configuration, pauses, resumes and restarts it, and deletes it, asserting
// Kafka Connect's answers at every step. sourceFile is the file the connector
// reads; topic is the topic it writes to.
func thirdPartyClientFlow(t *testing.T, baseURL string, sourceFile, topic string) {
	t.Helper()
	ctx := t.Context()
	name := thirdPartyConnectorName

	client := connect.NewClient(
		connect.WithHost(strings.TrimSuffix(baseURL, "/")),
		connect.WithTimeout(10*time.Second),
	)

	// If the flow fails halfway, do not leave the connector running.
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.DeleteConnector(cctx, name)
	})

	// Unknown connector: the client's not-found error.
	_, err := client.GetConnector(ctx, name)
	requireAPIError(t, err, 404, "GET /connectors/%s before creating it", name)

	// Create.
	config := map[string]any{
		"connector.class": "FileStreamSource",
		"tasks.max":       "1",
		"file":            sourceFile,
		"topic":           topic,
	}
	// Kafka Connect stores a connector's config with "name" put in.
	wantConfig := map[string]string{"name": name}
	for k, v := range config {
		wantConfig[k] = v.(string)
	}
	created, err := client.CreateConnector(ctx, connect.CreateConnectorRequest{Name: name, Config: config})
	if err != nil {
		t.Fatalf("third-party client: create connector %q (POST /connectors): %v", name, err)
	}
	if created.Name != name {
		t.Fatalf("create connector: response name = %q, want %q (response %+v)", created.Name, name, created)
	}
	requireConfig(t, "create connector response", created.Config, wantConfig)
	if created.Type != "" && created.Type != "source" {
		t.Fatalf("create connector: response type = %q, want \"source\"", created.Type)
	}

	// Creating it again: 409 with error_code 409.
	_, err = client.CreateConnector(ctx, connect.CreateConnectorRequest{Name: name, Config: config})
	requireAPIError(t, err, 409, "POST /connectors for existing connector %q", name)

	// List.
	names, err := client.ListConnectors(ctx)
	if err != nil {
		t.Fatalf("third-party client: list connectors (GET /connectors): %v", err)
	}
	if !slices.Contains(names, name) {
		t.Fatalf("list connectors = %q, want it to contain %q", names, name)
	}

	// Status: connector and its single task RUNNING.
	waitForThirdPartyState(t, ctx, client, name, "RUNNING")

	// Get.
	info, err := client.GetConnector(ctx, name)
	if err != nil {
		t.Fatalf("third-party client: get connector (GET /connectors/%s): %v", name, err)
	}
	if info.Name != name || info.Type != "source" {
		t.Fatalf("get connector: name %q type %q, want %q \"source\" (response %+v)", info.Name, info.Type, name, info)
	}
	requireConfig(t, "get connector response", info.Config, wantConfig)
	if want := []connect.ConnectorTaskID{{Connector: name, Task: 0}}; !slices.Equal(info.Tasks, want) {
		t.Fatalf("get connector: tasks = %+v, want %+v", info.Tasks, want)
	}

	// List with ?expand=info&expand=status.
	expanded, err := client.ListConnectorsExpanded(ctx)
	if err != nil {
		t.Fatalf("third-party client: list connectors expanded (GET /connectors?expand=info&expand=status): %v", err)
	}
	entry, ok := expanded[name]
	if !ok {
		t.Fatalf("list connectors expanded: keys %q, want %q among them", slices.Sorted(maps.Keys(expanded)), name)
	}
	if entry.Info.Name != name || entry.Info.Type != "source" {
		t.Fatalf("list connectors expanded: info name %q type %q, want %q \"source\"", entry.Info.Name, entry.Info.Type, name)
	}
	requireConfig(t, "list connectors expanded info", entry.Info.Config, wantConfig)
	if entry.Status.Name != name || entry.Status.Connector.State != "RUNNING" ||
		len(entry.Status.Tasks) != 1 || entry.Status.Tasks[0].State != "RUNNING" {
		t.Fatalf("list connectors expanded: status %+v, want %q RUNNING with one RUNNING task", entry.Status, name)
	}

	// Config read back.
	got, err := client.GetConnectorConfig(ctx, name)
	if err != nil {
		t.Fatalf("third-party client: get connector config (GET /connectors/%s/config): %v", name, err)
	}
	requireConfig(t, "get connector config", got, wantConfig)

	// Config update.
	updated := maps.Clone(config)
	updated["batch.size"] = "100"
	wantUpdated := maps.Clone(wantConfig)
	wantUpdated["batch.size"] = "100"
	putInfo, err := client.PutConnectorConfig(ctx, name, connect.PutConnectorConfigOptions{Config: updated})
	if err != nil {
		t.Fatalf("third-party client: put connector config (PUT /connectors/%s/config): %v", name, err)
	}
	if putInfo.Name != name {
		t.Fatalf("put connector config: response name = %q, want %q (response %+v)", putInfo.Name, name, putInfo)
	}
	requireConfig(t, "put connector config response", putInfo.Config, wantUpdated)
	got, err = client.GetConnectorConfig(ctx, name)
	if err != nil {
		t.Fatalf("third-party client: get connector config after update: %v", err)
	}
	requireConfig(t, "get connector config after update", got, wantUpdated)
	waitForThirdPartyState(t, ctx, client, name, "RUNNING")

	// Pause, resume.
	if err := client.PauseConnector(ctx, name); err != nil {
		t.Fatalf("third-party client: pause connector (PUT /connectors/%s/pause): %v", name, err)
	}
	waitForThirdPartyState(t, ctx, client, name, "PAUSED")
	if err := client.ResumeConnector(ctx, name); err != nil {
		t.Fatalf("third-party client: resume connector (PUT /connectors/%s/resume): %v", name, err)
	}
	waitForThirdPartyState(t, ctx, client, name, "RUNNING")

	// Restart (the client sends includeTasks=false&onlyFailed=false: the
	// connector-only restart, 204).
	if err := client.RestartConnector(ctx, name, connect.RestartConnectorOptions{}); err != nil {
		t.Fatalf("third-party client: restart connector (POST /connectors/%s/restart?includeTasks=false&onlyFailed=false): %v", name, err)
	}
	waitForThirdPartyState(t, ctx, client, name, "RUNNING")

	// Delete.
	if err := client.DeleteConnector(ctx, name); err != nil {
		t.Fatalf("third-party client: delete connector (DELETE /connectors/%s): %v", name, err)
	}
	names, err = client.ListConnectors(ctx)
	if err != nil {
		t.Fatalf("third-party client: list connectors after delete: %v", err)
	}
	if slices.Contains(names, name) {
		t.Fatalf("list connectors after delete = %q, still contains %q", names, name)
	}
	_, err = client.GetConnector(ctx, name)
	requireAPIError(t, err, 404, "GET /connectors/%s after delete", name)
	_, err = client.GetConnectorConfig(ctx, name)
	requireAPIError(t, err, 404, "GET /connectors/%s/config after delete", name)
	err = client.DeleteConnector(ctx, name)
	requireAPIError(t, err, 404, "DELETE /connectors/%s a second time", name)
	// Status may outlive the config briefly (Kafka Connect removes it as the
	// connector stops); it must go within the poll timeout.
	waitForThirdPartyStatusGone(t, ctx, client, name)
}

// requireAPIError fails unless err is the client's error for a Kafka Connect
// error body with this error_code.
func requireAPIError(t *testing.T, err error, code int, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	if err == nil {
		t.Fatalf("%s: third-party client returned no error, want its ApiError with error_code %d", what, code)
	}
	var apiErr connect.ApiError
	if !errors.As(err, &apiErr) {
		t.Fatalf("%s: third-party client returned %v (%T), want its ApiError with error_code %d "+
			"(the server must answer a JSON {\"error_code\",\"message\"} body with Content-Type application/json)", what, err, err, code)
	}
	if apiErr.ErrorCode != code || apiErr.Message == "" {
		t.Fatalf("%s: ApiError{error_code %d, message %q}, want error_code %d and a message", what, apiErr.ErrorCode, apiErr.Message, code)
	}
}

// requireConfig fails unless got is exactly want.
func requireConfig(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Fatalf("%s: config = %v, want %v", what, got, want)
	}
}

// waitForThirdPartyState polls the connector's status until the connector and
// its single task are both in state, and fails at once if either FAILED.
func waitForThirdPartyState(t *testing.T, ctx context.Context, client *connect.Client, name, state string) connect.ConnectorStateInfo {
	t.Helper()
	deadline := time.Now().Add(thirdPartyPollTimeout)
	ticker := time.NewTicker(thirdPartyPollInterval)
	defer ticker.Stop()
	var last connect.ConnectorStateInfo
	var lastErr error
	for {
		st, err := client.GetConnectorStatus(ctx, name)
		last, lastErr = st, err
		var apiErr connect.ApiError
		switch {
		case err == nil:
			if st.Name != name {
				t.Fatalf("connector status: name = %q, want %q (status %+v)", st.Name, name, st)
			}
			if st.Connector.State == "FAILED" {
				t.Fatalf("connector status: connector %q FAILED on worker %q, waiting for %s:\n%s", name, st.Connector.WorkerID, state, st.Connector.Trace)
			}
			for _, task := range st.Tasks {
				if task.State == "FAILED" {
					t.Fatalf("connector status: task %d of %q FAILED on worker %q, waiting for %s:\n%s", task.ID, name, task.WorkerID, state, task.Trace)
				}
			}
			if st.Connector.State == state && len(st.Tasks) == 1 && st.Tasks[0].ID == 0 && st.Tasks[0].State == state {
				if st.Type != "source" || st.Connector.WorkerID == "" || st.Tasks[0].WorkerID == "" {
					t.Fatalf("connector status: %+v, want type \"source\" and a worker_id on the connector and its task", st)
				}
				return st
			}
		case errors.As(err, &apiErr) && apiErr.ErrorCode == 404:
			// No status written yet; keep polling.
		default:
			t.Fatalf("third-party client: connector status (GET /connectors/%s/status) while waiting for %s: %v", name, state, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("connector %q: connector and one task not %s within %v; last status %+v, last error %v",
				name, state, thirdPartyPollTimeout, last, lastErr)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("connector %q: test context ended waiting for %s: %v", name, state, ctx.Err())
		case <-ticker.C:
		}
	}
}

// waitForThirdPartyStatusGone polls the connector's status until the client
// reports it not found.
func waitForThirdPartyStatusGone(t *testing.T, ctx context.Context, client *connect.Client, name string) {
	t.Helper()
	deadline := time.Now().Add(thirdPartyPollTimeout)
	ticker := time.NewTicker(thirdPartyPollInterval)
	defer ticker.Stop()
	for {
		st, err := client.GetConnectorStatus(ctx, name)
		var apiErr connect.ApiError
		if errors.As(err, &apiErr) && apiErr.ErrorCode == 404 {
			return
		}
		if err != nil {
			t.Fatalf("third-party client: connector status (GET /connectors/%s/status) after delete: %v, want its ApiError with error_code 404", name, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("connector %q: status still served %v after delete: %+v", name, thirdPartyPollTimeout, st)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("connector %q: test context ended waiting for its status to go: %v", name, ctx.Err())
		case <-ticker.C:
		}
	}
}
