package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sluicehq/sluice/runtime/herder"
)

// Connectors lists the connector names (GET /connectors).
func (c *Client) Connectors(ctx context.Context) ([]string, error) {
	var names []string
	_, err := c.Do(ctx, http.MethodGet, "/connectors", nil, nil, &names)
	return names, err
}

// ConnectorsExpanded lists the connectors with their status and/or their
// info (GET /connectors?expand=status&expand=info), keyed by name. At least
// one of status and info must be true.
func (c *Client) ConnectorsExpanded(ctx context.Context, status, info bool) (map[string]herder.ConnectorExpanded, error) {
	var expand []string
	if status {
		expand = append(expand, "status")
	}
	if info {
		expand = append(expand, "info")
	}
	if len(expand) == 0 {
		return nil, errors.New("ConnectorsExpanded: expand status, info or both")
	}
	var m map[string]herder.ConnectorExpanded
	_, err := c.Do(ctx, http.MethodGet, "/connectors", url.Values{"expand": expand}, nil, &m)
	return m, err
}

// CreateConnector creates a connector (POST /connectors).
func (c *Client) CreateConnector(ctx context.Context, req herder.CreateConnectorRequest) (herder.ConnectorInfo, error) {
	var info herder.ConnectorInfo
	if req.Config == nil {
		req.Config = map[string]string{}
	}
	_, err := c.Do(ctx, http.MethodPost, "/connectors", nil, req, &info)
	return info, err
}

// Connector returns a connector's configuration, tasks and type
// (GET /connectors/{connector}).
func (c *Client) Connector(ctx context.Context, name string) (herder.ConnectorInfo, error) {
	var info herder.ConnectorInfo
	err := c.get(ctx, name, "", &info)
	return info, err
}

// ConnectorConfig returns a connector's configuration as submitted
// (GET /connectors/{connector}/config).
func (c *Client) ConnectorConfig(ctx context.Context, name string) (map[string]string, error) {
	var cfg map[string]string
	err := c.get(ctx, name, "config", &cfg)
	return cfg, err
}

// PutConnectorConfig creates a connector or replaces its configuration
// (PUT /connectors/{connector}/config); created is true when the worker
// created it (201).
func (c *Client) PutConnectorConfig(ctx context.Context, name string, cfg map[string]string) (info herder.ConnectorInfo, created bool, err error) {
	p, err := connectorPath(name, "config")
	if err != nil {
		return info, false, err
	}
	if cfg == nil {
		cfg = map[string]string{}
	}
	status, err := c.Do(ctx, http.MethodPut, p, nil, cfg, &info)
	return info, status == http.StatusCreated, err
}

// PatchConnectorConfig changes some keys of a connector's configuration
// (PATCH /connectors/{connector}/config): a non-nil value sets the key, nil
// removes it.
func (c *Client) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (herder.ConnectorInfo, error) {
	var info herder.ConnectorInfo
	p, err := connectorPath(name, "config")
	if err != nil {
		return info, err
	}
	if patch == nil {
		patch = map[string]*string{}
	}
	_, err = c.Do(ctx, http.MethodPatch, p, nil, patch, &info)
	return info, err
}

// ConnectorStatus returns the state of a connector and its tasks
// (GET /connectors/{connector}/status).
func (c *Client) ConnectorStatus(ctx context.Context, name string) (herder.ConnectorStateInfo, error) {
	var st herder.ConnectorStateInfo
	err := c.get(ctx, name, "status", &st)
	return st, err
}

// Tasks returns a connector's tasks and their configurations
// (GET /connectors/{connector}/tasks).
func (c *Client) Tasks(ctx context.Context, name string) ([]herder.TaskInfo, error) {
	var tasks []herder.TaskInfo
	err := c.get(ctx, name, "tasks", &tasks)
	return tasks, err
}

// TaskStatus returns the state of one task
// (GET /connectors/{connector}/tasks/{task}/status).
func (c *Client) TaskStatus(ctx context.Context, name string, task int) (herder.TaskState, error) {
	var st herder.TaskState
	err := c.get(ctx, name, "tasks/"+strconv.Itoa(task)+"/status", &st)
	return st, err
}

// RestartConnector restarts a connector and, per the flags, its tasks
// (POST /connectors/{connector}/restart, KIP-745). With both flags false
// the connector instance alone is restarted and the worker answers 204:
// the result is nil. Otherwise the restart is asynchronous and the result is
// the status with the instances to be restarted shown RESTARTING.
func (c *Client) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*herder.ConnectorStateInfo, error) {
	p, err := connectorPath(name, "restart")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if includeTasks {
		q.Set("includeTasks", "true")
	}
	if onlyFailed {
		q.Set("onlyFailed", "true")
	}
	var st herder.ConnectorStateInfo
	status, err := c.Do(ctx, http.MethodPost, p, q, nil, &st)
	if err != nil || status == http.StatusNoContent {
		return nil, err
	}
	return &st, nil
}

// RestartTask restarts one task
// (POST /connectors/{connector}/tasks/{task}/restart).
func (c *Client) RestartTask(ctx context.Context, name string, task int) error {
	return c.action(ctx, http.MethodPost, name, "tasks/"+strconv.Itoa(task)+"/restart")
}

// Pause asks for a connector and its tasks to be paused
// (PUT /connectors/{connector}/pause); it takes effect asynchronously.
func (c *Client) Pause(ctx context.Context, name string) error {
	return c.action(ctx, http.MethodPut, name, "pause")
}

// Resume asks for a paused or stopped connector to run again
// (PUT /connectors/{connector}/resume); it takes effect asynchronously.
func (c *Client) Resume(ctx context.Context, name string) error {
	return c.action(ctx, http.MethodPut, name, "resume")
}

// Stop stops a connector and removes its tasks, keeping its configuration
// and offsets (PUT /connectors/{connector}/stop, KIP-875).
func (c *Client) Stop(ctx context.Context, name string) error {
	return c.action(ctx, http.MethodPut, name, "stop")
}

// DeleteConnector stops and removes a connector
// (DELETE /connectors/{connector}). Its offsets are kept.
func (c *Client) DeleteConnector(ctx context.Context, name string) error {
	return c.action(ctx, http.MethodDelete, name, "")
}

// get GETs /connectors/{name}[/rest] into out.
func (c *Client) get(ctx context.Context, name, rest string, out any) error {
	p, err := connectorPath(name, rest)
	if err != nil {
		return err
	}
	_, err = c.Do(ctx, http.MethodGet, p, nil, nil, out)
	return err
}

// action sends a body-less request to /connectors/{name}[/rest] whose
// answer has no body.
func (c *Client) action(ctx context.Context, method, name, rest string) error {
	p, err := connectorPath(name, rest)
	if err != nil {
		return err
	}
	_, err = c.Do(ctx, method, p, nil, nil, nil)
	return err
}
