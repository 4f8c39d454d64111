package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/sluicehq/sluice/runtime/herder"
)

// ServerInfo describes the worker (GET /).
func (c *Client) ServerInfo(ctx context.Context) (herder.ServerInfo, error) {
	var info herder.ServerInfo
	_, err := c.Do(ctx, http.MethodGet, "/", nil, nil, &info)
	return info, err
}

// Health reports the worker's health (GET /health, KIP-1017). The status is
// returned whenever the worker answered with one; a worker that is starting
// (503) or unhealthy (500) also gives a *herder.Error with that code and
// the status's message.
func (c *Client) Health(ctx context.Context) (herder.WorkerStatus, error) {
	resp, _, err := c.send(ctx, http.MethodGet, "/health", nil, nil, false, nil)
	if err != nil {
		return herder.WorkerStatus{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var ws herder.WorkerStatus
	decoded := json.Unmarshal(b, &ws) == nil && ws.Status != ""
	if resp.StatusCode != http.StatusOK {
		if !decoded {
			ws = herder.WorkerStatus{}
		}
		return ws, errorFromBody(resp.StatusCode, resp.Header.Get("Location"), b)
	}
	if !decoded {
		return ws, &herder.Error{Code: http.StatusOK, Message: "GET /health answered without a worker status"}
	}
	return ws, nil
}

// Loggers lists the loggers with an explicitly set level, and root
// (GET /admin/loggers).
func (c *Client) Loggers(ctx context.Context) (map[string]herder.LoggerLevel, error) {
	var m map[string]herder.LoggerLevel
	_, err := c.Do(ctx, http.MethodGet, "/admin/loggers", nil, nil, &m)
	return m, err
}

// Logger returns one logger's level (GET /admin/loggers/{logger}).
func (c *Client) Logger(ctx context.Context, name string) (herder.LoggerLevel, error) {
	var l herder.LoggerLevel
	s, err := segment("logger", name)
	if err != nil {
		return l, err
	}
	_, err = c.Do(ctx, http.MethodGet, "/admin/loggers/"+s, nil, nil, &l)
	return l, err
}

// SetLoggerLevel sets the level of a logger and its descendants
// (PUT /admin/loggers/{logger}). scope is "worker" or "" (this worker: the
// changed loggers are returned) or "cluster" (every worker of the group,
// KIP-976: nil is returned).
func (c *Client) SetLoggerLevel(ctx context.Context, name, level, scope string) ([]string, error) {
	s, err := segment("logger", name)
	if err != nil {
		return nil, err
	}
	var q url.Values
	if scope != "" {
		q = url.Values{"scope": {scope}}
	}
	var changed []string
	_, err = c.Do(ctx, http.MethodPut, "/admin/loggers/"+s, q, map[string]string{"level": level}, &changed)
	return changed, err
}
