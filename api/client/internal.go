package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/sluicehq/sluice/runtime/herder"
)

// PutTaskConfigs hands the task configurations a connector generated to
// the group leader (POST /connectors/{connector}/tasks, internal). The body
// is signed with key under algorithm (KIP-507; "" means HmacSHA256): the
// X-Connect-Authorization header carries the HMAC of the exact body bytes
// sent. A nil key sends the request unsigned. As Kafka Connect's follower
// does, the request carries no forward parameter, so a worker that is no
// longer the leader may forward it on.
func (c *Client) PutTaskConfigs(ctx context.Context, name string, configs []map[string]string, key []byte, algorithm string) error {
	p, err := connectorPath(name, "tasks")
	if err != nil {
		return err
	}
	if configs == nil {
		configs = []map[string]string{}
	}
	body, err := json.Marshal(configs)
	if err != nil {
		return fmt.Errorf("encode the task configurations of connector %q: %w", name, err)
	}
	h, err := signatureHeaders(key, algorithm, body)
	if err != nil {
		return fmt.Errorf("sign the task configurations of connector %q: %w", name, err)
	}
	_, err = c.doRaw(ctx, http.MethodPost, p, nil, body, true, h, nil)
	return err
}

// FenceZombies asks the group leader to fence the producers of a source
// connector's earlier task generations (PUT /connectors/{connector}/fence,
// internal, KIP-618). The request has no body; with a non-nil key it is
// signed (the HMAC of the empty body) under algorithm ("" means
// HmacSHA256).
func (c *Client) FenceZombies(ctx context.Context, name string, key []byte, algorithm string) error {
	p, err := connectorPath(name, "fence")
	if err != nil {
		return err
	}
	h, err := signatureHeaders(key, algorithm, nil)
	if err != nil {
		return fmt.Errorf("sign the zombie fencing request of connector %q: %w", name, err)
	}
	_, err = c.doRaw(ctx, http.MethodPut, p, nil, nil, false, h, nil)
	return err
}

// signatureHeaders returns the KIP-507 headers that sign body under key,
// or none for a nil key.
func signatureHeaders(key []byte, algorithm string, body []byte) (http.Header, error) {
	if key == nil {
		return nil, nil
	}
	if algorithm == "" {
		algorithm = herder.DefaultSignatureAlgo
	}
	mac, err := herder.Sign(key, algorithm, body)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(herder.SignatureHeader, base64.StdEncoding.EncodeToString(mac))
	h.Set(herder.SignatureAlgorithmHeader, algorithm)
	return h, nil
}
