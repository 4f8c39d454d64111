package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/runtime/herder"
)

// verify checks the KIP-507 headers of a request against its body and key.
func verify(t *testing.T, r request, key []byte, algorithm string) {
	t.Helper()
	if got := r.header.Get(herder.SignatureAlgorithmHeader); got != algorithm {
		t.Fatalf("%s = %q, want %q", herder.SignatureAlgorithmHeader, got, algorithm)
	}
	mac, err := base64.StdEncoding.DecodeString(r.header.Get(herder.SignatureHeader))
	if err != nil {
		t.Fatalf("%s is not base64: %v", herder.SignatureHeader, err)
	}
	sig := herder.InternalSignature{Algorithm: algorithm, MAC: mac, Body: []byte(r.body)}
	if !sig.Verify(key) {
		t.Fatalf("signature of %q does not verify under the key", r.body)
	}
	if sig.Verify([]byte("other key")) {
		t.Fatal("signature verifies under another key")
	}
}

func TestPutTaskConfigs(t *testing.T) {
	c, seen := fakeWorker(t, answer{status: 204})
	key := []byte("0123456789abcdef0123456789abcdef")
	configs := []map[string]string{{"task.class": "X", "file": "/tmp/a <b>"}, {"task.class": "X"}}
	if err := c.PutTaskConfigs(context.Background(), "my sink", configs, key, ""); err != nil {
		t.Fatal(err)
	}
	r := (*seen)[0]
	if r.method != "POST" || r.path != "/connectors/my%20sink/tasks" || r.query != "" {
		t.Fatalf("request %s %s?%s, want POST /connectors/my%%20sink/tasks without a query (Kafka Connect's follower sends none)", r.method, r.path, r.query)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var got []map[string]string
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || !reflect.DeepEqual(got, configs) {
		t.Fatalf("body %s (%v), want %v", r.body, err, configs)
	}
	verify(t, r, key, herder.DefaultSignatureAlgo)

	// Another algorithm, and unsigned.
	if err := c.PutTaskConfigs(context.Background(), "c", nil, key, "HmacSHA512"); err != nil {
		t.Fatal(err)
	}
	if r := (*seen)[1]; r.body != "[]" {
		t.Errorf("nil configs sent as %q, want []", r.body)
	} else {
		verify(t, r, key, "HmacSHA512")
	}
	if err := c.PutTaskConfigs(context.Background(), "c", configs, nil, ""); err != nil {
		t.Fatal(err)
	}
	if h := (*seen)[2].header; h.Get(herder.SignatureHeader) != "" || h.Get(herder.SignatureAlgorithmHeader) != "" {
		t.Errorf("unsigned request carries signature headers: %v", h)
	}

	// An unknown algorithm fails before any request.
	err := c.PutTaskConfigs(context.Background(), "c", configs, key, "HmacMD5")
	if err == nil || !strings.Contains(err.Error(), `"HmacMD5"`) || !strings.Contains(err.Error(), `connector "c"`) {
		t.Errorf("unknown algorithm: %v", err)
	}
	if len(*seen) != 3 {
		t.Errorf("%d requests sent, want 3", len(*seen))
	}
	if err := c.PutTaskConfigs(context.Background(), "", configs, key, ""); !errors.Is(err, errEmptyName) {
		t.Errorf("empty name: %v", err)
	}
}

func TestFenceZombies(t *testing.T) {
	c, seen := fakeWorker(t, answer{status: 204})
	key := []byte("k")
	if err := c.FenceZombies(context.Background(), "a/b", key, "HmacSHA256"); err != nil {
		t.Fatal(err)
	}
	r := (*seen)[0]
	if r.method != "PUT" || r.path != "/connectors/a%2Fb/fence" || r.query != "" || r.body != "" {
		t.Fatalf("request %s %s?%s body %q, want PUT /connectors/a%%2Fb/fence without query or body", r.method, r.path, r.query, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "" {
		t.Errorf("Content-Type %q on a request without a body", ct)
	}
	verify(t, r, key, "HmacSHA256")
}

func TestInternalErrors(t *testing.T) {
	c, _ := fakeWorker(t, answer{status: 403, body: `{"error_code":403,"message":"Internal request contained invalid signature."}`})
	for name, err := range map[string]error{
		"PutTaskConfigs": c.PutTaskConfigs(context.Background(), "c", nil, []byte("k"), ""),
		"FenceZombies":   c.FenceZombies(context.Background(), "c", []byte("k"), ""),
	} {
		var he *herder.Error
		if !errors.As(err, &he) || he.Code != 403 || he.Message != "Internal request contained invalid signature." {
			t.Errorf("%s: %v, want the 403 as a *herder.Error", name, err)
		}
	}
}
