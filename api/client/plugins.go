package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/runtime/herder"
)

// Plugins lists the installed connector plugins or, with connectorsOnly
// false, every installed plugin (GET /connector-plugins, KIP-769).
func (c *Client) Plugins(ctx context.Context, connectorsOnly bool) ([]herder.PluginInfo, error) {
	var q url.Values
	if !connectorsOnly {
		q = url.Values{"connectorsOnly": {"false"}}
	}
	var plugins []herder.PluginInfo
	_, err := c.Do(ctx, http.MethodGet, "/connector-plugins", q, nil, &plugins)
	return plugins, err
}

// PluginConfig returns the definitions of a plugin's configuration keys
// (GET /connector-plugins/{plugin}/config); plugin is a class name or
// alias.
func (c *Client) PluginConfig(ctx context.Context, plugin string) ([]config.KeyInfo, error) {
	s, err := segment("plugin", plugin)
	if err != nil {
		return nil, err
	}
	var keys []config.KeyInfo
	_, err = c.Do(ctx, http.MethodGet, "/connector-plugins/"+s+"/config", nil, nil, &keys)
	return keys, err
}

// Validate validates a connector configuration without creating anything
// (PUT /connector-plugins/{pluginType}/config/validate); pluginType is the
// connector class or alias the configuration's connector.class names. A
// configuration with errors is not an error: see ConfigInfos.ErrorCount.
func (c *Client) Validate(ctx context.Context, pluginType string, cfg map[string]string) (herder.ConfigInfos, error) {
	var infos herder.ConfigInfos
	s, err := segment("plugin type", pluginType)
	if err != nil {
		return infos, err
	}
	if cfg == nil {
		cfg = map[string]string{}
	}
	_, err = c.Do(ctx, http.MethodPut, "/connector-plugins/"+s+"/config/validate", nil, cfg, &infos)
	return infos, err
}
