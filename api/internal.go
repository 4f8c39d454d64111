package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/sluicehq/sluice/runtime/herder"
)

// Kafka Connect's answers to the internal endpoints in standalone mode
// (StandaloneHerder.putTaskConfigs and fenceZombieSourceTasks).
const (
	msgStandaloneTaskConfigs = "Kafka Connect in standalone mode does not support externally setting task configurations."
	msgStandaloneFence       = "Kafka Connect in standalone mode does not support exactly-once source connectors."
)

// internalHerder returns the herder's internal endpoints, or the 500 Kafka
// Connect answers with msg when the herder has none (standalone mode).
func (s *server) internalHerder(msg string) (herder.Internal, error) {
	in, ok := s.Herder.(herder.Internal)
	if !ok {
		return nil, &herder.Error{Code: http.StatusInternalServerError, Message: msg}
	}
	return in, nil
}

// signature reads the signature of an internal request as Kafka Connect's
// InternalRequestSignature.fromHeaders does: nil if either header is
// missing (the herder decides whether that is allowed), a 400 for an
// unknown algorithm or a MAC that is not base64. body is the exact request
// body, which the MAC signs.
func signature(r *http.Request, body []byte) (*herder.InternalSignature, error) {
	algs := r.Header.Values(herder.SignatureAlgorithmHeader)
	macs := r.Header.Values(herder.SignatureHeader)
	if len(algs) == 0 || len(macs) == 0 {
		return nil, nil
	}
	alg := algs[0]
	if !herder.SupportedSignatureAlgorithm(alg) {
		return nil, herder.BadRequest("Unsupported request signature algorithm %q in the %s header: expected one of HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384, HmacSHA512",
			alg, herder.SignatureAlgorithmHeader)
	}
	mac, err := base64.StdEncoding.DecodeString(macs[0])
	if err != nil {
		return nil, herder.BadRequest("Invalid %s header: expected the request signature in base64: %v", herder.SignatureHeader, err)
	}
	if body == nil {
		body = []byte{}
	}
	return &herder.InternalSignature{Algorithm: alg, MAC: mac, Body: body}, nil
}

// rawBody returns the request body, which the route buffered.
func rawBody(r *http.Request) []byte { return bodyBytes(r) }

// parseTaskConfigs decodes the body of POST /connectors/{c}/tasks: a JSON
// array with one object of string values per task (Java's
// List<Map<String, String>>). As elsewhere, a number or a boolean is taken
// as its JSON text.
func parseTaskConfigs(body []byte) ([]map[string]string, error) {
	const shape = "a JSON array with one JSON object of string values per task"
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, herder.BadRequest("Request body is required: the task configurations as %s", shape)
	}
	var elems []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&elems); err != nil {
		return nil, herder.BadRequest("%v; the task configurations must be %s", jsonError(err), shape)
	}
	if dec.More() {
		return nil, herder.BadRequest("Malformed JSON in request body: unexpected data after the JSON value")
	}
	if elems == nil {
		return nil, herder.BadRequest("Request body is null: the task configurations must be %s", shape)
	}
	out := make([]map[string]string, len(elems))
	for i, raw := range elems {
		var cfg configMap
		if err := json.Unmarshal(raw, &cfg); err != nil || cfg == nil {
			return nil, herder.BadRequest("Malformed request body: task configuration %d must be a JSON object of string values, got %s", i, truncate(string(raw), 80))
		}
		vals, nulls := cfg.split()
		if len(nulls) > 0 {
			return nil, herder.BadRequest("Malformed request body: task configuration %d has a null value for key %q; expected a string", i, nulls[0])
		}
		out[i] = vals
	}
	return out, nil
}

// truncate shortens s to n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// putTaskConfigs is POST /connectors/{connector}/tasks: a worker that runs a
// connector hands the task configurations it generated to the leader,
// signed with the session key. 204, as Kafka Connect's void resource
// method answers.
func (s *server) putTaskConfigs(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	body := rawBody(r)
	configs, err := parseTaskConfigs(body)
	if err != nil {
		return err
	}
	sig, err := signature(r, body)
	if err != nil {
		return err
	}
	in, err := s.internalHerder(msgStandaloneTaskConfigs)
	if err != nil {
		return err
	}
	if err := do(s, r, func(ctx context.Context) error { return in.PutTaskConfigs(ctx, nameOf(r), configs, sig) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// fenceZombies is PUT /connectors/{connector}/fence (KIP-618): a worker
// about to start an exactly-once source task asks the leader to fence the
// producers of the connector's earlier task generations. The request has
// no body; its signature signs the empty body. 204.
func (s *server) fenceZombies(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	body := rawBody(r)
	sig, err := signature(r, body)
	if err != nil {
		return err
	}
	in, err := s.internalHerder(msgStandaloneFence)
	if err != nil {
		return err
	}
	if err := do(s, r, func(ctx context.Context) error { return in.FenceZombies(ctx, nameOf(r), sig) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
