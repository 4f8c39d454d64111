package client

import (
	"context"
	"net/http"

	"github.com/sluicehq/sluice/runtime/herder"
)

// Offsets returns a connector's committed offsets
// (GET /connectors/{connector}/offsets, KIP-875). Numbers in partitions and
// offsets are json.Number values.
func (c *Client) Offsets(ctx context.Context, name string) (herder.ConnectorOffsets, error) {
	var o herder.ConnectorOffsets
	err := c.get(ctx, name, "offsets", &o)
	return o, err
}

// AlterOffsets writes offsets of a STOPPED connector; a partition with a nil
// Offset has its offset removed (PATCH /connectors/{connector}/offsets).
// It returns the worker's message.
func (c *Client) AlterOffsets(ctx context.Context, name string, offsets herder.ConnectorOffsets) (string, error) {
	p, err := connectorPath(name, "offsets")
	if err != nil {
		return "", err
	}
	var m herder.Message
	_, err = c.Do(ctx, http.MethodPatch, p, nil, offsets, &m)
	return m.Message, err
}

// ResetOffsets removes every offset of a STOPPED connector
// (DELETE /connectors/{connector}/offsets). It returns the worker's message.
func (c *Client) ResetOffsets(ctx context.Context, name string) (string, error) {
	p, err := connectorPath(name, "offsets")
	if err != nil {
		return "", err
	}
	var m herder.Message
	_, err = c.Do(ctx, http.MethodDelete, p, nil, nil, &m)
	return m.Message, err
}

// Topics returns the topics a connector has used
// (GET /connectors/{connector}/topics, KIP-558).
func (c *Client) Topics(ctx context.Context, name string) ([]string, error) {
	var m map[string]herder.ActiveTopics
	if err := c.get(ctx, name, "topics", &m); err != nil {
		return nil, err
	}
	return m[name].Topics, nil
}

// ResetTopics empties the set of topics a connector has used
// (PUT /connectors/{connector}/topics/reset).
func (c *Client) ResetTopics(ctx context.Context, name string) error {
	return c.action(ctx, http.MethodPut, name, "topics/reset")
}
